"""The spending tests' files: the fictional export, its older layout, a notice, the parties."""

from __future__ import annotations

from pathlib import Path

from helpers import make_export

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "spending"

EXPORT = FIXTURES / "ec_spending_export.csv"
OLD_EXPORT = FIXTURES / "ec_spending_export_old.csv"
NOTICE = FIXTURES / "open_future_notice.html"

# Open Future and Civic Alliance by their Commission number (the export writes one as
# "9101", the other as "PP9102"), Heritage First by its registered name; Northern Voice and
# Lakeside Independents are not watched.
PARTIES = [
    {"id": "open-future", "name": "Open Future Party", "ec_id": "PP9101"},
    {"id": "civic-alliance", "name": "Civic Alliance", "ec_id": "PP9102"},
    {"id": "heritage-first", "name": "Heritage First"},
]


def write_csv(path: Path, rows: list[dict], **layout) -> Path:
    make_export.write_export(path, rows, **layout)
    return path

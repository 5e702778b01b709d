"""Fixtures for the spending tests: the fictional export and a parties.yaml for its parties."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "spending"
sys.path.insert(0, str(FIXTURES))

import make_export  # noqa: E402

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


@pytest.fixture
def spending_parties(tmp_path):
    """`spending_parties(homepage=None, documents=None)` -> a parties.yaml path."""

    def write(homepage: str = "http://127.0.0.1:9/", documents: dict | None = None,
              parties: list[dict] | None = None) -> Path:
        entries = []
        for party in parties or PARTIES:
            entry = {**party, "jurisdiction": "GB", "homepage": homepage}
            if documents and party["id"] in documents:
                entry["documents"] = documents[party["id"]]
            entries.append(entry)
        path = tmp_path / "parties.yaml"
        path.write_text(yaml.safe_dump({"parties": entries}), encoding="utf-8")
        return path

    return write


def write_csv(path: Path, rows: list[dict], **layout) -> Path:
    make_export.write_export(path, rows, **layout)
    return path

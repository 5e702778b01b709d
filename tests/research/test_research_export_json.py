"""The JSON export says exactly what it said before it was made fast.

`json_export_golden.json` holds every table of a JSON export of the test history
(tests/research/conftest.py) as the export wrote it before the streaming orjson writer:
same keys in the same order, same values, same JSON types (a score stays a float, an id an
integer, a missing value null). Times the store sets from the clock (first seen, last
fetched, ...) differ from run to run and are compared by form only.
"""

import json
import re
from pathlib import Path

from click.testing import CliRunner

from history.export_tables import EXPORT_TABLES
from partywatch.commands.export import command as export_command

GOLDEN = Path(__file__).with_name("json_export_golden.json")
# Columns the store fills with the time of the test run, not with the history's own times.
CLOCK_COLUMNS = {
    "parties": {"updated_at"},
    "documents": {"first_seen_at", "last_ok_at"},
    "snapshots": {"fetched_at"},
    "runs": {"finished_at"},
    "rubric_versions": {"created_at"},
}
ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?$")


def exported_tables(database_url: str, out: Path) -> dict[str, list[dict]]:
    """Every table of a JSON export, with clock-set times replaced by a marker of their form."""
    result = CliRunner().invoke(export_command, ["--db", database_url, "--format", "json", "--out", str(out)])
    assert result.exit_code == 0, result.output
    tables = {}
    for spec in EXPORT_TABLES:
        rows = json.loads((out / f"{spec.name}.json").read_text(encoding="utf-8"))
        for row in rows:
            for column in CLOCK_COLUMNS.get(spec.name, ()):
                if row[column] is not None:
                    assert ISO_TIME.match(row[column]), (spec.name, column, row[column])
                    row[column] = "<ISO 8601 time>"
        tables[spec.name] = rows
    return tables


def typed(value):
    """`value` with each scalar paired with its JSON type, so 50 and 50.0 differ."""
    if isinstance(value, dict):
        return [(key, typed(item)) for key, item in value.items()]  # key order counts too
    if isinstance(value, list):
        return [typed(item) for item in value]
    return (type(value).__name__, value)


def test_json_export_matches_the_output_before_the_fast_writer(history_db, tmp_path):
    tables = exported_tables(history_db.url, tmp_path / "json")
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert list(tables) == list(golden)
    for name, rows in tables.items():
        assert len(rows) == len(golden[name]), name
        for got, expected in zip(rows, golden[name]):
            assert typed(got) == typed(expected), name


def test_json_export_has_one_row_object_per_line(history_db, tmp_path):
    out = tmp_path / "json"
    exported_tables(history_db.url, out)
    for spec in EXPORT_TABLES:
        text = (out / f"{spec.name}.json").read_text(encoding="utf-8")
        if text == "[]\n":
            continue
        lines = text.split("\n")
        assert lines[0] == "[" and lines[-2:] == ["]", ""], spec.name
        body = lines[1:-2]
        for index, line in enumerate(body):
            row = json.loads(line.removesuffix(","))
            assert list(row) == spec.column_names
            assert line.endswith(",") == (index < len(body) - 1)

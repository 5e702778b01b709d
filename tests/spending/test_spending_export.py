"""The export carries the spending items, documented in the data dictionary."""

from __future__ import annotations

import csv
import json

import jsonschema
from click.testing import CliRunner

from helpers.spending_files import EXPORT
from partywatch.cli import main


def test_spending_items_are_exported_as_csv_and_json_with_their_dictionary(database_url, spending_parties,
                                                                           tmp_path):
    runner = CliRunner()
    assert runner.invoke(main, ["spending", "import", str(EXPORT), "--db", database_url,
                                "--parties", str(spending_parties())]).exit_code == 0
    for fmt in ("csv", "json"):
        out = tmp_path / fmt
        result = runner.invoke(main, ["export", "--db", database_url, "--format", fmt, "--out", str(out),
                                      "--table", "spending_items", "--table", "parties"])
        assert result.exit_code == 0, result.output
        assert "spending_items." + fmt in result.output and "629 rows" in result.output
        if fmt == "csv":
            with (out / "spending_items.csv").open(newline="", encoding="utf-8") as handle:
                rows = {row["ec_ref"]: row for row in csv.DictReader(handle)}
        else:
            data = json.loads((out / "spending_items.json").read_text(encoding="utf-8"))
            jsonschema.validate(data, json.loads((out / "spending_items.schema.json").read_text()))
            rows = {row["ec_ref"]: row for row in data}
        assert len(rows) == 629
        doorstep = rows["RSS0001004"]
        assert doorstep["party_id"] == "open-future" and doorstep["supplier_name"] == "Doorstep Data Ltd"
        assert float(doorstep["total"]) == 1350.0
        assert (doorstep["date_incurred"], doorstep["date_paid"]) == ("2024-06-01", "2024-06-15")
        assert doorstep["category"] == "Market research/canvassing"
        dictionary = (out / "DATA_DICTIONARY.md").read_text(encoding="utf-8")
        assert "## `spending_items` (629 rows)" in dictionary
        assert "Contains Electoral Commission data" in dictionary
        package = json.loads((out / "datapackage.json").read_text())
        resource = next(r for r in package["resources"] if r["name"] == "spending-items")
        assert {"name": "date_paid", "type": "date", "description": "DatePaid."} in resource["schema"]["fields"]

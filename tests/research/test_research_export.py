"""`partywatch export`: CSV and JSON that load back with the database's row counts."""

import csv
import json

import jsonschema
import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from helpers.history_builder import HOSTILE_QUOTE, STEPS
from history.db import transaction
from history.export_tables import EXPORT_TABLES, TABLES_BY_NAME
from history.models import (
    DocumentRow,
    ElementResultRow,
    PartyRow,
    RubricVersionRow,
    RunRow,
    ScorecardChangeRow,
    ScorecardRow,
    SnapshotRow,
    SpendingItemRow,
    StepScoreRow,
)
from partywatch.commands.export import command as export_command


def database_counts(engine) -> dict[str, int]:
    """Row counts computed through the ORM, independently of the export's SQL."""
    with transaction(engine) as session:
        def count(model):
            return session.scalar(select(func.count()).select_from(model))
        evidence = sum(len(e) for e in session.scalars(select(ElementResultRow.evidence)))
        return {
            "parties": count(PartyRow), "documents": count(DocumentRow), "snapshots": count(SnapshotRow),
            "runs": count(RunRow), "rubric_versions": count(RubricVersionRow), "scorecards": count(ScorecardRow),
            "step_scores": count(StepScoreRow), "element_results": count(ElementResultRow),
            "evidence": evidence, "changes": count(ScorecardChangeRow), "spending_items": count(SpendingItemRow),
        }


def run_export(database_url, out, fmt):
    result = CliRunner().invoke(export_command, ["--db", database_url, "--format", fmt, "--out", str(out)])
    assert result.exit_code == 0, result.output
    return result


def test_csv_round_trip_matches_database_row_counts(history_db, tmp_path):
    out = tmp_path / "export"
    result = run_export(history_db.url, out, "csv")
    counts = database_counts(history_db.engine)
    assert counts["evidence"] > counts["scorecards"] > 0
    assert counts["parties"] == 4 and counts["changes"] == history_db.change_count
    for spec in EXPORT_TABLES:
        with (out / f"{spec.name}.csv").open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            loaded = list(reader)
        assert reader.fieldnames == spec.column_names, spec.name
        assert len(loaded) == counts[spec.name], spec.name
        assert f"{spec.name}.csv" in result.output
    assert "DATA_DICTIONARY.md" in result.output


def test_csv_values_are_what_was_stored(history_db, tmp_path):
    out = tmp_path / "export"
    run_export(history_db.url, out, "csv")

    def load(name):
        with (out / f"{name}.csv").open(newline="", encoding="utf-8") as handle:
            return list(csv.DictReader(handle))

    cards = {int(r["scorecard_id"]): r for r in load("scorecards")}
    for card in history_db.cards:
        row = cards[card.id]
        assert (row["party_id"], row["rubric_version"], row["grade"]) == (card.party, card.version, card.grade)
        assert float(row["overall"]) == pytest.approx(card.overall)
        assert row["scored_at"] == card.scored_at.isoformat()  # same text on both back-ends
        assert json.loads(row["snapshot_ids"]) == history_db.snapshot_ids[card.party][1:]
    steps = load("step_scores")
    first = history_db.cards[0]
    mine = sorted((r for r in steps if int(r["scorecard_id"]) == first.id), key=lambda r: int(r["step_position"]))
    assert [r["step_id"] for r in mine] == [step for step, _ in STEPS]
    assert {r["step_id"]: float(r["score"]) for r in mine} == first.steps
    assert all(r["party_id"] == first.party and r["scored_at"] == first.scored_at.isoformat() for r in mine)
    evidence = load("evidence")
    hostile = [r for r in evidence if r["quote"] == HOSTILE_QUOTE]  # verbatim, not escaped
    assert hostile and hostile[0]["url"] == "https://labour.example/privacy"
    per_card = {}
    for r in evidence:
        per_card[int(r["scorecard_id"])] = per_card.get(int(r["scorecard_id"]), 0) + 1
    assert per_card == {c.id: c.evidence_rows for c in history_db.cards}
    elements = load("element_results")
    none = [r for r in elements if r["credit"] == "none"]
    assert none and all(r["evidence_count"] == "0" and r["looked_for"] for r in none)
    snapshots = load("snapshots")
    assert {"raw", "text"}.isdisjoint(snapshots[0])
    assert {r["provenance"] for r in snapshots} == {"fetched"} and not snapshots[0]["captured_at"]
    pdf = [r for r in snapshots if r["content_type"] == "application/pdf"][0]
    assert pdf["text_chars"] == "" and pdf["extraction_error"] == "encrypted PDF"


def test_json_export_validates_against_its_schemas(history_db, tmp_path):
    out = tmp_path / "json"
    run_export(history_db.url, out, "json")
    counts = database_counts(history_db.engine)
    for spec in EXPORT_TABLES:
        data = json.loads((out / f"{spec.name}.json").read_text(encoding="utf-8"))
        schema = json.loads((out / f"{spec.name}.schema.json").read_text(encoding="utf-8"))
        jsonschema.validate(data, schema, cls=jsonschema.Draft202012Validator)
        assert len(data) == counts[spec.name], spec.name
    cards = json.loads((out / "scorecards.json").read_text())
    assert isinstance(cards[0]["snapshot_ids"], list) and isinstance(cards[0]["overall"], float)
    # A row that breaks the contract is caught by the schema.
    bad = [{**cards[0], "overall": "high"}]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, json.loads((out / "scorecards.schema.json").read_text()))


def test_data_dictionary_documents_every_column(history_db, tmp_path):
    out = tmp_path / "export"
    run_export(history_db.url, out, "csv")
    dictionary = (out / "DATA_DICTIONARY.md").read_text(encoding="utf-8")
    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    resources = {r["path"]: r for r in package["resources"]}
    for spec in EXPORT_TABLES:
        assert f"## `{spec.name}`" in dictionary
        fields = [f["name"] for f in resources[f"{spec.name}.csv"]["schema"]["fields"]]
        assert fields == spec.column_names
        for column in spec.column_names:
            assert f"| `{column}` |" in dictionary
    assert resources["evidence.csv"]["schema"]["primaryKey"] == list(TABLES_BY_NAME["evidence"].primary_key)


def test_export_of_an_empty_database_writes_headers_only(engine, database_url, tmp_path):
    out = tmp_path / "empty"
    run_export(database_url, out, "csv")
    lines = (out / "parties.csv").read_text().splitlines()
    assert lines == ["party_id,name,jurisdiction,homepage,updated_at"]
    run_export(database_url, out, "json")
    assert json.loads((out / "evidence.json").read_text()) == []


def test_export_to_a_file_path_is_a_clear_error(engine, database_url, tmp_path):
    target = tmp_path / "afile"
    target.write_text("x")
    result = CliRunner().invoke(export_command, ["--db", database_url, "--format", "csv",
                                       "--out", str(target)])
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    assert "afile" in result.output


def test_table_option_exports_only_those_tables(history_db, tmp_path):
    out = tmp_path / "some"
    result = CliRunner().invoke(export_command, ["--db", history_db.url, "--format", "csv", "--out", str(out),
                                                 "--table", "evidence", "--table", "parties"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["DATA_DICTIONARY.md", "datapackage.json",
                                                      "evidence.csv", "parties.csv"]
    with (out / "evidence.csv").open(newline="", encoding="utf-8") as handle:
        assert len(list(csv.DictReader(handle))) == sum(c.evidence_rows for c in history_db.cards)
    bad = CliRunner().invoke(export_command, ["--db", history_db.url, "--format", "csv", "--out", str(out),
                                              "--table", "nope"])
    assert bad.exit_code == 2 and "nope" in bad.output


def test_hand_edited_evidence_is_exported_as_stored_without_stopping_the_export(history_db, tmp_path):
    card_id = history_db.cards[0].id
    edited = {("data-sources", "disclosed"): {"not": "a list"},
              ("data-sources", "named"): ["a bare sentence"],
              ("suppliers", "disclosed"): [{"quote": "Odd id.", "url": "https://x.example/", "start": 1,
                                            "end": 9, "snapshot_id": "abc"}]}
    with transaction(history_db.engine) as session:
        for (step_id, element_id), evidence in edited.items():
            session.get(ElementResultRow, (card_id, step_id, element_id)).evidence = evidence
    out = tmp_path / "json"
    run_export(history_db.url, out, "json")

    def rows_of(table):
        rows = json.loads((out / f"{table}.json").read_text(encoding="utf-8"))
        return {(r["step_id"], r["element_id"]): r for r in rows
                if r["scorecard_id"] == card_id and (r["step_id"], r["element_id"]) in edited}

    counts = {key: row["evidence_count"] for key, row in rows_of("element_results").items()}
    assert counts == {("data-sources", "disclosed"): 0, ("data-sources", "named"): 1,
                      ("suppliers", "disclosed"): 1}
    evidence = rows_of("evidence")
    assert evidence[("data-sources", "named")]["quote"] == "a bare sentence"
    assert evidence[("data-sources", "named")]["version_path"] is None
    odd = evidence[("suppliers", "disclosed")]
    assert (odd["quote"], odd["snapshot_id"], odd["version_path"]) == ("Odd id.", "abc", None)

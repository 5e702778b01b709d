"""`partywatch spending import`: the Commission's export into the history, counted and reported."""

from __future__ import annotations

from decimal import Decimal

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from helpers.spending_files import EXPORT, OLD_EXPORT, PARTIES, make_export, write_csv
from history.db import transaction
from history.models import SpendingItemChangeRow, SpendingItemRow
from partywatch.cli import main

ITEMS_IN_FIXTURE = 629  # 631 rows: one is a correction of another, one is bad


def run(*args):
    result = CliRunner().invoke(main, ["spending", *map(str, args)])
    assert "Traceback" not in result.output
    return result


def import_file(path, database_url, parties):
    return run("import", path, "--db", database_url, "--parties", parties)


def items(engine) -> dict[str, SpendingItemRow]:
    with transaction(engine) as session:
        return {row.ec_ref: row for row in session.scalars(select(SpendingItemRow))}


def changes(engine) -> list[SpendingItemChangeRow]:
    with transaction(engine) as session:
        return list(session.scalars(select(SpendingItemChangeRow).order_by(SpendingItemChangeRow.id)))


def test_the_fixture_export_is_imported_with_counts_parties_and_the_bad_row(engine, database_url,
                                                                            spending_parties):
    result = import_file(EXPORT, database_url, spending_parties())
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == ("ec_spending_export.csv: 631 rows read: 629 new, 1 corrected (older versions kept), "
                        "0 already stored, 1 skipped.")
    assert "Parties matched (3): civic-alliance (150), heritage-first (150), open-future (30)" in lines
    assert "  Northern Voice (9104): 150 rows" in lines
    assert "  Lakeside Independents (9199): 150 rows" in lines
    assert "  line 317 (RSS0001900): amount '£12,3O0.00' is not a sum of money" in lines

    stored = items(engine)
    assert len(stored) == ITEMS_IN_FIXTURE
    assert make_export.BAD_REF not in stored  # never half-stored
    corrected = stored[make_export.CORRECTED_REF]
    assert corrected.supplier_name == "Doorstep Data Ltd"
    assert Decimal(str(corrected.total)) == Decimal("1350.00")
    assert corrected.party_id == "open-future"
    assert corrected.date_incurred.isoformat() == "2024-06-01"  # 01/06/2024, day first
    assert stored["RSS0001001"].supplier_name == "ACME RESEARCH LIMITED"
    assert Decimal(str(stored["RSS0001001"].total)) == Decimal("4500.00")
    [change] = changes(engine)
    assert change.ec_ref == make_export.CORRECTED_REF
    assert change.old == {"total": "1250.00", "amount_england": "1250.00"}
    assert change.new == {"total": "1350.00", "amount_england": "1350.00"}
    assert change.source == "ec_spending_export.csv:632"
    by_party = {p: sum(1 for i in stored.values() if i.party_id == p)
                for p in ("open-future", "civic-alliance", "heritage-first", None)}
    assert by_party == {"open-future": 29, "civic-alliance": 150, "heritage-first": 150, None: 300}


def test_importing_again_or_the_older_layout_adds_nothing(engine, database_url, spending_parties):
    parties = spending_parties()
    assert import_file(EXPORT, database_url, parties).exit_code == 0
    before = {ref: (row.content_hash, row.updated_at) for ref, row in items(engine).items()}
    for path in (EXPORT, OLD_EXPORT):
        result = import_file(path, database_url, parties)
        assert result.exit_code == 0, result.output
        assert result.output.splitlines()[0] == (
            f"{path.name}: 631 rows read: 0 new, 0 corrected (older versions kept), 630 already stored, 1 skipped.")
    assert {ref: (row.content_hash, row.updated_at) for ref, row in items(engine).items()} == before
    assert len(changes(engine)) == 1


def test_a_later_correction_replaces_the_item_and_an_older_export_does_not_undo_it(
        engine, database_url, spending_parties, tmp_path):
    parties = spending_parties()
    assert import_file(EXPORT, database_url, parties).exit_code == 0
    rows = make_export.open_future_rows()
    acme = next(r for r in rows if r["ECRef"] == "RSS0001001")
    acme.update(TotalExpenditure="£4,750.00", AmountInEngland="£4,750.00", SupplierName="Acme Research Ltd")
    later = write_csv(tmp_path / "later.csv", rows)
    result = import_file(later, database_url, parties)
    assert result.exit_code == 0, result.output
    # Acme corrected; Doorstep's item at £1,250 is the version already replaced by £1,350
    assert "29 rows read: 0 new, 1 corrected (older versions kept), 28 already stored" in result.output
    row = items(engine)["RSS0001001"]
    assert (row.supplier_name, Decimal(str(row.total))) == ("Acme Research Ltd", Decimal("4750.00"))
    acme_change = next(c for c in changes(engine) if c.ec_ref == "RSS0001001")
    assert acme_change.old == {"supplier_name": "ACME RESEARCH LIMITED", "total": "4500.00",
                               "amount_england": "4500.00"}
    assert acme_change.source == "later.csv:2"
    # The first export again: its versions were replaced, so they stay replaced.
    result = import_file(EXPORT, database_url, parties)
    assert "0 new, 0 corrected" in result.output
    assert items(engine)["RSS0001001"].supplier_name == "Acme Research Ltd"


def test_columns_are_read_by_name_whatever_their_order_or_extra_ones(engine, database_url, spending_parties,
                                                                     tmp_path):
    rows = make_export.open_future_rows()[:3]
    path = tmp_path / "reordered.csv"
    columns = ["Notes", *reversed(make_export.COLUMNS)]
    lines = [",".join(columns)] + [",".join(['"see invoice"'] + [f'"{r[c]}"' for c in reversed(make_export.COLUMNS)])
                                   for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = import_file(path, database_url, spending_parties())
    assert result.exit_code == 0, result.output
    assert "3 rows read: 3 new" in result.output
    assert Decimal(str(items(engine)["RSS0001003"].total)) == Decimal("1249.50")


@pytest.mark.parametrize("content, message", [
    (b"", "the file is empty"),
    (b"\xef\xbb\xbf\r\n", "the file is empty"),
    ("ECRef;RegulatedEntityName;RegulatedEntityId;SupplierName\nRSS1;A;1;B\n".encode(),
     "the columns are separated by semicolons, not commas"),
    ("ECRef\tRegulatedEntityName\tSupplierName\n".encode(), "separated by tabs"),
    ("ECRef,RegulatedEntityName,RegulatedEntityId,SupplierName,DateIncurred\nRSS1,A,1,B,01/01/2024\n".encode(),
     "missing column(s) ExpenseCategoryName, TotalExpenditure"),
])
def test_a_file_that_is_not_an_export_is_refused_and_stored_items_are_kept(
        engine, database_url, spending_parties, tmp_path, content, message):
    parties = spending_parties()
    assert import_file(EXPORT, database_url, parties).exit_code == 0
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    result = import_file(path, database_url, parties)
    assert result.exit_code == 1
    assert message in result.output
    assert "Nothing was imported." in result.output
    assert len(items(engine)) == ITEMS_IN_FIXTURE


def test_a_missing_file_is_a_clear_error(database_url, spending_parties, tmp_path):
    result = import_file(tmp_path / "nope.csv", database_url, spending_parties())
    assert result.exit_code == 1
    assert "cannot read" in result.output


def test_bad_amounts_and_dates_are_reported_with_their_line_and_skipped(engine, database_url,
                                                                        spending_parties, tmp_path):
    rows = make_export.open_future_rows()[:5]
    rows[1]["DateIncurred"] = "2024-06-10"
    rows[2]["TotalExpenditure"] = ""
    rows[3]["SupplierName"] = "Quote, \"Comma\"\nand a line break Ltd"  # a quoted field over two lines
    rows[4]["TotalExpenditure"] = "(£12.50)"  # a refund
    result = import_file(write_csv(tmp_path / "some-bad.csv", rows), database_url, spending_parties())
    assert result.exit_code == 0, result.output
    assert "5 rows read: 3 new, 0 corrected (older versions kept), 0 already stored, 2 skipped." in result.output
    assert "  line 3 (RSS0001002): date '2024-06-10' is not dd/mm/yyyy" in result.output
    assert "  line 4 (RSS0001003): no TotalExpenditure" in result.output
    stored = items(engine)
    assert set(stored) == {"RSS0001001", "RSS0001004", "RSS0001005"}
    assert stored["RSS0001004"].supplier_name.startswith("Quote, \"Comma\"")
    assert Decimal(str(stored["RSS0001005"].total)) == Decimal("-12.50")


def test_rows_are_matched_by_ec_id_ecref_prefix_or_registered_name(engine, database_url, spending_parties,
                                                                   tmp_path):
    rows = make_export.open_future_rows()[:4]
    rows[0].update(RegulatedEntityId="PP9101", RegulatedEntityName="Open Future")  # number, other name
    rows[1].update(RegulatedEntityId="", ECRef="PP9101-S-000001")  # no id: the ECRef's prefix
    rows[2].update(RegulatedEntityId="", RegulatedEntityName="open  future PARTY")  # the name
    rows[3].update(RegulatedEntityId="", RegulatedEntityName="Open Future Party (Scotland)")
    result = import_file(write_csv(tmp_path / "match.csv", rows), database_url, spending_parties())
    assert result.exit_code == 0, result.output
    assert "Parties matched (1): open-future (3)" in result.output
    assert "  Open Future Party (Scotland) (): 1 row" in result.output
    parties = {ref: row.party_id for ref, row in items(engine).items()}
    assert parties == {"RSS0001001": "open-future", "PP9101-S-000001": "open-future",
                       "RSS0001003": "open-future", "RSS0001004": None}


def test_a_party_named_later_in_parties_yaml_gets_its_items_on_the_next_import(engine, database_url,
                                                                               spending_parties):
    import_file(EXPORT, database_url, spending_parties())
    more = [*PARTIES, {"id": "northern-voice", "name": "Northern Voice"}]
    result = import_file(EXPORT, database_url, spending_parties(parties=more))
    assert "northern-voice (150)" in result.output
    assert sum(1 for i in items(engine).values() if i.party_id == "northern-voice") == 150


def test_an_ec_id_that_is_not_a_registration_number_is_a_parties_yaml_error(database_url, spending_parties):
    bad = [{"id": "open-future", "name": "Open Future Party", "ec_id": "52"}]
    result = import_file(EXPORT, database_url, spending_parties(parties=bad))
    assert result.exit_code == 1
    assert "parties[0] (open-future).ec_id: '52' is not an Electoral Commission registration number" in result.output

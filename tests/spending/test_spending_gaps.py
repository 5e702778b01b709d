"""`partywatch spending gaps`: who a party paid for data-related work, beside who its notice names.

The party's notice is crawled from a fixture site on 127.0.0.1 and scored by `partywatch
check`, so the named suppliers are the claims the scorer really stored.
"""

from __future__ import annotations

import json

from click.testing import CliRunner

from helpers.spending_files import EXPORT
from partywatch.cli import main
from partywatch.paths import REPO_ROOT

RUBRIC = REPO_ROOT / "rubric.yaml"


def run(*args) -> str:
    result = CliRunner().invoke(main, [*map(str, args)])
    assert "Traceback" not in result.output
    assert result.exit_code == 0, result.output
    return result.output


def gaps_json(database_url, *args) -> dict[str, dict]:
    out = json.loads(run("spending", "gaps", "--db", database_url, "--format", "json", *args))
    return {party["party"]: party for party in out["parties"]}


def test_gaps_list_exactly_the_data_suppliers_the_notice_does_not_name(database_url, spending_parties,
                                                                       open_future_site, tmp_path):
    parties = spending_parties(homepage=open_future_site.url("/"),
                               documents={"open-future": [{"url": open_future_site.url("/privacy"),
                                                           "kind": "privacy_notice"}]})
    run("check", "--parties", parties, "--rubric", RUBRIC, "--db", database_url, "--party", "open-future")
    run("spending", "import", EXPORT, "--db", database_url, "--parties", parties)

    gaps = gaps_json(database_url, "--party", "open-future")["open-future"]
    assert (gaps["name"], gaps["since"], gaps["scored"]) == ("Open Future Party", None, True)
    # Four data-related payees; the notice names Acme Research and Brightline Print.
    assert [(p["supplier"], p["total"], p["categories"], p["items"]) for p in gaps["paid_not_named"]] == [
        ("Pixel Reach Media Ltd", 19996.00, ["Advertising"], 8),
        ("Doorstep Data Ltd", 15100.00, ["Market research/canvassing"], 12),  # the corrected item counted once, at £1,350
    ]
    assert gaps["paid_not_named"][1]["period"] == {
        "from": "2024-06-01", "to": "2024-06-12",
        "reporting_periods": ["UK Parliamentary General Election 04/07/2024"]}
    named = {p["supplier"]: p for p in gaps["named_and_paid"]}
    assert set(named) == {"ACME RESEARCH LIMITED", "Brightline Mailing Services Ltd t/a Brightline Print"}
    acme = named["ACME RESEARCH LIMITED"]
    assert (acme["total"], acme["items"], acme["named_as"], acme["match"]["score"]) == (
        9000.00, 3, "Acme Research Ltd", 100.0)
    assert acme["source"]["url"] == open_future_site.url("/privacy")
    assert acme["source"]["quote"].startswith("Acme Research Ltd")
    assert named["Brightline Mailing Services Ltd t/a Brightline Print"]["named_as"] == "Brightline Print"
    assert named["Brightline Mailing Services Ltd t/a Brightline Print"]["total"] == 20000.00
    assert [n["supplier"] for n in gaps["named_not_paid"]] == ["CloudNest Hosting Ltd"]
    # Other work (office supplies, coaches, a hall) is not data-related: in no list.
    everything = json.dumps(gaps)
    for other in ("Harbour Office Supplies", "Rapid Coaches", "Riverside Hall"):
        assert other not in everything

    # --since: only items from 10 June 2024 on
    later = gaps_json(database_url, "--party", "Open Future Party", "--since", "2024-06-10")["open-future"]
    assert later["since"] == "2024-06-10"
    assert [(p["supplier"], p["total"], p["items"]) for p in later["paid_not_named"]] == [
        ("Doorstep Data Ltd", 3750.00, 3)]
    assert {(p["supplier"], p["total"]) for p in later["named_and_paid"]} == {
        ("ACME RESEARCH LIMITED", 4500.00),
        ("Brightline Mailing Services Ltd t/a Brightline Print", 8000.00)}

    # Every party with spending items, and the table
    assert set(gaps_json(database_url)) == {"open-future", "civic-alliance", "heritage-first"}
    table = run("spending", "gaps", "--db", database_url, "--party", "open-future")
    assert "Open Future Party (open-future)" in table
    assert "  Paid for data-related work, not named in its notices (2):" in table
    assert "    Pixel Reach Media Ltd  £19,996.00  8 items   02/06/2024–09/06/2024  Advertising" in table
    assert "  Named and paid (2):" in table
    assert '    ACME RESEARCH LIMITED  ' in table and 'named as "Acme Research Ltd" (exact, 100)' in table
    assert "  Named, not paid for data-related work (1):" in table
    assert "    CloudNest Hosting Ltd  hosting  " + open_future_site.url("/privacy") in table
    assert "Contains Electoral Commission data" in table

    # The report's party page lists the three, with sources and the attribution
    run("report", "--db", database_url, "--out", tmp_path / "site")
    html = (tmp_path / "site" / "parties" / "open-future.html").read_text(encoding="utf-8")
    section = html[html.index('id="spending-heading"'):html.index('id="documents-heading"')]
    assert "<caption>Paid, not named in its notices (2)</caption>" in section
    assert "<th scope=\"row\">Pixel Reach Media Ltd</th><td class=\"num\">£19,996.00</td>" in section
    assert "“Acme Research Ltd” (match 100)" in section
    assert f'<a href="{open_future_site.url("/privacy")}">source</a>' in section
    assert "<th scope=\"row\">CloudNest Hosting Ltd</th>" in section
    assert "Contains Electoral Commission data" in section


def test_a_party_without_a_scorecard_has_every_payee_unnamed_and_says_so(database_url, spending_parties):
    run("spending", "import", EXPORT, "--db", database_url, "--parties", spending_parties())
    gaps = gaps_json(database_url, "--party", "open-future")["open-future"]
    assert gaps["scored"] is False
    assert len(gaps["paid_not_named"]) == 4
    assert gaps["named_and_paid"] == gaps["named_not_paid"] == []
    table = run("spending", "gaps", "--db", database_url, "--party", "open-future")
    assert "has no scorecard" in table and "partywatch check" in table


def test_the_data_categories_come_from_the_rubric(database_url, spending_parties, tmp_path):
    run("spending", "import", EXPORT, "--db", database_url, "--parties", spending_parties())
    rubric = tmp_path / "rubric.yaml"
    rubric.write_text(RUBRIC.read_text(encoding="utf-8")
                      + "\nspending:\n  data_categories: [Transport, Advertising]\n", encoding="utf-8")
    gaps = gaps_json(database_url, "--party", "open-future", "--rubric", rubric)["open-future"]
    assert [(p["supplier"], p["categories"]) for p in gaps["paid_not_named"]] == [
        ("Pixel Reach Media Ltd", ["Advertising"]), ("Rapid Coaches Ltd", ["Transport"])]


def test_an_unknown_party_or_no_spending_data_is_a_clear_message(database_url, spending_parties):
    result = CliRunner().invoke(main, ["spending", "gaps", "--db", database_url, "--party", "nobody"])
    assert result.exit_code == 1 and "I don't know a party called “nobody”" in result.output
    assert "No spending items" in run("spending", "gaps", "--db", database_url)
    run("spending", "import", EXPORT, "--db", database_url, "--parties", spending_parties())
    result = CliRunner().invoke(main, ["spending", "gaps", "--db", database_url, "--party", "opne-future"])
    assert result.exit_code == 1 and "Did you mean open-future?" in result.output

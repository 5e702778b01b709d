"""The suppliers step's element paid-suppliers-named: scored from the spending returns.

Open Future's notice (served on 127.0.0.1, crawled and scored by `partywatch check`) names
two of the four suppliers its returns show it paid for data-related work. Without returns
the element is n/a and the scores are what they were before the element existed; with
them it is partial, quotes the two sentences naming the paid suppliers and lists the
other two with what they were paid; a notice naming all four is full.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import select, update

from helpers.sites import Response
from helpers.spending_files import EXPORT, NOTICE
from history.db import transaction
from history.models import OutboxMessageRow, RubricVersionRow, ScorecardRow
from history.subscriptions import subscribe
from partywatch.cli import main
from partywatch.paths import REPO_ROOT

RUBRIC = REPO_ROOT / "rubric.yaml"
ELEMENT = "paid-suppliers-named"
UNNAMED = [{"supplier": "Pixel Reach Media Ltd", "total": 19996.0, "categories": ["Advertising"], "items": 8,
            "named_as": None},
           {"supplier": "Doorstep Data Ltd", "total": 15100.0, "categories": ["Market research/canvassing"],
            "items": 12, "named_as": None}]
ALL_NAMED_ROWS = ("<tr><td>Pixel Reach Media Ltd</td><td>Social media advertising</td></tr>"
                  "<tr><td>Doorstep Data Ltd</td><td>Canvassing software and our voter database</td></tr>")


def invoke(*args):
    result = CliRunner().invoke(main, [*map(str, args)])
    assert "Traceback" not in result.output
    assert result.exit_code == 0, result.output
    return result


def check(database_url, parties) -> dict:
    """`check --format json` of open-future: its scorecard (the stored one when unchanged)."""
    out = invoke("check", "--parties", parties, "--rubric", RUBRIC, "--db", database_url,
                 "--party", "open-future", "--format", "json").stdout
    return json.loads(out)["parties"][0]


def element(card: dict, element_id: str = ELEMENT) -> dict:
    step = next(s for s in card["steps"] if s["id"] == "suppliers")
    return next(e for e in step["elements"] if e["id"] == element_id)


def without_the_element(tmp_path) -> Path:
    """rubric.yaml as it was before the element: the same rules, without its block."""
    text = RUBRIC.read_text(encoding="utf-8")
    start = text.index("      # Answered from the Electoral Commission's spending returns")
    end = text.index("        from_spending:", start)
    end = text.index("\n", end) + 1
    path = tmp_path / "before.yaml"
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    return path


def test_naming_2_of_4_paid_suppliers_is_partial_with_their_quotes(database_url, engine, spending_parties,
                                                                  open_future_site, tmp_path):
    parties = spending_parties(homepage=open_future_site.url("/"),
                               documents={"open-future": [{"url": open_future_site.url("/privacy"),
                                                           "kind": "privacy_notice"}]})
    # No returns loaded: n/a, and every score is what the rubric without the element gives.
    card = check(database_url, parties)
    assert element(card)["credit"] == "n/a"
    before = json.loads(invoke("score", NOTICE, "--rubric", without_the_element(tmp_path),
                               "--format", "json").stdout)
    assert (card["overall"], card["grade"]) == (before["overall"], before["grade"])
    assert [s["score"] for s in card["steps"]] == [s["score"] for s in before["steps"]]

    # A subscriber follows the party; the returns are imported and the user is told to rescore.
    subscribe(engine, 4242, "open-future")
    imported = invoke("spending", "import", EXPORT, "--db", database_url, "--parties", parties).output
    assert "run `partywatch rescore`" in imported
    rescored = invoke("rescore", "--db", database_url, "--rubric", RUBRIC).output
    assert "1 notification(s) queued" in rescored

    card = check(database_url, parties)
    paid = element(card)
    assert paid["credit"] == "partial"
    quotes = [e["quote"] for e in paid["evidence"]]
    assert len(quotes) == 2
    assert any(q.startswith("Acme Research Ltd") for q in quotes)
    assert any(q.startswith("Brightline Print") for q in quotes)
    assert {e["url"] for e in paid["evidence"]} == {open_future_site.url("/privacy")}
    assert [p for p in paid["detail"] if not p["named_as"]] == UNNAMED
    assert {(p["supplier"], p["named_as"]) for p in paid["detail"] if p["named_as"]} == {
        ("ACME RESEARCH LIMITED", "Acme Research Ltd"),
        ("Brightline Mailing Services Ltd t/a Brightline Print", "Brightline Print")}
    suppliers = next(s for s in card["steps"] if s["id"] == "suppliers")
    old_suppliers = next(s for s in before["steps"] if s["id"] == "suppliers")
    assert suppliers["score"] < old_suppliers["score"]  # a partial answer joins the average

    # The change is queued for the subscriber like any score change.
    with transaction(engine) as session:
        [message] = session.scalars(select(OutboxMessageRow).where(OutboxMessageRow.chat_id == 4242)).all()
        [entry] = message.payload["parties"]
    assert {"step": "suppliers", "element": ELEMENT, "old": "n/a", "new": "partial"} in entry["elements"]
    assert [s["id"] for s in entry["steps"]] == ["suppliers"]

    # Rescoring again without new data changes nothing and notifies no one.
    again = invoke("rescore", "--db", database_url, "--rubric", RUBRIC).output
    assert "0 with a new scorecard" in again and "queued" not in again

    # The report's party page says who was paid but never named.
    invoke("report", "--db", database_url, "--out", tmp_path / "site")
    html = (tmp_path / "site" / "parties" / "open-future.html").read_text(encoding="utf-8")
    assert "<li>Paid Pixel Reach Media Ltd (£19,996.00, Advertising) but never named</li>" in html
    assert "<li>Paid Doorstep Data Ltd (£15,100.00, Market research/canvassing) but never named</li>" in html


def test_a_notice_naming_every_paid_supplier_is_full(database_url, spending_parties, open_future_site):
    notice = NOTICE.read_text(encoding="utf-8").replace("</table>", ALL_NAMED_ROWS + "</table>")
    open_future_site.routes["/privacy"] = Response(200, notice.encode(), {"Content-Type": "text/html; charset=utf-8"})
    parties = spending_parties(homepage=open_future_site.url("/"),
                               documents={"open-future": [{"url": open_future_site.url("/privacy"),
                                                           "kind": "privacy_notice"}]})
    invoke("spending", "import", EXPORT, "--db", database_url, "--parties", parties)
    paid = element(check(database_url, parties))
    assert paid["credit"] == "full"
    assert len(paid["evidence"]) == 4
    assert all(p["named_as"] for p in paid["detail"]) and len(paid["detail"]) == 4


def test_a_rubric_change_brings_the_element_into_history_with_the_items_known_then(
        database_url, engine, spending_parties, open_future_site, tmp_path):
    parties = spending_parties(homepage=open_future_site.url("/"),
                               documents={"open-future": [{"url": open_future_site.url("/privacy"),
                                                           "kind": "privacy_notice"}]})
    check(database_url, parties)
    # That check's scorecard is for 3 June 2024: the returns then held fewer items.
    with transaction(engine) as session:
        session.execute(update(ScorecardRow).values(created_at=datetime(2024, 6, 3, 12, 0)))
    invoke("spending", "import", EXPORT, "--db", database_url, "--parties", parties)
    edited = tmp_path / "rubric.yaml"
    edited.write_text(re.sub(r'(?m)^version: .*$', 'version: "next"', RUBRIC.read_text(encoding="utf-8"), count=1),
                      encoding="utf-8")
    out = invoke("rescore", "--db", database_url, "--rubric", edited).output
    assert "queued" not in out  # a new rubric version is not news about the party

    with transaction(engine) as session:
        cards = session.scalars(
            select(ScorecardRow).join(RubricVersionRow, RubricVersionRow.id == ScorecardRow.rubric_version_id)
            .where(RubricVersionRow.version == "next").order_by(ScorecardRow.created_at)).all()
        history = [(c.created_at.date().isoformat(),
                    next(e for e in c.elements if e.element_id == ELEMENT)) for c in cards]
        history = [(day, e.credit, [q["quote"].split()[0] for q in e.evidence],
                    [(p["supplier"], p["total"]) for p in e.detail if not p["named_as"]]) for day, e in history]
        changes = [(ch.old, ch.new) for ch in cards[-1].changes if ch.subject == f"suppliers/{ELEMENT}"]
    # 3 June 2024: Acme (named) and the first items of Doorstep Data and Pixel Reach.
    assert history[0] == ("2024-06-03", "partial", ["Acme"],
                          [("Pixel Reach Media Ltd", 4999.0), ("Doorstep Data Ltd", 3850.0)])
    # Today: every item, Brightline named too; same credit, so the change says what moved.
    assert history[-1][1:] == ("partial", ["Acme", "Brightline"],
                               [("Pixel Reach Media Ltd", 19996.0), ("Doorstep Data Ltd", 15100.0)])
    assert changes == [("partial (1 of 3 named)", "partial (2 of 4 named)")]

"""/suppliers: whom a party paid for data-related work, and whether its notices name them."""

from __future__ import annotations

from datetime import date

import pytest

from bot.context import RubricStep
from helpers import make_export
from helpers.bot import PARTIES, STEPS, RunningBot
from history.db import transaction
from history.models import ClaimRow, DocumentRow, ScorecardRow, SnapshotRow, SnapshotScoringRow
from history.store import ensure_rubric_version, finish_run, start_run, store_scorecard
from partywatch.parties import PartyEntry
from partywatch.spending.gaps import gaps_reader
from partywatch.spending.importer import import_export

USER = 1001
SNP = ("Scottish National Party", "PP102")


def name_supplier_in_latest_card(engine, party_id: str, supplier: str, url: str) -> None:
    """A stored claim naming `supplier`, from a snapshot behind the party's latest scorecard."""
    with transaction(engine) as session:
        card = session.query(ScorecardRow).filter_by(party_id=party_id).order_by(ScorecardRow.id.desc()).first()
        document = DocumentRow(party_id=party_id, url=url, kind="supplier_list", status="ok", consecutive_failures=0)
        session.add(document)
        session.flush()
        snapshot = SnapshotRow(document_id=document.id, content_hash="h", content_type="text/html", raw=b"x",
                            size=1, text=f"{supplier} | polling")
        session.add(snapshot)
        session.flush()
        session.add(SnapshotScoringRow(snapshot_id=snapshot.id, rubric_version_id=card.rubric_version_id))
        session.add(ClaimRow(snapshot_id=snapshot.id, rubric_version_id=card.rubric_version_id, step_id="suppliers",
                          element_id="named-suppliers", credit="full", quote=f"{supplier} | polling", url=url,
                          start=0, end=10, detail={"supplier": supplier, "role": "research"}))
        card.snapshot_ids = [snapshot.id]


@pytest.fixture
def with_spending(scored, tmp_path):
    rows = [make_export.item("RSS1", SNP, "Market research/canvassing", "Acme Research Ltd", 125_000, date(2024, 6, 3)),
            make_export.item("RSS2", SNP, "Advertising", "Pixel Reach Media Ltd", 50_000, date(2024, 6, 4)),
            make_export.item("RSS3", SNP, "Transport", "Rapid Coaches Ltd", 9_900, date(2024, 6, 5))]
    path = tmp_path / "spending.csv"
    make_export.write_export(path, rows)
    import_export(scored, path, [PartyEntry(**p, ec_id="PP102" if p["id"] == "snp" else None) for p in PARTIES])
    name_supplier_in_latest_card(scored, "snp", "ACME RESEARCH LIMITED", "https://example.org/snp/suppliers?a=1&b=2")
    return scored


@pytest.fixture
def bot(with_spending, fake):
    running = RunningBot(with_spending, fake, supplier_gaps=gaps_reader(with_spending, None))
    running.start()
    yield running
    running.stop()


def ask(fake, text, count=1):
    before = len(fake.messages_to(USER))
    fake.send_command(USER, text)
    return fake.wait_for_messages(USER, before + count)[before:]


def test_suppliers_lists_paid_not_named_and_named_and_paid(bot, fake):
    (answer,) = ask(fake, "/suppliers snp")
    text = answer.plain
    assert "Scottish National Party (snp): suppliers paid for data-related campaign work" in text
    assert "Paid, not named in its notices (1)\n• Pixel Reach Media Ltd: £500.00, 1 item(s), Advertising" in text
    assert "Named and paid (1)\n• Acme Research Ltd: £1,250.00, 1 item(s), Market research/canvassing" in text
    assert "named as “ACME RESEARCH LIMITED”" in text
    assert "Named, not paid (0)\nnone" in text
    assert "Rapid Coaches" not in text  # transport is not data-related work
    assert "Contains Electoral Commission data" in text
    assert 'href="https://example.org/snp/suppliers?a=1&amp;b=2"' in answer.text  # escaped in HTML


def test_suppliers_without_spending_data_or_with_a_typo(bot, fake):
    (answer,) = ask(fake, "/suppliers labour")
    assert "No spending returns are loaded for Labour Party" in answer.plain
    (answer,) = ask(fake, "/suppliers snpp")
    assert "Did you mean snp" in answer.plain
    buttons = [b["callback_data"] for row in answer.reply_markup["inline_keyboard"] for b in row]
    assert buttons[0] == "supp:snp"
    before = len(fake.messages_to(USER))
    fake.press_button(USER, "supp:snp")
    (listing,) = fake.wait_for_messages(USER, before + 1)[before:]
    assert "Paid, not named in its notices (1)" in listing.plain


def test_why_lists_the_suppliers_paid_but_never_named(scored, fake):
    """/why shows the spending element like any other, with whom the party paid and never named."""
    detail = [{"supplier": "Pixel Reach <Media> & Co", "total": 500.0, "categories": ["Advertising"], "items": 1,
               "named_as": None},
              {"supplier": "Acme Research Ltd", "total": 1250.0, "categories": ["Market research/canvassing"],
               "items": 1, "named_as": "ACME RESEARCH LIMITED"}]
    with transaction(scored) as session:
        run = start_run(session, "check")
        version = ensure_rubric_version(session, "hash-1", "1", "version: 1")
        steps = [{"id": step_id, "title": title, "score": 50.0, "elements": [
            {"id": "named-suppliers", "credit": "partial", "evidence": [
                {"quote": "ACME RESEARCH LIMITED runs our polling.", "url": "https://example.org/snp/privacy",
                 "start": 0, "end": 39}]},
            {"id": "paid-suppliers-named", "credit": "partial", "detail": detail, "evidence": [
                {"quote": "ACME RESEARCH LIMITED runs our polling.", "url": "https://example.org/snp/privacy",
                 "start": 0, "end": 39}]}]} for step_id, title in STEPS]
        store_scorecard(session, party_id="snp", run_id=run.id, rubric_version_id=version.id, overall=50.0,
                        grade="C", steps=steps, snapshot_ids=[])
        # labour: no spending returns loaded, so the element is n/a
        for step in steps:
            step["elements"][1] = {"id": "paid-suppliers-named", "credit": "n/a", "evidence": [],
                                   "looked_for": "the suppliers it paid, named"}
        store_scorecard(session, party_id="labour", run_id=run.id, rubric_version_id=version.id, overall=50.0,
                        grade="C", steps=steps, snapshot_ids=[])
        finish_run(session, run)
    steps = [RubricStep(step_id, title, "", {"paid-suppliers-named": "Are the companies it paid for "
                                             "data-related campaign work named?"}) for step_id, title in STEPS]
    bot = RunningBot(scored, fake, steps=steps).start()
    try:
        (answer,) = ask(fake, "/why snp suppliers")
        (not_applicable,) = ask(fake, "/why labour suppliers")
    finally:
        bot.stop()
    text = answer.plain
    assert "partial — Are the companies it paid for data-related campaign work named?" in text
    assert "“ACME RESEARCH LIMITED runs our polling.”" in text
    assert "Paid Pixel Reach <Media> & Co (£500.00, Advertising) but never named" in text
    assert "Pixel Reach &lt;Media&gt; &amp; Co" in answer.text  # escaped in the HTML sent
    assert "Paid Acme Research" not in text  # named: it is evidence, not a gap
    assert "n/a — Are the companies it paid for data-related campaign work named?" in not_applicable.plain
    assert "Not counted" in not_applicable.plain and "No disclosure found" not in not_applicable.plain

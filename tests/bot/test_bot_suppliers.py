"""/suppliers: whom a party paid for data-related work, and whether its notices name them."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import pytest

from bot_helpers import PARTIES, RunningBot
from history.db import transaction
from history.models import Claim, Document, Scorecard, Snapshot, SnapshotScoring
from partywatch.parties import PartyEntry
from partywatch.spending.gaps import gaps_reader
from partywatch.spending.importer import import_export

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "fixtures" / "spending"))

import make_export  # noqa: E402

USER = 1001
SNP = ("Scottish National Party", "PP102")


def name_supplier_in_latest_card(engine, party_id: str, supplier: str, url: str) -> None:
    """A stored claim naming `supplier`, from a snapshot behind the party's latest scorecard."""
    with transaction(engine) as session:
        card = session.query(Scorecard).filter_by(party_id=party_id).order_by(Scorecard.id.desc()).first()
        document = Document(party_id=party_id, url=url, kind="supplier_list", status="ok", consecutive_failures=0)
        session.add(document)
        session.flush()
        snapshot = Snapshot(document_id=document.id, content_hash="h", content_type="text/html", raw=b"x",
                            size=1, text=f"{supplier} | polling")
        session.add(snapshot)
        session.flush()
        session.add(SnapshotScoring(snapshot_id=snapshot.id, rubric_version_id=card.rubric_version_id))
        session.add(Claim(snapshot_id=snapshot.id, rubric_version_id=card.rubric_version_id, step_id="suppliers",
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

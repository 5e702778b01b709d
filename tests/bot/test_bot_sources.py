"""The bot says when a scorecard was scored from an archived or hand-imported copy."""

from __future__ import annotations

from datetime import datetime

from bot.render import render_notification
from helpers.bot import seed_scorecard
from history.db import transaction
from history.store import get_or_create_document, record_fetch

USER = 1001


def store_archived_copy(engine, party_id: str) -> int:
    with transaction(engine) as session:
        document = get_or_create_document(session, party_id, f"https://example.org/{party_id}/privacy",
                                          "privacy_notice")
        outcome = record_fetch(session, document, run_id=None, http_status=200,
                               raw=b"<html><body>Notice</body></html>", content_type="text/html",
                               provenance="archived", captured_at=datetime(2025, 3, 1, 12))
        return outcome.snapshot.id


def test_score_and_why_label_a_scorecard_from_an_archived_copy(running, fake, scored):
    snapshot_id = store_archived_copy(scored, "labour")
    seed_scorecard(scored, "labour", 52.0, "C", snapshot_ids=[snapshot_id])
    fake.send_command(USER, "/score labour")
    (answer,) = fake.wait_for_messages(USER, 1)
    assert "https://example.org/labour/privacy scored from an archived copy of 2025-03-01" in answer.plain
    fake.send_command(USER, "/why labour retention")
    (why,) = fake.wait_for_messages(USER, 2)[1:]
    assert "scored from an archived copy of 2025-03-01" in why.plain
    fake.send_command(USER, "/score snp")
    (plain,) = fake.wait_for_messages(USER, 3)[2:]
    assert "archived copy" not in plain.plain


def test_a_notification_says_the_copy_was_archived():
    text = render_notification({"type": "scorecard_change", "run_id": 3, "parties": [{
        "party": "labour", "name": "Labour Party", "old": {"overall": 48.0, "grade": "D"},
        "new": {"overall": 52.0, "grade": "C"}, "steps": [], "elements": [], "documents": [],
        "sources": [{"url": "https://example.org/labour/privacy",
                     "note": "from an archived copy of 2025-03-01"}]}]})
    assert "scored from an archived copy of 2025-03-01" in text

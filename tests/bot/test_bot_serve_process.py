"""`partywatch serve` as a real process: kill and restart mid-broadcast, logs, bad settings."""

from __future__ import annotations

import os
import signal
from collections import Counter
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import func, insert, select

from helpers.bot import start_serve
from history.db import transaction
from history.models import OutboxMessageRow, PartyRow, SubscriberRow, SubscriptionRow
from partywatch.cli import main

ROOT = Path(__file__).resolve().parents[2]
PAYLOAD = {"type": "scorecard_change", "run_id": None, "parties": [{
    "party": "snp", "name": "Scottish National Party", "scorecard_id": 1,
    "old": {"overall": 61.0, "grade": "C"}, "new": {"overall": 70.5, "grade": "B"},
    "steps": [{"id": "retention", "title": "How long data is kept", "old": 25.0, "new": 75.0}],
    "elements": [], "documents": []}]}


def fill_outbox(engine, chats):
    with transaction(engine) as session:
        session.add(PartyRow(id="snp", name="Scottish National Party", jurisdiction="GB-SCT",
                          homepage="https://www.snp.org/"))
        session.execute(insert(SubscriberRow), [{"chat_id": c, "active": True} for c in chats])
        session.execute(insert(SubscriptionRow), [{"chat_id": c, "party_id": "snp"} for c in chats])
        session.execute(insert(OutboxMessageRow), [
            {"idempotency_key": f"run:1:chat:{c}", "chat_id": c, "payload": PAYLOAD, "state": "queued",
             "attempts": 0} for c in chats])


def chats_in(state, engine) -> set[int]:
    with transaction(engine) as session:
        return set(session.scalars(select(OutboxMessageRow.chat_id).where(OutboxMessageRow.state == state)))


def states(engine):
    with transaction(engine) as session:
        counts = select(OutboxMessageRow.state, func.count()).group_by(OutboxMessageRow.state)
        return dict(session.execute(counts).all())


def test_killed_mid_broadcast_and_restarted_delivers_each_message_once(engine, database_url, fake, tmp_path):
    chats = list(range(700_000, 700_080))
    fill_outbox(engine, chats)
    process = {}

    def kill_at_the_worst_moment(message):
        # Telegram has the 25th message, but serve dies before hearing so: the crash that
        # makes naive senders send it again.
        if len(fake.messages) == 25 and "first" in process:
            os.kill(process.pop("first").pid, signal.SIGKILL)

    fake.on_message = kill_at_the_worst_moment
    first = start_serve(database_url, fake, tmp_path, "first")
    process["first"] = first
    assert first.wait(60) == -signal.SIGKILL
    at_kill = states(engine)
    assert at_kill.get("sending", 0) >= 1 and at_kill.get("queued", 0) > 0
    in_flight = chats_in("sending", engine)

    second = start_serve(database_url, fake, tmp_path, "second")
    try:
        fake.wait_until(lambda: states(engine).get("queued", 0) == 0, timeout=60, what="the outbox sent")
    finally:
        second.send_signal(signal.SIGTERM)
        assert second.wait(30) == 0  # stopped: nothing more can arrive after this
    per_chat = Counter(m.chat_id for m in fake.messages)
    assert set(per_chat.values()) == {1}  # none twice
    # At most once: a message claimed when serve died may or may not have reached Telegram,
    # so it is never sent again; every other one is delivered.
    assert set(chats) - set(per_chat) <= in_flight
    assert set(per_chat) >= set(chats) - in_flight
    after = states(engine)
    assert after.get("queued", 0) == 0
    # The messages in flight at the kill stay 'sending' until stale, then 'failed': never re-sent.
    assert after["sent"] + after.get("sending", 0) + after.get("failed", 0) == len(chats)
    assert after.get("sending", 0) + after.get("failed", 0) <= len(in_flight)


def test_serve_logs_without_the_token_and_stops_on_sigterm(engine, database_url, fake, tmp_path):
    process = start_serve(database_url, fake, tmp_path, level="DEBUG")
    try:
        fake.wait_until(lambda: fake.calls_of("getUpdates"), timeout=30, what="polling")
        fake.send_command(4001, "/start")
        fake.wait_for_messages(4001, 1)
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(30) == 0
    log = (tmp_path / "serve.log").read_text()
    assert "serving as @partywatch_test_bot" in log and "stopped" in log
    assert fake.token not in log and fake.token.split(":")[1] not in log
    assert fake.calls_of("setMyCommands")


def test_wrong_token_is_a_clear_error_without_the_token(engine, database_url, fake, tmp_path):
    process = start_serve(database_url, fake, tmp_path, token="999:WRONG-secret-value")
    assert process.wait(30) == 1
    log = (tmp_path / "serve.log").read_text()
    assert "Error:" in log and "WRONG-secret-value" not in log


def test_missing_token_names_the_variable(database_url, monkeypatch):
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    result = CliRunner().invoke(main, ["serve", "--db", database_url])
    assert result.exit_code == 1
    assert "TELEGRAM_BOT_TOKEN is not set" in result.output
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "1:x")
    monkeypatch.setenv("TELEGRAM_ADMIN_IDS", "12,abc")
    result = CliRunner().invoke(main, ["serve", "--db", database_url])
    assert result.exit_code == 1 and "TELEGRAM_ADMIN_IDS" in result.output
    result = CliRunner().invoke(main, ["serve", "--db", database_url, "--every", "soon"])
    assert result.exit_code == 2 and "not a duration" in result.output

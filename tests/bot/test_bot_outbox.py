"""Delivering the outbox: rendering, limits, 429/403/network errors, exactly once."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import httpx
import pytest
from sqlalchemy import select
from telegram.error import NetworkError, TimedOut

from bot.outbox import never_reached_telegram
from helpers.bot import NASTY_QUOTE
from history.db import transaction
from history.models import OutboxMessageRow, SubscriberRow
from history.outbox import STALE_REASON, claim_message, due_messages, queue_message, resolve_stale
from history.subscriptions import is_active, subscribe, subscribers_of


def change_payload(party="snp", summary="Retention section rewritten", steps=None):
    return {"type": "scorecard_change", "run_id": None, "parties": [{
        "party": party, "name": "Scottish National Party", "scorecard_id": 2,
        "old": {"overall": 55.0, "grade": "C"}, "new": {"overall": 70.5, "grade": "B"},
        "steps": steps if steps is not None else [
            {"id": "retention", "title": "How long data is kept", "old": 40.0, "new": 75.0}],
        "elements": [{"step": "retention", "element": "periods", "old": "none", "new": "full"}],
        "documents": [{"url": "https://www.snp.org/privacy-notice/?a=1&b=2", "change": "changed",
                       "summary": summary}]}]}


def queue(engine, chat_id, payload, key=None):
    with transaction(engine) as session:
        subscribe(engine, chat_id, "snp")
        queue_message(session, idempotency_key=key or f"test:{chat_id}:{time.monotonic_ns()}",
                      chat_id=chat_id, payload=payload)


def rows(engine, chat_id=None):
    with transaction(engine) as session:
        query = select(OutboxMessageRow).order_by(OutboxMessageRow.id)
        if chat_id is not None:
            query = query.where(OutboxMessageRow.chat_id == chat_id)
        return list(session.scalars(query))


def test_notification_delivered_once_escaped(running, fake, scored):
    queue(scored, 2001, change_payload(summary=NASTY_QUOTE))
    (message,) = fake.wait_for_messages(2001, 1)
    assert "Scottish National Party (snp)" in message.plain
    assert "Grade C → B, score 55 → 70.5" in message.plain
    assert "▲ How long data is kept: 40 → 75" in message.plain
    assert NASTY_QUOTE in message.plain  # shown as written ...
    assert "&lt;script&gt;" in message.text and "&amp; then" in message.text  # ... because escaped
    assert "/why snp retention" in message.plain
    fake.wait_until(lambda: rows(scored, 2001)[0].state == "sent", what="row marked sent")
    row = rows(scored, 2001)[0]
    assert row.telegram_message_ids == [message.message_id] and row.attempts == 1
    assert running.settle() == 0  # another drain sends nothing again
    assert len(fake.messages_to(2001)) == 1


def test_a_notification_leads_with_what_moved(running, fake, scored):
    queue(scored, 2011, change_payload())
    (message,) = fake.wait_for_messages(2011, 1)
    lines = message.plain.splitlines()
    order = [next(i for i, line in enumerate(lines) if marker in line)
             for marker in ("Grade C → B, score 55 → 70.5", "▲ How long data is kept: 40 → 75",
                            "1 answer changed: periods none→full", "📄 changed:")]
    assert order == sorted(order) and order[0] == 1  # right under the party's name


def test_a_text_change_that_moved_no_score_leads_with_the_document(running, fake, scored):
    payload = change_payload(summary="+1 / -0 sentences; added: \u201cOur offices close on bank holidays.\u201d",
                             steps=[])
    entry = payload["parties"][0]
    entry["old"] = entry["new"] = {"overall": 12.4, "grade": "E"}
    entry["elements"] = []
    queue(scored, 2012, payload)
    (message,) = fake.wait_for_messages(2012, 1)
    lines = message.plain.splitlines()
    assert lines[0] == "Scottish National Party (snp)"
    assert lines[1].startswith("📄 changed: ") and "Our offices close on bank holidays." in lines[1]
    assert "Grade E, score 12.4: unchanged." in message.plain
    assert "E → E" not in message.plain and "12.4 → 12.4" not in message.plain


def test_ten_thousand_character_change_is_summarised_not_rejected(running, fake, scored):
    long_steps = [{"id": f"step-{i}", "title": "A very long step title " * 4, "old": 10.0, "new": 90.0}
                  for i in range(120)]
    queue(scored, 2002, change_payload(summary="x & <y> " * 1250, steps=long_steps))
    (message,) = fake.wait_for_messages(2002, 1)
    assert len(message.text) <= 4096
    assert "more lines left out to fit one message" in message.plain
    assert "/why snp step-0" in message.plain
    assert [c.status for c in fake.calls_of("sendMessage") if c.params["chat_id"] == "2002"] == [200]


def test_long_reply_to_a_command_is_split(running, fake, scored):
    from helpers.bot import seed_scorecard

    seed_scorecard(scored, "labour", 50.0, "C", quote="A long & <odd> sentence. " * 400)
    fake.send_command(2003, "/why labour retention")
    # the reply's last line is the last element's quote: every part has arrived with it
    fake.wait_until(lambda: any("deleted from time to time" in m.plain for m in fake.messages_to(2003)),
                    what="the end of the reply")
    parts = fake.messages_to(2003)
    assert all(len(p.text) <= 4096 for p in parts)
    assert "A long & <odd> sentence." in parts[0].plain


def as_stored(epoch: float) -> datetime:
    """A fake-server arrival time (epoch seconds) as the outbox stores times: naive UTC."""
    return datetime.fromtimestamp(epoch, timezone.utc).replace(tzinfo=None)


def sends_to(fake, chat_id):
    return [c for c in fake.calls_of("sendMessage") if c.params["chat_id"] == str(chat_id)]


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # PTB's own notice about retry_after's type
def test_429_is_honoured_and_retried(running, fake, scored):
    fake.fail("sendMessage", "429", chat_id=2004, retry_after=2)
    queue(scored, 2004, change_payload())
    fake.wait_for_messages(2004, 1, timeout=20)
    refused, accepted = sends_to(fake, 2004)
    assert (refused.status, accepted.status) == (429, 200)
    fake.wait_until(lambda: rows(scored, 2004)[0].state == "sent", what="row marked sent")
    row = rows(scored, 2004)[0]
    # the retry was scheduled Retry-After (2 s) after the 429, and not sent before that time
    assert row.not_before >= as_stored(refused.time) + timedelta(seconds=2)
    assert as_stored(accepted.time) >= row.not_before and row.attempts == 2


def test_403_marks_the_subscriber_inactive_and_stops(running, fake, scored):
    fake.block(2005)
    queue(scored, 2005, change_payload(), key="a")
    fake.wait_until(lambda: is_active(scored, 2005) is False, what="subscriber inactive")
    queue_message_rows = rows(scored, 2005)
    assert queue_message_rows[0].state == "failed" and "403" in queue_message_rows[0].last_error
    with transaction(scored) as session:
        assert "blocked" in session.get(SubscriberRow, 2005).inactive_reason
    calls = len(fake.calls_of("sendMessage"))
    assert running.settle() == 0
    assert len(fake.calls_of("sendMessage")) == calls  # not retried
    with transaction(scored) as session:
        assert 2005 not in subscribers_of(session, "snp")  # the next check queues nothing for it


def test_server_errors_are_retried_with_backoff(running, fake, scored):
    fake.fail("sendMessage", "500", chat_id=2006, times=2)
    queue(scored, 2006, change_payload())
    (message,) = fake.wait_for_messages(2006, 1, timeout=30)
    calls = sends_to(fake, 2006)
    assert [c.status for c in calls] == [500, 500, 200]
    fake.wait_until(lambda: rows(scored, 2006)[0].state == "sent", what="row sent")
    row = rows(scored, 2006)[0]
    assert row.attempts == 3
    # backed off, not hammered: after the second failure the retry was scheduled at least
    # 2² s × 0.75 (the backoff's least jitter) later, and not sent before that time
    assert row.not_before >= as_stored(calls[1].time) + timedelta(seconds=3)
    assert as_stored(calls[2].time) >= row.not_before


def test_which_network_errors_are_safe_to_retry():
    def wrapped(cause):
        try:
            try:
                raise cause
            except httpx.HTTPError as error:
                raise (TimedOut() if isinstance(error, httpx.TimeoutException) else NetworkError(str(error))) from error
        except NetworkError as outer:
            return outer

    request = httpx.Request("POST", "http://127.0.0.1/x")
    assert never_reached_telegram(wrapped(httpx.ConnectError("refused", request=request)))
    assert never_reached_telegram(wrapped(httpx.ConnectTimeout("slow", request=request)))
    assert never_reached_telegram(NetworkError("Bad Gateway"))  # Telegram answered 502
    # The request may have been processed: re-sending could duplicate it.
    assert not never_reached_telegram(wrapped(httpx.ReadTimeout("late", request=request)))
    assert not never_reached_telegram(wrapped(httpx.RemoteProtocolError("gone", request=request)))


def test_limits_one_per_second_per_chat_thirty_overall(running, fake, scored):
    for n in range(4):
        queue(scored, 2100, change_payload(), key=f"same-chat-{n}")
    for chat in range(3000, 3070):
        queue(scored, chat, change_payload(), key=f"many-{chat}")
    fake.wait_for_messages(2100, 4, timeout=30)
    fake.wait_until(lambda: len(fake.messages) >= 74, timeout=30, what="all 74 messages")
    assert len({m.chat_id for m in fake.messages}) == 71 and len(fake.messages) == 74
    assert running.settle() == 0 and len(fake.messages) == 74  # each sent once
    # the spacing between them (one a second per chat, 30 a second overall) is the limiter's,
    # checked on a virtual clock in test_bot_limits.py: arrival times here blur under load


def test_stale_sending_rows_are_failed_not_resent(engine):
    subscribe(engine, 2200, "*")
    with transaction(engine) as session:
        queue_message(session, idempotency_key="k1", chat_id=2200, payload=change_payload())
    (message_id, _chat), = due_messages(engine)
    assert claim_message(engine, message_id, "dead-sender") is not None
    assert claim_message(engine, message_id, "other") is None  # a claim is exclusive
    assert resolve_stale(engine, timedelta(minutes=5)) == 0  # not stale yet
    assert resolve_stale(engine, timedelta(seconds=-1)) == 1
    (row,) = rows(engine)
    assert row.state == "failed" and row.last_error == STALE_REASON
    assert due_messages(engine) == []


def _drain_with(engine, fake, read_timeout, before_drain=None, drains=1):
    """Run the real drainer (real Application, real HTTP) once or more, outside serve()."""
    import asyncio

    from bot.app import build_application
    from bot.config import BotSettings
    from bot.context import BotContext

    async def main():
        application, drainer = build_application(
            BotSettings(token=fake.token, base_url=fake.base_url), BotContext(engine=engine),
            read_timeout=read_timeout)
        async with application:
            if before_drain:
                before_drain()
            for _ in range(drains):
                await drainer.drain()

    asyncio.run(main())


def test_no_answer_from_telegram_is_not_resent(engine, fake):
    queue(engine, 2300, change_payload(), key="slow")
    fake.fail("sendMessage", "delay", chat_id=2300, seconds=2.5)
    _drain_with(engine, fake, read_timeout=1.0, drains=2)
    (row,) = rows(engine, 2300)
    assert row.state == "failed" and row.last_error.startswith("delivery uncertain")
    assert len(fake.messages_to(2300)) == 1  # Telegram had it: re-sending would duplicate it


def test_unreachable_telegram_is_retried_later(engine, fake):
    queue(engine, 2400, change_payload(), key="down")
    _drain_with(engine, fake, read_timeout=5.0, before_drain=fake.stop)
    (row,) = rows(engine, 2400)
    assert row.state == "queued" and row.attempts == 1 and row.not_before is not None
    assert row.last_error.startswith("network:")

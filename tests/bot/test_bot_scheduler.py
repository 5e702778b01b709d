"""The scheduler: /check, the check lease across processes, persisted jobs, admin alerts."""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta

from sqlalchemy import text

from helpers.bot import ADMIN, RunningBot, seed_scorecard
from history.db import transaction
from history.locks import acquire_lock, release_lock
from history.outbox import queue_message
from history.store import get_or_create_document, record_fetch
from history.subscriptions import subscribers_of
from partywatch.scheduler import Service, parse_duration


def notifying_check(engine, party_ids):
    """Stands in for partywatch.checking.run_check: a new snp scorecard, subscribers told."""
    card_id = seed_scorecard(engine, "snp", 80.0, "A", scores={"retention": 100.0})
    with transaction(engine) as session:
        for chat_id in subscribers_of(session, "snp"):
            queue_message(session, idempotency_key=f"run:card{card_id}:chat:{chat_id}", chat_id=chat_id,
                          payload={"type": "scorecard_change", "run_id": None, "parties": [{
                              "party": "snp", "name": "Scottish National Party", "scorecard_id": card_id,
                              "old": {"overall": 70.5, "grade": "B"}, "new": {"overall": 80.0, "grade": "A"},
                              "steps": [{"id": "retention", "title": "How long data is kept",
                                         "old": 75.0, "new": 100.0}],
                              "elements": [], "documents": []}]})
    return None


def test_parse_duration():
    assert parse_duration("30m") == timedelta(minutes=30)
    assert parse_duration("12h") == timedelta(hours=12)
    assert parse_duration("1d") == timedelta(days=1)
    assert parse_duration("1h30m") == timedelta(minutes=90)
    for bad in ("", "12", "h", "5x", "-1h"):
        try:
            parse_duration(bad)
        except ValueError:
            continue
        raise AssertionError(bad)


def test_admin_check_notifies_each_subscriber_once(scored, fake):
    calls = []

    def check(engine, party_ids):
        calls.append(party_ids)
        return notifying_check(engine, party_ids)

    bot = RunningBot(scored, fake, check=check).start()
    try:
        fake.send_command(5001, "/subscribe snp")
        fake.send_command(5002, "/subscribe all")
        fake.send_command(5003, "/subscribe labour")
        for chat in (5001, 5002, 5003):
            fake.wait_for_messages(chat, 1)
        fake.send_command(ADMIN, "/check snp")
        started, finished = fake.wait_for_messages(ADMIN, 2, timeout=20)
        assert "Check started for snp" in started.plain
        assert "Check finished" in finished.plain
        assert calls == [("snp",)]
        for chat in (5001, 5002):
            notice = fake.wait_for_messages(chat, 2)[1]
            assert "Grade B → A, score 70.5 → 80" in notice.plain
        assert bot.settle() == 0  # every notification was sent, and only once
        assert len(fake.messages_to(5001)) == 2 and len(fake.messages_to(5002)) == 2
        assert len(fake.messages_to(5003)) == 1  # labour did not change: nothing
    finally:
        bot.stop()


def test_documents_failing_two_runs_in_a_row_alert_admins_once(scored, fake):
    def failing_check(engine, party_ids):
        with transaction(engine) as session:
            document = get_or_create_document(session, "labour", "https://labour.org.uk/privacy", "privacy_notice")
            record_fetch(session, document, run_id=None, http_status=503, error="503 Service Unavailable")

    bot = RunningBot(scored, fake, check=failing_check).start()
    try:
        service = bot.service
        bot.call(service.run_check(()))
        bot.settle()
        assert fake.messages_to(ADMIN) == []  # one failure: not yet
        bot.call(service.run_check(()))
        (alert,) = fake.wait_for_messages(ADMIN, 1)
        assert "labour: 1 document(s) failed two checks in a row" in alert.plain
        assert "https://labour.org.uk/privacy (failed: 503 Service Unavailable)" in alert.plain
        bot.call(service.run_check(()))  # a third failure is not news
        bot.settle()
        assert len(fake.messages_to(ADMIN)) == 1
    finally:
        bot.stop()


def test_lock_is_taken_by_exactly_one_of_many(engine):
    results = []
    barrier = threading.Barrier(8)

    def take(n):
        barrier.wait()
        results.append((n, acquire_lock(engine, "check", f"holder-{n}", timedelta(minutes=5))))

    threads = [threading.Thread(target=take, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [n for n, won in results if won]
    assert len(winners) == 1
    assert not acquire_lock(engine, "check", "late", timedelta(minutes=5))
    release_lock(engine, "check", f"holder-{winners[0]}")
    assert acquire_lock(engine, "check", "late", timedelta(seconds=-1))  # taken, already expired
    assert acquire_lock(engine, "check", "next", timedelta(minutes=5))  # so it can be taken over


def test_two_services_never_check_at_once(engine):
    running, overlaps, ran = [0], [], []
    turned_away = threading.Event()  # one service has answered; the check that runs waits for it

    def check_held_open(engine, party_ids):
        running[0] += 1
        overlaps.append(running[0])
        turned_away.wait(timeout=30)  # (were both let in, neither would be answered: both run)
        ran.append(1)
        running[0] -= 1

    async def main():
        async def check(service):
            summary = await service.run_check()
            turned_away.set()
            return summary

        first = Service(engine, check_held_open, holder="process-a")
        second = Service(engine, check_held_open, holder="process-b")
        return await asyncio.gather(check(first), check(second))

    summaries = asyncio.run(main())
    assert len(ran) == 1 and max(overlaps) == 1
    assert sum("Another check is running" in s for s in summaries) == 1
    with transaction(engine) as session:
        assert session.execute(text("SELECT count(*) FROM locks")).scalar() == 0  # released


def test_scheduled_checks_repeat_survive_failures_and_restarts(engine):
    from apscheduler.events import EVENT_JOB_SUBMITTED

    calls, scheduled = [], []  # scheduled: the run times the scheduler set for each check

    def flaky_check(engine, party_ids):
        calls.append(party_ids)
        if len(calls) == 1:
            raise RuntimeError("the crawl blew up")

    def submitted(event):
        if event.job_id == "check":
            scheduled.extend(event.scheduled_run_times)

    async def run_until(checks, every):
        """Serve until `checks` checks have run; the check job's next run time then."""
        service = Service(engine, flaky_check, every=every, drain_every=60)
        scheduler = service.start()
        scheduler.add_listener(submitted, EVENT_JOB_SUBMITTED)
        try:
            async def enough():
                while len(calls) < checks:
                    await asyncio.sleep(0.05)
            await asyncio.wait_for(enough(), timeout=60)
            return scheduler.get_job("check").next_run_time
        finally:
            service.stop()

    asyncio.run(run_until(2, timedelta(seconds=1.5)))
    assert len(calls) >= 2  # the failure was retried at the next interval
    # on schedule, one at a time: each check ran at the time after the one before
    assert [b - a for a, b in zip(scheduled, scheduled[1:])] == [timedelta(seconds=1.5)] * (len(scheduled) - 1)
    assert len(scheduled) >= 2

    first = asyncio.run(run_until(0, timedelta(hours=1)))  # --every changed: rescheduled
    second = asyncio.run(run_until(0, timedelta(hours=1)))  # restart: the stored time is kept
    assert first == second
    with transaction(engine) as session:
        assert session.execute(text("SELECT count(*) FROM apscheduler_jobs")).scalar() == 1

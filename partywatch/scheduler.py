"""The long-running side of partywatch: checks on a schedule, notifications out, bot up.

`serve()` runs, in one asyncio event loop:
- the Telegram bot (python-telegram-bot, long polling);
- an APScheduler 3 AsyncIOScheduler with two jobs:
  * "check" every --every (default 12h). It lives in the database (SQLAlchemyJobStore,
    table apscheduler_jobs), so a restart keeps the schedule; a run missed while the
    process was down runs once at start (coalesced), never twice at once (max_instances=1);
  * "drain" every few seconds: delivers the outbox (bot.outbox.OutboxDrainer).

At most one check runs at a time across every process sharing the database: a check
first takes the "check" lease in the locks table (history.locks.acquire_lock),
renews it while it runs and releases it after. A scheduled check that finds the lease
taken, or a check finished less than half an interval ago, is skipped. A check that
fails is logged and simply runs again at its next time. After each check, admins get
one alert per party whose documents failed two runs in a row.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import signal
import time
from datetime import timedelta, timezone
from typing import Any, Callable

from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from history.alerts import FailingDocument, documents_failing_twice
from history.db import transaction
from history.locks import acquire_lock, last_check_finished, release_lock, renew_lock
from history.models import utcnow
from history.outbox import queue_message

log = logging.getLogger("partywatch.scheduler")

CHECK_LOCK = "check"
CHECK_JOB = "check"
DRAIN_JOB = "drain"

CheckFunction = Callable[[Any, tuple[str, ...]], Any]  # (engine, party_ids) -> report

# The service of this process: the persisted job names a module-level function (a job
# store can only keep textual references), which finds the live service here.
_current: "Service | None" = None


async def scheduled_check() -> None:
    """The persisted "check" job."""
    if _current is None:
        log.warning("scheduled check fired with no running service; skipped")
        return
    await _current.run_check(forced=False)


def parse_duration(text: str) -> timedelta:
    """'30m', '12h', '1d', '90s' or '1h30m' as a timedelta."""
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
    text = text.strip().lower()
    total, number = 0.0, ""
    for char in text:
        if char.isdigit() or char == ".":
            number += char
        elif char in units and number:
            total += float(number) * units[char]
            number = ""
        else:
            raise ValueError(f"not a duration: {text!r} (use e.g. 30m, 12h, 1d)")
    if number or total <= 0:
        raise ValueError(f"not a duration: {text!r} (use e.g. 30m, 12h, 1d)")
    return timedelta(seconds=total)


def describe_report(report: Any) -> str:
    """A one-line summary of whatever the check function returned."""
    parties = getattr(report, "parties", None)
    if isinstance(parties, (list, tuple)):
        return f"{len(parties)} part{'y' if len(parties) == 1 else 'ies'} checked"
    return "done"


class Service:
    def __init__(self, engine, check: CheckFunction | None, *, every: timedelta = timedelta(hours=12),
                 drain_every: float = 2.0, drainer=None, admin_ids: frozenset[int] = frozenset(),
                 lock_ttl: timedelta = timedelta(minutes=10), holder: str | None = None):
        from bot.outbox import sender_name  # the same "host:pid:random" naming as outbox claims

        self.engine = engine
        self.check = check
        self.every = every
        self.drain_every = drain_every
        self.drainer = drainer
        self.admin_ids = admin_ids
        self.lock_ttl = lock_ttl
        self.holder = holder or sender_name()
        self.scheduler: AsyncIOScheduler | None = None
        self.checks_run = 0
        self._checks: set[asyncio.Task] = set()

    # --- checks --------------------------------------------------------------------------

    async def run_check(self, party_ids: tuple[str, ...] = (), *, forced: bool = True) -> str:
        """Run one check under the database lease; returns a summary line (never raises).

        The check runs in a task of its own: stopping the scheduler cannot cancel it half
        way (its crawl thread would run on without the lease); `wait_for_checks` awaits it.
        """
        task = asyncio.get_running_loop().create_task(self._run_check(party_ids, forced))
        self._checks.add(task)
        task.add_done_callback(self._checks.discard)
        return await asyncio.shield(task)

    async def forced_check(self, party_ids: tuple[str, ...]) -> str:
        """An admin's /check: runs even if the last check was recent."""
        return await self.run_check(party_ids, forced=True)

    async def wait_for_checks(self) -> None:
        if self._checks:
            log.info("waiting for the running check to finish")
            await asyncio.wait(list(self._checks))

    async def _run_check(self, party_ids: tuple[str, ...], forced: bool) -> str:
        if self.check is None:
            return "No check function configured."
        taken = await asyncio.to_thread(acquire_lock, self.engine, CHECK_LOCK, self.holder, self.lock_ttl)
        if not taken:
            log.info("another process is running a check; this one is skipped")
            return "Another check is running right now; try again when it is done."
        renewer = asyncio.create_task(self._renew_lease())
        started = time.monotonic()
        try:
            if not forced:
                finished = await asyncio.to_thread(last_check_finished, self.engine)
                if finished is not None and utcnow() - finished < self.every / 2:
                    log.info("a check finished at %s UTC, less than half an interval ago; skipped", finished)
                    return "A check ran recently; skipped."
            log.info("check started%s", f" for {', '.join(party_ids)}" if party_ids else "")
            try:
                report = await asyncio.to_thread(self.check, self.engine, tuple(party_ids))
            except Exception as error:
                log.error("check failed (it will run again at its next time): %s", error, exc_info=True)
                return f"Check failed: {error}"
            self.checks_run += 1
            summary = f"Check finished in {time.monotonic() - started:.0f} s: {describe_report(report)}."
            log.info(summary)
            alerts = await asyncio.to_thread(self.queue_failure_alerts)
            if alerts:
                log.info("queued %d admin alert(s) about failing documents", alerts)
            return summary
        finally:
            renewer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewer
            await asyncio.to_thread(release_lock, self.engine, CHECK_LOCK, self.holder)
            self.kick_drain()

    async def _renew_lease(self) -> None:
        while True:
            await asyncio.sleep(self.lock_ttl.total_seconds() / 3)
            if not await asyncio.to_thread(renew_lock, self.engine, CHECK_LOCK, self.holder, self.lock_ttl):
                log.error("lost the check lease (the database was unreachable for too long?)")

    def queue_failure_alerts(self) -> int:
        """One message per admin per party whose documents failed two runs in a row.

        The key names the failed fetches, so the same failure is reported once, and a
        document that keeps failing is not reported again every run.
        """
        if not self.admin_ids:
            return 0
        by_party: dict[str, list[FailingDocument]] = {}
        for document in documents_failing_twice(self.engine):
            if document.failures == 2:  # exactly two in a row: the first time it qualifies
                by_party.setdefault(document.party_id, []).append(document)
        queued = 0
        with transaction(self.engine) as session:
            for party_id, documents in by_party.items():
                fetches = "-".join(str(d.last_fetch_id) for d in documents)
                digest = hashlib.sha256(fetches.encode()).hexdigest()[:16]
                lines = [f"{party_id}: {len(documents)} document(s) failed two checks in a row:"]
                lines += [f"{d.url} ({d.status}: {d.error or 'no detail'})" for d in documents]
                for admin in sorted(self.admin_ids):
                    if queue_message(session, idempotency_key=f"admin:docfail:{party_id}:{digest}:chat:{admin}",
                                     chat_id=admin, payload={"type": "admin_alert", "text": "\n".join(lines)}):
                        queued += 1
        return queued

    # --- the outbox ----------------------------------------------------------------------

    async def drain(self) -> None:
        """The "drain" job: start delivering the outbox (in the drainer's own task)."""
        self.kick_drain()

    def kick_drain(self) -> None:
        """Deliver what a check just queued now rather than at the next drain tick."""
        if self.drainer is not None:
            self.drainer.kick()

    # --- the scheduler -------------------------------------------------------------------

    def start(self) -> AsyncIOScheduler:
        global _current
        _current = self
        store = SQLAlchemyJobStore(engine=self.engine, tablename="apscheduler_jobs")
        try:
            store.jobs_t.create(self.engine, checkfirst=True)
        except Exception:  # two processes starting at once: the other one created it
            log.debug("apscheduler_jobs created concurrently", exc_info=True)
        scheduler = AsyncIOScheduler(
            jobstores={"default": store, "memory": MemoryJobStore()},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
            timezone=timezone.utc,
        )
        scheduler.start(paused=True)
        trigger = IntervalTrigger(seconds=self.every.total_seconds(), timezone=timezone.utc)
        job = scheduler.get_job(CHECK_JOB)
        if job is None:
            scheduler.add_job("partywatch.scheduler:scheduled_check", trigger, id=CHECK_JOB,
                              name=f"check every {self.every}", replace_existing=True)
        elif getattr(job.trigger, "interval", None) != self.every:
            job.reschedule(trigger)  # --every changed since the job was stored
        scheduler.add_job(self.drain, IntervalTrigger(seconds=self.drain_every, timezone=timezone.utc),
                          id=DRAIN_JOB, jobstore="memory", replace_existing=True, next_run_time=_now())
        scheduler.resume()
        self.scheduler = scheduler
        job = scheduler.get_job(CHECK_JOB)
        log.info("next check at %s (every %s)", job.next_run_time, self.every)
        return scheduler

    def stop(self) -> None:
        global _current
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=False)  # a running check is left to finish in its thread
        if _current is self:
            _current = None


def _now():
    from datetime import datetime

    return datetime.now(timezone.utc)


async def serve(settings, bot_context, check: CheckFunction | None, *, every: timedelta,
                drain_every: float = 2.0, poll_timeout: float = 10.0,
                stop: asyncio.Event | None = None,
                ready: Callable[["Service"], None] | None = None) -> None:
    """Run the bot and the scheduler until SIGINT or SIGTERM (or until `stop` is set)."""
    from bot.app import build_application, publish_commands

    service = Service(bot_context.engine, check, every=every, drain_every=drain_every,
                      admin_ids=settings.admin_ids)
    application, drainer = build_application(settings, bot_context, run_check=service.forced_check)
    service.drainer = drainer  # the drainer sends through the application's bot

    if stop is None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)

    async with application:  # getMe: fails here on a wrong token or unreachable server
        try:
            await publish_commands(application)
        except Exception as error:  # a nicety; the bot works without it
            log.warning("could not publish the command list: %s", error)
        await application.start()
        await application.updater.start_polling(timeout=timedelta(seconds=poll_timeout), poll_interval=0.0,
                                                drop_pending_updates=False)
        service.start()
        log.info("serving as @%s; Ctrl-C to stop", application.bot.username)
        if ready:
            ready(service)
        await stop.wait()
        log.info("stopping: finishing the messages in flight")
        service.stop()
        await service.wait_for_checks()
        await drainer.stop()
        await application.updater.stop()
        await application.stop()
    log.info("stopped")

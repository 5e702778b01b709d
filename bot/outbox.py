"""Delivering the outbox: every queued notification sent once, and only once.

For each due message the drainer
1. waits for a sending slot (30/s overall, 1/s per chat) — *before* claiming, so a message
   is never held in 'sending' while it waits; the slot comes from the bot's own limiter,
   which command replies share (bot.limits);
2. claims it (queued → sending, atomically: another drainer cannot take it too);
3. calls sendMessage;
4. records the outcome:
   - accepted → sent (with Telegram's message id; the confirmations that come in while
     one is being written are written together, in one transaction);
   - 429 → back to queued after retry_after, and every send pauses that long;
   - 403 (the user blocked the bot) → failed, the subscriber marked inactive, the chat's
     other queued messages failed: it is not retried;
   - 400 (a message Telegram cannot take) → failed with Telegram's reason;
   - the request never reached Telegram (connection refused, connect timeout, pool
     timeout, a 5xx answer) → back to queued with exponential backoff;
   - the request may have reached Telegram but no answer came (read timeout, dropped
     connection) → failed as "delivery uncertain": re-sending could duplicate it.

A sender that dies between 2 and 4 leaves the row in 'sending'; after `stale_after` the
next drain marks it failed without re-sending (see history.outbox). So a message is
never delivered twice; the one in flight at a crash is the only one that can be missed,
and only if the crash came before its request reached Telegram.

The drainer's database work runs on one thread of its own, in order: claims and
confirmations from one process never queue for SQLite's write lock behind each other,
and the event loop, which paces the sends, never waits for the database.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import random
import socket
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import httpx
from telegram import LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, InvalidToken, NetworkError, RetryAfter, TelegramError

from bot.limits import SendLimiter, retry_after_seconds
from bot.render import render_notification
from history.models import utcnow
from history.outbox import (
    Claimed,
    claim_message,
    confirm_sent_many,
    due_messages,
    fail_message,
    requeue_message,
    resolve_stale,
)
from history.subscriptions import mark_inactive

log = logging.getLogger(__name__)

NOT_SENT_CAUSES = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout,
                   httpx.WriteError, httpx.WriteTimeout, httpx.UnsupportedProtocol)


def sender_name() -> str:
    """Who claims a row: host, process and a random part (pids are reused after restarts)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def never_reached_telegram(error: NetworkError) -> bool:
    """True when the request certainly was not processed, so sending again is safe."""
    cause = error.__cause__
    if cause is None:
        return True  # Telegram answered with an error status (5xx): the message was not taken
    return isinstance(cause, NOT_SENT_CAUSES)


class OutboxDrainer:
    def __init__(self, engine, bot, limiter: SendLimiter, *, concurrency: int = 8,
                 stale_after: timedelta = timedelta(minutes=5), max_attempts: int = 10,
                 backoff_base: float = 2.0, backoff_max: float = 300.0, sender: str | None = None):
        self.engine = engine
        self.bot = bot
        self.limiter = limiter
        self.concurrency = concurrency
        self.stale_after = stale_after
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.sender = sender or sender_name()
        self.sent = 0
        self._running = False
        self._stopping = False
        self._tasks: set[asyncio.Task] = set()
        self._drain_task: asyncio.Task | None = None
        self._database = ThreadPoolExecutor(max_workers=1, thread_name_prefix="outbox-db")
        self._confirmations: list[tuple[int, list[int], asyncio.Future]] = []
        self._confirming: asyncio.Task | None = None

    def kick(self) -> None:
        """Start a drain in the background unless one is running (the scheduler's job).

        The drain runs in a task of its own, so the scheduler shutting down cannot cancel
        a send between its claim and its confirmation; `stop` waits for it instead.
        """
        if self._stopping or (self._drain_task and not self._drain_task.done()):
            return
        self._drain_task = asyncio.get_running_loop().create_task(self.drain())

    async def drain(self) -> int:
        """Send everything that is due; returns how many were sent. A no-op while already draining."""
        if self._running or self._stopping:
            return 0
        self._running = True
        sent_before = self.sent
        try:
            stale = await self._db(resolve_stale, self.engine, self.stale_after)
            if stale:
                log.warning("%d message(s) were left mid-send by a stopped sender; marked failed, "
                            "not re-sent (Telegram may have delivered them)", stale)
            while not self._stopping:
                due = await self._db(due_messages, self.engine, 500)
                # One message per chat per round keeps each chat's messages in order and
                # stops one chat's 1/s limit from holding up everybody else.
                seen: set[int] = set()
                batch = [(mid, chat) for mid, chat in due if not (chat in seen or seen.add(chat))]
                if not batch:
                    break
                await self._send_batch(batch)
        except Exception:
            log.exception("draining the outbox failed; will try again at the next drain")
        finally:
            self._running = False
        count = self.sent - sent_before
        if count:
            log.info("delivered %d notification(s)", count)
        return count

    async def _send_batch(self, batch: list[tuple[int, int]]) -> None:
        slots = asyncio.Semaphore(self.concurrency)

        async def one(message_id: int, chat_id: int) -> None:
            try:
                await self._deliver(message_id, chat_id)
            except Exception:
                log.exception("delivering outbox message %d failed", message_id)
            finally:
                slots.release()

        for message_id, chat_id in batch:
            await slots.acquire()
            if self._stopping:
                slots.release()
                break
            task = asyncio.create_task(one(message_id, chat_id))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        if self._tasks:
            await asyncio.wait(list(self._tasks))  # unlike gather, never cancels them

    async def idle(self) -> None:
        """Return once no drain is running: the scheduler's may be mid-send."""
        while self._drain_task is not None and not self._drain_task.done():
            await asyncio.wait({self._drain_task})
        while self._running:
            await asyncio.sleep(0.01)

    async def stop(self, timeout: float = 20.0) -> None:
        """Finish the sends in flight (so their outcome is recorded), start no new one."""
        self._stopping = True
        pending = [t for t in [self._drain_task, *self._tasks] if t and not t.done()]
        if pending:
            _, pending = await asyncio.wait(pending, timeout=timeout)
        if not pending:
            self._database.shutdown(wait=False)  # idle now: its thread ends

    async def _deliver(self, message_id: int, chat_id: int) -> None:
        await self.limiter.acquire(chat_id)
        if self._stopping:
            return
        claimed = await self._db(claim_message, self.engine, message_id, self.sender)
        if claimed is None:
            return  # another sender took it
        try:
            text = render_notification(claimed.payload)
        except Exception as error:  # a malformed payload must not block the queue
            await self._fail(claimed, f"cannot render payload: {error!r}")
            return
        try:
            message = await self.bot.send_message(
                chat_id=claimed.chat_id, text=text, parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
                # The slot was taken above; a 429 re-queues the message (below).
                rate_limit_args={"retry": False, "slot_taken": True},
            )
        except RetryAfter as error:
            seconds = retry_after_seconds(error)
            self.limiter.pause(seconds)
            await self._requeue(claimed, f"429: retry after {seconds:g} s", seconds)
        except Forbidden as error:
            reason = f"403: {error.message}"
            await self._fail(claimed, reason)
            dropped = await self._db(mark_inactive, self.engine, claimed.chat_id, reason)
            log.info("chat %s blocked the bot (%s): marked inactive, %d queued message(s) dropped",
                     claimed.chat_id, error.message, dropped)
        except (BadRequest, ChatMigrated) as error:
            await self._fail(claimed, f"400: {error.message}")
            log.warning("Telegram refused outbox message %d for chat %s: %s", claimed.id,
                        claimed.chat_id, error.message)
        except InvalidToken as error:
            await self._requeue(claimed, "the bot token was rejected", self.backoff_max)
            log.error("Telegram rejected the bot token (%s); check TELEGRAM_BOT_TOKEN", type(error).__name__)
        except NetworkError as error:  # TimedOut is a NetworkError too
            if never_reached_telegram(error) and claimed.attempts < self.max_attempts:
                delay = min(self.backoff_max, self.backoff_base ** claimed.attempts) * (0.75 + random.random() / 2)
                await self._requeue(claimed, f"network: {error.message}", delay)
                log.info("sending outbox message %d failed (%s); retrying in %.0f s", claimed.id,
                         error.message, delay)
            else:
                why = ("delivery uncertain (no answer from Telegram; not re-sent to avoid a duplicate)"
                       if not never_reached_telegram(error) else "gave up after repeated network errors")
                await self._fail(claimed, f"{why}: {error.message}")
                log.warning("outbox message %d for chat %s: %s", claimed.id, claimed.chat_id, why)
        except TelegramError as error:
            await self._fail(claimed, f"telegram: {error.message}")
        else:
            await self._confirm_sent(claimed.id, [message.message_id])
            self.sent += 1

    async def _db(self, function, *args):
        """Run a database call on the drainer's database thread."""
        return await asyncio.get_running_loop().run_in_executor(
            self._database, functools.partial(function, *args))

    async def _confirm_sent(self, message_id: int, telegram_message_ids: list[int]) -> None:
        """Record a message as sent; returns once that is committed.

        Confirmations arriving while a batch is being written wait and go in the next
        one: one transaction for several messages when the database is the slower side,
        no waiting at all when it is not.
        """
        done = asyncio.get_running_loop().create_future()
        self._confirmations.append((message_id, telegram_message_ids, done))
        if self._confirming is None or self._confirming.done():
            self._confirming = asyncio.create_task(self._write_confirmations())
        await done

    async def _write_confirmations(self) -> None:
        while self._confirmations:
            batch, self._confirmations = self._confirmations, []
            try:
                await self._db(confirm_sent_many, self.engine, self.sender,
                               [(message_id, ids) for message_id, ids, _ in batch])
            except Exception as error:  # each sender logs it for its own message
                for *_, done in batch:
                    done.set_exception(error)
            else:
                for *_, done in batch:
                    done.set_result(None)

    async def _requeue(self, claimed: Claimed, error: str, seconds: float) -> None:
        not_before = utcnow() + timedelta(seconds=seconds)
        await self._db(requeue_message, self.engine, claimed.id, self.sender, error, not_before)

    async def _fail(self, claimed: Claimed, error: str) -> None:
        await self._db(fail_message, self.engine, claimed.id, self.sender, error)

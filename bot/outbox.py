"""Delivering the outbox: every queued notification sent once, and only once.

For each due message the drainer
1. waits for a sending slot (30/s overall, 1/s per chat) — *before* claiming, so a message
   is never held in 'sending' while it waits;
2. claims it (queued → sending, atomically: another drainer cannot take it too);
3. calls sendMessage;
4. records the outcome:
   - accepted → sent (with Telegram's message id);
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
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import socket
import uuid
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
    confirm_sent,
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
        # Paces claims at the sending rate, so a claimed message goes out at once.
        self.pace = SendLimiter(overall_per_second=limiter.overall, chat_interval=limiter.chat_interval,
                                window=limiter.window)
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
            stale = await asyncio.to_thread(resolve_stale, self.engine, self.stale_after)
            if stale:
                log.warning("%d message(s) were left mid-send by a stopped sender; marked failed, "
                            "not re-sent (Telegram may have delivered them)", stale)
            while not self._stopping:
                due = await asyncio.to_thread(due_messages, self.engine, 500)
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
            await asyncio.wait(pending, timeout=timeout)

    async def _deliver(self, message_id: int, chat_id: int) -> None:
        await self.pace.acquire(chat_id)
        if self._stopping:
            return
        claimed = await asyncio.to_thread(claim_message, self.engine, message_id, self.sender)
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
                rate_limit_args={"retry": False},  # a 429 re-queues it (below)
            )
        except RetryAfter as error:
            seconds = retry_after_seconds(error)
            self.limiter.pause(seconds)
            self.pace.pause(seconds)
            await self._requeue(claimed, f"429: retry after {seconds:g} s", seconds)
        except Forbidden as error:
            reason = f"403: {error.message}"
            await self._fail(claimed, reason)
            dropped = await asyncio.to_thread(mark_inactive, self.engine, claimed.chat_id, reason)
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
            await asyncio.to_thread(confirm_sent, self.engine, claimed.id, self.sender, [message.message_id])
            self.sent += 1

    async def _requeue(self, claimed: Claimed, error: str, seconds: float) -> None:
        not_before = utcnow() + timedelta(seconds=seconds)
        await asyncio.to_thread(requeue_message, self.engine, claimed.id, self.sender, error, not_before)

    async def _fail(self, claimed: Claimed, error: str) -> None:
        await asyncio.to_thread(fail_message, self.engine, claimed.id, self.sender, error)

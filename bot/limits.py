"""Telegram's sending limits, kept on our side: 30 messages a second overall, 1 a second per chat.

python-telegram-bot's AIORateLimiter does not limit private chats per chat, and its
leaky bucket lets a burst of 30 follow a full second of 30; this limiter spaces sends
evenly (one every `window`/30 s, `window` a little over a second) on a schedule of absolute
deadlines, and keeps a sliding window, so no `window` holds more than 30. A 429 pauses
every send for its retry_after.

Deadlines rather than sleep-after-send: a sender that comes a little late for its slot
(the event loop was busy, a database write took longer) goes at once and the next slot
is still one spacing after the missed one, so such delays do not add up and the rate
stays at the limit instead of the limit minus every delay. Only a few slots can be
caught up that way (`catch_up`): after a quiet spell the schedule starts again from now,
it never releases a burst.

`SendLimiter` is also a python-telegram-bot rate limiter (BaseRateLimiter): every
sendMessage/sendPhoto, replies and broadcasts alike, takes a slot from it right before
its HTTP request, so the limits hold for what actually goes out. Replies are retried
after a 429; a caller that handles 429 itself passes rate_limit_args={"retry": False}.
The outbox takes its slot itself, *before* claiming a message (so a message is not held
in 'sending' while it waits), and passes rate_limit_args={"slot_taken": True}: one
schedule for replies and broadcasts, and a message is not made to wait twice.
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections import deque
from datetime import timedelta
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)
# PTB reads RetryAfter.retry_after itself when it builds the error, warning each time that
# the attribute will become a timedelta; we already handle both types.
warnings.filterwarnings("ignore", message=r".*`retry_after` will be of type", category=DeprecationWarning)


def _now() -> float:
    """The event loop's clock: the one asyncio.sleep waits on, so the limiter's sums and its
    sleeps agree (time.monotonic on a real loop; a test's loop may keep virtual time)."""
    return asyncio.get_running_loop().time()


def retry_after_seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB warns that the attribute will become a timedelta
        warnings.simplefilter("ignore")
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class SendLimiter(BaseRateLimiter[dict]):
    def __init__(self, overall_per_second: int = 30, chat_interval: float = 1.05,
                 window: float = 1.04, max_retries: int = 3, catch_up: int = 4):
        self.overall = overall_per_second
        self.chat_interval = chat_interval
        # A little over a second: requests reach Telegram with some jitter. 1.035 s sends
        # 29 a second; 31 evenly spaced sends span 1.035 s, so requests have to arrive
        # 35 ms closer together than they left for Telegram to count 31 in one second.
        self.window = window
        self.max_retries = max_retries
        # Evenly spaced rather than in bursts: a burst of 30 is what Telegram punishes,
        # and spacing leaves room for jitter on the way to Telegram.
        self.spacing = window / overall_per_second
        self.catch_up = catch_up * self.spacing  # how far behind schedule a slot may be given
        self._sent: deque[float] = deque()
        self._chat_next: dict[int, float] = {}
        self._paused_until = 0.0
        self._next_slot = 0.0
        self._actual: deque[float] = deque(maxlen=overall_per_second)
        self._chat_actual: dict[int, float] = {}

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    def pause(self, seconds: float) -> None:
        """Stop every send for `seconds` (Telegram answered 429)."""
        self._paused_until = max(self._paused_until, _now() + seconds)
        self._next_slot = max(self._next_slot, self._paused_until)

    async def acquire(self, chat_id: int | None) -> None:
        """Wait until one more message may go to `chat_id`, and reserve that slot.

        Slots are reserved on a schedule (each one `spacing` after the last) rather than
        taken when a sleeper wakes, so the event loop's wake-up delays do not add up and
        the rate stays at the limit; a caller up to `catch_up` late gets the slot it
        missed (it goes at once, the sliding window still applies).
        """
        while True:
            now = _now()
            # The chat's own limit first: a chat waiting for its second must not hold a
            # place in the overall schedule meanwhile.
            wait = self._chat_next.get(chat_id, 0.0) - now if chat_id is not None else 0.0
            if wait > 0:
                await asyncio.sleep(wait)
                continue
            # From here to the reservation there is no await: no other task can interleave.
            # A slot missed by a little is still given (the sender goes at once); after a
            # quiet spell the schedule restarts from now rather than releasing a burst.
            slot = self._next_slot if self._next_slot >= now - self.catch_up else now
            slot = max(slot, self._paused_until)
            if len(self._sent) >= self.overall:
                slot = max(slot, self._sent[-self.overall] + self.window)
            self._next_slot = slot + self.spacing
            self._sent.append(max(slot, now))  # when it really goes: what the window counts
            while len(self._sent) > self.overall:
                self._sent.popleft()
            if chat_id is not None:
                self._chat_next[chat_id] = max(slot, now) + self.chat_interval
                if len(self._chat_next) > 20_000:
                    self._forget(now)
            if slot > now:
                await asyncio.sleep(slot - now)
            if self._paused_until > _now():
                continue  # a 429 arrived while we waited for our slot: take a new one after it
            return

    async def _gate(self, chat_id: int | None) -> None:
        """Check the limits against the times messages really leave, and record this one.

        Called right before each request, after its slot: the schedule alone is not
        enough. If the event loop stalls, every slot that fell due meanwhile wakes at
        once and would leave as a burst; and the outbox claims a message between its
        slot and its request, which takes longer for some messages than for others.
        """
        while True:
            now = _now()
            wait = 0.0
            if len(self._actual) >= self.overall:
                wait = self._actual[0] + self.window - now
            if chat_id is not None:
                wait = max(wait, self._chat_actual.get(chat_id, -1e9) + self.chat_interval - now)
            if wait <= 0:
                break
            await asyncio.sleep(wait)
        self._actual.append(now)  # a deque of the last `overall` departures
        if chat_id is not None:
            self._chat_actual[chat_id] = now
            if len(self._chat_actual) > 20_000:
                for old in [c for c, t in self._chat_actual.items() if t < now - 2]:
                    del self._chat_actual[old]

    def _forget(self, now: float) -> None:
        for chat_id in [c for c, t in self._chat_next.items() if t < now]:
            del self._chat_next[chat_id]

    async def process_request(self, callback, args, kwargs, endpoint: str, data: dict[str, Any],
                              rate_limit_args: dict | None):
        if not endpoint.startswith(("send", "edit", "copy", "forward")):
            return await callback(*args, **kwargs)  # getMe, answerCallbackQuery: not messages
        chat_id = data.get("chat_id")
        try:
            chat_id = int(chat_id) if chat_id is not None else None
        except (TypeError, ValueError):
            chat_id = None  # a @channel username: the overall limit still applies
        retry = not (rate_limit_args and rate_limit_args.get("retry") is False)
        retries = self.max_retries if retry else 0
        slot_taken = bool(rate_limit_args and rate_limit_args.get("slot_taken"))
        for attempt in range(retries + 1):
            if not (slot_taken and attempt == 0):  # the caller acquired its slot already
                await self.acquire(chat_id)
            await self._gate(chat_id)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                seconds = retry_after_seconds(error)
                self.pause(seconds)
                if attempt >= retries:
                    raise
                log.info("Telegram asked to slow down: waiting %.1f s before retrying %s", seconds, endpoint)
        raise AssertionError("unreachable")

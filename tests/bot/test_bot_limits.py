"""Telegram's sending limits as bot.limits.SendLimiter keeps them, on a virtual clock.

The limiter reads the event loop's clock and sleeps on it; here the loop's clock jumps to
the next timer instead of waiting, so a schedule of many seconds is checked exactly and at
once, and a busy machine cannot blur it. (test_bot_outbox.py sends through the real bot.)
"""

from __future__ import annotations

import asyncio
import selectors

from bot.limits import SendLimiter


class VirtualClockLoop(asyncio.SelectorEventLoop):
    """An event loop whose time passes only when every task waits for a timer."""

    def __init__(self):
        loop = self
        self.now = 0.0

        class Selector(selectors.DefaultSelector):
            def select(self, timeout=None):
                if timeout:
                    loop.now += timeout  # nothing to do until the next timer: go there
                return super().select(0)

        super().__init__(Selector())

    def time(self) -> float:
        return self.now


def run_virtual(coroutine):
    loop = VirtualClockLoop()
    try:
        return loop.run_until_complete(coroutine)
    finally:
        loop.close()


def most_in_window(times: list[float], window: float = 1.0) -> int:
    """The most departures within any `window` seconds."""
    times, best, start = sorted(times), 0, 0
    for end, t in enumerate(times):
        while t - times[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


async def departures(limiter: SendLimiter, chats: list[int]) -> dict[int, list[float]]:
    """Send to `chats` all at once (one task each, as the outbox does): when each one left."""
    loop = asyncio.get_running_loop()
    left: dict[int, list[float]] = {}

    async def send(chat_id: int) -> None:
        await limiter.acquire(chat_id)
        left.setdefault(chat_id, []).append(loop.time())

    await asyncio.gather(*(send(chat) for chat in chats))
    return left


def test_one_per_second_per_chat_thirty_overall_and_no_slower():
    chats = [2100] * 4 + list(range(3000, 3070))
    left = run_virtual(departures(SendLimiter(), chats))
    assert len(left[2100]) == 4 and sum(map(len, left.values())) == 74
    assert most_in_window(left[2100]) == 1
    everything = [t for times in left.values() for t in times]
    assert most_in_window(everything) <= 30
    # and no slower than the limits: each chat's first message took the next of 71 evenly
    # spaced slots (at most 1.1 s / 30 apart); once those had gone, the chat's others left 1.05 s apart
    assert max(times[0] for times in left.values()) <= 71 * 1.1 / 30
    assert [round(b - a, 2) for a, b in zip(left[2100], left[2100][1:])][1:] == [1.05, 1.05]


def test_a_429_pauses_every_send_for_its_retry_after():
    async def paused_midway():
        limiter = SendLimiter()
        await limiter.acquire(1)
        paused_at = asyncio.get_running_loop().time()
        limiter.pause(5)
        return paused_at, await departures(limiter, [2, 3, 1])

    paused_at, left = run_virtual(paused_midway())
    assert all(t >= paused_at + 5 for times in left.values() for t in times)

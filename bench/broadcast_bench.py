"""Broadcast benchmark: one change notification to each of N subscribers.

Starts the fake Telegram Bot API (tests/helpers/fake_telegram.py) on 127.0.0.1, fills a fresh
database with N subscribers and one queued notification each, runs the real
`partywatch serve` against it as a separate process, and measures how the outbox drains:

    /work/venv/bin/python bench/broadcast_bench.py                 # 10,000 subscribers, SQLite
    /work/venv/bin/python bench/broadcast_bench.py -n 500 --db postgresql+psycopg://...

Prints messages per second (overall, and the slowest 10-second window), the most
messages seen in any one second (Telegram allows 30), duplicates, lost messages and the
serve process's peak RSS and CPU time.

"Most in any second" counts arrivals at the fake server (the time each request reached
it). With --flood-limit the fake server also holds the sender to Telegram's limit as
Telegram does: a message arriving when 30 were accepted in the second before it is refused
with a 429 (retry after 1 s), so going over the limit costs throughput, as it would on
Telegram. On a busy machine requests reach the server with some scheduling jitter, and
that jitter alone can push 31 into one second.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))  # the tests' helpers package

from sqlalchemy import insert  # noqa: E402

from helpers.fake_telegram import FakeTelegram  # noqa: E402
from history.db import open_database, transaction  # noqa: E402
from history.models import OutboxMessageRow, PartyRow, SubscriberRow, SubscriptionRow  # noqa: E402

PAYLOAD = {"type": "scorecard_change", "run_id": None, "parties": [{
    "party": "snp", "name": "Scottish National Party", "scorecard_id": 1,
    "old": {"overall": 61.0, "grade": "C"}, "new": {"overall": 70.5, "grade": "B"},
    "steps": [{"id": "retention", "title": "How long data is kept", "old": 25.0, "new": 75.0}],
    "elements": [{"step": "retention", "element": "periods", "old": "none", "new": "full"}],
    "documents": [{"url": "https://www.snp.org/privacy-notice/", "change": "changed",
                   "summary": "Retention periods & deletion <policy> added"}]}]}


def fill(url: str, count: int, first_chat: int = 100_000) -> None:
    engine = open_database(url)
    with transaction(engine) as session:
        session.add(PartyRow(id="snp", name="Scottish National Party", jurisdiction="GB-SCT",
                          homepage="https://www.snp.org/"))
        chats = range(first_chat, first_chat + count)
        session.execute(insert(SubscriberRow), [{"chat_id": c, "active": True} for c in chats])
        session.execute(insert(SubscriptionRow), [{"chat_id": c, "party_id": "snp"} for c in chats])
        session.execute(insert(OutboxMessageRow), [
            {"idempotency_key": f"bench:chat:{c}", "chat_id": c, "payload": PAYLOAD, "state": "queued",
             "attempts": 0} for c in chats])
    engine.dispose()


def rss_kib(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a running process has used so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--subscribers", type=int, default=10_000)
    parser.add_argument("--db", help="database URL (default: a fresh SQLite file)")
    parser.add_argument("--stall", type=float, default=60.0, help="give up after this long without progress")
    parser.add_argument("--flood-limit", action="store_true",
                        help="answer 429 (retry after 1 s) to a message over 30 in one second, as Telegram does")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="pw-bench-"))
    url = args.db or f"sqlite:///{workdir / 'bench.db'}"
    started = time.time()
    fill(url, args.subscribers)
    print(f"database: {url.split('@')[-1]}  ({args.subscribers} subscribers, one queued message each, "
          f"filled in {time.time() - started:.1f} s)", flush=True)

    fake = FakeTelegram(record_calls=False, flood_limit=30 if args.flood_limit else None).start()
    env = dict(os.environ, TELEGRAM_BOT_TOKEN=fake.token, TELEGRAM_API_BASE_URL=fake.base_url,
               PARTYWATCH_LOG_LEVEL="WARNING")
    serve = subprocess.Popen(
        [sys.executable, "-m", "partywatch.cli", "serve", "--db", url, "--every", "30d",
         "--parties", str(ROOT / "parties.yaml"), "--drain-every", "1", "--poll-timeout", "5"],
        env=env, stderr=open(workdir / "serve.log", "w"), cwd=workdir)
    peak_rss, last_count, last_change, t0 = 0, 0, time.monotonic(), time.monotonic()
    try:
        while True:
            time.sleep(2)
            peak_rss = max(peak_rss, rss_kib(serve.pid, "VmRSS"))
            count = len(fake.messages)
            if count != last_count:
                last_count, last_change = count, time.monotonic()
                if int(time.monotonic() - t0) % 20 < 2:
                    print(f"  {count:>6} delivered after {time.monotonic() - t0:5.0f} s", flush=True)
            if count >= args.subscribers or time.monotonic() - last_change > args.stall:
                time.sleep(3)  # anything late (a duplicate) would show up now
                break
            if serve.poll() is not None:
                print("serve exited early; see", workdir / "serve.log")
                break
        peak_rss = max(peak_rss, rss_kib(serve.pid, "VmHWM"))
        cpu = cpu_seconds(serve.pid)
    finally:
        serve.send_signal(signal.SIGTERM)
        try:
            serve.wait(30)
        except subprocess.TimeoutExpired:
            serve.kill()
        fake.stop()

    times = sorted(m.time for m in fake.messages)
    per_chat = Counter(m.chat_id for m in fake.messages)
    duplicates = sum(n - 1 for n in per_chat.values() if n > 1)
    lost = args.subscribers - len(per_chat)
    span = times[-1] - times[0] if len(times) > 1 else 0.0
    windows = []
    if span >= 20:
        start = times[0]
        while start + 10 <= times[-1]:
            windows.append(sum(1 for t in times if start <= t < start + 10) / 10)
            start += 10
    print()
    print(f"messages delivered   {len(times)} to {len(per_chat)} chats in {span:.1f} s")
    print(f"throughput           {len(times) / span if span else 0:.2f} msg/s overall"
          + (f", {min(windows):.2f} msg/s in the slowest full 10-s window" if windows else ""))
    print(f"most in any second   {fake.max_in_window(1.0)} (Telegram's limit: 30)")
    if fake.flood_limit:
        print(f"refused with 429     {fake.flood_refusals} (over {fake.flood_limit} in one second)")
    print(f"duplicates           {duplicates}")
    print(f"lost                 {lost}")
    print(f"peak RSS (serve)     {peak_rss / 1024:.1f} MiB")
    print(f"CPU time (serve)     {cpu:.1f} s ({cpu / max(len(times), 1) * 1000:.1f} ms per message, "
          f"start-up included); load average {os.getloadavg()[0]:.1f}")
    print(f"serve log            {workdir / 'serve.log'}")


if __name__ == "__main__":
    main()

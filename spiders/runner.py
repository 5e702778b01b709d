"""Start a crawl in a subprocess and follow its progress (the parent's side).

Why a subprocess: Twisted's reactor cannot be restarted in a process, so a long-running
`partywatch serve` could not run a second in-process crawl without scrapy's experimental
reactorless mode; a child process also gives a hard timeout (kill it) and returns all of a
crawl's memory when it ends. The cost is the interpreter and scrapy start-up, measured by
bench/crawl_bench.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Callable, Mapping, Sequence

DEFAULT_CRAWL_TIMEOUT = 30 * 60


@dataclass
class CrawlResult:
    returncode: int | None
    events: list[dict] = field(default_factory=list)
    timed_out: bool = False
    elapsed: float = 0.0
    stderr_tail: str = ""
    peak_rss_kb: int | None = None
    cpu_seconds: float | None = None  # user + system CPU time of the crawl process

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out


DB_URL_ENV = "PARTYWATCH_CRAWL_DB_URL"


def _has_password(db_url: str) -> bool:
    from sqlalchemy.engine import make_url

    try:
        return bool(make_url(db_url).password)
    except Exception:
        return False


def crawl_command(db_url: str, run_id: int | None, *, delay: float | None = None,
                  maxsize: int | None = None, timeout: float | None = None) -> list[str]:
    """The child's command line. A database URL with a password is passed in the
    environment instead (PARTYWATCH_CRAWL_DB_URL), so it does not show in `ps`."""
    command = [sys.executable, "-m", "spiders.crawl"]
    if not _has_password(db_url):
        command += ["--db", db_url]
    if run_id is not None:
        command += ["--run-id", str(run_id)]
    for flag, value in (("--delay", delay), ("--maxsize", maxsize), ("--timeout", timeout)):
        if value is not None:
            command += [flag, str(value)]
    return command


def _send_parties(process: subprocess.Popen, parties: Sequence[Mapping]) -> None:
    try:
        process.stdin.write(json.dumps({"parties": list(parties)}))
        process.stdin.close()
    except (BrokenPipeError, OSError):
        pass  # the child died (or was killed) first: its exit status and stderr say why


def run_crawl(db_url: str, parties: Sequence[Mapping], run_id: int | None, *,
              on_event: Callable[[dict], None] | None = None,
              crawl_timeout: float | None = DEFAULT_CRAWL_TIMEOUT, **options) -> CrawlResult:
    """Run `python -m spiders.crawl` on `parties` and wait for it; call on_event for each
    progress line.

    `parties` are the crawl's view of validated parties.yaml entries (partywatch.parties
    .PartyEntry.crawl_spec()): the child reads them as JSON on its stdin and never reads
    parties.yaml itself, so it crawls exactly what was validated, even if the file changes.
    The database must be at the latest schema already (history.open_database does that).
    The crawl is killed after `crawl_timeout` seconds (what it stored until then stays).
    """
    env = dict(os.environ)
    # The child must import this checkout's packages even when started from elsewhere.
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env[DB_URL_ENV] = db_url
    started = time.monotonic()
    process = subprocess.Popen(
        crawl_command(db_url, run_id, **options),
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True,
        bufsize=1,
    )
    result = CrawlResult(returncode=None)
    stderr_lines: deque[str] = deque(maxlen=40)
    reader = threading.Thread(target=lambda: stderr_lines.extend(process.stderr), daemon=True)
    reader.start()
    # Written from a thread: a long parties list fills the pipe until the child, once its
    # imports are done, reads it, and the timeout below must run meanwhile.
    threading.Thread(target=_send_parties, args=(process, parties), daemon=True).start()

    def kill():
        result.timed_out = True
        process.kill()

    timer = threading.Timer(crawl_timeout, kill) if crawl_timeout else None
    if timer:
        timer.daemon = True
        timer.start()
    try:
        for line in process.stdout:
            try:
                event = json.loads(line)
            except ValueError:
                continue  # a stray print from a library: not ours
            result.events.append(event)
            if on_event is not None:
                on_event(event)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        result.peak_rss_kb = usage.ru_maxrss
        result.cpu_seconds = usage.ru_utime + usage.ru_stime
    finally:
        if timer:
            timer.cancel()
        if process.poll() is None:
            process.kill()
            process.wait()
    reader.join(timeout=5)
    result.returncode = process.returncode
    result.elapsed = time.monotonic() - started
    result.stderr_tail = "".join(stderr_lines)
    return result

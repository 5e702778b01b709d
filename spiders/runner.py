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


def crawl_command(*, delay: float | None = None, maxsize: int | None = None,
                  timeout: float | None = None) -> list[str]:
    """The child's command line. The database URL goes in the environment
    (PARTYWATCH_CRAWL_DB_URL), so a password in it never shows in `ps`."""
    command = [sys.executable, "-m", "spiders.crawl"]
    for flag, value in (("--delay", delay), ("--maxsize", maxsize), ("--timeout", timeout)):
        if value is not None:
            command += [flag, str(value)]
    return command


def _send_work(process: subprocess.Popen, parties: Sequence[Mapping], run_id: int | None) -> None:
    try:
        process.stdin.write(json.dumps({"parties": list(parties), "run_id": run_id}))
        process.stdin.close()
    except (BrokenPipeError, OSError):
        pass  # the child died (or was killed) first: its exit status and stderr say why


class CrawlProcess:
    """A crawl child, started before it is given its work.

    The child spends about a second importing scrapy, Twisted and SQLAlchemy before it can
    fetch anything; started first thing, it does that while this process validates
    parties.yaml and opens the database, on the other core. It then waits on its stdin
    for the parties (see spiders.crawl) and touches the database only once it has them, so
    the database must be at the latest schema by the time `run` is called
    (history.open_database does that). Used as a context manager, a child never given its
    work is stopped on exit; if this process dies, the child reads end-of-file and exits.
    """

    def __init__(self, db_url: str, **options):
        env = dict(os.environ)
        # The child must import this checkout's packages even when started from elsewhere.
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        env[DB_URL_ENV] = db_url
        self.started = time.monotonic()
        self.process = subprocess.Popen(
            crawl_command(**options),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True,
            bufsize=1,
        )
        self.used = False

    def __enter__(self) -> CrawlProcess:
        return self

    def __exit__(self, *exc) -> None:
        if not self.used:
            self.stop()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()

    def run(self, parties: Sequence[Mapping], run_id: int | None, *,
            on_event: Callable[[dict], None] | None = None,
            crawl_timeout: float | None = DEFAULT_CRAWL_TIMEOUT) -> CrawlResult:
        """Crawl `parties` and wait for the child to finish; call on_event for each
        progress line. The crawl is killed after `crawl_timeout` seconds (what it stored
        until then stays).

        `parties` are the crawl's view of validated parties.yaml entries (partywatch.parties
        .PartyEntry.crawl_spec()): the child reads them as JSON on its stdin and never reads
        parties.yaml itself, so it crawls exactly what was validated, even if the file changes.
        """
        if self.used:
            raise RuntimeError("a CrawlProcess runs one crawl")
        self.used = True
        process = self.process
        result = CrawlResult(returncode=None)
        stderr_lines: deque[str] = deque(maxlen=40)
        reader = threading.Thread(target=lambda: stderr_lines.extend(process.stderr), daemon=True)
        reader.start()
        # Written from a thread: a long parties list fills the pipe until the child, once its
        # imports are done, reads it, and the timeout below must run meanwhile.
        threading.Thread(target=_send_work, args=(process, parties, run_id), daemon=True).start()

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
        result.elapsed = time.monotonic() - self.started
        result.stderr_tail = "".join(stderr_lines)
        return result


def run_crawl(db_url: str, parties: Sequence[Mapping], run_id: int | None, *,
              on_event: Callable[[dict], None] | None = None,
              crawl_timeout: float | None = DEFAULT_CRAWL_TIMEOUT, **options) -> CrawlResult:
    """Start a crawl child (`python -m spiders.crawl`), crawl `parties` and wait for it
    (see CrawlProcess.run). `options` (delay, maxsize, timeout) override the crawl settings."""
    return CrawlProcess(db_url, **options).run(parties, run_id, on_event=on_event,
                                               crawl_timeout=crawl_timeout)

"""Start a crawl in a subprocess, follow its progress and store what it fetches (the parent's side).

Why a subprocess: Twisted's reactor cannot be restarted in a process, so a long-running
`partywatch serve` could not run a second in-process crawl without scrapy's experimental
reactorless mode; a child process also gives a hard timeout (kill it) and returns all of a
crawl's memory when it ends. The cost is the interpreter and scrapy start-up, measured by
bench/crawl_bench.py.

Who writes the history: this process. The crawl process never opens the database (it
would load SQLAlchemy and the history's models, ~22 MB and ~0.3 s of its start-up): it is
sent what it needs from the history with its work, and hands every fetch back on its
stdout (spiders.progress); this process stores each one (spiders.pipelines) and then
reports it. A thread here reads the crawl's stdout as fast as it comes, while the thread
that called `run` stores what was read, in groups; what waits between the two is bounded
(MAX_BACKLOG_BYTES), so a slow database holds the crawl back, as a slow pipeline does,
rather than piling pages up in memory. A crawl that is killed (timed out) or crashes keeps
every fetch that reached this process.
"""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Iterator, Mapping, Sequence

from spiders.progress import read_messages, received_fetch

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from spiders.pipelines import HistoryPipeline

log = logging.getLogger(__name__)

DEFAULT_CRAWL_TIMEOUT = 30 * 60
# Fetches read from the crawl but not yet stored, in bytes of body: past this the reading
# waits (and the crawl process, once the pipe is full, with it).
MAX_BACKLOG_BYTES = 8 * 1024 * 1024
# Once a fetch waits to be stored, the fetches that arrive this soon after it join its group
# (one transaction; spiders.pipelines): a fetch is reported that much later at most, and
# the groups of a crawl that arrives a page at a time are a few pages, not one or two.
GROUP_WAIT = 0.05


@dataclass
class CrawlResult:
    returncode: int | None
    events: list[dict] = field(default_factory=list)
    timed_out: bool = False
    elapsed: float = 0.0
    stderr_tail: str = ""
    peak_rss_kb: int | None = None
    cpu_seconds: float | None = None  # user + system CPU time of the crawl process
    # CPU time this process spent on the crawl: reading its messages, storing its fetches
    # and the caller's on_event (the threads' own time, so not what else runs meanwhile).
    parent_cpu_seconds: float = 0.0
    store_errors: list[str] = field(default_factory=list)  # fetches that could not be stored
    backlog_peak_bytes: int = 0  # the most body bytes read from the crawl and waiting to be stored

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out


def crawl_command(*, delay: float | None = None, maxsize: int | None = None,
                  timeout: float | None = None) -> list[str]:
    """The child's command line."""
    command = [sys.executable, "-m", "spiders.crawl"]
    for flag, value in (("--delay", delay), ("--maxsize", maxsize), ("--timeout", timeout)):
        if value is not None:
            command += [flag, str(value)]
    return command


def _send_work(process: subprocess.Popen, work: dict) -> None:
    try:
        process.stdin.write(json.dumps(work).encode())
        process.stdin.close()
    except (BrokenPipeError, OSError):
        pass  # the child died (or was killed) first: its exit status and stderr say why


class _Backlog:
    """Messages read from the crawl, waiting to be stored: filled by the reading thread,
    emptied by the storing one. The reader waits while the bodies waiting pass `max_bytes`."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.messages: deque[tuple[dict, bytes | None]] = deque()
        self.size = 0
        self.peak = 0
        self.ended = False
        self.cpu_seconds = 0.0  # the reading thread's
        self.changed = threading.Condition()

    def fill(self, messages: Iterator[tuple[dict, bytes | None]]) -> None:
        started = time.thread_time()
        try:
            for message, body in messages:
                with self.changed:
                    while self.size > self.max_bytes and not self.ended:
                        self.changed.wait()
                    if self.ended:
                        return  # the storing side gave up
                    self.messages.append((message, body))
                    self.size += len(body or b"")
                    self.peak = max(self.peak, self.size)
                    self.changed.notify_all()
        except (OSError, ValueError):
            pass  # the stream was closed under us: the crawl is being stopped
        finally:
            self.cpu_seconds = time.thread_time() - started
            self.end()

    def end(self) -> None:
        with self.changed:
            self.ended = True
            self.changed.notify_all()

    def take(self, max_items: int, gather: float = 0.0) -> list[tuple[dict, bytes | None]] | None:
        """Up to `max_items` fetches (and the other messages among them), waiting for one
        and then `gather` seconds more for others (unless the crawl's output has ended);
        None once it has ended and everything was taken."""
        with self.changed:
            while not self.messages and not self.ended:
                self.changed.wait()
            if not self.messages:
                return None
            gather = 0.0 if self.ended else gather
        if gather:
            time.sleep(gather)
        with self.changed:
            taken, items = [], 0
            while self.messages and items < max_items:
                message, body = self.messages.popleft()
                taken.append((message, body))
                self.size -= len(body or b"")
                items += message.get("event") == "item"
            self.changed.notify_all()
            return taken


class CrawlProcess:
    """A crawl child, started before it is given its work.

    The child spends about a second importing scrapy and Twisted before it can fetch
    anything; started first thing, it does that while this process validates parties.yaml
    and opens the database, on the other core. It then waits on its stdin for its work
    (see spiders.crawl), which `run` reads from the database, so the database must be at
    the latest schema and hold the parties by the time `run` is called (`check` does both;
    run_crawl too). Used as a context manager, a child never given its work is stopped on
    exit; if this process dies, the child reads end-of-file and exits.
    """

    def __init__(self, db_url: str, **options):
        env = dict(os.environ)
        # The child must import this checkout's packages even when started from elsewhere.
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        self.db_url = db_url
        self.started = time.monotonic()
        # Binary stdout: it carries fetched bodies (spiders.progress).
        self.process = subprocess.Popen(
            crawl_command(**options),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
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
            crawl_timeout: float | None = DEFAULT_CRAWL_TIMEOUT,
            engine: Engine | None = None,
            on_work_sent: Callable[[], None] | None = None) -> CrawlResult:
        """Crawl `parties`, storing every fetch in the history under `run_id`, and wait for
        the child to finish; call on_event for each progress event (on this thread, in the
        order they happened; a fetch once it is stored). The crawl is killed after
        `crawl_timeout` seconds (what it fetched until then is stored). `engine` is the
        history's (this process's own, for db_url, otherwise). `on_work_sent` is called (on
        this thread) as soon as the work is on its way to the child, before this process
        loads what it stores fetches with: what the caller starts then delays no crawl.

        `parties` are the crawl's view of validated parties.yaml entries (partywatch.parties
        .PartyEntry.crawl_spec()): the child reads them as JSON on its stdin and never reads
        parties.yaml itself, so it crawls exactly what was validated, even if the file changes.
        """
        # Here, not at the top: `check` starts the crawl process before it loads SQLAlchemy.
        from history.db import make_engine
        from history.runs import known_documents

        if self.used:
            raise RuntimeError("a CrawlProcess runs one crawl")
        self.used = True
        process = self.process
        result = CrawlResult(returncode=None)
        cpu_started = time.thread_time()
        own_engine = engine is None
        history_engine = make_engine(self.db_url) if own_engine else engine
        try:
            with history_engine.begin() as conn:
                work = {"parties": list(parties), **known_documents(conn, [p["id"] for p in parties])}
        except BaseException:
            if own_engine:
                history_engine.dispose()
            self.stop()
            raise
        stderr_lines: deque[str] = deque(maxlen=40)
        stderr = io.TextIOWrapper(process.stderr, errors="replace")
        stderr_reader = threading.Thread(target=lambda: stderr_lines.extend(stderr), daemon=True)
        stderr_reader.start()
        # Written from a thread: a long parties list fills the pipe until the child, once its
        # imports are done, reads it, and the timeout below must run meanwhile.
        threading.Thread(target=_send_work, args=(process, work), daemon=True).start()
        # Only now what stores the fetches (spiders.pipelines): the crawl process has its work
        # and does not wait for it.
        from spiders.pipelines import MAX_GROUP, HistoryPipeline

        history = HistoryPipeline(run_id)
        backlog = _Backlog(MAX_BACKLOG_BYTES)
        reader = threading.Thread(target=backlog.fill, args=(read_messages(process.stdout),),
                                  name="partywatch-crawl-reader", daemon=True)
        reader.start()

        def kill():
            result.timed_out = True
            process.kill()

        timer = threading.Timer(crawl_timeout, kill) if crawl_timeout else None
        if timer:
            timer.daemon = True
            timer.start()
        try:
            if on_work_sent is not None:
                on_work_sent()
            history.open(history_engine)
            while (messages := backlog.take(MAX_GROUP, GROUP_WAIT)) is not None:
                for event in self._store(history, messages, result):
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
            backlog.end()
            if process.poll() is None:
                process.kill()
                process.wait()
            history.close()
            if own_engine:
                history_engine.dispose()
        for thread in (reader, stderr_reader):
            thread.join(timeout=5)
        result.returncode = process.returncode
        result.elapsed = time.monotonic() - self.started
        result.stderr_tail = "".join(stderr_lines)
        result.parent_cpu_seconds = time.thread_time() - cpu_started + backlog.cpu_seconds
        result.backlog_peak_bytes = backlog.peak
        return result

    @staticmethod
    def _store(history: HistoryPipeline, messages: list[tuple[dict, bytes | None]], result: CrawlResult) -> Iterator[dict]:
        """The events of `messages`, in order, once their fetches are stored (as one group)."""
        items = [received_fetch(message, body) for message, body in messages if message.get("event") == "item"]
        stored = iter(history.store(items))
        for message, _ in messages:
            if message.get("event") != "item":
                yield message
                continue
            event = next(stored)
            if isinstance(event, BaseException):
                # As scrapy does with an item pipeline's error: the fetch is left out, the
                # crawl goes on; logged and kept in the result.
                error = f"{message['url']}: could not store the fetch: {event!r}"
                log.error("%s", error)
                result.store_errors.append(error)
                continue
            yield event


def run_crawl(db_url: str, parties: Sequence[Mapping], run_id: int | None, *,
              on_event: Callable[[dict], None] | None = None,
              crawl_timeout: float | None = DEFAULT_CRAWL_TIMEOUT, **options) -> CrawlResult:
    """Start a crawl child (`python -m spiders.crawl`), crawl `parties` and wait for it
    (see CrawlProcess.run), after adding them to the history or updating them there.
    `options` (delay, maxsize, timeout) override the crawl settings."""
    from history.db import make_engine
    from history.runs import write_parties

    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            write_parties(conn, parties)  # a crawl spec has the party's id, name, jurisdiction, homepage
        return CrawlProcess(db_url, **options).run(parties, run_id, on_event=on_event,
                                                   crawl_timeout=crawl_timeout, engine=engine)
    finally:
        engine.dispose()

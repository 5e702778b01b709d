"""Crawl benchmark: many party sites on loopback, one polite crawl.

    /work/venv/bin/python bench/crawl_bench.py [--parties 200] [--pages 10] [--delay 0.25] [--db URL]

Serves N sites (one 127.0.0.1 port each, since partywatch treats host:port as the site)
of P pages each — a homepage linking to P-1 privacy notices — plus a robots.txt, then
runs the real crawl subprocess (`python -m spiders.crawl`) into a fresh database and
prints:

- pages per second;
- crawl time / politeness bound, where the bound is pages per host × delay: the least time
  a crawl that waits `delay` between two requests to one host can take (target ≤ 1.5);
- the subprocess's fixed cost (interpreter and scrapy start-up), which is what running
  each crawl in its own process costs;
- CPU time per page of the crawl subprocess (fetching, parsing, discovery) and of this
  process's threads that read what the crawl hands back and store it in the history (the
  parent's share: spiders.runner, spiders.pipelines), and the two together;
- whether the parent keeps up: the time the crawl subprocess spent handing fetches over
  (writing them to the pipe, waiting while it was full) and the most bytes read from it
  and waiting to be stored at once;
- peak RSS of the crawl subprocess (target < 500 MB).

With --hold-lock SECONDS the database is slow for a while: once a tenth of the pages are
stored, another connection holds the SQLite file's write lock that long. The crawl should
go on meanwhile (its time and peak RSS barely move), the fetches waiting in the parent's
backlog instead.

With --recrawl the sites send an ETag and answer 304 to a request that presents it back,
and the same crawl runs a second time: it prints how many documents cost a 304 instead
of their body, and the bytes and time the second crawl took.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
import threading
import time
from pathlib import Path

from loopback import Handler, serve, write_parties

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from history.db import open_database  # noqa: E402
from partywatch.parties import load_parties  # noqa: E402
from spiders.runner import run_crawl  # noqa: E402


def crawl_specs(path: Path) -> list[dict]:
    return [party.crawl_spec() for party in load_parties(path)]


def hold_write_lock(database: Path, seconds: float) -> None:
    """Take the SQLite database's write lock and keep it `seconds`: every write waits."""
    conn = sqlite3.connect(database, isolation_level=None, timeout=60)
    conn.execute("BEGIN IMMEDIATE")
    time.sleep(seconds)
    conn.execute("COMMIT")
    conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parties", type=int, default=200)
    parser.add_argument("--pages", type=int, default=10, help="pages per site, homepage included")
    parser.add_argument("--delay", type=float, default=0.25, help="seconds between requests to one host")
    parser.add_argument("--db", default=None, help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--recrawl", action="store_true",
                        help="serve ETags and crawl twice: measure what conditional requests save")
    parser.add_argument("--hold-lock", type=float, default=0.0, metavar="SECONDS",
                        help="a slow database: once a tenth of the pages are stored, hold the SQLite "
                             "database's write lock this long from another connection")
    args = parser.parse_args()
    if args.hold_lock and args.db:
        parser.error("--hold-lock holds a SQLite file's lock: leave out --db")

    with tempfile.TemporaryDirectory() as tmp:
        db_url = args.db or f"sqlite:///{Path(tmp) / 'bench.db'}"
        open_database(db_url).dispose()

        # The fixed cost of a crawl subprocess: one tiny site, no delay.
        servers = serve(1, 1)
        write_parties(Path(tmp) / "one.yaml", servers)
        tiny = run_crawl(db_url, crawl_specs(Path(tmp) / "one.yaml"), None, delay=0)
        tiny_crawl = tiny.events[-1]["stats"].get("elapsed_time_seconds", 0.0)
        for server in servers:
            server.shutdown()

        servers = serve(args.parties, args.pages)
        write_parties(Path(tmp) / "parties.yaml", servers)
        Handler.etags = args.recrawl
        Handler.count = Handler.body_bytes = 0
        fetched = 0
        import resource
        server_cpu = resource.getrusage(resource.RUSAGE_SELF)

        slowed = threading.Event()

        def on_event(event):
            nonlocal fetched
            fetched += event.get("event") == "fetch" and event.get("ok", False)
            if args.hold_lock and not slowed.is_set() and fetched >= max(1, args.parties * (args.pages - 1) // 10):
                slowed.set()
                threading.Thread(target=hold_write_lock, args=(Path(tmp) / "bench.db", args.hold_lock),
                                 daemon=True).start()

        result = run_crawl(db_url, crawl_specs(Path(tmp) / "parties.yaml"), None, delay=args.delay,
                           on_event=on_event, crawl_timeout=3600)
        after = resource.getrusage(resource.RUSAGE_SELF)
        server_cpu = after.ru_utime + after.ru_stime - server_cpu.ru_utime - server_cpu.ru_stime
        first_bytes, first_requests = Handler.body_bytes, Handler.count
        if args.recrawl:
            Handler.body_bytes = Handler.not_modified = 0
            again = run_crawl(db_url, crawl_specs(Path(tmp) / "parties.yaml"), None, delay=args.delay,
                              crawl_timeout=3600)
            again_stats = again.events[-1]["stats"]
        for server in servers:
            server.shutdown()
        if not result.ok:
            sys.exit(f"crawl failed:\n{result.stderr_tail}")
        stats = result.events[-1]["stats"]

    pages = args.parties * args.pages
    crawl_time = stats["elapsed_time_seconds"]
    bound = args.pages * args.delay
    print(f"sites × pages          {args.parties} × {args.pages} = {pages} pages "
          f"(+{args.parties} robots.txt), delay {args.delay} s per host, {os.cpu_count()} CPUs")
    print(f"requests served        {first_requests}; documents stored {fetched}")
    print(f"crawl time             {crawl_time:.2f} s (scrapy engine open → close)")
    print(f"subprocess wall time   {result.elapsed:.2f} s")
    print(f"pages per second       {pages / crawl_time:.1f} (crawl), {pages / result.elapsed:.1f} (wall)")
    print(f"politeness bound       {bound:.2f} s (pages per host × delay)")
    if bound:  # no bound without a delay (--delay 0 measures CPU and memory alone)
        print(f"crawl time / bound     {crawl_time / bound:.2f} (target ≤ 1.5); "
              f"wall / bound {result.elapsed / bound:.2f}")
    if args.recrawl:
        print(f"recrawl: 304 answers   {Handler.not_modified} of {pages - args.parties} documents")
        print(f"recrawl: body bytes    {Handler.body_bytes:,} (first crawl {first_bytes:,})")
        print(f"recrawl: crawl time    {again_stats['elapsed_time_seconds']:.2f} s "
              f"(first crawl {crawl_time:.2f} s)")
    print(f"subprocess fixed cost  {tiny.elapsed - tiny_crawl:.2f} s "
          f"(1-page crawl: {tiny.elapsed:.2f} s wall, {tiny_crawl:.2f} s crawling)")
    total_cpu = result.cpu_seconds + result.parent_cpu_seconds
    print(f"CPU time               crawl process {result.cpu_seconds:.1f} s "
          f"({result.cpu_seconds / pages * 1000:.1f} ms per page), storing in the parent "
          f"{result.parent_cpu_seconds:.1f} s ({result.parent_cpu_seconds / pages * 1000:.1f} ms per page), "
          f"total {total_cpu:.1f} s ({total_cpu / pages * 1000:.1f} ms per page)")
    print(f"                       test servers {server_cpu - result.parent_cpu_seconds:.1f} s; "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"hand-over              {stats.get('partywatch/handover_seconds', 0.0):.2f} s writing fetches "
          f"to the parent (waits on a full pipe included); parent's backlog peak "
          f"{result.backlog_peak_bytes / 1024:.0f} KB")
    print(f"peak RSS (crawl)       {result.peak_rss_kb / 1024:.0f} MB (target < 500 MB)")


if __name__ == "__main__":
    main()

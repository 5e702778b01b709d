"""Where the time of a one-page `partywatch check` goes: when the check sends its crawl
process the work, when that process starts crawling, when it exits, when the check is done.

    .venv/bin/python bench/check_timeline.py [--runs 5] [--bytecode]

The site and parties file are check_one_bench's. Each run is a first check (a new SQLite
database) and then an unchanged one, in a subprocess that runs `partywatch check` with
spiders.runner wrapped to note the time (wall and the check process's CPU) when the work
is sent (_send_work), when the crawl's first progress event reaches the check's thread
(its spider started: the crawl process had its imports done and the work read; heard up
to spiders.runner.GROUP_WAIT late) and when CrawlProcess.run
returns (the crawl process exited). Medians are printed. A crawl that starts well after
the work was sent was still importing scrapy (its start-up is then the critical path);
one that starts at once was waiting for the check; a check whose crawl exits early and
that finishes late is busy scoring. On a busy machine the CPU seconds are steadier than
the wall times.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

from check_one_bench import one_party_site
from loopback import add_bytecode_option, use_bytecode_option

# `partywatch check` with its timeline on stderr: "MARK <what> <wall s> <CPU s>".
CHECK_WITH_MARKS = r'''
import os, sys, time
start = time.perf_counter()
def mark(what):
    print(f"MARK {what} {time.perf_counter() - start:.3f} {time.process_time():.3f}", file=sys.stderr, flush=True)
import spiders.runner
send_work = spiders.runner._send_work
def marked_send_work(process, work):
    mark("sent")
    send_work(process, work)
spiders.runner._send_work = marked_send_work
run = spiders.runner.CrawlProcess.run
def marked_run(self, *args, on_event=None, **kwargs):
    def marking(event):
        if event.get("event") == "start":
            mark("crawl-started")
        if on_event is not None:
            on_event(event)
    try:
        return run(self, *args, on_event=marking, **kwargs)
    finally:
        mark("crawl-exited")
spiders.runner.CrawlProcess.run = marked_run
from partywatch.cli import main
try:
    main(["check", *sys.argv[1:]], standalone_mode=False)
finally:
    mark("done")
    sys.stdout.flush()
    os._exit(0)
'''
MARKS = ("sent", "crawl-started", "crawl-exited", "done")


def run_once(parties: Path, db_url: str) -> dict[str, tuple[float, float]]:
    env = dict(os.environ, PARTYWATCH_CRAWL_DELAY="0")
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", CHECK_WITH_MARKS, "--parties", str(parties), "--db", db_url,
                             "--format", "json"], capture_output=True, text=True, env=env)
    marks = {m[1]: (float(m[2]), float(m[3])) for m in re.finditer(r"MARK (\S+) (\S+) (\S+)", result.stderr)}
    if result.returncode != 0 or set(marks) != set(MARKS):
        raise SystemExit(f"partywatch check failed:\n{result.stderr}")
    marks["ended"] = (time.perf_counter() - start, float("nan"))
    return marks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    add_bytecode_option(parser)
    args = parser.parse_args()
    use_bytecode_option(args)

    runs: dict[str, list[dict]] = {"first": [], "unchanged": []}
    with one_party_site() as (parties, tmp):
        for run in range(args.runs):
            db_url = f"sqlite:///{tmp / f'check-{run}.db'}"
            for cycle in runs:
                runs[cycle].append(run_once(parties, db_url))
    for cycle, marks in runs.items():
        def median(what: str, index: int) -> float:
            return statistics.median(m[what][index] for m in marks)

        print(f"{cycle:<9}: work sent {median('sent', 0):.2f} s (check CPU {median('sent', 1):.2f} s), "
              f"crawl started {median('crawl-started', 0):.2f} s, "
              f"crawl process exited {median('crawl-exited', 0):.2f} s, done {median('done', 0):.2f} s "
              f"(check CPU {median('done', 1):.2f} s), process ended {median('ended', 0):.2f} s "
              f"[median of {args.runs}]")


if __name__ == "__main__":
    main()

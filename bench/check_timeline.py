"""Where the time of a one-page `partywatch check` goes: when the check sends its crawl
process the work, when that process exits, when the check is done.

    .venv/bin/python bench/check_timeline.py [--runs 5]

The site and parties file are check_one_bench's. Each run is a first check (a new SQLite
database) and then an unchanged one, in a subprocess that runs `partywatch check` with
spiders.runner.CrawlProcess.run wrapped to note the time (wall and the check process's
CPU) when it is called and when it returns. Medians are printed. A check that sends early
and whose crawl process still exits late is waiting for that process's start-up (scrapy);
one whose crawl exits early and that finishes late is busy scoring. On a busy machine the
CPU seconds are steadier than the wall times.
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

# `partywatch check` with its timeline on stderr: "MARK <what> <wall s> <CPU s>".
CHECK_WITH_MARKS = r'''
import os, sys, time
start = time.perf_counter()
def mark(what):
    print(f"MARK {what} {time.perf_counter() - start:.3f} {time.process_time():.3f}", file=sys.stderr, flush=True)
import spiders.runner
run = spiders.runner.CrawlProcess.run
def marked_run(self, *args, **kwargs):
    mark("sent")
    try:
        return run(self, *args, **kwargs)
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
MARKS = ("sent", "crawl-exited", "done")


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
    args = parser.parse_args()

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
              f"crawl process exited {median('crawl-exited', 0):.2f} s, done {median('done', 0):.2f} s "
              f"(check CPU {median('done', 1):.2f} s), process ended {median('ended', 0):.2f} s "
              f"[median of {args.runs}]")


if __name__ == "__main__":
    main()

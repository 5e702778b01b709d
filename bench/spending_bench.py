"""Benchmark `partywatch spending import` on a big export: time and memory.

Writes an export of N generated items (default 200,000, about 70 MB) in the Commission's
layout with tests/helpers/make_export.py, imports it into a fresh SQLite
database, then imports it again (every item already stored). Prints the time of each,
the resident memory at each batch (it should stay flat: the file is streamed) and the
peak. Target: the first import under 20 s on SQLite. On a shared machine the CPU time
(this process's, the database's included for SQLite) is the steadier figure.

Run by hand; it prints figures and does not fail:

    .venv/bin/python bench/spending_bench.py
    .venv/bin/python bench/spending_bench.py --rows 50000 --db postgresql+psycopg://app@127.0.0.1:55432/bench
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))  # the tests' helpers package

from helpers import make_export  # noqa: E402
from history.db import open_database  # noqa: E402
from partywatch.parties import PartyEntry  # noqa: E402
from partywatch.spending.importer import import_export  # noqa: E402

PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * PAGE / 1e6


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6  # KiB on Linux


def timed_import(engine, path: Path, parties: list[PartyEntry]) -> tuple[float, float, object, list[float]]:
    """(wall seconds, CPU seconds of this process, report, resident MB after each batch)."""
    samples: list[float] = []
    started, cpu = time.perf_counter(), time.process_time()
    report = import_export(engine, path, parties, progress=lambda rows: samples.append(rss_mb()))
    return time.perf_counter() - started, time.process_time() - cpu, report, samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--db", help="database URL (default: a new SQLite file)")
    args = parser.parse_args()
    parties = [PartyEntry(id=name.lower().replace(" ", "-"), name=name, jurisdiction="GB",
                          homepage="http://127.0.0.1:9/", ec_id=f"PP{number.removeprefix('PP')}")
               for name, number in make_export.PARTIES[:4]]
    with tempfile.TemporaryDirectory(prefix="spending-bench-") as tmp:
        path = Path(tmp) / "export.csv"
        started = time.perf_counter()
        written = make_export.write_export(path, make_export.generate_rows(args.rows))
        print(f"wrote {written:,} rows, {path.stat().st_size / 1e6:.1f} MB, in {time.perf_counter() - started:.1f} s")
        engine = open_database(args.db or f"sqlite:///{Path(tmp) / 'bench.db'}")
        print(f"resident memory before importing: {rss_mb():.0f} MB")
        for label in ("first import", "again (all stored)"):
            seconds, cpu, report, samples = timed_import(engine, path, parties)
            stored = report.stored
            print(f"{label}: {seconds:.1f} s wall, {cpu:.1f} s CPU ({report.rows / seconds:,.0f} rows/s); "
                  f"{stored.added:,} new, "
                  f"{stored.corrected:,} corrected, {stored.unchanged:,} already stored, {len(report.bad)} bad")
            tenth = max(1, len(samples) // 10)
            print(f"  resident memory per batch (MB): {', '.join(f'{s:.0f}' for s in samples[::tenth])}"
                  f"; last {samples[-1]:.0f}")
        print(f"peak resident memory: {peak_mb():.0f} MB")
        engine.dispose()


if __name__ == "__main__":
    main()

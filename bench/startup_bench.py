"""Start-up of the command line: wall time and peak RSS of `partywatch --help` and of
`partywatch rubric --help`, median of 5 runs each (run by hand: python bench/startup_bench.py).

Targets (issue 14): `partywatch --help` under 0.5 s and 60 MB.
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

PARTYWATCH = Path(sys.executable).with_name("partywatch")
RUNS = 5


def measure(args: list[str]) -> tuple[float, float]:
    """(median wall seconds, max peak RSS in MB) of running partywatch ARGS."""
    walls, peaks = [], []
    for _ in range(RUNS):
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        start = time.perf_counter()
        subprocess.run([str(PARTYWATCH), *args], check=True, stdout=subprocess.DEVNULL)
        walls.append(time.perf_counter() - start)
        # ru_maxrss of children is the largest child so far: a run only shows if it beats the last
        peaks.append(max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024)
    return statistics.median(walls), max(peaks)


def main() -> None:
    for args in (["--help"], ["rubric", "--help"], ["history", "--help"]):
        wall, peak = measure(args)
        print(f"partywatch {' '.join(args):<16} median {wall:.3f} s over {RUNS} runs, peak RSS {peak:.0f} MB")


if __name__ == "__main__":
    main()

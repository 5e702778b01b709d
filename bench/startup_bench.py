"""Start-up of the command line: wall time and peak RSS of `partywatch --help`, of every
command's own --help, and of `partywatch rubric validate` (a rubric seen before, so taken
from the compile cache), median of 5 runs each (run by hand: python bench/startup_bench.py).

Targets (issue 14): `partywatch --help` under 0.5 s and 60 MB.
"""

from __future__ import annotations

import os
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
        start = time.perf_counter()
        process = subprocess.Popen([str(PARTYWATCH), *args], stdout=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)  # this process's own peak RSS
        walls.append(time.perf_counter() - start)
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            raise SystemExit(f"partywatch {' '.join(args)} exited {process.returncode}")
        peaks.append(usage.ru_maxrss / 1024)
    return statistics.median(walls), max(peaks)


COMMANDS = ["check", "score", "demo", "rescore", "serve", "rubric", "rubric validate", "rubric evaluate",
            "history", "export", "import", "report", "browse", "db", "db upgrade", "spending",
            "spending import", "spending gaps"]


def main() -> None:
    rubric = Path(__file__).resolve().parent.parent / "rubric.yaml"
    subprocess.run([str(PARTYWATCH), "rubric", "validate", str(rubric)], check=True,
                   stdout=subprocess.DEVNULL)  # fills the compile cache, as a first use would
    runs = [["--help"], *([*name.split(), "--help"] for name in COMMANDS), ["rubric", "validate", str(rubric)]]
    for args in runs:
        wall, peak = measure(args)
        label = " ".join(args).replace(str(rubric), "rubric.yaml")
        print(f"partywatch {label:<26} median {wall:.3f} s over {RUNS} runs, peak RSS {peak:.0f} MB")


if __name__ == "__main__":
    main()

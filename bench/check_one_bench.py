"""A check of one party with one notice: wall time and peak RSS of `partywatch check`.

    .venv/bin/python bench/check_one_bench.py [--runs 5] [--bytecode]

Serves one party site on 127.0.0.1 (a homepage, robots.txt and the bundled Open Future
privacy notice, listed as the party's one document), then runs `partywatch check` in a
subprocess, each time against a fresh temporary SQLite database (a first check:
migrations, crawl, scoring, a new scorecard) and then once more on the same database (an
unchanged check: the page is fetched again, nothing new to store or score), and prints
for each the median wall time and the peak RSS of the check process and of the check plus its crawl child together (the
process tree's RSS, sampled every 10 ms while it runs). The CPU time (user + system, check
and crawl child) is printed too: on a busy machine it is steadier than the wall time.

Target (issue 14): under 1.5 s median of 5.

The bench says whether partywatch's own modules were read from bytecode: with the README's
editable install on a machine that sets PYTHONDONTWRITEBYTECODE, every check compiles them
from source. `--bytecode` writes their bytecode first (into the usual __pycache__ folders),
as `pip install` without -e does, to measure a check as an installed partywatch runs it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path

from loopback import add_bytecode_option, tree_rss_kb, use_bytecode_option

PARTYWATCH = Path(sys.executable).with_name("partywatch")
NOTICE = resources.files("partywatch.demo_sites").joinpath("open_future/privacy-notice.html").read_bytes()
ROUTES = {
    "/": b"<html><body><h1>Bench Party</h1><p>Welcome.</p></body></html>",
    "/robots.txt": b"User-agent: *\nDisallow: /admin/\n",
    "/privacy-notice.html": NOTICE,
}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        body = ROUTES.get(self.path)
        self.send_response(200 if body is not None else 404)
        body = body if body is not None else b"not found"
        ctype = "text/plain" if self.path.endswith(".txt") else "text/html; charset=utf-8"
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def one_party_site() -> Iterator[tuple[Path, Path]]:
    """The party site served on 127.0.0.1 while in use: (its parties.yaml, a scratch folder)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    site = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with tempfile.TemporaryDirectory() as tmp:
            parties = Path(tmp) / "parties.yaml"
            parties.write_text(f"parties:\n- id: bench\n  name: Bench Party\n  jurisdiction: GB\n"
                               f"  homepage: {site}/\n  documents:\n"
                               f"  - url: {site}/privacy-notice.html\n", encoding="utf-8")
            yield parties, Path(tmp)
    finally:
        server.shutdown()


def run_once(parties: Path, db_url: str) -> tuple[float, float, float, float]:
    """(wall seconds, CPU seconds of check + crawl child, peak RSS of the check process in MB,
    peak RSS of the tree in MB)."""
    env = dict(os.environ, PARTYWATCH_CRAWL_DELAY="0")
    start = time.perf_counter()
    process = subprocess.Popen([str(PARTYWATCH), "check", "--parties", str(parties), "--db", db_url,
                                "--format", "json"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, env=env)
    tree_peak = 0
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        tree_peak = max(tree_peak, tree_rss_kb(process.pid))
        time.sleep(0.01)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"partywatch check failed:\n{process.stderr.read().decode()}")
    # wait4 counts the crawl child too: check waits for it before it exits
    cpu = usage.ru_utime + usage.ru_stime
    return wall, cpu, usage.ru_maxrss / 1024, tree_peak / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    add_bytecode_option(parser)
    args = parser.parse_args()
    use_bytecode_option(args)

    figures: dict[str, list[tuple[float, float, float]]] = {"first": [], "unchanged": []}
    with one_party_site() as (parties, tmp):
        for run in range(args.runs):
            db_url = f"sqlite:///{tmp / f'check-{run}.db'}"
            for cycle in ("first", "unchanged"):
                wall, cpu, own, tree = run_once(parties, db_url)
                figures[cycle].append((wall, cpu, tree))
                print(f"run {run + 1} {cycle:<9}: {wall:.2f} s wall, {cpu:.2f} s CPU, "
                      f"check process {own:.0f} MB, check + crawl child {tree:.0f} MB")
    for cycle, runs in figures.items():
        print(f"partywatch check, one party, one notice, {cycle}: median {statistics.median(r[0] for r in runs):.2f} s "
              f"over {args.runs} runs (CPU {statistics.median(r[1] for r in runs):.2f} s), "
              f"peak RSS (check + crawl child) {max(r[2] for r in runs):.0f} MB")


if __name__ == "__main__":
    main()

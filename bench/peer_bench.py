"""Peer benchmark: `partywatch check` and changedetection.io on the same loopback sites.

    .venv/bin/python bench/peer_bench.py [--sizes 500,2000] [--bytecode]
    .venv/bin/python bench/peer_bench.py --peer-venv /work/peer-venv --install-peer

For each size N it serves N/10 party sites of 10 pages each on 127.0.0.1 (bench/loopback.py:
a homepage linking to nine privacy notices, and a robots.txt; one port per site), then
measures a first cycle (empty store) and an unchanged cycle (same pages again) of each tool:

- wall time of the cycle;
- CPU time (user + system) of the tool's whole process tree;
- peak RSS of the process tree, the sum of its processes' RSS sampled every 20 ms.

partywatch: the real CLI in a subprocess, `partywatch check --parties FILE --db sqlite:///TMP
--format json`, with PARTYWATCH_CRAWL_DELAY=0 (no politeness delay: the pages are ours), a
fresh temporary SQLite database and a parties file naming each site's homepage (the notices
are discovered from it). Its tree is the check process and its crawl child; the CPU time is
theirs, from wait4.

changedetection.io (with --peer-venv DIR, a virtualenv holding changedetection.io 0.60.10;
--install-peer creates it first: `python3 -m venv DIR && DIR/bin/pip install
changedetection.io==0.60.10`, from the package index; it is never a partywatch dependency).
It runs as `DIR/bin/changedetection.io -d TMP -C -h 127.0.0.1 -p PORT -u START_URL`, its
defaults otherwise (5 fetch workers, the plain HTTP fetcher); START_URL is the first site's
robots.txt, a watch outside the measured pages. Its REST API is used with the API key it
wrote to TMP/changedetection.json, one watch per page:

- first cycle: one import of every page's URL (POST /api/v1/import, the URLs as text, as a
  user adds many watches at once); it checks a watch never checked by itself, so nothing
  more is asked of it. (Adding the watches one request at a time and then "recheck all"
  measured 18.8 s at 500 pages, against 5.6 s in the issue's table: the requests and a
  second check of most pages, both at changedetection.io's expense.)
- unchanged cycle: "recheck all" (GET /api/v1/watch?recheck_all=1), which also rechecks
  START_URL's watch: one request more than partywatch's.

Either cycle then polls its queue length (/api/v1/systeminfo) until the queue is empty, and
the watch list every 0.5 s until every page's watch has a last_checked after the start. Its
tree is the server process and anything it starts; its CPU time is read from /proc before
and after.
It makes no request beyond 127.0.0.1 (what its source, changedetectionio/, reads):

- `-h 127.0.0.1`: it listens on loopback only;
- no example watches: a fresh datastore gets two (news.ycombinator.com and its own
  CHANGELOG) unless URLs are given on the command line (`-u`), so START_URL is;
- version check disabled: DISABLE_VERSION_CHECK=true (else a thread asks its author's site
  for the latest version, flask_app.check_for_new_version);
- loopback allowed explicitly: ALLOW_IANA_RESTRICTED_ADDRESSES=true (else its fetcher
  refuses private and loopback addresses, content_fetchers/requests.py);
- no proxy (HTTP_PROXY / HTTPS_PROXY removed from its environment), no notification URLs,
  and LLM price lists left off (LITELLM_FETCH_PRICING_FROM_GITHUB=false, its default).

Each cycle's notes say how many notices partywatch fetched and parties it scored, how many
watches changedetection.io checked and with how many errors, and each process's own peak.

The machine's load is printed: timings on a shared machine vary from run to run. So is
whether partywatch's own modules were read from bytecode: pip compiled changedetection.io's
when it installed it, but the README's editable install leaves partywatch's as sources, which
every process compiles again on a machine that sets PYTHONDONTWRITEBYTECODE; `--bytecode`
compiles them first, as `pip install` without -e would.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from loopback import TreeSampler, add_bytecode_option, serve, site_url, tree_cpu_seconds, use_bytecode_option, write_parties

ROOT = Path(__file__).resolve().parent.parent
PARTYWATCH = Path(sys.executable).with_name("partywatch")
PAGES_PER_SITE = 10
PEER_VERSION = "0.60.10"


@dataclass
class Cycle:
    wall: float
    cpu: float
    peak_mb: float
    note: str = ""


def partywatch_cycle(parties: Path, db_url: str, documents_expected: int) -> Cycle:
    """One `partywatch check` of every party, as a user runs it."""
    env = dict(os.environ, PARTYWATCH_CRAWL_DELAY="0")
    # files, not pipes: check prints a progress line per page, more than a pipe holds
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen([str(PARTYWATCH), "check", "--parties", str(parties), "--db", db_url,
                                    "--rubric", str(ROOT / "rubric.yaml"), "--format", "json"],
                                   stdout=out, stderr=err, env=env)
        sampler = TreeSampler(process.pid)
        _, status, usage = os.wait4(process.pid, 0)  # counts the crawl child too: check waits for it
        wall = time.perf_counter() - start
        peak = sampler.stop()
        if os.waitstatus_to_exitcode(status) != 0:
            err.seek(0)
            raise SystemExit(f"partywatch check failed:\n{err.read().decode()[-3000:]}")
        out.seek(0)
        result = json.load(out)
    scored = sum(p["status"] == "scored" for p in result["parties"])
    fetched = sum(d["status"] in ("ok", "unchanged", "new") for p in result["parties"] for d in p["documents"])
    note = (f"{scored}/{len(result['parties'])} parties scored, {fetched}/{documents_expected} notices; "
            f"peak RSS by process: {sampler.by_process()}")
    return Cycle(wall, usage.ru_utime + usage.ru_stime, peak, note)


def run_partywatch(servers, tmp: Path) -> list[Cycle]:
    parties = tmp / "parties.yaml"
    write_parties(parties, servers)
    db_url = f"sqlite:///{tmp / 'partywatch.db'}"
    expected = len(servers) * (PAGES_PER_SITE - 1)
    return [partywatch_cycle(parties, db_url, expected) for _ in ("first", "unchanged")]


def install_peer(venv: Path) -> None:
    """A virtualenv of its own for changedetection.io, from the package index."""
    subprocess.run(["python3", "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", f"changedetection.io=={PEER_VERSION}"], check=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Peer:
    """A changedetection.io server on 127.0.0.1 with a datastore in `datastore`, and its API."""

    def __init__(self, venv: Path, datastore: Path, start_url: str):
        self.base = f"http://127.0.0.1:{_free_port()}"
        env = {k: v for k, v in os.environ.items() if k.upper() not in ("HTTP_PROXY", "HTTPS_PROXY")}
        env.update(DISABLE_VERSION_CHECK="true", ALLOW_IANA_RESTRICTED_ADDRESSES="true",
                   LITELLM_FETCH_PRICING_FROM_GITHUB="false",
                   LOGGER_LEVEL="WARNING")
        self.log = open(datastore.parent / "changedetection.log", "wb")
        # -u adds a first watch at start-up, and a start with a URL adds no example watches
        self.process = subprocess.Popen(
            [str(venv / "bin" / "changedetection.io"), "-d", str(datastore), "-C", "-h", "127.0.0.1",
             "-p", self.base.rsplit(":", 1)[1], "-u", start_url],
            stdout=self.log, stderr=subprocess.STDOUT, env=env)
        settings = datastore / "changedetection.json"
        deadline = time.monotonic() + 120
        while True:
            try:
                self.key = json.loads(settings.read_text())["settings"]["application"]["api_access_token"]
                self.call("GET", "/api/v1/systeminfo")
                break
            except (OSError, ValueError, KeyError):
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"changedetection.io did not start; see {self.log.name}")
                time.sleep(0.2)

    def call(self, method: str, path: str, body: dict | None = None):
        return self._send(method, path, json.dumps(body).encode() if body is not None else None,
                          "application/json")

    def system_info(self) -> dict | None:
        """Its watch count and queue length; None while an import is adding watches, when
        it may answer 500 (it counts its watches while the import's thread adds to them)."""
        try:
            return self.call("GET", "/api/v1/systeminfo")
        except urllib.error.HTTPError as exc:
            if exc.code != 500:
                raise
            return None

    def import_urls(self, urls: list[str]):
        """One watch per URL, in one request (larger imports are added on a thread of its own)."""
        return self._send("POST", "/api/v1/import", "\n".join(urls).encode(), "text/plain")

    def _send(self, method: str, path: str, data: bytes | None, content_type: str):
        request = urllib.request.Request(self.base + path, method=method, data=data, headers={
            "x-api-key": self.key, "Content-Type": content_type})
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.load(response)

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def peer_cycle(peer: Peer, urls: list[str], *, first: bool) -> Cycle:
    """Import a watch per URL (first) or recheck all, then wait until every URL's watch is checked."""
    time.sleep(2)  # last_checked is rounded to the second: leave no check just before the trigger
    sampler = TreeSampler(peer.process.pid)
    cpu_before = tree_cpu_seconds(peer.process.pid)
    start = time.time()
    if first:
        peer.import_urls(urls)
    else:
        peer.call("GET", "/api/v1/watch?recheck_all=1")
    # Listing 2,000 watches costs the server ~2 s of CPU: before each listing, poll its system
    # info (cheap) until every watch exists (an import of 20 or more adds them on a thread)
    # and its queue is empty; the listing then finds the last few checks still running.
    wanted = set(urls)
    while True:
        while True:
            info = peer.system_info()
            if info is not None and info["watch_count"] > len(urls) and not info["queue_size"]:
                break
            time.sleep(0.5)
        watches = peer.call("GET", "/api/v1/watch")
        done = [w for w in watches.values() if w["url"] in wanted and (w["last_checked"] or 0) >= start - 0.5]
        if len(done) >= len(urls):
            break
        time.sleep(0.5)
    wall = time.time() - start
    cpu = tree_cpu_seconds(peer.process.pid) - cpu_before
    peak = sampler.stop()
    errors = sum(bool(w["last_error"]) for w in watches.values() if w["url"] in wanted)
    return Cycle(wall, cpu, peak, f"{len(done)} watches checked, {errors} with an error; "
                                  f"peak RSS by process: {sampler.by_process()}")


def run_peer(venv: Path, urls: list[str], start_url: str, tmp: Path) -> list[Cycle]:
    peer = Peer(venv, tmp / "datastore", start_url)
    try:
        first = peer_cycle(peer, urls, first=True)
        unchanged = peer_cycle(peer, urls, first=False)
    finally:
        peer.stop()
    return [first, unchanged]


def page_paths() -> list[str]:
    """The paths of one site's pages: its homepage and its notices."""
    return ["/", *(f"/privacy-{i}.html" for i in range(1, PAGES_PER_SITE))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="500,2000", help="pages in all, comma-separated (10 per site)")
    parser.add_argument("--peer-venv", type=Path, default=None,
                        help="a virtualenv with changedetection.io: run it on the same pages")
    parser.add_argument("--install-peer", action="store_true",
                        help=f"create --peer-venv and pip install changedetection.io=={PEER_VERSION} into it")
    add_bytecode_option(parser)
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    if args.install_peer:
        if args.peer_venv is None:
            parser.error("--install-peer needs --peer-venv DIR")
        install_peer(args.peer_venv)
    use_bytecode_option(args)

    rows = []
    for size in sizes:
        servers = serve(max(1, size // PAGES_PER_SITE), PAGES_PER_SITE)
        pages = len(servers) * PAGES_PER_SITE
        with tempfile.TemporaryDirectory() as tmp:
            ours = run_partywatch(servers, Path(tmp))
        peer = None
        if args.peer_venv is not None:
            with tempfile.TemporaryDirectory() as tmp:
                peer = run_peer(args.peer_venv, [f"{site_url(s)}{path}" for s in servers
                                                 for path in page_paths()],
                                f"{site_url(servers[0])}/robots.txt", Path(tmp))
        for server in servers:
            server.shutdown()
        for index, cycle in enumerate(("first", "unchanged")):
            rows.append((pages, cycle, peer[index] if peer else None, ours[index]))
        print_table(rows)  # after each size, so a long run shows its figures as it goes
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


def cell(cycle: Cycle | None) -> str:
    if cycle is None:
        return "not run (no --peer-venv)"
    return f"{cycle.wall:.1f} s / {cycle.cpu:.1f} s / {cycle.peak_mb:.0f} MB"


def print_table(rows) -> None:
    print("\n| pages | cycle | changedetection.io wall / CPU / peak RSS | `partywatch check` wall / CPU / peak RSS |")
    print("|---|---|---|---|")
    for pages, cycle, peer, ours in rows:
        print(f"| {pages} | {cycle} | {cell(peer)} | {cell(ours)} |")
    for pages, cycle, peer, ours in rows:
        notes = [f"partywatch: {ours.note}"] + ([f"changedetection.io: {peer.note}"] if peer else [])
        print(f"  {pages} {cycle}: {'; '.join(notes)}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()

"""What the benchmarks share: party sites served on 127.0.0.1, and process measurements.

    from loopback import serve, write_parties, sample_tree
    servers = serve(sites=50, pages=10)          # one port per site: partywatch's site is host:port
    write_parties(Path("parties.yaml"), servers)
    ...
    for server in servers:
        server.shutdown()

Each site is a homepage linking to `pages - 1` privacy notices (about 600 words each), plus
a robots.txt. With `Handler.etags` set, pages carry an ETag and a request presenting it
back gets a 304. `Handler` counts requests, 304s and body bytes for the bench to print.
"""

from __future__ import annotations

import os
import sys
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import yaml


def make_site(pages: int) -> dict[str, bytes]:
    """The routes of one site: a homepage, `pages - 1` privacy notices and a robots.txt."""
    links = " ".join(f'<a href="/privacy-{i}.html">Privacy notice part {i}</a>' for i in range(1, pages))
    routes = {"/": f"<html><body><h1>Party</h1>{links}</body></html>".encode(),
              "/robots.txt": b"User-agent: *\nDisallow: /members/\n"}
    for i in range(1, pages):
        body = " ".join(f"<p>Paragraph {j} of privacy notice part {i}: we keep canvassing data "
                        f"for two years.</p>" for j in range(40))
        routes[f"/privacy-{i}.html"] = f"<html><body>{body}</body></html>".encode()
    return routes


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    routes: dict[str, bytes] = {}
    count = 0
    not_modified = 0
    body_bytes = 0
    etags = False  # send ETags and answer 304 when they match
    lock = threading.Lock()

    def log_message(self, *args):
        pass

    def do_GET(self):
        with Handler.lock:
            Handler.count += 1
        body = self.routes.get(self.path)
        status = 200 if body is not None else 404
        body = body if body is not None else b"not found"
        etag = f'"{zlib.crc32(body):x}"'
        if self.etags and status == 200 and self.headers.get("If-None-Match") == etag:
            status, body = 304, b""
        with Handler.lock:
            Handler.not_modified += status == 304
            Handler.body_bytes += len(body)
        self.send_response(status)
        ctype = "text/plain" if self.path.endswith(".txt") else "text/html; charset=utf-8"
        self.send_header("Content-Type", ctype)
        if self.etags:
            self.send_header("ETag", etag)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class SiteServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # a client that drops its kept-alive connections on exit is no error of the site
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def serve(sites: int, pages: int) -> list[ThreadingHTTPServer]:
    """Start `sites` servers of the same site on 127.0.0.1, each on a port of its own."""
    Handler.routes = make_site(pages)
    servers = []
    for _ in range(sites):
        server = SiteServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
    return servers


def site_url(server: ThreadingHTTPServer) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}"


def write_parties(path: Path, servers) -> None:
    """A parties.yaml with one party per server, known by its homepage only."""
    parties = [{"id": f"party-{i:03d}", "name": f"Party {i}", "jurisdiction": "GB",
                "homepage": f"{site_url(s)}/"} for i, s in enumerate(servers)]
    path.write_text(yaml.safe_dump({"parties": parties}), encoding="utf-8")


def tree_pids(pid: int) -> list[int]:
    """A process and all its descendants (threads' children too), leaving out a child caught
    between fork and exec: it still runs its parent's command and shares its parent's pages
    (vfork: the same ones), so counting it would count the parent twice (a 60 MB "peak" that
    lasts a millisecond). None of the measured tools forks workers that keep the command."""
    pids, stack = [], [pid]
    while stack:
        current = stack.pop()
        pids.append(current)
        own = _cmdline(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children", encoding="ascii") as children:
                    stack.extend(child for child in map(int, children.read().split()) if _cmdline(child) != own)
        except (FileNotFoundError, ProcessLookupError, ValueError):
            continue
    return pids


def _cmdline(pid: int) -> bytes:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            return cmdline.read()
    except (FileNotFoundError, ProcessLookupError):
        return b""


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            return next((int(line.split()[1]) for line in status if line.startswith("VmRSS:")), 0)
    except (FileNotFoundError, ProcessLookupError, ValueError):
        return 0


def tree_rss_kb(pid: int) -> int:
    """RSS of a process and all its descendants, in kB (0 once it has gone)."""
    return sum(_rss_kb(p) for p in tree_pids(pid))


def _command(pid: int) -> str:
    words = _cmdline(pid).split(b"\0")
    if not words[0]:
        return "?"
    # "python -m spiders.crawl" reads better than the interpreter's path
    return " ".join(os.path.basename(w.decode(errors="replace")) for w in words[:3] if w)


_TICKS = os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU time so far of a running process and its live descendants
    (their threads included; children already reaped count in their parent's cutime)."""
    total = 0
    for current in tree_pids(pid):
        try:
            with open(f"/proc/{current}/stat", encoding="ascii") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            total += sum(int(v) for v in fields[11:15])  # utime stime cutime cstime
        except (FileNotFoundError, ProcessLookupError, ValueError, IndexError):
            continue
    return total / _TICKS


class TreeSampler(threading.Thread):
    """The peak RSS of a process tree, sampled every `interval` seconds until stopped.

        sampler = TreeSampler(pid)
        ...                      # the work being measured
        peak_mb = sampler.stop()
    """

    def __init__(self, pid: int, interval: float = 0.02):
        super().__init__(name="rss-sampler", daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_kb = 0
        self.process_peaks_kb: dict[int, tuple[str, int]] = {}  # pid: (command, its own peak)
        self._stopped = threading.Event()
        self.start()

    def run(self) -> None:
        while not self._stopped.is_set():
            total = 0
            for pid in tree_pids(self.pid):
                rss = _rss_kb(pid)
                total += rss
                peak = self.process_peaks_kb.get(pid, ("", 0))[1]
                if rss:
                    self.process_peaks_kb[pid] = (_command(pid), max(peak, rss))
            self.peak_kb = max(self.peak_kb, total)
            time.sleep(self.interval)

    def stop(self) -> float:
        self._stopped.set()
        self.join()
        return self.peak_kb / 1024

    def by_process(self) -> str:
        """Each process's own peak: "check 180 MB, spiders.crawl 120 MB"."""
        return ", ".join(f"{command} {kb / 1024:.0f} MB" for command, kb in self.process_peaks_kb.values())


# partywatch's own packages; the rest of what a check loads comes from site-packages, which
# pip compiled to bytecode when it installed them.
PARTYWATCH_PACKAGES = ("partywatch", "scoring", "spiders", "history", "bot")


def _partywatch_sources() -> list[Path]:
    root = Path(__file__).resolve().parents[1]
    return [path for package in PARTYWATCH_PACKAGES for path in (root / package).rglob("*.py")]


def bytecode_state() -> str:
    """Whether the `partywatch` a bench runs reads its own modules from bytecode or compiles
    them from source in every process, which costs a check ~0.1-0.2 s of CPU.

    An editable install (`pip install -e`, the README's) leaves partywatch's modules as
    sources; Python then writes their bytecode on first use, unless PYTHONDONTWRITEBYTECODE
    is set, as it is on some machines and containers. A `pip install` without -e compiles
    them, as it does every dependency."""
    from importlib.util import cache_from_source

    sources = _partywatch_sources()
    fresh = sum(1 for source in sources
                if Path(cache_from_source(source)).is_file()
                and Path(cache_from_source(source)).stat().st_mtime >= source.stat().st_mtime)
    if fresh == len(sources):
        return "partywatch's modules are read from bytecode"
    if os.environ.get("PYTHONDONTWRITEBYTECODE"):
        return (f"partywatch's modules are compiled from source in every process ({len(sources) - fresh} of "
                f"{len(sources)} have no bytecode and PYTHONDONTWRITEBYTECODE is set; --bytecode compiles them "
                f"once, as a pip install without -e does)")
    return f"{len(sources) - fresh} of {len(sources)} partywatch modules are compiled on first use, then read from bytecode"


def compile_partywatch() -> None:
    """Write the bytecode of partywatch's own modules, as `pip install` without -e would."""
    import py_compile

    for source in _partywatch_sources():
        py_compile.compile(str(source), doraise=True)


def add_bytecode_option(parser) -> None:
    """--bytecode, for a bench that runs `partywatch` (see bytecode_state)."""
    parser.add_argument("--bytecode", action="store_true",
                        help="compile partywatch's modules to bytecode first, as a pip install without -e does")


def use_bytecode_option(args) -> None:
    """Compile if --bytecode asked for it, then print whether partywatch's modules are read
    from bytecode: a figure is read knowing which."""
    if args.bytecode:
        compile_partywatch()
    print(bytecode_state())

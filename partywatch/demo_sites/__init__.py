"""Sample party sites for `partywatch demo`, served on 127.0.0.1 from this package.

Four fictional parties whose notices range from thorough (Open Future) to evasive
(Heritage First), with a PDF notice, a supplier list, cookie policies and robots.txt
files, so the demo's scorecards differ and every part of the crawl is exercised.

    with serve_demo_sites() as sites:          # {site id: "http://127.0.0.1:PORT"}
        write_parties_yaml(sites, "parties.yaml")
"""

from __future__ import annotations

import contextlib
import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Iterator

import yaml

# id, site folder, name, jurisdiction, documents known in advance (path, kind)
DEMO_PARTIES = [
    ("open-future", "open_future", "Open Future Party", "GB", []),
    ("civic-alliance", "civic_alliance", "Civic Alliance", "GB-ENG", []),
    ("heritage-first", "heritage_first", "Heritage First", "GB", []),
    ("northern-voice", "northern_voice", "Northern Voice", "GB-SCT",
     [("/data-protection.html", "privacy_notice")]),
]


class _QuietHandler(SimpleHTTPRequestHandler):
    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".pdf": "application/pdf",
                      ".html": "text/html; charset=utf-8", ".txt": "text/plain; charset=utf-8"}

    def log_message(self, *args):
        pass


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass


@contextlib.contextmanager
def serve_demo_sites() -> Iterator[dict[str, str]]:
    """Serve each sample site on its own 127.0.0.1 port; yield {site folder: root URL}."""
    servers = []
    with contextlib.ExitStack() as stack:
        root = stack.enter_context(resources.as_file(resources.files(__name__)))
        try:
            for _, folder, *_ in DEMO_PARTIES:
                handler = functools.partial(_QuietHandler, directory=str(Path(root) / folder))
                server = _QuietServer(("127.0.0.1", 0), handler)
                threading.Thread(target=server.serve_forever, daemon=True).start()
                servers.append((folder, server))
            yield {folder: f"http://127.0.0.1:{server.server_address[1]}" for folder, server in servers}
        finally:
            for _, server in servers:
                server.shutdown()
                server.server_close()


def write_parties_yaml(sites: dict[str, str], path: str | Path) -> Path:
    """A parties.yaml for the served sample sites."""
    parties = []
    for party_id, folder, name, jurisdiction, documents in DEMO_PARTIES:
        entry = {"id": party_id, "name": name, "jurisdiction": jurisdiction,
                 "homepage": sites[folder] + "/"}
        if documents:
            entry["documents"] = [{"url": sites[folder] + p, "kind": k} for p, k in documents]
        parties.append(entry)
    path = Path(path)
    path.write_text("# Written by `partywatch demo` for its sample sites.\n"
                    + yaml.safe_dump({"parties": parties}, sort_keys=False), encoding="utf-8")
    return path

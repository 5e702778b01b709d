"""A fake Wayback-Machine-compatible archive on 127.0.0.1 for archive-fallback tests.

    archive = FakeArchive({"http://127.0.0.1:8001/privacy": ("20250301120000", b"<html>...", "text/html")})
    archive.start()          # archive.root -> http://127.0.0.1:PORT
    archive.fail_with = 503  # every answer an error from now on
    archive.requests         # [(path, query dict)]

It serves the two calls partywatch makes: the availability lookup
`/wayback/available?url=URL` (JSON with archived_snapshots.closest, or an empty
archived_snapshots when it holds no copy) and the raw copy `/web/{timestamp}id_/{url}`.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class FakeArchive:
    def __init__(self, copies: dict[str, tuple[str, bytes, str]] | None = None):
        self.copies = dict(copies or {})  # url -> (timestamp, body, content type)
        self.fail_with: int | None = None
        self.requests: list[tuple[str, dict]] = []
        self.server: ThreadingHTTPServer | None = None

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> "FakeArchive":
        archive = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                status, body, content_type = archive._answer(self.path)
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def _answer(self, raw_path: str) -> tuple[int, bytes, str]:
        parts = urlsplit(raw_path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        self.requests.append((parts.path, query))
        if self.fail_with:
            return self.fail_with, b"<html><body>Service unavailable</body></html>", "text/html"
        if parts.path == "/wayback/available":
            url = query.get("url", "")
            found = self.copies.get(url)
            snapshots = {} if found is None else {"closest": {
                "status": "200", "available": True, "timestamp": found[0],
                "url": f"{self.root}/web/{found[0]}/{url}"}}
            return 200, json.dumps({"url": url, "archived_snapshots": snapshots}).encode(), "application/json"
        prefix = "/web/"
        if raw_path.startswith(prefix) and "id_/" in raw_path:
            timestamp, _, url = raw_path[len(prefix):].partition("id_/")
            found = self.copies.get(url)
            if found and found[0] == timestamp:
                return 200, found[1], found[2]
        return 404, b"<html><body>Not in the archive</body></html>", "text/html"

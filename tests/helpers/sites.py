"""Fixture party sites for crawl tests: real HTTP servers on 127.0.0.1, one port each.

    site = FixtureSite({"/": page('<a href="/privacy">Privacy notice</a>'),
                        "/privacy": page("We keep data for 2 years."),
                        "/robots.txt": text("User-agent: *\\nDisallow: /secret\\n")})
    site.start()
    ... crawl site.url("/") ...
    assert "/secret" not in site.paths()
    site.stop()

A route is a Response, or a callable taking the request count of that path (1 for the
first request) and returning one, so a page can fail and then recover or change over time.
Routes can be replaced while the server runs (`site.routes["/x"] = ...`). A response
made `conditional(...)` carries an ETag / Last-Modified and answers 304 when a request
presents them back; `site.headers` and `site.not_modified` show what was asked and answered.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Union


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    headers: dict = field(default_factory=dict)
    # Stream this many bytes of filler after `body` (an oversized response).
    stream_bytes: int = 0
    declare_length: bool = True
    delay: float = 0.0  # seconds to wait before answering (a slow server)
    # Validators: sent as ETag / Last-Modified, and a request that presents them back
    # (If-None-Match, else If-Modified-Since) gets 304 Not Modified with no body.
    etag: str | None = None
    last_modified: str | None = None

    def not_modified_for(self, request_headers) -> bool:
        if self.etag and request_headers.get("If-None-Match") is not None:
            return request_headers["If-None-Match"] == self.etag
        return bool(self.last_modified) and request_headers.get("If-Modified-Since") == self.last_modified


# Neutral text about a party that answers no rubric question: it makes a short fixture
# notice long enough to be scored (partywatch grades no notice of fewer than 150 words).
ABOUT_THE_PARTY = (
    "<h2>About the party</h2>"
    "<p>The party was founded in 1990 by people from towns and villages across the region. "
    "Our branches meet each month in town halls, libraries and church halls. "
    "Members choose our candidates and vote on our policies at the spring and autumn conferences.</p>"
    "<p>We campaign on local issues such as buses, housing, schools, parks and the high street. "
    "Our newsletter comes out four times a year and is written by volunteers in each branch. "
    "Anyone who shares our values is welcome to come along to a branch meeting and find out more.</p>"
    "<p>Our councillors hold surgeries on the first Saturday of every month. "
    "The annual report sets out what our councillors have done, "
    "including the motions they proposed and the way they voted on the budget. "
    "Our conference agenda is published six weeks before each conference, "
    "and motions can be submitted by any branch with the support of ten members.</p>"
    "<p>The party is organised in twelve regions, each with its own committee, treasurer and secretary. "
    "Regional committees are elected at a general meeting open to every member of the region.</p>"
)


def page(body: str, status: int = 200) -> Response:
    html = body if body.lstrip().startswith("<") else f"<p>{body}</p>"
    return Response(status, f"<html><body>{html}</body></html>".encode(),
                    {"Content-Type": "text/html; charset=utf-8"})


def text(body: str, content_type: str = "text/plain") -> Response:
    return Response(200, body.encode(), {"Content-Type": content_type})


def pdf(data: bytes) -> Response:
    return Response(200, data, {"Content-Type": "application/pdf"})


def conditional(response: Response, etag: str | None = None,
                last_modified: str | None = None) -> Response:
    """`response` with validators: answers 304 to a request that presents them back."""
    return replace(response, etag=etag, last_modified=last_modified)


def redirect(location: str, status: int = 301) -> Response:
    return Response(status, b"", {"Location": location})


def oversized(size: int, declare_length: bool = True) -> Response:
    return Response(200, b"<html><body>", {"Content-Type": "text/html"}, stream_bytes=size,
                    declare_length=declare_length)


def fails_then(response: Response, failures: int, status: int = 500) -> Callable[[int], Response]:
    """`failures` responses with `status`, then `response`."""
    return lambda count: Response(status, b"try again") if count <= failures else response


Route = Union[Response, Callable[[int], Response]]


class FixtureSite:
    def __init__(self, routes: dict[str, Route] | None = None):
        self.routes: dict[str, Route] = dict(routes or {})
        self.log: list[tuple[str, str, float]] = []  # (path, user agent, time.monotonic())
        self.incomplete: list[str] = []  # paths whose body the client stopped reading
        self.headers: list[tuple[str, dict]] = []  # (path, the request's headers)
        self.not_modified: list[str] = []  # paths answered 304 Not Modified
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()
        self.server: ThreadingHTTPServer | None = None

    # -- life cycle ------------------------------------------------------------------------
    def start(self) -> "FixtureSite":
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep test output clean
                pass

            def do_GET(self):
                site._serve(self)

        class Server(ThreadingHTTPServer):
            def handle_error(self, request, client_address):
                pass  # a client hanging up (the size cap at work) is not a test failure

        self.server = Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str = "/") -> str:
        return self.root + path

    def paths(self) -> list[str]:
        with self._lock:
            return [entry[0] for entry in self.log]

    def times(self, prefix: str = "/") -> list[float]:
        """When each request for a path starting with `prefix` arrived (monotonic clock)."""
        with self._lock:
            return [t for path, _, t in self.log if path.startswith(prefix)]

    # -- serving ---------------------------------------------------------------------------
    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        path = handler.path
        with self._lock:
            self.log.append((path, handler.headers.get("User-Agent", ""), time.monotonic()))
            self._counts[path] = count = self._counts.get(path, 0) + 1
            self.headers.append((path, dict(handler.headers.items())))
        route = self.routes.get(path.split("?")[0])
        if route is None:
            response = Response(404, b"<html><body>Not found</body></html>", {"Content-Type": "text/html"})
        elif callable(route):
            response = route(count)
        else:
            response = route
        if response.delay:
            time.sleep(response.delay)
        validators = {name: value for name, value in (("ETag", response.etag),
                                                     ("Last-Modified", response.last_modified)) if value}
        if response.not_modified_for(handler.headers):
            with self._lock:
                self.not_modified.append(path)
            response = Response(304, b"", validators)
        else:
            response = replace(response, headers={**response.headers, **validators})
        try:
            handler.send_response(response.status)
            for name, value in response.headers.items():
                handler.send_header(name, value)
            total = len(response.body) + response.stream_bytes
            if response.declare_length:
                handler.send_header("Content-Length", str(total))
            else:
                handler.send_header("Connection", "close")
                handler.close_connection = True
            handler.end_headers()
            handler.wfile.write(response.body)
            chunk = b"x" * 65536
            left = response.stream_bytes
            while left > 0:
                handler.wfile.write(chunk[:left])
                left -= len(chunk)
            handler.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            with self._lock:
                self.incomplete.append(path)

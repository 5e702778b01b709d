"""The party spider: fetch each party's known documents and discover the others.

For every party it requests the homepage, the document URLs from parties.yaml and every
document already in the history (so a document that vanished from the site's links is
still checked and flagged). From the homepage it follows links that look like privacy
notices, supplier lists, cookie policies, transparency pages or imprints, up to
DISCOVERY_DEPTH. It yields one item per document fetch — raw bytes or the error — and
never parses the document's text: that is the scoring pipeline's job. A response that is a
bot-protection challenge or a JavaScript shell (spiders.pagecheck) is yielded as a failure
with status `blocked` or `unreadable`, so it never becomes a snapshot.
"""

from __future__ import annotations

import re
from urllib.parse import urldefrag

import scrapy
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import DownloadCancelledError, IgnoreRequest
from scrapy.linkextractors import LinkExtractor
from scrapy.spidermiddlewares.httperror import HttpError

from spiders.discovery import classify
from spiders.hosts import AllowedHosts, host_key
from spiders.items import DocumentFetch
from spiders.middlewares import HostNotAllowed
from spiders.pagecheck import PageChecks
from spiders.progress import emit
from spiders.render import RenderGuard
from spiders.settings import DISCOVERY_DEPTH

STORED_TYPES = ("text/html", "application/xhtml+xml", "application/pdf", "text/plain")
HTML_TYPES = ("text/html", "application/xhtml+xml")
# The start of an element the link extractor reads links from (<a>, <area>). A page without
# one has none to follow; parsing it whole to find that out was most of its crawl cost.
_LINK_TAG = re.compile(r"<(?:a|area)[\s/>]", re.I)


def _content_type(response) -> tuple[str, str]:
    """(media type, the full Content-Type to store: its charset matters for extraction)."""
    value = (response.headers.get(b"Content-Type") or b"").decode("latin-1").strip()
    media = value.split(";")[0].strip().lower()
    if not media:
        media = "application/pdf" if response.body[:5] == b"%PDF-" else "text/html"
        value = media
    return media, value


def _may_have_links(response) -> bool:
    text = getattr(response, "text", None)  # None: not a text response; the extractor decides
    return text is None or _LINK_TAG.search(text) is not None


def _validators(response) -> tuple[str | None, str | None]:
    """The response's (ETag, Last-Modified), to make the next request for it conditional."""
    def header(name: bytes) -> str | None:
        value = response.headers.get(name)
        return value.decode("latin-1").strip() or None if value else None
    return header(b"ETag"), header(b"Last-Modified")


def conditional_headers(etag: str | None, last_modified: str | None) -> dict[str, str]:
    """If-None-Match / If-Modified-Since for the stored copy's validators (RFC 9110 13.1)."""
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


def describe_failure(failure, maxsize: int, timeout: float) -> tuple[int | None, str]:
    """(HTTP status or None, a short error a maintainer understands) for a failed request."""
    exc = failure.value
    name = type(exc).__name__
    if isinstance(exc, HttpError):
        status = exc.response.status
        return status, f"HTTP {status}"
    if isinstance(exc, DownloadCancelledError):  # only the size cap cancels our downloads
        return None, f"response larger than the size cap of {maxsize:,} bytes; not stored"
    if "Timeout" in name or "TimedOut" in name:
        return None, f"timed out after {timeout:g} s"
    if "Resolve" in name or "DNS" in name:
        return None, "host name not found"
    if "Refused" in name:
        return None, "connection refused"
    if isinstance(exc, HostNotAllowed):
        return None, str(exc)
    text = str(exc).strip()
    if type(exc).__module__.startswith("playwright"):  # a rendered page: its first line says it
        return None, f"rendering failed: {text.splitlines()[0] if text else name}"
    return None, f"{name}: {text}" if text else name


class PartySpider(scrapy.Spider):
    """Crawl the parties given as `parties` (dicts: id, homepage, render, documents[url, kind,
    render]). A party's pages are rendered in Chromium when its `render` is true, except for
    documents whose own `render` says otherwise (see spiders.render)."""

    name = "party"

    def __init__(self, parties: list[dict], known_documents: dict[str, list[tuple[str, str]]] | None = None,
                 validators: dict[tuple[str, str], tuple[str | None, str | None]] | None = None,
                 **kwargs):
        super().__init__(**kwargs)
        self.parties = parties
        self.known_documents = known_documents or {}
        # (party, url) -> (ETag, Last-Modified) of the stored copy: asked as a conditional request.
        self.validators = validators or {}
        self.allowed_hosts = {
            p["id"]: AllowedHosts.from_urls([p["homepage"], *(d["url"] for d in p.get("documents", []))])
            for p in parties
        }
        self.named_hosts = set().union(*(a.named for a in self.allowed_hosts.values()))
        self._seen: set[tuple[str, str]] = set()
        self.link_extractor = LinkExtractor(deny_extensions=[], unique=True, canonicalize=False)
        self.page_checks: PageChecks | None = None  # from the crawler's settings
        self._robots: RobotsTxtMiddleware | None = None
        self.render_party = {p["id"]: bool(p.get("render")) for p in parties}
        self.render_document = {(p["id"], urldefrag(d["url"])[0]): d["render"]
                                for p in parties for d in p.get("documents", [])
                                if d.get("render") is not None}

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.page_checks = PageChecks.from_settings(crawler.settings)
        return spider

    def _verdict(self, response, media: str | None):
        is_document = response.meta["kind"] is not None
        return self.page_checks.check(response.status, response.headers, response.body,
                                      is_html=media in HTML_TYPES, is_document=is_document)

    def _request(self, party: str, url: str, kind: str | None, depth: int, source: str):
        url = urldefrag(url)[0]
        if (party, url) in self._seen:
            return None
        self._seen.add((party, url))
        meta = {"party_id": party, "document_url": url, "kind": kind, "depth": depth,
                "source": source, "download_slot": host_key(url)}
        headers = {}
        if self.render_document.get((party, url), self.render_party.get(party)):
            meta.update(self._render_meta(party))
        # Only a document has a stored copy to keep (a page crawled for its links is read
        # whole), and only a plain fetch can be answered "not modified".
        elif kind:
            headers = conditional_headers(*self.validators.get((party, url), (None, None)))
            if headers:
                meta["handle_httpstatus_list"] = [304]  # "not modified" is an answer, not an error
        return scrapy.Request(
            url,
            callback=self.parse_page,
            errback=self.failed,
            headers=headers,
            dont_filter=True,  # deduplicated per party above; two parties may share a URL
            meta=meta,
        )

    def _render_meta(self, party: str) -> dict:
        """Meta that has scrapy-playwright render the page, every request of it guarded."""
        settings = self.settings
        guard = RenderGuard(self.allowed_hosts[party], self._robot_parser,
                            user_agent=settings.get("USER_AGENT"),
                            maxsize=settings.getint("DOWNLOAD_MAXSIZE"),
                            timeout=settings.getfloat("DOWNLOAD_TIMEOUT"),
                            max_redirects=settings.getint("REDIRECT_MAX_TIMES"),
                            stats=self.crawler.stats)
        # Wait until the page's own fetches have settled: that is when scripts have written it.
        return {"playwright": True, "playwright_page_init_callback": guard.install,
                "playwright_page_goto_kwargs": {"wait_until": "networkidle"}}

    async def _robot_parser(self, url: str):
        """robots.txt of the URL's host, as scrapy's own middleware fetched and parsed it."""
        if not self.settings.getbool("ROBOTSTXT_OBEY"):
            return None
        if self._robots is None:
            self._robots = next(m for m in self.crawler.engine.downloader.middleware.middlewares
                                if isinstance(m, RobotsTxtMiddleware))
        return await self._robots.robot_parser(scrapy.Request(url))

    async def start(self):
        count = 0
        requests = []
        for party in self.parties:
            pid = party["id"]
            requests.append(self._request(pid, party["homepage"], None, 0, "homepage"))
            for doc in party.get("documents", []):
                requests.append(self._request(pid, doc["url"], doc.get("kind", "privacy_notice"), 1,
                                              "parties.yaml"))
            for url, kind in self.known_documents.get(pid, []):
                requests.append(self._request(pid, url, kind, 1, "history"))
        requests = [r for r in requests if r is not None]
        count = len(requests)
        emit("start", parties=[p["id"] for p in self.parties], requests=count)
        for request in requests:
            yield request

    def parse_page(self, response):
        meta = response.meta
        if response.status == 304:  # only asked for a document with a stored copy
            yield DocumentFetch(meta["party_id"], meta["document_url"], meta["kind"], 304,
                                not_modified=True, validators=_validators(response))
            return
        media, content_type = _content_type(response)
        verdict = self._verdict(response, media)
        if verdict is not None:
            yield from self._refused(meta, response.status, verdict)
            return
        if meta["kind"] is not None:
            if media in STORED_TYPES:
                yield DocumentFetch(meta["party_id"], meta["document_url"], meta["kind"], response.status,
                                    raw=response.body, content_type=content_type,
                                    validators=_validators(response),
                                    rendered="playwright" in response.flags)
            else:
                yield self._failure_item(meta, response.status, f"unsupported content type {media!r}")
        if media in HTML_TYPES and meta["depth"] < DISCOVERY_DEPTH and _may_have_links(response):
            yield from self._follow(response)

    def _follow(self, response):
        party = response.meta["party_id"]
        allowed = self.allowed_hosts[party]
        for link in self.link_extractor.extract_links(response):
            kind = classify(link.text or "", link.url)
            if kind is None or not allowed.may_follow(link.url):
                continue
            request = self._request(party, link.url, kind, response.meta["depth"] + 1, response.url)
            if request is not None:
                yield request

    def _failure_item(self, meta, status, error, document_status=None) -> DocumentFetch:
        return DocumentFetch(meta["party_id"], meta["document_url"], meta["kind"], status,
                             error=error, status=document_status)

    def _refused(self, meta, http_status, verdict):
        """A challenge page or a JavaScript shell: recorded as such, never stored."""
        if meta["kind"] is None:  # a homepage: nothing to store, nothing to follow
            emit("page_failed", party=meta["party_id"], url=meta["document_url"],
                 http_status=http_status, error=verdict.reason, status=verdict.status)
            return
        yield self._failure_item(meta, http_status, verdict.reason, verdict.status)

    def failed(self, failure):
        meta = failure.request.meta
        party, url = meta["party_id"], meta["document_url"]
        redirected = bool(meta.get("redirect_urls"))
        if (failure.check(IgnoreRequest) and not failure.check(HttpError)
                and not (failure.check(HostNotAllowed) and redirected)):
            # Never requested (robots.txt or a host the party may not use): not a fetch.
            emit("skipped", party=party, url=url, reason=str(failure.value) or "forbidden by robots.txt")
            return
        if failure.check(HttpError):
            response = failure.value.response
            verdict = self._verdict(response, _content_type(response)[0])
            if verdict is not None:
                yield from self._refused(meta, response.status, verdict)
                return
        status, error = describe_failure(
            failure, self.settings.getint("DOWNLOAD_MAXSIZE"), self.settings.getfloat("DOWNLOAD_TIMEOUT")
        )
        if meta["kind"] is None:
            emit("page_failed", party=party, url=url, http_status=status, error=error)
            return
        yield self._failure_item(meta, status, error)

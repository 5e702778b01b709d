"""Archived copies: when a party's document cannot be fetched, score a web archive's copy.

    archive = WaybackArchive("https://web.archive.org")
    copy = archive.latest("https://party.example/privacy")   # None when it holds no copy
    lookups = archive_fallback(engine, run_id=7, party_ids=["alpha"], archive=archive)

The archive is any Wayback-Machine-compatible one: its availability API
(`/wayback/available?url=URL` answers with the closest capture's timestamp, the latest
when no timestamp is asked for) and its raw-content URLs (`/web/{timestamp}id_/{url}`
returns the page as it was captured, without the archive's toolbar or rewritten links).

A copy is stored as a snapshot with provenance `archived` and the archive's timestamp,
and only when it is newer than the copy the history already has: an archive's copy of
last year never replaces yesterday's fetch. The document's status stays what the crawl
found (failing sites keep alerting the admins); scorecards, JSON, the bot and the report
say the text is "from an archived copy of DATE".
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from typing import Sequence

from sqlalchemy import Engine, select

from history.db import transaction
from history.models import DocumentRow
from history.store import current_snapshot, record_fetch
from partywatch.progress import Kind, Reporter, report

DEFAULT_ARCHIVE_URL = "https://web.archive.org"
ARCHIVE_URL_ENV = "PARTYWATCH_ARCHIVE_URL"
ARCHIVE_FALLBACK_ENV = "PARTYWATCH_ARCHIVE_FALLBACK"
# What the crawl stores; an archive's copy of anything else is not a notice.
STORED_TYPES = ("text/html", "application/xhtml+xml", "application/pdf", "text/plain")
# Document statuses that send a document to the archive: failing, or answered with a
# challenge page or a JavaScript shell.
FALLBACK_STATUSES = ("failed", "blocked", "unreadable")


def needs_fallback(status: str) -> bool:
    """Whether a document in this status should be looked up in the archive."""
    return status in FALLBACK_STATUSES


def fallback_enabled_by_setting() -> bool:
    """PARTYWATCH_ARCHIVE_FALLBACK=1 (or true/yes/on) turns it on for every party."""
    return os.environ.get(ARCHIVE_FALLBACK_ENV, "").strip().lower() in ("1", "true", "yes", "on")


class ArchiveError(Exception):
    """The archive could not be asked or answered nonsense; the message says which."""


@dataclass
class ArchivedCopy:
    url: str
    captured_at: datetime  # the archive's timestamp, UTC
    raw: bytes
    content_type: str


class _StayOnTheArchive(urllib.request.HTTPRedirectHandler):
    """Follow the archive's redirects (to the nearest capture) but never off its host."""

    def __init__(self, netloc: str):
        self.netloc = netloc

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if urllib.parse.urlsplit(newurl).netloc != self.netloc:
            raise ArchiveError(f"the archive redirected off its host, to {newurl}")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


class WaybackArchive:
    def __init__(self, base_url: str | None = None, *, timeout: float | None = None,
                 maxsize: int | None = None):
        from spiders.settings import USER_AGENT, crawl_settings

        settings = crawl_settings()  # the crawl's time and size limits apply here too
        self.base_url = (base_url or os.environ.get(ARCHIVE_URL_ENV) or DEFAULT_ARCHIVE_URL).rstrip("/")
        self.timeout = timeout or settings["DOWNLOAD_TIMEOUT"]
        self.maxsize = maxsize or settings["DOWNLOAD_MAXSIZE"]
        self.user_agent = USER_AGENT
        self._opener = urllib.request.build_opener(
            _StayOnTheArchive(urllib.parse.urlsplit(self.base_url).netloc))

    def _get(self, url: str) -> tuple[bytes, str]:
        request = urllib.request.Request(url, headers={"User-Agent": self.user_agent})
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                body = response.read(self.maxsize + 1)
                content_type = response.headers.get("Content-Type") or ""
        except urllib.error.HTTPError as exc:
            raise ArchiveError(f"the archive answered HTTP {exc.code} for {url}") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise ArchiveError(f"cannot reach the archive at {self.base_url} ({reason})") from exc
        if len(body) > self.maxsize:
            raise ArchiveError(f"the archived copy is larger than the size cap of {self.maxsize:,} bytes")
        return body, content_type

    def latest_timestamp(self, url: str) -> str | None:
        """The archive's timestamp (YYYYMMDDhhmmss) of its latest good capture of `url`."""
        query = urllib.parse.urlencode({"url": url})
        body, _ = self._get(f"{self.base_url}/wayback/available?{query}")
        try:
            closest = (json.loads(body).get("archived_snapshots") or {}).get("closest") or {}
        except (ValueError, AttributeError) as exc:
            raise ArchiveError("the archive's availability answer is not the JSON expected") from exc
        if not closest.get("available") or str(closest.get("status", "200")) != "200":
            return None
        timestamp = str(closest.get("timestamp") or "")
        if not (timestamp.isdigit() and len(timestamp) == 14):
            raise ArchiveError(f"the archive gave no usable timestamp ({timestamp!r})")
        return timestamp

    def latest(self, url: str) -> ArchivedCopy | None:
        """The archive's latest copy of `url` as captured, or None when it has none."""
        timestamp = self.latest_timestamp(url)
        if timestamp is None:
            return None
        raw, content_type = self._get(f"{self.base_url}/web/{timestamp}id_/{url}")
        media = content_type.split(";")[0].strip().lower()
        if media not in STORED_TYPES:
            raise ArchiveError(f"the archived copy is {media or 'of no stated type'}, not HTML, PDF or text")
        return ArchivedCopy(url, datetime.strptime(timestamp, "%Y%m%d%H%M%S"), raw, content_type)


@dataclass
class Lookup:
    """What the archive gave for one document: `stored`, `no copy`, `not newer` or `error`."""
    party_id: str
    url: str
    result: str
    detail: str

    def to_dict(self) -> dict:
        return {"party": self.party_id, "url": self.url, "result": self.result, "detail": self.detail}


def _store(engine: Engine, document_id: int, run_id: int | None, copy: ArchivedCopy) -> Lookup:
    with transaction(engine) as session:
        document = session.get(DocumentRow, document_id)
        current = current_snapshot(session, document_id)
        have = current and (current.captured_at or current.fetched_at)
        if have and have >= copy.captured_at:
            return Lookup(document.party_id, document.url, "not newer",
                          f"the archive's copy of {copy.captured_at:%Y-%m-%d} is not newer than "
                          f"the stored one of {have:%Y-%m-%d}")
        outcome = record_fetch(session, document, run_id=run_id, http_status=200, raw=copy.raw,
                               content_type=copy.content_type, provenance="archived",
                               captured_at=copy.captured_at)
        return Lookup(document.party_id, document.url, "stored",
                      f"{outcome.snapshot.source_note or 'an archived copy'} (snapshot {outcome.snapshot.id})")


def archive_fallback(engine: Engine, *, run_id: int | None, party_ids: Sequence[str],
                     archive: WaybackArchive, progress: Reporter | None = None
                     ) -> list[Lookup]:
    """Ask the archive for every document of these parties that needs_fallback()."""
    with transaction(engine) as session:
        wanted = [(d.id, d.party_id, d.url) for d in session.scalars(
            select(DocumentRow).where(DocumentRow.party_id.in_(list(party_ids))).order_by(DocumentRow.id))
            if needs_fallback(d.status)]
    lookups = []
    for document_id, party_id, url in wanted:
        try:
            copy = archive.latest(url)
        except ArchiveError as exc:
            lookup = Lookup(party_id, url, "error", str(exc))
        else:
            lookup = (Lookup(party_id, url, "no copy", "the archive holds no copy") if copy is None
                      else _store(engine, document_id, run_id, copy))
        lookups.append(lookup)
        report(progress, Kind.ARCHIVE, f"archive {party_id} {url}: {lookup.result}: {lookup.detail}")
    return lookups

"""Store a copy of a party's document saved by hand (`partywatch import`).

Some party sites answer a crawler with a challenge page, or build their notice with
JavaScript; a person with a browser can still save the page. The saved file becomes a
snapshot of that document with provenance `imported` (and the date it was saved), is
deduplicated by content hash like a fetched one, and the next `check` scores it: a
document whose fetches fail keeps its last good copy, and this is now it.

Everything is checked before anything is written: an unknown party, a URL that is not on
the party's hosts, a file that cannot be read or holds no text is an ImportRefused with a
one-line reason, and the history is left as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, select

from history.db import transaction
from history.models import DocumentRow, utcnow
from history.store import get_or_create_document, record_fetch, sync_parties
from partywatch.parties import PartiesError, PartyEntry, load_parties, select_parties
from spiders.hosts import AllowedHosts

# What a hand-saved copy may be, by file name; the content type is what extraction reads.
CONTENT_TYPES = {".html": "text/html", ".htm": "text/html", ".xhtml": "application/xhtml+xml",
                 ".pdf": "application/pdf", ".txt": "text/plain", ".md": "text/plain"}


class ImportRefused(Exception):
    """The copy was not stored; the message says why and what to fix."""


@dataclass
class ImportResult:
    party_id: str
    url: str
    kind: str
    snapshot_id: int
    new_content: bool  # False: the document's current copy already had this content


def _party(parties_path, party_id: str) -> PartyEntry:
    try:
        return select_parties(load_parties(parties_path), (party_id,))[0]
    except PartiesError as exc:
        raise ImportRefused(str(exc)) from exc


def check_url_is_the_partys(party: PartyEntry, url: str) -> None:
    """The same hosts the crawl may visit: the party's homepage and document hosts and
    their subdomains (no address check: nothing is fetched from the URL)."""
    allowed = AllowedHosts.from_urls([party.homepage, *(d.url for d in party.documents)])
    if allowed.decide(url) == "no":
        hosts = ", ".join(sorted(allowed.named))
        raise ImportRefused(f"{url} is not on a host of party {party.id!r} ({hosts}); "
                            f"add the document to parties.yaml first if the party moved it")


def read_copy(path: Path, url: str) -> tuple[bytes, str, str]:
    """(raw bytes, content type, extracted text) of a saved file that holds text."""
    from scoring.files import UnreadableFile, read_document_file

    content_type = CONTENT_TYPES.get(path.suffix.lower())
    if content_type is None:
        raise ImportRefused(f"{path}: unsupported file type {path.suffix or '(none)'!r} "
                            f"(use {', '.join(sorted(CONTENT_TYPES))})")
    try:
        raw, text = read_document_file(path, content_type, url)
    except UnreadableFile as exc:
        raise ImportRefused(f"{path}: {exc}") from exc
    if not text.strip():
        raise ImportRefused(f"{path}: holds no text to score (a page saved before its "
                            f"JavaScript ran? save it again once the notice shows)")
    return raw, content_type, text


def import_copy(engine: Engine, *, parties_path, party_id: str, path: str | Path, url: str,
                kind: str | None = None, saved_at: datetime | None = None) -> ImportResult:
    """Store `path` as a snapshot of the party's document at `url`; see the module doc.

    `kind` defaults to the document's kind if it is known, else privacy_notice; `saved_at`
    (naive UTC) to now.
    """
    party = _party(parties_path, party_id)
    check_url_is_the_partys(party, url)
    if saved_at is not None and saved_at > utcnow():
        raise ImportRefused(f"--fetched-at {saved_at:%Y-%m-%d %H:%M} is in the future")
    raw, content_type, text = read_copy(Path(path), url)
    with transaction(engine) as session:
        sync_parties(session, [party.as_row()])
        known = session.scalar(select(DocumentRow).where(DocumentRow.party_id == party.id,
                                                      DocumentRow.url == url))
        document = get_or_create_document(
            session, party.id, url, kind or (known.kind if known else "privacy_notice"))
        outcome = record_fetch(session, document, run_id=None, http_status=None, raw=raw,
                               content_type=content_type, text=text, provenance="imported",
                               captured_at=saved_at or utcnow())
        return ImportResult(party.id, url, document.kind, outcome.snapshot.id, outcome.new_content)

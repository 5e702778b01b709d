"""Storing one fetch of a document: the fetch row, its content once per hash, the document's status.

These functions are the one way a fetch is stored, whoever made it: the crawl's parent
calls them for every page the crawl process hands it (spiders.pipelines), and history.store's record_fetch and
record_not_modified, which `import`, the archive fallback and tests use, are these plus
the ORM rows they return.

They take a Connection and run SQLAlchemy Core statements that read only the columns they
need: no ORM session, identity map or unit of work. That was half the crawl's CPU per page,
and the database thread that fell behind the downloads held every page waiting to be
stored (with its parsed HTML) in memory. Their tables are the Core tables of history.tables,
so the check stores its crawl without loading the ORM or the models.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, bindparam, func, select, update
from sqlalchemy.exc import IntegrityError

from history.tables import DOCUMENTS, FETCHES, SNAPSHOTS, utcnow

# Built once: a statement built per call costs more CPU than SQLite takes to run it. Each
# runs with its values as parameters (an insert's columns are the parameters' keys).
_DOCUMENT = select(DOCUMENTS.c.id, DOCUMENTS.c.kind, DOCUMENTS.c.status).where(
    DOCUMENTS.c.party_id == bindparam("party_id"), DOCUMENTS.c.url == bindparam("url"))
_UPDATE_DOCUMENT = update(DOCUMENTS).where(DOCUMENTS.c.id == bindparam("document_id"))
_DOCUMENT_FAILED = _UPDATE_DOCUMENT.values(
    status=bindparam("status"),
    consecutive_failures=func.coalesce(DOCUMENTS.c.consecutive_failures, 0) + 1)
# A document's current content is the snapshot of its latest successful fetch: the first
# one in this order (history.store.current_snapshots applies it to a party's documents).
NEWEST_FETCH_FIRST = (FETCHES.c.fetched_at.desc(), FETCHES.c.id.desc())
_CURRENT_SNAPSHOT = (
    select(SNAPSHOTS.c.id)
    .join(FETCHES, FETCHES.c.snapshot_id == SNAPSHOTS.c.id)
    .where(FETCHES.c.document_id == bindparam("document_id"), FETCHES.c.ok.is_(True))
    .order_by(*NEWEST_FETCH_FIRST)
    .limit(1))
_SNAPSHOT_OF_CONTENT = select(SNAPSHOTS.c.id).where(
    SNAPSHOTS.c.document_id == bindparam("document_id"),
    SNAPSHOTS.c.content_hash == bindparam("content_hash"))


def content_hash(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


@dataclass(frozen=True)
class StoredFetch:
    """What storing one fetch did, in plain values."""
    document_id: int
    fetch_id: int
    snapshot_id: int | None  # the content this fetch found; None for a failure
    ok: bool
    error: str | None
    new_content: bool  # True when this content had not been stored for the document before
    document_status: str | None  # None: a copy from elsewhere left the status as it was


@dataclass(frozen=True)
class DocumentState:
    id: int
    kind: str
    status: str
    added: bool = False  # added by this call of document_for: no fetch or content of it yet


def document_for(conn: Connection, party_id: str, url: str, kind: str) -> DocumentState:
    """The party's document at `url`, added when new; a kind other than "other" replaces
    the stored one (a link's wording or parties.yaml can say more than an earlier link did)."""
    row = conn.execute(_DOCUMENT, {"party_id": party_id, "url": url}).first()
    if row is None:
        document_id = conn.execute(DOCUMENTS.insert(), {
            "party_id": party_id, "url": url, "kind": kind, "status": "new", "consecutive_failures": 0,
        }).inserted_primary_key[0]
        return DocumentState(document_id, kind, "new", added=True)
    if kind != "other" and row.kind != kind:
        conn.execute(_UPDATE_DOCUMENT, {"document_id": row.id, "kind": kind})
        return DocumentState(row.id, kind, row.status)
    return DocumentState(row.id, row.kind, row.status)


def current_snapshot_id(conn: Connection, document_id: int) -> int | None:
    """The snapshot of the document's latest successful fetch."""
    return conn.scalar(_CURRENT_SNAPSHOT, {"document_id": document_id})


def _insert_fetch(conn: Connection, values: dict) -> int:
    return conn.execute(FETCHES.insert(), values).inserted_primary_key[0]


def _snapshot_id(conn: Connection, document_id: int, digest: str) -> int | None:
    return conn.scalar(_SNAPSHOT_OF_CONTENT, {"document_id": document_id, "content_hash": digest})


def _insert_snapshot(conn: Connection, values: dict) -> int:
    return conn.execute(SNAPSHOTS.insert(), values).inserted_primary_key[0]


def _store_content(conn: Connection, document_id: int, digest: str, **values) -> tuple[int, bool]:
    """(snapshot id, whether this call created it) for the document's content `digest`."""
    snapshot_id = _snapshot_id(conn, document_id, digest)
    if snapshot_id is not None:
        return snapshot_id, False
    try:
        # Another process may store the same content at the same moment: the unique
        # constraint decides, and the loser reuses the winner's row.
        with conn.begin_nested():
            snapshot_id = _insert_snapshot(conn, {"document_id": document_id, "content_hash": digest, **values})
        return snapshot_id, True
    except IntegrityError:
        return _snapshot_id(conn, document_id, digest), False


def write_fetch(
    conn: Connection,
    document_id: int,
    *,
    run_id: int | None,
    http_status: int | None,
    raw: bytes | None = None,
    content_type: str = "application/octet-stream",
    text: str | None = None,
    extraction_error: str | None = None,
    error: str | None = None,
    provenance: str = "fetched",
    captured_at: datetime | None = None,
    validators: tuple[str | None, str | None] = (None, None),
    failure_status: str | None = None,
    new_document: bool = False,
) -> StoredFetch:
    """Record one fetch attempt; store its content once per distinct hash.

    A failed fetch (raw is None) leaves every stored snapshot as it was and only flags
    the document: `failure_status` (e.g. "blocked", "unreadable") when given, else "gone"
    for 404/410 and "failed" otherwise. A content that reverts to an earlier version
    reuses that snapshot. `provenance` says where a new snapshot's content came from
    (fetched, imported, archived) and `captured_at` when an imported or archived copy was
    made; `validators` are the response's (ETag, Last-Modified), kept for the next
    conditional request. `new_document`: the document was added in this transaction
    (DocumentState.added), so it has no content to look up or to compare with.
    """
    now = utcnow()
    if raw is None:
        error = error or "no content"
        fetch_id = _insert_fetch(conn, {
            "document_id": document_id, "run_id": run_id, "fetched_at": now, "http_status": http_status,
            "ok": False, "error": error, "snapshot_id": None, "new_content": False})
        status = failure_status or ("gone" if http_status in (404, 410) else "failed")
        conn.execute(_DOCUMENT_FAILED, {"document_id": document_id, "status": status})
        return StoredFetch(document_id, fetch_id, None, False, error, False, status)

    content = {"content_type": content_type, "raw": raw, "size": len(raw), "text": text,
               "extraction_error": extraction_error, "fetched_at": now, "provenance": provenance,
               "captured_at": captured_at}
    if new_document:
        # Nothing to look up, and no other transaction can store content for a document
        # this one added until it commits: no savepoint either. A first crawl's fetch is
        # five statements instead of nine.
        previous_id = None
        snapshot_id, created = _insert_snapshot(
            conn, {"document_id": document_id, "content_hash": content_hash(raw), **content}), True
    else:
        previous_id = current_snapshot_id(conn, document_id)
        snapshot_id, created = _store_content(conn, document_id, content_hash(raw), **content)
    changed = previous_id != snapshot_id
    fetch_id = _insert_fetch(conn, {
        "document_id": document_id, "run_id": run_id, "fetched_at": now, "http_status": http_status,
        "ok": True, "error": None, "snapshot_id": snapshot_id, "new_content": changed})
    if provenance == "fetched":
        status = "ok"
        etag, last_modified = validators
        conn.execute(_UPDATE_DOCUMENT, {"document_id": document_id, "status": status, "last_ok_at": now,
                                        "consecutive_failures": 0, "etag": etag,
                                        "last_modified": last_modified})
    else:
        # A copy from elsewhere says nothing about the site: its status (and failure
        # count, which alerts the admins) stays as the crawl found it. Its validators
        # describe the site's copy, which must not be "confirmed" by a 304 later.
        status = None
        conn.execute(_UPDATE_DOCUMENT, {"document_id": document_id, "etag": None, "last_modified": None})
    return StoredFetch(document_id, fetch_id, snapshot_id, True, None, created or changed, status)


def write_not_modified(conn: Connection, document_id: int, *, run_id: int | None,
                       validators: tuple[str | None, str | None] = (None, None)) -> StoredFetch:
    """Record a 304 Not Modified: an unchanged fetch of the current snapshot, nothing stored.

    The crawl sends validators only for a document with a current snapshot; a 304 for one
    without (its snapshots were removed by hand) is recorded as a failure.
    """
    snapshot_id = current_snapshot_id(conn, document_id)
    if snapshot_id is None:
        return write_fetch(conn, document_id, run_id=run_id, http_status=304,
                           error="HTTP 304 (not modified) but no stored copy to keep")
    now = utcnow()
    fetch_id = _insert_fetch(conn, {
        "document_id": document_id, "run_id": run_id, "fetched_at": now, "http_status": 304,
        "ok": True, "error": None, "snapshot_id": snapshot_id, "new_content": False})
    # A 304 may leave out a validator it did not change: the stored one still holds.
    etag, last_modified = validators
    changes = {"document_id": document_id, "status": "ok", "last_ok_at": now, "consecutive_failures": 0}
    if etag:
        changes["etag"] = etag
    if last_modified:
        changes["last_modified"] = last_modified
    conn.execute(_UPDATE_DOCUMENT, changes)
    return StoredFetch(document_id, fetch_id, snapshot_id, True, None, False, "ok")

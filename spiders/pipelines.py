"""The item pipeline's second half, in the crawl's parent: every document fetch goes into the history.

The crawl process hands each fetch over on its stdout (spiders.handover, spiders.progress);
its parent (spiders.runner.CrawlProcess), which has SQLAlchemy loaded anyway, stores it
here and only then reports it as a "fetch" event, with what storing found (new content or
not, the document's status). What the crawl needs from the history before it starts
(each party's known documents and their validators) is read by history.runs
.known_documents, and the crawl's parent imports this module once the crawl has its work;
neither loads the ORM or the models (history.fetches stores with Core statements).

Content is stored once per distinct hash (history.fetches.write_fetch), every attempt is
recorded with its status or error (a 304 answer to a conditional request is an unchanged
fetch of the current snapshot: history.fetches.write_not_modified), and a failure flags the
document but keeps its snapshots (a challenge page or a JavaScript shell is such a
failure, flagged `blocked` or `unreadable`).

Fetches are written in groups: those that arrived while a group was being written, or
within a moment of the first (spiders.runner.GROUP_WAIT), go together in the next
transaction (at most MAX_GROUP). A transaction per page was a large part of the crawl's
database time; a crawl that is killed still has every fetch that reached the parent
stored. A group that fails is written again item by item, so a bad item fails alone.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from sqlalchemy import Connection, Engine

from history.fetches import document_for, write_fetch, write_not_modified
from spiders.items import DocumentFetch

MAX_GROUP = 100  # items per transaction


class HistoryPipeline:
    def __init__(self, run_id: int | None):
        self.run_id = run_id
        self._connection: Connection | None = None  # between open and close

    def open(self, engine: Engine) -> None:
        """Store through `engine` (the caller's: it stays open after close)."""
        # One connection for the whole crawl: taking one from the pool and giving it back
        # (where it is reset) for every group cost a fifth of the storing. Between groups it
        # holds no transaction, so no lock either.
        self._connection = engine.connect()

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    @contextmanager
    def _transaction(self) -> Iterator[Connection]:
        """A transaction on the crawl's one connection (between open and close)."""
        if self._connection is None:
            raise RuntimeError("HistoryPipeline.open() first")
        with self._connection.begin():
            yield self._connection

    def store(self, items: list[DocumentFetch]) -> list[dict | Exception]:
        """Store `items` as one group: for each, its "fetch" event (see spiders.progress) or
        the exception storing it raised."""
        return [result if isinstance(result, BaseException) else _fetch_event(item, *result)
                for item, result in zip(items, self._store_group(items))]

    def _store_group(self, items: list[DocumentFetch]) -> list:
        """Each item's outcome, or the exception storing it raised; one transaction if all go well."""
        try:
            with self._transaction() as conn:
                return [self._store(conn, item) for item in items]
        except Exception as exc:
            if len(items) == 1:
                return [exc]
        results: list = []
        for item in items:  # the group failed: each on its own, so only the bad one fails
            try:
                with self._transaction() as conn:
                    results.append(self._store(conn, item))
            except Exception as exc:
                results.append(exc)
        return results

    def _store(self, conn, item: DocumentFetch) -> tuple[bool, str | None, bool, int, str]:
        document = document_for(conn, item.party_id, item.url, item.kind)
        validators = item.validators or (None, None)
        if item.not_modified:
            stored = write_not_modified(conn, document.id, run_id=self.run_id, validators=validators)
        else:
            stored = write_fetch(
                conn, document.id, run_id=self.run_id, http_status=item.http_status,
                raw=item.raw, content_type=item.content_type or "application/octet-stream",
                error=item.error, validators=validators, failure_status=item.status,
                new_document=document.added,
            )
        return stored.ok, stored.error, stored.new_content, stored.document_id, stored.document_status


def _fetch_event(item: DocumentFetch, ok: bool, error: str | None, new_content: bool, document_id: int,
                 status: str) -> dict:
    return {"event": "fetch", "party": item.party_id, "url": item.url, "kind": item.kind, "ok": ok,
            "http_status": item.http_status, "status": status, "new_content": new_content,
            "error": error, "document_id": document_id, "rendered": item.rendered, "size": item.size}

"""The item pipeline: every document fetch goes into the history database.

Content is stored once per distinct hash (history.fetches.write_fetch), every attempt is
recorded with its status or error (a 304 answer to a conditional request is an unchanged
fetch of the current snapshot: history.fetches.write_not_modified), and a failure flags the
document but keeps its snapshots (a challenge page or a JavaScript shell is such a
failure, flagged `blocked` or `unreadable`).

Database writes run on one worker thread, not on the reactor's: a commit blocks, and a
reactor blocked by commits would delay every site's next request (with 200 sites, a
wave of 200 commits stalled all of them by a fraction of a second each time).

Items are written in groups: those that arrive while a group is being written go
together in the next transaction (at most MAX_GROUP). A transaction per page was a large
part of the crawl's database time; grouping adds no waiting (an item that arrives when
the writer is idle is written at once), and a crawl that is killed still keeps all but
the group in hand. A group that fails is written again item by item, so a bad item
fails alone.
"""

from __future__ import annotations

from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import reactor
from twisted.internet.defer import Deferred
from twisted.internet.threads import deferToThreadPool
from twisted.python.failure import Failure
from twisted.python.threadpool import ThreadPool

from history.db import open_database
from history.fetches import document_for, write_fetch, write_not_modified
from spiders.items import DocumentFetch
from spiders.progress import emit

MAX_GROUP = 100  # items per transaction


class HistoryPipeline:
    def __init__(self, db_url: str, run_id: int | None):
        self.db_url = db_url
        self.run_id = run_id
        self.engine = None
        self.pool = ThreadPool(minthreads=1, maxthreads=1, name="partywatch-history")
        self._waiting: list[tuple[DocumentFetch, Deferred]] = []
        self._writing = False

    @classmethod
    def from_crawler(cls, crawler):
        run_id = crawler.settings.get("PARTYWATCH_RUN_ID")
        return cls(crawler.settings["PARTYWATCH_DB_URL"], int(run_id) if run_id else None)

    def open_spider(self):
        self.engine = open_database(self.db_url)
        self.pool.start()

    def close_spider(self):
        self.pool.stop()  # waits for the writes still queued
        if self.engine is not None:
            self.engine.dispose()

    async def process_item(self, item: DocumentFetch):
        stored: Deferred = Deferred()
        self._waiting.append((item, stored))
        if not self._writing:
            self._write_next_group()
        ok, error, new_content, document_id, status = await maybe_deferred_to_future(stored)
        emit("fetch", party=item.party_id, url=item.url, kind=item.kind,
             ok=ok, http_status=item.http_status, status=status,
             new_content=new_content, error=error, document_id=document_id,
             rendered=item.rendered, size=item.size)
        return {"party_id": item.party_id, "url": item.url}  # keep raw bytes out of logs

    def _write_next_group(self) -> None:
        """Hand the waiting items to the database thread as one group (on the reactor's thread)."""
        group, self._waiting = self._waiting[:MAX_GROUP], self._waiting[MAX_GROUP:]
        self._writing = bool(group)
        if not group:
            return

        def written(results: list) -> None:
            for (_, stored), result in zip(group, results):
                if isinstance(result, BaseException):
                    stored.errback(Failure(result))
                else:
                    stored.callback(result)
            self._write_next_group()

        deferToThreadPool(reactor, self.pool, self._store_group, [item for item, _ in group]).addCallback(written)

    def _store_group(self, items: list[DocumentFetch]) -> list:
        """Each item's outcome, or the exception storing it raised; one transaction if all go well."""
        try:
            with self.engine.begin() as conn:
                return [self._store(conn, item) for item in items]
        except Exception as exc:
            if len(items) == 1:
                return [exc]
        results: list = []
        for item in items:  # the group failed: each on its own, so only the bad one fails
            try:
                with self.engine.begin() as conn:
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
            )
        return stored.ok, stored.error, stored.new_content, stored.document_id, stored.document_status

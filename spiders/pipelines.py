"""The item pipeline: every document fetch goes into the history database.

Content is stored once per distinct hash (history.store.record_fetch), every attempt is
recorded with its status or error (a 304 answer to a conditional request is an unchanged
fetch of the current snapshot: history.store.record_not_modified), and a failure flags the
document but keeps its snapshots (a challenge page or a JavaScript shell is such a
failure, flagged `blocked` or `unreadable`). Each item is committed on its own, so a
crawl that is killed keeps what it fetched.

Database writes run on one worker thread, not on the reactor's: a commit blocks, and a
reactor blocked by commits would delay every site's next request (with 200 sites, a
wave of 200 commits stalled all of them by a fraction of a second each time).
"""

from __future__ import annotations

from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import reactor
from twisted.internet.threads import deferToThreadPool
from twisted.python.threadpool import ThreadPool

from history.db import open_database, transaction
from history.store import get_or_create_document, record_fetch, record_not_modified
from spiders.items import DocumentFetch
from spiders.progress import emit


class HistoryPipeline:
    def __init__(self, db_url: str, run_id: int | None):
        self.db_url = db_url
        self.run_id = run_id
        self.engine = None
        self.pool = ThreadPool(minthreads=1, maxthreads=1, name="partywatch-history")

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
        ok, error, new_content, document_id, status = await maybe_deferred_to_future(
            deferToThreadPool(reactor, self.pool, self._store, item))
        emit("fetch", party=item.party_id, url=item.url, kind=item.kind,
             ok=ok, http_status=item.http_status, status=status,
             new_content=new_content, error=error, document_id=document_id,
             rendered=item.rendered, size=item.size)
        return {"party_id": item.party_id, "url": item.url}  # keep raw bytes out of logs

    def _store(self, item: DocumentFetch) -> tuple[bool, str | None, bool, int, str]:
        with transaction(self.engine) as session:
            document = get_or_create_document(session, item.party_id, item.url, item.kind)
            validators = item.validators or (None, None)
            if item.not_modified:
                outcome = record_not_modified(session, document, run_id=self.run_id,
                                              validators=validators)
            else:
                outcome = record_fetch(
                    session, document, run_id=self.run_id, http_status=item.http_status,
                    raw=item.raw, content_type=item.content_type or "application/octet-stream",
                    error=item.error, validators=validators, failure_status=item.status,
                )
            return outcome.fetch.ok, outcome.fetch.error, outcome.new_content, document.id, document.status

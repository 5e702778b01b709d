"""The crawl process's item pipeline: every document fetch goes to the parent, which stores it.

The crawl process does not open the history: its parent (spiders.runner), which has
SQLAlchemy loaded anyway, stores each fetch (spiders.pipelines) and reports it. Loading
SQLAlchemy and the history's models here cost the crawl process ~22 MB and ~0.3 s of
start-up.

A fetch is written to the pipe on a thread of its own, never on the reactor's: a parent
busy storing lets the pipe fill, and a reactor blocked on a full pipe would delay every
site's next request. An item is done once it is in the pipe, so a parent that falls behind
holds the crawl back the way scrapy holds back a slow pipeline (its responses in progress
count against SCRAPER_SLOT_MAX_ACTIVE_SIZE), rather than letting pages pile up here.
"""

from __future__ import annotations

import time

from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import reactor
from twisted.internet.threads import deferToThreadPool
from twisted.python.threadpool import ThreadPool

from spiders.items import DocumentFetch
from spiders.progress import hand_over


class HandOverPipeline:
    def __init__(self, stats=None):
        self.stats = stats
        self.pool = ThreadPool(minthreads=1, maxthreads=1, name="partywatch-handover")
        # Time spent writing fetches to the pipe, waiting while it was full included: how
        # much a parent that fell behind held this crawl back (a crawl stat, for benchmarks).
        self.writing_seconds = 0.0

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats)

    def open_spider(self):
        self.pool.start()

    def close_spider(self):
        self.pool.stop()  # waits for the fetches still being handed over
        if self.stats is not None:
            self.stats.set_value("partywatch/handover_seconds", round(self.writing_seconds, 3))

    async def process_item(self, item: DocumentFetch):
        await maybe_deferred_to_future(deferToThreadPool(reactor, self.pool, self._hand_over, item))
        return {"party_id": item.party_id, "url": item.url}  # keep raw bytes out of logs

    def _hand_over(self, item: DocumentFetch) -> None:
        started = time.monotonic()
        hand_over(item)
        self.writing_seconds += time.monotonic() - started

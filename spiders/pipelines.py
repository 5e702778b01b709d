"""The item pipeline: every document fetch goes into the history database.

Content is stored once per distinct hash (history.store.record_fetch), every attempt is
recorded with its status or error, and a failure flags the document but keeps its
snapshots. Each item is committed on its own, so a crawl that is killed keeps what it
fetched.
"""

from __future__ import annotations

from history.db import open_database, transaction
from history.store import get_or_create_document, record_fetch
from spiders.progress import emit


class HistoryPipeline:
    def __init__(self, db_url: str, run_id: int | None):
        self.db_url = db_url
        self.run_id = run_id
        self.engine = None

    @classmethod
    def from_crawler(cls, crawler):
        run_id = crawler.settings.get("PARTYWATCH_RUN_ID")
        return cls(crawler.settings["PARTYWATCH_DB_URL"], int(run_id) if run_id else None)

    def open_spider(self):
        self.engine = open_database(self.db_url)

    def close_spider(self):
        if self.engine is not None:
            self.engine.dispose()

    def process_item(self, item):
        with transaction(self.engine) as session:
            document = get_or_create_document(session, item["party_id"], item["url"], item["kind"])
            outcome = record_fetch(
                session, document, run_id=self.run_id, http_status=item["http_status"],
                raw=item["raw"], content_type=item["content_type"] or "application/octet-stream",
                error=item["error"],
            )
            document_id = document.id
        emit("fetch", party=item["party_id"], url=item["url"], kind=item["kind"],
             ok=item["raw"] is not None, http_status=item["http_status"],
             new_content=outcome.new_content, error=item["error"], document_id=document_id,
             size=len(item["raw"]) if item["raw"] is not None else None)
        return {"party_id": item["party_id"], "url": item["url"]}  # keep raw bytes out of logs

"""The one item the spider yields: a fetch of one document, its bytes or why there are none.

Scrapy accepts dataclass items (itemadapter); this one is built by the spider only,
handed by the crawl process to its parent (spiders.handover, spiders.progress) and stored
there by the history pipeline (spiders.pipelines), which reports it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class DocumentFetch:
    party_id: str
    url: str
    kind: str  # the document kind the link or parties.yaml gave (privacy_notice, ...)
    http_status: int | None  # None: no answer at all (DNS, connection, timeout)
    raw: bytes | None = None  # the body; None for a failure and for a 304
    content_type: str | None = None  # the full Content-Type header: its charset matters
    error: str | None = None  # why the fetch failed; None when it did not
    # The document's status for a refused page: blocked (bot protection) or unreadable
    # (a JavaScript shell). None: ok, or an ordinary failure.
    status: str | None = None
    # (ETag, Last-Modified) of the answer, to make the next request for it conditional.
    validators: tuple[str | None, str | None] | None = None
    not_modified: bool = False  # a 304 to a conditional request: the stored copy is current
    rendered: bool = False  # fetched through headless Chromium (scrapy-playwright)

    @property
    def size(self) -> int | None:
        return None if self.raw is None else len(self.raw)

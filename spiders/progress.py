"""Progress of a crawl, one JSON object per line on stdout, for the parent process.

Events (each has "event"):
    start     {"parties": [...], "requests": n}
    fetch     a document fetch was recorded: party, url, kind, ok, http_status,
              new_content, error, document_id
    skipped   a request was not made: party, url, reason (robots.txt, host not allowed)
    page_failed  a page that is not a document (a homepage) failed: party, url, error
    done      {"stats": {...}, "elapsed": seconds}
"""

from __future__ import annotations

import json
import sys


def emit(event: str, **fields) -> None:
    sys.stdout.write(json.dumps({"event": event, **fields}, default=str) + "\n")
    sys.stdout.flush()

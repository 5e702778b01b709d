"""The crawl process loads only what a crawl uses: its memory is what `check` costs at its peak.

It never opens the history: it hands every fetch, bytes and all, to its parent, which stores it.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

from helpers.crawl import documents_of, fetches_of, snapshots_of
from helpers.sites import ABOUT_THE_PARTY, page, pdf
from history.db import open_database
from partywatch.paths import REPO_ROOT
from spiders.progress import read_messages
from spiders.runner import run_crawl

# What scrapy would import for components a partywatch crawl switches off (the cookies
# middleware, the remote control, the S3 and FTP download handlers, feed exports, telnet).
NEVER_LOADED = {"tldextract", "requests", "aiohttp", "botocore", "ftplib",
                "scrapy.downloadermiddlewares.cookies", "scrapy.extensions.remote_control",
                "scrapy.extensions.feedexport", "scrapy.extensions.telnet",
                "scrapy.core.downloader.handlers.s3", "scrapy.core.downloader.handlers.ftp"}
# The history is the parent's: the crawl process loads no database layer at all.
NO_HISTORY = {"sqlalchemy", "history.db", "history.models", "history.fetches", "history.store",
              "alembic", "psycopg"}

# Bytes that would break a line-based or text channel: newlines, NUL, invalid UTF-8, and
# a line that reads like one of the crawl's own messages.
BINARY_PDF = (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n\x00\xff\xfe\r\n" + b'{"event": "done", "stats": {}}\n'
              + bytes(range(256)) * 8 + b"\n%%EOF")


def _party(site) -> dict:
    return {"id": "alpha", "name": "Alpha Party", "jurisdiction": "GB", "homepage": site.url("/"),
            "render": False,
            "documents": [{"url": site.url("/notice.pdf"), "kind": "privacy_notice", "render": None}]}


def _sites(sites):
    return sites({"/": page('<a href="/privacy">Privacy notice</a>'),
                  "/privacy": page("<h1>Privacy notice</h1><p>We keep canvassing data for two years.</p>"
                                   + ABOUT_THE_PARTY),
                  "/notice.pdf": pdf(BINARY_PDF)})


def test_the_crawl_process_hands_over_pages_without_loading_the_history_or_switched_off_components(sites):
    site = _sites(sites)
    # Python lists every module it imports on stderr (-X importtime), the child's own included.
    # No database URL anywhere: the crawl process is given none.
    env = {k: v for k, v in os.environ.items() if "DATABASE" not in k and "POSTGRES" not in k}
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "spiders.crawl", "--delay", "0"],
                          input=json.dumps({"parties": [_party(site)]}).encode(), capture_output=True,
                          env={**env, "PYTHONPATH": str(REPO_ROOT)}, timeout=120)
    stderr = done.stderr.decode(errors="replace")
    assert done.returncode == 0, stderr[-2000:]
    items = {message["url"]: (message, body) for message, body in read_messages(io.BytesIO(done.stdout))
             if message["event"] == "item"}
    assert sorted(items) == [site.url("/notice.pdf"), site.url("/privacy")]
    message, body = items[site.url("/notice.pdf")]
    assert body == BINARY_PDF  # byte for byte, through the pipe
    assert (message["kind"], message["http_status"], message["content_type"]) == (
        "privacy_notice", 200, "application/pdf")
    assert items[site.url("/privacy")][1] == site.routes["/privacy"].body

    imported = {line.rpartition("|")[2].strip() for line in stderr.splitlines()
                if line.startswith("import time:")}
    assert "twisted.web.client" in imported  # the probe sees the imports of the crawl itself
    assert not NEVER_LOADED & imported
    assert not NO_HISTORY & imported


def test_the_parent_stores_what_the_crawl_process_hands_over(database_url, sites):
    site = _sites(sites)
    engine = open_database(database_url)
    events = []
    result = run_crawl(database_url, [_party(site)], None, on_event=events.append)
    assert result.ok, result.stderr_tail
    fetched = {e["url"]: e for e in events if e["event"] == "fetch"}
    assert {url: (e["ok"], e["new_content"], e["status"], e["size"]) for url, e in fetched.items()} == {
        site.url("/notice.pdf"): (True, True, "ok", len(BINARY_PDF)),
        site.url("/privacy"): (True, True, "ok", len(site.routes["/privacy"].body))}
    documents = documents_of(engine, "alpha")
    [snapshot] = snapshots_of(engine, documents["/notice.pdf"].id)
    assert (snapshot.raw, snapshot.content_type) == (BINARY_PDF, "application/pdf")
    [fetch] = fetches_of(engine, documents["/privacy"].id)
    assert fetch.ok and fetch.new_content and fetch.id and fetched[site.url("/privacy")]["document_id"] == \
        documents["/privacy"].id
    assert [e["event"] for e in events][0] == "start" and events[-1]["event"] == "done"


# The crawl process, reporting on stderr the full collections it ran before it read its
# work, and how many objects were frozen by then.
CRAWL_REPORTING_COLLECTIONS = """
import gc, sys
full = []
gc.callbacks.append(lambda phase, info: full.append(1) if phase == "start" and info["generation"] == 2 else None)
import spiders.crawl
read_work = spiders.crawl._read_work
def reporting(stream):
    print("full collections:", len(full), "frozen:", gc.get_freeze_count() > 0, gc.isenabled(), file=sys.stderr)
    return read_work(stream)
spiders.crawl._read_work = reporting
sys.exit(spiders.crawl.main(["--delay", "0"]))
"""


def test_the_crawl_process_starts_without_the_collector_rescanning_its_imports(sites):
    # scrapy's and Twisted's modules live as long as the process: rescanning them was ~0.1 s
    # of the start-up a check waits for; they are frozen, and the collector runs again after
    site = _sites(sites)
    done = subprocess.run([sys.executable, "-c", CRAWL_REPORTING_COLLECTIONS],
                          input=json.dumps({"parties": [_party(site)]}).encode(), capture_output=True,
                          env={**os.environ, "PYTHONPATH": str(REPO_ROOT)}, timeout=120)
    stderr = done.stderr.decode(errors="replace")
    assert done.returncode == 0, stderr[-2000:]
    assert "full collections: 0 frozen: True True" in stderr
    items = [message["url"] for message, _ in read_messages(io.BytesIO(done.stdout)) if message["event"] == "item"]
    assert sorted(items) == [site.url("/notice.pdf"), site.url("/privacy")]

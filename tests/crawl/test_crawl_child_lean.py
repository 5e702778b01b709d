"""The crawl process loads only what a crawl uses: its memory is what `check` costs at its peak."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from helpers.crawl import documents_of, fetches_of
from helpers.sites import ABOUT_THE_PARTY, page
from partywatch.paths import REPO_ROOT

# What scrapy would import for components a partywatch crawl switches off (the cookies
# middleware, the remote control, the S3 and FTP download handlers, feed exports, telnet).
NEVER_LOADED = {"tldextract", "requests", "aiohttp", "botocore", "ftplib",
                "scrapy.downloadermiddlewares.cookies", "scrapy.extensions.remote_control",
                "scrapy.extensions.feedexport", "scrapy.extensions.telnet",
                "scrapy.core.downloader.handlers.s3", "scrapy.core.downloader.handlers.ftp"}


def test_the_crawl_process_stores_a_page_without_loading_switched_off_components(engine, database_url,
                                                                                 sites):
    site = sites({"/": page('<a href="/privacy">Privacy notice</a>'),
                  "/privacy": page("<h1>Privacy notice</h1><p>We keep canvassing data for two years.</p>"
                                   + ABOUT_THE_PARTY)})
    party = {"id": "alpha", "name": "Alpha Party", "jurisdiction": "GB", "homepage": site.url("/"),
             "render": False, "documents": []}
    # Python lists every module it imports on stderr (-X importtime), the child's own included.
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "PARTYWATCH_CRAWL_DB_URL": database_url}
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "spiders.crawl", "--delay", "0"],
                          input=json.dumps({"parties": [party]}), capture_output=True, text=True,
                          env=env, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    events = [json.loads(line) for line in done.stdout.splitlines()]
    assert [(e["url"], e["ok"], e["new_content"]) for e in events if e["event"] == "fetch"] == [
        (site.url("/privacy"), True, True)]
    [fetch] = fetches_of(engine, documents_of(engine, "alpha")["/privacy"].id)
    assert fetch.ok and fetch.snapshot_id is not None

    imported = {line.rpartition("|")[2].strip() for line in done.stderr.splitlines()
                if line.startswith("import time:")}
    assert "twisted.web.client" in imported  # the probe sees the imports of the crawl itself
    assert not NEVER_LOADED & imported

"""Run one crawl: `python -m spiders.crawl < work.json`.

The crawl runs in a process of its own (see spiders.runner): Twisted's reactor starts
once per process, the parent can kill a crawl that overruns, and the crawl's memory is
returned when it ends. This process never opens the history database: its parent sends
what it needs from there with the work, and this process hands every fetch (its bytes
too) back on stdout, where the parent stores it (spiders.handover, spiders.pipelines).
Progress events go the same way (spiders.progress); scrapy's log goes to stderr.

The work comes on stdin as JSON, {"parties": [PartyEntry.crawl_spec(), ...],
"known_documents": {party: [[url, kind], ...]}, "validators": [[party, url, etag,
last_modified], ...]}, from a parent that validated parties.yaml (spiders.runner
.CrawlProcess): this process never reads parties.yaml, so what it crawls is what was
validated. It imports everything the crawl needs before it reads stdin, since the parent
starts it early and gets ready meanwhile.
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import sys
import time

WRITER_SWITCH_INTERVAL = 0.0005  # seconds; see main()


def _read_work(stream) -> tuple[list[dict], dict, dict]:
    """The parties to crawl, their documents already in the history ({party: [(url, kind)]})
    and their stored validators ({(party, url): (etag, last_modified)}), as the parent sent them."""
    try:
        work = json.load(stream)
        if not isinstance(work, dict) or not isinstance(work["parties"], list):
            raise TypeError("not an object with a list of parties")
        known = {party: [tuple(document) for document in documents]
                 for party, documents in work.get("known_documents", {}).items()}
        validators = {(party, url): (etag, last_modified)
                      for party, url, etag, last_modified in work.get("validators", [])}
        return work["parties"], known, validators
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise SystemExit(f"expected {{\"parties\": [...], \"known_documents\": {{...}}, "
                         f"\"validators\": [...]}} as JSON on stdin: {exc}") from exc


def _import_components(crawl_settings: dict) -> None:
    """Import the middlewares, extensions, pipelines and download handlers the crawl will
    load, now rather than once the parties arrive (scrapy loads them by dotted path)."""
    from scrapy.settings import Settings
    from scrapy.utils.misc import load_object
    from scrapy.utils.reactor import install_reactor

    settings = Settings(crawl_settings)
    # First, as scrapy does: a component that imports twisted.internet.reactor would
    # otherwise install Twisted's default reactor instead of the asyncio one.
    install_reactor(settings["TWISTED_REACTOR"], settings["ASYNCIO_EVENT_LOOP"])
    components = [path for name in ("DOWNLOADER_MIDDLEWARES", "SPIDER_MIDDLEWARES", "EXTENSIONS",
                                    "ITEM_PIPELINES")
                  for path, order in settings.getwithbase(name).items() if order is not None]
    handlers = settings.getwithbase("DOWNLOAD_HANDLERS")
    for path in components + [handlers[scheme] for scheme in ("http", "https") if handlers.get(scheme)]:
        load_object(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m spiders.crawl", description=__doc__.split("\n\n")[0])
    parser.add_argument("--delay", type=float, default=None, help="seconds between requests to one host")
    parser.add_argument("--maxsize", type=int, default=None, help="response size cap in bytes")
    parser.add_argument("--timeout", type=float, default=None, help="per-request timeout in seconds")
    parser.add_argument("--log-level", default="WARNING")
    args = parser.parse_args(argv)
    # The start-up only imports (scrapy, Twisted: tens of thousands of objects that live as
    # long as the process): the cyclic collector would rescan them ~130 times and find
    # nothing, ~0.1 s of the ~0.9 s of CPU a check waits for before the crawl can start.
    # Paused until the imports are done; what they made is then frozen, so no collection
    # during the crawl scans it either.
    gc.disable()

    from spiders.progress import emit, open_channel

    open_channel()  # before anything can print: stdout carries the messages to the parent

    from scrapy.crawler import CrawlerProcess

    from spiders.settings import crawl_settings, lean_components
    from spiders.spider import PartySpider

    settings = crawl_settings(delay=args.delay, maxsize=args.maxsize, timeout=args.timeout,
                              log_level=args.log_level)
    settings.update(lean_components())
    _import_components(settings)
    gc.freeze()
    gc.enable()
    # Fetches are handed to the parent on a thread of its own (spiders.handover), which lets
    # go of the GIL for every write to the pipe; with Python's default 5 ms switch interval,
    # getting it back from the busy reactor thread costs up to 5 ms a write, and a page
    # waits in memory meanwhile. Measured (bench/crawl_bench.py, 2,000 pages, no delay):
    # the hand-over took 1.8 s of the crawl at 5 ms, 0.8 s at 0.5 ms.
    sys.setswitchinterval(WRITER_SWITCH_INTERVAL)
    parties, known, validators = _read_work(sys.stdin)
    started = time.monotonic()
    if any(p["render"] or any(d["render"] for d in p["documents"]) for p in parties):
        from spiders.render import RenderUnavailable, check_render_available, chromium_path, render_settings

        try:
            check_render_available()
        except RenderUnavailable as exc:
            raise SystemExit(str(exc)) from exc
        settings.update(render_settings(chromium_path(), settings["DOWNLOAD_TIMEOUT"]))
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(PartySpider)
    process.crawl(crawler, parties=parties, known_documents=known, validators=validators)
    # Scrapy leaves the root logger at NOTSET and filters by level in its handler, so every
    # page's DEBUG lines ("Crawled", "Scraped") were made into records and then dropped: the
    # loggers now drop them first.
    logging.root.setLevel(settings["LOG_LEVEL"])
    process.start()
    stats = {k: v for k, v in (crawler.stats.get_stats() or {}).items()
             if isinstance(v, (int, float, str))}
    emit("done", stats=stats, elapsed=round(time.monotonic() - started, 3))
    return 0 if stats.get("finish_reason") == "finished" else 1


if __name__ == "__main__":
    from spiders.quick_exit import exit_now

    exit_now(main())

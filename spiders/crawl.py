"""Run one crawl: `python -m spiders.crawl --db URL < work.json`.

The crawl runs in a process of its own (see spiders.runner): Twisted's reactor starts
once per process, the parent can kill a crawl that overruns, and the crawl's memory is
returned when it ends. This process writes fetches and snapshots to the history itself
and prints one JSON progress line per event on stdout (spiders.progress); scrapy's log
goes to stderr.

The work comes on stdin as JSON, {"parties": [PartyEntry.crawl_spec(), ...], "run_id": N
or null}, from a parent that validated parties.yaml (spiders.runner.CrawlProcess): this
process never reads parties.yaml, so what it crawls is what was validated. It imports
everything the crawl needs before it reads stdin, since the parent starts it early and
gets ready meanwhile.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

# Imported up front like everything else the crawl needs (see the module's docstring).
from sqlalchemy import select

from history.db import make_engine, transaction
from history.models import DocumentRow
from history.store import sync_parties

WRITER_SWITCH_INTERVAL = 0.0005  # seconds; see main()


def _read_work(stream) -> tuple[list[dict], int | None]:
    """The parties to crawl and the run they belong to, as the parent sent them on stdin."""
    try:
        work = json.load(stream)
        return work["parties"], work.get("run_id")
    except (ValueError, KeyError, TypeError) as exc:
        raise SystemExit(f"expected {{\"parties\": [...], \"run_id\": N}} as JSON on stdin: {exc}") from exc


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


def _prepare_history(db_url: str, parties: list[dict]):
    """Make sure the parties exist; return each party's documents already in the history
    ({party: [(url, kind)]}) and their stored validators ({(party, url): (etag, last_modified)})."""
    engine = make_engine(db_url)  # opened and upgraded by the parent (spiders.runner)
    try:
        with transaction(engine) as session:
            sync_parties(session, [{k: p[k] for k in ("id", "name", "jurisdiction", "homepage")}
                                   for p in parties])
            known: dict[str, list[tuple[str, str]]] = {}
            validators: dict[tuple[str, str], tuple[str | None, str | None]] = {}
            rows = session.execute(
                select(DocumentRow.party_id, DocumentRow.url, DocumentRow.kind, DocumentRow.etag,
                       DocumentRow.last_modified)
                .where(DocumentRow.party_id.in_([p["id"] for p in parties]))
                .order_by(DocumentRow.id)
            )
            for party_id, url, kind, etag, last_modified in rows:
                known.setdefault(party_id, []).append((url, kind))
                if etag or last_modified:
                    validators[(party_id, url)] = (etag, last_modified)
        return known, validators
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m spiders.crawl", description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default=os.environ.get("PARTYWATCH_CRAWL_DB_URL"),
                        help="history database URL (default: $PARTYWATCH_CRAWL_DB_URL)")
    parser.add_argument("--delay", type=float, default=None, help="seconds between requests to one host")
    parser.add_argument("--maxsize", type=int, default=None, help="response size cap in bytes")
    parser.add_argument("--timeout", type=float, default=None, help="per-request timeout in seconds")
    parser.add_argument("--log-level", default="WARNING")
    args = parser.parse_args(argv)
    if not args.db:
        parser.error("no database: pass --db URL or set PARTYWATCH_CRAWL_DB_URL")

    from scrapy.crawler import CrawlerProcess

    from spiders.progress import emit
    from spiders.settings import crawl_settings, lean_components
    from spiders.spider import PartySpider

    settings = crawl_settings(delay=args.delay, maxsize=args.maxsize, timeout=args.timeout,
                              log_level=args.log_level)
    settings.update(lean_components())
    _import_components(settings)
    # The history is written on a thread of its own (spiders.pipelines), and the database
    # driver lets go of the GIL for every statement. With Python's default 5 ms switch
    # interval, getting it back from the busy reactor thread cost up to 5 ms a statement:
    # the writer fell behind the downloads (~20 ms a page) and every page waiting to be
    # stored stayed in memory, ~50 MB at 2,000 pages. At 0.5 ms it keeps up.
    sys.setswitchinterval(WRITER_SWITCH_INTERVAL)
    parties, run_id = _read_work(sys.stdin)
    started = time.monotonic()
    known, validators = _prepare_history(args.db, parties)
    settings.update({"PARTYWATCH_DB_URL": args.db, "PARTYWATCH_RUN_ID": run_id})
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
    process.start()
    stats = {k: v for k, v in (crawler.stats.get_stats() or {}).items()
             if isinstance(v, (int, float, str))}
    emit("done", stats=stats, elapsed=round(time.monotonic() - started, 3))
    return 0 if stats.get("finish_reason") == "finished" else 1


if __name__ == "__main__":
    from spiders.quick_exit import exit_now

    exit_now(main())

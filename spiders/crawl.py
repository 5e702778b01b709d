"""Run one crawl: `python -m spiders.crawl --db URL [--run-id N] < parties.json`.

The crawl runs in a process of its own (see spiders.runner): Twisted's reactor starts
once per process, the parent can kill a crawl that overruns, and the crawl's memory is
returned when it ends. This process writes fetches and snapshots to the history itself
and prints one JSON progress line per event on stdout (spiders.progress); scrapy's log
goes to stderr.

The parties come on stdin as JSON, {"parties": [PartyEntry.crawl_spec(), ...]}, from a
parent that validated parties.yaml (spiders.runner.run_crawl): this process never reads
parties.yaml, so what it crawls is what was validated.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

WRITER_SWITCH_INTERVAL = 0.0005  # seconds; see main()


def _read_parties(stream) -> list[dict]:
    """The parties to crawl, as the parent sent them on stdin."""
    try:
        return json.load(stream)["parties"]
    except (ValueError, KeyError, TypeError) as exc:
        raise SystemExit(f"expected {{\"parties\": [...]}} as JSON on stdin: {exc}") from exc


def _prepare_history(db_url: str, parties: list[dict]):
    """Make sure the parties exist; return each party's documents already in the history
    ({party: [(url, kind)]}) and their stored validators ({(party, url): (etag, last_modified)})."""
    from sqlalchemy import select

    from history.db import make_engine, transaction
    from history.models import DocumentRow
    from history.store import sync_parties

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
    parser.add_argument("--run-id", type=int, default=None, help="the run these fetches belong to")
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

    started = time.monotonic()
    # The history is written on a thread of its own (spiders.pipelines), and the database
    # driver lets go of the GIL for every statement. With Python's default 5 ms switch
    # interval, getting it back from the busy reactor thread cost up to 5 ms a statement:
    # the writer fell behind the downloads (~20 ms a page) and every page waiting to be
    # stored stayed in memory, ~50 MB at 2,000 pages. At 0.5 ms it keeps up.
    sys.setswitchinterval(WRITER_SWITCH_INTERVAL)
    parties = _read_parties(sys.stdin)
    known, validators = _prepare_history(args.db, parties)
    settings = crawl_settings(delay=args.delay, maxsize=args.maxsize, timeout=args.timeout,
                              log_level=args.log_level)
    settings.update(lean_components())
    settings.update({"PARTYWATCH_DB_URL": args.db, "PARTYWATCH_RUN_ID": args.run_id})
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
    sys.exit(main())

"""Run one crawl: `python -m spiders.crawl --db URL --parties FILE [--run-id N] [--party ID ...]`.

The crawl runs in a process of its own (see spiders.runner): Twisted's reactor starts
once per process, the parent can kill a crawl that overruns, and the crawl's memory is
returned when it ends. This process writes fetches and snapshots to the history itself
and prints one JSON progress line per event on stdout (spiders.progress); scrapy's log
goes to stderr.

parties.yaml is expected to have been validated by the caller (`partywatch check` does);
this module reads only the fields it needs.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import yaml
from sqlalchemy import select


def _load_parties(path: str, wanted: list[str]) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle) or {}
    parties = [
        {"id": p["id"], "name": p["name"], "jurisdiction": p["jurisdiction"],
         "homepage": p["homepage"], "render": bool(p.get("render")),
         "documents": [{"url": d["url"], "kind": d.get("kind", "privacy_notice"),
                        "render": d.get("render")}
                       for d in p.get("documents") or []]}
        for p in data.get("parties") or []
    ]
    if wanted:
        unknown = set(wanted) - {p["id"] for p in parties}
        if unknown:
            raise SystemExit(f"unknown party id(s): {', '.join(sorted(unknown))}")
        parties = [p for p in parties if p["id"] in wanted]
    return parties


def _prepare_history(db_url: str, parties: list[dict]):
    """Make sure the parties exist; return each party's documents already in the history
    ({party: [(url, kind)]}) and their stored validators ({(party, url): (etag, last_modified)})."""
    from history.db import open_database, transaction
    from history.models import DocumentRow
    from history.store import sync_parties

    engine = open_database(db_url)
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
    parser.add_argument("--parties", required=True, help="parties.yaml")
    parser.add_argument("--run-id", type=int, default=None, help="the run these fetches belong to")
    parser.add_argument("--party", action="append", default=[], help="crawl only this party (repeatable)")
    parser.add_argument("--delay", type=float, default=None, help="seconds between requests to one host")
    parser.add_argument("--maxsize", type=int, default=None, help="response size cap in bytes")
    parser.add_argument("--timeout", type=float, default=None, help="per-request timeout in seconds")
    parser.add_argument("--log-level", default="WARNING")
    args = parser.parse_args(argv)
    if not args.db:
        parser.error("no database: pass --db URL or set PARTYWATCH_CRAWL_DB_URL")

    from scrapy.crawler import CrawlerProcess

    from spiders.progress import emit
    from spiders.settings import crawl_settings
    from spiders.spider import PartySpider

    started = time.monotonic()
    parties = _load_parties(args.parties, args.party)
    known, validators = _prepare_history(args.db, parties)
    settings = crawl_settings(delay=args.delay, maxsize=args.maxsize, timeout=args.timeout,
                              log_level=args.log_level)
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

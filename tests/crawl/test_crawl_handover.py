"""The crawl process hands its fetches to its parent, which stores them: nothing that reached
the parent is lost when the crawl is killed or dies, and a message cut short is never stored."""

from __future__ import annotations

import io
import json
import os
import signal
from dataclasses import replace

from helpers.crawl import documents_of, fetches_of
from helpers.sites import ABOUT_THE_PARTY, Response, page
from history.db import open_database, transaction
from history.store import sync_parties
from spiders.progress import read_messages
from spiders.runner import CrawlProcess, run_crawl

NOTICE = page("<h1>Privacy notice</h1><p>We keep canvassing data for two years.</p>" + ABOUT_THE_PARTY)


def _spec(party_id: str, site, documents=()) -> dict:
    return {"id": party_id, "name": f"{party_id.title()} Party", "jurisdiction": "GB",
            "homepage": site.url("/"), "render": False,
            "documents": [{"url": site.url(path), "kind": "privacy_notice", "render": None}
                          for path in documents]}


def _stored_urls(engine, party_ids) -> set[str]:
    return {document.url for party_id in party_ids for document in documents_of(engine, party_id).values()
            if fetches_of(engine, document.id)}


def test_a_timed_out_crawl_keeps_what_it_fetched(database_url, sites, monkeypatch):
    monkeypatch.setenv("PARTYWATCH_CRAWL_TIMEOUT", "60")
    fast = sites({"/": page('<a href="/privacy">Privacy notice</a>'), "/privacy": NOTICE})
    slow = sites({"/": Response(200, b"<p>late</p>", {"Content-Type": "text/html"}, delay=30)})
    engine = open_database(database_url)
    events = []
    result = run_crawl(database_url, [_spec("alpha", fast), _spec("beta", slow, ["/notice"])], None,
                       on_event=events.append, crawl_timeout=8)
    assert result.timed_out and not result.ok
    # alpha's notice was fetched and stored before the crawl was stopped; beta's never came
    [fetch] = fetches_of(engine, documents_of(engine, "alpha")["/privacy"].id)
    assert fetch.ok and fetch.snapshot_id is not None
    assert [e["url"] for e in events if e["event"] == "fetch"] == [fast.url("/privacy")]
    assert documents_of(engine, "beta") == {}


def test_a_crawl_process_that_dies_keeps_every_fetch_its_parent_received(database_url, sites):
    # each site's last notice answers late, so pages are still on the way when the crawl is
    # killed: fast pages alone could all be in the pipe before the parent has stored and
    # reported the first one (seen on PostgreSQL: 48 of 48 reported)
    party_sites = {f"p{n}": sites({"/": page("".join(f'<a href="/privacy-{i}">Privacy notice {i}</a>'
                                                     for i in range(8))),
                                   **{f"/privacy-{i}": NOTICE for i in range(7)},
                                   "/privacy-7": replace(NOTICE, delay=10)})
                   for n in range(6)}
    # a homepage that answers late keeps the crawl alive until it is killed: fast sites alone
    # could all be fetched before the first fetch is stored and reported (seen on PostgreSQL)
    party_sites["slow"] = sites({"/": Response(200, b"<p>late</p>", {"Content-Type": "text/html"}, delay=10)})
    specs = [_spec(party_id, site) for party_id, site in party_sites.items()]
    engine = open_database(database_url)
    with transaction(engine) as session:
        sync_parties(session, [{k: spec[k] for k in ("id", "name", "jurisdiction", "homepage")}
                               for spec in specs])
    crawl = CrawlProcess(database_url, delay=0)
    reported: list[str] = []

    def on_event(event):
        if event["event"] == "fetch":
            if not reported:
                os.kill(crawl.process.pid, signal.SIGKILL)  # dies mid-crawl, pages still on the way
            reported.append(event["url"])

    result = crawl.run(specs, None, on_event=on_event)
    assert result.returncode == -signal.SIGKILL and not result.timed_out
    # Every fetch that reached the parent, the first and those already in the pipe, is stored
    # and reported; nothing else is.
    assert reported and _stored_urls(engine, party_sites) == set(reported)
    assert len(reported) < 6 * 8


def test_a_message_cut_short_is_never_passed_on():
    body = b"%PDF-1.4\n" + bytes(range(256))
    whole = json.dumps({"event": "item", "url": "http://127.0.0.1/a.pdf", "body": len(body)}).encode()
    messages = [json.dumps({"event": "start", "parties": ["a"], "requests": 1}).encode() + b"\n",
                whole + b"\n" + body,
                whole + b"\n" + body[:100]]  # the process was killed while writing this one
    received = list(read_messages(io.BytesIO(b"".join(messages))))
    assert [(m["event"], b) for m, b in received] == [("start", None), ("item", body)]


def test_a_fetch_that_cannot_be_stored_is_reported_and_the_crawl_goes_on(database_url, sites):
    alpha = sites({"/": page('<a href="/privacy">Privacy notice</a>'), "/privacy": NOTICE})
    beta = sites({"/": page('<a href="/privacy">Privacy notice</a>'), "/privacy": NOTICE})
    engine = open_database(database_url)
    with transaction(engine) as session:  # beta is left out of the history: its pages cannot be stored
        sync_parties(session, [{"id": "alpha", "name": "Alpha Party", "jurisdiction": "GB",
                                "homepage": alpha.url("/")}])
    events = []
    result = CrawlProcess(database_url, delay=0).run([_spec("alpha", alpha), _spec("beta", beta)], None,
                                                     on_event=events.append)
    assert result.ok, result.stderr_tail
    assert [e["url"] for e in events if e["event"] == "fetch"] == [alpha.url("/privacy")]
    assert _stored_urls(engine, ["alpha"]) == {alpha.url("/privacy")}
    [error] = result.store_errors
    assert error.startswith(f"{beta.url('/privacy')}: could not store the fetch")

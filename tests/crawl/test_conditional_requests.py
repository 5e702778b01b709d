"""Politeness that saves work: an unchanged document costs a 304, not its whole body.

A document's ETag and Last-Modified are stored with its fetched copy and sent back as
If-None-Match / If-Modified-Since; a 304 is an unchanged fetch of the stored snapshot.
"""

from __future__ import annotations

from helpers.crawl import check_json, documents_of, fetches_of, snapshots_of
from helpers.sites import ABOUT_THE_PARTY, conditional, page
from history.db import open_database

NOTICE = ("<h1>Privacy notice</h1><p>We get your name and address from the electoral register.</p>"
          "<p>We keep canvassing records for two years after each election and then delete them.</p>"
          + ABOUT_THE_PARTY)
ETAG = '"notice-v1"'
LAST_MODIFIED = "Wed, 01 Oct 2025 09:00:00 GMT"


def requests_for(site, path: str) -> list[dict]:
    return [headers for p, headers in site.headers if p == path]


def test_an_unchanged_document_costs_a_304_and_stores_no_new_snapshot(database_url, sites, write_parties,
                                                                      rubric_path):
    site = sites({"/": page('<a href="/privacy">Privacy notice</a>'),
                  "/privacy": conditional(page(NOTICE), etag=ETAG, last_modified=LAST_MODIFIED)})
    parties = write_parties({"alpha": site})
    engine = open_database(database_url)

    first = check_json(database_url, parties, rubric_path)["alpha"]
    assert "If-None-Match" not in requests_for(site, "/privacy")[0]  # nothing stored yet to ask about
    document = documents_of(engine, "alpha")["/privacy"]
    assert (document.etag, document.last_modified) == (ETAG, LAST_MODIFIED)

    second = check_json(database_url, parties, rubric_path)["alpha"]
    asked = requests_for(site, "/privacy")[-1]
    assert asked["If-None-Match"] == ETAG and asked["If-Modified-Since"] == LAST_MODIFIED
    assert site.not_modified == ["/privacy"]
    [snapshot] = snapshots_of(engine, document.id)
    fetches = fetches_of(engine, document.id)
    assert [(f.http_status, f.ok, f.new_content, f.snapshot_id) for f in fetches] == [
        (200, True, True, snapshot.id), (304, True, False, snapshot.id)]
    # Still scored from the stored copy, exactly as before.
    assert (second["grade"], second["overall"], second["steps"]) == (first["grade"], first["overall"],
                                                                     first["steps"])
    assert [d["status"] for d in second["documents"]] == ["ok"]


def test_a_changed_document_is_fetched_again_with_its_new_validators(database_url, sites, write_parties,
                                                                    rubric_path):
    site = sites({"/": page('<a href="/privacy">Privacy notice</a>'),
                  "/privacy": conditional(page(NOTICE), etag=ETAG)})
    parties = write_parties({"alpha": site})
    engine = open_database(database_url)
    check_json(database_url, parties, rubric_path)["alpha"]

    changed = NOTICE.replace("two years", "three years")
    site.routes["/privacy"] = conditional(page(changed), etag='"notice-v2"')
    check_json(database_url, parties, rubric_path)["alpha"]
    document = documents_of(engine, "alpha")["/privacy"]
    assert site.not_modified == []
    assert len(snapshots_of(engine, document.id)) == 2
    assert document.etag == '"notice-v2"'
    assert [f.http_status for f in fetches_of(engine, document.id)] == [200, 200]

    check_json(database_url, parties, rubric_path)["alpha"]
    assert requests_for(site, "/privacy")[-1]["If-None-Match"] == '"notice-v2"'
    assert site.not_modified == ["/privacy"]


def test_last_modified_alone_makes_the_request_conditional(database_url, sites, write_parties, rubric_path):
    site = sites({"/": page('<a href="/privacy">Privacy notice</a>'),
                  "/privacy": conditional(page(NOTICE), last_modified=LAST_MODIFIED)})
    parties = write_parties({"alpha": site})
    engine = open_database(database_url)
    check_json(database_url, parties, rubric_path)["alpha"]
    check_json(database_url, parties, rubric_path)["alpha"]
    asked = requests_for(site, "/privacy")[-1]
    assert asked["If-Modified-Since"] == LAST_MODIFIED and "If-None-Match" not in asked
    document = documents_of(engine, "alpha")["/privacy"]
    assert len(snapshots_of(engine, document.id)) == 1
    assert [f.http_status for f in fetches_of(engine, document.id)] == [200, 304]


def test_a_page_without_validators_is_always_fetched_whole(database_url, sites, write_parties, rubric_path):
    site = sites({"/": page('<a href="/privacy">Privacy notice</a>'), "/privacy": page(NOTICE)})
    parties = write_parties({"alpha": site})
    check_json(database_url, parties, rubric_path)["alpha"]
    check_json(database_url, parties, rubric_path)["alpha"]
    for headers in requests_for(site, "/privacy"):
        assert "If-None-Match" not in headers and "If-Modified-Since" not in headers

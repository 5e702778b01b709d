"""`check --archive-fallback`: a document the crawl cannot fetch is scored from a web
archive's copy (a fake Wayback-compatible archive on 127.0.0.1), labelled as such."""

from __future__ import annotations

import pytest
import yaml

from helpers.crawl import check, check_json, count, documents_of, snapshots_of
from helpers.fake_archive import FakeArchive
from helpers.sites import ABOUT_THE_PARTY, Response, page
from history.db import open_database
from history.models import SnapshotRow

NOTICE = ("<html><body><h1>Privacy notice</h1>"
          "<p>We get your name and address from the electoral register and from canvassing.</p>"
          "<p>We keep canvassing records for two years after each election and then delete them.</p>"
          + ABOUT_THE_PARTY + "</body></html>").encode()
DOWN = Response(503, b"<html><body>Service unavailable</body></html>", {"Content-Type": "text/html"})
TIMESTAMP = "20250301120000"


@pytest.fixture
def archive(monkeypatch):
    archive = FakeArchive().start()
    monkeypatch.setenv("PARTYWATCH_ARCHIVE_URL", archive.root)
    monkeypatch.delenv("PARTYWATCH_ARCHIVE_FALLBACK", raising=False)
    yield archive
    archive.stop()


@pytest.fixture
def failing_party(sites, write_parties):
    site = sites({"/": page('<a href="/privacy">Privacy notice</a>'), "/privacy": DOWN})
    return site, write_parties({"alpha": site}, documents={"alpha": [("/privacy", "privacy_notice")]})


def test_a_failing_document_is_scored_from_the_archived_copy_and_labelled_so(
        database_url, archive, failing_party, rubric_path):
    site, parties = failing_party
    url = site.url("/privacy")
    archive.copies[url] = (TIMESTAMP, NOTICE, "text/html; charset=utf-8")

    assert check_json(database_url, parties, rubric_path)["alpha"]["status"] == "not scored"
    assert archive.requests == []  # off unless asked for

    party = check_json(database_url, parties, rubric_path, "--archive-fallback")["alpha"]
    assert archive.requests == [("/wayback/available", {"url": url}),
                                (f"/web/{TIMESTAMP}id_/{url}", {})]
    assert party["status"] == "scored" and party["grade"] is not None
    retention = next(s for s in party["steps"] if s["id"] == "retention")
    assert retention["score"] > 0
    assert any("two years" in e["quote"] for el in retention["elements"] for e in el["evidence"])
    [document] = party["documents"]
    assert (document["status"], document["provenance"]) == ("failed", "archived")  # the site is still down
    assert document["source_note"] == "from an archived copy of 2025-03-01"

    engine = open_database(database_url)
    [snapshot] = snapshots_of(engine, documents_of(engine, "alpha")["/privacy"].id)
    assert (snapshot.provenance, snapshot.captured_at.isoformat(), snapshot.raw) == (
        "archived", "2025-03-01T12:00:00", NOTICE)

    # Next time the archive has nothing newer: nothing is stored twice, the label stays.
    table = check(database_url, parties, rubric_path, "--archive-fallback").stdout
    assert "scored from an archived copy of 2025-03-01" in table
    assert "not newer" in table
    assert count(engine, SnapshotRow) == 1


def test_no_copy_and_archive_errors_store_nothing_and_the_check_goes_on(
        database_url, archive, failing_party, rubric_path):
    _, parties = failing_party
    engine = open_database(database_url)
    table = check(database_url, parties, rubric_path, "--archive-fallback").stdout
    assert "no copy" in table and "not scored" in table
    assert count(engine, SnapshotRow) == 0

    archive.fail_with = 503
    table = check(database_url, parties, rubric_path, "--archive-fallback").stdout
    assert "archive answered HTTP 503" in table and "not scored" in table
    archive.stop()
    table = check(database_url, parties, rubric_path, "--archive-fallback").stdout
    assert "cannot reach the archive" in table
    assert count(engine, SnapshotRow) == 0


def test_the_archive_gives_only_html_pdf_or_text(database_url, archive, failing_party, rubric_path):
    site, parties = failing_party
    archive.copies[site.url("/privacy")] = (TIMESTAMP, b"\x89PNG...", "image/png")
    table = check(database_url, parties, rubric_path, "--archive-fallback").stdout
    assert "image/png, not HTML, PDF or text" in table
    assert count(open_database(database_url), SnapshotRow) == 0


def test_parties_yaml_and_the_setting_switch_it_on(database_url, archive, failing_party, rubric_path,
                                                    monkeypatch):
    site, parties = failing_party
    archive.copies[site.url("/privacy")] = (TIMESTAMP, NOTICE, "text/html")
    data = yaml.safe_load(parties.read_text())
    data["parties"][0]["archive_fallback"] = True
    parties.write_text(yaml.safe_dump(data))
    assert check_json(database_url, parties, rubric_path)["alpha"]["status"] == "scored"

    data["parties"][0]["archive_fallback"] = False
    parties.write_text(yaml.safe_dump(data))
    archive.requests.clear()
    monkeypatch.setenv("PARTYWATCH_ARCHIVE_FALLBACK", "1")
    check_json(database_url, parties, rubric_path)["alpha"]
    assert archive.requests[0] == ("/wayback/available", {"url": site.url("/privacy")})


def test_a_newer_fetched_copy_is_kept_and_healthy_documents_are_not_looked_up(
        database_url, archive, sites, write_parties, rubric_path):
    site = sites({"/": page('<a href="/privacy">Privacy notice</a>'),
                  "/privacy": Response(200, NOTICE, {"Content-Type": "text/html"})})
    parties = write_parties({"alpha": site})
    archive.copies[site.url("/privacy")] = ("20200101000000", b"<html><body>Old notice</body></html>",
                                            "text/html")
    first = check_json(database_url, parties, rubric_path, "--archive-fallback")["alpha"]
    assert archive.requests == []
    site.routes["/privacy"] = DOWN
    table = check(database_url, parties, rubric_path, "--archive-fallback").stdout
    assert "archive's copy of 2020-01-01 is not newer" in table
    party = check_json(database_url, parties, rubric_path)["alpha"]
    assert party["documents"][0]["provenance"] == "fetched" and "source_note" not in party["documents"][0]
    assert party["overall"] == first["overall"]

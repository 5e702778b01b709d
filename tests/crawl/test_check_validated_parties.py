"""The crawl process crawls the parties `check` validated, never a second read of the file."""

from __future__ import annotations

import yaml

from helpers.crawl import documents_of
from helpers.sites import ABOUT_THE_PARTY, page
from history.db import open_database
from partywatch.checking import run_check
from partywatch.progress import Kind, Progress

NOTICE = ("<h1>Privacy notice</h1><p>We get your name and address from the electoral register.</p>"
          + ABOUT_THE_PARTY)


def test_a_parties_file_changed_after_validation_does_not_change_the_crawl(
        database_url, sites, write_parties, rubric_path):
    validated = sites({"/": page('<a href="/privacy">Privacy notice</a>'), "/privacy": page(NOTICE)})
    elsewhere = sites({"/": page('<a href="/privacy">Privacy notice</a>'), "/privacy": page(NOTICE)})
    parties_path = write_parties({"alpha": validated})

    def swap_the_file(progress: Progress) -> None:
        # "run N: crawling 1 party" comes after validation, just before the crawl starts:
        # the file now names another site, and is not even a valid parties file.
        if progress.kind is Kind.RUN and "crawling" in progress.text:
            parties_path.write_text(yaml.safe_dump({"parties": [
                {"id": "alpha", "homepage": elsewhere.url("/"), "unknown_key": True}]}), encoding="utf-8")

    engine = open_database(database_url)
    try:
        report = run_check(engine, parties_path=parties_path, rubric_path=rubric_path,
                           progress=swap_the_file)
        assert [party.party_id for party in report.parties] == ["alpha"]
        assert report.parties[0].reason is None  # scored from the validated site's notice
        assert set(documents_of(engine, "alpha")) == {"/privacy"}
        assert [d.url for d in report.parties[0].documents] == [validated.url("/privacy")]
    finally:
        engine.dispose()
    assert "/privacy" in validated.paths()
    assert elsewhere.paths() == []

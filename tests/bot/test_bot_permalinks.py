"""/why links each quote to its stored copy on the published report (--base-url), or,
without one, to the live page with the date partywatch read it."""

from __future__ import annotations

import pytest

from helpers.bot import PARTIES, RunningBot, ask, seed_scorecard
from history.db import transaction
from history.store import get_or_create_document, record_fetch, sync_parties

QUOTE = "We keep canvassing data for two years."
TEXT = "Privacy notice\nWe collect data from the electoral register.\n" + QUOTE + "\n"


@pytest.fixture
def quoted(engine):
    """snp's retention quote sits in a stored snapshot of its notice."""
    with transaction(engine) as session:
        sync_parties(session, PARTIES)
        document = get_or_create_document(session, "snp", "https://example.org/snp/privacy?a=1&b=2",
                                          "privacy_notice")
        snapshot = record_fetch(session, document, run_id=None, http_status=200, raw=TEXT.encode(),
                                content_type="text/plain", text=TEXT).snapshot
        snapshot_id, fetched_at = snapshot.id, snapshot.fetched_at
    seed_scorecard(engine, "snp", 70.5, "B", scores={"retention": 75.0}, quote=QUOTE,
                   snapshot_id=snapshot_id, start=TEXT.index(QUOTE))
    return engine, snapshot_id, fetched_at


def why_retention(engine, fake, site_url):
    bot = RunningBot(engine, fake, site_url=site_url).start()
    try:
        (answer,) = ask(fake, "/why snp retention")
        return answer
    finally:
        bot.stop()


def test_why_links_the_stored_version_when_the_site_is_published(quoted, fake):
    engine, snapshot_id, fetched_at = quoted
    answer = why_retention(engine, fake, "https://watch.example.org/pw/")
    start = TEXT.index(QUOTE)
    stored = f"https://watch.example.org/pw/versions/{snapshot_id}.html#q-{start}-{start + len(QUOTE)}"
    assert f'<a href="{stored}">stored copy of {fetched_at:%d %b %Y}</a>' in answer.text
    assert '<a href="https://example.org/snp/privacy?a=1&amp;b=2">live page</a>' in answer.text
    assert QUOTE in answer.plain


def test_why_without_a_site_shows_the_live_url_and_the_snapshot_date(quoted, fake):
    engine, _snapshot_id, fetched_at = quoted
    answer = why_retention(engine, fake, None)
    assert ('<a href="https://example.org/snp/privacy?a=1&amp;b=2">source</a> '
            f"(as read on {fetched_at:%d %b %Y})") in answer.text
    assert "versions/" not in answer.text

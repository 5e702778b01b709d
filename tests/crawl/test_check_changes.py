"""A change is what a reader would call a change.

Following Open Terms Archive's split between snapshots (the bytes) and versions (the
extracted text): a page re-fetched with only its scripts or footer changed is stored as a
new snapshot, but it is not a new version, so no scorecard is stored and no one is told.
A change to the notice's text is news, even when no score moves.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from helpers.crawl import check, count
from helpers.sites import ABOUT_THE_PARTY, Response, page
from history.db import open_database, transaction
from history.models import (
    OutboxMessageRow,
    ScorecardChangeRow,
    ScorecardRow,
    SnapshotRow,
    SubscriberRow,
    SubscriptionRow,
)

NOTICE = ('<h1>Privacy notice</h1>'
          '<p>We get your name and address from the electoral register and from canvassing.</p>'
          '<p>We keep canvassing records for two years after each election and then delete them.</p>'
          '<p>You have the right to access your data and to complain to the ICO.</p>' + ABOUT_THE_PARTY)


def notice_page(notice: str = NOTICE, *, script: str = "var build = 1;",
                footer: str = "© 2025 Alpha Party. Promoted by J. Smith, 1 High Street.") -> Response:
    html = (f'<!doctype html><html><head><title>Privacy notice</title><script>{script}</script></head>'
            f'<body><nav><a href="/">Home</a></nav><main>{notice}</main>'
            f'<footer><p>{footer}</p></footer></body></html>')
    return Response(200, html.encode(), {"Content-Type": "text/html; charset=utf-8"})


@pytest.fixture
def watched(database_url, sites, write_parties, rubric_path):
    """A party checked once (its first scorecard) and a subscriber to every party."""
    site = sites({"/": page('<a href="/privacy">Privacy notice</a>'), "/privacy": notice_page()})
    parties = write_parties({"alpha": site})
    engine = open_database(database_url)
    check(database_url, parties, rubric_path)
    with transaction(engine) as session:
        session.add(SubscriberRow(chat_id=42, active=True))
        session.add(SubscriptionRow(chat_id=42, party_id="*"))
    assert (count(engine, SnapshotRow), count(engine, ScorecardRow)) == (1, 1)
    return site, parties, engine


@pytest.mark.parametrize("changed", [
    {"script": "var build = 2; window.dataLayer = window.dataLayer || [];"},
    {"footer": "© 2026 Alpha Party. Promoted by A. Jones on behalf of Alpha Party, 2 Low Road."},
], ids=["scripts", "footer"])
def test_a_page_changed_only_in_scripts_or_footer_is_not_a_change(watched, database_url, rubric_path,
                                                                  changed):
    site, parties, engine = watched
    site.routes["/privacy"] = notice_page(**changed)
    result = check(database_url, parties, rubric_path)
    assert count(engine, SnapshotRow) == 2  # the new bytes are kept, as a snapshot ...
    assert count(engine, ScorecardRow) == 1  # ... but the notice reads the same: no new scorecard
    assert count(engine, ScorecardChangeRow) == 0
    assert count(engine, OutboxMessageRow) == 0
    row = next(line for line in result.stdout.splitlines() if "Alpha Party" in line)
    assert "unchanged" in row
    assert "document changed" not in result.stdout
    assert "0 notification(s) queued." in result.stdout


def test_a_new_sentence_is_a_change_even_when_no_score_moves(watched, database_url, rubric_path):
    site, parties, engine = watched
    added = "Our offices are closed on bank holidays."
    site.routes["/privacy"] = notice_page(NOTICE.replace(ABOUT_THE_PARTY, f"<p>{added}</p>" + ABOUT_THE_PARTY))
    result = check(database_url, parties, rubric_path)
    assert count(engine, ScorecardRow) == 2
    printed = " ".join(result.stdout.split())  # as read, whatever the terminal's width
    assert f"alpha document changed: {site.url('/privacy')} — +1 / -0 sentences; added: “{added}”" in printed
    with transaction(engine) as session:
        (message,) = session.scalars(select(OutboxMessageRow)).all()
        (entry,) = message.payload["parties"]
    assert message.chat_id == 42
    assert entry["old"] == entry["new"]  # no score moved ...
    assert [d["change"] for d in entry["documents"]] == ["changed"]  # ... the text did

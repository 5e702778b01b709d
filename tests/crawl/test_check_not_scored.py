"""No text, no grade: `partywatch check` never grades a party it has no privacy notice for.

A party none of whose documents could be fetched, whose documents hold no privacy notice,
or whose notice has almost no text (a page that needs JavaScript) is "not scored" with a
reason: no grade in the output, no scorecard stored, no notification queued.
"""

from __future__ import annotations

import re

from helpers.crawl import check, check_json, count
from helpers.sites import ABOUT_THE_PARTY, Response, page
from history.db import open_database, transaction
from history.models import OutboxMessageRow, ScorecardRow, SnapshotRow, SubscriberRow, SubscriptionRow
from partywatch.pipeline import MIN_NOTICE_WORDS

NOTICE = ('<h1>Privacy notice</h1>'
          '<p>We get your name and address from the electoral register and from canvassing.</p>'
          '<p>We keep canvassing records for two years after each election and then delete them.</p>'
          '<p>You have the right to access your data and to complain to the ICO.</p>' + ABOUT_THE_PARTY)
# What many sites serve before their scripts run: a title, an empty root and a noscript line.
JS_SHELL = Response(200, (b'<!doctype html><html><head><title>Privacy notice | Alpha Party</title>'
                          b'<script src="/static/js/main.3f9a1c.js" defer></script></head>'
                          b'<body><div id="root"></div>'
                          b'<noscript>You need to enable JavaScript to run this app.</noscript>'
                          b'</body></html>'),
                    {"Content-Type": "text/html; charset=utf-8"})
HOME = page('<a href="/privacy">Privacy notice</a>')
DOWN = Response(503, b"<html><body>Service unavailable</body></html>", {"Content-Type": "text/html"})


def subscribe_everyone(engine, chat_id: int = 42) -> None:
    with transaction(engine) as session:
        session.add(SubscriberRow(chat_id=chat_id, active=True))
        session.add(SubscriptionRow(chat_id=chat_id, party_id="*"))


def test_unreachable_sites_are_not_scored_stored_or_announced(database_url, sites, write_parties,
                                                              rubric_path):
    alpha, beta = sites({"/": HOME}), sites({"/": HOME})
    parties = write_parties({"alpha": alpha, "beta": beta},
                            documents={"beta": [("/privacy", "privacy_notice")]})
    alpha.stop()
    beta.stop()  # nothing listens on their ports any more
    engine = open_database(database_url)
    subscribe_everyone(engine)

    result = check(database_url, parties, rubric_path)
    assert ("Alpha Party (alpha): not scored: its website could not be reached "
            "(homepage: connection refused)") in result.stdout
    assert ("Beta Party (beta): not scored: none of its documents could be fetched "
            "(connection refused)") in result.stdout
    for name in ("Alpha Party", "Beta Party"):
        row = next(line for line in result.stdout.splitlines() if line.startswith(f"│ {name}"))
        assert "not scored" in row and " E " not in row and "0.0" not in row
    assert "Step scores" not in result.stdout
    assert "0 notification(s) queued." in result.stdout
    assert count(engine, ScorecardRow) == 0
    assert count(engine, OutboxMessageRow) == 0

    output = check_json(database_url, parties, rubric_path)
    for party in ("alpha", "beta"):
        assert output[party]["status"] == "not scored"
        assert (output[party]["overall"], output[party]["grade"], output[party]["steps"]) == (None, None, [])
    assert output["alpha"]["reason"] == "its website could not be reached (homepage: connection refused)"
    assert output["beta"]["documents"][0]["status"] == "failed"
    assert count(engine, ScorecardRow) == 0 and count(engine, OutboxMessageRow) == 0


def test_documents_that_arrive_later_give_a_first_scorecard_and_no_change_message(
        database_url, sites, write_parties, rubric_path):
    alpha = sites({"/": DOWN})
    parties = write_parties({"alpha": alpha})
    engine = open_database(database_url)
    subscribe_everyone(engine)

    first = check(database_url, parties, rubric_path)
    assert "Alpha Party (alpha): not scored: its website could not be reached (homepage: HTTP 503)" \
        in first.stdout
    assert count(engine, ScorecardRow) == 0

    alpha.routes.update({"/": HOME, "/privacy": page(NOTICE)})
    second = check(database_url, parties, rubric_path)
    assert "not scored" not in second.stdout
    row = next(line for line in second.stdout.splitlines() if "Alpha Party" in line)
    assert "new" in row  # a first scorecard, not a change from a grade it never had
    assert count(engine, ScorecardRow) == 1
    assert count(engine, OutboxMessageRow) == 0
    output = check_json(database_url, parties, rubric_path)
    assert output["alpha"]["status"] == "scored" and output["alpha"]["reason"] is None
    assert output["alpha"]["grade"] in "ABCDE" and len(output["alpha"]["steps"]) == 10


def test_a_javascript_shell_is_not_scored(database_url, sites, write_parties, rubric_path):
    alpha = sites({"/": HOME, "/privacy": JS_SHELL})
    parties = write_parties({"alpha": alpha})
    engine = open_database(database_url)

    result = check(database_url, parties, rubric_path)
    assert ("Alpha Party (alpha): not scored: its documents need JavaScript to show their text "
            "(only 0 words of text among 1 script(s): the page needs JavaScript to show its content)"
            ) in result.stdout
    assert count(engine, SnapshotRow) == 0  # the shell is not a snapshot of the notice ...
    assert count(engine, ScorecardRow) == 0  # ... and no grade was made of it
    output = check_json(database_url, parties, rubric_path)
    assert output["alpha"]["grade"] is None
    assert [(d["kind"], d["status"]) for d in output["alpha"]["documents"]] == [
        ("privacy_notice", "unreadable")]


def test_a_scored_party_whose_notice_is_emptied_loses_its_grade_quietly(
        database_url, sites, write_parties, rubric_path):
    alpha = sites({"/": HOME, "/privacy": page(NOTICE)})
    parties = write_parties({"alpha": alpha})
    engine = open_database(database_url)
    assert check_json(database_url, parties, rubric_path)["alpha"]["status"] == "scored"
    subscribe_everyone(engine)

    alpha.routes["/privacy"] = page("<h1>Privacy notice</h1><p>Our privacy notice is being updated. "
                                    "Please check back soon.</p>")
    result = check(database_url, parties, rubric_path)
    assert re.search(r"Alpha Party \(alpha\): not scored: its privacy notice has too little text "
                     rf"to score \(1\d words, fewer than {MIN_NOTICE_WORDS}\)", result.stdout)
    assert count(engine, ScorecardRow) == 1  # the old scorecard is history; nothing new
    assert count(engine, OutboxMessageRow) == 0
    output = check_json(database_url, parties, rubric_path)
    assert (output["alpha"]["status"], output["alpha"]["grade"]) == ("not scored", None)


def test_a_homepage_without_a_notice_or_with_only_a_cookie_policy_is_not_scored(
        database_url, sites, write_parties, rubric_path):
    homepage_only = sites({"/": page("<h1>Vote for us</h1><p>We stand for a better future.</p>")})
    cookies_only = sites({"/": page('<a href="/cookies">Cookie policy</a>'),
                          "/cookies": page("<h1>Cookies</h1><p>We use cookies.</p>" + ABOUT_THE_PARTY)})
    parties = write_parties({"alpha": homepage_only, "beta": cookies_only})
    engine = open_database(database_url)

    output = check_json(database_url, parties, rubric_path)
    assert output["alpha"]["reason"] == "no privacy notice found on its website"
    assert output["beta"]["reason"] == "no privacy notice among its documents (found only: cookie policy)"
    assert {p["status"] for p in output.values()} == {"not scored"}
    assert count(engine, ScorecardRow) == 0

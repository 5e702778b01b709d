"""Challenge pages and JavaScript shells are not the party's words.

A document that answers with a bot-protection challenge (403, 503, or 200 with "Just a
moment..." / "Enable JavaScript and cookies") is `blocked`; one whose HTML holds almost no
text among its scripts is `unreadable`. Neither becomes a snapshot: the last good snapshot
is kept and is still the one scored, `check` shows the status (table and JSON), and admins
are alerted when it happens two checks in a row, as for any failure.
"""

from __future__ import annotations

import json
import re

from sqlalchemy import select

from helpers.crawl import (
    check,
    check_json,
    count,
    documents_of,
    fetches_of,
    snapshots_of,
)
from helpers.sites import ABOUT_THE_PARTY, Response, page
from history.db import open_database, transaction
from history.models import OutboxMessageRow, ScorecardRow
from partywatch.scheduler import Service

HTML = {"Content-Type": "text/html; charset=utf-8"}
HOME = page('<a href="/privacy">Privacy notice</a>')
NOTICE = ('<h1>Privacy notice</h1>'
          '<p>We get your name and address from the electoral register and from canvassing.</p>'
          '<p>We keep canvassing records for two years after each election and then delete them.</p>'
          '<p>You have the right to access your data and to complain to the ICO.</p>' + ABOUT_THE_PARTY)
# A notice may itself say "enable JavaScript and cookies": a long page with a marker is a page.
NOTICE_MENTIONING_A_MARKER = NOTICE + ("<h2>Cookies</h2><p>Some forms on this site say "
                                       "“Enable JavaScript and cookies to continue” when cookies are off.</p>")


def challenge(status: int, title: str = "Just a moment...", extra_headers: dict | None = None) -> Response:
    """A bot-protection interstitial in the style of the common CDNs (written for these tests)."""
    body = ("<!DOCTYPE html><html lang=\"en-US\"><head><title>" + title + "</title>"
            "<meta name=\"robots\" content=\"noindex,nofollow\">"
            "<script>window._chl_opt={cType:'managed',cRay:'8a1b2c3d4e5f'};</script></head>"
            "<body><div class=\"main-wrapper\"><h1>127.0.0.1</h1>"
            "<h2>Checking if the site connection is secure</h2>"
            "<noscript><div>Enable JavaScript and cookies to continue</div></noscript>"
            "<p>127.0.0.1 needs to review the security of your connection before proceeding.</p></div>"
            "<script src=\"/cdn-cgi/challenge-platform/h/b/orchestrate/chl_page/v1\"></script>"
            "</body></html>")
    return Response(status, body.encode(), {**HTML, **(extra_headers or {})})


COOKIE_WALL_200 = Response(200, (b"<html><head><title>Please wait</title></head><body>"
                                 b"<p>Enable JavaScript and cookies to continue</p>"
                                 b"<script src=\"/bot-check.js\"></script></body></html>"), HTML)
# The same notice, written into the page by a script: nothing to read without running it.
JS_NOTICE = Response(200, (
    "<!doctype html><html><head><title>Privacy notice | Alpha Party</title>"
    "<script src=\"/static/js/vendor.5e1d.js\" defer></script></head>"
    "<body><header><nav><a href=\"/\">Home</a> <a href=\"/join\">Join</a></nav></header>"
    "<div id=\"root\"></div>"
    "<script>document.getElementById('root').innerHTML = " + json.dumps(NOTICE) + ";</script>"
    "<footer>Promoted by the Alpha Party, 1 High Street.</footer></body></html>").encode(), HTML)
# A short supplier table with an analytics snippet is still a page to read.
SUPPLIERS_WITH_ANALYTICS = Response(200, (
    b"<html><head><script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments)}"
    b"gtag('js',new Date());gtag('config','G-TEST');</script></head><body><h1>Our suppliers</h1>"
    b"<table><tr><td>Print Co Ltd</td><td>Printing leaflets</td></tr>"
    b"<tr><td>Mail Co Ltd</td><td>Sending letters</td></tr></table></body></html>"), HTML)


def admin_alerts(engine) -> list[str]:
    with transaction(engine) as session:
        return [m.payload["text"] for m in session.scalars(select(OutboxMessageRow).order_by(OutboxMessageRow.id))
                if m.payload.get("type") == "admin_alert"]


def test_challenge_pages_are_blocked_and_the_last_good_snapshot_is_still_scored(
        database_url, sites, write_parties, rubric_path):
    names = ("alpha", "beta", "gamma", "delta", "epsilon", "zeta")
    party_sites = {name: sites({"/": HOME, "/privacy": page(NOTICE)}) for name in names}
    party_sites["epsilon"].routes["/privacy"] = page(NOTICE_MENTIONING_A_MARKER)
    parties = write_parties(party_sites)
    engine = open_database(database_url)
    before = check_json(database_url, parties, rubric_path)
    assert {p["status"] for p in before.values()} == {"scored"}

    party_sites["alpha"].routes["/privacy"] = challenge(403)
    party_sites["beta"].routes["/privacy"] = challenge(503)  # retried like any 503, then judged
    party_sites["gamma"].routes["/privacy"] = challenge(200)
    party_sites["delta"].routes["/privacy"] = COOKIE_WALL_200
    party_sites["zeta"].routes["/privacy"] = Response(403, b"<html><body>Forbidden</body></html>", HTML)
    service = Service(engine, None, admin_ids=frozenset({9000}))

    first = check(database_url, parties, rubric_path)
    privacy = {name: site.url("/privacy") for name, site in party_sites.items()}
    assert (f"alpha: {privacy['alpha']}: blocked: bot-protection challenge page "
            f"(HTTP 403, “Just a moment...”)") in first.stdout
    assert f"beta: {privacy['beta']}: blocked: bot-protection challenge page (HTTP 503" in first.stdout
    assert re.search(rf"gamma: {re.escape(privacy['gamma'])}: blocked: bot-protection challenge page "
                     r"\(HTTP 200, “Just a moment\.\.\.”, \d+ words of text\)", first.stdout)
    assert (f"delta: {privacy['delta']}: blocked: bot-protection challenge page "
            f"(HTTP 200, “Enable JavaScript and cookies to continue”") in first.stdout
    assert f"zeta: {privacy['zeta']}: HTTP 403" in first.stdout  # forbidden, but no challenge: failed
    assert "1 blocked" in next(line for line in first.stdout.splitlines() if "Alpha Party" in line)
    assert "not scored" not in first.stdout
    assert service.queue_failure_alerts() == 0  # once is not yet news

    after = check_json(database_url, parties, rubric_path)
    statuses = {name: after[name]["documents"][0]["status"] for name in names}
    assert statuses == {"alpha": "blocked", "beta": "blocked", "gamma": "blocked", "delta": "blocked",
                        "epsilon": "ok", "zeta": "failed"}
    assert after["alpha"]["documents"][0]["error"] == "bot-protection challenge page (HTTP 403, “Just a moment...”)"
    for name in names:
        # Nothing was scored from a challenge: the party keeps the grade of its real notice.
        assert after[name]["status"] == "scored"
        assert (after[name]["overall"], after[name]["grade"]) == (before[name]["overall"], before[name]["grade"])
        assert after[name]["steps"] == before[name]["steps"]
        document = documents_of(engine, name)["/privacy"]
        assert len(snapshots_of(engine, document.id)) == 1  # the good one; no challenge stored
        last = fetches_of(engine, document.id)[-1]
        assert last.ok == (name == "epsilon")
    assert fetches_of(engine, documents_of(engine, "alpha")["/privacy"].id)[-1].http_status == 403
    assert fetches_of(engine, documents_of(engine, "gamma")["/privacy"].id)[-1].http_status == 200
    assert count(engine, ScorecardRow) == len(names)  # no new scorecard: nothing moved

    # Two checks in a row blocked: the admins hear of it once, like any failure.
    assert service.queue_failure_alerts() == 5
    alerts = admin_alerts(engine)
    alpha_alert = next(a for a in alerts if a.startswith("alpha:"))
    assert (f"{privacy['alpha']} (blocked: bot-protection challenge page (HTTP 403, “Just a moment...”))"
            in alpha_alert)
    assert any(f"{privacy['zeta']} (failed: HTTP 403)" in a for a in alerts)
    assert service.queue_failure_alerts() == 0


def test_a_challenge_header_blocks_whatever_the_page_says(database_url, sites, write_parties, rubric_path):
    alpha = sites({"/": HOME, "/privacy": Response(403, b"<html><body>Denied</body></html>",
                                                   {**HTML, "cf-mitigated": "challenge"})})
    output = check_json(database_url, write_parties({"alpha": alpha}), rubric_path)
    (document,) = output["alpha"]["documents"]
    assert document["status"] == "blocked"
    assert document["error"] == "bot-protection challenge page (HTTP 403, header cf-mitigated: challenge)"
    assert output["alpha"]["reason"] == ("its documents are blocked by bot protection "
                                         "(bot-protection challenge page (HTTP 403, header cf-mitigated: "
                                         "challenge))")


def test_a_blocked_homepage_is_reported_as_blocked(database_url, sites, write_parties, rubric_path):
    alpha = sites({"/": challenge(403)})
    result = check(database_url, write_parties({"alpha": alpha}), rubric_path)
    assert (f"alpha: {alpha.url('/')}: blocked: homepage: bot-protection challenge page "
            f"(HTTP 403, “Just a moment...”)") in result.stdout
    assert "Alpha Party (alpha): not scored: its website could not be reached (homepage: " \
           "bot-protection challenge page (HTTP 403, “Just a moment...”))" in result.stdout


def test_a_javascript_shell_is_unreadable_and_the_last_good_notice_still_counts(
        database_url, sites, write_parties, rubric_path):
    alpha = sites({"/": page('<a href="/privacy">Privacy notice</a> <a href="/suppliers">Our suppliers</a>'),
                   "/privacy": page(NOTICE), "/suppliers": SUPPLIERS_WITH_ANALYTICS})
    parties = write_parties({"alpha": alpha})
    engine = open_database(database_url)
    before = check_json(database_url, parties, rubric_path)["alpha"]
    assert before["status"] == "scored"

    alpha.routes["/privacy"] = JS_NOTICE
    result = check(database_url, parties, rubric_path)
    assert (f"alpha: {alpha.url('/privacy')}: unreadable: only 0 words of text among 2 script(s): "
            "the page needs JavaScript to show its content") in result.stdout
    after = check_json(database_url, parties, rubric_path)["alpha"]
    documents = {d["url"].rsplit("/", 1)[1]: d for d in after["documents"]}
    assert documents["privacy"]["status"] == "unreadable"
    assert documents["suppliers"]["status"] == "ok"  # short, with a script, but text to read
    assert (after["status"], after["overall"], after["grade"]) == ("scored", before["overall"], before["grade"])
    assert len(snapshots_of(engine, documents_of(engine, "alpha")["/privacy"].id)) == 1

"""`render: true`: a notice written into the page by a script is read through Chromium.

Debian's Chromium (/usr/bin/chromium, or $PARTYWATCH_CHROMIUM) renders the page; every
request the page makes is held to the plain crawl's rules: robots.txt, the party's hosts
and the size cap.
"""

from __future__ import annotations

import json

import yaml
from click.testing import CliRunner
from sqlalchemy import func, select

from helpers.crawl import TEST_MAXSIZE, check_json
from helpers.sites import ABOUT_THE_PARTY, Response, page, text
from history.db import open_database, transaction
from history.models import FetchRow, PartyRow
from partywatch.cli import main

HTML = {"Content-Type": "text/html; charset=utf-8"}
NOTICE = ('<h1>Privacy notice</h1>'
          '<p>We get your name and address from the electoral register and from canvassing.</p>'
          '<p>We keep canvassing records for two years after each election and then delete them.</p>'
          '<p>You have the right to access your data and to complain to the ICO.</p>' + ABOUT_THE_PARTY)


def shell(script_url: str) -> Response:
    """A page that is empty until its script writes the notice into it."""
    return Response(200, ('<!doctype html><html><head><title>Privacy notice</title></head><body>'
                          '<div id="root"></div>'
                          f'<script src="{script_url}"></script></body></html>').encode(), HTML)


WRITE_NOTICE = text(f"document.getElementById('root').innerHTML = {json.dumps(NOTICE)};",
                    "application/javascript")


def write_parties(path, entries) -> str:
    path.write_text(yaml.safe_dump({"parties": [
        {"id": pid, "name": f"{pid.title()} Party", "jurisdiction": "GB", "homepage": site.url("/"),
         **extra} for pid, site, extra in entries]}), encoding="utf-8")
    return str(path)


def test_a_notice_written_by_a_script_is_scored_when_rendered_and_only_then(
        database_url, sites, tmp_path, rubric_path):
    home = page('<a href="/privacy">Privacy notice</a>')
    scripted = sites({"/": home, "/privacy": shell("/static/notice.js"), "/static/notice.js": WRITE_NOTICE})
    static = sites({"/": home, "/privacy": page(NOTICE)})
    by_document = sites({"/": home, "/privacy": shell("/static/notice.js"), "/static/notice.js": WRITE_NOTICE})
    parties = write_parties(tmp_path / "parties.yaml", [
        ("plain", scripted, {}),
        ("rendered", scripted, {"render": True}),
        ("static", static, {}),
        ("perdoc", by_document, {"documents": [{"url": by_document.url("/privacy"),
                                                "kind": "privacy_notice", "render": True}]}),
    ])
    output = check_json(database_url, parties, rubric_path)

    # Without rendering the page is a shell: unreadable, nothing stored, no grade.
    assert output["plain"]["status"] == "not scored"
    assert output["plain"]["documents"][0]["status"] == "unreadable"
    # Rendered, it is the same notice as the static page, and earns the same credits.
    for party in ("rendered", "perdoc"):
        assert output[party]["status"] == "scored", output[party]
        assert output[party]["documents"][0]["status"] == "ok"
        assert (output[party]["overall"], output[party]["grade"]) == (output["static"]["overall"],
                                                                      output["static"]["grade"])
        credits = {(s["id"], e["id"]): e["credit"] for s in output[party]["steps"] for e in s["elements"]}
        assert credits == {(s["id"], e["id"]): e["credit"]
                           for s in output["static"]["steps"] for e in s["elements"]}
    retention = next(s for s in output["rendered"]["steps"] if s["id"] == "retention")
    quotes = [ev["quote"] for e in retention["elements"] for ev in e["evidence"]]
    assert any("two years after each election" in q for q in quotes)
    assert any(s["score"] > 0 for s in output["rendered"]["steps"])

    # The browser asked for the page and its script with partywatch's User-Agent.
    assert {ua.split("/")[0] for path, ua, _ in scripted.log if path == "/static/notice.js"} == {"partywatch"}
    engine = open_database(database_url)
    with transaction(engine) as session:
        assert session.scalar(select(func.count()).select_from(PartyRow)) == 4
        assert session.scalar(select(func.count()).select_from(FetchRow).where(FetchRow.ok.is_(True))) >= 3


def test_rendering_obeys_robots_txt_the_partys_hosts_and_the_size_cap(database_url, sites, tmp_path,
                                                                      rubric_path):
    home = page('<a href="/privacy">Privacy notice</a> <a href="/hidden-privacy">Data protection</a>')
    elsewhere = sites({"/notice.js": WRITE_NOTICE})  # another host:port: not the party's
    robots = sites({"/": home, "/privacy": shell("/static/notice.js"), "/static/notice.js": WRITE_NOTICE,
                    "/hidden-privacy": page(NOTICE),
                    "/robots.txt": text("User-agent: *\nDisallow: /static/\nDisallow: /hidden-privacy\n")})
    foreign = sites({"/": page('<a href="/privacy">Privacy notice</a>'),
                     "/privacy": shell(elsewhere.url("/notice.js"))})
    # The same script padded beyond the size cap (TEST_MAXSIZE, 200 kB) is refused.
    padding = "/*" + "x" * (TEST_MAXSIZE + 1000) + "*/\n"
    oversized = sites({"/": page('<a href="/privacy">Privacy notice</a>'),
                       "/privacy": shell("/static/notice.js"),
                       "/static/notice.js": text(padding + WRITE_NOTICE.body.decode(), "application/javascript")})
    parties = write_parties(tmp_path / "parties.yaml", [
        ("robots", robots, {"render": True}),
        ("foreign", foreign, {"render": True}),
        ("oversized", oversized, {"render": True}),
    ])
    output = check_json(database_url, parties, rubric_path)

    for party in ("robots", "foreign", "oversized"):
        assert output[party]["status"] == "not scored"
        assert [(d["url"].rsplit("/", 1)[1], d["status"]) for d in output[party]["documents"]] == [
            ("privacy", "unreadable")]
    # robots.txt forbids the script and the other page: the browser fetched neither.
    assert "/privacy" in robots.paths()
    assert "/static/notice.js" not in robots.paths() and "/hidden-privacy" not in robots.paths()
    # The script on another host was never requested.
    assert elsewhere.paths() == []


def test_rendering_without_chromium_is_a_clear_error_and_checks_nothing(
        database_url, sites, tmp_path, rubric_path, monkeypatch):
    monkeypatch.setenv("PARTYWATCH_CHROMIUM", str(tmp_path / "no-chromium"))
    site = sites({"/": page("<p>Home</p>")})
    parties = write_parties(tmp_path / "parties.yaml", [("alpha", site, {"render": True})])
    result = CliRunner().invoke(main, ["check", "--parties", parties, "--rubric", str(rubric_path),
                                       "--db", database_url])
    assert result.exit_code == 1
    assert (f"there is no Chromium at {tmp_path / 'no-chromium'}: install Debian's 'chromium' package "
            "(apt-get install chromium)") in result.output
    assert "Traceback" not in result.output
    assert site.paths() == []

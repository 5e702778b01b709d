"""The crawl against fixture party sites, each a real HTTP server on its own 127.0.0.1 port.

Each test runs the real crawl subprocess (`python -m spiders.crawl`) into a real database
and checks what a maintainer would see: which documents were stored, which fetches
failed and why, and — from the servers' own request logs — what was never requested.
"""

from __future__ import annotations

import io

from helpers.crawl import TEST_MAXSIZE, documents_of, fetches_of, snapshots_of
from helpers.sites import fails_then, oversized, page, pdf, redirect, text
from history.db import open_database
from partywatch.parties import load_parties
from spiders.runner import run_crawl
from spiders.settings import CONTACT_URL


def crawl_specs(parties_path) -> list[dict]:
    """The parties file validated, as the crawl process receives it."""
    return [party.crawl_spec() for party in load_parties(parties_path)]


def crawl(database_url, parties_path, **kwargs):
    engine = open_database(database_url)
    result = run_crawl(database_url, crawl_specs(parties_path), None, **kwargs)
    assert result.returncode == 0, result.stderr_tail
    return engine, result


def make_pdf(lines: list[str]) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    doc = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    for index, line in enumerate(lines):
        doc.drawString(72, 800 - 20 * index, line)
    doc.save()
    return buffer.getvalue()


def test_documents_are_discovered_from_the_homepage_by_their_link_text(database_url, sites, write_parties):
    site = sites({
        "/": page('<a href="/a">Privacy notice</a> <a href="/b">How we use your data</a> '
                  '<a href="/c">Data protection</a> <a href="/d">Our suppliers</a> '
                  '<a href="/e">Cookies</a> <a href="/f">Imprint</a> <a href="/join">Join us</a> '
                  '<a href="/hub">Your privacy</a>'),
        "/a": page("We keep data for two years."), "/b": page("B"), "/c": page("C"),
        "/d": page("Acme Print Ltd prints our leaflets."), "/e": page("cookies"), "/f": page("imprint"),
        "/join": page("join"),
        # depth 2: a hub page linking on to the notice for members
        "/hub": page('<a href="/hub/members">Privacy notice for members</a>'),
        "/hub/members": page("members"),
    })
    engine, result = crawl(database_url, write_parties({"alpha": site}))
    documents = documents_of(engine, "alpha")
    assert {path: d.kind for path, d in documents.items()} == {
        "/a": "privacy_notice", "/b": "privacy_notice", "/c": "privacy_notice",
        "/d": "supplier_list", "/e": "cookie_policy", "/f": "other",
        "/hub": "privacy_notice", "/hub/members": "privacy_notice",
    }
    assert all(d.status == "ok" for d in documents.values())
    assert "/join" not in site.paths()  # not a document: not requested
    assert snapshots_of(engine, documents["/d"].id)[0].raw.startswith(b"<html>")
    # Every request names the project and a contact URL.
    assert all("partywatch" in ua and CONTACT_URL in ua for _, ua, _ in site.log)
    assert [e["event"] for e in result.events][0] == "start"
    assert result.events[-1]["event"] == "done"


def test_robots_txt_other_sites_and_private_addresses_are_never_requested(database_url, sites, write_parties):
    other = sites({"/": page("other"), "/privacy": page("someone else's notice")})
    site = sites({
        "/robots.txt": text("User-agent: *\nDisallow: /members/\n"),
        "/": page(f'<a href="/members/privacy">Privacy notice (members)</a> '
                  f'<a href="{other.url("/privacy")}">Privacy notice elsewhere</a> '
                  f'<a href="http://localhost:{other.port}/privacy">Privacy (localhost)</a> '
                  f'<a href="http://10.0.0.1/privacy">Privacy (intranet)</a> '
                  f'<a href="http://169.254.169.254/privacy">Privacy (metadata)</a> '
                  f'<a href="https://www.example.com/privacy">Privacy (another site)</a> '
                  f'<a href="/privacy">Privacy notice</a>'),
        "/members/privacy": page("secret"),
        "/privacy": page("public notice"),
    })
    engine, result = crawl(database_url, write_parties({"alpha": site}))
    assert "/members/privacy" not in site.paths()
    assert site.paths().count("/robots.txt") == 1
    assert other.paths() == []  # another loopback port is another site
    assert set(documents_of(engine, "alpha")) == {"/privacy"}
    # robots.txt-forbidden is reported as skipped, not recorded as a fetch
    skipped = [e for e in result.events if e["event"] == "skipped"]
    assert [e["url"].endswith("/members/privacy") for e in skipped] == [True]
    assert "robots.txt" in skipped[0]["reason"]


def test_redirects_404_and_5xx_are_recorded_and_a_flaky_page_recovers(database_url, sites, write_parties):
    site = sites({
        "/": page('<a href="/moved">Privacy notice</a> <a href="/flaky">Data protection</a>'),
        "/moved": redirect("/privacy-2024"),
        "/privacy-2024": page("the current notice"),
        "/flaky": fails_then(page("back again"), failures=1, status=500),
        "/broken": fails_then(page("never"), failures=99, status=503),
    })
    parties = write_parties({"alpha": site}, documents={"alpha": [("/gone", "supplier_list"),
                                                                   ("/broken", "other")]})
    engine, _ = crawl(database_url, parties)
    documents = documents_of(engine, "alpha")

    # a redirect is stored under the URL the party links to
    assert documents["/moved"].status == "ok"
    assert snapshots_of(engine, documents["/moved"].id)[0].raw.count(b"the current notice") == 1
    assert "/privacy-2024" not in documents

    # a 500 that recovers on retry is an ordinary success
    assert site.paths().count("/flaky") == 2
    assert documents["/flaky"].status == "ok"

    # a 404 is recorded as gone, a 5xx that never recovers as failed after the retries
    assert documents["/gone"].status == "gone"
    assert [(f.ok, f.http_status, f.error) for f in fetches_of(engine, documents["/gone"].id)] == [
        (False, 404, "HTTP 404")]
    assert site.paths().count("/broken") == 3  # the first request and 2 retries
    assert documents["/broken"].status == "failed"
    assert fetches_of(engine, documents["/broken"].id)[-1].error == "HTTP 503"
    assert snapshots_of(engine, documents["/broken"].id) == []


def test_a_redirect_to_another_site_is_refused_and_recorded(database_url, sites, write_parties):
    other = sites({"/privacy": page("not the party's")})
    site = sites({"/": page("home"), "/privacy": redirect(other.url("/privacy"), status=302)})
    parties = write_parties({"alpha": site}, documents={"alpha": [("/privacy", "privacy_notice")]})
    engine, _ = crawl(database_url, parties)
    assert other.paths() == []
    document = documents_of(engine, "alpha")["/privacy"]
    assert document.status == "failed"
    assert f"redirected to 127.0.0.1:{other.port}" in fetches_of(engine, document.id)[0].error


def test_responses_over_the_size_cap_are_cut_and_recorded_as_failed(database_url, sites, write_parties):
    site = sites({
        "/": page('<a href="/big">Privacy notice</a> <a href="/streamed">Our suppliers</a>'),
        # Both bodies are far larger than loopback socket buffers (a few MB), so the server
        # can only finish writing if the crawler reads to the end.
        "/big": oversized(TEST_MAXSIZE * 250),  # declares its length
        "/streamed": oversized(TEST_MAXSIZE * 250, declare_length=False),  # does not
    })
    engine, _ = crawl(database_url, write_parties({"alpha": site}))
    for path in ("/big", "/streamed"):
        document = documents_of(engine, "alpha")[path]
        assert document.status == "failed"
        assert fetches_of(engine, document.id)[0].error == (
            f"response larger than the size cap of {TEST_MAXSIZE:,} bytes; not stored")
        assert snapshots_of(engine, document.id) == []
    # the crawl hung up instead of reading the bodies to the end
    assert sorted(site.incomplete) == ["/big", "/streamed"]


def test_pdf_notices_are_stored_as_raw_bytes(database_url, sites, write_parties):
    data = make_pdf(["Privacy notice", "We keep canvassing data for two years."])
    site = sites({"/": page('<a href="/notice.pdf">Privacy notice (PDF)</a>'), "/notice.pdf": pdf(data)})
    engine, _ = crawl(database_url, write_parties({"alpha": site}))
    document = documents_of(engine, "alpha")["/notice.pdf"]
    snapshot = snapshots_of(engine, document.id)[0]
    assert (document.kind, snapshot.content_type, snapshot.raw) == ("privacy_notice", "application/pdf", data)


def test_content_is_stored_again_only_when_it_changes(database_url, sites, write_parties):
    site = sites({"/": page('<a href="/privacy">Privacy notice</a> <a href="/suppliers">Suppliers</a>'),
                  "/privacy": page("version one"), "/suppliers": page("Acme Ltd")})
    parties = write_parties({"alpha": site})
    engine, _ = crawl(database_url, parties)
    engine, result = crawl(database_url, parties)
    documents = documents_of(engine, "alpha")
    assert [len(snapshots_of(engine, d.id)) for d in documents.values()] == [1, 1]
    assert [len(fetches_of(engine, d.id)) for d in documents.values()] == [2, 2]
    assert not any(e.get("new_content") for e in result.events)

    site.routes["/privacy"] = page("version two")
    engine, result = crawl(database_url, parties)
    assert len(snapshots_of(engine, documents["/privacy"].id)) == 2
    assert len(snapshots_of(engine, documents["/suppliers"].id)) == 1
    assert [e["url"] for e in result.events if e.get("new_content")] == [site.url("/privacy")]


def test_a_vanished_document_is_still_checked_and_keeps_its_snapshot(database_url, sites, write_parties):
    site = sites({"/": page('<a href="/privacy">Privacy notice</a>'), "/privacy": page("notice")})
    parties = write_parties({"alpha": site})
    engine, _ = crawl(database_url, parties)
    site.routes["/"] = page("no links any more")
    del site.routes["/privacy"]
    engine, _ = crawl(database_url, parties)
    document = documents_of(engine, "alpha")["/privacy"]
    assert document.status == "gone"
    assert [f.ok for f in fetches_of(engine, document.id)] == [True, False]
    assert len(snapshots_of(engine, document.id)) == 1


def test_one_request_at_a_time_per_site_and_sites_in_parallel(database_url, sites, write_parties,
                                                               monkeypatch):
    delay = 0.2  # long enough that a loaded test machine's jitter does not hide it
    monkeypatch.setenv("PARTYWATCH_CRAWL_DELAY", str(delay))
    links = " ".join(f'<a href="/privacy-{i}">Privacy notice {i}</a>' for i in range(6))
    routes = {"/": page(links), **{f"/privacy-{i}": page(f"notice {i}", ) for i in range(6)}}
    alpha, beta = sites(dict(routes)), sites(dict(routes))
    crawl(database_url, write_parties({"alpha": alpha, "beta": beta}))
    for site in (alpha, beta):
        times = site.times()
        assert len(times) == 8  # robots.txt, homepage, six notices
        # (the first request also opens the connection, so its arrival time says little)
        gaps = [b - a for a, b in zip(times[1:], times[2:])]
        assert min(gaps) >= delay * 0.75 and sum(gaps) / len(gaps) >= delay * 0.95, gaps
    # the two sites were crawled at the same time, not one after the other
    assert alpha.times()[0] < beta.times()[-1] and beta.times()[0] < alpha.times()[-1]


def test_timeouts_are_recorded_and_an_overrunning_crawl_is_killed(database_url, sites, write_parties, monkeypatch):
    from helpers.sites import Response

    monkeypatch.setenv("PARTYWATCH_CRAWL_TIMEOUT", "0.5")
    monkeypatch.setenv("PARTYWATCH_CRAWL_RETRIES", "0")
    site = sites({"/": page('<a href="/slow">Privacy notice</a>'),
                  "/slow": Response(200, b"late", {"Content-Type": "text/html"}, delay=2)})
    engine, _ = crawl(database_url, write_parties({"alpha": site}))
    document = documents_of(engine, "alpha")["/slow"]
    assert fetches_of(engine, document.id)[0].error == "timed out after 0.5 s"

    monkeypatch.setenv("PARTYWATCH_CRAWL_TIMEOUT", "30")
    site.routes["/slow"] = Response(200, b"later", {"Content-Type": "text/html"}, delay=20)
    result = run_crawl(database_url, crawl_specs(write_parties({"alpha": site})), None, crawl_timeout=3)
    assert result.timed_out and not result.ok
    assert result.returncode == -9  # killed (SIGKILL), not left to finish the 20 s fetch
    # the answer it would have waited for is not recorded; the first crawl's fetch is kept
    assert [f.error for f in fetches_of(engine, document.id)] == ["timed out after 0.5 s"]

"""`partywatch import`: a copy saved by hand becomes a snapshot the next check scores."""

from __future__ import annotations

import json

import jsonschema
from click.testing import CliRunner
from sqlalchemy import func, select

from helpers.check_schema import CHECK_SCHEMA
from helpers.crawl import documents_of, snapshots_of
from helpers.sites import ABOUT_THE_PARTY, Response, page
from history.db import open_database, transaction
from history.models import FetchRow, SnapshotRow
from partywatch.cli import main

NOTICE = ("<html><body><h1>Privacy notice</h1>"
          "<p>We get your name and address from the electoral register and from canvassing.</p>"
          "<p>We keep canvassing records for two years after each election and then delete them.</p>"
          "<p>You have the right to access your data and to complain to the ICO.</p>"
          + ABOUT_THE_PARTY + "</body></html>")
CHALLENGE = Response(403, b"<html><body><h1>Just a moment...</h1>Enable JavaScript and cookies to "
                          b"continue</body></html>", {"Content-Type": "text/html"})


def run(*args, expect_exit=0):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == expect_exit, result.output
    assert "Traceback" not in result.output
    return result


def count_snapshots(engine) -> int:
    with transaction(engine) as session:
        return session.scalar(select(func.count()).select_from(SnapshotRow))


def test_an_imported_copy_is_stored_with_its_provenance_and_scored_by_the_next_check(
        database_url, sites, write_parties, rubric_path, tmp_path):
    site = sites({"/": page('<a href="/privacy">Privacy notice</a>'), "/privacy": CHALLENGE})
    parties = write_parties({"alpha": site}, documents={"alpha": [("/privacy", "privacy_notice")]})
    check = ("check", "--parties", parties, "--rubric", rubric_path, "--db", database_url,
             "--format", "json")
    before = json.loads(run(*check).stdout)["parties"][0]
    assert before["status"] == "not scored"

    saved = tmp_path / "alpha-privacy.html"
    saved.write_text(NOTICE, encoding="utf-8")
    result = run("import", "alpha", saved, "--url", site.url("/privacy"), "--fetched-at", "2025-10-01",
                 "--parties", parties, "--db", database_url)
    assert "imported" in result.output and "partywatch check" in result.output
    engine = open_database(database_url)
    document = documents_of(engine, "alpha")["/privacy"]
    [snapshot] = snapshots_of(engine, document.id)
    assert (snapshot.provenance, f"{snapshot.captured_at:%Y-%m-%d}") == ("imported", "2025-10-01")
    assert snapshot.raw == NOTICE.encode()

    output = json.loads(run(*check).stdout)
    jsonschema.validate(output, CHECK_SCHEMA)
    after = output["parties"][0]
    assert after["status"] == "scored" and after["grade"] is not None
    retention = next(s for s in after["steps"] if s["id"] == "retention")
    quotes = [e["quote"] for el in retention["elements"] for e in el["evidence"]]
    assert retention["score"] > 0 and any("two years" in q for q in quotes)
    [doc] = after["documents"]
    assert (doc["status"], doc["provenance"]) == ("blocked", "imported")  # the site still blocks us
    assert doc["source_note"] == "from a copy saved by hand on 2025-10-01"
    table = run(*check[:-2]).stdout
    assert "from a copy saved by hand on 2025-10-01" in table

    # The same file again stores nothing new.
    again = run("import", "alpha", saved, "--url", site.url("/privacy"), "--parties", parties,
                "--db", database_url)
    assert "nothing new" in again.output
    assert count_snapshots(engine) == 1


def test_kind_and_text_files(database_url, sites, write_parties, tmp_path):
    site = sites({"/": page("home")})
    parties = write_parties({"alpha": site})
    saved = tmp_path / "suppliers.txt"
    saved.write_text("Our suppliers: Print Co Ltd prints our leaflets.", encoding="utf-8")
    run("import", "alpha", saved, "--url", site.url("/suppliers"), "--kind", "supplier_list",
        "--parties", parties, "--db", database_url)
    engine = open_database(database_url)
    document = documents_of(engine, "alpha")["/suppliers"]
    assert document.kind == "supplier_list"
    [snapshot] = snapshots_of(engine, document.id)
    assert snapshot.content_type == "text/plain" and snapshot.provenance == "imported"
    with transaction(engine) as session:
        fetch = session.scalar(select(FetchRow).where(FetchRow.document_id == document.id))
        assert fetch.ok and fetch.snapshot_id == snapshot.id


def test_bad_imports_are_refused_with_a_clear_error_and_store_nothing(database_url, sites, write_parties,
                                                                      tmp_path):
    site = sites({"/": page("home")})
    other = sites({"/": page("someone else")})
    parties = write_parties({"alpha": site})
    good = tmp_path / "notice.html"
    good.write_text(NOTICE, encoding="utf-8")
    junk = tmp_path / "notice.pdf"
    junk.write_bytes(b"%PDF-1.4 this is not really a PDF")
    empty = tmp_path / "shell.html"
    empty.write_text("<html><body><div id='app'></div><script>render()</script></body></html>")
    common = ("--parties", parties, "--db", database_url)
    url = site.url("/privacy")
    for args, message in [
        (("nobody", good, "--url", url), "unknown party 'nobody'"),
        (("alpha", good, "--url", other.url("/privacy")), "is not on a host of party 'alpha'"),
        (("alpha", good, "--url", "ftp://example.org/x"), "is not on a host of party 'alpha'"),
        (("alpha", tmp_path / "missing.html", "--url", url), "cannot read"),
        (("alpha", junk, "--url", url), "cannot read its text"),
        (("alpha", empty, "--url", url), "holds no text"),
        (("alpha", good, "--url", url, "--fetched-at", "2999-01-01"), "in the future"),
    ]:
        result = run("import", *args, *common, expect_exit=1)
        assert "nothing imported" in result.output and message in result.output, result.output
    result = run("import", "alpha", good, "--url", url, "--kind", "manifesto", *common, expect_exit=2)
    assert "manifesto" in result.output
    engine = open_database(database_url)
    assert count_snapshots(engine) == 0
    assert documents_of(engine, "alpha") == {}

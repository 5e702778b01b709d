"""`partywatch browse`: the history in Datasette, read-only, with its canned queries.

Datasette opens SQLite files only, so these tests build the test history
(tests/research/conftest.py) in a SQLite file whichever back-end the suite runs on, and
query it through Datasette's own test client and, once, through a real `partywatch browse`
process over HTTP.
"""

import asyncio
import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from datetime import timedelta

import pytest
from click.testing import CliRunner

from helpers.history_builder import BASE_TIME, HOSTILE_QUOTE, build_history
from history.browse import (
    DATABASE_NAME,
    PRIVATE_TABLES,
    copy_for_browsing,
    datasette_for,
)
from history.db import open_database, transaction
from history.models import SubscriberRow, SubscriptionRow
from partywatch.commands.browse import command as browse_command

PRIVATE_USERNAME = "subscriber_alice_private"


@pytest.fixture
def sqlite_history(tmp_path):
    """The test history in a SQLite file, with a Telegram subscriber in it too."""
    url = f"sqlite:///{tmp_path / 'history.db'}"
    engine = open_database(url)
    built = build_history(engine, url)
    with transaction(engine) as session:
        session.add(SubscriberRow(chat_id=4242, username=PRIVATE_USERNAME,
                               subscriptions=[SubscriptionRow(party_id="snp")]))
    yield built
    engine.dispose()


@pytest.fixture
def browsed(sqlite_history, tmp_path):
    """(Datasette instance on the browsing copy, the built history)."""
    folder = tmp_path / "copy"
    folder.mkdir()
    copy = copy_for_browsing(tmp_path / "history.db", folder)
    datasette = datasette_for(copy)
    yield datasette, sqlite_history
    datasette.get_database(DATABASE_NAME).close()


def get(datasette, path: str):
    async def fetch():
        await datasette.invoke_startup()
        return await datasette.client.get(path)
    return asyncio.run(fetch())


def query(datasette, name: str, **params) -> list[dict]:
    """Rows of canned query `name`, as Datasette's JSON API returns them."""
    arguments = "".join(f"&{key}={value}" for key, value in params.items())
    response = get(datasette, f"/{DATABASE_NAME}/{name}.json?_shape=array{arguments}")
    assert response.status_code == 200, response.text
    return response.json()


def test_latest_scorecards_is_each_party_now_best_first(browsed):
    datasette, built = browsed
    rows = query(datasette, "latest_scorecards")
    expected = sorted((built.latest(p) for p in ("snp", "labour", "greens")), key=lambda c: (-c.overall, c.party))
    assert [(r["party_id"], r["grade"], r["overall"], r["rubric_version"]) for r in rows] == \
        [(c.party, c.grade, c.overall, c.version) for c in expected]
    assert all(r["not_scored_now"] is None for r in rows)  # reform never had a scorecard


def test_party_history_by_id_or_name_oldest_first_with_what_changed(browsed):
    datasette, built = browsed
    by_name = query(datasette, "party_history", party="labour+PARTY")
    by_id = query(datasette, "party_history", party="labour")
    assert by_name == by_id
    cards = sorted(built.cards_of("labour"), key=lambda c: (c.scored_at, c.id))
    assert [(r["scorecard_id"], r["rubric_version"], r["overall"], r["grade"]) for r in by_id] == \
        [(c.id, c.version, c.overall, c.grade) for c in cards]
    fell = next(r for r in by_id if r["scorecard_id"] == cards[1].id)  # labour loses rights on day 4
    assert "rights 50.0 → 0.0" in fell["what_changed"]
    assert by_id[0]["what_changed"] is None  # a first scorecard has nothing to compare with
    assert query(datasette, "party_history", party="nobody") == []


def test_changes_between_two_dates_includes_both_days(browsed):
    datasette, built = browsed
    day = lambda n: (BASE_TIME + timedelta(days=n)).date().isoformat()  # noqa: E731
    only_day_3 = query(datasette, "changes_between", start_date=day(2), end_date=day(2))
    assert {(r["party_id"], r["kind"], r["subject"]) for r in only_day_3} == {
        ("snp", "step", "retention"), ("snp", "element", "retention/periods"),
        ("snp", "element", "retention/deletion")}
    days_3_and_4 = query(datasette, "changes_between", start_date=day(2), end_date=day(3))
    assert {(r["party_id"], r["subject"], r["old"], r["new"]) for r in days_3_and_4} - \
        {(r["party_id"], r["subject"], r["old"], r["new"]) for r in only_day_3} == {
        ("labour", "rights", "50.0", "0.0"), ("labour", "rights/disclosed", "full", "none")}
    everything = query(datasette, "changes_between", start_date=day(0), end_date=day(9))
    assert len(everything) == built.change_count
    assert query(datasette, "changes_between", start_date=day(5), end_date=day(9)) == []


def test_search_evidence_finds_a_quote_in_any_case_with_when_it_was_quoted(browsed):
    datasette, built = browsed
    rows = query(datasette, "search_evidence", words="acme+ANALYTICS")
    assert [(r["party_id"], r["step_id"], r["element_id"], r["quote"]) for r in rows] == \
        [("labour", "suppliers", "disclosed", HOSTILE_QUOTE)]
    cards = built.cards_of("labour")
    assert rows[0]["scorecards"] == len(cards)  # quoted in every labour scorecard
    assert rows[0]["first_quoted"].startswith(min(c.scored_at for c in cards).date().isoformat())
    assert rows[0]["last_quoted"].startswith(max(c.scored_at for c in cards).date().isoformat())
    assert query(datasette, "search_evidence", words="no+such+sentence") == []


def test_score_fell_lists_each_fall_within_one_rubric_version(browsed):
    datasette, built = browsed
    falls = []
    for party in ("snp", "labour", "greens"):
        for version in ("2025.1", "2025.2"):
            cards = sorted(built.cards_of(party, version), key=lambda c: (c.scored_at, c.id))
            falls += [(b.party, a.overall, b.overall) for a, b in zip(cards, cards[1:]) if b.overall < a.overall]
    rows = query(datasette, "score_fell")
    assert [(r["party_id"], r["previous_overall"], r["overall"]) for r in rows] == falls
    assert falls == [("labour", falls[0][1], falls[0][2])]  # snp's stricter new rubric is no fall
    assert rows[0]["steps_that_fell"] == "rights 50.0 → 0.0"
    assert rows[0]["delta"] == pytest.approx(falls[0][2] - falls[0][1])


def test_the_database_is_read_only_and_holds_no_subscribers(browsed, tmp_path):
    datasette, built = browsed
    database = datasette.get_database(DATABASE_NAME)
    assert not database.is_mutable
    with pytest.raises(Exception):
        asyncio.run(database.execute_write("DELETE FROM scorecards"))
    refused = get(datasette, f"/{DATABASE_NAME}.json?sql=DELETE+FROM+scorecards")
    assert refused.status_code == 400
    count = get(datasette, f"/{DATABASE_NAME}.json?sql=select+count(*)+as+n+from+scorecards&_shape=array")
    assert count.json() == [{"n": len(built.cards)}]
    tables = get(datasette, f"/{DATABASE_NAME}.json?sql=select+name+from+sqlite_master&_shape=array").json()
    assert not {t["name"] for t in tables} & set(PRIVATE_TABLES)
    assert get(datasette, f"/{DATABASE_NAME}/subscribers").status_code == 404
    # Not even in the file's free pages: the copy can be downloaded.
    assert PRIVATE_USERNAME.encode() not in (tmp_path / "copy" / f"{DATABASE_NAME}.db").read_bytes()
    with sqlite3.connect(tmp_path / "history.db") as original:  # which keeps them
        assert original.execute("SELECT username FROM subscribers").fetchall() == [(PRIVATE_USERNAME,)]


def test_tables_carry_descriptions_units_and_facets(browsed):
    datasette, _ = browsed
    page = get(datasette, f"/{DATABASE_NAME}/scorecards").text
    assert "stored only when" in page  # the description
    assert "&nbsp;pts" in page  # scores in points
    for column in ("party_id", "grade", "rubric_version_id"):  # the facets it opens with
        assert f'data-column="{column}"' in page
    home = get(datasette, f"/{DATABASE_NAME}").text
    for title in ("Latest scorecard per party", "One party&#39;s history", "All changes between two dates",
                  "Search the quoted evidence", "Parties whose score fell"):
        assert title in home


# --- the command ------------------------------------------------------------------------


def test_postgresql_is_pointed_to_export():
    result = CliRunner().invoke(browse_command, ["--db", "postgresql://app@127.0.0.1/partywatch"])
    assert result.exit_code == 1
    assert "partywatch export" in result.output and "Traceback" not in result.output


def test_a_missing_database_file_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(browse_command, ["--db", f"sqlite:///{tmp_path / 'none.db'}"])
    assert result.exit_code == 1
    assert "no database at" in result.output and "partywatch check" in result.output
    assert not (tmp_path / "none.db").exists()  # nothing created


def test_without_datasette_it_names_the_extra_to_install(sqlite_history, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "datasette", None)  # as if the extra were not installed
    result = CliRunner().invoke(browse_command, ["--db", sqlite_history.url])
    assert result.exit_code == 1
    assert "pip install -e '.[research]'" in result.output and "Traceback" not in result.output


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_browse_serves_the_canned_queries_over_http(sqlite_history):
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "partywatch.cli", "browse", "--db", sqlite_history.url,
                                "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"}, text=True)
    url = f"http://127.0.0.1:{port}/{DATABASE_NAME}/latest_scorecards.json?_shape=array"
    try:
        deadline = time.monotonic() + 120  # imports are slow on a busy machine
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    rows = json.load(response)
                break
            except OSError:
                assert process.poll() is None, process.stdout.read()
                assert time.monotonic() < deadline, "partywatch browse did not start"
                time.sleep(0.5)
    finally:
        process.terminate()
        output = process.communicate(timeout=30)[0]
    assert [r["party_id"] for r in rows] == [c.party for c in sorted(
        (sqlite_history.latest(p) for p in ("snp", "labour", "greens")), key=lambda c: (-c.overall, c.party))]
    assert f"http://127.0.0.1:{port}/{DATABASE_NAME}" in output

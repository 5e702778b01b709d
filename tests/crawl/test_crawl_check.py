"""`partywatch check` end to end: fixture sites, the real crawl, scoring, the database."""

from __future__ import annotations

import json

import jsonschema
import pytest
from click.testing import CliRunner
from sqlalchemy import select

from helpers.check_schema import CHECK_SCHEMA, STEP_IDS
from helpers.crawl import check, check_json, count, documents_of
from helpers.sites import ABOUT_THE_PARTY, page
from history.db import open_database, transaction
from history.models import (
    OutboxMessageRow,
    ScorecardChangeRow,
    ScorecardRow,
    SnapshotRow,
    SubscriberRow,
    SubscriptionRow,
)
from partywatch.checking import OVERLAP_SCORER_MAX_PARTIES
from partywatch.cli import main

DETAILED = ('<h1>Privacy notice</h1>'
            '<p>We get your name and address from the electoral register and from canvassing.</p>'
            '<p>We do not buy data from data brokers.</p>'
            '<p>We keep canvassing records for two years after each election and then delete them.</p>'
            '<p>You have the right to access your data and to complain to the ICO.</p>'
            '<p><a href="/suppliers">Our suppliers</a></p>' + ABOUT_THE_PARTY)
VAGUE = "<h1>Privacy</h1><p>We may share data with trusted partners from time to time.</p>" + ABOUT_THE_PARTY


def party_site(sites, notice: str):
    return sites({"/": page('<a href="/privacy">Privacy notice</a>'),
                  "/privacy": page(notice),
                  "/suppliers": page("<table><tr><td>Print Co Ltd</td><td>Printing leaflets</td></tr></table>")})


@pytest.fixture
def two_parties(sites, write_parties):
    alpha, beta = party_site(sites, DETAILED), party_site(sites, VAGUE)
    return alpha, beta, write_parties({"alpha": alpha, "beta": beta})


def test_check_json_follows_the_contract(database_url, two_parties, rubric_path):
    alpha, _, parties = two_parties
    printed = check(database_url, parties, rubric_path, "--format", "json").stdout
    output = json.loads(printed)
    jsonschema.validate(output, CHECK_SCHEMA)
    # printed in pieces (commands.check.echo_json), laid out as one json.dumps would
    assert printed == json.dumps(output, indent=2, ensure_ascii=False) + "\n"
    assert [p["party"] for p in output["parties"]] == ["alpha", "beta"]
    for party in output["parties"]:
        assert [s["id"] for s in party["steps"]] == STEP_IDS
    alpha_out, beta_out = output["parties"]
    assert alpha_out["overall"] > beta_out["overall"]
    assert {(d["url"], d["kind"], d["status"]) for d in alpha_out["documents"]} == {
        (alpha.url("/privacy"), "privacy_notice", "ok"), (alpha.url("/suppliers"), "supplier_list", "ok")}
    evidence = [e for s in alpha_out["steps"] for el in s["elements"] for e in el["evidence"]]
    assert evidence and all(e["url"].startswith(alpha.root) for e in evidence)


def test_a_check_of_many_parties_scores_each_as_a_check_of_two_does(database_url, sites, write_parties,
                                                                     rubric_path):
    # Past a few parties the scorer is built after the crawl instead of beside it (to keep
    # the peak memory down): the scores must not depend on which way it was built.
    notices = [DETAILED, VAGUE] * (OVERLAP_SCORER_MAX_PARTIES // 2 + 1)
    ids = [f"party-{i}" for i in range(len(notices))]
    parties = write_parties({pid: party_site(sites, notice) for pid, notice in zip(ids, notices)})
    two = check_json(database_url, parties, rubric_path, "--party", ids[0], "--party", ids[1])
    everyone = check_json(database_url, parties, rubric_path)
    assert len(everyone) > OVERLAP_SCORER_MAX_PARTIES
    assert all(party["status"] == "scored" for party in everyone.values())
    for pid, notice in zip(ids, notices):
        model = two[ids[0]] if notice == DETAILED else two[ids[1]]
        assert (everyone[pid]["overall"], everyone[pid]["grade"]) == (model["overall"], model["grade"])
        assert ([(s["id"], s["score"]) for s in everyone[pid]["steps"]]
                == [(s["id"], s["score"]) for s in model["steps"]])
    assert two[ids[0]]["overall"] > two[ids[1]]["overall"]


def test_unchanged_sites_store_nothing_new_and_a_change_touches_one_party(database_url, two_parties,
                                                                          rubric_path):
    alpha, beta, parties = two_parties
    engine = open_database(database_url)
    first = json.loads(check(database_url, parties, rubric_path, "--format", "json").stdout)
    with transaction(engine) as session:
        session.add(SubscriberRow(chat_id=42, active=True))
        session.add(SubscriptionRow(chat_id=42, party_id="*"))
    snapshots, scorecards = count(engine, SnapshotRow), count(engine, ScorecardRow)
    assert (snapshots, scorecards) == (3, 2)  # alpha: notice + suppliers; beta: notice

    result = check(database_url, parties, rubric_path)
    assert (count(engine, SnapshotRow), count(engine, ScorecardRow)) == (snapshots, scorecards)
    assert count(engine, OutboxMessageRow) == 0
    assert "unchanged" in result.stdout

    beta.routes["/privacy"] = page(DETAILED.replace('<p><a href="/suppliers">Our suppliers</a></p>', ""))
    result = check(database_url, parties, rubric_path, "--format", "json")
    assert count(engine, SnapshotRow) == snapshots + 1
    assert count(engine, ScorecardRow) == scorecards + 1
    with transaction(engine) as session:
        newest = session.scalars(select(ScorecardRow).order_by(ScorecardRow.id.desc())).first()
        assert newest.party_id == "beta"
        changes = session.scalars(select(ScorecardChangeRow)).all()
        assert changes and {c.scorecard.party_id for c in changes} == {"beta"}
        assert {(c.subject, c.new) for c in changes if c.kind == "document"} == {
            (beta.url("/privacy"), "changed")}
        messages = session.scalars(select(OutboxMessageRow)).all()
    assert len(messages) == 1 and messages[0].chat_id == 42
    assert [p["party"] for p in messages[0].payload["parties"]] == ["beta"]
    now = json.loads(result.stdout)["parties"]
    assert now[1]["overall"] > first["parties"][1]["overall"]  # beta explains more now
    assert now[0] == first["parties"][0]  # alpha as it was


def test_a_site_that_goes_down_keeps_its_scorecard_and_is_reported(database_url, two_parties, rubric_path):
    alpha, beta, parties = two_parties
    engine = open_database(database_url)
    first = json.loads(check(database_url, parties, rubric_path, "--format", "json").stdout)
    beta.stop()
    result = check(database_url, parties, rubric_path)
    assert "Fetch failures" in result.stdout and "beta" in result.stdout
    assert "connection refused" in result.stdout
    assert count(engine, ScorecardRow) == 2  # beta's last scorecard stands
    again = json.loads(check(database_url, parties, rubric_path, "--format", "json").stdout)
    jsonschema.validate(again, CHECK_SCHEMA)
    beta_out = again["parties"][1]
    assert (beta_out["overall"], beta_out["grade"]) == (first["parties"][1]["overall"],
                                                        first["parties"][1]["grade"])
    assert {d["status"] for d in beta_out["documents"]} == {"failed"}
    assert all(d["error"] == "connection refused" for d in beta_out["documents"])
    assert all(d.status == "failed" for d in documents_of(engine, "beta").values())


def test_check_only_the_named_parties(database_url, two_parties, rubric_path):
    alpha, beta, parties = two_parties
    output = json.loads(check(database_url, parties, rubric_path, "--party", "beta",
                              "--format", "json").stdout)
    assert [p["party"] for p in output["parties"]] == ["beta"]
    assert alpha.paths() == []


def test_check_stops_with_a_clear_message_when_it_cannot_run(database_url, two_parties, rubric_path,
                                                             tmp_path):
    _, _, parties = two_parties
    bad_parties = tmp_path / "bad-parties.yaml"
    bad_parties.write_text("parties:\n  - id: Bad Id\n    name: x\n", encoding="utf-8")
    result = check(database_url, bad_parties, rubric_path, expect_exit=1)
    assert "parties" in result.output and "Traceback" not in result.output

    result = check(database_url, parties, rubric_path, "--party", "nobody", expect_exit=1)
    assert "unknown party 'nobody'" in result.output

    bad_rubric = tmp_path / "rubric.yaml"
    bad_rubric.write_text("version: [unclosed\n", encoding="utf-8")
    result = check(database_url, parties, bad_rubric, expect_exit=1)
    assert "rubric" in result.output and "Traceback" not in result.output

    result = check("postgresql+psycopg://nobody@127.0.0.1:1/none", parties, rubric_path, expect_exit=1)
    assert "Error:" in result.output and "Traceback" not in result.output


def test_demo_serves_the_sample_sites_and_prints_differing_scorecards():
    result = CliRunner().invoke(main, ["demo", "--format", "json"])
    assert result.exit_code == 0, result.output
    output = json.loads(result.stdout)
    jsonschema.validate(output, CHECK_SCHEMA)
    grades = {p["party"]: p["grade"] for p in output["parties"]}
    assert set(grades) == {"open-future", "civic-alliance", "heritage-first", "northern-voice"}
    assert grades["open-future"] == "A" and grades["heritage-first"] == "E"
    kinds = {(p["party"], d["kind"]) for p in output["parties"] for d in p["documents"]}
    assert ("civic-alliance", "privacy_notice") in kinds and ("open-future", "supplier_list") in kinds
    assert any(d["url"].endswith(".pdf") and d["status"] == "ok"
               for p in output["parties"] for d in p["documents"])

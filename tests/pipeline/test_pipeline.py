"""Scoring stored snapshots: scorecards only on change, notifications once, rescoring history."""


import pytest
from sqlalchemy import func, select

from helpers.sites import ABOUT_THE_PARTY
from history.db import transaction
from history.models import (
    ClaimRow,
    ElementResultRow,
    OutboxMessageRow,
    ScorecardChangeRow,
    ScorecardRow,
    StepScoreRow,
    SubscriberRow,
    SubscriptionRow,
)
from history.store import get_or_create_document, record_fetch, start_run, sync_parties
from partywatch.paths import REPO_ROOT
from partywatch.pipeline import queue_notifications, rescore_history, score_parties
from scoring import Scorer, extract_text, load_rubric, load_rubric_text

ABOUT = ABOUT_THE_PARTY.encode()

VAGUE = b"""<html><body><main><h1>Privacy</h1>
<p>We value your privacy and may share data with carefully selected partners from time to time.</p>
""" + ABOUT + b"""</main></body></html>"""

DETAILED = b"""<html><body><main><h1>Privacy notice</h1>
<p>We get your name and address from the electoral register and from canvassing on the doorstep.</p>
<p>We do not buy data from data brokers or other commercial sources.</p>
<p>We keep canvassing records for two years after each general election and then delete them.</p>
<p>You have the right to access your personal data and to complain to the Information Commissioner's Office (ICO).</p>
<p>Our Data Protection Officer can be contacted at dpo@example.org.</p>
""" + ABOUT + b"""</main></body></html>"""

PARTIES = [{"id": "alpha", "name": "Alpha Party", "jurisdiction": "GB", "homepage": "http://alpha.test/"},
           {"id": "beta", "name": "Beta Party", "jurisdiction": "GB", "homepage": "http://beta.test/"}]


@pytest.fixture(scope="module")
def rubric():
    return load_rubric(REPO_ROOT / "rubric.yaml")


@pytest.fixture(scope="module")
def scorer(rubric):
    return Scorer(rubric)


def crawl(engine, contents: dict[str, bytes | tuple[bytes, str]]) -> int:
    """Stand in for a crawl: store one privacy notice per party, as the spiders do.

    A party's content is HTML bytes, or (bytes, content type).
    """
    with transaction(engine) as session:
        sync_parties(session, PARTIES)
        run_id = start_run(session, "check").id
        for party_id, raw in contents.items():
            raw, content_type = raw if isinstance(raw, tuple) else (raw, "text/html; charset=utf-8")
            document = get_or_create_document(session, party_id, f"http://{party_id}.test/privacy",
                                              "privacy_notice")
            record_fetch(session, document, run_id=run_id, http_status=200, raw=raw,
                         content_type=content_type)
    return run_id


def count(engine, model) -> int:
    with transaction(engine) as session:
        return session.scalar(select(func.count()).select_from(model))


def subscribe(engine, chat_id: int, party_id: str) -> None:
    with transaction(engine) as session:
        session.add(SubscriberRow(chat_id=chat_id, active=True))
        session.add(SubscriptionRow(chat_id=chat_id, party_id=party_id))


def run_check(engine, rubric, scorer, contents):
    run_id = crawl(engine, contents)
    outcomes = score_parties(engine, run_id=run_id, party_ids=sorted(contents), rubric=rubric,
                             scorer=scorer)
    return run_id, outcomes, queue_notifications(engine, run_id, outcomes)


def test_unchanged_documents_store_no_new_scorecard_and_notify_nobody(engine, rubric, scorer):
    subscribe(engine, 1001, "alpha")
    _, first, queued = run_check(engine, rubric, scorer, {"alpha": VAGUE, "beta": DETAILED})
    assert [o.changed for o in first] == [True, True] and queued == 0  # nothing to compare yet
    _, second, queued = run_check(engine, rubric, scorer, {"alpha": VAGUE, "beta": DETAILED})
    assert [o.changed for o in second] == [False, False] and queued == 0
    assert count(engine, ScorecardRow) == 2
    assert second[1].scorecard.id == first[1].scorecard.id


def test_claims_are_stored_as_they_were_found_and_read_back_in_their_order(engine, rubric, scorer):
    # A snapshot's claims go into the history in one INSERT; every later check scores from
    # them, so a claim stored out of order or with its detail changed would change a scorecard.
    run_check(engine, rubric, scorer, {"beta": DETAILED})
    found = [claim.to_dict() for claim in
             scorer.claims(extract_text(DETAILED, "text/html", "http://beta.test/privacy"), "http://beta.test/privacy")]
    columns = ("step_id", "element_id", "credit", "quote", "url", "start", "end", "detail")
    with transaction(engine) as session:
        stored = [dict(zip(columns, row)) for row in session.execute(
            select(*(getattr(ClaimRow, c) for c in columns)).order_by(ClaimRow.id))]
    assert len(found) >= 5 and any(claim["detail"] for claim in found)
    assert stored == found


def test_a_changed_notice_gives_one_scorecard_its_changes_and_one_message_per_subscriber(
        engine, rubric, scorer):
    subscribe(engine, 1001, "alpha")
    subscribe(engine, 1002, "*")
    subscribe(engine, 1003, "beta")
    run_check(engine, rubric, scorer, {"alpha": VAGUE, "beta": VAGUE})
    run_id, outcomes, queued = run_check(engine, rubric, scorer, {"alpha": DETAILED, "beta": VAGUE})
    alpha, beta = outcomes
    assert alpha.changed and not beta.changed
    assert alpha.scorecard.overall > alpha.previous.overall
    kinds = {c.kind for c in alpha.changes}
    assert {"overall", "step", "element", "document"} <= kinds
    document_change = next(c for c in alpha.changes if c.kind == "document")
    assert document_change.new == "changed" and "electoral register" in document_change.summary
    assert count(engine, ScorecardRow) == 3
    with transaction(engine) as session:
        stored = session.scalars(select(ScorecardChangeRow.kind)).all()
        assert len(stored) == len(alpha.changes)
        messages = session.scalars(select(OutboxMessageRow).order_by(OutboxMessageRow.chat_id)).all()
    assert queued == 2
    assert [(m.chat_id, m.idempotency_key) for m in messages] == [
        (1001, f"run:{run_id}:chat:1001"), (1002, f"run:{run_id}:chat:1002")]
    party = messages[0].payload["parties"][0]
    assert party["party"] == "alpha" and party["new"]["overall"] > party["old"]["overall"]
    assert party["steps"] and all(s["new"] != s["old"] for s in party["steps"])
    # Queuing the same run again adds nothing: the idempotency key is unique.
    assert queue_notifications(engine, run_id, outcomes) == 0


def test_every_credit_quotes_the_stored_text(engine, rubric, scorer):
    _, (alpha,), _ = run_check(engine, rubric, scorer, {"alpha": DETAILED})
    with transaction(engine) as session:
        from history.models import SnapshotRow
        snapshot = session.scalars(select(SnapshotRow)).one()
        card = session.get(ScorecardRow, alpha.scorecard.id)
        credited = [e for e in card.elements if e.credit in ("full", "partial")]
        assert credited
        for element in credited:
            for evidence in element.evidence:
                assert snapshot.text[evidence["start"]:evidence["end"]] == evidence["quote"]
                assert evidence["snapshot_id"] == snapshot.id


def test_rescore_rebuilds_history_under_a_new_rubric_once(engine, rubric, scorer):
    run_check(engine, rubric, scorer, {"alpha": VAGUE})
    run_check(engine, rubric, scorer, {"alpha": DETAILED})
    with transaction(engine) as session:
        original = session.scalars(select(ScorecardRow).order_by(ScorecardRow.id)).all()
    edited = load_rubric_text(rubric.yaml_text + "\n# edited by the maintainer\n", "edited.yaml")
    assert edited.content_hash != rubric.content_hash
    with transaction(engine) as session:
        run_id = start_run(session, "rescore").id
    rescore_history(engine, run_id=run_id, rubric=edited, scorer=Scorer(edited))
    with transaction(engine) as session:
        cards = session.scalars(select(ScorecardRow).order_by(ScorecardRow.created_at, ScorecardRow.id)).all()
        new = [c for c in cards if c.rubric_version_id != original[0].rubric_version_id
               and c.party_id == "alpha"]
        # one counterpart per past run, at the same time, with the same scores
        assert [(c.run_id, c.created_at, c.overall) for c in new] == [
            (c.run_id, c.created_at, c.overall) for c in original]
        claims_after_first = session.scalar(select(func.count()).select_from(ClaimRow))
    rescore_history(engine, run_id=run_id, rubric=edited, scorer=Scorer(edited))
    assert count(engine, ScorecardRow) == 4  # alpha: 2 runs x 2 rubrics; beta: no documents, no grade
    assert count(engine, ClaimRow) == claims_after_first


# --- no text, no grade -------------------------------------------------------------------

JS_SHELL = (b'<html><head><script src="/app.js"></script></head><body><div id="app"></div>'
            b'<noscript>Please enable JavaScript.</noscript></body></html>')


def test_parties_without_a_readable_notice_get_no_scorecard_and_no_message(engine, rubric, scorer):
    subscribe(engine, 1001, "*")
    _, outcomes, queued = run_check(engine, rubric, scorer, {"alpha": JS_SHELL,
                                                              "beta": (b"%PDF-1.4 broken", "application/pdf")})
    alpha, beta = outcomes
    assert (alpha.scored, alpha.scorecard) == (False, None)
    assert alpha.reason == "its privacy notice page has no text (it may need JavaScript to show it)"
    assert beta.reason.startswith("its privacy notice could not be read (")
    assert count(engine, ScorecardRow) == 0 and queued == 0


def test_a_grade_stored_from_no_documents_is_not_a_previous_scorecard(engine, rubric, scorer):
    """Before "no text, no grade", a party with nothing fetched got an "E 0.0" scorecard."""
    from history.store import ensure_rubric_version, store_scorecard

    with transaction(engine) as session:
        sync_parties(session, PARTIES)
        run_id = start_run(session, "check").id
        version = ensure_rubric_version(session, rubric.content_hash, rubric.version, rubric.yaml_text)
        store_scorecard(session, party_id="alpha", run_id=run_id, rubric_version_id=version.id,
                        overall=0.0, grade="E", steps=[], snapshot_ids=[])
    subscribe(engine, 1001, "alpha")
    _, (alpha,), queued = run_check(engine, rubric, scorer, {"alpha": DETAILED})
    assert alpha.changed and alpha.previous is None and alpha.changes == []  # a first scorecard ...
    assert queued == 0  # ... so no "E → C" message about a grade it never really had


# --- a new snapshot with the same text is not a change -----------------------------------

def test_new_bytes_with_the_same_text_store_a_snapshot_but_no_scorecard(engine, rubric, scorer):
    from history.models import SnapshotRow

    subscribe(engine, 1001, "alpha")
    run_check(engine, rubric, scorer, {"alpha": DETAILED})
    rewrapped = (DETAILED.replace(b"<html><body>", b'<html><head><script>track("v2")</script></head><body>')
                 .replace(b"from canvassing on the doorstep.", b"from canvassing\n   on the doorstep."))
    _, (alpha,), queued = run_check(engine, rubric, scorer, {"alpha": rewrapped})
    assert count(engine, SnapshotRow) == 2
    assert not alpha.changed and count(engine, ScorecardRow) == 1 and queued == 0


def test_a_page_read_differently_since_an_upgrade_is_not_a_changed_notice(engine, rubric, scorer):
    """A stored text stays as it was first extracted. After an upgrade that reads pages
    differently (an e-mail link now reads with its address), a page re-fetched with only
    its scripts changed must not be announced as a changed notice: the party changed
    nothing a reader sees."""
    from history.models import SnapshotRow

    with_link = DETAILED.replace(b"<p>We do not buy", b'<p>Write to our <a href="mailto:privacy@example.org">'
                                                      b'privacy team</a>.</p>\n<p>We do not buy')
    subscribe(engine, 1001, "alpha")
    run_check(engine, rubric, scorer, {"alpha": with_link})
    with transaction(engine) as session:  # the snapshot as an earlier version had stored it
        snapshot = session.scalars(select(SnapshotRow)).one()
        assert "privacy team (privacy@example.org)." in snapshot.text
        snapshot.text = snapshot.text.replace("privacy team (privacy@example.org).", "privacy team.")
    rebuilt = with_link.replace(b"<html><body>", b'<html><head><script>track("v2")</script></head><body>')
    _, (alpha,), queued = run_check(engine, rubric, scorer, {"alpha": rebuilt})
    assert count(engine, SnapshotRow) == 2
    assert not alpha.changed and alpha.changes == [] and queued == 0


def test_a_check_holds_no_stored_scorecard_rows_while_it_goes_on_to_the_next_party(engine, rubric, scorer):
    """A check keeps every party's outcome until it has queued its notifications; what an
    outcome keeps must not be the stored rows (every element with its quoted evidence),
    or a check's memory grows with every party it scores."""
    import gc

    run_check(engine, rubric, scorer, {"alpha": VAGUE, "beta": VAGUE})
    _, outcomes, queued = run_check(engine, rubric, scorer, {"alpha": DETAILED, "beta": DETAILED})
    assert queued == 0 and all(o.changed and o.previous is not None for o in outcomes)
    gc.collect()
    held = [o for o in gc.get_objects() if isinstance(o, (ScorecardRow, StepScoreRow, ElementResultRow))]
    assert held == []
    # ... and they still carry what the report and the notifications say
    with transaction(engine) as session:
        for outcome in outcomes:
            stored = session.get(ScorecardRow, outcome.scorecard.id)
            assert (outcome.scorecard.overall, outcome.scorecard.grade) == (stored.overall, stored.grade)
            assert [score for _, _, score in outcome.scorecard.steps] == [s.score for s in stored.steps]
            assert outcome.previous.overall < outcome.scorecard.overall

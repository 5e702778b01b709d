"""Snapshots, fetches and scorecards as researchers and the crawler rely on them."""

import multiprocessing

from sqlalchemy import func, select

from history.db import make_engine, transaction
from history.models import FetchRow, ScorecardRow, SnapshotRow
from history.scorecards import scorecard_history
from history.store import (
    current_snapshot,
    get_or_create_document,
    latest_scorecards,
    record_fetch,
    start_run,
    store_scorecard,
    sync_parties,
)

PARTY = {"id": "snp", "name": "Scottish National Party", "jurisdiction": "GB-SCT",
         "homepage": "https://www.snp.org/"}


def _document(session, party_id="snp", url="https://www.snp.org/privacy-notice/"):
    sync_parties(session, [{**PARTY, "id": party_id, "name": party_id.upper()}])
    return get_or_create_document(session, party_id, url, "privacy_notice")


def test_same_content_twice_is_stored_once(engine):
    with transaction(engine) as session:
        document = _document(session)
        first = record_fetch(session, document, run_id=None, http_status=200, raw=b"<p>v1</p>",
                             content_type="text/html")
        second = record_fetch(session, document, run_id=None, http_status=200, raw=b"<p>v1</p>",
                              content_type="text/html")
        assert first.new_content and not second.new_content
        assert first.snapshot.id == second.snapshot.id
    with transaction(engine) as session:
        assert session.scalar(select(func.count()).select_from(SnapshotRow)) == 1
        assert session.scalar(select(func.count()).select_from(FetchRow)) == 2


def test_content_that_reverts_reuses_its_snapshot_and_counts_as_a_change(engine):
    with transaction(engine) as session:
        document = _document(session)
        a = record_fetch(session, document, run_id=None, http_status=200, raw=b"A")
        b = record_fetch(session, document, run_id=None, http_status=200, raw=b"B")
        back = record_fetch(session, document, run_id=None, http_status=200, raw=b"A")
        assert back.snapshot.id == a.snapshot.id != b.snapshot.id
        assert back.new_content  # the document changed since the last fetch
        assert current_snapshot(session, document.id).id == a.snapshot.id


def test_failed_fetch_is_recorded_and_last_good_snapshot_untouched(engine):
    with transaction(engine) as session:
        document = _document(session)
        good = record_fetch(session, document, run_id=None, http_status=200, raw=b"good",
                            content_type="text/html")
    with transaction(engine) as session:
        document = _document(session)
        failed = record_fetch(session, document, run_id=None, http_status=500,
                              error="HTTP 500 after 2 retries")
        assert failed.snapshot is None
    with transaction(engine) as session:
        document = _document(session)
        assert document.status == "failed"
        assert document.consecutive_failures == 1
        snapshot = current_snapshot(session, document.id)
        assert snapshot.id == good.snapshot.id and snapshot.raw == b"good"
        attempts = session.scalars(select(FetchRow).order_by(FetchRow.id)).all()
        assert [(f.ok, f.http_status, f.error) for f in attempts] == [
            (True, 200, None), (False, 500, "HTTP 500 after 2 retries")]


def _write_many(url: str, worker: int, count: int) -> None:
    engine = make_engine(url)
    for i in range(count):
        with transaction(engine) as session:
            document = get_or_create_document(session, "snp", f"https://www.snp.org/{worker}", "other")
            record_fetch(session, document, run_id=None, http_status=200,
                         raw=f"worker {worker} version {i}".encode())
            # Both workers also store one identical content on one shared document.
            shared = get_or_create_document(session, "snp", "https://www.snp.org/shared", "other")
            record_fetch(session, shared, run_id=None, http_status=200, raw=b"same for all")
    engine.dispose()


def test_two_processes_writing_one_database_lose_nothing(engine, database_url):
    with transaction(engine) as session:
        _document(session)
        get_or_create_document(session, "snp", "https://www.snp.org/0", "other")
        get_or_create_document(session, "snp", "https://www.snp.org/1", "other")
        get_or_create_document(session, "snp", "https://www.snp.org/shared", "other")
    count = 40
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_write_many, args=(database_url, w, count)) for w in (0, 1)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
        assert worker.exitcode == 0
    with transaction(engine) as session:
        assert session.scalar(select(func.count()).select_from(FetchRow)) == 4 * count
        assert session.scalar(select(func.count()).select_from(SnapshotRow)) == 2 * count + 1


def _card(session, party_id, run_id, overall, grade, rubric_version_id):
    return store_scorecard(
        session, party_id=party_id, run_id=run_id, rubric_version_id=rubric_version_id,
        overall=overall, grade=grade, snapshot_ids=[],
        steps=[{"id": "retention", "title": "Retention", "score": overall,
                "elements": [{"id": "periods", "credit": "full", "evidence": [
                    {"quote": "We keep it 2 years.", "url": "https://x/", "start": 0, "end": 19}]}]}],
    )


def test_latest_scorecard_per_party_and_one_party_history(engine):
    from history.store import ensure_rubric_version

    with transaction(engine) as session:
        sync_parties(session, [PARTY, {**PARTY, "id": "labour", "name": "Labour"}])
        rubric = ensure_rubric_version(session, "h1", "1", "version: 1")
        runs = [start_run(session, "check").id for _ in range(3)]
        _card(session, "snp", runs[0], 40.0, "D", rubric.id)
        _card(session, "labour", runs[0], 55.0, "C", rubric.id)
        _card(session, "snp", runs[1], 60.0, "C", rubric.id)
        _card(session, "snp", runs[2], 80.0, "A", rubric.id)
    with transaction(engine) as session:
        latest = latest_scorecards(session)
        assert [(c.party_id, c.overall, c.grade) for c in latest] == [
            ("labour", 55.0, "C"), ("snp", 80.0, "A")]
        assert latest[1].elements[0].evidence[0]["quote"] == "We keep it 2 years."
        assert session.scalar(select(func.count()).select_from(ScorecardRow)) == 4
    history = scorecard_history(engine, "snp")  # detached, details loaded: what the bot renders
    assert [c.overall for c in history] == [40.0, 60.0, 80.0]
    assert [s.step_id for s in history[0].steps] == ["retention"]

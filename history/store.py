"""Reading and writing the history: the only place that knows how rows relate.

Functions take a Session and plain values (no scoring or crawling types), so every other
package can use them and `history` imports none of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

from sqlalchemy import Row, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from history import fetches, runs
from history.models import (
    ClaimRow,
    DocumentRow,
    ElementResultRow,
    FetchRow,
    NotScoredRow,
    PartyRow,
    RubricVersionRow,
    RunRow,
    ScorecardChangeRow,
    ScorecardRow,
    SnapshotRow,
    SnapshotScoringRow,
    StepScoreRow,
    source_note,
    utcnow,
)
from history.tables import CLAIMS

# --- parties and documents -------------------------------------------------------------


def sync_parties(session: Session, parties: Iterable[dict]) -> None:
    """Insert or update parties from parties.yaml entries (id, name, jurisdiction,
    homepage): history.runs.write_parties, the session's copies of them reloaded."""
    session.flush()
    for party_id in runs.write_parties(session.connection(), parties):
        party = session.identity_map.get(session.identity_key(PartyRow, party_id))
        if party is not None:
            session.expire(party)


def get_or_create_document(session: Session, party_id: str, url: str, kind: str) -> DocumentRow:
    session.flush()  # the document's pending changes, before it is read without the ORM
    state = fetches.document_for(session.connection(), party_id, url, kind)
    document = session.get(DocumentRow, state.id)
    if document.kind != state.kind:  # changed by document_for
        session.refresh(document)
    return document


# --- runs --------------------------------------------------------------------------------


def start_run(session: Session, kind: str) -> RunRow:
    """A new run of `kind` (check | rescore): history.runs.insert_run, as its ORM row."""
    session.flush()
    return session.get(RunRow, runs.insert_run(session.connection(), kind))


def finish_run(session: Session, run: RunRow, error: str | None = None) -> None:
    run.finished_at = utcnow()
    run.status = "failed" if error else "ok"
    run.error = error


# --- fetches and snapshots ---------------------------------------------------------------


@dataclass
class FetchOutcome:
    fetch: FetchRow
    snapshot: SnapshotRow | None
    new_content: bool  # True when this content had not been stored for the document before


def _outcome(session: Session, document: DocumentRow, stored: fetches.StoredFetch) -> FetchOutcome:
    """The ORM rows of a fetch stored by history.fetches, the document's state reloaded."""
    session.expire(document)
    snapshot = session.get(SnapshotRow, stored.snapshot_id) if stored.snapshot_id else None
    return FetchOutcome(session.get(FetchRow, stored.fetch_id), snapshot, stored.new_content)


def record_fetch(session: Session, document: DocumentRow, **fetch) -> FetchOutcome:
    """Record one fetch attempt of `document`: history.fetches.write_fetch, which says how."""
    session.flush()
    return _outcome(session, document, fetches.write_fetch(session.connection(), document.id, **fetch))


def record_not_modified(session: Session, document: DocumentRow, **fetch) -> FetchOutcome:
    """Record a 304 Not Modified: history.fetches.write_not_modified, which says how."""
    session.flush()
    return _outcome(session, document,
                    fetches.write_not_modified(session.connection(), document.id, **fetch))


def current_snapshot(session: Session, document_id: int) -> SnapshotRow | None:
    """The snapshot of the document's latest successful fetch."""
    session.flush()
    snapshot_id = fetches.current_snapshot_id(session.connection(), document_id)
    return session.get(SnapshotRow, snapshot_id) if snapshot_id is not None else None


def source_notes(session: Session, snapshot_ids: Iterable[int]) -> list[tuple[str, str]]:
    """(document URL, "from an archived copy of 2025-03-01") for each of these snapshots
    the crawl did not fetch itself: what a scorecard computed from them must say."""
    ids = list(snapshot_ids or [])
    if not ids:
        return []
    rows = session.execute(
        select(DocumentRow.url, SnapshotRow.provenance, SnapshotRow.captured_at)
        .join(DocumentRow, DocumentRow.id == SnapshotRow.document_id)
        .where(SnapshotRow.id.in_(ids), SnapshotRow.provenance != "fetched")
        .order_by(DocumentRow.url))
    return [(url, source_note(provenance, captured_at)) for url, provenance, captured_at in rows]


def current_snapshots(session: Session, party_id: str) -> list[tuple[DocumentRow, SnapshotRow]]:
    """Each of the party's documents with its last good content (failed ones keep theirs),
    in document order: current_snapshot for every document, in one query."""
    latest_fetches = (
        select(FetchRow.document_id, FetchRow.snapshot_id,
               func.row_number().over(partition_by=FetchRow.document_id,
                                      order_by=fetches.NEWEST_FETCH_FIRST).label("rank"))
        .join(DocumentRow, DocumentRow.id == FetchRow.document_id)
        .where(DocumentRow.party_id == party_id, FetchRow.ok.is_(True), FetchRow.snapshot_id.is_not(None))
        .subquery()
    )
    rows = session.execute(
        select(DocumentRow, SnapshotRow)
        .join(latest_fetches, latest_fetches.c.document_id == DocumentRow.id)
        .join(SnapshotRow, SnapshotRow.id == latest_fetches.c.snapshot_id)
        .where(latest_fetches.c.rank == 1)
        .order_by(DocumentRow.id)
    )
    return [(document, snapshot) for document, snapshot in rows]


# --- rubric versions and claims ----------------------------------------------------------


def ensure_rubric_version(session: Session, digest: str, version: str, yaml_text: str) -> RubricVersionRow:
    row = session.scalar(select(RubricVersionRow).where(RubricVersionRow.content_hash == digest))
    if row is None:
        row = RubricVersionRow(content_hash=digest, version=version, yaml_text=yaml_text)
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:
            row = session.scalar(select(RubricVersionRow).where(RubricVersionRow.content_hash == digest))
    return row


def scored_snapshot_ids(session: Session, snapshot_ids: Iterable[int], rubric_version_id: int) -> set[int]:
    """Those of these snapshots whose claims under the rubric are stored (found once, kept)."""
    return set(session.scalars(select(SnapshotScoringRow.snapshot_id).where(
        SnapshotScoringRow.rubric_version_id == rubric_version_id,
        SnapshotScoringRow.snapshot_id.in_(list(snapshot_ids)))))


def stored_claims(session: Session, snapshot_ids: Iterable[int],
                  rubric_version_id: int) -> dict[int, list[Row]]:
    """The claims found in each of these snapshots under a rubric, by snapshot id, as rows
    with ClaimRow's columns; a snapshot never scored under the rubric has no entry."""
    scored = scored_snapshot_ids(session, snapshot_ids, rubric_version_id)
    claims: dict[int, list[Row]] = {snapshot_id: [] for snapshot_id in scored}
    if scored:
        for row in session.execute(select(ClaimRow.snapshot_id, ClaimRow.step_id, ClaimRow.element_id,
                                          ClaimRow.credit, ClaimRow.quote, ClaimRow.url, ClaimRow.start,
                                          ClaimRow.end, ClaimRow.detail)
                                   .where(ClaimRow.rubric_version_id == rubric_version_id,
                                          ClaimRow.snapshot_id.in_(scored))
                                   .order_by(ClaimRow.id)):
            claims[row.snapshot_id].append(row)
    return claims


def store_claims(session: Session, snapshot_id: int, rubric_version_id: int, claims: Iterable[dict]) -> None:
    """Store the claims of one (snapshot, rubric) pair and mark the pair scored.

    One multi-row INSERT, not an ORM object per claim: a notice has dozens of claims, and a
    profiled first check of 500 pages spent 5.2 s of its 22 s building and flushing them."""
    rows = [{"snapshot_id": snapshot_id, "rubric_version_id": rubric_version_id, **claim} for claim in claims]
    if rows:
        session.execute(CLAIMS.insert(), rows)
    session.add(SnapshotScoringRow(snapshot_id=snapshot_id, rubric_version_id=rubric_version_id))
    session.flush()


# --- scorecards --------------------------------------------------------------------------


def store_scorecard(
    session: Session,
    *,
    party_id: str,
    run_id: int,
    rubric_version_id: int,
    overall: float,
    grade: str,
    steps: Sequence[dict],
    snapshot_ids: Sequence[int],
    changes: Sequence[dict] = (),
) -> ScorecardRow:
    """Store a scorecard. `steps` follow the scorecard JSON: id, title, score, elements."""
    card = ScorecardRow(party_id=party_id, run_id=run_id, rubric_version_id=rubric_version_id,
                     overall=overall, grade=grade, snapshot_ids=sorted(snapshot_ids))
    for step_position, step in enumerate(steps):
        card.steps.append(StepScoreRow(step_id=step["id"], position=step_position,
                                    title=step["title"], score=step["score"]))
        for element in step["elements"]:
            card.elements.append(ElementResultRow(
                step_id=step["id"], element_id=element["id"], position=len(card.elements),
                credit=element["credit"], evidence=element.get("evidence", []),
                looked_for=element.get("looked_for"), detail=element.get("detail"),
            ))
    for change in changes:
        card.changes.append(ScorecardChangeRow(**change))
    session.add(card)
    session.flush()
    return card


def _with_details(query):
    return query.options(selectinload(ScorecardRow.steps), selectinload(ScorecardRow.elements),
                         selectinload(ScorecardRow.changes))


def previous_scorecard(session: Session, party_id: str, rubric_version_id: int,
                       before_id: int | None = None) -> ScorecardRow | None:
    """The party's latest scorecard of this rubric version (before `before_id` if given)."""
    query = select(ScorecardRow).where(ScorecardRow.party_id == party_id,
                                    ScorecardRow.rubric_version_id == rubric_version_id)
    if before_id is not None:
        query = query.where(ScorecardRow.id < before_id)
    return session.scalar(_with_details(query.order_by(ScorecardRow.id.desc()).limit(1)))


def latest_scorecards(session: Session, rubric_version_id: int | None = None) -> list[ScorecardRow]:
    """The latest scorecard of every party (of one rubric version if given), by party id."""
    latest = select(ScorecardRow.party_id, func.max(ScorecardRow.id).label("id"))
    if rubric_version_id is not None:
        latest = latest.where(ScorecardRow.rubric_version_id == rubric_version_id)
    latest = latest.group_by(ScorecardRow.party_id).subquery()
    query = select(ScorecardRow).join(latest, ScorecardRow.id == latest.c.id).order_by(ScorecardRow.party_id)
    return list(session.scalars(_with_details(query)))


# --- parties that could not be scored ----------------------------------------------------


def mark_not_scored(session: Session, party_id: str, reason: str, run_id: int | None) -> NotScoredRow:
    """Record that the party has no readable privacy notice now; `since` keeps the first time."""
    row = session.get(NotScoredRow, party_id)
    if row is None:
        row = NotScoredRow(party_id=party_id, reason=reason, run_id=run_id)
        session.add(row)
    else:
        row.reason, row.run_id = reason, run_id
    session.flush()
    return row


def mark_scored(session: Session, party_id: str) -> None:
    """The party was scored: its latest scorecard is its grade again."""
    row = session.get(NotScoredRow, party_id)
    if row is not None:
        session.delete(row)
        session.flush()


def not_scored_reasons(session: Session) -> dict[str, str]:
    """Why each party that is not scored now is not, by party id."""
    return dict(session.execute(select(NotScoredRow.party_id, NotScoredRow.reason)).all())

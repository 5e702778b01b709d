"""The parties and scorecards the bot shows: /parties, /score, /why, /history, /compare.

Every function returns plain values or detached rows (details loaded), so the bot can
call them from a worker thread and render after the session closed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import selectinload

from history import store
from history.db import transaction
from history.models import NotScoredRow, PartyRow, ScorecardRow, SnapshotRow


@dataclass(frozen=True)
class PartyStanding:
    """A stored party's grade now: its newest scorecard's, or why it is not scored."""

    id: str
    name: str
    grade: str | None
    overall: float | None
    not_scored: str | None


def party_standings(engine: Engine) -> list[PartyStanding]:
    """Every stored party with its newest scorecard's grade and overall, and the reason it
    is not scored (if it is not), by id: one query for the bot's /parties."""
    newest = (select(ScorecardRow.party_id, func.max(ScorecardRow.id).label("scorecard_id"))
              .group_by(ScorecardRow.party_id).subquery())
    query = (select(PartyRow.id, PartyRow.name, ScorecardRow.grade, ScorecardRow.overall, NotScoredRow.reason)
             .outerjoin(newest, newest.c.party_id == PartyRow.id)
             .outerjoin(ScorecardRow, ScorecardRow.id == newest.c.scorecard_id)
             .outerjoin(NotScoredRow, NotScoredRow.party_id == PartyRow.id)
             .order_by(PartyRow.id))
    with transaction(engine) as session:
        return [PartyStanding(*row) for row in session.execute(query)]


def list_parties(engine: Engine) -> list[tuple[str, str]]:
    """(id, name) of every party stored in the database, by id."""
    with transaction(engine) as session:
        return [(row.id, row.name) for row in session.execute(
            select(PartyRow.id, PartyRow.name).order_by(PartyRow.id))]


def _details(query):
    return query.options(selectinload(ScorecardRow.steps), selectinload(ScorecardRow.elements),
                         selectinload(ScorecardRow.changes))


def latest_scorecard(engine: Engine, party_id: str) -> ScorecardRow | None:
    """The party's newest scorecard, with steps, elements and changes loaded."""
    with transaction(engine) as session:
        return session.scalar(_details(
            select(ScorecardRow).where(ScorecardRow.party_id == party_id)
            .order_by(ScorecardRow.id.desc()).limit(1)))


def scorecard_sources(engine: Engine, card: ScorecardRow) -> list[tuple[str, str]]:
    """(url, note) for each document of the scorecard scored from an imported or archived copy."""
    with transaction(engine) as session:
        return store.source_notes(session, card.snapshot_ids)


def not_scored_reason(engine: Engine, party_id: str) -> str | None:
    """Why the party is not scored now (no readable privacy notice), or None if it is.

    A party that is not scored may still have older scorecards: they are history, not
    its grade, so the bot asks this before showing one.
    """
    with transaction(engine) as session:
        row = session.get(NotScoredRow, party_id)
        return None if row is None else row.reason


def scorecard_history(engine: Engine, party_id: str) -> list[ScorecardRow]:
    """The party's scorecards of its newest scorecard's rubric version, oldest first.

    Scores are only comparable within one rubric version, so a chart never mixes them.
    """
    with transaction(engine) as session:
        newest = session.scalar(
            select(ScorecardRow.rubric_version_id).where(ScorecardRow.party_id == party_id)
            .order_by(ScorecardRow.id.desc()).limit(1))
        if newest is None:
            return []
        return list(session.scalars(_details(
            select(ScorecardRow).where(ScorecardRow.party_id == party_id,
                                    ScorecardRow.rubric_version_id == newest)
            .order_by(ScorecardRow.created_at, ScorecardRow.id))))


def snapshot_dates(engine: Engine, snapshot_ids) -> dict[int, datetime]:
    """When each stored snapshot was fetched, by id (ids not stored are left out)."""
    ids = sorted({int(i) for i in snapshot_ids if i is not None})
    if not ids:
        return {}
    with transaction(engine) as session:
        fetched = select(SnapshotRow.id, SnapshotRow.fetched_at).where(SnapshotRow.id.in_(ids))
        return dict(session.execute(fetched).all())


def step_titles(engine: Engine) -> list[tuple[str, str]]:
    """(step id, title) in rubric order, from the newest scorecard (when no rubric file)."""
    card = None
    with transaction(engine) as session:
        card_id = session.scalar(select(func.max(ScorecardRow.id)))
    if card_id is not None:
        with transaction(engine) as session:
            card = session.scalar(_details(select(ScorecardRow).where(ScorecardRow.id == card_id)))
    return [(step.step_id, step.title) for step in card.steps] if card else []

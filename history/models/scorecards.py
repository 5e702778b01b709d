"""What scoring derives from snapshots: claims per rubric version, scorecards with their
step scores, element results and changes, and parties that could not be scored.

Mapped onto the Core tables of history.tables.scorecards.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Mapped, relationship

from history.models.base import Base
from history.tables import (
    CLAIMS,
    ELEMENT_RESULTS,
    NOT_SCORED,
    RUBRIC_VERSIONS,
    SCORECARD_CHANGES,
    SCORECARDS,
    SNAPSHOT_SCORINGS,
    STEP_SCORES,
)


class RubricVersionRow(Base):
    __table__ = RUBRIC_VERSIONS

    id: Mapped[int]
    content_hash: Mapped[str]
    version: Mapped[str]
    yaml_text: Mapped[str]
    created_at: Mapped[datetime]


class SnapshotScoringRow(Base):
    """Marks a (snapshot, rubric version) pair as scored, even when it found no claim."""

    __table__ = SNAPSHOT_SCORINGS

    snapshot_id: Mapped[int]
    rubric_version_id: Mapped[int]
    scored_at: Mapped[datetime]


class ClaimRow(Base):
    """A sentence of a snapshot that answers a rubric element."""

    __table__ = CLAIMS

    id: Mapped[int]
    snapshot_id: Mapped[int]
    rubric_version_id: Mapped[int]
    step_id: Mapped[str]
    element_id: Mapped[str]
    credit: Mapped[str]
    quote: Mapped[str]
    url: Mapped[str]
    start: Mapped[int]
    end: Mapped[int]
    detail: Mapped[dict | None]


class ScorecardRow(Base):
    """One per party per run per rubric version."""

    __table__ = SCORECARDS

    id: Mapped[int]
    party_id: Mapped[str]
    run_id: Mapped[int]
    rubric_version_id: Mapped[int]
    created_at: Mapped[datetime]
    overall: Mapped[float]
    grade: Mapped[str]
    snapshot_ids: Mapped[list]

    steps: Mapped[list[StepScoreRow]] = relationship(
        back_populates="scorecard", order_by="StepScoreRow.position", cascade="all, delete-orphan"
    )
    elements: Mapped[list[ElementResultRow]] = relationship(
        back_populates="scorecard", order_by="ElementResultRow.position", cascade="all, delete-orphan"
    )
    changes: Mapped[list[ScorecardChangeRow]] = relationship(
        back_populates="scorecard", cascade="all, delete-orphan"
    )


class StepScoreRow(Base):
    __table__ = STEP_SCORES

    scorecard_id: Mapped[int]
    step_id: Mapped[str]
    position: Mapped[int]
    title: Mapped[str]
    score: Mapped[float]

    scorecard: Mapped[ScorecardRow] = relationship(back_populates="steps")


class ElementResultRow(Base):
    __table__ = ELEMENT_RESULTS

    scorecard_id: Mapped[int]
    step_id: Mapped[str]
    element_id: Mapped[str]
    position: Mapped[int]
    credit: Mapped[str]
    evidence: Mapped[list]
    looked_for: Mapped[str | None]
    detail: Mapped[list | None]

    scorecard: Mapped[ScorecardRow] = relationship(back_populates="elements")


class ScorecardChangeRow(Base):
    """What moved since the party's previous scorecard of the same rubric version."""

    __table__ = SCORECARD_CHANGES

    id: Mapped[int]
    scorecard_id: Mapped[int]
    kind: Mapped[str]
    subject: Mapped[str]
    old: Mapped[str | None]
    new: Mapped[str | None]
    summary: Mapped[str | None]

    scorecard: Mapped[ScorecardRow] = relationship(back_populates="changes")


class NotScoredRow(Base):
    """A party the latest check could not score, and why (NOT_SCORED)."""

    __table__ = NOT_SCORED

    party_id: Mapped[str]
    reason: Mapped[str]
    since: Mapped[datetime]
    run_id: Mapped[int | None]

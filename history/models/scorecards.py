"""What scoring derives from snapshots: claims per rubric version, scorecards with their
step scores, element results and changes, and parties that could not be scored."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from history.models.base import Base, utcnow


class RubricVersionRow(Base):
    __tablename__ = "rubric_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    version: Mapped[str] = mapped_column(String(64))  # the version the YAML declares
    yaml_text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class SnapshotScoringRow(Base):
    """Marks a (snapshot, rubric version) pair as scored, even when it found no claim."""

    __tablename__ = "snapshot_scorings"

    snapshot_id: Mapped[int] = mapped_column(ForeignKey("snapshots.id"), primary_key=True)
    rubric_version_id: Mapped[int] = mapped_column(
        ForeignKey("rubric_versions.id"), primary_key=True
    )
    scored_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ClaimRow(Base):
    """A sentence of a snapshot that answers a rubric element."""

    __tablename__ = "claims"
    __table_args__ = (Index("ix_claims_snapshot_rubric", "snapshot_id", "rubric_version_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("snapshots.id"))
    rubric_version_id: Mapped[int] = mapped_column(ForeignKey("rubric_versions.id"))
    step_id: Mapped[str] = mapped_column(String(64))
    element_id: Mapped[str] = mapped_column(String(64))
    credit: Mapped[str] = mapped_column(String(8))  # full | partial | none
    quote: Mapped[str] = mapped_column(Text)
    url: Mapped[str] = mapped_column(String(2048))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    detail: Mapped[dict | None] = mapped_column(JSON)  # e.g. supplier name and role


class ScorecardRow(Base):
    """One per party per run per rubric version."""

    __tablename__ = "scorecards"
    __table_args__ = (
        UniqueConstraint("party_id", "run_id", "rubric_version_id"),
        Index("ix_scorecards_party_created", "party_id", "created_at"),
        Index("ix_scorecards_created", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    party_id: Mapped[str] = mapped_column(ForeignKey("parties.id"))
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"))
    rubric_version_id: Mapped[int] = mapped_column(ForeignKey("rubric_versions.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    overall: Mapped[float] = mapped_column(Float)
    grade: Mapped[str] = mapped_column(String(2))
    # The snapshot ids this scorecard was computed from, so "documents changed" is exact.
    snapshot_ids: Mapped[list] = mapped_column(JSON, default=list)

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
    __tablename__ = "step_scores"
    __table_args__ = (
        Index("ix_step_scores_step", "step_id"),
        # Covering index (migration 0002): a party's years of step scores read from the
        # index alone, without a table lookup per row.
        Index("ix_step_scores_scorecard_score", "scorecard_id", "step_id", "score"),
    )

    scorecard_id: Mapped[int] = mapped_column(ForeignKey("scorecards.id"), primary_key=True)
    step_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    score: Mapped[float] = mapped_column(Float)

    scorecard: Mapped[ScorecardRow] = relationship(back_populates="steps")


class ElementResultRow(Base):
    __tablename__ = "element_results"

    scorecard_id: Mapped[int] = mapped_column(ForeignKey("scorecards.id"), primary_key=True)
    step_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    element_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    credit: Mapped[str] = mapped_column(String(8))  # full | partial | none | n/a
    # [{"quote", "url", "start", "end", "snapshot_id"}]; for 'none', what was looked for.
    evidence: Mapped[list] = mapped_column(JSON, default=list)
    looked_for: Mapped[str | None] = mapped_column(Text)
    # What the credit rests on besides quotes: named-suppliers' {"supplier", "role"}; for an
    # element scored from the spending returns each data-related payee {"supplier", "total",
    # "categories", "items", "named_as"} (named_as null: paid but never named).
    detail: Mapped[list | None] = mapped_column(JSON)

    scorecard: Mapped[ScorecardRow] = relationship(back_populates="elements")


class ScorecardChangeRow(Base):
    """What moved since the party's previous scorecard of the same rubric version."""

    __tablename__ = "scorecard_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scorecard_id: Mapped[int] = mapped_column(ForeignKey("scorecards.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # step | element | document
    subject: Mapped[str] = mapped_column(String(2048))  # step id, step/element id, or url
    old: Mapped[str | None] = mapped_column(String(64))
    new: Mapped[str | None] = mapped_column(String(64))
    summary: Mapped[str | None] = mapped_column(Text)

    scorecard: Mapped[ScorecardRow] = relationship(back_populates="changes")


class NotScoredRow(Base):
    """A party the latest check could not score, and why ("no text, no grade").

    One row per party while it lasts: written when a check finds no readable privacy
    notice, deleted when the party is scored again. Its older scorecards stay in the
    history, but nothing shows them as its grade while this row exists.
    """

    __tablename__ = "not_scored"

    party_id: Mapped[str] = mapped_column(ForeignKey("parties.id"), primary_key=True)
    reason: Mapped[str] = mapped_column(Text)
    since: Mapped[datetime] = mapped_column(DateTime, default=utcnow)  # first run that found it so
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"))  # latest run that found it so

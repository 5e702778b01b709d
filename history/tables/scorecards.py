"""What scoring derives from snapshots: claims per rubric version, scorecards with their
step scores, element results and changes, and parties that could not be scored."""

from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime, Float, ForeignKey, Index, Integer, String, Table, Text, UniqueConstraint

from history.tables.base import METADATA, utcnow

RUBRIC_VERSIONS = Table(
    "rubric_versions", METADATA,
    Column("id", Integer, primary_key=True),
    Column("content_hash", String(64), nullable=False, unique=True),
    Column("version", String(64), nullable=False),  # the version the YAML declares
    Column("yaml_text", Text, nullable=False),
    Column("created_at", DateTime, nullable=False, default=utcnow),
)

# Marks a (snapshot, rubric version) pair as scored, even when it found no claim.
SNAPSHOT_SCORINGS = Table(
    "snapshot_scorings", METADATA,
    Column("snapshot_id", ForeignKey("snapshots.id"), primary_key=True),
    Column("rubric_version_id", ForeignKey("rubric_versions.id"), primary_key=True),
    Column("scored_at", DateTime, nullable=False, default=utcnow),
)

# A sentence of a snapshot that answers a rubric element.
CLAIMS = Table(
    "claims", METADATA,
    Column("id", Integer, primary_key=True),
    Column("snapshot_id", ForeignKey("snapshots.id"), nullable=False),
    Column("rubric_version_id", ForeignKey("rubric_versions.id"), nullable=False),
    Column("step_id", String(64), nullable=False),
    Column("element_id", String(64), nullable=False),
    Column("credit", String(8), nullable=False),  # full | partial | none
    Column("quote", Text, nullable=False),
    Column("url", String(2048), nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("detail", JSON),  # e.g. supplier name and role
    Index("ix_claims_snapshot_rubric", "snapshot_id", "rubric_version_id"),
)

# One per party per run per rubric version.
SCORECARDS = Table(
    "scorecards", METADATA,
    Column("id", Integer, primary_key=True),
    Column("party_id", ForeignKey("parties.id"), nullable=False),
    Column("run_id", ForeignKey("runs.id"), nullable=False),
    Column("rubric_version_id", ForeignKey("rubric_versions.id"), nullable=False),
    Column("created_at", DateTime, nullable=False, default=utcnow),
    Column("overall", Float, nullable=False),
    Column("grade", String(2), nullable=False),
    # The snapshot ids this scorecard was computed from, so "documents changed" is exact.
    Column("snapshot_ids", JSON, nullable=False, default=list),
    UniqueConstraint("party_id", "run_id", "rubric_version_id"),
    Index("ix_scorecards_party_created", "party_id", "created_at"),
    Index("ix_scorecards_created", "created_at"),
)

STEP_SCORES = Table(
    "step_scores", METADATA,
    Column("scorecard_id", ForeignKey("scorecards.id"), primary_key=True),
    Column("step_id", String(64), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("title", String(200), nullable=False),
    Column("score", Float, nullable=False),
    Index("ix_step_scores_step", "step_id"),
    # Covering index (migration 0002): a party's years of step scores read from the
    # index alone, without a table lookup per row.
    Index("ix_step_scores_scorecard_score", "scorecard_id", "step_id", "score"),
)

ELEMENT_RESULTS = Table(
    "element_results", METADATA,
    Column("scorecard_id", ForeignKey("scorecards.id"), primary_key=True),
    Column("step_id", String(64), primary_key=True),
    Column("element_id", String(64), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("credit", String(8), nullable=False),  # full | partial | none | n/a
    # [{"quote", "url", "start", "end", "snapshot_id"}]; for 'none', what was looked for.
    Column("evidence", JSON, nullable=False, default=list),
    Column("looked_for", Text),
    # What the credit rests on besides quotes: named-suppliers' {"supplier", "role"}; for an
    # element scored from the spending returns each data-related payee {"supplier", "total",
    # "categories", "items", "named_as"} (named_as null: paid but never named).
    Column("detail", JSON),
)

# What moved since the party's previous scorecard of the same rubric version.
SCORECARD_CHANGES = Table(
    "scorecard_changes", METADATA,
    Column("id", Integer, primary_key=True),
    Column("scorecard_id", ForeignKey("scorecards.id"), nullable=False, index=True),
    Column("kind", String(16), nullable=False),  # step | element | document
    Column("subject", String(2048), nullable=False),  # step id, step/element id, or url
    Column("old", String(64)),
    Column("new", String(64)),
    Column("summary", Text),
)

# A party the latest check could not score, and why ("no text, no grade"). One row per
# party while it lasts: written when a check finds no readable privacy notice, deleted
# when the party is scored again. Its older scorecards stay in the history, but nothing
# shows them as its grade while this row exists.
NOT_SCORED = Table(
    "not_scored", METADATA,
    Column("party_id", ForeignKey("parties.id"), primary_key=True),
    Column("reason", Text, nullable=False),
    Column("since", DateTime, nullable=False, default=utcnow),  # first run that found it so
    Column("run_id", ForeignKey("runs.id")),  # latest run that found it so
)

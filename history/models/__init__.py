"""The ORM classes of the score-history, one module per subject, each mapped onto a table
of history.tables (the schema, and what its columns mean)."""

from __future__ import annotations

from history.models.base import NAMING_CONVENTION, Base, utcnow
from history.models.bot import ALL_PARTIES, LockRow, OutboxMessageRow, SubscriberRow, SubscriptionRow
from history.models.documents import PROVENANCES, DocumentRow, FetchRow, PartyRow, RunRow, SnapshotRow, source_note
from history.models.scorecards import (
    ClaimRow,
    ElementResultRow,
    NotScoredRow,
    RubricVersionRow,
    ScorecardChangeRow,
    ScorecardRow,
    SnapshotScoringRow,
    StepScoreRow,
)
from history.models.spending import SpendingItemChangeRow, SpendingItemRow

__all__ = [
    "NAMING_CONVENTION",
    "utcnow",
    "Base",
    "PartyRow",
    "RunRow",
    "DocumentRow",
    "PROVENANCES",
    "SnapshotRow",
    "source_note",
    "FetchRow",
    "RubricVersionRow",
    "SnapshotScoringRow",
    "ClaimRow",
    "ScorecardRow",
    "StepScoreRow",
    "ElementResultRow",
    "ScorecardChangeRow",
    "NotScoredRow",
    "SubscriberRow",
    "ALL_PARTIES",
    "SubscriptionRow",
    "OutboxMessageRow",
    "LockRow",
    "SpendingItemRow",
    "SpendingItemChangeRow",
]

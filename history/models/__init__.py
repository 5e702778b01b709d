"""The score-history schema, one module per subject.

Raw snapshots are kept apart from what was derived from them (claims, scorecards), so a
new extractor or rubric can be re-applied to every stored snapshot without re-crawling.
Times are stored as naive UTC.
"""

from __future__ import annotations

from history.models.base import NAMING_CONVENTION, Base, utcnow
from history.models.bot import ALL_PARTIES, Lock, OutboxMessage, Subscriber, Subscription
from history.models.documents import PROVENANCES, Document, Fetch, Party, Run, Snapshot, source_note
from history.models.scorecards import (
    Claim,
    ElementResult,
    NotScored,
    RubricVersion,
    Scorecard,
    ScorecardChange,
    SnapshotScoring,
    StepScore,
)
from history.models.spending import SpendingItem, SpendingItemChange

__all__ = [
    "NAMING_CONVENTION",
    "utcnow",
    "Base",
    "Party",
    "Run",
    "Document",
    "PROVENANCES",
    "Snapshot",
    "source_note",
    "Fetch",
    "RubricVersion",
    "SnapshotScoring",
    "Claim",
    "Scorecard",
    "StepScore",
    "ElementResult",
    "ScorecardChange",
    "NotScored",
    "Subscriber",
    "ALL_PARTIES",
    "Subscription",
    "OutboxMessage",
    "Lock",
    "SpendingItem",
    "SpendingItemChange",
]

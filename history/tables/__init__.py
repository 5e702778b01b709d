"""The score-history schema as SQLAlchemy Core tables on one MetaData, one module per subject.

Raw snapshots are kept apart from what was derived from them (claims, scorecards), so a
new extractor or rubric can be re-applied to every stored snapshot without re-crawling.
Times are stored as naive UTC.

Every table is declared here, without the ORM, and history.models maps a class onto each
for the code that works with a Session. What `check` does before its crawl ends (making a
new database's schema: history.schema; syncing the parties and starting a run:
history.runs; storing every fetch: history.fetches) takes its tables from here, so the
check loads neither the ORM nor the models (~7 MB and ~0.2 s of CPU) until it scores.
"""

from __future__ import annotations

from history.tables.base import METADATA, NAMING_CONVENTION, utcnow
from history.tables.bot import LOCKS, OUTBOX, SUBSCRIBERS, SUBSCRIPTIONS
from history.tables.documents import DOCUMENTS, FETCHES, PARTIES, RUNS, SNAPSHOTS
from history.tables.scorecards import (
    CLAIMS,
    ELEMENT_RESULTS,
    NOT_SCORED,
    RUBRIC_VERSIONS,
    SCORECARD_CHANGES,
    SCORECARDS,
    SNAPSHOT_SCORINGS,
    STEP_SCORES,
)
from history.tables.spending import SPENDING_ITEM_CHANGES, SPENDING_ITEMS

__all__ = [
    "METADATA",
    "NAMING_CONVENTION",
    "utcnow",
    "PARTIES",
    "RUNS",
    "DOCUMENTS",
    "SNAPSHOTS",
    "FETCHES",
    "RUBRIC_VERSIONS",
    "SNAPSHOT_SCORINGS",
    "CLAIMS",
    "SCORECARDS",
    "STEP_SCORES",
    "ELEMENT_RESULTS",
    "SCORECARD_CHANGES",
    "NOT_SCORED",
    "SUBSCRIBERS",
    "SUBSCRIPTIONS",
    "OUTBOX",
    "LOCKS",
    "SPENDING_ITEMS",
    "SPENDING_ITEM_CHANGES",
]

"""The metadata every table shares, and the two tables `check` writes before its crawl
starts (parties, runs) as SQLAlchemy Core tables.

Everything else is declared with the ORM in history.models, which maps PartyRow and RunRow
onto these. Kept apart so that syncing the parties and starting a run (history.runs) load
neither the ORM nor the models: a check sends the crawl its work that much sooner.
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, Text

# Named constraints make Alembic batch migrations on SQLite and drops on PostgreSQL
# address the same constraint by the same name.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
METADATA = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    """The clock rows are stamped with: naive UTC."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


PARTIES = Table(
    "parties", METADATA,
    Column("id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("jurisdiction", String(32), nullable=False),
    Column("homepage", String(2048), nullable=False),
    Column("updated_at", DateTime, nullable=False, default=utcnow, onupdate=utcnow),
)

# One invocation of check or rescore; scorecards and notifications hang off it.
RUNS = Table(
    "runs", METADATA,
    Column("id", Integer, primary_key=True),
    Column("kind", String(16), nullable=False),  # check | rescore
    Column("started_at", DateTime, nullable=False, default=utcnow),
    Column("finished_at", DateTime),
    Column("status", String(16), nullable=False, default="running"),  # running | ok | failed
    Column("error", Text),
)

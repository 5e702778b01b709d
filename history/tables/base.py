"""The metadata every table shares, and the clock rows are stamped with."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import MetaData

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

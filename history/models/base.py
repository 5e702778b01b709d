"""The declarative base every mapped class shares, and the clock rows are stamped with."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

# The metadata and the clock live with the Core tables (history.tables); imported from here too.
from history.tables import METADATA, NAMING_CONVENTION, utcnow  # noqa: F401


class Base(DeclarativeBase):
    metadata = METADATA

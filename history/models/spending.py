"""Parties' campaign spending returns, as the Electoral Commission publishes them.

Mapped onto the Core tables of history.tables.spending.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Mapped

from history.models.base import Base
from history.tables import SPENDING_ITEM_CHANGES, SPENDING_ITEMS


class SpendingItemRow(Base):
    """One item of a party's campaign spending return (SPENDING_ITEMS)."""

    __table__ = SPENDING_ITEMS

    ec_ref: Mapped[str]
    party_id: Mapped[str | None]
    entity_id: Mapped[str]
    entity_name: Mapped[str]
    entity_type: Mapped[str | None]
    reporting_period: Mapped[str | None]
    category: Mapped[str]
    supplier_name: Mapped[str]
    supplier_id: Mapped[str | None]
    supplier_address: Mapped[str | None]
    total: Mapped[float]
    amount_england: Mapped[float | None]
    amount_scotland: Mapped[float | None]
    amount_wales: Mapped[float | None]
    amount_northern_ireland: Mapped[float | None]
    date_incurred: Mapped[date | None]
    date_paid: Mapped[date | None]
    campaigning_name: Mapped[str | None]
    content_hash: Mapped[str]
    imported_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class SpendingItemChangeRow(Base):
    """An item's older version, kept when a later export corrected it."""

    __table__ = SPENDING_ITEM_CHANGES

    id: Mapped[int]
    ec_ref: Mapped[str]
    changed_at: Mapped[datetime]
    source: Mapped[str]
    old_hash: Mapped[str]
    old: Mapped[dict]
    new: Mapped[dict]

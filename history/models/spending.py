"""Parties' campaign spending returns, as the Electoral Commission publishes them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from history.models.base import Base, utcnow


class SpendingItemRow(Base):
    """One item of a party's campaign spending return, as the Electoral Commission publishes it.

    Keyed by the Commission's ECRef, so importing the same or an overlapping export again
    adds nothing; a corrected item replaces its older version, which is kept in
    spending_item_changes. Amounts are pounds; dates are the Commission's (no time).
    """

    __tablename__ = "spending_items"
    __table_args__ = (Index("ix_spending_items_party_category", "party_id", "category"),)

    ec_ref: Mapped[str] = mapped_column(String(64), primary_key=True)
    # The party in parties.yaml it belongs to; None for an entity partywatch does not watch.
    party_id: Mapped[str | None] = mapped_column(ForeignKey("parties.id"))
    entity_id: Mapped[str] = mapped_column(String(64))  # RegulatedEntityId
    entity_name: Mapped[str] = mapped_column(String(300))  # RegulatedEntityName
    entity_type: Mapped[str | None] = mapped_column(String(100))
    reporting_period: Mapped[str | None] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(200))  # ExpenseCategoryName
    supplier_name: Mapped[str] = mapped_column(String(500))
    supplier_id: Mapped[str | None] = mapped_column(String(64))
    supplier_address: Mapped[str | None] = mapped_column(Text)
    total: Mapped[float] = mapped_column(Numeric(14, 2))
    amount_england: Mapped[float | None] = mapped_column(Numeric(14, 2))
    amount_scotland: Mapped[float | None] = mapped_column(Numeric(14, 2))
    amount_wales: Mapped[float | None] = mapped_column(Numeric(14, 2))
    amount_northern_ireland: Mapped[float | None] = mapped_column(Numeric(14, 2))
    date_incurred: Mapped[date | None] = mapped_column(Date)
    date_paid: Mapped[date | None] = mapped_column(Date)
    campaigning_name: Mapped[str | None] = mapped_column(String(300))
    # sha256 of the item's values as imported: a different hash under the same ECRef is a correction.
    content_hash: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class SpendingItemChangeRow(Base):
    """An item's older version, kept when a later export corrected it."""

    __tablename__ = "spending_item_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ec_ref: Mapped[str] = mapped_column(ForeignKey("spending_items.ec_ref"), index=True)
    changed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    source: Mapped[str] = mapped_column(String(1000))  # the file (and line) that corrected it
    # The replaced version's content_hash: an older export still holding it changes nothing.
    old_hash: Mapped[str] = mapped_column(String(64))
    old: Mapped[dict] = mapped_column(JSON)  # the replaced values, by column
    new: Mapped[dict] = mapped_column(JSON)  # the values that replaced them

"""Parties' campaign spending returns, as the Electoral Commission publishes them."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Date, DateTime, ForeignKey, Index, Integer, Numeric, String, Table, Text

from history.tables.base import METADATA, utcnow

# One item of a party's campaign spending return, as the Electoral Commission publishes it.
# Keyed by the Commission's ECRef, so importing the same or an overlapping export again
# adds nothing; a corrected item replaces its older version, which is kept in
# spending_item_changes. Amounts are pounds; dates are the Commission's (no time).
SPENDING_ITEMS = Table(
    "spending_items", METADATA,
    Column("ec_ref", String(64), primary_key=True),
    # The party in parties.yaml it belongs to; None for an entity partywatch does not watch.
    Column("party_id", ForeignKey("parties.id")),
    Column("entity_id", String(64), nullable=False),  # RegulatedEntityId
    Column("entity_name", String(300), nullable=False),  # RegulatedEntityName
    Column("entity_type", String(100)),
    Column("reporting_period", String(200)),
    Column("category", String(200), nullable=False),  # ExpenseCategoryName
    Column("supplier_name", String(500), nullable=False),
    Column("supplier_id", String(64)),
    Column("supplier_address", Text),
    Column("total", Numeric(14, 2), nullable=False),
    Column("amount_england", Numeric(14, 2)),
    Column("amount_scotland", Numeric(14, 2)),
    Column("amount_wales", Numeric(14, 2)),
    Column("amount_northern_ireland", Numeric(14, 2)),
    Column("date_incurred", Date),
    Column("date_paid", Date),
    Column("campaigning_name", String(300)),
    # sha256 of the item's values as imported: a different hash under the same ECRef is a correction.
    Column("content_hash", String(64), nullable=False),
    Column("imported_at", DateTime, nullable=False, default=utcnow),
    Column("updated_at", DateTime, nullable=False, default=utcnow),
    Index("ix_spending_items_party_category", "party_id", "category"),
)

# An item's older version, kept when a later export corrected it.
SPENDING_ITEM_CHANGES = Table(
    "spending_item_changes", METADATA,
    Column("id", Integer, primary_key=True),
    Column("ec_ref", ForeignKey("spending_items.ec_ref"), nullable=False, index=True),
    Column("changed_at", DateTime, nullable=False, default=utcnow),
    Column("source", String(1000), nullable=False),  # the file (and line) that corrected it
    # The replaced version's content_hash: an older export still holding it changes nothing.
    Column("old_hash", String(64), nullable=False),
    Column("old", JSON, nullable=False),  # the replaced values, by column
    Column("new", JSON, nullable=False),  # the values that replaced them
)

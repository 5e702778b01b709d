"""Storing and reading the Electoral Commission's spending items.

Items are keyed by the Commission's ECRef: storing one already stored with the same
values does nothing, storing it with other values (a correction) replaces it and keeps
the older values in spending_item_changes. Takes plain dicts, like the rest of history.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Sequence

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from history.models import ClaimRow, ScorecardRow, SnapshotScoringRow, SpendingItemChangeRow, SpendingItemRow, utcnow
from history.tables import SPENDING_ITEM_CHANGES, SPENDING_ITEMS

ITEM_FIELDS = ("party_id", "entity_id", "entity_name", "entity_type", "reporting_period", "category",
               "supplier_name", "supplier_id", "supplier_address", "total", "amount_england",
               "amount_scotland", "amount_wales", "amount_northern_ireland", "date_incurred",
               "date_paid", "campaigning_name", "content_hash")
# Enough rows per query to be quick, few enough for SQLite's limit on bound parameters.
LOOKUP_CHUNK = 500


@dataclass
class StoreCounts:
    added: int = 0
    corrected: int = 0
    unchanged: int = 0  # stored already, or an older version of an item since corrected


def _plain(value):
    """A value as JSON can hold it (for the record of a correction)."""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, date):
        return value.isoformat()
    return value


def _same_amount(old, new) -> bool:
    if old is None or new is None:
        return old is new
    return Decimal(str(old)).quantize(Decimal("0.01")) == Decimal(str(new)).quantize(Decimal("0.01"))


@functools.lru_cache(maxsize=64)
def _sqlite_time(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S.%f")  # as SQLAlchemy writes a DateTime in SQLite


# What SQLAlchemy would store in SQLite: an amount as a number (the column's NUMERIC
# affinity turns the exact text into one), dates and times as ISO text.
_SQLITE_VALUES = {Decimal: str, date: date.isoformat, datetime: _sqlite_time}


def _insert_many(session: Session, table: str, rows: list[dict]) -> None:
    """One executemany straight to the driver. SQLAlchemy's per-row parameter processing
    is most of an import's time; only plain values (text, numbers, dates) go through here."""
    conn = session.connection()
    names = list(rows[0])
    quote = conn.dialect.identifier_preparer.quote
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = (f"INSERT INTO {quote(table)} ({', '.join(quote(n) for n in names)}) "
           f"VALUES ({', '.join([mark] * len(names))})")
    if conn.dialect.name == "sqlite":
        convert = _SQLITE_VALUES.get
        data = [tuple([v if (c := convert(type(v))) is None else c(v) for v in row.values()]) for row in rows]
    else:
        data = [tuple(row[n] for n in names) for row in rows]
    conn.exec_driver_sql(sql, data)


def store_spending_items(session: Session, items: Sequence[dict], source: str) -> StoreCounts:
    """Insert new items, replace corrected ones (keeping what they replaced), skip the rest.

    An item whose values are those of a version already replaced (an older export
    imported after a newer one) is not a correction: the newer version stays.

    `items` have distinct ec_refs and the fields of SpendingItem; `source` says where the
    correction came from (the file name and line are added per item when given as
    item["_line"]).
    """
    counts = StoreCounts()
    if not items:
        return counts
    now = utcnow()
    refs = [item["ec_ref"] for item in items]
    hashes: dict[str, tuple[str, str | None]] = {}  # ec_ref -> (content_hash, party_id)
    superseded: set[tuple[str, str]] = set()
    for start in range(0, len(refs), LOOKUP_CHUNK):
        chunk = refs[start:start + LOOKUP_CHUNK]
        for ref, digest, party_id in session.execute(
                select(SpendingItemRow.ec_ref, SpendingItemRow.content_hash, SpendingItemRow.party_id)
                .where(SpendingItemRow.ec_ref.in_(chunk))):
            hashes[ref] = (digest, party_id)
        if hashes:
            superseded.update((ref, digest) for ref, digest in session.execute(
                select(SpendingItemChangeRow.ec_ref, SpendingItemChangeRow.old_hash)
                .where(SpendingItemChangeRow.ec_ref.in_(chunk))))
    new_rows, changes, moved = [], [], {}
    for item in items:
        ref = item["ec_ref"]
        if ref not in hashes:
            new_rows.append({"ec_ref": ref, **{name: item.get(name) for name in ITEM_FIELDS},
                             "imported_at": now, "updated_at": now})
            counts.added += 1
            continue
        digest, party_id = hashes[ref]
        if digest == item["content_hash"] or (ref, item["content_hash"]) in superseded:
            counts.unchanged += 1
            if party_id != item.get("party_id"):
                moved[ref] = item.get("party_id")  # parties.yaml now names its party
            continue
        old = session.get(SpendingItemRow, ref)
        values = {name: item.get(name) for name in ITEM_FIELDS}
        differ = [name for name in ITEM_FIELDS if name not in ("content_hash", "party_id")
                  and not (_same_amount(getattr(old, name), values[name])
                           if name.startswith(("total", "amount_")) else getattr(old, name) == values[name])]
        where = f"{source}:{item['_line']}" if item.get("_line") else source
        changes.append({"ec_ref": ref, "changed_at": now, "source": where, "old_hash": old.content_hash,
                        "old": {name: _plain(getattr(old, name)) for name in differ},
                        "new": {name: _plain(values[name]) for name in differ}})
        for name, value in values.items():
            setattr(old, name, value)
        old.updated_at = now
        counts.corrected += 1
    for ref, party_id in moved.items():
        session.execute(update(SpendingItemRow).where(SpendingItemRow.ec_ref == ref).values(party_id=party_id))
    session.flush()
    if new_rows:
        _insert_many(session, SPENDING_ITEMS.name, new_rows)
    if changes:
        session.connection().execute(insert(SPENDING_ITEM_CHANGES), changes)
    return counts


# --- reading ---------------------------------------------------------------------------


@dataclass
class PaidSupplier:
    """One payee's items of one party in one category."""

    supplier: str
    category: str
    total: Decimal
    items: int
    first: date | None
    last: date | None
    periods: list[str] = field(default_factory=list)


def parties_with_spending(session: Session) -> list[str]:
    return list(session.scalars(select(SpendingItemRow.party_id).where(SpendingItemRow.party_id.is_not(None))
                                .distinct().order_by(SpendingItemRow.party_id)))


def has_spending(session: Session, party_id: str | None = None) -> bool:
    query = select(SpendingItemRow.ec_ref).limit(1)
    if party_id is not None:
        query = query.where(SpendingItemRow.party_id == party_id)
    return session.scalar(query) is not None


def paid_suppliers(session: Session, party_id: str, categories: Sequence[str],
                   since: date | None = None, until: date | None = None) -> list[PaidSupplier]:
    """What the party paid each supplier in each of `categories` (items on or after
    `since`, on or before `until`; an item's date is when it was incurred, else paid)."""
    when = func.coalesce(SpendingItemRow.date_incurred, SpendingItemRow.date_paid)
    query = (select(SpendingItemRow.supplier_name, SpendingItemRow.category, func.sum(SpendingItemRow.total),
                    func.count(), func.min(when), func.max(when))
             .where(SpendingItemRow.party_id == party_id, SpendingItemRow.category.in_(list(categories)))
             .group_by(SpendingItemRow.supplier_name, SpendingItemRow.category)
             .order_by(SpendingItemRow.supplier_name, SpendingItemRow.category))
    periods_query = (select(SpendingItemRow.supplier_name, SpendingItemRow.category, SpendingItemRow.reporting_period)
                     .where(SpendingItemRow.party_id == party_id, SpendingItemRow.category.in_(list(categories)),
                            SpendingItemRow.reporting_period.is_not(None))
                     .distinct())
    if since is not None:
        query = query.where(when >= since)
        periods_query = periods_query.where(when >= since)
    if until is not None:
        query = query.where(when <= until)
        periods_query = periods_query.where(when <= until)
    periods: dict[tuple[str, str], list[str]] = {}
    for supplier, category, period in session.execute(periods_query):
        periods.setdefault((supplier, category), []).append(period)
    out = []
    for supplier, category, total, count, first, last in session.execute(query):
        out.append(PaidSupplier(supplier, category, Decimal(str(total)).quantize(Decimal("0.01")), count,
                                _as_date(first), _as_date(last), sorted(periods.get((supplier, category), []))))
    return out


def _as_date(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])  # SQLite returns MIN/MAX of dates as text


@dataclass
class NamedSupplier:
    """A supplier a party's notice names, where (the claim partywatch stored for it)."""

    name: str
    role: str | None
    url: str
    quote: str


def named_suppliers(session: Session, party_id: str) -> list[NamedSupplier] | None:
    """The suppliers named in the documents behind the party's latest scorecard.

    They are the claims the scorer stored with a supplier name, for the snapshots and
    rubric version of that scorecard. None when the party has no scorecard (never
    scored, or no readable notice): then nothing can be said to be named or not.
    """
    card = session.scalar(select(ScorecardRow).where(ScorecardRow.party_id == party_id)
                          .order_by(ScorecardRow.created_at.desc(), ScorecardRow.id.desc()).limit(1))
    if card is None:
        return None
    claims = session.scalars(
        select(ClaimRow).join(SnapshotScoringRow, (SnapshotScoringRow.snapshot_id == ClaimRow.snapshot_id)
                           & (SnapshotScoringRow.rubric_version_id == ClaimRow.rubric_version_id))
        .where(ClaimRow.snapshot_id.in_(list(card.snapshot_ids or [])),
               ClaimRow.rubric_version_id == card.rubric_version_id)
        .order_by(ClaimRow.id))
    found: dict[str, NamedSupplier] = {}
    for claim in claims:
        name = (claim.detail or {}).get("supplier")
        if name and name.lower() not in found:
            found[name.lower()] = NamedSupplier(name, (claim.detail or {}).get("role"), claim.url, claim.quote)
    return list(found.values())


def paid_not_named(element_detail: list | None) -> list[dict]:
    """From a stored element's detail (an element scored from the spending returns): the
    payees its notices never named, {"supplier", "total", "categories", "items"}, most paid first."""
    payees = [p for p in element_detail or [] if isinstance(p, dict) and "total" in p and not p.get("named_as")]
    return sorted(payees, key=lambda p: (-float(p["total"]), str(p["supplier"])))

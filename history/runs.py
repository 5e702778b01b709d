"""Syncing the parties from parties.yaml and starting a run, with Core statements.

These are the one way it is done: history.store's sync_parties and start_run are these
plus the ORM rows they touch, for callers with a Session. `partywatch check` calls them
on a Connection before it sends the crawl its work, so that it need not load the ORM and
the models first (see history.tables).
"""

from __future__ import annotations

from typing import Iterable

from sqlalchemy import Connection, insert, select, update

from history.tables import PARTIES, RUNS

PARTY_FIELDS = ("name", "jurisdiction", "homepage")


def write_parties(conn: Connection, parties: Iterable[dict]) -> list[str]:
    """Insert or update parties from parties.yaml entries (id, name, jurisdiction,
    homepage); a party whose entry did not change is not written (its updated_at stays).
    Returns the ids of the parties written."""
    entries = {entry["id"]: entry for entry in parties}  # the last entry of an id wins
    stored = {row.id: tuple(row)[1:] for row in conn.execute(
        select(PARTIES.c.id, *(PARTIES.c[name] for name in PARTY_FIELDS))
        .where(PARTIES.c.id.in_(list(entries))))}
    written = []
    for party_id, entry in entries.items():
        values = {name: entry[name] for name in PARTY_FIELDS}
        if party_id not in stored:
            conn.execute(insert(PARTIES).values(id=party_id, **values))
        elif stored[party_id] != tuple(values.values()):
            conn.execute(update(PARTIES).where(PARTIES.c.id == party_id).values(**values))
        else:
            continue
        written.append(party_id)
    return written


def insert_run(conn: Connection, kind: str) -> int:
    """Start a run of `kind` (check | rescore): its id."""
    return conn.execute(insert(RUNS).values(kind=kind, status="running")).inserted_primary_key[0]

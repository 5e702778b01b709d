"""Syncing the parties from parties.yaml, starting a run and reading what a crawl needs
to know of the parties' documents, with Core statements.

These are the one way it is done: history.store's sync_parties and start_run are these
plus the ORM rows they touch, for callers with a Session. `partywatch check` calls them
on a Connection before it sends the crawl its work, so that it need not load the ORM and
the models first (see history.tables): importing those is ~0.3 s of CPU, which the crawl
process would otherwise wait for.
"""

from __future__ import annotations

from typing import Iterable

from sqlalchemy import Connection, insert, select, update

from history.tables import DOCUMENTS, PARTIES, RUNS

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


def known_documents(conn: Connection, party_ids: Iterable[str]) -> dict:
    """What a crawl needs from the history, as JSON for its work message (spiders.crawl):
    each party's documents already in the history ({party: [[url, kind]]}, to be fetched
    again) and their stored validators ([[party, url, etag, last_modified]], for
    conditional requests)."""
    known: dict[str, list[list[str]]] = {}
    validators: list[list[str | None]] = []
    rows = conn.execute(
        select(DOCUMENTS.c.party_id, DOCUMENTS.c.url, DOCUMENTS.c.kind, DOCUMENTS.c.etag,
               DOCUMENTS.c.last_modified)
        .where(DOCUMENTS.c.party_id.in_(list(party_ids)))
        .order_by(DOCUMENTS.c.id))
    for party_id, url, kind, etag, last_modified in rows:
        known.setdefault(party_id, []).append([url, kind])
        if etag or last_modified:
            validators.append([party_id, url, etag, last_modified])
    return {"known_documents": known, "validators": validators}

"""Importing a spending export into the history database, in batches, with a report.

Each row is matched to a party of parties.yaml: by its Electoral Commission number
(`ec_id`, e.g. PP52) against RegulatedEntityId ("PP52" or "52") or the start of the
ECRef, failing that by the exact registered name. Rows of entities partywatch does not
watch are stored too (a later parties.yaml may name them) and reported as unmatched.
Batches are committed one at a time: memory stays flat whatever the file's size, and an
interrupted import is finished by running it again (it adds nothing twice).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from sqlalchemy import Engine

from history.db import transaction
from history.spending import StoreCounts, store_spending_items
from history.store import sync_parties
from partywatch.parties import PartyEntry
from partywatch.spending.reader import BadRow, read_export

BATCH = 5_000
EC_NUMBER = re.compile(r"^([A-Za-z]+)?0*(\d+)$")


def _entity_number(value: str) -> str | None:
    """'PP52' and '52' -> '52': the Commission writes an entity's number either way."""
    m = EC_NUMBER.match(value.strip())
    return m.group(2) if m else None


def _name_key(name: str) -> str:
    return " ".join(name.lower().split())


class PartyMatcher:
    """Which watched party a row of the export belongs to."""

    def __init__(self, parties: Iterable[PartyEntry]):
        parties = list(parties)
        self.by_number = {_entity_number(p.ec_id): p.id for p in parties if p.ec_id}
        self.by_name = {_name_key(p.name): p.id for p in parties}
        by_ec_id = {p.ec_id.upper(): p.id for p in parties if p.ec_id}
        self.by_ec_id = by_ec_id
        # An ECRef that starts with a party's number ("PP52-..."), but not a longer one ("PP521...").
        self.ref_prefix = re.compile("|".join(rf"(?:{re.escape(e)})(?!\d)" for e in by_ec_id) or r"(?!)",
                                     re.IGNORECASE)
        self._by_entity: dict[tuple[str, str], str | None] = {}  # one entry per entity, not per row

    def party_of(self, entity_id: str, entity_name: str, ec_ref: str) -> str | None:
        key = (entity_id, entity_name)
        party = self._by_entity.get(key)
        if party is None and key not in self._by_entity:
            party = self.by_number.get(_entity_number(entity_id)) if entity_id else None
            self._by_entity[key] = party
        if party is not None:
            return party
        m = self.ref_prefix.match(ec_ref)
        if m:
            return self.by_ec_id[m.group(0).upper()]
        return self.by_name.get(_name_key(entity_name))


@dataclass
class ImportReport:
    path: Path
    rows: int = 0  # data rows read, bad ones included
    stored: StoreCounts = field(default_factory=StoreCounts)
    bad: list[BadRow] = field(default_factory=list)
    by_party: Counter = field(default_factory=Counter)  # party id -> rows
    unmatched: Counter = field(default_factory=Counter)  # "name (id)" -> rows

    def add(self, counts: StoreCounts) -> None:
        self.stored.added += counts.added
        self.stored.corrected += counts.corrected
        self.stored.unchanged += counts.unchanged


def import_export(engine: Engine, path: str | Path, parties: list[PartyEntry],
                  progress: Callable[[int], None] | None = None) -> ImportReport:
    """Stream the export at `path` into the database; ExportError if it is not one."""
    path = Path(path)
    matcher = PartyMatcher(parties)
    report = ImportReport(path)
    rows = read_export(path)  # raises ExportError for an empty or malformed file, before any write
    with transaction(engine) as session:
        sync_parties(session, [p.as_row() for p in parties])
    batch: dict[str, dict] = {}

    def flush() -> None:
        if batch:
            with transaction(engine) as session:
                report.add(store_spending_items(session, list(batch.values()), path.name))
            batch.clear()
            if progress:
                progress(report.rows)

    for line, item in rows:
        report.rows += 1
        if isinstance(item, BadRow):
            report.bad.append(item)
            continue
        item["_line"] = line
        item["party_id"] = matcher.party_of(item["entity_id"], item["entity_name"], item["ec_ref"])
        if item["party_id"]:
            report.by_party[item["party_id"]] += 1
        else:
            report.unmatched[f"{item['entity_name']} ({item['entity_id']})"] += 1
        if item["ec_ref"] in batch:
            flush()  # the same item again, corrected: store the first before the second
        batch[item["ec_ref"]] = item
        if len(batch) >= BATCH:
            flush()
    flush()
    return report

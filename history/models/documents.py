"""What the crawl stores: parties, runs, documents, their distinct contents, every fetch.

Mapped onto the Core tables of history.tables.documents.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Mapped, deferred, relationship

from history.models.base import Base
from history.tables import DOCUMENTS, FETCHES, PARTIES, RUNS, SNAPSHOTS


class PartyRow(Base):
    __table__ = PARTIES

    id: Mapped[str]
    name: Mapped[str]
    jurisdiction: Mapped[str]
    homepage: Mapped[str]
    updated_at: Mapped[datetime]

    documents: Mapped[list[DocumentRow]] = relationship(back_populates="party")


class RunRow(Base):
    """One invocation of check or rescore; scorecards and notifications hang off it."""

    __table__ = RUNS

    id: Mapped[int]
    kind: Mapped[str]  # check | rescore
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    status: Mapped[str]  # running | ok | failed
    error: Mapped[str | None]


class DocumentRow(Base):
    """A URL of a party's, known from parties.yaml or discovered by a crawl (DOCUMENTS)."""

    __table__ = DOCUMENTS

    id: Mapped[int]
    party_id: Mapped[str]
    url: Mapped[str]
    kind: Mapped[str]
    status: Mapped[str]
    first_seen_at: Mapped[datetime]
    last_ok_at: Mapped[datetime | None]
    consecutive_failures: Mapped[int]
    etag: Mapped[str | None]
    last_modified: Mapped[str | None]

    party: Mapped[PartyRow] = relationship(back_populates="documents")
    snapshots: Mapped[list[SnapshotRow]] = relationship(back_populates="document")


PROVENANCES = ("fetched", "imported", "archived")


class SnapshotRow(Base):
    """One distinct content of a document: stored once per (document, content hash)."""

    __table__ = SNAPSHOTS

    id: Mapped[int]
    document_id: Mapped[int]
    content_hash: Mapped[str]
    content_type: Mapped[str]
    # Deferred: read only when the text is extracted (once) or exported, not with every
    # snapshot a scorecard is computed from.
    raw: Mapped[bytes] = deferred(SNAPSHOTS.c.raw)
    size: Mapped[int]
    text: Mapped[str | None]
    extraction_error: Mapped[str | None]
    fetched_at: Mapped[datetime]
    provenance: Mapped[str]
    captured_at: Mapped[datetime | None]

    document: Mapped[DocumentRow] = relationship(back_populates="snapshots")

    @property
    def source_note(self) -> str | None:
        """How scorecards, the bot and the report label a copy the crawl did not fetch:
        "from an archived copy of 2025-10-01"; None for a fetched one."""
        return source_note(self.provenance, self.captured_at)


def source_note(provenance: str | None, captured_at: datetime | None) -> str | None:
    when = f"{captured_at:%Y-%m-%d}" if captured_at else "an unknown date"
    if provenance == "archived":
        return f"from an archived copy of {when}"
    if provenance == "imported":
        return f"from a copy saved by hand on {when}"
    return None


class FetchRow(Base):
    """Every fetch attempt, failures included (FETCHES)."""

    __table__ = FETCHES

    id: Mapped[int]
    document_id: Mapped[int]
    run_id: Mapped[int | None]
    fetched_at: Mapped[datetime]
    http_status: Mapped[int | None]
    ok: Mapped[bool]
    error: Mapped[str | None]
    snapshot_id: Mapped[int | None]
    new_content: Mapped[bool]

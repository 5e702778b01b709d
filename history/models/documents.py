"""What the crawl stores: parties, runs, documents, their distinct contents, every fetch.

Parties and runs are Core tables of history.tables, mapped here.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from history.models.base import Base, utcnow
from history.tables import PARTIES, RUNS


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
    """A URL of a party's, known from parties.yaml or discovered by a crawl.

    Never deleted: a document that vanishes keeps its snapshots and gets status 'failed'
    or 'gone'; one that answers with a bot-protection challenge or a page that needs
    JavaScript keeps them too, with status 'blocked' or 'unreadable'.
    """

    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("party_id", "url"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    party_id: Mapped[str] = mapped_column(ForeignKey("parties.id"), index=True)
    url: Mapped[str] = mapped_column(String(2048))
    kind: Mapped[str] = mapped_column(String(32), default="other")
    status: Mapped[str] = mapped_column(String(16), default="new")  # new | ok | failed | gone | blocked | unreadable
    first_seen_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_ok_at: Mapped[datetime | None] = mapped_column(DateTime)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    # HTTP validators of the latest fetched content, sent back as If-None-Match /
    # If-Modified-Since so an unchanged document costs a 304 (cleared when a copy that
    # was not fetched becomes current, so that copy is never confirmed by them).
    etag: Mapped[str | None] = mapped_column(String(512))
    last_modified: Mapped[str | None] = mapped_column(String(64))

    party: Mapped[PartyRow] = relationship(back_populates="documents")
    snapshots: Mapped[list[SnapshotRow]] = relationship(back_populates="document")


PROVENANCES = ("fetched", "imported", "archived")


class SnapshotRow(Base):
    """One distinct content of a document: stored once per (document, content hash)."""

    __tablename__ = "snapshots"
    __table_args__ = (UniqueConstraint("document_id", "content_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    content_hash: Mapped[str] = mapped_column(String(64))  # sha256 of the raw bytes
    content_type: Mapped[str] = mapped_column(String(128))
    # Deferred: read only when the text is extracted (once) or exported, not with every
    # snapshot a scorecard is computed from.
    raw: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    size: Mapped[int] = mapped_column(Integer)
    text: Mapped[str | None] = mapped_column(Text)  # extracted text; offsets refer to it
    extraction_error: Mapped[str | None] = mapped_column(Text)
    fetched_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # Where the content came from: PROVENANCES. An imported or archived copy also says
    # when it was captured (the date given to import, the archive's timestamp).
    provenance: Mapped[str] = mapped_column(String(16), default="fetched", server_default="fetched")
    captured_at: Mapped[datetime | None] = mapped_column(DateTime)

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
    """Every fetch attempt, failures included.

    A document's current content is the snapshot of its latest successful fetch.
    """

    __tablename__ = "fetches"
    __table_args__ = (Index("ix_fetches_document_time", "document_id", "fetched_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"), index=True)
    fetched_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    http_status: Mapped[int | None] = mapped_column(Integer)
    ok: Mapped[bool] = mapped_column(Boolean)
    error: Mapped[str | None] = mapped_column(Text)
    snapshot_id: Mapped[int | None] = mapped_column(ForeignKey("snapshots.id"))
    new_content: Mapped[bool] = mapped_column(Boolean, default=False)

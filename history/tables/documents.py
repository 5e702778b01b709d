"""What the crawl stores: parties, runs, documents, their distinct contents, every fetch."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from history.tables.base import METADATA, utcnow

PARTIES = Table(
    "parties", METADATA,
    Column("id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("jurisdiction", String(32), nullable=False),
    Column("homepage", String(2048), nullable=False),
    Column("updated_at", DateTime, nullable=False, default=utcnow, onupdate=utcnow),
)

# One invocation of check or rescore; scorecards and notifications hang off it.
RUNS = Table(
    "runs", METADATA,
    Column("id", Integer, primary_key=True),
    Column("kind", String(16), nullable=False),  # check | rescore
    Column("started_at", DateTime, nullable=False, default=utcnow),
    Column("finished_at", DateTime),
    Column("status", String(16), nullable=False, default="running"),  # running | ok | failed
    Column("error", Text),
)

# A URL of a party's, known from parties.yaml or discovered by a crawl. Never deleted: a
# document that vanishes keeps its snapshots and gets status 'failed' or 'gone'; one that
# answers with a bot-protection challenge or a page that needs JavaScript keeps them too,
# with status 'blocked' or 'unreadable'.
DOCUMENTS = Table(
    "documents", METADATA,
    Column("id", Integer, primary_key=True),
    Column("party_id", ForeignKey("parties.id"), nullable=False, index=True),
    Column("url", String(2048), nullable=False),
    Column("kind", String(32), nullable=False, default="other"),
    Column("status", String(16), nullable=False, default="new"),  # new | ok | failed | gone | blocked | unreadable
    Column("first_seen_at", DateTime, nullable=False, default=utcnow),
    Column("last_ok_at", DateTime),
    Column("consecutive_failures", Integer, nullable=False, default=0),
    # HTTP validators of the latest fetched content, sent back as If-None-Match /
    # If-Modified-Since so an unchanged document costs a 304 (cleared when a copy that
    # was not fetched becomes current, so that copy is never confirmed by them).
    Column("etag", String(512)),
    Column("last_modified", String(64)),
    UniqueConstraint("party_id", "url"),
)

# One distinct content of a document: stored once per (document, content hash).
SNAPSHOTS = Table(
    "snapshots", METADATA,
    Column("id", Integer, primary_key=True),
    Column("document_id", ForeignKey("documents.id"), nullable=False, index=True),
    Column("content_hash", String(64), nullable=False),  # sha256 of the raw bytes
    Column("content_type", String(128), nullable=False),
    Column("raw", LargeBinary, nullable=False),
    Column("size", Integer, nullable=False),
    Column("text", Text),  # extracted text; offsets refer to it
    Column("extraction_error", Text),
    Column("fetched_at", DateTime, nullable=False, default=utcnow),
    # Where the content came from: history.models.PROVENANCES. An imported or archived copy
    # also says when it was captured (the date given to import, the archive's timestamp).
    Column("provenance", String(16), nullable=False, default="fetched", server_default="fetched"),
    Column("captured_at", DateTime),
    UniqueConstraint("document_id", "content_hash"),
)

# Every fetch attempt, failures included. A document's current content is the snapshot of
# its latest successful fetch.
FETCHES = Table(
    "fetches", METADATA,
    Column("id", Integer, primary_key=True),
    Column("document_id", ForeignKey("documents.id"), nullable=False),
    Column("run_id", ForeignKey("runs.id"), index=True),
    Column("fetched_at", DateTime, nullable=False, default=utcnow),
    Column("http_status", Integer),
    Column("ok", Boolean, nullable=False),
    Column("error", Text),
    Column("snapshot_id", ForeignKey("snapshots.id")),
    Column("new_content", Boolean, nullable=False, default=False),
    Index("ix_fetches_document_time", "document_id", "fetched_at"),
)

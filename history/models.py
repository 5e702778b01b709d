"""The score-history schema.

Raw snapshots are kept apart from what was derived from them (claims, scorecards), so a
new extractor or rubric can be re-applied to every stored snapshot without re-crawling.
Times are stored as naive UTC.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Named constraints make Alembic batch migrations on SQLite and drops on PostgreSQL
# address the same constraint by the same name.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Party(Base):
    __tablename__ = "parties"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    jurisdiction: Mapped[str] = mapped_column(String(32))
    homepage: Mapped[str] = mapped_column(String(2048))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    documents: Mapped[list[Document]] = relationship(back_populates="party")


class Run(Base):
    """One invocation of check or rescore; scorecards and notifications hang off it."""

    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # check | rescore
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(16), default="running")  # running | ok | failed
    error: Mapped[str | None] = mapped_column(Text)


class Document(Base):
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

    party: Mapped[Party] = relationship(back_populates="documents")
    snapshots: Mapped[list[Snapshot]] = relationship(back_populates="document")


PROVENANCES = ("fetched", "imported", "archived")


class Snapshot(Base):
    """One distinct content of a document: stored once per (document, content hash)."""

    __tablename__ = "snapshots"
    __table_args__ = (UniqueConstraint("document_id", "content_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    content_hash: Mapped[str] = mapped_column(String(64))  # sha256 of the raw bytes
    content_type: Mapped[str] = mapped_column(String(128))
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column(Integer)
    text: Mapped[str | None] = mapped_column(Text)  # extracted text; offsets refer to it
    extraction_error: Mapped[str | None] = mapped_column(Text)
    fetched_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # Where the content came from: PROVENANCES. An imported or archived copy also says
    # when it was captured (the date given to import, the archive's timestamp).
    provenance: Mapped[str] = mapped_column(String(16), default="fetched", server_default="fetched")
    captured_at: Mapped[datetime | None] = mapped_column(DateTime)

    document: Mapped[Document] = relationship(back_populates="snapshots")

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


class Fetch(Base):
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


class RubricVersion(Base):
    __tablename__ = "rubric_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    version: Mapped[str] = mapped_column(String(64))  # the version the YAML declares
    yaml_text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class SnapshotScoring(Base):
    """Marks a (snapshot, rubric version) pair as scored, even when it found no claim."""

    __tablename__ = "snapshot_scorings"

    snapshot_id: Mapped[int] = mapped_column(ForeignKey("snapshots.id"), primary_key=True)
    rubric_version_id: Mapped[int] = mapped_column(
        ForeignKey("rubric_versions.id"), primary_key=True
    )
    scored_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Claim(Base):
    """A sentence of a snapshot that answers a rubric element."""

    __tablename__ = "claims"
    __table_args__ = (Index("ix_claims_snapshot_rubric", "snapshot_id", "rubric_version_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("snapshots.id"))
    rubric_version_id: Mapped[int] = mapped_column(ForeignKey("rubric_versions.id"))
    step_id: Mapped[str] = mapped_column(String(64))
    element_id: Mapped[str] = mapped_column(String(64))
    credit: Mapped[str] = mapped_column(String(8))  # full | partial | none
    quote: Mapped[str] = mapped_column(Text)
    url: Mapped[str] = mapped_column(String(2048))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    detail: Mapped[dict | None] = mapped_column(JSON)  # e.g. supplier name and role


class Scorecard(Base):
    """One per party per run per rubric version."""

    __tablename__ = "scorecards"
    __table_args__ = (
        UniqueConstraint("party_id", "run_id", "rubric_version_id"),
        Index("ix_scorecards_party_created", "party_id", "created_at"),
        Index("ix_scorecards_created", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    party_id: Mapped[str] = mapped_column(ForeignKey("parties.id"))
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"))
    rubric_version_id: Mapped[int] = mapped_column(ForeignKey("rubric_versions.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    overall: Mapped[float] = mapped_column(Float)
    grade: Mapped[str] = mapped_column(String(2))
    # The snapshot ids this scorecard was computed from, so "documents changed" is exact.
    snapshot_ids: Mapped[list] = mapped_column(JSON, default=list)

    steps: Mapped[list[StepScore]] = relationship(
        back_populates="scorecard", order_by="StepScore.position", cascade="all, delete-orphan"
    )
    elements: Mapped[list[ElementResult]] = relationship(
        back_populates="scorecard", order_by="ElementResult.position", cascade="all, delete-orphan"
    )
    changes: Mapped[list[ScorecardChange]] = relationship(
        back_populates="scorecard", cascade="all, delete-orphan"
    )


class StepScore(Base):
    __tablename__ = "step_scores"
    __table_args__ = (
        Index("ix_step_scores_step", "step_id"),
        # Covering index (migration 0002): a party's years of step scores read from the
        # index alone, without a table lookup per row.
        Index("ix_step_scores_scorecard_score", "scorecard_id", "step_id", "score"),
    )

    scorecard_id: Mapped[int] = mapped_column(ForeignKey("scorecards.id"), primary_key=True)
    step_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    score: Mapped[float] = mapped_column(Float)

    scorecard: Mapped[Scorecard] = relationship(back_populates="steps")


class ElementResult(Base):
    __tablename__ = "element_results"

    scorecard_id: Mapped[int] = mapped_column(ForeignKey("scorecards.id"), primary_key=True)
    step_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    element_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    credit: Mapped[str] = mapped_column(String(8))  # full | partial | none | n/a
    # [{"quote", "url", "start", "end", "snapshot_id"}]; for 'none', what was looked for.
    evidence: Mapped[list] = mapped_column(JSON, default=list)
    looked_for: Mapped[str | None] = mapped_column(Text)
    # What the credit rests on besides quotes: named-suppliers' {"supplier", "role"}; for an
    # element scored from the spending returns each data-related payee {"supplier", "total",
    # "categories", "items", "named_as"} (named_as null: paid but never named).
    detail: Mapped[list | None] = mapped_column(JSON)

    scorecard: Mapped[Scorecard] = relationship(back_populates="elements")


class ScorecardChange(Base):
    """What moved since the party's previous scorecard of the same rubric version."""

    __tablename__ = "scorecard_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scorecard_id: Mapped[int] = mapped_column(ForeignKey("scorecards.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # step | element | document
    subject: Mapped[str] = mapped_column(String(2048))  # step id, step/element id, or url
    old: Mapped[str | None] = mapped_column(String(64))
    new: Mapped[str | None] = mapped_column(String(64))
    summary: Mapped[str | None] = mapped_column(Text)

    scorecard: Mapped[Scorecard] = relationship(back_populates="changes")


class NotScored(Base):
    """A party the latest check could not score, and why ("no text, no grade").

    One row per party while it lasts: written when a check finds no readable privacy
    notice, deleted when the party is scored again. Its older scorecards stay in the
    history, but nothing shows them as its grade while this row exists.
    """

    __tablename__ = "not_scored"

    party_id: Mapped[str] = mapped_column(ForeignKey("parties.id"), primary_key=True)
    reason: Mapped[str] = mapped_column(Text)
    since: Mapped[datetime] = mapped_column(DateTime, default=utcnow)  # first run that found it so
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"))  # latest run that found it so


class Subscriber(Base):
    __tablename__ = "subscribers"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    username: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    inactive_reason: Mapped[str | None] = mapped_column(Text)

    subscriptions: Mapped[list[Subscription]] = relationship(
        back_populates="subscriber", cascade="all, delete-orphan"
    )


ALL_PARTIES = "*"


class Subscription(Base):
    """A chat following one party, or every party when party_id is '*'."""

    __tablename__ = "subscriptions"

    chat_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("subscribers.chat_id"), primary_key=True
    )
    party_id: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    subscriber: Mapped[Subscriber] = relationship(back_populates="subscriptions")


class OutboxMessage(Base):
    """A notification for one chat, delivered exactly once.

    The idempotency key is unique, so queuing the same notification twice is a no-op; a
    sender claims a row (state 'sending', claimed_at) before calling Telegram and marks it
    'sent' after, so a crash between the two is visible and resolved on restart.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_state_created", "state", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"))
    payload: Mapped[dict] = mapped_column(JSON)  # what the bot renders
    state: Mapped[str] = mapped_column(String(16), default="queued")  # queued|sending|sent|failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    not_before: Mapped[datetime | None] = mapped_column(DateTime)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    telegram_message_ids: Mapped[list | None] = mapped_column(JSON)


class Lock(Base):
    """A named lease, so one check runs at a time across processes and hosts."""

    __tablename__ = "locks"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    acquired_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)


class SpendingItem(Base):
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


class SpendingItemChange(Base):
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

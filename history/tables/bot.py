"""The bot's tables: subscribers, their subscriptions, the outbox, the check lease."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Boolean, Column, DateTime, ForeignKey, Index, Integer, String, Table, Text

from history.tables.base import METADATA, utcnow

SUBSCRIBERS = Table(
    "subscribers", METADATA,
    Column("chat_id", BigInteger, primary_key=True, autoincrement=False),
    Column("username", String(200)),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", DateTime, nullable=False, default=utcnow),
    Column("inactive_reason", Text),
)

# A chat following one party, or every party when party_id is '*' (history.models.ALL_PARTIES).
SUBSCRIPTIONS = Table(
    "subscriptions", METADATA,
    Column("chat_id", BigInteger, ForeignKey("subscribers.chat_id"), primary_key=True),
    Column("party_id", String(64), primary_key=True, index=True),
    Column("created_at", DateTime, nullable=False, default=utcnow),
)

# A notification for one chat, delivered exactly once. The idempotency key is unique, so
# queuing the same notification twice is a no-op; a sender claims a row (state 'sending',
# claimed_at) before calling Telegram and marks it 'sent' after, so a crash between the
# two is visible and resolved on restart.
OUTBOX = Table(
    "outbox", METADATA,
    Column("id", Integer, primary_key=True),
    Column("idempotency_key", String(200), nullable=False, unique=True),
    Column("chat_id", BigInteger, nullable=False, index=True),
    Column("run_id", ForeignKey("runs.id")),
    Column("payload", JSON, nullable=False),  # what the bot renders
    Column("state", String(16), nullable=False, default="queued"),  # queued|sending|sent|failed
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text),
    Column("created_at", DateTime, nullable=False, default=utcnow),
    Column("claimed_at", DateTime),
    Column("claimed_by", String(200)),
    Column("not_before", DateTime),
    Column("sent_at", DateTime),
    Column("telegram_message_ids", JSON),
    Index("ix_outbox_state_created", "state", "created_at"),
)

# A named lease, so one check runs at a time across processes and hosts.
LOCKS = Table(
    "locks", METADATA,
    Column("name", String(64), primary_key=True),
    Column("holder", String(200), nullable=False),
    Column("acquired_at", DateTime, nullable=False, default=utcnow),
    Column("expires_at", DateTime, nullable=False),
)

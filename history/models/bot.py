"""The bot's tables: subscribers, their subscriptions, the outbox, the check lease.

Mapped onto the Core tables of history.tables.bot.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Mapped, relationship

from history.models.base import Base
from history.tables import LOCKS, OUTBOX, SUBSCRIBERS, SUBSCRIPTIONS


class SubscriberRow(Base):
    __table__ = SUBSCRIBERS

    chat_id: Mapped[int]
    username: Mapped[str | None]
    active: Mapped[bool]
    created_at: Mapped[datetime]
    inactive_reason: Mapped[str | None]

    subscriptions: Mapped[list[SubscriptionRow]] = relationship(
        back_populates="subscriber", cascade="all, delete-orphan"
    )


ALL_PARTIES = "*"


class SubscriptionRow(Base):
    """A chat following one party, or every party when party_id is '*'."""

    __table__ = SUBSCRIPTIONS

    chat_id: Mapped[int]
    party_id: Mapped[str]
    created_at: Mapped[datetime]

    subscriber: Mapped[SubscriberRow] = relationship(back_populates="subscriptions")


class OutboxMessageRow(Base):
    """A notification for one chat, delivered exactly once (OUTBOX)."""

    __table__ = OUTBOX

    id: Mapped[int]
    idempotency_key: Mapped[str]
    chat_id: Mapped[int]
    run_id: Mapped[int | None]
    payload: Mapped[dict]
    state: Mapped[str]
    attempts: Mapped[int]
    last_error: Mapped[str | None]
    created_at: Mapped[datetime]
    claimed_at: Mapped[datetime | None]
    claimed_by: Mapped[str | None]
    not_before: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    telegram_message_ids: Mapped[list | None]


class LockRow(Base):
    """A named lease, so one check runs at a time across processes and hosts."""

    __table__ = LOCKS

    name: Mapped[str]
    holder: Mapped[str]
    acquired_at: Mapped[datetime]
    expires_at: Mapped[datetime]

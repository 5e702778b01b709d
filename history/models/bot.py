"""The bot's tables: subscribers, their subscriptions, the outbox, the check lease."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from history.models.base import Base, utcnow


class SubscriberRow(Base):
    __tablename__ = "subscribers"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    username: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    inactive_reason: Mapped[str | None] = mapped_column(Text)

    subscriptions: Mapped[list[SubscriptionRow]] = relationship(
        back_populates="subscriber", cascade="all, delete-orphan"
    )


ALL_PARTIES = "*"


class SubscriptionRow(Base):
    """A chat following one party, or every party when party_id is '*'."""

    __tablename__ = "subscriptions"

    chat_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("subscribers.chat_id"), primary_key=True
    )
    party_id: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    subscriber: Mapped[SubscriberRow] = relationship(back_populates="subscriptions")


class OutboxMessageRow(Base):
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


class LockRow(Base):
    """A named lease, so one check runs at a time across processes and hosts."""

    __tablename__ = "locks"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    acquired_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)

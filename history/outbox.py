"""The outbox's state machine: queued notifications claimed, sent once, requeued or failed.

The outbox protocol (exactly once). A check queues each notification under an
idempotency key (`queue_message`, in the check's own transaction); then

    queued --claim_message--> sending --confirm_sent--> sent
                                 |--requeue_message--> queued     (Telegram said no: 429, refused connection)
                                 |--fail_message-----> failed     (403, bad request, delivery uncertain)
                                 '--resolve_stale----> failed     (the sender died mid-send)

A claim is an `UPDATE ... WHERE id = ? AND state = 'queued'`, so of two senders racing
for one row exactly one wins. A row left in 'sending' by a sender that died is never
re-sent: Telegram may already have delivered it, and the Bot API has no idempotency key
to ask. It is marked failed with the reason, so a duplicate is impossible and the rare
interrupted message is visible in the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, bindparam, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from history.db import transaction
from history.models import OutboxMessageRow, utcnow
from history.tables import OUTBOX

STALE_REASON = "sender stopped mid-send; not re-sent because Telegram may already have delivered it"


@dataclass
class Claimed:
    id: int
    chat_id: int
    idempotency_key: str
    payload: dict
    attempts: int


def queue_message(session: Session, *, idempotency_key: str, chat_id: int, payload: dict,
                  run_id: int | None = None) -> OutboxMessageRow | None:
    """Queue a notification; None if one with this key was already queued."""
    exists = session.scalar(select(OutboxMessageRow.id).where(OutboxMessageRow.idempotency_key == idempotency_key))
    if exists is not None:
        return None
    message = OutboxMessageRow(idempotency_key=idempotency_key, chat_id=chat_id, run_id=run_id,
                            payload=payload, state="queued", attempts=0)
    try:
        with session.begin_nested():
            session.add(message)
    except IntegrityError:
        return None
    return message


def due_messages(engine: Engine, limit: int = 200) -> list[tuple[int, int]]:
    """(id, chat_id) of queued messages that may be sent now, oldest first."""
    now = utcnow()
    with transaction(engine) as session:
        return [(row.id, row.chat_id) for row in session.execute(
            select(OutboxMessageRow.id, OutboxMessageRow.chat_id)
            .where(OutboxMessageRow.state == "queued",
                   or_(OutboxMessageRow.not_before.is_(None), OutboxMessageRow.not_before <= now))
            .order_by(OutboxMessageRow.id)
            .limit(limit))]


def claim_message(engine: Engine, message_id: int, sender: str) -> Claimed | None:
    """Take a queued message for sending; None if another sender took it first.

    One statement (UPDATE ... RETURNING, on SQLite and PostgreSQL alike) in one short
    transaction: the claim is on every message's way to Telegram.
    """
    with engine.begin() as connection:
        row = connection.execute(
            update(OUTBOX)
            .where(OUTBOX.c.id == message_id, OUTBOX.c.state == "queued")
            .values(state="sending", claimed_by=sender, claimed_at=utcnow(), attempts=OUTBOX.c.attempts + 1)
            .returning(OUTBOX.c.id, OUTBOX.c.chat_id, OUTBOX.c.idempotency_key, OUTBOX.c.payload,
                       OUTBOX.c.attempts)
        ).first()
    return Claimed(*row) if row is not None else None


def confirm_sent(engine: Engine, message_id: int, sender: str, telegram_message_ids: list[int]) -> None:
    """Telegram accepted the message: it is sent, whatever a stale-row sweep decided meanwhile."""
    confirm_sent_many(engine, sender, [(message_id, telegram_message_ids)])


def confirm_sent_many(engine: Engine, sender: str, sent: list[tuple[int, list[int]]]) -> None:
    """`confirm_sent` for several messages ((id, Telegram's message ids) each) in one transaction."""
    if not sent:
        return
    with engine.begin() as connection:
        connection.execute(
            update(OUTBOX)
            .where(OUTBOX.c.id == bindparam("message_id"), OUTBOX.c.claimed_by == sender)
            .values(state="sent", sent_at=utcnow(), last_error=None,
                    telegram_message_ids=bindparam("ids", type_=OUTBOX.c.telegram_message_ids.type)),
            [{"message_id": message_id, "ids": ids} for message_id, ids in sent],
        )


def requeue_message(engine: Engine, message_id: int, sender: str, error: str,
                    not_before: datetime) -> None:
    """Telegram certainly did not take the message (429, connection refused): try again later."""
    with transaction(engine) as session:
        session.execute(
            update(OutboxMessageRow)
            .where(OutboxMessageRow.id == message_id, OutboxMessageRow.claimed_by == sender,
                   OutboxMessageRow.state == "sending")
            .values(state="queued", last_error=error[:2000], not_before=not_before,
                    claimed_by=None, claimed_at=None)
        )


def fail_message(engine: Engine, message_id: int, sender: str, error: str) -> None:
    """Give the message up (blocked, rejected, or delivery unknown); never retried."""
    with transaction(engine) as session:
        session.execute(
            update(OutboxMessageRow)
            .where(OutboxMessageRow.id == message_id, OutboxMessageRow.claimed_by == sender,
                   OutboxMessageRow.state == "sending")
            .values(state="failed", last_error=error[:2000])
        )


def resolve_stale(engine: Engine, older_than: timedelta) -> int:
    """Fail messages left in 'sending' longer than `older_than` (their sender died).

    See the module docstring for why they are not re-sent. Returns how many were failed.
    """
    cutoff = utcnow() - older_than
    with transaction(engine) as session:
        return session.execute(
            update(OutboxMessageRow)
            .where(OutboxMessageRow.state == "sending", OutboxMessageRow.claimed_at < cutoff)
            .values(state="failed", last_error=STALE_REASON)
        ).rowcount


def outbox_counts(engine: Engine) -> dict[str, int]:
    """How many outbox messages are in each state."""
    with transaction(engine) as session:
        return {state: count for state, count in session.execute(
            select(OutboxMessageRow.state, func.count()).group_by(OutboxMessageRow.state))}

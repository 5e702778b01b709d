"""The database reads and writes the Telegram bot needs beyond history.store.

Subscriptions, the outbox's claim/confirm protocol, the check lease, and the scorecards
the bot shows. Every function takes an Engine and plain values and returns
plain values or detached rows, so the bot can call them from a worker thread.

The outbox protocol (exactly once):

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

from sqlalchemy import Engine, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from history import store
from history.db import transaction
from history.models import (
    ALL_PARTIES,
    Document,
    Fetch,
    Lock,
    NotScored,
    OutboxMessage,
    Party,
    Run,
    Scorecard,
    Snapshot,
    Subscriber,
    Subscription,
    utcnow,
)

STALE_REASON = "sender stopped mid-send; not re-sent because Telegram may already have delivered it"


# --- parties -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PartyStanding:
    """A stored party's grade now: its newest scorecard's, or why it is not scored."""

    id: str
    name: str
    grade: str | None
    overall: float | None
    not_scored: str | None


def party_standings(engine: Engine) -> list[PartyStanding]:
    """Every stored party with its newest scorecard's grade and overall, and the reason it
    is not scored (if it is not), by id: one query for the bot's /parties."""
    newest = (select(Scorecard.party_id, func.max(Scorecard.id).label("scorecard_id"))
              .group_by(Scorecard.party_id).subquery())
    query = (select(Party.id, Party.name, Scorecard.grade, Scorecard.overall, NotScored.reason)
             .outerjoin(newest, newest.c.party_id == Party.id)
             .outerjoin(Scorecard, Scorecard.id == newest.c.scorecard_id)
             .outerjoin(NotScored, NotScored.party_id == Party.id)
             .order_by(Party.id))
    with transaction(engine) as session:
        return [PartyStanding(*row) for row in session.execute(query)]


def list_parties(engine: Engine) -> list[tuple[str, str]]:
    """(id, name) of every party stored in the database, by id."""
    with transaction(engine) as session:
        return [(row.id, row.name) for row in session.execute(
            select(Party.id, Party.name).order_by(Party.id))]


# --- subscriptions -----------------------------------------------------------------------


def subscribe(engine: Engine, chat_id: int, party_id: str, username: str | None = None) -> bool:
    """Follow a party (or ALL_PARTIES); reactivates a chat that had blocked the bot.

    Returns False when the chat already followed it.
    """
    with transaction(engine) as session:
        subscriber = session.get(Subscriber, chat_id)
        if subscriber is None:
            subscriber = Subscriber(chat_id=chat_id, username=username, active=True)
            try:
                with session.begin_nested():
                    session.add(subscriber)
            except IntegrityError:  # the same chat subscribing twice at once
                subscriber = session.get(Subscriber, chat_id)
        # Writing to the bot again means the chat is reachable again.
        subscriber.active = True
        subscriber.inactive_reason = None
        if username:
            subscriber.username = username
        if session.get(Subscription, (chat_id, party_id)) is not None:
            return False
        try:
            with session.begin_nested():
                session.add(Subscription(chat_id=chat_id, party_id=party_id))
        except IntegrityError:
            return False
        return True


def unsubscribe(engine: Engine, chat_id: int, party_id: str | None) -> int:
    """Stop following a party, or everything when party_id is None. Returns rows removed."""
    with transaction(engine) as session:
        query = delete(Subscription).where(Subscription.chat_id == chat_id)
        if party_id is not None:
            query = query.where(Subscription.party_id == party_id)
        return session.execute(query).rowcount


def subscriptions(engine: Engine, chat_id: int) -> list[str]:
    """The party ids a chat follows (ALL_PARTIES for 'all'), sorted."""
    with transaction(engine) as session:
        return list(session.scalars(
            select(Subscription.party_id).where(Subscription.chat_id == chat_id)
            .order_by(Subscription.party_id)))


def mark_inactive(engine: Engine, chat_id: int, reason: str) -> int:
    """The chat blocked the bot: stop sending to it and fail its queued messages.

    Returns how many queued messages were failed.
    """
    with transaction(engine) as session:
        subscriber = session.get(Subscriber, chat_id)
        if subscriber is not None:
            subscriber.active = False
            subscriber.inactive_reason = reason
        return session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.chat_id == chat_id, OutboxMessage.state == "queued")
            .values(state="failed", last_error=reason)
        ).rowcount


def is_active(engine: Engine, chat_id: int) -> bool | None:
    """True/False for a known subscriber, None for a chat that never subscribed."""
    with transaction(engine) as session:
        subscriber = session.get(Subscriber, chat_id)
        return None if subscriber is None else bool(subscriber.active)


# --- the outbox --------------------------------------------------------------------------


@dataclass
class Claimed:
    id: int
    chat_id: int
    idempotency_key: str
    payload: dict
    attempts: int


def due_messages(engine: Engine, limit: int = 200) -> list[tuple[int, int]]:
    """(id, chat_id) of queued messages that may be sent now, oldest first."""
    now = utcnow()
    with transaction(engine) as session:
        return [(row.id, row.chat_id) for row in session.execute(
            select(OutboxMessage.id, OutboxMessage.chat_id)
            .where(OutboxMessage.state == "queued",
                   or_(OutboxMessage.not_before.is_(None), OutboxMessage.not_before <= now))
            .order_by(OutboxMessage.id)
            .limit(limit))]


def claim_message(engine: Engine, message_id: int, sender: str) -> Claimed | None:
    """Take a queued message for sending; None if another sender took it first."""
    with transaction(engine) as session:
        won = session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.state == "queued")
            .values(state="sending", claimed_by=sender, claimed_at=utcnow(),
                    attempts=OutboxMessage.attempts + 1)
        ).rowcount
        if won != 1:
            return None
        row = session.get(OutboxMessage, message_id)
        return Claimed(row.id, row.chat_id, row.idempotency_key, row.payload, row.attempts)


def confirm_sent(engine: Engine, message_id: int, sender: str, telegram_message_ids: list[int]) -> None:
    """Telegram accepted the message: it is sent, whatever a stale-row sweep decided meanwhile."""
    with transaction(engine) as session:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.claimed_by == sender)
            .values(state="sent", sent_at=utcnow(), telegram_message_ids=telegram_message_ids,
                    last_error=None)
        )


def requeue_message(engine: Engine, message_id: int, sender: str, error: str,
                    not_before: datetime) -> None:
    """Telegram certainly did not take the message (429, connection refused): try again later."""
    with transaction(engine) as session:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.claimed_by == sender,
                   OutboxMessage.state == "sending")
            .values(state="queued", last_error=error[:2000], not_before=not_before,
                    claimed_by=None, claimed_at=None)
        )


def fail_message(engine: Engine, message_id: int, sender: str, error: str) -> None:
    """Give the message up (blocked, rejected, or delivery unknown); never retried."""
    with transaction(engine) as session:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.claimed_by == sender,
                   OutboxMessage.state == "sending")
            .values(state="failed", last_error=error[:2000])
        )


def resolve_stale(engine: Engine, older_than: timedelta) -> int:
    """Fail messages left in 'sending' longer than `older_than` (their sender died).

    See the module docstring for why they are not re-sent. Returns how many were failed.
    """
    cutoff = utcnow() - older_than
    with transaction(engine) as session:
        return session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.state == "sending", OutboxMessage.claimed_at < cutoff)
            .values(state="failed", last_error=STALE_REASON)
        ).rowcount


def outbox_counts(engine: Engine) -> dict[str, int]:
    """How many outbox messages are in each state."""
    with transaction(engine) as session:
        return {state: count for state, count in session.execute(
            select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state))}


# --- the check lease ---------------------------------------------------------------------


def acquire_lock(engine: Engine, name: str, holder: str, ttl: timedelta) -> bool:
    """Take the named lease if it is free, expired, or already ours (then it is extended).

    Atomic across processes: either the INSERT wins on the primary key, or the
    conditional UPDATE does; the database decides, never a read-then-write.
    """
    now = utcnow()
    try:
        with transaction(engine) as session:
            session.add(Lock(name=name, holder=holder, acquired_at=now, expires_at=now + ttl))
        return True
    except IntegrityError:
        pass
    with transaction(engine) as session:
        won = session.execute(
            update(Lock)
            .where(Lock.name == name, or_(Lock.expires_at < now, Lock.holder == holder))
            .values(holder=holder, acquired_at=now, expires_at=now + ttl)
        ).rowcount
    return won == 1


def renew_lock(engine: Engine, name: str, holder: str, ttl: timedelta) -> bool:
    """Extend a lease we hold; False if it was lost (expired and taken by another)."""
    with transaction(engine) as session:
        return session.execute(
            update(Lock).where(Lock.name == name, Lock.holder == holder)
            .values(expires_at=utcnow() + ttl)
        ).rowcount == 1


def release_lock(engine: Engine, name: str, holder: str) -> None:
    with transaction(engine) as session:
        session.execute(delete(Lock).where(Lock.name == name, Lock.holder == holder))


def last_check_finished(engine: Engine) -> datetime | None:
    """When the latest successful check run finished (naive UTC), if any."""
    with transaction(engine) as session:
        return session.scalar(
            select(func.max(Run.finished_at)).where(Run.kind == "check", Run.status == "ok"))


# --- failing documents -------------------------------------------------------------------


@dataclass
class FailingDocument:
    party_id: str
    url: str
    status: str
    failures: int
    last_fetch_id: int
    error: str | None


def documents_failing_twice(engine: Engine) -> list[FailingDocument]:
    """Documents whose last two fetches (two runs in a row) failed, newest state first."""
    with transaction(engine) as session:
        documents = session.scalars(
            select(Document).where(Document.consecutive_failures >= 2)
            .order_by(Document.party_id, Document.id)).all()
        out = []
        for document in documents:
            fetch = session.scalar(
                select(Fetch).where(Fetch.document_id == document.id)
                .order_by(Fetch.fetched_at.desc(), Fetch.id.desc()).limit(1))
            if fetch is None or fetch.ok:
                continue
            out.append(FailingDocument(document.party_id, document.url, document.status,
                                       document.consecutive_failures, fetch.id, fetch.error))
        return out


# --- scorecards for /score /why /history /compare ----------------------------------------


def _details(query):
    return query.options(selectinload(Scorecard.steps), selectinload(Scorecard.elements),
                         selectinload(Scorecard.changes))


def latest_scorecard(engine: Engine, party_id: str) -> Scorecard | None:
    """The party's newest scorecard, with steps, elements and changes loaded."""
    with transaction(engine) as session:
        return session.scalar(_details(
            select(Scorecard).where(Scorecard.party_id == party_id)
            .order_by(Scorecard.id.desc()).limit(1)))


def scorecard_sources(engine: Engine, card: Scorecard) -> list[tuple[str, str]]:
    """(url, note) for each document of the scorecard scored from an imported or archived copy."""
    with transaction(engine) as session:
        return store.source_notes(session, card.snapshot_ids)


def not_scored_reason(engine: Engine, party_id: str) -> str | None:
    """Why the party is not scored now (no readable privacy notice), or None if it is.

    A party that is not scored may still have older scorecards: they are history, not
    its grade, so the bot asks this before showing one.
    """
    with transaction(engine) as session:
        row = session.get(NotScored, party_id)
        return None if row is None else row.reason


def scorecard_history(engine: Engine, party_id: str) -> list[Scorecard]:
    """The party's scorecards of its newest scorecard's rubric version, oldest first.

    Scores are only comparable within one rubric version, so a chart never mixes them.
    """
    with transaction(engine) as session:
        newest = session.scalar(
            select(Scorecard.rubric_version_id).where(Scorecard.party_id == party_id)
            .order_by(Scorecard.id.desc()).limit(1))
        if newest is None:
            return []
        return list(session.scalars(_details(
            select(Scorecard).where(Scorecard.party_id == party_id,
                                    Scorecard.rubric_version_id == newest)
            .order_by(Scorecard.created_at, Scorecard.id))))


def snapshot_dates(engine: Engine, snapshot_ids) -> dict[int, datetime]:
    """When each stored snapshot was fetched, by id (ids not stored are left out)."""
    ids = sorted({int(i) for i in snapshot_ids if i is not None})
    if not ids:
        return {}
    with transaction(engine) as session:
        return dict(session.execute(select(Snapshot.id, Snapshot.fetched_at).where(Snapshot.id.in_(ids))).all())


def step_titles(engine: Engine) -> list[tuple[str, str]]:
    """(step id, title) in rubric order, from the newest scorecard (when no rubric file)."""
    card = None
    with transaction(engine) as session:
        card_id = session.scalar(select(func.max(Scorecard.id)))
    if card_id is not None:
        with transaction(engine) as session:
            card = session.scalar(_details(select(Scorecard).where(Scorecard.id == card_id)))
    return [(step.step_id, step.title) for step in card.steps] if card else []


__all__ = [
    "ALL_PARTIES", "Claimed", "FailingDocument", "STALE_REASON", "acquire_lock", "claim_message",
    "confirm_sent", "documents_failing_twice", "due_messages", "fail_message", "is_active",
    "last_check_finished", "latest_scorecard", "list_parties", "mark_inactive", "not_scored_reason",
    "outbox_counts", "party_standings", "PartyStanding",
    "release_lock", "renew_lock", "requeue_message", "resolve_stale", "scorecard_history", "snapshot_dates",
    "step_titles", "subscribe", "subscriptions", "unsubscribe",
]

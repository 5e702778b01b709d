"""Who follows which party: the bot's subscribers and their subscriptions.

The bot's functions take an Engine and plain values and return plain values, so the bot
can call them from a worker thread; `subscribers_of` takes the check's own Session.
"""

from __future__ import annotations

from sqlalchemy import Engine, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from history.db import transaction
from history.models import ALL_PARTIES, OutboxMessageRow, SubscriberRow, SubscriptionRow


def subscribe(engine: Engine, chat_id: int, party_id: str, username: str | None = None) -> bool:
    """Follow a party (or ALL_PARTIES); reactivates a chat that had blocked the bot.

    Returns False when the chat already followed it.
    """
    with transaction(engine) as session:
        subscriber = session.get(SubscriberRow, chat_id)
        if subscriber is None:
            subscriber = SubscriberRow(chat_id=chat_id, username=username, active=True)
            try:
                with session.begin_nested():
                    session.add(subscriber)
            except IntegrityError:  # the same chat subscribing twice at once
                subscriber = session.get(SubscriberRow, chat_id)
        # Writing to the bot again means the chat is reachable again.
        subscriber.active = True
        subscriber.inactive_reason = None
        if username:
            subscriber.username = username
        if session.get(SubscriptionRow, (chat_id, party_id)) is not None:
            return False
        try:
            with session.begin_nested():
                session.add(SubscriptionRow(chat_id=chat_id, party_id=party_id))
        except IntegrityError:
            return False
        return True


def unsubscribe(engine: Engine, chat_id: int, party_id: str | None) -> int:
    """Stop following a party, or everything when party_id is None. Returns rows removed."""
    with transaction(engine) as session:
        query = delete(SubscriptionRow).where(SubscriptionRow.chat_id == chat_id)
        if party_id is not None:
            query = query.where(SubscriptionRow.party_id == party_id)
        return session.execute(query).rowcount


def subscriptions(engine: Engine, chat_id: int) -> list[str]:
    """The party ids a chat follows (ALL_PARTIES for 'all'), sorted."""
    with transaction(engine) as session:
        return list(session.scalars(
            select(SubscriptionRow.party_id).where(SubscriptionRow.chat_id == chat_id)
            .order_by(SubscriptionRow.party_id)))


def mark_inactive(engine: Engine, chat_id: int, reason: str) -> int:
    """The chat blocked the bot: stop sending to it and fail its queued messages.

    Returns how many queued messages were failed.
    """
    with transaction(engine) as session:
        subscriber = session.get(SubscriberRow, chat_id)
        if subscriber is not None:
            subscriber.active = False
            subscriber.inactive_reason = reason
        return session.execute(
            update(OutboxMessageRow)
            .where(OutboxMessageRow.chat_id == chat_id, OutboxMessageRow.state == "queued")
            .values(state="failed", last_error=reason)
        ).rowcount


def is_active(engine: Engine, chat_id: int) -> bool | None:
    """True/False for a known subscriber, None for a chat that never subscribed."""
    with transaction(engine) as session:
        subscriber = session.get(SubscriberRow, chat_id)
        return None if subscriber is None else bool(subscriber.active)


def subscribers_of(session: Session, party_id: str) -> list[int]:
    """Chat ids of active subscribers to a party (directly or through 'all')."""
    return list(session.scalars(
        select(SubscriptionRow.chat_id)
        .join(SubscriberRow, SubscriberRow.chat_id == SubscriptionRow.chat_id)
        .where(SubscriberRow.active.is_(True), SubscriptionRow.party_id.in_([party_id, ALL_PARTIES]))
        .distinct()
        .order_by(SubscriptionRow.chat_id)
    ))

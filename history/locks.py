"""The check lease: one process checks at a time, across processes and machines.

A lease is a row in the locks table with an expiry, taken and renewed by conditional
writes the database arbitrates; `last_check_finished` tells the scheduler when a check
last completed.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from history.db import transaction
from history.models import LockRow, RunRow, utcnow


def acquire_lock(engine: Engine, name: str, holder: str, ttl: timedelta) -> bool:
    """Take the named lease if it is free, expired, or already ours (then it is extended).

    Atomic across processes: either the INSERT wins on the primary key, or the
    conditional UPDATE does; the database decides, never a read-then-write.
    """
    now = utcnow()
    try:
        with transaction(engine) as session:
            session.add(LockRow(name=name, holder=holder, acquired_at=now, expires_at=now + ttl))
        return True
    except IntegrityError:
        pass
    with transaction(engine) as session:
        won = session.execute(
            update(LockRow)
            .where(LockRow.name == name, or_(LockRow.expires_at < now, LockRow.holder == holder))
            .values(holder=holder, acquired_at=now, expires_at=now + ttl)
        ).rowcount
    return won == 1


def renew_lock(engine: Engine, name: str, holder: str, ttl: timedelta) -> bool:
    """Extend a lease we hold; False if it was lost (expired and taken by another)."""
    with transaction(engine) as session:
        return session.execute(
            update(LockRow).where(LockRow.name == name, LockRow.holder == holder)
            .values(expires_at=utcnow() + ttl)
        ).rowcount == 1


def release_lock(engine: Engine, name: str, holder: str) -> None:
    with transaction(engine) as session:
        session.execute(delete(LockRow).where(LockRow.name == name, LockRow.holder == holder))


def last_check_finished(engine: Engine) -> datetime | None:
    """When the latest successful check run finished (naive UTC), if any."""
    with transaction(engine) as session:
        return session.scalar(
            select(func.max(RunRow.finished_at)).where(RunRow.kind == "check", RunRow.status == "ok"))

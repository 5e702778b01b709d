"""Documents failing run after run, for the admins' failure alerts."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, select

from history.db import transaction
from history.models import DocumentRow, FetchRow


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
            select(DocumentRow).where(DocumentRow.consecutive_failures >= 2)
            .order_by(DocumentRow.party_id, DocumentRow.id)).all()
        out = []
        for document in documents:
            fetch = session.scalar(
                select(FetchRow).where(FetchRow.document_id == document.id)
                .order_by(FetchRow.fetched_at.desc(), FetchRow.id.desc()).limit(1))
            if fetch is None or fetch.ok:
                continue
            out.append(FailingDocument(document.party_id, document.url, document.status,
                                       document.consecutive_failures, fetch.id, fetch.error))
        return out

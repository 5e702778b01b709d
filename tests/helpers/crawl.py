"""The crawl tests' helpers: `partywatch check` through the CLI, and what it stored."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import jsonschema
from click.testing import CliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import undefer

from helpers.check_schema import CHECK_SCHEMA
from history.db import transaction
from history.models import DocumentRow, FetchRow, SnapshotRow
from partywatch.cli import main

# Small enough for a fast suite, large enough for every normal fixture page.
TEST_MAXSIZE = 200_000
TEST_DELAY = 0.05


def documents_of(engine, party_id: str) -> dict[str, DocumentRow]:
    """The party's documents by URL path, e.g. {"/privacy": Document}."""
    with transaction(engine) as session:
        rows = session.scalars(select(DocumentRow).where(DocumentRow.party_id == party_id)).all()
        return {urlsplit(d.url).path: d for d in rows}


def fetches_of(engine, document_id: int) -> list[FetchRow]:
    with transaction(engine) as session:
        return list(session.scalars(select(FetchRow).where(FetchRow.document_id == document_id)
                                    .order_by(FetchRow.id)))


def snapshots_of(engine, document_id: int) -> list[SnapshotRow]:
    with transaction(engine) as session:
        # with the raw bytes, which are otherwise loaded only on use (the rows outlive the session)
        return list(session.scalars(select(SnapshotRow).options(undefer(SnapshotRow.raw))
                                    .where(SnapshotRow.document_id == document_id).order_by(SnapshotRow.id)))


def check(database_url, parties, rubric_path, *args, expect_exit=0):
    """`partywatch check` through the CLI; its result, which never shows a traceback."""
    result = CliRunner().invoke(main, ["check", "--parties", str(parties), "--rubric", str(rubric_path),
                                       "--db", database_url, *args])
    assert result.exit_code == expect_exit, result.output
    assert "Traceback" not in result.output
    return result


def check_json(database_url, parties, rubric_path, *args) -> dict[str, dict]:
    """`check --format json`, validated against the contract: each party's entry by id."""
    output = json.loads(check(database_url, parties, rubric_path, *args, "--format", "json").stdout)
    jsonschema.validate(output, CHECK_SCHEMA)
    return {party["party"]: party for party in output["parties"]}


def count(engine, model, *where) -> int:
    with transaction(engine) as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))

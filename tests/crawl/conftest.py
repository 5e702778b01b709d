"""Fixtures for crawl and check tests: fixture sites, fast crawl settings, parties files."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner
from sqlalchemy import func, select

from history.db import open_database, transaction
from history.models import Document, Fetch, Snapshot
from partywatch.cli import main
from partywatch.paths import REPO_ROOT

sys.path.insert(0, str(Path(__file__).parent))

from check_schema import CHECK_SCHEMA  # noqa: E402
from sites import FixtureSite  # noqa: E402

# Small enough for a fast suite, large enough for every normal fixture page.
TEST_MAXSIZE = 200_000
TEST_DELAY = 0.05


@pytest.fixture(autouse=True)
def fast_crawl(monkeypatch):
    """Short politeness delay, small size cap and quick timeouts for the crawl subprocess."""
    monkeypatch.setenv("PARTYWATCH_CRAWL_DELAY", str(TEST_DELAY))
    monkeypatch.setenv("PARTYWATCH_CRAWL_MAXSIZE", str(TEST_MAXSIZE))
    monkeypatch.setenv("PARTYWATCH_CRAWL_TIMEOUT", "5")
    monkeypatch.setenv("PARTYWATCH_CRAWL_RETRIES", "2")


@pytest.fixture
def sites():
    """Start FixtureSites: `sites(routes)` returns a running site; all stop at the end."""
    started: list[FixtureSite] = []

    def start(routes) -> FixtureSite:
        site = FixtureSite(routes).start()
        started.append(site)
        return site

    yield start
    for site in started:
        site.stop()


@pytest.fixture
def write_parties(tmp_path):
    """`write_parties({"alpha": site, ...}, documents={"alpha": [(path, kind)]})` -> path."""

    def write(party_sites: dict, documents: dict | None = None) -> Path:
        parties = []
        for party_id, site in party_sites.items():
            entry = {"id": party_id, "name": f"{party_id.title()} Party", "jurisdiction": "GB",
                     "homepage": site.url("/")}
            docs = (documents or {}).get(party_id)
            if docs:
                entry["documents"] = [{"url": site.url(p), "kind": k} for p, k in docs]
            parties.append(entry)
        path = tmp_path / "parties.yaml"
        path.write_text(yaml.safe_dump({"parties": parties}), encoding="utf-8")
        return path

    return write


@pytest.fixture
def rubric_path() -> Path:
    return REPO_ROOT / "rubric.yaml"


def documents_of(engine, party_id: str) -> dict[str, Document]:
    """The party's documents by URL path, e.g. {"/privacy": Document}."""
    from urllib.parse import urlsplit

    with transaction(engine) as session:
        rows = session.scalars(select(Document).where(Document.party_id == party_id)).all()
        return {urlsplit(d.url).path: d for d in rows}


def fetches_of(engine, document_id: int) -> list[Fetch]:
    with transaction(engine) as session:
        return list(session.scalars(select(Fetch).where(Fetch.document_id == document_id)
                                    .order_by(Fetch.id)))


def snapshots_of(engine, document_id: int) -> list[Snapshot]:
    with transaction(engine) as session:
        return list(session.scalars(select(Snapshot).where(Snapshot.document_id == document_id)
                                    .order_by(Snapshot.id)))


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

"""Fixtures for crawl and check tests: fixture sites, fast crawl settings, parties files."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from helpers.crawl import TEST_DELAY, TEST_MAXSIZE
from helpers.sites import FixtureSite
from partywatch.paths import REPO_ROOT


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

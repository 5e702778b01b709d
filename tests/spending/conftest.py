"""Fixtures for the spending tests: a parties.yaml for the fictional export's parties."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from helpers.sites import FixtureSite, Response, page
from helpers.spending_files import NOTICE, PARTIES


@pytest.fixture
def spending_parties(tmp_path):
    """`spending_parties(homepage=..., documents={party: [...]}, parties=[...])` -> a parties.yaml path."""

    def write(homepage: str = "http://127.0.0.1:9/", documents: dict | None = None,
              parties: list[dict] | None = None) -> Path:
        entries = []
        for party in parties or PARTIES:
            entry = {**party, "jurisdiction": "GB", "homepage": homepage}
            if documents and party["id"] in documents:
                entry["documents"] = documents[party["id"]]
            entries.append(entry)
        path = tmp_path / "parties.yaml"
        path.write_text(yaml.safe_dump({"parties": entries}), encoding="utf-8")
        return path

    return write


@pytest.fixture
def open_future_site(monkeypatch):
    """Open Future's site on 127.0.0.1: its notice at /privacy (names 2 of its 4 data-related
    payees); `site.routes["/privacy"]` may be replaced to publish another notice."""
    monkeypatch.setenv("PARTYWATCH_CRAWL_DELAY", "0.05")
    site = FixtureSite({
        "/": page('<a href="/privacy">Privacy notice</a>'),
        "/privacy": Response(200, NOTICE.read_bytes(), {"Content-Type": "text/html; charset=utf-8"}),
    }).start()
    yield site
    site.stop()

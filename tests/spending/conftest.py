"""Fixtures for the spending tests: a parties.yaml for the fictional export's parties."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from helpers.spending_files import PARTIES  # noqa: E402


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

"""Where partywatch finds its data files and database when none is named."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "sqlite:///partywatch.db"


def _in_cwd_or_repo(name: str) -> Path:
    """`name` in the working directory if it is there, else the copy in the checkout."""
    local = Path(name)
    return local if local.exists() else REPO_ROOT / name


def default_rubric_path() -> Path:
    return _in_cwd_or_repo("rubric.yaml")


def default_parties_path() -> Path:
    return _in_cwd_or_repo("parties.yaml")


def database_url(explicit: str | None = None) -> str:
    """--db, else $DATABASE_URL, else a SQLite file in the working directory."""
    return explicit or os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL

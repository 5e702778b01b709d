"""The history in Datasette: a read-only copy of the SQLite database, with meaning attached.

Datasette serves a copy, not the live file, for two reasons. A running `partywatch serve`
keeps writing the live file (and its write-ahead log), and Datasette's immutable mode
promises SQLite that the file never changes: only a copy can keep that promise. And the
copy leaves out what researchers have no business seeing: the Telegram subscribers, their
subscriptions and the messages queued for them.

``datasette.yaml`` beside this module holds the titles, descriptions, units, facets and
canned queries. Datasette is the optional ``research`` extra, so it is imported only here.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import yaml

METADATA_PATH = Path(__file__).with_name("datasette.yaml")
# The copy is always called this, so the metadata can name its database.
DATABASE_NAME = "partywatch"
# Personal data of the bot's users, and the scheduler's own bookkeeping.
PRIVATE_TABLES = ("outbox", "subscriptions", "subscribers", "locks", "apscheduler_jobs")
# Datasette's default (1 s) suits a public server; on a researcher's own machine a search
# through years of evidence may take longer.
SQL_TIME_LIMIT_MS = 10_000


def load_metadata() -> dict:
    return yaml.safe_load(METADATA_PATH.read_text(encoding="utf-8"))


def copy_for_browsing(database: Path, folder: Path) -> Path:
    """A consistent copy of the SQLite `database` in `folder`, without the private tables.

    SQLite's backup API copies a consistent picture even while another process writes.
    The live database is opened read-only and never changed.
    """
    copy = folder / f"{DATABASE_NAME}.db"
    source = sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True)
    target = sqlite3.connect(copy)
    try:
        source.backup(target)
        # One self-contained file: immutable mode reads no write-ahead log.
        target.execute("PRAGMA journal_mode=DELETE")
        # Zero the dropped tables' pages, as the copy can be downloaded from Datasette.
        target.execute("PRAGMA secure_delete=ON")
        for table in PRIVATE_TABLES:
            target.execute(f'DROP TABLE IF EXISTS "{table}"')
        target.commit()
    finally:
        target.close()
        source.close()
    return copy


def datasette_for(copy: Path):
    """A Datasette instance serving `copy` immutable, with partywatch's metadata."""
    from datasette.app import Datasette

    return Datasette(immutables=[str(copy)], metadata=load_metadata(),
                     settings={"sql_time_limit_ms": SQL_TIME_LIMIT_MS})

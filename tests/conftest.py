"""Fixtures shared by the whole suite.

The history tests run on SQLite by default and on PostgreSQL when
PARTYWATCH_TEST_POSTGRES_URL names a server database (".ci/run" starts one): each test
then gets a database of its own, created from that server and dropped afterwards.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from history.db import make_engine, open_database

POSTGRES_URL = os.environ.get("PARTYWATCH_TEST_POSTGRES_URL")

# The suite keeps partywatch's cache (scoring.cache) to itself, not in the user's ~/.cache;
# the commands it runs in subprocesses inherit this.
os.environ["PARTYWATCH_CACHE_DIR"] = tempfile.mkdtemp(prefix="partywatch-test-cache-")
atexit.register(shutil.rmtree, os.environ["PARTYWATCH_CACHE_DIR"], ignore_errors=True)
BACKEND = "postgresql" if POSTGRES_URL else "sqlite"


def pytest_report_header(config):
    return f"partywatch history backend: {BACKEND}" + (f" ({POSTGRES_URL})" if POSTGRES_URL else "")


@pytest.fixture
def new_database_url(tmp_path):
    """A function that returns the URL of another empty database on the back-end under test
    (each dropped after the test)."""
    created: list[str] = []
    server = make_url(POSTGRES_URL).set(drivername="postgresql+psycopg") if POSTGRES_URL else None

    def new() -> str:
        name = f"pw_{uuid.uuid4().hex[:12]}"
        if server is None:
            return f"sqlite:///{tmp_path / f'{name}.db'}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        created.append(name)
        return server.set(database=name).render_as_string(hide_password=False)

    admin = create_engine(server, isolation_level="AUTOCOMMIT") if server is not None else None
    yield new
    if admin is not None:
        with admin.connect() as conn:
            for name in created:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def database_url(new_database_url):
    """A URL of an empty database on the back-end under test."""
    return new_database_url()


@pytest.fixture
def engine(database_url):
    """An engine on a fresh database upgraded to the latest schema."""
    engine = open_database(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def empty_engine(database_url):
    """An engine on a fresh database with no schema at all."""
    engine = make_engine(database_url)
    yield engine
    engine.dispose()

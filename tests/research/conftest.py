"""The research tests' database: the history built by helpers.history_builder."""

from __future__ import annotations

import pytest

from helpers.history_builder import BuiltHistory, build_history


@pytest.fixture
def history_db(engine, database_url) -> BuiltHistory:
    """The database of `engine` filled with the history helpers/history_builder.py describes."""
    return build_history(engine, database_url)

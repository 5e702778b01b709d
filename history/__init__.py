"""The score-history database: models, migrations, and the queries everyone shares.

The names below are loaded when first used, so importing a light module of this package
(history.permalinks, history.export_tables) does not start SQLAlchemy and Alembic.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__all__ = ["DatabaseError", "make_engine", "open_database", "session_factory", "transaction", "upgrade"]


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module 'history' has no attribute {name!r}")
    value = getattr(import_module("history.db"), name)
    globals()[name] = value
    return value

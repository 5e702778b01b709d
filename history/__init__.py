"""The score-history database: models, migrations, and the queries everyone shares."""

from history.db import DatabaseError, make_engine, open_database, session_factory, transaction, upgrade

__all__ = ["DatabaseError", "make_engine", "open_database", "session_factory", "transaction", "upgrade"]

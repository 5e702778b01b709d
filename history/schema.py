"""A new database's schema, made in one go: the latest schema as history.tables declares it.

Migrating an empty database means importing Alembic (a few tenths of a second) and
replaying every migration, SQLite's batch mode copying tables over and over, to reach what
history.tables already says in one place. So a database with no tables at all gets those
tables, the research views (history.views) and Alembic's version table stamped with the
latest revision, in one transaction: Alembic's cookbook recipe ("create_all, then stamp"),
without Alembic, and without the ORM or the models either (a `check` that makes its
database loads them only to score). The result is the schema the migrations build
(tests/history/test_new_schema.py compares the two on SQLite and PostgreSQL) and later
migrations upgrade it like any other.
"""

from __future__ import annotations

from sqlalchemy import Column, Connection, Engine, MetaData, PrimaryKeyConstraint, String, Table, inspect

from history.tables import METADATA
from history.views import RESEARCH_VIEWS

# Alembic's own version table (alembic.ddl.impl.DefaultImpl.version_table_impl), which
# every later `upgrade` reads and writes.
ALEMBIC_VERSION = Table(
    "alembic_version", MetaData(),
    Column("version_num", String(32), nullable=False),
    PrimaryKeyConstraint("version_num", name="alembic_version_pkc"),
)


def is_empty(conn: Connection) -> bool:
    """No table and no view at all (in the connection's default schema)."""
    inspector = inspect(conn)
    return not inspector.get_table_names() and not inspector.get_view_names()


def create_schema(engine: Engine, revision: str) -> bool:
    """Create the latest schema, stamped `revision`, in a database with no tables at all.

    Returns False, and changes nothing, when the database has any table or view: that one
    is Alembic's to upgrade. `revision` must be the latest migration's (history.tables' schema).
    """
    with engine.begin() as conn:
        # Looked at inside the transaction: on SQLite it holds the write lock already
        # (BEGIN IMMEDIATE), so two commands opening one new file do not both create it.
        if not is_empty(conn):
            return False
        METADATA.create_all(conn)
        for view in RESEARCH_VIEWS:
            conn.exec_driver_sql(view)
        ALEMBIC_VERSION.create(conn)
        conn.execute(ALEMBIC_VERSION.insert().values(version_num=revision))
    return True

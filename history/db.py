"""Engines, sessions and migrations for the history database.

SQLite (the default) runs in WAL mode with foreign keys on and a busy timeout, so a
`partywatch check` and a running `partywatch serve` can share one file.
"""

from __future__ import annotations

import ast
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

# Alembic is imported by the functions that migrate, and the ORM by the functions that make
# sessions: `check` opens a database that is up to date or new, and starts its run, without either.
if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Set in an Alembic config's attributes by upgrade and downgrade: the migrations' env.py
# then leaves out the models, which only autogenerate and `alembic check` compare with.
MIGRATE_ONLY = "partywatch_migrate_only"
SQLITE_BUSY_TIMEOUT_MS = 30_000


class DatabaseError(Exception):
    """The database could not be opened or migrated; the message says why."""


def _normalise_url(url: str) -> str:
    # psycopg 3 is the driver we ship; plain postgresql:// would ask for psycopg2.
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://"):]
    if url.startswith("postgres://"):
        return "postgresql+psycopg://" + url[len("postgres://"):]
    return url


def _configure_sqlite(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str) -> Engine:
    url = _normalise_url(url)
    try:
        parsed = make_url(url)
    except Exception as exc:  # sqlalchemy raises ArgumentError with a terse message
        raise DatabaseError(f"not a database URL: {url!r} ({exc})") from exc
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            folder = Path(database).expanduser().resolve().parent
            if not folder.is_dir():
                raise DatabaseError(f"cannot create SQLite database {database!r}: no folder {folder}")
        engine = create_engine(
            url,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "isolation_level": None},
        )
        event.listen(engine, "connect", _configure_sqlite)
        # pysqlite's own transaction handling defers BEGIN and breaks SAVEPOINT; take over.
        # IMMEDIATE takes the write lock up front: a deferred transaction that reads and
        # then writes fails at once with "database is locked" when another process wrote
        # in between, whatever the busy timeout. With it, writers queue for the lock.
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
        return engine
    return create_engine(url, pool_pre_ping=True)


def alembic_config(engine_or_url: Engine | str, *, migrate_only: bool = False) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.attributes[MIGRATE_ONLY] = migrate_only
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if isinstance(engine_or_url, str):
        cfg.set_main_option("sqlalchemy.url", _normalise_url(engine_or_url).replace("%", "%%"))
    else:
        cfg.attributes["engine"] = engine_or_url
    return cfg


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def _head_in_files() -> str | None:
    """The latest revision, read from the migration files' `revision` / `down_revision`
    without importing them (or Alembic); None when that is not plain to see."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            target = node.targets[0] if isinstance(node, ast.Assign) and len(node.targets) == 1 else \
                node.target if isinstance(node, ast.AnnAssign) else None
            if not isinstance(target, ast.Name) or target.id not in ("revision", "down_revision"):
                continue
            try:
                value = ast.literal_eval(node.value)
            except ValueError:
                return None
            values = value if isinstance(value, (tuple, list)) else (value,)
            (revisions if target.id == "revision" else parents).update(v for v in values if v)
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def _stored_revision(engine: Engine) -> str | None:
    """The revision recorded in the database's alembic_version table (None if none)."""
    try:
        with engine.connect() as conn:
            versions = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalars().all()
    except Exception:  # no such table yet: the driver's own error types vary
        return None
    return versions[0] if len(versions) == 1 else None


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply migrations; a no-op when the database is already at `revision`.

    A database already at the latest revision is recognised without Alembic, which
    every command that opens the database would otherwise spend a few tenths of a second
    importing; and a database with no tables at all is given the latest schema in one go
    (history.schema), without Alembic either.
    """
    if revision == "head":
        stored, head = _stored_revision(engine), _head_in_files()
        if stored is not None and stored == head:
            return
        if stored is None and head is not None:
            from history.schema import create_schema

            try:
                if create_schema(engine, head):
                    return
            except Exception:
                # Another process made it at the same moment: on PostgreSQL the second of
                # two transactions creating one table fails. It is there all the same.
                if _stored_revision(engine) != head:
                    raise
                return
    apply_migrations(engine, revision)


def apply_migrations(engine: Engine, revision: str = "head") -> None:
    """Apply migrations with Alembic, one by one, whatever the database holds (a new one
    too: see upgrade)."""
    from alembic import command

    if revision == "head" and current_revision(engine) == head_revision():
        return
    command.upgrade(alembic_config(engine, migrate_only=True), revision)


def downgrade(engine: Engine, revision: str) -> None:
    from alembic import command

    command.downgrade(alembic_config(engine, migrate_only=True), revision)


def open_database(url: str, *, migrate: bool = True, create: bool = True) -> Engine:
    """An engine for `url`, upgraded to the latest schema unless migrate=False.

    With create=False a SQLite file that does not exist is an error, not a new empty
    database: a command that only reads the history, given a mistyped path, says so."""
    engine = make_engine(url)
    database = engine.url.database
    if (not create and engine.url.get_backend_name() == "sqlite" and database and database != ":memory:"
            and not engine.url.query.get("uri") and not Path(database).expanduser().exists()):
        raise DatabaseError(f"no database at {database}: nothing has been stored there (`partywatch check` "
                            f"starts one; --db or $DATABASE_URL names another)")
    if migrate:
        try:
            upgrade(engine)
        except DatabaseError:
            raise
        except Exception as exc:
            raise DatabaseError(f"cannot open database {engine.url.render_as_string()}: {exc}") from exc
    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    from sqlalchemy.orm import sessionmaker

    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """A session whose work is committed on success and rolled back on any error."""
    with session_factory(engine).begin() as session:
        yield session

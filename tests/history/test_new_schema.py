"""A new database gets the latest schema in one go (history.schema), without Alembic: the
very schema the migrations build, which later migrations upgrade like any other."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import datetime

from alembic import command
from sqlalchemy import inspect, text

from history.db import (
    MIGRATIONS_DIR,
    alembic_config,
    apply_migrations,
    current_revision,
    downgrade,
    head_revision,
    make_engine,
    upgrade,
)
from history.views import RESEARCH_VIEWS


def schema(engine) -> dict:
    """Everything a database's schema is made of, as the back-end reports it."""
    inspector = inspect(engine)
    tables = {}
    for table in sorted(inspector.get_table_names()):
        tables[table] = {
            "columns": [(c["name"], str(c["type"]), c["nullable"], c.get("default"))
                        for c in inspector.get_columns(table)],
            "primary key": inspector.get_pk_constraint(table),
            "foreign keys": sorted(map(repr, inspector.get_foreign_keys(table))),
            "indexes": sorted(map(repr, inspector.get_indexes(table))),
            "unique": sorted(map(repr, inspector.get_unique_constraints(table))),
            "checks": sorted(map(repr, inspector.get_check_constraints(table))),
        }
    views = {view: inspector.get_view_definition(view) for view in sorted(inspector.get_view_names())}
    return {"tables": tables, "views": views}


def test_a_new_database_gets_the_schema_the_migrations_build(new_database_url):
    created, migrated = make_engine(new_database_url()), make_engine(new_database_url())
    try:
        upgrade(created)
        apply_migrations(migrated)
        assert current_revision(created) == current_revision(migrated) == head_revision()
        created_schema, migrated_schema = schema(created), schema(migrated)
        assert len(created_schema["tables"]) > 15 and len(created_schema["views"]) == len(RESEARCH_VIEWS)
        assert created_schema == migrated_schema
    finally:
        created.dispose()
        migrated.dispose()


def test_a_new_database_is_made_without_alembic(database_url):
    opened = subprocess.run(
        [sys.executable, "-c", "import sys; from history.db import open_database; "
                               f"open_database({database_url!r}).dispose(); print('alembic' in sys.modules)"],
        capture_output=True, text=True, timeout=60)
    assert opened.returncode == 0, opened.stderr
    assert opened.stdout.strip() == "False"
    engine = make_engine(database_url)
    try:
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


def test_a_database_that_has_tables_is_left_to_the_migrations(database_url):
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))
            conn.execute(text("INSERT INTO notes (id, body) VALUES (1, 'kept')"))
        upgrade(engine)
        assert current_revision(engine) == head_revision()
        with engine.connect() as conn:
            assert conn.execute(text("SELECT body FROM notes")).scalar_one() == "kept"
        assert "scorecards" in inspect(engine).get_table_names()
    finally:
        engine.dispose()


# A migration after the latest one, as a later release would bring: a column on a table
# with foreign keys (SQLite's batch mode copies the table) and an index.
LATER_MIGRATION = '''
"""a later migration

Revision ID: 9999_later
Revises: {head}
"""
from alembic import op
import sqlalchemy as sa

revision = "9999_later"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("language", sa.String(length=8), nullable=True))
        batch.create_index("ix_documents_language", ["language"])


def downgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.drop_index("ix_documents_language")
        batch.drop_column("language")
'''


def test_a_later_migration_upgrades_a_new_database(database_url, tmp_path):
    engine = make_engine(database_url)
    try:
        upgrade(engine)
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO parties (id, name, jurisdiction, homepage, updated_at) "
                              "VALUES ('alpha', 'Alpha Party', 'GB', 'https://alpha.example/', :now)"),
                         {"now": datetime(2026, 11, 30)})
            conn.execute(text("INSERT INTO documents (party_id, url, kind, status, first_seen_at, "
                              "consecutive_failures) VALUES ('alpha', 'https://alpha.example/privacy', "
                              "'privacy_notice', 'ok', :now, 0)"), {"now": datetime(2026, 11, 30)})
        later = tmp_path / "migrations"
        shutil.copytree(MIGRATIONS_DIR, later, ignore=shutil.ignore_patterns("__pycache__"))
        (later / "versions" / "9999_later.py").write_text(LATER_MIGRATION.format(head=head_revision()),
                                                          encoding="utf-8")
        config = alembic_config(engine, migrate_only=True)
        config.set_main_option("script_location", str(later))

        command.upgrade(config, "head")
        assert current_revision(engine) == "9999_later"
        inspector = inspect(engine)
        assert "language" in {c["name"] for c in inspector.get_columns("documents")}
        assert "ix_documents_language" in {i["name"] for i in inspector.get_indexes("documents")}
        with engine.connect() as conn:
            assert conn.execute(text("SELECT url, language FROM documents")).one() == \
                ("https://alpha.example/privacy", None)

        command.downgrade(config, head_revision())
        assert current_revision(engine) == head_revision()
        assert "language" not in {c["name"] for c in inspect(engine).get_columns("documents")}
    finally:
        engine.dispose()


def test_a_new_database_goes_down_to_nothing_and_up_again(database_url):
    engine = make_engine(database_url)
    try:
        upgrade(engine)
        downgrade(engine, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        assert inspect(engine).get_view_names() == []
        upgrade(engine)  # by the migrations this time: the version table is there
        assert current_revision(engine) == head_revision()
        assert len(inspect(engine).get_view_names()) == len(RESEARCH_VIEWS)
    finally:
        engine.dispose()


def test_commands_opening_one_new_database_together_all_get_the_latest_schema(database_url):
    opening = [subprocess.Popen([sys.executable, "-c", "from history.db import current_revision, open_database; "
                                                       f"print(current_revision(open_database({database_url!r})))"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for _ in range(4)]
    for process in opening:
        out, err = process.communicate(timeout=60)
        assert process.returncode == 0, err
        assert out.strip() == head_revision()
    engine = make_engine(database_url)
    try:
        assert len(inspect(engine).get_view_names()) == len(RESEARCH_VIEWS)
    finally:
        engine.dispose()

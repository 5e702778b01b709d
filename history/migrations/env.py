"""Alembic environment: used by `partywatch db upgrade` and by every command that opens the DB."""

from alembic import context
from sqlalchemy import engine_from_config, pool

from history.db import MIGRATE_ONLY

config = context.config
# The models are what autogenerate and `alembic check` compare the database with. Applying
# migrations needs neither them nor the ORM (history.db.upgrade says so with MIGRATE_ONLY),
# and a command that opens a new database gets on with its work sooner.
if config.attributes.get(MIGRATE_ONLY):
    target_metadata = None
else:
    from history.models import Base

    target_metadata = Base.metadata

# APScheduler keeps its job store in this database too; its table is not ours to migrate.
FOREIGN_TABLES = {"apscheduler_jobs"}


def include_object(obj, name, type_, reflected, compare_to):
    return not (type_ == "table" and name in FOREIGN_TABLES)


def run_migrations(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies the table
        compare_type=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = config.attributes.get("engine")
    if engine is None:
        engine = engine_from_config(
            config.get_section(config.config_ini_section, {}),
            prefix="sqlalchemy.",
            poolclass=pool.NullPool,
        )
    with engine.connect() as connection:
        run_migrations(connection)
        connection.commit()


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()

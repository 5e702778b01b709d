"""`partywatch db`: manage the history database's schema."""

from __future__ import annotations

import click

from partywatch.options import db_option
from partywatch.paths import database_url


@click.group("db")
def command() -> None:
    """Manage the score-history database's schema (Alembic migrations).

    Every command that uses the database upgrades a new one by itself; run
    `partywatch db upgrade` to do it explicitly, e.g. before a deployment.
    """


def _engine(db_url: str | None):
    from history.db import DatabaseError, make_engine  # Alembic and SQLAlchemy: not for --help

    try:
        return make_engine(database_url(db_url))
    except DatabaseError as exc:
        raise click.ClickException(str(exc)) from exc


@command.command("upgrade")
@db_option
@click.option("--to", "revision", default="head", show_default=True, help="Target revision.")
def upgrade_command(db_url: str | None, revision: str) -> None:
    """Apply migrations up to the latest schema (a no-op when already there)."""
    from history.db import current_revision, upgrade

    engine = _engine(db_url)
    try:
        before = current_revision(engine)
        upgrade(engine, revision)
        after = current_revision(engine)
    except Exception as exc:
        raise click.ClickException(f"upgrade failed: {exc}") from exc
    where = engine.url.render_as_string(hide_password=True)
    if before == after:
        click.echo(f"{where}: already at {after}")
    else:
        click.echo(f"{where}: upgraded {before or 'empty'} -> {after}")


@command.command("downgrade")
@db_option
@click.argument("revision")
def downgrade_command(db_url: str | None, revision: str) -> None:
    """Revert migrations down to REVISION ('base' removes every table partywatch made)."""
    from history.db import current_revision, downgrade

    engine = _engine(db_url)
    downgrade(engine, revision)
    click.echo(f"downgraded to {current_revision(engine) or 'base'}")


@command.command("current")
@db_option
def current_command(db_url: str | None) -> None:
    """Show the database's schema revision and the latest one this version knows."""
    from history.db import current_revision, head_revision

    engine = _engine(db_url)
    click.echo(f"current: {current_revision(engine) or 'empty'}\nlatest:  {head_revision()}")

"""Options shared by several commands, so each is spelled and documented once."""

from __future__ import annotations

import click
from sqlalchemy import Engine

from history import DatabaseError, open_database
from partywatch.paths import database_url, default_parties_path, default_rubric_path

db_option = click.option(
    "--db", "db_url", metavar="URL", default=None,
    help="Database URL. Default: $DATABASE_URL, else sqlite:///partywatch.db "
         "(e.g. postgresql://user@host/partywatch).",
)
rubric_option = click.option(
    "--rubric", "rubric_path", metavar="FILE", type=click.Path(dir_okay=False),
    default=None, help="The rubric to score with. Default: ./rubric.yaml.",
)
parties_option = click.option(
    "--parties", "parties_path", metavar="FILE", type=click.Path(dir_okay=False),
    default=None, help="The parties to watch. Default: ./parties.yaml.",
)


def resolve_rubric_path(path: str | None):
    return path or default_rubric_path()


def resolve_parties_path(path: str | None):
    return path or default_parties_path()


def open_db(db_url: str | None) -> Engine:
    """Open (and upgrade if needed) the database, or exit with a clear message."""
    try:
        return open_database(database_url(db_url))
    except DatabaseError as exc:
        raise click.ClickException(str(exc)) from exc

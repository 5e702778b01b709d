"""Options shared by several commands, so each is spelled and documented once.

Only click is imported here: every command's module imports this one, and a command's
`--help` must not load the database layer (see partywatch.cli).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from partywatch.paths import database_url, default_parties_path, default_rubric_path

if TYPE_CHECKING:
    from sqlalchemy import Engine

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
# For commands that only name a party: parties.yaml gives the aliases they accept.
aliases_option = click.option(
    "--parties", "parties_path", metavar="FILE", type=click.Path(dir_okay=False), default=None,
    help="parties.yaml, whose aliases (e.g. 'tories') name parties too. Default: ./parties.yaml.",
)


def resolve_rubric_path(path: str | None):
    return path or default_rubric_path()


def resolve_parties_path(path: str | None):
    return path or default_parties_path()


def party_aliases(parties_path: str | None) -> dict[str, list[str]]:
    """The aliases in parties.yaml ("tories" for conservatives), so a command accepts the
    names the bot does. A researcher with only a database copy may have no parties.yaml:
    without --parties, a missing file means no aliases; a broken one is a clear error."""
    from partywatch.parties import PartiesError, load_parties
    from partywatch.parties import party_aliases as aliases_of

    path = resolve_parties_path(parties_path)
    if parties_path is None and not Path(path).exists():
        return {}
    try:
        return aliases_of(load_parties(path))
    except PartiesError as exc:
        raise click.ClickException(str(exc)) from None


def open_db(db_url: str | None, *, create: bool = True) -> Engine:
    """Open (and upgrade if needed) the database, or exit with a clear message. A command
    that only reads or rescores the history passes create=False: a SQLite path that does
    not exist is then an error, not a new empty database."""
    from history import DatabaseError, open_database

    try:
        return open_database(database_url(db_url), create=create)
    except DatabaseError as exc:
        raise click.ClickException(str(exc)) from exc


def _check_base_url(ctx, param, value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    from history.permalinks import check_site_url

    try:
        return check_site_url(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def base_url_option(purpose: str):
    """--base-url: where the `partywatch report` site is published (or $PARTYWATCH_BASE_URL)."""
    return click.option(
        "--base-url", "site_url", metavar="URL", envvar="PARTYWATCH_BASE_URL", callback=_check_base_url,
        help=f"The URL the `partywatch report` site is published at, e.g. "
             f"https://example.org/partywatch/ (or $PARTYWATCH_BASE_URL). {purpose}")

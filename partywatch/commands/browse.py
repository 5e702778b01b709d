"""`partywatch browse`: the history in Datasette, read-only."""

from __future__ import annotations

import asyncio
import socket
import tempfile
from datetime import datetime
from pathlib import Path

import click

from history.browse import DATABASE_NAME, copy_for_browsing, datasette_for
from partywatch.options import db_option, open_db
from partywatch.paths import database_url

INSTALL_HINT = "pip install -e '.[research]'"


def sqlite_file(url: str) -> Path:
    """The SQLite file `url` names, or a clear error for anything Datasette cannot open."""
    from sqlalchemy.engine import make_url

    try:
        parsed = make_url(url)
    except Exception as exc:  # sqlalchemy's ArgumentError says little
        raise click.ClickException(f"not a database URL: {url!r}") from exc
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        raise click.ClickException(
            "Datasette opens SQLite files only. For a PostgreSQL database, the same views "
            "(v_latest_scorecard, v_step_history, v_step_changes) are there for psql, and "
            "`partywatch export --db URL --format csv --out DIR` writes the whole history for "
            "any other tool.")
    if backend != "sqlite" or parsed.database in (None, "", ":memory:"):
        raise click.ClickException(f"partywatch browse needs a SQLite database file, not {url!r}")
    path = Path(parsed.database).expanduser()
    if not path.is_file():
        raise click.ClickException(
            f"no database at {path}: run `partywatch check` (or `partywatch demo --db {url}`) first")
    return path


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@click.command("browse")
@db_option
@click.option("--port", type=click.IntRange(1, 65535), default=8001, show_default=True,
              help="Port to serve on, on 127.0.0.1 (this machine only).")
def command(db_url: str | None, port: int) -> None:
    """Explore the score history in Datasette, in a browser, read-only.

    Serves a copy of the SQLite database taken when the command starts (a running
    `partywatch serve` goes on writing the original), without the Telegram subscribers
    and their messages. Restart it to see later checks. Stop with Ctrl-C. Every table
    and view is described, with units and facets, and canned queries answer the usual
    questions (add .json to a query's name for JSON):

    \b
      /partywatch/latest_scorecards        each party's grade and score now, best first
      /partywatch/party_history?party=ID   one party's scorecards (id or name), what changed
      /partywatch/changes_between?start_date=YYYY-MM-DD&end_date=YYYY-MM-DD
                                           every change in those days (both included)
      /partywatch/search_evidence?words=W  quoted sentences containing W, when quoted
      /partywatch/score_fell               each fall of a party's overall score

    Needs the research extra: pip install -e '.[research]'. Datasette reads SQLite only:
    on PostgreSQL use the views with psql, or `partywatch export`.

    \b
    Example:
      partywatch browse --db sqlite:///partywatch.db --port 8001
    """
    url = database_url(db_url)
    path = sqlite_file(url)
    try:
        import datasette  # noqa: F401  (only to say clearly when it is missing)
        import uvicorn
    except ImportError as exc:
        raise click.ClickException(
            f"partywatch browse needs Datasette, in the `research` extra: {INSTALL_HINT}") from exc
    if not port_is_free(port):
        raise click.ClickException(f"port {port} is in use on 127.0.0.1: choose another with --port")
    open_db(url, create=False).dispose()  # the schema (and its views) up to date, as for every command
    with tempfile.TemporaryDirectory(prefix="partywatch-browse-") as folder:
        copy = copy_for_browsing(path, Path(folder))
        app = datasette_for(copy)
        asyncio.run(app.invoke_startup())
        taken = datetime.now().strftime("%Y-%m-%d %H:%M")
        click.echo(f"Serving a read-only copy of {path} as of {taken}:")
        click.echo(f"  http://127.0.0.1:{port}/{DATABASE_NAME}   (Ctrl-C to stop)")
        uvicorn.run(app.app(), host="127.0.0.1", port=port, log_level="warning", lifespan="on")

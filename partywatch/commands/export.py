"""`partywatch export`: export the history as CSV or JSON, with a data dictionary."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from history.export_tables import EXPORT_TABLES
from partywatch.options import db_option, open_db

TABLE_NAMES = [table.name for table in EXPORT_TABLES]


@click.command("export")
@db_option
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), required=True,
              help="csv: one CSV per table (RFC 4180, UTF-8). json: one JSON array per table, "
                   "with a JSON Schema beside each.")
@click.option("--out", "out_dir", metavar="DIR", required=True,
              type=click.Path(file_okay=False, writable=True, path_type=Path),
              help="Folder to write into (created if missing; files of the same names are replaced).")
@click.option("--table", "tables", metavar="NAME", multiple=True, type=click.Choice(TABLE_NAMES),
              help="Export only this table (repeatable). Default: all of them.")
def command(db_url: str | None, fmt: str, out_dir: Path, tables: tuple[str, ...]) -> None:
    """Export the score history for analysis: parties, documents, snapshot metadata,
    runs, rubric versions, scorecards, step scores, element credits, evidence, changes,
    and the spending items imported from the Electoral Commission.

    Column names are stable and documented in DATA_DICTIONARY.md and datapackage.json
    (a Frictionless Data Package), written beside the files. Evidence has one row per
    quoted sentence. Raw snapshot bytes and text are not exported.

    \b
    Examples:
      partywatch export --format csv --out export/
      partywatch export --db postgresql://app@db/partywatch --format json --out export/
    """
    if out_dir.exists() and not out_dir.is_dir():
        raise click.ClickException(f"--out {out_dir} exists and is not a folder")
    from history.export import count_rows, export_history

    engine = open_db(db_url, create=False)
    chosen = list(tables) or TABLE_NAMES
    console = Console(stderr=True)
    try:
        with engine.connect() as conn:
            progress = Progress(TextColumn("{task.description:<16}"), BarColumn(), MofNCompleteColumn(),
                                TimeElapsedColumn(), console=console, disable=not console.is_terminal)
            with progress:
                task_ids = {name: progress.add_task(name, total=count_rows(conn, name)) for name in chosen}
                result = export_history(
                    conn, out_dir, fmt, tables=chosen,
                    progress=lambda table, rows: progress.advance(task_ids[table], rows))
    except OSError as exc:
        raise click.ClickException(f"cannot write the export to {out_dir}: {exc}") from exc
    finally:
        engine.dispose()
    total = sum(result.row_counts.values())
    click.echo(f"Exported {total} rows in {len(result.row_counts)} tables as {fmt.upper()} to {out_dir}:")
    for name, count in result.row_counts.items():
        click.echo(f"  {name + '.' + fmt:<22}{count:>12,} rows")
    click.echo("  DATA_DICTIONARY.md and datapackage.json describe every column.")

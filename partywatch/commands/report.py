"""`partywatch report`: write a static HTML scorecard site."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console

from partywatch.options import db_option, open_db


@click.command("report")
@db_option
@click.option("--out", "out_dir", metavar="DIR", required=True,
              type=click.Path(file_okay=False, writable=True, path_type=Path),
              help="Folder to write the site into (created if missing; its pages are replaced).")
def command(db_url: str | None, out_dir: Path) -> None:
    """Write a static HTML scorecard site into DIR.

    index.html is a league table of the parties with their grades and each step's
    score; parties/<id>.html shows a party's evidence for every step (the quotes and
    links to the documents), its recent changes, and a chart of its history. The site
    opens from disk with no server and works without JavaScript; publish it by copying
    the folder anywhere.

    \b
    Example:
      partywatch report --out site/ && xdg-open site/index.html
    """
    if out_dir.exists() and not out_dir.is_dir():
        raise click.ClickException(f"--out {out_dir} exists and is not a folder")
    from partywatch.report.site import build_site  # matplotlib and jinja2 load only when needed

    engine = open_db(db_url)
    console = Console(stderr=True)
    try:
        with console.status("Writing the report…", spinner="dots") as status:
            result = build_site(engine, out_dir,
                                progress=lambda party: status.update(f"Writing the page of {party}…"))
    except OSError as exc:
        raise click.ClickException(f"cannot write the report to {out_dir}: {exc}") from exc
    finally:
        engine.dispose()
    click.echo(f"Wrote {len(result.party_pages)} party page(s) and the league table to {out_dir}.")
    click.echo(f"Open {result.index.resolve().as_uri()} in a browser.")

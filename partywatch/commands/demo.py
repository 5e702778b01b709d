"""`partywatch demo`: serve the bundled sample party sites and run check on them."""

from __future__ import annotations

import tempfile
from pathlib import Path

import click

from partywatch.commands.check import run_check_and_print
from partywatch.demo_sites import serve_demo_sites, write_parties_yaml
from partywatch.options import resolve_rubric_path, rubric_option


@click.command("demo")
@rubric_option
@click.option("--db", "db_url", metavar="URL", default=None,
              help="Keep the demo's results in this database. Default: a temporary SQLite "
                   "file, deleted afterwards.")
@click.option("--format", "output_format", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="Print the scorecards as tables or as JSON.")
def command(rubric_path, db_url, output_format) -> None:
    """See the whole pipeline work on bundled sample sites, offline.

    Serves four fictional party websites on 127.0.0.1 (one port each), writes a
    parties.yaml for them, and runs `partywatch check` on them into a temporary database:
    the crawl obeys their robots.txt, discovers their privacy notices (HTML and PDF),
    supplier lists and cookie policies from the homepages, scores them against the rubric
    and prints the scorecards. Needs no network and no Telegram token.

    Then try it on the real parties with `partywatch check`.
    """
    from history import DatabaseError, open_database

    with tempfile.TemporaryDirectory(prefix="partywatch-demo-") as tmp:
        url = db_url or f"sqlite:///{Path(tmp) / 'demo.db'}"
        try:
            engine = open_database(url)
        except DatabaseError as exc:
            raise click.ClickException(str(exc)) from exc
        try:
            with serve_demo_sites() as sites:
                parties_path = write_parties_yaml(sites, Path(tmp) / "parties.yaml")
                # The sites are ours and local: a short delay keeps the demo quick.
                run_check_and_print(
                    engine, output_format, parties_path=parties_path,
                    rubric_path=resolve_rubric_path(rubric_path), crawl_options={"delay": 0.05},
                    intro=f"serving {len(sites)} sample party sites on 127.0.0.1")
        finally:
            engine.dispose()
    if output_format == "table":
        click.echo("\nThat was the demo on sample sites. On the real parties: partywatch check")

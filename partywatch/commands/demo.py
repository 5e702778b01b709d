"""`partywatch demo`: serve the bundled sample party sites and run check on them."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import click
from rich.console import Console

from history import DatabaseError, open_database
from partywatch.checking import CheckError, run_check
from partywatch.commands.check import _Progress, print_report
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
    with tempfile.TemporaryDirectory(prefix="partywatch-demo-") as tmp:
        url = db_url or f"sqlite:///{Path(tmp) / 'demo.db'}"
        try:
            engine = open_database(url)
        except DatabaseError as exc:
            raise click.ClickException(str(exc)) from exc
        try:
            with serve_demo_sites() as sites:
                parties_path = write_parties_yaml(sites, Path(tmp) / "parties.yaml")
                with _Progress() as progress:
                    progress.line(f"serving {len(sites)} sample party sites on 127.0.0.1")
                    # The sites are ours and local: a short delay keeps the demo quick.
                    report = run_check(engine, parties_path=parties_path,
                                       rubric_path=resolve_rubric_path(rubric_path),
                                       progress=progress.line, on_event=progress.event,
                                       crawl_options={"delay": 0.05})
        except CheckError as exc:
            raise click.ClickException(str(exc)) from exc
        finally:
            engine.dispose()
    if output_format == "json":
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        print_report(report, Console(file=sys.stdout))
        click.echo("\nThat was the demo on sample sites. On the real parties: partywatch check")

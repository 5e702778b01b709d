"""`partywatch report`: write a static HTML scorecard site."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console

from partywatch.options import base_url_option, db_option, open_db


@click.command("report")
@db_option
@click.option("--out", "out_dir", metavar="DIR", required=True,
              type=click.Path(file_okay=False, writable=True, path_type=Path),
              help="Folder to write the site into (created if missing; its pages are replaced).")
@base_url_option("The Atom feeds need it for absolute links; without it their links are "
                 "relative to the feed file.")
def command(db_url: str | None, out_dir: Path, site_url: str | None) -> None:
    """Write a static HTML scorecard site into DIR.

    index.html is a league table of the parties with their grades and each step's
    score; parties/<id>.html shows a party's evidence for every step (the quotes and
    links to the documents), its recent changes, and a chart of its history.

    Evidence outlives the live page: versions/<snapshot>.html shows every stored
    version of every document (its extracted text with each quoted sentence
    highlighted and anchored by its character offsets, the fetch date, content hash
    and live URL), and every quote links there. diffs/<old>-<new>.html shows the
    sentences added and removed between consecutive versions. feeds/all.atom and
    feeds/<party>.atom are Atom feeds with an entry per scorecard change.

    The site opens from disk with no server and works without JavaScript; publish it
    by copying the folder anywhere.

    \b
    Examples:
      partywatch report --out site/ && xdg-open site/index.html
      partywatch report --out site/ --base-url https://example.org/partywatch/
    """
    if out_dir.exists() and not out_dir.is_dir():
        raise click.ClickException(f"--out {out_dir} exists and is not a folder")
    from partywatch.report.site import build_site  # matplotlib and jinja2 load only when needed

    engine = open_db(db_url, create=False)
    console = Console(stderr=True)
    try:
        with console.status("Writing the report…", spinner="dots") as status:
            result = build_site(engine, out_dir, site_url=site_url,
                                progress=lambda party: status.update(f"Writing the page of {party}…"))
    except OSError as exc:
        raise click.ClickException(f"cannot write the report to {out_dir}: {exc}") from exc
    finally:
        engine.dispose()
    click.echo(f"Wrote {len(result.party_pages)} party page(s) and the league table to {out_dir}.")
    click.echo(f"Wrote {len(result.version_pages)} stored version page(s), {len(result.diff_pages)} diff "
               f"page(s) and {len(result.feeds)} Atom feed(s) ({result.feed_entries.get(None, 0)} change(s) "
               f"in feeds/all.atom).")
    click.echo(f"Open {result.index.resolve().as_uri()} in a browser.")

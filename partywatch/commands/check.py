"""`partywatch check`: crawl every party, score, store and queue notifications."""

import click


@click.command("check")
def command() -> None:
    """Crawl every party, score, store and queue notifications. (Not available yet.)"""
    raise click.ClickException("'partywatch check' is not available yet (issue 4).")

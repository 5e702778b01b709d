"""`partywatch report`: write a static HTML scorecard site."""

import click


@click.command("report")
def command() -> None:
    """Write a static HTML scorecard site. (Not available yet.)"""
    raise click.ClickException("'partywatch report' is not available yet (issue 6).")

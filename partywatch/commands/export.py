"""`partywatch export`: export the history as CSV or JSON."""

import click


@click.command("export")
def command() -> None:
    """Export the history as CSV or JSON. (Not available yet.)"""
    raise click.ClickException("'partywatch export' is not available yet (issue 6).")

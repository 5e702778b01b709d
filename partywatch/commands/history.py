"""`partywatch history`: show a party's scores over time."""

import click


@click.command("history")
def command() -> None:
    """Show a party's scores over time. (Not available yet.)"""
    raise click.ClickException("'partywatch history' is not available yet (issue 6).")

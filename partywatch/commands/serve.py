"""`partywatch serve`: run the scheduler and the Telegram bot."""

import click


@click.command("serve")
def command() -> None:
    """Run the scheduler and the Telegram bot. (Not available yet.)"""
    raise click.ClickException("'partywatch serve' is not available yet (issue 5).")

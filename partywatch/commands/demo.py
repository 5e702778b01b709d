"""`partywatch demo`: serve the bundled sample party sites and run check on them."""

import click


@click.command("demo")
def command() -> None:
    """Serve the bundled sample party sites and run check on them. (Not available yet.)"""
    raise click.ClickException("'partywatch demo' is not available yet (issue 4).")

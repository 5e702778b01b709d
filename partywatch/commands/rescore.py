"""`partywatch rescore`: rescore stored snapshots under the current rubric."""

import click


@click.command("rescore")
def command() -> None:
    """Rescore stored snapshots under the current rubric. (Not available yet.)"""
    raise click.ClickException("'partywatch rescore' is not available yet (issue 3).")

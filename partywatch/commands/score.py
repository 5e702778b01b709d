import click


@click.command("score")
def command() -> None:
    """(Being written.)"""
    raise click.ClickException("'partywatch score' is not available yet (issue 3).")

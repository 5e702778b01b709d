import click


@click.command("rubric")
def command() -> None:
    """(Being written.)"""
    raise click.ClickException("'partywatch rubric' is not available yet (issue 3).")

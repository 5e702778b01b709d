"""The `partywatch` command line. Each command lives in partywatch/commands/."""

from __future__ import annotations

import click

from partywatch import __version__
from partywatch.commands import (
    browse,
    check,
    db,
    demo,
    export,
    history,
    report,
    rescore,
    rubric,
    score,
    serve,
)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="partywatch")
def main() -> None:
    """Score how openly political parties explain their use of voters' personal data.

    partywatch crawls each party's privacy notices and supplier disclosures, scores them
    against the ten-step transparency rubric in rubric.yaml (quoting the evidence for
    every credit), keeps the whole history in a database, and tells Telegram subscribers
    when a party's scorecard changes.

    \b
    Database: --db URL, else $DATABASE_URL, else sqlite:///partywatch.db.
    Start with `partywatch demo` to see the whole pipeline on bundled sample sites.
    """


for module in (check, score, demo, rescore, serve, rubric, history, export, report, browse, db):
    main.add_command(module.command)


if __name__ == "__main__":
    main()

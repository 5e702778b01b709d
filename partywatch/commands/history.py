"""`partywatch history`: a party's scores over time, as a table and optionally a chart."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich import box
from rich.columns import Columns
from rich.console import Console
from rich.table import Table
from rich.text import Text

from partywatch.options import aliases_option, db_option, open_db, party_aliases

if TYPE_CHECKING:
    from history.research import PartyHistory


def _cell(value: float | None, before: float | None) -> Text:
    """A score, green with ▲ when it rose since the previous scorecard, red with ▼ when it fell."""
    if value is None:
        return Text("–", style="dim")
    if before is None or value == before:
        return Text(f"{value:.0f}")
    if value > before:
        return Text(f"▲{value:.0f}", style="green")
    return Text(f"▼{value:.0f}", style="red")


def history_table(history: PartyHistory, last: int) -> Table:
    shown = history.points[-last:] if last else history.points
    skipped = len(history.points) - len(shown)
    table = Table(title=f"{history.party_name} ({history.party_id}) — rubric version "
                        f"{history.rubric_version}", title_justify="left",
                  caption=(f"{skipped} older scorecard(s) not shown; --last 0 shows all."
                           if skipped else None), caption_justify="left",
                  box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    table.add_column("scored", no_wrap=True)
    table.add_column("grade", justify="center", no_wrap=True)
    table.add_column("overall", justify="right", no_wrap=True)
    # Steps are numbered (legend below the table) so ten columns fit an 80-column terminal.
    for number, _step in enumerate(history.steps, start=1):
        table.add_column(f"s{number}", justify="right", no_wrap=True)
    start = len(history.points) - len(shown)
    for index, point in enumerate(shown, start=start):
        before = history.points[index - 1] if index > 0 else None
        row = [point.scored_at.strftime("%Y-%m-%d"), point.grade,
               _cell(point.overall, before.overall if before else None)]
        for step_id, _ in history.steps:
            row.append(_cell(point.steps.get(step_id), before.steps.get(step_id) if before else None))
        table.add_row(*row)
    return table


@click.command("history")
@click.argument("party")
@db_option
@aliases_option
@click.option("--plot", "plot_path", metavar="FILE.png", type=click.Path(dir_okay=False, path_type=Path),
              help="Also draw the history as a PNG chart.")
@click.option("--rubric-version", "rubric_version", metavar="VERSION",
              help="Show scorecards of this rubric version. Default: the party's latest.")
@click.option("--last", type=click.IntRange(min=0), default=30, show_default=True,
              help="Show only the latest N scorecards in the table (0: all). The chart shows all.")
def command(party: str, db_url: str | None, parties_path: str | None, plot_path: Path | None, rubric_version: str | None,
            last: int) -> None:
    """Show PARTY's overall score, grade and ten step scores over time.

    PARTY is a party id, name or alias (as in parties.yaml: "tories", "lib dems"). Scores are compared only between
    scorecards of the same rubric version, so the table shows one version (the latest
    unless --rubric-version says otherwise) and names the others. ▲/▼ mark a score
    that rose or fell since the previous scorecard.

    \b
    Examples:
      partywatch history snp
      partywatch history tories
      partywatch history "Scottish National Party" --plot snp.png
      partywatch history snp --rubric-version 2025.1 --last 0
    """
    from history.party_names import UnknownParty, find_party
    from history.research import not_scored_reason, party_history

    aliases = party_aliases(parties_path)
    engine = open_db(db_url, create=False)
    try:
        with engine.connect() as conn:
            try:
                party_id, _name = find_party(conn, party, aliases)
                reason = not_scored_reason(conn, party_id)
                history = party_history(conn, party_id, rubric_version)
            except UnknownParty as exc:
                raise click.ClickException(str(exc)) from exc
            except LookupError as exc:
                raise click.ClickException(str(exc.args[0])) from exc
    finally:
        engine.dispose()

    console = Console()
    if not history.points:
        if reason is not None:
            raise click.ClickException(f"{history.party_name} ({history.party_id}) is not scored: "
                                       f"{reason}; it has no scorecards.")
        raise click.ClickException(
            f"{history.party_name} ({history.party_id}) has no scorecards yet; "
            "run `partywatch check` first.")
    console.print(history_table(history, last))
    console.print(Columns([f"[bold]s{n}[/] {step_id}" for n, (step_id, _) in
                           enumerate(history.steps, start=1)], padding=(0, 2)))
    # Plain lines through click: rich would wrap paths and sentences at its own width.
    click.echo(f"{len(history.points)} scorecard(s) under rubric version {history.rubric_version}, "
               f"{history.points[0].scored_at:%Y-%m-%d} to {history.points[-1].scored_at:%Y-%m-%d}.")
    if history.other_versions:
        others = ", ".join(f"{v.version} ({v.scorecards} scorecard(s))" for v in history.other_versions)
        click.echo(f"Also scored under rubric version(s) {others}; scores are not comparable across "
                   "versions. See them with --rubric-version VERSION.")
    if reason is not None:
        click.echo(f"Now not scored: {reason}. The scorecards above are its history, not its grade.")
    if plot_path is not None:
        from partywatch.report.charts import plot_history

        try:
            plot_history(history, plot_path)
        except OSError as exc:
            raise click.ClickException(f"cannot write the chart to {plot_path}: {exc}") from exc
        click.echo(f"Chart written to {plot_path}")

"""`partywatch spending`: Electoral Commission spending returns beside the suppliers named."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console

from partywatch.options import (
    aliases_option,
    db_option,
    open_db,
    parties_option,
    party_aliases,
    resolve_parties_path,
    resolve_rubric_path,
    rubric_option,
)

if TYPE_CHECKING:
    from partywatch.spending.gaps import PartyGaps

BAD_ROWS_SHOWN = 20
UNMATCHED_SHOWN = 15


@click.group("spending")
def command() -> None:
    """Campaign spending returns from the Electoral Commission, set beside the suppliers
    each party's notices name.

    \b
    1. Download the spending export: https://search.electoralcommission.org.uk/
       (Spending tab, choose the parties and period, "Export results" as CSV).
    2. partywatch spending import spending.csv
    3. partywatch spending gaps --party labour
    Contains Electoral Commission data, under the Open Government Licence v3.0.
    """


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


@command.command("import")
@click.argument("csv_file", metavar="FILE.csv", type=click.Path(dir_okay=False, path_type=Path))
@db_option
@parties_option
def import_command(csv_file: Path, db_url: str | None, parties_path: str | None) -> None:
    """Import an Electoral Commission spending export (CSV) into the history database.

    Items are keyed by the Commission's ECRef: importing the same or an overlapping
    export again adds nothing, and an item the Commission has since corrected replaces
    its older version, which is kept (table spending_item_changes). Each item is matched
    to a party of parties.yaml by its `ec_id` (against RegulatedEntityId or the ECRef),
    else by the exact registered name; entities matched to no party are listed.

    Rows whose amount or date cannot be read are skipped and listed with their line;
    nothing of them is stored. A file that is empty, not comma-separated or missing a
    column is refused before anything is stored. The file is read as it is imported, so
    any size takes the same memory.

    The suppliers step's element paid-suppliers-named is scored from these items: run
    `partywatch rescore` after an import to bring them into the current scorecards.

    \b
    Examples:
      partywatch spending import spending-2024.csv
      partywatch spending import spending-2024.csv --db postgresql://app@db/partywatch
    """
    from partywatch.parties import PartiesError, load_parties
    from partywatch.spending.importer import import_export
    from partywatch.spending.reader import ExportError

    try:
        parties = load_parties(resolve_parties_path(parties_path))
    except PartiesError as exc:
        raise click.ClickException(f"parties.yaml has errors; nothing was imported:\n{exc}") from exc
    engine = open_db(db_url)
    console = Console(stderr=True)
    try:
        with console.status("importing…") as status:
            report = import_export(engine, csv_file, parties,
                                   progress=lambda rows: status.update(f"importing… {rows:,} rows read"))
    except ExportError as exc:
        raise click.ClickException(f"{exc}\nNothing was imported.") from exc
    finally:
        engine.dispose()
    stored = report.stored
    click.echo(f"{csv_file.name}: {_plural(report.rows, 'row')} read: {stored.added:,} new, "
               f"{stored.corrected:,} corrected (older versions kept), {stored.unchanged:,} already stored, "
               f"{len(report.bad):,} skipped.")
    if report.by_party:
        click.echo(f"Parties matched ({len(report.by_party)}): "
                   + ", ".join(f"{party} ({count:,})" for party, count in sorted(report.by_party.items())))
    else:
        click.echo("No row matched a party in parties.yaml (give parties an ec_id, or check their names).")
    if report.unmatched:
        click.echo(f"Not matched to any party in parties.yaml ({len(report.unmatched)} "
                   f"entit{'y' if len(report.unmatched) == 1 else 'ies'}, stored anyway):")
        for name, count in report.unmatched.most_common(UNMATCHED_SHOWN):
            click.echo(f"  {name}: {_plural(count, 'row')}")
        if len(report.unmatched) > UNMATCHED_SHOWN:
            click.echo(f"  … and {len(report.unmatched) - UNMATCHED_SHOWN} more")
    if report.bad:
        click.echo(f"Skipped ({len(report.bad)}), nothing of them stored:")
        for bad in report.bad[:BAD_ROWS_SHOWN]:
            click.echo(f"  line {bad.line}{f' ({bad.ec_ref})' if bad.ec_ref else ''}: {bad.reason}")
        if len(report.bad) > BAD_ROWS_SHOWN:
            click.echo(f"  … and {len(report.bad) - BAD_ROWS_SHOWN} more")
    if report.by_party and (stored.added or stored.corrected):
        click.echo("Scorecards use these items from the next `partywatch check`; run `partywatch rescore` "
                   "to update them now (subscribers are told of any score that changes).")


def _money(amount) -> str:
    return f"£{amount:,.2f}"


def _aligned(rows: list[list[str]], indent: str = "    ") -> list[str]:
    """Rows of cells as lines, each column padded to its widest cell (the last left as is)."""
    if not rows:
        return [f"{indent}(none)"]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    return [indent + "  ".join([cell.ljust(w) for cell, w in zip(row, widths)] + [row[-1]]).rstrip()
            for row in rows]


def _period(payee) -> str:
    if payee.first and payee.last:
        return f"{payee.first:%d/%m/%Y}–{payee.last:%d/%m/%Y}"
    return ""


def gaps_lines(gaps: PartyGaps) -> list[str]:
    """A party's three lists as aligned text: supplier, paid, items, period, categories."""
    since = f", items since {gaps.since:%d/%m/%Y}" if gaps.since else ""
    lines = [f"{gaps.name} ({gaps.party}){since}"]
    lines.append(f"  Paid for data-related work, not named in its notices ({len(gaps.paid_not_named)}):")
    lines += _aligned([[p.supplier, _money(p.total), _plural(p.items, "item"), _period(p), ", ".join(p.categories)]
                       for p in gaps.paid_not_named])
    lines.append(f"  Named and paid ({len(gaps.named_and_paid)}):")
    lines += _aligned([[p.supplier, _money(p.total), _plural(p.items, "item"),
                        f'named as "{p.named.name}" ({p.match.how}, {p.match.score:.0f})', p.named.url]
                       for p in gaps.named_and_paid])
    lines.append(f"  Named, not paid for data-related work ({len(gaps.named_not_paid)}):")
    lines += _aligned([[n.name, n.role or "", n.url] for n in gaps.named_not_paid])
    return lines


@command.command("gaps")
@db_option
@rubric_option
@click.option("--party", "party", metavar="ID", help="Only this party (id, name or alias). Default: every "
              "party with spending items.")
@aliases_option
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), metavar="DATE",
              help="Only items incurred on or after this date (YYYY-MM-DD).")
@click.option("--format", "output_format", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="Print tables or JSON.")
def gaps_command(db_url: str | None, rubric_path: str | None, party: str | None, parties_path: str | None,
                 since, output_format: str) -> None:
    """Suppliers paid for data-related campaign work but not named in the party's notices,
    and the other way round.

    For each party, the payees of its spending items in the data-related categories
    (rubric.yaml `spending.data_categories`; by default Market research/canvassing,
    Advertising, Unsolicited material to electors) are matched against the suppliers
    partywatch found named in the documents behind its latest scorecard. Company names
    are compared after normalising (Ltd/Limited, PLC, &/and, punctuation, "t/a" trading
    names), through the alias list partywatch/spending/supplier_aliases.yaml, and with a
    fuzzy match; each match shows its score.

    \b
    paid_not_named   supplier, total paid, categories, items, period
    named_and_paid   the same, with the name used in the notice and the quote
    named_not_paid   named in a notice, paid nothing in those categories

    \b
    JSON: {"parties": [{"party", "name", "since", "paid_not_named": [{"supplier", "total",
           "categories", "items", ...}], "named_and_paid": [...], "named_not_paid": [...]}]}

    \b
    Examples:
      partywatch spending gaps
      partywatch spending gaps --party labour --since 2024-01-01 --format json
    """
    from history.db import session_factory
    from history.party_names import UnknownParty, find_party
    from partywatch.spending.gaps import all_gaps
    from partywatch.spending.names import AliasError, SupplierMatcher, load_aliases
    from scoring.rubric import RubricError, parse_rubric_text, read_rubric_file

    try:
        text, name = read_rubric_file(resolve_rubric_path(rubric_path))
        categories = parse_rubric_text(text, name).model.spending.data_categories
        matcher = SupplierMatcher(load_aliases())
    except (RubricError, AliasError) as exc:
        raise click.ClickException(f"cannot compare suppliers:\n{exc}") from exc
    engine = open_db(db_url)
    try:
        party_ids = None
        if party:
            with engine.connect() as conn:
                try:
                    party_ids = [find_party(conn, party, party_aliases(parties_path))[0]]
                except UnknownParty as exc:
                    raise click.ClickException(str(exc)) from exc
        since_day: date | None = since.date() if since else None
        with session_factory(engine)() as session:
            results = all_gaps(session, party_ids, categories, matcher, since_day)
    finally:
        engine.dispose()
    if output_format == "json":
        click.echo(json.dumps({"parties": [g.to_dict() for g in results]}, indent=2, ensure_ascii=False))
        return
    if not results:
        click.echo("No spending items are matched to any party yet: run `partywatch spending import FILE.csv`.")
        return
    for gaps in results:
        click.echo("\n".join(gaps_lines(gaps)))
        if not gaps.scored:
            click.echo(f"  {gaps.party} has no scorecard, so partywatch does not know which suppliers its "
                       "notices name: run `partywatch check` first.")
        click.echo("")
    click.echo("Contains Electoral Commission data (Open Government Licence v3.0).")

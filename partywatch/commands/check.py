"""`partywatch check`: crawl every party, score, store and queue notifications."""

from __future__ import annotations

import gc
import json
import os
import sys
from typing import TYPE_CHECKING

import click

from partywatch.changes import ChangeKind
from partywatch.options import db_option, open_db, parties_option, resolve_parties_path, resolve_rubric_path, rubric_option
from partywatch.paths import database_url
from partywatch.progress import Kind, Progress

if TYPE_CHECKING:
    from rich.console import Console

    from partywatch.checking import CheckReport

STATUS_STYLE = {"ok": "green", "new": "green", "failed": "red", "gone": "yellow",
                "blocked": "magenta", "unreadable": "magenta"}


def print_report(report: CheckReport, console: Console) -> None:
    """The scorecards as tables: one line per party, then step scores, then failures.

    A party that is not scored shows no grade and no score anywhere, and gets a line of
    its own saying why (so the reason is never cut short by a narrow table column).
    """
    from rich.table import Table  # only here: `--format json` prints none

    summary = Table(title=f"Scorecards (rubric {report.rubric_version}, run {report.run_id})")
    for column, justify in (("Party", "left"), ("Grade", "center"), ("Score", "right"),
                            ("Since last check", "left"), ("Documents", "left")):
        summary.add_column(column, justify=justify)
    for party in report.parties:
        counts: dict[str, int] = {}
        for document in party.documents:
            counts[document.status] = counts.get(document.status, 0) + 1
        documents = ", ".join(f"[{STATUS_STYLE.get(s, 'white')}]{n} {s}[/]"
                              for s, n in sorted(counts.items())) or "[red]none found[/]"
        if party.reason is not None:
            summary.add_row(party.name, "–", "–", "[bold red]not scored[/]", documents)
            continue
        if party.changed and party.changes:
            moved = [c for c in party.changes if c.kind in (ChangeKind.STEP, ChangeKind.DOCUMENT)]
            since = f"changed: {len(moved)} step/document change(s)"
        else:
            since = "new" if party.changed else "unchanged"
        summary.add_row(party.name, party.grade, f"{party.overall:.1f}", since, documents)
    console.print(summary)

    for party in report.parties:
        if party.reason is not None:
            console.print(f"{party.name} ({party.party_id}): not scored: {party.reason}",
                          markup=False, highlight=False, soft_wrap=True)

    scored = [party for party in report.parties if party.reason is None]
    if scored:
        steps = Table(title="Step scores (0-100)")
        steps.add_column("Step", no_wrap=True)
        for party in scored:
            steps.add_column(party.party_id, justify="right")
        for index, step in enumerate(scored[0].steps):
            steps.add_row(f"{step['id']}", *(f"{p.steps[index]['score']:.0f}" for p in scored))
        console.print(steps)

    for party in report.parties:
        for document in party.documents:
            if document.source_note and party.reason is None:
                console.print(f"{party.party_id}: {document.url} scored {document.source_note}",
                              markup=False, highlight=False, soft_wrap=True)
        for change in party.changes:
            if change.kind is ChangeKind.DOCUMENT:
                console.print(f"[bold]{party.party_id}[/] document {change.new}: "
                              f"{change.url}" + (f" — {change.summary}" if change.summary else ""))
    if report.skipped:
        console.print(f"{len(report.skipped)} link(s) not requested (robots.txt or not a party host), e.g. "
                      f"{report.skipped[0]['url']}: {report.skipped[0]['reason']}", markup=False)
    for lookup in report.archive_lookups:
        console.print(f"archive: {lookup['party']}: {lookup['url']}: {lookup['result']}: {lookup['detail']}",
                      markup=False, highlight=False, soft_wrap=True)
    if report.failures:
        console.print("[bold red]Fetch failures[/] (last good snapshots kept):")
        for failure in report.failures:
            status = failure.get("status", "failed")
            what = "" if status == "failed" else f"{status}: "
            console.print(f"  {failure['party']}: {failure['url']}: {what}{failure['error']}",
                          markup=False, highlight=False, soft_wrap=True)
    console.print(f"{report.notifications_queued} notification(s) queued.")


def run_check_and_print(engine, output_format: str, *, intro: str | None = None,
                        **check_options) -> CheckReport:
    """Run a check with progress on stderr, then print its scorecards (table or JSON).

    A check that cannot run at all becomes a one-line error, not a traceback.
    """
    from partywatch.checking import CheckError, run_check

    try:
        with _Progress() as progress:
            if intro:
                progress.line(Progress(Kind.RUN, intro))
            report = run_check(engine, progress=progress.line, on_event=progress.event,
                               **check_options)
    except CheckError as exc:
        raise click.ClickException(str(exc)) from exc
    if output_format == "json":
        echo_json(report.to_dict())
    else:
        from rich.console import Console

        print_report(report, Console(file=sys.stdout))
    return report


def echo_json(data, flush_every: int = 1 << 16) -> None:
    """Print `data` as `json.dumps(data, indent=2, ensure_ascii=False)` would, in pieces:
    a check of 200 parties is megabytes of JSON, and building it as one string (from a
    list of ~10^5 small ones) put ~10 MB on the check's peak just as it finished."""
    pending: list[str] = []
    size = 0
    for piece in json.JSONEncoder(indent=2, ensure_ascii=False).iterencode(data):
        pending.append(piece)
        size += len(piece)
        if size >= flush_every:
            click.echo("".join(pending), nl=False)
            pending, size = [], 0
    pending.append("\n")
    click.echo("".join(pending), nl=False)


# What rich's Console strips from text it prints (rich.control.strip_control_codes).
_STRIPPED_CONTROL_CODES = dict.fromkeys((7, 8, 11, 12, 13))


def _stderr_may_be_a_terminal() -> bool:
    """False when rich would surely find stderr is no terminal (rich.console.Console
    .is_terminal): it is not a tty and no TTY_COMPATIBLE or FORCE_COLOR says otherwise."""
    if os.environ.get("TTY_COMPATIBLE") or os.environ.get("FORCE_COLOR"):
        return True
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


class _Progress:
    """A live display on a terminal; plain log lines on stderr otherwise.

    Plain lines are written without rich, which a check with `--format json` then never
    imports (its import is a tenth of a second before the crawl gets its work); they are
    the text rich printed, tabs expanded and control codes stripped as it does them, save
    that a ":name:" in a URL or an error stays as it is (rich made some of those emoji).
    """

    def __init__(self):
        self.console: Console | None = None  # a terminal's, for the live display
        if _stderr_may_be_a_terminal():
            from rich.console import Console

            console = Console(stderr=True)
            self.console = console if console.is_terminal else None
        self.live = self.console is not None
        self.fetched = self.failed = self.total = 0
        self.status = None

    def __enter__(self):
        if self.live:
            self.status = self.console.status("starting the crawl…")
            self.status.__enter__()
        return self

    def __exit__(self, *exc):
        if self.status is not None:
            self.status.__exit__(*exc)

    # On a terminal the fetches only move the status line; what the user must see stays.
    KEPT = (Kind.RUN, Kind.PROBLEM, Kind.SCORED)
    IN_STATUS = (Kind.SCORING, Kind.SCORED)

    def line(self, progress: Progress) -> None:
        if not self.live:
            sys.stderr.write(progress.text.expandtabs(8).translate(_STRIPPED_CONTROL_CODES) + "\n")
            sys.stderr.flush()
            return
        if progress.kind in self.KEPT:
            self.console.print(progress.text, markup=False, highlight=False)
        if progress.kind in self.IN_STATUS:
            self.status.update(progress.text)

    def event(self, event: dict) -> None:
        if not self.live:
            return
        if event.get("event") == "fetch":
            self.fetched += 1
            self.failed += not event["ok"]
            self.status.update(f"crawling: {self.fetched} documents fetched, {self.failed} failed — "
                               f"{event['url']}")


@click.command("check")
@parties_option
@rubric_option
@db_option
@click.option("--party", "party_ids", multiple=True, metavar="ID",
              help="Check only this party (repeat for several). Default: every party.")
@click.option("--format", "output_format", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="Print the scorecards as tables or as JSON.")
@click.option("--archive-fallback", is_flag=True, default=False,
              help="For a document that cannot be fetched, score the web archive's latest copy "
                   "(if newer than the stored one). Per party: `archive_fallback: true` in "
                   "parties.yaml; always: PARTYWATCH_ARCHIVE_FALLBACK=1.")
def command(parties_path, rubric_path, db_url, party_ids, output_format, archive_fallback) -> None:
    """Crawl every party, score its documents, store and notify.

    For each party in parties.yaml the crawl fetches the homepage, the document URLs listed
    there and every document found before, and follows links that look like privacy
    notices, supplier lists, cookie policies, transparency pages or imprints. It obeys
    robots.txt, waits between requests to one site, and stays on the party's own hosts.

    Then each party's current documents are scored against the rubric. A new scorecard is
    stored only when a grade, step score or answer moved, or a document appeared,
    disappeared or changed its text (a page that changed only in its scripts or footer has
    not changed); subscribers of a changed party get one Telegram notification (sent by
    `partywatch serve`). A party without a readable privacy notice (nothing fetched, none
    found, or too little text, such as a page that needs JavaScript) is "not scored", with
    the reason: it gets no grade, no scorecard and no notification.

    A site that fails keeps its last good snapshots and scorecard; failures are listed in
    the output and the command still exits 0. So does a document that answers with a
    bot-protection challenge page (status "blocked") or with a page that is mostly scripts
    and shows almost no text without JavaScript (status "unreadable"): nothing is stored
    from such a response and the last good snapshot is still the one scored. A party with
    `render: true` in parties.yaml has its pages read through headless Chromium (Debian's
    `chromium` package, path in PARTYWATCH_CHROMIUM) under the same rules.

    It exits non-zero only when it cannot run: a bad parties file or rubric, an unreachable
    database, or rendering asked for without Chromium or the `render` extra.

    \b
    Politeness settings (environment):
      PARTYWATCH_CRAWL_DELAY    seconds between requests to one site (default 1.0)
      PARTYWATCH_CRAWL_MAXSIZE  response size cap in bytes (default 10 MB)
      PARTYWATCH_CRAWL_TIMEOUT  per-request timeout in seconds (default 30)
      PARTYWATCH_CRAWL_RETRIES  retries after a 5xx or a timeout (default 2)
      PARTYWATCH_CHROMIUM       the browser for render: true (default /usr/bin/chromium)

    \b
    Archived copies (--archive-fallback): a Wayback-Machine-compatible archive is asked
    for its latest copy of each document that failed; one newer than the stored copy is
    stored (provenance "archived") and scored, labelled "from an archived copy of DATE".
      PARTYWATCH_ARCHIVE_URL    the archive (default https://web.archive.org)

    \b
    Examples:
      partywatch check
      partywatch check --party snp --party labour --format json
      partywatch check --archive-fallback
      partywatch check --db postgresql://app@db/partywatch
    """
    from spiders.runner import CrawlProcess

    # Until the crawl has its work, this process imports (SQLAlchemy, pydantic, the models of
    # a new database) and reads: long-lived objects that the cyclic collector would rescan
    # ~130 times and find nothing in, ~0.09 s of the CPU the crawl waits for. Paused until
    # the work is sent; what exists then is frozen, so no later collection scans it.
    collector_was_enabled = gc.isenabled()
    gc.disable()

    def work_sent() -> None:
        gc.freeze()
        if collector_was_enabled:
            gc.enable()

    try:
        # Started first: the crawl process imports scrapy while this one opens the database.
        with CrawlProcess(database_url(db_url)) as crawl_process:
            engine = open_db(db_url)
            try:
                run_check_and_print(engine, output_format, parties_path=resolve_parties_path(parties_path),
                                    rubric_path=resolve_rubric_path(rubric_path), party_ids=party_ids,
                                    archive_fallback=archive_fallback, crawl_process=crawl_process,
                                    on_work_sent=work_sent)
            finally:
                engine.dispose()
    finally:
        if collector_was_enabled:
            gc.enable()  # a check that stopped before its crawl had work

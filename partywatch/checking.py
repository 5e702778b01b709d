"""One `check`: crawl every party, score what changed, store, queue notifications.

    report = run_check(engine, parties_path="parties.yaml", rubric_path="rubric.yaml")
    for party in report.parties:
        print(party.party_id, party.grade, party.overall, [d.status for d in party.documents])

The crawl runs in a subprocess (spiders.runner) that hands every fetch back to this
process, which stores it (fetches and snapshots) as it comes; then this process scores
the parties' current snapshots (partywatch.pipeline), which stores a new scorecard only
for a party whose scorecard changed, and queues one notification per subscriber. A party
whose site is down keeps its last good snapshots, so its scorecard stays as it was; the
failures are listed in the report. A party with no readable privacy notice is "not
scored", with the reason, and has no grade.

CheckError means the check could not run at all (bad parties.yaml or rubric, database
unreachable, the crawl process crashed). Fetch failures are not errors: they are reported.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

from sqlalchemy import Engine, select, text

from history.db import transaction
from history.runs import insert_run, write_parties
from partywatch.changes import Change
from partywatch.parties import PartiesError, load_parties, select_parties
from partywatch.progress import Kind, Progress, Reporter, report
from partywatch.textdiff import summarise_text_change

# The ORM, the models, the scoring modules and partywatch.pipeline are imported once the
# crawl has its work (see partywatch.check_prepare): until then the crawl waits for this
# process, and it needs only the parties, a run and a database at the latest schema.
if TYPE_CHECKING:
    from history.models import ScorecardRow
    from partywatch.archive import WaybackArchive
    from spiders.runner import CrawlProcess

# The short text-change summary of a document ("+2 / -1 sentences; added: …") is computed
# by the pipeline when it diffs scorecards; re-exported here for check's callers.
__all__ = ["run_check", "CheckError", "CheckReport", "PartyReport", "DocumentReport",
           "summarise_text_change"]


# Document statuses that mean the latest fetch brought no usable content.
FAILING_STATUSES = ("failed", "gone", "blocked", "unreadable")


class CheckError(Exception):
    """The check could not run at all; the message says why and what to fix."""


@dataclass
class DocumentReport:
    url: str
    kind: str
    status: str  # new | ok | failed | gone | blocked | unreadable
    error: str | None = None  # the latest fetch error, when the document is failing
    # Where the copy scored came from (fetched | imported | archived; None: no copy yet),
    # and the label a reader sees for one the crawl did not fetch.
    provenance: str | None = None
    source_note: str | None = None

    def to_dict(self) -> dict:
        data = {"url": self.url, "kind": self.kind, "status": self.status,
                "provenance": self.provenance}
        if self.source_note:
            data["source_note"] = self.source_note
        if self.error:
            data["error"] = self.error
        return data


@dataclass
class PartyReport:
    party_id: str
    name: str
    overall: float | None  # None when not scored
    grade: str | None  # None when not scored
    steps: list[dict]  # the scorecard JSON's STEP objects, in rubric order; empty when not scored
    documents: list[DocumentReport]
    changed: bool  # a new scorecard was stored in this run
    scorecard_id: int | None
    changes: list[Change] = field(default_factory=list)
    failures: list[dict] = field(default_factory=list)  # {url, error, status} of this run's failures
    reason: str | None = None  # why the party is not scored; None when it is

    @property
    def status(self) -> str:
        return "scored" if self.reason is None else "not scored"

    def to_dict(self) -> dict:
        return {"party": self.party_id, "name": self.name, "status": self.status,
                "reason": self.reason, "overall": self.overall, "grade": self.grade,
                "steps": self.steps, "documents": [d.to_dict() for d in self.documents]}


@dataclass
class CheckReport:
    run_id: int
    rubric_version: str
    parties: list[PartyReport]
    notifications_queued: int = 0
    crawl_seconds: float = 0.0
    crawl_timed_out: bool = False
    skipped: list[dict] = field(default_factory=list)  # {party, url, reason}: never requested
    archive_lookups: list[dict] = field(default_factory=list)  # {party, url, result, detail}

    @property
    def failures(self) -> list[dict]:
        return [{"party": p.party_id, **f} for p in self.parties for f in p.failures]

    def to_dict(self) -> dict:
        """The `check --format json` contract of DESIGN.md."""
        return {"rubric_version": self.rubric_version,
                "parties": [p.to_dict() for p in self.parties]}


def _steps_json(card: ScorecardRow) -> list[dict]:
    """The stored scorecard's STEP objects, by the scoring results' own serialiser."""
    from scoring.models import ElementResult, Evidence, Form, StepResult

    elements: dict[str, list[ElementResult]] = {}
    for element in card.elements:
        evidence = [Evidence(ev["quote"], ev["url"], ev["start"], ev["end"], ev.get("snapshot_id"))
                    for ev in element.evidence or []]
        elements.setdefault(element.step_id, []).append(ElementResult(
            element.element_id, element.credit, evidence, looked_for=element.looked_for or "",
            detail=element.detail or []))
    return [StepResult(step.step_id, step.title, step.score, elements.get(step.step_id, [])).to_dict(Form.CHECK)
            for step in card.steps]


def _documents(session, party_id: str) -> list[DocumentReport]:
    from history.models import DocumentRow, FetchRow
    from history.store import current_snapshots

    reports = []
    current = {document.id: snapshot for document, snapshot in current_snapshots(session, party_id)}
    for document in session.scalars(select(DocumentRow).where(DocumentRow.party_id == party_id)
                                     .order_by(DocumentRow.id)):
        error = None
        if document.status in FAILING_STATUSES:
            error = session.scalar(select(FetchRow.error).where(FetchRow.document_id == document.id)
                                   .order_by(FetchRow.id.desc()).limit(1))
        snapshot = current.get(document.id)
        reports.append(DocumentReport(document.url, document.kind, document.status, error,
                                      snapshot.provenance if snapshot else None,
                                      snapshot.source_note if snapshot else None))
    return reports


def _party_report(session, outcome, failures: list[dict]) -> PartyReport:
    """What `check` prints for one party: its scorecard, or why it has none."""
    documents = _documents(session, outcome.party_id)
    if not outcome.scored:
        return PartyReport(party_id=outcome.party_id, name=outcome.name, overall=None, grade=None,
                           steps=[], documents=documents, changed=False, scorecard_id=None,
                           failures=failures, reason=outcome.reason)
    from history.models import ScorecardRow

    card = session.get(ScorecardRow, outcome.scorecard.id)
    return PartyReport(party_id=outcome.party_id, name=outcome.name, overall=round(card.overall, 1),
                       grade=card.grade, steps=_steps_json(card), documents=documents,
                       changed=outcome.changed, scorecard_id=card.id, changes=list(outcome.changes),
                       failures=failures)


# Start spaCy while the crawl runs (partywatch.check_prepare) for at most this many
# parties, and only when the check will read new text. A crawl of a few pages takes about
# as long as starting spaCy, so overlapping the two nearly halves such a check; a crawl of
# many parties takes far longer than that start-up, and spaCy's ~90 MB held beside the
# crawl process's own would only raise the check's peak memory. A check whose documents
# did not change never starts it.
OVERLAP_SCORER_MAX_PARTIES = 5


def _failure_word(event: dict) -> str:
    """FAILED, or BLOCKED / UNREADABLE for a challenge page or a JavaScript shell."""
    status = event.get("status")
    return status.upper() if status in ("blocked", "unreadable") else "FAILED"


def _describe_event(event: dict) -> Progress | None:
    kind = event.get("event")
    if kind == "fetch":
        if event["ok"]:
            state = "new content" if event["new_content"] else "unchanged"
            return Progress(Kind.FETCHED, f"fetched {event['party']} {event['url']} ({event['kind']}, {state})")
        return Progress(Kind.PROBLEM, f"{_failure_word(event)} {event['party']} {event['url']}: {event['error']}")
    if kind == "page_failed":
        return Progress(Kind.PROBLEM,
                        f"{_failure_word(event)} {event['party']} homepage {event['url']}: {event['error']}")
    if kind == "skipped":
        return Progress(Kind.SKIPPED, f"skipped {event['party']} {event['url']}: {event['reason']}")
    return None


def run_check(
    engine: Engine,
    *,
    parties_path: str | Path,
    rubric_path: str | Path,
    party_ids: Sequence[str] = (),
    progress: Reporter | None = None,
    on_event: Callable[[dict], None] | None = None,
    crawl_timeout: float | None = None,
    crawl_options: dict | None = None,
    archive_fallback: bool = False,
    archive: WaybackArchive | None = None,
    crawl_process: CrawlProcess | None = None,
    on_work_sent: Callable[[], None] | None = None,
) -> CheckReport:
    """Crawl, score, store and queue notifications for the parties (all, or `party_ids`).

    `progress` receives human-readable lines; `on_event` the crawl's JSON progress events
    (see spiders.progress). `crawl_options` (delay, maxsize, timeout) override the crawl
    settings; `crawl_timeout` kills a crawl that runs longer (what it stored is kept).
    `archive_fallback` asks a web archive (`archive`, default a partywatch.archive
    .WaybackArchive) for documents that could not be fetched, for every party; without it,
    for the parties with `archive_fallback: true` in parties.yaml, or all when the
    PARTYWATCH_ARCHIVE_FALLBACK setting is on. `crawl_process` is a crawl child started
    ahead (spiders.runner.CrawlProcess, with its own options); without it one is started here.
    `on_work_sent` is called once the crawl process has been sent its work.
    """
    from partywatch.check_prepare import ScoringPreparation
    from scoring.loader import known_to_load, load_rubric_text
    from scoring.rubric_file import RubricError, read_rubric_file
    from spiders.runner import DEFAULT_CRAWL_TIMEOUT, CrawlProcess

    try:
        parties = select_parties(load_parties(parties_path), tuple(party_ids))
    except PartiesError as exc:
        raise CheckError(f"cannot use the parties file; nothing was checked:\n{exc}") from exc
    try:
        rubric_text, rubric_name = read_rubric_file(rubric_path)
        # A rubric that loaded cleanly before cannot fail now: it is parsed while the crawl runs.
        rubric = None if known_to_load(rubric_text) else load_rubric_text(rubric_text, rubric_name)
    except RubricError as exc:
        raise CheckError(f"the rubric has errors; nothing was checked:\n{exc}") from exc
    if any(p.renders for p in parties):
        from spiders.render import RenderUnavailable, check_render_available

        try:
            check_render_available()
        except RenderUnavailable as exc:
            raise CheckError(f"{exc}; nothing was checked") from exc
    db_url = engine.url.render_as_string(hide_password=False)
    if engine.url.get_backend_name() == "sqlite" and engine.url.database in (None, "", ":memory:"):
        raise CheckError("check needs a database file or server: an in-memory SQLite database "
                         "cannot be shared with the crawl process")
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # the driver's own exception types vary
        raise CheckError(f"cannot reach the database {engine.url.render_as_string()}: {exc}") from exc

    ids = [p.id for p in parties]
    with engine.begin() as conn:
        write_parties(conn, [p.as_row() for p in parties])
        run_id = insert_run(conn, "check")
    report(progress, Kind.RUN, f"run {run_id}: crawling {len(ids)} part{'y' if len(ids) == 1 else 'ies'}")

    failures: dict[str, list[dict]] = {pid: [] for pid in ids}
    homepage_errors: dict[str, str] = {}
    skipped: list[dict] = []

    def handle(event: dict) -> None:
        if event.get("event") == "fetch" and not event["ok"]:
            failures.setdefault(event["party"], []).append(
                {"url": event["url"], "error": event["error"], "status": event.get("status", "failed")})
        elif event.get("event") == "page_failed":
            failures.setdefault(event["party"], []).append(
                {"url": event["url"], "error": f"homepage: {event['error']}",
                 "status": event.get("status", "failed")})
            homepage_errors.setdefault(event["party"], event["error"])
        elif event.get("event") == "skipped":
            skipped.append({k: event[k] for k in ("party", "url", "reason")})
        if event.get("event") == "fetch" and event["ok"] and event["new_content"]:
            preparation.new_text_fetched()
        if on_event is not None:
            on_event(event)
        line = _describe_event(event)
        if line and progress is not None:
            progress(line)

    preparation = ScoringPreparation(engine, ids, rubric_text, rubric_name, rubric=rubric,
                                     start_spacy=len(parties) <= OVERLAP_SCORER_MAX_PARTIES)
    started = time.monotonic()
    crawl_process = crawl_process or CrawlProcess(db_url, **(crawl_options or {}))

    def work_sent() -> None:
        if on_work_sent is not None:
            on_work_sent()
        # Only now: a thread loading modules before then would share this process's one
        # interpreter lock with the sending, and delay it.
        preparation.start()

    crawl = crawl_process.run([p.crawl_spec() for p in parties], run_id, on_event=handle,
                              crawl_timeout=crawl_timeout or DEFAULT_CRAWL_TIMEOUT, engine=engine,
                              on_work_sent=work_sent)
    from history.models import RunRow
    from history.store import finish_run

    if crawl.timed_out:
        report(progress, Kind.PROBLEM, f"the crawl was stopped after {crawl.elapsed:.0f} s; scoring what it fetched")
    elif crawl.returncode != 0:
        message = (f"the crawl process failed (exit {crawl.returncode}); nothing was scored.\n"
                   f"{crawl.stderr_tail.strip()}")
        with transaction(engine) as session:
            finish_run(session, session.get(RunRow, run_id), error=message[:2000])
        preparation.join()
        raise CheckError(message)

    from partywatch import archive as archives
    from partywatch.pipeline import queue_notifications, score_parties

    every_party = archive_fallback or archives.fallback_enabled_by_setting()
    fallback_ids = [p.id for p in parties if every_party or p.archive_fallback]
    lookups = []
    if fallback_ids:
        lookups = archives.archive_fallback(engine, run_id=run_id, party_ids=fallback_ids,
                                            archive=archive or archives.WaybackArchive(),
                                            progress=progress)

    report(progress, Kind.SCORING, "scoring")

    try:
        rubric, scorer = preparation.result()
    except RubricError as exc:  # only if scoring.cache vouched for a rubric it should not have
        with transaction(engine) as session:
            finish_run(session, session.get(RunRow, run_id), error=f"rubric: {exc}"[:2000])
        raise CheckError(f"the rubric has errors; nothing was scored:\n{exc}") from exc
    try:
        outcomes = score_parties(engine, run_id=run_id, party_ids=ids, rubric=rubric,
                                 scorer=scorer, progress=progress, homepage_errors=homepage_errors)
    finally:
        preparation.join()  # never leave spaCy half-imported at exit
    queued = queue_notifications(engine, run_id, outcomes)
    reports = []
    with transaction(engine) as session:
        for outcome in outcomes:
            reports.append(_party_report(session, outcome, failures.get(outcome.party_id, [])))
        finish_run(session, session.get(RunRow, run_id),
                   error="crawl timed out" if crawl.timed_out else None)
    unscored = sum(r.reason is not None for r in reports)
    report(progress, Kind.RUN, f"run {run_id} done: {sum(r.changed for r in reports)} scorecard(s) changed, "
                   f"{unscored} part{'y' if unscored == 1 else 'ies'} not scored, "
                   f"{queued} notification(s) queued, "
                   f"{sum(len(r.failures) for r in reports)} fetch failure(s)")
    return CheckReport(run_id=run_id, rubric_version=rubric.version, parties=reports,
                       notifications_queued=queued, crawl_seconds=round(time.monotonic() - started, 2),
                       crawl_timed_out=crawl.timed_out, skipped=skipped,
                       archive_lookups=[lookup.to_dict() for lookup in lookups])

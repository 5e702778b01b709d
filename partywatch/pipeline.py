"""Score stored snapshots, store scorecards and what changed, and queue notifications.

This is where `history` and `scoring` meet: `partywatch check` calls it after a crawl,
`partywatch rescore` after a rubric change. Claims are computed once per (snapshot,
rubric version) and reused from the database after that.

Two rules keep what is published honest:
- No text, no grade: a party without a readable privacy notice (nothing fetched, no
  notice among its documents, or a notice with almost no text) gets no scorecard at all,
  only a "not scored" reason (history.models.NotScoredRow), never an "E 0.0".
- A change is what a reader would call one (Open Terms Archive's snapshot/version split):
  a new snapshot whose extracted text is the same is not a change, so it stores no
  scorecard and notifies no one.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from typing import Iterable, Mapping, Sequence

from sqlalchemy import Engine, Row, select
from sqlalchemy.orm import Session

from history.db import transaction
from history.models import (
    DocumentRow,
    FetchRow,
    PartyRow,
    RubricVersionRow,
    ScorecardRow,
    SnapshotRow,
    utcnow,
)
from history.outbox import queue_message
from history.store import (
    current_snapshots,
    ensure_rubric_version,
    mark_not_scored,
    mark_scored,
    previous_scorecard,
    source_notes,
    store_claims,
    store_scorecard,
    stored_claims,
)
from history.subscriptions import subscribers_of
from partywatch.changes import Change, ChangeKind
from partywatch.outcomes import PartyOutcome, ScorecardSummary
from partywatch.progress import Kind, Reporter, report
from partywatch.spending.element import payees_changed, spending_check
from partywatch.textdiff import same_text, summarise_text_change
from scoring import Claim, DocumentClaims, ExtractionError, Rubric, Scorer, extract_text
from scoring.models import Form

log = logging.getLogger(__name__)

# Documents a party has taken down (404/410) no longer count towards its score; ones that
# merely fail to load (5xx, timeouts), answer with a bot-protection challenge (blocked) or
# with a page that needs JavaScript (unreadable) keep counting with their last good content.
SCORED_DOCUMENT_STATUSES = ("new", "ok", "failed", "blocked", "unreadable")
# Why a document without any good content could not be read, by its status.
_UNREAD_DOCUMENTS = {
    "blocked": "its documents are blocked by bot protection",
    "unreadable": "its documents need JavaScript to show their text",
}

# The document kinds that make a privacy notice. A supplier list or cookie policy on its
# own is not one: the rubric asks what the notice says.
NOTICE_KINDS = ("privacy_notice",)
# Fewer words than this across a party's privacy-notice documents is not a notice we can
# grade. Real parties' notices run from about 400 to 4,000 words; a page that needs
# JavaScript, a "page moved" stub or a bare heading extracts to a few dozen at most.
MIN_NOTICE_WORDS = 150
KIND_WORDS = {"privacy_notice": "privacy notice", "supplier_list": "supplier list",
              "cookie_policy": "cookie policy", "other": "other page"}


def rubric_version_row(session: Session, rubric: Rubric) -> RubricVersionRow:
    return ensure_rubric_version(session, rubric.content_hash, rubric.version, rubric.yaml_text)


def ensure_text(snapshot: SnapshotRow, url: str) -> str | None:
    """The snapshot's extracted text, extracting and storing it the first time."""
    if snapshot.text is None and snapshot.extraction_error is None:
        try:
            snapshot.text = extract_text(snapshot.raw, snapshot.content_type, url)
        except ExtractionError as exc:
            snapshot.extraction_error = str(exc)
    return snapshot.text


def current_text(snapshot: SnapshotRow, url: str) -> str | None:
    """The snapshot's text as this version of partywatch extracts it, for comparing versions.

    A stored text stays as it was first extracted (stored evidence offsets refer to it), so
    two snapshots stored either side of an upgrade that reads pages differently (e-mail links
    now read with their address) would differ in words the party never changed."""
    try:
        return extract_text(snapshot.raw, snapshot.content_type, url)
    except ExtractionError:
        return ensure_text(snapshot, url)


def _claim_from_row(row: Row) -> Claim:
    return Claim(step_id=row.step_id, element_id=row.element_id, credit=row.credit,
                 quote=row.quote, url=row.url, start=row.start, end=row.end, detail=row.detail)


def snapshot_claims(session: Session, scorer: Scorer, rubric_version_id: int,
                    snapshot: SnapshotRow, document: DocumentRow, stored: list[Row] | None) -> list[Claim]:
    """Claims of one snapshot under one rubric: the `stored` ones (history.store
    .stored_claims), or found now and stored, since they are computed once."""
    if stored is not None:
        return [_claim_from_row(row) for row in stored]
    text = ensure_text(snapshot, document.url)
    claims = scorer.claims(text, document.url, document.kind) if text else []
    store_claims(session, snapshot.id, rubric_version_id, [c.to_dict() for c in claims])
    return claims


def _words(text: str | None) -> int:
    return len((text or "").split())


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _nothing_fetched_reason(session: Session, party_id: str, homepage_error: str | None) -> str:
    """Why a party has no document content at all: nothing found, or nothing reachable."""
    documents = session.scalars(select(DocumentRow).where(DocumentRow.party_id == party_id)).all()
    if not documents:
        if homepage_error:
            return f"its website could not be reached (homepage: {homepage_error})"
        return "no privacy notice found on its website"
    if all(d.status == "gone" for d in documents):
        return "its documents are gone (HTTP 404/410)"
    status, error = session.execute(
        select(DocumentRow.status, FetchRow.error).join(DocumentRow, DocumentRow.id == FetchRow.document_id)
        .where(DocumentRow.party_id == party_id, FetchRow.ok.is_(False))
        .order_by(FetchRow.id.desc()).limit(1)).first() or (None, None)
    reason = _UNREAD_DOCUMENTS.get(status, "none of its documents could be fetched")
    return reason + (f" ({error})" if error else "")


def unscorable_reason(session: Session, party_id: str, pairs: Sequence[tuple[DocumentRow, SnapshotRow]],
                      homepage_error: str | None = None) -> str | None:
    """Why the party cannot be scored from `pairs`, or None when it can.

    No text, no grade: scoring a party with no readable privacy notice would publish an
    "E 0.0" that says the party discloses nothing, when we simply have nothing to read.
    `homepage_error` (this run's, if its homepage failed) explains an empty crawl.
    """
    if not pairs:
        return _nothing_fetched_reason(session, party_id, homepage_error)
    notices = [(d, s) for d, s in pairs if d.kind in NOTICE_KINDS]
    if not notices:
        found = sorted({KIND_WORDS.get(d.kind, d.kind) for d, _ in pairs})
        return f"no privacy notice among its documents (found only: {', '.join(found)})"
    words = sum(_words(ensure_text(s, d.url)) for d, s in notices)
    if words >= MIN_NOTICE_WORDS:
        return None
    errors = [s.extraction_error for _, s in notices if s.extraction_error]
    if errors and not words:
        return f"its privacy notice could not be read ({errors[0]})"
    if not words:
        return "its privacy notice page has no text (it may need JavaScript to show it)"
    return (f"its privacy notice has too little text to score "
            f"({_plural(words, 'word')}, fewer than {MIN_NOTICE_WORDS})")


def _score_text(score: float) -> str:
    return f"{score:.1f}"


def diff_scorecards(session: Session, previous: ScorecardRow | None, steps: Sequence[dict],
                    overall: float, grade: str, snapshots: dict[int, tuple[DocumentRow, SnapshotRow]]
                    ) -> list[Change]:
    """What moved since `previous`: overall, steps, elements and documents.

    A document whose new snapshot extracts to the same text (a script, a tracking tag or
    the footer changed) has not changed: a reader would see the same notice.
    """
    if previous is None:
        return []
    changes: list[Change] = []
    if round(previous.overall, 1) != round(overall, 1) or previous.grade != grade:
        changes.append(Change.overall(f"{_score_text(previous.overall)} {previous.grade}",
                                      f"{_score_text(overall)} {grade}"))
    old_steps = {s.step_id: s.score for s in previous.steps}
    old_elements = {(e.step_id, e.element_id): e for e in previous.elements}
    for step in steps:
        old = old_steps.get(step["id"])
        if old is None or round(old, 1) != round(step["score"], 1):
            changes.append(Change.step(step["id"], None if old is None else _score_text(old),
                                       _score_text(step["score"]), step["title"]))
        for element in step["elements"]:
            before = old_elements.get((step["id"], element["id"]))
            labels = (None if before is None else before.credit, element["credit"])
            if labels[0] == labels[1]:  # same credit; from the spending returns, other payees?
                labels = payees_changed(element["credit"], before.detail, element.get("detail"))
            if labels:
                changes.append(Change.element(step["id"], element["id"], *labels))

    old_ids = set(previous.snapshot_ids or [])
    old_by_document: dict[int, SnapshotRow] = {}
    if old_ids:
        for snapshot in session.scalars(select(SnapshotRow).where(SnapshotRow.id.in_(old_ids))):
            old_by_document[snapshot.document_id] = snapshot
    new_by_document = {document.id: (document, snapshot) for document, snapshot in snapshots.values()}
    for document_id, (document, snapshot) in new_by_document.items():
        before = old_by_document.get(document_id)
        if before is None:
            changes.append(Change.document(document.url, "added", document.kind))
        elif before.id != snapshot.id:
            old_text, new_text = current_text(before, document.url), current_text(snapshot, document.url)
            if same_text(old_text, new_text):
                continue  # a new snapshot, not a new version
            summary = summarise_text_change(old_text, new_text)
            changes.append(Change.document(document.url, "changed", summary))
    for document_id, before in old_by_document.items():
        if document_id not in new_by_document:
            document = session.get(DocumentRow, document_id)
            changes.append(Change.document(document.url, "removed", f"status {document.status}"))
    return changes


def score_party_snapshots(session: Session, *, party_id: str, run_id: int, scorer: Scorer,
                          rubric_version_id: int, pairs: Iterable[tuple[DocumentRow, SnapshotRow]],
                          created_at=None, homepage_error: str | None = None) -> PartyOutcome:
    """Score one party's document set; store a scorecard if it differs from the last one.

    A party without a readable privacy notice is not scored: nothing is stored, and the
    outcome carries the reason instead of a scorecard.
    """
    party = session.get(PartyRow, party_id)
    pairs = list(pairs)
    previous = previous_scorecard(session, party_id, rubric_version_id)
    if previous is not None and not previous.snapshot_ids:
        # A grade stored from no documents at all, before "no text, no grade": there is
        # nothing to compare with, so the party's first real scorecard is treated as first.
        previous = None
    reason = unscorable_reason(session, party_id, pairs, homepage_error)
    previous_summary = ScorecardSummary.of(previous) if previous is not None else None
    if reason is not None:
        return PartyOutcome(party_id, party.name, None, previous_summary, False, [], [], reason)
    documents, errors = [], []
    stored = stored_claims(session, [snapshot.id for _, snapshot in pairs], rubric_version_id)
    for document, snapshot in pairs:
        claims = snapshot_claims(session, scorer, rubric_version_id, snapshot, document, stored.get(snapshot.id))
        if snapshot.extraction_error:
            errors.append((document.url, snapshot.extraction_error))
        documents.append(DocumentClaims(url=document.url, kind=document.kind, claims=claims,
                                        snapshot_id=snapshot.id))
    # the spending returns up to the day this scorecard is for (today, or a past run's day)
    spending = spending_check(session, party_id, scorer.rubric, documents, (created_at or utcnow()).date())
    card = scorer.scorecard(documents, spending)
    steps = [step.to_dict(Form.STORED) for step in card.steps]
    snapshots = {snapshot.id: (document, snapshot) for document, snapshot in pairs}
    changes = diff_scorecards(session, previous, steps, card.overall, card.grade, snapshots)
    if previous is not None and not changes:
        return PartyOutcome(party_id, party.name, previous_summary, previous_summary, False, [], errors)
    stored = store_scorecard(
        session, party_id=party_id, run_id=run_id, rubric_version_id=rubric_version_id,
        overall=card.overall, grade=card.grade, steps=steps, snapshot_ids=list(snapshots),
        changes=[change.to_dict() for change in changes],
    )
    if created_at is not None:
        stored.created_at = created_at
    return PartyOutcome(party_id, party.name, ScorecardSummary.of(stored), previous_summary, True, changes, errors)


def score_parties(engine: Engine, *, run_id: int, party_ids: Sequence[str], rubric: Rubric,
                  scorer: Scorer, progress: Reporter | None = None,
                  homepage_errors: Mapping[str, str] | None = None) -> list[PartyOutcome]:
    """Score each party's current documents; one transaction per party.

    Each party's verdict is recorded for the bot and the report: scored (its latest
    scorecard is its grade) or not scored, with the reason. `homepage_errors` are this
    run's failed homepages by party id, which explain a crawl that found nothing.
    """
    outcomes = []
    for party_id in party_ids:
        with transaction(engine) as session:
            version = rubric_version_row(session, rubric)
            pairs = [(d, s) for d, s in current_snapshots(session, party_id)
                     if d.status in SCORED_DOCUMENT_STATUSES]
            outcome = score_party_snapshots(session, party_id=party_id, run_id=run_id,
                                            scorer=scorer, rubric_version_id=version.id,
                                            pairs=pairs,
                                            homepage_error=(homepage_errors or {}).get(party_id))
            if outcome.scored:
                mark_scored(session, party_id)
            else:
                mark_not_scored(session, party_id, outcome.reason, run_id)
            outcomes.append(outcome)
        report(progress, Kind.SCORED, _describe_outcome(outcome))
    return outcomes


def _describe_outcome(outcome: PartyOutcome) -> str:
    if not outcome.scored:
        return f"not scored {outcome.party_id}: {outcome.reason}"
    state = "changed" if outcome.changed else "unchanged"
    return (f"scored {outcome.party_id}: {outcome.scorecard.grade} "
            f"{outcome.scorecard.overall:.1f} ({state})")


def notification_entry(outcome: PartyOutcome) -> dict:
    """The outbox payload's entry for one party (see the bot's renderer)."""
    card, previous = outcome.scorecard, outcome.previous
    titles = {step_id: title for step_id, title, _ in card.steps}
    old_steps = {step_id: score for step_id, _, score in previous.steps}
    new_steps = {step_id: score for step_id, _, score in card.steps}
    return {
        "party": outcome.party_id,
        "name": outcome.name,
        "scorecard_id": card.id,
        "old": {"overall": round(previous.overall, 1), "grade": previous.grade},
        "new": {"overall": round(card.overall, 1), "grade": card.grade},
        "steps": [{"id": c.step_id, "title": titles.get(c.step_id, c.step_id),
                   "old": old_steps.get(c.step_id), "new": new_steps[c.step_id]}
                  for c in outcome.changes if c.kind is ChangeKind.STEP],
        "elements": [{"step": c.step_id, "element": c.element_id, "old": c.old, "new": c.new}
                     for c in outcome.changes if c.kind is ChangeKind.ELEMENT],
        "documents": [{"url": c.url, "change": c.new, "summary": c.summary}
                      for c in outcome.changes if c.kind is ChangeKind.DOCUMENT],
    }


def queue_notifications(engine: Engine, run_id: int, outcomes: Iterable[PartyOutcome]) -> int:
    """Queue one message per subscriber for this run, covering every party they follow
    whose scorecard changed. Returns how many messages were queued."""
    changed = [o for o in outcomes if o.scored and o.changed and o.previous is not None]
    if not changed:
        return 0
    queued = 0
    with transaction(engine) as session:
        per_chat: dict[int, list[dict]] = defaultdict(list)
        for outcome in changed:
            entry = notification_entry(outcome)
            entry["sources"] = [{"url": url, "note": note} for url, note
                                in source_notes(session, outcome.scorecard.snapshot_ids)]
            for chat_id in subscribers_of(session, outcome.party_id):
                per_chat[chat_id].append(entry)
        for chat_id, entries in per_chat.items():
            message = queue_message(
                session, idempotency_key=f"run:{run_id}:chat:{chat_id}", chat_id=chat_id,
                run_id=run_id, payload={"type": "scorecard_change", "run_id": run_id,
                                        "parties": entries},
            )
            queued += message is not None
    return queued


def rescore_history(engine: Engine, *, run_id: int, rubric: Rubric, scorer: Scorer,
                    progress: Reporter | None = None) -> list[PartyOutcome]:
    """Re-apply `rubric` to every stored party state, oldest first, then to the current one.

    Each past check run that produced a scorecard under any rubric version gets its
    counterpart under this one (same run, same time, same snapshots), so a party's history
    stays comparable across a rubric change. Runs already scored under this rubric are
    skipped, and so is every (snapshot, rubric) pair already scored.
    """
    with transaction(engine) as session:
        version_id = rubric_version_row(session, rubric).id
        party_ids = list(session.scalars(select(PartyRow.id).order_by(PartyRow.id)))
    outcomes = []
    for party_id in party_ids:
        with transaction(engine) as session:
            cards = session.scalars(
                select(ScorecardRow).where(ScorecardRow.party_id == party_id)
                .order_by(ScorecardRow.created_at, ScorecardRow.id)
            ).all()
            done_runs = {c.run_id for c in cards if c.rubric_version_id == version_id}
            past_states: dict[int, ScorecardRow] = {}
            for card in cards:
                if card.run_id not in done_runs:
                    past_states.setdefault(card.run_id, card)
            for card in past_states.values():
                snapshots = session.scalars(
                    select(SnapshotRow).where(SnapshotRow.id.in_(card.snapshot_ids or []))
                ).all()
                pairs = [(snapshot.document, snapshot) for snapshot in snapshots]
                score_party_snapshots(session, party_id=party_id, run_id=card.run_id,
                                      scorer=scorer, rubric_version_id=version_id, pairs=pairs,
                                      created_at=card.created_at)
        outcomes.extend(score_parties(engine, run_id=run_id, party_ids=[party_id],
                                      rubric=rubric, scorer=scorer, progress=progress))
    return outcomes

"""Atom feeds of scorecard changes: one for all parties, one per party (feedgen).

An entry is a scorecard that changed from the party's previous one of the same rubric
version (it has ScorecardChange rows): old → new grade and overall score, each step that
moved, the answers that changed with links to the quoted evidence on its version page,
and the documents that changed with links to their diff pages. A party's first scorecard
and a rescore under a new rubric are not changes, so they make no entry.

Links are absolute under --base-url when the report is given one (what a feed reader
needs); otherwise relative to the feed file.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from feedgen.feed import FeedGenerator
from jinja2 import Environment
from sqlalchemy import exists, select
from sqlalchemy.orm import Session, selectinload

from history import store
from history.models import DocumentRow, ScorecardChangeRow, ScorecardRow, SnapshotRow
from history.permalinks import evidence_path, feed_path, page_name, published_url
from partywatch.changes import Change, ChangeKind
from partywatch.report.versions import Marks

# A feed carries the latest changes; older ones stay in the report's history tables.
ENTRIES_PER_FEED = 100
FEED_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://partywatch/feeds")


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment


@dataclass
class EvidenceLink:
    quote: str
    path: str | None  # the version page and anchor, relative to the site root
    live_url: str
    fetched_at: datetime | None


@dataclass
class AnswerChange:
    step_title: str
    element_id: str
    old: str | None
    new: str | None
    evidence: list[EvidenceLink] = field(default_factory=list)
    was: list[EvidenceLink] = field(default_factory=list)  # the quotes before, when it lost them


@dataclass
class DocumentChange:
    url: str
    change: str
    summary: str | None
    version_path: str | None


@dataclass
class Entry:
    card: ScorecardRow
    party_name: str
    old_grade: str | None
    old_overall: float | None
    steps: list[tuple[str, float | None, float | None]]  # title, old, new
    answers: list[AnswerChange]
    documents: list[DocumentChange]

    @property
    def title(self) -> str:
        old = f"{self.old_grade} {self.old_overall:.0f}" if self.old_grade is not None else "–"
        return f"{self.party_name}: {old} → {self.card.grade} {self.card.overall:.0f}"


def _number(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


class FeedBuilder:
    """Collects the feed entries (and the evidence they link to), then writes the feeds."""

    def __init__(self, session: Session, party_names: dict[str, str], marks: Marks) -> None:
        self.session = session
        self.party_names = party_names
        self.marks = marks
        self.snapshots: dict[int, tuple[str, datetime]] = {}  # id -> (document URL, fetched_at)

    def _snapshot(self, snapshot_id) -> tuple[str, datetime] | None:
        if not isinstance(snapshot_id, int):
            return None
        if snapshot_id not in self.snapshots:
            row = self.session.execute(select(DocumentRow.url, SnapshotRow.fetched_at)
                                       .join(DocumentRow, DocumentRow.id == SnapshotRow.document_id)
                                       .where(SnapshotRow.id == snapshot_id)).first()
            if row is None:
                return None
            self.snapshots[snapshot_id] = tuple(row)
        return self.snapshots[snapshot_id]

    def _evidence(self, items, answer: str) -> list[EvidenceLink]:
        links = []
        for item in items or []:
            snapshot = self._snapshot(item.get("snapshot_id"))
            path = evidence_path(item.get("snapshot_id"), item.get("start"), item.get("end")) if snapshot else None
            if path:
                self.marks.add(item.get("snapshot_id"), item.get("start"), item.get("end"),
                               item.get("quote", ""), answer)
            links.append(EvidenceLink(item.get("quote", ""), path, item.get("url", ""),
                                      snapshot[1] if snapshot else None))
        return links

    def changed_scorecards(self, party_id: str | None) -> list[ScorecardRow]:
        changed = exists(select(ScorecardChangeRow.id).where(ScorecardChangeRow.scorecard_id == ScorecardRow.id))
        query = select(ScorecardRow).where(changed)
        if party_id is not None:
            query = query.where(ScorecardRow.party_id == party_id)
        query = query.order_by(ScorecardRow.created_at.desc(), ScorecardRow.id.desc()).limit(ENTRIES_PER_FEED)
        query = query.options(selectinload(ScorecardRow.steps), selectinload(ScorecardRow.elements),
                              selectinload(ScorecardRow.changes))
        return list(self.session.scalars(query))

    def entry(self, card: ScorecardRow) -> Entry:
        previous = store.previous_scorecard(self.session, card.party_id, card.rubric_version_id,
                                            before_id=card.id)
        titles = {step.step_id: step.title for step in card.steps}
        elements = {(e.step_id, e.element_id): e for e in card.elements}
        old_elements = {(e.step_id, e.element_id): e for e in previous.elements} if previous else {}
        steps, answers, documents = [], [], []
        for change in map(Change.from_row, card.changes):
            if change.kind is ChangeKind.STEP:
                steps.append((titles.get(change.step_id, change.step_id), _number(change.old),
                              _number(change.new)))
            elif change.kind is ChangeKind.ELEMENT:
                key = (change.step_id, change.element_id)
                now, before = elements.get(key), old_elements.get(key)
                answers.append(AnswerChange(
                    titles.get(change.step_id, change.step_id), change.element_id, change.old, change.new,
                    self._evidence(now.evidence if now else [], f"{change.subject}: {change.new}"),
                    self._evidence(before.evidence if before and not (now and now.evidence) else [],
                                   f"{change.subject}: {change.old}")))
            elif change.kind is ChangeKind.DOCUMENT:
                documents.append(DocumentChange(change.url, change.new or "", change.summary,
                                                self._document_version(card, change.url)))
        return Entry(card, self.party_names.get(card.party_id, card.party_id),
                     previous.grade if previous else None, previous.overall if previous else None,
                     steps, answers, documents)

    def _document_version(self, card: ScorecardRow, url: str) -> str | None:
        """The version page of the document at `url` this scorecard was computed from."""
        for snapshot_id in card.snapshot_ids or []:
            snapshot = self._snapshot(snapshot_id)
            if snapshot is not None and snapshot[0] == url:
                return evidence_path(snapshot_id, None, None)
        return None


def write_feed(path: Path, entries: list[Entry], *, env: Environment, title: str, subtitle: str,
               page: str, site_url: str | None, diffs: dict[int, str], generated_at: datetime) -> None:
    """One Atom file; `page` is the HTML page the feed belongs to (site-root relative)."""
    feed_rel = path.parent.name + "/" + path.name

    def href(site_path: str) -> str:
        return published_url(site_url, site_path) if site_url else "../" + site_path

    generator = FeedGenerator()
    generator.id(uuid.uuid5(FEED_NAMESPACE, feed_rel).urn)
    generator.title(title)
    generator.subtitle(subtitle)
    generator.author({"name": "partywatch"})
    generator.link(href=href(feed_rel), rel="self", type="application/atom+xml")
    generator.link(href=href(page), rel="alternate", type="text/html")
    generator.language("en")
    generator.generator("partywatch")
    generator.updated(_utc(max((e.card.created_at for e in entries), default=generated_at)))
    template = env.get_template("feed_entry.html.j2")
    for entry in reversed(entries):  # feedgen prepends: newest ends up first
        item = generator.add_entry()
        card = entry.card
        item.id(uuid.uuid5(FEED_NAMESPACE, f"scorecard/{card.party_id}/{card.id}").urn)
        item.title(entry.title)
        item.link(href=href(f"parties/{page_name(card.party_id)}.html"), rel="alternate", type="text/html")
        item.published(_utc(card.created_at))
        item.updated(_utc(card.created_at))
        item.content(template.render(entry=entry, href=href, diffs=diffs), type="html")
    path.parent.mkdir(parents=True, exist_ok=True)
    generator.atom_file(str(path), pretty=True)


def feed_links(party_id: str | None, party_name: str | None = None) -> list[tuple[str, str]]:
    """The feeds a page advertises: all parties, and its party's when it has one."""
    links = [("Scorecard changes, all parties", feed_path())]
    if party_id is not None:
        links.append((f"Scorecard changes, {party_name or party_id}", feed_path(party_id)))
    return links

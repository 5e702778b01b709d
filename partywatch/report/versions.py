"""The report's evidence permalinks: a page per stored version of every document, and a
diff page between consecutive versions.

A version page shows the snapshot's extracted text (the text claims' offsets refer to)
with every quoted sentence highlighted and anchored by its offsets, so evidence linked
from a scorecard, a feed or the bot still shows the sentence after the party changes or
deletes its page. A snapshot whose bytes changed but whose text did not (a new footer
script) gets a page too, which points to the version whose text it repeats.

Text goes into the page only through markupsafe.escape (or Jinja2's autoescaping).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable, Iterable

from jinja2 import Environment
from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import Session

from history.models import ClaimRow, DocumentRow, PartyRow, SnapshotRow
from history.permalinks import diff_path, quote_anchor, version_path
from partywatch.textdiff import Hunk, same_text, sentence_diff

# Unchanged runs longer than this on a diff page are folded, keeping a sentence either side.
CONTEXT_SENTENCES = 1


@dataclass
class Mark:
    """A quoted sentence on a version: its offsets, the stored quote and what it answered."""

    start: int
    end: int
    quote: str
    answers: set[str] = field(default_factory=set)  # "retention/periods: full"

    @property
    def anchor(self) -> str:
        return quote_anchor(self.start, self.end)


class Marks:
    """The sentences to highlight, per snapshot id, collected from claims and evidence."""

    def __init__(self) -> None:
        self.by_snapshot: dict[int, dict[tuple[int, int], Mark]] = defaultdict(dict)

    def add(self, snapshot_id: int | None, start: int | None, end: int | None, quote: str,
            answer: str | None = None) -> None:
        if snapshot_id is None or start is None or end is None:
            return
        mark = self.by_snapshot[int(snapshot_id)].setdefault(
            (int(start), int(end)), Mark(int(start), int(end), quote or ""))
        if answer:
            mark.answers.add(answer)

    def add_claims(self, session: Session) -> None:
        """Every claim ever found on a stored snapshot, under any rubric version."""
        rows = session.execute(select(ClaimRow.snapshot_id, ClaimRow.start, ClaimRow.end, ClaimRow.quote,
                                      ClaimRow.step_id, ClaimRow.element_id, ClaimRow.credit))
        for snapshot_id, start, end, quote, step_id, element_id, credit in rows:
            self.add(snapshot_id, start, end, quote, f"{step_id}/{element_id}: {credit}")

    def of(self, snapshot_id: int) -> list[Mark]:
        return sorted(self.by_snapshot.get(snapshot_id, {}).values(), key=lambda m: (m.start, m.end))


def fits(mark: Mark, text: str) -> bool:
    """Whether the mark's offsets hold its quote in this text (spacing aside); a quote
    whose offsets do not is listed on the page, never highlighted on the wrong words."""
    if not 0 <= mark.start < mark.end <= len(text):
        return False
    return not mark.quote or " ".join(mark.quote.split()) == " ".join(text[mark.start:mark.end].split())


def highlight(text: str, marks: Iterable[Mark]) -> Markup:
    """The text, escaped, with each mark's span in <mark> and an element id'd by its anchor.

    Overlapping quotes share one <mark> (HTML elements cannot overlap); each quote after
    the first gets an empty anchor at its own start, so every link lands on its sentence.
    """
    spans = sorted((m for m in marks if fits(m, text)), key=lambda m: (m.start, -m.end))
    out: list[str] = []
    position = 0
    index = 0
    while index < len(spans):
        cluster = [spans[index]]
        cluster_end = spans[index].end
        index += 1
        while index < len(spans) and spans[index].start < cluster_end:
            cluster_end = max(cluster_end, spans[index].end)
            cluster.append(spans[index])
            index += 1
        first = cluster[0]
        out.append(escape(text[position:first.start]))
        out.append(Markup('<mark id="{}">').format(first.anchor))
        inside = first.start
        for mark in cluster[1:]:
            out.append(escape(text[inside:mark.start]))
            out.append(Markup('<span class="anchor" id="{}"></span>').format(mark.anchor))
            inside = mark.start
        out.append(escape(text[inside:cluster_end]))
        out.append(Markup("</mark>"))
        position = cluster_end
    out.append(escape(text[position:]))
    return Markup("").join(out)


@dataclass
class Version:
    """One stored snapshot of a document and its place among the document's versions."""

    id: int
    fetched_at: datetime
    content_hash: str
    content_type: str
    size: int
    extraction_error: str | None
    text: str | None
    same_text_as: int | None = None   # the earlier snapshot whose text this one repeats
    previous: int | None = None       # the previous version with a different text
    next: int | None = None           # the next version with a different text

    @property
    def page(self) -> str:
        return version_path(self.id)


def document_versions(session: Session, document_id: int) -> list[Version]:
    """A document's snapshots oldest first, each placed in its chain of distinct texts."""
    rows = session.execute(
        select(SnapshotRow.id, SnapshotRow.fetched_at, SnapshotRow.content_hash, SnapshotRow.content_type,
               SnapshotRow.size, SnapshotRow.extraction_error, SnapshotRow.text)
        .where(SnapshotRow.document_id == document_id).order_by(SnapshotRow.fetched_at, SnapshotRow.id))
    versions = [Version(*row) for row in rows]
    latest: Version | None = None  # the latest snapshot that started a new text
    for version in versions:
        if version.text is None:
            continue
        if latest is not None and same_text(latest.text, version.text):
            version.same_text_as = latest.id
            continue
        if latest is not None:
            version.previous, latest.next = latest.id, version.id
        latest = version
    return versions


@dataclass
class FoldedHunk:
    """A diff hunk as shown: unchanged runs keep a sentence either side and count the rest."""

    hunk: Hunk
    head: tuple[str, ...] = ()
    folded: int = 0
    tail: tuple[str, ...] = ()


def fold(hunks: list[Hunk]) -> list[FoldedHunk]:
    shown = []
    for hunk in hunks:
        if hunk.kind != "same" or len(hunk.same) <= 2 * CONTEXT_SENTENCES + 1:
            shown.append(FoldedHunk(hunk, head=hunk.same))
            continue
        shown.append(FoldedHunk(hunk, head=hunk.same[:CONTEXT_SENTENCES],
                                folded=len(hunk.same) - 2 * CONTEXT_SENTENCES,
                                tail=hunk.same[-CONTEXT_SENTENCES:]))
    return shown


@dataclass
class VersionPages:
    """What build_version_pages wrote, by snapshot id and by (old, new) pair."""

    versions: dict[int, str] = field(default_factory=dict)
    diffs: dict[tuple[int, int], str] = field(default_factory=dict)


def build_version_pages(session: Session, env: Environment, out, marks: Marks, *,
                        generated_at: datetime, feeds_for: Callable[[str], list[tuple[str, str]]]
                        ) -> VersionPages:
    """Write versions/<snapshot>.html for every stored snapshot and diffs/<old>-<new>.html
    between consecutive versions. Texts are read one document at a time."""
    (out / "versions").mkdir(parents=True, exist_ok=True)
    (out / "diffs").mkdir(exist_ok=True)
    written = VersionPages()
    party_names = dict(session.execute(select(PartyRow.id, PartyRow.name)).all())
    documents = session.execute(select(DocumentRow.id, DocumentRow.party_id, DocumentRow.url, DocumentRow.kind)
                                .order_by(DocumentRow.party_id, DocumentRow.url)).all()
    version_template = env.get_template("version.html.j2")
    diff_template = env.get_template("diff.html.j2")
    for document_id, party_id, url, kind in documents:
        versions = document_versions(session, document_id)
        by_id = {v.id: v for v in versions}
        common = dict(root="../", generated_at=generated_at, url=url, kind=kind, party_id=party_id,
                      party_name=party_names.get(party_id, party_id), versions=versions,
                      feeds=feeds_for(party_id))
        for version in versions:
            marks_here = marks.of(version.id)
            text = version.text or ""
            page = out / version.page
            page.write_text(version_template.render(
                title=f"{common['party_name']}: {url} as fetched {version.fetched_at:%d %b %Y}",
                version=version, by_id=by_id,
                marked_text=highlight(text, marks_here) if version.text is not None else None,
                marks=marks_here, fits=lambda mark: fits(mark, text),
                diff=diff_path(version.previous, version.id) if version.previous else None,
                **common), encoding="utf-8")
            written.versions[version.id] = version.page
            if version.previous is not None:
                old = by_id[version.previous]
                path = diff_path(old.id, version.id)
                hunks = sentence_diff(old.text, version.text)
                (out / path).write_text(diff_template.render(
                    title=f"{common['party_name']}: what changed in {url} on {version.fetched_at:%d %b %Y}",
                    old=old, new=version, hunks=fold(hunks),
                    added=sum(len(h.added) for h in hunks), removed=sum(len(h.removed) for h in hunks),
                    **common), encoding="utf-8")
                written.diffs[(old.id, version.id)] = path
    return written

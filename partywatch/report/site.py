"""Write the static scorecard site: a league table, a page per party, a page per stored
version of every document with diffs between them (partywatch.report.versions), and Atom
feeds of scorecard changes (partywatch.report.feeds).

Every quote links to the version page it was quoted from (history.permalinks), so the
evidence outlives the live page. Plain HTML and one stylesheet, relative links only, charts as PNG files with alt text and
the same numbers in a table: the folder opens from disk (file://) with no server, and
nothing needs JavaScript. Every quote is escaped by Jinja2's autoescaping; evidence links
are only made for http(s) URLs.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape
from sqlalchemy import Engine, select

from history import store
from history.db import session_factory
from history.models import DocumentRow, PartyRow, RubricVersionRow, SnapshotRow
from history.permalinks import evidence_path, feed_path, page_name, version_path
from history.research import party_history, step_changes
from history.spending import has_spending, paid_not_named
from partywatch.report.charts import describe_history, plot_history
from partywatch.report.feeds import Entry, FeedBuilder, feed_links, write_feed
from partywatch.report.versions import Marks, build_version_pages
from partywatch.spending.gaps import data_categories, party_gaps
from partywatch.spending.names import SupplierMatcher, load_aliases
from scoring.models import Credit

TEMPLATES = Path(__file__).resolve().parent / "templates"
CREDIT_LABELS = {Credit.FULL: "Full", Credit.PARTIAL: "Partial", Credit.NONE: "None found",
                 Credit.NOT_APPLICABLE: "N/A"}


def safe_url(url: str | None) -> str | None:
    """The URL if it is http(s), else None: a javascript: link in evidence must not be clickable."""
    if not url:
        return None
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return None
    return url if scheme in ("http", "https") else None


def _environment() -> Environment:
    env = Environment(loader=PackageLoader("partywatch.report", "templates"), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["safe_url"] = safe_url
    # Let narrow column headers break only after a hyphen ("data-/sources").
    env.filters["hyphen_breaks"] = lambda value: Markup(str(escape(value)).replace("-", "-<wbr>"))
    env.filters["score"] = lambda value: "–" if value is None else f"{value:.0f}"
    env.filters["date"] = lambda value: value.strftime("%d %b %Y") if value else "–"
    env.filters["credit_label"] = lambda credit: CREDIT_LABELS.get(credit, credit)
    env.filters["css_class"] = lambda value: re.sub(r"[^a-z0-9]+", "-", str(value).lower()).strip("-")
    env.filters["paid_not_named"] = paid_not_named
    return env


@dataclass
class SiteResult:
    out_dir: Path
    index: Path
    party_pages: dict[str, Path] = field(default_factory=dict)
    charts: dict[str, Path] = field(default_factory=dict)
    version_pages: dict[int, Path] = field(default_factory=dict)
    diff_pages: dict[tuple[int, int], Path] = field(default_factory=dict)
    feeds: dict[str | None, Path] = field(default_factory=dict)  # None: all parties
    feed_entries: dict[str | None, int] = field(default_factory=dict)


def build_site(engine: Engine, out_dir: Path | str, *, site_url: str | None = None,
               progress: Callable[[str], None] | None = None) -> SiteResult:
    """Write index.html, parties/<id>.html, charts/<id>.png, style.css, a page per stored
    version of every document (versions/), diffs between versions (diffs/) and Atom feeds
    (feeds/) into `out_dir`. `site_url` is where the site is published: feeds need
    absolute links."""
    out = Path(out_dir)
    (out / "parties").mkdir(parents=True, exist_ok=True)
    (out / "charts").mkdir(exist_ok=True)
    shutil.copyfile(TEMPLATES / "style.css", out / "style.css")
    env = _environment()
    generated_at = datetime.now(timezone.utc)
    result = SiteResult(out, out / "index.html")
    marks = Marks()

    with session_factory(engine)() as session:
        parties = list(session.scalars(select(PartyRow).order_by(PartyRow.id)))
        party_names = {p.id: p.name for p in parties}
        # A party the latest check could not score has no grade here, whatever it scored
        # before: its older scorecards are history, not its standing.
        not_scored = store.not_scored_reasons(session)
        cards = {card.party_id: card for card in store.latest_scorecards(session)
                 if card.party_id not in not_scored}
        rubric_names = dict(session.execute(
            select(RubricVersionRow.id, RubricVersionRow.version)).all())
        # Spending returns beside named suppliers, in each rubric version's data categories.
        matcher = SupplierMatcher(load_aliases()) if has_spending(session) else None
        categories: dict[int, list[str]] = {}
        documents: dict[str, list[DocumentRow]] = {}
        for document in session.scalars(select(DocumentRow).order_by(DocumentRow.party_id, DocumentRow.url)):
            documents.setdefault(document.party_id, []).append(document)
        fetched_at: dict[int, datetime] = {}
        latest_version: dict[int, str] = {}  # document id -> its newest stored version's page
        for snapshot_id, document_id, fetched in session.execute(
                select(SnapshotRow.id, SnapshotRow.document_id, SnapshotRow.fetched_at)
                .order_by(SnapshotRow.fetched_at, SnapshotRow.id)):
            fetched_at[snapshot_id] = fetched
            latest_version[document_id] = version_path(snapshot_id)
        conn = session.connection()
        marks.add_claims(session)

        def stored_copy(quote: dict, answer: str) -> tuple[str, datetime] | None:
            """The version page of a quote (and its fetch date), noting the sentence to mark."""
            snapshot_id = quote.get("snapshot_id")
            if snapshot_id not in fetched_at:
                return None
            marks.add(snapshot_id, quote.get("start"), quote.get("end"), quote.get("quote", ""), answer)
            return evidence_path(snapshot_id, quote.get("start"), quote.get("end")), fetched_at[snapshot_id]

        steps: list[tuple[str, str]] = []
        for card in cards.values():
            if len(card.steps) > len(steps):
                steps = [(s.step_id, s.title) for s in card.steps]
        ranked = sorted((p for p in parties if p.id in cards),
                        key=lambda p: (-cards[p.id].overall, p.name.lower()))
        unscored = [{"party": p, "reason": not_scored.get(p.id)} for p in parties if p.id not in cards]
        versions_in_table = sorted({rubric_names[c.rubric_version_id] for c in cards.values()})

        rows = []
        for rank, party in enumerate(ranked, start=1):
            card = cards[party.id]
            rows.append({"rank": rank, "party": party, "card": card, "page": f"parties/{page_name(party.id)}.html",
                         "rubric_version": rubric_names[card.rubric_version_id],
                         "scores": {s.step_id: s.score for s in card.steps}})

        for party in ranked:
            if progress:
                progress(party.id)
            card = cards[party.id]
            history = party_history(conn, party.id, card.rubric_version_id)
            chart = out / "charts" / f"{page_name(party.id)}.png"
            plot_history(history, chart)
            result.charts[party.id] = chart
            elements_by_step: dict[str, list] = {}
            for element in card.elements:
                elements_by_step.setdefault(element.step_id, []).append(element)
            spending = None
            if matcher is not None and has_spending(session, party.id):
                if card.rubric_version_id not in categories:
                    yaml_text = session.scalar(select(RubricVersionRow.yaml_text)
                                               .where(RubricVersionRow.id == card.rubric_version_id))
                    categories[card.rubric_version_id] = data_categories(yaml_text)
                spending = party_gaps(session, party.id, categories[card.rubric_version_id], matcher)
            page = out / "parties" / f"{page_name(party.id)}.html"
            page.write_text(env.get_template("party.html.j2").render(
                title=party.name, root="../", generated_at=generated_at, party=party, card=card,
                feeds=feed_links(party.id, party.name),
                rubric_version=rubric_names[card.rubric_version_id],
                steps=card.steps, elements_by_step=elements_by_step, stored_copy=stored_copy,
                chart=f"../charts/{chart.name}", chart_alt=describe_history(history),
                history=history, recent_points=list(reversed(history.points[-30:])),
                changes=step_changes(conn, party.id, limit=30),
                documents=documents.get(party.id, []), latest_version=latest_version,
                source_notes=dict(store.source_notes(session, card.snapshot_ids)), spending=spending,
            ), encoding="utf-8")
            result.party_pages[party.id] = page

        result.index.write_text(env.get_template("index.html.j2").render(
            title="Party data transparency scorecards", root="", generated_at=generated_at,
            feeds=feed_links(None), rows=rows, steps=steps, unscored=unscored, versions=versions_in_table,
        ), encoding="utf-8")

        # Feed entries first: the evidence they link to must be marked on the version pages.
        builder = FeedBuilder(session, party_names, marks)
        entries: dict[int, Entry] = {}
        feeds: dict[str | None, list[Entry]] = {}
        for party_id in [None, *party_names]:
            feeds[party_id] = []
            for card in builder.changed_scorecards(party_id):
                if card.id not in entries:  # the all-parties feed already made most of them
                    entries[card.id] = builder.entry(card)
                feeds[party_id].append(entries[card.id])

        if progress:
            progress("the stored versions of every document")
        pages = build_version_pages(session, env, out, marks, generated_at=generated_at,
                                    feeds_for=lambda party_id: feed_links(party_id, party_names.get(party_id)))
        result.version_pages = {sid: out / path for sid, path in pages.versions.items()}
        result.diff_pages = {pair: out / path for pair, path in pages.diffs.items()}
        diffs_by_version = {version_path(new): path for (_old, new), path in pages.diffs.items()}

        for party_id, party_entries in feeds.items():
            path = out / feed_path(party_id)
            name = "all parties" if party_id is None else party_names[party_id]
            page = "index.html" if party_id is None else f"parties/{page_name(party_id)}.html"
            if party_id is not None and party_id not in cards:
                page = "index.html"  # an unscored party has no page of its own
            write_feed(path, party_entries, env=env, title=f"partywatch: scorecard changes, {name}",
                       subtitle="A new entry each time a scorecard changes: grade, score, the steps "
                                "that moved and links to the quoted evidence.",
                       page=page, site_url=site_url, diffs=diffs_by_version, generated_at=generated_at)
            result.feeds[party_id] = path
            result.feed_entries[party_id] = len(party_entries)
    return result

"""Evidence that outlives the page: version pages, diff pages and Atom feeds of the report.

The history here is made by the real pipeline (extraction, spaCy scoring, scorecards only
on change) from a party whose privacy notice changes twice: the retention sentence is
re-worded, then the data-rights sentence is deleted. Quotes keep pointing at the version
they were quoted from.
"""

import shutil
from datetime import timezone
from html.parser import HTMLParser
from pathlib import Path

import feedparser
import pytest
from click.testing import CliRunner
from sqlalchemy import exists, select

from helpers.report_pages import CHROMIUM, assert_screenshot, chromium, parse
from helpers.sites import ABOUT_THE_PARTY
from history.db import transaction
from history.models import ScorecardChangeRow, ScorecardRow, SnapshotRow
from history.permalinks import evidence_path
from history.store import get_or_create_document, record_fetch, start_run, sync_parties
from partywatch.commands.report import command as report_command
from partywatch.paths import REPO_ROOT
from partywatch.pipeline import score_parties
from scoring import Scorer, load_rubric

BASE_URL = "https://watch.example.org/partywatch/"
RETENTION_V1 = ("We keep canvassing records <script>alert(1)</script> for two years after each "
                "general election and then delete them.")
RETENTION_V2 = "We keep canvassing records for five years after each general election and then delete them."
RIGHTS = ("You have the right to access your personal data and to complain to the Information "
          "Commissioner's Office (ICO).")


def notice(retention: str, rights: bool = True) -> bytes:
    escaped = retention.replace("<", "&lt;").replace(">", "&gt;")
    return (
        "<html><body><main><h1>Privacy notice</h1>"
        "<p>We get your name and address from the electoral register and from canvassing on the doorstep.</p>"
        "<p>We do not buy data from data brokers or other commercial sources.</p>"
        f"<p>{escaped}</p>"
        + (f"<p>{RIGHTS}</p>" if rights else "")
        + "<p>Our Data Protection Officer can be contacted at dpo@example.org.</p>"
        + ABOUT_THE_PARTY + "</main></body></html>").encode()


PARTIES = [{"id": "alpha", "name": "Alpha Party", "jurisdiction": "GB", "homepage": "http://alpha.test/"},
           {"id": "beta", "name": "Beta Party", "jurisdiction": "GB", "homepage": "http://beta.test/"}]
# Three checks: alpha re-words its retention sentence, then drops its rights sentence;
# beta adds the rights sentence in the last check.
CHECKS = [
    {"alpha": notice(RETENTION_V1), "beta": notice(RETENTION_V2, rights=False)},
    {"alpha": notice(RETENTION_V2), "beta": notice(RETENTION_V2, rights=False)},
    {"alpha": notice(RETENTION_V2, rights=False), "beta": notice(RETENTION_V2)},
]


@pytest.fixture(scope="module")
def scorer():
    return Scorer(load_rubric(REPO_ROOT / "rubric.yaml"))


@pytest.fixture
def history(engine, scorer):
    for contents in CHECKS:
        with transaction(engine) as session:
            sync_parties(session, PARTIES)
            run_id = start_run(session, "check").id
            for party_id, raw in contents.items():
                document = get_or_create_document(session, party_id, f"http://{party_id}.test/privacy",
                                                  "privacy_notice")
                record_fetch(session, document, run_id=run_id, http_status=200, raw=raw,
                             content_type="text/html; charset=utf-8")
        score_parties(engine, run_id=run_id, party_ids=sorted(contents), rubric=scorer.rubric, scorer=scorer)
    return engine


def build(database_url, out: Path, *extra: str):
    result = CliRunner().invoke(report_command, ["--db", database_url, "--out", str(out), *extra])
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def site(history, database_url, tmp_path):
    out = tmp_path / "site"
    result = build(database_url, out, "--base-url", BASE_URL.rstrip("/"))
    assert "Wrote 2 party page(s)" in result.output
    return out


def cards(engine, party_id: str) -> list[ScorecardRow]:
    with transaction(engine) as session:
        found = list(session.scalars(select(ScorecardRow).where(ScorecardRow.party_id == party_id)
                                     .order_by(ScorecardRow.id)))
        for card in found:
            card.elements, card.changes, card.steps  # load them before the session closes
        return found


def evidence_of(card: ScorecardRow, step_id: str, containing: str) -> dict:
    return next(item for element in card.elements if element.step_id == step_id
                for item in element.evidence if containing in item["quote"])


class DocText(HTMLParser):
    """The version page's text box as plain text, and where each <mark> (or anchor) starts."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.inside = 0
        self.text = ""
        self.anchors: dict[str, int] = {}
        self.marks: list[tuple[str, int, int]] = []  # id, start, end in self.text
        self.open_mark: tuple[str, int] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "div" and attrs.get("class") == "doc-text":
            self.inside = 1
        elif self.inside:
            assert tag in ("mark", "span"), f"unexpected <{tag}> in the text"
            self.anchors[attrs["id"]] = len(self.text)
            if tag == "mark":
                self.open_mark = (attrs["id"], len(self.text))

    def handle_endtag(self, tag):
        if self.inside and tag == "mark":
            self.marks.append((self.open_mark[0], self.open_mark[1], len(self.text)))
        elif self.inside and tag == "div":
            self.inside = 0

    def handle_data(self, data):
        if self.inside:
            self.text += data


def doc_text(path: Path) -> DocText:
    parser = DocText()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_a_quote_on_a_changed_document_still_resolves_to_its_version_highlighted_at_its_offsets(
        site, history):
    first, second, third = cards(history, "alpha")
    old = evidence_of(first, "retention", "two years")
    new = evidence_of(second, "retention", "five years")
    assert old["snapshot_id"] != new["snapshot_id"]  # the document changed in between

    page = site / evidence_path(old["snapshot_id"], None, None)
    anchor = evidence_path(old["snapshot_id"], old["start"], old["end"]).split("#")[1]
    text = doc_text(page)
    with transaction(history) as session:
        stored = session.get(SnapshotRow, old["snapshot_id"])
        assert text.text == stored.text  # the whole extracted text, unescaped back exactly
        fetched_at, content_hash = stored.fetched_at, stored.content_hash
    # The sentence is highlighted exactly at its stored offsets, even though the live
    # document (and the party page) now say "five years".
    assert (anchor, old["start"], old["end"]) in text.marks
    assert text.text[old["start"]:old["end"]] == old["quote"] == RETENTION_V1
    html = page.read_text(encoding="utf-8")
    assert f"sha256:{content_hash}" in html and 'href="http://alpha.test/privacy"' in html
    assert f"{fetched_at:%d %B %Y, %H:%M} UTC" in html
    assert 'href="../diffs/' not in html.split("<main")[1].split("Quoted as evidence")[0]  # first version
    # Every quote of the current scorecard on the party page links to its stored copy.
    party = (site / "parties" / "alpha.html").read_text(encoding="utf-8")
    current = evidence_of(third, "retention", "five years")
    assert f'href="../{evidence_path(current["snapshot_id"], current["start"], current["end"])}"' in party
    assert "two years" not in party
    # The newer version's page marks the new sentence and leads back to the old one.
    newer = doc_text(site / evidence_path(new["snapshot_id"], None, None))
    assert newer.text[new["start"]:new["end"]] == RETENTION_V2
    assert any(start == new["start"] and end == new["end"] for _, start, end in newer.marks)


def test_the_diff_page_shows_the_changed_sentences(site, history):
    first, second, _third = cards(history, "alpha")
    old_id = evidence_of(first, "retention", "two years")["snapshot_id"]
    new_id = evidence_of(second, "retention", "five years")["snapshot_id"]
    diff = site / "diffs" / f"{old_id}-{new_id}.html"
    html = diff.read_text(encoding="utf-8")
    removed = RETENTION_V1.replace("<", "&lt;").replace(">", "&gt;")
    assert f"<del>{removed}</del>" in html
    assert f"<ins>{RETENTION_V2}</ins>" in html
    assert "1 added</span>, <span class=\"removed-count\">1 removed" in html
    assert "unchanged sentence" in html  # the untouched paragraphs are folded, not repeated
    assert f'href="../versions/{old_id}.html"' in html and f'href="../versions/{new_id}.html"' in html
    version = (site / "versions" / f"{new_id}.html").read_text(encoding="utf-8")
    assert f'href="../diffs/{old_id}-{new_id}.html"' in version


def test_quoted_text_is_escaped_and_pages_have_no_script(site):
    pages = [site / "index.html", *(site / "parties").glob("*.html"), *(site / "versions").glob("*.html"),
             *(site / "diffs").glob("*.html")]
    assert len(pages) > 8
    seen = 0
    for path in pages:
        html = path.read_text(encoding="utf-8")
        assert "<script" not in html and "script" not in parse(path).tags, path
        seen += "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert seen >= 2  # the version page and the diff page show the quote as text


def test_every_page_links_to_the_feeds_and_every_relative_link_exists(site):
    pages = [site / "index.html", *(site / "parties").glob("*.html"), *(site / "versions").glob("*.html"),
             *(site / "diffs").glob("*.html")]
    for path in pages:
        html = path.read_text(encoding="utf-8")
        head = html.split("</head>")[0]
        assert 'rel="alternate" type="application/atom+xml"' in head, path
        for target in parse(path).links:
            if target.startswith(("http:", "https:", "mailto:", "#")):
                continue
            assert (path.parent / target.split("#")[0]).resolve().is_file(), f"{path}: broken link {target}"
    party_head = (site / "parties" / "alpha.html").read_text(encoding="utf-8").split("</head>")[0]
    assert 'href="../feeds/all.atom"' in party_head and 'href="../feeds/alpha.atom"' in party_head


def changed_cards(engine, party_id=None) -> list[ScorecardRow]:
    query = select(ScorecardRow).where(exists().where(ScorecardChangeRow.scorecard_id == ScorecardRow.id))
    if party_id:
        query = query.where(ScorecardRow.party_id == party_id)
    with transaction(engine) as session:
        return list(session.scalars(query.order_by(ScorecardRow.created_at.desc(), ScorecardRow.id.desc())))


def test_feeds_have_one_entry_per_changed_scorecard_with_dates_and_evidence_links(site, history):
    changed = changed_cards(history)
    assert len(changed) == 3 and len(cards(history, "alpha")) == 3  # alpha's first card is no change
    feed = feedparser.parse(str(site / "feeds" / "all.atom"))
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.title == "partywatch: scorecard changes, all parties"
    assert {link.rel: link.href for link in feed.feed.links} == {
        "self": BASE_URL + "feeds/all.atom", "alternate": BASE_URL + "index.html"}
    assert len(feed.entries) == len(changed)
    assert len({entry.id for entry in feed.entries}) == len(changed)
    for entry, card in zip(feed.entries, changed):  # newest first
        moment = card.created_at.replace(tzinfo=timezone.utc)
        assert entry.updated == moment.isoformat() and entry.published == moment.isoformat()
        assert entry.link == BASE_URL + f"parties/{card.party_id}.html"
        assert f"→ {card.grade} {card.overall:.0f}" in entry.title

    alpha = feedparser.parse(str(site / "feeds" / "alpha.atom"))
    assert not alpha.bozo and len(alpha.entries) == len(changed_cards(history, "alpha")) == 2
    dropped_rights, reworded = alpha.entries
    first = cards(history, "alpha")[0]
    assert first.grade in dropped_rights.title or first.grade in reworded.title
    # Dropping the rights sentence moved a step: the entry names it, old → new, and links
    # the quote that was lost to the version it was quoted from.
    content = dropped_rights.content[0].value
    _, before, after = cards(history, "alpha")
    moved = [c for c in after.changes if c.kind == "step"]
    assert [c.subject for c in moved] == ["rights"]
    title = next(s.title for s in after.steps if s.step_id == "rights")
    assert f"{title}: {float(moved[0].old):.0f} → {float(moved[0].new):.0f}" in content
    assert f"grade {before.grade} → {after.grade}, overall {before.overall:.0f} → {after.overall:.0f}" in content
    lost = evidence_of(before, "rights", "right to access")
    assert BASE_URL + evidence_path(lost["snapshot_id"], lost["start"], lost["end"]) in content
    # Re-wording the retention sentence changed the document: a link to the diff page.
    assert "changed: " in reworded.content[0].value and BASE_URL + "diffs/" in reworded.content[0].value
    assert len(feedparser.parse(str(site / "feeds" / "beta.atom")).entries) == 1


def test_feeds_without_a_base_url_link_relative_to_the_feed_file(history, database_url, tmp_path):
    out = tmp_path / "site"
    build(database_url, out)
    feed = feedparser.parse(str(out / "feeds" / "alpha.atom"))
    assert len(feed.entries) == 2
    for entry in feed.entries:
        targets = [entry.link] + [part.split('"')[0] for part in entry.content[0].value.split('href="')[1:]]
        for target in targets:
            if target.startswith("http://alpha.test"):
                continue  # the live page
            path = target.split("/feeds/alpha.atom")[-1] if "://" in target else target
            assert not path.startswith(("http", "/")), target
            assert (out / "feeds" / path.split("#")[0]).resolve().is_file(), target


def test_a_base_url_that_is_not_http_is_refused(history, database_url, tmp_path):
    result = CliRunner().invoke(report_command, ["--db", database_url, "--out", str(tmp_path / "s"),
                                                 "--base-url", "ftp://example.org/"])
    assert result.exit_code == 2 and "must be an http(s) URL" in result.output
    assert not (tmp_path / "s").exists()


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary on PATH (CI installs Debian's "
                                             "chromium package; apt-get install -y chromium)")
def test_version_and_diff_pages_render_in_headless_chromium(site, history, tmp_path):
    first, second, _ = cards(history, "alpha")
    old = evidence_of(first, "retention", "two years")
    new_id = evidence_of(second, "retention", "five years")["snapshot_id"]
    version = site / evidence_path(old["snapshot_id"], None, None)
    diff = site / "diffs" / f"{old['snapshot_id']}-{new_id}.html"

    dom = chromium("--dump-dom", version.resolve().as_uri(), tmp_path=tmp_path)
    assert dom.returncode == 0, dom.stderr[-2000:]
    anchor = evidence_path(old["snapshot_id"], old["start"], old["end"]).split("#")[1]
    assert f'<mark id="{anchor}">We keep canvassing records &lt;script&gt;alert(1)&lt;/script&gt; for two years' \
        in dom.stdout
    assert "Quoted as evidence" in dom.stdout and "sha256:" in dom.stdout
    dom = chromium("--dump-dom", diff.resolve().as_uri(), tmp_path=tmp_path)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert f"<ins>{RETENTION_V2}</ins>" in dom.stdout and "<del>We keep canvassing records &lt;script&gt;" in dom.stdout

    shots = tmp_path / "shots"
    shots.mkdir()
    keep = Path("/tmp/partywatch-report-screenshots")  # for a human to look at after a run
    keep.mkdir(exist_ok=True)
    for name, page in (("version", version.resolve().as_uri() + "#" + anchor), ("diff", diff.resolve().as_uri())):
        shot = shots / f"{name}.png"
        run = chromium(f"--screenshot={shot}", "--window-size=1200,1400", page, tmp_path=tmp_path)
        assert run.returncode == 0, run.stderr[-2000:]
        assert_screenshot(shot, 1200)
        shutil.copy(shot, keep / f"{name}.png")


def test_exported_evidence_carries_the_permalink_of_each_quote(site, history, database_url, tmp_path):
    import csv

    from partywatch.commands.export import command as export_command

    out = tmp_path / "export"
    result = CliRunner().invoke(export_command, ["--db", database_url, "--format", "csv", "--out", str(out),
                                                 "--table", "evidence"])
    assert result.exit_code == 0, result.output
    with (out / "evidence.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows
    for row in rows:
        assert row["version_path"] == f"versions/{row['snapshot_id']}.html#q-{row['start']}-{row['end']}"
        page, anchor = row["version_path"].split("#")
        assert f'id="{anchor}"' in (site / page).read_text(encoding="utf-8")


def test_overlapping_quotes_share_one_highlight_and_each_keeps_its_anchor():
    from partywatch.report.versions import Mark, highlight

    text = "We use <b>Acme</b> Ltd. It prints & posts leaflets. We keep data."
    marks = [Mark(0, 23, text[0:23]), Mark(7, 51, text[7:51]), Mark(52, 65, "Not what it says there."),
             Mark(60, 999, "beyond the text")]
    parser = DocText()
    parser.feed(f'<div class="doc-text">{highlight(text, marks)}</div>')
    assert parser.text == text  # nothing lost, nothing doubled, "<b>" and "&" as text
    assert parser.anchors == {"q-0-23": 0, "q-7-51": 7}  # a quote not at its offsets gets no mark
    assert parser.marks == [("q-0-23", 0, 51)]

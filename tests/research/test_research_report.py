"""`partywatch report`: a static site that opens from disk, without JavaScript, in Chromium."""

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from helpers.history_builder import HOSTILE_QUOTE, PARTY_NAMES
from helpers.report_pages import CHROMIUM, assert_screenshot, chromium, parse
from partywatch.commands.report import command as report_command


@pytest.fixture
def site(history_db, tmp_path):
    out = tmp_path / "site"
    result = CliRunner().invoke(report_command, ["--db", history_db.url, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Wrote 3 party page(s)" in result.output
    return out


def test_league_table_ranks_parties_with_grades_and_step_scores(site, history_db):
    html = (site / "index.html").read_text(encoding="utf-8")
    latest = sorted((history_db.latest(p) for p in ("snp", "labour", "greens")),
                    key=lambda c: (-c.overall, PARTY_NAMES[c.party].lower()))
    positions = [html.index(f">{PARTY_NAMES[c.party]}</a>") for c in latest]
    assert positions == sorted(positions)  # best overall first
    assert '<table class="league"' in html and "<caption" in html and 'scope="col"' in html
    for card in latest:
        assert f'grade-{card.grade.lower()}">{card.grade}</span>' in html
    assert html.count("#step-retention") == 3  # every step score links to its evidence
    assert "Reform UK (<code>reform</code>): not scored yet" in html


def test_party_page_shows_escaped_evidence_links_and_chart(site, history_db):
    page_path = site / "parties" / "labour.html"
    html = page_path.read_text(encoding="utf-8")
    assert HOSTILE_QUOTE not in html and "<script" not in html
    assert "We share data with &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp;" in html
    assert '<a href="https://labour.example/privacy">' in html
    assert "Looked for: a statement about named" in html
    assert 'id="step-retention"' in html
    # The rights step fell 50 -> 0 under 2025.1: listed under recent changes.
    assert "Your data rights" in html and "▼" in html
    page = parse(page_path)
    assert page.images and all(img.get("alt") for img in page.images)
    assert "Labour Party's overall score" in page.images[0]["alt"]
    greens = (site / "parties" / "greens.html").read_text(encoding="utf-8")
    assert 'href="javascript:' not in greens and "javascript:alert(1)" in greens  # shown, not linked


def test_every_relative_link_and_image_exists_on_disk(site):
    pages = [site / "index.html", *sorted((site / "parties").glob("*.html"))]
    assert len(pages) == 4
    for path in pages:
        page = parse(path)
        assert "script" not in page.tags
        for target in page.links + [img["src"] for img in page.images]:
            if re.match(r"^[a-z]+:", target) or target.startswith("#"):
                continue
            file_part = target.split("#")[0]
            assert (path.parent / file_part).resolve().is_file(), f"{path.name}: broken link {target}"
    assert (site / "charts" / "snp.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_party_not_scored_now_has_no_grade_in_the_report(history_db, tmp_path):
    from history.db import transaction
    from history.store import mark_not_scored

    reason = "its privacy notice page has no text (it may need JavaScript to show it)"
    with transaction(history_db.engine) as session:
        mark_not_scored(session, "greens", reason, None)
    out = tmp_path / "site"
    result = CliRunner().invoke(report_command, ["--db", history_db.url, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Wrote 2 party page(s)" in result.output
    html = (out / "index.html").read_text(encoding="utf-8")
    assert "League table: 2 parties" in html
    assert f"Scottish Greens (<code>greens</code>): not scored: {reason}" in html
    league = html[html.index('<table class="league"'):html.index("</table>")]
    assert "Scottish Greens" not in league  # its older grade is history, not its standing
    assert not (out / "parties" / "greens.html").exists()


def test_report_of_an_empty_database_says_so(engine, database_url, tmp_path):
    result = CliRunner().invoke(report_command, ["--db", database_url, "--out", str(tmp_path / "s")])
    assert result.exit_code == 0, result.output
    assert "No scorecards yet" in (tmp_path / "s" / "index.html").read_text()


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary on PATH (CI installs Debian's "
                                             "chromium package; apt-get install -y chromium)")
def test_report_renders_in_headless_chromium_from_disk(site, tmp_path):
    index = (site / "index.html").resolve().as_uri()
    party = (site / "parties" / "snp.html").resolve().as_uri()

    dom = chromium("--dump-dom", index, tmp_path=tmp_path)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert "League table: 3 parties" in dom.stdout
    for name in ("Scottish National Party", "Labour Party", "Scottish Greens"):
        assert name in dom.stdout

    party_dom = chromium("--dump-dom", party, tmp_path=tmp_path)
    assert "Evidence, step by step" in party_dom.stdout and "How long data is kept" in party_dom.stdout

    shots = tmp_path / "shots"
    shots.mkdir()
    league = shots / "league.png"
    run = chromium(f"--screenshot={league}", "--window-size=1400,900", index, tmp_path=tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    assert_screenshot(league, 1400)
    page = shots / "party.png"
    run = chromium(f"--screenshot={page}", "--window-size=1200,2400", party, tmp_path=tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    assert_screenshot(page, 1200)
    keep = Path("/tmp/partywatch-report-screenshots")  # for a human to look at after a run
    keep.mkdir(exist_ok=True)
    shutil.copy(league, keep / "league.png")
    shutil.copy(page, keep / "party.png")


def test_a_scorecard_from_an_archived_copy_says_so(history_db, tmp_path):
    from datetime import datetime

    from sqlalchemy import select

    from history.db import transaction
    from history.models import ScorecardRow, SnapshotRow

    with transaction(history_db.engine) as session:
        card = session.scalars(select(ScorecardRow).where(ScorecardRow.party_id == "snp")
                               .order_by(ScorecardRow.id.desc())).first()
        for snapshot in session.scalars(select(SnapshotRow).where(SnapshotRow.id.in_(card.snapshot_ids))):
            snapshot.provenance, snapshot.captured_at = "archived", datetime(2025, 3, 1, 12)
    out = tmp_path / "site"
    result = CliRunner().invoke(report_command, ["--db", history_db.url, "--out", str(out)])
    assert result.exit_code == 0, result.output
    pages = {path.name: path.read_text(encoding="utf-8") for path in (out / "parties").glob("*.html")}
    snp = next(html for html in pages.values() if PARTY_NAMES["snp"] in html)
    assert "from an archived copy of 2025-03-01" in snp
    others = [html for html in pages.values() if html is not snp]
    assert others and all("archived copy" not in html and "the fetched page" in html for html in others)

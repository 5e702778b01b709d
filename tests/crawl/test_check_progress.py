"""`check` reports its progress as typed lines: a display picks what to show by kind."""

from __future__ import annotations

import io
import sys

from rich.console import Console

from helpers.sites import ABOUT_THE_PARTY, page
from history.db import open_database
from partywatch.checking import run_check
from partywatch.commands.check import _Progress
from partywatch.progress import Kind, Progress

NOTICE = ("<h1>Privacy notice</h1><p>We get your name and address from the electoral register.</p>"
          + ABOUT_THE_PARTY)


def test_progress_lines_carry_their_kind(database_url, sites, write_parties, rubric_path):
    site = sites({"/": page('<a href="/privacy">Privacy notice</a>'), "/privacy": page(NOTICE)})
    parties_path = write_parties({"alpha": site}, documents={"alpha": [("/suppliers", "supplier_list")]})
    seen = []
    engine = open_database(database_url)
    try:
        run_check(engine, parties_path=parties_path, rubric_path=rubric_path, progress=seen.append)
    finally:
        engine.dispose()
    kinds = [p.kind for p in seen]
    assert kinds[0] is Kind.RUN and kinds[-1] is Kind.RUN
    assert kinds.index(Kind.SCORING) < kinds.index(Kind.SCORED)
    fetched = [p.text for p in seen if p.kind is Kind.FETCHED]
    problems = [p.text for p in seen if p.kind is Kind.PROBLEM]
    assert any(site.url("/privacy") in line for line in fetched)
    assert any(site.url("/suppliers") in line and "404" in line for line in problems)
    assert [p.text for p in seen if p.kind is Kind.SCORED][0].startswith("scored alpha")


# Progress lines as a log (stderr not a terminal) are written without rich; they read as
# rich printed them, tabs expanded and control codes stripped alike.
def test_progress_lines_on_a_log_read_as_rich_printed_them(monkeypatch):
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
    lines = ["fetched alpha https://alpha.example/privacy (privacy_notice, new content)",
             "FAILED alpha https://alpha.example/x: HTTP 404 [not found]\tretried\r twice\x07",
             "scored alpha: A 94.4 (changed) " + "é" * 150]
    written = io.StringIO()
    monkeypatch.setattr(sys, "stderr", written)
    progress = _Progress()
    for line in lines:
        progress.line(Progress(Kind.PROBLEM, line))
    assert progress.console is None and not progress.live

    by_rich = io.StringIO()
    for line in lines:
        Console(file=by_rich).print(line, markup=False, highlight=False, soft_wrap=True)
    assert written.getvalue() == by_rich.getvalue()

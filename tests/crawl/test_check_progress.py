"""`check` reports its progress as typed lines: a display picks what to show by kind."""

from __future__ import annotations

from helpers.sites import ABOUT_THE_PARTY, page
from history.db import open_database
from partywatch.checking import run_check
from partywatch.progress import Kind

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

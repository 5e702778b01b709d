"""The bot never shows a grade for a party that is not scored, and says why.

Labour has older scorecards (a D) but the latest check found no readable notice; the
Conservatives were never scored: their site could not be reached.
"""

from __future__ import annotations

import pytest

from history.db import transaction
from history.store import mark_not_scored, start_run

USER = 1101
SHELL = "its privacy notice page has no text (it may need JavaScript to show it)"
UNREACHABLE = "its website could not be reached (homepage: connection refused)"


def ask(fake, text, chat=USER):
    before = len(fake.messages_to(chat))
    fake.send_command(chat, text)
    return fake.wait_for_messages(chat, before + 1)[before]


@pytest.fixture
def unscored(running, scored):
    with transaction(scored) as session:
        run_id = start_run(session, "check").id
        mark_not_scored(session, "labour", SHELL, run_id)
        mark_not_scored(session, "conservatives", UNREACHABLE, run_id)
    return running


def test_parties_shows_the_reason_instead_of_a_grade(unscored, fake):
    answer = ask(fake, "/parties")
    assert f"Labour Party — not scored: {SHELL}" in answer.plain
    assert f"Conservative and Unionist Party — not scored: {UNREACHABLE}" in answer.plain
    assert "D (48)" not in answer.plain
    assert "Scottish National Party — B (70.5)" in answer.plain  # scored parties as before


def test_score_why_and_compare_say_not_scored(unscored, fake):
    answer = ask(fake, "/score labour")
    assert f"Labour Party (labour) is not scored: {SHELL}." in answer.plain
    assert "Grade" not in answer.plain and "48" not in answer.plain
    answer = ask(fake, "/why labour retention")
    assert f"Labour Party (labour) is not scored: {SHELL}." in answer.plain
    assert "20/100" not in answer.plain
    answer = ask(fake, "/compare snp labour")
    assert f"Labour Party (labour) is not scored: {SHELL}." in answer.plain
    assert " vs " not in answer.plain
    answer = ask(fake, "/score tories")
    assert f"Conservative and Unionist Party (conservatives) is not scored: {UNREACHABLE}." in answer.plain


def test_history_chart_says_it_is_not_scored_now(unscored, fake):
    answer = ask(fake, "/history labour")
    assert answer.method == "sendPhoto"
    assert f"Labour Party: 1 scorecard, now not scored: {SHELL}" in answer.plain
    assert "now grade" not in answer.plain


def test_a_party_scored_again_shows_its_grade(unscored, fake, scored):
    from history.store import mark_scored

    with transaction(scored) as session:
        mark_scored(session, "labour")
    answer = ask(fake, "/score labour")
    assert "Grade D · overall 48/100" in answer.plain and "not scored" not in answer.plain

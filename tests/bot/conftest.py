"""Fixtures for the bot tests: the fake Bot API server, stored scorecards, a running bot."""

from __future__ import annotations

import pytest

from helpers.bot import NASTY_QUOTE, RunningBot, seed_scorecard
from helpers.fake_telegram import FakeTelegram


@pytest.fixture
def fake():
    server = FakeTelegram().start()
    yield server
    server.stop()


@pytest.fixture
def scored(engine):
    """Four parties, three of them scored; snp's retention evidence holds HTML and '&'."""
    seed_scorecard(engine, "snp", 55.0, "C", scores={"retention": 40.0})
    seed_scorecard(engine, "snp", 70.5, "B", scores={"retention": 75.0}, quote=NASTY_QUOTE)
    seed_scorecard(engine, "labour", 48.0, "D", scores={"retention": 20.0})
    seed_scorecard(engine, "libdems", 62.0, "C")
    return engine


@pytest.fixture
def running(scored, fake):
    bot = RunningBot(scored, fake).start()
    yield bot
    bot.stop()

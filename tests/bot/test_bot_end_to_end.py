"""A `partywatch check` in another process → a running `partywatch serve` delivers, within 10 s."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import yaml
from sqlalchemy import select

from helpers.bot import start_serve
from helpers.sites import ABOUT_THE_PARTY, FixtureSite, page
from history.db import transaction
from history.models import OutboxMessageRow
from history.subscriptions import subscribe

ROOT = Path(__file__).resolve().parents[2]

DETAILED = ('<h1>Privacy notice</h1>'
            '<p>We get your name and address from the electoral register and from canvassing.</p>'
            '<p>We do not buy data from data brokers.</p>'
            '<p>We keep canvassing records for two years after each election and then delete them.</p>'
            '<p>You have the right to access your data and to complain to the ICO.</p>' + ABOUT_THE_PARTY)
VAGUE = "<h1>Privacy</h1><p>We may share data with trusted partners from time to time.</p>" + ABOUT_THE_PARTY


def run_check(database_url, parties, folder):
    env = dict(os.environ, PARTYWATCH_CRAWL_DELAY="0.05", PARTYWATCH_CRAWL_TIMEOUT="5",
               PARTYWATCH_CRAWL_RETRIES="1")
    result = subprocess.run(
        [sys.executable, "-m", "partywatch.cli", "check", "--parties", str(parties),
         "--rubric", str(ROOT / "rubric.yaml"), "--db", database_url],
        env=env, cwd=folder, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_in_another_process_reaches_each_subscriber_once(engine, database_url, fake, tmp_path):
    alpha = FixtureSite({"/": page('<a href="/privacy">Privacy notice</a>'), "/privacy": page(VAGUE)}).start()
    beta = FixtureSite({"/": page('<a href="/privacy">Privacy notice</a>'), "/privacy": page(VAGUE)}).start()
    parties = tmp_path / "parties.yaml"
    parties.write_text(yaml.safe_dump({"parties": [
        {"id": pid, "name": f"{pid.title()} Party", "jurisdiction": "GB", "homepage": site.url("/"),
         "documents": [{"url": site.url("/privacy"), "kind": "privacy_notice"}]}
        for pid, site in (("alpha", alpha), ("beta", beta))]}))
    serve = None
    try:
        run_check(database_url, parties, tmp_path)  # the baseline: first scorecards, no news
        for chat, party in ((801, "alpha"), (802, "alpha"), (803, "beta"), (804, "*")):
            subscribe(engine, chat, party)
        serve = start_serve(database_url, fake, tmp_path)
        fake.wait_until(lambda: fake.calls_of("getUpdates"), timeout=30, what="serve running")

        alpha.routes["/privacy"] = page(DETAILED)  # alpha publishes a better notice
        run_check(database_url, parties, tmp_path)
        for chat in (801, 802, 804):
            (message,) = fake.wait_for_messages(chat, 1, timeout=10)  # delivered within 10 s
            assert "Alpha Party (alpha)" in message.plain and "Beta" not in message.plain
            assert "/why alpha" in message.plain
        serve.send_signal(signal.SIGTERM)
        assert serve.wait(30) == 0  # stopped: nothing more can arrive after this
        serve = None
        assert [len(fake.messages_to(chat)) for chat in (801, 802, 803, 804)] == [1, 1, 0, 1]
        with transaction(engine) as session:
            states = session.scalars(select(OutboxMessageRow.state)).all()
        assert sorted(states) == ["sent", "sent", "sent"]  # one each, nothing left to send
    finally:
        if serve:
            serve.send_signal(signal.SIGTERM)
            serve.wait(30)
        alpha.stop()
        beta.stop()

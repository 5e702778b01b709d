"""Helpers for the bot tests: stored scorecards, the bot running in a thread or as a
`partywatch serve` process, and asking it a command through the fake Bot API."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import threading
from datetime import timedelta
from pathlib import Path

from bot.config import BotSettings
from bot.context import BotContext, RubricStep
from helpers.fake_telegram import FakeTelegram  # noqa: F401  (re-exported for the tests)
from history.db import transaction
from history.store import ensure_rubric_version, finish_run, start_run, store_scorecard, sync_parties
from partywatch.parties import load_parties, party_aliases

ADMIN = 9000
STEPS = [
    ("data-sources", "Where voters' data comes from"),
    ("suppliers", "Who the party works with"),
    ("message-transparency", "Who is behind each message"),
    ("profiling", "Profiling voters"),
    ("special-category", "Political opinions and other sensitive data"),
    ("lawful-basis", "The lawful basis"),
    ("online-targeting", "Online ad targeting"),
    ("rights", "Your data rights"),
    ("retention", "How long data is kept"),
    ("accountability", "Accountability"),
]
# The parties the bot tests know, read through the real parties.yaml loader, aliases and all.
PARTIES_YAML = """\
parties:
  - {id: snp, name: Scottish National Party, jurisdiction: GB-SCT, homepage: "https://www.snp.org/"}
  - {id: labour, name: Labour Party, jurisdiction: GB, homepage: "https://labour.org.uk/"}
  - id: libdems
    name: Liberal Democrats
    jurisdiction: GB
    homepage: https://www.libdems.org.uk/
    aliases: [lib dems, lib dem]
  - id: conservatives
    name: Conservative and Unionist Party
    jurisdiction: GB
    homepage: https://www.conservatives.com/
    aliases: [tories, tory]
"""


def _load_parties():
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "parties.yaml"
        path.write_text(PARTIES_YAML, encoding="utf-8")
        return load_parties(path)


PARTY_ENTRIES = _load_parties()
PARTIES = [party.as_row() for party in PARTY_ENTRIES]
ALIASES = party_aliases(PARTY_ENTRIES)
NASTY_QUOTE = 'We keep data <script>alert("x")</script> for <b>2 years</b> & then delete it.'


def seed_scorecard(engine, party_id: str, overall: float, grade: str, *, scores: dict | None = None,
                   quote: str = "We keep canvassing data for two years.", snapshot_id: int | None = None,
                   start: int = 0, snapshot_ids=()) -> int:
    """Store a scorecard for `party_id` (all parties are synced first); returns its id.

    The retention quote sits at `start` in the snapshot `snapshot_id` when one is given;
    `snapshot_ids` are the snapshots the scorecard was made from."""
    scores = scores or {}
    with transaction(engine) as session:
        sync_parties(session, PARTIES)
        run = start_run(session, "check")
        version = ensure_rubric_version(session, "hash-1", "1", "version: 1")
        steps = []
        for step_id, title in STEPS:
            score = scores.get(step_id, overall)
            steps.append({"id": step_id, "title": title, "score": score, "elements": [
                {"id": "periods", "credit": "full" if score >= 50 else "none",
                 "evidence": [{"quote": quote, "url": f"https://example.org/{party_id}/privacy?a=1&b=2",
                               "start": start, "end": start + len(quote), "snapshot_id": snapshot_id}]
                 if score >= 50 else [],
                 "looked_for": "how long each kind of data is kept"},
                {"id": "deletion", "credit": "partial", "evidence": [
                    {"quote": "Data may be deleted from time to time.", "url": "https://example.org/p",
                     "start": 0, "end": 10}]},
            ]})
        card = store_scorecard(session, party_id=party_id, run_id=run.id, rubric_version_id=version.id,
                               overall=overall, grade=grade, steps=steps,
                               snapshot_ids=list(snapshot_ids))
        finish_run(session, run)
        return card.id


def rubric_steps() -> list[RubricStep]:
    return [RubricStep(step_id, title, f"Does the party publish {title.lower()}?",
                       {"periods": "Does it say how long each kind of data is kept?",
                        "deletion": "Does it say how data is deleted?"})
            for step_id, title in STEPS]


class RunningBot:
    """partywatch's real serve() (bot + scheduler) in a thread, against the fake server."""

    def __init__(self, engine, fake: FakeTelegram, check=None, every=timedelta(hours=12),
                 drain_every: float = 0.5, admins=frozenset({ADMIN}), steps=None, site_url=None,
                 supplier_gaps=None):
        self.engine, self.fake, self.check = engine, fake, check
        self.every, self.drain_every = every, drain_every
        self.settings = BotSettings(token=fake.token, base_url=fake.base_url, admin_ids=frozenset(admins))
        self.context = BotContext(engine=engine,
                                  parties=[(p["id"], p["name"]) for p in PARTIES], aliases=ALIASES,
                                  rubric_steps=rubric_steps() if steps is None else steps,
                                  site_url=site_url, supplier_gaps=supplier_gaps)
        self.service = None
        self.error: BaseException | None = None
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        from partywatch.scheduler import serve

        async def main():
            self._loop = asyncio.get_running_loop()
            self._stop = asyncio.Event()

            def ready(service):
                self.service = service
                self._ready.set()

            await serve(self.settings, self.context, self.check, every=self.every,
                        drain_every=self.drain_every, poll_timeout=1, stop=self._stop, ready=ready)

        try:
            asyncio.run(main())
        except BaseException as error:  # surfaced by start()
            self.error = error
            self._ready.set()

    def start(self) -> "RunningBot":
        self._thread.start()
        assert self._ready.wait(30), "the bot did not start"
        if self.error:
            raise self.error
        return self

    def call(self, coroutine, timeout: float = 60):
        """Run a coroutine in the bot's event loop and return its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    def settle(self) -> int:
        """Wait for the drain in progress, then drain the outbox once more: how many that
        sent. 0 proves nothing due was left unsent, without sleeping to see if one comes."""
        drainer = self.service.drainer

        async def settled() -> int:
            await drainer.idle()
            return await drainer.drain()  # no await between: no scheduled drain can slip in

        return self.call(settled())

    def stop(self) -> None:
        if self._loop and self._stop and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(30)


USER = 1001
ROOT = Path(__file__).resolve().parents[2]


def ask(fake, text, chat=USER, count=1, user=None):
    """Send `text` as a command from `chat` and wait for `count` answers to it."""
    before = len(fake.messages_to(chat))
    fake.send_command(chat, text, user_id=user)
    return fake.wait_for_messages(chat, before + count)[before:]


def start_serve(url, fake, folder, name="serve", token=None, level="INFO"):
    """`partywatch serve` as a real process against the fake Bot API, logging to folder/NAME.log."""
    env = dict(os.environ, TELEGRAM_BOT_TOKEN=token or fake.token, TELEGRAM_API_BASE_URL=fake.base_url,
               TELEGRAM_ADMIN_IDS=str(ADMIN), PARTYWATCH_LOG_LEVEL=level)
    log = open(folder / f"{name}.log", "w")
    return subprocess.Popen(
        [sys.executable, "-m", "partywatch.cli", "serve", "--db", url, "--every", "30d",
         "--parties", str(ROOT / "parties.yaml"), "--drain-every", "0.5", "--poll-timeout", "1"],
        env=env, stdout=log, stderr=subprocess.STDOUT, cwd=folder)

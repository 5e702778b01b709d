"""What every handler shares: the BotContext, replying, keyboards, and naming a party.

Handlers read through history in a worker thread (`db`), so the event loop keeps
answering, and render with bot.render. Nothing here computes a score.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Awaitable, Callable, Mapping, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from bot import render
from bot.callbacks import Action, CallbackDataError
from history.party_names import Directory, party_directory, unknown_party_message
from history.scorecards import latest_scorecard, list_parties, not_scored_reason, step_titles

log = logging.getLogger("bot.handlers")
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
BUTTON_LABEL_LIMIT = 60


@dataclass
class RubricStep:
    id: str
    title: str
    asks: str = ""
    questions: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class BotContext:
    """What the handlers need, kept in application.bot_data['partywatch'].

    Built once, with everything in it: bot.app.build_application adds the check runner.
    """

    engine: object
    parties: list[tuple[str, str]] = field(default_factory=list)  # (id, name) from parties.yaml
    # Other names of each party, by id (parties.yaml `aliases`: "tories" for conservatives).
    aliases: Mapping[str, Sequence[str]] = field(default_factory=dict)
    rubric_steps: list[RubricStep] = field(default_factory=list)  # from rubric.yaml, if readable
    # Runs a check for the given party ids (all when empty) and returns a summary line.
    run_check: Callable[[tuple[str, ...]], Awaitable[str]] | None = None
    # Where `partywatch report` is published (--base-url): /why links quotes to their
    # stored version there; without it, to the live page with the date it was read.
    site_url: str | None = None
    # A party's spending gaps (`spending gaps` JSON of one party), None without spending data.
    supplier_gaps: Callable[[str], dict | None] | None = None

    def merged_parties(self, stored: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
        """parties.yaml's parties and the database's (`stored`), by id."""
        merged = dict(self.parties)
        for party_id, name in stored:
            merged.setdefault(party_id, name)
        return sorted(merged.items())

    def all_parties(self) -> list[tuple[str, str]]:
        return self.merged_parties(list_parties(self.engine))

    def directory(self) -> Directory:
        return party_directory(self.all_parties(), self.aliases)

    def steps(self) -> list[RubricStep]:
        if self.rubric_steps:
            return self.rubric_steps
        return [RubricStep(step_id, title) for step_id, title in step_titles(self.engine)]


def ctx(context: ContextTypes.DEFAULT_TYPE) -> BotContext:
    return context.application.bot_data["partywatch"]


async def db(function, *args):
    return await asyncio.to_thread(function, *args)


async def reply(update: Update, text: str, keyboard: InlineKeyboardMarkup | None = None) -> None:
    """Send `text` to the chat the update came from, split if it is too long."""
    chat_id = update.effective_chat.id
    bot = update.get_bot()
    parts = render.split_message(text)
    for index, part in enumerate(parts):
        await bot.send_message(chat_id=chat_id, text=part, parse_mode=ParseMode.HTML,
                               link_preview_options=NO_PREVIEW,
                               reply_markup=keyboard if index == len(parts) - 1 else None)


def keyboard(buttons: list[tuple[str, Action, tuple[str, ...]]], per_row: int = 2) -> InlineKeyboardMarkup:
    """Buttons of (label, action, arguments). One whose data Telegram would refuse is left
    out (and logged) rather than sent with cut data that would mean something else."""
    made = []
    for label, action, args in buttons:
        try:
            made.append(InlineKeyboardButton(render.shorten(label, BUTTON_LABEL_LIMIT),
                                             callback_data=action.encode(*args)))
        except CallbackDataError as error:
            log.warning("button left out: %s", error)
    return InlineKeyboardMarkup([made[i:i + per_row] for i in range(0, len(made), per_row)])


def party_keyboard(parties: Sequence[tuple[str, str]], action: Action) -> InlineKeyboardMarkup:
    return keyboard([(name, action, (party_id,)) for party_id, name in parties])


async def resolve_party(update: Update, bc: BotContext, words: list[str], action: Action) -> tuple[str, str] | None:
    """The (id, name) `words` name, or None after telling the user (with suggestions)."""
    directory = await db(bc.directory)
    query = " ".join(words)
    found = directory.find(query)
    if found.id:
        return found.id, directory.names[found.id]
    message = unknown_party_message(render.shorten(query, 80), found.suggestions, len(directory.names),
                                    see_all="Pick one, or see /parties:", escape=render.esc,
                                    code=lambda s: f"<code>{render.esc(s)}</code>")
    choices = [(s, directory.names[s]) for s in found.suggestions] or sorted(directory.names.items())
    await reply(update, message, party_keyboard(choices, action))
    return None


def split_party_and_rest(directory: Directory, words: list[str]) -> tuple[str | None, list[str]]:
    """The longest leading run of words that names a party, and the words after it."""
    for cut in range(len(words), 0, -1):
        found = directory.find(" ".join(words[:cut]))
        if found.id:
            return found.id, words[cut:]
    return None, words


async def latest_card(update: Update, bc: BotContext, party_id: str, name: str):
    """The party's current scorecard, or None after telling the user why there is none.

    A party the latest check could not score has no grade, even if an older scorecard
    exists: showing that one would publish a grade we have no text for.
    """
    reason = await db(not_scored_reason, bc.engine, party_id)
    if reason is not None:
        await reply(update, render.render_not_scored(name, party_id, reason))
        return None
    card = await db(latest_scorecard, bc.engine, party_id)
    if card is None:
        await reply(update, f"<b>{render.esc(name)}</b> has no scorecard yet: no check has scored it. "
                            "Try again after the next check.")
    return card

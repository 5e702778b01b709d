"""The bot's commands and button presses.

Every handler reads through history (in a worker thread, so the event loop keeps
answering) and renders with bot.render. Nothing here computes a score.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Awaitable, Callable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler, filters

from bot import charts, render
from bot.matching import Directory, party_directory, step_directory
from history import bot_queries as q
from history.models import ALL_PARTIES

log = logging.getLogger(__name__)
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


@dataclass
class RubricStep:
    id: str
    title: str
    asks: str = ""
    questions: dict[str, str] = field(default_factory=dict)


@dataclass
class BotContext:
    """What the handlers need, kept in application.bot_data['partywatch']."""

    engine: object
    admin_ids: frozenset[int] = frozenset()
    parties: list[tuple[str, str]] = field(default_factory=list)  # from parties.yaml
    rubric_steps: list[RubricStep] = field(default_factory=list)  # from rubric.yaml, if readable
    # Runs a check for the given party ids (all when empty) and returns a summary line.
    run_check: Callable[[tuple[str, ...]], Awaitable[str]] | None = None
    # Where `partywatch report` is published (--base-url): /why links quotes to their
    # stored version there; without it, to the live page with the date it was read.
    site_url: str | None = None
    # A party's spending gaps (`spending gaps` JSON of one party), None without spending data.
    supplier_gaps: Callable[[str], dict | None] | None = None

    def all_parties(self) -> list[tuple[str, str]]:
        merged = dict(self.parties)
        for party_id, name in q.list_parties(self.engine):
            merged.setdefault(party_id, name)
        return sorted(merged.items())

    def steps(self) -> list[RubricStep]:
        if self.rubric_steps:
            return self.rubric_steps
        return [RubricStep(step_id, title) for step_id, title in q.step_titles(self.engine)]


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


def keyboard(buttons: list[tuple[str, str]], per_row: int = 2) -> InlineKeyboardMarkup:
    rows = [buttons[i:i + per_row] for i in range(0, len(buttons), per_row)]
    return InlineKeyboardMarkup([[InlineKeyboardButton(label[:60], callback_data=data[:64])
                                  for label, data in row] for row in rows])


def party_keyboard(parties: list[tuple[str, str]], action: str) -> InlineKeyboardMarkup:
    return keyboard([(name, f"{action}:{party_id}") for party_id, name in parties])


# --- resolving arguments -----------------------------------------------------------------


async def resolve_party(update: Update, bc: BotContext, words: list[str], action: str) -> tuple[str, str] | None:
    """The (id, name) `words` name, or None after telling the user (with suggestions)."""
    parties = await db(bc.all_parties)
    directory = party_directory(parties)
    text = " ".join(words)
    found = directory.find(text)
    if found.id:
        return found.id, directory.names[found.id]
    if found.suggestions:
        names = ", ".join(f"<code>{render.esc(s)}</code>" for s in found.suggestions)
        await reply(update, f"I don't know a party called “{render.esc(render.shorten(text, 80))}”. "
                            f"Did you mean {names}?",
                    party_keyboard([(s, directory.names[s]) for s in found.suggestions], action))
    else:
        await reply(update, f"I don't know a party called “{render.esc(render.shorten(text, 80))}”. "
                            "Pick one, or see /parties:", party_keyboard(parties, action))
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
    reason = await db(q.not_scored_reason, bc.engine, party_id)
    if reason is not None:
        await reply(update, render.render_not_scored(name, party_id, reason))
        return None
    card = await db(q.latest_scorecard, bc.engine, party_id)
    if card is None:
        await reply(update, f"<b>{render.esc(name)}</b> has no scorecard yet: no check has scored it. "
                            "Try again after the next check.")
    return card


# --- commands ----------------------------------------------------------------------------


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await reply(update, "Hello! " + render.HELP)


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await reply(update, render.HELP)


async def parties_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    bc = ctx(context)
    parties = await db(bc.all_parties)
    not_scored = await db(q.not_scored_reasons, bc.engine)
    rows = []
    for party_id, name in parties:
        card = None if party_id in not_scored else await db(q.latest_scorecard, bc.engine, party_id)
        rows.append((party_id, name, card))
    await reply(update, render.render_parties(rows, not_scored), party_keyboard(parties, "score"))


async def show_score(update: Update, bc: BotContext, party_id: str, name: str) -> None:
    card = await latest_card(update, bc, party_id, name)
    if card is None:
        return
    buttons = [(f"{step.title}", f"why:{party_id}:{step.step_id}") for step in card.steps]
    sources = await db(q.scorecard_sources, bc.engine, card)
    await reply(update, render.render_score(name, party_id, card, sources), keyboard(buttons, 2))


async def score(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    bc = ctx(context)
    if not context.args:
        await reply(update, "Which party?", party_keyboard(await db(bc.all_parties), "score"))
        return
    party = await resolve_party(update, bc, context.args, "score")
    if party:
        await show_score(update, bc, *party)


async def show_why(update: Update, bc: BotContext, party_id: str, name: str, step_words: list[str]) -> None:
    card = await latest_card(update, bc, party_id, name)
    if card is None:
        return
    steps = [(s.step_id, s.title) for s in card.steps]
    step_buttons = keyboard([(title, f"why:{party_id}:{step_id}") for step_id, title in steps])
    if not step_words:
        await reply(update, f"Which step of <b>{render.esc(name)}</b>'s scorecard?", step_buttons)
        return
    found = step_directory(steps).find(" ".join(step_words))
    if found.id is None:
        hint = (" Did you mean " + ", ".join(f"<code>{render.esc(s)}</code>" for s in found.suggestions) + "?"
                if found.suggestions else "")
        await reply(update, f"No step called “{render.esc(render.shorten(' '.join(step_words), 80))}”.{hint} "
                            "Pick one:", step_buttons)
        return
    rubric = {s.id: s for s in await db(bc.steps)}
    questions = rubric[found.id].questions if found.id in rubric else {}
    snapshot_ids = [item.get("snapshot_id") for element in card.elements if element.step_id == found.id
                    for item in element.evidence or []]
    fetched = await db(q.snapshot_dates, bc.engine, snapshot_ids)
    sources = await db(q.scorecard_sources, bc.engine, card)
    await reply(update, render.render_why(name, party_id, card, found.id, questions, sources,
                                          site_url=bc.site_url, fetched=fetched))


async def why(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    bc = ctx(context)
    if not context.args:
        await reply(update, "Usage: <code>/why party step</code>, e.g. <code>/why snp retention</code>. "
                            "Which party?", party_keyboard(await db(bc.all_parties), "why"))
        return
    directory = party_directory(await db(bc.all_parties))
    party_id, rest = split_party_and_rest(directory, context.args)
    if party_id is None:
        await resolve_party(update, bc, context.args[:1], "why")
        return
    await show_why(update, bc, party_id, directory.names[party_id], rest)


async def compare(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    bc = ctx(context)
    words = context.args or []
    directory = party_directory(await db(bc.all_parties))
    first, rest = split_party_and_rest(directory, words)
    second = directory.find(" ".join(rest)).id if rest else None
    if len(words) < 2 or first is None or second is None:
        if words and first is None:
            await resolve_party(update, bc, words[:1], "score")
        elif rest and second is None:
            await resolve_party(update, bc, rest, "score")
        else:
            await reply(update, "Usage: <code>/compare party party</code>, e.g. <code>/compare snp labour</code>.")
        return
    cards = []
    for party_id in (first, second):
        card = await latest_card(update, bc, party_id, directory.names[party_id])
        if card is None:
            return
        cards.append((party_id, directory.names[party_id], card))
    await reply(update, render.render_compare(cards[0], cards[1]))


async def subscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    bc = ctx(context)
    chat = update.effective_chat
    if not context.args:
        await reply(update, "Subscribe to which party? (or <code>/subscribe all</code>)",
                    party_keyboard(await db(bc.all_parties), "sub"))
        return
    await do_subscribe(update, bc, context.args)


async def do_subscribe(update: Update, bc: BotContext, words: list[str]) -> None:
    chat = update.effective_chat
    username = getattr(update.effective_user, "username", None)
    if " ".join(words).lower() in ("all", "everything", "*"):
        added = await db(q.subscribe, bc.engine, chat.id, ALL_PARTIES, username)
        await reply(update, "You will get a message whenever any party's scorecard changes."
                    if added else "You already follow every party.")
        return
    party = await resolve_party(update, bc, words, "sub")
    if party:
        added = await db(q.subscribe, bc.engine, chat.id, party[0], username)
        name = render.esc(party[1])
        await reply(update, f"Subscribed: you will get a message when <b>{name}</b>'s scorecard changes."
                    if added else f"You already follow <b>{name}</b>.")


async def unsubscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    bc = ctx(context)
    chat_id = update.effective_chat.id
    if not context.args:
        await reply(update, "Usage: <code>/unsubscribe party</code> or <code>/unsubscribe all</code>.")
        return
    if " ".join(context.args).lower() in ("all", "everything", "*"):
        removed = await db(q.unsubscribe, bc.engine, chat_id, None)
        await reply(update, "Unsubscribed from everything." if removed else "You were not following anything.")
        return
    party = await resolve_party(update, bc, context.args, "unsub")
    if party:
        removed = await db(q.unsubscribe, bc.engine, chat_id, party[0])
        name = render.esc(party[1])
        await reply(update, f"Unsubscribed from <b>{name}</b>." if removed
                    else f"You were not following <b>{name}</b>.")


async def subscriptions(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    bc = ctx(context)
    followed = await db(q.subscriptions, bc.engine, update.effective_chat.id)
    if not followed:
        await reply(update, "You follow no party. Try <code>/subscribe snp</code> or <code>/subscribe all</code>.")
        return
    names = dict(await db(bc.all_parties))
    lines = ["<b>You follow</b>"]
    for party_id in followed:
        label = "every party" if party_id == ALL_PARTIES else f"{names.get(party_id, party_id)} ({party_id})"
        lines.append(f"• {render.esc(label)}")
    await reply(update, "\n".join(lines))


async def history(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    bc = ctx(context)
    if not context.args:
        await reply(update, "Whose history?", party_keyboard(await db(bc.all_parties), "hist"))
        return
    party = await resolve_party(update, bc, context.args, "hist")
    if party:
        await send_history(update, bc, *party)


async def send_history(update: Update, bc: BotContext, party_id: str, name: str) -> None:
    cards = await db(q.scorecard_history, bc.engine, party_id)
    if not cards:
        await reply(update, f"<b>{render.esc(name)}</b> has no scorecard yet.")
        return
    png = await db(charts.history_png, name, cards)
    last = cards[-1]
    reason = await db(q.not_scored_reason, bc.engine, party_id)
    now = (f"now <b>not scored</b>: {render.esc(render.shorten(reason, 300))}" if reason is not None
           else f"now grade <b>{render.esc(last.grade)}</b> ({render.fmt_score(last.overall)})")
    caption = f"<b>{render.esc(name)}</b>: {len(cards)} scorecard{'s' if len(cards) != 1 else ''}, {now}"
    await update.get_bot().send_photo(chat_id=update.effective_chat.id, photo=png, caption=caption,
                                      parse_mode=ParseMode.HTML)


async def suppliers(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    bc = ctx(context)
    if not context.args:
        await reply(update, "Which party's suppliers?", party_keyboard(await db(bc.all_parties), "supp"))
        return
    party = await resolve_party(update, bc, context.args, "supp")
    if party:
        await show_suppliers(update, bc, *party)


async def show_suppliers(update: Update, bc: BotContext, party_id: str, name: str) -> None:
    gaps = await db(bc.supplier_gaps, party_id) if bc.supplier_gaps else None
    await reply(update, render.render_suppliers(name, party_id, gaps))


async def rubric(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    steps = await db(ctx(context).steps)
    if not steps:
        await reply(update, "The rubric is not available yet.")
        return
    await reply(update, render.render_rubric([(s.id, s.title, s.asks) for s in steps]))


async def check(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    bc = ctx(context)
    if update.effective_user is None or update.effective_user.id not in bc.admin_ids:
        await reply(update, "Sorry, /check is only for the bot's admins.")
        return
    if bc.run_check is None:
        await reply(update, "Checks are not available in this process.")
        return
    party_ids: list[str] = []
    if context.args:
        directory = party_directory(await db(bc.all_parties))
        for word in context.args:
            found = directory.find(word)
            if not found.id:
                await resolve_party(update, bc, [word], "score")
                return
            party_ids.append(found.id)
    await reply(update, "Check started" + (f" for {render.esc(', '.join(party_ids))}" if party_ids else "")
                + ". I will tell you when it is done.")

    async def run_and_report() -> None:
        try:
            summary = await bc.run_check(tuple(party_ids))
        except Exception as error:  # the summary of a failed check, not a crash of the bot
            log.exception("check requested by an admin failed")
            summary = f"Check failed: {error}"
        await reply(update, render.esc(summary))

    # The check can take minutes; answer other commands meanwhile.
    context.application.create_task(run_and_report(), update=update)


async def unknown(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await reply(update, "I don't know that command. " + render.HELP)


# --- buttons -----------------------------------------------------------------------------


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    bc = ctx(context)
    query = update.callback_query
    await query.answer()
    action, _, rest = (query.data or "").partition(":")
    party_id, _, step_id = rest.partition(":")
    names = dict(await db(bc.all_parties))
    if party_id not in names:
        await reply(update, "That party is no longer watched. See /parties.")
        return
    name = names[party_id]
    if action == "score":
        await show_score(update, bc, party_id, name)
    elif action == "why":
        await show_why(update, bc, party_id, name, [step_id] if step_id else [])
    elif action == "sub":
        await do_subscribe(update, bc, [party_id])
    elif action == "unsub":
        removed = await db(q.unsubscribe, bc.engine, update.effective_chat.id, party_id)
        await reply(update, f"Unsubscribed from <b>{render.esc(name)}</b>." if removed
                    else f"You were not following <b>{render.esc(name)}</b>.")
    elif action == "hist":
        await send_history(update, bc, party_id, name)
    elif action == "supp":
        await show_suppliers(update, bc, party_id, name)


COMMANDS = [
    ("start", start, "Welcome and help"),
    ("help", help_command, "What the bot can do"),
    ("parties", parties_command, "The parties watched and their grades"),
    ("score", score, "A party's grade and step scores"),
    ("why", why, "The evidence behind a step's score"),
    ("compare", compare, "Two parties side by side"),
    ("subscribe", subscribe, "Get a message when a scorecard changes"),
    ("unsubscribe", unsubscribe, "Stop those messages"),
    ("subscriptions", subscriptions, "What you follow"),
    ("history", history, "A chart of a party's scores over time"),
    ("rubric", rubric, "The ten steps in plain words"),
    ("suppliers", suppliers, "Companies paid for data work, named or not"),
    ("check", check, "Admins: run a check now"),
]


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    log.error("a handler failed: %s", context.error, exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat:
        try:
            await update.get_bot().send_message(update.effective_chat.id,
                                                "Sorry, something went wrong on my side. Please try again later.")
        except Exception:
            pass


def add_handlers(application: Application) -> None:
    for name, callback, _description in COMMANDS:
        application.add_handler(CommandHandler(name, callback))
    application.add_handler(CallbackQueryHandler(button))
    application.add_handler(MessageHandler(filters.COMMAND, unknown))
    application.add_error_handler(on_error)

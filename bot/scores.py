"""Commands and buttons that show scores: /parties, /score, /why, /compare, /history,
/suppliers and /rubric. They only read."""

from __future__ import annotations

from typing import Awaitable, Callable

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from bot import charts, render
from bot.callbacks import HISTORY, SCORE, SUPPLIERS, WHY, Action
from bot.context import (
    BotContext,
    ctx,
    db,
    keyboard,
    latest_card,
    party_keyboard,
    reply,
    resolve_party,
    split_party_and_rest,
)
from history.party_names import step_directory
from history.scorecards import not_scored_reason, party_standings, scorecard_history, scorecard_sources, snapshot_dates


async def parties_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    bc = ctx(context)
    standings = {s.id: s for s in await db(party_standings, bc.engine)}
    parties = bc.merged_parties([(s.id, s.name) for s in standings.values()])
    not_scored = {s.id: s.not_scored for s in standings.values() if s.not_scored is not None}
    rows = []
    for party_id, name in parties:
        standing = standings.get(party_id)
        rows.append((party_id, name, standing if standing is not None and standing.grade else None))
    await reply(update, render.render_parties(rows, not_scored), party_keyboard(parties, SCORE))


async def show_score(update: Update, bc: BotContext, party_id: str, name: str) -> None:
    card = await latest_card(update, bc, party_id, name)
    if card is None:
        return
    buttons = [(step.title, WHY, (party_id, step.step_id)) for step in card.steps]
    sources = await db(scorecard_sources, bc.engine, card)
    await reply(update, render.render_score(name, party_id, card, sources), keyboard(buttons, 2))


async def for_named_party(update: Update, context: ContextTypes.DEFAULT_TYPE, question: str, action: Action,
                          show: Callable[[Update, BotContext, str, str], Awaitable[None]]) -> None:
    """A command about one party: `show` it, or ask `question` with a button per party
    (pressing one is `action`) when none is named."""
    bc = ctx(context)
    if not context.args:
        await reply(update, question, party_keyboard(await db(bc.all_parties), action))
        return
    party = await resolve_party(update, bc, context.args, action)
    if party:
        await show(update, bc, *party)


async def score(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await for_named_party(update, context, "Which party?", SCORE, show_score)


async def show_why(update: Update, bc: BotContext, party_id: str, name: str, step_words: list[str]) -> None:
    card = await latest_card(update, bc, party_id, name)
    if card is None:
        return
    steps = [(s.step_id, s.title) for s in card.steps]
    step_buttons = keyboard([(title, WHY, (party_id, step_id)) for step_id, title in steps])
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
    fetched = await db(snapshot_dates, bc.engine, snapshot_ids)
    sources = await db(scorecard_sources, bc.engine, card)
    await reply(update, render.render_why(name, party_id, card, found.id, questions, sources,
                                          site_url=bc.site_url, fetched=fetched))


async def show_step(update: Update, bc: BotContext, party_id: str, name: str, step_id: str = "") -> None:
    """A "why" button: one step of the party's scorecard (without one, the steps to pick from)."""
    await show_why(update, bc, party_id, name, [step_id] if step_id else [])


async def why(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    bc = ctx(context)
    if not context.args:
        await reply(update, "Usage: <code>/why party step</code>, e.g. <code>/why snp retention</code>. "
                            "Which party?", party_keyboard(await db(bc.all_parties), WHY))
        return
    directory = await db(bc.directory)
    party_id, rest = split_party_and_rest(directory, context.args)
    if party_id is None:
        await resolve_party(update, bc, context.args[:1], WHY)
        return
    await show_why(update, bc, party_id, directory.names[party_id], rest)


async def compare(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    bc = ctx(context)
    words = context.args or []
    directory = await db(bc.directory)
    first, rest = split_party_and_rest(directory, words)
    second = directory.find(" ".join(rest)).id if rest else None
    if len(words) < 2 or first is None or second is None:
        if words and first is None:
            await resolve_party(update, bc, words[:1], SCORE)
        elif rest and second is None:
            await resolve_party(update, bc, rest, SCORE)
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


async def history(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await for_named_party(update, context, "Whose history?", HISTORY, send_history)


async def send_history(update: Update, bc: BotContext, party_id: str, name: str) -> None:
    cards = await db(scorecard_history, bc.engine, party_id)
    if not cards:
        await reply(update, f"<b>{render.esc(name)}</b> has no scorecard yet.")
        return
    png = await db(charts.history_png, name, cards)
    last = cards[-1]
    reason = await db(not_scored_reason, bc.engine, party_id)
    now = (f"now <b>not scored</b>: {render.esc(render.shorten(reason, 300))}" if reason is not None
           else f"now grade <b>{render.esc(last.grade)}</b> ({render.fmt_score(last.overall)})")
    caption = f"<b>{render.esc(name)}</b>: {len(cards)} scorecard{'s' if len(cards) != 1 else ''}, {now}"
    await update.get_bot().send_photo(chat_id=update.effective_chat.id, photo=png, caption=caption,
                                      parse_mode=ParseMode.HTML)


async def suppliers(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await for_named_party(update, context, "Which party's suppliers?", SUPPLIERS, show_suppliers)


async def show_suppliers(update: Update, bc: BotContext, party_id: str, name: str) -> None:
    gaps = await db(bc.supplier_gaps, party_id) if bc.supplier_gaps else None
    await reply(update, render.render_suppliers(name, party_id, gaps))


async def rubric(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    steps = await db(ctx(context).steps)
    if not steps:
        await reply(update, "The rubric is not available yet.")
        return
    await reply(update, render.render_rubric([(s.id, s.title, s.asks) for s in steps]))

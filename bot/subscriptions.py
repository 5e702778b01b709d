"""Commands that change what a chat follows: /subscribe, /unsubscribe, /subscriptions."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot import render
from bot.callbacks import SUBSCRIBE, UNSUBSCRIBE
from bot.context import BotContext, ctx, db, party_keyboard, reply, resolve_party
from history import subscriptions as stored
from history.models import ALL_PARTIES

EVERY_PARTY = ("all", "everything", "*")


async def subscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    bc = ctx(context)
    if not context.args:
        await reply(update, "Subscribe to which party? (or <code>/subscribe all</code>)",
                    party_keyboard(await db(bc.all_parties), SUBSCRIBE))
        return
    if " ".join(context.args).lower() in EVERY_PARTY:
        await follow(update, bc, ALL_PARTIES, "")
        return
    party = await resolve_party(update, bc, context.args, SUBSCRIBE)
    if party:
        await follow(update, bc, *party)


async def follow(update: Update, bc: BotContext, party_id: str, name: str) -> None:
    """Subscribe the chat to `party_id` (ALL_PARTIES: every party) and say so."""
    username = getattr(update.effective_user, "username", None)
    added = await db(stored.subscribe, bc.engine, update.effective_chat.id, party_id, username)
    if party_id == ALL_PARTIES:
        await reply(update, "You will get a message whenever any party's scorecard changes."
                    if added else "You already follow every party.")
        return
    name = render.esc(name)
    await reply(update, f"Subscribed: you will get a message when <b>{name}</b>'s scorecard changes."
                if added else f"You already follow <b>{name}</b>.")


async def unsubscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    bc = ctx(context)
    if not context.args:
        await reply(update, "Usage: <code>/unsubscribe party</code> or <code>/unsubscribe all</code>.")
        return
    if " ".join(context.args).lower() in EVERY_PARTY:
        removed = await db(stored.unsubscribe, bc.engine, update.effective_chat.id, None)
        await reply(update, "Unsubscribed from everything." if removed else "You were not following anything.")
        return
    party = await resolve_party(update, bc, context.args, UNSUBSCRIBE)
    if party:
        await unfollow(update, bc, *party)


async def unfollow(update: Update, bc: BotContext, party_id: str, name: str) -> None:
    removed = await db(stored.unsubscribe, bc.engine, update.effective_chat.id, party_id)
    await reply(update, f"Unsubscribed from <b>{render.esc(name)}</b>." if removed
                else f"You were not following <b>{render.esc(name)}</b>.")


async def subscriptions(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    bc = ctx(context)
    followed = await db(stored.subscriptions, bc.engine, update.effective_chat.id)
    if not followed:
        await reply(update, "You follow no party. Try <code>/subscribe snp</code> or <code>/subscribe all</code>.")
        return
    names = dict(await db(bc.all_parties))
    lines = ["<b>You follow</b>"]
    for party_id in followed:
        label = "every party" if party_id == ALL_PARTIES else f"{names.get(party_id, party_id)} ({party_id})"
        lines.append(f"• {render.esc(label)}")
    await reply(update, "\n".join(lines))

"""Admin commands (/check). bot.handlers registers them behind filters.User(admin ids);
anyone else who tries one gets `not_an_admin`'s answer."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ContextTypes

from bot import render
from bot.callbacks import SCORE
from bot.context import ctx, db, reply, resolve_party

log = logging.getLogger("bot.handlers")


async def check(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    bc = ctx(context)
    if bc.run_check is None:
        await reply(update, "Checks are not available in this process.")
        return
    party_ids: list[str] = []
    if context.args:
        directory = await db(bc.directory)
        for word in context.args:
            found = directory.find(word)
            if not found.id:
                await resolve_party(update, bc, [word], SCORE)
                return
            party_ids.append(found.id)
    await reply(update, "Check started" + (f" for {render.esc(', '.join(party_ids))}" if party_ids else "")
                + ". I will tell you when it is done.")
    run_check = bc.run_check

    async def run_and_report() -> None:
        try:
            summary = await run_check(tuple(party_ids))
        except Exception as error:  # the summary of a failed check, not a crash of the bot
            log.exception("check requested by an admin failed")
            summary = f"Check failed: {error}"
        await reply(update, render.esc(summary))

    # The check can take minutes; answer other commands meanwhile.
    context.application.create_task(run_and_report(), update=update)


async def not_an_admin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    command = (update.effective_message.text or "/check").split()[0].split("@")[0]
    await reply(update, f"Sorry, {render.esc(command)} is only for the bot's admins.")

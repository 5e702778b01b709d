"""The bot's commands and buttons, declared in one place and registered on an Application.

    COMMANDS  (name, callback, description, admin only) for every /command
    BUTTONS   (action, callback) for every kind of inline button: one
              CallbackQueryHandler each, matched by the action's pattern

The handlers themselves live by subject: bot.scores (reading scores), bot.subscriptions,
bot.admin; what they share is in bot.context.
"""

from __future__ import annotations

import logging
from typing import Awaitable, Callable

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler, filters

from bot import admin, render, scores, subscriptions
from bot.callbacks import HISTORY, SCORE, SUBSCRIBE, SUPPLIERS, UNSUBSCRIBE, WHY, Action
from bot.context import ctx, db, reply

log = logging.getLogger(__name__)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await reply(update, "Hello! " + render.HELP)


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await reply(update, render.HELP)


async def unknown(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await reply(update, "I don't know that command. " + render.HELP)


COMMANDS = [
    ("start", start, "Welcome and help", False),
    ("help", help_command, "What the bot can do", False),
    ("parties", scores.parties_command, "The parties watched and their grades", False),
    ("score", scores.score, "A party's grade and step scores", False),
    ("why", scores.why, "The evidence behind a step's score", False),
    ("compare", scores.compare, "Two parties side by side", False),
    ("subscribe", subscriptions.subscribe, "Get a message when a scorecard changes", False),
    ("unsubscribe", subscriptions.unsubscribe, "Stop those messages", False),
    ("subscriptions", subscriptions.subscriptions, "What you follow", False),
    ("history", scores.history, "A chart of a party's scores over time", False),
    ("rubric", scores.rubric, "The ten steps in plain words", False),
    ("suppliers", scores.suppliers, "Companies paid for data work, named or not", False),
    ("check", admin.check, "Admins: run a check now", True),
]

# --- buttons -----------------------------------------------------------------------------

PartyButton = Callable[..., Awaitable[None]]  # (update, BotContext, party id, name, *other arguments)


def party_button(action: Action, show: PartyButton):
    """A button callback for `action`, whose first argument is a party id: `show` gets the
    party's id and name and the button's other arguments, or the user hears the party is gone."""

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        bc = ctx(context)
        await update.callback_query.answer()
        party_id, *rest = action.decode(update.callback_query.data) or [""]
        names = dict(await db(bc.all_parties))
        if party_id not in names:
            await reply(update, "That party is no longer watched. See /parties.")
            return
        await show(update, bc, party_id, names[party_id], *rest)

    pressed.__name__ = f"on_{action.name}_button"
    return pressed


BUTTONS = [(action, party_button(action, show)) for action, show in (
    (SCORE, scores.show_score),
    (WHY, scores.show_step),
    (SUBSCRIBE, subscriptions.follow),
    (UNSUBSCRIBE, subscriptions.unfollow),
    (HISTORY, scores.send_history),
    (SUPPLIERS, scores.show_suppliers),
)]


async def stale_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A button none of BUTTONS knows (from an older version of the bot)."""
    await update.callback_query.answer()
    await reply(update, "That button no longer works. See /help.")


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    log.error("a handler failed: %s", context.error, exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat:
        try:
            await update.get_bot().send_message(update.effective_chat.id,
                                                "Sorry, something went wrong on my side. Please try again later.")
        except Exception:
            pass


def add_handlers(application: Application, admin_ids: frozenset[int]) -> None:
    """Register COMMANDS and BUTTONS. An admin command answers only `admin_ids`
    (filters.User); anyone else who sends it is told it is for admins."""
    admins = filters.User(user_id=admin_ids)  # empty: nobody is an admin
    for name, callback, _description, admin_only in COMMANDS:
        if admin_only:
            application.add_handler(CommandHandler(name, callback, filters=admins))
            application.add_handler(CommandHandler(name, admin.not_an_admin))
        else:
            application.add_handler(CommandHandler(name, callback))
    for action, callback in BUTTONS:
        application.add_handler(CallbackQueryHandler(callback, pattern=action.pattern))
    application.add_handler(CallbackQueryHandler(stale_button))
    application.add_handler(MessageHandler(filters.COMMAND, unknown))
    application.add_error_handler(on_error)

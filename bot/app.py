"""Building the python-telegram-bot Application: handlers, limits, the outbox drainer.

    application, drainer = build_application(settings, context)

The application talks to settings.base_url (TELEGRAM_API_BASE_URL), shares one
SendLimiter between command replies and broadcasts, and keeps `context` (a BotContext)
in bot_data for the handlers. `drainer.drain()` delivers the outbox; partywatch's
scheduler calls it every few seconds.
"""

from __future__ import annotations

from telegram import BotCommand
from telegram.ext import Application

from bot.config import BotSettings
from bot.handlers import COMMANDS, BotContext, add_handlers
from bot.limits import SendLimiter
from bot.outbox import OutboxDrainer


def build_application(settings: BotSettings, context: BotContext, *, concurrency: int = 8,
                      read_timeout: float = 20.0) -> tuple[Application, OutboxDrainer]:
    limiter = SendLimiter()
    application = (
        Application.builder()
        .token(settings.token)
        .base_url(settings.base_url)
        .base_file_url(settings.base_file_url)
        .rate_limiter(limiter)
        .job_queue(None)  # partywatch runs its own APScheduler
        .concurrent_updates(8)  # a slow chart or check must not hold up other chats
        .connect_timeout(5.0)
        .read_timeout(read_timeout)
        .write_timeout(20.0)
        .pool_timeout(10.0)
        .connection_pool_size(32)
        .build()
    )
    application.bot_data["partywatch"] = context
    add_handlers(application)
    drainer = OutboxDrainer(context.engine, application.bot, limiter, concurrency=concurrency)
    return application, drainer


async def publish_commands(application: Application) -> None:
    """Tell Telegram the command list, so clients show it when the user types '/'."""
    await application.bot.set_my_commands(
        [BotCommand(name, description) for name, _callback, description in COMMANDS if name != "check"])

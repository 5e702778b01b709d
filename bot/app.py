"""Building the python-telegram-bot Application: handlers, limits, the outbox drainer.

    application, drainer = build_application(settings, context, run_check=service.forced_check)

The application talks to settings.base_url (TELEGRAM_API_BASE_URL), shares one
SendLimiter between command replies and broadcasts, and keeps `context` (a BotContext,
completed with the check runner) in bot_data for the handlers; admin commands answer
settings.admin_ids only. `drainer.drain()` delivers the outbox; partywatch's
scheduler calls it every few seconds.
"""

from __future__ import annotations

import dataclasses
from typing import Awaitable, Callable

from telegram import BotCommand
from telegram.ext import Application

from bot.config import BotSettings
from bot.context import BotContext
from bot.handlers import COMMANDS, add_handlers
from bot.limits import SendLimiter
from bot.outbox import OutboxDrainer


def build_application(settings: BotSettings, context: BotContext, *,
                      run_check: Callable[[tuple[str, ...]], Awaitable[str]] | None = None,
                      concurrency: int = 8, read_timeout: float = 20.0) -> tuple[Application, OutboxDrainer]:
    """`run_check` runs a check for /check (party ids, all when empty) and returns a summary line;
    without it, /check says checks are not available in this process."""
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
    application.bot_data["partywatch"] = dataclasses.replace(context, run_check=run_check)
    add_handlers(application, settings.admin_ids)
    drainer = OutboxDrainer(context.engine, application.bot, limiter, concurrency=concurrency)
    return application, drainer


async def publish_commands(application: Application) -> None:
    """Tell Telegram the command list, so clients show it when the user types '/'."""
    await application.bot.set_my_commands(
        [BotCommand(name, description) for name, _callback, description, admin_only in COMMANDS if not admin_only])

"""`partywatch serve`: the Telegram bot and the check scheduler in one process."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from pathlib import Path

import click

from partywatch.options import base_url_option, db_option, open_db, parties_option, resolve_parties_path, resolve_rubric_path, rubric_option

log = logging.getLogger("partywatch.serve")


def _duration(ctx, param, value):
    from partywatch.scheduler import parse_duration

    try:
        return parse_duration(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


def _rubric_steps(path):
    """The rubric's step titles and questions for /rubric and /why (None if unreadable)."""
    from bot.context import RubricStep

    try:
        from scoring import load_rubric

        rubric = load_rubric(path)
    except Exception as error:  # the bot then takes titles from stored scorecards
        log.warning("cannot read the rubric %s (%s); /rubric will use stored scorecards", path,
                    str(error).splitlines()[0] if str(error) else type(error).__name__)
        return []
    return [RubricStep(step.id, step.title, getattr(step, "asks", ""),
                       {element.id: element.question for element in step.elements})
            for step in rubric.steps]


def _supplier_gaps(engine, rubric_path):
    """/suppliers' source: spending gaps in the rubric's data categories (defaults if unreadable)."""
    from partywatch.spending.gaps import gaps_reader

    try:
        rubric_yaml = Path(rubric_path).read_text(encoding="utf-8")
    except OSError:
        rubric_yaml = None
    return gaps_reader(engine, rubric_yaml)


@click.command("serve")
@parties_option
@rubric_option
@db_option
@click.option("--every", default="12h", show_default=True, callback=_duration, metavar="DURATION",
              help="How often to run a check: e.g. 30m, 12h, 1d.")
@click.option("--drain-every", default=2.0, show_default=True, type=click.FloatRange(0.2, 300),
              metavar="SECONDS", help="How often to look for notifications to send.")
@click.option("--poll-timeout", default=10, show_default=True, type=click.IntRange(0, 60),
              metavar="SECONDS", help="Long-polling timeout of getUpdates.")
@base_url_option("/why then links each quote to its stored copy there; without it, to the live "
                 "page with the date partywatch read it.")
def command(parties_path, rubric_path, db_url, every, drain_every, poll_timeout, site_url) -> None:
    """Run the Telegram bot and the check scheduler until stopped (Ctrl-C or SIGTERM).

    \b
    The bot answers /score, /why, /compare, /history, /subscribe ... and delivers each
    notification `partywatch check` queues exactly once, within a few seconds, at most
    30 messages a second overall and 1 a second per chat. A check runs every --every
    (the schedule is kept in the database, so it survives restarts); with several serve
    processes on one database only one check runs at a time.

    \b
    Environment:
      TELEGRAM_BOT_TOKEN     the bot's token from @BotFather (required)
      TELEGRAM_API_BASE_URL  Bot API server (default https://api.telegram.org/bot)
      TELEGRAM_ADMIN_IDS     comma-separated chat ids allowed to use /check; they are
                             also told when a party's documents fail two checks in a row
      DATABASE_URL           the database, unless --db is given
      PARTYWATCH_BASE_URL    the published report site, unless --base-url is given

    Logs go to stderr; the token never appears in them.
    """
    from bot.config import BotConfigError, BotSettings
    from bot.context import BotContext
    from bot.redact import protect_logs, redact
    from partywatch.parties import PartiesError, load_parties, party_aliases
    from partywatch.scheduler import serve

    try:
        settings = BotSettings.from_env()
    except BotConfigError as error:
        raise click.ClickException(str(error)) from None
    logging.basicConfig(stream=sys.stderr, level=os.environ.get("PARTYWATCH_LOG_LEVEL", "INFO"),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("apscheduler", "alembic", "telegram.ext.Application"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    protect_logs(settings.token)

    parties_file = resolve_parties_path(parties_path)
    rubric_file = resolve_rubric_path(rubric_path)
    try:
        parties = load_parties(parties_file)
    except PartiesError as error:
        raise click.ClickException(str(error)) from None
    engine = open_db(db_url)
    context = BotContext(engine=engine, parties=[(p.id, p.name) for p in parties],
                         aliases=party_aliases(parties), rubric_steps=_rubric_steps(rubric_file),
                         site_url=site_url, supplier_gaps=_supplier_gaps(engine, rubric_file))

    def check(engine, party_ids):
        # Imported when a check runs, so the bot starts even where checking cannot.
        from partywatch.checking import run_check

        return run_check(engine, parties_path=parties_file, rubric_path=rubric_file, party_ids=party_ids)

    try:
        asyncio.run(serve(settings, context, check, every=every, drain_every=drain_every,
                          poll_timeout=poll_timeout))
    except KeyboardInterrupt:
        pass
    except Exception as error:
        raise click.ClickException(redact(f"{type(error).__name__}: {error}", settings.token)) from None

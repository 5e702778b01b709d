"""The bot's settings, read from the environment.

    TELEGRAM_BOT_TOKEN     the token @BotFather gave you (required)
    TELEGRAM_API_BASE_URL  the Bot API server (default https://api.telegram.org/bot);
                           point it at a local Bot API server or a test double
    TELEGRAM_ADMIN_IDS     comma-separated chat ids allowed to use admin commands (/check)
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Mapping

DEFAULT_BASE_URL = "https://api.telegram.org/bot"


class BotConfigError(Exception):
    """A setting is missing or malformed; the message names the variable."""


def file_url_for(base_url: str) -> str:
    """The file-download URL that goes with a Bot API URL (…/bot → …/file/bot)."""
    base = base_url.rstrip("/")
    if base.endswith("/bot"):
        return base[: -len("/bot")] + "/file/bot"
    return base + "/file"


@dataclass(frozen=True)
class BotSettings:
    token: str = field(repr=False)
    base_url: str = DEFAULT_BASE_URL
    admin_ids: frozenset[int] = frozenset()

    @property
    def base_file_url(self) -> str:
        return file_url_for(self.base_url)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "BotSettings":
        env = os.environ if env is None else env
        token = (env.get("TELEGRAM_BOT_TOKEN") or "").strip()
        if not token:
            raise BotConfigError(
                "TELEGRAM_BOT_TOKEN is not set: export the token @BotFather gave your bot, "
                "e.g. TELEGRAM_BOT_TOKEN=123456:ABC-... partywatch serve")
        base_url = (env.get("TELEGRAM_API_BASE_URL") or DEFAULT_BASE_URL).strip()
        if not base_url.startswith(("http://", "https://")):
            raise BotConfigError(f"TELEGRAM_API_BASE_URL must be an http(s) URL, got {base_url!r}")
        admins = set()
        for part in (env.get("TELEGRAM_ADMIN_IDS") or "").split(","):
            part = part.strip()
            if not part:
                continue
            try:
                admins.add(int(part))
            except ValueError:
                raise BotConfigError(
                    f"TELEGRAM_ADMIN_IDS must be comma-separated chat ids (numbers), got {part!r}") from None
        return cls(token=token, base_url=base_url, admin_ids=frozenset(admins))

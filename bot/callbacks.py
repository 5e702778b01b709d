"""The data behind inline buttons: an action and its arguments, as "why:snp:retention".

    WHY.encode("snp", "retention")  -> "why:snp:retention"
    WHY.decode("why:snp:retention") -> ["snp", "retention"]
    CallbackQueryHandler(on_why, pattern=WHY.pattern)

Telegram refuses a button whose callback_data is over 64 bytes (UTF-8). Cutting the data
would make the button mean something else (another party, a step that does not exist), so
`encode` refuses instead, and the keyboards leave such a button out and log it. Party ids
in parties.yaml are short enough for every action (see partywatch.parties.MAX_ID_LENGTH).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_BYTES = 64  # Telegram's limit on InlineKeyboardButton.callback_data
SEPARATOR = ":"


class CallbackDataError(ValueError):
    """The arguments cannot be put in a button's data, as they are."""


@dataclass(frozen=True)
class Action:
    """What a button does; its name is the first field of the button's data."""

    name: str

    @property
    def pattern(self) -> str:
        """The regex CallbackQueryHandler matches this action's buttons with."""
        return rf"^{re.escape(self.name)}(?:{SEPARATOR}|$)"

    def encode(self, *args: str) -> str:
        if any(SEPARATOR in arg for arg in args):
            raise CallbackDataError(f"{self.name} button: an argument holds {SEPARATOR!r}: {args!r}")
        data = SEPARATOR.join((self.name, *args))
        size = len(data.encode("utf-8"))
        if size > MAX_BYTES:
            raise CallbackDataError(f"{self.name} button: {data!r} is {size} bytes; Telegram allows "
                                    f"{MAX_BYTES}, and a cut one would name something else")
        return data

    def decode(self, data: str) -> list[str]:
        name, *args = data.split(SEPARATOR)
        if name != self.name:
            raise CallbackDataError(f"{data!r} is not a {self.name} button")
        return args


SCORE = Action("score")
WHY = Action("why")
SUBSCRIBE = Action("sub")
UNSUBSCRIBE = Action("unsub")
HISTORY = Action("hist")
SUPPLIERS = Action("supp")

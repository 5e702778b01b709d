"""Keeping the bot token out of logs and error messages.

httpx logs every request URL, and the Bot API puts the token in the URL; exceptions can
quote URLs too. `protect_logs` quietens httpx and puts a filter on every root handler
that replaces the token wherever it appears, tracebacks included.
"""

from __future__ import annotations

import logging

MASK = "<TOKEN>"


class RedactingFilter(logging.Filter):
    def __init__(self, secrets: list[str]):
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep what we have
            message = str(record.msg)
        record.msg, record.args = self.redact(message), None
        if record.exc_info:
            record.exc_text = self.redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
            record.msg = f"{record.msg}\n{record.exc_text}"
            record.exc_text = None
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def protect_logs(token: str) -> RedactingFilter:
    """Install token redaction on every root handler; returns the filter."""
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)
    redactor = RedactingFilter([token])
    for handler in logging.getLogger().handlers:
        handler.addFilter(redactor)
    return redactor


def redact(text: str, token: str) -> str:
    return text.replace(token, MASK) if token else text

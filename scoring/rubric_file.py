"""A rubric file before it is parsed: its text, the name its errors show, its content hash,
and the errors a rubric is rejected with.

Kept apart from scoring.rubric (the schema, pydantic and the checks), so a command can read
a rubric and look it up in scoring.cache without loading what parses it: `partywatch
check` does that before its crawl starts and parses a rubric known to be good meanwhile.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    path: str
    line: int | None
    message: str

    def format(self, source: str) -> str:
        where = f"{source}:{self.line}" if self.line else source
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class RubricError(Exception):
    def __init__(self, problems: list[Problem], source: str = "rubric.yaml"):
        self.problems = problems
        self.source = source
        super().__init__("\n".join(p.format(source) for p in problems))


def content_hash(yaml_text: str) -> str:
    """What identifies a rubric's text: stored with every scorecard's rubric version."""
    return hashlib.sha256(yaml_text.encode("utf-8")).hexdigest()


def read_rubric_file(path: str | Path) -> tuple[str, str]:
    """(text, name to show in messages) of a rubric file, or a RubricError saying why not."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise RubricError([Problem("", None, "file not found")], str(p)) from None
    except OSError as exc:
        raise RubricError([Problem("", None, f"cannot read: {exc.strerror or exc}")], str(p)) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise RubricError([Problem("", line, "the rubric is not valid UTF-8 text")], str(p)) from None
    return text, (p.name if p.parent == Path(".") else str(p))

"""What a long job (check, rescore) reports as it goes: typed lines, so that a display
decides what to show by their kind and never by reading their words."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Callable


class Kind(str, Enum):
    RUN = "run"  # a run started or finished, with its totals
    FETCHED = "fetched"  # a document was fetched
    SKIPPED = "skipped"  # a request was not made (robots.txt, host not allowed)
    PROBLEM = "problem"  # a fetch failed, was blocked or unreadable; the crawl was cut short
    ARCHIVE = "archive"  # a web archive lookup for a document that could not be fetched
    SCORING = "scoring"  # scoring has started
    SCORED = "scored"  # one party was scored, or could not be


@dataclass(frozen=True)
class Progress:
    kind: Kind
    text: str

    def __str__(self) -> str:
        return self.text


Reporter = Callable[[Progress], None]


def report(reporter: Reporter | None, kind: Kind, text: str) -> None:
    if reporter is not None:
        reporter(Progress(kind, text))

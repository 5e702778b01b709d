"""Sentence-level comparison of two extracted texts.

One definition of "what changed in a document" serves the change summary in a
notification (`partywatch check`) and the diff pages of the report: texts are compared
sentence by sentence, and re-wrapped lines are no change at all.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass


def same_text(old: str | None, new: str | None) -> bool:
    """Whether two extracted texts say the same thing; re-wrapped lines do not count."""
    return " ".join((old or "").split()) == " ".join((new or "").split())


def sentences(text: str | None) -> list[str]:
    """The text cut after . ! ? and at line ends, each piece with its spaces collapsed."""
    pieces = re.split(r"(?<=[.!?])\s+|\n+", text or "")
    return [" ".join(piece.split()) for piece in pieces if piece.strip()]


@dataclass(frozen=True)
class Hunk:
    """A run of the diff: `kind` is 'same' or 'changed' (removed and/or added sentences)."""

    kind: str
    removed: tuple[str, ...] = ()
    added: tuple[str, ...] = ()
    same: tuple[str, ...] = ()


def sentence_diff(old: str | None, new: str | None) -> list[Hunk]:
    """The two texts as alternating runs of unchanged and changed sentences, in order."""
    old_sentences, new_sentences = sentences(old), sentences(new)
    matcher = difflib.SequenceMatcher(a=old_sentences, b=new_sentences, autojunk=False)
    hunks = []
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        if tag == "equal":
            hunks.append(Hunk("same", same=tuple(old_sentences[a0:a1])))
        else:
            hunks.append(Hunk("changed", removed=tuple(old_sentences[a0:a1]),
                              added=tuple(new_sentences[b0:b1])))
    return hunks


def summarise_text_change(old: str | None, new: str | None, limit: int = 160) -> str:
    """'+3 / −1 sentences; added: "We now keep canvassing data for 2 years."'"""
    hunks = sentence_diff(old, new)
    added = [s for hunk in hunks for s in hunk.added]
    removed = [s for hunk in hunks for s in hunk.removed]
    summary = f"+{len(added)} / -{len(removed)} sentences"
    # A heading says little about what changed: show the first real sentence.
    pool = added or removed
    example = next((s for s in pool if len(s.split()) >= 5), pool[0] if pool else "")
    if example:
        label = "added" if added else "removed"
        if len(example) > limit:
            example = example[: limit - 1] + "…"
        summary += f"; {label}: \u201c{example}\u201d"
    return summary

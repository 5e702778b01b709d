"""Finding the party (or rubric step) a user means.

A party matches by its id, its name (with or without "Party"), the initials of its name,
or a common abbreviation ("tories", "lib dems", "pc"), case-insensitively. A miss comes
with the nearest names (difflib), so the bot can say "did you mean …".
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

# Names people use that cannot be derived from parties.yaml. Keys are normalised.
ABBREVIATIONS = {
    "conservatives": ["tories", "tory", "con", "cons", "conservative", "conservative party"],
    "labour": ["lab", "labour party", "ukl"],
    "libdems": ["lib dems", "lib dem", "libdem", "ld", "lds", "liberal democrat", "liberals"],
    "snp": ["scottish nationalists", "nats"],
    "green-ew": ["greens", "green", "green party", "gpew"],
    "scottish-greens": ["scottish green", "sgp"],
    "reform-uk": ["reform", "ref", "brexit party"],
    "plaid-cymru": ["plaid", "pc"],
    "dup": ["democratic unionists"],
    "sinn-fein": ["sinn féin", "sf", "shinners"],
    "alliance": ["apni", "alliance party"],
    "sdlp": ["social democratic and labour"],
    "uup": ["ulster unionists", "ulster unionist"],
    "ukip": ["uk independence party"],
}
STOP_WORDS = {"and", "of", "the", "party", "for"}


def normalise(text: str) -> str:
    text = text.lower().replace("’", "'").replace("&", " and ")
    text = re.sub(r"[^a-z0-9éáíóú' -]+", " ", text)
    return " ".join(text.replace("-", " ").split())


@dataclass
class Match:
    id: str | None
    suggestions: list[str] = field(default_factory=list)


class Directory:
    """Names → ids for a set of (id, display name) pairs."""

    def __init__(self, entries: list[tuple[str, str]], extra: dict[str, list[str]] | None = None):
        self.names = dict(entries)
        self.keys: dict[str, str] = {}
        for entry_id, name in entries:
            for key in self._keys(entry_id, name, (extra or {}).get(entry_id, [])):
                self.keys.setdefault(key, entry_id)

    @staticmethod
    def _keys(entry_id: str, name: str, extra: list[str]) -> set[str]:
        words = normalise(name).split()
        significant = [w for w in words if w not in STOP_WORDS]
        keys = {normalise(entry_id), normalise(entry_id).replace(" ", ""), normalise(name),
                " ".join(significant), "".join(w[0] for w in words if w not in {"and", "of", "the"}),
                "".join(w[0] for w in significant)}
        keys.update(normalise(alias) for alias in extra)
        keys.update(k.replace(" ", "") for k in list(keys))
        return {k for k in keys if k}

    def find(self, query: str) -> Match:
        key = normalise(query)
        for candidate in (key, key.replace(" ", "")):
            if candidate in self.keys:
                return Match(self.keys[candidate])
        # A unique prefix ("scot" is ambiguous, "plai" is not) is a match too.
        if len(key) >= 3:
            starts = {entry_id for k, entry_id in self.keys.items() if k.startswith(key)}
            if len(starts) == 1:
                return Match(starts.pop())
        close = difflib.get_close_matches(key, list(self.keys), n=8, cutoff=0.6)
        suggestions: list[str] = []
        for k in close:
            if self.keys[k] not in suggestions:
                suggestions.append(self.keys[k])
        return Match(None, suggestions[:3])


def party_directory(parties: list[tuple[str, str]]) -> Directory:
    return Directory(parties, ABBREVIATIONS)


def step_directory(steps: list[tuple[str, str]]) -> Directory:
    """Steps match by id, title, or their number in the rubric (1–10)."""
    extra = {step_id: [str(number)] for number, (step_id, _title) in enumerate(steps, 1)}
    return Directory(steps, extra)

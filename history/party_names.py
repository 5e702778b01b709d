"""Finding the party (or rubric step) a user means: one matcher for the bot and the CLI.

A party matches by its id, its name (with or without "Party"), the initials of its name,
or one of its aliases from parties.yaml ("tories", "lib dems"), case-insensitively; a
unique prefix ("plai") matches too. A miss comes with the nearest ids (difflib), and
`unknown_party_message` words it the same way for `/score torys` and
`partywatch history torys`.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Callable, Iterable, Mapping, Sequence

from sqlalchemy import Connection, text

STOP_WORDS = {"and", "of", "the", "party", "for"}
Aliases = Mapping[str, Sequence[str]]  # party id -> other names people use for it


def normalise(name: str) -> str:
    """Lower case, '&' as 'and', punctuation and '-' as spaces, single spaces."""
    name = name.lower().replace("’", "'").replace("&", " and ")
    name = re.sub(r"[^a-z0-9éáíóú' -]+", " ", name)
    return " ".join(name.replace("-", " ").split())


@dataclass
class Match:
    id: str | None
    suggestions: list[str] = field(default_factory=list)


class Directory:
    """Names → ids for a set of (id, display name) pairs, plus extra names per id."""

    def __init__(self, entries: Iterable[tuple[str, str]], extra: Aliases | None = None):
        self.names = dict(entries)
        self.keys: dict[str, str] = {}
        for entry_id, name in self.names.items():
            for key in self._keys(entry_id, name, (extra or {}).get(entry_id, ())):
                self.keys.setdefault(key, entry_id)

    @staticmethod
    def _keys(entry_id: str, name: str, extra: Sequence[str]) -> set[str]:
        words = normalise(name).split()
        significant = [w for w in words if w not in STOP_WORDS]
        keys = {normalise(entry_id), normalise(name), " ".join(significant),
                "".join(w[0] for w in words if w not in {"and", "of", "the"}),
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
        # A name that contains the words ("labour" in "scottish labour") is a suggestion too.
        close += [k for k in self.keys if key and len(key) >= 3 and key in k]
        suggestions: list[str] = []
        for k in close:
            if self.keys[k] not in suggestions:
                suggestions.append(self.keys[k])
        return Match(None, suggestions[:3])


def party_directory(parties: Iterable[tuple[str, str]], aliases: Aliases | None = None) -> Directory:
    return Directory(parties, aliases)


def step_directory(steps: Sequence[tuple[str, str]]) -> Directory:
    """Steps match by id, title, or their number in the rubric (1–10)."""
    extra = {step_id: [str(number)] for number, (step_id, _title) in enumerate(steps, 1)}
    return Directory(steps, extra)


def unknown_party_message(query: str, suggestions: Sequence[str], known: int, *, see_all: str = "",
                          escape: Callable[[str], str] = str, code: Callable[[str], str] = str) -> str:
    """The one wording of "no such party", for the CLI and the bot (which passes HTML
    escaping and <code>…</code> for the suggested ids)."""
    message = f"I don't know a party called “{escape(query)}”."
    if not known:
        return message[:-1] + ": the database has no parties yet (run `partywatch check`)."
    if suggestions:
        return message + f" Did you mean {', '.join(code(s) for s in suggestions)}?"
    return message + (f" {see_all}" if see_all else "")


class UnknownParty(LookupError):
    """No party matches; `suggestions` holds the closest ids, best first."""

    def __init__(self, query: str, suggestions: Sequence[str], known: int):
        self.query = query
        self.suggestions = list(suggestions)
        self.known = known
        super().__init__(unknown_party_message(
            query, self.suggestions, known,
            see_all=f"The database knows {known} parties; `partywatch export` lists them in parties.csv."))


def find_party(conn: Connection, query: str, aliases: Aliases | None = None) -> tuple[str, str]:
    """(id, name) of the stored party `query` names (see Directory); `aliases` come from parties.yaml.

    Raises UnknownParty with up to three close matches when there is none.
    """
    parties = conn.execute(text("SELECT id, name FROM parties ORDER BY id")).all()
    directory = party_directory(((row.id, row.name) for row in parties), aliases)
    found = directory.find(query)
    if found.id is None:
        raise UnknownParty(query, found.suggestions, len(parties))
    return found.id, directory.names[found.id]

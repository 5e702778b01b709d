"""Loading and validating parties.yaml, the list of parties partywatch watches.

Every problem is reported with the entry and the field it is in, and the line:

    parties.yaml:14: parties[2] (snp).homepage: field required

The file is checked here by hand, against the fields below, not by a pydantic model as
rubric.yaml is: every check reads it before its crawl starts, and pydantic (about 9 MB of
memory and 45 ms of imports) would then sit in the check process beside the crawl process
for the whole crawl, where the two together make a check's peak memory
(bench/peer_bench.py). rubric.yaml keeps its pydantic schema: a check parses it once the
crawl has its work (partywatch.check_prepare), before the crawl only when the rubric
changed since it last loaded (scoring.loader.known_to_load).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit

from history.party_names import normalise
from scoring.kinds import DOCUMENT_KINDS
from scoring.yamlfile import YamlDocument, YamlSyntaxError, read_yaml

PARTY_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
# An id travels in the bot's buttons ("why:<id>:message-transparency"), which Telegram caps
# at 64 bytes (bot/callbacks.py); 32 characters leave room for every action and step.
MAX_ID_LENGTH = 32
EC_ID = re.compile(r"^[A-Z]{1,4}[0-9]+$")


class PartiesError(Exception):
    """parties.yaml could not be used; `problems` holds one line per problem."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class DocumentEntry:
    url: str
    kind: str = "privacy_notice"
    render: bool | None = None  # None: as the party says


@dataclass
class PartyEntry:
    id: str  # stable, lowercase, [a-z0-9-]
    name: str
    jurisdiction: str
    homepage: str
    # The Electoral Commission's registration number (PP52): matches the party's spending returns.
    ec_id: str | None = None
    render: bool = False  # fetch pages through headless Chromium
    documents: list[DocumentEntry] = field(default_factory=list)
    # Score a web archive's latest copy of a document the crawl cannot fetch.
    archive_fallback: bool = False
    # Other names people use for the party ("tories", "lib dems"): the bot and the CLI
    # accept them wherever a party is named.
    aliases: list[str] = field(default_factory=list)

    @property
    def renders(self) -> bool:
        """Whether any of the party's pages is fetched through Chromium."""
        return self.render or any(d.render for d in self.documents)

    @property
    def hosts(self) -> set[str]:
        """The hosts the crawl may visit for this party."""
        urls = [self.homepage, *(d.url for d in self.documents)]
        return {(urlsplit(u).hostname or "").lower() for u in urls}

    def crawl_spec(self) -> dict:
        """What the crawl process needs of this party, as JSON-ready data (spiders.crawl)."""
        return {"id": self.id, "name": self.name, "jurisdiction": self.jurisdiction,
                "homepage": self.homepage, "render": self.render,
                "documents": [{"url": d.url, "kind": d.kind, "render": d.render}
                              for d in self.documents]}

    def as_row(self) -> dict:
        return {"id": self.id, "name": self.name, "jurisdiction": self.jurisdiction,
                "homepage": self.homepage}


# ------------------------------------------------------------------ checking the fields
# A check takes the value and returns a problem, or None when the value is good.
Check = Callable[[Any], "str | None"]


def _text(value: Any) -> str | None:
    return None if isinstance(value, str) else f"expected text, got {value!r}"


def _flag(value: Any) -> str | None:
    return None if isinstance(value, bool) else f"expected true or false, got {value!r}"


def _optional(check: Check) -> Check:
    return lambda value: None if value is None else check(value)


def _url(value: Any) -> str | None:
    if not isinstance(value, str):
        return _text(value)
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"not an http(s) URL: {value!r}"
    return None


def _party_id(value: Any) -> str | None:
    if not isinstance(value, str):
        return _text(value)
    if not PARTY_ID.match(value):
        return f"{value!r} is not a lowercase id of a-z, 0-9 and '-'"
    if len(value) > MAX_ID_LENGTH:
        return f"{value!r} is longer than {MAX_ID_LENGTH} characters (it must fit in the bot's buttons)"
    return None


def _ec_id(value: Any) -> str | None:
    if not isinstance(value, str):
        return _text(value)
    if not EC_ID.match(value):
        return f"{value!r} is not an Electoral Commission registration number like PP52"
    return None


def _kind(value: Any) -> str | None:
    if value in DOCUMENT_KINDS:
        return None
    return f"expected one of {', '.join(DOCUMENT_KINDS)}, got {value!r}"


def _alias(value: Any) -> str | None:
    if not isinstance(value, str):
        return _text(value)
    return None if normalise(value) else f"{value!r} is not a name (it has no letters or digits)"


# field: (check, required)
Fields = dict[str, tuple[Check, bool]]
DOCUMENT_FIELDS: Fields = {
    "url": (_url, True), "kind": (_kind, False), "render": (_optional(_flag), False)}
PARTY_FIELDS: Fields = {
    "id": (_party_id, True), "name": (_text, True), "jurisdiction": (_text, True), "homepage": (_url, True),
    "ec_id": (_optional(_ec_id), False), "render": (_flag, False), "archive_fallback": (_flag, False)}
# list field: the check of each item, or the fields of each item when the items are mappings
PARTY_LISTS: dict[str, Check | Fields] = {"aliases": _alias, "documents": DOCUMENT_FIELDS}


def _check_mapping(value: Any, fields: Fields, lists: dict[str, Check | Fields], loc: tuple,
                   problems: list[tuple[tuple, str]]) -> None:
    """Add (location, problem) for each thing wrong with one entry."""
    if not isinstance(value, dict):
        problems.append((loc, f"expected a mapping of {', '.join(fields)}, got {value!r}"))
        return
    for key in value:
        if key not in fields and key not in lists:
            problems.append((loc + (key,), f"unknown key {key!r}"))
    for key, (check, required) in fields.items():
        if key not in value:
            if required:
                problems.append((loc + (key,), "field required"))
            continue
        problem = check(value[key])
        if problem:
            problems.append((loc + (key,), problem))
    for key, item_check in lists.items():
        items = value.get(key, [])
        if not isinstance(items, list):
            problems.append((loc + (key,), f"expected a list, got {items!r}"))
            continue
        for index, item in enumerate(items):
            if isinstance(item_check, dict):
                _check_mapping(item, item_check, {}, loc + (key, index), problems)
            elif problem := item_check(item):
                problems.append((loc + (key, index), problem))


def _problems(data: dict) -> list[tuple[tuple, str]]:
    problems: list[tuple[tuple, str]] = []
    for key in data:
        if key != "parties":
            problems.append(((key,), f"unknown key {key!r}"))
    parties = data.get("parties")
    if "parties" not in data:
        problems.append((("parties",), "field required"))
    elif not isinstance(parties, list):
        problems.append((("parties",), f"expected a list of parties, got {parties!r}"))
    else:
        for index, party in enumerate(parties):
            _check_mapping(party, PARTY_FIELDS, PARTY_LISTS, ("parties", index), problems)
    return problems


def _party(entry: dict) -> PartyEntry:
    """A checked entry as a PartyEntry (its defaults for what it leaves out)."""
    documents = [DocumentEntry(**document) for document in entry.get("documents", [])]
    return PartyEntry(**{**entry, "documents": documents, "aliases": list(entry.get("aliases", []))})


def _describe(loc: tuple, data: dict) -> str:
    """parties[2] (snp).homepage — the entry named by its id when it has one."""
    text = ""
    for index, part in enumerate(loc):
        if isinstance(part, int):
            text += f"[{part}]"
            if loc[:index] == ("parties",):
                try:
                    party_id = data["parties"][part].get("id")
                except (AttributeError, IndexError, KeyError, TypeError):
                    party_id = None
                if party_id:
                    text += f" ({party_id})"
        else:
            text += f".{part}" if text else str(part)
    return text


def load_parties(path: str | Path) -> list[PartyEntry]:
    """Read and validate parties.yaml; raise PartiesError listing every problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PartiesError([f"{path}: cannot read: {exc.strerror or exc}"]) from exc
    try:
        document = read_yaml(text)
    except YamlSyntaxError as exc:
        where = f"{path}:{exc.line}" if exc.line else str(path)
        raise PartiesError([f"{where}: not valid YAML: {exc.message}"]) from exc
    data = document.data
    if not isinstance(data, dict):
        raise PartiesError([f"{path}:1: expected a mapping with a 'parties' list"])
    if document.duplicate_keys:
        raise PartiesError([f"{path}:{d.line}: {_describe(d.path, data)}: written twice "
                            f"(also on line {d.first_line}); YAML would keep only the last one"
                            for d in document.duplicate_keys])
    problems = _problems(data)
    if problems:
        raise PartiesError([f"{path}:{document.line_for(loc)}: {_describe(loc, data)}: {message}"
                            for loc, message in problems])
    parties = [_party(entry) for entry in data["parties"]]
    clashes = _clashes(parties, document, data)
    if clashes:
        raise PartiesError([f"{path}:{line}: {text}" for line, text in clashes])
    return parties


def _clashes(parties: list[PartyEntry], document: YamlDocument, data: dict) -> list[tuple[int | None, str]]:
    """(line, problem) for a repeated id, and for an alias that already names another party:
    "lab" cannot mean both labour and another party."""
    problems: list[tuple[int | None, str]] = []
    seen: dict[str, int] = {}
    for index, party in enumerate(parties):
        if party.id in seen:
            loc: tuple = ("parties", index, "id")
            problems.append((document.line_for(loc), f"{_describe(loc, data)}: duplicate id, "
                             f"already used by parties[{seen[party.id]}]"))
        seen.setdefault(party.id, index)
    owner: dict[str, str] = {}
    for party in parties:
        for name in (party.id, party.name):
            owner.setdefault(normalise(name), party.id)
    for index, party in enumerate(parties):
        for number, alias in enumerate(party.aliases):
            key = normalise(alias)
            if owner.setdefault(key, party.id) != party.id:
                loc = ("parties", index, "aliases", number)
                problems.append((document.line_for(loc), f"{_describe(loc, data)}: {alias!r} already "
                                 f"names {owner[key]}; an alias must name one party"))
    return problems


def party_aliases(parties: list[PartyEntry]) -> dict[str, list[str]]:
    """Each party's aliases by id, for history.party_names."""
    return {party.id: list(party.aliases) for party in parties if party.aliases}


def select_parties(parties: list[PartyEntry], wanted: tuple[str, ...]) -> list[PartyEntry]:
    """The parties named by --party (all when none are named); unknown ids are an error."""
    if not wanted:
        return parties
    by_id = {party.id: party for party in parties}
    unknown = [w for w in wanted if w not in by_id]
    if unknown:
        known = ", ".join(sorted(by_id))
        raise PartiesError([f"unknown party {u!r}; parties.yaml has: {known}" for u in unknown])
    return [by_id[w] for w in wanted]

"""Loading and validating parties.yaml, the list of parties partywatch watches.

Every problem is reported with the entry and the field it is in, and the line:

    parties.yaml:14: parties[2] (snp).homepage: field required
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator

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


def _check_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {value!r}")
    return value


def _check_alias(value: str) -> str:
    if not normalise(value):
        raise ValueError(f"{value!r} is not a name (it has no letters or digits)")
    return value


Alias = Annotated[str, AfterValidator(_check_alias)]


class DocumentEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str
    kind: Literal[DOCUMENT_KINDS] = "privacy_notice"  # type: ignore[valid-type]
    render: bool | None = None  # None: as the party says

    _url = field_validator("url")(classmethod(lambda cls, v: _check_url(v)))


class PartyEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(description="stable, lowercase, [a-z0-9-]")
    name: str
    jurisdiction: str
    homepage: str
    # The Electoral Commission's registration number (PP52): matches the party's spending returns.
    ec_id: str | None = None
    render: bool = Field(False, description="fetch pages through headless Chromium")
    documents: list[DocumentEntry] = []
    # Score a web archive's latest copy of a document the crawl cannot fetch.
    archive_fallback: bool = False
    # Other names people use for the party ("tories", "lib dems"): the bot and the CLI
    # accept them wherever a party is named.
    aliases: list[Alias] = []

    _homepage = field_validator("homepage")(classmethod(lambda cls, v: _check_url(v)))

    @field_validator("id")
    @classmethod
    def _id_is_slug(cls, value: str) -> str:
        if not PARTY_ID.match(value):
            raise ValueError(f"{value!r} is not a lowercase id of a-z, 0-9 and '-'")
        if len(value) > MAX_ID_LENGTH:
            raise ValueError(f"{value!r} is longer than {MAX_ID_LENGTH} characters (it must fit in "
                             "the bot's buttons)")
        return value

    @field_validator("ec_id")
    @classmethod
    def _ec_id_is_a_registration_number(cls, value: str | None) -> str | None:
        if value is not None and not EC_ID.match(value):
            raise ValueError(f"{value!r} is not an Electoral Commission registration number like PP52")
        return value

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


class PartiesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    parties: list[PartyEntry]


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
    try:
        parsed = PartiesFile.model_validate(data)
    except ValidationError as exc:
        messages = []
        for error in exc.errors():
            loc = tuple(error["loc"])
            message = error["msg"].removeprefix("Value error, ")
            if error["type"] == "extra_forbidden":
                message = f"unknown key {loc[-1]!r}"
            elif error["type"] == "missing":
                message = "field required"
            messages.append(f"{path}:{document.line_for(loc)}: {_describe(loc, data)}: {message}")
        raise PartiesError(messages) from exc
    problems = _clashes(parsed.parties, document, data)
    if problems:
        raise PartiesError([f"{path}:{line}: {text}" for line, text in problems])
    return parsed.parties


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

"""Loading and validating parties.yaml, the list of parties partywatch watches.

Every problem is reported with the entry and the field it is in, and the line:

    parties.yaml:14: parties[2] (snp).homepage: field required
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

DOCUMENT_KINDS = ("privacy_notice", "supplier_list", "cookie_policy", "other")
PARTY_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
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


class DocumentEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str
    kind: Literal["privacy_notice", "supplier_list", "cookie_policy", "other"] = "privacy_notice"
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

    _homepage = field_validator("homepage")(classmethod(lambda cls, v: _check_url(v)))

    @field_validator("id")
    @classmethod
    def _id_is_slug(cls, value: str) -> str:
        if not PARTY_ID.match(value):
            raise ValueError(f"{value!r} is not a lowercase id of a-z, 0-9 and '-'")
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
        return {urlsplit(u).hostname.lower() for u in urls}

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


def _line_index(node: yaml.Node, path: tuple = ()) -> dict[tuple, int]:
    """Map each key path in a YAML document to its 1-based line."""
    lines = {path: node.start_mark.line + 1}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            lines[path + (key.value,)] = key.start_mark.line + 1
            lines.update({k: v for k, v in _line_index(value, path + (key.value,)).items()
                          if k != path + (key.value,)})
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines.update(_line_index(item, path + (index,)))
    return lines


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


def _nearest_line(lines: dict[tuple, int], loc: tuple) -> int | None:
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return None


def load_parties(path: str | Path) -> list[PartyEntry]:
    """Read and validate parties.yaml; raise PartiesError listing every problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PartiesError([f"{path}: cannot read: {exc.strerror or exc}"]) from exc
    try:
        node = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise PartiesError([f"{where}: not valid YAML: {getattr(exc, 'problem', exc)}"]) from exc
    if not isinstance(data, dict):
        raise PartiesError([f"{path}:1: expected a mapping with a 'parties' list"])
    lines = _line_index(node) if node is not None else {}
    try:
        parsed = PartiesFile.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = tuple(error["loc"])
            message = error["msg"].removeprefix("Value error, ")
            if error["type"] == "extra_forbidden":
                message = f"unknown key {loc[-1]!r}"
            elif error["type"] == "missing":
                message = "field required"
            line = _nearest_line(lines, loc)
            problems.append(f"{path}:{line}: {_describe(loc, data)}: {message}")
        raise PartiesError(problems) from exc

    problems = []
    seen: dict[str, int] = {}
    for index, party in enumerate(parsed.parties):
        if party.id in seen:
            line = lines.get(("parties", index, "id"))
            problems.append(f"{path}:{line}: parties[{index}] ({party.id}).id: duplicate id, "
                            f"already used by parties[{seen[party.id]}]")
        seen.setdefault(party.id, index)
    if problems:
        raise PartiesError(problems)
    return parsed.parties


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

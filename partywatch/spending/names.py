"""Telling whether two company names are the same supplier.

A notice says "Acme Research", the Commission's return "ACME RESEARCH LIMITED"; a notice
says "Facebook", the return "Meta Platforms Ireland Limited". Names are normalised
(case, accents, "&"/"and", punctuation, a leading "The", Ltd/Limited/PLC/LLP/Inc endings;
"X Ltd t/a Y" is both X and Y), mapped through the curated alias list
(supplier_aliases.yaml beside this module) and then compared with rapidfuzz, so small
spelling differences still match while "Acme Print" and "Acme Research" do not. Every
match keeps its score and both names.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

ALIASES_FILE = Path(__file__).resolve().parent / "supplier_aliases.yaml"
# token_sort_ratio at or above this is the same name: "Acme Researh" = "Acme Research" (96),
# "Acme Print" != "Acme Research" (61), "Northgate Polling" != "Northgate Printing" (83).
MATCH_CUTOFF = 90
TRADING_AS = re.compile(r"\s+(?:t/a|t\.a\.|trading as)\s+", re.IGNORECASE)
SUFFIXES = {"ltd", "limited", "plc", "llp", "llc", "lp", "inc", "incorporated", "corp", "corporation",
            "co", "company", "gmbh", "bv", "sa", "ag", "cic", "unlimited"}


class AliasError(Exception):
    """The alias list cannot be used; the message says where and why."""


class AliasEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    also: list[str] = Field(min_length=1)


def normalise(name: str) -> str:
    """'The Acme Research Co. Ltd' -> 'acme research'; 'Print & Post' -> 'print and post'."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    text = text.replace("&", " and ").replace("+", " and ")
    words = re.sub(r"[^a-z0-9]+", " ", text).split()
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
    while len(words) > 1 and words[-1] in SUFFIXES:
        words = words[:-1]
    return " ".join(words)


def variants(name: str) -> list[str]:
    """The normalised names a payee goes by: 'X Ltd t/a Y' is both 'x' and 'y'."""
    out = []
    for part in TRADING_AS.split(name):
        form = normalise(part)
        if form and form not in out:
            out.append(form)
    return out


@dataclass(frozen=True)
class Match:
    named: str  # as the notice names it
    paid: str  # as the spending return names the payee
    score: float  # 0-100; 100 for an exact or alias match
    how: str  # exact | alias | fuzzy


class SupplierMatcher:
    def __init__(self, aliases: list[AliasEntry] | None = None, cutoff: float = MATCH_CUTOFF):
        self.cutoff = cutoff
        self.canonical: dict[str, str] = {}  # normalised alias -> normalised registered name
        for entry in aliases or []:
            main = normalise(entry.name)
            for alias in (entry.name, *entry.also):
                self.canonical[normalise(alias)] = main

    def _forms(self, name: str) -> list[tuple[str, bool]]:
        """(form, came from the alias list) for each variant of the name."""
        return [(self.canonical.get(form, form), form in self.canonical) for form in variants(name)]

    def match(self, named: str, paid: str) -> Match | None:
        """The match of two names if they are the same supplier, else None."""
        # Imported here, not with the module: every check loads this module to score the
        # suppliers step, and most parties have no spending returns to compare (~3 MB).
        from rapidfuzz import fuzz

        best: Match | None = None
        for a, a_alias in self._forms(named):
            for b, b_alias in self._forms(paid):
                if a == b:
                    how = "alias" if (a_alias or b_alias) and normalise(named) != normalise(paid) else "exact"
                    return Match(named, paid, 100.0, how)
                score = fuzz.token_sort_ratio(a, b, score_cutoff=self.cutoff)
                if score and (best is None or score > best.score):
                    best = Match(named, paid, round(score, 1), "fuzzy")
        return best

    def same(self, a: str, b: str) -> bool:
        return self.match(a, b) is not None


def load_aliases(path: str | Path = ALIASES_FILE) -> list[AliasEntry]:
    """The alias list at `path`; AliasError naming the entry when it is malformed."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise AliasError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except yaml.YAMLError as exc:
        raise AliasError(f"{path}: not valid YAML: {exc}") from exc
    entries = (data or {}).get("suppliers") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise AliasError(f"{path}: expected a 'suppliers' list of {{name, also}} entries")
    out = []
    for index, entry in enumerate(entries):
        try:
            out.append(AliasEntry.model_validate(entry))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "entry"
            raise AliasError(f"{path}: suppliers[{index}].{where}: {first['msg']}") from exc
    return out

"""Plain result types: claims found in a document, and the scorecard built from them."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Credit(StrEnum):
    """What an element earns. The values are the strings the JSON and the database carry."""

    FULL = "full"
    PARTIAL = "partial"
    NONE = "none"
    # The element does not apply to these documents (or the spending returns are not
    # loaded): it is left out of the step's mean, not counted as none.
    NOT_APPLICABLE = "n/a"

    @property
    def rank(self) -> int:
        """Which of two answers is stronger: full 2, partial 1, none (and n/a) 0."""
        return _RANKS[self]

    @property
    def points(self) -> float | None:
        """What the credit adds to a step's mean; None for n/a, which is left out."""
        return _POINTS[self]

    @classmethod
    def of_rank(cls, rank: int) -> Credit:
        return {2: cls.FULL, 1: cls.PARTIAL, 0: cls.NONE}[rank]

    @property
    def answered(self) -> bool:
        """The documents answer the element's question, fully or in part."""
        return self in (Credit.FULL, Credit.PARTIAL)


_RANKS = {Credit.FULL: 2, Credit.PARTIAL: 1, Credit.NONE: 0, Credit.NOT_APPLICABLE: 0}
_POINTS = {Credit.FULL: 100.0, Credit.PARTIAL: 50.0, Credit.NONE: 0.0, Credit.NOT_APPLICABLE: None}


class Form(StrEnum):
    """Whom a scorecard is serialised for; each form is a contract kept by one serialiser
    (the to_dict methods below), so the three can never drift apart field by field."""

    # `partywatch score --format json`: DESIGN.md's STEP objects, each element with its
    # question, and with what was looked for when nothing was found.
    SCORE = "score"
    # `partywatch check --format json`: DESIGN.md's STEP objects as the history holds them
    # (questions are the rubric's, not stored with a scorecard).
    CHECK = "check"
    # history.store.store_scorecard's input: every stored field, evidence with its snapshot.
    STORED = "stored"


@dataclass(frozen=True)
class Claim:
    """One sentence of one document that answers one rubric element.

    ``text[start:end] == quote`` for the extracted text the claim was found in.
    ``credit`` is full or partial (none only for a reverse-scored element whose bad
    practice the document states it follows).
    """

    step_id: str
    element_id: str
    credit: Credit
    quote: str
    url: str
    start: int
    end: int
    detail: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "credit", Credit(self.credit))  # rules and rows give strings

    def to_dict(self) -> dict[str, Any]:
        return {
            "step_id": self.step_id,
            "element_id": self.element_id,
            "credit": self.credit.value,
            "quote": self.quote,
            "url": self.url,
            "start": self.start,
            "end": self.end,
            "detail": self.detail,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Claim":
        return cls(
            step_id=d["step_id"],
            element_id=d["element_id"],
            credit=d["credit"],
            quote=d["quote"],
            url=d["url"],
            start=int(d["start"]),
            end=int(d["end"]),
            detail=d.get("detail"),
        )


@dataclass
class DocumentClaims:
    url: str
    kind: str
    claims: list[Claim]
    snapshot_id: int | None = None


@dataclass(frozen=True)
class Evidence:
    quote: str
    url: str
    start: int
    end: int
    snapshot_id: int | None = None
    # What this sentence earns on its own; an element's full credit may add up from
    # several partial sentences (a date here, a change notice there).
    credit: Credit | None = None
    # The rubric rule that found it ("retention/periods/partial[0]"), for the maintainer's
    # `rubric evaluate`; not stored, and no part of what the quote is.
    rule: str | None = field(default=None, compare=False)

    def to_dict(self, form: Form = Form.SCORE) -> dict[str, Any]:
        d: dict[str, Any] = {"quote": self.quote, "url": self.url, "start": self.start, "end": self.end}
        if form is Form.STORED:
            d["snapshot_id"] = self.snapshot_id
        return d


@dataclass
class ElementResult:
    id: str
    credit: Credit
    evidence: list[Evidence] = field(default_factory=list)
    looked_for: str = ""
    question: str = ""
    weight: float = 1.0
    detail: list[dict[str, Any]] = field(default_factory=list)
    denial: bool = False  # the credit rests only on "we do not ..." sentences

    def __post_init__(self) -> None:
        self.credit = Credit(self.credit)

    @property
    def points(self) -> float | None:
        return self.credit.points

    def to_dict(self, form: Form = Form.SCORE) -> dict[str, Any]:
        evidence = [e.to_dict(form) for e in self.evidence]
        if form is Form.STORED:
            return {"id": self.id, "credit": self.credit.value, "looked_for": self.looked_for,
                    "detail": self.detail or None, "evidence": evidence}
        d: dict[str, Any] = {"id": self.id, "credit": self.credit.value, "evidence": evidence}
        if form is Form.SCORE:
            d["question"] = self.question
            if not self.credit.answered:
                d["looked_for"] = self.looked_for
        if self.detail:
            d["detail"] = self.detail
        return d


@dataclass
class StepResult:
    id: str
    title: str
    score: float
    elements: list[ElementResult]
    applicable: bool = True

    @property
    def label(self) -> str:
        """full (>= 75), partial (25-74) or none (< 25): how the corpus labels a step."""
        return step_label(self.score)

    def best_evidence(self) -> Evidence | None:
        for credit in (Credit.FULL, Credit.PARTIAL):
            for el in self.elements:
                if el.credit == credit and el.evidence:
                    return el.evidence[0]
        return None

    def to_dict(self, form: Form = Form.SCORE) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "score": self.score,
            "elements": [e.to_dict(form) for e in self.elements],
        }


FULL_FROM, PARTIAL_FROM = 75.0, 25.0  # LABELLING.md: a step's class from its score


def step_label(score: float) -> Credit:
    if score >= FULL_FROM:
        return Credit.FULL
    if score >= PARTIAL_FROM:
        return Credit.PARTIAL
    return Credit.NONE


@dataclass(frozen=True)
class Payee:
    """A supplier the party paid for data-related campaign work, from its spending returns."""

    supplier: str  # as the returns name it
    total: float  # pounds
    categories: tuple[str, ...]
    items: int
    named_as: str | None = None  # the name the party's documents give it; None: never named

    def to_dict(self) -> dict[str, Any]:
        return {"supplier": self.supplier, "total": self.total, "categories": list(self.categories),
                "items": self.items, "named_as": self.named_as}


@dataclass(frozen=True)
class SpendingCheck:
    """A party's data-related payees (up to the date a scorecard is for), each matched or
    not with a supplier its documents name. Given to the scorer by its caller: scoring
    reads no database."""

    paid_not_named: tuple[Payee, ...] = ()
    named_and_paid: tuple[Payee, ...] = ()


@dataclass
class Scorecard:
    rubric_version: str
    overall: float
    grade: str
    steps: list[StepResult]
    rubric_hash: str = ""

    def step(self, step_id: str) -> StepResult:
        for s in self.steps:
            if s.id == step_id:
                return s
        raise KeyError(step_id)

    def to_dict(self, form: Form = Form.SCORE) -> dict[str, Any]:
        return {
            "rubric_version": self.rubric_version,
            "overall": self.overall,
            "grade": self.grade,
            "steps": [s.to_dict(form) for s in self.steps],
        }

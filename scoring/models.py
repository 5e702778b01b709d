"""Plain result types: claims found in a document, and the scorecard built from them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

CREDIT_POINTS = {"full": 100.0, "partial": 50.0, "none": 0.0}


@dataclass(frozen=True)
class Claim:
    """One sentence of one document that answers one rubric element.

    ``text[start:end] == quote`` for the extracted text the claim was found in.
    ``credit`` is "full" or "partial" ("none" only for a reverse-scored element whose
    bad practice the document states it follows).
    """

    step_id: str
    element_id: str
    credit: str
    quote: str
    url: str
    start: int
    end: int
    detail: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "step_id": self.step_id,
            "element_id": self.element_id,
            "credit": self.credit,
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
    credit: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"quote": self.quote, "url": self.url, "start": self.start, "end": self.end}


@dataclass
class ElementResult:
    id: str
    credit: str  # full | partial | none | n/a
    evidence: list[Evidence] = field(default_factory=list)
    looked_for: str = ""
    question: str = ""
    weight: float = 1.0
    detail: list[dict[str, Any]] = field(default_factory=list)

    @property
    def points(self) -> float | None:
        return CREDIT_POINTS.get(self.credit)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "id": self.id,
            "credit": self.credit,
            "evidence": [e.to_dict() for e in self.evidence],
            "question": self.question,
        }
        if self.credit in ("none", "n/a"):
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
        for credit in ("full", "partial"):
            for el in self.elements:
                if el.credit == credit and el.evidence:
                    return el.evidence[0]
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "score": self.score,
            "elements": [e.to_dict() for e in self.elements],
        }


def step_label(score: float) -> str:
    if score >= 75:
        return "full"
    if score >= 25:
        return "partial"
    return "none"


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

    def to_dict(self) -> dict[str, Any]:
        return {
            "rubric_version": self.rubric_version,
            "overall": self.overall,
            "grade": self.grade,
            "steps": [s.to_dict() for s in self.steps],
        }

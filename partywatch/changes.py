"""What moved between two consecutive scorecards of a party (same rubric version).

A change is stored as a scorecard_changes row (kind, subject, old, new, summary) whose
subject is "overall", a step id, "step/element" or a document URL. `Change` is that row
typed: built once by the pipeline's diff, read by `check`, the notifications and the
report's feeds, and the subject is put together and taken apart only here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class ChangeKind(StrEnum):
    OVERALL = "overall"  # the overall score or grade
    STEP = "step"  # a step's score
    ELEMENT = "element"  # an element's credit (or, same credit, the payees behind it)
    DOCUMENT = "document"  # a document added, removed, or with a new version of its text


@dataclass(frozen=True)
class Change:
    kind: ChangeKind
    old: str | None  # None: the step, element or document was not there before
    new: str | None  # for a document: added | changed | removed
    # A step's title; a document's kind (added), text-change summary (changed) or status (removed).
    summary: str | None = None
    step_id: str | None = None  # steps and elements
    element_id: str | None = None  # elements
    url: str | None = None  # documents

    @classmethod
    def overall(cls, old: str, new: str) -> Change:
        return cls(ChangeKind.OVERALL, old, new)

    @classmethod
    def step(cls, step_id: str, old: str | None, new: str, title: str) -> Change:
        return cls(ChangeKind.STEP, old, new, title, step_id=step_id)

    @classmethod
    def element(cls, step_id: str, element_id: str, old: str | None, new: str | None) -> Change:
        return cls(ChangeKind.ELEMENT, old, new, step_id=step_id, element_id=element_id)

    @classmethod
    def document(cls, url: str, new: str, summary: str | None) -> Change:
        return cls(ChangeKind.DOCUMENT, None, new, summary, url=url)

    @property
    def subject(self) -> str:
        """What moved, as stored: "overall", the step id, "step/element" or the URL."""
        if self.kind is ChangeKind.OVERALL:
            return "overall"
        if self.kind is ChangeKind.STEP:
            return str(self.step_id)
        if self.kind is ChangeKind.ELEMENT:
            return f"{self.step_id}/{self.element_id}"
        return str(self.url)

    def to_dict(self) -> dict[str, Any]:
        """The scorecard_changes row's columns (history.store.store_scorecard's input)."""
        return {"kind": self.kind.value, "subject": self.subject, "old": self.old,
                "new": self.new, "summary": self.summary}

    @classmethod
    def from_row(cls, row: Any) -> Change:
        """A stored change (a history.models ScorecardChangeRow, or anything with its
        kind, subject, old, new and summary attributes)."""
        kind = ChangeKind(row.kind)
        if kind is ChangeKind.OVERALL:
            return cls.overall(row.old, row.new)
        if kind is ChangeKind.STEP:
            return cls.step(row.subject, row.old, row.new, row.summary)
        if kind is ChangeKind.ELEMENT:
            step_id, _, element_id = row.subject.partition("/")
            return cls.element(step_id, element_id, row.old, row.new)
        return cls.document(row.subject, row.new, row.summary)

"""What scoring a party came to, as a check keeps it until it has reported and notified.

partywatch.pipeline makes these; partywatch.checking reports them and the pipeline's
queue_notifications turns the changed ones into messages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from partywatch.changes import Change

if TYPE_CHECKING:
    from history.models import ScorecardRow


@dataclass(frozen=True)
class ScorecardSummary:
    """What a run reports and notifies of a stored scorecard: its id, grade and step scores.

    A run keeps one outcome per party until it has queued its notifications, so an outcome
    holds this, not the ScorecardRow with every element's evidence attached: those ORM
    rows, kept for 200 parties, held ~20 MB until the check ended. The rows themselves are
    a `session.get(ScorecardRow, summary.id)` away.
    """

    id: int
    overall: float
    grade: str
    snapshot_ids: tuple[int, ...]
    steps: tuple[tuple[str, str, float], ...]  # (step id, title, score), in rubric order

    @classmethod
    def of(cls, card: ScorecardRow) -> ScorecardSummary:
        return cls(card.id, card.overall, card.grade, tuple(card.snapshot_ids or ()),
                   tuple((step.step_id, step.title, step.score) for step in card.steps))


@dataclass
class PartyOutcome:
    party_id: str
    name: str
    # The new one when changed, else the latest stored one; None when not scored.
    scorecard: ScorecardSummary | None
    previous: ScorecardSummary | None
    changed: bool  # a new scorecard was stored
    changes: list[Change] = field(default_factory=list)
    extraction_errors: list[tuple[str, str]] = field(default_factory=list)  # (url, error)
    reason: str | None = None  # why the party is not scored; None when it is

    @property
    def scored(self) -> bool:
        return self.reason is None

"""The fictional probe sets (tests/fixtures/probes) keep the agreement they reached.

A floor per set, a little under what rubric 2026.11 reaches, so that a rule change that
quietly undoes earlier judgement fails here; raise a floor when a set's figures rise.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scoring.evaluation import evaluate

PROBES = Path(__file__).parent.parent / "fixtures" / "probes"

# set: (step agreement, element agreement) floors
FLOORS = {
    "tuneA": (0.87, 0.90),
    "tuneB": (0.88, 0.86),
    "tuneC": (0.95, 0.94),
    "tuneD": (0.90, 0.92),
    "tuneE": (0.89, 0.89),
    "tuneF": (0.87, 0.89),
}


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_a_probe_set_keeps_its_agreement(scorer, name):
    got = evaluate(scorer, PROBES / name)
    steps, elements = FLOORS[name]
    assert got.step_agreement >= steps, (name, got.step_agreement)
    assert got.element_agreement >= elements, (name, got.element_agreement)

"""The probe sets keep the agreement they reached: the fictional ones (tests/fixtures/probes)
and the real non-party notices tuned on (tests/fixtures/nonparty/tune).

A floor per set, a little under what the rubric reached when the floor was set (2026.11 for
the fictional sets, 2026.12 for the non-party set), so that a rule change that
quietly undoes earlier judgement fails here; raise a floor when a set's figures rise.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scoring.evaluation import evaluate

FIXTURES = Path(__file__).parent.parent / "fixtures"

# set: (step agreement, element agreement) floors
FLOORS = {
    "nonparty/tune": (0.82, 0.74),
    "probes/tuneA": (0.87, 0.90),
    "probes/tuneB": (0.88, 0.86),
    "probes/tuneC": (0.95, 0.94),
    "probes/tuneD": (0.90, 0.92),
    "probes/tuneE": (0.89, 0.89),
    "probes/tuneF": (0.87, 0.89),
}


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_a_probe_set_keeps_its_agreement(scorer, name):
    got = evaluate(scorer, FIXTURES / name)
    steps, elements = FLOORS[name]
    assert got.step_agreement >= steps, (name, got.step_agreement)
    assert got.element_agreement >= elements, (name, got.element_agreement)

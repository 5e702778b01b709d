"""Fixtures for the scoring tests: the repository rubric, compiled once."""

from __future__ import annotations

from pathlib import Path

import pytest

from scoring import Scorer, load_rubric

REPO = Path(__file__).resolve().parents[2]
RUBRIC_PATH = REPO / "rubric.yaml"
CORPUS = REPO / "tests" / "fixtures" / "corpus"


@pytest.fixture(scope="session")
def rubric():
    return load_rubric(RUBRIC_PATH)


@pytest.fixture(scope="session")
def scorer(rubric):
    return Scorer(rubric)


@pytest.fixture(scope="session")
def rubric_text():
    return RUBRIC_PATH.read_text(encoding="utf-8")

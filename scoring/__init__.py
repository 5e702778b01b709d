"""partywatch scoring: rubric loading and validation, text extraction, claims, scorecards.

Pure: text and a rubric in, claims and a scorecard out. Imports none of the other
partywatch packages. Names are loaded when first used, so reading a rubric's schema or
extracting text does not start spaCy.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from scoring import spacy_imports, startup

spacy_imports.defer_package_inits()
startup.one_blas_thread()

_EXPORTS = {
    "Scorer": "scoring.engine",
    "ExtractionError": "scoring.extract", "extract_text": "scoring.extract",
    "Claim": "scoring.models", "DocumentClaims": "scoring.models", "ElementResult": "scoring.models",
    "Evidence": "scoring.models", "Scorecard": "scoring.models", "StepResult": "scoring.models",
    "Payee": "scoring.models", "SpendingCheck": "scoring.models",
    "step_label": "scoring.models",
    "load_rubric": "scoring.loader", "load_rubric_text": "scoring.loader", "known_to_load": "scoring.loader",
    "DOCUMENT_KINDS": "scoring.kinds", "STEP_IDS": "scoring.rubric", "Rubric": "scoring.rubric",
    "Problem": "scoring.rubric_file", "RubricError": "scoring.rubric_file", "read_rubric_file": "scoring.rubric_file",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'scoring' has no attribute {name!r}")
    value = getattr(import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value

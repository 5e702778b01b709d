"""partywatch scoring: rubric loading and validation, text extraction, claims, scorecards.

Pure: text and a rubric in, claims and a scorecard out. Imports none of the other
partywatch packages.
"""

from scoring.engine import Scorer
from scoring.extract import ExtractionError, extract_text
from scoring.models import Claim, DocumentClaims, ElementResult, Evidence, Scorecard, StepResult, step_label
from scoring.loader import load_rubric, load_rubric_text
from scoring.rubric import DOCUMENT_KINDS, STEP_IDS, Problem, Rubric, RubricError

__all__ = [
    "load_rubric", "load_rubric_text", "Rubric", "RubricError", "Problem", "extract_text", "ExtractionError",
    "Scorer", "Claim", "DocumentClaims", "Scorecard", "StepResult", "ElementResult", "Evidence",
    "step_label", "DOCUMENT_KINDS", "STEP_IDS",
]

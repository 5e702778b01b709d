"""Checks of the spaCy token patterns written in rubric.yaml, made without spaCy: an
unknown attribute, an operator or predicate spaCy does not know, an attribute that needs a
trained pipeline (which partywatch does not have). Each comes with a "did you mean"."""

from __future__ import annotations

import re
from typing import Any

# spaCy token attributes usable without a trained model.
TOKEN_ATTRS = {
    "ORTH", "TEXT", "LOWER", "LEMMA", "NORM", "SHAPE", "PREFIX", "SUFFIX", "LENGTH",
    "IS_ALPHA", "IS_ASCII", "IS_DIGIT", "IS_LOWER", "IS_UPPER", "IS_TITLE", "IS_PUNCT",
    "IS_SPACE", "IS_STOP", "IS_BRACKET", "IS_QUOTE", "IS_CURRENCY", "LIKE_NUM",
    "LIKE_URL", "LIKE_EMAIL", "IS_SENT_START", "OP",
}
NEEDS_MODEL = {"POS", "TAG", "DEP", "ENT_TYPE", "ENT_IOB", "ENT_ID", "MORPH", "HEAD"}
OPS = {"!", "?", "+", "*", "{", "}"}
PREDICATES = {"IN", "NOT_IN", "REGEX", "IS_SUBSET", "IS_SUPERSET", "INTERSECTS", "==", ">=", "<=", ">", "<", "!=", "FUZZY"}


def is_one_answer(term: Any) -> bool:
    """A list of phrases and token patterns written as one term (["public task", "democratic
    engagement"]), not a token pattern (a list of {...} token descriptions)."""
    return isinstance(term, list) and bool(term) and not any(isinstance(x, dict) for x in term)


def check_token_pattern(pattern: Any) -> list[tuple[str, str]]:
    """Return (sub-path, message) for each problem in one spaCy token pattern."""
    out: list[tuple[str, str]] = []
    if not isinstance(pattern, list) or not pattern:
        return [("", "a token pattern must be a non-empty list of token descriptions like {LOWER: data}")]
    for i, tok in enumerate(pattern):
        sub = f"[{i}]"
        if not isinstance(tok, dict):
            out.append((sub, f"each token must be a mapping like {{LOWER: word}}, got {tok!r}"))
            continue
        if not tok:
            out.append((sub, "empty token description {} (use {OP: '?'} style entries only with an attribute)"))
        for key, value in tok.items():
            k = str(key)
            if k in NEEDS_MODEL:
                out.append((sub, f"token attribute '{k}' needs a trained spaCy model, which partywatch does not use"))
            elif k not in TOKEN_ATTRS and not k.startswith("_"):
                close = closest(k, TOKEN_ATTRS)
                hint = f" (did you mean '{close}'?)" if close else ""
                out.append((sub, f"unknown token attribute '{k}'{hint}"))
            elif k == "OP":
                if str(value) not in OPS and not re.fullmatch(r"\{\d*,?\d*\}", str(value)):
                    out.append((sub, f"OP must be one of ? * + ! (got {value!r})"))
            elif isinstance(value, dict):
                for pk, pv in value.items():
                    if pk not in PREDICATES:
                        out.append((sub, f"unknown predicate '{pk}' for {k} (use IN, NOT_IN or REGEX)"))
                    elif pk == "REGEX":
                        try:
                            re.compile(str(pv))
                        except re.error as exc:
                            out.append((sub, f"bad regular expression {pv!r}: {exc}"))
                    elif pk in ("IN", "NOT_IN") and not isinstance(pv, list):
                        out.append((sub, f"{pk} needs a list of words"))
            elif isinstance(value, list):
                out.append((sub, f"{k} needs one value; for several write {k}: {{IN: [...]}}"))
    return out


def closest(word: str, options: set[str]) -> str | None:
    import difflib

    m = difflib.get_close_matches(word.upper(), sorted(options), n=1, cutoff=0.7)
    return m[0] if m else None



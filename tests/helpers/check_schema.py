"""JSON Schema of `partywatch check --format json`, written from DESIGN.md's contract."""

STEP_IDS = ["data-sources", "suppliers", "message-transparency", "profiling", "special-category",
            "lawful-basis", "online-targeting", "rights", "retention", "accountability"]

EVIDENCE = {
    "type": "object",
    "required": ["quote", "url", "start", "end"],
    "properties": {"quote": {"type": "string"}, "url": {"type": "string"},
                   "start": {"type": "integer", "minimum": 0}, "end": {"type": "integer", "minimum": 0}},
}
ELEMENT = {
    "type": "object",
    "required": ["id", "credit", "evidence"],
    "properties": {"id": {"type": "string"},
                   "credit": {"enum": ["full", "partial", "none", "n/a"]},
                   "evidence": {"type": "array", "items": EVIDENCE}},
}
STEP = {
    "type": "object",
    "required": ["id", "title", "score", "elements"],
    "properties": {"id": {"enum": STEP_IDS}, "title": {"type": "string"},
                   "score": {"type": "number", "minimum": 0, "maximum": 100},
                   "elements": {"type": "array", "items": ELEMENT}},
}
DOCUMENT = {
    "type": "object",
    "required": ["url", "kind", "status"],
    "properties": {"url": {"type": "string", "pattern": "^https?://"},
                   "kind": {"enum": ["privacy_notice", "supplier_list", "cookie_policy", "other"]},
                   "status": {"enum": ["new", "ok", "unchanged", "failed", "gone", "blocked", "unreadable"]},
                   "provenance": {"enum": ["fetched", "rendered", "imported", "archived", None]},
                   "source_note": {"type": "string", "pattern": "^from "},
                   "error": {"type": "string"}},
}
SCORED = {
    "properties": {
        "status": {"const": "scored"},
        "reason": {"type": "null"},
        "overall": {"type": "number", "minimum": 0, "maximum": 100},
        "grade": {"enum": ["A", "B", "C", "D", "E"]},
        # All ten steps, in rubric order (checked by the test as well).
        "steps": {"type": "array", "items": STEP, "minItems": 10, "maxItems": 10},
    },
}
# "No text, no grade": a party without a readable privacy notice says why, and nothing else.
NOT_SCORED = {
    "properties": {
        "status": {"const": "not scored"},
        "reason": {"type": "string", "minLength": 1},
        "overall": {"type": "null"},
        "grade": {"type": "null"},
        "steps": {"type": "array", "maxItems": 0},
    },
}
CHECK_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["rubric_version", "parties"],
    "properties": {
        "rubric_version": {"type": "string"},
        "parties": {"type": "array", "items": {
            "type": "object",
            "required": ["party", "name", "status", "reason", "overall", "grade", "steps", "documents"],
            "properties": {
                "party": {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]*$"},
                "name": {"type": "string"},
                "status": {"enum": ["scored", "not scored"]},
                "documents": {"type": "array", "items": DOCUMENT},
            },
            "oneOf": [SCORED, NOT_SCORED],
        }},
    },
}

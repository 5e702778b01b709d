"""Load and validate rubric.yaml.

Every problem is reported with its path inside the YAML (``steps[3].elements[1].full[0]``)
and its line number; a rubric with any problem is rejected as a whole (nothing applied).
"""

from __future__ import annotations

import re
from typing import Any, cast

from pydantic import ValidationError

from scoring.rubric_file import Problem, RubricError, content_hash, read_rubric_file  # noqa: F401  (imported from here too)
from scoring.rubric_schema import (  # noqa: F401  (scoring.rubric is where the rest of partywatch imports them)
    DATA_SPENDING_CATEGORIES,
    DOCUMENT_KINDS,
    STEP_IDS,
    Element,
    GradeBand,
    Model,
    RubricModel,
    Rule,
    SpendingCount,
    SpendingSettings,
    Step,
    SupplierCount,
    SupplierSettings,
    Term,
)
from scoring.rubric_terms import check_token_pattern, is_one_answer
from scoring.yamlfile import YamlDocument, YamlSyntaxError, format_path, read_yaml

# the term lists under "suppliers:" (its roles are a mapping of them)
SUPPLIER_TERM_LISTS = ("context", "table_context", "incidental_context", "not_processing_context")

# ---------------------------------------------------------------- the loaded rubric


class Rubric:
    def __init__(self, model: RubricModel, yaml_text: str, source: str):
        self.model = model
        self.yaml_text = yaml_text
        self.source = source
        self.version = model.version
        self.content_hash = content_hash(yaml_text)
        self.steps = model.steps
        self.grade_bands = sorted(model.grade_bands, key=lambda b: -b.min)

    def grade(self, overall: float) -> str:
        for band in self.grade_bands:
            if overall >= band.min:
                return band.grade
        return self.grade_bands[-1].grade

    def step(self, step_id: str) -> Step:
        for s in self.steps:
            if s.id == step_id:
                return s
        raise KeyError(step_id)

    def summary(self) -> dict[str, Any]:
        n_el = sum(len(s.elements) for s in self.steps)
        phrases = tokens = 0

        def count(terms: list[Term] | None) -> None:
            nonlocal phrases, tokens
            for t in terms or []:
                if isinstance(t, str):
                    phrases += 1
                elif is_one_answer(t):
                    count(cast(list[Term], t))  # its phrases and token patterns
                else:
                    tokens += 1

        for s in self.steps:
            for e in s.elements:
                for r in e.full + e.partial:
                    for _, g in r.groups():
                        count(g)
                    count(r.unless)
        for lst in (self.model.hedges, self.model.not_hedges, self.model.negations, self.model.refusals,
                    *(getattr(self.model.suppliers, key) for key in SUPPLIER_TERM_LISTS)):
            count(lst)
        for lst in self.model.suppliers.roles.values():
            count(lst)
        return {
            "version": self.version,
            "steps": len(self.steps),
            "elements": n_el,
            "phrase_patterns": phrases,
            "token_patterns": tokens,
            "known_suppliers": len(self.model.suppliers.known),
            "content_hash": self.content_hash,
        }


# ---------------------------------------------------------------- error locations

def _clean_loc(loc: tuple) -> tuple:
    """Drop pydantic's union/type markers from an error location."""
    out = []
    for part in loc:
        if isinstance(part, str) and (
            part in ("str", "list[dict[str,any]]", "function-before[_shorthand()]", "function-after[_has_rules()]")
            or part.startswith("list[") or part.startswith("function-") or part.startswith("dict[")
        ):
            continue
        out.append("with" if part == "with_" else part)
    return tuple(out)


# ---------------------------------------------------------------- loading

def parse_rubric_text(text: str, source_name: str = "rubric.yaml") -> Rubric:
    """The rubric in `text`, checked against the schema; patterns are not compiled here
    (see scoring.loader, which also compiles every pattern with spaCy)."""
    try:
        document = read_yaml(text)
    except YamlSyntaxError as exc:
        raise RubricError([Problem("", exc.line, f"YAML syntax error: {exc.message}")], source_name) from None
    data = document.data
    if not isinstance(data, dict):
        raise RubricError([Problem("", 1, "the rubric must be a YAML mapping with 'version', 'grade_bands' and 'steps'")], source_name)
    if document.duplicate_keys:
        raise RubricError([Problem(format_path(d.path), d.line,
                                   f"'{d.path[-1]}' is written twice here (also on line {d.first_line}); "
                                   "YAML would keep only the last one") for d in document.duplicate_keys],
                          source_name)
    problems: list[Problem] = []
    try:
        model = RubricModel.model_validate(data)
    except ValidationError as exc:
        seen = set()
        for err in exc.errors():
            loc = _clean_loc(err["loc"])
            msg = err["msg"]
            if err["type"] == "extra_forbidden":
                close = None
                import difflib

                parent_fields = _fields_for(loc[:-1], data)
                if parent_fields:
                    m = difflib.get_close_matches(str(loc[-1]), parent_fields, n=1, cutoff=0.6)
                    close = m[0] if m else None
                msg = f"unknown key '{loc[-1]}'" + (f" (did you mean '{close}'?)" if close else "")
            elif msg.startswith("Value error, "):
                msg = msg[len("Value error, "):]
            key = (loc, msg)
            if key in seen:
                continue
            seen.add(key)
            problems.append(Problem(format_path(loc), document.line_for(loc), msg))
        # Union errors for terms are noisy; keep the most specific per path.
        problems = _dedupe_term_errors(problems)
        # token patterns are checked too, so one run shows every mistake
        problems = [p for p in problems if not p.path.endswith("]") or "valid list" not in p.message]
        seen_paths = {p.path for p in problems}
        for loc, msg in _raw_pattern_problems(data):
            path = format_path(loc)
            if path not in seen_paths:
                problems.append(Problem(path, document.line_for(loc), msg))
        raise RubricError(problems, source_name) from None

    problems += _semantic_checks(model, data, document)
    if problems:
        raise RubricError(problems, source_name)
    return Rubric(model, text, source_name)


def pattern_problems(rubric: Rubric, problems: list[tuple[str, str]]) -> RubricError:
    """A RubricError for (path, message) pairs found when compiling, with line numbers."""
    document = read_yaml(rubric.yaml_text)
    return RubricError([Problem(p, document.line_for(_parse_path(p)), m) for p, m in problems], rubric.source)


TERM_KEYS = {"find", "with", "and_with", "unless", "in_section", "not_in_section", "in_paragraph", "hedges", "not_hedges",
             "negations", "refusals", "off_topic", "clause_breaks", *SUPPLIER_TERM_LISTS}


def _raw_pattern_problems(data: Any, loc: tuple = ()) -> list[tuple[tuple, str]]:
    """Token-pattern problems found by walking the raw YAML data."""
    out: list[tuple[tuple, str]] = []
    if isinstance(data, dict):
        for k, v in data.items():
            if k in TERM_KEYS and isinstance(v, list):
                for t, term in enumerate(v):
                    inner = enumerate(term) if is_one_answer(term) else [(None, term)]
                    for i, pattern in inner:
                        if not isinstance(pattern, list):
                            continue
                        where = loc + (k, t) + (() if i is None else (i,))
                        for sub, msg in check_token_pattern(pattern):
                            out.append((where + _parse_path(sub), msg))
            elif isinstance(v, (dict, list)):
                out.extend(_raw_pattern_problems(v, loc + (k,)))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out.extend(_raw_pattern_problems(v, loc + (i,)))
    return out


def _parse_path(p: str) -> tuple:
    out: list[Any] = []
    for name, idx in re.findall(r"([A-Za-z_][\w-]*)|\[(\d+)\]", p):
        out.append(int(idx) if idx else name)
    return tuple(out)


def _dedupe_term_errors(problems: list[Problem]) -> list[Problem]:
    by_path: dict[str, list[Problem]] = {}
    for p in problems:
        by_path.setdefault(p.path, []).append(p)
    out = []
    for path, ps in by_path.items():
        if len(ps) > 1 and any("valid string" in p.message for p in ps):
            ps = [p for p in ps if "valid string" not in p.message] or ps
        out.extend(ps)
    return out


_FIELDS_BY_DEPTH = {
    "root": list(RubricModel.model_fields),
    "step": list(Step.model_fields),
    "element": list(Element.model_fields),
    "rule": ["find", "with", "and_with", "unless", "in_section", "not_in_section", "in_paragraph", "negated", "denial",
             "adds_up"],
    "suppliers": list(SupplierSettings.model_fields),
    "from_spending": list(SpendingCount.model_fields),
    "named_suppliers": list(SupplierCount.model_fields),
    "spending": list(SpendingSettings.model_fields),
    "band": list(GradeBand.model_fields),
}


def _fields_for(loc: tuple, data: Any) -> list[str]:
    if not loc:
        return _FIELDS_BY_DEPTH["root"]
    if loc[0] == "steps":
        if len(loc) == 2:
            return _FIELDS_BY_DEPTH["step"]
        if len(loc) == 4:
            return _FIELDS_BY_DEPTH["element"]
        if len(loc) == 5 and loc[4] in ("from_spending", "named_suppliers"):
            return _FIELDS_BY_DEPTH[loc[4]]
        if len(loc) == 6:
            return _FIELDS_BY_DEPTH["rule"]
    if loc[0] in ("suppliers", "spending"):
        return _FIELDS_BY_DEPTH[loc[0]]
    if loc[0] == "grade_bands":
        return _FIELDS_BY_DEPTH["band"]
    return []


def _semantic_checks(model: RubricModel, data: dict, document: YamlDocument) -> list[Problem]:
    problems: list[Problem] = []

    def add(loc: tuple, msg: str) -> None:
        problems.append(Problem(format_path(loc), document.line_for(loc), msg))

    ids = [s.id for s in model.steps]
    seen: dict[str, int] = {}
    for i, s in enumerate(model.steps):
        if s.id in seen:
            add(("steps", i, "id"), f"duplicate step id '{s.id}' (also steps[{seen[s.id]}])")
        seen[s.id] = i
        if s.id not in STEP_IDS:
            add(("steps", i, "id"), f"unknown step id '{s.id}'; the ten step ids are fixed: {', '.join(STEP_IDS)}")
        for k, needed in enumerate(s.full_needs):
            if needed not in {x.id for x in s.elements}:
                add(("steps", i, "full_needs", k), f"full_needs must name elements of step '{s.id}' (got '{needed}')")
        el_seen: dict[str, int] = {}
        for j, e in enumerate(s.elements):
            if e.id in el_seen:
                add(("steps", i, "elements", j, "id"), f"duplicate element id '{e.id}' in step '{s.id}' (also elements[{el_seen[e.id]}])")
            el_seen[e.id] = j
            if e.met_by and (e.met_by == e.id or e.met_by not in {x.id for x in s.elements}):
                add(("steps", i, "elements", j, "met_by"), f"met_by must name another element of step '{s.id}' (got '{e.met_by}')")
            if e.named_suppliers and e.named_suppliers.partial_min > e.named_suppliers.full_min:
                add(("steps", i, "elements", j, "named_suppliers"), "partial_min cannot be larger than full_min")
            for credit in ("full", "partial"):
                for k, rule in enumerate(getattr(e, credit)):
                    extra = [(name, getattr(rule, name)) for name in ("unless", "in_section", "not_in_section", "in_paragraph")
                             if getattr(rule, name)]
                    for gname, terms in rule.groups() + extra:
                        for t, term in enumerate(terms):
                            _check_term(term, ("steps", i, "elements", j, credit, k, gname, t), add)
    missing = [x for x in STEP_IDS if x not in ids]
    if missing:
        add(("steps",), f"missing step(s): {', '.join(missing)}")
    for name in ("hedges", "not_hedges", "negations", "refusals", "off_topic", "clause_breaks"):
        for t, term in enumerate(getattr(model, name)):
            _check_term(term, (name, t), add)
    for key in SUPPLIER_TERM_LISTS:
        for t, term in enumerate(getattr(model.suppliers, key)):
            _check_term(term, ("suppliers", key, t), add)
    for role, terms in model.suppliers.roles.items():
        for t, term in enumerate(terms):
            _check_term(term, ("suppliers", "roles", role, t), add)
    grades = [b.grade for b in model.grade_bands]
    if len(set(grades)) != len(grades):
        add(("grade_bands",), "each grade may appear only once")
    if not any(b.min == 0 for b in model.grade_bands):
        add(("grade_bands",), "the lowest grade band must start at min: 0 so every score gets a grade")
    return problems


def _check_term(term: Term, loc: tuple, add) -> None:
    if isinstance(term, str):
        if not term.strip():
            add(loc, "empty phrase")
        return
    if is_one_answer(term):
        for i, item in enumerate(term):
            _check_term(cast(Term, item), loc + (i,), add)  # a phrase or a token pattern
        return
    for sub, msg in check_token_pattern(term):
        add(loc + _parse_path(sub), msg)

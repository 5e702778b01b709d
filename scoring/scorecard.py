"""Accepted claims -> element credits -> step scores -> overall score and grade.

After Ranking Digital Rights: an element is full (100), partial (50), none (0) or n/a
(left out); a step is the weighted mean of its elements, held to its class rules
(`full_needs`, `some_is_partial`), the overall score the weighted mean of the steps.
Each credit keeps the evidence that earns it: the one sentence that most directly answers
the element's question (not the first one found), or, for a credit that adds up, the
answers that add up to it. Every other sentence that touches on the question is left out:
each quote published is one more a party could contest, and it adds nothing to the credit.
"""

from __future__ import annotations

import re

from scoring.models import (
    FULL_FROM,
    PARTIAL_FROM,
    Claim,
    Credit,
    DocumentClaims,
    ElementResult,
    Evidence,
    Scorecard,
    SpendingCheck,
    StepResult,
)
from scoring.rubric import DOCUMENT_KINDS, Element, Rubric, Step
from scoring.structure import EMAIL_OR_URL, gives_address

EVIDENCE_PER_ELEMENT = 1
SUPPLIERS_SHOWN = 5
SHORT_QUOTE_WORDS = 5
# Only words count towards a whole sentence: "* by email – privacy@example.org" is a contact
# line, evidence only through the heading above it (LABELLING.md: never on its own), so it is
# shown only when no sentence answers.
_WORD = re.compile(r"[^\W_]")

Found = list[tuple[Claim, int | None]]  # a claim and the snapshot it came from


def build_scorecard(rubric: Rubric, documents: list[DocumentClaims],
                    spending: SpendingCheck | None = None) -> Scorecard:
    """`spending`: the party's spending returns beside the suppliers its documents name,
    for elements scored from_spending; None (no returns loaded) makes them n/a."""
    steps: list[StepResult] = []
    for step in rubric.steps:
        elements = [_from_spending(step.id, el, documents, spending) if el.from_spending
                    else element_result(step.id, el, documents) for el in step.elements]
        by_id = {e.id: e for e in elements}
        for res, el in zip(elements, step.elements):
            other = by_id.get(el.met_by) if el.met_by else None
            if other is not None and res.credit != Credit.NOT_APPLICABLE and other.credit.answered \
                    and other.credit.rank > res.credit.rank:
                res.credit, res.evidence, res.denial = other.credit, list(other.evidence), other.denial
        scored = [(e, el.weight) for e, el in zip(elements, step.elements) if e.credit != Credit.NOT_APPLICABLE]
        if scored:
            total = sum(w for _, w in scored)
            score = _within_class_rules(step, by_id, round(sum(e.credit.points * w for e, w in scored) / total, 1))
        else:
            score = 0.0
        steps.append(StepResult(step.id, step.title, score, elements, applicable=bool(scored)))
    weights = [(s.score, st.weight) for s, st in zip(steps, rubric.steps) if s.applicable]
    overall = round(sum(a * w for a, w in weights) / sum(w for _, w in weights), 1) if weights else 0.0
    return Scorecard(rubric.version, overall, rubric.grade(overall), steps, rubric.content_hash)


def element_result(step_id: str, el: Element, documents: list[DocumentClaims]) -> ElementResult:
    res = ElementResult(el.id, Credit.NONE, [], el.looked_for or el.question, el.question, el.weight)
    applicable = [d for d in documents if (d.kind if d.kind in DOCUMENT_KINDS else "other") in el.applies_to]
    if not applicable:
        res.credit = Credit.NOT_APPLICABLE
        return res
    found: Found = [(cl, d.snapshot_id) for d in applicable for cl in d.claims
                    if cl.step_id == step_id and cl.element_id == el.id]
    if not found:
        return res
    if el.named_suppliers:
        return _named_suppliers(res, el, found)
    if el.reverse and any(cl.credit == Credit.NONE for cl, _ in found):
        res.credit = Credit.NONE
        res.evidence = strongest_first([x for x in found if x[0].credit == Credit.NONE])
        return res
    best = max(cl.credit.rank for cl, _ in found)
    res.credit = Credit.of_rank(best)
    res.evidence = strongest_first([x for x in found if x[0].credit.rank == best],
                                   answer_is_contact=el.answer_is_contact)
    res.denial = all(_is_denial(cl) for cl, _ in found if cl.credit.rank == best)
    admissions = _contradicting_admissions(found) if res.credit == Credit.FULL and res.denial else []
    if admissions:
        res.credit, res.denial = Credit.PARTIAL, False
        res.evidence = strongest_first(admissions, answer_is_contact=el.answer_is_contact)
        return res
    if res.credit == Credit.PARTIAL and (el.full_from_partials or el.full_from_claims):
        _add_up(res, el, found)
    return res


def _within_class_rules(step: Step, by_id: dict[str, ElementResult], score: float) -> float:
    """The weighted mean, held to the step's class rules: just below the full class while
    an element it needs is not full (all rights but the right to complain stay partial),
    unless its full answers all say the practice is not done ("we run no targeted adverts"
    needs no ad library); at least the partial class when anything is answered ("some of
    these")."""
    unmet = [by_id[e] for e in step.full_needs if by_id[e].credit not in (Credit.FULL, Credit.NOT_APPLICABLE)]
    # (a needed element answered in part says the practice is done: "our leaflets always say who
    # they are from" beside "we do not select who receives which message" still needs its imprint)
    nothing_done = (all(e.denial for e in by_id.values() if e.credit == Credit.FULL)
                    and all(e.credit == Credit.NONE for e in unmet))
    if score >= FULL_FROM and unmet and not nothing_done:
        return FULL_FROM - 0.1
    if step.some_is_partial and 0 < score < PARTIAL_FROM:
        return PARTIAL_FROM
    return score


def _is_denial(claim: Claim) -> bool:
    return bool((claim.detail or {}).get("denial"))


def _contradicting_admissions(found: Found) -> Found:
    """For a full credit that rests only on denials ("the only information we collect is
    what you give us"): the admissions of the same documents ("a data provider we have
    engaged"), which earn partial. When there are any, the denial cannot stand."""
    return [(cl, sid) for cl, sid in found if cl.credit == Credit.PARTIAL and not _is_denial(cl)]


def _add_up(res: ElementResult, el: Element, found: Found) -> None:
    """Several partial answers that together answer the question make it full: a date
    and a change notice (different rules), or periods for several kinds of data (different
    sentences, or one sentence giving several)."""
    distinct: dict = {}
    for cl, sid in sorted(found, key=_strength_key):
        detail = cl.detail or {}
        if el.full_from_partials:
            distinct.setdefault(detail.get("rule"), (cl, sid))
        elif detail.get("adds_up"):
            distinct.setdefault((cl.url, cl.start), (cl, sid))
    if el.full_from_partials:
        answers = len(distinct)
    else:
        answers = sum(int((cl.detail or {}).get("adds_up", 1)) for cl, _ in distinct.values())
    if answers >= (el.full_from_partials or el.full_from_claims):
        res.credit = Credit.FULL
        res.evidence = strongest_first(list(distinct.values()), limit=el.full_from_partials or el.full_from_claims)


def _named_suppliers(res: ElementResult, el: Element, found: Found) -> ElementResult:
    """Full: enough organisations named with a role, at least one of them not incidental
    (analytics, payments, hosting, advertising); partial: any organisation named; rules on
    the element may add."""
    rule = el.named_suppliers
    named: dict[str, tuple[Claim, int | None]] = {}
    with_role: dict[str, tuple[Claim, int | None]] = {}
    essential = False
    for cl, sid in sorted(found, key=_strength_key):
        detail = cl.detail or {}
        name = str(detail.get("supplier", "")).lower()
        if not name:
            continue
        named.setdefault(name, (cl, sid))
        if detail.get("role"):
            with_role.setdefault(name, (cl, sid))
            essential = essential or not detail.get("incidental")
    # a list of processors with their roles counts whole, the payment and hosting providers in it
    # too; only incidental providers named stays partial (ELEMENTS.md)
    enough = (len(with_role) if essential else 0) if rule.role_needed_for_full else len(named)
    chosen: Found = []
    if enough >= rule.full_min:
        res.credit, chosen = Credit.FULL, list((with_role if rule.role_needed_for_full else named).values())
    elif len(named) >= rule.partial_min:
        res.credit, chosen = Credit.PARTIAL, list(named.values())
    res.detail = [{"supplier": (cl.detail or {}).get("supplier"), "role": (cl.detail or {}).get("role")}
                  for cl, _ in chosen]
    res.evidence = strongest_first(chosen, limit=SUPPLIERS_SHOWN)
    from_rules = [(cl, sid) for cl, sid in found if not (cl.detail or {}).get("supplier")]
    if named:
        # "only our staff see it" cannot stand beside a named supplier
        from_rules = [(cl, sid) for cl, sid in from_rules if not (cl.detail or {}).get("denial")]
    if from_rules:
        best = max(cl.credit.rank for cl, _ in from_rules)
        if best > res.credit.rank:
            res.credit = Credit.of_rank(best)
            res.evidence = strongest_first([x for x in from_rules if x[0].credit.rank == best])
    return res


def _from_spending(step_id: str, el: Element, documents: list[DocumentClaims],
                   spending: SpendingCheck | None) -> ElementResult:
    """Are the suppliers the party paid for data-related work named? The evidence is the
    party's own sentences naming the paid suppliers (claims with a supplier name in this
    step); the detail lists every payee, the unnamed ones with what they were paid."""
    res = ElementResult(el.id, Credit.NOT_APPLICABLE, [], el.looked_for or el.question, el.question, el.weight)
    paid = len(spending.paid_not_named) + len(spending.named_and_paid) if spending else 0
    if not paid:
        return res  # no returns loaded, or no data-related payee to name
    named = len(spending.named_and_paid)
    rule = el.from_spending
    if named >= rule.full_share * paid:
        res.credit = Credit.FULL
    elif named >= rule.partial_min:
        res.credit = Credit.PARTIAL
    else:
        res.credit = Credit.NONE
    names = {p.named_as.lower() for p in spending.named_and_paid if p.named_as}
    found: Found = [(cl, d.snapshot_id) for d in documents for cl in d.claims
                    if cl.step_id == step_id and str((cl.detail or {}).get("supplier", "")).lower() in names]
    first_per_name: dict[str, tuple[Claim, int | None]] = {}
    for cl, sid in sorted(found, key=_strength_key):
        first_per_name.setdefault(str(cl.detail["supplier"]).lower(), (cl, sid))
    res.evidence = strongest_first(list(first_per_name.values()), limit=SUPPLIERS_SHOWN)
    res.detail = [p.to_dict() for p in spending.paid_not_named + spending.named_and_paid]
    return res


def _capped(cl: Claim) -> bool:
    """A sentence that met a rule for full credit but was capped (hedged) to partial."""
    return cl.credit == Credit.PARTIAL and "/full[" in str((cl.detail or {}).get("rule", ""))


def _strength_key(item: tuple[Claim, int | None], answer_is_contact: bool = False) -> tuple:
    cl = item[0]
    strength = (cl.detail or {}).get("strength", 0)
    points_elsewhere = answer_is_contact and not gives_address(cl.quote)
    return (-cl.credit.rank, not _capped(cl), _is_fragment(cl.quote), points_elsewhere, -strength, cl.url, cl.start)


def _is_fragment(quote: str) -> bool:
    """Fewer than SHORT_QUOTE_WORDS words, not counting bullets, dashes and addresses."""
    words = [w for w in quote.split() if _WORD.search(w) and not EMAIL_OR_URL.search(w)]
    return len(words) < SHORT_QUOTE_WORDS


def strongest_first(found: Found, limit: int = EVIDENCE_PER_ELEMENT, answer_is_contact: bool = False
                    ) -> list[Evidence]:
    """Evidence ordered by how directly it answers: credit, then a sentence that met a rule
    for full credit (capped by a hedge) before one that met only a rule for partial, then a
    whole sentence before a fragment, then, where the answer is somewhere to write, a
    sentence that gives the address before one that points to it, then the rule's strength
    (conditions met, and how many of the things it looks for the sentence names), then
    document order. When a capped full answer exists, the weaker partial ones are left out:
    the reader is shown the sentence that answers, not every sentence that touches on it."""
    out: list[Evidence] = []
    seen = set()
    ordered = sorted(found, key=lambda item: _strength_key(item, answer_is_contact))
    if ordered and _capped(ordered[0][0]):
        ordered = [x for x in ordered if _capped(x[0])]
    for cl, sid in ordered:
        key = (cl.url, cl.start, cl.end)
        if key in seen:
            continue
        seen.add(key)
        out.append(Evidence(cl.quote, cl.url, cl.start, cl.end, sid, cl.credit, rule=(cl.detail or {}).get("rule")))
        if len(out) >= limit:
            break
    return out

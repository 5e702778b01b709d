"""The spending returns as the scorer's input: who the party paid, and whether it names them.

The suppliers step's element scored `from_spending` (paid-suppliers-named) asks whether
the companies a party paid for data-related campaign work are named in its documents.
Scoring reads no database, so this module, called by the pipeline, reads the party's
spending items and hands the scorer a SpendingCheck: its data-related payees, each
matched (or not) with a supplier named in the very documents being scored.

Honest history: a scorecard counts only items dated on or before the day it is for (an
item's date is when it was incurred, else when it was paid), so rescoring a scorecard
of 2023 does not use payments made in 2024.
"""

from __future__ import annotations

import functools
import logging
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Sequence

from sqlalchemy.orm import Session

from history.spending import NamedSupplier, has_spending, paid_suppliers
from scoring import DocumentClaims, Payee, SpendingCheck

# The matching of payees with named suppliers (and the alias list it reads) is imported
# by the first party that has spending returns: most checks have none.
if TYPE_CHECKING:
    from partywatch.spending.gaps import Payee as PaidPayee
    from partywatch.spending.names import SupplierMatcher
    from scoring import Rubric

log = logging.getLogger(__name__)


@functools.lru_cache(maxsize=1)
def _matcher() -> SupplierMatcher:
    from partywatch.spending.names import AliasError, SupplierMatcher, load_aliases

    try:
        return SupplierMatcher(load_aliases())
    except AliasError as exc:
        # A broken alias list must not stop a check: names are still matched, without aliases.
        log.warning("supplier aliases not used: %s", exc)
        return SupplierMatcher([])


def uses_spending(rubric: Rubric) -> bool:
    return any(el.from_spending for step in rubric.steps for el in step.elements)


def named_in(documents: Sequence[DocumentClaims]) -> list[NamedSupplier]:
    """The suppliers the scorer found named in these documents, once per name."""
    found: dict[str, NamedSupplier] = {}
    for document in documents:
        for claim in document.claims:
            name = (claim.detail or {}).get("supplier")
            if name and str(name).lower() not in found:
                found[str(name).lower()] = NamedSupplier(str(name), (claim.detail or {}).get("role"),
                                                         claim.url, claim.quote)
    return list(found.values())


def _payee(paid: PaidPayee) -> Payee:
    return Payee(paid.supplier, float(paid.total.quantize(Decimal("0.01"))), tuple(paid.categories),
                 paid.items, paid.named.name if paid.named else None)


def spending_check(session: Session, party_id: str, rubric: Rubric, documents: Sequence[DocumentClaims],
                   until: date) -> SpendingCheck | None:
    """The party's data-related payees up to `until` beside the suppliers `documents`
    name; None when the rubric has no such element or no returns are loaded for the party."""
    if not uses_spending(rubric) or not has_spending(session, party_id):
        return None
    from partywatch.spending.gaps import match_payees

    rows = paid_suppliers(session, party_id, rubric.model.spending.data_categories, until=until)
    not_named, named_and_paid, _ = match_payees(rows, named_in(documents), _matcher())
    return SpendingCheck(tuple(map(_payee, not_named)), tuple(map(_payee, named_and_paid)))


def _payees(detail: list | None) -> list[dict]:
    return [p for p in detail or [] if isinstance(p, dict) and "total" in p]


def payees_changed(credit: str, old_detail: list | None, new_detail: list | None) -> tuple[str, str] | None:
    """(old, new) labels when the same credit now rests on other payees ("partial (1 of 3
    named)" -> "partial (2 of 4 named)"): new returns imported, or a supplier named since.
    None when the payees are the same, or the element is not scored from the returns."""
    old, new = _payees(old_detail), _payees(new_detail)
    if old == new:
        return None

    def label(payees: list[dict]) -> str:
        named = sum(1 for p in payees if p.get("named_as"))
        return f"{credit} ({named} of {len(payees)} named)"

    return label(old), label(new)

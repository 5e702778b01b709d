"""Who was paid but never named: a party's payees beside the suppliers its notices name.

For each party, the suppliers it paid in the data-related spending categories (canvassing
and market research, advertising, mail to electors by default; `spending.data_categories`
in rubric.yaml) are matched against the suppliers partywatch found named in the documents
behind the party's latest scorecard (the stored claims of the scorer's named-suppliers
rule). Three lists come out: paid_not_named, named_and_paid, named_not_paid.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Callable, Sequence

from sqlalchemy.orm import Session

from history.db import session_factory
from history.models import PartyRow
from history.spending import (
    NamedSupplier,
    PaidSupplier,
    has_spending,
    named_suppliers,
    paid_suppliers,
    parties_with_spending,
)
from partywatch.spending.names import Match, SupplierMatcher, load_aliases
from scoring.rubric import DATA_SPENDING_CATEGORIES, RubricError, parse_rubric_text


@dataclass
class Payee:
    """One supplier's data-related items, under every spelling of its name in the returns."""

    supplier: str  # the name it was paid most under
    spellings: list[str]
    total: Decimal
    items: int
    categories: list[str]
    first: date | None
    last: date | None
    periods: list[str]
    named: NamedSupplier | None = None
    match: Match | None = None

    def to_dict(self) -> dict:
        out = {"supplier": self.supplier, "total": float(self.total), "categories": self.categories,
               "items": self.items,
               "period": {"from": _iso(self.first), "to": _iso(self.last), "reporting_periods": self.periods}}
        if len(self.spellings) > 1:
            out["also_paid_as"] = [s for s in self.spellings if s != self.supplier]
        if self.named is not None and self.match is not None:
            out["named_as"] = self.named.name
            out["match"] = {"score": self.match.score, "how": self.match.how}
            out["source"] = _source(self.named)
        return out


@dataclass
class PartyGaps:
    party: str
    name: str
    since: date | None
    scored: bool  # False: no scorecard, so nothing is known to be named
    paid_not_named: list[Payee] = field(default_factory=list)
    named_and_paid: list[Payee] = field(default_factory=list)
    named_not_paid: list[NamedSupplier] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"party": self.party, "name": self.name, "since": _iso(self.since), "scored": self.scored,
                "paid_not_named": [p.to_dict() for p in self.paid_not_named],
                "named_and_paid": [p.to_dict() for p in self.named_and_paid],
                "named_not_paid": [{"supplier": n.name, "role": n.role, "source": _source(n)}
                                   for n in self.named_not_paid]}


def data_categories(rubric_yaml: str | None) -> list[str]:
    """The rubric's data-related spending categories (a stored rubric version's YAML)."""
    if rubric_yaml:
        try:
            return parse_rubric_text(rubric_yaml).model.spending.data_categories
        except RubricError:
            pass  # a stored rubric was valid when stored; a later schema may reject it
    return list(DATA_SPENDING_CATEGORIES)


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _source(named: NamedSupplier) -> dict:
    return {"url": named.url, "quote": named.quote}


def _payees(rows: Sequence[PaidSupplier], matcher: SupplierMatcher) -> list[Payee]:
    """Rows of the same supplier (spelt alike or not, any category) gathered into one payee."""
    groups: list[list[PaidSupplier]] = []
    for row in rows:
        for group in groups:
            if any(matcher.same(row.supplier, other.supplier) for other in group):
                group.append(row)
                break
        else:
            groups.append([row])
    payees = []
    for group in groups:
        by_name: dict[str, Decimal] = {}
        for row in group:
            by_name[row.supplier] = by_name.get(row.supplier, Decimal(0)) + row.total
        firsts = [r.first for r in group if r.first]
        lasts = [r.last for r in group if r.last]
        payees.append(Payee(
            supplier=max(by_name, key=lambda n: (by_name[n], n)), spellings=sorted(by_name),
            total=sum(by_name.values(), Decimal(0)), items=sum(r.items for r in group),
            categories=sorted({r.category for r in group}),
            first=min(firsts) if firsts else None, last=max(lasts) if lasts else None,
            periods=sorted({p for r in group for p in r.periods})))
    return sorted(payees, key=lambda p: (-p.total, p.supplier))


def match_payees(rows: Sequence[PaidSupplier], named: Sequence[NamedSupplier], matcher: SupplierMatcher
                 ) -> tuple[list[Payee], list[Payee], set[int]]:
    """(paid_not_named, named_and_paid, indexes of `named` matched): each payee with the
    named supplier that matches it best under any of its spellings."""
    not_named, named_and_paid, matched = [], [], set()
    for payee in _payees(rows, matcher):
        best = None
        for index, supplier in enumerate(named):
            for spelling in payee.spellings:
                found = matcher.match(supplier.name, spelling)
                if found and (best is None or found.score > best[1].score):
                    best = (index, found)
        if best is None:
            not_named.append(payee)
        else:
            payee.named, payee.match = named[best[0]], best[1]
            matched.add(best[0])
            named_and_paid.append(payee)
    return not_named, named_and_paid, matched


def party_gaps(session: Session, party_id: str, categories: Sequence[str], matcher: SupplierMatcher,
               since: date | None = None) -> PartyGaps:
    party = session.get(PartyRow, party_id)
    rows = paid_suppliers(session, party_id, categories, since)
    named = named_suppliers(session, party_id)
    gaps = PartyGaps(party_id, party.name if party else party_id, since, named is not None)
    named = named or []
    gaps.paid_not_named, gaps.named_and_paid, matched = match_payees(rows, named, matcher)
    # A supplier named twice ("Acme Research", "Acme Research Ltd") is listed once.
    for index, supplier in enumerate(named):
        if index in matched or any(matcher.same(supplier.name, named[i].name) for i in matched):
            continue
        matched.add(index)
        gaps.named_not_paid.append(supplier)
    return gaps


def all_gaps(session: Session, party_ids: Sequence[str] | None, categories: Sequence[str],
             matcher: SupplierMatcher, since: date | None = None) -> list[PartyGaps]:
    """The gaps of the given parties, else of every party with spending items."""
    if not party_ids:
        party_ids = parties_with_spending(session)
    return [party_gaps(session, party_id, categories, matcher, since) for party_id in party_ids]


def gaps_reader(engine, rubric_yaml: str | None) -> Callable[[str], dict | None]:
    """For the bot: party id -> that party's gaps as JSON, or None when it has no spending items."""
    categories = data_categories(rubric_yaml)
    matcher = SupplierMatcher(load_aliases())

    def read(party_id: str) -> dict | None:
        with session_factory(engine)() as session:
            if not has_spending(session, party_id):
                return None
            return party_gaps(session, party_id, categories, matcher).to_dict()

    return read

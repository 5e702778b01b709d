"""What rubric.yaml may hold: its schema as pydantic models (rules, elements, steps, grade
bands, the supplier and spending settings). scoring.rubric loads a file against it."""

from __future__ import annotations

import re
from typing import Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from scoring.kinds import DOCUMENT_KINDS  # noqa: F401  (imported from here and scoring.rubric too)

STEP_IDS = (
    "data-sources",
    "suppliers",
    "message-transparency",
    "profiling",
    "special-category",
    "lawful-basis",
    "online-targeting",
    "rights",
    "retention",
    "accountability",
)
ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")

# A phrase; a spaCy token pattern (a list of {...} token descriptions); or a list of phrases
# and token patterns, which matches as each of them does and counts as one answer for
# `adds_up: per_term` (["public task", "democratic engagement"] name one lawful basis).
Term = Union[str, list[dict[str, Any]], list[Union[str, list[dict[str, Any]]]]]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Rule(Model):
    """A rule matches a sentence when it contains one of `find`, and (if given) one of
    `with`, and one of `and_with`, and none of `unless`; when the headings it sits under
    (or its table's header row) contain one of `in_section` and none of `not_in_section`;
    when the paragraph or list item it sits in contains one of `in_paragraph` ("Contact
    data@party.example." after "You can ask us what we hold about you."); and, with
    `negated`, when the `find` term is negated in its own clause ("we do not buy data")."""

    find: list[Term] = Field(min_length=1)
    with_: list[Term] | None = Field(default=None, alias="with")
    and_with: list[Term] | None = None
    unless: list[Term] | None = None
    in_section: list[Term] | None = None
    not_in_section: list[Term] | None = None
    in_paragraph: list[Term] | None = None
    negated: bool = False
    # the rule credits a statement that the practice is absent ("the only information we
    # collect is what you give us"); negated rules are denials too. A denial that the
    # same notice contradicts elsewhere earns no more than the admission (scoring/scorecard.py)
    denial: bool = False
    # a partial sentence that counts towards the element's full_from_claims: once, with
    # "per_term" once for each different `find` term in it ("public task for canvassing and
    # consent for the newsletter" gives two bases; the phrases of one list in `find` are one
    # term), with "per_match" once for each place a `find` term matches ("donor records for
    # seven years and canvass records for two years" gives two periods)
    adds_up: Union[bool, Literal["per_term", "per_match"]] = False
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, v: Any) -> Any:
        # A bare phrase or a bare list of phrases is shorthand for {find: [...]}
        if isinstance(v, str):
            return {"find": [v]}
        return v

    def groups(self) -> list[tuple[str, list[Term]]]:
        g = [("find", self.find)]
        if self.with_:
            g.append(("with", self.with_))
        if self.and_with:
            g.append(("and_with", self.and_with))
        return g


class SupplierCount(Model):
    full_min: int = Field(default=3, ge=1)
    partial_min: int = Field(default=1, ge=1)
    role_needed_for_full: bool = True


class SpendingCount(Model):
    """An element answered from the party's spending returns, not from its text: of the
    suppliers it paid for data-related work (spending.data_categories), full when at
    least `full_share` of them are named in its documents, partial when `partial_min`
    are. n/a when no spending returns are loaded for the party."""

    full_share: float = Field(default=1.0, gt=0, le=1)
    partial_min: int = Field(default=1, ge=1)


class Element(Model):
    id: str
    question: str
    looked_for: str | None = None
    weight: float = Field(default=1.0, gt=0, le=100)
    reverse: bool = False
    applies_to: list[Literal["privacy_notice", "supplier_list", "cookie_policy", "other"]] = Field(
        default_factory=lambda: list(DOCUMENT_KINDS)
    )
    full: list[Rule] = Field(default_factory=list)
    partial: list[Rule] = Field(default_factory=list)
    named_suppliers: SupplierCount | None = None
    from_spending: SpendingCount | None = None
    met_by: str | None = None
    hedge_caps: bool = True
    # A line of the notice's change log ("July 2011: principles updated to include advertising")
    # answers this element; for every other element it is never evidence.
    change_log: bool = False
    # The answer is somewhere to write: a sentence that gives the address (an e-mail, phone
    # number, postcode or PO box) is better evidence than one that points to it ("at the
    # address below").
    answer_is_contact: bool = False
    # Partial claims from this many different partial rules add up to full (a date in one
    # sentence and a change notice in another).
    full_from_partials: int | None = Field(default=None, ge=2)
    # This many different sentences from `adds_up` rules add up to full ("concrete periods
    # for the main categories": one period for one category is partial, several are full).
    full_from_claims: int | None = Field(default=None, ge=2)

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not ID_RE.match(v):
            raise ValueError("ids are lowercase letters, digits and dashes, like 'electoral-register'")
        return v

    @field_validator("from_spending", mode="before")
    @classmethod
    def _spending_shorthand(cls, v: Any) -> Any:
        # "from_spending: true" takes the default thresholds
        return {} if v is True else (None if v is False else v)

    @model_validator(mode="after")
    def _has_rules(self) -> "Element":
        if self.from_spending and (self.full or self.partial or self.named_suppliers or self.met_by):
            raise ValueError("an element scored from_spending is answered by the spending returns alone: "
                             "remove its full/partial rules, named_suppliers and met_by")
        if not (self.full or self.partial or self.named_suppliers or self.met_by or self.from_spending):
            raise ValueError("an element needs at least one 'full' or 'partial' rule")
        return self


class Step(Model):
    id: str
    title: str
    asks: str
    source: str
    weight: float = Field(default=1.0, gt=0, le=100)
    elements: list[Element] = Field(min_length=2, max_length=5)
    # LABELLING.md's step classes are not all averages. "Full: ... and the right to complain
    # to the regulator": the step reaches the full class only when these elements are full
    # (or n/a). "Partial: some of these": any answer at all reaches the partial class.
    full_needs: list[str] = Field(default_factory=list)
    some_is_partial: bool = False


class GradeBand(Model):
    grade: str = Field(pattern=r"^[A-E]$")
    min: float = Field(ge=0, le=100)


class SupplierSettings(Model):
    known: list[str] = Field(default_factory=list)
    roles: dict[str, list[Term]] = Field(default_factory=dict)
    incidental_roles: list[str] = Field(default_factory=list)
    context: list[Term] = Field(default_factory=list)
    table_context: list[Term] = Field(default_factory=list)
    incidental_context: list[Term] = Field(default_factory=list)
    not_processing_context: list[Term] = Field(default_factory=list)
    not_names: list[str] = Field(default_factory=list)
    not_name_words: list[str] = Field(default_factory=list)
    company_suffixes: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _incidental_roles_exist(self) -> "SupplierSettings":
        unknown = [r for r in self.incidental_roles if r not in self.roles]
        if unknown:
            raise ValueError(f"incidental_roles names roles not listed under roles: {', '.join(unknown)}")
        return self


# The Electoral Commission's spending categories that pay for work with voters' data:
# canvassing and market research, advertising, and mail to electors.
DATA_SPENDING_CATEGORIES = ["Market research/canvassing", "Advertising", "Unsolicited material to electors"]


class SpendingSettings(Model):
    # Payees in these categories are the suppliers `partywatch spending gaps` checks.
    data_categories: list[str] = Field(default_factory=lambda: list(DATA_SPENDING_CATEGORIES), min_length=1)


class RubricModel(Model):
    version: str
    title: str = "partywatch transparency rubric"
    grade_bands: list[GradeBand] = Field(min_length=2)
    hedges: list[Term] = Field(default_factory=list)
    not_hedges: list[Term] = Field(default_factory=list)
    negations: list[Term] = Field(default_factory=list)
    refusals: list[Term] = Field(default_factory=list)
    off_topic: list[Term] = Field(default_factory=list)
    clause_breaks: list[Term] = Field(default_factory=list)
    suppliers: SupplierSettings = Field(default_factory=SupplierSettings)
    spending: SpendingSettings = Field(default_factory=SpendingSettings)
    steps: list[Step]

    @field_validator("version", mode="before")
    @classmethod
    def _version(cls, v: Any) -> Any:
        return str(v) if isinstance(v, (int, float)) else v



"""Agreement of a rubric with a labelled corpus: what `partywatch rubric evaluate` prints.

A labelled corpus is a folder of documents and their careful readings (shared/LABELLING.md):
`labels/<name>.yaml`, one document set each: `files: {file: kind}` and, per step, `label`,
`why` and per-element `{label, why}`; optionally `split.yaml` naming the `tune` and
`locked` document sets, and `evidence_review.yaml` (here or in the parent folder)
recording, for quotes partywatch showed, whether a reader accepts them.

Figures: step agreement (exact and within one class), element agreement, evidence
precision (accepted / reviewed quotes; quotes not yet reviewed are counted apart, never
as right) and the rules the rejected quotes came from, the step confusion table, and each
disagreement with the label's `why` beside partywatch's quote.

Each proportion comes with a 95% interval (Wilson's), so that a figure from 120 steps is
read as the range it is: 100/120 agreeing steps is "somewhere from 76% to 89%", short
of a 90% target on that evidence but not shown to be short of 85%. The interval treats every
step, element or quote as drawn on its own; those of one document are alike, so the true
uncertainty is wider still.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from scoring.engine import Scorer
from scoring.files import UnreadableFile, read_document_file
from scoring.models import Credit, Scorecard, step_label

CLASSES = (Credit.NONE, Credit.PARTIAL, Credit.FULL)
SPLITS = ("all", "tune", "locked")
Z_95 = 1.959964  # the normal quantile of a two-sided 95% interval
NO_RULE = "(no rule)"  # evidence not found by a rubric rule (the spending returns)


def wilson_interval(successes: int, total: int, z: float = Z_95) -> tuple[float, float] | None:
    """The Wilson score interval of the proportion successes/total (None when total is 0).

    Unlike "p ± 1.96·sqrt(p(1-p)/n)" it stays within 0..1 and does not shrink to a point
    at 0% or 100%: 20 of 20 agreeing is (84%, 100%), not (100%, 100%).
    """
    if total <= 0:
        return None
    p = successes / total
    denominator = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denominator
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


class CorpusError(Exception):
    """The corpus folder or one of its label files cannot be read; the message says why."""


@dataclass
class Labelled:
    name: str
    files: dict[str, str]
    steps: dict[str, tuple[str, str]]  # step -> (label, why)
    elements: dict[str, tuple[str, str]] = field(default_factory=dict)  # "step/element" -> (label, why)


@dataclass
class Disagreement:
    document: str
    subject: str  # step id or "step/element"
    label: str
    got: str
    why: str
    quote: str | None
    score: float | None = None


@dataclass
class Evaluation:
    corpus: str
    split: str
    documents: list[str]
    steps_total: int = 0
    steps_exact: int = 0
    steps_within_one: int = 0
    elements_total: int = 0
    elements_exact: int = 0
    quotes_accepted: int = 0
    quotes_rejected: int = 0
    quotes_unreviewed: int = 0
    confusion: Counter = field(default_factory=Counter)  # (label, got) -> n
    disagreements: list[Disagreement] = field(default_factory=list)
    unreviewed: list[dict[str, str]] = field(default_factory=list)
    rejected: list[dict[str, str]] = field(default_factory=list)
    # rule id -> Counter(accept=, reject=, unreviewed=): which rules the rejected quotes come from
    by_rule: dict[str, Counter] = field(default_factory=dict)

    def rules_by_rejections(self) -> list[dict[str, Any]]:
        """Each rule that found a quote shown, most rejected quotes first."""
        rows = []
        for rule, n in self.by_rule.items():
            reviewed = n["accept"] + n["reject"]
            rows.append({"rule": rule, "accepted": n["accept"], "rejected": n["reject"],
                         "unreviewed": n["unreviewed"], "precision": n["accept"] / reviewed if reviewed else None})
        return sorted(rows, key=lambda r: (-r["rejected"], -r["unreviewed"], r["rule"]))

    @property
    def step_agreement(self) -> float:
        return self.steps_exact / self.steps_total if self.steps_total else 0.0

    @property
    def within_one(self) -> float:
        return self.steps_within_one / self.steps_total if self.steps_total else 0.0

    @property
    def element_agreement(self) -> float | None:
        return self.elements_exact / self.elements_total if self.elements_total else None

    @property
    def evidence_precision(self) -> float | None:
        reviewed = self.quotes_accepted + self.quotes_rejected
        return self.quotes_accepted / reviewed if reviewed else None

    @property
    def step_interval(self) -> tuple[float, float] | None:
        return wilson_interval(self.steps_exact, self.steps_total)

    @property
    def element_interval(self) -> tuple[float, float] | None:
        return wilson_interval(self.elements_exact, self.elements_total)

    @property
    def evidence_interval(self) -> tuple[float, float] | None:
        return wilson_interval(self.quotes_accepted, self.quotes_accepted + self.quotes_rejected)

    def to_dict(self) -> dict[str, Any]:
        return {
            "corpus": self.corpus, "split": self.split, "documents": self.documents,
            "steps": {"total": self.steps_total, "exact": self.steps_exact, "agreement": self.step_agreement,
                      "interval_95": self.step_interval, "within_one": self.within_one},
            "elements": {"total": self.elements_total, "exact": self.elements_exact,
                         "agreement": self.element_agreement, "interval_95": self.element_interval},
            "evidence": {"accepted": self.quotes_accepted, "rejected": self.quotes_rejected,
                         "unreviewed": self.quotes_unreviewed, "precision": self.evidence_precision,
                         "interval_95": self.evidence_interval},
            "confusion": [{"label": a, "got": b, "n": n} for (a, b), n in sorted(self.confusion.items())],
            "disagreements": [d.__dict__ for d in self.disagreements],
            "rejected_quotes": self.rejected,
            "unreviewed_quotes": self.unreviewed,
            "rules": self.rules_by_rejections(),
        }


def load_corpus(folder: Path, split: str = "all") -> list[Labelled]:
    if not folder.is_dir():
        raise CorpusError(f"{folder}: no such folder")
    if split not in SPLITS:
        raise CorpusError(f"unknown split {split!r}: use one of {', '.join(SPLITS)}")
    if not (folder / "labels").is_dir():
        raise CorpusError(f"{folder}: no labels/ folder: not a labelled corpus")
    sets = [_read_label_file(p) for p in sorted((folder / "labels").glob("*.yaml"))]
    if split != "all":
        split_file = folder / "split.yaml"
        if not split_file.is_file():
            raise CorpusError(f"{folder}: --split {split} needs a split.yaml, and there is none")
        names = set((yaml.safe_load(split_file.read_text(encoding="utf-8")) or {}).get(split) or [])
        sets = [s for s in sets if s.name in names]
    if not sets:
        raise CorpusError(f"{folder}: no labelled documents" + (f" in split {split!r}" if split != "all" else ""))
    return sets


def _yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CorpusError(f"{path}: cannot read: {exc}") from None


def _read_label_file(path: Path) -> Labelled:
    data = _yaml(path)
    try:
        steps, elements = {}, {}
        for step_id, step in data["steps"].items():
            steps[step_id] = (step["label"], str(step.get("why", "")))
            for element_id, el in (step.get("elements") or {}).items():
                elements[f"{step_id}/{element_id}"] = (el["label"], str(el.get("why", "")))
        return Labelled(str(data.get("document") or path.stem), dict(data["files"]), steps, elements)
    except (KeyError, TypeError, AttributeError) as exc:
        raise CorpusError(f"{path}: not a label file (missing {exc})") from None


def load_reviews(folder: Path) -> dict[tuple[str, str, str, str], tuple[str, str]]:
    """(document, "step/element", credit, quote) -> (verdict, reason) from evidence_review.yaml.

    A quote is judged for a credit: one accepted as partial is not thereby right as full."""
    for candidate in (folder / "evidence_review.yaml", folder.parent / "evidence_review.yaml"):
        if candidate.is_file():
            data = _yaml(candidate) or {}
            return {(r["document"], r["element"], r["credit"], r["quote"]): (r["verdict"], str(r.get("reason", "")))
                    for r in data.get("reviews") or []}
    return {}


def score_document_set(scorer: Scorer, folder: Path, doc: Labelled) -> Scorecard:
    items = []
    for name, kind in doc.files.items():
        path = folder / name
        try:
            _, text = read_document_file(path, None, name)
        except UnreadableFile as exc:
            raise CorpusError(f"{path}: {exc}") from None
        items.append((f"corpus://{doc.name}/{name}", kind, text))
    return scorer.score_texts(items)


def evaluate(scorer: Scorer, folder: Path, split: str = "all") -> Evaluation:
    folder = Path(folder)
    docs = load_corpus(folder, split)
    reviews = load_reviews(folder)
    ev = Evaluation(str(folder), split, [d.name for d in docs])
    for doc in docs:
        card = score_document_set(scorer, folder, doc)
        for step in card.steps:
            if step.id not in doc.steps:
                continue
            label, why = doc.steps[step.id]
            got = step_label(step.score)
            ev.steps_total += 1
            ev.confusion[(label, got)] += 1
            ev.steps_exact += got == label
            ev.steps_within_one += abs(CLASSES.index(got) - CLASSES.index(label)) <= 1
            best = step.best_evidence()
            if got != label:
                ev.disagreements.append(Disagreement(doc.name, step.id, label, got, why,
                                                     best.quote if best else None, step.score))
            for el in step.elements:
                subject = f"{step.id}/{el.id}"
                if subject in doc.elements:
                    el_label, el_why = doc.elements[subject]
                    ev.elements_total += 1
                    if el.credit == el_label:
                        ev.elements_exact += 1
                    else:
                        quote = el.evidence[0].quote if el.evidence else None
                        ev.disagreements.append(Disagreement(doc.name, subject, el_label, el.credit, el_why, quote))
                if not el.credit.answered:
                    continue
                for evidence in el.evidence:
                    # judged for what the sentence earns on its own (see Evidence.credit)
                    credit = evidence.credit or el.credit
                    review = reviews.get((doc.name, subject, credit, evidence.quote))
                    rule = evidence.rule or NO_RULE
                    entry = {"document": doc.name, "element": subject, "credit": credit, "quote": evidence.quote,
                             "rule": rule}
                    counts = ev.by_rule.setdefault(rule, Counter())
                    if review is None:
                        counts["unreviewed"] += 1
                        ev.quotes_unreviewed += 1
                        ev.unreviewed.append(entry)
                    elif review[0] == "accept":
                        counts["accept"] += 1
                        ev.quotes_accepted += 1
                    else:
                        counts["reject"] += 1
                        ev.quotes_rejected += 1
                        ev.rejected.append({**entry, "reason": review[1]})
    return ev

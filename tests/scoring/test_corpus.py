"""The labelled corpora: agreement between the scorer and labels written by reading.

The fictional corpus (tests/fixtures/corpus) was written for partywatch and tuned on; the
real corpus (tests/fixtures/corpus/real) holds archived real party notices with a locked
split that is never tuned on. Both are scored the way `partywatch rubric evaluate` does.
"""

from __future__ import annotations

from pathlib import Path

from scoring import extract_text
from scoring.evaluation import evaluate

CORPUS = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "corpus"


def _report(result, capsys, title):
    with capsys.disabled():
        print(f"\n{title}: steps {result.steps_exact}/{result.steps_total} = {result.step_agreement:.1%} exact, "
              f"{result.within_one:.1%} within one; elements {result.elements_exact}/{result.elements_total}")
        for d in result.disagreements:
            if "/" not in d.subject:
                print(f"  {d.document}/{d.subject}: label {d.label}, got {d.got} ({d.score:.1f})")


def test_fictional_corpus_agreement(scorer, capsys):
    result = evaluate(scorer, CORPUS)
    _report(result, capsys, "fictional corpus")
    assert len(result.documents) >= 15
    assert result.step_agreement >= 0.85
    assert result.within_one == 1.0


def test_real_corpus_tuning_split_agreement(scorer, capsys):
    """The locked split is reported by `partywatch rubric evaluate --split locked`, not
    asserted on here: a test threshold on it would be a target to tune towards."""
    result = evaluate(scorer, CORPUS / "real", "tune")
    _report(result, capsys, "real corpus, tuning split")
    assert result.step_agreement >= 0.85
    assert result.within_one >= 0.99


def test_corpus_has_every_format():
    names = [p.name for p in CORPUS.iterdir()]
    for suffix in (".html", ".pdf", ".md", ".txt"):
        assert any(n.endswith(suffix) for n in names), suffix


def test_spread_from_exemplary_to_evasive(scorer):
    def card(name, kind="privacy_notice"):
        raw = (CORPUS / name).read_bytes()
        return scorer.score_texts([(name, kind, extract_text(raw, None, name))])

    best, worst = card("civic-renewal.html"), card("reform-together.md")
    assert best.grade == "A" and best.overall >= 90
    assert worst.grade == "E" and worst.overall < 15

"""The labelled corpus: agreement between the scorer and labels written by reading."""

from __future__ import annotations

from pathlib import Path

import yaml

from scoring import extract_text

CORPUS = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "corpus"


def test_corpus_agreement(scorer, capsys):
    labels = yaml.safe_load((CORPUS / "labels.yaml").read_text())["parties"]
    assert len(labels) >= 12
    agree = total = 0
    misses = []
    for party, spec in labels.items():
        items = []
        for name, kind in spec["files"].items():
            raw = (CORPUS / name).read_bytes()
            items.append((f"https://{party}.example/{name}", kind, extract_text(raw, None, name)))
        card = scorer.score_texts(items)
        assert [s.id for s in card.steps] == list(spec["expected"])
        for step in card.steps:
            total += 1
            if step.label == spec["expected"][step.id]:
                agree += 1
            else:
                misses.append(f"  {party}/{step.id}: expected {spec['expected'][step.id]}, "
                              f"got {step.label} ({step.score:.1f})")
    rate = agree / total
    with capsys.disabled():
        print(f"\ncorpus agreement: {agree}/{total} = {rate:.1%} exact "
              f"({len(labels)} parties x 10 steps)")
        for m in misses:
            print(m)
    assert rate >= 0.90


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

"""The scorecard JSON contract of DESIGN.md, and the property that quotes are exact."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring import STEP_IDS, extract_text

CORPUS = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "corpus"

SENTENCES = [
    "We use the electoral register and the marked register.",
    "We do not buy data from data brokers.",
    "We may share data with carefully selected partners from time to time.",
    "NationBuilder | CRM and website",
    "We keep canvass data for two years after the election, then delete it.",
    "You can complain to the ICO.",
    "Our Data Protection Officer is at dpo@party.example.",
    "We use Mailchimp to send email newsletters.",
    "We don't profile voters.",
    "Political opinions are special category data; we rely on Schedule 1 paragraph 22.",
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(parts=st.lists(st.one_of(st.sampled_from(SENTENCES), st.text(max_size=40)), max_size=12),
       seps=st.lists(st.sampled_from([" ", "\n", "\n\n", "  ", "\t", " | ", "\r\n"]), min_size=12, max_size=12))
def test_every_quote_is_the_text_at_its_offsets(scorer, parts, seps):
    text = "".join(p + s for p, s in zip(parts, seps))
    for claim in scorer.claims(text, "u", "privacy_notice"):
        assert text[claim.start:claim.end] == claim.quote
        assert claim.quote.strip() == claim.quote and claim.quote
    card = scorer.score_texts([("u", "privacy_notice", text)])
    for step in card.steps:
        for el in step.elements:
            for ev in el.evidence:
                assert text[ev.start:ev.end] == ev.quote


def test_quotes_exact_in_extracted_corpus_documents(scorer):
    total = 0
    for path in sorted(CORPUS.iterdir()):
        if path.suffix not in (".html", ".pdf", ".md", ".txt"):
            continue
        text = extract_text(path.read_bytes(), None, path.name)
        claims = scorer.claims(text, path.name, "privacy_notice")
        total += len(claims)
        for c in claims:
            assert text[c.start:c.end] == c.quote
    assert total > 100


def test_to_dict_matches_design_contract(scorer):
    card = scorer.score_texts([("https://p.example/privacy", "privacy_notice", " ".join(SENTENCES))])
    d = json.loads(json.dumps(card.to_dict()))
    assert set(d) == {"rubric_version", "overall", "grade", "steps"}
    assert d["rubric_version"] == scorer.rubric.version
    assert 0 <= d["overall"] <= 100 and d["grade"] in "ABCDE"
    assert [s["id"] for s in d["steps"]] == list(STEP_IDS)
    for s in d["steps"]:
        assert {"id", "title", "score", "elements"} <= set(s)
        assert 0 <= s["score"] <= 100
        for e in s["elements"]:
            assert {"id", "credit", "evidence"} <= set(e)
            assert e["credit"] in ("full", "partial", "none", "n/a")
            for ev in e["evidence"]:
                assert set(ev) == {"quote", "url", "start", "end"}
                assert ev["url"] == "https://p.example/privacy"


def test_long_sentence_quotes_are_windowed(scorer):
    text = ("word " * 3000) + "we use the electoral register " + ("word " * 3000)
    claims = scorer.claims(text, "u", "privacy_notice")
    assert claims and all(len(c.quote) <= 1000 and text[c.start:c.end] == c.quote for c in claims)

"""The cache (scoring.cache) saves work and never changes an answer: a rubric spaCy refuses
is refused every time, the cached lemma table is the package's own, and a rubric compiled
from cached term tokens finds what one compiled from the tokenizer finds."""

from __future__ import annotations

from pathlib import Path

import pytest

from scoring import RubricError, Scorer, extract_text, load_rubric_text
from scoring.cache import cache_dir, known_to_compile
from scoring.nlp import _load_lemma_table, lemma_table

CORPUS = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "corpus"


@pytest.fixture(autouse=True)
def own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("PARTYWATCH_CACHE_DIR", str(tmp_path / "cache"))


def test_a_rubric_is_remembered_only_once_it_compiled_cleanly(rubric_text):
    rubric = load_rubric_text(rubric_text)
    assert known_to_compile(rubric.content_hash)
    # a pattern only spaCy's own check refuses (LENGTH takes a number)
    text = rubric_text.replace("[{LIKE_EMAIL: true}]", '[{LENGTH: "long"}]', 1)
    assert text != rubric_text
    for _ in range(2):  # refused again the second time: a refusal is never remembered
        with pytest.raises(RubricError) as refused:
            load_rubric_text(text)
        assert "bad token pattern" in str(refused.value)


def test_the_lemma_table_from_the_cache_is_the_package_table():
    lemma_table.cache_clear()
    try:
        first = lemma_table()  # read from spacy-lookups-data, then written to the cache
        [cached] = cache_dir().glob("lemma-lookup-en-*.marshal")
        lemma_table.cache_clear()
        assert lemma_table() == first == _load_lemma_table()
        cached.write_bytes(b"damaged")  # a damaged file is read again from the package
        lemma_table.cache_clear()
        assert lemma_table() == first
    finally:
        lemma_table.cache_clear()


def test_a_rubric_compiled_from_cached_term_tokens_finds_the_same_claims(rubric):
    import scoring.patterns

    text = extract_text((CORPUS / "alba-renewal.html").read_bytes(), "text/html", "alba-renewal.html")

    def claims_of_a_fresh_compile():
        scoring.patterns._last_compiled = None  # compile again, not the pipeline of an earlier test
        return Scorer(rubric).claims(text, "https://alba.example/privacy")

    try:
        tokenized = claims_of_a_fresh_compile()  # no cache yet: every phrase tokenized, then cached
        [cached] = (cache_dir() / "term-tokens").glob("*.marshal")
        from_cache = claims_of_a_fresh_compile()
        cached.write_bytes(b"damaged")  # a damaged file only means tokenizing again
        after_damage = claims_of_a_fresh_compile()
    finally:
        scoring.patterns._last_compiled = None
    assert tokenized and from_cache == tokenized == after_damage

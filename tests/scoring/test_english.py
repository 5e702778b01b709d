"""The scorer's English tokenizer (scoring.english, built without spacy.Language, its cache
filled before a long text is read) reads text exactly as spacy.blank("en") does: same
tokens, same offsets, same lexical attributes."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy
from spacy.attrs import (
    IS_ALPHA,
    IS_DIGIT,
    IS_PUNCT,
    IS_SPACE,
    IS_STOP,
    IS_TITLE,
    IS_UPPER,
    LIKE_EMAIL,
    LIKE_NUM,
    LIKE_URL,
    LOWER,
    NORM,
    ORTH,
    PREFIX,
    SHAPE,
    SUFFIX,
)

from scoring import extract_text
from scoring.engine import _chunks
from scoring.english import CACHE_PIECES_FROM, MAX_LENGTH, EnglishDefaults, EnglishPipeline
from scoring.nlp import make_nlp

CORPUS = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "corpus"

VARIED = (
    "Contact our DPO at dpo@example.org.uk or https://www.example.org/privacy?lang=en#rights (e.g. to object).\n"
    "We don't sell data; you can't opt out, won't you? Y'all'd've asked. It's the U.K. and the U.S.A. office.\n"
    "Fees: £5, $10.50, €7 and 20% off... or 3-4 weeks, 1,000,000 records, 2nd May 2024 at 10:30am.\n"
    "• Bullet one · bullet two ▪ three – an en dash — an em dash… and \"quotes\" and ‘single’ ones.\n"
    "Well-known, state-of-the-art, e-mail, re-use and co-operate; (see s.3(1)(a) of the Act) [1] {2}.\n"
    "Mr. Smith, Dr. Jones & Co. Ltd., Inc. vs. etc. :) ;-) <3 #tags @handles 555-0199 +44 (0)20 7946 0000\n"
    "\tTabs\tand   spaces,\u00a0non-breaking, ALL CAPS, CamelCase, v2.0.1, file.pdf, www.party.example.\n"
)


@pytest.fixture(scope="module")
def blank():
    return spacy.blank("en")


@pytest.fixture(scope="module")
def ours():
    return EnglishPipeline(lambda vocab: (lambda doc: doc))


def tokens(doc):
    return [(t.text, t.idx, t.whitespace_) for t in doc]


@pytest.mark.parametrize("text", [VARIED, VARIED.replace("\n", " "), VARIED.upper(), "", " ", "don't", "(e.g.",
                                  "U.K.", "£5", "...", "•item", "well-known"])
def test_tokens_and_offsets_are_those_of_spacy_blank_english(blank, ours, text):
    assert tokens(ours.make_doc(text)) == tokens(blank(text))


def test_a_long_text_read_after_caching_its_pieces_has_the_tokens_of_spacy_blank_english(blank, ours):
    text = "\n\n".join(f"{i}. {VARIED}" for i in range(40))
    assert len(text) >= CACHE_PIECES_FROM
    for _ in range(2):  # the second time every piece is in the tokenizer's cache
        assert tokens(ours.make_doc(text)) == tokens(blank(text))


def test_every_corpus_document_has_the_tokens_of_spacy_blank_english(blank, ours):
    # the fictional corpus only: the real notices' locked split stays unread
    texts = [extract_text(path.read_bytes(), None, path.name) for path in sorted(CORPUS.iterdir())
             if path.suffix in (".html", ".md", ".txt", ".pdf")]
    assert len(texts) >= 15
    for text in texts:
        for base, piece in _chunks(text):
            assert tokens(ours.make_doc(piece)) == tokens(blank(piece)), (base, piece[:80])


def test_the_lexical_attributes_are_those_of_spacy_blank_english(blank, ours):
    attrs = [ORTH, LOWER, NORM, SHAPE, PREFIX, SUFFIX, IS_ALPHA, IS_DIGIT, IS_PUNCT, IS_SPACE, IS_STOP, IS_TITLE,
             IS_UPPER, LIKE_EMAIL, LIKE_NUM, LIKE_URL]
    expected, got = blank(VARIED), ours.make_doc(VARIED)
    assert (got.to_array(attrs) == expected.to_array(attrs)).all()
    assert [t.lang_ for t in got] == [t.lang_ for t in expected] == ["en"] * len(expected)


def test_the_english_defaults_assembled_from_spacys_modules_are_english_defaults():
    from spacy.lang.en import English

    for name in ("tokenizer_exceptions", "prefixes", "suffixes", "infixes", "token_match", "url_match",
                 "lex_attr_getters", "syntax_iterators", "stop_words", "writing_system"):
        assert getattr(EnglishDefaults, name) == getattr(English.Defaults, name), name


def test_the_scorer_pipeline_sets_lemmas_and_sentence_starts():
    nlp = make_nlp()
    doc = nlp("We don't sell your data. Newsletters go out monthly! Contact us\nor write")
    assert [t.lemma_ for t in doc][:4] == ["we", "do", "not", "sell"]
    assert [t.text for t in doc if t.is_sent_start] == ["We", "Newsletters", "Contact", "or"]
    assert [(doc.text, context) for doc, context in nlp.pipe([("one", 1), ("two", 2)])] == [("one", 1), ("two", 2)]


def test_a_text_longer_than_spacy_reads_at_once_is_refused_with_a_message(ours):
    with pytest.raises(ValueError, match="longer than spaCy reads at once"):
        ours.make_doc("a" * (MAX_LENGTH + 1))

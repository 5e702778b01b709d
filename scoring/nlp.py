"""The spaCy pipeline: a blank English tokenizer and one component for lemmas and sentences.

No trained pipeline can be installed here, so partywatch builds on the tokenizer and
vocabulary of ``spacy.blank("en")`` (made without ``spacy.Language``: scoring.english)
plus one component that applies the lookup lemmatizer table from spacy-lookups-data and
sets sentence boundaries (., !, ?, and line breaks; not the full stop of "Art. 16", but
after "Ltd." when a capital follows) with array operations instead of a Python loop per
token. Wrapped lines never reach it as line breaks: the engine gives spaCy
the text with wraps joined (scoring.structure), so one mechanism decides what is a wrap.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from spacy.attrs import LEMMA, NORM, ORTH, SENT_START
from spacy.strings import get_string_id
from spacy.tokens import Doc

from scoring.cache import cached_lemma_table
from scoring.english import EnglishPipeline

# Contractions the lookup table does not know.
LEMMA_OVERRIDES = {"n't": "not", "'re": "be", "'m": "be", "'s": "'s", "ca": "can", "wo": "will", "'ll": "will",
                   "'ve": "have", "'d": "would", "us": "we", "our": "we", "ours": "we"}
BREAK_PUNCT = {".", "!", "?", "…", "•", "·", "■", "▪"}
# Abbreviations the tokenizer splits from their full stop, which a number follows: "the
# rights of rectification (Art. 16), erasure (Art. 17)" is one sentence.
ABBREVIATIONS_BEFORE_NUMBERS = {"art", "arts", "para", "paras", "sch", "reg", "regs", "s", "ss", "sec", "no", "nos",
                                "cl", "p", "pp", "vol"}
# A company's ending keeps its full stop as one token ("Ltd."), yet ends the sentence when a
# capital follows: "run for us by Reachwise Ltd. Our leaflets are printed by ..."
COMPANY_ENDINGS = {"ltd.", "inc.", "corp.", "plc.", "llc."}
_BREAK, _ABBREVIATION, _NUMBER, _COMPANY_END, _CAPITAL = 1, 2, 4, 8, 16
_FULL_STOP = get_string_id(".")


@lru_cache(maxsize=1)
def lemma_table() -> dict[int, str]:
    """spacy-lookups-data's English lemma table, keyed as spaCy keys it: by string hash."""
    return cached_lemma_table(_load_lemma_table)


def _load_lemma_table() -> dict[int, str]:
    from spacy.lookups import load_lookups

    table = load_lookups("en", ["lemma_lookup"]).get_table("lemma_lookup")
    return dict(table.items()) if hasattr(table, "items") else table


def lemma_of(table: dict[int, str], low: str) -> str:
    """The dictionary form: "collected" -> "collect", "sent" -> "send", "newsletters" -> "newsletter"."""
    override = LEMMA_OVERRIDES.get(low)
    if override is not None:
        return override
    got = table.get(get_string_id(low))
    return got.lower() if isinstance(got, str) else folded_form(low)


def narrowed_lemma_table(table: dict[int, str], lemmas: set[str], words: set[str]) -> dict[int, str]:
    """The part of a lemma table that finds the same matches on `lemmas` as the whole table.

    A rubric matches on LEMMA only against its own dictionary forms (`lemmas`), so a word
    whose lemma is none of them needs no entry: without one it gets its folded form, which
    is none of them either, unless folding makes it one ("analyses" folds into "analyse",
    while its lemma is "analysis"), so the words that fold into one of `lemmas` keep theirs. `words`
    (the words the rubric's token patterns give, before their lemmas are looked up) keep
    theirs too, so that compiling the rubric again with the part gives the same patterns.
    The English table's 41,582 entries come down to about 1,600 for the bundled rubric.
    """
    kept = {get_string_id(w) for w in words}
    for lemma in lemmas:
        for word in (lemma, lemma + "s", lemma[:-1] + "ies"):
            if folded_form(word) == lemma:
                kept.add(get_string_id(word))
    return {key: value for key, value in table.items() if value.lower() in lemmas or key in kept}


def folded_form(low: str) -> str:
    """The word with only a plural's -s folded away ("newsletters" -> "newsletter")."""
    override = LEMMA_OVERRIDES.get(low)
    if override is not None:
        return override
    if len(low) > 4 and low.isalpha():
        if low.endswith("ies"):
            return low[:-3] + "y"
        if low.endswith("s") and not low.endswith(("ss", "us", "is")):
            return low[:-1]
    return low


class Analyzer:
    """Lemmas, folded forms and sentence starts, set with Doc.from_array (no per-token Python).

    LEMMA holds the dictionary form; NORM holds the word with only its plural folded, for
    rubric phrases written in an inflected form (see scoring.patterns).
    """

    def __init__(self, vocab):
        self.vocab = vocab
        self._table: dict[int, str] | None = None
        self.cache: dict[int, tuple[int, int, int]] = {}

    @property
    def table(self) -> dict[int, str]:
        """The lemma table in use: spacy-lookups-data's whole table, or the part of it a
        compiled rubric needs (`use_table`)."""
        if self._table is None:
            self._table = lemma_table()
        return self._table

    def use_table(self, table: dict[int, str]) -> None:
        """Look lemmas up in `table` from now on (the lemmas found so far are forgotten)."""
        self._table = table
        self.cache.clear()

    def _info(self, orth: int) -> tuple[int, int, int]:
        s = self.vocab.strings[orth]
        low = s.lower()
        kind = ((_BREAK if s in BREAK_PUNCT or "\n" in s else 0)
                | (_ABBREVIATION if low in ABBREVIATIONS_BEFORE_NUMBERS else 0)
                | (_NUMBER if s[:1].isdigit() else 0)
                | (_COMPANY_END if low in COMPANY_ENDINGS else 0)
                | (_CAPITAL if s[:1].isupper() else 0))
        strings = self.vocab.strings
        return strings.add(lemma_of(self.table, low)), strings.add(folded_form(low)), kind

    def __call__(self, doc: Doc) -> Doc:
        n = len(doc)
        if n == 0:
            return doc
        orths = doc.to_array([ORTH]).reshape(-1)
        uniq, inv = np.unique(orths, return_inverse=True)
        lem = np.empty(len(uniq), dtype=np.uint64)
        fold = np.empty(len(uniq), dtype=np.uint64)
        kind = np.empty(len(uniq), dtype=np.int8)
        cache = self.cache
        for i, o in enumerate(uniq.tolist()):
            info = cache.get(o)
            if info is None:
                info = cache[o] = self._info(o)
            lem[i], fold[i], kind[i] = info
        inv = inv.reshape(-1)
        kinds = kind[inv]
        breaks = (kinds & _BREAK) == _BREAK
        if n > 1:
            breaks[:-1] |= ((kinds[:-1] & _COMPANY_END) != 0) & ((kinds[1:] & _CAPITAL) != 0)
        if n > 2:
            # "Art. 16": the full stop after an abbreviation, before a number, ends nothing
            breaks[1:-1] &= ~(((kinds[:-2] & _ABBREVIATION) != 0) & ((kinds[2:] & _NUMBER) != 0)
                              & (orths[1:-1] == _FULL_STOP))
        starts = np.full(n, -1, dtype=np.int64)
        starts[0] = 1
        if n > 1:
            starts[1:][breaks[:-1]] = 1
        arr = np.empty((n, 3), dtype=np.uint64)
        arr[:, 0] = lem[inv]
        arr[:, 1] = fold[inv]
        arr[:, 2] = starts.astype(np.uint64)
        doc.from_array([LEMMA, NORM, SENT_START], arr)
        return doc


def make_nlp() -> EnglishPipeline[Analyzer]:
    """spacy.blank("en")'s tokenizer, then the Analyzer (as `nlp.component`)."""
    return EnglishPipeline(Analyzer)


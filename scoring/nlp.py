"""The spaCy pipeline: a blank English tokenizer and one component for lemmas and sentences.

No trained pipeline can be installed here, so partywatch builds on ``spacy.blank("en")``
plus one component that applies the lookup lemmatizer table from spacy-lookups-data and
sets sentence boundaries (., !, ?, and line breaks that are not wraps) with array
operations instead of a Python loop per token.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import spacy
from spacy.attrs import IDX, LEMMA, ORTH, SENT_START
from spacy.language import Language
from spacy.tokens import Doc

MAX_CHUNK_CHARS = 100_000

# Contractions the lookup table does not know.
LEMMA_OVERRIDES = {"n't": "not", "'re": "be", "'m": "be", "'s": "'s", "ca": "can", "wo": "will", "'ll": "will",
                   "'ve": "have", "'d": "would", "us": "we", "our": "we", "ours": "we"}
F_NL1, F_NL, F_WRAP_END, F_CAP, F_LOWER, F_LIST, F_PIPE = 1, 2, 4, 8, 16, 32, 64
ROW_SEPS = {":", "-", "–", "—", "|"}
WRAP_MIN = 60
BREAK_PUNCT = {".", "!", "?", "…", "•", "·", "■", "▪"}


@lru_cache(maxsize=1)
def lemma_table() -> dict[str, str]:
    from spacy.lookups import load_lookups

    table = load_lookups("en", ["lemma_lookup"]).get_table("lemma_lookup")
    return dict(table.items()) if hasattr(table, "items") else table


def lookup_lemma(table: dict[str, str], low: str) -> str:
    """The lookup table's lemma; plain plurals it lacks ("newsletters") lose their -s."""
    got = table.get(low)
    if isinstance(got, str):
        return got.lower()
    if len(low) > 4 and low.isalpha():
        if low.endswith("ies"):
            return low[:-3] + "y"
        if low.endswith("s") and not low.endswith(("ss", "us", "is")):
            return low[:-1]
    return low


class Analyzer:
    """Lookup lemmas + sentence starts, set with Doc.from_array (no per-token Python)."""

    def __init__(self, vocab):
        self.vocab = vocab
        self.table = lemma_table()
        self.cache: dict[int, tuple[int, int, int]] = {}

    def _info(self, orth: int) -> tuple[int, int, int]:
        s = self.vocab.strings[orth]
        low = s.lower()
        lemma = LEMMA_OVERRIDES.get(low)
        if lemma is None:
            lemma = lookup_lemma(self.table, low)
        brk = 1 if (s in BREAK_PUNCT or "\n" in s) else 0
        flags = 0
        if s == "\n":
            flags |= F_NL1
        if "\n" in s:
            flags |= F_NL
        if s not in BREAK_PUNCT and s not in (":", ";", ")", "|") and (s[-1:].isalnum() or s == ","):
            flags |= F_WRAP_END
        if s[:1].isupper():
            flags |= F_CAP
        if s[:1].islower():
            flags |= F_LOWER
        if s[:1] in ("-", "*", "•", "#", "|") or s[:1].isdigit():
            flags |= F_LIST
        if s == "|":
            flags |= F_PIPE
        return self.vocab.strings.add(lemma), brk, flags

    def __call__(self, doc: Doc) -> Doc:
        n = len(doc)
        if n == 0:
            return doc
        arr_in = doc.to_array([ORTH, IDX])
        orths = arr_in[:, 0]
        uniq, inv = np.unique(orths, return_inverse=True)
        lem = np.empty(len(uniq), dtype=np.uint64)
        brk = np.empty(len(uniq), dtype=np.int8)
        flg = np.empty(len(uniq), dtype=np.int16)
        cache = self.cache
        for i, o in enumerate(uniq.tolist()):
            info = cache.get(o)
            if info is None:
                info = cache[o] = self._info(o)
            lem[i], brk[i], flg[i] = info
        inv = inv.reshape(-1)
        lemmas = lem[inv]
        breaks = brk[inv]
        flags = flg[inv]
        starts = np.full(n, -1, dtype=np.int64)
        starts[0] = 1
        if n > 1:
            starts[1:][breaks[:-1] == 1] = 1
        if n > 2:
            self._unwrap(flags, arr_in[:, 1].astype(np.int64), starts)
        arr = np.empty((n, 2), dtype=np.uint64)
        arr[:, 0] = lemmas
        arr[:, 1] = starts.astype(np.uint64)
        doc.from_array([LEMMA, SENT_START], arr)
        return doc

    @staticmethod
    def _unwrap(flags: np.ndarray, idx: np.ndarray, starts: np.ndarray) -> None:
        """A single line break inside a long line that doesn't end a sentence is a wrap
        (Markdown, plain text and PDFs wrap paragraphs), not a sentence boundary."""
        n = len(flags)
        i = np.arange(1, n - 1)
        cand = i[((flags[1:-1] & F_NL1) != 0)
                 & ((flags[:-2] & F_WRAP_END) != 0)
                 & ((flags[2:] & F_LIST) == 0)
                 & ~(((flags[:-2] & F_CAP) != 0) & ((flags[2:] & F_LOWER) == 0))]
        if not len(cand):
            return
        nl_pos = np.flatnonzero((flags & F_NL) != 0)
        k = np.searchsorted(nl_pos, cand) - 1
        prev_nl = np.where(k >= 0, nl_pos[np.maximum(k, 0)], -1)
        line_start = np.where(prev_nl >= 0, idx[np.minimum(prev_nl + 1, n - 1)], 0)
        long_line = (idx[cand] - line_start) >= WRAP_MIN
        pipe_cum = np.cumsum((flags & F_PIPE) != 0)
        pipes = pipe_cum[cand - 1] - np.where(prev_nl >= 0, pipe_cum[np.maximum(prev_nl, 0)], 0)
        join = cand[long_line & (pipes == 0)]
        starts[join + 1] = -1


@Language.factory("partywatch_lemma_sents")
def _make_analyzer(nlp: Language, name: str):
    return Analyzer(nlp.vocab)


def make_nlp() -> Language:
    nlp = spacy.blank("en")
    nlp.max_length = 10 * MAX_CHUNK_CHARS
    nlp.add_pipe("partywatch_lemma_sents")
    return nlp


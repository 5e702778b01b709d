"""The spaCy pipeline and the scorer.

Pipeline: ``spacy.blank("en")`` tokenizer, then one component that applies the lookup
lemmatizer table from spacy-lookups-data and sentence boundaries (., !, ?, and line breaks)
with array operations instead of a Python loop per token, then one Matcher (token
patterns) and one PhraseMatcher (phrases, on LEMMA, so "registers" finds "register",
"don't" finds "do not") compiled once per rubric from rubric.yaml.

A claim is (element, credit, sentence, offsets, document). There is no POS/DEP without a
trained model: negation and hedging are token patterns found in the same sentence.
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import lru_cache
from typing import Any, Iterable

import numpy as np
import spacy
from spacy.attrs import IDX, LEMMA, LENGTH, LOWER, NORM, ORTH, SENT_START
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc

from scoring.models import (
    CREDIT_POINTS,
    Claim,
    DocumentClaims,
    ElementResult,
    Evidence,
    Scorecard,
    StepResult,
)
from scoring.rubric import DOCUMENT_KINDS, Element, Rubric, Term

CHUNK_CHARS = 100_000
MAX_QUOTE = 600
NEGATION_WINDOW = 8
CREDIT_RANK = {"full": 2, "partial": 1, "none": 0}

# Contractions the lookup table does not know.
LEMMA_OVERRIDES = {"n't": "not", "'re": "be", "'m": "be", "'s": "'s", "ca": "can", "wo": "will", "'ll": "will",
                   "'ve": "have", "'d": "would", "us": "we", "our": "we", "ours": "we"}
F_NL1, F_NL, F_WRAP_END, F_CAP, F_LOWER, F_LIST, F_PIPE = 1, 2, 4, 8, 16, 32, 64
ROW_SEPS = {":", "-", "–", "—", "|"}
WRAP_MIN = 60
BREAK_PUNCT = {".", "!", "?", "…", "•", "·", "■", "▪"}
NAME_SUFFIXES = {"ltd", "ltd.", "limited", "plc", "inc", "inc.", "llp", "llc", "gmbh", "corp", "co"}
NAME_STOP = {
    "we", "our", "the", "a", "an", "this", "these", "they", "you", "your", "if", "in", "for", "to", "and",
    "of", "on", "with", "by", "as", "at", "it", "its", "all", "any", "some", "such", "when", "where",
    "supplier", "suppliers", "role", "purpose", "name", "company", "service", "services", "processor",
    "what", "who", "how", "why", "which", "data", "personal", "information", "privacy", "notice",
    "party", "table", "category", "type", "provider", "used", "use", "for", "from", "via", "i",
}


@lru_cache(maxsize=1)
def _lemma_table() -> dict[str, str]:
    from spacy.lookups import load_lookups

    table = load_lookups("en", ["lemma_lookup"]).get_table("lemma_lookup")
    return dict(table.items()) if hasattr(table, "items") else table


def _lookup_lemma(table: dict[str, str], low: str) -> str:
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


class _Analyzer:
    """Lookup lemmas + sentence starts, set with Doc.from_array (no per-token Python)."""

    def __init__(self, vocab):
        self.vocab = vocab
        self.table = _lemma_table()
        self.cache: dict[int, tuple[int, int, int]] = {}

    def _info(self, orth: int) -> tuple[int, int, int]:
        s = self.vocab.strings[orth]
        low = s.lower()
        lemma = LEMMA_OVERRIDES.get(low)
        if lemma is None:
            lemma = _lookup_lemma(self.table, low)
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
    return _Analyzer(nlp.vocab)


def make_nlp() -> Language:
    nlp = spacy.blank("en")
    nlp.max_length = 10 * CHUNK_CHARS
    nlp.add_pipe("partywatch_lemma_sents")
    return nlp


def _lemmatize_pattern(pattern: list[dict], analyzer: _Analyzer) -> list[dict]:
    """Rewrite LEMMA values through the same lookup table, so {LEMMA: data} works."""

    def lem(w: Any) -> Any:
        if not isinstance(w, str):
            return w
        low = w.lower()
        if low in LEMMA_OVERRIDES:
            return LEMMA_OVERRIDES[low]
        return _lookup_lemma(analyzer.table, low)

    out = []
    for tok in pattern:
        tok = dict(tok)
        if "LEMMA" in tok:
            v = tok["LEMMA"]
            if isinstance(v, dict):
                v = {k: ([lem(x) for x in vals] if isinstance(vals, list) else vals) for k, vals in v.items()}
            else:
                v = lem(v)
            tok["LEMMA"] = v
        for attr in ("LOWER",):
            if attr in tok and isinstance(tok[attr], str):
                tok[attr] = tok[attr].lower()
            elif attr in tok and isinstance(tok[attr], dict):
                tok[attr] = {k: ([str(x).lower() for x in vals] if isinstance(vals, list) else vals) for k, vals in tok[attr].items()}
        out.append(tok)
    return out


def _expand_first(pattern: list[dict]) -> list[list[dict]]:
    """{LOWER: {IN: [a, b]}} on the first token -> one pattern per word.

    spaCy evaluates IN in Python for every token of every document; a plain value is
    checked in C. Expanding the first token keeps the Matcher fast.
    """
    first = pattern[0]
    if len(first) != 1:
        return [pattern]
    (attr, val), = first.items()
    if attr in ("LOWER", "LEMMA", "TEXT", "ORTH", "NORM") and isinstance(val, dict) and list(val) == ["IN"] \
            and all(isinstance(v, str) for v in val["IN"]) and 0 < len(val["IN"]) <= 50:
        return [[{attr: v}] + pattern[1:] for v in val["IN"]]
    return [pattern]


_SIMPLE_ATTRS = {"LOWER": LOWER, "NORM": NORM, "TEXT": ORTH, "ORTH": ORTH, "LEMMA": LEMMA}
_FLAG_ATTRS = {"LIKE_NUM", "LIKE_EMAIL", "LIKE_URL", "IS_DIGIT", "IS_TITLE", "IS_UPPER", "IS_PUNCT", "IS_ALPHA"}


class _Prefilter:
    """Run the token Matcher only near tokens that can start a pattern.

    spaCy's Matcher makes a Python Token for every position of the document; when every
    pattern has a fixed length and a plain first token ({LOWER: word}, {LIKE_NUM: true}),
    the positions where a match can start are found with array operations and the
    Matcher runs on short windows there. The matches are the same.
    """

    def __init__(self, attr_values: dict[int, np.ndarray], flags: list[int], max_len: int):
        self.attr_values = attr_values
        self.flags = flags
        self.max_len = max_len
        self.attrs = list(attr_values) + flags

    @classmethod
    def build(cls, patterns: list[list[dict]], vocab) -> "_Prefilter | None":
        if not patterns:
            return None
        values: dict[int, set[int]] = defaultdict(set)
        flags: set[int] = set()
        max_len = 0
        from spacy.attrs import IDS

        for pat in patterns:
            if any(str(t.get("OP", "")) not in ("", "?", "!") for t in pat):
                return None  # variable length: match the whole document
            max_len = max(max_len, len(pat))
            first = pat[0]
            if "OP" in first or len(first) != 1:
                return None
            (attr, val), = first.items()
            if attr in _SIMPLE_ATTRS and isinstance(val, str):
                v = val.lower() if attr in ("LOWER", "NORM") else val
                values[_SIMPLE_ATTRS[attr]].add(vocab.strings.add(v))
            elif attr in _FLAG_ATTRS and val is True:
                flags.add(IDS[attr])
            else:
                return None
        return cls({a: np.array(sorted(v), dtype=np.uint64) for a, v in values.items()}, sorted(flags), max_len)

    def __call__(self, matcher: Matcher, doc: Doc) -> list[tuple[int, int, int]]:
        n = len(doc)
        arr = doc.to_array(self.attrs)
        if arr.ndim == 1:
            arr = arr.reshape(-1, 1)
        cand = np.zeros(n, dtype=bool)
        for col, attr in enumerate(self.attrs):
            if attr in self.attr_values:
                cand |= np.isin(arr[:, col], self.attr_values[attr])
            else:
                cand |= arr[:, col] == 1
        pos = np.flatnonzero(cand)
        if not len(pos):
            return []
        out: list[tuple[int, int, int]] = []
        gap = self.max_len + 8  # merge windows closer than this
        a = int(pos[0])
        b = a + self.max_len
        for p in pos[1:].tolist():
            if p <= b + gap:
                b = p + self.max_len
                continue
            out.extend((k, s_ + a, e_ + a) for k, s_, e_ in matcher(doc[a:min(b, n)]))
            a, b = p, p + self.max_len
        out.extend((k, s_ + a, e_ + a) for k, s_, e_ in matcher(doc[a:min(b, n)]))
        return out


class _Compiled:
    """All terms of a rubric compiled into one Matcher and one PhraseMatcher."""

    def __init__(self, rubric: Rubric, nlp: Language):
        self.nlp = nlp
        self.analyzer: _Analyzer = nlp.get_pipe("partywatch_lemma_sents")
        self.matcher = Matcher(nlp.vocab, validate=True)
        self.phrases = PhraseMatcher(nlp.vocab, attr="LEMMA")
        self.known = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.term_keys: dict[str, int] = {}
        self.token_patterns: list[list[dict]] = []
        self.problems: list[tuple[str, str]] = []
        self._phrase_groups: dict[int, list[Doc]] = defaultdict(list)
        m = rubric.model
        self.hedge = self._terms(m.hedges, "hedges")
        self.negation = self._terms(m.negations, "negations")
        self.refusal = self._terms(m.refusals, "refusals")
        self.context = self._terms(m.suppliers.context, "suppliers.context")
        self.roles: dict[int, str] = {}
        for role, terms in m.suppliers.roles.items():
            for k in self._terms(terms, f"suppliers.roles.{role}"):
                self.roles.setdefault(k, role)
        self.not_names = {n.lower() for n in m.suppliers.not_names}
        self.known_names: dict[int, str] = {}
        for name in m.suppliers.known:
            key = nlp.vocab.strings.add("KNOWN::" + name)
            self.known.add("KNOWN::" + name, [nlp.make_doc(name)])
            self.known_names[key] = name
        # rules: (step_id, element, credit, groups: list[set[int]], unless: set[int])
        self.rules: list[tuple[str, Element, str, list[set[int]], set[int]]] = []
        self.rules_by_key: dict[int, list[int]] = defaultdict(list)
        self.supplier_elements: list[tuple[str, Element]] = []
        for i, step in enumerate(rubric.steps):
            for j, el in enumerate(step.elements):
                if el.named_suppliers:
                    self.supplier_elements.append((step.id, el))
                for credit in ("full", "partial"):
                    for k, rule in enumerate(getattr(el, credit)):
                        base = f"steps[{i}].elements[{j}].{credit}[{k}]"
                        groups = [self._terms(terms, f"{base}.{g}") for g, terms in rule.groups()]
                        unless = self._terms(rule.unless or [], f"{base}.unless")
                        idx = len(self.rules)
                        self.rules.append((step.id, el, credit, [set(g) for g in groups], set(unless)))
                        for key in groups[0]:
                            self.rules_by_key[key].append(idx)
        self.not_hedge = self._terms(m.not_hedges, "not_hedges")
        self.prefilter = _Prefilter.build(self.token_patterns, nlp.vocab)
        self.hedge_set, self.not_hedge_set = set(self.hedge), set(self.not_hedge)
        self.negation_set, self.refusal_set = set(self.negation), set(self.refusal)
        self.context_set, self.role_set = set(self.context), set(self.roles)
        self.known_set = set(self.known_names)
        self.row_sep_orths = np.array([nlp.vocab.strings.add(x) for x in ROW_SEPS], dtype=np.uint64)
        for key, docs in self._phrase_groups.items():
            self.phrases.add(nlp.vocab.strings[key], docs)

    def _terms(self, terms: Iterable[Term], where: str) -> list[int]:
        keys = []
        for t, term in enumerate(terms):
            if isinstance(term, str):
                name = "P::" + term.strip().lower()
                key = self.nlp.vocab.strings.add(name)
                if name not in self.term_keys:
                    self.term_keys[name] = key
                    doc = self.analyzer(self.nlp.make_doc(term.strip()))
                    self._phrase_groups[key].append(doc)
            else:
                name = "T::" + repr(term)
                key = self.nlp.vocab.strings.add(name)
                if name not in self.term_keys:
                    try:
                        expanded = _expand_first(_lemmatize_pattern(term, self.analyzer))
                        self.matcher.add(name, expanded)
                        self.token_patterns.extend(expanded)
                    except Exception as exc:  # spaCy's own pattern validation
                        self.problems.append((f"{where}[{t}]", f"bad token pattern: {str(exc).strip().splitlines()[-1]}"))
                        continue
                    self.term_keys[name] = key
            keys.append(key)
        return keys


def compile_check(rubric: Rubric) -> list[tuple[str, str]]:
    return _Compiled(rubric, make_nlp()).problems


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


class Scorer:
    """Compile a rubric once; score many documents with it."""

    def __init__(self, rubric: Rubric):
        self.rubric = rubric
        self.nlp = make_nlp()
        self.c = _Compiled(rubric, self.nlp)
        self._el_kinds = {
            (s.id, e.id): set(e.applies_to) for s in rubric.steps for e in s.elements
        }

    # ------------------------------------------------------------ claims
    def claims(self, text: str, url: str, kind: str = "privacy_notice") -> list[Claim]:
        return self.claims_many([(text, url, kind)])[0]

    def claims_many(self, items: list[tuple[str, str, str]], batch_size: int = 64) -> list[list[Claim]]:
        """Claims for many (text, url, kind) at once (nlp.pipe over all chunks)."""
        chunks: list[tuple[str, tuple[int, int, str]]] = []
        for idx, (text, _url, _kind) in enumerate(items):
            for base, piece in _chunks(text or ""):
                chunks.append((piece, (idx, base, piece)))
        results: list[list[Claim]] = [[] for _ in items]
        for doc, (idx, base, piece) in self.nlp.pipe(chunks, as_tuples=True, batch_size=batch_size):
            _text, url, kind = items[idx]
            results[idx].extend(self._doc_claims(doc, piece, base, url, kind))
        return results

    def _doc_claims(self, doc: Doc, dtext: str, base: int, url: str, kind: str) -> list[Claim]:
        """Claims in one chunk; dtext is the chunk's text (== doc.text), base its offset."""
        n = len(doc)
        if n == 0:
            return []
        c = self.c
        if kind not in DOCUMENT_KINDS:
            kind = "other"
        token_matches = c.prefilter(c.matcher, doc) if c.prefilter is not None else c.matcher(doc)
        matches = token_matches + c.phrases(doc) + c.known(doc)
        if not matches:
            return []
        raw = doc.to_array([SENT_START, IDX, LENGTH, ORTH])
        orths = raw[:, 3]
        arr = raw[:, :3].astype(np.int64)
        sent_starts = arr[:, 0]
        tok_start = arr[:, 1]
        tok_end = tok_start + arr[:, 2]
        is_sep = np.isin(orths, c.row_sep_orths)
        sent_idx = np.cumsum(sent_starts == 1) - 1
        by_sent: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
        for key, s_, e_ in matches:
            by_sent[int(sent_idx[s_])].append((key, s_, e_))
        sent_bounds = np.flatnonzero(sent_starts == 1).tolist() + [n]
        out: list[Claim] = []
        hedge, not_hedge, neg, refusal = c.hedge_set, c.not_hedge_set, c.negation_set, c.refusal_set
        rules_by_key = c.rules_by_key
        for si, ms in by_sent.items():
            keys = {k for k, _, _ in ms}
            s_tok, e_tok = sent_bounds[si], sent_bounds[si + 1]
            start, end = _trim(dtext, int(tok_start[s_tok]), int(tok_end[e_tok - 1]))
            if start >= end:
                continue
            hedged = False
            if keys & hedge:
                spans = [(s_, e_) for k, s_, e_ in ms if k in not_hedge]
                hedged = any(k in hedge and not any(a <= s_ and e_ <= b for a, b in spans) for k, s_, e_ in ms)
            refused = bool(keys & refusal)
            neg_pos = [s_ for k, s_, _ in ms if k in neg]
            best: dict[tuple[str, str], tuple[str, Element]] = {}
            for ridx in {r for k in keys for r in rules_by_key.get(k, ())}:
                step_id, el, credit, groups, unless = c.rules[ridx]
                if kind not in el.applies_to:
                    continue
                if any(not (g & keys) for g in groups) or (unless & keys):
                    continue
                if el.reverse:
                    first = min(s_ for k, s_, _ in ms if k in groups[0])
                    negated = any(first - NEGATION_WINDOW <= p <= first for p in neg_pos)
                    credit = "full" if negated else ("none" if credit == "full" else "partial")
                else:
                    if refused:
                        continue
                    if hedged and el.hedge_caps and credit == "full":
                        credit = "partial"
                k2 = (step_id, el.id)
                prev = best.get(k2)
                if prev is None or _better(credit, prev[0], el.reverse):
                    best[k2] = (credit, el)
            q_start, q_end = start, end
            if end - start > MAX_QUOTE:
                # a very long "sentence" (no punctuation): quote a window around the first match
                first = min(s_ for _, s_, _ in ms)
                w0 = max(s_tok, first - 25)
                w1 = min(e_tok, first + 40)
                q_start, q_end = _trim(dtext, int(tok_start[w0]), int(tok_end[w1 - 1]))
            quote = dtext[q_start:q_end]
            for (step_id, el_id), (credit, el) in best.items():
                out.append(Claim(step_id, el_id, credit, quote, url, base + q_start, base + q_end, None))
            if c.supplier_elements and not refused:
                out.extend(self._supplier_claims(doc, dtext, ms, keys, s_tok, e_tok, is_sep, tok_start, tok_end,
                                                 base, q_start, q_end, quote, url, kind))
        return out

    def _supplier_claims(self, doc, dtext, ms, keys, s_tok, e_tok, is_sep, tok_start, tok_end,
                         base, q_start, q_end, quote, url, kind) -> list[Claim]:
        """Suppliers named in one sentence, table row or list item, with the role stated."""
        c = self.c
        has_context = bool(keys & c.context_set)
        has_known = bool(keys & c.known_set)
        if not (keys & c.role_set) and not (has_context and has_known):
            return []
        if keys & c.negation_set:
            return []  # "we don't upload anything to Facebook" names no supplier
        role = None
        for k, _s, _e in sorted(ms, key=lambda m: m[1]):
            if k in c.roles:
                role = c.roles[k]
                break
        # a row: "Name | role", "- Name: role", "Name – role"
        is_row = bool(is_sep[s_tok:e_tok].any()) and bool(is_sep[s_tok + 1: min(e_tok, s_tok + 9)].any() or
                                                           (doc[s_tok].text == "|"))
        if not ((has_context and role) or (is_row and role) or (has_context and has_known)):
            return []
        names: list[str] = [c.known_names[k] for k, _, _ in sorted(ms, key=lambda m: m[1]) if k in c.known_names]
        names += self._name_candidates(doc, dtext, s_tok, e_tok, is_row, tok_start, tok_end)
        seen = set()
        out = []
        for name in names:
            name = name.rstrip(".")
            low = name.lower()
            if low in seen or low in c.not_names:
                continue
            seen.add(low)
            detail = {"supplier": name, "role": role}
            for step_id, el in c.supplier_elements:
                if kind not in el.applies_to:
                    continue
                credit = "full" if role else "partial"
                out.append(Claim(step_id, el.id, credit, quote, url, base + q_start, base + q_end, detail))
        return out

    def _name_candidates(self, doc: Doc, dtext: str, s_tok: int, e_tok: int, is_row: bool,
                         tok_start, tok_end) -> list[str]:
        toks = doc[s_tok:min(e_tok, s_tok + 200)]
        if is_row:
            # first cell of a row: "Acme Print Ltd | Printing leaflets", or "- Stripe: payments"
            cell = []
            for t in toks:
                if not cell and t.text in ("-", "*", "•", "–", "|"):
                    continue
                if t.text in ROW_SEPS:
                    break
                cell.append(t)
            if not cell or len(cell) > 8:
                return []
            text = dtext[cell[0].idx: cell[-1].idx + len(cell[-1].text)]
            first = cell[0].text
            if first[:1].isupper() and first.lower() not in NAME_STOP and text.lower() not in self.c.not_names:
                return [text]
            return []
        out = []
        run: list = []

        def flush():
            if run:
                words = [t.text for t in run]
                low = [w.lower() for w in words]
                strong = any(any(ch.isupper() for ch in w[1:]) for w in words) or low[-1] in NAME_SUFFIXES
                first_in_sent = run[0].i == s_tok
                if (strong or (not first_in_sent and not all(w in NAME_STOP for w in low))) and \
                        low[0] not in NAME_STOP and " ".join(low) not in self.c.not_names and len(words) <= 5:
                    out.append(dtext[run[0].idx: run[-1].idx + len(run[-1].text)])
            run.clear()

        for t in toks:
            txt = t.text
            if txt[:1].isupper() and txt.isalnum() or (run and txt.lower() in NAME_SUFFIXES) or (run and txt == "&"):
                run.append(t)
            else:
                flush()
        flush()
        return out

    # ------------------------------------------------------------ scorecard
    def scorecard(self, documents: list[DocumentClaims]) -> Scorecard:
        rubric = self.rubric
        steps: list[StepResult] = []
        for step in rubric.steps:
            elements: list[ElementResult] = []
            for el in step.elements:
                elements.append(self._element(step.id, el, documents))
            by_id = {e.id: e for e in elements}
            for res, el in zip(elements, step.elements):
                other = by_id.get(el.met_by) if el.met_by else None
                if other is not None and res.credit != "n/a" and other.credit in ("full", "partial") \
                        and CREDIT_RANK[other.credit] > CREDIT_RANK.get(res.credit, 0):
                    res.credit, res.evidence = other.credit, list(other.evidence)
            scored = [(e, el.weight) for e, el in zip(elements, step.elements) if e.credit != "n/a"]
            if scored:
                tw = sum(w for _, w in scored)
                score = round(sum(CREDIT_POINTS[e.credit] * w for e, w in scored) / tw, 1)
            else:
                score = 0.0
            steps.append(StepResult(step.id, step.title, score, elements, applicable=bool(scored)))
        weights = [(s.score, st.weight) for s, st in zip(steps, rubric.steps) if s.applicable]
        overall = round(sum(a * w for a, w in weights) / sum(w for _, w in weights), 1) if weights else 0.0
        return Scorecard(rubric.version, overall, rubric.grade(overall), steps, rubric.content_hash)

    def _element(self, step_id: str, el: Element, documents: list[DocumentClaims]) -> ElementResult:
        looked_for = el.looked_for or el.question
        res = ElementResult(el.id, "none", [], looked_for, el.question, el.weight)
        applicable = [d for d in documents if (d.kind if d.kind in DOCUMENT_KINDS else "other") in el.applies_to]
        if not applicable:
            res.credit = "n/a"
            return res
        found: list[tuple[Claim, int | None]] = []
        for d in applicable:
            for cl in d.claims:
                if cl.step_id == step_id and cl.element_id == el.id:
                    found.append((cl, d.snapshot_id))
        if not found:
            return res
        if el.named_suppliers:
            rule = el.named_suppliers
            names_any: dict[str, tuple[Claim, int | None]] = {}
            names_role: dict[str, tuple[Claim, int | None]] = {}
            for cl, sid in found:
                det = cl.detail or {}
                name = str(det.get("supplier", "")).lower()
                if not name:
                    continue
                names_any.setdefault(name, (cl, sid))
                if det.get("role"):
                    names_role.setdefault(name, (cl, sid))
            n_full = len(names_role) if rule.role_needed_for_full else len(names_any)
            chosen: list = []
            if n_full >= rule.full_min:
                res.credit, chosen = "full", list(names_role.values() if rule.role_needed_for_full else names_any.values())
            elif len(names_any) >= rule.partial_min:
                res.credit, chosen = "partial", list(names_any.values())
            res.detail = [{"supplier": (cl.detail or {}).get("supplier"), "role": (cl.detail or {}).get("role")}
                          for cl, _ in chosen]
            res.evidence = _evidence(chosen, limit=5)
            # rules on this element (if any) may also give credit
            other = [(cl, sid) for cl, sid in found if not cl.detail]
            if other and res.credit != "full":
                best = max(CREDIT_RANK[cl.credit] for cl, _ in other)
                if best > CREDIT_RANK[res.credit]:
                    res.credit = {2: "full", 1: "partial"}[best]
                    res.evidence = _evidence([x for x in other if CREDIT_RANK[x[0].credit] == best])
            return res
        if el.reverse and any(cl.credit == "none" for cl, _ in found):
            res.credit = "none"
            res.evidence = _evidence([x for x in found if x[0].credit == "none"])
            return res
        best = max(CREDIT_RANK[cl.credit] for cl, _ in found)
        res.credit = {2: "full", 1: "partial", 0: "none"}[best]
        res.evidence = _evidence([x for x in found if CREDIT_RANK[x[0].credit] == best])
        return res

    def score_texts(self, items: list[tuple[str, str, str]]) -> Scorecard:
        """[(url, kind, text), ...] -> Scorecard."""
        all_claims = self.claims_many([(text, url, kind) for url, kind, text in items])
        docs = [DocumentClaims(url, kind, cl) for (url, kind, _), cl in zip(items, all_claims)]
        return self.scorecard(docs)


def _better(new: str, old: str, reverse: bool) -> bool:
    if reverse and "none" in (new, old):
        return new == "none" and old != "none"
    return CREDIT_RANK[new] > CREDIT_RANK[old]


def _evidence(found: list[tuple[Claim, int | None]], limit: int = 3) -> list[Evidence]:
    out: list[Evidence] = []
    seen = set()
    # whole sentences before bare headings ("Political opinions"), then document order
    found = sorted(found, key=lambda x: len(x[0].quote.split()) < 5)
    for cl, sid in found:
        key = (cl.url, cl.start, cl.end)
        if key in seen:
            continue
        seen.add(key)
        out.append(Evidence(cl.quote, cl.url, cl.start, cl.end, sid))
        if len(out) >= limit:
            break
    return out


def _chunks(text: str) -> Iterable[tuple[int, str]]:
    """Split text into pieces of at most CHUNK_CHARS, at line breaks where possible."""
    n = len(text)
    pos = 0
    while pos < n:
        end = min(n, pos + CHUNK_CHARS)
        if end < n:
            cut = text.rfind("\n", pos + CHUNK_CHARS // 2, end)
            if cut == -1:
                cut = text.rfind(" ", pos + CHUNK_CHARS // 2, end)
            if cut != -1:
                end = cut + 1
        yield pos, text[pos:end]
        pos = end

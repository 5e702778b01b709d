"""Rubric terms compiled into spaCy matchers, once per rubric.

Every phrase becomes a PhraseMatcher entry: on LEMMA when written in dictionary form (so
"register" finds "registers" and "registered", "do not" finds "don't"), on NORM (plural
folded only) when written inflected; every token pattern a Matcher entry; a rule becomes a
`CompiledRule` holding the match keys of its groups. `compile_problems` reports patterns
spaCy refuses, with their place in the rubric.

A phrase is given to the PhraseMatcher as what it keeps of a Doc: the ids of its tokens'
lemmas or folded forms (lower-case forms for supplier names). The strings behind them come
from the cache (scoring.cache) when this code compiled the phrase before, else from the
tokenizer and the Analyzer, as the text being scored will.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, cast

import numpy as np
from spacy.attrs import LEMMA, LOWER, NORM, ORTH, SHAPE
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc

from scoring.cache import (
    cached_narrowed_lemma_table,
    cached_term_tokens,
    remember_narrowed_lemma_table,
    remember_term_tokens,
)
from scoring.english import EnglishPipeline
from scoring.nlp import Analyzer, folded_form, lemma_of, lemma_table, make_nlp, narrowed_lemma_table
from scoring.rubric import Element, Rubric, Term
from scoring.rubric_terms import is_one_answer


def _lemmatize_pattern(pattern: list[dict], analyzer: Analyzer) -> list[dict]:
    """LEMMA values in dictionary form, or as NORM when written inflected (see `_is_base_form`)."""
    table = analyzer.table
    out = []
    for tok in pattern:
        tok = dict(tok)
        if "LEMMA" in tok:
            v = tok.pop("LEMMA")
            words = [x for x in (v.get("IN", []) if isinstance(v, dict) else [v]) if isinstance(x, str)]
            base = all(_is_base_form(table, w.lower()) for w in words)
            form = (lambda w: lemma_of(table, w.lower())) if base else (lambda w: folded_form(w.lower()))
            if isinstance(v, dict):
                v = {k: ([form(x) if isinstance(x, str) else x for x in vals] if isinstance(vals, list) else vals)
                     for k, vals in v.items()}
            elif isinstance(v, str):
                v = form(v)
            tok["LEMMA" if base else "NORM"] = v
        for attr in ("LOWER",):
            if attr in tok and isinstance(tok[attr], str):
                tok[attr] = tok[attr].lower()
            elif attr in tok and isinstance(tok[attr], dict):
                tok[attr] = {k: ([str(x).lower() for x in vals] if isinstance(vals, list) else vals) for k, vals in tok[attr].items()}
        out.append(tok)
    return out


def _lemma_values(value: Any) -> list[str]:
    """The words a token pattern's LEMMA test names: its value, or its IN / NOT_IN lists."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [w for vals in value.values() if isinstance(vals, list) for w in vals if isinstance(w, str)]
    return []


def _is_base_form(table: dict[int, str], low: str) -> bool:
    """A word written in its dictionary form ("collect", "opt", "newsletters").

    A rubric phrase whose words all are finds every form of them ("collected", "opted");
    a phrase with an inflected word ("updated", "canvassing") finds that form and its
    plural only, because the maintainer chose that form on purpose. Words the lookup
    table maps oddly ("data" -> "datum", "as" -> "a", "broker" -> "broke") count as
    inflected, so a phrase holding them is matched as written.
    """
    return lemma_of(table, low) == folded_form(low)


# First-token attributes the Matcher checks in C as a plain value, and the prefilter below
# finds with array operations ("9/15/2018" has the SHAPE "d/dd/dddd").
_SIMPLE_ATTRS = {"LOWER": LOWER, "NORM": NORM, "TEXT": ORTH, "ORTH": ORTH, "LEMMA": LEMMA, "SHAPE": SHAPE}


def _expand_first(pattern: list[dict]) -> list[list[dict]]:
    """{LOWER: {IN: [a, b]}} on the first token -> one pattern per word.

    spaCy evaluates IN in Python for every token of every document; a plain value is
    checked in C. Expanding the first token keeps the Matcher fast.
    """
    first = pattern[0]
    if len(first) != 1:
        return [pattern]
    (attr, val), = first.items()
    if attr in _SIMPLE_ATTRS and isinstance(val, dict) and list(val) == ["IN"] \
            and all(isinstance(v, str) for v in val["IN"]) and 0 < len(val["IN"]) <= 50:
        return [[{attr: v}] + pattern[1:] for v in val["IN"]]
    return [pattern]


_FLAG_ATTRS = {"LIKE_NUM", "LIKE_EMAIL", "LIKE_URL", "IS_DIGIT", "IS_TITLE", "IS_UPPER", "IS_PUNCT", "IS_ALPHA"}


class _Prefilter:
    """Run each token pattern only where its first token is.

    spaCy's Matcher tries every pattern at every position of the text it is given, so its
    cost is tokens × patterns, and it makes a Python Token for every position. When every
    pattern has a fixed length and a plain first token ({LOWER: word}, {LIKE_NUM: true}),
    the patterns are grouped by that first token, the positions where each group can start
    are found with array operations, and each group's own Matcher runs on short windows
    there: a group whose word is not in the text costs nothing. The matches are the same
    (tests/scoring/test_rubric.py compares them with one Matcher over the whole text).
    """

    def __init__(self, groups: dict[tuple[int, int], tuple[Matcher, int]], attrs: list[int]):
        self.groups = groups  # (attribute, value) of the first token -> (its Matcher, longest pattern)
        self.attrs = attrs
        self.values = {attr: np.array(sorted(v for a, v in groups if a == attr), dtype=np.uint64)
                       for attr in attrs}

    @classmethod
    def build(cls, patterns: list[tuple[str, list[dict]]], vocab) -> "_Prefilter | None":
        if not patterns:
            return None
        from spacy.attrs import IDS

        by_first: dict[tuple[int, int], dict[str, list[list[dict]]]] = defaultdict(lambda: defaultdict(list))
        for name, pat in patterns:
            if any(str(t.get("OP", "")) not in ("", "?", "!") for t in pat):
                return None  # variable length: match the whole document
            first = pat[0]
            if "OP" in first or len(first) != 1:
                return None
            (attr, val), = first.items()
            if attr in _SIMPLE_ATTRS and isinstance(val, str):
                v = val.lower() if attr in ("LOWER", "NORM") else val
                where = (_SIMPLE_ATTRS[attr], vocab.strings.add(v))
            elif attr in _FLAG_ATTRS and val is True:
                where = (IDS[attr], 1)
            else:
                return None
            by_first[where][name].append(pat)
        groups = {}
        for where, named in by_first.items():
            matcher = Matcher(vocab)
            for name, pats in named.items():
                matcher.add(name, pats)
            groups[where] = (matcher, max(len(p) for pats in named.values() for p in pats))
        return cls(groups, sorted({attr for attr, _ in groups}))

    def __call__(self, doc: Doc) -> list[tuple[int, int, int]]:
        n = len(doc)
        arr = doc.to_array(self.attrs)
        if arr.ndim == 1:
            arr = arr.reshape(-1, 1)
        starts: dict[tuple[int, int], list[int]] = defaultdict(list)
        for col, attr in enumerate(self.attrs):
            column = arr[:, col]
            positions = np.flatnonzero(np.isin(column, self.values[attr]))
            for position, value in zip(positions.tolist(), column[positions].tolist()):
                starts[(attr, value)].append(position)
        out: list[tuple[int, int, int]] = []
        for where, positions in starts.items():
            matcher, length = self.groups[where]
            gap = length + 8  # merge windows closer than this
            a = positions[0]
            b = a + length
            for p in positions[1:]:
                if p <= b + gap:
                    b = p + length
                    continue
                out.extend((k, s_ + a, e_ + a) for k, s_, e_ in matcher(doc[a:min(b, n)]))
                a, b = p, p + length
            out.extend((k, s_ + a, e_ + a) for k, s_, e_ in matcher(doc[a:min(b, n)]))
        # in the order of the text, as one Matcher over the whole text gives them
        out.sort(key=lambda match: (match[1], match[2]))
        return out


@dataclass(frozen=True)
class CompiledRule:
    """One rule of rubric.yaml as match keys: its id says where it stands in the rubric."""

    rule_id: str  # "retention/periods/full[1]"
    step_id: str
    element: Element
    credit: str
    groups: tuple[frozenset[int], ...]  # find, with, and_with: each must match in the sentence
    unless: frozenset[int]
    in_section: frozenset[int]  # one must match in the headings (or table header) above
    not_in_section: frozenset[int]
    in_paragraph: frozenset[int]  # one must match in the sentence's paragraph or list item
    negated: bool  # the find term must be negated in its own clause
    denial: bool  # it credits "we do not ..." (negated, or marked denial in rubric.yaml)
    adds_up: bool | str  # counts towards the element's full_from_claims (True or "per_term")
    # find keys written in one list of phrases -> that list's place in `find`: one answer
    # however many of its phrases a sentence names
    one_answer: dict[int, int] = field(default_factory=dict, hash=False, compare=False)


class CompiledRubric:
    """All terms of a rubric compiled: token patterns into a Matcher; phrases into PhraseMatchers
    on LEMMA (dictionary form) and on NORM (inflected); supplier names into one on LOWER."""

    def __init__(self, rubric: Rubric, nlp: EnglishPipeline[Analyzer]):
        self.nlp = nlp
        self.analyzer = nlp.component
        # Only the part of the lemma table this rubric's patterns need, once compiling it has
        # found which (scoring.nlp.narrowed_lemma_table); the whole table until then.
        narrowed = cached_narrowed_lemma_table(rubric.content_hash)
        if narrowed is not None:
            self.analyzer.use_table(narrowed)
        self._narrowed = narrowed is not None
        self._lemmas: set[str] = set()  # the dictionary forms its patterns match on LEMMA
        self._lemma_words: set[str] = set()  # the words its token patterns give for LEMMA
        self._narrowable = True  # False: a LEMMA test other than a value or IN / NOT_IN
        self.matcher = Matcher(nlp.vocab, validate=True)
        self.phrases = PhraseMatcher(nlp.vocab, attr="LEMMA")
        self.inflected_phrases = PhraseMatcher(nlp.vocab, attr="NORM")
        self.known = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.term_keys: dict[str, int] = {}
        self.token_patterns: list[tuple[str, list[dict]]] = []
        self.problems: list[tuple[str, str]] = []
        self._phrase_groups: dict[int, list[tuple[int, ...]]] = defaultdict(list)
        self._inflected_groups: dict[int, list[tuple[int, ...]]] = defaultdict(list)
        self._term_tokens = cached_term_tokens()
        self._term_tokens_added = False
        m = rubric.model
        self.hedge = set(self._terms(m.hedges, "hedges"))
        self.not_hedge = set(self._terms(m.not_hedges, "not_hedges"))
        self.negation = set(self._terms(m.negations, "negations"))
        self.refusal = set(self._terms(m.refusals, "refusals"))
        self.off_topic = set(self._terms(m.off_topic, "off_topic"))
        self.clause_breaks = set(self._terms(m.clause_breaks, "clause_breaks"))
        self.context = set(self._terms(m.suppliers.context, "suppliers.context"))
        self.table_context = set(self._terms(m.suppliers.table_context, "suppliers.table_context"))
        self.roles: dict[int, str] = {}
        for role, terms in m.suppliers.roles.items():
            for k in self._terms(terms, f"suppliers.roles.{role}"):
                self.roles.setdefault(k, role)
        self.incidental_roles = set(m.suppliers.incidental_roles)
        self.incidental_context = set(self._terms(m.suppliers.incidental_context, "suppliers.incidental_context"))
        self.not_processing_context = set(self._terms(m.suppliers.not_processing_context,
                                                      "suppliers.not_processing_context"))
        self.not_names = {n.lower() for n in m.suppliers.not_names}
        self.not_name_words = {w.lower() for w in m.suppliers.not_name_words}
        self.company_suffixes = {x.lower().rstrip(".") for x in m.suppliers.company_suffixes}
        self.known_names: dict[int, str] = {}
        for name in m.suppliers.known:
            key = nlp.vocab.strings.add("KNOWN::" + name)
            self.known.add("KNOWN::" + name, [self._name_phrase(name)])  # type: ignore[list-item]  # see _ids
            self.known_names[key] = name
        self.known_keys = frozenset(self.known_names)
        self.rules: list[CompiledRule] = []
        self.rules_by_key: dict[int, list[int]] = defaultdict(list)
        self.supplier_elements: list[tuple[str, Element]] = []
        for i, step in enumerate(rubric.steps):
            for j, el in enumerate(step.elements):
                if el.named_suppliers:
                    self.supplier_elements.append((step.id, el))
                for credit in ("full", "partial"):
                    for k, rule in enumerate(getattr(el, credit)):
                        base = f"steps[{i}].elements[{j}].{credit}[{k}]"
                        find_keys = self._keys_by_term(rule.find, f"{base}.find")
                        groups = [frozenset(key for keys in find_keys for key in keys)]
                        groups += [frozenset(self._terms(terms, f"{base}.{g}")) for g, terms in rule.groups()[1:]]
                        compiled = CompiledRule(
                            rule_id=f"{step.id}/{el.id}/{credit}[{k}]", step_id=step.id, element=el,
                            credit=credit, groups=tuple(groups),
                            unless=frozenset(self._terms(rule.unless or [], f"{base}.unless")),
                            in_section=frozenset(self._terms(rule.in_section or [], f"{base}.in_section")),
                            not_in_section=frozenset(self._terms(rule.not_in_section or [],
                                                                 f"{base}.not_in_section")),
                            in_paragraph=frozenset(self._terms(rule.in_paragraph or [], f"{base}.in_paragraph")),
                            negated=rule.negated, denial=rule.negated or rule.denial,
                            adds_up=rule.adds_up,
                            one_answer={key: t for t, (term, keys) in enumerate(zip(rule.find, find_keys))
                                        if is_one_answer(term) for key in keys},
                        )
                        for key in groups[0]:
                            self.rules_by_key[key].append(len(self.rules))
                        self.rules.append(compiled)
        self.prefilter = _Prefilter.build(self.token_patterns, nlp.vocab)
        for matcher, by_key in ((self.phrases, self._phrase_groups), (self.inflected_phrases, self._inflected_groups)):
            for key, phrases in by_key.items():
                matcher.add(nlp.vocab.strings[key], phrases)  # type: ignore[arg-type]  # id tuples: see _ids
            by_key.clear()
        if self._term_tokens_added:
            remember_term_tokens(self._term_tokens)
        self._term_tokens = {}
        if not self._narrowed and self._narrowable:
            table = narrowed_lemma_table(self.analyzer.table, self._lemmas, self._lemma_words)
            remember_narrowed_lemma_table(rubric.content_hash, table)
            self.analyzer.use_table(table)

    def matches(self, doc: Doc) -> list[tuple[int, int, int]]:
        """(key, start token, end token) of every rubric term in `doc`."""
        tokens = self.prefilter(doc) if self.prefilter is not None else self.matcher(doc)
        return tokens + self.phrases(doc) + self.inflected_phrases(doc) + self.known(doc)

    def _terms(self, terms: Iterable[Term], where: str) -> list[int]:
        return [key for keys in self._keys_by_term(terms, where) for key in keys]

    def _keys_by_term(self, terms: Iterable[Term], where: str) -> list[list[int]]:
        """The match keys of each term: a list of phrases has one per phrase, a token pattern
        spaCy refuses none (its problem is noted)."""
        out = []
        for t, term in enumerate(terms):
            if is_one_answer(term):
                out.append(self._terms(cast(list[Term], term), f"{where}[{t}]"))
            else:
                key = self._term_key(term, f"{where}[{t}]")
                out.append([] if key is None else [key])
        return out

    def _term_key(self, term: Term, where: str) -> int | None:
        if isinstance(term, str):
            name = "P::" + term.strip().lower()
            key = self.nlp.vocab.strings.add(name)
            if name not in self.term_keys:
                self.term_keys[name] = key
                base, phrase = self._rubric_phrase(term.strip())
                (self._phrase_groups if base else self._inflected_groups)[key].append(phrase)
            return key
        token_pattern = cast(list[dict], term)
        name = "T::" + repr(token_pattern)
        key = self.nlp.vocab.strings.add(name)
        if name not in self.term_keys:
            try:
                lemmatized = _lemmatize_pattern(token_pattern, self.analyzer)
                self._note_lemmas(token_pattern, lemmatized)
                expanded = _expand_first(lemmatized)
                self.matcher.add(name, expanded)
                self.token_patterns.extend((name, pattern) for pattern in expanded)
            except Exception as exc:  # spaCy's own pattern validation
                self.problems.append((where, f"bad token pattern: {str(exc).strip().splitlines()[-1]}"))
                return None
            self.term_keys[name] = key
        return key

    def _note_lemmas(self, term: list[dict], lemmatized: list[dict]) -> None:
        """Note what a token pattern needs of the lemma table: the words it gives for LEMMA,
        as written, and the dictionary forms it matches."""
        self._lemma_words.update(w.lower() for tok in term for w in _lemma_values(tok.get("LEMMA")))
        for tok in lemmatized:
            if isinstance(tok.get("LEMMA"), dict) and not set(tok["LEMMA"]) <= {"IN", "NOT_IN"}:
                self._narrowable = False
            self._lemmas.update(_lemma_values(tok.get("LEMMA")))

    def _rubric_phrase(self, text: str) -> tuple[bool, tuple[int, ...]]:
        """(in dictionary form, pattern): a phrase whose words all are in dictionary form
        is matched on LEMMA, else on NORM (see the module's docstring)."""

        def read() -> tuple[bool, list[str]]:
            if self._narrowed:  # a phrase not compiled before: its words may need any entry
                self.analyzer.use_table(lemma_table())
                self._narrowed = False
            doc = self.analyzer(self.nlp.make_doc(text))
            if all(_is_base_form(self.analyzer.table, tok.lower_) for tok in doc):
                return True, [tok.lemma_ for tok in doc]
            return False, [tok.norm_ for tok in doc]

        base, strings = self._token_strings("PHRASE:" + text, read)
        if base:
            self._lemmas.update(strings)
        return base, self._ids(strings)

    def _name_phrase(self, name: str) -> tuple[int, ...]:
        """A known supplier's name as a pattern on LOWER."""
        return self._ids(self._token_strings("NAME:" + name, lambda: [tok.lower_ for tok in self.nlp.make_doc(name)]))

    def _token_strings(self, cache_key: str, read: Callable[[], Any]) -> Any:
        """What `read()` gives for a term, from the cache of term tokens when it is there."""
        found = self._term_tokens.get(cache_key)
        if found is None:
            found = self._term_tokens[cache_key] = read()
            self._term_tokens_added = True
        return found

    def _ids(self, strings: list[str]) -> tuple[int, ...]:
        """The tuple of ids PhraseMatcher.add keeps of a Doc, and accepts in its place."""
        return tuple(self.nlp.vocab.strings.add(s) for s in strings)


# The rubric compiled last and its compilation: loading a rubric (which compiles it to
# find problems) and then scoring with it builds spaCy's pipeline once, not twice.
_last_compiled: tuple[Rubric, CompiledRubric] | None = None


def compile_rubric(rubric: Rubric) -> CompiledRubric:
    """`rubric` compiled into a pipeline of its own (the same one again for the same rubric)."""
    global _last_compiled
    if _last_compiled is not None and _last_compiled[0] is rubric:
        return _last_compiled[1]
    compiled = CompiledRubric(rubric, make_nlp())
    _last_compiled = (rubric, compiled)
    return compiled


def compile_problems(rubric: Rubric) -> list[tuple[str, str]]:
    """(path in the rubric, message) for every pattern spaCy refuses."""
    return compile_rubric(rubric).problems

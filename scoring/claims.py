"""Sentences in sections -> candidate claims -> accepted claims.

A candidate is a rule whose terms all occur in one sentence. It is accepted only when a
reader would accept the sentence as evidence:
- the sentence is not a heading, a table's header row, a cookie-consent banner or a contact
  line on its own (a contact line counts only for a rule that asks for its section,
  "Email: dpo@..." under "Data Protection Officer");
- the rule's section conditions hold for the headings the sentence sits under;
- a refusal ("we do not publish the names of our suppliers") earns nothing, and neither
  does a sentence about something else the notice also covers (children's data, job
  applicants: `off_topic` in rubric.yaml), nor one under such a heading;
- negation and hedging count only inside the clause they govern: "we do not sell your
  data; we keep it for two years" is neither a negated retention period nor hedged.
Every accepted claim records the rule that produced it and how strongly it answers the
element, so the maintainer can see why and the best evidence is shown first.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import numpy as np
from spacy.attrs import IDX, LENGTH, SENT_START
from spacy.tokens import Doc

from scoring.models import Claim, Credit
from scoring.patterns import CompiledRubric, CompiledRule
from scoring.sentence_shape import (
    bold_label,
    change_log_entry,
    heading_like,
    run_in_label_end,
    trim,
    without_outer_pipes,
    without_unpaired_bold,
)
from scoring.structure import BANNER, CONTACT, HEADER_ROW, HEADING, ITEM, ROW, Structure

MAX_QUOTE = 600
QUOTE_WINDOW_BEFORE, QUOTE_WINDOW_AFTER = 25, 40  # tokens around the words a long sentence is credited for
NEGATION_REACH = 15  # tokens between a negation and the term it negates, in one clause
COMPANY_NAME_MAX_WORDS = 6
NAME_CONNECTORS = {"&", "and", "of", "-"}
ENUMERATOR = re.compile(r"\d{1,2}|[a-z]|[ivx]{1,4}", re.I)


@dataclass
class DocumentContext:
    """What the claim finder keeps about one document across its chunks."""

    structure: Structure
    url: str
    kind: str
    block_keys: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))


@dataclass(frozen=True)
class Sentence:
    doc: Doc
    text: str  # the chunk's text
    base: int  # the chunk's offset in the document
    first: int  # token range [first, last)
    last: int
    block: int
    block_kind: str
    keys: frozenset[int]
    positions: dict[int, list[int]]  # key -> token positions of its matches
    section_keys: frozenset[int]
    # the same without the notice's title: what `not_in_section` looks at, so that "Privacy &
    # Cookie Policy" over a whole notice does not make every sentence one about cookies
    setting_apart_keys: frozenset[int]
    paragraph_keys: frozenset[int]  # everything matched in the sentence's block
    breaks: tuple[int, ...]  # token positions of clause breaks (";", "but", ...), sorted

    def clause_of(self, token: int) -> int:
        """Number of the clause holding `token` within the sentence."""
        return bisect.bisect_right(self.breaks, token)


class ClaimFinder:
    def __init__(self, compiled: CompiledRubric):
        self.c = compiled

    def claims(self, doc: Doc, text: str, base: int, ctx: DocumentContext) -> list[Claim]:
        """Accepted claims of one chunk: `text` is the chunk as it is, starting at `base`;
        `doc` was made from the same characters with wrapped lines joined."""
        c = self.c
        if not len(doc):
            return []
        matches = c.matches(doc)
        if not matches:
            return []
        arr = doc.to_array([SENT_START, IDX, LENGTH]).astype(np.int64)
        tok_start = arr[:, 1]
        tok_end = tok_start + arr[:, 2]
        sent_no = np.cumsum(arr[:, 0] == 1) - 1
        bounds = np.flatnonzero(arr[:, 0] == 1).tolist() + [len(doc)]
        structure = ctx.structure
        by_sentence: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
        firsts = np.fromiter((s_ for _, s_, _ in matches), dtype=np.int64, count=len(matches))
        blocks = structure.blocks_at(base + tok_start[firsts]).tolist()
        sentences = sent_no[firsts].tolist()
        for (key, s_, e_), block, si in zip(matches, blocks, sentences):
            by_sentence[si].append((key, s_, e_))
            ctx.block_keys[block].add(key)
        out: list[Claim] = []
        pieces = (piece for si in sorted(by_sentence)
                  for piece in _run_on_items(doc, bounds[si], bounds[si + 1], by_sentence[si], tok_start, tok_end))
        for first, last, ms in pieces:
            start, end = trim(text, int(tok_start[first]), int(tok_end[last - 1]))
            if start >= end:
                continue
            block = structure.block_at(base + start)
            kind = structure.blocks[block].kind
            if (kind in (HEADING, HEADER_ROW, BANNER) or bold_label(text, start, end)
                    or (kind not in (ITEM, ROW) and heading_like(text, start, end))):
                continue  # context for what follows, never evidence on its own
            # "**Opting out of Advertising Cookies:** The party respects your privacy.": the
            # run-in label is the sentence's heading, so its words are context, not evidence;
            # a list item's label is what the item is about ("- **Campaign Monitor** — email
            # newsletters", "- **Consent** — where you signed up to our emails")
            label_end = run_in_label_end(text, start, end) if kind != ITEM else None
            section = set()
            if label_end is not None:
                in_label = [m for m in ms if tok_start[m[1]] < label_end]
                ms = [m for m in ms if tok_start[m[1]] >= label_end]
                section |= {key for key, _s, _e in in_label}
                if not ms:
                    continue
            positions: dict[int, list[int]] = defaultdict(list)
            for key, s_, _e in ms:
                positions[key].append(s_)
            context = structure.context(block)
            for i in context:
                if i != structure.title:
                    section |= ctx.block_keys.get(i, set())
            setting_apart = frozenset(section)
            if structure.title in context:
                section |= ctx.block_keys.get(structure.title, set())
            parents = structure.blocks[block].parents
            own_heading = ctx.block_keys.get(parents[-1], set()) if parents else set()
            sentence = Sentence(doc, text, base, first, last, block, kind, frozenset(positions),
                                dict(positions), frozenset(section), setting_apart,
                                frozenset(ctx.block_keys.get(block, ())), self._breaks(positions))
            # off topic: the sentence, or the heading right above it ("Children's privacy")
            if sentence.keys & c.refusal or (sentence.keys | own_heading) & c.off_topic:
                continue
            # a line of the change log says what the notice covers, not what the party does
            change_log = change_log_entry(text, start, end)
            best: dict[tuple[str, str], tuple[str, CompiledRule, int, int]] = {}
            for ridx in sorted({r for k in sentence.keys for r in c.rules_by_key.get(k, ())}):
                rule = c.rules[ridx]
                if change_log and not rule.element.change_log:
                    continue
                verdict = self._accept(rule, sentence, ctx.kind)
                if verdict is None:
                    continue
                credit, strength, found_at = verdict
                key = (rule.step_id, rule.element.id)
                prev = best.get(key)
                # of two rules giving the same credit, one whose answers add up towards full wins
                if prev is None or _outranks((credit, bool(rule.adds_up), strength),
                                             (prev[0], bool(prev[1].adds_up), prev[2]), rule.element.reverse):
                    best[key] = (credit, rule, strength, found_at)
            for (step_id, element_id), (credit, rule, strength, found_at) in best.items():
                q_start, q_end = self._quote_span(sentence, start, end, found_at, tok_start, tok_end)
                if rule.in_paragraph and not (rule.in_paragraph & sentence.keys):
                    # "We do not use your personal data in this way." means something only
                    # with the words before it in its paragraph: quote them too
                    para_start = structure.blocks[block].start - base
                    if 0 <= para_start < q_start and q_end - para_start <= MAX_QUOTE:
                        q_start = para_start
                detail = {"rule": rule.rule_id, "strength": strength}
                # "we do not ...": a denial, never an admission that could contradict one
                if not rule.element.reverse and (rule.denial or self._negated(sentence, found_at)):
                    detail["denial"] = True
                if rule.adds_up:
                    detail["adds_up"] = _answers_in(rule, sentence)
                out.append(Claim(step_id, element_id, credit, text[q_start:q_end], ctx.url,
                                 base + q_start, base + q_end, detail))
            if c.supplier_elements and kind != CONTACT and not change_log:
                out.extend(self._supplier_claims(sentence, ctx, start, end, tok_start, tok_end))
        return out

    # ------------------------------------------------------------ one rule, one sentence
    def _accept(self, rule: CompiledRule, s: Sentence, doc_kind: str) -> tuple[str, int, int] | None:
        """(credit, strength, where its terms are found) when `rule` holds for the sentence."""
        if doc_kind not in rule.element.applies_to:
            return None
        if any(not (g & s.keys) for g in rule.groups) or (rule.unless & s.keys):
            return None
        if rule.in_section and not (rule.in_section & s.section_keys):
            return None
        if rule.not_in_section & s.setting_apart_keys:
            return None
        if rule.in_paragraph and not (rule.in_paragraph & s.paragraph_keys):
            return None
        if s.block_kind == CONTACT and not (rule.in_section & s.setting_apart_keys):
            # a contact line is evidence only under a heading that asks for it: the notice's
            # title ("Privacy Policy") is over every line of it, so it asks for none
            return None
        found = [p for k in rule.groups[0] & s.keys for p in s.positions[k]]
        if rule.negated and not any(self._negated(s, p) for p in found):
            return None
        credit = rule.credit
        if rule.element.reverse:
            # a practice that should NOT be there: denying it is full, stating it is none
            if any(self._negated(s, p) for p in found):
                credit = "full"
            else:
                credit = "none" if credit == "full" else "partial"
        elif credit == "full" and rule.element.hedge_caps and self._hedged(s, found):
            credit = "partial"
        # How directly the sentence answers: every condition met is a reason to believe it, and so
        # is each further thing it names of what the rule looks for ("last updated" and "revised";
        # consent and legitimate interests), up to three
        strength = len(rule.groups) + bool(rule.in_section) + (s.block_kind in (ROW, ITEM)) + rule.negated
        strength += min(len(rule.groups[0] & s.keys), 3) - 1
        return credit, strength, min(found)

    def _negated(self, s: Sentence, pos: int) -> bool:
        clause = s.clause_of(pos)
        return any(pos - NEGATION_REACH <= p < pos and s.clause_of(p) == clause
                   for k in s.keys & self.c.negation for p in s.positions[k])

    def _hedged(self, s: Sentence, found: list[int]) -> bool:
        c = self.c
        if not (s.keys & c.hedge):
            return False
        spans = [p for k in s.keys & c.not_hedge for p in s.positions[k]]
        clauses = {s.clause_of(p) for p in found}
        for k in s.keys & c.hedge:
            for p in s.positions[k]:
                if s.clause_of(p) in clauses and not any(a <= p <= a + 2 for a in spans):
                    return True
        return False

    def _breaks(self, positions: dict[int, list[int]]) -> tuple[int, ...]:
        return tuple(sorted(p for k in self.c.clause_breaks if k in positions for p in positions[k]))

    @staticmethod
    def _quote_span(s: Sentence, start: int, end: int, found_at: int, tok_start, tok_end) -> tuple[int, int]:
        if end - start > MAX_QUOTE:
            # a very long "sentence" (a run-on list, no punctuation): quote the window around
            # the words this claim was found by, so the quote shows what earned the credit
            w0 = max(s.first, found_at - QUOTE_WINDOW_BEFORE)
            w1 = min(s.last, found_at + QUOTE_WINDOW_AFTER)
            start, end = trim(s.text, int(tok_start[w0]), int(tok_end[w1 - 1]))
        return without_outer_pipes(s.text, *without_unpaired_bold(s.text, start, end))

    # ------------------------------------------------------------ named suppliers
    def _starts_a_not_name(self, text: str, at: int, name: str) -> bool:
        """A known name that begins a longer non-name: "Google" in "Google Chrome" is a browser."""
        ahead = text[at:at + 60].lower()
        return any(len(n) > len(name) and n.startswith(name) and ahead.startswith(n) for n in self.c.not_names)

    def _supplier_claims(self, s: Sentence, ctx: DocumentContext, start: int, end: int,
                         tok_start, tok_end) -> list[Claim]:
        """Organisations named as processing data for the party, with their role.

        A name must be an organisation: one of the curated `suppliers.known`, or a
        company name ("Acme Print Ltd"), or the first cell of a row of a supplier table.
        Never an e-mail address, a URL or the party itself.
        """
        c = self.c
        in_supplier_section = bool(s.section_keys & c.table_context)  # "Who processes your data"
        in_supplier_table = s.block_kind in (ROW, ITEM) and in_supplier_section
        has_context = bool(s.keys & c.context) or in_supplier_section
        role = next((c.roles[k] for k, p in sorted(((k, min(ps)) for k, ps in s.positions.items()
                                                   if k in c.roles), key=lambda kp: kp[1])), None)
        known_here = s.keys & c.known_keys
        # (a log-in with Facebook names a company the reader uses, not one working for the party; so
        # does each item of a list led in by "the social media platforms we use to interact with users")
        said_of = s.keys | s.section_keys if s.block_kind in (ROW, ITEM) else s.keys
        if not has_context or (role is None and not known_here) or said_of & c.not_processing_context:
            return []
        if any(self._negated(s, p) for k in known_here for p in s.positions[k]):
            return []  # "we don't upload anything to Facebook" names no supplier
        known = [(min(s.positions[k]), c.known_names[k], True) for k in known_here]
        found = sorted(known + self._company_names(s, in_supplier_table))
        out: list[Claim] = []
        seen: set[str] = set()
        for n, (pos, name, is_known) in enumerate(found):
            name = name.strip(" .,;:")
            low = name.lower()
            if (low in seen or low in c.not_names or (not is_known and not self._organisation_like(name))
                    or _publisher(name, ctx.url) or self._starts_a_not_name(s.text, int(tok_start[pos]), low)):
                continue
            seen.add(low)
            # the role stated after this name and before the next one, else the sentence's first
            upto = found[n + 1][0] if n + 1 < len(found) else s.last
            own = [(p, c.roles[k]) for k, ps in s.positions.items() if k in c.roles for p in ps if pos <= p < upto]
            name_role = min(own)[1] if own else role
            # (a provider named in a sentence about cookies, pixels or custom audiences is online
            # targeting, not a supplier's role: at most partial)
            incidental = name_role is None or name_role in c.incidental_roles or bool(s.keys & c.incidental_context)
            hedged = self._hedged(s, [pos])  # "we may place adverts with vendors including Google"
            detail = {"supplier": name, "role": name_role, "incidental": incidental, "rule": "suppliers/named",
                      "strength": 2 + (s.block_kind == ROW) + (not incidental)}
            q_start, q_end = self._quote_span(s, start, end, pos, tok_start, tok_end)
            for step_id, el in c.supplier_elements:
                if ctx.kind in el.applies_to:
                    credit = "partial" if incidental or (hedged and el.hedge_caps) else "full"
                    out.append(Claim(step_id, el.id, credit, s.text[q_start:q_end], ctx.url,
                                     s.base + q_start, s.base + q_end, detail))
        return out

    def _organisation_like(self, name: str) -> bool:
        """Not an e-mail address or web address, nor the party or a public body."""
        low = name.lower()
        if not name or "@" in name or re.search(r"https?:|www\.|\.(com|org|uk|net)\b", low):
            return False
        return not (set(re.findall(r"[a-z]+", low)) & self.c.not_name_words)

    def _company_names(self, s: Sentence, in_supplier_table: bool) -> list[tuple[int, str, bool]]:
        """(token position, name, False) for 'Acme Print Ltd', 'Blue Sheep Limited'; in a
        supplier table or list, the first cell of the row or item."""
        doc = s.doc
        suffixes = self.c.company_suffixes
        toks = doc[s.first:s.last]
        if s.block_kind in (ROW, ITEM):
            cell = []
            for t in toks:
                if t.text in ("|", "-", "*", "•", "–") and not cell:
                    continue
                if t.text in ("|", ":", "–", "—", "(") or (t.text == "-" and t.whitespace_):
                    break
                cell.append(t)
            # a list item's first words are a name only when written as one ("Acme Print",
            # not "Email address" in a list of data collected)
            name_like = s.block_kind == ROW or all(t.text[:1].isupper() or t.text in NAME_CONNECTORS for t in cell)
            if cell and len(cell) <= COMPANY_NAME_MAX_WORDS and cell[0].text[:1].isupper() and name_like:
                text = s.text[cell[0].idx: cell[-1].idx + len(cell[-1].text)]
                if in_supplier_table or cell[-1].text.lower().rstrip(".") in suffixes:
                    return [(cell[0].i, text, False)]
            if s.block_kind == ROW:
                return []
        out = []
        for t in toks:
            if t.text.lower().rstrip(".") not in suffixes or t.i == s.first:
                continue
            j = t.i - 1
            while j >= s.first and t.i - j <= COMPANY_NAME_MAX_WORDS and (
                    doc[j].text[:1].isupper() or (doc[j].text.lower() in NAME_CONNECTORS and j > s.first)):
                j -= 1
            j += 1
            while j < t.i and doc[j].text.lower() in NAME_CONNECTORS:
                j += 1
            if j < t.i:
                out.append((j, s.text[doc[j].idx: t.idx + len(t.text)], False))
        return out




def _publisher(name: str, url: str) -> bool:
    """The organisation whose site the notice is on ("Anedot" on anedot.com) is its
    author, not its supplier."""
    squashed = re.sub(r"[^a-z0-9]", "", name.lower())
    return len(squashed) >= 4 and squashed in (urlsplit(url).hostname or "").replace("-", "")


def _run_on_items(doc: Doc, first: int, last: int, ms: list, tok_start, tok_end):
    """A sentence as the pieces a reader takes in one at a time: a run-on list ("we may
    share it if (1) you authorize us; (2) ... (10) ...") is read item by item, so a rule
    holds only when its words meet in one item. Yields (first, last, matches)."""
    if tok_end[last - 1] - tok_start[first] <= MAX_QUOTE:
        yield first, last, ms
        return
    cuts = [i for i in range(first + 1, last - 2)
            if doc[i - 1].text == ";" or (doc[i].text == "(" and doc[i + 2].text == ")"
                                          and ENUMERATOR.fullmatch(doc[i + 1].text))]
    edges = [first] + cuts + [last]
    lead_in = [m for m in ms if m[1] < edges[1]]
    if lead_in:
        yield first, edges[1], lead_in
    for a, b in zip(edges[1:], edges[2:]):
        inside = [m for m in ms if a <= m[1] < b]
        if not inside:
            continue
        # the lead-in ("we may share it if") belongs to every item; quoted with it when it fits
        if lead_in and tok_end[b - 1] - tok_start[first] <= MAX_QUOTE:
            yield first, b, lead_in + inside
        else:
            yield a, b, inside




def _outranks(new: tuple[str, bool, int], old: tuple[str, bool, int], reverse: bool) -> bool:
    """(credit, adds up, strength). For a reverse-scored element a stated practice ("none")
    outranks everything."""
    if reverse and "none" in (new[0], old[0]):
        return new[0] == "none" and old[0] != "none"
    return (Credit(new[0]).rank, *new[1:]) > (Credit(old[0]).rank, *old[1:])


def _answers_in(rule: CompiledRule, sentence: Sentence) -> int:
    """How many answers an adds_up sentence gives towards its element's full_from_claims."""
    found = rule.groups[0] & sentence.keys
    if rule.adds_up == "per_term":
        # the phrases of one list in `find` are one answer ("public task (democratic
        # engagement)" names one basis), and so are terms found at the same place
        # ("legitimate interests" is found as itself and, by its lemma, as "legitimate interest")
        lists = {rule.one_answer[key] for key in found if key in rule.one_answer}
        listed_at = {p for key in found if key in rule.one_answer for p in sentence.positions[key]}
        others = {p for key in found if key not in rule.one_answer for p in sentence.positions[key]}
        return len(lists) + len(others - listed_at)
    if rule.adds_up == "per_match":
        return sum(len(sentence.positions[key]) for key in found)
    return 1

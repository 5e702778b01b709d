"""The scorer, stage by stage.

    text ─► structure (headings, sections, items, table rows)       scoring.structure
         ─► sentences in sections, matched against rubric terms     scoring.nlp, scoring.patterns
         ─► candidate claims ─► accepted claims                     scoring.claims
         ─► element credits ─► step scores ─► overall and grade     scoring.scorecard

A claim is (element, credit, sentence, offsets, document, the rule that produced it).
There is no POS/DEP without a trained model: negation and hedging are terms found in the
same clause, and sections come from the document's own structure.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Iterable

from scoring.models import Claim, DocumentClaims, Scorecard, SpendingCheck
from scoring.rubric import DOCUMENT_KINDS, Rubric
from scoring.scorecard import build_scorecard
from scoring.structure import parse

if TYPE_CHECKING:
    from scoring.claims import ClaimFinder
    from scoring.english import EnglishPipeline
    from scoring.nlp import Analyzer

# Text is fed to spaCy in pieces of at most this many characters: a tenth of spaCy's own
# limit per text (scoring.english.MAX_LENGTH), so a 100-page PDF never hits it.
MAX_CHUNK_CHARS = 100_000


class Scorer:
    """Compile a rubric once; score many documents with it.

    The spaCy side (the blank English tokenizer, lemma tables, the rubric's matchers) is
    built the first time a text is read, not when the Scorer is made: turning stored
    claims into a scorecard needs only the rubric, so a check whose documents did not
    change never starts spaCy (~1.7 s and ~90 MB). `prepare()` builds it ahead of time,
    e.g. in a thread while a crawl runs.
    """

    def __init__(self, rubric: Rubric):
        self.rubric = rubric
        self._finder: ClaimFinder | None = None
        self._nlp: EnglishPipeline[Analyzer] | None = None
        self._lock = threading.Lock()

    def prepare(self) -> None:
        """Build the spaCy pipeline and the compiled rubric, once (thread-safe)."""
        with self._lock:
            if self._finder is None:
                from scoring.startup import collection_paused, import_spacy

                with collection_paused():
                    import_spacy()
                    from scoring.claims import ClaimFinder
                    from scoring.patterns import compile_rubric

                    compiled = compile_rubric(self.rubric)
                    self._nlp, self._finder = compiled.nlp, ClaimFinder(compiled)

    @property
    def prepared(self) -> bool:
        return self._finder is not None

    @property
    def nlp(self) -> EnglishPipeline[Analyzer]:
        self.prepare()
        assert self._nlp is not None
        return self._nlp

    def claims(self, text: str, url: str, kind: str = "privacy_notice") -> list[Claim]:
        return self.claims_many([(text, url, kind)])[0]

    def claims_many(self, items: list[tuple[str, str, str]]) -> list[list[Claim]]:
        """Claims for many (text, url, kind) at once (all chunks through nlp.pipe, in order,
        so a sentence's headings are always matched before the sentence)."""
        from scoring.claims import DocumentContext

        self.prepare()
        assert self._finder is not None
        contexts = [DocumentContext(parse(text or ""), url, kind if kind in DOCUMENT_KINDS else "other")
                    for text, url, kind in items]
        # spaCy reads the text with wrapped lines joined (same offsets); quotes are cut
        # from the text as it is.
        chunks = [(ctx.structure.joined[base:base + len(piece)], (idx, base, piece))
                  for idx, ((text, _u, _k), ctx) in enumerate(zip(items, contexts))
                  for base, piece in _chunks(text or "")]
        results: list[list[Claim]] = [[] for _ in items]
        for doc, (idx, base, piece) in self.nlp.pipe(chunks):
            results[idx].extend(self._finder.claims(doc, piece, base, contexts[idx]))
        return results

    def scorecard(self, documents: list[DocumentClaims], spending: SpendingCheck | None = None) -> Scorecard:
        return build_scorecard(self.rubric, documents, spending)

    def score_texts(self, items: list[tuple[str, str, str]]) -> Scorecard:
        """[(url, kind, text), ...] -> Scorecard."""
        all_claims = self.claims_many([(text, url, kind) for url, kind, text in items])
        docs = [DocumentClaims(url, kind, cl) for (url, kind, _), cl in zip(items, all_claims)]
        return self.scorecard(docs)


def _chunks(text: str) -> Iterable[tuple[int, str]]:
    """Split text into pieces of at most MAX_CHUNK_CHARS, at line breaks where possible."""
    n = len(text)
    pos = 0
    while pos < n:
        end = min(n, pos + MAX_CHUNK_CHARS)
        if end < n:
            cut = text.rfind("\n", pos + MAX_CHUNK_CHARS // 2, end)
            if cut == -1:
                cut = text.rfind(" ", pos + MAX_CHUNK_CHARS // 2, end)
            if cut != -1:
                end = cut + 1
        yield pos, text[pos:end]
        pos = end

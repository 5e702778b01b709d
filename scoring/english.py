"""spaCy's blank English tokenizer and vocabulary, without a `spacy.Language` around them.

The scorer needs a tokenizer, a vocabulary and one component of its own (scoring.nlp's
Analyzer). ``spacy.blank("en")`` builds those through spaCy's config machinery: it
populates the whole function registry (every factory, the entry points of spacy-legacy and
spacy-loggers, five more languages' modules) and validates a training config, ~0.1 s and
~1.5 MB that scoring never uses. `EnglishPipeline` builds the same two parts straight from
English's defaults, exactly as spaCy's own tokenizer factory (spacy.Tokenizer.v1) and
``Language.__init__`` do, so the tokens and their lexical attributes are the ones
``spacy.blank("en")`` gives (tests/scoring/test_english.py compares them). Before it reads
a long text it fills the tokenizer's cache with the text's pieces (`_cache_pieces`), which
changes how fast the tokens come, not which.
"""

from __future__ import annotations

from typing import Callable, Generic, Iterable, Iterator, TypeVar

from spacy.lang.en.lex_attrs import LEX_ATTRS
from spacy.lang.en.punctuation import TOKENIZER_INFIXES
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.lang.en.syntax_iterators import SYNTAX_ITERATORS
from spacy.lang.en.tokenizer_exceptions import TOKENIZER_EXCEPTIONS
from spacy.language import BaseDefaults
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc
from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex
from spacy.vocab import Vocab, create_vocab

Context = TypeVar("Context")
Component = TypeVar("Component", bound=Callable[[Doc], Doc])

# spaCy's own limit per text (Language.max_length).
MAX_LENGTH = 1_000_000
# Texts shorter than this (rubric phrases, a sentence) are read without filling the
# tokenizer's cache first (EnglishPipeline._cache_pieces): too few of their pieces repeat.
CACHE_PIECES_FROM = 2_000


class EnglishDefaults(BaseDefaults):
    """``spacy.lang.en.English.Defaults``, assembled from the modules it is assembled from.

    ``spacy.lang.en`` itself also defines English's lemmatizer, which imports all of spaCy's
    pipeline components (see scoring.spacy_imports); tests/scoring/test_english.py checks
    that these are the same defaults.
    """

    tokenizer_exceptions = TOKENIZER_EXCEPTIONS
    infixes = TOKENIZER_INFIXES
    lex_attr_getters = LEX_ATTRS
    syntax_iterators = SYNTAX_ITERATORS
    stop_words = STOP_WORDS


def english_vocab() -> Vocab:
    """The vocabulary of spacy.blank("en"): English's lexical attributes and stop words."""
    return create_vocab("en", EnglishDefaults)


def english_tokenizer(vocab: Vocab) -> Tokenizer:
    """The tokenizer of spacy.blank("en"): English's exceptions, prefixes, suffixes, infixes
    and URL / token matches."""
    defaults = EnglishDefaults
    prefixes, suffixes, infixes = defaults.prefixes, defaults.suffixes, defaults.infixes
    return Tokenizer(
        vocab,
        rules=defaults.tokenizer_exceptions,
        prefix_search=compile_prefix_regex(prefixes).search if prefixes else None,
        suffix_search=compile_suffix_regex(suffixes).search if suffixes else None,
        infix_finditer=compile_infix_regex(infixes).finditer if infixes else None,
        token_match=defaults.token_match,
        url_match=defaults.url_match,
    )


class EnglishPipeline(Generic[Component]):
    """Tokenizer, then one component that annotates the Doc in place.

        nlp = EnglishPipeline(Analyzer)     # the component is made from the vocab
        doc = nlp(text)
    """

    def __init__(self, make_component: Callable[[Vocab], Component]):
        self.vocab = english_vocab()
        self.tokenizer = english_tokenizer(self.vocab)
        self.component = make_component(self.vocab)
        self._special_pieces = frozenset(self.tokenizer.rules)

    def make_doc(self, text: str) -> Doc:
        """The tokens of `text`, not annotated."""
        if len(text) > MAX_LENGTH:
            raise ValueError(f"a text of {len(text):,} characters is longer than spaCy reads at once "
                             f"({MAX_LENGTH:,}); split it first")
        if len(text) >= CACHE_PIECES_FROM:
            self._cache_pieces(text)
        return self.tokenizer(text)

    def _cache_pieces(self, text: str) -> None:
        """Have spaCy's tokenizer cache how it splits each piece of `text` (the runs between
        whitespace) before it reads the text.

        The tokenizer caches the split of every piece it reads, except that within one Doc
        it stops caching at the first special case ("don't", "e.g."), which a long text meets
        in its first lines: every later piece was split again with the prefix, suffix and
        infix expressions each time it occurred, most of the tokenizer's time. Read as short
        texts first (the plain words together, every other piece alone), the pieces are
        cached and the text is then read from the cache, in a sixth of the time. The cache
        only remembers a piece's split, so the tokens are the same.
        """
        words: list[str] = []
        others: list[str] = []
        for piece in set(text.split()):
            if piece not in self._special_pieces:
                (words if piece.isalpha() else others).append(piece)
        self.tokenizer(" ".join(words))
        for piece in others:
            self.tokenizer(piece)

    def __call__(self, text: str) -> Doc:
        return self.component(self.make_doc(text))

    def pipe(self, texts: Iterable[tuple[str, Context]]) -> Iterator[tuple[Doc, Context]]:
        """(Doc, context) for each (text, context), in order, one at a time."""
        for text, context in texts:
            yield self(text), context

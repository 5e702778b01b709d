"""spaCy's tokenizer, vocabulary and matchers, without the package ``__init__`` files that
load all of spaCy.

Importing any part of spaCy runs ``spacy/__init__.py``, which imports every pipeline
component (``spacy.pipeline``: the parser, tagger, entity recognizer, text classifier and
their neural models), the training machinery and the command line (typer, weasel, requests,
rich, jinja2). ``spacy.lang.en`` imports the pipeline package again for its lemmatizer.
partywatch scores with a tokenizer, a vocabulary, a lookup table and two matchers, which
need none of that. With the three package files below deferred, the parts it uses add about
33 MB and 0.32 s of CPU to a process; all of spaCy adds 58 MB and 0.64 s, and 42 MB and
0.44 s with only its command line held back, as partywatch did before
(bench/scorer_start_bench.py).

`defer_package_inits()` puts a finder first on ``sys.meta_path`` for three packages:
``spacy``, ``spacy.pipeline`` and ``spacy.lang.en``. Each is made as spaCy would make it,
with its ``__path__``, so its submodules import as usual, but its ``__init__.py`` runs only
when something asks the package for a name that is not a submodule (``spacy.blank``,
``from spacy.pipeline import Lemmatizer``, ``spacy.lang.en.English``). Then it runs in full,
in the same module object, and everything spaCy offers is there as before: a test, a
user's script or ``python -m spacy`` in the same process get the whole of spaCy.

Only what the package files do first is done at once: spaCy's warning filters, and
``spacy.tokens`` (spaCy's own modules import each other in a circle that resolves only when
it comes first; should a later spaCy's not, all of it is imported, as without this module).
tests/scoring/test_spacy_start_up.py checks that scoring leaves the three
packages unfinished and scores as before, and that finishing them later works.
"""

from __future__ import annotations

import sys
from importlib import import_module
from importlib.abc import Loader, MetaPathFinder
from importlib.machinery import ModuleSpec, PathFinder
from importlib.util import find_spec
from types import ModuleType

DEFERRED = ("spacy", "spacy.pipeline", "spacy.lang.en")


class _DeferredInit(Loader):
    """Loads a package with its ``__init__.py`` put off until a name in it is asked for."""

    def __init__(self, loader: Loader):
        self.loader = loader

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        return self.loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        loader = self.loader

        def finish_on_first_name(name: str):
            submodule = f"{module.__name__}.{name}"
            if submodule in sys.modules or find_spec(submodule) is not None:
                # `from . import util` in spaCy's own modules asks the package for a submodule
                return import_module(submodule)
            del module.__getattr__
            loader.exec_module(module)
            return getattr(module, name)

        module.__getattr__ = finish_on_first_name  # type: ignore[method-assign]  # PEP 562
        module.__loader__ = loader
        if module.__name__ == "spacy":
            try:
                import_module("spacy.errors").setup_default_warnings()
                import_module("spacy.tokens")
            except ImportError:  # a spaCy whose modules import in another order: all of it, as usual
                del module.__getattr__
                loader.exec_module(module)


class _Finder(MetaPathFinder):
    def find_spec(self, fullname, path, target=None) -> ModuleSpec | None:
        if fullname not in DEFERRED:
            return None
        spec = PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            return None
        if all(name in sys.modules for name in DEFERRED if name != fullname):
            sys.meta_path.remove(self)  # the last of the three: nothing more to defer
        spec.loader = _DeferredInit(spec.loader)
        return spec


_FINDER = _Finder()


def defer_package_inits() -> None:
    """Have spaCy's next import leave its package ``__init__`` files unrun until needed (a
    no-op once spaCy is loaded)."""
    if "spacy" not in sys.modules and _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)


def unfinished() -> list[str]:
    """The deferred packages whose ``__init__.py`` has not run (for tests and benches)."""
    return [name for name in DEFERRED if name in sys.modules
            and getattr(vars(sys.modules[name]).get("__getattr__"), "__name__", "") == "finish_on_first_name"]

"""spaCy without its command line.

spaCy's package ``__init__`` imports its whole command line (typer, weasel, requests,
httpx, rich, jinja2: about 370 modules, ~18 MB and ~0.2 s) for one re-export,
``spacy.info``, which partywatch never calls. Every process that scores text paid for it.

`hold_back()` puts a finder first on ``sys.meta_path`` that answers the imports of
``spacy.cli`` and ``spacy.cli.info`` with empty stand-ins. Nothing is created before spaCy
itself is imported. The moment spaCy's ``__init__`` takes ``info`` from the stand-in, the
finder and both stand-ins go, so anything that imports ``spacy.cli`` later (``python -m
spacy``, a user's own script) gets the real one.
"""

from __future__ import annotations

import sys
from importlib.abc import Loader, MetaPathFinder
from importlib.machinery import ModuleSpec
from importlib.util import spec_from_loader
from types import ModuleType

_NAMES = ("spacy.cli", "spacy.cli.info")


class _StandIns(MetaPathFinder, Loader):
    def find_spec(self, fullname, path, target=None) -> ModuleSpec | None:
        if fullname not in _NAMES:
            return None
        return spec_from_loader(fullname, self, is_package=fullname == "spacy.cli")

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        return None  # the default module

    def exec_module(self, module: ModuleType) -> None:
        if module.__name__ == "spacy.cli.info":
            module.__getattr__ = _take_info  # type: ignore[method-assign]  # PEP 562: only "info" is asked for


_FINDER = _StandIns()


def hold_back() -> None:
    """Keep spaCy's next import from loading its command line (no-op once spaCy is loaded)."""
    if "spacy" not in sys.modules and _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)


def _take_info(name: str):
    if name != "info":
        raise AttributeError(name)
    if _FINDER in sys.meta_path:
        sys.meta_path.remove(_FINDER)
    for held in _NAMES:
        sys.modules.pop(held, None)
    spacy = sys.modules.get("spacy")
    if spacy is not None and isinstance(getattr(spacy, "cli", None), ModuleType) \
            and getattr(spacy.cli, "__loader__", None) is _FINDER:
        del spacy.cli  # a later `import spacy.cli` sets the real one
    return _info_unavailable


def _info_unavailable(*args, **kwargs):
    raise RuntimeError("spacy.info is not loaded in partywatch (scoring.spacy_cli holds spaCy's command "
                       "line back); import spacy.cli.info to use it")

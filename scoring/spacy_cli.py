"""spaCy without its command line.

spaCy's package ``__init__`` imports its whole command line (typer, weasel, requests,
httpx, rich, jinja2: about 370 modules, ~18 MB and ~0.2 s) for one re-export,
``spacy.info``, which partywatch never calls. Every process that scores text paid for it.

`hold_back()` puts two stand-in modules under ``spacy.cli`` and ``spacy.cli.info`` before
spaCy is imported. The moment spaCy's ``__init__`` takes ``info`` from the stand-in, both
stand-ins leave ``sys.modules``, so anything that imports ``spacy.cli`` later (``python -m
spacy``, a user's own script) gets the real one.
"""

from __future__ import annotations

import sys
from types import ModuleType

_NAMES = ("spacy.cli", "spacy.cli.info")


def hold_back() -> None:
    """Keep spaCy's next import from loading its command line (no-op once spaCy is loaded)."""
    if "spacy" in sys.modules or any(name in sys.modules for name in _NAMES):
        return
    package, module = ModuleType("spacy.cli"), ModuleType("spacy.cli.info")
    module.__getattr__ = _take_info  # type: ignore[method-assign]  # PEP 562: only "info" is asked for
    sys.modules.update({"spacy.cli": package, "spacy.cli.info": module})


def _take_info(name: str):
    if name != "info":
        raise AttributeError(name)
    for held in _NAMES:
        sys.modules.pop(held, None)
    return _info_unavailable


def _info_unavailable(*args, **kwargs):
    raise RuntimeError("spacy.info is not loaded in partywatch (scoring.spacy_cli holds spaCy's command "
                       "line back); import spacy.cli.info to use it")

"""Starting spaCy without the garbage collector rescanning it.

Importing spaCy and building the tokenizer and the rubric's matchers makes ~75,000 objects
that live as long as the process (modules, classes, pydantic schemas, tokenizer tables).
While they are being made, Python's cyclic garbage collector scans them over and over (two
full collections and ~300 young ones: ~0.2 s of a ~1.2 s start) and finds almost nothing
to free (~1,100 objects, ~130 kB). `long_lived_objects()` pauses the collector while spaCy
starts, then moves everything made so far into the permanent generation (`gc.freeze`), so
no later collection scans it again either.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def long_lived_objects() -> Iterator[None]:
    """Make objects that stay for the life of the process: no collection meanwhile, and none
    of them (nor anything older) scanned by later collections."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
        gc.freeze()
    finally:
        if was_enabled:
            gc.enable()

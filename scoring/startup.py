"""Starting spaCy without the garbage collector rescanning it (and a pause for any work
that makes many short-lived objects and no cycles, such as an export).

Importing spaCy makes ~75,000 objects that live as long as the process (modules, classes,
pydantic schemas); building the tokenizer and the rubric's matchers makes more. While they
are being made, Python's cyclic garbage collector scans them over and over (two full
collections and ~300 young ones) and finds almost nothing to free (~1,100 objects,
~130 kB). Pausing it takes ~0.14 s off a ~1.1 s start (bench/scorer_start_bench.py).

So the collector is paused while the scorer starts (`collection_paused`), and what
importing spaCy made is moved to the permanent generation (`gc.freeze`) the first time
spaCy is imported in a process (`import_spacy`), so no later collection scans it again.
Only that first import is frozen: a long-running process (the scheduler) builds a new
pipeline for each check, and the old one must stay collectable.

And numpy's OpenBLAS gets one thread (`one_blas_thread`, called by the scoring package
before anything imports numpy): by default it starts a pool of one thread per core when
numpy is imported, ~0.1 s of CPU (measured: `import numpy` 0.19-0.21 s of CPU with the
pool, 0.10-0.13 s without), on a check's other core, which its crawl process needs.
Scoring uses numpy for bookkeeping (np.unique, indexing), never for matrix products, so
the pool never had anything to do.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collection_paused() -> Iterator[None]:
    """No cyclic garbage collection in the block; the collector as it was afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def one_blas_thread() -> None:
    """OpenBLAS with one thread, unless numpy is loaded already (too late) or the
    environment chose a number (OPENBLAS_NUM_THREADS, which is respected)."""
    if "numpy" not in sys.modules:
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def import_spacy() -> None:
    """Import spaCy and the scoring modules that use it; the first time in this process,
    freeze everything that exists after (modules and classes, for the process's life)."""
    first = "spacy" not in sys.modules
    import scoring.claims  # noqa: F401
    import scoring.patterns  # noqa: F401

    if first:
        gc.freeze()

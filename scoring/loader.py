"""Load a rubric the way every command does: schema checks, then every pattern compiled.

A rubric with any problem is rejected as a whole, each problem with its path and line.
A rubric that compiled cleanly before (same text, same compiling code and packages; see
scoring.cache) is not compiled again, so loading it does not start spaCy.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from scoring.cache import known_to_compile, remember_compiles
from scoring.rubric_file import content_hash, read_rubric_file

if TYPE_CHECKING:
    from scoring.rubric import Rubric


def known_to_load(text: str) -> bool:
    """Whether this rubric text loaded without a problem before, with this code and these
    packages (scoring.cache): loading it again cannot fail, so a caller may put it off.
    Answered without parsing the text or importing the schema."""
    return known_to_compile(content_hash(text))


def load_rubric_text(text: str, source_name: str = "rubric.yaml") -> Rubric:
    from scoring.rubric import parse_rubric_text, pattern_problems

    rubric = parse_rubric_text(text, source_name)
    if known_to_compile(rubric.content_hash):
        return rubric
    from scoring.startup import collection_paused, import_spacy

    with collection_paused():
        import_spacy()
        from scoring.patterns import compile_problems

        problems = compile_problems(rubric)
    if problems:
        raise pattern_problems(rubric, problems)
    remember_compiles(rubric.content_hash)
    return rubric


def load_rubric(path: str | Path) -> Rubric:
    text, name = read_rubric_file(path)
    return load_rubric_text(text, name)

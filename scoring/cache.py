"""What partywatch remembers between runs, in a cache directory that is safe to delete.

    $PARTYWATCH_CACHE_DIR, else $XDG_CACHE_HOME/partywatch, else ~/.cache/partywatch

Compiling a rubric's patterns needs spaCy (a second or more to start); a rubric that
compiled without a problem once will again, as long as neither its text nor the code and
packages that compile it changed. So the cache keeps one empty file per rubric known to
compile, named by the hash of all of these, and `load_rubric` skips the compilation when
it is there. It also keeps spacy-lookups-data's English lemma table as a marshal file per
package version (reading the package's compressed JSON takes a quarter of a second), and
the tokens of every rubric phrase and supplier name compiled with this code and these
packages (tokenizing ~1,700 phrases takes another quarter of a second when scoring starts),
and, per rubric, the part of the lemma table its patterns need (scoring.nlp
.narrowed_lemma_table: 1,600 of 41,582 entries, so a process that scores holds ~5 MB less).
Anything that goes wrong with the cache (no home, a read-only disk, a damaged file) only
means the work is done as before.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import tempfile
from functools import lru_cache
from importlib import metadata
from pathlib import Path

# The code whose behaviour decides whether a rubric compiles.
_COMPILER_SOURCES = ("patterns.py", "nlp.py", "english.py", "rubric.py", "rubric_file.py", "rubric_schema.py",
                     "rubric_terms.py", "kinds.py", "yamlfile.py", "loader.py")
_PACKAGES = ("spacy", "spacy-lookups-data", "pydantic", "PyYAML")


def cache_dir() -> Path:
    explicit = os.environ.get("PARTYWATCH_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "partywatch"


@lru_cache(maxsize=1)
def _compiler_fingerprint() -> str:
    """The versions of the packages and the source of the modules that compile a rubric."""
    digest = hashlib.sha256()
    for name in _PACKAGES:
        digest.update(f"{name}={_package_version(name)}\n".encode())
    here = Path(__file__).resolve().parent
    for source in _COMPILER_SOURCES:
        digest.update((here / source).read_bytes())
    return digest.hexdigest()


def _marker(content_hash: str) -> Path:
    key = hashlib.sha256(f"{content_hash}:{_compiler_fingerprint()}".encode()).hexdigest()
    return cache_dir() / "rubrics-compiled" / key


def known_to_compile(content_hash: str) -> bool:
    """Whether the rubric with this content hash compiled cleanly before, with this code."""
    try:
        return _marker(content_hash).is_file()
    except OSError:
        return False


def remember_compiles(content_hash: str) -> None:
    """Note that the rubric with this content hash compiles cleanly (best effort)."""
    try:
        marker = _marker(content_hash)
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.touch()
    except OSError:
        pass


def _package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "-"


def cached_lemma_table(build) -> dict[int, str]:
    """spacy-lookups-data's lemma table: from the cache, else `build()` (then cached)."""
    path = cache_dir() / f"lemma-lookup-en-{_package_version('spacy-lookups-data')}.marshal"
    table = _read_table(path)
    if table is not None:
        return table
    table = build()
    _write_table(path, table)
    return table


def _narrowed_lemma_table_path(content_hash: str) -> Path:
    key = hashlib.sha256(f"{content_hash}:{_compiler_fingerprint()}".encode()).hexdigest()
    return cache_dir() / "lemma-tables" / f"{key}.marshal"


def cached_narrowed_lemma_table(content_hash: str) -> dict[int, str] | None:
    """The part of the lemma table that the rubric with this content hash needs, as compiling
    it with this code and these packages found (scoring.nlp.narrowed_lemma_table); None
    when it is not in the cache."""
    return _read_table(_narrowed_lemma_table_path(content_hash))


def remember_narrowed_lemma_table(content_hash: str, table: dict[int, str]) -> None:
    """Keep `table` for `cached_narrowed_lemma_table` (best effort)."""
    _write_table(_narrowed_lemma_table_path(content_hash), table)


def _term_tokens_path() -> Path:
    return cache_dir() / "term-tokens" / f"{_compiler_fingerprint()}.marshal"


def cached_term_tokens() -> dict[str, list[str]]:
    """The token strings of the rubric terms compiled before with this code and these
    packages (scoring.patterns decides the keys); empty when there are none."""
    try:
        return _read_table(_term_tokens_path()) or {}
    except OSError:
        return {}


def remember_term_tokens(table: dict[str, list[str]]) -> None:
    """Keep `table` for `cached_term_tokens` (best effort)."""
    try:
        _write_table(_term_tokens_path(), table)
    except OSError:
        pass


def _read_table(path: Path) -> dict | None:
    try:
        table = marshal.loads(path.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return None
    return table if isinstance(table, dict) else None


def _write_table(path: Path, table: dict) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # written whole, then renamed: a concurrent reader never sees half a table
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as handle:
            handle.write(marshal.dumps(table))
        os.replace(handle.name, path)
    except (OSError, ValueError):
        pass

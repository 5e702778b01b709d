"""A document saved on disk, read and its text extracted: for `partywatch import` and the
corpus evaluation, which both score files rather than fetches."""

from __future__ import annotations

from pathlib import Path

from scoring.extract import ExtractionError, extract_text


class UnreadableFile(Exception):
    """The file cannot be read, or its text cannot be extracted; the message says which."""


def read_document_file(path: Path, content_type: str | None, url: str) -> tuple[bytes, str]:
    """(raw bytes, extracted text) of the file at `path`, scored as if fetched from `url`."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UnreadableFile(f"cannot read ({exc.strerror or exc})") from exc
    try:
        return raw, extract_text(raw, content_type, url)
    except ExtractionError as exc:
        raise UnreadableFile(f"cannot read its text ({exc})") from exc

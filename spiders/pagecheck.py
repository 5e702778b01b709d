"""Is a response the party's document, or something standing in front of it?

Two kinds of response look like a page but are not the party's words, and storing one as a
snapshot would score the party as if it had written nothing:

- `blocked`: a bot-protection challenge ("Just a moment...", "Enable JavaScript and cookies
  to continue"), served as 403/429/503 or even as 200;
- `unreadable`: a JavaScript shell, HTML whose visible text is too short to be a notice
  while the page is mostly scripts (the notice is written into the page by a script).

What counts as either is data: the markers, statuses and thresholds are scrapy settings
(spiders.settings.PAGE_CHECK_SETTINGS), read here once per crawl.

The check is cheap on ordinary pages: a marker search over the first bytes, and one lxml
parse only for HTML documents.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import lxml.html
from lxml import etree

_SCRIPT_TAG = re.compile(rb"<script", re.I)
# Text inside these is not text a reader sees as the page's content.
_NOT_CONTENT = ("script", "style", "noscript", "template", "svg", "nav", "header", "footer",
                "aside", "form", "head")


@dataclass(frozen=True)
class Verdict:
    status: str  # "blocked" | "unreadable"
    reason: str  # what a maintainer reads in check output and admin alerts


@dataclass(frozen=True)
class PageMeasure:
    words: int  # words of visible content text
    text_chars: int
    script_chars: int  # inline script code, plus a fixed weight per external script
    scripts: int


@dataclass(frozen=True)
class PageChecks:
    challenge_statuses: frozenset[int]
    challenge_markers: tuple[str, ...]  # found case-insensitively, reported as written
    challenge_headers: dict[str, str]  # lowercase header name -> lowercase value
    challenge_max_words: int
    marker_scan_bytes: int
    unreadable_max_words: int
    script_text_ratio: float
    external_script_chars: int

    @classmethod
    def from_settings(cls, settings) -> "PageChecks":
        return cls(
            challenge_statuses=frozenset(settings.getlist("PARTYWATCH_CHALLENGE_STATUSES")),
            challenge_markers=tuple(settings.getlist("PARTYWATCH_CHALLENGE_MARKERS")),
            challenge_headers={k.lower(): v.lower()
                               for k, v in settings.getdict("PARTYWATCH_CHALLENGE_HEADERS").items()},
            challenge_max_words=settings.getint("PARTYWATCH_CHALLENGE_MAX_WORDS"),
            marker_scan_bytes=settings.getint("PARTYWATCH_CHALLENGE_SCAN_BYTES"),
            unreadable_max_words=settings.getint("PARTYWATCH_UNREADABLE_MAX_WORDS"),
            script_text_ratio=settings.getfloat("PARTYWATCH_SCRIPT_TEXT_RATIO"),
            external_script_chars=settings.getint("PARTYWATCH_EXTERNAL_SCRIPT_CHARS"),
        )

    # -- the two verdicts ------------------------------------------------------------------

    def check(self, status: int, headers, body: bytes, is_html: bool,
              is_document: bool) -> Verdict | None:
        """The verdict on one response, or None when it is the page it claims to be.

        `headers` is a scrapy Headers object (or any mapping of bytes/str to values);
        `is_document` is False for a homepage, which is never stored and so never
        `unreadable`, only `blocked`.
        """
        header = self._challenge_header(headers)
        if header:
            return Verdict("blocked", f"bot-protection challenge page (HTTP {status}, header {header})")
        marker = self._marker(body) if is_html or status in self.challenge_statuses else None
        measure = None
        if marker is not None:
            if status in self.challenge_statuses:
                return Verdict("blocked", f"bot-protection challenge page (HTTP {status}, “{marker}”)")
            measure = measure_page(body, self.external_script_chars)
            if measure.words < self.challenge_max_words:
                return Verdict("blocked", f"bot-protection challenge page (HTTP {status}, “{marker}”, "
                                          f"{_words(measure.words)} of text)")
        if not (is_html and is_document and status < 300) or not _SCRIPT_TAG.search(body):
            return None  # a page without scripts is not a JavaScript shell: no need to parse it
        measure = measure or measure_page(body, self.external_script_chars)
        if self.is_script_shell(measure):
            return Verdict("unreadable",
                           f"only {_words(measure.words)} of text among {measure.scripts} script(s): "
                           f"the page needs JavaScript to show its content")
        return None

    def is_script_shell(self, measure: PageMeasure) -> bool:
        return (measure.scripts > 0 and measure.words < self.unreadable_max_words
                and measure.script_chars >= self.script_text_ratio * measure.text_chars)

    # -- helpers ---------------------------------------------------------------------------

    def _challenge_header(self, headers) -> str | None:
        for name, wanted in self.challenge_headers.items():
            value = headers.get(name) if headers is not None else None
            if isinstance(value, bytes):
                value = value.decode("latin-1")
            if value and wanted in value.lower():
                return f"{name}: {value}"
        return None

    def _marker(self, body: bytes) -> str | None:
        head = body[: self.marker_scan_bytes].decode("utf-8", errors="replace").lower()
        return next((m for m in self.challenge_markers if m.lower() in head), None)


def _words(count: int) -> str:
    return f"{count} word{'' if count == 1 else 's'}"


def measure_page(body: bytes, external_script_chars: int) -> PageMeasure:
    """How much content text and how much script an HTML page holds."""
    try:
        root = lxml.html.document_fromstring(body)
    except (etree.ParserError, ValueError):  # empty or not HTML at all
        return PageMeasure(0, 0, 0, 0)
    scripts = root.xpath("//script")
    script_chars = sum(len(s.text or "") if s.get("src") is None else external_script_chars
                       for s in scripts)
    text_parts = root.xpath("//body//text()[not(ancestor::*[" +
                            " or ".join(f"self::{tag}" for tag in _NOT_CONTENT) + "])]")
    text = " ".join(part.strip() for part in text_parts if part.strip())
    return PageMeasure(len(text.split()), len(text), script_chars, len(scripts))

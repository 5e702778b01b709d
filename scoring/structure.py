"""The structure a reader sees, read back from extracted text.

Extraction writes structure the way Markdown does (``## Heading``, ``- item``, table rows
``cell | cell`` with the header row first); plain text, PDFs and the archive's Markdown
use the same conventions or bold/short title lines. This module turns the text into
blocks, each knowing the headings it sits under and, for a table row, its header row,
so that a rule can ask for a section ("a period *under* 'How long we keep it'") and so
that a heading, a contact line, a table header or a cookie-consent banner is never taken
as evidence on its own.

Everything here is a slice of the text: offsets are the text's own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

HEADING = "heading"
PARAGRAPH = "paragraph"
ITEM = "item"
ROW = "row"
HEADER_ROW = "header_row"
CONTACT = "contact"
BANNER = "banner"  # a cookie-consent banner left in the text ("By clicking 'Accept all' ...")

MARKDOWN_HEADING = re.compile(r"^(#{1,6})\s+\S")
# ...also when a page set its headings in a list: "  * ## Transfers of personal information outside of the UK"
ITEM_HEADING = re.compile(r"^\s*[-*+]\s+(#{1,6})\s+\S")
# "How can I request a copy of my personal information?" on a line of its own, over its answer
QUESTION_LINE = re.compile(r"^\s*(?:[#*_]+\s*)?[A-Z][^.!?\n]{5,150}\?\s*[*_]*\s*$")
BOLD_LINE = re.compile(r"^\s*\*{2,}[^*]+\*{2,}\s*[.:]?\s*$")  # "**Cookies**", "****3.5 Access.****"
ENUMERATOR = re.compile(r"^\(?[a-z0-9]{1,3}\)\s+")
NUMBERED_TITLE = re.compile(r"^\s*(\d{1,2}(\.\d{1,2})*\.?|[IVX]{1,4}\.)\s+(?=[A-Z])")
ITEM_START = re.compile(r"^\s*([-*•▪◦–·]\s|\d{1,2}[.)]\s|\(?[a-z]{1,3}\)\s|\*\*\(?[a-z0-9]{1,3}\)\*\*)")
TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}")
# A consent banner's buttons; HTML extraction drops banners by their markup, a PDF or a text
# copy keeps them as a line of their own
CONSENT_BUTTONS = re.compile(r"\b(accept all|reject all|allow all|accept cookies|cookie settings|manage cookies|"
                             r"cookie preferences)\b", re.I)
# ...its buttons, or its "By clicking": one mention of "our cookie settings" in a sentence of
# the notice ("You can decline these in our cookie settings") is no banner
CONSENT_CLICK = re.compile(r"\bby (clicking|continuing)\b", re.I)
CONTACT_FIELD = re.compile(
    r"^\s*(\*\*)?(e-?mail( address)?|tel(ephone)?|phone|fax|(postal |registered |our )?address|post|"
    r"write to|website|contact( us)?)\s*:?(\*\*)?\s*:", re.I)
# a year or a date; Markdown's emphasis marks are no part of a word ("_Last Updated June 2019_")
DATED = re.compile(r"(?<![^\W_])((19|20)\d\d|\d{1,2}/\d{1,2}/\d{2,4})(?![^\W_])")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
EMAIL_OR_URL = re.compile(EMAIL.pattern + r"|https?://\S+|www\.\S+", re.I)
PHONE = re.compile(r"\(?\+?\d[\d\s().-]{7,}\d")
# What makes the short lines under "please write to:" an address: an e-mail address, a phone
# number, a UK postcode or a PO box (a list of web sites is none)
POSTAL = re.compile(r"\b([A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}|P\.? ?O\.? Box \d+)\b", re.I)
ADDRESS_MAX_LINES = 8
SHORT_HEADING_WORDS = 10
CONTACT_MAX_WORDS = 14
BODY_MIN_WORDS = 12
SHORT_BODY_MIN_WORDS = 5  # a shorter line under a title is its body when it is a sentence
SENTENCE_CASE_TITLE_WORDS = 10
WRAP_MIN_CHARS = 60  # a paragraph line this long that runs on into the next was wrapped
# ...unless it ends the way a list item does ("...to respond to your enquiries;", "...; and")
LIST_ITEM_END = re.compile(r";(\s*(and|or))?$")


@dataclass(frozen=True)
class Block:
    """One line of the text as a reader sees it."""

    start: int
    end: int
    kind: str
    level: int = 0  # headings: 1 (title) .. 6
    parents: tuple[int, ...] = ()  # indexes of the headings it sits under, outermost first
    header: int | None = None  # a table row: the index of its table's header row
    intro: int | None = None  # a list item: the line introducing its list ("Our suppliers are:")


@dataclass(frozen=True)
class Structure:
    text: str
    blocks: list[Block]
    starts: list[int]  # blocks' start offsets, for bisecting
    # The text with wrapped lines joined by a space instead of a line break: the same
    # length, so offsets are shared, but "political\nopinions" reads as one phrase.
    joined: str
    # The notice's title, its only level-1 heading ("Privacy & Cookie Policy"): it covers
    # every line, so it sets no section of the notice apart from the rest.
    title: int | None = None

    def block_at(self, offset: int) -> int:
        """Index of the block holding the character at `offset`."""
        import bisect

        return max(0, bisect.bisect_right(self.starts, offset) - 1)

    def blocks_at(self, offsets):
        """block_at for an array of offsets at once."""
        import numpy as np

        return np.maximum(np.searchsorted(np.asarray(self.starts, dtype=np.int64), offsets, side="right") - 1, 0)

    def context(self, index: int) -> tuple[int, ...]:
        """The blocks that give block `index` its context: its headings and header row."""
        block = self.blocks[index]
        extra = tuple(i for i in (block.header, block.intro) if i is not None)
        return block.parents + extra


def _words(line: str) -> int:
    return len(line.split())


def _is_contact(line: str) -> bool:
    if CONTACT_FIELD.match(line):
        return True
    if _words(line) > CONTACT_MAX_WORDS:
        return False
    found = EMAIL_OR_URL.search(line) or PHONE.search(line)
    if not found:
        return False
    # "Email: x@y", "x@y", "Tel 0123 456789": little else on the line
    rest = EMAIL_OR_URL.sub(" ", PHONE.sub(" ", line))
    return _words(rest) <= 4


def _bold_sentence(line: str) -> bool:
    """A statement set in bold, not a heading: it gives an address ("**If you have questions,
    contact us at team@party.example**"), or it ends with a full stop and does not read as a
    title once its number and that stop are taken off ("**Log files are used to track
    usage.**"; but "**3.5 Access.**" and "**(a) Cookies.**" are headings)."""
    plain = line.replace("*", "").strip()
    if EMAIL_OR_URL.search(plain):
        return True
    if not plain.endswith("."):
        return False
    title = ENUMERATOR.sub("", NUMBERED_TITLE.sub("", plain))
    return not _looks_like_title(title[:-1])


def _consent_banner(line: str) -> bool:
    buttons = {m.group(0).lower() for m in CONSENT_BUTTONS.finditer(line)}
    return bool(buttons) and "cookie" in line.lower() and (len(buttons) >= 2 or bool(CONSENT_CLICK.search(line)))


def _looks_like_title(line: str) -> bool:
    """A short line set apart like a heading: title case, a question, or capitals."""
    stripped = line.strip().strip("*").strip()
    if not stripped or _words(stripped) > SHORT_HEADING_WORDS or not stripped[0].isalnum():
        return False
    if stripped[-1] in ".,;:!" or "|" in stripped or EMAIL_OR_URL.search(stripped):
        return False
    if not (stripped[0].isupper() or stripped[0].isdigit()):
        return False
    words = [w for w in re.findall(r"[A-Za-z][\w'’-]*", stripped)]
    if not words:
        return False
    capital = sum(1 for w in words if w[0].isupper() or w.lower() in _SMALL_WORDS)
    return stripped.endswith("?") or stripped.isupper() or capital / len(words) >= 0.6 or len(words) <= 4


_SMALL_WORDS = {"a", "an", "and", "the", "of", "to", "for", "in", "on", "we", "you", "your", "our", "with",
                "how", "by", "or", "is", "do", "use", "it", "this", "at", "about", "from", "who", "what"}


def parse(text: str) -> Structure:
    """Blocks of `text`: one per non-empty line, with headings, items, rows and contacts."""
    lines: list[tuple[int, int, str]] = []
    pos = 0
    for raw in text.split("\n"):
        end = pos + len(raw)
        if raw.strip():
            lines.append((pos, end, raw))
        pos = end + 1
    kinds: list[str] = []
    levels: list[int] = []
    rule_lines: set[int] = set()
    # "Last revised June 26, 2015" looks like a title but says something: never a heading
    for i, (_s, _e, line) in enumerate(lines):
        kind, level = PARAGRAPH, 0
        short = len(line) <= 160  # long lines are paragraphs, items or rows: skip the title tests
        m = MARKDOWN_HEADING.match(line) or ITEM_HEADING.match(line)
        if m:
            kind, level = HEADING, len(m.group(1))
        elif _consent_banner(line):
            kind = BANNER
        elif short and NUMBERED_TITLE.match(line) and _looks_like_title(NUMBERED_TITLE.sub("", line)) \
                and _followed_by_body(lines, i):
            kind, level = HEADING, 3  # "3. Processors", "5.1 How long we keep it"
        elif TABLE_RULE.match(line) and set(line.strip()) <= set("|-: "):
            kind = HEADER_ROW  # a Markdown table's rule line: never evidence
            rule_lines.add(i)
        elif CONTACT_FIELD.match(line):
            kind = CONTACT  # "Contact: info@party.example | 5 Park Street": a contact line, not a table row
        elif "|" in line and (line.lstrip().startswith("|") or " | " in line):
            kind = ROW
        elif short and BOLD_LINE.match(line) and _words(line) <= SHORT_HEADING_WORDS + 2 and not _bold_sentence(line):
            kind, level = HEADING, 4
        elif ITEM_START.match(line):
            kind = ITEM
        elif short and _is_contact(line):  # (a "Contact:" field line was taken above)
            kind = CONTACT
        elif short and QUESTION_LINE.match(line) and _followed_by_body(lines, i):
            kind, level = HEADING, 5  # an FAQ-style notice's question heads its answer
        elif short and (_looks_like_title(line) or _sentence_case_title(lines, i)) and _followed_by_body(lines, i) \
                and not _after_list_intro(lines, i):
            kind, level = HEADING, 5
        if kind == HEADING and DATED.search(line):
            kind, level = PARAGRAPH, 0
        kinds.append(kind)
        levels.append(level)
    _mark_header_rows(lines, kinds)
    # offsets of the line breaks read as spaces: inside wrapped paragraphs and address blocks
    wraps: list[int] = _address_breaks(text, lines, kinds)
    blocks: list[Block] = []
    stack: list[tuple[int, int]] = []  # (level, block index)
    header: int | None = None
    intro: int | None = None
    for i, ((s, e, line), kind, level) in enumerate(zip(lines, kinds, levels)):
        if i and kind == PARAGRAPH and kinds[i - 1] in (PARAGRAPH, ITEM) and _wrapped(lines[i - 1][2], line) \
                and text[lines[i - 1][1]:s] == "\n":
            wraps.append(lines[i - 1][1])
        if kind == ITEM and i and kinds[i - 1] == PARAGRAPH and lines[i - 1][2].rstrip().endswith(":"):
            intro = i - 1
        elif kind != ITEM:
            intro = None
        if kind == HEADING:
            while stack and stack[-1][0] >= level:
                stack.pop()
        parents = tuple(idx for _, idx in stack)
        if kind == HEADER_ROW:
            # a Markdown rule line ("|---|---|") under the header row leaves the header as it is
            if i not in rule_lines or header is None:
                header = i
        elif kind != ROW:
            header = None
        blocks.append(Block(s, e, kind, level, parents, header if kind == ROW else None,
                            intro if kind == ITEM else None))
        if kind == HEADING:
            stack.append((level, i))
    titles = [i for i, b in enumerate(blocks) if b.kind == HEADING and b.level == 1]
    return Structure(text, blocks, [b.start for b in blocks], _join(text, wraps),
                     titles[0] if len(titles) == 1 else None)


def _address_breaks(text: str, lines: list[tuple[int, int, str]], kinds: list[str]) -> list[int]:
    """The line breaks inside an address block and before it, from its lead-in on: "please
    contact:" over "The Data Protection Officer / Save the Children / 1 St John's Lane /
    London EC1M 4AR" reads as one sentence, so the office named on its own line is read with
    the words that say what it is for and where to write (a line of its own would look like a
    heading, and a heading is never evidence). Some lead-ins end ";" where ":" was meant
    ("please use the following details;")."""
    breaks: list[int] = []
    for i, (_s, end, line) in enumerate(lines):
        if kinds[i] != PARAGRAPH or not line.rstrip().endswith((":", ";")):
            continue
        last = i
        while last + 1 < len(lines) and last + 1 - i <= ADDRESS_MAX_LINES and kinds[last + 1] in (PARAGRAPH, CONTACT):
            nxt = lines[last + 1][2].strip().strip("*").strip()
            # (a date under the address is the notice's, not the office's: "Effective: May 24, 2018")
            if _words(nxt) > SHORT_HEADING_WORDS or nxt.endswith((".", ":", ";")) or DATED.search(nxt):
                break
            last += 1
        block = [lines[j][2] for j in range(i + 1, last + 1)]
        if len(block) < 2 or not any(gives_address(b) for b in block):
            continue
        breaks += [at for at in range(end, lines[last][0]) if text[at] == "\n"]
    return breaks


def gives_address(text: str) -> bool:
    """An e-mail address, a phone number, a UK postcode or a PO box: somewhere to write."""
    return bool(EMAIL.search(text) or PHONE.search(text) or POSTAL.search(text))


def _join(text: str, wraps: list[int]) -> str:
    """`text` with the line breaks at `wraps` turned into spaces (same length)."""
    if not wraps:
        return text
    pieces, last = [], 0
    for at in sorted(set(wraps)):
        pieces.append(text[last:at])
        pieces.append(" ")
        last = at + 1
    pieces.append(text[last:])
    return "".join(pieces)


def _wrapped(previous: str, line: str) -> bool:
    """A paragraph line that runs on into the next one (Markdown, text and PDFs wrap)."""
    prev = previous.rstrip()
    return len(prev) >= WRAP_MIN_CHARS and not prev.endswith((":", "|")) and not LIST_ITEM_END.search(prev)


def _sentence_case_title(lines: list[tuple[int, int, str]], i: int) -> bool:
    """A short line in sentence case set apart like a heading ("Information we receive from the
    electoral register"): too short to be a wrapped paragraph line, no closing punctuation, and
    the next line starts a new sentence (a wrapped line's next line carries on in lower case)."""
    line = lines[i][2].strip().strip("*").strip()
    if not line or len(line) >= WRAP_MIN_CHARS or _words(line) > SENTENCE_CASE_TITLE_WORDS:
        return False
    if not line[0].isupper() or line[-1] in ".,;:!|" or EMAIL_OR_URL.search(line):
        return False
    nxt = lines[i + 1][2].strip() if i + 1 < len(lines) else ""
    return nxt[:1].isupper()


def _followed_by_body(lines: list[tuple[int, int, str]], i: int) -> bool:
    """A title line is a heading only when what follows is a paragraph (a long line, or a
    sentence) or a list."""
    if i + 1 >= len(lines):
        return False
    nxt = lines[i + 1][2].strip()
    sentence = nxt.endswith(".") and _words(nxt) >= SHORT_BODY_MIN_WORDS
    return _words(nxt) >= BODY_MIN_WORDS or sentence or bool(ITEM_START.match(nxt)) or "|" in nxt


def _after_list_intro(lines: list[tuple[int, int, str]], i: int) -> bool:
    """'We collect:' followed by short lines is a list, not a series of headings."""
    if i == 0:
        return False
    prev = lines[i - 1][2].rstrip()
    return prev.endswith(":") or (_words(prev) <= SHORT_HEADING_WORDS and not prev.rstrip("*").endswith((".", "?")))


def _mark_header_rows(lines: list[tuple[int, int, str]], kinds: list[str]) -> None:
    """The first row of a table (two rows or more) is its header: context, not evidence."""
    i = 0
    n = len(kinds)
    while i < n:
        if kinds[i] != ROW:
            i += 1
            continue
        j = i
        while j < n and kinds[j] in (ROW, HEADER_ROW):
            j += 1
        if j - i >= 2:
            kinds[i] = HEADER_ROW
        i = j

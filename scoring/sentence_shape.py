"""What a sentence looks like on the page, as a reader sees it before reading it.

A heading the page did not mark as one ("2.4 Targeted Advertising."), a run-in bold label
("**Label:** Text"), a sentence set entirely in bold, a line of the change log ("July 2011:
Principles updated"): the claim finder asks these questions of the raw text so that such
lines are never quoted as evidence on their own (a change-log line only for the element that
asks about the notice's changes).
"""

from __future__ import annotations

import re

from scoring.structure import DATED

BOLD_LABEL_MAX_WORDS = 12
BOLD_START = re.compile(r"(?:[-•·*]\s+)?\*{2,}")  # archivers double it: "* ****International transfers** **"
HEADING_LIKE_MAX_WORDS = 6
HEADING_WORD = re.compile(r"[^\s.:;,()]+")
SECTION_NUMBER = re.compile(r"(?:\d+|[ivx]+|[a-z])(?:\.\d+)*\.?", re.I)
_MONTH = "january|february|march|april|may|june|july|august|september|october|november|december"
# "July 2011: Principles updated ...", "22 May 2018 - deletion policy updated", "2019-05-01: ..."
CHANGE_LOG_ENTRY = re.compile(
    rf"[-•·*#>\s]*(?:(?:\d{{1,2}}(?:st|nd|rd|th)?\s+)?(?:{_MONTH})\.?(?:\s+\d{{1,2}}(?:st|nd|rd|th)?,?)?\s+(?:19|20)\d\d"
    rf"|\d{{1,2}}[/.]\d{{1,2}}[/.](?:19|20)?\d\d|(?:19|20)\d\d-\d\d-\d\d)\**\s*[:–—-]\s", re.I)
HEADING_CONNECTORS = {"and", "of", "the", "to", "for", "in", "on", "our", "your", "we", "with", "&", "a", "an", "or"}


def bold_label(text: str, start: int, end: int) -> bool:
    """A run-in heading: a sentence set entirely in bold ("**We personalize the Web site.**
    We use ...", "- **The electoral roll.** We use ...")."""
    if DATED.search(text, start, end):
        return False  # "**Updated September 15, 2014**" says something
    closing = leading_bold_end(text, start, end)
    if closing is None or text[closing:end].strip("* .:"):
        return False
    # a whole line in bold is a heading when short ("* ****International transfers** **"); a
    # longer one is a sentence set in bold for emphasis ("**If you have questions, contact us at
    # team@...**"), and says what it says
    line_end = text.find("\n", end)
    alone = not text[end:line_end if line_end != -1 else len(text)].strip()
    label = text[start:closing].lstrip("-•·* ")  # the bullet and the asterisks are not words
    return not alone or len(HEADING_WORD.findall(label)) <= HEADING_LIKE_MAX_WORDS


def leading_bold_end(text: str, start: int, end: int) -> int | None:
    """Where the bold run a sentence starts with closes (its second "**"), or None when
    the sentence does not start with a short bold run."""
    m = BOLD_START.match(text, start, end)
    if not m:
        return None
    closing = text.find("**", m.end())
    label = text[m.end():closing]
    if closing == -1 or not label.strip() or len(label.split()) > BOLD_LABEL_MAX_WORDS:
        return None
    return closing


def run_in_label_end(text: str, start: int, end: int) -> int | None:
    """Where a sentence's bold run-in label ends ("**Label:** Text" -> after the second
    "**"), or None when the sentence does not start with one or nothing follows it."""
    closing = leading_bold_end(text, start, end)
    if closing is None or not text[closing + 2:end].strip("* \n.,;:!?"):
        return None
    return closing + 2


def heading_like(text: str, start: int, end: int) -> bool:
    """A heading that the page did not mark as one: a few capitalised words, often
    numbered ("2.4 Targeted Advertising.", "**Political Opinions**")."""
    if DATED.search(text, start, end):
        return False  # "Last Updated May 21, 2019" says something
    words = HEADING_WORD.findall(text[start:end].replace("*", " ").replace("#", " "))
    if not words or len(words) > HEADING_LIKE_MAX_WORDS:
        return False
    words = [w for w in words if not SECTION_NUMBER.fullmatch(w)]
    return bool(words) and all(w[:1].isupper() or w.lower() in HEADING_CONNECTORS for w in words)


def without_unpaired_bold(text: str, start: int, end: int) -> tuple[int, int]:
    """A quote's bounds without the one bold marker it carries when it is the first or last
    sentence of a paragraph set in bold ("**We use your data to make a profile." is quoted
    without it). For the quote only: finding run-in labels needs the marker."""
    if text.count("**", start, end) % 2 == 0:
        return start, end
    if text.startswith("**", start):
        return trim(text, start + 2, end)
    if text.endswith("**", start, end):
        return trim(text, start, end - 2)
    return start, end


def without_outer_pipes(text: str, start: int, end: int) -> tuple[int, int]:
    """A Markdown table row's bounds without its outer pipes: "| Canvass data | 4 years |" is
    quoted as a reader sees the rendered row, "Canvass data | 4 years"."""
    if start < end and text[start] == "|":
        start, end = trim(text, start + 1, end)
    if end > start and text[end - 1] == "|":
        start, end = trim(text, start, end - 1)
    return start, end


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    if text.startswith("** ", start) and start + 3 < end:
        start += 3  # the closing marker of a bold label before the sentence ("**Label.** Text")
        while start < end and text[start].isspace():
            start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def change_log_entry(text: str, start: int, end: int) -> bool:
    """A line of the notice's change log: a date, then what changed ("July 2011: Principles
    updated to include further information on behavioural advertising"). It says what the
    notice now covers, not what the organisation does."""
    return CHANGE_LOG_ENTRY.match(text, start, end) is not None

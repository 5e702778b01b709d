"""Raw document bytes -> the plain text that claims and offsets refer to.

HTML: page chrome (nav, header, footer, aside, cookie/consent banners, forms, scripts, menus
made of links) is removed and the rest is written as Markdown-like text that keeps what a
reader sees: headings ("## How long we keep it"), list items ("- ...") and table rows one
per line ("Canvass records | 5 years", header row first). PDF: pypdf. Markdown and plain
text: as they are, decoded with charset detection (invalid bytes replaced, never a crash).
``scoring.structure`` reads the sections back from the text.
"""

from __future__ import annotations

import io
import re
from urllib.parse import unquote, urlparse

from scoring.structure import EMAIL

MAX_RAW_BYTES = 25 * 1024 * 1024
MAX_TEXT_CHARS = 5_000_000
MAX_HTML_FOR_TRAFILATURA = 3 * 1024 * 1024


class ExtractionError(Exception):
    """The document cannot be turned into text; the message says why."""


def sniff_type(raw: bytes, content_type: str | None, url: str) -> str:
    """'html', 'pdf', 'markdown' or 'text'."""
    ct = (content_type or "").split(";")[0].strip().lower()
    if ct:
        if "pdf" in ct:
            return "pdf"
        if "html" in ct or "xml" in ct and "xhtml" in ct:
            return "html"
        if "markdown" in ct:
            return "markdown"
        if ct.startswith("text/plain"):
            return "pdf" if raw.lstrip()[:5] == b"%PDF-" else "text"
    path = urlparse(url or "").path.lower() if "://" in (url or "") else (url or "").lower()
    for ext, kind in ((".pdf", "pdf"), (".html", "html"), (".htm", "html"), (".md", "markdown"),
                      (".markdown", "markdown"), (".txt", "text")):
        if path.endswith(ext):
            return kind
    head = raw[:1024].lstrip()
    if head.startswith(b"%PDF-"):
        return "pdf"
    low = head[:512].lower()
    if low.startswith(b"<!doctype html") or b"<html" in low or b"<body" in low or b"<div" in low or b"<p>" in low:
        return "html"
    return "text"


def _charset_from_ct(content_type: str | None) -> str | None:
    m = re.search(r"charset=([\w.:-]+)", content_type or "", re.I)
    return m.group(1) if m else None


def decode(raw: bytes, content_type: str | None = None) -> str:
    """Bytes -> str. Declared charset, BOM, UTF-8, else cp1252; bad bytes become U+FFFD."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="replace")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16", errors="replace")
    declared = _charset_from_ct(content_type)
    if declared:
        try:
            return raw.decode(declared, errors="replace")
        except LookupError:
            pass
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    text = raw.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - raw.count("\ufffd".encode("utf-8"))
    non_ascii = sum(1 for b in raw if b >= 0x80)
    if non_ascii and bad / non_ascii > 0.9:
        # nearly every non-ASCII byte is invalid UTF-8: a single-byte (Windows) encoding
        return raw.decode("cp1252", errors="replace")
    return text  # UTF-8 with some broken bytes, replaced


def _looks_binary(raw: bytes) -> bool:
    sample = raw[:65536]
    if not sample:
        return False
    if b"\x00" in sample and not sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    ctrl = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return ctrl / len(sample) > 0.05


# ------------------------------------------------------------------ Markdown

MARKDOWN_IMAGE = re.compile(r"!\[[^\]\n]*\]\([^)\s]*(?:\s+\"[^\"\n]*\")?\)")
MARKDOWN_LINK = re.compile(r"\[([^\]\n]*)\]\(([^)\s]*)(?:\s+\"[^\"\n]*\")?\)")


def markdown_text(decoded: str) -> str:
    """Markdown as a reader sees it rendered: a link reads as its text, an image not at all.

    As in HTML (whose links read as their text too): the words of a link's address are not
    the notice's words ("[click here](https://ads.example/opt-out-preference)" says nothing
    about opting out of anything). Headings, lists, tables and bold stay as written, for
    scoring.structure to read."""
    text = MARKDOWN_IMAGE.sub("", decoded)
    return MARKDOWN_LINK.sub(_link_text, text)


def _link_text(m: re.Match) -> str:
    """A link's text, or its address when it has none; set apart from a word it was glued to
    ("please contact[privacy@party.example](mailto:...)" reads "contact privacy@..."), and
    an e-mail link followed by its address (see mailto_address)."""
    shown = m.group(1) if m.group(1).strip(" *_") else m.group(2)
    glued = m.start() > 0 and m.string[m.start() - 1].isalnum() and shown[:1].isalnum()
    address = mailto_address(m.group(2))
    if address and "@" not in shown:
        shown += f" ({address})"
    return " " + shown if glued else shown


def mailto_address(href: str | None) -> str | None:
    """The e-mail address an e-mail link opens, for a link whose text is not the address.

    "write to our [Privacy Officer](mailto:privacy@party.example?subject=...)" gives the
    reader an address to write to as surely as printing it does: one click opens it. Read
    as "Privacy Officer (privacy@party.example)", the notice's contact for requests is on
    the page where a reader finds it, not lost with the link's target."""
    if not href or not href.lower().startswith("mailto:"):
        return None
    address = unquote(href[len("mailto:"):].split("?")[0]).strip()
    return address if EMAIL.fullmatch(address) else None


def _normalise(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    return text


def extract_text(raw: bytes, content_type: str | None, url: str) -> str:
    if raw is None:
        raise ExtractionError("no content")
    if len(raw) > MAX_RAW_BYTES:
        raise ExtractionError(f"document too large: {len(raw):,} bytes (limit {MAX_RAW_BYTES:,})")
    if not raw.strip():
        return ""
    kind = sniff_type(raw, content_type, url)
    if kind == "pdf":
        text = _pdf_text(raw)
    else:
        if _looks_binary(raw):
            raise ExtractionError("the file looks like binary data, not text, HTML or PDF")
        decoded = decode(raw, content_type)
        if kind == "html":
            text = html_text(decoded)
        elif kind == "markdown":
            text = markdown_text(decoded)
        else:
            text = decoded
    text = _normalise(text)
    if len(text) > MAX_TEXT_CHARS:
        raise ExtractionError(
            f"document too long: {len(text):,} characters of text (limit {MAX_TEXT_CHARS:,}); "
            "a privacy notice is rarely over 200,000"
        )
    return text


# ------------------------------------------------------------------ PDF

def _pdf_text(raw: bytes) -> str:
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(raw), strict=False)
        if reader.is_encrypted:
            try:
                ok = reader.decrypt("")
            except Exception:
                ok = 0
            if not ok:
                raise ExtractionError("the PDF is encrypted (password-protected); its text cannot be read")
        pages = []
        for page in reader.pages:
            pages.append(page.extract_text() or "")
    except ExtractionError:
        raise
    except (PdfReadError, Exception) as exc:  # pypdf raises many kinds on broken files
        msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if "decrypt" in msg.lower() or "encrypt" in msg.lower() or "cryptography" in msg.lower():
            raise ExtractionError(f"the PDF is encrypted and cannot be read ({msg})") from None
        raise ExtractionError(f"broken or truncated PDF: {msg}") from None
    if not pages:
        raise ExtractionError("broken or truncated PDF: no pages found")
    text = "\n\n".join(_reflow(p.strip()) for p in pages)
    if not text.strip():
        raise ExtractionError("the PDF has no extractable text (scanned images or an empty file)")
    return text


_LIST_START = re.compile(r"^\s*([-•*▪–]|\d+[.)]|[a-z][.)]\s)")


def _reflow(page: str) -> str:
    """Join lines that a PDF wrapped in the middle of a sentence."""
    out: list[str] = []
    for line in page.split("\n"):
        line = line.rstrip()
        if out and out[-1] and line.strip():
            prev = out[-1]
            wrapped = len(prev) >= 45 and not prev.rstrip().endswith((".", ":", "!", "?", ";"))
            if (wrapped or line.lstrip()[:1].islower()) and not _LIST_START.match(line):
                out[-1] = prev + " " + line.strip()
                continue
        out.append(line)
    return "\n".join(out)


# ------------------------------------------------------------------ HTML
#
# HTML becomes text that keeps the structure a reader sees, written the way Markdown
# writes it, so that every later stage (and every stored snapshot) reads structure from
# the text alone: "## Heading" lines, "- item" lines, and table rows "cell | cell" with
# the header row first. Quotes are still exact slices of this text.

CHROME_TAGS = ("nav", "header", "footer", "aside", "script", "style", "noscript", "form", "button",
               "svg", "iframe", "template", "select", "dialog", "head", "title", "meta", "link")
CHROME_RE = re.compile(
    r"cookie|consent|gdpr-banner|banner|navbar|nav-|menu|breadcrumb|footer|masthead|site-header|"
    r"skip-link|social|share|newsletter|signup|sign-up|donate-bar|modal|popup|sidebar",
    re.I,
)
BLOCK_TAGS = {"p", "div", "section", "article", "main", "li", "ul", "ol", "table", "tr", "h1", "h2", "h3",
              "h4", "h5", "h6", "dl", "dt", "dd", "blockquote", "pre", "br", "body", "figure", "figcaption",
              "address", "td", "th", "thead", "tbody", "center", "hr"}
HEADING_TAGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
BOLD_TAGS = {"strong", "b"}
BOLD_HEADING_MAX_WORDS = 12
# A list or box whose text is mostly links is a menu, not part of the notice.
LINK_DENSITY_DROP = 0.7
LINK_DENSITY_MIN_LINKS = 3
# An element holding more than this share of the page's words is a wrapper, never chrome.
WRAPPER_SHARE = 0.5


def _clean_tree(decoded: str):
    import lxml.html
    from lxml import etree

    if not decoded.strip():
        return None
    try:
        parser = lxml.html.HTMLParser(recover=True, remove_comments=True, remove_pis=True)
        root = lxml.html.document_fromstring(decoded.encode("utf-8"), parser=parser)
    except (etree.ParserError, ValueError, etree.XMLSyntaxError):
        return None
    drop = []
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag.lower() in CHROME_TAGS:
            drop.append(el)
    for el in drop:
        if el.getparent() is not None:
            el.drop_tree()
    for link in root.iter("a"):
        address = mailto_address(link.get("href"))
        if address and "@" not in link.text_content():
            link.tail = f" ({address})" + (link.tail or "")
    page_words = len(root.text_content().split())
    drop = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        tag = el.tag.lower()
        ident = " ".join(filter(None, (el.get("id"), el.get("class"), el.get("role"), el.get("aria-label"))))
        if ident and tag not in ("html", "body", "main", "article") and CHROME_RE.search(ident):
            # A wrapper is not chrome: "content-sidebar-wrap" can hold the whole notice.
            if el.find(".//main") is None and el.find(".//article") is None \
                    and not _holds_most_of(el, page_words):
                drop.append(el)
        elif el.get("role") in ("navigation", "banner", "contentinfo", "dialog"):
            drop.append(el)
        elif tag in ("ul", "ol", "div", "td", "table") and _is_link_list(el):
            drop.append(el)
    for el in drop:
        if el.getparent() is not None:
            el.drop_tree()
    return root


def _holds_most_of(el, page_words: int) -> bool:
    return page_words > 0 and len(el.text_content().split()) > WRAPPER_SHARE * page_words


def _is_link_list(el) -> bool:
    links = el.findall(".//a")
    if len(links) < LINK_DENSITY_MIN_LINKS:
        return False
    text = " ".join(el.text_content().split())
    if not text:
        return False
    linked = sum(len(" ".join(a.text_content().split())) for a in links)
    return linked / len(text) >= LINK_DENSITY_DROP


def _table_lines(table) -> list[str]:
    """One line per row, cells joined by " | "; the header row (th cells) first."""
    rows: list[tuple[bool, str]] = []
    for tr in table.iter("tr"):
        cells = [c for c in tr if isinstance(c.tag, str) and c.tag in ("td", "th")]
        texts = [" ".join(c.text_content().split()) for c in cells]
        texts = [t for t in texts if t]
        if texts:
            rows.append((all(c.tag == "th" for c in cells), " | ".join(texts)))
    rows.sort(key=lambda r: not r[0])  # stable: header rows first, the rest in order
    return [r for _, r in rows]


def _definition_lines(dl) -> list[str]:
    """A definition list as list items, each term with its definitions: "- Volunteer records:
    Three years after the election", so that a retention or supplier list written as <dl>
    reads as the pairs a reader sees, not as terms and periods on lines of their own."""
    items: list[list[str]] = []
    for child in dl:
        tag = child.tag.lower() if isinstance(child.tag, str) else ""
        text = " ".join(child.text_content().split())
        if not text:
            continue
        if tag == "dt" or not items:
            items.append([text.rstrip(":")])
        elif tag == "dd":
            items[-1].append(text)
    return ["- " + (f"{pair[0]}: {' '.join(pair[1:])}" if len(pair) > 1 else pair[0]) for pair in items]


def _bold_only(el) -> bool:
    """<p><strong>What we collect</strong></p>: a heading written in bold."""
    text = " ".join(el.text_content().split())
    if not text or len(text.split()) > BOLD_HEADING_MAX_WORDS or text.endswith((".", ",", ";")):
        return False
    bold = "".join(" ".join(b.text_content().split()) for b in el.iter(*BOLD_TAGS))
    return len(bold.replace(" ", "")) >= 0.9 * len(text.replace(" ", ""))


def _walk_text(root) -> str:
    """Structured text of an lxml tree, without recursion (safe on very deep trees)."""
    out: list[str] = []
    stack = [(root, False)]
    while stack:
        el, closing = stack.pop()
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if closing:
            if tag in BLOCK_TAGS or tag in HEADING_TAGS:
                out.append("\n")
            if el.tail:
                out.append(el.tail)
            continue
        if tag in ("table", "dl"):
            lines = _table_lines(el) if tag == "table" else _definition_lines(el)
            out.append("\n" + "\n".join(lines) + "\n")
            if el.tail:
                out.append(el.tail)
            continue
        if tag in HEADING_TAGS or (tag in ("p", "div", "dt") and len(el) and _bold_only(el)):
            text = " ".join(el.text_content().split())
            if text:
                level = HEADING_TAGS.get(tag, 4)
                out.append("\n" + "#" * level + " " + text + "\n")
            if el.tail:
                out.append(el.tail)
            continue
        if tag in BLOCK_TAGS:
            out.append("\n")
        if tag == "li":
            out.append("- ")
        if el.text and isinstance(el.tag, str):
            out.append(el.text)
        stack.append((el, True))
        for child in reversed(list(el)):
            stack.append((child, False))
    text = "".join(out)
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return "\n".join(line for line in lines if line and line != "-")


_TAG_RE = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*?(/?)>")
_VOID = {"br", "img", "hr", "meta", "link", "input", "area", "base", "col", "embed", "source", "track", "wbr"}
MAX_DEPTH = 200


def _max_depth(decoded: str) -> int:
    depth = best = 0
    for m in _TAG_RE.finditer(decoded):
        closing, tag, selfclose = m.group(1), m.group(2).lower(), m.group(3)
        if tag in _VOID or selfclose:
            continue
        depth = max(0, depth - 1) if closing else depth + 1
        best = max(best, depth)
    return best


def _regex_text(decoded: str) -> str:
    """Tags stripped without building a tree: for pages nested too deeply for lxml."""
    import html as htmlmod

    text = re.sub(r"(?is)<(script|style|nav|footer|header|noscript)\b.*?</\1\s*>", " ", decoded)
    text = re.sub(r"(?i)</?(p|div|li|h[1-6]|tr|br|section|article|table|ul|ol)\b[^>]*>", "\n", text)
    text = htmlmod.unescape(re.sub(r"<[^>]*>", " ", text))
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


def html_text(decoded: str) -> str:
    if _max_depth(decoded) > MAX_DEPTH:
        # libxml2 stops at a few hundred levels and would lose the text inside
        return _regex_text(decoded)
    root = _clean_tree(decoded)
    if root is None:
        return ""
    main = root.find(".//main")
    if main is None:
        main = root.find(".//article")
    body = main if main is not None and len(main.text_content().split()) >= 50 else root
    return _walk_text(body)

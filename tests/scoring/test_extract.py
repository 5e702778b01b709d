"""Text extraction, and bad input: a clear error or an all-none scorecard, never a crash or hang."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from scoring import ExtractionError, extract_text
from scoring.extract import sniff_type

CORPUS = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "corpus"


def make_pdf(text: str, encrypt: str | None = None) -> bytes:
    from reportlab.lib import pdfencrypt
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    enc = pdfencrypt.StandardEncryption(encrypt, ownerPassword="owner" + encrypt) if encrypt else None
    c = canvas.Canvas(buf, pagesize=A4, encrypt=enc)
    y = 800
    for line in text.split("\n"):
        c.drawString(50, y, line)
        y -= 16
    c.save()
    return buf.getvalue()


def test_html_chrome_dropped_headings_and_tables_kept():
    text = extract_text((CORPUS / "civic-renewal.html").read_bytes(), "text/html; charset=utf-8",
                        "https://civic.example/privacy")
    assert "Privacy notice" in text and "Where your data comes from" in text
    assert "NationBuilder | Membership database and website (CRM)" in text
    for chrome in ("Accept all", "Our policies", "Promoted by J. Ellis", "Accessibility", "window.dataLayer"):
        assert chrome not in text, chrome


def test_pdf_text_and_wrapped_lines_rejoined():
    text = extract_text((CORPUS / "progressive-union.pdf").read_bytes(), "application/pdf", "x")
    assert "Our canvassers record your answers when we call at your home or telephone you." in text


def test_sniffing():
    assert sniff_type(b"%PDF-1.7 ...", None, "https://x.example/notice") == "pdf"
    assert sniff_type(b"<html><body>x</body></html>", None, "https://x.example/notice") == "html"
    assert sniff_type(b"# Title", None, "notes.md") == "markdown"
    assert sniff_type(b"whatever", "application/pdf", "x.html") == "pdf"
    assert sniff_type(b"<p>x</p>", "text/html", "x.txt") == "html"


def test_markdown_and_text_as_they_are():
    raw = (CORPUS / "northern-lights.md").read_bytes()
    assert extract_text(raw, None, "northern-lights.md") == raw.decode("utf-8")


def test_a_markdown_link_reads_as_its_text_so_its_address_earns_nothing(scorer):
    # Real notice: "[please click here](http://www.lotame.com/opt-out-preference-manager)"
    # was credited as a data right and as profiling, from the words of the address.
    raw = ("If you'd like to stop this site collecting information that provides more tailored ads "
           "to you, [please click here](http://ads.example/opt-out-preference-manager).\n"
           "![Our logo](logo.png) Write to [privacy@party.example](mailto:privacy@party.example) "
           "or see [](https://party.example/privacy).\n").encode()
    text = extract_text(raw, None, "notice.md")
    assert text == ("If you'd like to stop this site collecting information that provides more tailored ads "
                    "to you, please click here.\n"
                    " Write to privacy@party.example or see https://party.example/privacy.\n")
    card = scorer.score_texts([("notice.md", "privacy_notice", text)])
    assert [e.credit for e in card.step("rights").elements if e.id == "other-rights"] == ["none"]


def test_a_link_glued_to_the_word_before_it_reads_apart(scorer):
    # archived copies lose the space before a link: "This version of the[Privacy policy](...)"
    raw = ("This version of the[Privacy policy](https://party.example/privacy) was approved in October 2025.\n"
           "For questions, please contact[privacy@party.example](mailto:privacy@party.example).\n").encode()
    text = extract_text(raw, None, "notice.md")
    assert text == ("This version of the Privacy policy was approved in October 2025.\n"
                    "For questions, please contact privacy@party.example.\n")
    # a link after a space or a bracket is left as it is
    assert extract_text(b"See [our policy](https://x.example) or ([here](https://y.example)).\n", None,
                        "n.md") == "See our policy or (here).\n"


REQUESTS_BY_EMAIL_LINK = ("If you want to exercise any of the rights described above, you should contact the "
                          "party's {link}.")


@pytest.mark.parametrize("kind", ["markdown", "html"])
def test_an_email_link_reads_with_the_address_it_opens(scorer, kind):
    # Real notices: "contact the University's [Information Compliance Team](mailto:data.protection@...)"
    # read as "contact the University's Information Compliance Team", with nowhere to write, so
    # the route for rights requests was only partial.
    href = "mailto:data.protection@party.example?subject=Privacy%20enquiry"
    if kind == "markdown":
        raw, name = REQUESTS_BY_EMAIL_LINK.format(link=f"[Data Protection Officer]({href})").encode(), "n.md"
    else:
        raw, name = ("<html><body><p>" + REQUESTS_BY_EMAIL_LINK.format(
            link=f'<a href="{href}">Data Protection Officer</a>') + "</p></body></html>").encode(), "n.html"
    text = extract_text(raw, None, name)
    assert text == REQUESTS_BY_EMAIL_LINK.format(link="Data Protection Officer (data.protection@party.example)")
    card = scorer.score_texts([(name, "privacy_notice", text)])
    exercise = next(e for e in card.step("rights").elements if e.id == "how-to-exercise")
    assert exercise.credit == "full" and "(data.protection@party.example)" in exercise.evidence[0].quote


@pytest.mark.parametrize("raw, name, expected", [
    # the link's text is the address already: it is not said twice
    (b"Write to [privacy@party.example](mailto:privacy@party.example).", "n.md", "Write to privacy@party.example."),
    (b'<p>Write to <a href="mailto:privacy@party.example">privacy@party.example</a>.</p>', "n.html",
     "Write to privacy@party.example."),
    # a link that opens no address adds nothing
    (b"Write to [our office](mailto:?subject=Hello).", "n.md", "Write to our office."),
    (b'<p>Visit <a href="https://party.example/contact">our office</a>.</p>', "n.html", "Visit our office."),
])
def test_an_email_link_adds_its_address_only_when_the_reader_does_not_see_it(raw, name, expected):
    assert extract_text(raw, None, name) == expected


# ------------------------------------------------------------------ bad input

def test_empty_file_scores_all_none(scorer):
    assert extract_text(b"", None, "empty.html") == ""
    assert extract_text(b"   \n ", None, "empty.txt") == ""
    card = scorer.score_texts([("empty.html", "privacy_notice", "")])
    # every element answered from the text has nothing; the one answered from spending
    # returns (none given) is not counted
    assert {e.id: e.credit for s in card.steps for e in s.elements if e.credit != "none"} == {
        "paid-suppliers-named": "n/a"}


@pytest.mark.timeout(60)  # a hang fails here, not after the suite-wide 300 s
def test_twenty_megabytes_of_text_is_a_clear_error():
    raw = (b"We keep your data safe and sound in a big box. " * 440_000)[: 20 * 1024 * 1024]
    with pytest.raises(ExtractionError, match=r"too long: 20,\d{3},\d{3} characters of text \(limit 5,000,000\)"):
        extract_text(raw, "text/plain", "big.txt")


def test_binary_garbage_is_a_clear_error():
    with pytest.raises(ExtractionError, match="binary"):
        extract_text(os.urandom(200_000), None, "https://x.example/notice")
    with pytest.raises(ExtractionError, match="binary"):
        extract_text(os.urandom(5_000), "text/html", "x.html")


def test_invalid_utf8_is_replaced_not_a_crash(scorer):
    raw = "We use the electoral register. Caf\u00e9 ".encode("utf-8") + b"\xff\xfe\xc3(" + b" more text."
    text = extract_text(raw, "text/plain", "bad.txt")
    assert "electoral register" in text and "\ufffd" in text
    cp1252 = "Our \u201cprivacy\u201d notice \u2013 we use the electoral roll.".encode("cp1252")
    assert "\u201cprivacy\u201d" in extract_text(cp1252, None, "x.txt")
    html = b"<html><body><main><p>We use the electoral register \xff\xfe.</p></main></body></html>"
    assert "electoral register" in extract_text(html, "text/html", "x.html")
    card = scorer.score_texts([("bad.txt", "privacy_notice", text)])
    assert card.step("data-sources").elements[0].credit == "full"


@pytest.mark.timeout(60)  # a parser that recursed or backtracked on the nesting would hang here
def test_ten_thousand_deep_nested_html_is_bounded(scorer):
    raw = ("<html><body>" + "<div>" * 10_000 + "<p>We use the electoral register.</p>" + "</div>" * 10_000
           + "</body></html>").encode()
    text = extract_text(raw, "text/html", "deep.html")
    assert text == "We use the electoral register."
    card = scorer.score_texts([("deep.html", "privacy_notice", text)])
    assert card.step("data-sources").elements[0].credit == "full"


def test_encrypted_pdf_is_a_clear_error():
    raw = make_pdf("We use the electoral register.", encrypt="secret")
    with pytest.raises(ExtractionError, match="encrypted"):
        extract_text(raw, "application/pdf", "locked.pdf")


def test_truncated_pdf_is_a_clear_error():
    raw = make_pdf("We use the electoral register.\nWe do not buy data from data brokers.")
    with pytest.raises(ExtractionError, match="PDF"):
        extract_text(raw[: len(raw) // 3], "application/pdf", "cut.pdf")
    with pytest.raises(ExtractionError, match="PDF"):
        extract_text(b"%PDF-1.4\n%garbage", None, "cut.pdf")


def test_unencrypted_generated_pdf_reads():
    raw = make_pdf("We use the electoral register.")
    assert "electoral register" in extract_text(raw, None, "ok.pdf")


def test_oversized_raw_is_refused():
    with pytest.raises(ExtractionError, match="too large"):
        extract_text(b"a" * (26 * 1024 * 1024), None, "x.txt")


def test_a_wrapper_named_like_chrome_keeps_the_notice():
    # Real WordPress themes wrap the page in "content-sidebar-wrap": dropping it as a
    # sidebar lost the whole notice of a real party site.
    body = "<p>We keep your donation records for seven years, as the law requires.</p>" * 20
    raw = (f'<html><body><div class="content-sidebar-wrap"><div class="entry-content">{body}</div>'
           f'<div class="sidebar"><p>Donate now</p></div></div></body></html>').encode()
    text = extract_text(raw, "text/html", "https://party.example/privacy")
    assert text.count("seven years") == 20
    assert "Donate now" not in text


DEFINITION_LIST_PAGE = b"""<html><body><main><h1>Privacy Policy</h1>
<h2>Data Retention</h2>
<dl><dt>Volunteer records</dt><dd>Three years after the election</dd>
<dt>Email subscribers</dt><dd>Until you unsubscribe</dd></dl>
</main></body></html>"""


def test_a_definition_list_reads_as_term_and_definition_pairs(scorer):
    text = extract_text(DEFINITION_LIST_PAGE, "text/html", "https://party.example/privacy")
    assert "- Volunteer records: Three years after the election" in text.splitlines()
    assert "- Email subscribers: Until you unsubscribe" in text.splitlines()
    card = scorer.score_texts([("https://party.example/privacy", "privacy_notice", text)])
    periods = [e for e in card.step("retention").elements if e.id == "periods"][0]
    # one period (partial): its row is the quote, with its term
    assert periods.credit == "partial"
    assert [ev.quote for ev in periods.evidence] == ["- Volunteer records: Three years after the election"]

"""Finding a party's documents among the links of its pages, and naming their kind.

A link is followed when its text or its URL means a privacy notice or policy, data
protection, "how we use your data", cookies, suppliers, processors or third parties,
transparency, imprints or an ad library. Its kind is then one of privacy_notice,
supplier_list, cookie_policy or other.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

# Each kind's phrases; checked in this order, so "suppliers and processors we share
# data with" is a supplier list, and "privacy and cookies" is a privacy notice.
_SUPPLIERS = re.compile(
    r"supplier|processor|sub-?processor|third[\s_-]*part(y|ies)|data[\s_-]*partners?|"
    r"who we share|sharing (your )?data|organisations we work with|companies we work with|"
    r"service providers?",
    re.I,
)
_PRIVACY = re.compile(
    r"privacy|data[\s_-]*protection|gdpr|personal[\s_-]*(data|information)|"
    r"how we (use|handle|process|look after) (your )?(data|information|personal)|"
    r"your (data|information)( rights)?|data[\s_-]*(policy|notice|rights)|fair[\s_-]*processing",
    re.I,
)
_COOKIES = re.compile(r"cookie", re.I)
_OTHER = re.compile(
    r"transparen|imprint|ad[\s_-]*library|advert(ising|s)?[\s_-]*(library|archive|transparency)|"
    r"political[\s_-]*ads?|promoted[\s_-]*by|legal",
    re.I,
)

# Links that are never documents whatever their text says.
_SKIP_SCHEMES = ("mailto:", "tel:", "javascript:", "data:")
_SKIP_EXTENSIONS = re.compile(
    r"\.(png|jpe?g|gif|svg|webp|ico|css|js|mp[34]|mov|avi|zip|gz|docx?|xlsx?|pptx?)$", re.I
)


def _url_words(url: str) -> str:
    """The path and query of a URL as words: /privacy-notice/ -> ' privacy notice '."""
    parts = urlsplit(url)
    return re.sub(r"[/_\-.?=&+%]+", " ", unquote(f"{parts.path} {parts.query}"))


def classify(text: str, url: str) -> str | None:
    """The kind of document a link points to, or None when it is not worth following."""
    if url.lower().startswith(_SKIP_SCHEMES) or _SKIP_EXTENSIONS.search(urlsplit(url).path):
        return None
    for haystack in (" ".join(text.split()), _url_words(url)):
        if not haystack.strip():
            continue
        if _SUPPLIERS.search(haystack):
            return "supplier_list"
        if _COOKIES.search(haystack) and not _PRIVACY.search(haystack):
            return "cookie_policy"
        if _PRIVACY.search(haystack):
            return "privacy_notice"
        if _OTHER.search(haystack):
            return "other"
    return None

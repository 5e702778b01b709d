"""Where the published report keeps each stored version, diff and feed.

These paths are a contract: the report writes its pages there, and the report's evidence
links, the export's `version_path` column and the bot's /why (given the site's URL) point
there. A version page is named by the snapshot id, which never changes once stored, and a
quote is anchored by its character offsets into that snapshot's extracted text, so a
link made today still finds the same sentence after the party edits its page.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

VERSIONS_DIR = "versions"
DIFFS_DIR = "diffs"
FEEDS_DIR = "feeds"
ALL_PARTIES_FEED = "all"


def version_path(snapshot_id: int) -> str:
    """'versions/42.html': the page of one stored version, relative to the site root."""
    return f"{VERSIONS_DIR}/{int(snapshot_id)}.html"


def quote_anchor(start: int, end: int) -> str:
    """'q-120-245': the id of a quoted sentence on its version page."""
    return f"q-{int(start)}-{int(end)}"


def evidence_path(snapshot_id: int | None, start: int | None, end: int | None) -> str | None:
    """'versions/42.html#q-120-245', or None for evidence that names no snapshot (or names
    it with something other than a number: a hand-edited row must not stop an export)."""
    try:
        if snapshot_id is None:
            return None
        if start is None or end is None:
            return version_path(snapshot_id)
        return f"{version_path(snapshot_id)}#{quote_anchor(start, end)}"
    except (TypeError, ValueError):
        return None


def diff_path(old_snapshot_id: int, new_snapshot_id: int) -> str:
    """'diffs/41-42.html': what changed between two consecutive versions of a document."""
    return f"{DIFFS_DIR}/{int(old_snapshot_id)}-{int(new_snapshot_id)}.html"


def page_name(party_id: str) -> str:
    """A file name for a party's pages; ids are [a-z0-9-] but a hand-edited DB may differ."""
    return re.sub(r"[^a-z0-9-]+", "_", party_id.lower()) or "party"


def feed_path(party_id: str | None = None) -> str:
    """'feeds/all.atom' for every party, 'feeds/snp.atom' for one."""
    name = ALL_PARTIES_FEED if party_id is None else page_name(party_id)
    if party_id is not None and name == ALL_PARTIES_FEED:
        name = "party-all"  # a party called "all" must not overwrite the all-parties feed
    return f"{FEEDS_DIR}/{name}.atom"


def check_site_url(url: str) -> str:
    """The published site's URL, normalised to end in '/'; ValueError unless http(s)."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"the site URL must be an http(s) URL such as https://example.org/partywatch/, "
                         f"got {url!r}")
    return url if url.endswith("/") else url + "/"


def published_url(site_url: str, path: str) -> str:
    """A site path made absolute under the published site's URL."""
    return check_site_url(site_url) + path

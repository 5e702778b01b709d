"""Reading the static report's pages: their links and tags, and headless Chromium."""

from __future__ import annotations

import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

CHROMIUM = next((shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome")
                 if shutil.which(name)), None)


class Page(HTMLParser):
    """Collects the links, images and tags of a page."""

    def __init__(self):
        super().__init__()
        self.links, self.images, self.tags = [], [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        if tag == "a" and "href" in attrs:
            self.links.append(attrs["href"])
        if tag == "img":
            self.images.append(attrs)
        if tag == "link":
            self.links.append(attrs["href"])


def parse(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def chromium(*args: str, tmp_path: Path) -> subprocess.CompletedProcess:
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    profile.mkdir()
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
               "--no-first-run", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", f"--user-data-dir={profile}", "--hide-scrollbars", *args]
    # (Headless --dump-dom/--screenshot themselves need scripting on, so "works without
    # JavaScript" is checked instead by the pages having no <script> at all.)
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def assert_screenshot(path: Path, min_width: int):
    import matplotlib.image

    assert path.is_file() and path.stat().st_size > 10_000, f"no screenshot at {path}"
    pixels = matplotlib.image.imread(str(path))
    height, width = pixels.shape[:2]
    assert width >= min_width and height > 500
    assert pixels[..., :3].std() > 0.05, "the screenshot is blank"

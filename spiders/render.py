"""Rendering pages in headless Chromium, for parties whose notice is written by JavaScript.

Opt-in per party or per document (`render: true` in parties.yaml). A rendered request goes
through scrapy like any other — the allowed-hosts middleware, robots.txt, the per-host
delay — and is then downloaded by scrapy-playwright in the Chromium of Debian's `chromium`
package (never a browser downloaded by Playwright). The response is the page's DOM after
its scripts ran.

Inside the browser, every request the page makes (the page itself, its scripts, their
fetches) passes through a guard (RenderGuard) that applies the plain crawl's rules:
only the party's named hosts, only what their robots.txt allows, nothing larger than the
size cap, redirects followed by the guard itself (Chromium does not show a redirect's
target to request interception) and only to allowed places. Images, fonts, stylesheets
and media are never requested: they add no text. A page whose guard could not be installed
gets every request refused (ABORT_UNGUARDED), so a failure fails closed.

The playwright and scrapy-playwright packages are the optional `render` extra.
"""

from __future__ import annotations

import importlib.util
import os
from urllib.parse import urljoin

from spiders.hosts import AllowedHosts

CHROMIUM_ENV = "PARTYWATCH_CHROMIUM"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
# Resource types a page's text can depend on; everything else is refused.
RENDER_RESOURCE_TYPES = ("document", "script", "xhr", "fetch")
REDIRECT_STATUSES = (301, 302, 303, 307, 308)


class RenderUnavailable(Exception):
    """Rendering was asked for but cannot run here; the message says how to fix it."""


def chromium_path() -> str:
    return os.environ.get(CHROMIUM_ENV) or DEFAULT_CHROMIUM


def check_render_available(path: str | None = None) -> None:
    """Raise RenderUnavailable unless scrapy-playwright and a Chromium binary are installed."""
    path = path or chromium_path()
    if importlib.util.find_spec("scrapy_playwright") is None:
        raise RenderUnavailable(
            "parties.yaml asks for rendering (render: true), which needs the optional 'render' "
            "extra: pip install 'partywatch[render]'")
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        raise RenderUnavailable(
            f"parties.yaml asks for rendering (render: true), but there is no Chromium at {path}: "
            f"install Debian's 'chromium' package (apt-get install chromium) or set "
            f"{CHROMIUM_ENV} to the browser's path")


def render_settings(path: str, timeout: float) -> dict:
    """The scrapy settings that send requests with meta 'playwright' to Chromium."""
    handler = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"
    return {
        "DOWNLOAD_HANDLERS": {"http": handler, "https": handler},
        "PLAYWRIGHT_BROWSER_TYPE": "chromium",
        "PLAYWRIGHT_LAUNCH_OPTIONS": {"executable_path": path, "headless": True},
        "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": timeout * 1000,
        # A handful of pages at once: Chromium pages are heavy, and rendering is for the
        # few sites that need it.
        "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": 4,
        "PLAYWRIGHT_ABORT_REQUEST": ABORT_UNGUARDED,
    }


def abort_unguarded(request) -> bool:
    """scrapy-playwright's own route handler only sees a request the guard did not take:
    the guard is missing, so refuse it."""
    return True


ABORT_UNGUARDED = f"{__name__}.abort_unguarded"


class RenderGuard:
    """Decides and performs every network request of one rendered page."""

    def __init__(self, allowed: AllowedHosts, robot_parser, *, user_agent: str, maxsize: int,
                 timeout: float, max_redirects: int, stats=None):
        self.allowed = allowed
        self.robot_parser = robot_parser  # async (url) -> scrapy RobotParser | None
        self.user_agent = user_agent
        self.maxsize = maxsize
        self.timeout_ms = timeout * 1000
        self.max_redirects = max_redirects
        self.stats = stats

    async def install(self, page, request) -> None:
        """scrapy-playwright's page init callback: the guard takes every request of the page."""
        await page.route("**/*", self.handle)

    async def refusal(self, url: str) -> str | None:
        """Why the page may not request `url`, or None when it may."""
        # Only the hosts named in parties.yaml: a subdomain would need a DNS check the
        # browser could undo by resolving again.
        if self.allowed.decide(url) != "named":
            return "not a host of the party"
        parser = await self.robot_parser(url)
        if parser is not None and not parser.allowed(url, self.user_agent):
            return "forbidden by robots.txt"
        return None

    async def handle(self, route, request) -> None:
        if request.resource_type not in RENDER_RESOURCE_TYPES:
            return await self._refuse(route, request.url, f"not needed for text ({request.resource_type})")
        url = request.url
        headers = {**request.headers, "user-agent": self.user_agent}
        for _ in range(self.max_redirects + 1):
            reason = await self.refusal(url)
            if reason:
                return await self._refuse(route, url, reason)
            response = await route.fetch(url=url, headers=headers, max_redirects=0,
                                         timeout=self.timeout_ms)
            location = response.headers.get("location")
            if response.status in REDIRECT_STATUSES and location:
                url = urljoin(url, location)
                continue
            body = await response.body()
            if len(body) > self.maxsize:
                return await self._refuse(route, url, "larger than the size cap")
            return await route.fulfill(response=response, body=body)
        return await self._refuse(route, url, "too many redirects")

    async def _refuse(self, route, url: str, reason: str) -> None:
        if self.stats is not None:
            self.stats.inc_value(f"partywatch/render/refused/{reason.split(' (')[0]}")
        await route.abort("blockedbyclient")

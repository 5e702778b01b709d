"""Scrapy settings for partywatch crawls, in one place.

Politeness first: robots.txt is obeyed, each host (host:port) gets one request at a time
with a delay between them, responses are capped in size, and the User-Agent names the
project with a contact URL. Many parties are crawled concurrently, because each host has
its own download slot.

A few values can be tuned from the environment (the crawl subprocess inherits it), which
is how tests and benchmarks make the crawl fast without touching the code:

    PARTYWATCH_CRAWL_DELAY      seconds between two requests to one host (default 1.0)
    PARTYWATCH_CRAWL_MAXSIZE    response size cap in bytes (default 10 MB)
    PARTYWATCH_CRAWL_TIMEOUT    per-request timeout in seconds (default 30)
    PARTYWATCH_CRAWL_RETRIES    retries after a 5xx or a timeout (default 2)
"""

from __future__ import annotations

import os

from importlib.metadata import PackageNotFoundError, version

try:
    _version = version("partywatch")
except PackageNotFoundError:  # running from a checkout that was never installed
    _version = "dev"

CONTACT_URL = "https://github.com/partywatch/partywatch"
USER_AGENT = f"partywatch/{_version} (+{CONTACT_URL}; civic transparency research)"

DEFAULT_DELAY = 1.0
DEFAULT_MAXSIZE = 10 * 1024 * 1024
DEFAULT_TIMEOUT = 30.0
DEFAULT_RETRIES = 2
# Links are followed from the homepage to this depth (homepage = 0).
DISCOVERY_DEPTH = 2


def _env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value not in (None, "") else default


def crawl_settings(
    *,
    delay: float | None = None,
    maxsize: int | None = None,
    timeout: float | None = None,
    retries: int | None = None,
    log_level: str = "WARNING",
) -> dict:
    """The scrapy settings of a partywatch crawl; arguments override the environment."""
    delay = _env_float("PARTYWATCH_CRAWL_DELAY", DEFAULT_DELAY) if delay is None else delay
    maxsize = int(_env_float("PARTYWATCH_CRAWL_MAXSIZE", DEFAULT_MAXSIZE)) if maxsize is None else maxsize
    timeout = _env_float("PARTYWATCH_CRAWL_TIMEOUT", DEFAULT_TIMEOUT) if timeout is None else timeout
    retries = int(_env_float("PARTYWATCH_CRAWL_RETRIES", DEFAULT_RETRIES)) if retries is None else retries
    return {
        "BOT_NAME": "partywatch",
        "USER_AGENT": USER_AGENT,
        "ROBOTSTXT_OBEY": True,
        # One request at a time per host, many hosts at once. Requests waiting out a
        # host's delay count against CONCURRENT_REQUESTS, so it must exceed the number of
        # hosts or the delay of one host would hold back all the others.
        "DOWNLOAD_DELAY": delay,
        "DOWNLOAD_DELAY_JITTER": 0,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
        "CONCURRENT_REQUESTS": 1024,
        "SCHEDULER_PRIORITY_QUEUE": "scrapy.pqueues.DownloaderAwarePriorityQueue",
        "AUTOTHROTTLE_ENABLED": False,
        # Scrapy starts this many asyncio workers for the output of every response; a page
        # yields a handful of links and at most one item, and 100 idle workers per page
        # were most of the crawl's CPU time at 200 sites.
        "CONCURRENT_ITEMS": 4,
        "DOWNLOAD_MAXSIZE": maxsize,
        "DOWNLOAD_WARNSIZE": 0,
        "DOWNLOAD_TIMEOUT": timeout,
        "RETRY_ENABLED": True,
        "RETRY_TIMES": retries,
        "RETRY_HTTP_CODES": [500, 502, 503, 504, 522, 524, 408, 429],
        "REDIRECT_MAX_TIMES": 5,
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": log_level,
        # Our own spider middleware stack: depth is tracked by the spider itself.
        "DEPTH_LIMIT": 0,
        "DOWNLOADER_MIDDLEWARES": {
            # Runs before robots.txt (100), so a robots.txt of a host that is not allowed
            # is never fetched either.
            "spiders.middlewares.AllowedHostsMiddleware": 50,
        },
        "ITEM_PIPELINES": {"spiders.pipelines.HistoryPipeline": 300},
        "SPIDER_MODULES": ["spiders.spider"],
    }

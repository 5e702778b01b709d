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

# What makes a response a bot-protection challenge (`blocked`) or a JavaScript shell
# (`unreadable`) rather than the party's page; see spiders.pagecheck. A challenge is a
# response with one of CHALLENGE_HEADERS, or one of the markers in its first bytes when
# its status is a challenge status or, for a 200, when its text is short (a notice that
# mentions "enable JavaScript and cookies" in its cookie section is still a notice).
PAGE_CHECK_SETTINGS = {
    "PARTYWATCH_CHALLENGE_STATUSES": [403, 429, 503],
    "PARTYWATCH_CHALLENGE_MARKERS": [
        "Just a moment...",                     # Cloudflare
        "Enable JavaScript and cookies to continue",
        "Checking your browser before accessing",
        "cf-browser-verification",
        "/cdn-cgi/challenge-platform/",
        "Attention Required! | Cloudflare",
        "DDoS protection by",
        "Incapsula incident ID",                # Imperva
        "_Incapsula_Resource",
        "Sucuri WebSite Firewall",
        "captcha-delivery.com",                 # DataDome
        "px-captcha",                           # HUMAN (PerimeterX)
        "Verify you are human",
    ],
    "PARTYWATCH_CHALLENGE_HEADERS": {"cf-mitigated": "challenge"},
    "PARTYWATCH_CHALLENGE_MAX_WORDS": 150,
    "PARTYWATCH_CHALLENGE_SCAN_BYTES": 65536,
    # A page is a JavaScript shell when it has fewer content words than this (nav, header,
    # footer and forms not counted) and at least SCRIPT_TEXT_RATIO times as much script as
    # text, an external script counting as EXTERNAL_SCRIPT_CHARS characters.
    "PARTYWATCH_UNREADABLE_MAX_WORDS": 100,
    "PARTYWATCH_SCRIPT_TEXT_RATIO": 2.0,
    "PARTYWATCH_EXTERNAL_SCRIPT_CHARS": 2000,
}


def _env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value not in (None, "") else default


# Components these settings switch off anyway (cookies, telnet, feeds, job state, ...).
# Scrapy imports every component named in EXTENSIONS, DOWNLOADER_MIDDLEWARES,
# SPIDER_MIDDLEWARES and DOWNLOAD_HANDLERS, even one set to None there (it loads each key to
# match it with its default): the cookies middleware imports tldextract and requests, the
# remote control aiohttp, the S3 and FTP handlers botocore and twisted.protocols.ftp;
# together ~18 MB of the crawl process's memory. So they are left out of scrapy's own
# *_BASE defaults instead (lean_components), which scrapy does not load.
NOT_LOADED_MIDDLEWARES = ("scrapy.downloadermiddlewares.cookies.CookiesMiddleware",
                          "scrapy.downloadermiddlewares.httpcache.HttpCacheMiddleware")
# Per-request work nothing reads: the downloader's byte counts (it serialises every request
# and response again to count them), depth bookkeeping (the spider tracks depth itself)
# and the check for meta copied from a response to a request (a development aid). Each
# spider middleware also wraps every page's output in one more async generator. Together
# a few per cent of the crawl's CPU time per page.
# The offsite and HTTP auth middlewares act only for a spider with allowed_domains or
# http_user, which PartySpider has not (spiders.middlewares keeps the crawl on its hosts).
UNUSED_DOWNLOADER_MIDDLEWARES = ("scrapy.downloadermiddlewares.stats.DownloaderStats",
                                 "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware",
                                 "scrapy.downloadermiddlewares.httpauth.HttpAuthMiddleware")
UNUSED_SPIDER_MIDDLEWARES = ("scrapy.spidermiddlewares.depth.DepthMiddleware",
                             "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware")
NOT_LOADED_EXTENSIONS = tuple(f"scrapy.extensions.{name}" for name in (
    "telnet.TelnetConsole", "remote_control.RemoteControl", "feedexport.FeedExporter",
    "memdebug.MemoryDebugger", "spiderstate.SpiderState", "throttle.AutoThrottle"))
# Only http and https are crawled (spiders.middlewares refuses any other URL).
CRAWLED_SCHEMES = ("http", "https")


def lean_components() -> dict:
    """Scrapy's default components without those a partywatch crawl never uses, as the
    *_BASE settings (imports scrapy: for the crawl process only)."""
    from scrapy.settings import default_settings

    def without(name: str, left_out) -> dict:
        return {k: v for k, v in getattr(default_settings, name).items() if k not in left_out}

    return {
        "EXTENSIONS_BASE": without("EXTENSIONS_BASE", NOT_LOADED_EXTENSIONS),
        "DOWNLOADER_MIDDLEWARES_BASE": without("DOWNLOADER_MIDDLEWARES_BASE",
                                               NOT_LOADED_MIDDLEWARES + UNUSED_DOWNLOADER_MIDDLEWARES),
        "SPIDER_MIDDLEWARES_BASE": without("SPIDER_MIDDLEWARES_BASE", UNUSED_SPIDER_MIDDLEWARES),
        "DOWNLOAD_HANDLERS_BASE": {k: v for k, v in default_settings.DOWNLOAD_HANDLERS_BASE.items()
                                   if k in CRAWLED_SCHEMES},
    }


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
        # Scrapy starts this many asyncio workers (tasks) for the output of every response;
        # a page yields a handful of links and at most one item, which one worker passes on
        # as fast. 100 idle workers per page were most of the crawl's CPU time at 200 sites;
        # 4 still cost three tasks per page for nothing.
        "CONCURRENT_ITEMS": 1,
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
        "ITEM_PIPELINES": {"spiders.handover.HandOverPipeline": 300},
        "SPIDER_MODULES": ["spiders.spider"],
        **PAGE_CHECK_SETTINGS,
    }

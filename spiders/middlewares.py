"""A downloader middleware that keeps every request on the party's allowed hosts.

It checks each request as it reaches the downloader — the spider's own requests,
redirects and robots.txt fetches alike — so a redirect to another site, another port or a
private address is refused even though the spider never linked there. It also gives each
host:port its own download slot, so the per-host delay and concurrency apply per site even
when several sites share one IP address.
"""

from __future__ import annotations

from scrapy.exceptions import IgnoreRequest
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.threads import deferToThread

from spiders.hosts import host_key, is_public_address, resolve


class HostNotAllowed(IgnoreRequest):
    """The request's host is not one the party's crawl may visit."""


class AllowedHostsMiddleware:
    def __init__(self, crawler):
        self.crawler = crawler
        self._public: dict[str, bool] = {}  # hostname -> resolves only to public IPs

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def _resolves_public(self, host: str) -> bool:
        if host not in self._public:
            # getaddrinfo blocks: run it off the reactor thread.
            addresses = await maybe_deferred_to_future(deferToThread(resolve, host))
            self._public[host] = bool(addresses) and all(map(is_public_address, addresses))
        return self._public[host]

    async def process_request(self, request):
        key = host_key(request.url)
        if key is None:
            raise HostNotAllowed(f"not an http(s) URL: {request.url}")
        request.meta["download_slot"] = key
        spider = self.crawler.spider
        party = request.meta.get("party_id")
        if party is not None:
            decisions = [spider.allowed_hosts[party].decide(request.url)]
        elif key in spider.named_hosts:  # robots.txt of a host named in parties.yaml
            return None
        else:  # robots.txt of a subdomain: its page passed this check first
            decisions = [a.decide(request.url) for a in spider.allowed_hosts.values()]
        if "named" in decisions:
            return None
        if "needs-public-dns" in decisions and await self._resolves_public(key.rpartition(":")[0]):
            return None
        where = "redirected to" if request.meta.get("redirect_urls") else "link to"
        raise HostNotAllowed(f"{where} {key}, which is not a host of party {party!r}")

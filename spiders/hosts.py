"""Which hosts a party's crawl may visit.

A host is identified by host:port (all test sites share 127.0.0.1 on different ports).
A party's crawl may visit:

- exactly the host:port of its homepage and of each document URL in parties.yaml, even
  when that is a loopback or private address (that is how tests and the demo run);
- subdomains of those named hosts (www.example.org when example.org is named, and the
  other way round), but only when they resolve to public addresses.

Anything else — another site, another port, an IP literal, a private, loopback or
link-local address — is never requested, also when a redirect points there.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass, field
from urllib.parse import urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443}


def host_key(url: str) -> str | None:
    """'host:port' of a URL, lowercased, with the scheme's default port filled in."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    return f"{parts.hostname.lower()}:{port or DEFAULT_PORTS[parts.scheme]}"


def _split(key: str) -> tuple[str, str]:
    host, _, port = key.rpartition(":")
    return host, port


def is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def is_public_address(address: str) -> bool:
    """False for private, loopback, link-local, multicast, reserved and unspecified IPs."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def resolve(host: str) -> list[str]:
    """Every address a hostname resolves to (empty if it does not resolve)."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError, OSError):
        return []
    return sorted({info[4][0] for info in infos})


def _strip_www(host: str) -> str:
    return host[4:] if host.startswith("www.") else host


@dataclass
class AllowedHosts:
    """The hosts one party's crawl may visit; see the module docstring."""

    named: set[str] = field(default_factory=set)  # host:port keys from parties.yaml

    @classmethod
    def from_urls(cls, urls) -> "AllowedHosts":
        return cls({key for key in map(host_key, urls) if key})

    def decide(self, url: str) -> str:
        """'named', 'needs-public-dns' (a subdomain; allowed only if it resolves to public
        addresses) or 'no'."""
        key = host_key(url)
        if key is None:
            return "no"
        if key in self.named:
            return "named"
        host, port = _split(key)
        if is_ip_literal(host):
            return "no"
        for named in self.named:
            named_host, named_port = _split(named)
            if is_ip_literal(named_host) or named_host in ("localhost",):
                continue
            if port not in (named_port, "80", "443"):
                continue
            base = _strip_www(named_host)
            if host == base or host.endswith("." + base):
                return "needs-public-dns"
        return "no"

    def may_follow(self, url: str) -> bool:
        """A cheap check for links: never follows what `decide` rules out."""
        return self.decide(url) != "no"

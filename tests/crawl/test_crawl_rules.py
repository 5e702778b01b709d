"""Which links are followed and which hosts a party's crawl may visit (no network)."""

import pytest

from spiders.discovery import classify
from spiders.hosts import AllowedHosts, host_key, is_public_address


@pytest.mark.parametrize("text, url, kind", [
    ("Privacy notice", "/p1", "privacy_notice"),
    ("Privacy policy", "/p2", "privacy_notice"),
    ("How we use your data", "/p3", "privacy_notice"),
    ("Data protection", "/p4", "privacy_notice"),
    ("Your data rights", "/p5", "privacy_notice"),
    ("Read more", "/privacy-notice/", "privacy_notice"),
    ("Privacy and cookies", "/p6", "privacy_notice"),
    ("Cookie policy", "/c", "cookie_policy"),
    ("Our suppliers", "/s1", "supplier_list"),
    ("Data processors we use", "/s2", "supplier_list"),
    ("Third parties we share data with", "/s3", "supplier_list"),
    ("Transparency", "/t", "other"),
    ("Imprint", "/i", "other"),
    ("Ad library", "/a", "other"),
    ("Join us", "/join", None),
    ("Donate", "/donate", None),
    ("Privacy", "mailto:dpo@example.org", None),
    ("Privacy banner", "/img/privacy.png", None),
])
def test_links_are_classified_by_their_text_or_url(text, url, kind):
    assert classify(text, url) == kind


def test_named_hosts_are_allowed_by_host_and_port_even_on_loopback():
    allowed = AllowedHosts.from_urls(["http://127.0.0.1:8001/", "http://127.0.0.1:8001/privacy"])
    assert allowed.decide("http://127.0.0.1:8001/anything") == "named"
    assert allowed.decide("http://127.0.0.1:8002/privacy") == "no"  # another port: another site
    assert allowed.decide("http://localhost:8001/privacy") == "no"
    assert allowed.decide("http://10.0.0.1/privacy") == "no"
    assert allowed.decide("http://169.254.169.254/latest/meta-data") == "no"
    assert allowed.decide("ftp://127.0.0.1:8001/x") == "no"


def test_subdomains_of_a_named_host_need_public_addresses():
    allowed = AllowedHosts.from_urls(["https://www.party.example/"])
    assert allowed.decide("https://www.party.example/privacy") == "named"
    assert allowed.decide("https://party.example/privacy") == "needs-public-dns"
    assert allowed.decide("https://data.party.example/privacy") == "needs-public-dns"
    assert allowed.decide("https://party.example.evil.test/privacy") == "no"
    assert allowed.decide("https://otherparty.example/privacy") == "no"
    assert host_key("HTTPS://WWW.Party.Example/x") == "www.party.example:443"


@pytest.mark.parametrize("address, public", [
    ("8.8.8.8", True), ("127.0.0.1", False), ("10.1.2.3", False), ("192.168.0.1", False),
    ("169.254.169.254", False), ("::1", False), ("fe80::1", False), ("::ffff:127.0.0.1", False),
    ("2606:4700:4700::1111", True), ("0.0.0.0", False), ("100.64.0.1", False),
])
def test_private_loopback_and_link_local_addresses_are_not_public(address, public):
    assert is_public_address(address) is public

"""URL canonicalisation, scope checks and file names derived from URLs."""

import pytest

from discourse.collect.urls import (
    UrlError,
    canonicalize,
    host_allowed,
    is_public_address,
    scope_problem,
)


@pytest.mark.parametrize(
    "url, canonical",
    [
        ("HTTP://Example.ORG/A", "http://example.org/A"),  # scheme and host only
        ("http://example.org:80/a", "http://example.org/a"),
        ("https://example.org:443/a", "https://example.org/a"),
        ("https://example.org:8443/a", "https://example.org:8443/a"),
        ("http://example.org", "http://example.org/"),
        ("http://example.org/a#comments", "http://example.org/a"),
        ("http://example.org/a?", "http://example.org/a"),
        ("http://example.org/a?b=2&a=1&a=0", "http://example.org/a?a=0&a=1&b=2"),
        (
            "http://example.org/a?utm_source=t&utm_Medium=x&id=7&fbclid=z&gclid=y&mc_eid=1",
            "http://example.org/a?id=7",
        ),
        ("http://example.org/a/./b/../c", "http://example.org/a/c"),
        ("http://example.org/a//b/", "http://example.org/a/b/"),
        ("http://example.org/%7euser/%e9", "http://example.org/~user/%E9"),
        ("http://example.org/caf\u00e9 bar", "http://example.org/caf%C3%A9%20bar"),
        ("http://example.org/a%2fb", "http://example.org/a%2Fb"),
        ("http://example.org/?q=big+society&x=%2B", "http://example.org/?q=big%20society&x=%2B"),
        ("http://user:pw@example.org/", "http://example.org/"),
        ("http://example.org./a", "http://example.org/a"),
        ("http://m\u00fcnchen.de/", "http://xn--mnchen-3ya.de/"),
        ("http://[::1]:8080/x", "http://[::1]:8080/x"),
    ],
)
def test_canonical_form(url, canonical):
    assert canonicalize(url) == canonical


def test_canonical_form_is_stable():
    url = "HTTP://Example.org:80/a/../b/?z=1&utm_campaign=c&a=%7e#top"
    once = canonicalize(url)
    assert once == "http://example.org/b/?a=~&z=1"
    assert canonicalize(once) == once


def test_trailing_slash_policy():
    assert canonicalize("http://example.org/a/", trailing_slash="strip") == "http://example.org/a"
    assert canonicalize("http://example.org/", trailing_slash="strip") == "http://example.org/"
    assert canonicalize("http://example.org/a/", trailing_slash="keep") == "http://example.org/a/"


def test_extra_dropped_parameters_and_kept_fragments():
    url = "http://example.org/debate?sessionid=9&day=3#speech-12"
    assert canonicalize(url, drop_params=["SessionID"]) == "http://example.org/debate?day=3"
    assert (
        canonicalize(url, drop_params=["sessionid"], keep_fragment=True)
        == "http://example.org/debate?day=3#speech-12"
    )


@pytest.mark.parametrize("url", ["ftp://example.org/x", "mailto:a@b.org", "/relative", "http://"])
def test_only_absolute_http_urls_have_a_canonical_form(url):
    with pytest.raises(UrlError):
        canonicalize(url)


def test_scope_checks():
    allowed = ["www.gov.uk", "*.parliament.uk"]
    assert scope_problem("https://gov.uk/speech", allowed) is None  # www. is optional
    assert scope_problem("https://hansard.parliament.uk/x", allowed) is None
    assert scope_problem("https://parliament.uk/x", allowed) is None
    assert scope_problem("https://evilparliament.uk/x", allowed) == (
        "host evilparliament.uk is not among the source's allowed hosts "
        "(*.parliament.uk, www.gov.uk); add it to allowed_hosts in its [sources.NAME] table "
        "to fetch it"
    )
    assert scope_problem("javascript:alert(1)", allowed) == (
        "not an http(s) URL (scheme 'javascript')"
    )
    assert not host_allowed("gov.uk.evil.org", allowed)


@pytest.mark.parametrize(
    "address, public",
    [
        ("8.8.8.8", True),
        ("151.101.0.144", True),
        ("2a04:4e42::144", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),  # cloud metadata endpoints live here
        ("::1", False),
        ("fe80::1%eth0", False),
        ("fd00::1", False),
        ("::ffff:10.0.0.1", False),
        ("0.0.0.0", False),
        ("224.0.0.1", False),
    ],
)
def test_private_loopback_and_link_local_addresses(address, public):
    assert is_public_address(address) is public

"""robots.txt matching (RFC 9309) and decoding bodies to text."""

import codecs
import gzip
import zlib

import pytest

from discourse.collect.charset import BodyTooLarge, decode, decompress, is_textual
from discourse.collect.robots import Robots

SITE = """
# a comment
User-agent: *
Disallow: /search
Disallow: /*.pdf$
Allow: /search/about
Crawl-delay: 5

User-agent: Googlebot
Disallow: /

Sitemap: https://example.org/sitemap.xml
"""


@pytest.mark.parametrize(
    "path, allowed",
    [
        ("/", True),
        ("/search", False),
        ("/search?q=big+society", False),
        ("/search/about", True),  # the longer (allow) rule wins
        ("/papers/report.pdf", False),
        ("/papers/report.pdf?download=1", True),  # $ anchors the end
        ("/robots.txt", True),
    ],
)
def test_star_group_rules(path, allowed):
    robots = Robots.parse(SITE, "discourse")
    assert robots.allows(f"https://example.org{path}") is allowed


def test_crawl_delay_of_our_group():
    assert Robots.parse(SITE, "discourse").crawl_delay == 5.0
    assert Robots.parse(SITE, "googlebot").crawl_delay is None


def test_our_group_replaces_the_star_group():
    text = "User-agent: *\nDisallow: /\n\nUser-agent: Discourse/0.1\nDisallow: /private\n"
    robots = Robots.parse(text, "discourse")
    assert robots.allows("https://example.org/speeches")
    assert not robots.allows("https://example.org/private/x")
    assert robots.crawl_delay is None


def test_groups_for_the_same_agent_merge_and_allow_wins_ties():
    text = (
        "User-agent: discourse\nUser-agent: other\nDisallow: /a\n\n"
        "User-agent: discourse\nAllow: /a\nDisallow: /b\n"
    )
    robots = Robots.parse(text, "discourse")
    assert robots.allows("https://example.org/a")  # equal length: allow wins
    assert not robots.allows("https://example.org/b")


def test_empty_disallow_and_percent_encoding():
    assert Robots.parse("User-agent: *\nDisallow:\n", "discourse").allows("https://x.org/any")
    robots = Robots.parse("User-agent: *\nDisallow: /caf%C3%A9\n", "discourse")
    assert not robots.allows("https://x.org/caf\u00e9/menu")
    assert not robots.allows("https://x.org/caf%c3%a9/menu")


def test_no_rules_allow_everything():
    assert Robots.allow_all().allows("https://x.org/anything")
    assert Robots.parse("", "discourse").allows("https://x.org/anything")


WORD_TEXT = "The Minister\u2019s \u201cBig Society\u201d would save \u00a3100m \u2013 na\u00efve?"


@pytest.mark.parametrize(
    "body, content_type, text, encoding",
    [
        (WORD_TEXT.encode("utf-8"), "text/html; charset=utf-8", WORD_TEXT, "utf-8"),
        (WORD_TEXT.encode("cp1252"), "text/html; charset=utf-8", WORD_TEXT, "utf-8+cp1252"),
        (WORD_TEXT.encode("cp1252"), "text/html", WORD_TEXT, "utf-8+cp1252"),
        (WORD_TEXT.encode("cp1252"), "text/html; charset=windows-1252", WORD_TEXT, "cp1252"),
        ("caf\u00e9".encode(), "text/html; charset=iso-8859-1", "caf\u00e9", "utf-8"),
        ("na\u00efve".encode("latin-1"), "text/plain; charset=ISO-8859-1", "na\u00efve", "cp1252"),
        (codecs.BOM_UTF8 + b"hello", "text/plain", "hello", "utf-8-sig"),
        ('{"t": "\u00a3"}'.encode(), "application/json", '{"t": "\u00a3"}', "utf-8"),
    ],
)
def test_decoding(body, content_type, text, encoding):
    assert decode(body, content_type) == (text, encoding)


def test_mixed_utf8_and_cp1252_bytes_both_survive():
    body = "caf\u00e9 ".encode() + "\u201cquoted\u201d".encode("cp1252")
    assert decode(body, "text/html")[0] == "caf\u00e9 \u201cquoted\u201d"


def test_declaration_in_the_document():
    body = '<?xml version="1.0" encoding="ISO-8859-2"?><t>\u0160koda</t>'.encode("iso-8859-2")
    assert decode(body, "application/xml") == (
        '<?xml version="1.0" encoding="ISO-8859-2"?><t>\u0160koda</t>',
        "iso8859-2",
    )


def test_non_latin_detection_is_trusted():
    text = "\u041f\u0440\u0438\u0432\u0435\u0442, \u044d\u0442\u043e \u0442\u0435\u043a\u0441\u0442 \u043d\u0430 \u0440\u0443\u0441\u0441\u043a\u043e\u043c \u044f\u0437\u044b\u043a\u0435."
    assert decode(text.encode("cp1251"), "text/html") == (text, "cp1251")


def test_textual_types():
    assert is_textual("text/html; charset=utf-8")
    assert is_textual("application/rss+xml")
    assert is_textual("application/vnd.api+json")
    assert not is_textual("application/pdf")


def test_decompression_and_its_cap():
    assert decompress(gzip.compress(b"abc"), "gzip", 100) == b"abc"
    assert decompress(zlib.compress(b"abc"), "deflate", 100) == b"abc"
    raw = zlib.compressobj(wbits=-15)
    assert decompress(raw.compress(b"abc") + raw.flush(), "deflate", 100) == b"abc"
    assert decompress(b"not compressed", "gzip", 100) == b"not compressed"
    assert decompress(b"abc", "br", 100) == b"abc"
    with pytest.raises(BodyTooLarge):
        decompress(gzip.compress(b"0" * 1000), "gzip", 999)


def test_gzip_members_are_inflated_whole_and_capped_together():
    members = gzip.compress(b"first ") + gzip.compress(b"second") + b"\0\0\0\0"
    assert decompress(members, "gzip", 100) == b"first second"
    with pytest.raises(BodyTooLarge, match="body inflates past 1,000 bytes"):  # 600 + 600
        decompress(gzip.compress(b"a" * 600) * 2, "gzip", 1000)
    # a bomb split in many small members inflates no further than the cap either
    with pytest.raises(BodyTooLarge):
        decompress(gzip.compress(b"\0" * 100_000) * 50, "gzip", 1_000_000)


def test_truncating_decompression_keeps_the_first_bytes():
    bomb = gzip.compress(b"User-agent: *\nDisallow: /private/\n" + b"#" * 5_000_000)
    kept = decompress(bomb, "gzip", 1024, truncate=True)
    assert len(kept) == 1024 and kept.startswith(b"User-agent: *\nDisallow: /private/\n")

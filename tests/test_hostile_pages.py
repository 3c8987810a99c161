"""Hostile web pages through the real crawl: each is a failure or a skip with its reason,
the good page beside it is stored, and the store stays intact."""

import gzip
import os
import zlib

import pytest
from hostilekit import (
    Reply,
    assert_intact,
    good_page,
    outcomes,
    pages_source,
    run,
    server_fixture,  # noqa: F401  (the `server` fixture)
    sources_file,
)

from discourse.collect.model import Adapter, Request
from discourse.collect.sources import ADAPTERS, register
from discourse.config import Section
from discourse.store import Document

MB = 1 << 20
CAP = "response larger than fetch.max_bytes (50,000,000 bytes): aborted"


def crawl_pages(tmp_path, server, paths: list[str], fetch: str = ""):
    server.route("/good", good_page())
    urls = [server.url(path) for path in [*paths, "/good"]]
    report = run(tmp_path, sources_file(tmp_path, pages_source(urls), fetch))
    found = outcomes(tmp_path)
    assert found[server.url("/good")] == ("stored", "The centre a year on")
    assert_intact(tmp_path)
    return report, found


def test_deeply_nested_html_is_skipped_with_the_reason(server, tmp_path):
    nested = "<div>" * 100_000 + "<p>deep</p>" + "</div>" * 100_000
    server.route("/deep", f"<html><head><title>Deep</title></head><body>{nested}</body></html>")
    _, found = crawl_pages(tmp_path, server, ["/deep"])
    assert found[server.url("/deep")] == (
        "skipped",
        "extraction failed: HTML nested more than 2048 elements deep: the parser stops there, "
        "so the page cannot be read whole",
    )


def test_fifty_megabyte_pages_are_aborted_at_the_cap(server, tmp_path):
    """Announced by Content-Length (never read) or streamed without one (cut at the cap)."""
    server.route("/announced", Reply(body=b"<p>" + b"a" * (50 * MB)))
    server.route("/streamed", Reply(endless=True))
    report, found = crawl_pages(tmp_path, server, ["/announced", "/streamed"])
    assert found[server.url("/announced")] == ("failed", CAP)
    assert found[server.url("/streamed")] == ("failed", CAP)
    assert report.sources["pages"].failed == 2
    assert server.bytes_sent["/streamed"] < 60 * MB


def test_a_page_under_the_fetch_cap_but_over_the_extraction_cap_is_skipped(server, tmp_path):
    body = "<html><head><title>Big</title></head><body>" + "<p>word </p>" * 2_500_000
    server.route("/big", Reply(body=body + "</body></html>"))
    _, found = crawl_pages(tmp_path, server, ["/big"])
    assert found[server.url("/big")] == (
        "skipped",
        "extraction failed: page too large: 30.0 MB exceeds the 20 MB limit",
    )


@pytest.mark.parametrize(
    ("head", "what"),
    [
        (b"\x89PNG\r\n\x1a\n", "PNG image"),
        (b"PK\x03\x04", "ZIP archive (e.g. .docx, .xlsx, .odt)"),
        (b"", "unrecognised binary data (NUL bytes)"),
    ],
    ids=["png", "zip", "noise"],
)
def test_binary_bodies_served_as_html_are_skipped_unread(server, tmp_path, head, what):
    body = head + os.urandom(3 * MB)
    server.route("/binary", Reply(body=body, content_type="text/html; charset=utf-8"))
    _, found = crawl_pages(tmp_path, server, ["/binary"])
    assert found[server.url("/binary")] == (
        "skipped",
        f"extraction failed: unsupported content: {what} served as text/html",
    )


def _deflate(data: bytes, raw: bool = False) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15 if raw else 15)
    return packer.compress(data) + packer.flush()


@pytest.mark.parametrize(
    ("encoding", "bomb"),
    [
        ("gzip", lambda: gzip.compress(b"\0" * (100 * MB), 9)),
        ("deflate", lambda: _deflate(b"\0" * (100 * MB))),
        ("deflate", lambda: _deflate(b"<p>" * (35 * MB), raw=True)),
        ("gzip", lambda: gzip.compress(b" " * (5 * MB), 9) * 20),  # 20 members, 100 MB in all
    ],
    ids=["gzip", "deflate", "raw-deflate", "gzip-members"],
)
def test_compressed_bodies_inflating_past_the_cap_are_refused(server, tmp_path, encoding, bomb):
    """The wire body is a few hundred kilobytes; inflated it would be twice the cap."""
    body = bomb()
    assert len(body) < 2 * MB
    server.route(
        "/bomb",
        Reply(body=body, content_type="text/html", headers={"Content-Encoding": encoding}),
    )
    _, found = crawl_pages(tmp_path, server, ["/bomb"])
    assert found[server.url("/bomb")] == (
        "failed",
        "body inflates past 50,000,000 bytes (fetch.max_bytes)",
    )


def test_a_gzip_file_inside_the_body_is_capped_when_extracting(server, tmp_path):
    """A page gzipped twice (a file served with Content-Encoding gzip): the outer layer is
    the fetcher's, the inner one the extractor's, and each has its cap."""
    inner = gzip.compress(b"<html><body>" + b"<p>lol</p>" * (3 * MB) + b"</body></html>", 9)
    server.route(
        "/twice",
        Reply(body=inner, gzip=True, content_type="text/html"),
    )
    _, found = crawl_pages(tmp_path, server, ["/twice"])
    assert found[server.url("/twice")] == (
        "skipped",
        "extraction failed: page too large: 31.5 MB exceeds the 20 MB limit",
    )


def test_a_robots_txt_bomb_is_read_as_far_as_the_rfc_asks(server, tmp_path):
    """RFC 9309 lets a crawler ignore robots.txt past 500 KiB: a bomb is cut there, its rules
    before the cut still apply, and the rest of the site is crawled."""
    rules = b"User-agent: *\nDisallow: /private/\n"
    server.route(
        "/robots.txt",
        Reply(
            body=gzip.compress(rules + b"#" * (20 * MB), 9),
            content_type="text/plain",
            headers={"Content-Encoding": "gzip"},
        ),
    )
    server.route("/private/page", good_page("Private"))
    _, found = crawl_pages(tmp_path, server, ["/private/page"])
    assert found[server.url("/private/page")] == ("failed", "disallowed by robots.txt")
    assert server.paths().count("/private/page") == 0


class Stuck(Adapter):
    """Spins on one response, as a parser would on pathological input."""

    name = "test-stuck"

    class Config(Section):
        urls: list[str]

    def start(self):
        for url in self.config.urls:
            yield Request(url, "page")

    def handle(self, request, response):
        while "stuck" in request.url:
            pass
        yield Document(url=request.url, text=response.text, source_kind="blog", actor_type="other")


if Stuck.name not in ADAPTERS:
    register(Stuck)


def test_an_adapter_stuck_on_one_response_fails_that_request_only(server, tmp_path):
    server.route("/stuck", good_page())
    server.route("/fine", good_page())
    urls = ", ".join(f'"{server.url(p)}"' for p in ("/stuck", "/fine"))
    config = sources_file(
        tmp_path,
        f'[sources.stuck]\nadapter = "test-stuck"\nurls = [{urls}]\n',
        fetch="handle_timeout = 0.5",
    )
    report = run(tmp_path, config)
    found = outcomes(tmp_path)
    assert found[server.url("/stuck")] == (
        "failed",
        "adapter test-stuck exceeded the 0.5 s time limit on this response (fetch.handle_timeout)",
    )
    assert found[server.url("/fine")][0] == "stored"
    assert report.sources["stuck"].failed == 1
    assert_intact(tmp_path)

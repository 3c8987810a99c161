"""The fuzz targets (tests/fuzz/targets.py) run for a few seconds each, and what they found
before, kept as plain tests so it stays fixed."""

import subprocess
import sys
from pathlib import Path

import pytest
from hostilekit import simple_pdf

from discourse.collect.extract import ExtractionError, extract_bytes
from discourse.collect.model import Request, Response, Skip
from discourse.collect.sources import build

TARGETS = Path(__file__).resolve().parent / "fuzz" / "targets.py"
SECONDS = 5


@pytest.mark.slow
@pytest.mark.parametrize("target", ["extract", "listings"])
def test_fuzz_target_finds_no_crash_hang_or_runaway_memory(target, tmp_path):
    corpus, crashes = tmp_path / "corpus", tmp_path / "crashes"
    corpus.mkdir()
    crashes.mkdir()
    options = [
        f"-max_total_time={SECONDS}",
        "-timeout=60",  # one input running longer is a hang
        "-rss_limit_mb=2048",  # memory past this is an unbounded allocation
        f"-artifact_prefix={crashes}/",
    ]
    done = subprocess.run(
        [sys.executable, str(TARGETS), target, str(corpus), *options],
        capture_output=True,
        text=True,
        timeout=300,
    )
    found = sorted(p.name for p in crashes.iterdir())
    report = "\n".join(done.stderr.splitlines()[-40:])
    assert done.returncode == 0 and not found, f"{target}: {found}\n{report}"
    assert "Done " in done.stderr and len(list(corpus.iterdir())) > 1  # seeded, and it ran


def response(url: str, body: bytes, content_type: str = "text/html") -> Response:
    return Response(
        url=url,
        final_url=url,
        status=200,
        headers={"content-type": content_type},
        body=body,
        text=None,
        encoding=None,
        fetched_at="2026-01-01T00:00:00Z",
    )


def test_a_pdf_whose_only_text_is_unmapped_glyphs_is_refused_not_stored_empty():
    with pytest.raises(ExtractionError) as raised:
        extract_bytes(simple_pdf([r"\(cid:10\)"]), content_type="application/pdf")
    assert raised.value.reason == (
        "unreadable text layer: fonts without a Unicode mapping (cid codes)"
    )


def test_a_feed_declaring_an_encoding_name_that_is_not_text_is_skipped(tmp_path):
    adapter = build(
        "blog",
        {"adapter": "feed", "actor_type": "charity", "feeds": ["http://x.test/feed"]},
        tmp_path / "sources.toml",
    )
    body = b'<?xml version="1.0" encoding="\xff\xfe"?><rss><channel></channel></rss>'
    request = Request("http://x.test/feed", "feed", {"feed": "http://x.test/feed"})
    (skip,) = adapter.handle(request, response(request.url, body, "application/rss+xml"))
    assert skip == Skip(
        "http://x.test/feed",
        "not a feed: UnicodeDecodeError: 'utf-8' codec can't decode byte 0xff in position 0: "
        "invalid start byte",
    )


@pytest.mark.parametrize("handler", ["committees", "meetings", "meeting"])
@pytest.mark.parametrize("body", [b"", b"  \n ", b'<?xml version="1.0"?>'])
def test_an_empty_moderngov_page_is_a_skip_not_an_adapter_error(tmp_path, handler, body):
    adapter = build(
        "councils",
        {
            "adapter": "moderngov",
            "since": "2010",
            "until": "2011",
            "councils": [{"name": "Anytown", "type": "district", "url": "http://m.test/"}],
        },
        tmp_path / "sources.toml",
    )
    data = {"council": 0, "committee": "Cabinet", "meeting_date": "2010-06-01"}
    request = Request("http://m.test/page.aspx", handler, data)
    assert list(adapter.handle(request, response(request.url, body))) == [
        Skip(request.url, "not an HTML page: the body is empty or unparseable")
    ]

"""Hostile input never crashes or hangs extraction: a sane result or a one-line reason."""

import gzip
import signal
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from discourse.collect.extract import ExtractionError, Limits, extract_bytes, extract_html
from discourse.collect.extract.decode import decode_text, sniff
from discourse.collect.extract.result import time_limit

ARTICLE = (
    "<p>Residents of the estate formed a tenants' association after the council announced "
    "that the community centre would close, and within a year they were running it themselves "
    "with a small grant and a great deal of unpaid work.</p>"
)


def page(body: str, head: str = "<title>Test</title>") -> str:
    return f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>"


def test_deeply_nested_html_is_refused_rather_than_cut_short():
    nested = "<div>" * 100_000 + ARTICLE + "</div>" * 100_000
    with pytest.raises(ExtractionError) as raised:
        extract_html(page(ARTICLE + nested))
    assert raised.value.reason == (
        "HTML nested more than 2048 elements deep: the parser stops there, "
        "so the page cannot be read whole"
    )


def test_sloppy_nesting_past_libxml2s_default_depth_is_read_whole():
    """Unclosed tags nest a real page hundreds deep; the default parser would stop at 256."""
    inner = ARTICLE.replace("Residents", "Neighbours")
    after = "<p>After the nest, the association kept meeting every week in the old library.</p>"
    result = extract_html(page(ARTICLE + "<font>" * 1500 + inner + "</font>" * 1500 + after))
    assert "Neighbours of the estate" in result.text
    assert result.text.endswith("kept meeting every week in the old library.")


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, "PNG image"),
        (b"PK\x03\x04" + b"\x00" * 200, "ZIP archive"),
        (bytes(range(256)) * 50, "unrecognised binary data"),
    ],
    ids=["png", "zip", "noise"],
)
def test_binary_content_served_as_html_is_refused(data, what):
    with pytest.raises(
        ExtractionError, match=f"^unsupported content: {what}.* served as text/html"
    ):
        extract_bytes(data, content_type="text/html; charset=utf-8")
    with pytest.raises(ExtractionError, match="^not HTML: binary content"):
        extract_html(data)


def test_pdf_served_as_html_is_read_as_pdf():
    from tests.test_extract_pdf import BODY, council_pdf

    result = extract_bytes(council_pdf(2), content_type="text/html")
    assert result.text.split("\n\n") == BODY * 2


def test_page_over_the_size_cap_is_refused_before_parsing():
    big = page(ARTICLE * 2000).encode()
    with pytest.raises(ExtractionError, match=r"^page too large: 0\.\d MB exceeds the 0 MB limit"):
        extract_bytes(big, content_type="text/html", limits=Limits(max_html_bytes=len(big) - 1))


def test_gzip_bomb_is_refused():
    bomb = gzip.compress(b"<p>" + b"a" * 5_000_000)
    limits = Limits(max_html_bytes=1_000_000, max_pdf_bytes=1_000_000)
    with pytest.raises(ExtractionError, match="inflates beyond the 1,000,000-byte limit"):
        extract_bytes(bomb, content_type="text/html", limits=limits)


def test_double_gzipped_page_is_read():
    result = extract_bytes(gzip.compress(page(ARTICLE * 3).encode()), content_type="text/html")
    assert result.text.startswith("Residents of the estate formed a tenants' association")


def test_declared_charset_that_lies_is_overruled():
    body = page("<p>Caf\u00e9 culture and the \u201cBig Society\u201d in Brixton: " + ARTICLE[3:])
    # declared UTF-8, actually Windows-1252
    data = body.replace("<head>", "<head><meta charset='utf-8'>").encode("cp1252")
    result = extract_bytes(data, content_type="text/html; charset=utf-8")
    assert result.text.startswith("Caf\u00e9 culture and the \u201cBig Society\u201d in Brixton")


def test_unknown_charset_label_and_invalid_bytes_do_not_crash():
    data = page(ARTICLE).encode() + b"\xff\xfe\xfa broken tail"
    result = extract_bytes(data, content_type="text/html; charset=x-no-such-charset")
    assert "tenants' association" in result.text


def test_control_characters_are_dropped():
    text, encoding = decode_text(b"a\x00b\x07c\td")
    assert (text, encoding) == ("abc\td", "utf-8")


@pytest.mark.parametrize(
    ("data", "content_type", "reason"),
    [
        (b"", "text/html", "empty content (0 bytes)"),
        (b"   \n  ", "text/html", "empty page"),
        (
            b'<?xml version="1.0"?><rss><channel></channel></rss>',
            "application/rss+xml",
            "not an article page: XML document (application/rss+xml)",
        ),
        (b"\n\n \n", "text/plain", "empty text (only whitespace)"),
    ],
)
def test_empty_and_non_article_content_give_reasons(data, content_type, reason):
    with pytest.raises(ExtractionError) as raised:
        extract_bytes(data, content_type=content_type)
    assert raised.value.reason == reason


def test_plain_text_keeps_paragraphs():
    data = b"First line\nof a paragraph.\r\n\r\nSecond paragraph.\n"
    result = extract_bytes(data, content_type="text/plain")
    assert result.text == "First line of a paragraph.\n\nSecond paragraph."
    assert result.title is None


def test_sniff_trusts_magic_over_labels():
    assert sniff(b"   %PDF-1.4 ...") == "pdf"
    assert sniff(b"<html><body>x</body></html>") == "text"
    assert sniff(b"\x1f\x8b\x08\x00") == "gzip"
    assert (
        sniff(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1") == "binary:OLE2 document (e.g. .doc, .xls, .ppt)"
    )


def test_time_limit_interrupts_runaway_work():
    started = time.monotonic()
    with (
        pytest.raises(ExtractionError, match="^busy loop exceeded the 0.2 s time limit$"),
        time_limit(0.2, "busy loop"),
    ):
        while time.monotonic() - started < 10:
            pass
    assert time.monotonic() - started < 5


SEED_PAGE = (Path(__file__).parent / "fixtures" / "extract" / "thinktank_blog.html").read_bytes()


def _only_extraction_errors(data: bytes, content_type: str) -> None:
    try:
        result = extract_bytes(data, content_type=content_type, limits=Limits(seconds=20))
    except ExtractionError as error:
        assert error.reason and "\n" not in error.reason
    else:
        assert result.text.strip()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.binary(max_size=4096), st.sampled_from(["text/html", "application/pdf", "text/plain", None])
)
def test_random_bytes_never_crash(data, content_type):
    _only_extraction_errors(data, content_type)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_pages_and_pdfs_never_crash(data):
    from tests.test_extract_pdf import council_pdf

    seed = data.draw(st.sampled_from(["html", "pdf"]))
    original = bytearray(SEED_PAGE if seed == "html" else _pdf_seed(council_pdf))
    for _ in range(data.draw(st.integers(1, 20))):
        position = data.draw(st.integers(0, len(original) - 1))
        original[position] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(len(original) // 4, len(original)))
    _only_extraction_errors(
        bytes(original[:cut]), "text/html" if seed == "html" else "application/pdf"
    )


_PDF_SEED: list[bytes] = []


def _pdf_seed(make) -> bytes:
    if not _PDF_SEED:
        _PDF_SEED.append(make(2))
    return _PDF_SEED[0]


class _Outer(Exception):
    pass


def _spin(seconds: float) -> None:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        pass


def test_nested_time_limits_each_fire_with_their_own_reason():
    """The crawl bounds a response and extraction a document inside it: the shorter limit
    speaks, and the longer one keeps running (less the time spent) afterwards."""
    started = time.monotonic()
    with pytest.raises(_Outer, match="^response exceeded the 0.6 s time limit$"):  # noqa: SIM117
        with time_limit(0.6, "response", _Outer):
            with (
                pytest.raises(ExtractionError, match="^document exceeded the 0.2 s time limit$"),
                time_limit(0.2, "document"),
            ):
                _spin(10)
            assert time.monotonic() - started < 0.5
            _spin(10)
    assert 0.5 < time.monotonic() - started < 3
    with (
        pytest.raises(_Outer, match="^response exceeded"),
        time_limit(0.2, "response", _Outer),
        time_limit(30, "document"),  # it would end later: the outer limit stays in charge
    ):
        _spin(10)
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)

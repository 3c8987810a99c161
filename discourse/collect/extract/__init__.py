"""Text and metadata from fetched content: HTML pages, PDFs and plain text.

The one entry point the crawl uses is `extract_bytes`, which decides what the content is
from its magic bytes first and its declared content type second (servers mislabel), and
hands it to `extract_html`, `extract_pdf` or the plain-text reader. Every outcome is an
`Extracted` or an `ExtractionError` whose `reason` is one line: a crawl records it and goes on.

    html.py      main text (trafilatura) + metadata, per-site CSS selectors
    metadata.py  JSON-LD, OpenGraph, Dublin Core, GOV.UK tags; title and byline clean-up
    pdf.py       pdfminer.six page by page; headers, footers, hyphenation; scanned/encrypted
    decode.py    magic numbers, safe decoding of declared and undeclared charsets
    language.py  declared language checked against the text
    result.py    Extracted, ExtractionError, Limits
"""

from collections.abc import Mapping

from discourse.collect.extract.decode import charset_of, decode_text, gunzip, sniff
from discourse.collect.extract.html import extract_html, validate_selectors
from discourse.collect.extract.language import guess_language
from discourse.collect.extract.pdf import NO_TEXT_LAYER, TRUNCATED_FILE, extract_pdf
from discourse.collect.extract.result import (
    DEFAULT_LIMITS,
    Extracted,
    ExtractionError,
    Limits,
)

__all__ = [
    "DEFAULT_LIMITS",
    "NO_TEXT_LAYER",
    "TRUNCATED_FILE",
    "Extracted",
    "ExtractionError",
    "Limits",
    "extract_bytes",
    "extract_html",
    "extract_pdf",
    "extract_text",
    "validate_selectors",
]

_HTML_TYPES = {"text/html", "application/xhtml+xml", "application/xhtml", "text/xhtml"}
_TEXT_TYPES = {"text/plain", "text/markdown", "text/x-markdown"}
_MARKUP = ("<html", "<!doctype html", "<head", "<body", "<article", "<div", "<p>", "<p ", "<title")


def extract_bytes(
    data: bytes,
    *,
    content_type: str | None = None,
    url: str | None = None,
    selectors: Mapping[str, str] | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Extracted:
    """Extract any supported content (HTML, PDF, plain text), whatever its declared type."""
    if not data:
        raise ExtractionError("empty content (0 bytes)")
    kind = sniff(data)
    if kind == "gzip":
        data = gunzip(data, max(limits.max_html_bytes, limits.max_pdf_bytes))
        kind = sniff(data)
    if kind == "pdf":
        return extract_pdf(data, url=url, limits=limits)
    if kind.startswith("binary:"):
        what = kind.removeprefix("binary:")
        declared = f" served as {content_type.split(';')[0]}" if content_type else ""
        raise ExtractionError(f"unsupported content: {what}{declared}")
    mime = (content_type or "").split(";")[0].strip().lower()
    if mime in _TEXT_TYPES:
        return extract_text(data, content_type=content_type, limits=limits)
    if mime in _HTML_TYPES or _looks_like_html(data):
        return extract_html(
            data, url=url, selectors=selectors, limits=limits, content_type=content_type
        )
    if mime.endswith("xml") or data.lstrip()[:5] == b"<?xml":
        raise ExtractionError(f"not an article page: XML document ({mime or 'no content type'})")
    return extract_text(data, content_type=content_type, limits=limits)


def _looks_like_html(data: bytes) -> bool:
    head = data[:4096].lstrip().lower()
    return any(marker.encode() in head for marker in _MARKUP)


def extract_text(
    data: bytes, *, content_type: str | None = None, limits: Limits = DEFAULT_LIMITS
) -> Extracted:
    """Plain text: decoded, line endings unified, paragraphs kept; no metadata to find."""
    if len(data) > limits.max_html_bytes:
        raise ExtractionError(
            f"text too large: {len(data) / 1e6:.1f} MB exceeds the {limits.max_html_bytes / 1e6:.0f} MB limit"
        )
    text, encoding = decode_text(data, charset_of(content_type))
    blocks = text.replace("\r\n", "\n").replace("\r", "\n").split("\n\n")
    paragraphs = [
        " ".join(line.strip() for line in block.splitlines() if line.strip()) for block in blocks
    ]
    body = "\n\n".join(p for p in paragraphs if p)
    if not body:
        raise ExtractionError("empty text (only whitespace)")
    return Extracted(text=body, language=guess_language(body), extra={"encoding": encoding})

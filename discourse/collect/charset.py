"""Bytes on the wire to text: content-encoding first, then the character set.

Old blogs and council sites often declare UTF-8 and send Windows-1252 (curly quotes and
pound signs from Word), or declare nothing. The order: a byte-order mark; strict UTF-8 when
the bytes are valid UTF-8 (non-ASCII text that is not UTF-8 practically never is, whatever
the label says); the HTTP header's charset; the document's own declaration (<meta charset>,
http-equiv, or an XML declaration); then statistical detection (charset-normalizer). A
declared charset is only trusted if the bytes decode cleanly under it, so a mislabelled page
falls through to the next step instead of filling with U+FFFD.

Detection cannot tell Windows-1252 from its Central European sibling on short English
texts (it reads "£100" as "Ł100"), so when it names a Latin-script code page we decode as
UTF-8 and read each byte that is not valid UTF-8 as Windows-1252: the web's legacy default
for English, which browsers use too. That also repairs pages mixing both (a UTF-8 template
around text pasted from Word). Non-Latin detections (Cyrillic, CJK, …) are trusted.
"""

import codecs
import re
import zlib

from charset_normalizer import from_bytes

TEXTUAL_TYPES = (
    "text/",
    "application/json",
    "application/ld+json",
    "application/xml",
    "application/xhtml+xml",
    "application/rss+xml",
    "application/atom+xml",
    "application/javascript",
)

# WHATWG: labels browsers decode as windows-1252 whatever they say.
_ALIASES = {
    "iso-8859-1": "cp1252",
    "latin-1": "cp1252",
    "latin1": "cp1252",
    "ascii": "cp1252",
    "us-ascii": "cp1252",
    "iso8859-1": "cp1252",
    "l1": "cp1252",
    "x-user-defined": "cp1252",
}
# Code pages of Latin-script languages: detection cannot tell them apart reliably.
_LATIN_CODECS = frozenset(
    {
        "ascii",
        "utf-8",
        "cp1250",
        "cp1252",
        "cp1254",
        "cp1257",
        "cp1258",
        "iso8859-1",
        "mac-roman",
        "mac-latin2",
        "mac-turkish",
        "cp437",
        "cp850",
        "cp852",
        "cp858",
        *(f"iso8859-{n}" for n in (2, 3, 4, 9, 10, 13, 14, 15, 16)),
    }
)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_META = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_XML_DECLARATION = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9._-]+)""")


class BodyTooLarge(Exception):
    """A body that would exceed the configured cap once decompressed."""


def is_textual(content_type: str) -> bool:
    content_type = content_type.split(";")[0].strip().lower()
    return content_type.startswith(TEXTUAL_TYPES) or content_type.endswith(("+xml", "+json"))


def decompress(
    body: bytes, content_encoding: str, max_bytes: int, *, truncate: bool = False
) -> bytes:
    """Undo gzip/deflate content-encoding, never inflating past `max_bytes` (zip bombs).

    Past the cap: BodyTooLarge, or with `truncate` the first `max_bytes` (robots.txt, where
    the rest may be ignored). Inflation stops at the cap, so a bomb costs at most `max_bytes`
    of memory. A gzip body of several members (concatenated files) is inflated whole.
    Unknown encodings and bodies that are not actually compressed are returned unchanged:
    some servers label plain bodies as gzip.
    """
    encoding = content_encoding.strip().lower()
    if encoding in ("", "identity") or not body:
        return body
    if encoding in ("gzip", "x-gzip"):
        wbits = zlib.MAX_WBITS | 16
    elif encoding == "deflate":
        wbits = zlib.MAX_WBITS if body[:1] == b"\x78" else -zlib.MAX_WBITS
    else:
        return body
    out = bytearray()
    rest = body
    while rest:
        inflater = zlib.decompressobj(wbits)
        try:
            out += inflater.decompress(rest, max_bytes + 1 - len(out))
        except zlib.error:
            if not out:
                return body  # not compressed after all
            break  # padding or junk after the last member
        if len(out) > max_bytes:
            if truncate:
                return bytes(out[:max_bytes])
            raise BodyTooLarge(f"body inflates past {max_bytes:,} bytes")
        if not inflater.eof or encoding == "deflate":
            break  # cut short (the fetcher reports broken bodies), or deflate's one stream
        rest = inflater.unused_data
    return bytes(out)


def charset_from_content_type(content_type: str) -> str | None:
    match = re.search(r"charset\s*=\s*[\"']?([^\s;\"']+)", content_type, re.IGNORECASE)
    return match.group(1) if match else None


def decode(body: bytes, content_type: str) -> tuple[str, str]:
    """The text of a body and the encoding that decoded it (a Python codec name)."""
    for codec in _candidates(body, content_type):
        try:
            return body.decode(codec), codec
        except (UnicodeDecodeError, LookupError):
            continue
    best = from_bytes(body).best()
    codec = _codec(best.encoding) if best is not None else None
    if codec and codec not in _LATIN_CODECS:
        return body.decode(codec, errors="replace"), codec
    return body.decode("utf-8", errors=_CP1252_FALLBACK), "utf-8+cp1252"


def _cp1252_bytes(error: UnicodeDecodeError) -> tuple[str, int]:
    """Codec error handler: read the bytes that are not valid UTF-8 as Windows-1252."""
    bad = error.object[error.start : error.end]
    return bad.decode("cp1252", errors="replace"), error.end


_CP1252_FALLBACK = "discourse-cp1252-fallback"
codecs.register_error(_CP1252_FALLBACK, _cp1252_bytes)


def _candidates(body: bytes, content_type: str) -> list[str]:
    found: list[str] = []
    for bom, codec in _BOMS:
        if body.startswith(bom):
            found.append("utf-8-sig" if codec == "utf-8" else codec)
    found.append("utf-8")
    declared = charset_from_content_type(content_type)
    head = body[:4096]
    meta = _META.search(head) or _XML_DECLARATION.search(head)
    for label in (declared, meta.group(1).decode("ascii") if meta else None):
        codec = _codec(label)
        if codec:
            found.append(codec)
    return list(dict.fromkeys(found))


def _codec(label: str | None) -> str | None:
    """A Python codec for a charset label (None if unknown)."""
    if not label:
        return None
    label = label.strip().lower()
    label = _ALIASES.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None

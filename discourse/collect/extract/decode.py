"""Recognise what a byte string is and decode text safely.

Servers mislabel content (a PDF served as text/html, a PNG behind an HTML content type, a
page declared ISO-8859-1 that is really Windows-1252 or UTF-8), so the extractors trust
magic numbers over content types and decode in the order browsers do: byte-order mark,
declared charset (HTTP header, then <meta>), strict UTF-8, statistical detection, and a
lossy Windows-1252 fallback that always succeeds.
"""

import codecs
import re
import zlib

import charset_normalizer

from discourse.collect.extract.result import ExtractionError

# (signature, offset, description) of binary formats that arrive mislabelled as HTML
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", 0, "PNG image"),
    (b"\xff\xd8\xff", 0, "JPEG image"),
    (b"GIF87a", 0, "GIF image"),
    (b"GIF89a", 0, "GIF image"),
    (b"RIFF", 0, "RIFF media (WebP, WAV or AVI)"),
    (b"PK\x03\x04", 0, "ZIP archive (e.g. .docx, .xlsx, .odt)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 0, "OLE2 document (e.g. .doc, .xls, .ppt)"),
    (b"{\\rtf", 0, "RTF document"),
    (b"BZh", 0, "bzip2 archive"),
    (b"\xfd7zXZ\x00", 0, "xz archive"),
    (b"7z\xbc\xaf\x27\x1c", 0, "7-Zip archive"),
    (b"Rar!", 0, "RAR archive"),
    (b"ID3", 0, "MP3 audio"),
    (b"OggS", 0, "Ogg media"),
    (b"ftyp", 4, "MP4/QuickTime media"),
    (b"\x00\x00\x01\x00", 0, "icon"),
    (b"%!PS", 0, "PostScript document"),
    (b"\x7fELF", 0, "executable"),
    (b"MZ", 0, "Windows executable"),
    (b"wOFF", 0, "web font"),
    (b"wOF2", 0, "web font"),
)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)|<\?xml[^>]+encoding\s*=\s*["']([a-zA-Z0-9_.:-]+)""",
    re.IGNORECASE,
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_TEXT_CONTROL_BYTES = (
    set(range(0x00, 0x09)) | {0x0B, 0x0E, 0x0F} | set(range(0x10, 0x1B)) | {0x1C, 0x1D, 0x1E, 0x1F}
)
# WHATWG: these labels mean Windows-1252 in practice
_LATIN1_ALIASES = {
    "iso-8859-1",
    "iso8859-1",
    "latin-1",
    "latin1",
    "l1",
    "us-ascii",
    "ascii",
    "iso_8859-1",
}


def sniff(data: bytes) -> str:
    """Classify content as "pdf", "gzip", "binary:<what>" or "text" from its first bytes."""
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if data[:2] == b"\x1f\x8b":
        return "gzip"
    for signature, offset, description in _MAGIC:
        if data[offset : offset + len(signature)] == signature:
            return f"binary:{description}"
    if any(data.startswith(bom) for bom, _ in _BOMS):
        return "text"
    sample = data[:8192]
    if not sample:
        return "text"
    if b"\x00" in sample:
        return "binary:unrecognised binary data (NUL bytes)"
    controls = sum(1 for byte in sample if byte in _TEXT_CONTROL_BYTES)
    if controls / len(sample) > 0.05:
        return "binary:unrecognised binary data (control bytes)"
    return "text"


def gunzip(data: bytes, limit: int) -> bytes:
    """Decompress gzip content (a double-encoded response) without inflating past `limit`."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, limit + 1)
    except zlib.error as exc:
        raise ExtractionError(f"corrupt gzip content: {exc}") from None
    if len(out) > limit or inflater.unconsumed_tail:
        raise ExtractionError(f"gzip content inflates beyond the {limit:,}-byte limit (zip bomb?)")
    return out


def charset_of(content_type: str | None) -> str | None:
    """The charset parameter of a Content-Type header, if any."""
    if not content_type:
        return None
    match = re.search(r"charset\s*=\s*[\"']?([^\s;\"']+)", content_type, re.IGNORECASE)
    return match.group(1) if match else None


def _codec(label: str | bytes | None) -> str | None:
    if not label:
        return None
    if isinstance(label, bytes):
        label = label.decode("ascii", "ignore")
    label = label.strip().lower()
    if label in _LATIN1_ALIASES:
        return "cp1252"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def decode_text(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode bytes to text; return (text, encoding used). Never raises on bad bytes."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _clean(data.decode(encoding, errors="replace")), encoding
    candidates = [_codec(declared)]
    match = _META_CHARSET.search(data[:4096])
    if match:
        candidates.append(_codec(match.group(1) or match.group(2)))
    for encoding in candidates:
        if encoding is None:
            continue
        try:
            return _clean(data.decode(encoding)), encoding
        except (UnicodeDecodeError, LookupError):
            continue  # the declaration lies; detect instead
    try:
        return _clean(data.decode("utf-8")), "utf-8"
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(data[:200_000]).best()
    if best is not None and best.encoding:
        try:
            return _clean(data.decode(best.encoding, errors="replace")), best.encoding
        except LookupError:
            pass
    return _clean(data.decode("cp1252", errors="replace")), "cp1252"


def _clean(text: str) -> str:
    """Drop control characters that XML parsers refuse (NUL, form feeds aside from layout)."""
    return _CONTROL.sub("", text)

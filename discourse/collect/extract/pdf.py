"""Text of a PDF, page by page, with the print furniture taken out.

pdfminer.six rather than pypdf: its layout analysis returns text lines with positions and
font sizes, which is what reading order across columns, telling running headers and footers
from body text, and finding the title on the first page all need; pypdf's text is a flat
string per page. The price is speed (pdfminer is several times slower), so pages and time
are capped per document and the cap is reported, never silent.

What is removed: lines repeated at the top or bottom of most pages (running headers and
footers), page numbers there, and hyphens at line ends when they split a word ("commun-
ity" → "community" but "co-\nproduction" → "co-production", decided from the document's
own vocabulary). What is refused, with the reason: encrypted PDFs needing a password, corrupt
files, and PDFs with no text layer (scanned without OCR), which are never stored as empty.
"""

import io
import logging
import math
import re
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field

from pdfminer.converter import PDFPageAggregator
from pdfminer.layout import LAParams, LTChar, LTFigure, LTImage, LTTextBox, LTTextLine
from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser
from pdfminer.pdftypes import resolve1
from pdfminer.utils import decode_text

from discourse.collect.extract.language import guess_language
from discourse.collect.extract.metadata import clean_authors, plausible_date
from discourse.collect.extract.result import (
    DEFAULT_LIMITS,
    Extracted,
    ExtractionError,
    Limits,
    time_limit,
)

logging.getLogger("pdfminer").setLevel(logging.ERROR)

NO_TEXT_LAYER = "no text layer (scanned PDF?)"
TRUNCATED_FILE = "truncated PDF: the file ends before its end-of-file marker (%%EOF)"
_EDGE_LINES = 3  # lines at the top and bottom of a page that may be header/footer
_MARGIN = 0.1  # ... if they lie within this fraction of the page height from its edge
_PAGE_NUMBER = re.compile(
    r"^(?:page\s*)?[-–—(\[]?\s*(?:\d{1,4}|[ivxlcdm]{1,7})\s*[-–—)\]]?(?:\s*(?:of|/)\s*\d{1,4})?$",
    re.IGNORECASE,
)
_CID = re.compile(r"\(cid:\d+\)")
_UNMAPPED = "unreadable text layer: fonts without a Unicode mapping (cid codes)"
_HYPHENS = "-\u2010\u00ad"
_LINE_END_HYPHEN = re.compile(rf"([^\W\d_]+)[{_HYPHENS}]$")
_LINE_START_WORD = re.compile(r"^([a-z][^\W\d_]*)")
_WORD = re.compile(r"[^\W\d_]+(?:[-\u2010][^\W\d_]+)*")
# prefixes that form hyphenated compounds when the document gives no other evidence
_COMPOUND_PREFIXES = {
    "co",
    "non",
    "self",
    "cross",
    "ex",
    "anti",
    "multi",
    "post",
    "pre",
    "semi",
    "quasi",
    "well",
    "inter",
    "intra",
    "pan",
    "sub",
    "neo",
    "long",
    "short",
    "low",
    "high",
    "third",
    "first",
}
_SENTENCE_END = re.compile(r"[.!?:;\"”’)\]]$")


@dataclass
class _Line:
    text: str
    top: float  # distance from the top of the page to the line's top, in points
    size: float  # median font size


@dataclass
class _Page:
    number: int
    height: float
    lines: list[_Line] = field(default_factory=list)
    has_images: bool = False


def extract_pdf(
    data: bytes, *, url: str | None = None, limits: Limits = DEFAULT_LIMITS
) -> Extracted:
    """Extract text and metadata from PDF bytes; ExtractionError says why not."""
    if b"%PDF-" not in data[:1024]:
        raise ExtractionError("not a PDF: no %PDF- header")
    if len(data) > limits.max_pdf_bytes:
        raise ExtractionError(
            f"PDF too large: {len(data) / 1e6:.1f} MB exceeds the {limits.max_pdf_bytes / 1e6:.0f} MB limit"
        )
    # a PDF ends with %%EOF (readers look in the last 1024 bytes); without it the file was
    # cut short in transfer or storage, and what it lacks is usually the page index
    cut_short = b"%%EOF" not in data[-1024:]
    # the cooperative deadline stops between pages; the alarm is a backstop for a single page
    with time_limit(limits.seconds * 1.5 + 5, "PDF extraction"):
        try:
            extracted = _extract(data, limits)
        except ExtractionError:
            raise
        except PDFPasswordIncorrect:
            raise ExtractionError("encrypted PDF: a password is required to open it") from None
        except PDFEncryptionError as exc:
            raise ExtractionError(f"encrypted PDF: {exc or 'unsupported encryption'}") from None
        except RecursionError:
            raise ExtractionError("corrupt PDF: object structure nested too deeply") from None
        except (
            Exception
        ) as exc:  # PSException and anything else: a hostile file must not crash a crawl
            detail = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
            if cut_short:
                raise ExtractionError(f"{TRUNCATED_FILE}, and unreadable ({detail})") from None
            raise ExtractionError(f"corrupt PDF: {detail}") from None
    if cut_short:  # what could be read is kept, and the document says it may be incomplete
        notes = [extracted.extra.get("truncated"), f"{TRUNCATED_FILE}: later pages may be missing"]
        extracted.extra["truncated"] = "; ".join(note for note in notes if note)
    return extracted


def _extract(data: bytes, limits: Limits) -> Extracted:
    started = time.monotonic()
    document = PDFDocument(PDFParser(io.BytesIO(data)), password="")
    info = _info(document)
    page_count = _page_count(document)
    manager = PDFResourceManager(caching=True)
    device = PDFPageAggregator(manager, laparams=LAParams(all_texts=True))
    interpreter = PDFPageInterpreter(manager, device)
    pages: list[_Page] = []
    truncated = None
    for index, page in enumerate(PDFPage.create_pages(document)):
        if index >= limits.max_pdf_pages:
            truncated = (
                f"page limit: read the first {limits.max_pdf_pages} of {page_count or 'more'} pages"
            )
            break
        if index and time.monotonic() - started > limits.seconds:
            truncated = (
                f"time limit: read {index} of {page_count or 'more'} pages in {limits.seconds:g} s"
            )
            break
        interpreter.process_page(page)
        pages.append(_read_page(index + 1, device.get_result()))
    if not pages:
        raise ExtractionError("corrupt PDF: no pages found")
    if not any(page.lines for page in pages):
        raise ExtractionError(NO_TEXT_LAYER)
    all_text = " ".join(line.text for page in pages for line in page.lines)
    if len(_CID.findall(all_text)) * 6 > len(all_text):
        raise ExtractionError(_UNMAPPED)
    vocabulary = _vocabulary(pages)
    paragraphs, page_starts = _assemble(pages, _furniture(pages), vocabulary)
    if not paragraphs:
        # every line looked like furniture (one repeated line a page): keep it all instead
        paragraphs, page_starts = _assemble(pages, set(), vocabulary)
    text = "\n\n".join(paragraphs)
    if not text.strip():  # every line was unmapped glyph codes, which are dropped
        raise ExtractionError(_UNMAPPED if _CID.search(all_text) else NO_TEXT_LAYER)
    without_text = [page.number for page in pages if not page.lines]
    extra = {
        "pages": len(pages),
        "page_count": page_count or len(pages),
        "page_starts": page_starts,
        "scanned": bool(without_text) and any(p.has_images for p in pages if not p.lines),
        "pages_without_text": without_text,
        "truncated": truncated,
        "producer": info.get("Producer"),
        "creator": info.get("Creator"),
        "subject": info.get("Subject"),
    }
    return Extracted(
        text=text,
        title=_title(info.get("Title"), pages),
        author=_author(info.get("Author")),
        date=plausible_date(_pdf_date(info.get("CreationDate"))),
        language=guess_language(text),
        extra={key: value for key, value in extra.items() if value not in (None, [], "")},
    )


def _info(document: PDFDocument) -> dict[str, str]:
    info: dict[str, str] = {}
    for entry in document.info or []:
        for key, value in entry.items():
            value = resolve1(value)
            if isinstance(value, bytes):
                value = decode_text(value)
            if isinstance(value, str) and value.strip() and key not in info:
                info[key] = re.sub(r"\s+", " ", value).strip()
    return info


def _page_count(document: PDFDocument) -> int | None:
    try:
        count = resolve1(resolve1(document.catalog["Pages"])["Count"])
    except Exception:  # a broken page tree still has pages we may read
        return None
    return count if isinstance(count, int) and count >= 0 else None


def _read_page(number: int, layout) -> _Page:
    height = layout.height
    page = _Page(number, height)

    def visit(item):
        if isinstance(item, LTTextBox):
            for line in item:
                if isinstance(line, LTTextLine):
                    _add_line(line)
        elif isinstance(item, LTTextLine):
            _add_line(item)
        elif isinstance(item, LTImage):
            page.has_images = True
        elif isinstance(item, LTFigure):
            for child in item:
                visit(child)

    def _add_line(line):
        text = re.sub(r"\s+", " ", line.get_text()).strip()
        if not text:
            return
        sizes = [char.size for char in line if isinstance(char, LTChar)]
        page.lines.append(_Line(text, height - line.y1, statistics.median(sizes) if sizes else 0.0))

    for item in layout:
        visit(item)
    return page


def _key(text: str) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", " ", text.lower())).strip()


def _edges(page: _Page) -> list[_Line]:
    """Lines that may be print furniture: among the first or last few, inside the margins."""
    by_position = sorted(page.lines, key=lambda line: line.top)
    margin = _MARGIN * page.height
    top = [line for line in by_position[:_EDGE_LINES] if line.top < margin]
    bottom = [line for line in by_position[-_EDGE_LINES:] if line.top > page.height - margin]
    return top + [line for line in bottom if line not in top]


def _furniture(pages: list[_Page]) -> set[int]:
    """ids of lines that are page numbers or headers/footers repeated on most pages."""
    with_text = [page for page in pages if page.lines]
    counts: Counter[str] = Counter()
    for page in with_text:
        counts.update({_key(line.text) for line in _edges(page)})
    threshold = max(2, math.ceil(0.5 * len(with_text)))
    repeated = {key for key, count in counts.items() if count >= threshold}
    furniture: set[int] = set()
    for page in with_text:
        for line in _edges(page):
            if _PAGE_NUMBER.match(line.text) or _key(line.text) in repeated:
                furniture.add(id(line))
    return furniture


def _vocabulary(pages: list[_Page]) -> Counter:
    words: Counter[str] = Counter()
    for page in pages:
        for line in page.lines:
            words.update(word.lower() for word in _WORD.findall(line.text))
    return words


def _join_lines(lines: list[str], vocabulary: Counter) -> str:
    """Join a paragraph's lines, rejoining words hyphenated across line ends."""
    text = lines[0]
    for line in lines[1:]:
        end = _LINE_END_HYPHEN.search(text)
        start = _LINE_START_WORD.match(line)
        if end and start:
            head, tail = end.group(1), start.group(1)
            if text[-1] == "\u00ad" or _solid(head, tail, vocabulary):
                text = text[:-1] + line
            else:
                text = text[:-1] + "-" + line
        else:
            text = f"{text} {line}"
    return text.replace("\u00ad", "")


def _solid(head: str, tail: str, vocabulary: Counter) -> bool:
    """Is head-/tail a word broken by the line end (True) or a hyphenated compound (False)?"""
    compound = vocabulary[f"{head}-{tail}".lower()]
    solid = vocabulary[f"{head}{tail}".lower()]
    if compound or solid:
        return solid >= compound
    return head.lower() not in _COMPOUND_PREFIXES


def _line_pitch(pages: list[_Page]) -> float:
    """The usual distance between consecutive lines of body text in this document."""
    pitches = [
        b.top - a.top
        for page in pages
        for a, b in zip(page.lines, page.lines[1:], strict=False)
        if 0 < b.top - a.top < 4 * max(a.size, 1.0)
    ]
    return statistics.median(pitches) if pitches else 0.0


def _paragraph_lines(lines: list[_Line], pitch: float) -> list[list[str]]:
    """Group a page's lines (in reading order) into paragraphs by the space between them.

    pdfminer's text boxes split paragraphs only where it sees a gap wider than half a line,
    so it both splits loose paragraphs line by line and merges tight ones; the document's
    own line pitch is the better yardstick: a wider gap, a jump back up (next column) or a
    change of type size starts a new paragraph.
    """
    groups: list[list[str]] = []
    previous: _Line | None = None
    for line in lines:
        gap = line.top - previous.top if previous else 0.0
        new = (
            previous is None
            or not pitch
            or gap <= 0
            or gap > 1.3 * pitch
            or abs(line.size - previous.size) > 0.15 * max(previous.size, 1.0)
        )
        if new:
            groups.append([])
        groups[-1].append(_CID.sub("", line.text))
        previous = line
    return groups


def _assemble(pages: list[_Page], furniture: set[int], vocabulary: Counter):
    """Paragraphs of the whole document and the character offset where each page starts.

    A page whose first paragraph continues the previous page's last one (no sentence end
    before, lower case after) is joined to it; that page then starts inside the paragraph.
    """
    pitch = _line_pitch(pages)
    paragraphs: list[str] = []
    first_of_page: list[int] = []  # index of the paragraph each page starts in
    for page in pages:
        body = [line for line in page.lines if id(line) not in furniture]
        page_paragraphs = [
            p
            for group in _paragraph_lines(body, pitch)
            if (p := _join_lines(group, vocabulary).strip())
        ]
        if (
            page_paragraphs
            and paragraphs
            and not _SENTENCE_END.search(paragraphs[-1])
            and page_paragraphs[0][:1].islower()
        ):
            first_of_page.append(len(paragraphs) - 1)
            paragraphs[-1] = _join_lines([paragraphs[-1], page_paragraphs.pop(0)], vocabulary)
        else:
            first_of_page.append(len(paragraphs))
        paragraphs.extend(page_paragraphs)
    offsets = [0]
    for paragraph in paragraphs:
        offsets.append(offsets[-1] + len(paragraph) + 2)
    return paragraphs, [offsets[index] for index in first_of_page]


def _title(declared: str | None, pages: list[_Page]) -> str | None:
    """The document's declared title unless it is a file name; else the largest type on page 1."""
    if declared:
        declared = re.sub(r"^Microsoft (?:Word|PowerPoint|Excel) - ", "", declared).strip()
        if (
            declared
            and not re.search(r"\.(docx?|pdf|rtf|odt|pptx?|xlsx?|indd|qxd)$", declared, re.I)
            and declared.lower() not in {"untitled", "title", "document"}
        ):
            return declared
    first = next((page for page in pages if page.lines), None)
    if first is None:
        return None
    sizes = [line.size for line in first.lines if line.size]
    if not sizes:
        return None
    body = statistics.median(sizes)
    largest = max(sizes)
    if largest < body * 1.2:
        return None
    title_lines = [line.text for line in first.lines if line.size == largest]
    title = re.sub(r"\s+", " ", " ".join(title_lines)).strip()
    return title if 3 <= len(title) <= 200 else None


def _author(declared: str | None) -> str | None:
    """A declared author that looks like a name, not a login ("jsmith") or an application."""
    if not declared or " " not in declared.strip():
        return None
    return clean_authors([declared])


def _pdf_date(value: str | None) -> str | None:
    """ "D:20100719103000+01'00'" → "2010-07-19" (or less, as far as the digits go)."""
    if not value:
        return None
    match = re.match(r"^(?:D:)?(\d{4})(\d{2})?(\d{2})?", value.strip())
    if not match:
        return None
    return "-".join(part for part in match.groups() if part)

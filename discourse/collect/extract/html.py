"""Main text and metadata of an HTML page.

Main text comes from trafilatura run on HTML we fetched ourselves (its own fetcher is never
used), with settings chosen by measurement on the benchmark dev sets (see bench/benchmarks/
extraction.py). Metadata comes from `metadata.py` first and trafilatura/htmldate second.
A per-site CSS selector, when the source config gives one, overrides both.
"""

import logging
import re
from collections.abc import Mapping
from urllib.parse import urlsplit

import trafilatura
from cssselect import SelectorError
from lxml import etree
from lxml import html as lxml_html

from discourse.collect.extract.decode import charset_of, decode_text, gunzip, sniff
from discourse.collect.extract.language import decide_language, normalise_code
from discourse.collect.extract.metadata import (
    AUTHOR_KEYS,
    TITLE_KEYS,
    PageMetadata,
    best_title,
    clean_authors,
    clean_title,
    evidenced_date,
    json_ld_people,
    json_ld_value,
    plausible_date,
    read_metadata,
    structured_date,
)
from discourse.collect.extract.result import (
    DEFAULT_LIMITS,
    Extracted,
    ExtractionError,
    Limits,
    time_limit,
)
from discourse.errors import ConfigError

SELECTOR_FIELDS = ("text", "title", "author", "date")
# elements whose text is never part of an article, even inside a selected container
_NEVER_TEXT_TAGS = "script style noscript template svg nav form button iframe select textarea"
_BLOCK_TAGS = (
    "p div section article main header footer aside blockquote pre h1 h2 h3 h4 h5 h6 li ul ol "
    "dl dt dd table tr figure figcaption address details summary hr br"
)
_NEVER_TEXT = frozenset(_NEVER_TEXT_TAGS.split())
_BLOCKS = frozenset(_BLOCK_TAGS.split())
_PARSER = lxml_html.HTMLParser(
    remove_comments=True, remove_pis=True, recover=True, collect_ids=False
)
# libxml2 stops reading a page nested more than 256 elements deep and keeps what came before,
# without a word; pages full of unclosed tags get there. Its "huge" mode allows 2048 levels.
_DEEP_PARSER = lxml_html.HTMLParser(
    remove_comments=True, remove_pis=True, recover=True, collect_ids=False, huge_tree=True
)
_DEPTH_ERROR = "Excessive depth in document"
MAX_DEPTH = 2048

logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
logging.getLogger("htmldate").setLevel(logging.CRITICAL)


def validate_selectors(selectors: Mapping[str, str] | None) -> dict[str, str]:
    """Check a selector mapping from config; ConfigError names the bad field or selector."""
    checked: dict[str, str] = {}
    for name, selector in (selectors or {}).items():
        if name not in SELECTOR_FIELDS:
            raise ConfigError(
                f"selectors: unknown field {name!r}",
                hint=f"fields are {', '.join(SELECTOR_FIELDS)}",
            )
        try:
            lxml_html.fromstring("<p></p>").cssselect(selector)
        except (SelectorError, etree.XPathError) as exc:
            raise ConfigError(
                f"selectors.{name}: invalid CSS selector {selector!r}: {exc}"
            ) from None
        checked[name] = selector
    return checked


def extract_html(
    html: str | bytes,
    *,
    url: str | None = None,
    selectors: Mapping[str, str] | None = None,
    limits: Limits = DEFAULT_LIMITS,
    content_type: str | None = None,
) -> Extracted:
    """Extract main text and metadata from an HTML page; ExtractionError says why not."""
    selectors = validate_selectors(selectors)
    text = _as_text(html, content_type, limits)
    with time_limit(limits.seconds, "HTML extraction"):
        try:
            return _extract(text, url, selectors)
        except ExtractionError:
            raise
        except RecursionError:
            raise ExtractionError("HTML nested too deeply to parse") from None
        except Exception as exc:  # a hostile page must never crash the crawl
            raise ExtractionError(f"HTML extraction failed: {type(exc).__name__}: {exc}") from None


def _as_text(html: str | bytes, content_type: str | None, limits: Limits) -> str:
    if isinstance(html, str):
        if len(html) > limits.max_html_bytes:
            raise ExtractionError(_too_large(len(html), limits.max_html_bytes))
        return html
    kind = sniff(html)
    if kind == "gzip":
        html = gunzip(html, limits.max_html_bytes)
        kind = sniff(html)
    if kind == "pdf":
        raise ExtractionError("not HTML: the content is a PDF")
    if kind.startswith("binary:"):
        raise ExtractionError(f"not HTML: binary content ({kind.removeprefix('binary:')})")
    if len(html) > limits.max_html_bytes:
        raise ExtractionError(_too_large(len(html), limits.max_html_bytes))
    return decode_text(html, charset_of(content_type))[0]


def _too_large(size: int, limit: int) -> str:
    return f"page too large: {size / 1e6:.1f} MB exceeds the {limit / 1e6:.0f} MB limit"


def parse_html(text: str):
    """Parse HTML text into an lxml tree; ExtractionError when it is not HTML at all."""
    if not text.strip():
        raise ExtractionError("empty page")
    # lxml refuses str input carrying an XML encoding declaration
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text, count=1)
    tree = _parse(text, _PARSER)
    if _cut_short(_PARSER):
        tree = _parse(text, _DEEP_PARSER)
        if _cut_short(_DEEP_PARSER):
            raise ExtractionError(
                f"HTML nested more than {MAX_DEPTH} elements deep: the parser stops there, "
                "so the page cannot be read whole"
            )
    if tree is None or tree.find("body") is None and not len(tree):
        raise ExtractionError("not HTML: no document structure")
    return tree


def _parse(text: str, parser):
    try:
        return lxml_html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise ExtractionError(f"not HTML: {exc}") from None


def _cut_short(parser) -> bool:
    """Whether the last parse stopped at the parser's nesting limit."""
    return any(_DEPTH_ERROR in error.message for error in parser.error_log)


def _extract(text: str, url: str | None, selectors: dict[str, str]) -> Extracted:
    tree = parse_html(text)
    metadata = read_metadata(tree)
    document = trafilatura.bare_extraction(
        tree,  # trafilatura works on its own copy
        url=url,
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_links=False,
        with_metadata=True,
    )
    sitename = metadata.first("og:site_name", "application-name") or (
        document.sitename if document else None
    )
    title = _title(metadata, document, sitename, tree, selectors.get("title"), url)
    if "text" in selectors:
        main = _selected_text(tree, selectors["text"])
        extractor = "selector"
        if not main:
            raise ExtractionError(
                f"text selector {selectors['text']!r} matched no text on the page"
            )
    else:
        main = _paragraphs(document.text) if document is not None and document.text else ""
        extractor = "trafilatura"
    main = _drop_leading_title(main, title)
    if not main.strip() or _only_navigation(main, tree):
        raise ExtractionError("no main text found on the page")
    date, date_source = _date(metadata, document, tree, selectors.get("date"), (text, url))
    author = _author(
        metadata, document, tree, selectors.get("author"), _publishers(metadata, sitename, url)
    )
    declared = (
        metadata.html_lang
        or metadata.first("content-language", "og:locale", "dc.language", "language")
        or json_ld_value(metadata.json_ld, "inLanguage")
    )
    extra = {
        "extractor": extractor,
        "sitename": sitename,
        "description": metadata.first("og:description", "description", "twitter:description")
        or (document.description if document else None),
        "canonical_url": metadata.canonical_url or metadata.first("og:url"),
        "date_source": date_source,
        "declared_language": normalise_code(declared),
    }
    return Extracted(
        text=main,
        title=title,
        author=author,
        date=date,
        language=decide_language(declared, main),
        extra={key: value for key, value in extra.items() if value},
    )


def _title(metadata: PageMetadata, document, sitename, tree, selector, url) -> str | None:
    if selector:
        picked = _selected_text(tree, selector, paragraphs=False)
        if picked:
            return clean_title(picked)
    titles = [
        json_ld_value(metadata.json_ld, "headline"),
        metadata.first(*TITLE_KEYS),
        document.title if document is not None else None,
        metadata.title_tag,
    ]
    return best_title(metadata.h1, titles, _publishers(metadata, sitename, url))


def _publishers(metadata: PageMetadata, sitename: str | None, url: str | None) -> list[str]:
    """Names the site goes by: to strip from titles and to refuse as an author."""
    names = [
        sitename,
        metadata.first("og:site_name", "application-name", "dc.publisher", "publisher"),
    ]
    names += json_ld_people(metadata.json_ld, "publisher")
    host = urlsplit(url or metadata.canonical_url or "").hostname or ""
    labels = [label for label in host.removeprefix("www.").split(".") if label]
    if labels:
        names += [".".join(labels), labels[0]]
    return [name for name in names if name]


def _author(metadata: PageMetadata, document, tree, selector, publishers) -> str | None:
    if selector:
        picked = _selected_text(tree, selector, paragraphs=False, every=True)
        if picked:
            return clean_authors(picked.split("\n"))
    candidates = [json_ld_people(metadata.json_ld)]
    candidates += [
        [v for v in metadata.meta.get(key, ()) if not v.startswith("http")] for key in AUTHOR_KEYS
    ]
    candidates.append([document.author] if document is not None else [])
    for names in candidates:
        cleaned = clean_authors(names, publishers)
        if cleaned:
            return cleaned
    return None


def _date(metadata: PageMetadata, document, tree, selector: str | None, evidence: tuple):
    if selector:
        for element in _select(tree, selector):
            value = element.get("datetime") or element.get("content") or element.text_content()
            date = plausible_date(value)
            if date:
                return date, "selector"
    found = structured_date(metadata)
    if found:
        return found
    if document is not None and document.date:
        date = plausible_date(document.date)
        if date:
            return evidenced_date(date, *evidence), "htmldate"
    return None, None


def _select(tree, selector: str) -> list:
    try:
        return tree.cssselect(selector)
    except (SelectorError, etree.XPathError):
        return []


def _selected_text(tree, selector: str, *, paragraphs: bool = True, every: bool = False) -> str:
    """Text of the elements a CSS selector picks, as paragraphs (or one line each)."""
    elements = _select(tree, selector)
    if not every and not paragraphs:
        elements = elements[:1]
    blocks: list[str] = []
    for element in elements:
        blocks.extend(_element_paragraphs(element))
    if paragraphs:
        return "\n\n".join(blocks)
    return "\n".join(" ".join(_element_paragraphs(e)) for e in elements).strip()


def _element_paragraphs(element) -> list[str]:
    """Split an element's visible text into paragraphs at block-level elements."""
    paragraphs: list[str] = []
    current: list[str] = []

    def flush():
        joined = re.sub(r"\s+", " ", "".join(current)).strip()
        if joined:
            paragraphs.append(joined)
        current.clear()

    def walk(node):
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag in _NEVER_TEXT:
            if node.tail:
                current.append(node.tail)
            return
        block = tag in _BLOCKS
        if block:
            flush()
        if node.text and tag:
            current.append(node.text)
        for child in node:
            walk(child)
        if block:
            flush()
        if node.tail:
            current.append(node.tail)

    tail, element.tail = element.tail, None
    try:
        walk(element)
    finally:
        element.tail = tail
    flush()
    return paragraphs


def _only_navigation(text: str, tree) -> bool:
    """True when every extracted paragraph is text of the page's menus, header or footer."""
    chrome = " ".join(
        " ".join(element.text_content().split())
        for element in tree.iter("nav", "header", "footer", "menu")
    )
    return bool(chrome) and all(paragraph in chrome for paragraph in text.split("\n\n"))


def _paragraphs(text: str) -> str:
    """trafilatura's one-line-per-block text → paragraphs separated by blank lines."""
    lines = (re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in text.splitlines())
    return "\n\n".join(line for line in lines if line)


def _drop_leading_title(text: str, title: str | None) -> str:
    """trafilatura often repeats the headline as the first line; the title is kept apart."""
    if not title:
        return text
    first, sep, rest = text.partition("\n\n")
    if sep and _norm(first) == _norm(title):
        return rest
    return text


def _norm(text: str) -> str:
    return re.sub(r"\W+", "", text.lower())

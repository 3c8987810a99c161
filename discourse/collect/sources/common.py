"""What every source adapter shares: the filters a researcher sets on a source, and the one
path by which an item becomes a Document or a Skip with its reason.

Each adapter knows how its service lists and serves items; deciding whether an item belongs in
the corpus (date range, language, keywords, empty text) is the same everywhere, so it lives
here and every adapter reports its skips in the same words.
"""

import datetime as dt
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, ClassVar, Literal

import lxml.html
from lxml import etree
from pydantic import field_validator, model_validator

from discourse.collect.extract import Extracted, validate_selectors
from discourse.collect.extract.language import decide_language
from discourse.collect.model import Adapter, Outcome, Request, Response, Skip
from discourse.config import Section
from discourse.dates import PartialDate, parse_date, utc_now
from discourse.errors import ConfigError
from discourse.store import Document
from discourse.vocabulary import ACTOR_TYPES, SOURCE_KINDS

ActorType = Literal[ACTOR_TYPES]
SourceKind = Literal[SOURCE_KINDS]
ExtraValue = str | int | float | bool


def _date_bound(value: Any, end: bool) -> Any:
    """Accept TOML dates, datetimes, "2010", "2010-05" or "2010-05-06" for a range bound.

    A partial bound covers its whole period: since = "2010" is 1 January 2010, until = "2015"
    is 31 December 2015.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date) or value is None:
        return value
    if isinstance(value, str | int) and not isinstance(value, bool):
        first, last = date_span(parse_date(value))
        return last if end else first
    return value


def date_span(date: PartialDate) -> tuple[dt.date, dt.date]:
    """The first and last day a partial date may stand for."""
    parts = [int(part) for part in date.iso.split("-")]
    if date.precision == "day":
        day = dt.date(*parts)
        return day, day
    if date.precision == "month":
        year, month = parts
        first = dt.date(year, month, 1)
        following = dt.date(year + month // 12, month % 12 + 1, 1)
        return first, following - dt.timedelta(days=1)
    return dt.date(parts[0], 1, 1), dt.date(parts[0], 12, 31)


class SourceConfig(Section):
    """Options every [sources.NAME] table accepts, whatever its adapter.

    `keywords` keep only documents whose title or text mentions one of them (case-insensitive,
    whole words, "volunteer*" matches any ending, "big society" also matches "big-society");
    `languages` keep only documents in those ISO 639-1 languages ([] keeps all); `extra` is
    copied into every document's metadata (the sample sets synthetic = true with it).
    """

    actor_type: ActorType
    source_kind: SourceKind
    publisher: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    keywords: list[str] = []
    languages: list[str] = ["en"]
    keep_undated: bool = False
    extra: dict[str, ExtraValue] = {}

    @field_validator("since", mode="before")
    @classmethod
    def _since(cls, value: Any) -> Any:
        return _date_bound(value, end=False)

    @field_validator("until", mode="before")
    @classmethod
    def _until(cls, value: Any) -> Any:
        return _date_bound(value, end=True)

    @field_validator("keywords")
    @classmethod
    def _keywords(cls, value: list[str]) -> list[str]:
        for term in value:
            keyword_pattern(term)
        return value

    @model_validator(mode="after")
    def _ordered(self) -> "SourceConfig":
        if self.since and self.until and self.since > self.until:
            raise ValueError(f"since ({self.since}) is after until ({self.until})")
        return self


def keyword_pattern(term: str) -> re.Pattern:
    """A case-insensitive whole-word pattern for one keyword or phrase."""
    words = [w for w in re.split(r"[\s\-]+", term.strip()) if w]
    if not words or any(w == "*" for w in words):
        raise ValueError(f"keyword {term!r} has no words")
    parts = []
    for word in words:
        stem = word.rstrip("*")
        parts.append(re.escape(stem) + (r"\w*" if word.endswith("*") else ""))
    return re.compile(r"(?<!\w)" + r"[\s\-]+".join(parts) + r"(?!\w)", re.IGNORECASE)


def search_terms(terms: Iterable[str]) -> list[str]:
    """Keywords as a service's search box takes them: wildcards dropped ("volunteer*" →
    "volunteer", which substring and stemmed searches both widen again), repeats removed."""
    return list(
        dict.fromkeys(t.replace("*", "").strip() for t in terms if t.replace("*", "").strip())
    )


class Keywords:
    """The keywords of a source, compiled once; `found` lists those a text mentions."""

    def __init__(self, terms: Iterable[str]):
        self.terms = list(terms)
        self._patterns = [(term, keyword_pattern(term)) for term in self.terms]

    def __bool__(self) -> bool:
        return bool(self.terms)

    def found(self, *texts: str | None) -> list[str]:
        joined = "\n".join(t for t in texts if t)
        return [term for term, pattern in self._patterns if pattern.search(joined)]


_BLOCKS = {
    "p",
    "div",
    "section",
    "article",
    "blockquote",
    "pre",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "table",
    "tr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "figure",
    "figcaption",
    "address",
    "hr",
}
_DROPPED = {"script", "style", "noscript", "template", "iframe", "object", "svg"}


def html_text(fragment: str | None) -> str:
    """Plain text of an HTML fragment that an API returns as a body field.

    Not main-text extraction (there is no page chrome to remove): block elements become
    paragraphs separated by blank lines, <br> a line break, entities are decoded and runs of
    whitespace collapsed.
    """
    if not fragment or not fragment.strip():
        return ""
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return ""
    pieces: list[str] = []

    def walk(element) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag in _DROPPED:
            if element.tail:
                pieces.append(element.tail)
            return
        block = tag in _BLOCKS
        if block:
            pieces.append("\n\n")
        if tag == "br":
            pieces.append("\n")
        if element.text and tag:
            pieces.append(element.text)
        for child in element:
            walk(child)
        if block:
            pieces.append("\n\n")
        if element.tail:
            pieces.append(element.tail)

    walk(root)
    return tidy_text("".join(pieces))


def tidy_text(text: str) -> str:
    """Collapse spaces within lines and blank lines between paragraphs."""
    paragraphs = []
    for block in re.split(r"\n\s*\n", text.replace("\xa0", " ")):
        lines = [" ".join(line.split()) for line in block.split("\n")]
        joined = "\n".join(line for line in lines if line)
        if joined:
            paragraphs.append(joined)
    return "\n\n".join(paragraphs)


def check_patterns(patterns: list[str]) -> list[str]:
    """Validate a list of regular expressions from config."""
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"invalid regular expression {pattern!r}: {exc}") from None
    return patterns


class UrlFilter:
    """`include` / `exclude` regular expressions on item URLs; `reason` says why one is out."""

    def __init__(self, include: list[str], exclude: list[str]):
        self._include = [re.compile(p) for p in include]
        self._exclude = [re.compile(p) for p in exclude]

    def reason(self, url: str) -> str | None:
        if self._include and not any(p.search(url) for p in self._include):
            return "URL matches no include pattern"
        if any(p.search(url) for p in self._exclude):
            return "URL matches an exclude pattern"
        return None


def check_selectors(selectors: dict[str, str]) -> dict[str, str]:
    """Validate per-site CSS selector overrides the way the extractor will use them."""
    try:
        return validate_selectors(selectors)
    except ConfigError as exc:
        raise ValueError(exc.message) from None


def parse_xml(data: bytes) -> etree._Element:
    """The root of an XML document from the web, parsed so that hostile XML stays inert.

    Entities are not expanded (a "billion laughs" document stays a few bytes; libxml2's
    amplification guard refuses it as well), nothing is loaded from the network or the file
    system (no external entities, no DTD), and the parser's limits on depth and text size
    stay on. Raises etree.XMLSyntaxError (a ValueError) for anything that is not XML.
    """
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_pis=True,
    )
    return etree.fromstring(data, parser)


def read_json(response: Response) -> Any:
    """The JSON body of a response, or None when it is not JSON."""
    try:
        return json.loads(response.text if response.text is not None else response.body)
    except (ValueError, UnicodeDecodeError):
        return None


def try_date(*values: Any) -> PartialDate | None:
    """The first value that is a plausible publication date, or None.

    Sources leave dates out or garble them ("31 Feb 2011", "0000-00-00", "TBC"); a date
    after today cannot be a publication date either (a placeholder year such as 2099, or a
    typo), so it falls through to the next value like any other invalid one.
    """
    today = utc_now()
    for value in values:
        if value in (None, ""):
            continue
        try:
            date = parse_date(value)
        except (ValueError, OverflowError):
            continue
        if date.iso <= today[: len(date.iso)]:
            return date
    return None


class SourceAdapter(Adapter):
    """Base of this package's adapters: handler dispatch, cross-listing memory and filters.

    A Request's `handler` names a method `on_<handler>(request, response)`. Only successful
    responses reach it: the engine records any other status as a failed request.
    """

    Config: ClassVar[type[SourceConfig]]

    def __init__(self, source: str, config: SourceConfig):
        super().__init__(source, config)
        self.keywords = Keywords(config.keywords)
        self._seen: dict[str, str] = {}
        self.base_dir = Path.cwd()  # `build` sets it to the config file's folder

    def local_path(self, value: str) -> Path:
        """A path from config: absolute, or relative to the config file's folder."""
        path = Path(value).expanduser()
        return path if path.is_absolute() else self.base_dir / path

    def handle(self, request: Request, response: Response) -> Iterator[Outcome]:
        method = getattr(self, f"on_{request.handler}", None)
        if method is None:
            raise ValueError(f"{self.name} adapter has no handler {request.handler!r}")
        yield from method(request, response)

    def first_sighting(self, key: str, where: str) -> str | None:
        """None the first time an item is listed; afterwards where it was first listed.

        Services list one item under several queries, feeds or sitemaps; the second listing is
        recorded as a skip instead of fetching the item twice. This memory lasts one process:
        after a resumed crawl the frontier refuses a URL it already holds, and records the
        same skip when the item's Request says where it was listed (`listed_by=where`).
        """
        if key in self._seen:
            return self._seen[key]
        self._seen[key] = where
        return None

    def document(
        self,
        *,
        url: str,
        text: str,
        title: str | None = None,
        date: PartialDate | None = None,
        author: str | None = None,
        party: str | None = None,
        publisher: str | None = None,
        language: str | None = None,
        response: Response | None = None,
        retrieved_at: str | None = None,
        extra: Mapping[str, Any] | None = None,
        actor_type: str | None = None,
        source_kind: str | None = None,
    ) -> Document | Skip:
        """The item as a Document, or a Skip saying which filter it failed."""
        config: SourceConfig = self.config
        text = tidy_text(text or "")
        if not text:
            return Skip(url, "empty text")
        language = decide_language(language, text)
        if config.languages and language and language not in config.languages:
            return Skip(url, f"language {language!r} is not one of {', '.join(config.languages)}")
        if date is None:
            if not config.keep_undated:
                return Skip(url, "no publication date")
        elif config.since or config.until:
            first, last = date_span(date)
            if (config.since and last < config.since) or (config.until and first > config.until):
                return Skip(
                    url,
                    f"published {date.iso}, outside {config.since or '…'} to {config.until or '…'}",
                )
        matched = self.keywords.found(title, text)
        if self.keywords and not matched:
            return Skip(url, "no keyword match")
        meta: dict[str, Any] = dict(extra or {})
        if matched:
            meta["matched_keywords"] = matched
        meta.update(config.extra)
        return Document(
            url=url,
            text=text,
            source_kind=source_kind or config.source_kind,
            actor_type=actor_type or config.actor_type,
            publisher=publisher or config.publisher,
            author=author or None,
            party=party or None,
            title=title.strip() if title else None,
            published_at=date.iso if date else None,
            date_precision=date.precision if date else None,
            retrieved_at=retrieved_at or (response.fetched_at if response else None),
            language=language or None,
            warc_file=response.warc_file if response else None,
            warc_offset=response.warc_offset if response else None,
            extra=meta,
        )

    def extracted_document(
        self, url: str, extracted: Extracted, response: Response | None = None, **fields: Any
    ) -> Document | Skip:
        """A Document from the extractor's output; explicit fields override what it found."""
        meta = {**{k: v for k, v in extracted.extra.items() if _jsonable(v)}}
        meta.update(fields.pop("extra", None) or {})
        values = dict(
            text=extracted.text,
            title=extracted.title,
            date=extracted.date,
            author=extracted.author,
            language=extracted.language,
            # the site's own name when the config names no publisher (a WARC of many sites)
            publisher=self.config.publisher or extracted.extra.get("sitename"),
        )
        values.update({k: v for k, v in fields.items() if v is not None})
        return self.document(url=url, response=response, extra=meta, **values)


def _jsonable(value: Any) -> bool:
    return isinstance(value, str | int | float | bool | list | dict) or value is None

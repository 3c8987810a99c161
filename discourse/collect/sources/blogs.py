"""Think-tank, charity and other organisation sites: four ways in, one way out.

A site is reached through whichever door it has: the WordPress REST API (`wordpress`), its
RSS/Atom feeds (`feed`), its XML sitemaps (`sitemap`), or a list of article URLs (`pages`).
Whatever finds an article, an HTML page goes through the extractor (`extract_bytes`, with the
site's CSS selector overrides from config) and metadata the listing already gave (a feed's
title, author and date) takes precedence over what the extractor infers from the page.
"""

import zlib
from collections.abc import Iterator
from typing import Any, Literal
from urllib.parse import urlencode, urljoin

import feedparser
from lxml import etree
from pydantic import Field, field_validator

from discourse.collect.extract import ExtractionError, extract_bytes
from discourse.collect.model import Outcome, Request, Response, Skip
from discourse.collect.sources import register
from discourse.collect.sources.common import (
    SourceAdapter,
    SourceConfig,
    SourceKind,
    UrlFilter,
    check_patterns,
    check_selectors,
    date_span,
    html_text,
    parse_xml,
    read_json,
    search_terms,
    try_date,
)
from discourse.dates import PartialDate

MAX_SITEMAP_BYTES = 50_000_000  # the sitemaps protocol's own limit per file, uncompressed


class SiteConfig(SourceConfig):
    """Options shared by the organisation-site adapters (set actor_type and publisher)."""

    source_kind: SourceKind = "blog"
    # CSS selectors for this site's article pages: text, title, author, date
    selectors: dict[str, str] = {}

    @field_validator("selectors")
    @classmethod
    def _selectors(cls, value: dict[str, str]) -> dict[str, str]:
        return check_selectors(value)


class SiteAdapter(SourceAdapter):
    """Turns an article page into a document; listings hand it hints in `Request.data`."""

    config: SiteConfig

    def page(
        self, url: str, hints: dict[str, Any] | None = None, listed_by: str | None = None
    ) -> Request:
        return Request(url, "page", hints or {}, listed_by=listed_by)

    def on_page(self, request: Request, response: Response) -> Iterator[Outcome]:
        url = response.final_url or request.url
        try:
            extracted = extract_bytes(
                response.body,
                content_type=response.headers.get("content-type"),
                url=url,
                selectors=self.config.selectors or None,
            )
        except ExtractionError as exc:
            yield Skip(url, f"extraction failed: {exc.reason}")
            return
        hints = request.data
        date = hint_date(hints)
        extra = {"listed_by": hints["listed_by"]} if hints.get("listed_by") else {}
        if hints.get("categories"):
            extra["categories"] = hints["categories"]
        yield self.extracted_document(
            url,
            extracted,
            response,
            title=hints.get("title"),
            author=hints.get("author"),
            date=date,
            language=hints.get("language"),
            extra=extra,
        )


def date_hint(date: PartialDate | None) -> dict[str, str]:
    """A date as JSON-serialisable request data (frontier rows must be JSON)."""
    return {"date": date.iso, "date_precision": date.precision} if date else {}


def hint_date(hints: dict[str, Any]) -> PartialDate | None:
    if hints.get("date") and hints.get("date_precision"):
        return PartialDate(hints["date"], hints["date_precision"])
    return None


# -- WordPress REST --------------------------------------------------------------------------


class WordPressConfig(SiteConfig):
    """A [sources.NAME] table with adapter = "wordpress"."""

    site: str  # the site's root URL
    api_root: str = "/wp-json/"  # some sites need "/?rest_route=/"
    post_types: list[str] = ["posts"]
    # search terms sent as `search`, one listing each; None uses `keywords`, [] lists all posts
    search: list[str] | None = None
    per_page: int = Field(default=100, ge=1, le=100)


@register
class WordPressAdapter(SiteAdapter):
    """Posts from `/wp-json/wp/v2/posts?search=&after=&before=&page=&per_page=&_embed`.

    WordPress answers X-WP-TotalPages in the headers (400 for a page past the end, which only
    a site that strips the header leads us to ask for); `_embed` adds the author's name and
    the category and tag names to each post.
    """

    name = "wordpress"
    Config = WordPressConfig
    config: WordPressConfig

    def start(self) -> Iterator[Outcome]:
        terms = self.config.search
        if terms is None:
            terms = search_terms(self.keywords.terms)
        for post_type in self.config.post_types:
            for term in terms or [None]:
                yield self._listing(post_type, term, 1)

    def _listing(self, post_type: str, term: str | None, page: int) -> Request:
        config = self.config
        params: list[tuple[str, Any]] = []
        if term:
            params.append(("search", term))
        if config.since:
            params.append(("after", f"{config.since.isoformat()}T00:00:00"))
        if config.until:
            params.append(("before", f"{config.until.isoformat()}T23:59:59"))
        params += [
            ("orderby", "date"),
            ("order", "asc"),
            ("page", page),
            ("per_page", config.per_page),
            ("_embed", "1"),
        ]
        root = config.site.rstrip("/") + config.api_root
        separator = "&" if "?" in root else "?"
        url = f"{root}wp/v2/{post_type}{separator}{urlencode(params)}"
        return Request(
            url, "listing", {"type": post_type, "search": term, "page": page}, priority=1
        )

    def on_listing(self, request: Request, response: Response) -> Iterator[Outcome]:
        posts = read_json(response)
        if not isinstance(posts, list):
            yield Skip(request.url, "WordPress API answer is not a list of posts")
            return
        term, page = request.data.get("search"), int(request.data["page"])
        for post in posts:
            if isinstance(post, dict):
                yield self._post(post, term, request, response)
        total = _int(response.headers.get("x-wp-totalpages"))
        # without the page count (stripped by some proxies), a full page means "try the next"
        more = page < total if total is not None else len(posts) >= self.config.per_page
        if posts and more:
            yield self._listing(request.data["type"], term, page + 1)

    def _post(self, post: dict, term: str | None, request: Request, response: Response):
        url = post.get("link") or f"{self.config.site.rstrip('/')}/?p={post.get('id')}"
        first = self.first_sighting(f"post:{post.get('id')}", f"search {term!r}")
        if first is not None:
            return Skip(url, f"duplicate: already listed by {first}")
        embedded = post.get("_embedded") or {}
        authors = [
            a.get("name")
            for a in embedded.get("author") or []
            if isinstance(a, dict) and a.get("name")
        ]
        terms = [
            t for group in embedded.get("wp:term") or [] if isinstance(group, list) for t in group
        ]
        categories = [
            t.get("name") for t in terms if isinstance(t, dict) and t.get("taxonomy") == "category"
        ]
        tags = [
            t.get("name") for t in terms if isinstance(t, dict) and t.get("taxonomy") == "post_tag"
        ]
        content = post.get("content") or {}
        if content.get("protected"):
            return Skip(url, "password-protected post")
        extra = {
            "wp_id": post.get("id"),
            "slug": post.get("slug"),
            "modified": post.get("modified"),
            "categories": categories,
            "tags": tags,
            "search": term,
            "api_url": request.url,
        }
        return self.document(
            url=url,
            text=html_text(content.get("rendered")),
            title=html_text((post.get("title") or {}).get("rendered")),
            date=try_date(post.get("date"), post.get("date_gmt")),
            author="; ".join(authors) or None,
            response=response,
            extra={k: v for k, v in extra.items() if v not in (None, [], "")},
        )


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


# -- RSS and Atom feeds ----------------------------------------------------------------------


class FeedConfig(SiteConfig):
    """A [sources.NAME] table with adapter = "feed"."""

    feeds: list[str]
    # "auto": the feed's full content when it has one, else fetch the page; "feed" or "page"
    full_text: Literal["auto", "feed", "page"] = "auto"
    follow_next: bool = True  # follow rel="next" links (RFC 5005 paged feeds)


@register
class FeedAdapter(SiteAdapter):
    """Entries of RSS 2.0 / Atom feeds (parsed by feedparser from the bytes we fetched)."""

    name = "feed"
    Config = FeedConfig
    config: FeedConfig

    def start(self) -> Iterator[Outcome]:
        for url in self.config.feeds:
            yield Request(url, "feed", {"feed": url}, priority=1)

    def on_feed(self, request: Request, response: Response) -> Iterator[Outcome]:
        try:
            parsed = feedparser.parse(
                response.body,
                response_headers={
                    "content-location": response.final_url or request.url,
                    "content-type": response.headers.get("content-type", "application/xml"),
                },
            )
        except Exception as exc:  # feedparser trips on some malformed bytes (a bad encoding name)
            yield Skip(request.url, f"not a feed: {type(exc).__name__}: {exc}")
            return
        if not parsed.entries and parsed.get("bozo"):
            yield Skip(request.url, f"not a feed: {parsed.get('bozo_exception')}")
            return
        language = parsed.feed.get("language")
        for entry in parsed.entries:
            yield self._entry(entry, language, request, response)
        if self.config.follow_next:
            for link in parsed.feed.get("links", []):
                if link.get("rel") == "next" and link.get("href"):
                    yield Request(
                        urljoin(request.url, link["href"]), "feed", request.data, priority=1
                    )

    def _entry(self, entry, language: str | None, request: Request, response: Response):
        link = entry.get("link") or entry.get("id")
        if not link:
            return Skip(request.url, "feed entry without a link")
        where = f"feed {request.data.get('feed')}"
        first = self.first_sighting(link, where)
        if first is not None:
            return Skip(link, f"duplicate: already listed by {first}")
        # plain dict.get: feedparser's own get maps a missing `updated` to `published`, warning
        date = try_date(*(dict.get(entry, key) for key in ("published", "updated", "dc_date")))
        author = entry.get("author") or None
        categories = [t.get("term") for t in entry.get("tags", []) if t.get("term")]
        contents = [c for c in entry.get("content", []) if c.get("value")]
        body = next((c["value"] for c in contents if "html" in c.get("type", "")), None)
        body = body or (contents[0]["value"] if contents else None)
        mode = self.config.full_text
        if mode == "page" or (mode == "auto" and not body):
            hints = {
                "title": entry.get("title"),
                "author": author,
                "language": language,
                "listed_by": request.data.get("feed"),
                "categories": categories,
                **date_hint(date),
            }
            return self.page(link, {k: v for k, v in hints.items() if v}, listed_by=where)
        extra = {
            "feed": request.data.get("feed"),
            "entry_id": entry.get("id"),
            "categories": categories,
        }
        return self.document(
            url=link,
            text=html_text(body or entry.get("summary")),
            title=html_text(entry.get("title")) or None,
            date=date,
            author=author,
            language=language,
            response=response,
            extra={k: v for k, v in extra.items() if v},
        )


# -- XML sitemaps ----------------------------------------------------------------------------


class SitemapConfig(SiteConfig):
    """A [sources.NAME] table with adapter = "sitemap"."""

    sitemaps: list[str]  # sitemap or sitemap index URLs
    include: list[str] = []  # regular expressions; a page URL must match one ([] = all)
    exclude: list[str] = []  # regular expressions; a page URL matching one is left out

    @field_validator("include", "exclude")
    @classmethod
    def _patterns(cls, value: list[str]) -> list[str]:
        return check_patterns(value)


@register
class SitemapAdapter(SiteAdapter):
    """Pages listed in sitemaps (`<urlset>`) and sitemap indexes (`<sitemapindex>`).

    `<lastmod>` is when a page last changed, not when it was published, so it can only rule a
    page out: a page last modified before `since` was published before it too.
    """

    name = "sitemap"
    Config = SitemapConfig
    config: SitemapConfig

    def __init__(self, source: str, config: SitemapConfig):
        super().__init__(source, config)
        self.urls = UrlFilter(config.include, config.exclude)

    def start(self) -> Iterator[Outcome]:
        for url in self.config.sitemaps:
            yield Request(url, "sitemap", {"sitemap": url}, priority=1)

    def on_sitemap(self, request: Request, response: Response) -> Iterator[Outcome]:
        try:
            root = parse_xml(_inflate(response.body))
        except (etree.XMLSyntaxError, ValueError) as exc:
            yield Skip(request.url, f"not a sitemap: {exc}")
            return
        kind = etree.QName(root).localname
        entries = [
            {etree.QName(child).localname: (child.text or "").strip() for child in entry}
            for entry in root
            if isinstance(entry.tag, str)
        ]
        for entry in entries:
            loc = entry.get("loc")
            if not loc:
                continue
            loc = urljoin(request.url, loc)
            lastmod = try_date(entry.get("lastmod"))
            if lastmod and self.config.since and date_span(lastmod)[1] < self.config.since:
                yield Skip(loc, f"last modified {lastmod.iso}, before {self.config.since}")
                continue
            if kind == "sitemapindex":
                yield Request(loc, "sitemap", {"sitemap": loc}, priority=1)
                continue
            excluded = self.urls.reason(loc)
            if excluded:
                yield Skip(loc, excluded)
                continue
            where = f"sitemap {request.url}"
            first = self.first_sighting(loc, where)
            if first is not None:
                yield Skip(loc, f"duplicate: already listed by {first}")
                continue
            yield self.page(loc, {"listed_by": request.url}, listed_by=where)


def _inflate(body: bytes) -> bytes:
    """Sitemaps are often served gzipped as files (sitemap.xml.gz), not as an encoding."""
    if body[:2] != b"\x1f\x8b":
        return body
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    data = inflater.decompress(body, MAX_SITEMAP_BYTES)
    if inflater.unconsumed_tail:
        raise ValueError(f"sitemap larger than {MAX_SITEMAP_BYTES:,} bytes uncompressed")
    return data


# -- plain article pages ---------------------------------------------------------------------


class PagesConfig(SiteConfig):
    """A [sources.NAME] table with adapter = "pages"."""

    urls: list[str]


@register
class PagesAdapter(SiteAdapter):
    """A list of article URLs a researcher has found by hand."""

    name = "pages"
    Config = PagesConfig
    config: PagesConfig

    def start(self) -> Iterator[Outcome]:
        for url in self.config.urls:
            if self.first_sighting(url, "urls") is None:
                yield self.page(url)

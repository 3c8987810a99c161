"""Organisation websites and the doors into them: the WordPress REST API, RSS 2.0 and Atom
feeds, XML sitemaps (one gzipped, one index), and the article pages themselves.
"""

import datetime as dt
import gzip
import json
import zlib
from email.utils import format_datetime
from html import escape
from xml.sax.saxutils import escape as xml_escape

from fixture_sites import pages
from fixture_sites.model import Article, Site
from fixture_sites.web import Query, Reply, html


def _html_entities(text: str) -> str:
    """WordPress's `rendered` title style: typographic characters as numeric references."""
    out = escape(text, quote=False)
    return (
        out.replace("\u2019", "&#8217;")
        .replace("\u2018", "&#8216;")
        .replace("\u2013", "&#8211;")
        .replace("\u2014", "&#8212;")
    )


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-")


def wp_post(site: Site, article: Article) -> dict:
    url = f"http://{site.host}{article.path}"
    content = "\n".join(f"<p>{_html_entities(p)}</p>" for p in article.paragraphs) + "\n"
    terms = [
        [
            {
                "id": 10 + i,
                "name": c,
                "slug": _slug(c),
                "taxonomy": "category",
                "link": f"http://{site.host}/category/{_slug(c)}/",
            }
            for i, c in enumerate(article.categories)
        ],
        [
            {
                "id": 50 + i,
                "name": t,
                "slug": _slug(t),
                "taxonomy": "post_tag",
                "link": f"http://{site.host}/tag/{_slug(t)}/",
            }
            for i, t in enumerate(article.tags)
        ],
    ]
    post = {
        "id": article.post_id,
        "date": article.published.strftime("%Y-%m-%dT%H:%M:%S"),
        "date_gmt": article.published.strftime("%Y-%m-%dT%H:%M:%S"),
        "guid": {"rendered": f"http://{site.host}/?p={article.post_id}"},
        "modified": (article.modified or article.published).strftime("%Y-%m-%dT%H:%M:%S"),
        "slug": article.path.strip("/").rsplit("/", 1)[-1],
        "status": "publish",
        "type": "post",
        "link": url,
        "title": {"rendered": _html_entities(article.title)},
        "content": {"rendered": content, "protected": False},
        "excerpt": {
            "rendered": f"<p>{_html_entities(article.paragraphs[0][:140])} [&hellip;]</p>\n",
            "protected": False,
        },
        "author": 3,
        "categories": [t["id"] for t in terms[0]],
        "tags": [t["id"] for t in terms[1]],
        "_links": {"self": [{"href": f"http://{site.host}/wp-json/wp/v2/posts/{article.post_id}"}]},
    }
    embedded: dict = {"wp:term": terms}
    if article.embed_author:
        embedded["author"] = [
            {
                "id": 3,
                "name": article.author,
                "slug": _slug(article.author or ""),
                "link": f"http://{site.host}/author/",
            }
        ]
    post["_embedded"] = embedded
    return post


def _wp_matches(article: Article, term: str) -> bool:
    """WordPress search: every word must appear in the title, excerpt or content."""
    haystack = " ".join([article.title, *article.paragraphs]).lower()
    return all(word in haystack for word in term.lower().split())


def wordpress_api(site: Site, query: Query) -> Reply:
    args = dict(query)
    posts = sorted(site.articles, key=lambda a: (a.published, a.post_id))
    if args.get("search"):
        posts = [a for a in posts if _wp_matches(a, args["search"])]
    if args.get("after"):
        after = dt.datetime.fromisoformat(args["after"])
        posts = [a for a in posts if a.published > after]
    if args.get("before"):
        before = dt.datetime.fromisoformat(args["before"])
        posts = [a for a in posts if a.published < before]
    if args.get("order", "desc") == "desc":
        posts.reverse()
    per_page = int(args.get("per_page", "10"))
    if not 1 <= per_page <= 100:
        return _wp_error("rest_invalid_param", "Invalid parameter(s): per_page", 400)
    page = int(args.get("page", "1"))
    pages_total = max(1, -(-len(posts) // per_page))
    if page > pages_total and posts:
        return _wp_error(
            "rest_post_invalid_page_number",
            "The page number requested is larger than the number of pages available.",
            400,
        )
    chosen = posts[(page - 1) * per_page : page * per_page]
    body = [wp_post(site, a) for a in chosen]
    if "_embed" not in args:
        for post in body:
            post.pop("_embedded")
    headers = {"X-WP-Total": str(len(posts)), "X-WP-TotalPages": str(pages_total if posts else 0)}
    if not site.api_headers:  # some proxies and security plugins strip them
        headers = {}
    return Reply(200, json.dumps(body).encode(), "application/json; charset=UTF-8", headers)


def _wp_error(code: str, message: str, status: int) -> Reply:
    return Reply(
        status,
        json.dumps({"code": code, "message": message, "data": {"status": status}}).encode(),
        "application/json; charset=UTF-8",
    )


RSS_PAGE = 6


def rss(site: Site, page: int) -> Reply | None:
    articles = sorted(site.articles, key=lambda a: a.published, reverse=True)
    chosen = articles[(page - 1) * RSS_PAGE : page * RSS_PAGE]
    if not chosen:
        return None
    more = len(articles) > page * RSS_PAGE
    items = []
    for article in chosen:
        content = "".join(f"<p>{escape(p)}</p>" for p in article.paragraphs)
        categories = "".join(f"<category><![CDATA[{c}]]></category>" for c in article.categories)
        items.append(
            f"<item><title>{xml_escape(article.title)}</title><link>http://{site.host}{article.path}</link>"
            f"<pubDate>{format_datetime(article.published.replace(tzinfo=dt.UTC))}</pubDate>"
            f"<dc:creator><![CDATA[{article.author or ''}]]></dc:creator>{categories}"
            f'<guid isPermaLink="false">http://{site.host}/?p={zlib.crc32(article.path.encode()) % 100000}</guid>'
            f"<description><![CDATA[{article.paragraphs[0][:180]} [&#8230;]]]></description>"
            f"<content:encoded><![CDATA[{content}]]></content:encoded></item>"
        )
    next_link = (
        f'<atom:link rel="next" href="http://{site.host}/feed/?paged={page + 1}"/>' if more else ""
    )
    feed = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">\n'
        f"<channel><title>{xml_escape(site.name)}</title><link>http://{site.host}/</link>"
        f'<atom:link href="http://{site.host}/feed/" rel="self" type="application/rss+xml"/>{next_link}'
        "<description>News from our members (synthetic sample)</description><language>en-GB</language>"
        + "".join(items)
        + "</channel></rss>"
    )
    return Reply(200, feed.encode("utf-8"), "application/rss+xml; charset=UTF-8")


ATOM_PAGE = 5


def atom(site: Site, feed: str, page: int, path: str) -> Reply | None:
    articles = sorted(
        (a for a in site.articles if feed in a.feeds), key=lambda a: a.published, reverse=True
    )
    chosen = articles[(page - 1) * ATOM_PAGE : page * ATOM_PAGE]
    if not chosen:
        return None
    entries = "".join(
        f'<entry><id>tag:{site.host},{a.published:%Y-%m-%d}:{a.path}</id><title type="html">{xml_escape(a.title)}</title>'
        f'<link rel="alternate" type="text/html" href="http://{site.host}{a.path}"/>'
        f"<published>{a.published:%Y-%m-%dT%H:%M:%S}Z</published><updated>{a.published:%Y-%m-%dT%H:%M:%S}Z</updated>"
        f"<author><name>{xml_escape(a.author or '')}</name></author>"
        f'<summary type="html">{xml_escape(a.summary or "")}</summary></entry>'
        for a in chosen
    )
    more = len(articles) > page * ATOM_PAGE
    next_link = (
        f'<link rel="next" href="http://{site.host}{path}?page={page + 1}"/>' if more else ""
    )
    document = (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en-GB">'
        f"<title>{xml_escape(site.name)}</title><id>http://{site.host}{path}</id>"
        f'<link rel="self" href="http://{site.host}{path}"/>{next_link}'
        f"<updated>{chosen[0].published:%Y-%m-%dT%H:%M:%S}Z</updated>{entries}</feed>"
    )
    return Reply(200, document.encode("utf-8"), "application/atom+xml; charset=utf-8")


def _urlset(host: str, entries: list[tuple[str, dt.date | None]]) -> bytes:
    urls = "".join(
        f"<url><loc>http://{host}{path}</loc>"
        + (f"<lastmod>{lastmod.isoformat()}</lastmod>" if lastmod else "")
        + "</url>"
        for path, lastmod in entries
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + urls
        + "</urlset>"
    ).encode()


def sitemaps(site: Site) -> dict[str, Reply]:
    papers = [(a.path, a.lastmod) for a in site.articles if "archive" not in a.feeds]
    archive = [(a.path, a.lastmod) for a in site.articles if "archive" in a.feeds]
    other = [(path, dt.date(2015, 1, 5)) for path in site.extra_pages]
    index_entries = [
        ("/sitemap-papers.xml.gz", max(d for _, d in papers)),
        ("/sitemap-pages.xml", dt.date(2015, 1, 5)),
        ("/sitemap-archive-2009.xml", max(d for _, d in archive)),
    ]
    index = "".join(
        f"<sitemap><loc>http://{site.host}{path}</loc><lastmod>{day.isoformat()}</lastmod></sitemap>"
        for path, day in index_entries
    )
    return {
        "/sitemap_index.xml": Reply(
            200,
            (
                '<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                + index
                + "</sitemapindex>"
            ).encode(),
            "application/xml",
        ),
        "/sitemap-papers.xml.gz": Reply(
            200, gzip.compress(_urlset(site.host, papers), mtime=0), "application/x-gzip"
        ),
        "/sitemap-pages.xml": Reply(200, _urlset(site.host, other), "application/xml"),
        "/sitemap-archive-2009.xml": Reply(200, _urlset(site.host, archive), "application/xml"),
    }


def org_site(site: Site):
    by_path = {a.path: a for a in site.articles}
    extra = sitemaps(site) if site.kind == "sitemap" else {}

    def handle(path: str, query: Query) -> Reply | None:
        args = dict(query)
        if path in by_path:
            article = by_path[path]
            return html(pages.render(site.template, site.name, article, site.articles))
        if path in site.extra_pages:
            return html(
                f"<html><body><h1>{escape(site.name)}</h1>{site.extra_pages[path]}</body></html>"
            )
        if path in extra:
            return extra[path]
        if site.kind == "wordpress" and path == "/wp-json/wp/v2/posts":
            return wordpress_api(site, query)
        if site.kind == "rss" and path == "/feed/":
            return rss(site, int(args.get("paged", "1")))
        if site.kind == "atom" and path in ("/feed/atom/", "/topics/localism/feed/atom/"):
            feed = "all" if path == "/feed/atom/" else "localism"
            return atom(site, feed, int(args.get("page", "1")), path)
        return None

    return handle

"""WordPress REST, RSS/Atom feeds, sitemaps and plain pages against local fixture sites."""

import datetime as dt

from crawling import drive, make_adapter
from fixture_sites import org_site
from fixture_sites.model import Article, Site
from fixture_sites.web import FixtureWeb, serve

PARAGRAPHS = [
    "Our members told us this month that the Big Society has not reached their estates, and "
    "that the volunteers who run the youth club are tired after three years without support.",
    "We will keep making the case for community groups to the council and to ministers, and we "
    "will publish the full results of the survey in the spring.",
]


NAMES = [
    "Ruth Ellery",
    "Tom Garside",
    "Asha Patel",
    "Owen Pryce",
    "Mary Quarmby",
    "Ian Vasey",
    "Jo Whitlock",
    "Sam Yardley",
    "Kit Lomax",
    "Dee Nutley",
]


def article(n: int, day: dt.date, title: str | None = None, **fields) -> Article:
    values = dict(
        path=f"/{day:%Y/%m/%d}/post-{n}/",
        title=title or f"Post {n} on the Big Society",
        published=dt.datetime.combine(day, dt.time(9, 30)),
        author=NAMES[n - 1],
        paragraphs=[f"Post {n}. " + PARAGRAPHS[0], PARAGRAPHS[1]],
        categories=["Policy"],
        tags=["Big Society"],
        post_id=100 + n,
    )
    values.update(fields)
    return Article(**values)


def run(site: Site, table: dict):
    web = FixtureWeb()
    web.add(site.host, org_site(site))
    adapter = make_adapter({"actor_type": "charity", **table})
    with serve(web) as server:
        return drive(adapter, server.port)


# -- WordPress --------------------------------------------------------------------------------

WP = Site(
    "wp.sample.invalid",
    "A Charity",
    "wordpress",
    "wordpress",
    [article(n, dt.date(2010 + n % 5, 1 + n, 10)) for n in range(1, 8)]
    + [
        article(
            8, dt.date(2012, 9, 1), "Localism & the \u2018Big Society\u2019", embed_author=False
        ),
        article(9, dt.date(2009, 3, 1)),
        article(
            10,
            dt.date(2011, 4, 4),
            "Annual general meeting",
            paragraphs=["Our AGM is in the main hall. " * 5],
        ),
    ],
)


def test_wordpress_pages_with_total_pages_and_embedded_authors():
    result = run(
        WP,
        {
            "adapter": "wordpress",
            "site": "http://wp.sample.invalid",
            "search": [],
            "per_page": 3,
            "since": "2010",
        },
    )
    listings = [u for u in result.fetched if "/wp-json/" in u]
    assert len(listings) == 3  # 9 posts after 2010-01-01, 3 per page
    assert "after=2010-01-01T00%3A00%3A00" in listings[0] and "_embed=1" in listings[0]
    assert len(result.documents) == 9
    doc = result.by_url()["http://wp.sample.invalid/2011/02/10/post-1/"]
    assert doc.text == "Post 1. " + PARAGRAPHS[0] + "\n\n" + PARAGRAPHS[1]
    assert (doc.title, doc.author, doc.published_at, doc.source_kind, doc.actor_type) == (
        "Post 1 on the Big Society",
        "Ruth Ellery",
        "2011-02-10",
        "blog",
        "charity",
    )
    assert doc.extra["categories"] == ["Policy"] and doc.extra["tags"] == ["Big Society"]
    assert doc.extra["wp_id"] == 101
    no_author = result.by_url()["http://wp.sample.invalid/2012/09/01/post-8/"]
    assert no_author.author is None
    assert no_author.title == "Localism & the \u2018Big Society\u2019"


def test_wordpress_without_page_counts_pages_until_the_api_says_past_the_end():
    quiet = Site(WP.host, WP.name, WP.kind, WP.template, WP.articles, api_headers=False)
    result = run(
        quiet,
        {
            "adapter": "wordpress",
            "site": "http://wp.sample.invalid",
            "search": ["post"],
            "per_page": 3,
        },
    )
    listings = [u for u in result.fetched if "/wp-json/" in u]
    assert [u.split("&page=")[1].split("&")[0] for u in listings] == ["1", "2", "3", "4"]
    assert len(result.documents) == 9 and result.skips == []
    assert result.failures == {
        listings[3]: 400
    }  # past the end: WordPress's rest_post_invalid_page_number


def test_wordpress_posts_found_by_two_searches_are_kept_once():
    result = run(
        WP,
        {
            "adapter": "wordpress",
            "site": "http://wp.sample.invalid",
            "search": ["big society", "estates"],
            "since": "2010",
        },
    )
    assert len(result.documents) == 8
    duplicates = [
        s for s in result.skips if s.reason == "duplicate: already listed by search 'big society'"
    ]
    assert len(duplicates) == 8


# -- feeds -----------------------------------------------------------------------------------

RSS = Site(
    "rss.sample.invalid",
    "A Federation",
    "rss",
    "charity",
    [article(n, dt.date(2011, n, 3)) for n in range(1, 9)] + [article(9, dt.date(2009, 5, 5))],
)


def test_rss_full_content_next_pages_and_date_range():
    result = run(
        RSS,
        {
            "adapter": "feed",
            "feeds": ["http://rss.sample.invalid/feed/"],
            "since": "2010",
            "until": "2015",
        },
    )
    assert result.fetched == [
        "http://rss.sample.invalid/feed/",
        "http://rss.sample.invalid/feed/?paged=2",
    ]
    assert len(result.documents) == 8
    doc = result.by_url()["http://rss.sample.invalid/2011/03/03/post-3/"]
    assert (doc.author, doc.published_at, doc.language, doc.extra["categories"]) == (
        "Asha Patel",
        "2011-03-03",
        "en",
        ["Policy"],
    )
    assert doc.text.startswith("Post 3. Our members told us")
    assert result.reasons() == {
        "http://rss.sample.invalid/2009/05/05/post-9/": "published 2009-05-05, outside 2010-01-01 to 2015-12-31"
    }


ATOM = Site(
    "atom.sample.invalid",
    "A Think Tank",
    "atom",
    "thinktank",
    [
        article(
            n,
            dt.date(2012, n, 1),
            summary="A short summary [\u2026]",
            feeds=["all", "localism"] if n % 2 else ["all"],
        )
        for n in range(1, 8)
    ],
)


def test_atom_summaries_lead_to_the_page_and_feed_metadata_wins():
    result = run(
        ATOM,
        {
            "adapter": "feed",
            "feeds": [
                "http://atom.sample.invalid/feed/atom/",
                "http://atom.sample.invalid/topics/localism/feed/atom/",
            ],
        },
    )
    feeds = [u for u in result.fetched if "/feed/" in u]
    assert feeds == [
        "http://atom.sample.invalid/feed/atom/",
        "http://atom.sample.invalid/topics/localism/feed/atom/",
        "http://atom.sample.invalid/feed/atom/?page=2",
    ]
    assert len(result.documents) == 7
    doc = result.by_url()["http://atom.sample.invalid/2012/02/01/post-2/"]
    assert (doc.title, doc.author, doc.published_at) == (
        "Post 2 on the Big Society",
        "Tom Garside",
        "2012-02-01",
    )
    assert doc.text.startswith("Post 2. Our members told us") and "Related" not in doc.text
    assert doc.extra["listed_by"] == "http://atom.sample.invalid/feed/atom/"
    duplicates = {
        s.url for s in result.skips if s.reason.startswith("duplicate: already listed by feed")
    }
    assert duplicates == {
        f"http://atom.sample.invalid/2012/{m:02d}/01/post-{m}/" for m in (1, 3, 5, 7)
    }


# -- sitemaps --------------------------------------------------------------------------------

SITEMAP = Site(
    "uni.sample.invalid",
    "A Research Centre",
    "sitemap",
    "academic",
    [
        article(n, dt.date(2012, n, 5), path=f"/papers/wp-{n}/", lastmod=dt.date(2013, n, 1))
        for n in range(1, 5)
    ]
    + [
        article(
            9,
            dt.date(2008, 5, 5),
            path="/papers/old/",
            lastmod=dt.date(2009, 1, 1),
            feeds=["archive"],
        )
    ],
    {"/about/": "<p>About the centre.</p>", "/papers/drafts/": "<p>Drafts.</p>"},
)


def test_sitemap_index_gzip_children_patterns_and_lastmod():
    result = run(
        SITEMAP,
        {
            "adapter": "sitemap",
            "sitemaps": ["http://uni.sample.invalid/sitemap_index.xml"],
            "include": ["/papers/"],
            "exclude": ["/drafts/"],
            "since": "2010",
            "source_kind": "report",
        },
    )
    assert result.fetched[:3] == [
        "http://uni.sample.invalid/sitemap_index.xml",
        "http://uni.sample.invalid/sitemap-papers.xml.gz",
        "http://uni.sample.invalid/sitemap-pages.xml",
    ]
    assert sorted(d.url for d in result.documents) == [
        f"http://uni.sample.invalid/papers/wp-{n}/" for n in range(1, 5)
    ]
    assert result.reasons() == {
        "http://uni.sample.invalid/sitemap-archive-2009.xml": "last modified 2009-01-01, before 2010-01-01",
        "http://uni.sample.invalid/about/": "URL matches no include pattern",
        "http://uni.sample.invalid/papers/drafts/": "URL matches an exclude pattern",
    }
    doc = result.by_url()["http://uni.sample.invalid/papers/wp-2/"]
    assert (doc.title, doc.author, doc.published_at, doc.source_kind) == (
        "Post 2 on the Big Society",
        "Tom Garside",
        "2012-02-05",
        "report",
    )


# -- plain pages with selectors --------------------------------------------------------------

COMMUNITY = Site(
    "community.sample.invalid",
    "A Partnership",
    "pages",
    "community",
    [
        article(1, dt.date(2011, 3, 3), path="/newsletter/1.html", author=None),
        article(
            2,
            dt.date(2012, 6, 1),
            path="/newsletter/2.html",
            author=None,
            language="cy",
            paragraphs=[
                "Mae'r llywodraeth yn awyddus i weld cymunedau yn cymryd mwy o gyfrifoldeb am y gwasanaethau lleol sydd yn bwysig iddyn nhw.",
                "Bydd y gronfa newydd yn helpu grwpiau gwirfoddol i ddatblygu eu sgiliau ac i gynllunio ar gyfer y dyfodol, ac mae hyn yn bwysig i bawb.",
            ],
        ),
    ],
)


def test_pages_with_selector_overrides_and_a_welsh_page():
    result = run(
        COMMUNITY,
        {
            "adapter": "pages",
            "urls": [
                "http://community.sample.invalid/newsletter/1.html",
                "http://community.sample.invalid/newsletter/2.html",
            ],
            "actor_type": "other",
            "selectors": {
                "text": "div.newsletter-body",
                "title": "h2.issue-title",
                "date": "span.issue-date",
            },
        },
    )
    doc = result.by_url()["http://community.sample.invalid/newsletter/1.html"]
    assert doc.text == "Post 1. " + PARAGRAPHS[0] + "\n\n" + PARAGRAPHS[1]
    assert (doc.title, doc.published_at, doc.actor_type) == (
        "Post 1 on the Big Society",
        "2011-03-03",
        "other",
    )
    assert result.reasons() == {
        "http://community.sample.invalid/newsletter/2.html": "language 'cy' is not one of en"
    }

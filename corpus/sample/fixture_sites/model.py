"""The content of the fixture sites, independent of how each service renders it.

Each dataclass is one item as its service knows it (a GOV.UK content item, a ParlParse
speech, a ModernGov meeting, a WordPress post, a Wayback capture, ...). `writer.py` fills
them with synthetic text; the site modules render them in the real formats; tests build small
ones by hand to pin down one behaviour.
"""

import datetime as dt
from dataclasses import dataclass, field


@dataclass
class GovukItem:
    base_path: str
    title: str
    document_type: str  # speech, oral_statement, written_statement, news_story, press_release
    published: dt.datetime
    body_html: str | None
    description: str = ""
    speaker: str | None = None  # links.speaker title
    speaker_without_profile: str | None = None
    role: str | None = None
    organisations: list[str] = field(default_factory=list)
    people: list[str] = field(default_factory=list)  # links.people (news)
    location: str | None = None
    locale: str = "en"
    withdrawn: tuple[dt.datetime, str] | None = None  # (withdrawn_at, explanation)


@dataclass
class Speech:
    gid: str  # e.g. 2011-02-03a.512.2
    speaker: str | None
    member_id: str | None  # uk.org.publicwhip/person/… or …/member/…
    paragraphs: list[str]
    time: str | None = None
    colnum: str = "1"
    old_style_id: bool = False  # speakerid= instead of person_id=


@dataclass
class Debate:
    heading: str
    heading_gid: str
    speeches: list[Speech]
    subheading: str | None = None
    oral: bool = False  # preceded by an oral-heading (question time)


@dataclass
class SittingDay:
    chamber: str  # commons or lords
    date: dt.date
    debates: list[Debate]
    letter: str = "a"
    superseded: "SittingDay | None" = None  # an earlier issue of the same day


@dataclass
class Member:
    person_id: str
    member_id: str
    name: str
    party: str
    house: str  # commons or lords
    start: str = "2010-05-06"
    end: str = "9999-12-31"


@dataclass
class CouncilDocument:
    doc_id: str  # s1234 for item reports, g567 for meeting documents
    link_text: str
    file_name: str
    kind: str  # report, minutes, agenda, reports pack
    paragraphs: list[str]
    title: str
    form: str = "pdf"  # pdf, html, scanned, encrypted, corrupt
    headings: list[tuple[int, str]] = field(default_factory=list)  # paragraph index → heading


@dataclass
class AgendaItem:
    number: str
    title: str
    summary: str
    documents: list[CouncilDocument]


@dataclass
class Meeting:
    meeting_id: int
    when: dt.datetime
    venue: str
    items: list[AgendaItem]
    documents: list[CouncilDocument]  # frontsheet, reports pack, minutes


@dataclass
class Committee:
    committee_id: int
    name: str
    meetings: list[Meeting]


@dataclass
class Council:
    host: str
    name: str
    kind: str  # county, district, unitary, metropolitan, london_borough
    committees: list[Committee]


@dataclass
class Article:
    """A blog post or article page, whichever door (API, feed, sitemap, link) leads to it."""

    path: str  # on its site, e.g. /2011/03/02/some-slug/
    title: str
    published: dt.datetime | None  # None: the page shows no date
    author: str | None
    paragraphs: list[str]
    categories: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    language: str = "en"
    summary: str | None = None
    post_id: int = 0
    modified: dt.datetime | None = None
    embed_author: bool = True  # False: the API leaves _embedded.author out
    feeds: list[str] = field(default_factory=list)  # which feeds list it (feed sites)
    lastmod: dt.date | None = None  # sitemap lastmod


@dataclass
class Site:
    """An organisation's website and how it exposes its articles."""

    host: str
    name: str
    kind: str  # wordpress, rss, atom, sitemap, pages
    template: str  # which page layout (see sites/pages.py)
    articles: list[Article]
    extra_pages: dict[str, str] = field(default_factory=dict)  # path → plain HTML
    api_headers: bool = True  # False: the WordPress API's X-WP-Total* headers are stripped


@dataclass
class Capture:
    original: str  # http://www.number10.gov.uk.sample.invalid/news/…
    timestamp: str  # 14 digits
    article: Article | None  # what the page showed (None for non-HTML captures)
    template: str = "number10"  # page layout of the archived site
    mimetype: str = "text/html"
    status: int = 200
    body: bytes = b""  # for non-HTML captures


@dataclass
class LocalFile:
    name: str
    data: bytes
    metadata: dict[str, str] | None  # a row of metadata.csv (None: not listed)


@dataclass
class ForeignRecord:
    url: str
    date: str  # WARC-Date
    status: int
    content_type: str
    body: bytes

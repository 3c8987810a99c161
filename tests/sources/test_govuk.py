"""The GOV.UK adapter against a local search and content API shaped like GOV.UK's."""

import datetime as dt

from crawling import drive, make_adapter
from fixture_sites import GOVUK, govuk_site
from fixture_sites.model import GovukItem
from fixture_sites.web import FixtureWeb, serve

BASE = f"http://{GOVUK}"
WELSH = (
    "<p>Mae\u2019r Big Society yn golygu rhoi mwy o rym i bobl leol. Mae'r llywodraeth yn awyddus "
    "i weld cymunedau yn cymryd mwy o gyfrifoldeb am y gwasanaethau lleol sydd yn bwysig iddyn "
    "nhw. Bydd y gronfa newydd yn helpu grwpiau gwirfoddol i ddatblygu eu sgiliau ac i "
    "gynllunio ar gyfer y dyfodol, ac mae hyn yn bwysig i bawb.</p>"
)


def speech(n: int, day: dt.date, body: str | None = None, **fields) -> GovukItem:
    values = dict(
        base_path=f"/government/speeches/big-society-{n}",
        title=f"Big Society speech {n}",
        document_type="speech",
        published=dt.datetime.combine(day, dt.time(10)),
        body_html=body
        or f'<div class="govspeak"><p>Speech {n}: the Big Society means handing power to communities &amp; charities.</p></div>',
        speaker="Rt Hon Jane Minister MP",
        role="Minister for Civil Society",
        organisations=["Cabinet Office", "Office for Civil Society"],
        location="Leeds",
    )
    values.update(fields)
    return GovukItem(**values)


ITEMS = [
    speech(1, dt.date(2010, 7, 19)),
    speech(2, dt.date(2011, 2, 14)),
    speech(3, dt.date(2012, 5, 1)),
    speech(4, dt.date(2013, 9, 9)),
    speech(5, dt.date(2014, 1, 20)),
    speech(6, dt.date(2009, 11, 10)),  # before the range: the API never lists it
    GovukItem(
        base_path="/government/news/localism-and-the-big-society",
        title="Localism & the \u2018Big Society\u2019",
        document_type="news_story",
        published=dt.datetime(2012, 3, 1, 9),
        body_html="<p>Localism and the Big Society: new community rights from today.</p>",
        people=["Jane Minister MP"],
        organisations=["Department for Communities and Local Government"],
    ),
    GovukItem(
        base_path="/government/news/cronfa-big-society.cy",
        title="Cronfa newydd",
        document_type="news_story",
        published=dt.datetime(2012, 3, 2, 9),
        body_html=WELSH,
        locale="cy",
    ),
    speech(
        7,
        dt.date(2011, 6, 9),
        withdrawn=(
            dt.datetime(2014, 7, 15, 9),
            "<p>This speech was withdrawn because the scheme closed.</p>",
        ),
    ),
    speech(8, dt.date(2012, 11, 30), body='<div class="govspeak"></div>'),
    speech(
        9,
        dt.date(2013, 10, 3),
        speaker=None,
        role=None,
        speaker_without_profile="Sir Adviser, youth social action",
        organisations=[],
        location=None,
        description="",
    ),
]


def crawl(**table):
    web = FixtureWeb()
    web.add(GOVUK, govuk_site(ITEMS))
    adapter = make_adapter(
        {
            "adapter": "govuk",
            "base_url": BASE,
            "document_types": ["speech", "news_story"],
            "since": "2010-05-01",
            "until": "2015-12-31",
            **table,
        }
    )
    with serve(web) as server:
        return drive(adapter, server.port), web


def test_pages_through_search_results_and_reads_each_item_once():
    result, web = crawl(queries=["big society"], page_size=3)
    searches = [url for url in result.fetched if "/api/search.json" in url]
    assert len(searches) == 4  # 10 items in range, 3 per page
    assert all(
        "filter_public_timestamp=from%3A2010-05-01%2Cto%3A2015-12-31" in url for url in searches
    )
    assert [url.split("start=")[1].split("&")[0] for url in searches] == ["0", "3", "6", "9"]
    contents = [url for url in result.fetched if "/api/content/" in url]
    assert len(contents) == len(set(contents)) == 10
    assert f"{BASE}/api/content/government/speeches/big-society-6" not in contents


def test_speech_document_fields():
    result, _ = crawl(queries=["big society"])
    doc = result.by_url()[f"{BASE}/government/speeches/big-society-2"]
    assert doc.text == "Speech 2: the Big Society means handing power to communities & charities."
    assert (doc.title, doc.author, doc.publisher) == (
        "Big Society speech 2",
        "Rt Hon Jane Minister MP",
        "Cabinet Office",
    )
    assert (
        doc.source_kind,
        doc.actor_type,
        doc.published_at,
        doc.date_precision,
        doc.language,
    ) == (
        "speech",
        "central_government",
        "2011-02-14",
        "day",
        "en",
    )
    assert doc.extra["organisations"] == ["Cabinet Office", "Office for Civil Society"]
    assert doc.extra["roles"] == ["Minister for Civil Society"]
    assert doc.extra["location"] == "Leeds"
    assert doc.extra["document_type"] == "speech"
    assert doc.extra["api_url"] == f"{BASE}/api/content/government/speeches/big-society-2"
    assert (
        doc.extra["government"]
        == "2010 to 2015 Conservative and Liberal Democrat coalition government"
    )
    assert len(doc.extra["content_id"]) == 36


def test_news_story_keeps_its_kind_and_decodes_the_title():
    result, _ = crawl(queries=["localism"])
    doc = result.by_url()[f"{BASE}/government/news/localism-and-the-big-society"]
    assert (doc.source_kind, doc.title, doc.author, doc.published_at) == (
        "news",
        "Localism & the \u2018Big Society\u2019",
        "Jane Minister MP",
        "2012-03-01",
    )


def test_items_listed_by_two_queries_are_fetched_once_and_the_repeat_recorded():
    result, _ = crawl(queries=["big society", "localism"])
    url = f"{BASE}/government/news/localism-and-the-big-society"
    assert result.reasons()[url] == "duplicate: already listed by query 'big society'"
    assert sum(1 for d in result.documents if d.url == url) == 1


def test_non_english_empty_and_withdrawn_items():
    result, _ = crawl(queries=["big society"])
    reasons = result.reasons()
    assert (
        reasons[f"{BASE}/government/news/cronfa-big-society.cy"] == "language 'cy' is not one of en"
    )
    assert reasons[f"{BASE}/government/speeches/big-society-8"] == "empty text"
    withdrawn = result.by_url()[f"{BASE}/government/speeches/big-society-7"]
    assert withdrawn.extra["withdrawn_at"] == "2014-07-15T09:00:00Z"
    assert (
        withdrawn.extra["withdrawn_reason"]
        == "This speech was withdrawn because the scheme closed."
    )


def test_withdrawn_items_can_be_skipped():
    result, _ = crawl(queries=["big society"], withdrawn="skip")
    url = f"{BASE}/government/speeches/big-society-7"
    assert url not in result.by_url()
    assert (
        result.reasons()[url]
        == "withdrawn on 2014-07-15: This speech was withdrawn because the scheme closed."
    )


def test_missing_speaker_links_and_organisations():
    result, _ = crawl(queries=["big society"])
    doc = result.by_url()[f"{BASE}/government/speeches/big-society-9"]
    assert doc.author == "Sir Adviser, youth social action"
    assert doc.publisher is None
    assert "organisations" not in doc.extra and "description" not in doc.extra


def test_keywords_filter_after_the_search():
    result, _ = crawl(queries=[], keywords=["localism"])
    assert [d.url for d in result.documents] == [
        f"{BASE}/government/news/localism-and-the-big-society"
    ]
    assert sum(1 for s in result.skips if s.reason == "no keyword match") == 7

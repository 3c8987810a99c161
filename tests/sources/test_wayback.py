"""The Wayback adapter against a local CDX server and raw captures."""

import datetime as dt

from crawling import drive, make_adapter
from fixture_sites import WAYBACK, wayback_site
from fixture_sites.model import Article, Capture
from fixture_sites.web import FixtureWeb, serve

ARCHIVE = f"http://{WAYBACK}"
TEXT = [
    "The Big Society is about giving communities the confidence and the tools to shape the places they live in.",
    "We want more decisions to be taken by the people who live with their consequences, and we will back them.",
]


def page(path: str, title: str, day: dt.date | None, extra: str = "") -> Article:
    published = dt.datetime.combine(day, dt.time(9)) if day else None
    return Article(path, title, published, None, TEXT + ([extra] if extra else []))


CAPTURES = [
    Capture(
        "http://www.number10.gov.uk.sample.invalid/news/speech-one",
        "20100801120000",
        page("/news/speech-one", "Speech one", dt.date(2010, 7, 19)),
        "number10",
    ),
    Capture(
        "http://www.number10.gov.uk.sample.invalid/news/speech-one",
        "20101101120000",
        page("/news/speech-one", "Speech one", dt.date(2010, 7, 19), "Updated."),
        "number10",
    ),
    Capture(
        "http://www.number10.gov.uk.sample.invalid/news/speech-two",
        "20110301120000",
        page("/news/speech-two", "Speech two", dt.date(2011, 2, 14)),
        "number10",
    ),
    Capture(
        "http://www.number10.gov.uk.sample.invalid/news/no-date",
        "20110615083000",
        page("/news/no-date", "An undated page", None),
        "number10",
    ),
    Capture(
        "http://www.number10.gov.uk.sample.invalid/news/later",
        "20140101120000",
        page("/news/later", "Too late", dt.date(2013, 12, 1)),
        "number10",
    ),
    Capture(
        "http://www.number10.gov.uk.sample.invalid/news/logo.png",
        "20100901120000",
        None,
        "number10",
        "image/png",
        200,
        b"\x89PNG",
    ),
    Capture(
        "http://www.number10.gov.uk.sample.invalid/news/gone",
        "20100901120000",
        None,
        "number10",
        "text/html",
        404,
        b"<html>gone</html>",
    ),
    Capture(
        "http://www.cabinetoffice.gov.uk.sample.invalid/big-society",
        "20100601120000",
        page("/big-society", "Big Society", dt.date(2010, 5, 18)),
        "cabinetoffice",
    ),
]


def run(**table):
    web = FixtureWeb()
    web.add(WAYBACK, wayback_site(CAPTURES))
    adapter = make_adapter(
        {
            "adapter": "wayback",
            "archive": ARCHIVE,
            "urls": ["www.number10.gov.uk.sample.invalid/news/"],
            "actor_type": "central_government",
            "since": "2010-05-01",
            "until": "2013-12-31",
            **table,
        }
    )
    with serve(web) as server:
        return drive(adapter, server.port)


def test_first_capture_of_each_page_in_range_through_paged_cdx():
    result = run(page_size=1)
    cdx = [u for u in result.fetched if "/cdx/" in u]
    assert len(cdx) == 3  # three pages in range, one per listing; the last has no resume key
    assert "resumeKey=" in cdx[1] and "collapse=urlkey" in cdx[0]
    assert "filter=statuscode%3A200" in cdx[0] and "filter=mimetype%3A%28text%2Fhtml%29" in cdx[0]
    assert "from=20100501" in cdx[0] and "to=20131231" in cdx[0]
    assert all(u.startswith(ARCHIVE + "/") for u in result.fetched)
    assert [u for u in result.fetched if "/web/" in u] == [
        f"{ARCHIVE}/web/20110615083000id_/http://www.number10.gov.uk.sample.invalid/news/no-date",
        f"{ARCHIVE}/web/20100801120000id_/http://www.number10.gov.uk.sample.invalid/news/speech-one",
        f"{ARCHIVE}/web/20110301120000id_/http://www.number10.gov.uk.sample.invalid/news/speech-two",
    ]


def test_documents_keep_the_original_url_page_date_and_capture_time():
    docs = run().by_url()
    one = docs["http://www.number10.gov.uk.sample.invalid/news/speech-one"]
    assert (one.title, one.published_at, one.actor_type, one.source_kind) == (
        "Speech one",
        "2010-07-19",
        "central_government",
        "other",
    )
    assert one.extra["captured_at"] == "2010-08-01T12:00:00Z"
    assert (
        one.extra["wayback_url"]
        == f"{ARCHIVE}/web/20100801120000id_/http://www.number10.gov.uk.sample.invalid/news/speech-one"
    )
    assert "date_source" not in one.extra or one.extra["date_source"] != "capture"
    assert one.text.endswith("\n\n".join(TEXT))
    undated = docs["http://www.number10.gov.uk.sample.invalid/news/no-date"]
    assert (undated.published_at, undated.extra["date_source"]) == ("2011-06-15", "capture")


def test_all_captures_mode_fetches_each_distinct_content():
    result = run(captures="all")
    captures = [u for u in result.fetched if "/web/" in u]
    assert (
        f"{ARCHIVE}/web/20101101120000id_/http://www.number10.gov.uk.sample.invalid/news/speech-one"
        in captures
    )
    assert len(captures) == 4
    versions = [
        d
        for d in result.documents
        if d.url == "http://www.number10.gov.uk.sample.invalid/news/speech-one"
    ]
    assert [d.extra["captured_at"] for d in versions] == [
        "2010-08-01T12:00:00Z",
        "2010-11-01T12:00:00Z",
    ]
    assert versions[1].text.endswith("Updated.")


def test_include_and_exclude_patterns_on_original_urls():
    result = run(exclude=["speech-two"])
    assert result.reasons() == {
        f"{ARCHIVE}/web/20110301120000id_/http://www.number10.gov.uk.sample.invalid/news/speech-two": "URL matches an exclude pattern"
    }
    assert len(result.documents) == 2

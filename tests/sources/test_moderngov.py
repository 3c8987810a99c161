"""The ModernGov adapter against a local council democracy site with real PDFs."""

import datetime as dt

import pytest
from crawling import drive, make_adapter
from fixture_sites import moderngov_site
from fixture_sites.model import AgendaItem, Committee, Council, CouncilDocument, Meeting
from fixture_sites.web import FixtureWeb, serve

from discourse.errors import ConfigError

HOST = "democracy.testshire.gov.uk.sample.invalid"
BASE = f"http://{HOST}/"
REPORT = [
    "Report of: Director of Communities",
    "1.1 The community group has shown it can run the library, and volunteers have kept it open for longer hours.",
    "3.1 The Localism Act 2011 requires the council to keep a list of assets of community value.",
]


def report(doc_id: str, title: str, form: str = "pdf", paragraphs=None) -> CouncilDocument:
    name = f"{title} report.{'html' if form == 'html' else 'pdf'}"
    return CouncilDocument(
        doc_id, f"{title} report", name, "report", paragraphs or REPORT, title, form
    )


def minutes(doc_id: str, form: str = "pdf") -> CouncilDocument:
    lines = [
        "Minutes of a meeting of the Cabinet.",
        "RESOLVED: That the community asset transfer policy be approved.",
    ]
    return CouncilDocument(
        doc_id,
        "Printed minutes",
        f"Printed minutes {doc_id} Cabinet.pdf",
        "minutes",
        lines,
        "Minutes",
        form,
    )


LONG = REPORT + [
    f"4.{n} Option {n} would keep the building open with a mix of paid staff and volunteers from the community association."
    for n in range(1, 60)
]
SHARED = report("s4002", "Community Asset Transfer Policy", paragraphs=LONG)
COUNCIL = Council(
    HOST,
    "Testshire County Council",
    "county",
    [
        Committee(
            130,
            "Cabinet",
            [
                Meeting(
                    1001,
                    dt.datetime(2011, 1, 12, 19, 0),
                    "Council Chamber",
                    [
                        AgendaItem(
                            "5.",
                            "Community Asset Transfer Policy",
                            "To consider the report.",
                            [SHARED],
                        ),
                        AgendaItem(
                            "6.",
                            "Future of the Library Service",
                            "To consider the report.",
                            [report("s4003", "Future of the Library Service", "html")],
                        ),
                        AgendaItem(
                            "7.",
                            "Treasury Management Strategy",
                            "To approve the strategy.",
                            [report("s4004", "Treasury Management Strategy", "encrypted")],
                        ),
                        AgendaItem(
                            "8.",
                            "Volunteering Strategy",
                            "To note the strategy.",
                            [report("s4011", "Volunteering Strategy")],
                        ),
                    ],
                    [
                        CouncilDocument(
                            "g1001",
                            "Agenda reports pack",
                            "Public reports pack 12Jan2011 Cabinet.pdf",
                            "reports pack",
                            REPORT,
                            "Pack",
                        ),
                        minutes("g1001", "scanned"),
                    ],
                ),
                Meeting(
                    1002,
                    dt.datetime(2011, 3, 2, 10, 30),
                    "Committee Room 1",
                    [
                        AgendaItem(
                            "4.", "Community Asset Transfer Policy", "Referred back.", [SHARED]
                        ),
                        AgendaItem(
                            "5.",
                            "Youth Services",
                            "To consider the report.",
                            [report("s4005", "Youth Services", "corrupt")],
                        ),
                    ],
                    [minutes("g1002")],
                ),
                Meeting(
                    1003, dt.datetime(2010, 2, 9, 14, 0), "Council Chamber", [], [minutes("g1003")]
                ),
            ],
        ),
        Committee(
            150,
            "Planning and Regulation Committee",
            [Meeting(1004, dt.datetime(2011, 5, 5, 10), "Room 2", [], [minutes("g1004")])],
        ),
    ],
)


@pytest.fixture(scope="module")
def result():
    web = FixtureWeb()
    web.add(HOST, moderngov_site(COUNCIL))
    adapter = make_adapter(
        {
            "adapter": "moderngov",
            "since": "2010-05-01",
            "until": "2011-12-31",
            "committees": ["cabinet"],
            "councils": [{"name": "Testshire County Council", "type": "county", "url": BASE}],
        }
    )
    with serve(web) as server:
        yield drive(adapter, server.port)


def test_walks_committees_meetings_by_year_and_documents(result):
    listings = [u for u in result.fetched if ".aspx" in u and "mgConvert2PDF" not in u]
    assert listings == [
        f"{BASE}mgListCommittees.aspx?bcr=1",
        f"{BASE}ieListMeetings.aspx?CId=130&Year=2010",
        f"{BASE}ieListMeetings.aspx?CId=130&Year=2011",
        f"{BASE}ieListDocuments.aspx?CId=130&MId=1001&Ver=4",
        f"{BASE}ieListDocuments.aspx?CId=130&MId=1002&Ver=4",
    ]
    assert not any(
        "CId=150" in u for u in result.fetched
    )  # the planning committee is not asked for
    assert result.reasons()[f"{BASE}ieListDocuments.aspx?CId=130&MId=1003&Ver=4"] == (
        "meeting on 2010-02-09, outside 2010-05-01 to 2011-12-31"
    )


def test_pdf_report_becomes_a_document_dated_by_its_meeting(result):
    url = f"{BASE}documents/s4002/Community%20Asset%20Transfer%20Policy%20report.pdf"
    doc = result.by_url()[url]
    assert doc.text.startswith("Community Asset Transfer Policy")
    assert "volunteers have kept it open for longer hours" in doc.text
    assert "Testshire County Council - Cabinet - 12 January 2011" not in doc.text  # running header
    assert (doc.title, doc.published_at, doc.publisher, doc.source_kind, doc.actor_type) == (
        "Community Asset Transfer Policy",
        "2011-01-12",
        "Testshire County Council",
        "council",
        "local_government",
    )
    assert doc.extra["council_type"] == "county"
    assert doc.extra["committee"] == "Cabinet"
    assert doc.extra["meeting_date"] == "2011-01-12"
    assert doc.extra["document_title"] == "Community Asset Transfer Policy report"
    assert doc.extra["document_kind"] == "report"
    assert (doc.extra["committee_id"], doc.extra["meeting_id"], doc.extra["document_id"]) == (
        "130",
        "1001",
        "s4002",
    )
    assert doc.extra["pages"] == 3


def test_html_and_converted_documents(result):
    html = result.by_url()[
        f"{BASE}documents/s4003/Future%20of%20the%20Library%20Service%20report.html"
    ]
    assert (
        html.title == "Future of the Library Service" and "assets of community value" in html.text
    )
    converted = result.by_url()[f"{BASE}mgConvert2PDF.aspx?ID=4011"]
    assert (converted.title, converted.extra["document_id"]) == ("Volunteering Strategy", "4011")


def test_minutes_are_titled_by_committee_and_date(result):
    doc = result.by_url()[f"{BASE}documents/g1002/Printed%20minutes%20g1002%20Cabinet.pdf?T=1"]
    assert doc.title == "Minutes: Cabinet, 2011-03-02"
    assert doc.extra["document_kind"] == "minutes"


def test_unreadable_pdfs_and_repeats_are_recorded_with_their_reason(result):
    reasons = result.reasons()
    assert (
        reasons[f"{BASE}documents/g1001/Printed%20minutes%20g1001%20Cabinet.pdf?T=1"]
        == "no text layer (scanned PDF?)"
    )
    assert reasons[f"{BASE}documents/s4004/Treasury%20Management%20Strategy%20report.pdf"] == (
        "encrypted PDF: a password is required to open it"
    )
    assert reasons[f"{BASE}documents/s4005/Youth%20Services%20report.pdf"].startswith(
        "truncated PDF: the file ends before its end-of-file marker"
    )
    assert reasons[
        f"{BASE}documents/g1001/Public%20reports%20pack%2012Jan2011%20Cabinet.pdf?T=10"
    ] == ("reports pack repeats the item reports (reports_packs = false)")
    assert reasons[f"{BASE}documents/s4002/Community%20Asset%20Transfer%20Policy%20report.pdf"] == (
        f"duplicate: already listed by meeting {BASE}ieListDocuments.aspx?CId=130&MId=1001&Ver=4"
    )
    assert len(result.documents) == 4


def test_title_keywords_limit_what_is_fetched():
    web = FixtureWeb()
    web.add(HOST, moderngov_site(COUNCIL))
    adapter = make_adapter(
        {
            "adapter": "moderngov",
            "since": "2011-01-01",
            "until": "2011-01-31",
            "titles": ["library"],
            "councils": [{"name": "Testshire County Council", "type": "county", "url": BASE}],
        }
    )
    with serve(web) as server:
        result = drive(adapter, server.port)
    documents = [u for u in result.fetched if "documents/" in u or "mgConvert" in u]
    assert documents == [
        f"{BASE}documents/g1001/Printed%20minutes%20g1001%20Cabinet.pdf?T=1",
        f"{BASE}documents/s4003/Future%20of%20the%20Library%20Service%20report.html",
    ]
    assert (
        result.reasons()[f"{BASE}mgConvert2PDF.aspx?ID=4011"]
        == "agenda item and document titles match none of `titles`"
    )


def test_a_date_range_is_required():
    with pytest.raises(ConfigError, match="needs since and until"):
        make_adapter({"adapter": "moderngov", "councils": []})
    with pytest.raises(ConfigError, match="sources.test.councils.0.type"):
        make_adapter(
            {
                "adapter": "moderngov",
                "since": "2010",
                "until": "2011",
                "councils": [{"name": "X", "type": "parish", "url": BASE}],
            }
        )

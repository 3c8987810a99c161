"""HTML extraction on pages shaped like the sources: GOV.UK speeches, think-tank blogs, ModernGov."""

from pathlib import Path

import pytest

from discourse.collect.extract import (
    ExtractionError,
    extract_bytes,
    extract_html,
    validate_selectors,
)
from discourse.collect.extract.metadata import (
    best_title,
    clean_authors,
    clean_title,
    evidenced_date,
)
from discourse.dates import PartialDate
from discourse.errors import ConfigError

EXTRACT = Path(__file__).parent / "fixtures" / "extract"


def read(name: str) -> bytes:
    return (EXTRACT / name).read_bytes()


def test_govuk_speech_main_text_title_and_date_without_boilerplate():
    result = extract_bytes(
        read("govuk_speech.html"),
        content_type="text/html; charset=utf-8",
        url="https://www.gov.uk/government/speeches/building-the-big-society-in-our-neighbourhoods",
    )
    assert result.title == "Building the Big Society in our neighbourhoods"
    assert result.date == PartialDate("2010-07-19", "day")
    assert result.extra["date_source"] == "meta:govuk:first-published-at"
    assert result.language == "en"
    assert result.text.startswith("A speech by the Minister for Civil Society")
    assert (
        "For too long we have treated citizens as passive recipients of services designed in "
        "Whitehall. The Big Society is about handing power back to the people who know their "
        "streets best." in result.text.split("\n\n")
    )
    assert result.text.endswith("arrived in office.")
    for boilerplate in ("Cookies on GOV.UK", "Benefits", "Related content", "Crown copyright"):
        assert boilerplate not in result.text
    assert result.extra["sitename"] == "GOV.UK"
    assert result.extra["canonical_url"].endswith("/building-the-big-society-in-our-neighbourhoods")


def test_think_tank_post_authors_from_json_ld_and_comments_left_out():
    result = extract_bytes(read("thinktank_blog.html"), content_type="text/html")
    assert result.title == "Co-production is not a cheaper way to cut services"
    # JSON-LD names, with an entity the publisher escaped twice
    assert result.author == "Priya Natarajan; Tom O'Hare"
    # published, not modified
    assert result.date == PartialDate("2012-03-05", "day")
    paragraphs = result.text.split("\n\n")
    assert paragraphs[0].startswith("Every council in England now has a co-production strategy.")
    assert (
        "We were asked what colour the new centre should be, not whether it should close."
        in paragraphs
    )
    for boilerplate in (
        "Great piece",
        "Share on Twitter",
        "Popular posts",
        "newsletter",
        "registered charity",
    ):
        assert boilerplate not in result.text


def test_council_minutes_in_windows_1252_with_month_precision_date():
    result = extract_bytes(read("council_page.html"), content_type="text/html")
    assert "under the Council\u2019s Big Society programme" in result.text
    assert result.date == PartialDate("2011-09", "month")
    assert result.title == "Minutes: Stronger Communities Scrutiny Panel"
    assert result.author == "Democratic Services"
    assert "Town Hall, High Street" not in result.text
    assert result.text.endswith("receive a progress report in September 2012.")


def test_selectors_override_text_title_author_and_date():
    selectors = {
        "text": ".govuk-govspeak",
        "title": ".gem-c-title__text",
        "author": ".gem-c-metadata a[href*='/people/']",
        "date": ".gem-c-metadata dd:nth-of-type(3)",
    }
    result = extract_html(read("govuk_speech.html"), selectors=selectors)
    assert result.author == "Example Minister"
    assert result.date == PartialDate("2010-07-19", "day")
    assert result.extra["date_source"] == "selector"
    assert result.extra["extractor"] == "selector"
    assert result.text.split("\n\n")[2] == "What we will do"
    assert result.text.startswith("Thank you for coming this morning.")
    assert "A speech by the Minister" not in result.text


def test_text_selector_matching_nothing_says_so():
    with pytest.raises(ExtractionError) as raised:
        extract_html(read("govuk_speech.html"), selectors={"text": ".no-such-class"})
    assert raised.value.reason == "text selector '.no-such-class' matched no text on the page"


def test_invalid_selector_is_a_config_error_naming_the_field():
    with pytest.raises(ConfigError, match=r"selectors\.text: invalid CSS selector"):
        validate_selectors({"text": "div[["})
    with pytest.raises(ConfigError, match="unknown field 'body'"):
        validate_selectors({"body": "main"})


def test_welsh_page_declared_english_is_detected_as_welsh():
    paragraph = (
        "Mae'r cyngor wedi cytuno i drosglwyddo'r ganolfan gymunedol i ymddiriedolaeth leol. "
        "Bydd y grŵp yn cael grant am ddwy flynedd ac mae'r aelodau wedi gofyn am adroddiad "
        "ar y cynnydd. Dywedodd y cynghorydd fod hyn yn gyfle i'r gymuned ond bod rhaid i'r "
        "cyngor barhau i gefnogi'r gwaith gyda chyllid a chyngor."
    )
    page = f"<html lang='en'><head><title>Cofnodion</title></head><body><article><p>{paragraph}</p><p>{paragraph}</p></article></body></html>"
    result = extract_html(page)
    assert result.language == "cy"
    assert result.extra["declared_language"] == "en"


def test_page_with_no_main_text_is_an_error():
    with pytest.raises(ExtractionError, match="no main text found"):
        extract_html(
            "<html><head><title>Empty</title></head><body><nav><a href='/'>Home</a></nav></body></html>"
        )


@pytest.mark.parametrize(
    ("title", "names", "expected"),
    [
        ("Big Society speech - GOV.UK", ["GOV.UK"], "Big Society speech"),
        ("Civic Futures | Why localism needs money", ["Civic Futures"], "Why localism needs money"),
        (
            "Localism: a new hope | Blog | Civic Futures",
            ["civicfutures.org", "Civic Futures"],
            "Localism: a new hope | Blog",
        ),
        ("Co-production - what works", [], "Co-production - what works"),
    ],
)
def test_clean_title_strips_only_the_site_name(title, names, expected):
    assert clean_title(title, names) == expected


def test_best_title_prefers_a_confirmed_heading_over_seo_titles():
    assert (
        best_title(
            ["Logo", "Councils cut youth services"], ["Youth services cut by councils - News"], []
        )
        == "Councils cut youth services"
    )
    assert (
        best_title(["POLITICO"], ["How localism stalled | POLITICO"], ["POLITICO"])
        == "How localism stalled"
    )


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["By Jane Smith and John Doe"], "Jane Smith; John Doe"),
        (["Posted by JANE SMITH on 3 March 2012"], "Jane Smith"),
        (["Noah Eastwood, Money Reporter"], "Noah Eastwood"),
        (["Robert E. Moffit, Ph.D."], "Robert E. Moffit, Ph.D."),
        (["View all posts by Will Macmaster"], "Will Macmaster"),
        (["Ken Yu August 18, 2023 • 3 min read"], "Ken Yu"),
        (["admin"], None),
        (["Civic Futures Institute"], None),
    ],
)
def test_clean_authors(names, expected):
    assert clean_authors(names, publishers=["Civic Futures Institute"]) == expected


BODY = (
    "<p>Residents of the estate formed a tenants' association after the council announced "
    "that the community centre would close, and within a year they were running it "
    "themselves with a small grant and a great deal of unpaid work.</p>"
)


@pytest.mark.parametrize(
    ("evidence", "url", "expected"),
    [
        (
            "<p>The scheme began in 2009 with a dozen volunteers.</p>",
            None,
            PartialDate("2009", "year"),
        ),
        ("<footer>&copy; 2009 Tenants' Association</footer>", None, PartialDate("2009", "year")),
        (
            "<p>Posted on 1 March 2009 by the association.</p>",
            None,
            PartialDate("2009-03-01", "day"),
        ),
        (
            "<p>Posted on 17 March 2009 by the association.</p>",
            None,
            PartialDate("2009-03-17", "day"),
        ),
        ("<p>Updated: 01/03/2009</p>", None, PartialDate("2009-03-01", "day")),
    ],
    ids=["year-in-text", "copyright-year", "first-of-month", "day", "numeric-first"],
)
def test_a_date_guessed_from_the_page_keeps_only_the_precision_it_has(evidence, url, expected):
    """htmldate reports a bare year as 1 January: that must not become a day-precision date."""
    html = f"<html><head><title>Closure</title></head><body>{BODY}{evidence}</body></html>"
    result = extract_html(html, url=url)
    assert (result.date, result.extra["date_source"]) == (expected, "htmldate")


@pytest.mark.parametrize(
    ("evidence", "expected"),
    [
        ("", PartialDate("2011", "year")),
        ("Archive: March 2011", PartialDate("2011-03", "month")),
        ("https://example.org/2011/03/story", PartialDate("2011-03", "month")),
        ("<time datetime='2011-03-01T09:30:00Z'>", PartialDate("2011-03-01", "day")),
        ("20110301", PartialDate("2011-03-01", "day")),
        ("March 1st, 2011", PartialDate("2011-03-01", "day")),
        ("3/1/11", PartialDate("2011-03-01", "day")),
        ("11/03/2011 and 2011-03-11", PartialDate("2011-03", "month")),
    ],
)
def test_evidenced_date_checks_firsts_of_the_month_against_the_page(evidence, expected):
    assert evidenced_date(PartialDate("2011-03-01", "day"), evidence) == expected


def test_evidenced_date_leaves_other_days_and_partial_dates_alone():
    for date in (
        PartialDate("2011-03-02", "day"),
        PartialDate("2011-03", "month"),
        PartialDate("2011", "year"),
    ):
        assert evidenced_date(date, "nothing about it") == date

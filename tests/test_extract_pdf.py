"""PDF extraction on council-paper-shaped PDFs we generate: furniture, hyphens, refusals."""

import datetime as dt
import io

import pytest
from fpdf import FPDF
from PIL import Image

from discourse.collect.extract import (
    NO_TEXT_LAYER,
    TRUNCATED_FILE,
    ExtractionError,
    Limits,
    extract_bytes,
    extract_pdf,
)
from discourse.dates import PartialDate

HEADER = "Anytown Borough Council - Cabinet - 14 March 2011"
BODY = [
    (
        "The council will work with the voluntary and community sector to design services with "
        "the people who use them. Officers have met twelve residents' groups since January."
    ),
    (
        "Members noted that the transfer of the Eastfield library to a community trust would "
        "save the council money in the first year, but asked what support the trust would need."
    ),
]


def council_pdf(
    pages: int = 4, *, title: str | None = "Localism and the Big Society", body=None
) -> bytes:
    """An agenda report: running header, page footer 'Page N of M', two paragraphs a page."""
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_creation_date(dt.datetime(2011, 3, 14, 9, 30, tzinfo=dt.UTC))
    if title:
        pdf.set_title(title)
    pdf.set_author("Democratic Services")
    for number in range(1, pages + 1):
        pdf.add_page()
        pdf.set_font("Helvetica", size=9)
        pdf.set_xy(15, 10)
        pdf.cell(0, 5, HEADER)
        pdf.set_font("Helvetica", size=11)
        pdf.set_xy(20, 40)
        for paragraph in body(number) if body else BODY:
            pdf.multi_cell(170, 5.5, paragraph, align="L")
            pdf.ln(6)
        pdf.set_font("Helvetica", size=9)
        pdf.set_xy(15, 285)
        pdf.cell(180, 5, f"Page {number} of {pages}", align="C")
    return bytes(pdf.output())


def lines_pdf(lines: list[str]) -> bytes:
    """One paragraph set line by line, so the test decides where lines break."""
    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.set_xy(20, 40)
    for line in lines:
        pdf.cell(0, 5.5, line, new_x="LMARGIN", new_y="NEXT")
        pdf.set_x(20)
    return bytes(pdf.output())


def test_running_header_and_page_numbers_are_removed():
    result = extract_pdf(council_pdf(4))
    assert HEADER not in result.text
    assert "Page 2 of 4" not in result.text
    assert result.text.split("\n\n") == BODY * 4
    assert result.extra["pages"] == 4
    assert result.extra["page_count"] == 4
    assert result.extra["page_starts"][0] == 0
    assert result.text[result.extra["page_starts"][1] :].startswith(BODY[0])


def test_metadata_from_the_document_information():
    result = extract_bytes(council_pdf(3), content_type="application/pdf")
    assert result.title == "Localism and the Big Society"
    assert result.author == "Democratic Services"
    assert result.date == PartialDate("2011-03-14", "day")
    assert result.language == "en"
    assert result.extra["scanned"] is False


def test_title_falls_back_to_the_largest_type_on_page_one():
    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", size=20)
    pdf.cell(0, 10, "Community Right to Challenge", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 5.5, BODY[0])
    result = extract_pdf(bytes(pdf.output()))
    assert result.title == "Community Right to Challenge"


def test_words_hyphenated_at_line_ends_are_rejoined_and_compounds_kept():
    result = extract_pdf(
        lines_pdf(
            [
                "The new arrangements require the com-",
                "munity and the council to work as partners; co-",
                "production means residents share decisions. Co-production",
                "is harder than consultation, and self-",
                "organised groups need support.",
            ]
        )
    )
    assert result.text == (
        "The new arrangements require the community and the council to work as partners; "
        "co-production means residents share decisions. Co-production is harder than "
        "consultation, and self-organised groups need support."
    )


def test_paragraph_continuing_on_the_next_page_is_joined():
    def body(number):
        if number == 1:
            return ["The panel asked officers to report back on the costs of the transfer and on"]
        return ["the support the trusts would receive in their first two years."]

    result = extract_pdf(council_pdf(3, body=body))
    assert result.text.split("\n\n")[0] == (
        "The panel asked officers to report back on the costs of the transfer and on "
        "the support the trusts would receive in their first two years."
    )


def scanned_pdf(pages: int = 2) -> bytes:
    image = Image.new("L", (400, 560), color=255)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    pdf = FPDF(format="A4")
    for _ in range(pages):
        pdf.add_page()
        pdf.image(io.BytesIO(buffer.getvalue()), x=10, y=10, w=190)
    return bytes(pdf.output())


def test_scanned_pdf_without_text_layer_is_refused():
    with pytest.raises(ExtractionError) as raised:
        extract_pdf(scanned_pdf())
    assert raised.value.reason == NO_TEXT_LAYER == "no text layer (scanned PDF?)"


def test_encrypted_pdf_needing_a_password_is_refused():
    pdf = FPDF()
    pdf.set_encryption(owner_password="owner", user_password="secret")
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.cell(0, 10, "Confidential: exempt under paragraph 3 of Schedule 12A")
    with pytest.raises(ExtractionError, match="^encrypted PDF: a password is required"):
        extract_pdf(bytes(pdf.output()))


def test_pdf_encrypted_without_user_password_is_read():
    pdf = FPDF()
    pdf.set_encryption(owner_password="owner")
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.cell(0, 10, "Open to read, closed to edit.")
    assert extract_pdf(bytes(pdf.output())).text == "Open to read, closed to edit."


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF", "corrupt PDF: "),
        (b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n", "corrupt PDF: "),
        (b"%PDF-1.7\n" + bytes(range(256)) * 40, f"{TRUNCATED_FILE}, and unreadable ("),
    ],
    ids=["no-pages", "garbage", "garbage-without-end"],
)
def test_corrupt_pdf_is_refused_with_a_reason(data, reason):
    with pytest.raises(ExtractionError) as raised:
        extract_pdf(data)
    assert raised.value.reason.startswith(reason)


def test_truncated_pdf_is_refused_or_kept_with_a_warning():
    data = council_pdf(4)
    with pytest.raises(ExtractionError) as raised:
        extract_pdf(data[: len(data) // 2])  # the page index is at the end: lost
    assert raised.value.reason == (
        "truncated PDF: the file ends before its end-of-file marker (%%EOF), "
        "and unreadable (Unexpected EOF)"
    )
    whole_but_the_marker = extract_pdf(data[: data.rindex(b"%%EOF")])
    assert whole_but_the_marker.text.split("\n\n") == BODY * 4
    assert whole_but_the_marker.extra["truncated"] == (
        "truncated PDF: the file ends before its end-of-file marker (%%EOF): "
        "later pages may be missing"
    )


def test_page_cap_truncates_and_says_so():
    result = extract_pdf(council_pdf(5), limits=Limits(max_pdf_pages=2))
    assert result.text.split("\n\n") == BODY * 2
    assert result.extra["truncated"] == "page limit: read the first 2 of 5 pages"
    assert result.extra["page_count"] == 5


def test_time_budget_stops_between_pages_and_says_so():
    result = extract_pdf(council_pdf(3), limits=Limits(seconds=0))
    # one page read: nothing to compare the header with, so it stays
    assert result.text.split("\n\n") == [HEADER, *BODY]
    assert result.extra["truncated"] == "time limit: read 1 of 3 pages in 0 s"


def test_pdf_too_large_is_refused_before_parsing():
    with pytest.raises(ExtractionError, match=r"^PDF too large: "):
        extract_pdf(council_pdf(1), limits=Limits(max_pdf_bytes=100))


def test_ten_thousand_page_pdf_is_capped_not_hung():
    from hostilekit import simple_pdf  # written by hand: fpdf2 takes seconds for 10,000 pages

    result = extract_pdf(
        simple_pdf(
            [f"Item {n} of the register of assets of community value" for n in range(10_000)]
        )
    )
    assert result.extra["truncated"] == "page limit: read the first 1000 of 10000 pages"
    assert result.extra["pages"] == 1000
    assert result.extra["page_count"] == 10_000
    # one repeated-looking line a page is the content, not a running header
    paragraphs = result.text.split("\n\n")
    assert len(paragraphs) == 1000
    assert paragraphs[999] == "Item 999 of the register of assets of community value"

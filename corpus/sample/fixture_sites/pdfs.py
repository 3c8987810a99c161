"""PDFs shaped like council papers: a running header and a page footer on every page,
numbered headings, and the awkward cases councils publish: a scan with no text layer, a
password-protected file, a download cut off part-way.
"""

import datetime as dt
import io
import textwrap

from fpdf import FPDF
from PIL import Image, ImageDraw

FIXED_DATE = dt.datetime(2015, 6, 1, 12, 0, tzinfo=dt.UTC)  # same bytes on every build
_LATIN1 = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2026": "...",
    }
)


def latin1(text: str) -> str:
    """The core PDF fonts cover Latin-1 only; typographic quotes and dashes become ASCII."""
    return text.translate(_LATIN1).encode("latin-1", "replace").decode("latin-1")


class _Paper(FPDF):
    def __init__(self, header: str):
        super().__init__(format="A4")
        self.running_header = latin1(header)
        self.set_creation_date(FIXED_DATE)
        self.set_auto_page_break(auto=True, margin=22)
        self.alias_nb_pages()

    def header(self):
        self.set_font("Helvetica", "I", 8)
        self.cell(0, 8, self.running_header, align="R", new_x="LMARGIN", new_y="NEXT")
        self.ln(2)

    def footer(self):
        self.set_y(-15)
        self.set_font("Helvetica", "", 8)
        self.cell(0, 8, f"Page {self.page_no()} of {{nb}}", align="C")


def text_pdf(
    header: str,
    title: str,
    paragraphs: list[str],
    headings: dict[int, str] | None = None,
    password: str | None = None,
) -> bytes:
    """A text PDF; `password` encrypts it so it cannot be opened without one."""
    pdf = _Paper(header)
    pdf.set_title(latin1(title))
    pdf.set_author("Democratic Services")
    if password:
        pdf.set_encryption(owner_password=password + "-owner", user_password=password)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.multi_cell(0, 7, latin1(title), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    for index, paragraph in enumerate(paragraphs):
        heading = (headings or {}).get(index)
        if heading:
            pdf.set_font("Helvetica", "B", 11)
            pdf.multi_cell(0, 6, latin1(heading), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
        pdf.set_font("Helvetica", "", 10.5)
        pdf.multi_cell(0, 5.2, latin1(paragraph), align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2.5)
    return bytes(pdf.output())


def scanned_pdf(header: str, title: str, paragraphs: list[str]) -> bytes:
    """Pages that are only pictures of text, as a scanner makes them: no text layer at all."""
    lines = [header, "", title, ""]
    for paragraph in paragraphs:
        lines += textwrap.wrap(latin1(paragraph), 90) + [""]
    pdf = FPDF(format="A4")
    pdf.set_creation_date(FIXED_DATE)
    for start in range(0, len(lines), 60):
        image = Image.new("L", (1240, 1754), 255)
        draw = ImageDraw.Draw(image)
        for row, line in enumerate(lines[start : start + 60]):
            draw.text((90, 90 + row * 26), line, fill=30)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", optimize=False)
        pdf.add_page()
        pdf.image(buffer, x=0, y=0, w=210, h=297)
    return bytes(pdf.output())


def corrupt_pdf(header: str, title: str, paragraphs: list[str]) -> bytes:
    """A download cut off part-way: the header is there, the cross-reference table is not."""
    whole = text_pdf(header, title, paragraphs)
    return whole[: len(whole) // 3]

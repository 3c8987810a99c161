"""Hostile PDFs through the real crawl: encrypted, truncated, 10,000 pages."""

from fpdf import FPDF
from hostilekit import (
    Reply,
    assert_intact,
    good_page,
    outcomes,
    pages_source,
    run,
    server_fixture,  # noqa: F401  (the `server` fixture)
    simple_pdf,
    sources_file,
)

from discourse.store import Store

LINE = "Item {} of the register of assets of community value"
TRUNCATED = "truncated PDF: the file ends before its end-of-file marker (%%EOF)"


def pdf_reply(data: bytes) -> Reply:
    return Reply(body=data, content_type="application/pdf")


def crawl_pdfs(tmp_path, server, pdfs: dict[str, bytes]):
    server.route("/good", good_page())
    for path, data in pdfs.items():
        server.route(path, pdf_reply(data))
    urls = [server.url(path) for path in [*pdfs, "/good"]]
    report = run(tmp_path, sources_file(tmp_path, pages_source(urls)))
    found = outcomes(tmp_path)
    assert found[server.url("/good")] == ("stored", "The centre a year on")
    assert_intact(tmp_path)
    return report, found


def encrypted_pdf() -> bytes:
    pdf = FPDF()
    pdf.set_encryption(owner_password="owner", user_password="secret")
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.cell(0, 10, "Exempt under paragraph 3 of Schedule 12A")
    return bytes(pdf.output())


def test_encrypted_and_truncated_pdfs_are_skipped_with_reasons(server, tmp_path):
    pages = simple_pdf([LINE.format(n) for n in range(1, 6)])
    report, found = crawl_pdfs(
        tmp_path,
        server,
        {
            "/exempt.pdf": encrypted_pdf(),
            "/cut.pdf": pages[: len(pages) // 2],
            "/no-eof.pdf": pages[: -len(b"%%EOF\n")],
        },
    )
    assert found[server.url("/exempt.pdf")] == (
        "skipped",
        "extraction failed: encrypted PDF: a password is required to open it",
    )
    assert found[server.url("/cut.pdf")] == (
        "skipped",
        f"extraction failed: {TRUNCATED}, and unreadable (Unexpected EOF)",
    )
    # all there but the end marker: kept, and the document says it may be incomplete
    assert found[server.url("/no-eof.pdf")][0] == "stored"
    with Store.open(tmp_path / "store.sqlite", readonly=True) as store:
        (kept,) = [d for d in store.iter_documents() if d.url.endswith("/no-eof.pdf")]
    assert kept.extra["truncated"] == f"{TRUNCATED}: later pages may be missing"
    assert kept.text.split("\n\n")[-1] == LINE.format(5)
    assert report.sources["pages"].failed == 0


def test_a_ten_thousand_page_pdf_is_read_to_the_page_cap_and_says_so(server, tmp_path):
    register = simple_pdf([LINE.format(n) for n in range(1, 10_001)])
    report, found = crawl_pdfs(tmp_path, server, {"/register.pdf": register})
    assert found[server.url("/register.pdf")][0] == "stored"
    with Store.open(tmp_path / "store.sqlite", readonly=True) as store:
        (kept,) = [d for d in store.iter_documents() if d.url.endswith("/register.pdf")]
    assert kept.extra["truncated"] == "page limit: read the first 1000 of 10000 pages"
    assert (kept.extra["pages"], kept.extra["page_count"]) == (1000, 10_000)
    paragraphs = kept.text.split("\n\n")
    assert (len(paragraphs), paragraphs[-1]) == (1000, LINE.format(1000))
    assert report.sources["pages"].stored == 2

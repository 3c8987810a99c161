"""`discourse extract FILE [--url URL] [--json]`: the stable contract other tools rely on."""

import json
from pathlib import Path

from tests.test_extract_pdf import BODY, council_pdf

FIXTURES = Path(__file__).parent / "fixtures" / "extract"


def test_extract_prints_title_author_date_and_text(run_cli):
    result = run_cli("extract", FIXTURES / "thinktank_blog.html")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[:4] == [
        "title:  Co-production is not a cheaper way to cut services",
        "author: Priya Natarajan; Tom O'Hare",
        "date:   2012-03-05",
        "",
    ]
    assert lines[4].startswith("Every council in England now has a co-production strategy.")


def test_extract_json_has_exactly_the_contract_keys(run_cli):
    result = run_cli(
        "extract",
        FIXTURES / "council_page.html",
        "--url",
        "https://democracy.anytown.example.gov.uk/ieListDocuments.aspx?MId=7",
        "--json",
    )
    assert result.exit_code == 0
    record = json.loads(result.stdout)
    assert list(record) == ["title", "author", "date", "text"]
    assert record["date"] == "2011-09"
    assert record["title"] == "Minutes: Stronger Communities Scrutiny Panel"
    assert record["text"].endswith("receive a progress report in September 2012.")


def test_extract_pdf_file(run_cli, tmp_path):
    path = tmp_path / "agenda-report.pdf"
    path.write_bytes(council_pdf(3))
    result = run_cli("extract", path, "--json")
    assert result.exit_code == 0
    record = json.loads(result.stdout)
    assert record == {
        "title": "Localism and the Big Society",
        "author": "Democratic Services",
        "date": "2011-03-14",
        "text": "\n\n".join(BODY * 3),
    }


def test_unextractable_file_exits_1_naming_file_and_reason(run_cli, tmp_path):
    path = tmp_path / "scan.pdf"
    path.write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 10)
    result = run_cli("extract", path)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith(f"error: {path}: truncated PDF: ")
    assert len(result.stderr.strip().splitlines()) == 1


def test_missing_file_exits_2(run_cli, tmp_path):
    result = run_cli("extract", tmp_path / "nope.html")
    assert result.exit_code == 2
    assert result.stderr.strip() == f"error: {tmp_path / 'nope.html'}: no such file"

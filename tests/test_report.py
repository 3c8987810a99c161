"""The HTML report: one self-contained file with every chart, the tables and the citation."""

import re

import pytest
from constructed_run import NASTY, build_run

from discourse.outputs.report import write_report


@pytest.fixture
def report(store, tmp_path):
    run_id = build_run(store)
    path = write_report(store, run_id, tmp_path / "report")
    return run_id, path, path.read_text(encoding="utf-8")


def test_report_is_one_file_that_fetches_nothing(report, tmp_path):
    run_id, path, page = report
    assert path == tmp_path / "report" / f"report-{run_id}.html"
    assert [p.name for p in (tmp_path / "report").iterdir()] == [path.name]
    assert not re.search(r"""\bsrc\s*=\s*["']?(https?:)?//""", page)
    assert not re.search(r"<(link|script|iframe|img|object|embed)\b", page)
    assert "@import" not in page and not re.search(r"url\((?!#)", page)  # only local refs
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids))  # the inlined figures share no id
    # links to the survey sources are citations the reader may follow, never loaded assets
    for match in re.finditer(r"""href\s*=\s*["']?https?:""", page):
        assert page.rfind("<a ", 0, match.start()) > page.rfind(">", 0, match.start())


def test_report_inlines_every_chart_with_its_caption(report):
    _, _, page = report
    for name in (
        "fig1-topic-shares",
        "fig2-stance-by-actor",
        "fig3-sentiment",
        "fig4-survey-vs-discourse",
        "fig5-term-trends",
        "fig6-keyness",
    ):
        figure = re.search(rf'<figure id="{name}">(.*?)</figure>', page, re.S)
        assert figure, name
        assert "<svg" in figure.group(1) and "<figcaption>Figure" in figure.group(1)
    assert page.count("<svg") == 6
    assert "<?xml" not in page and "<!DOCTYPE svg" not in page


def test_report_says_how_to_cite_the_run(report, store):
    run_id, _, page = report
    run = store.get_run(run_id)
    citation = re.search(r'<p class="cite">(.*?)</p>', page, re.S).group(1)
    assert f"analysis run {run_id}" in citation
    assert run["config_hash"] in citation
    assert run["corpus_fingerprint"] in citation
    assert f"seed {run['seed']}" in citation
    assert f"discourse {run['package_version']}" in citation


def test_report_has_coverage_topics_stance_survey_and_methods(report):
    _, _, page = report
    for heading in (
        "Corpus coverage",
        "Figures",
        "Topics",
        "Stance",
        "Survey comparison",
        "Rank correlations within series",
        "Methods",
        "Library versions",
        "Sentiment settings",
        "Configuration (as validated and recorded with the run)",
    ):
        assert f">{heading}</h" in page, heading
    # coverage: one charity document in 2010, one central_government document in 2011
    assert re.search(r"<td>blog</td><td>charity</td><td class=\"num\">1</td>", page)
    assert "<td>50.0% [30.0% to 70.0%]</td>" in page  # pooled support share, 2010
    assert "too few points for a rank correlation: 2 of the 4 needed" in page
    assert "https://example.org/poll" in page


def test_everything_from_the_store_is_escaped(report):
    _, _, page = report
    assert NASTY not in page
    assert "&lt;script&gt;window.pwned=1&lt;/script&gt;" in page


def test_report_cli_writes_the_latest_run(store, db_path, tmp_path, run_cli):
    run_id = build_run(store)
    result = run_cli("--db", db_path, "report", "--out", tmp_path)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == str(tmp_path / f"report-{run_id}.html")

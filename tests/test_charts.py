"""Charts: files in every format, captions with n and run id, CSVs equal to what is drawn."""

import io

import numpy as np
import pytest
from constructed_run import NASTY, build_run
from matplotlib.text import Text
from PIL import Image

from discourse.outputs.charts import RunResults, build_charts, write_charts


@pytest.fixture
def run_id(store):
    return build_run(store)


@pytest.fixture
def charts(store, run_id):
    return {chart.number: chart for chart in build_charts(RunResults(store, run_id))}


def test_topic_chart_csv_is_exactly_the_drawn_numbers(charts, run_id):
    chart = charts[1]
    assert chart.csv() == (
        "topic,label,period,x,share,ci_low,ci_high,documents\n"
        '0,"T1: big society, volunteer, cuts",2010,2010-07-02,0.6,0.5,0.7,3\n'
        '0,"T1: big society, volunteer, cuts",2012,2012-07-01,0.25,0.15,0.35,2\n'
        f'1,"T2: council, budget, {NASTY}",2010,2010-07-02,0.4,0.3,0.5,3\n'
        f'1,"T2: council, budget, {NASTY}",2012,2012-07-01,0.75,0.65,0.85,2\n'
    )
    panels = chart.figure.axes
    assert len(panels) == 2  # one panel per topic, pooled over actors
    for topic, ax in enumerate(panels):
        drawn = ax.lines[-1].get_ydata()
        expected = chart.data[chart.data["topic"] == topic]["share"].to_numpy()
        np.testing.assert_allclose(drawn, expected)
    assert panels[0].get_title(loc="left") == "T1: big society, volunteer,\ncuts"  # wrapped
    assert "n = 5 documents" in chart.caption
    assert f"Run {run_id}" in chart.caption
    assert "K = 2 chosen from [5, 10, 15, 20, 25, 30] by held-out c_npmi" in chart.caption
    assert "2010–2012, by year" in chart.caption


def test_stance_chart_draws_support_and_sceptical_per_actor(charts):
    chart = charts[2]
    assert chart.csv() == (
        "actor_type,stance,method,period,x,share,ci_low,ci_high,documents,sentences\n"
        "all,support,raw,2010,2010-07-02,0.5,0.3,0.7,4,16\n"
        "all,support,raw,2011,2011-07-02,0.4,0.2,0.6,3,12\n"
        "all,support,corrected,2010,2010-07-02,0.4,,,4,24\n"
        "all,support,corrected,2011,2011-07-02,0.3,,,3,18\n"
        "all,sceptical,raw,2010,2010-07-02,0.25,0.05,0.45,4,16\n"
        "all,sceptical,raw,2011,2011-07-02,0.4,0.2,0.6,3,12\n"
        "all,sceptical,corrected,2010,2010-07-02,0.35,,,4,24\n"
        "all,sceptical,corrected,2011,2011-07-02,0.5,,,3,18\n"
        "local_government,support,raw,2010,2010-07-02,0,,,1,4\n"
        "local_government,sceptical,raw,2010,2010-07-02,1,,,1,4\n"
        "charity,support,raw,2010,2010-07-02,0.6666666667,0.4666666667,0.8666666667,3,12\n"
        "charity,support,raw,2011,2011-07-02,0.4,0.2,0.6,3,12\n"
        "charity,sceptical,raw,2010,2010-07-02,0,0,0.2,3,12\n"
        "charity,sceptical,raw,2011,2011-07-02,0.4,0.2,0.6,3,12\n"
    )
    titles = [ax.get_title(loc="left") for ax in chart.figure.axes]
    assert titles == ["all actors", "local government", "charity"]
    pooled, local, _ = chart.figure.axes
    raw = {
        line.get_label(): line.get_ydata()
        for line in pooled.lines
        if line.get_label() in ("support", "sceptical")
    }
    np.testing.assert_allclose(raw["support"], [0.5, 0.4])
    np.testing.assert_allclose(raw["sceptical"], [0.25, 0.4])
    dashed = [line.get_ydata() for line in pooled.lines if line.get_linestyle() == "--"]
    np.testing.assert_allclose(dashed, [[0.4, 0.3], [0.35, 0.5]])
    # 2011 has no local_government documents: the line is broken there, not bridged
    support = next(line for line in local.lines if line.get_label() == "support").get_ydata()
    assert support[0] == 0.0 and np.isnan(support[1])
    assert "n = 7 documents, 28 relevant sentences" in chart.caption
    assert (
        "Dashed lines (all actors): the same shares corrected for the classifier" in chart.caption
    )
    assert "omitted (central government, parliament, think tank, media, academic, other)" in (
        chart.caption
    )


def test_sentiment_chart_marks_the_key_events_in_range(charts):
    chart = charts[3]
    assert chart.csv() == (
        "layer,actor_type,period,x,mean_sentiment,ci_low,ci_high,documents,sentences,event\n"
        "estimate,central_government,2010,2010-07-02,0.3,0.2,0.4,2,10,\n"
        "estimate,central_government,2011,2011-07-02,0.1,0,0.2,2,10,\n"
        "estimate,parliament,2010,2010-07-02,-0.2,,,1,5,\n"
        "event,,,2010-05-06,,,,,,1: general election (6 May 2010)\n"
        "event,,,2010-07-19,,,,,,2: Big Society launch (19 July 2010)\n"
        "event,,,2010-10-20,,,,,,3: Spending Review (20 October 2010)\n"
        "event,,,2011-11-15,,,,,,4: Localism Act (Royal Assent 15 November 2011)\n"
    )
    assert "of sentences about the target" in chart.caption
    assert "the 2015" not in chart.caption and "7 May 2015" not in chart.caption
    assert "n = 5 documents, 25 sentences" in chart.caption


def test_survey_chart_plots_one_point_per_compared_wave(charts):
    chart = charts[4]
    assert chart.csv() == (
        "point,series,segment,population_group,wave,survey_pct,survey_ci_low,survey_ci_high,"
        "sceptical_pct,sceptical_ci_low,sceptical_ci_high,documents,sentences\n"
        f'1,yougov-will-not-work,0,public,"YouGov {NASTY}, 2011-01 (yougov-will-not-work)",'
        "68,,,20,10,30,3,9\n"
        f'2,yougov-will-not-work,0,public,"YouGov {NASTY}, 2011-05 (yougov-will-not-work)",'
        "73,70,76,30,20,40,4,12\n"
    )
    ax = chart.figure.axes[0]
    offsets = ax.collections[-1].get_offsets()
    np.testing.assert_allclose(offsets, [[68, 20], [73, 30]])
    assert "1 of 3 waves are not drawn" in chart.caption
    assert "1 series segment(s) have too few waves" in chart.caption
    assert "within ±6 months" in chart.caption


def test_term_chart_omits_concepts_never_mentioned(charts):
    chart = charts[5]
    assert list(dict.fromkeys(chart.data["term"])) == ["big_society", "localism"]
    assert chart.data["per_10k"].tolist() == [40.0, 20.0, 0.0, 40.0]
    for ax, term in zip(chart.figure.axes, ["big_society", "localism"], strict=True):
        drawn = ax.lines[-1].get_ydata()
        np.testing.assert_allclose(drawn, chart.data[chart.data["term"] == term]["per_10k"])
    assert "omitted: mutuals" in chart.caption
    assert "n = 5 documents, 1,500 words" in chart.caption


def test_keyness_chart_orders_terms_by_effect_size(charts):
    chart = charts[6]
    assert chart.csv() == (
        "comparison,direction,term,log_ratio,log_likelihood,p_value,significant,target_count,"
        "reference_count\n"
        "actor_type:local_government vs central_government,reference,big_society,-2,8,0.0047,"
        "1,1,8\n"
        "actor_type:local_government vs central_government,target,option,1.5,2,0.157,0,10,1\n"
        "actor_type:local_government vs central_government,target,council,3,12.5,0.0004,1,10,1\n"
    )
    ax = chart.figure.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["big society", "option", "council"]
    widths = sorted(round(p.get_width(), 6) for p in ax.patches)
    assert widths == [-2.0, 1.5, 3.0]
    assert "n = 900 terms (local government) and 1,100 terms (central government)" in (
        chart.caption
    )


def test_every_text_is_at_least_7pt_and_figures_fit_a_column(charts):
    for chart in charts.values():
        width_cm = chart.figure.get_figwidth() * 2.54
        assert width_cm == pytest.approx(8.5) or width_cm == pytest.approx(17.8)
        sizes = [
            t.get_fontsize()
            for t in chart.figure.findobj(Text)
            if t.get_visible() and t.get_text().strip()
        ]
        assert sizes and min(sizes) >= 7.0, chart.name


def test_write_charts_gives_every_format_a_caption_and_the_csv(store, run_id, tmp_path):
    written = write_charts(store, run_id, tmp_path / "charts")
    folder = tmp_path / "charts" / run_id
    for chart in written:
        names = sorted(p.name for p in chart.files)
        assert names == sorted(f"{chart.name}.{ext}" for ext in ("csv", "pdf", "png", "svg", "txt"))
        caption = (folder / f"{chart.name}.txt").read_text(encoding="utf-8")
        assert run_id in caption and "n = " in caption
        assert (folder / f"{chart.name}.csv").read_text(encoding="utf-8") == chart.csv()
        pdf = (folder / f"{chart.name}.pdf").read_bytes()
        assert b"/FontFile2" in pdf and b"/Type3" not in pdf  # TrueType embedded, no Type 3
        png = Image.open(io.BytesIO((folder / f"{chart.name}.png").read_bytes()))
        assert png.info["dpi"] == pytest.approx((300, 300), abs=0.01)
        assert min(abs(png.width - 1004), abs(png.width - 2102)) <= 1
        svg = (folder / f"{chart.name}.svg").read_text(encoding="utf-8")
        assert "<svg" in svg and "<text" not in svg  # glyphs as paths: no font needed to view
    assert (folder / "index.json").exists()


def test_the_same_results_give_the_same_files(store, run_id, tmp_path):
    write_charts(store, run_id, tmp_path / "a")
    write_charts(store, run_id, tmp_path / "b")
    first = sorted((tmp_path / "a" / run_id).iterdir())
    second = sorted((tmp_path / "b" / run_id).iterdir())
    assert [p.name for p in first] == [p.name for p in second]
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_missing_results_are_listed_not_drawn(store, tmp_path, run_cli, db_path):
    run_id = build_run(store, stance=False, survey=False)
    result = run_cli("--db", db_path, "charts", "--out", tmp_path)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == str(tmp_path / run_id)
    assert "figure 2 not drawn: the run has no stance results (stance_shares)" in result.stderr
    assert "figure 4 not drawn: the run has no survey comparison" in result.stderr
    files = sorted(p.name for p in (tmp_path / run_id).iterdir() if p.name.startswith("fig2"))
    assert files == ["fig2-stance-by-actor.txt"]


def test_charts_refuse_a_run_that_is_not_an_analysis(store, run_cli, db_path):
    with store.run("import") as run:
        pass
    result = run_cli("--db", db_path, "charts", "--run", run.id)
    assert result.exit_code == 2
    assert f"run {run.id} is a import run, not an analysis" in result.stderr

"""Survey waves beside the discourse: windows, populations, correlations and breaks."""

import math

import pytest
from conftest import make_document

from discourse.analyse.compare import compare_run
from discourse.analyse.stance.stage import CORRECTION, SENTENCES
from discourse.config import AnalyseFile, CompareSection
from discourse.errors import UsageError
from discourse.vocabulary import STANCES

HEADER = (
    "survey,publisher,wave,fieldwork_start,fieldwork_end,population,question,response,"
    "value_pct,n,source,series,break_before,measure,population_group"
)


def add(store, n, actor, date, precision, stances):
    """A document and its sentences' stance labels; returns the document id."""
    doc = make_document(n, actor_type=actor, published_at=date, date_precision=precision)
    return store.add_document(doc).id, stances


def analysis_run(store, documents, *, seed=11, matrix=None):
    """A finished run with the stance stage's sentence labels (and its correction matrix)."""
    config = AnalyseFile.model_validate({"analysis": {"replicates": 200}})
    with store.run("analyse", config=config.model_dump(mode="json"), seed=seed) as run:
        rows = [
            {
                "passage_id": 1000 * doc_id + seq,
                "document_id": doc_id,
                "stance": label,
                **{f"p_{s}": float(s == label) for s in STANCES},
                "classified": int(label != "irrelevant"),
            }
            for doc_id, labels in documents
            for seq, label in enumerate(labels)
        ]
        store.write_results(run.id, SENTENCES, rows)
        if matrix is not None:
            store.write_results(
                run.id,
                CORRECTION,
                [
                    {
                        "true_label": t,
                        "predicted_label": p,
                        "probability": matrix[i][j],
                        "count": 10,
                    }
                    for i, t in enumerate(STANCES)
                    for j, p in enumerate(STANCES)
                ],
            )
    return run.id


def survey_file(tmp_path, *rows):
    path = tmp_path / "surveys.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def window_store(store):
    """Documents around a March 2011 poll, of several actors and date precisions."""
    docs = [
        add(
            store,
            1,
            "local_government",
            "2011-01-10",
            "day",
            ["support", "sceptical", "support", "neutral", "irrelevant", "irrelevant"],
        ),
        add(store, 2, "local_government", "2011", "year", ["sceptical"]),  # straddles the edge
        add(store, 3, "charity", "2011-02", "month", ["sceptical", "sceptical", "irrelevant"]),
        add(store, 4, "local_government", "2012-01-01", "day", ["sceptical"]),  # after the window
        add(store, 5, "think_tank", "2010-09-20", "day", ["support"]),  # first day of the window
        add(store, 6, "media", None, None, ["sceptical"]),  # undated
    ]
    return store, analysis_run(store, docs)


def test_waves_meet_the_documents_of_their_population_inside_the_window(window_store, tmp_path):
    store, run_id = window_store
    path = survey_file(
        tmp_path,
        "Poll,P,Mar 2011,2011-03-20,2011-03-21,Leaders,Will it work,no,60,96,http://a,lead,,sceptical,council_leaders",
        "Poll,P,Mar 2011,2011-03-20,2011-03-21,Adults,Will it work,no,55,1000,http://b,pub,,sceptical,public",
        "Poll,P,Mar 2011,2011-03-20,2011-03-21,Sector,Will it work,no,40,,http://c,sec,,sceptical,sector",
        "Poll,P,Mar 2011,2011-03-20,2011-03-21,Adults,Volunteered,yes,41,,http://d,,,,",
    )
    comparison = compare_run(store, run_id, CompareSection(surveys=str(path)))
    waves = comparison.waves.set_index("series")
    assert list(waves.index) == ["lead", "pub", "sec"]  # the unmarked row is not compared
    assert (waves.loc["lead", "window_start"], waves.loc["lead", "window_end"]) == (
        "2010-09-20",
        "2011-09-21",
    )
    lead = waves.loc["lead"]
    # document 1 only: document 2 ("2011") might fall outside, document 4 is after the window
    assert (lead["documents_in_window"], lead["documents_date_unsure"]) == (1, 1)
    assert (lead["documents"], lead["sentences"]) == (1, 4)
    assert lead["sceptical_pct"] == pytest.approx(25.0)
    assert lead["net_stance"] == pytest.approx(0.25)
    assert math.isnan(lead["sceptical_ci_low"])  # one document: nothing to resample
    assert (lead["point"], lead["status"]) == (
        0,
        "only 1 document(s) with relevant sentences (min_documents = 2)",
    )
    assert lead["actor_types"] == "local_government"
    assert lead["survey_ci_low"] == pytest.approx(49.9985, abs=1e-3)
    pub = waves.loc["pub"]  # every actor: documents 1, 3 and 5 (6 is undated, 2 unsure)
    assert (pub["documents_in_window"], pub["documents_date_unsure"]) == (3, 1)
    assert (pub["documents"], pub["sentences"]) == (3, 7)
    assert pub["sceptical_pct"] == pytest.approx(100 * 3 / 7)
    assert pub["net_stance"] == pytest.approx((3 - 3) / 7)
    assert pub["sceptical_ci_low"] <= pub["sceptical_pct"] <= pub["sceptical_ci_high"]
    assert (pub["point"], pub["status"]) == (1, "compared")
    sec = waves.loc["sec"]  # charity and think_tank: documents 3 and 5
    assert (sec["documents"], sec["sentences"], sec["sceptical_pct"]) == (
        2,
        3,
        pytest.approx(200 / 3),
    )
    assert math.isnan(sec["survey_ci_low"])  # no n, no sampling interval


def test_the_window_is_configurable(window_store, tmp_path):
    store, run_id = window_store
    path = survey_file(
        tmp_path,
        "Poll,P,Mar 2011,2011-03-20,2011-03-21,Leaders,Q,no,60,,http://a,lead,,sceptical,council_leaders",
    )
    narrow = compare_run(
        store, run_id, CompareSection(surveys=str(path), window_months=1), write=False
    )
    row = narrow.waves.iloc[0]
    assert (row["window_start"], row["window_end"]) == ("2011-02-20", "2011-04-21")
    assert (row["documents_in_window"], row["status"]) == (
        0,
        "no documents of the population in the window",
    )
    wide = compare_run(
        store, run_id, CompareSection(surveys=str(path), window_months=12), write=False
    )
    row = wide.waves.iloc[0]
    assert (row["documents_in_window"], row["documents_date_unsure"]) == (3, 0)
    assert (row["documents"], row["sentences"]) == (3, 6)


def test_population_mapping_is_configurable(window_store, tmp_path):
    store, run_id = window_store
    path = survey_file(
        tmp_path,
        "Poll,P,Mar 2011,2011-03-20,2011-03-21,Leaders,Q,no,60,,http://a,lead,,sceptical,council_leaders",
    )
    config = CompareSection(surveys=str(path), populations={"council_leaders": ["charity"]})
    row = compare_run(store, run_id, config, write=False).waves.iloc[0]
    assert (row["actor_types"], row["documents"], row["sceptical_pct"]) == ("charity", 1, 100.0)
    unknown = CompareSection(surveys=str(path), populations={"public": ["*"]})
    with pytest.raises(UsageError) as caught:
        compare_run(store, run_id, unknown, write=False)
    assert caught.value.message == (
        f"{path}:2: column 'population_group': 'council_leaders' is not a population of "
        "[compare] populations (public)"
    )


def yearly_store(store, shares):
    """Two documents a year (2010…), each with ten relevant sentences of which k sceptical."""
    docs = []
    for year, k in enumerate(shares, start=2010):
        for half, day in enumerate(("02-01", "02-20")):
            labels = ["sceptical"] * k + ["support"] * (10 - k)
            docs.append(add(store, 100 * year + half, "charity", f"{year}-{day}", "day", labels))
    return analysis_run(store, docs)


def wave(year, value, series="s", brk=""):
    return (
        f"Poll,P,Feb {year},{year}-02-10,{year}-02-11,Adults,Q,no,{value},1000,http://x,"
        f"{series},{brk},sceptical,public"
    )


def test_rank_correlation_needs_four_points_and_never_crosses_a_break(store, tmp_path):
    run_id = yearly_store(store, [1, 2, 3, 4, 9])
    path = survey_file(
        tmp_path,
        # series s: four waves rising with the discourse, then a method change
        wave(2010, 50),
        wave(2011, 55),
        wave(2012, 60),
        wave(2013, 70),
        wave(2014, 10, brk="yes"),
        # series t: three waves only
        wave(2010, 30, "t"),
        wave(2011, 20, "t"),
        wave(2012, 10, "t"),
    )
    config = CompareSection(surveys=str(path), window_months=3)
    comparison = compare_run(store, run_id, config)
    waves = comparison.waves
    assert waves["sceptical_pct"].round(6).tolist() == [10, 20, 30, 40, 90, 10, 20, 30]
    assert waves["segment"].tolist() == [0, 0, 0, 0, 1, 0, 0, 0]
    correlations = comparison.correlations.set_index(["series", "segment"])
    s0 = correlations.loc[("s", 0)]
    # the 2014 wave (10% in the survey, 90% in the discourse) would break the perfect order
    assert (s0["points"], s0["spearman_rho"], s0["kendall_tau"]) == (4, 1.0, 1.0)
    assert s0["spearman_p"] == pytest.approx(0.0, abs=1e-9)
    assert s0["kendall_p"] == pytest.approx(1 / 12)
    s1 = correlations.loc[("s", 1)]
    assert (s1["points"], s1["status"]) == (
        1,
        "too few points for a rank correlation: 1 of the 4 needed",
    )
    assert math.isnan(s1["spearman_rho"])
    t0 = correlations.loc[("t", 0)]
    assert (t0["points"], t0["status"]) == (
        3,
        "too few points for a rank correlation: 3 of the 4 needed",
    )
    stored = store.read_results(run_id, "survey_correlation")
    assert stored["status"].tolist() == [
        "compared",
        "too few points for a rank correlation: 1 of the 4 needed",
        "too few points for a rank correlation: 3 of the 4 needed",
    ]


def test_without_the_break_the_fifth_wave_counts(store, tmp_path):
    run_id = yearly_store(store, [1, 2, 3, 4, 9])
    path = survey_file(
        tmp_path, wave(2010, 50), wave(2011, 55), wave(2012, 60), wave(2013, 70), wave(2014, 10)
    )
    comparison = compare_run(store, run_id, CompareSection(surveys=str(path), window_months=3))
    row = comparison.correlations.iloc[0]
    assert (row["points"], row["spearman_rho"]) == (5, pytest.approx(0.0))


def test_the_comparison_is_stored_with_the_run_and_replaced_on_rerun(store, tmp_path):
    run_id = yearly_store(store, [1, 2, 3, 4])
    path = survey_file(tmp_path, wave(2010, 50), wave(2011, 55), wave(2012, 60), wave(2013, 70))
    config = CompareSection(surveys=str(path), window_months=3)
    compare_run(store, run_id, config)
    first = store.read_results(run_id, "survey_comparison")
    compare_run(store, run_id, config)
    second = store.read_results(run_id, "survey_comparison")
    assert len(second) == 4 and first.equals(second)
    settings = dict(store.read_results(run_id, "survey_settings").itertuples(index=False))
    assert settings["window_months"] == "3" and settings["surveys"] == str(path)
    assert len(settings["surveys_sha256"]) == 64
    assert set(store.result_names(run_id)) == {
        "stance_sentences",
        "survey_comparison",
        "survey_correlation",
        "survey_settings",
    }


def test_a_run_without_stance_is_refused(store):
    with store.run("analyse", config=AnalyseFile().model_dump(mode="json"), seed=1) as run:
        pass
    with pytest.raises(UsageError, match="has no stance results"):
        compare_run(store, run.id)


def test_compare_cli_defaults_to_the_latest_run_and_prints_correlations(
    store, db_path, tmp_path, run_cli
):
    run_id = yearly_store(store, [1, 2, 3, 4])
    path = survey_file(tmp_path, wave(2010, 50), wave(2011, 55), wave(2012, 60), wave(2013, 70))
    result = run_cli("--db", db_path, "compare", "--surveys", path, "--window-months", "3")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == run_id
    assert "s (segment 0): 4 waves, Spearman rho +1.00" in result.stderr
    assert len(store.read_results(run_id, "survey_comparison")) == 4


def test_the_sceptical_share_is_also_corrected_for_classifier_error(store, tmp_path):
    # the model calls 20% of truly supportive sentences sceptical: (Mᵀ)⁻¹ moves a quarter of
    # a sentence from sceptical back to support for every predicted support sentence
    matrix = [[0.8, 0.2, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]
    docs = [
        add(
            store,
            1,
            "charity",
            "2011-01-10",
            "day",
            ["support", "sceptical", "support", "neutral", "irrelevant"],
        ),
        add(store, 3, "charity", "2011-02-10", "day", ["sceptical", "sceptical", "irrelevant"]),
        add(store, 5, "charity", "2011-03-01", "day", ["support"]),
    ]
    run_id = analysis_run(store, docs, matrix=matrix)
    path = survey_file(
        tmp_path,
        "Poll,P,Mar 2011,2011-03-20,2011-03-21,Adults,Q,no,55,,http://b,pub,,sceptical,public",
    )
    row = compare_run(store, run_id, CompareSection(surveys=str(path))).waves.iloc[0]
    assert row["sceptical_pct"] == pytest.approx(100 * 3 / 7)
    # predicted: 3 support, 3 sceptical, 1 neutral → corrected 3.75, 2.25, 1
    assert row["sceptical_corrected_pct"] == pytest.approx(100 * 2.25 / 7)
    assert row["sceptical_corrected_ci_low"] <= row["sceptical_corrected_pct"]
    settings = dict(store.read_results(run_id, "survey_settings").itertuples(index=False))
    assert settings["corrected_by"] == "stance_correction"


def test_without_a_correction_matrix_the_corrected_share_is_empty(window_store, tmp_path):
    store, run_id = window_store
    path = survey_file(
        tmp_path,
        "Poll,P,Mar 2011,2011-03-20,2011-03-21,Adults,Q,no,55,,http://b,pub,,sceptical,public",
    )
    row = compare_run(store, run_id, CompareSection(surveys=str(path))).waves.iloc[0]
    assert math.isnan(row["sceptical_corrected_pct"])

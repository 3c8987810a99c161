import numpy as np
import pandas as pd

from discourse.analyse.aggregate import grouped_ratios, ratio_with_ci


def units():
    # two periods; document 1 has 3 sentences, all support; document 2 has 1 sentence, sceptical
    return pd.DataFrame(
        {
            "document_id": [1, 1, 1, 2, 3, 3],
            "period": ["2010", "2010", "2010", "2010", "2011", "2011"],
            "actor_type": ["charity"] * 6,
            "support": [1, 1, 1, 0, 1, 0],
            "sceptical": [0, 0, 0, 1, 0, 1],
            "words": [10, 10, 10, 30, 5, 15],
        }
    )


def test_shares_are_ratios_of_sums_over_units():
    result = grouped_ratios(units(), values=["support", "sceptical"], seed=1, replicates=200)
    assert list(result.columns) == [
        "period",
        "actor_type",
        "metric",
        "estimate",
        "ci_low",
        "ci_high",
        "documents",
        "units",
    ]
    got = result[["period", "metric", "estimate", "documents", "units"]].values.tolist()
    assert got == [
        ["2010", "sceptical", 0.25, 2, 4],
        ["2010", "support", 0.75, 2, 4],
        ["2011", "sceptical", 0.5, 1, 2],
        ["2011", "support", 0.5, 1, 2],
    ]


def test_weights_count_words_not_sentences():
    result = grouped_ratios(units(), values=["support"], weight="words", seed=1, replicates=50)
    assert result.loc[result.period == "2010", "estimate"].item() == 0.5  # 30 of 60 words


def test_interval_resamples_documents_and_is_reproducible():
    first = grouped_ratios(units(), values=["support"], seed=7, replicates=500)
    second = grouped_ratios(units(), values=["support"], seed=7, replicates=500)
    pd.testing.assert_frame_equal(first, second)
    row = first[first.period == "2010"].iloc[0]
    # resampling documents 1 and 2 can only give shares 0, 0.75 or 1 for this group
    assert row.ci_low == 0.0 and row.ci_high == 1.0
    single = first[first.period == "2011"].iloc[0]
    assert np.isnan(single.ci_low) and np.isnan(single.ci_high)


def test_interval_covers_a_known_proportion():
    rng = np.random.default_rng(0)
    docs = np.repeat(np.arange(200), 5)
    frame = pd.DataFrame(
        {
            "document_id": docs,
            "period": "2012",
            "actor_type": "media",
            "x": rng.random(len(docs)) < 0.3,
        }
    )
    row = grouped_ratios(frame, values=["x"], seed=3, replicates=1000).iloc[0]
    assert row.ci_low < 0.3 < row.ci_high
    assert 0.02 < row.ci_high - row.ci_low < 0.12


def test_ratio_with_ci_vector_form():
    estimate, low, high = ratio_with_ci(
        np.array([1.0, 2.0, 3.0]), np.array([2.0, 2.0, 2.0]), np.random.default_rng(0)
    )
    assert estimate == 1.0
    assert 0.5 <= low <= estimate <= high <= 1.5


def test_rows_without_a_group_are_left_out():
    frame = units()
    frame.loc[0, "period"] = None
    result = grouped_ratios(frame, values=["support"], seed=1, replicates=10)
    assert result.loc[result.period == "2010", "units"].item() == 3

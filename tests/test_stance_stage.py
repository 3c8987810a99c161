"""Stance aggregation: the misclassification correction and the pipeline stage's tables."""

import multiprocessing
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from discourse.analyse.stage import SENTENCE_COLUMNS, AnalysisInput
from discourse.analyse.stance.correction import (
    corrected_counts,
    corrected_shares,
    misclassification_matrix,
)
from discourse.analyse.stance.examples import DEFAULT_MODEL_DIR
from discourse.analyse.stance.stage import (
    CORRECTION,
    MODEL,
    SENTENCES,
    SHARES,
    StanceStage,
    classify,
    raw_shares,
)
from discourse.analyse.stance.stage import corrected_shares as stage_corrected_shares
from discourse.config import StanceConfig, validate
from discourse.errors import ConfigError, UsageError
from discourse.vocabulary import STANCES

# rows: true label, columns: predicted label (support, sceptical, neutral, irrelevant)
MATRIX = np.array(
    [
        [0.8, 0.1, 0.1, 0.0],
        [0.2, 0.6, 0.2, 0.0],
        [0.1, 0.1, 0.7, 0.1],
        [0.0, 0.0, 0.1, 0.9],
    ]
)


def test_correction_recovers_true_counts_from_constructed_predictions():
    # true counts 50/10/20/20 → expected predicted counts Mᵀp, worked by hand:
    # support 0.8·50 + 0.2·10 + 0.1·20 = 44; sceptical 0.1·50 + 0.6·10 + 0.1·20 = 13;
    # neutral 0.1·50 + 0.2·10 + 0.7·20 + 0.1·20 = 23; irrelevant 0.1·20 + 0.9·20 = 20
    predicted = np.array([44.0, 13.0, 23.0, 20.0])
    assert corrected_counts(predicted, MATRIX) == pytest.approx([50, 10, 20, 20])
    assert corrected_shares(predicted, MATRIX) == pytest.approx([0.5, 0.1, 0.2, 0.2])


def test_correction_clips_impossible_negative_counts():
    # every prediction support: the inversion asks for a negative sceptical count
    shares = corrected_shares(np.array([10.0, 0.0, 0.0, 0.0]), MATRIX)
    assert shares.min() >= 0 and shares.sum() == pytest.approx(1.0)
    assert shares[1] == 0.0


def test_misclassification_matrix_smooths_counts_per_cell():
    counts = np.array([[3, 1, 0, 0], [0, 2, 0, 0], [0, 0, 0, 0], [1, 0, 0, 1]])
    matrix = misclassification_matrix(counts, smoothing=0.5)
    assert matrix[0] == pytest.approx([3.5 / 6, 1.5 / 6, 0.5 / 6, 0.5 / 6])
    assert matrix[2] == pytest.approx([0.25] * 4)  # no examples: uniform, not a zero row
    assert matrix.sum(axis=1) == pytest.approx([1, 1, 1, 1])


class FixedModel:
    """Labels a sentence by a word in it, so the stage's arithmetic can be checked by hand."""

    WORDS = {"yes": "support", "no": "sceptical", "meh": "neutral", "off": "irrelevant"}

    def predict_proba(self, texts, contexts_before, contexts_after):
        out = np.zeros((len(texts), len(STANCES)))
        for row, text in enumerate(texts):
            out[row, STANCES.index(self.WORDS[text.split()[0]])] = 1.0
        return out


def sentences(rows) -> pd.DataFrame:
    """rows: (document_id, period, actor_type, text, relevant)."""
    records = []
    for passage_id, (document_id, period, actor, text, relevant) in enumerate(rows, start=1):
        records.append(
            dict(
                passage_id=passage_id,
                document_id=document_id,
                seq=passage_id,
                text=text,
                context_before="",
                context_after="",
                published_at=period,
                period=period,
                actor_type=actor,
                source_kind="blog",
                words=len(text.split()),
                relevance=1.0 if relevant else 0.0,
                relevant=relevant,
            )
        )
    return pd.DataFrame(records, columns=list(SENTENCE_COLUMNS))


TABLE = sentences(
    [
        (1, "2011", "charity", "yes we can", True),
        (1, "2011", "charity", "yes again", True),
        (1, "2011", "charity", "no thanks", True),
        (2, "2011", "charity", "meh maybe", True),
        (2, "2011", "charity", "yes but filtered out", False),
        (3, "2011", "media", "off topic", True),
        (3, "2011", "media", "no way", True),
        (4, "2012", "media", "  ", True),
    ]
)


def data(table=TABLE):
    return AnalysisInput(sentences=table, seed=5, period="year", replicates=200)


def test_classify_skips_filtered_and_empty_sentences():
    result = classify(FixedModel(), TABLE)
    assert list(result.columns) == [c for c, _ in SENTENCES.columns]
    assert result["stance"].tolist() == [
        "support",
        "support",
        "sceptical",
        "neutral",
        "irrelevant",
        "irrelevant",
        "sceptical",
        "irrelevant",
    ]
    assert result["classified"].tolist() == [1, 1, 1, 1, 0, 1, 1, 0]
    assert np.allclose(
        result[["p_support", "p_sceptical", "p_neutral", "p_irrelevant"]].sum(axis=1), 1
    )


def test_raw_shares_are_shares_of_relevant_sentences_with_net_stance():
    shares = raw_shares(classify(FixedModel(), TABLE), data())
    charity = shares[(shares.actor_type == "charity")].set_index("metric")
    # charity 2011: support 2, sceptical 1, neutral 1 of 4 relevant sentences in 2 documents
    assert charity.loc["support", "estimate"] == pytest.approx(0.5)
    assert charity.loc["sceptical", "estimate"] == pytest.approx(0.25)
    assert charity.loc["neutral", "estimate"] == pytest.approx(0.25)
    assert charity.loc["net_stance", "estimate"] == pytest.approx(0.25)
    assert charity.loc["support", ["documents", "units"]].tolist() == [2, 4]
    pooled = shares[(shares.actor_type == "all") & (shares.period == "2011")].set_index("metric")
    # all actors 2011: support 2, sceptical 2, neutral 1 of 5 relevant
    assert pooled.loc["sceptical", "estimate"] == pytest.approx(0.4)
    assert pooled.loc["net_stance", "estimate"] == pytest.approx(0.0)
    assert set(shares["method"]) == {"raw"}
    assert "2012" not in set(shares["period"])  # no relevant sentence that year


def test_corrected_shares_equal_raw_shares_when_the_classifier_is_perfect():
    classified = classify(FixedModel(), TABLE)
    raw = raw_shares(classified, data()).set_index(["period", "actor_type", "metric"])
    corrected = stage_corrected_shares(classified, data(), np.eye(4))
    corrected = corrected.set_index(["period", "actor_type", "metric"])
    common = raw.index.intersection(corrected.index)
    assert len(common) == len(raw)
    assert corrected.loc[common, "estimate"].to_numpy() == pytest.approx(
        raw.loc[common, "estimate"].to_numpy()
    )


def test_corrected_shares_invert_the_misclassification_matrix():
    classified = classify(FixedModel(), TABLE)
    corrected = stage_corrected_shares(classified, data(), MATRIX)
    row = corrected[(corrected.actor_type == "charity")].set_index("metric")
    # charity 2011, sentences the model labelled: support 2, sceptical 1, neutral 1 (the
    # filtered-out sentence does not count: the matrix describes the model's errors only)
    counts = corrected_counts(np.array([2.0, 1.0, 1.0, 0.0]), MATRIX)
    relevant = np.clip(counts[:3], 0, None)
    assert row.loc["support", "estimate"] == pytest.approx(relevant[0] / relevant.sum())
    assert row.loc["net_stance", "estimate"] == pytest.approx(
        (relevant[0] - relevant[1]) / relevant.sum()
    )
    shares = row.loc[["support", "sceptical", "neutral"], "estimate"]
    assert shares.sum() == pytest.approx(1.0)
    assert row.loc["support", ["documents", "units"]].tolist() == [2, 4]
    assert (row["ci_low"] <= row["estimate"] + 1e-12).all()
    assert (row["estimate"] <= row["ci_high"] + 1e-12).all()


def test_stage_with_the_shipped_model_returns_its_declared_tables():
    stage = StanceStage.from_config(StanceConfig(model=str(DEFAULT_MODEL_DIR)))
    table = sentences(
        [
            (1, "2011", "charity", "Volunteers have kept the library open.", True),
            (1, "2011", "charity", "The Big Society is a cover for cuts.", True),
            (2, "2012", "central_government", "The committee approved the minutes.", False),
        ]
    )
    outputs = dict((t.name, (t, frame)) for t, frame in stage.run(data(table)))
    assert set(outputs) == {SENTENCES.name, SHARES.name, CORRECTION.name, MODEL.name}
    for table_spec, frame in outputs.values():
        assert list(frame.columns) == [c for c, _ in table_spec.columns]
    shares = outputs[SHARES.name][1]
    assert set(shares["method"]) == {"raw", "corrected"}
    assert len(outputs[CORRECTION.name][1]) == 16
    model_rows = dict(outputs[MODEL.name][1].values.tolist())
    assert model_rows["model_dir"] == str(DEFAULT_MODEL_DIR)


EARLY_TEXTS = [
    "Volunteers have kept the library open.",
    "The Big Society is a cover for cuts.",
    "The council will consult community groups on the plan.",
    "Charities deliver services the state once ran.",
]


def early_start_check() -> None:
    """Classifying started early in two forked workers is stopped by cancel, and collected by
    run equals classifying in turn. Run in a fresh process (see the test below)."""
    import discourse.analyse.stance.stage as stage_module

    stage_module._BATCH = 20  # 40 relevant sentences: two batches, one per worker
    rows = [(i // 10, "2011", "charity", f"{EARLY_TEXTS[i % 4]} ({i})", True) for i in range(40)]
    big = data(sentences(rows))
    stage = StanceStage(DEFAULT_MODEL_DIR, workers=2)
    stage.start(big)
    assert len(multiprocessing.active_children()) == 2
    stage.cancel()  # the run failed before the stage's turn
    assert multiprocessing.active_children() == []
    stage.start(big)
    early = {table.name: frame for table, frame in stage.run(big)}
    assert multiprocessing.active_children() == []
    plain = {table.name: frame for table, frame in StanceStage(workers=0).run(big)}
    for name in (SENTENCES.name, SHARES.name):
        pd.testing.assert_frame_equal(early[name], plain[name])
    assert early[SENTENCES.name]["classified"].sum() == 40
    assert early[SENTENCES.name]["stance"].nunique() >= 2
    # now this process has run the encoder: a fork could hang, so no worker is started
    stage.start(big)
    assert multiprocessing.active_children() == []
    again = {table.name: frame for table, frame in stage.run(big)}
    pd.testing.assert_frame_equal(again[SENTENCES.name], plain[SENTENCES.name])
    print("early start ok")


def test_classifying_started_early_is_collected_by_run_or_stopped_by_cancel():
    # a fresh interpreter: this test process may already have run the encoder, and then
    # (rightly) no worker would be forked
    here = Path(__file__).resolve().parent
    completed = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import sys; sys.path.insert(0, {str(here)!r}); "
            "import test_stance_stage as t; t.early_start_check()",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert completed.stdout.strip().endswith("early start ok")


def test_a_missing_model_fails_the_stage_at_start_not_in_a_worker(tmp_path):
    stage = StanceStage(tmp_path / "no-model", workers=1)
    with pytest.raises(UsageError, match="no-model"):
        stage.start(data())
    assert multiprocessing.active_children() == []


def test_stance_config_rejects_unknown_keys(tmp_path):
    with pytest.raises(ConfigError, match="unknown key 'stance.modle'"):
        validate({"modle": "x"}, StanceConfig, tmp_path / "analyse.toml", prefix=("stance",))

"""The sentiment stage on a small sentence table: scores, grouped estimates, CIs, counts."""

import hashlib
import math
import multiprocessing

import numpy as np
import pandas as pd
import pytest

from discourse.analyse.sentiment import SentimentStage
from discourse.analyse.sentiment.scorer import SentimentScorer
from discourse.analyse.sentiment.stage import LABELS, SentenceScores
from discourse.analyse.stage import SENTENCE_COLUMNS, AnalysisInput
from discourse.config import SentimentConfig

# (document_id, period, text, relevant); every document is a charity's
ROWS = [
    (1, "2010", "A good plan.", True),
    (1, "2010", "A bad plan.", False),
    (2, "2010", "Good, good work.", True),
    (3, "2011", "The meeting is on Tuesday.", True),
    (4, "2011", "Bad news.", False),
    (5, None, "Good.", True),  # date too imprecise for the period: left out of aggregates
]


def sentence_table() -> pd.DataFrame:
    records = []
    for passage_id, (document_id, period, text, relevant) in enumerate(ROWS, start=1):
        seq = sum(1 for row in ROWS[: passage_id - 1] if row[0] == document_id)
        records.append(
            {
                "passage_id": passage_id,
                "document_id": document_id,
                "seq": seq,
                "text": text,
                "context_before": "",
                "context_after": "",
                "published_at": period,
                "period": period,
                "actor_type": "charity",
                "source_kind": "blog",
                "words": len(text.split()),
                "relevance": 1.0 if relevant else 0.0,
                "relevant": relevant,
            }
        )
    return pd.DataFrame(records, columns=list(SENTENCE_COLUMNS))


@pytest.fixture
def dictionary(tmp_path):
    path = tmp_path / "tiny.csv"
    path.write_text("category,pattern\npositive,good\nnegative,bad\n", encoding="utf-8")
    return path


def run_stage(dictionary, seed=7):
    config = SentimentConfig(method="dictionary", dictionary=str(dictionary))
    data = AnalysisInput(sentences=sentence_table(), seed=seed, period="year", replicates=200)
    return {table.name: (table, frame) for table, frame in SentimentStage(config).run(data)}


def test_sentence_table_scores_every_sentence(dictionary):
    table, frame = run_stage(dictionary)["sentiment_sentences"]
    assert table.key == ("document_id", "seq")
    assert list(frame.columns) == [c for c, _ in table.columns]
    assert frame[["document_id", "seq", "passage_id", "relevant"]].values.tolist() == [
        [1, 0, 1, 1],
        [1, 1, 2, 0],
        [2, 0, 3, 1],
        [3, 0, 4, 1],
        [4, 0, 5, 0],
        [5, 0, 6, 1],
    ]
    assert frame["sentiment"].round(6).tolist() == [0.5, -0.5, 0.666667, 0.0, -0.5, 0.5]
    assert frame["sentiment_label"].tolist() == [
        "positive",
        "negative",
        "positive",
        "neutral",
        "negative",
        "positive",
    ]
    assert frame["vader"].isna().all()  # the dictionary method does not run VADER


def estimates(frame, scope):
    rows = frame[frame["scope"] == scope]
    return {
        (r.period, r.metric): (round(r.estimate, 6), r.documents, r.sentences)
        for r in rows.itertuples()
    }


def test_aggregates_over_all_and_target_sentences(dictionary):
    table, frame = run_stage(dictionary)["sentiment_by_group"]
    assert table.key == ("scope", "period", "actor_type", "metric")
    assert list(frame.columns) == [c for c, _ in table.columns]
    assert set(frame["actor_type"]) == {"charity"}
    assert estimates(frame, "all") == {
        ("2010", "mean_sentiment"): (round((0.5 - 0.5 + 2 / 3) / 3, 6), 2, 3),
        ("2010", "share_negative"): (round(1 / 3, 6), 2, 3),
        ("2010", "share_positive"): (round(2 / 3, 6), 2, 3),
        ("2011", "mean_sentiment"): (-0.25, 2, 2),
        ("2011", "share_negative"): (0.5, 2, 2),
        ("2011", "share_positive"): (0.0, 2, 2),
    }
    assert estimates(frame, "target") == {
        ("2010", "mean_sentiment"): (round((0.5 + 2 / 3) / 2, 6), 2, 2),
        ("2010", "share_negative"): (0.0, 2, 2),
        ("2010", "share_positive"): (1.0, 2, 2),
        ("2011", "mean_sentiment"): (0.0, 1, 1),
        ("2011", "share_negative"): (0.0, 1, 1),
        ("2011", "share_positive"): (0.0, 1, 1),
    }


def test_intervals_cover_the_estimate_and_are_undefined_for_one_document(dictionary):
    _, frame = run_stage(dictionary)["sentiment_by_group"]
    several = frame[frame["documents"] >= 2]
    assert several[["ci_low", "ci_high"]].notna().all().all()
    assert (several["ci_low"] <= several["estimate"] + 1e-12).all()
    assert (several["estimate"] <= several["ci_high"] + 1e-12).all()
    mean_2010 = several[(several["scope"] == "all") & (several["metric"] == "mean_sentiment")]
    low, high = mean_2010[["ci_low", "ci_high"]].iloc[0]
    # documents 1 (mean 0) and 2 (2/3, one sentence): resamples lie between them
    assert 0.0 <= low < high <= 0.666667  # scores are stored to 6 decimals
    single = frame[frame["documents"] == 1]
    assert len(single) == 3
    assert single["ci_low"].map(math.isnan).all()


def test_same_input_and_seed_give_identical_tables(dictionary):
    first = run_stage(dictionary, seed=3)
    second = run_stage(dictionary, seed=3)
    for name, (_, frame) in first.items():
        pd.testing.assert_frame_equal(frame, second[name][1])


def test_settings_record_the_dictionary_by_hash(dictionary):
    _, frame = run_stage(dictionary)["sentiment_settings"]
    settings = dict(zip(frame["name"], frame["value"], strict=True))
    assert settings["method"] == "dictionary"
    assert settings["dictionary"] == "tiny.csv"
    assert settings["dictionary_sha256"] == hashlib.sha256(dictionary.read_bytes()).hexdigest()
    assert settings["dictionary_entries"] == "2"
    assert settings["negation_window"] == "3"


def test_result_tables_round_trip_through_the_store(dictionary, store):
    output = run_stage(dictionary)
    with store.run("analyse", config={}, seed=7, command="test") as run:
        for table, frame in output.values():
            store.write_results(run.id, table, frame.to_dict("records"))
    back = store.read_results(run.id, "sentiment_by_group")
    assert len(back) == 12
    assert set(store.result_names(run.id)) >= {
        "sentiment_sentences",
        "sentiment_by_group",
        "sentiment_settings",
    }


def test_no_relevant_sentences_gives_only_all_rows(dictionary):
    sentences = sentence_table().assign(relevant=False)
    config = SentimentConfig(method="dictionary", dictionary=str(dictionary))
    data = AnalysisInput(sentences=sentences, seed=1, period="year", replicates=50)
    output = {t.name: f for t, f in SentimentStage(config).run(data)}
    assert set(output["sentiment_by_group"]["scope"]) == {"all"}


def test_the_pipeline_runs_the_stage_and_stores_its_tables(store):
    from conftest import make_document

    from discourse.analyse.pipeline import analyse
    from discourse.config import AnalyseFile, TopicsSection

    store.add_documents(
        [
            make_document(1, text="The Big Society is a good idea. The hall opens at nine."),
            make_document(2, text="Volunteers were let down. Cuts made it a shambles."),
        ]
    )
    config = AnalyseFile(topics=TopicsSection(enabled=False))
    report = analyse(store, config, seed=5)
    sentences = store.read_results(report.run_id, "sentiment_sentences")
    assert len(sentences) == report.summary["sentences"] == 4
    assert sentences["sentiment_label"].tolist() == ["positive", "neutral", "negative", "negative"]
    by_group = store.read_results(report.run_id, "sentiment_by_group")
    all_mean = by_group[(by_group["scope"] == "all") & (by_group["metric"] == "mean_sentiment")]
    assert all_mean[["period", "actor_type", "documents", "sentences"]].values.tolist() == [
        ["2011", "charity", 2, 4]
    ]
    assert all_mean["estimate"].iloc[0] == pytest.approx(sentences["sentiment"].mean())


def test_worker_processes_give_the_same_scores_in_the_same_order():
    # 3 slices of 2,000 sentences: with workers they are scored in forked processes, without
    # in this one
    phrases = ["A good plan.", "Bad cuts hurt volunteers.", "The council met.", "Not good at all!"]
    texts = np.array([f"{phrases[i % 4]} Item {i}." for i in range(4500)], dtype=object)
    scorer = SentimentScorer.from_config(SentimentConfig())
    alone = SentenceScores(scorer, texts, workers=0).collect()
    together = SentenceScores(scorer, texts, workers=2).collect()
    for one, two in zip(alone, together, strict=True):
        np.testing.assert_array_equal(one, two)
    assert [LABELS[code] for code in alone[3][:4]] == [
        scorer.score_sentence(text).label for text in texts[:4]
    ]
    assert alone[2][:4].tolist() == [scorer.score_sentence(t).sentiment for t in texts[:4]]
    assert len(set(alone[3][:4].tolist())) == 3  # positive, negative and neutral all occur


def test_scoring_started_early_is_collected_by_run_or_stopped_by_cancel(dictionary):
    big = pd.concat([sentence_table()] * 900, ignore_index=True)  # 4,500 sentences: 3 slices
    data = AnalysisInput(sentences=big, seed=7, period="year", replicates=20)
    config = SentimentConfig(method="combined", dictionary=str(dictionary), workers=2)
    stage = SentimentStage(config)
    stage.start(data)
    assert len(multiprocessing.active_children()) == 2  # scoring while earlier stages run
    early = {table.name: frame for table, frame in stage.run(data)}
    assert multiprocessing.active_children() == []
    alone = SentimentStage(config.model_copy(update={"workers": 0}))
    plain = {table.name: frame for table, frame in alone.run(data)}
    pd.testing.assert_frame_equal(early["sentiment_sentences"], plain["sentiment_sentences"])
    pd.testing.assert_frame_equal(early["sentiment_by_group"], plain["sentiment_by_group"])
    stage.start(data)
    stage.cancel()  # the run failed before the stage's turn
    assert multiprocessing.active_children() == []

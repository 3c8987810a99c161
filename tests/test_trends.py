"""Trends: term rates per 10,000 words and keyness, checked against hand computation."""

import math

import numpy as np
import pandas as pd
import pytest

from discourse.analyse.preprocess import Tokens
from discourse.analyse.relevance import load_lexicon
from discourse.analyse.stage import SENTENCE_COLUMNS, AnalysisInput
from discourse.analyse.trends import TrendsStage, keyness_table, log_likelihood, log_ratio
from discourse.config import KeynessComparison, TrendsSection


def sentence_table(rows):
    frame = pd.DataFrame(
        [
            {
                "passage_id": i + 1,
                "document_id": document,
                "seq": i,
                "text": text,
                "context_before": "",
                "context_after": "",
                "published_at": period,
                "period": period,
                "actor_type": actor,
                "source_kind": "blog",
                "words": len(text.split()),
                "relevance": 0.0,
                "relevant": False,
            }
            for i, (document, period, actor, text) in enumerate(rows)
        ],
        columns=list(SENTENCE_COLUMNS),
    )
    return frame


def filler(n: int) -> str:
    return " ".join(["word"] * n)


def test_rates_per_10k_words_are_exact():
    sentences = sentence_table(
        [
            (
                1,
                "2010",
                "charity",
                "The big society and the Big Society. " + filler(33),
            ),  # 40 words
            (2, "2010", "charity", "Localism. " + filler(59)),  # 60 words
            (3, "2010", "media", filler(100)),
            (4, "2011", "media", "big society " + filler(198)),  # 200 words
        ]
    )
    config = TrendsSection(concepts=False, terms={"bigsoc": ["big society"]}, keyness=[])
    stage = TrendsStage(config, [], lambda: None)
    [(table, rates)] = stage.run(AnalysisInput(sentences, seed=1, period="year", replicates=20))
    assert table.name == "term_rates"
    got = {
        (r.period, r.actor_type): (r.per_10k, r.count, r.words, r.documents)
        for r in rates.itertuples()
    }
    assert got == {
        ("2010", "all"): (pytest.approx(2 * 10_000 / 200), 2, 200, 3),
        ("2010", "charity"): (pytest.approx(2 * 10_000 / 100), 2, 100, 2),
        ("2010", "media"): (0.0, 0, 100, 1),
        ("2011", "all"): (pytest.approx(50.0), 1, 200, 1),
        ("2011", "media"): (pytest.approx(50.0), 1, 200, 1),
    }
    one_document = rates[(rates.period == "2011") & (rates.actor_type == "media")]
    assert one_document["ci_low"].isna().all()  # one document: no interval


def test_lexicon_concepts_are_counted_but_not_off_target_uses():
    stage = TrendsStage(TrendsSection(keyness=[]), load_lexicon(), lambda: None)
    assert "off_target" not in [name for name, _, _ in stage.patterns]
    assert "big_society" in [name for name, _, _ in stage.patterns]


def test_log_likelihood_and_log_ratio_by_hand():
    # a=10 of c=100 against b=0 of d=100: expected 5 and 5
    assert log_likelihood(np.array([10]), np.array([0]), 100, 100)[0] == pytest.approx(
        2 * 10 * math.log(2)
    )
    # a=30 of 1000 against b=10 of 2000: E1 = 1000*40/3000, E2 = 2000*40/3000
    e1, e2 = 40 / 3, 80 / 3
    expected = 2 * (30 * math.log(30 / e1) + 10 * math.log(10 / e2))
    assert log_likelihood(np.array([30]), np.array([10]), 1000, 2000)[0] == pytest.approx(expected)
    assert log_ratio(np.array([30]), np.array([10]), 1000, 2000)[0] == pytest.approx(math.log2(6))
    assert log_ratio(np.array([10]), np.array([0]), 100, 100)[0] == pytest.approx(math.log2(20))


def test_keyness_table_ranks_each_direction():
    texts = [
        ["council"] * 10 + ["service"] * 5,  # target
        ["minister"] * 8 + ["service"] * 5 + ["rare"],  # reference
    ]
    tokens = Tokens.from_lists(texts)
    table = keyness_table(
        tokens, np.array([True, False]), np.array([False, True]), top=5, min_count=2
    )
    # service: 5 of 15 in the target against 5 of 14 in the reference leans reference
    assert table[
        ["direction", "rank", "term", "target_count", "reference_count"]
    ].values.tolist() == [
        ["target", 1, "council", 10, 0],
        ["reference", 1, "minister", 0, 8],
        ["reference", 2, "service", 5, 5],
    ]
    council = table[table["term"] == "council"].iloc[0]
    assert council["log_likelihood"] == pytest.approx(
        log_likelihood(np.array([10]), np.array([0]), 15, 14)[0]
    )
    assert council["target_per_10k"] == pytest.approx(10 * 10_000 / 15)
    assert council["target_total"] == 15 and council["reference_total"] == 14
    assert "rare" not in set(table["term"])  # under min_count


def test_keyness_stage_names_comparisons_and_handles_empty_groups():
    sentences = sentence_table([(1, "2010", "local_government", "x"), (2, "2010", "charity", "y")])
    tokens = Tokens.from_lists([["council"] * 6, ["volunteer"] * 6])
    config = TrendsSection(
        concepts=False,
        keyness=[
            KeynessComparison(target="local_government", reference="*"),
            KeynessComparison(target="local_government", reference="central_government"),
        ],
    )
    [_, (table, keyness)] = TrendsStage(config, [], lambda: tokens).run(
        AnalysisInput(sentences, seed=1, period="year", replicates=10)
    )
    assert table.name == "keyness"
    assert keyness[["comparison", "direction", "term"]].values.tolist() == [
        ["actor_type:local_government vs everything else", "target", "council"],
        ["actor_type:local_government vs everything else", "reference", "volunteer"],
    ]

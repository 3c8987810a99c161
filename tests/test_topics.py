"""Topics: planted topics are found, shares are shares of words, K chosen by coherence."""

import numpy as np
import pandas as pd
import pytest

from discourse.analyse.preprocess import Tokens
from discourse.analyse.stage import SENTENCE_COLUMNS, AnalysisInput
from discourse.analyse.topics import TopicsStage, diversity, frex, heldout_mask, make_units
from discourse.config import TopicsSection

PLANTED = [
    ["library", "book", "reading", "librarian", "loan", "shelf"],
    ["hospital", "nurse", "patient", "ward", "doctor", "clinic"],
    ["school", "teacher", "pupil", "classroom", "lesson", "exam"],
]
ACTORS = ["local_government", "charity", "central_government"]


def planted_corpus(documents: int = 36, sentences: int = 6, seed: int = 3):
    """Sentence table and terms: each document draws its words from one planted topic."""
    rng = np.random.default_rng(seed)
    rows, texts = [], []
    for d in range(documents):
        topic = d % 3
        for s in range(sentences):
            words = list(rng.choice(PLANTED[topic], size=8))
            texts.append(words)
            rows.append(
                {
                    "passage_id": len(rows) + 1,
                    "document_id": d + 1,
                    "seq": s,
                    "text": " ".join(words) + ".",
                    "context_before": "",
                    "context_after": "",
                    "published_at": str(2010 + d % 2),
                    "period": str(2010 + d % 2),
                    "actor_type": ACTORS[(d // 3) % 3],
                    "source_kind": "blog",
                    "words": 8,
                    "relevance": 0.0,
                    "relevant": False,
                }
            )
    return pd.DataFrame(rows, columns=list(SENTENCE_COLUMNS)), Tokens.from_lists(texts)


def run_topics(config: TopicsSection, seed: int = 7):
    sentences, terms = planted_corpus()
    data = AnalysisInput(sentences=sentences, seed=seed, period="year", replicates=50)
    return {table.name: frame for table, frame in TopicsStage(config, lambda: terms).run(data)}


@pytest.fixture(scope="module")
def tables():
    config = TopicsSection(
        k=[3], unit_words=16, passes=20, no_below=1, top_terms=6, coherence_terms=5
    )
    return run_topics(config)


def test_planted_topics_are_recovered(tables):
    terms = tables["topic_terms"]
    found = {
        frozenset(group["term"])
        for _, group in terms[terms["ranking"] == "probability"].groupby("topic")
    }
    assert found == {frozenset(words) for words in PLANTED}
    frex_found = {
        frozenset(group["term"]) for _, group in terms[terms["ranking"] == "frex"].groupby("topic")
    }
    assert frex_found == found


def test_shares_are_word_shares_summing_to_one(tables):
    shares = tables["topic_shares"]
    sums = shares.groupby(["period", "actor_type"])["share"].sum()
    assert np.allclose(sums.to_numpy(), 1.0)
    assert set(shares["actor_type"]) == {*ACTORS, "all"}
    pooled = shares[shares["actor_type"] == "all"]
    # each year holds 18 documents, six of each planted topic: a third each
    assert np.allclose(pooled["share"].to_numpy(), 1 / 3, atol=0.02)
    assert (pooled["documents"] == 18).all()
    per_document = tables["topic_documents"].groupby("document_id")["share"].sum()
    assert len(per_document) == 36 and np.allclose(per_document.to_numpy(), 1.0)


def test_each_document_is_dominated_by_its_topic(tables):
    documents = tables["topic_documents"]
    dominant = documents.loc[documents.groupby("document_id")["share"].idxmax()]
    by_planted = dominant.assign(planted=(dominant["document_id"] - 1) % 3)
    assert by_planted.groupby("planted")["topic"].nunique().tolist() == [1, 1, 1]
    assert tables["topic_summary"]["documents"].tolist() == [12, 12, 12]


def test_representative_passages_come_from_the_topic(tables):
    passages = tables["topic_passages"]
    terms = tables["topic_terms"]
    for topic, group in passages.groupby("topic"):
        vocabulary = set(terms[terms["topic"] == topic]["term"])
        for text in group["text"]:
            assert set(text.replace(".", "").split()) <= vocabulary
    assert passages.groupby("topic")["rank"].apply(list).tolist() == [[1, 2, 3, 4, 5]] * 3


def test_k_is_chosen_by_held_out_coherence():
    config = TopicsSection(
        k=[2, 3, 6], unit_words=16, passes=20, selection_passes=20, no_below=1, coherence_terms=5
    )
    tables = run_topics(config)
    selection = tables["topic_coherence"]
    assert selection["k"].tolist() == [2, 3, 6]
    assert selection.loc[selection["chosen"] == 1, "k"].tolist() == [3]
    assert selection["coherence"].idxmax() == 1
    assert tables["topic_summary"]["topic"].tolist() == [0, 1, 2]


def test_same_seed_same_topics_and_small_corpora_degrade():
    config = TopicsSection(k=[3], unit_words=16, passes=5, no_below=1)
    first, second = run_topics(config), run_topics(config)
    for name in first:
        pd.testing.assert_frame_equal(first[name], second[name])
    # 36 documents of ~48 words give 36 units: k=30 cannot be fitted, the largest feasible k is
    assert TopicsStage(TopicsSection(k=[30]), lambda: None).candidates(36, 18) == [9]
    assert TopicsStage(TopicsSection(k=[5]), lambda: None).candidates(5, 100) == []


def test_units_group_sentences_of_a_document_and_fold_short_tails():
    table = pd.DataFrame(
        {
            "document_id": [1, 1, 1, 1, 2],
            "seq": [0, 1, 2, 3, 0],
            "words": [60, 70, 100, 10, 5],
            "period": ["2010"] * 5,
            "actor_type": ["charity"] * 5,
        }
    )
    units = make_units(table, 120)
    assert list(zip(units.document_id, units.seq_start, units.seq_end, strict=True)) == [
        (1, 0, 1),
        (1, 2, 3),  # 100 + a 10-word tail
        (2, 0, 0),
    ]


def test_held_out_documents_are_a_seeded_share_of_documents():
    ids = np.repeat(np.arange(100), 2)
    mask = heldout_mask(ids, 0.2, seed=1)
    assert (mask[::2] == mask[1::2]).all()  # units of a document go together
    assert 10 <= mask[::2].sum() <= 30
    assert (heldout_mask(ids, 0.2, seed=1) == mask).all()
    assert heldout_mask(np.array([5, 5]), 0.5, seed=1).tolist() == [False, False]


def test_frex_and_diversity_on_a_small_matrix():
    beta = np.array([[0.5, 0.3, 0.2], [0.1, 0.3, 0.6]])
    exclusivity, scores = frex(beta)
    assert np.allclose(exclusivity, [[5 / 6, 0.5, 0.25], [1 / 6, 0.5, 0.75]])
    # topic 0: term 0 is first by both probability and exclusivity (ECDF 1 and 1)
    assert scores[0, 0] == pytest.approx(1.0)
    # term 1: ECDF of exclusivity 2/3, of probability 2/3
    assert scores[0, 1] == pytest.approx(2 / 3)
    assert diversity([["a", "b"], ["b", "c"]]) == 0.75


def test_npmi_by_hand():
    from math import log

    from discourse.analyse.topics import npmi

    a, b, c, x, y, f = range(6)
    texts = [np.array([a, b]), np.array([a, b]), np.array([c])]  # three windows
    scores = npmi([[a, b], [a, c], [a, 5], [a, -1]], texts, 2)
    assert scores[0] == pytest.approx(1.0)  # always together
    eps = 1e-12
    assert scores[1] == pytest.approx(log(eps / (2 / 3 * 1 / 3)) / -log(eps))  # never together
    assert scores[2] == -1.0  # term 5 never occurs
    assert scores[3] == -1.0  # a term outside the vocabulary
    # a window of 10 slides: x and y 10 tokens apart never share a window
    long = [np.array([x, *[f] * 9, y])]
    assert npmi([[x, y]], long, 2)[0] < 0


def test_bag_of_words_counts_units_left_empty_by_the_filters():
    from discourse.analyse.topics import BowCorpus

    bow = BowCorpus(
        np.array([0, 1, 1], dtype=np.int32),
        np.array([2, 1, 4], dtype=np.int32),
        np.array([0, 2, 2, 3, 3]),  # units: {0: 2, 1: 1}, empty, {1: 4}, empty
    )
    assert bow.terms().tolist() == [3, 0, 4, 0]
    assert bow[1] == [] and bow[2] == [(1, 4)]
    assert bow.subset(np.array([2, 0])).terms().tolist() == [4, 3]

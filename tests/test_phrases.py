"""Phrases on token-id arrays give exactly what gensim's Phrases gives on token lists."""

import numpy as np
import pytest
from gensim.models.phrases import Phrases

from discourse.analyse.phrases import join_phrases
from discourse.analyse.preprocess import CONNECTOR_WORDS, Tokens


def ours(sentences, min_count, threshold, connectors=CONNECTOR_WORDS, chunk=1 << 20):
    tokens = Tokens.from_lists(sentences)
    joined = join_phrases(
        tokens.ids,
        tokens.offsets,
        tokens.vocabulary,
        connectors,
        min_count=min_count,
        threshold=threshold,
        chunk=chunk,
    )
    names = [*tokens.vocabulary, *joined.names]
    out = [
        [names[i] for i in joined.ids[a:b].tolist()]
        for a, b in zip(joined.offsets[:-1], joined.offsets[1:], strict=True)
    ]
    return out, dict(zip(joined.names, joined.scores, strict=True))


def gensims(sentences, min_count, threshold, connectors=CONNECTOR_WORDS):
    model = Phrases(
        sentences,
        min_count=min_count,
        threshold=threshold,
        scoring="npmi",
        connector_words=connectors,
    ).freeze()
    return [model[words] for words in sentences], model.phrasegrams


def test_chains_connectors_and_sentence_ends_are_joined_as_gensim_joins_them():
    sentences = [
        ["the", "big", "society", "of", "the", "right", "to", "bid"],
        ["big", "society", "big", "society", "big", "society"],  # a chain: 1st and 3rd join
        ["of", "the", "big", "society", "to"],  # connectors at both edges stay single
        ["right", "to", "bid", "big"],
        ["society", "right", "to", "bid"],  # "big" + "society" across a sentence end: no
        ["secretary", "of", "state", "for", "the", "big", "society"],
        ["secretary", "of", "state", "said", "right", "to", "bid"],
    ] * 3
    expected, scores = gensims(sentences, min_count=3, threshold=0.1)
    got, got_scores = ours(sentences, min_count=3, threshold=0.1)
    assert got == expected
    assert got_scores == scores
    assert got[1] == ["big_society", "big_society", "big_society"]
    assert got[2] == ["of", "the", "big_society", "to"]
    assert got[5] == ["secretary_of_state", "for", "the", "big_society"]


def test_a_word_that_closes_a_phrase_does_not_open_the_next():
    sentences = [["a", "b"], ["b", "c"], ["a", "b", "c"]] * 4
    got, scores = ours(sentences, min_count=1, threshold=-1.0, connectors=frozenset())
    assert set(scores) == {"a_b", "b_c"}
    assert got[2] == ["a_b", "c"]
    assert (got, scores) == gensims(sentences, min_count=1, threshold=-1.0, connectors=frozenset())


@pytest.mark.parametrize(("seed", "chunk"), [(0, 1 << 20), (1, 1 << 20), (2, 1 << 20), (0, 50)])
def test_random_corpora_give_gensims_phrases_scores_and_sentences(seed, chunk):
    # chunk 50: counted and joined about fifty tokens at a time, with the same result
    rng = np.random.default_rng(seed)
    content = [f"w{i}" for i in range(40)]
    connectors = sorted(CONNECTOR_WORDS)
    sentences = []
    for _ in range(800):
        words = []
        for _ in range(int(rng.integers(0, 14))):
            if rng.random() < 0.3:
                words.append(connectors[int(rng.integers(len(connectors)))])
            else:  # a skewed draw, so some pairs are frequent enough to be phrases
                words.append(content[min(int(rng.exponential(6)), 39)])
        sentences.append(words)
    sentences.append(["w0", *["of"] * 20, "w1"] * 2)  # a connector run too long to be a number
    expected, scores = gensims(sentences, min_count=3, threshold=0.05)
    got, got_scores = ours(sentences, min_count=3, threshold=0.05, chunk=chunk)
    assert len(scores) > 20  # the corpus has phrases to find
    assert got_scores == scores
    assert got == expected


def test_long_connector_runs_keep_their_words():
    run = ["of", "the"] * 10
    sentences = [["w0", *run, "w1"], ["w0", *run, "w1"], ["w1", "w0"]]
    got, scores = ours(sentences, min_count=2, threshold=0.0)
    assert list(scores) == ["w0_" + "_".join(run) + "_w1"]
    assert got[0] == ["w0_" + "_".join(run) + "_w1"]
    assert (got, scores) == gensims(sentences, min_count=2, threshold=0.0)


def test_an_empty_corpus_has_no_phrases():
    assert ours([[], []], min_count=1, threshold=0.0) == ([[], []], {})

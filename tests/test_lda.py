import numpy as np
import pytest
from gensim.corpora import Dictionary
from gensim.models import LdaModel

from discourse.analyse.lda import ArrayBow, ChunkedLda, chunk_matrix

TEXTS = [
    "volunteer library council volunteer community",
    "council budget cut council tax budget",
    "charity volunteer community group charity charity",
    "minister society big society big localism",
    "budget tax spending cut deficit",
    "community group library volunteer",
    "localism council power community right bid",
    "society state charity voluntary sector voluntary",
    "deficit spending budget",
    "big society volunteer charity",
    "tax",
    "right bid community power localism",
]


@pytest.fixture
def corpus():
    words = [text.split() for text in TEXTS]
    dictionary = Dictionary(words)
    return dictionary, [dictionary.doc2bow(w) for w in words]


def model(cls, dictionary, **kwargs):
    return cls(id2word=dictionary, num_topics=3, random_state=7, iterations=40, **kwargs)


@pytest.mark.parametrize("threshold", [1e-3, 1e-12])  # documents stop apart / all run out
def test_e_step_matches_gensim_loop_to_rounding(corpus, threshold):
    dictionary, bow = corpus
    ours = model(ChunkedLda, dictionary, gamma_threshold=threshold)
    theirs = model(LdaModel, dictionary, gamma_threshold=threshold)
    np.testing.assert_array_equal(ours.expElogbeta, theirs.expElogbeta)  # same start
    arrays = [ArrayBow(np.array([i for i, _ in d]), np.array([c for _, c in d])) for d in bow]
    gamma, sstats = ours.inference(arrays, True)
    their_gamma, their_sstats = theirs.inference(bow, True)
    np.testing.assert_allclose(gamma, their_gamma, rtol=2e-4)
    np.testing.assert_allclose(sstats, their_sstats, rtol=2e-4, atol=1e-6)
    assert sstats.sum() == pytest.approx(sum(c for d in bow for _, c in d), rel=1e-4)


def test_fit_matches_gensim_and_repeats_exactly(corpus):
    dictionary, bow = corpus
    fit = dict(corpus=bow, passes=3, chunksize=5, alpha="auto")
    ours = model(ChunkedLda, dictionary, **fit)
    theirs = model(LdaModel, dictionary, **fit)
    np.testing.assert_allclose(ours.get_topics(), theirs.get_topics(), rtol=1e-3, atol=1e-6)
    np.testing.assert_allclose(ours.alpha, theirs.alpha, rtol=1e-3)
    again = model(ChunkedLda, dictionary, **fit)
    np.testing.assert_array_equal(ours.get_topics(), again.get_topics())
    # gensim's own calls (one plain list of pairs) go through the same E-step
    mine = ours.get_document_topics(bow[0], minimum_probability=0)
    gensims = theirs.get_document_topics(bow[0], minimum_probability=0)
    np.testing.assert_allclose(np.array(mine), np.array(gensims), rtol=1e-3)


def test_chunk_matrix_reads_arrays_and_pairs_alike():
    pairs = [[(0, 2), (3, 1)], [], [(1, 5)]]
    arrays = [ArrayBow(np.array([i for i, _ in d]), np.array([c for _, c in d])) for d in pairs]
    expected = [[2, 0, 0, 1], [0, 0, 0, 0], [0, 5, 0, 0]]
    for chunk in (pairs, arrays):
        assert chunk_matrix(chunk, 4, np.float32).toarray().tolist() == expected
    assert list(arrays[0]) == [(0, 2), (3, 1)] and arrays[0][1] == (3, 1)

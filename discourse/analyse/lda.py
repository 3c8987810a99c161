"""gensim's LDA with its E-step computed for a whole chunk of documents at once.

gensim's LdaModel fits topics by online variational Bayes: for every chunk of documents an
E-step iterates each document's topic weights (gamma) to a fixed point, then an M-step blends
the chunk's expected word counts into the topics. Its E-step loops over documents in Python,
a dozen small NumPy calls per document and iteration, so on passages of a hundred words the
loop, not the arithmetic, is what a fit costs. `ChunkedLda` runs the same updates for all the
documents of a chunk together as sparse matrix products: the same random initialisation, the
same fixed-point update (Lee & Seung's trick, phi never formed), the same per-document stop
(mean absolute change of gamma under `gamma_threshold`, or `iterations` reached) and the same
sufficient statistics. Everything else (the M-step, alpha and eta learning, the model object)
is gensim's. Results differ from gensim's loop only by floating-point rounding, and are
identical from run to run.
"""

import numpy as np
from gensim.matutils import dirichlet_expectation
from gensim.models import LdaModel
from scipy.sparse import csr_matrix


class ArrayBow:
    """One document's bag of words as two arrays, read by gensim as a list of (id, count).

    `ChunkedLda` takes the arrays as they are; gensim's own code (LdaMulticore, coherence)
    sees the usual sequence of pairs.
    """

    __slots__ = ("ids", "counts")

    def __init__(self, ids: np.ndarray, counts: np.ndarray):
        self.ids = ids
        self.counts = counts

    def __len__(self) -> int:
        return len(self.ids)

    def __iter__(self):
        return zip(self.ids.tolist(), self.counts.tolist(), strict=True)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return list(zip(self.ids[i].tolist(), self.counts[i].tolist(), strict=True))
        return int(self.ids[i]), int(self.counts[i])

    def __eq__(self, other) -> bool:
        return list(self) == list(other)

    def __repr__(self) -> str:
        return f"ArrayBow({list(self)!r})"


def chunk_matrix(chunk, num_terms: int, dtype) -> csr_matrix:
    """A chunk of bag-of-words documents as a documents × terms matrix of counts."""
    lengths = np.fromiter((len(document) for document in chunk), dtype=np.int64, count=len(chunk))
    indptr = np.zeros(len(chunk) + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    if all(isinstance(document, ArrayBow) for document in chunk):
        ids = np.concatenate([d.ids for d in chunk]) if chunk else np.zeros(0, np.int64)
        counts = np.concatenate([d.counts for d in chunk]) if chunk else np.zeros(0)
    else:
        pairs = np.array([pair for d in chunk for pair in d], dtype=np.float64).reshape(-1, 2)
        ids, counts = pairs[:, 0], pairs[:, 1]
    return csr_matrix(
        (counts.astype(dtype), ids.astype(np.int64), indptr), shape=(len(chunk), num_terms)
    )


class ChunkedLda(LdaModel):
    """gensim's LdaModel with a vectorised E-step (see the module docstring)."""

    def inference(self, chunk, collect_sstats=False):
        """Topic weights (gamma) of a chunk's documents, and the M-step's statistics if asked."""
        if not hasattr(chunk, "__len__"):
            chunk = list(chunk)
        n = len(chunk)
        gamma = self.random_state.gamma(100.0, 1.0 / 100.0, (n, self.num_topics))
        gamma = gamma.astype(self.dtype, copy=False)
        counts = chunk_matrix(chunk, self.num_terms, self.dtype)
        beta = np.ascontiguousarray(self.expElogbeta.T)  # terms × topics
        epsilon = np.finfo(self.dtype).eps
        exp_theta = np.exp(dirichlet_expectation(gamma))
        phinorm = np.empty(counts.nnz, dtype=self.dtype)  # each count's final normaliser
        # the rows being iterated (documents still iterating, and some that stopped since
        # the last compaction), their counts and their words' topic weights
        active = np.arange(n)
        live = np.ones(n, dtype=bool)  # rows of `active` whose document still iterates
        sub = counts
        lengths = np.diff(sub.indptr)
        beta_words = beta[sub.indices]
        norm = _rowwise_dot(np.repeat(exp_theta, lengths, axis=0), beta_words) + epsilon
        for iteration in range(self.iterations):
            weights = csr_matrix((sub.data / norm, sub.indices, sub.indptr), shape=sub.shape)
            new_gamma = self.alpha + exp_theta[active] * (weights @ beta)
            new_exp_theta = np.exp(dirichlet_expectation(new_gamma))
            norm = _rowwise_dot(np.repeat(new_exp_theta, lengths, axis=0), beta_words) + epsilon
            change = np.mean(np.abs(new_gamma - gamma[active]), axis=1)
            gamma[active[live]] = new_gamma[live]
            exp_theta[active[live]] = new_exp_theta[live]
            done = live & (change < self.gamma_threshold)
            if iteration == self.iterations - 1:
                done = live
            if not done.any():
                continue
            phinorm[_entries(counts.indptr, active[done])] = norm[np.repeat(done, lengths)]
            live &= ~done
            if not live.any():
                break
            # rows of stopped documents are dropped once they are a quarter of the work:
            # copying the remaining rows every iteration cost more than computing a few
            # rows for nothing (rows do not affect each other, so results are the same)
            if live.sum() < 0.75 * len(live):
                keep = np.repeat(live, lengths)
                active = active[live]
                sub = counts[active]
                lengths = np.diff(sub.indptr)
                beta_words = beta_words[keep]
                norm = norm[keep]
                live = np.ones(len(active), dtype=bool)
        sstats = None
        if collect_sstats:
            weights = csr_matrix(
                (counts.data / phinorm, counts.indices, counts.indptr), counts.shape
            )
            sstats = np.asarray((weights.T @ exp_theta).T, dtype=self.dtype)
            sstats *= self.expElogbeta
        return gamma, sstats


def _rowwise_dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.einsum("ij,ij->i", a, b)


def _entries(indptr: np.ndarray, documents: np.ndarray) -> np.ndarray:
    """Positions, in a chunk's matrix, of the counts of the given documents (in order)."""
    starts = indptr[documents]
    lengths = indptr[documents + 1] - starts
    within = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    return np.repeat(starts, lengths) + within

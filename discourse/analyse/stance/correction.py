"""Correcting label shares for classifier error (misclassification-matrix inversion).

A classifier that confuses sceptical with neutral 30% of the time biases every share it
counts, and the bias does not shrink with more data. If M[i, j] = P(predicted j | true i) is
estimated on labelled sentences the model did not train on (cross-validated predictions),
the expected predicted shares are q = Mᵀ p for true shares p, so p = (Mᵀ)⁻¹ q: the
multi-class form of the Rogan–Gladen estimator ("adjusted classify and count").

Why this and not averaging predicted probabilities: averaging is only unbiased when the
probabilities are calibrated on the corpus, which with a hundred real labelled sentences we
cannot show; the inversion needs only that error rates carry over, and it is linear in the
counts, so each sentence can carry its corrected contribution (a row of (Mᵀ)⁻¹) into the
document bootstrap. Its costs, stated where it is reported: M comes from few labelled
sentences (so it is smoothed, and its own uncertainty is not in the interval), and a
corrected share can fall outside [0, 1] in small groups (reported clipped).
"""

import numpy as np

from discourse.vocabulary import STANCES

SMOOTHING = 0.5  # pseudo-count added to every cell of the count matrix before normalising


def misclassification_matrix(counts: np.ndarray, smoothing: float = SMOOTHING) -> np.ndarray:
    """Row-normalised P(predicted | true) from a confusion count matrix (rows true)."""
    counts = np.asarray(counts, dtype=float) + smoothing
    return counts / counts.sum(axis=1, keepdims=True)


def unit_contributions(matrix: np.ndarray) -> np.ndarray:
    """(Mᵀ)⁻¹: column j is what one sentence predicted as label j adds to the corrected
    counts of each true label. Summing columns over a group's predictions gives (Mᵀ)⁻¹ q."""
    matrix = np.asarray(matrix, dtype=float)
    if matrix.shape != (len(STANCES), len(STANCES)):
        raise ValueError(f"misclassification matrix must be {len(STANCES)}×{len(STANCES)}")
    return np.linalg.inv(matrix.T)


def corrected_counts(predicted_counts: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """Estimated true label counts from predicted counts (may fall outside [0, n])."""
    return unit_contributions(matrix) @ np.asarray(predicted_counts, dtype=float)


def corrected_shares(predicted_counts: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """Corrected true shares over all four labels, projected back onto proportions:
    negative estimates set to 0, the rest rescaled to sum to 1."""
    counts = np.clip(corrected_counts(predicted_counts, matrix), 0.0, None)
    total = counts.sum()
    return counts / total if total > 0 else np.full(len(STANCES), np.nan)

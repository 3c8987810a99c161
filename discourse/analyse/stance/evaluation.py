"""How good a stance model is: per-label scores, calibration, and honest cross-validation.

Scores are computed here (not borrowed from scikit-learn) so the definitions are on the page:
precision = TP / (TP + FP) and recall = TP / (TP + FN), each 0 when its denominator is 0;
F1 their harmonic mean (0 when both are 0); macro-F1 the unweighted mean over the four labels.
Calibration is the top-label expected calibration error: predictions binned by their highest
probability into equal-width bins, ECE = Σ (bin size / n) × |accuracy − mean confidence|.

Cross-validation never trains and tests on the same sentence. The evaluation set (the dev
set) is split into stratified folds; the team-written examples are in every training fold and
never scored. `nested_cross_validation` also repeats the model *selection* inside each outer
fold, so its score is that of the whole training procedure, not of a choice made on the test.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from discourse.analyse.stance.examples import Example, columns
from discourse.vocabulary import STANCES


def confusion_matrix(true: Sequence[str], predicted: Sequence[str]) -> np.ndarray:
    """Counts with rows = true label, columns = predicted label, both in STANCES order."""
    matrix = np.zeros((len(STANCES), len(STANCES)), dtype=int)
    for t, p in zip(true, predicted, strict=True):
        matrix[STANCES.index(t), STANCES.index(p)] += 1
    return matrix


def expected_calibration_error(
    probabilities: np.ndarray, true: Sequence[str], bins: int = 10
) -> tuple[float, list[dict]]:
    """Top-label ECE and the reliability table (one row per non-empty bin)."""
    probabilities = np.asarray(probabilities, dtype=float)
    if len(probabilities) == 0:
        return float("nan"), []
    confidence = probabilities.max(axis=1)
    correct = probabilities.argmax(axis=1) == np.array([STANCES.index(t) for t in true])
    # bin i holds confidences in (i/bins, (i+1)/bins]; confidence 0 cannot occur for a top label
    index = np.clip(np.ceil(confidence * bins - 1e-9).astype(int) - 1, 0, bins - 1)
    ece, table = 0.0, []
    for b in range(bins):
        members = index == b
        count = int(members.sum())
        if count == 0:
            continue
        accuracy = float(correct[members].mean())
        mean_confidence = float(confidence[members].mean())
        ece += count / len(confidence) * abs(accuracy - mean_confidence)
        table.append(
            {
                "bin": f"({b / bins:.1f}, {(b + 1) / bins:.1f}]",
                "count": count,
                "accuracy": accuracy,
                "confidence": mean_confidence,
            }
        )
    return float(ece), table


def _ratio(numerator: float, denominator: float) -> float:
    return float(numerator / denominator) if denominator else 0.0


def evaluation_report(true: Sequence[str], probabilities: np.ndarray, bins: int = 10) -> dict:
    """Per-label P/R/F1, macro-F1, accuracy, confusion matrix and calibration, as plain JSON."""
    probabilities = np.asarray(probabilities, dtype=float)
    predicted = [STANCES[i] for i in probabilities.argmax(axis=1)] if len(true) else []
    matrix = confusion_matrix(true, predicted)
    per_label = {}
    for i, label in enumerate(STANCES):
        tp = matrix[i, i]
        precision = _ratio(tp, matrix[:, i].sum())
        recall = _ratio(tp, matrix[i, :].sum())
        f1 = _ratio(2 * precision * recall, precision + recall)
        per_label[label] = {
            "precision": precision,
            "recall": recall,
            "f1": f1,
            "support": int(matrix[i, :].sum()),
        }
    ece, reliability = expected_calibration_error(probabilities, true, bins)
    return {
        "n": len(true),
        "labels": list(STANCES),
        "per_label": per_label,
        "macro_f1": float(np.mean([per_label[label]["f1"] for label in STANCES])),
        "accuracy": _ratio(np.trace(matrix), matrix.sum()),
        "confusion_matrix": {"rows": "true", "columns": "predicted", "matrix": matrix.tolist()},
        "expected_calibration_error": ece,
        "calibration_bins": bins,
        "reliability": reliability,
    }


def format_report(report: dict) -> str:
    """The report as a plain-text table for the terminal."""
    lines = [f"{'label':<12}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>10}"]
    for label in STANCES:
        row = report["per_label"][label]
        lines.append(
            f"{label:<12}{row['precision']:>10.3f}{row['recall']:>10.3f}{row['f1']:>10.3f}{row['support']:>10d}"
        )
    lines.append(
        f"macro-F1 {report['macro_f1']:.3f}   accuracy {report['accuracy']:.3f}   n {report['n']}"
    )
    lines.append(
        f"expected calibration error ({report['calibration_bins']} bins): "
        f"{report['expected_calibration_error']:.3f}"
    )
    lines.append("confusion matrix (rows true, columns predicted): " + " ".join(STANCES))
    width = max(len(label) for label in STANCES) + 2
    for label, row in zip(STANCES, report["confusion_matrix"]["matrix"], strict=True):
        lines.append(f"{label:<{width}}" + "".join(f"{v:>8d}" for v in row))
    return "\n".join(lines)


# -- cross-validation ---------------------------------------------------------------------

ModelFactory = Callable[[], object]  # returns an unfitted model with fit / predict_proba


def _folds(labels: Sequence[str], folds: int, seed: int) -> list[np.ndarray]:
    """Stratified test-fold indices (fewer folds when the rarest label is scarcer)."""
    from sklearn.model_selection import StratifiedKFold

    counts = [list(labels).count(label) for label in set(labels)]
    k = max(2, min(folds, min(counts)))
    splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
    return [test for _, test in splitter.split(np.zeros(len(labels)), list(labels))]


def _fit_predict(factory: ModelFactory, train: list[Example], test: list[Example]) -> np.ndarray:
    model = factory()
    model.fit(*columns(train))
    texts, before, after, _ = columns(test)
    return model.predict_proba(texts, before, after)


def out_of_fold(
    factory: ModelFactory,
    evaluation: list[Example],
    always_train: list[Example] = (),
    *,
    folds: int = 5,
    seed: int = 0,
) -> np.ndarray:
    """Out-of-fold probabilities for every evaluation example (rows in its order)."""
    labels = [e.label for e in evaluation]
    result = np.zeros((len(evaluation), len(STANCES)))
    for test in _folds(labels, folds, seed):
        held_out = set(test.tolist())
        train = list(always_train) + [e for i, e in enumerate(evaluation) if i not in held_out]
        result[test] = _fit_predict(factory, train, [evaluation[i] for i in test])
    return result


@dataclass(frozen=True)
class Candidate:
    """One model configuration considered by selection."""

    name: str
    factory: ModelFactory


def select(
    candidates: Sequence[Candidate], pool: list[Example], *, folds: int, seed: int
) -> Candidate:
    """The candidate with the best cross-validated macro-F1 on `pool` (ties: first listed)."""
    labels = [e.label for e in pool]
    best, best_score = candidates[0], -1.0
    for candidate in candidates:
        probabilities = out_of_fold(candidate.factory, pool, folds=folds, seed=seed)
        score = evaluation_report(labels, probabilities)["macro_f1"]
        if score > best_score + 1e-12:
            best, best_score = candidate, score
    return best


def nested_cross_validation(
    candidates: Sequence[Candidate],
    evaluation: list[Example],
    always_train: list[Example] = (),
    *,
    folds: int = 5,
    inner_folds: int = 3,
    seed: int = 0,
) -> tuple[np.ndarray, list[str]]:
    """Out-of-fold probabilities of the whole select-then-fit procedure, and what each outer
    fold selected. Selection sees only that fold's training pool."""
    labels = [e.label for e in evaluation]
    result = np.zeros((len(evaluation), len(STANCES)))
    chosen = []
    for test in _folds(labels, folds, seed):
        held_out = set(test.tolist())
        pool = list(always_train) + [e for i, e in enumerate(evaluation) if i not in held_out]
        best = select(candidates, pool, folds=inner_folds, seed=seed)
        chosen.append(best.name)
        result[test] = _fit_predict(best.factory, pool, [evaluation[i] for i in test])
    return result, chosen

"""Group estimates with bootstrap confidence intervals over documents.

Every aggregate the tool reports (topic shares, stance shares, mean sentiment, term rates) is
a ratio of sums within a group (period × actor_type, say): sum(value × weight) / sum(weight)
over the units (sentences, passages, tokens) in the group. Units of one document are not
independent, so the interval resamples whole documents (a cluster bootstrap), never units.
Seeds are derived from the run seed and the group key, so results do not depend on the order
groups are computed in.
"""

import zlib
from collections.abc import Sequence

import numpy as np
import pandas as pd

_CHUNK = 200  # bootstrap replicates drawn at once (bounds memory for large groups)


def group_seed(seed: int, key: Sequence) -> np.random.Generator:
    """A generator seeded by the run seed and a stable hash of the group key."""
    digest = zlib.crc32("\x1f".join(map(str, key)).encode("utf-8"))
    return np.random.default_rng([seed, digest])


def ratio_with_ci(
    numerators: np.ndarray,
    denominators: np.ndarray,
    rng: np.random.Generator,
    *,
    replicates: int = 1000,
    level: float = 0.95,
) -> tuple[float, float, float]:
    """Estimate sum(num)/sum(den) over documents, with a percentile bootstrap interval.

    `numerators` is documents × metrics (or a vector), `denominators` one value per document.
    Returns (estimate, low, high) arrays shaped like one row of `numerators`. With a single
    document the interval is undefined (NaN): there is nothing to resample.
    """
    numerators = np.asarray(numerators, dtype=float)
    denominators = np.asarray(denominators, dtype=float)
    vector = numerators.ndim == 1
    if vector:
        numerators = numerators[:, None]
    total = denominators.sum()
    estimate = numerators.sum(axis=0) / total if total > 0 else np.full(numerators.shape[1], np.nan)
    n = len(denominators)
    if n < 2 or total <= 0:
        nan = np.full(numerators.shape[1], np.nan)
        return (estimate[0], nan[0], nan[0]) if vector else (estimate, nan, nan)
    draws = []
    for start in range(0, replicates, _CHUNK):
        size = min(_CHUNK, replicates - start)
        counts = rng.multinomial(n, np.full(n, 1.0 / n), size=size)  # size × n resample weights
        den = counts @ denominators
        with np.errstate(invalid="ignore", divide="ignore"):
            draws.append((counts @ numerators) / den[:, None])
    stacked = np.vstack(draws)
    alpha = (1.0 - level) / 2.0
    low = np.nanquantile(stacked, alpha, axis=0)
    high = np.nanquantile(stacked, 1.0 - alpha, axis=0)
    if vector:
        return float(estimate[0]), float(low[0]), float(high[0])
    return estimate, low, high


def grouped_ratios(
    units: pd.DataFrame,
    *,
    values: Sequence[str],
    groups: Sequence[str] = ("period", "actor_type"),
    weight: str | None = None,
    document: str = "document_id",
    seed: int,
    replicates: int = 1000,
    level: float = 0.95,
) -> pd.DataFrame:
    """Ratio estimates per group with document-bootstrap intervals, in long (tidy) form.

    `units` has one row per unit (sentence, passage…) with a document id, the group columns
    and the value columns (an indicator 0/1 gives a share; a score gives a mean). `weight`
    (e.g. word counts) weights units; without it each unit counts once. Rows whose group
    columns are missing are left out. Output columns: the group columns, `metric`, `estimate`,
    `ci_low`, `ci_high`, `documents`, `units`, sorted by group then metric.
    """
    values = list(values)
    groups = list(groups)
    frame = units.dropna(subset=groups)
    columns = [*groups, "metric", "estimate", "ci_low", "ci_high", "documents", "units"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    weights = frame[weight].astype(float) if weight else pd.Series(1.0, index=frame.index)
    weighted = frame[values].astype(float).mul(weights, axis=0)
    weighted[document] = frame[document]
    weighted["_weight"] = weights
    weighted["_units"] = 1
    for column in groups:
        weighted[column] = frame[column]
    per_document = weighted.groupby([*groups, document], sort=True).sum(numeric_only=False)
    rows = []
    for key, block in per_document.groupby(level=list(range(len(groups))), sort=True):
        key = key if isinstance(key, tuple) else (key,)
        estimate, low, high = ratio_with_ci(
            block[values].to_numpy(),
            block["_weight"].to_numpy(),
            group_seed(seed, key),
            replicates=replicates,
            level=level,
        )
        for i, metric in enumerate(values):
            rows.append(
                (
                    *key,
                    metric,
                    float(estimate[i]),
                    float(low[i]),
                    float(high[i]),
                    len(block),
                    int(block["_units"].sum()),
                )
            )
    return pd.DataFrame(rows, columns=columns).sort_values([*groups, "metric"], ignore_index=True)

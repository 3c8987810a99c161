"""How often the target's terms are used, by period and actor, and what sets groups apart.

Term rates are per 10,000 words of running text (whitespace words of the sentences), per
period × actor_type and per period over all actors, with document-bootstrap intervals. Terms
are the concepts of the relevance lexicon (so a rate means "mentions of the Big Society family
of phrases") and any term lists configured in [trends] terms.

Keyness compares two groups of documents (say local_government against central_government)
on their analysis terms (lemmas, phrases joined, stop words removed): Dunning's
log-likelihood G² for how sure the difference is, and Hardie's log ratio (binary log of the
ratio of relative frequencies) for how big it is.
"""

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
from scipy.stats import chi2

from discourse.analyse.aggregate import grouped_ratios
from discourse.analyse.preprocess import Tokens
from discourse.analyse.relevance import Concept, compile_patterns
from discourse.analyse.stage import AnalysisInput, StageOutput
from discourse.config import KeynessComparison, TrendsSection
from discourse.store import ResultTable

ALL = "all"  # actor_type of the rows that pool every actor

TERM_RATES = ResultTable(
    name="term_rates",
    columns=(
        ("term", "TEXT"),
        ("label", "TEXT"),
        ("period", "TEXT"),
        ("actor_type", "TEXT"),
        ("per_10k", "REAL"),
        ("ci_low", "REAL"),
        ("ci_high", "REAL"),
        ("count", "INTEGER"),
        ("words", "INTEGER"),
        ("documents", "INTEGER"),
    ),
    key=("term", "period", "actor_type"),
    description=(
        "Mentions of each concept or configured term per 10,000 words. One row per term × "
        "period × actor_type (actor_type 'all' pools every actor): per_10k with a 95% "
        "document-bootstrap interval (ci_low, ci_high), the raw count of matches, the words "
        "and documents of the group. term is the concept name of the lexicon (or the [trends] "
        "terms label), label its readable name. Undated documents are left out."
    ),
)
KEYNESS = ResultTable(
    name="keyness",
    columns=(
        ("comparison", "TEXT"),
        ("direction", "TEXT"),
        ("rank", "INTEGER"),
        ("term", "TEXT"),
        ("target_count", "INTEGER"),
        ("reference_count", "INTEGER"),
        ("target_per_10k", "REAL"),
        ("reference_per_10k", "REAL"),
        ("log_likelihood", "REAL"),
        ("log_ratio", "REAL"),
        ("p_value", "REAL"),
        ("target_total", "INTEGER"),
        ("reference_total", "INTEGER"),
    ),
    key=("comparison", "direction", "rank"),
    description=(
        "Terms that set one group of documents apart from another. comparison is "
        "'COLUMN:TARGET vs REFERENCE' (from [trends] keyness); direction 'target' lists terms "
        "relatively more frequent in the target group, 'reference' those more frequent in the "
        "reference, ranked by log_likelihood (Dunning's G², 1 df; p_value from chi²). "
        "log_ratio is log2 of the ratio of relative frequencies target/reference (a zero count "
        "counted as 0.5): 1 means twice as frequent. Counts are of analysis terms (lemmas, "
        "phrases joined, stop words removed); target_total and reference_total are the groups' "
        "term totals. Terms with fewer than keyness_min_count uses in both groups together "
        "are left out."
    ),
)


class TrendsStage:
    """Term rates per period × actor and keyness between configured groups."""

    name = "trends"

    def __init__(
        self,
        config: TrendsSection,
        concepts: Sequence[Concept],
        terms: Callable[[], Tokens],
        concept_matches: Callable[[], np.ndarray] | None = None,
    ):
        """`concept_matches` gives the sentences × concepts counts when already computed."""
        self.config = config
        self.terms = terms
        self.concepts = list(concepts)
        self.concept_matches = concept_matches
        self.patterns: list[tuple[str, str, object]] = []
        if config.concepts:
            self.patterns += [(c.name, c.label, c.regex) for c in concepts if c.trend]
        for label, patterns in sorted(config.terms.items()):
            self.patterns.append((label, label, compile_patterns(patterns)))

    def run(self, data: AnalysisInput) -> StageOutput:
        output = [(TERM_RATES, self.rates(data))]
        if self.config.keyness:
            output.append((KEYNESS, self.keyness(data)))
        return output

    def rates(self, data: AnalysisInput) -> pd.DataFrame:
        sentences = data.sentences
        names = [name for name, _, _ in self.patterns]
        if not names or sentences.empty:
            return pd.DataFrame(columns=[c for c, _ in TERM_RATES.columns])
        known = {}
        if self.concept_matches is not None:
            matrix = self.concept_matches()
            known = {c.name: matrix[:, j] for j, c in enumerate(self.concepts)}
        lower = None
        columns = []
        for name, _, regex in self.patterns:
            if name not in known:
                if lower is None:
                    lower = [t.lower() for t in sentences["text"]]
                known[name] = np.fromiter((len(regex.findall(t)) for t in lower), np.int64)
            columns.append(known[name])
        # documents, not sentences, are what the bootstrap resamples: sum each document's
        # counts and words first (sentences come sorted by document), the same estimates
        # with a row per document in memory
        document = sentences["document_id"].to_numpy()
        starts = np.flatnonzero(np.r_[True, document[1:] != document[:-1]])
        per_document = np.add.reduceat(np.column_stack(columns).astype(np.int64), starts, axis=0)
        units = pd.DataFrame(
            {
                "document_id": document[starts],
                "period": sentences["period"].to_numpy(dtype=object)[starts],
                "actor_type": sentences["actor_type"].to_numpy(dtype=object)[starts],
                "words": np.add.reduceat(sentences["words"].to_numpy(np.int64), starts),
            }
        ).dropna(subset=["period"])
        counts = {name: per_document[units.index, j].astype(float) for j, name in enumerate(names)}
        units = units.reset_index(drop=True)
        for name in names:
            units[name] = counts[name] * 10_000 / np.maximum(units["words"].to_numpy(float), 1)
        frames = []
        for pooled in (False, True):
            grouped = units.assign(actor_type=ALL) if pooled else units
            estimates = grouped_ratios(
                grouped,
                values=names,
                weight="words",
                seed=data.seed,
                replicates=data.replicates,
            )
            frames.append(estimates)
        estimates = pd.concat(frames, ignore_index=True)
        if estimates.empty:
            return pd.DataFrame(columns=[c for c, _ in TERM_RATES.columns])
        raw = units.assign(**counts)
        labels = {name: label for name, label, _ in self.patterns}
        totals = {}
        for pooled in (False, True):
            grouped = raw.assign(actor_type=ALL) if pooled else raw
            sums = grouped.groupby(["period", "actor_type"])[[*names, "words"]].sum()
            for (period, actor), row in sums.iterrows():
                for name in names:
                    totals[(name, period, actor)] = (int(row[name]), int(row["words"]))
        estimates = estimates.rename(columns={"metric": "term", "estimate": "per_10k"})
        estimates["label"] = estimates["term"].map(labels)
        estimates["count"] = [
            totals[(t, p, a)][0]
            for t, p, a in zip(
                estimates["term"], estimates["period"], estimates["actor_type"], strict=True
            )
        ]
        estimates["words"] = [
            totals[(t, p, a)][1]
            for t, p, a in zip(
                estimates["term"], estimates["period"], estimates["actor_type"], strict=True
            )
        ]
        return estimates[[c for c, _ in TERM_RATES.columns]]

    def keyness(self, data: AnalysisInput) -> pd.DataFrame:
        sentences = data.sentences
        tokens = self.terms()
        frames = []
        for comparison in self.config.keyness:
            target, reference = _group_masks(sentences, comparison)
            frame = keyness_table(
                tokens,
                target,
                reference,
                top=self.config.keyness_top,
                min_count=self.config.keyness_min_count,
            )
            frame.insert(0, "comparison", comparison_name(comparison))
            frames.append(frame)
        return pd.concat(frames, ignore_index=True)


def comparison_name(comparison: KeynessComparison) -> str:
    reference = "everything else" if comparison.reference == "*" else comparison.reference
    return f"{comparison.column}:{comparison.target} vs {reference}"


def _group_masks(sentences: pd.DataFrame, comparison: KeynessComparison):
    values = sentences[comparison.column].astype(object)
    target = (values == comparison.target).to_numpy()
    if comparison.reference == "*":
        reference = (~target) & values.notna().to_numpy()
    else:
        reference = (values == comparison.reference).to_numpy()
    return target, reference


def term_counts(tokens: Tokens, rows: np.ndarray) -> np.ndarray:
    """Counts of every vocabulary term over the texts selected by a boolean mask."""
    selected = np.repeat(np.asarray(rows, dtype=bool), tokens.lengths())  # one flag per token
    return np.bincount(tokens.ids[selected], minlength=len(tokens.vocabulary)).astype(np.int64)


def log_likelihood(a: np.ndarray, b: np.ndarray, c: float, d: float) -> np.ndarray:
    """Dunning's G² for counts a (of c tokens) against b (of d tokens)."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    expected_a = c * (a + b) / (c + d)
    expected_b = d * (a + b) / (c + d)
    with np.errstate(divide="ignore", invalid="ignore"):
        part_a = np.where(a > 0, a * np.log(a / expected_a), 0.0)
        part_b = np.where(b > 0, b * np.log(b / expected_b), 0.0)
    return 2.0 * (part_a + part_b)


def log_ratio(a: np.ndarray, b: np.ndarray, c: float, d: float) -> np.ndarray:
    """Hardie's log ratio: log2 of relative frequency in target over reference (0 → 0.5)."""
    a = np.where(np.asarray(a) == 0, 0.5, a)
    b = np.where(np.asarray(b) == 0, 0.5, b)
    return np.log2((a / c) / (b / d))


def keyness_table(
    tokens: Tokens, target: np.ndarray, reference: np.ndarray, *, top: int, min_count: int
) -> pd.DataFrame:
    """The `top` key terms of each direction for two groups of texts (boolean masks)."""
    columns = [c for c, _ in KEYNESS.columns if c != "comparison"]
    a = term_counts(tokens, target)
    b = term_counts(tokens, reference)
    c = float(a.sum())
    d = float(b.sum())
    if c == 0 or d == 0:
        return pd.DataFrame(columns=columns)
    keep = np.flatnonzero((a + b) >= min_count)
    g2 = log_likelihood(a[keep], b[keep], c, d)
    ratio = log_ratio(a[keep], b[keep], c, d)
    frame = pd.DataFrame(
        {
            "term": [tokens.vocabulary[i] for i in keep],
            "target_count": a[keep],
            "reference_count": b[keep],
            "target_per_10k": a[keep] * 10_000 / c,
            "reference_per_10k": b[keep] * 10_000 / d,
            "log_likelihood": g2,
            "log_ratio": ratio,
            "p_value": chi2.sf(g2, 1),
            "target_total": int(c),
            "reference_total": int(d),
        }
    )
    frame["direction"] = np.where(a[keep] / c >= b[keep] / d, "target", "reference")
    frames = []
    for direction in ("target", "reference"):
        part = frame[frame["direction"] == direction].sort_values(
            ["log_likelihood", "term"], ascending=[False, True], kind="mergesort"
        )
        part = part.head(top).copy()
        part["rank"] = np.arange(1, len(part) + 1)
        frames.append(part)
    return pd.concat(frames, ignore_index=True)[columns]

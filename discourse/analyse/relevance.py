"""Is a sentence about the codebook's target? A scored filter on a concept lexicon.

The lexicon (discourse/data/concepts.toml, or the researcher's own file) names the concepts the
target travels under — Big Society, co-production, localism and community rights, social
action, volunteering, the voluntary sector, mutuals, personal budgets, participatory
budgeting, commissioning, the state stepping back — each with phrase patterns and a weight;
off-target uses of the same words ("community sentence", "IRA volunteers") weigh negative.
A sentence's score is the sum of the weights of the concepts it mentions (each once), plus a
share of its neighbours' positive scores, since the codebook reads a sentence with the one
before and after. It is relevant when the score reaches the configured threshold. Scores are
transparent: `matches` says which concepts fired.
"""

import json
import re
import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from discourse.analyse.aggregate import grouped_ratios
from discourse.analyse.stage import AnalysisInput, StageOutput, forked_pool, inherited
from discourse.errors import ConfigError, UsageError
from discourse.store import ResultTable
from discourse.vocabulary import STANCES

_DASHES = "\\-\u2010\u2011\u2012\u2013"


@dataclass(frozen=True)
class Concept:
    name: str
    label: str
    weight: float
    patterns: tuple[str, ...]
    trend: bool  # counted in term trends (off-target lists are not)
    regex: re.Pattern


def compile_patterns(patterns: Sequence[str]) -> re.Pattern:
    """One regex for phrase patterns (see concepts.toml), to match on lower-cased text."""
    alternatives = []
    for pattern in sorted(set(patterns), key=lambda p: (-len(p), p)):
        words = re.split(r"(\s+|-)", pattern.strip().lower())
        parts = []
        for piece in words:
            if not piece:
                continue
            if piece.isspace():
                parts.append(f"[\\s{_DASHES}]+")
            elif piece == "-":
                parts.append(f"[\\s{_DASHES}]*")
            else:
                star = piece.endswith("*")
                word = re.escape(piece.rstrip("*")).replace("'", "['\u2019]?")
                parts.append(word + (r"\w*" if star else ""))
        alternatives.append("".join(parts))
    # \b rather than look-arounds and lower-cased text rather than IGNORECASE: twice as fast
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")\b")


def load_lexicon(path: str | Path | None = None) -> list[Concept]:
    """The concepts of a lexicon file (the packaged one when `path` is None)."""
    if path is None:
        raw = resources.files("discourse.data").joinpath("concepts.toml").read_text("utf-8")
        where = "discourse/data/concepts.toml"
    else:
        where = str(path)
        try:
            raw = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(
                f"{path}: cannot read the concept lexicon ({exc.strerror})",
                hint="fix [relevance] lexicon in analyse.toml",
            ) from None
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where}: invalid TOML: {exc}", hint="fix the syntax") from None
    concepts = []
    for name, entry in sorted(data.get("concepts", {}).items()):
        patterns = entry.get("patterns")
        weight = entry.get("weight")
        if (
            not isinstance(patterns, list)
            or not patterns
            or not all(isinstance(p, str) and p.strip() for p in patterns)
        ):
            raise ConfigError(
                f"{where}: concept '{name}' needs patterns = [\"phrase\", ...]",
                hint="list at least one phrase",
            )
        if not isinstance(weight, int | float) or isinstance(weight, bool):
            raise ConfigError(f"{where}: concept '{name}' needs a numeric weight")
        concepts.append(
            Concept(
                name=name,
                label=str(entry.get("label", name)),
                weight=float(weight),
                patterns=tuple(patterns),
                trend=bool(entry.get("trend", True)),
                regex=compile_patterns(patterns),
            )
        )
    if not concepts:
        raise ConfigError(f"{where}: no [concepts.NAME] tables", hint="see concepts.toml")
    return concepts


def concept_counts(concepts: Sequence[Concept], texts: Iterable[str]) -> np.ndarray:
    """Matches of every concept in every text: an array of texts × concepts."""
    texts = list(texts)
    counts = np.zeros((len(texts), len(concepts)), dtype=np.int32)
    # most sentences mention no concept: one search for any of them rules those out
    mentions_any = _any_of(tuple(c.regex.pattern for c in concepts)).search
    for row, text in enumerate(texts):
        lower = (text or "").lower()
        if mentions_any(lower):
            counts[row] = [len(c.regex.findall(lower)) for c in concepts]
    return counts


class ConceptMatcher:
    """concept_counts for batches of sentence texts, in forked workers when there are any
    (they inherit the compiled lexicon); `submit` returns a function giving the counts."""

    def __init__(self, concepts, workers: int):
        self.concepts = concepts
        self._pool = forked_pool(workers, "concepts", concepts) if workers > 1 else None

    def submit(self, texts: pd.Series):
        values = texts.tolist()
        if self._pool is None:
            return lambda: concept_counts(self.concepts, values)
        return self._pool.apply_async(_concept_counts_forked, (values,)).get

    def __enter__(self) -> "ConceptMatcher":
        return self

    def __exit__(self, *exc) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()


def _concept_counts_forked(texts: list[str]) -> np.ndarray:
    return concept_counts(inherited("concepts"), texts)


@lru_cache(maxsize=8)
def _any_of(patterns: tuple[str, ...]) -> re.Pattern:
    """A regex that matches where any of the patterns does."""
    return re.compile("|".join(f"(?:{pattern})" for pattern in patterns))


class LexiconScorer:
    """Scores sentences by the concepts they mention; neighbours add `context_weight` of theirs."""

    def __init__(self, concepts: list[Concept], context_weight: float = 0.25):
        self.concepts = concepts
        self.context_weight = context_weight
        self.weights = np.array([c.weight for c in concepts], dtype=float)

    def matches(self, text: str) -> list[str]:
        """Names of the concepts a text mentions, in lexicon order."""
        lower = text.lower()
        return [c.name for c in self.concepts if c.regex.search(lower)]

    def own_scores(self, texts: Iterable[str], counts: np.ndarray | None = None) -> np.ndarray:
        """Sum of the weights of the concepts each text mentions (each concept once)."""
        counts = concept_counts(self.concepts, texts) if counts is None else counts
        return np.round((counts > 0).astype(float) @ self.weights, 6)

    def score(
        self, texts: Sequence[str], before: Sequence[str], after: Sequence[str]
    ) -> np.ndarray:
        """Scores for sentences given their context sentences (strings, "" when none)."""
        own = self.own_scores(texts)
        if self.context_weight == 0:
            return own
        context = np.clip(self.own_scores(before), 0, None) + np.clip(
            self.own_scores(after), 0, None
        )
        return np.round(own + self.context_weight * context, 6)

    def score_sentences(
        self, sentences: pd.DataFrame, counts: np.ndarray | None = None
    ) -> np.ndarray:
        """Scores for a sentence table, reusing each sentence's own score for its neighbours.

        `counts` (sentences × concepts, from concept_counts) saves matching the texts again.
        """
        own = self.own_scores(sentences["text"], counts)
        if self.context_weight == 0 or len(own) == 0:
            return own
        documents = sentences["document_id"].to_numpy()
        positive = np.clip(own, 0, None)
        before = np.zeros_like(own)
        after = np.zeros_like(own)
        same_before = documents[1:] == documents[:-1]
        before[1:] = np.where(same_before, positive[:-1], 0)
        after[:-1] = np.where(same_before, positive[1:], 0)
        return np.round(own + self.context_weight * (before + after), 6)


def precision_recall_f1(predicted: Sequence[bool], actual: Sequence[bool]) -> dict[str, float]:
    """Precision, recall and F1 of the positive class, with the counts behind them."""
    predicted = np.asarray(predicted, dtype=bool)
    actual = np.asarray(actual, dtype=bool)
    tp = int((predicted & actual).sum())
    fp = int((predicted & ~actual).sum())
    fn = int((~predicted & actual).sum())
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "tp": tp, "fp": fp, "fn": fn}


RELEVANCE_SHARES = ResultTable(
    name="relevance_shares",
    columns=(
        ("period", "TEXT"),
        ("actor_type", "TEXT"),
        ("metric", "TEXT"),
        ("estimate", "REAL"),
        ("ci_low", "REAL"),
        ("ci_high", "REAL"),
        ("documents", "INTEGER"),
        ("units", "INTEGER"),
    ),
    key=("period", "actor_type", "metric"),
    description=(
        "How much of what each actor said in each period is about the target. One row per "
        "period × actor_type × metric: metric 'relevant_sentences' is the share of sentences "
        "marked relevant, 'relevant_words' the share of words in relevant sentences; estimate "
        "with a 95% document-bootstrap interval (ci_low, ci_high); documents and units "
        "(sentences) behind it. Periods follow [analysis] period; undated documents are left out."
    ),
)
RELEVANCE_CONCEPTS = ResultTable(
    name="relevance_concepts",
    columns=(
        ("concept", "TEXT"),
        ("label", "TEXT"),
        ("weight", "REAL"),
        ("sentences", "INTEGER"),
        ("relevant_sentences", "INTEGER"),
        ("documents", "INTEGER"),
    ),
    key=("concept",),
    description=(
        "Which lexicon concepts fire: one row per concept of the relevance lexicon with its "
        "label and weight, the number of sentences mentioning it, how many of those are marked "
        "relevant, and the number of documents with at least one mention."
    ),
)


class RelevanceStage:
    """Reports what the relevance filter kept: shares per period × actor, concept counts."""

    name = "relevance"

    def __init__(self, scorer: LexiconScorer, counts: Callable[[], np.ndarray]):
        self.scorer = scorer
        self.counts = counts  # sentences × concepts, aligned with the sentence table

    def run(self, data: AnalysisInput) -> StageOutput:
        sentences = data.sentences
        relevant = sentences["relevant"].astype(bool).to_numpy()
        words = sentences["words"].to_numpy(dtype=float)
        # the bootstrap resamples documents: sum each document's sentences and words first
        # (same estimates, a row per document rather than per sentence)
        documents = (
            sentences[["period", "actor_type", "document_id"]]
            .assign(
                sentences=1.0,
                relevant=relevant.astype(float),
                words=words,
                relevant_word_count=np.where(relevant, words, 0.0),
            )
            .dropna(subset=["period"])
            .groupby(["period", "actor_type", "document_id"], sort=True)
            .sum()
            .reset_index()
        )
        documents["relevant_sentences"] = documents["relevant"] / documents["sentences"]
        documents["relevant_words"] = documents["relevant_word_count"] / documents["words"].clip(
            lower=1
        )
        by_sentence = grouped_ratios(
            documents,
            values=["relevant_sentences"],
            weight="sentences",
            seed=data.seed,
            replicates=data.replicates,
        )
        by_word = grouped_ratios(
            documents,
            values=["relevant_words"],
            weight="words",
            seed=data.seed,
            replicates=data.replicates,
        )
        shares = pd.concat([by_sentence, by_word], ignore_index=True)
        # `units` are sentences, as the table says, not the documents summed above
        sentence_counts = documents.groupby(["period", "actor_type"])["sentences"].sum()
        shares["units"] = [
            int(sentence_counts[(p, a)])
            for p, a in zip(shares["period"], shares["actor_type"], strict=True)
        ]
        counts = self.counts()
        documents = sentences["document_id"].to_numpy()
        concepts = []
        for j, concept in enumerate(self.scorer.concepts):
            hits = counts[:, j] > 0
            concepts.append(
                {
                    "concept": concept.name,
                    "label": concept.label,
                    "weight": concept.weight,
                    "sentences": int(hits.sum()),
                    "relevant_sentences": int((hits & relevant).sum()),
                    "documents": len(np.unique(documents[hits])),
                }
            )
        return [
            (RELEVANCE_SHARES, shares),
            (RELEVANCE_CONCEPTS, pd.DataFrame(concepts)),
        ]


class LearnedScorer:
    """Optional learned relevance: logistic regression on words and lexicon concepts.

    Features are TF-IDF word uni- and bigrams of the sentence, the same of its context
    (before + after, down-weighted), and which lexicon concepts the sentence and its context
    mention; the score is P(relevant). Train it on labelled sentences of your own corpus with
    `discourse relevance train`; report its quality by cross-validation only.
    """

    context_share = 0.5  # weight of the context's features against the sentence's

    def __init__(self, concepts: list[Concept], *, c: float = 4.0, seed: int = 0):
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        self.concepts = concepts
        self.words = TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True)
        self.model = LogisticRegression(
            C=c, class_weight="balanced", max_iter=2000, random_state=seed
        )

    def _features(self, texts, before, after, fit: bool = False):
        from scipy.sparse import csr_matrix, hstack

        context = [f"{b} {a}" for b, a in zip(before, after, strict=True)]
        if fit:
            self.words.fit([*texts, *context])
        own = concept_counts(self.concepts, texts) > 0
        around = (concept_counts(self.concepts, before) > 0) | (
            concept_counts(self.concepts, after) > 0
        )
        return hstack(
            [
                self.words.transform(texts),
                self.words.transform(context) * self.context_share,
                csr_matrix(own.astype(float)),
                csr_matrix(around.astype(float) * self.context_share),
            ]
        ).tocsr()

    def fit(self, texts, before, after, relevant) -> "LearnedScorer":
        self.model.fit(self._features(texts, before, after, fit=True), np.asarray(relevant, bool))
        return self

    def score(self, texts, before, after) -> np.ndarray:
        """P(relevant) for sentences given their context sentences."""
        if len(texts) == 0:
            return np.zeros(0)
        features = self._features(list(texts), list(before), list(after))
        return np.round(self.model.predict_proba(features)[:, 1], 6)

    def score_sentences(self, sentences: pd.DataFrame, counts: np.ndarray | None = None):
        texts = sentences["text"].tolist()
        return self.score(
            texts, sentences["context_before"].tolist(), sentences["context_after"].tolist()
        )

    def save(self, path: str | Path) -> None:
        import joblib

        Path(path).parent.mkdir(parents=True, exist_ok=True)
        joblib.dump({"words": self.words, "model": self.model}, path)

    @classmethod
    def load(cls, path: str | Path, concepts: list[Concept]) -> "LearnedScorer":
        import joblib

        try:
            parts = joblib.load(path)
        except (OSError, EOFError, KeyError, ValueError) as exc:
            raise ConfigError(
                f"{path}: cannot load the relevance model ({exc})",
                hint="train one with `discourse relevance train` or remove [relevance] model",
            ) from None
        scorer = cls(concepts)
        scorer.words = parts["words"]
        scorer.model = parts["model"]
        return scorer


def cross_validated(
    concepts: list[Concept],
    texts,
    before,
    after,
    relevant,
    *,
    folds: int = 5,
    seed: int = 0,
    threshold: float = 0.5,
) -> dict[str, float]:
    """Precision/recall/F1 of the learned scorer by stratified k-fold cross-validation."""
    from sklearn.model_selection import StratifiedKFold

    texts, before, after = list(texts), list(before), list(after)
    relevant = np.asarray(relevant, dtype=bool)
    predicted = np.zeros(len(texts), dtype=bool)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for train, test in splitter.split(texts, relevant):
        scorer = LearnedScorer(concepts, seed=seed).fit(
            [texts[i] for i in train],
            [before[i] for i in train],
            [after[i] for i in train],
            relevant[train],
        )
        scores = scorer.score(
            [texts[i] for i in test], [before[i] for i in test], [after[i] for i in test]
        )
        predicted[test] = scores >= threshold
    return precision_recall_f1(predicted, relevant)


def read_labelled(path: Path) -> tuple[list[str], list[str], list[str], list[bool]]:
    """Labelled sentences from JSONL: `text`, optional `context_before`/`context_after`, and
    `relevant` (true/false) or a codebook `label` (irrelevant = not relevant)."""
    texts, before, after, relevant = [], [], [], []
    try:
        lines = Path(path).read_bytes().splitlines()
    except OSError as exc:
        raise UsageError(f"{path}: cannot read ({exc.strerror})", hint="check the path") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line.decode("utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise UsageError(f"{path}:{number}: not a JSON object ({exc})") from None
        if not isinstance(row, dict) or not isinstance(row.get("text"), str):
            raise UsageError(f"{path}:{number}: needs a 'text' string")
        if isinstance(row.get("relevant"), bool):
            label = row["relevant"]
        elif row.get("label") in STANCES:
            label = row["label"] != "irrelevant"
        else:
            raise UsageError(
                f"{path}:{number}: needs 'relevant' (true/false) or 'label' ({', '.join(STANCES)})"
            )
        texts.append(row["text"])
        before.append(row.get("context_before") or "")
        after.append(row.get("context_after") or "")
        relevant.append(label)
    return texts, before, after, relevant

"""The sentiment stage: score every sentence, then aggregate per period × actor_type.

Aggregates come twice: over all sentences, and over target sentences only (those the
relevance filter marks as about state–civil-society blurring), because the tone of a speech
overall is not its tone about the Big Society. Intervals resample whole documents
(aggregate.grouped_ratios), and each row says how many documents and sentences it rests on.
"""

import importlib.metadata

import numpy as np
import pandas as pd

from discourse.analyse.aggregate import grouped_ratios
from discourse.analyse.sentiment.scorer import SentimentScorer
from discourse.analyse.stage import AnalysisInput, StageOutput, forked_pool, inherited
from discourse.config import SentimentConfig
from discourse.progress import SILENT, Progress
from discourse.store import ResultTable

_CHUNK = 2000  # sentences scored between progress updates (one task of a worker process)
LABELS = ("negative", "neutral", "positive")

SENTENCES = ResultTable(
    name="sentiment_sentences",
    columns=(
        ("document_id", "INTEGER"),
        ("seq", "INTEGER"),
        ("passage_id", "INTEGER"),
        ("relevant", "INTEGER"),
        ("vader", "REAL"),
        ("dictionary", "REAL"),
        ("sentiment", "REAL"),
        ("sentiment_label", "TEXT"),
    ),
    key=("document_id", "seq"),
    description=(
        "Sentiment of every sentence: `vader` is VADER's compound score (political "
        "adaptation per config; NULL if unused), `dictionary` the dictionary tone "
        "(pos - neg) / (pos + neg + 1) (NULL if unused), `sentiment` the configured score in "
        "[-1, 1] and `sentiment_label` negative|neutral|positive; `relevant` is 1 for "
        "sentences about the target."
    ),
)

BY_GROUP = ResultTable(
    name="sentiment_by_group",
    columns=(
        ("scope", "TEXT"),
        ("period", "TEXT"),
        ("actor_type", "TEXT"),
        ("metric", "TEXT"),
        ("estimate", "REAL"),
        ("ci_low", "REAL"),
        ("ci_high", "REAL"),
        ("documents", "INTEGER"),
        ("sentences", "INTEGER"),
    ),
    key=("scope", "period", "actor_type", "metric"),
    description=(
        "Sentiment per period × actor_type: metric mean_sentiment (mean sentence score in "
        "[-1, 1]), share_positive, share_negative (shares of sentences); scope 'all' counts "
        "every sentence, 'target' only sentences about the target. ci_low/ci_high: 95% "
        "bootstrap interval resampling documents; documents and sentences: what the row "
        "rests on. Sentences whose document date is too imprecise for the period are left out."
    ),
)

SETTINGS = ResultTable(
    name="sentiment_settings",
    columns=(("name", "TEXT"), ("value", "TEXT")),
    key=("name",),
    description=(
        "How this run scored sentiment: method, dictionary file and its SHA-256, weights, "
        "thresholds and the vaderSentiment version, so a result can be traced to its lexicons."
    ),
)

METRICS = ("mean_sentiment", "share_positive", "share_negative")


class SentenceScores:
    """VADER, dictionary and combined scores (NaN: the method does not use that scorer) and
    label codes (into LABELS) of every text, in order.

    Scores go straight into arrays, not a score object per sentence (~300 bytes each over a
    corpus). Scoring is pure Python and sentences are independent, so with `workers` ≥ 1
    slices are scored in forked processes that inherit the scorer and the texts, and they
    start at once: the pipeline makes this before the stages ahead of sentiment run (see
    stage.StartsEarly), so scoring shares the machine with the topic model instead of
    waiting for it. With 0 workers (or no fork, as on Windows) the texts are scored here
    when collected. Every sentence gets the same score either way.
    """

    def __init__(self, scorer: SentimentScorer, texts: np.ndarray, *, workers: int = 1):
        self.work = (scorer, texts)
        self.slices = [(a, min(a + _CHUNK, len(texts))) for a in range(0, len(texts), _CHUNK)]
        self._pool = None
        if workers >= 1 and len(self.slices) > 1:
            self._pool = forked_pool(min(workers, len(self.slices)), "sentiment", self.work)
        if self._pool is not None:
            self._results = self._pool.imap(_score_forked, self.slices)

    def collect(self, progress: Progress = SILENT) -> tuple[np.ndarray, ...]:
        """The four arrays, waiting for the workers (or scoring here with none)."""
        n = len(self.work[1])
        columns = (np.full(n, np.nan), np.full(n, np.nan), np.empty(n), np.empty(n, dtype=np.int8))
        try:
            with progress.task("sentiment", total=n) as task:
                if self._pool is not None:
                    results = self._results
                else:
                    results = (_score_slice(*self.work, bounds) for bounds in self.slices)
                for (start, end), scored in zip(self.slices, results, strict=True):
                    for column, values in zip(columns, scored, strict=True):
                        column[start:end] = values
                    task.advance(end - start)
        finally:
            self.close()
        return columns

    def close(self) -> None:
        """Stop the workers (done, or no longer wanted)."""
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None


def _score_forked(bounds: tuple[int, int]) -> tuple[np.ndarray, ...]:
    return _score_slice(*inherited("sentiment"), bounds)


def _score_slice(
    scorer: SentimentScorer, texts: np.ndarray, bounds: tuple[int, int]
) -> tuple[np.ndarray, ...]:
    start, end = bounds
    vader, dictionary = np.full(end - start, np.nan), np.full(end - start, np.nan)
    sentiment, labels = np.empty(end - start), np.empty(end - start, dtype=np.int8)
    for i in range(end - start):
        score = scorer.score_sentence(texts[start + i])
        if score.vader is not None:
            vader[i] = score.vader
        if score.dictionary is not None:
            dictionary[i] = score.dictionary
        sentiment[i] = score.sentiment
        labels[i] = LABELS.index(score.label)
    return vader, dictionary, sentiment, labels


class SentimentStage:
    """Pipeline stage "sentiment": sentence scores and their grouped aggregates."""

    name = "sentiment"

    def __init__(self, config: SentimentConfig | None = None):
        self.config = config or SentimentConfig()
        self.scorer = SentimentScorer.from_config(self.config)
        self._started: tuple[pd.DataFrame, SentenceScores] | None = None

    def start(self, data: AnalysisInput) -> None:
        """Start scoring in worker processes while the stages ahead run (stage.StartsEarly)."""
        self.cancel()
        self._started = (data.sentences, self._scores(data))

    def cancel(self) -> None:
        if self._started is not None:
            self._started[1].close()
            self._started = None

    def _scores(self, data: AnalysisInput) -> SentenceScores:
        texts = data.sentences["text"].to_numpy(dtype=object)
        return SentenceScores(self.scorer, texts, workers=self.config.workers)

    def run(self, data: AnalysisInput) -> StageOutput:
        sentences = data.sentences
        started, self._started = self._started, None
        if started is not None and started[0] is sentences:
            scores = started[1]
        else:
            if started is not None:
                started[1].close()
            scores = self._scores(data)
        vader, dictionary, sentiment, labels = scores.collect(data.progress)
        scored = pd.DataFrame(
            {
                "document_id": sentences["document_id"].to_numpy(),
                "seq": sentences["seq"].to_numpy(),
                "passage_id": sentences["passage_id"].to_numpy(),
                "relevant": sentences["relevant"].astype(bool).astype(int).to_numpy(),
                "vader": vader,
                "dictionary": dictionary,
                "sentiment": sentiment,
                "sentiment_label": np.asarray(LABELS, dtype=object)[labels],
            }
        )
        return [
            (SENTENCES, scored),
            (BY_GROUP, self.aggregate(scored, sentences, data)),
            (SETTINGS, self.settings()),
        ]

    def aggregate(
        self, scored: pd.DataFrame, sentences: pd.DataFrame, data: AnalysisInput
    ) -> pd.DataFrame:
        units = pd.DataFrame(
            {
                "document_id": scored["document_id"],
                "period": sentences["period"].to_numpy(),
                "actor_type": sentences["actor_type"].to_numpy(),
                "relevant": scored["relevant"].astype(bool),
                "mean_sentiment": scored["sentiment"].astype(float),
                "share_positive": (scored["sentiment_label"] == "positive").astype(float),
                "share_negative": (scored["sentiment_label"] == "negative").astype(float),
            }
        )
        frames = []
        for scope, subset in (("all", units), ("target", units[units["relevant"]])):
            result = grouped_ratios(
                subset, values=METRICS, seed=data.seed, replicates=data.replicates
            )
            if not result.empty:
                result.insert(0, "scope", scope)
                frames.append(result.rename(columns={"units": "sentences"}))
        columns = [c for c, _ in BY_GROUP.columns]
        if not frames:
            return pd.DataFrame(columns=columns)
        return pd.concat(frames, ignore_index=True)[columns]

    def settings(self) -> pd.DataFrame:
        config = self.config
        dictionary = self.scorer.dictionary
        uses_dictionary = config.method != "vader"
        rows = {
            "method": config.method,
            "dictionary": dictionary.name if uses_dictionary else "",
            "dictionary_sha256": dictionary.sha256 if uses_dictionary else "",
            "dictionary_entries": str(len(dictionary)) if uses_dictionary else "",
            "political_vader": str(config.political_vader).lower(),
            "vader_weight": repr(config.vader_weight),
            "negation_window": str(config.negation_window),
            "neutral_band": repr(config.neutral_band),
            "vadersentiment_version": importlib.metadata.version("vaderSentiment"),
        }
        return pd.DataFrame({"name": list(rows), "value": list(rows.values())})

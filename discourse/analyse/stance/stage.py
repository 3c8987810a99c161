"""The stance stage of an analysis run: classify sentences, aggregate by period × actor.

Sentences the relevance filter marks as not relevant are labelled `irrelevant` without
running the model (the codebook measures stance only where the target is discussed; with
`only_relevant = false` every sentence is classified). Shares are of *relevant* sentences
(those labelled support, sceptical or neutral), as the codebook's aggregation section says;
net stance is (support − sceptical) / relevant. Each estimate has a bootstrap interval over
documents, and beside the raw ("classify and count") shares the stage reports shares
corrected for classifier error with the trained model's misclassification matrix
(correction.py). Rows with actor_type "all" pool every actor of a period.
"""

from pathlib import Path

import numpy as np
import pandas as pd

from discourse.analyse.aggregate import group_seed, grouped_ratios
from discourse.analyse.stage import AnalysisInput, StageOutput, forked_pool, inherited
from discourse.analyse.stance.correction import unit_contributions
from discourse.analyse.stance.encoders import MiniLMEncoder
from discourse.analyse.stance.examples import DEFAULT_MODEL_DIR
from discourse.analyse.stance.models import load_model
from discourse.analyse.stance.training import card_json
from discourse.config import StanceConfig
from discourse.progress import SILENT, Progress
from discourse.store import ResultTable
from discourse.vocabulary import STANCES

ALL_ACTORS = "all"
METRICS = ("support", "sceptical", "neutral", "net_stance")
_BATCH = 2_000

SENTENCES = ResultTable(
    name="stance_sentences",
    columns=(
        ("passage_id", "INTEGER"),
        ("document_id", "INTEGER"),
        ("stance", "TEXT"),
        ("p_support", "REAL"),
        ("p_sceptical", "REAL"),
        ("p_neutral", "REAL"),
        ("p_irrelevant", "REAL"),
        ("classified", "INTEGER"),
    ),
    key=("passage_id",),
    description=(
        "Stance of every sentence (codebook labels) with the model's probability per label; "
        "classified = 0 when the relevance filter ruled the sentence out and the model was "
        "not run (stance irrelevant, p_irrelevant 1)."
    ),
)

SHARES = ResultTable(
    name="stance_shares",
    columns=(
        ("period", "TEXT"),
        ("actor_type", "TEXT"),
        ("method", "TEXT"),
        ("metric", "TEXT"),
        ("estimate", "REAL"),
        ("ci_low", "REAL"),
        ("ci_high", "REAL"),
        ("documents", "INTEGER"),
        ("units", "INTEGER"),
    ),
    key=("period", "actor_type", "method", "metric"),
    description=(
        "Stance per period × actor_type (actor_type 'all' pools actors): metric support, "
        "sceptical or neutral is that label's share of relevant sentences; net_stance is "
        "(support − sceptical) / relevant, from −1 to 1. method 'raw' counts the classifier's "
        "labels; 'corrected' adjusts the counts by the inverse of the model's cross-validated "
        "misclassification matrix (negative corrected counts set to 0). ci_low/ci_high: 95% "
        "bootstrap interval over documents; documents and units: documents and relevant "
        "sentences (raw) or sentences the model labelled (corrected) in the group."
    ),
)

CORRECTION = ResultTable(
    name="stance_correction",
    columns=(
        ("true_label", "TEXT"),
        ("predicted_label", "TEXT"),
        ("probability", "REAL"),
        ("count", "INTEGER"),
    ),
    key=("true_label", "predicted_label"),
    description=(
        "The misclassification matrix P(predicted | true) used for the corrected stance "
        "shares, with the held-out labelled counts it was estimated from (see the model card)."
    ),
)

MODEL = ResultTable(
    name="stance_model",
    columns=(("key", "TEXT"), ("value", "TEXT")),
    key=("key",),
    description="Which stance model the run used: path, selected configuration, training date, "
    "cross-validated macro-F1 and the dev set's SHA-256.",
)


class StanceStage:
    """A pipeline stage (discourse.analyse.stage.Stage) measuring stance.

    Classifying is the stage's slow part (the default model embeds each relevant sentence
    with MiniLM), and it needs only the sentence table, so with `workers` ≥ 1 it starts in
    forked processes before the stages ahead run (stage.StartsEarly) and shares the machine
    with the topic model instead of waiting for it. Every sentence gets the same
    probabilities either way.
    """

    name = "stance"

    def __init__(
        self,
        model_dir: Path = DEFAULT_MODEL_DIR,
        *,
        correction: bool = True,
        only_relevant: bool = True,
        workers: int = 1,
    ):
        self.model_dir = Path(model_dir)
        self.correction = correction
        self.only_relevant = only_relevant
        self.workers = workers
        self._started: tuple[pd.DataFrame, Classification] | None = None

    @classmethod
    def from_config(cls, config: StanceConfig) -> "StanceStage":
        return cls(
            Path(config.model) if config.model else DEFAULT_MODEL_DIR,
            correction=config.correction,
            only_relevant=config.only_relevant,
            workers=config.workers,
        )

    def start(self, data: AnalysisInput) -> None:
        """Start classifying in worker processes while the stages ahead run."""
        self.cancel()
        self._started = (data.sentences, self._classification(data, self.workers))

    def cancel(self) -> None:
        if self._started is not None:
            self._started[1].close()
            self._started = None

    def _classification(self, data: AnalysisInput, workers: int) -> "Classification":
        if workers >= 1:  # the workers load the model; this process never needs it
            return Classification(self.model_dir, data.sentences, self.only_relevant, workers)
        model = load_model(self.model_dir)
        return Classification(model, data.sentences, self.only_relevant, workers=0)

    def run(self, data: AnalysisInput) -> StageOutput:
        started, self._started = self._started, None
        if started is not None and started[0] is data.sentences:
            classification = started[1]
        else:
            if started is not None:
                started[1].close()
            classification = self._classification(data, workers=0)
        sentences = classification.collect(data.progress)
        card = card_json(self.model_dir)
        outputs: StageOutput = [(SENTENCES, sentences)]
        shares = [raw_shares(sentences, data)]
        matrix = (card.get("misclassification") or {}).get("matrix")
        if self.correction and matrix is not None:
            shares.append(corrected_shares(sentences, data, np.asarray(matrix)))
            counts = card["misclassification"]["counts"]
            outputs.append(
                (
                    CORRECTION,
                    pd.DataFrame(
                        [
                            (t, p, float(matrix[i][j]), int(counts[i][j]))
                            for i, t in enumerate(STANCES)
                            for j, p in enumerate(STANCES)
                        ],
                        columns=[c for c, _ in CORRECTION.columns],
                    ),
                )
            )
        outputs.insert(1, (SHARES, pd.concat(shares, ignore_index=True)))
        outputs.append((MODEL, model_summary(self.model_dir, card)))
        return outputs


def classify(
    model, sentences: pd.DataFrame, *, only_relevant: bool = True, progress: Progress = SILENT
) -> pd.DataFrame:
    """One row per sentence: stance, probabilities, and whether the model ran on it."""
    return Classification(model, sentences, only_relevant, workers=0).collect(progress)


class Classification:
    """The model's probabilities for the sentences it runs on, batch by batch.

    `model` is a loaded model, or with `workers` ≥ 1 the directory of one: the batches are
    then classified at once in that many forked worker processes, which inherit the model
    and encode with one thread (the stages ahead use the other core). Loading reads the
    weights but starts no ONNX Runtime session: a fork of a process whose session has run
    can hang (its thread pool does not carry over), so when this process already runs one,
    and where there is no fork (Windows, macOS), the batches are classified here when
    collected, as they are without workers. The batches are the same either way, so are the
    probabilities.
    """

    def __init__(self, model, sentences: pd.DataFrame, only_relevant: bool, workers: int):
        frame = sentences.reset_index(drop=True)
        self.frame = frame
        # the table's own string objects, read a batch at a time: converting whole text
        # columns (astype(str)) would copy every sentence's text, three times over
        texts, before, after = (
            frame[c].to_numpy(dtype=object) for c in ("text", "context_before", "context_after")
        )
        run = (
            frame["relevant"].astype(bool).to_numpy()
            if only_relevant
            else np.ones(len(frame), bool)
        )
        self.run = run & np.fromiter((_has_text(t) for t in texts), dtype=bool, count=len(texts))
        rows = np.flatnonzero(self.run)
        self.batches = [
            (
                rows[a : a + _BATCH],
                [texts[i] for i in rows[a : a + _BATCH]],
                [_text(before[i]) for i in rows[a : a + _BATCH]],
                [_text(after[i]) for i in rows[a : a + _BATCH]],
            )
            for a in range(0, len(rows), _BATCH)
        ]
        self.model = model if workers < 1 else load_model(model)  # errors surface here
        self._pool = None
        if workers >= 1 and self.batches and not MiniLMEncoder.running():
            self._pool = forked_pool(min(workers, len(self.batches)), "stance", self.model)
        if self._pool is not None:
            self._results = self._pool.imap(_classify_in_worker, [b[1:] for b in self.batches])

    def collect(self, progress: Progress = SILENT) -> pd.DataFrame:
        """One row per sentence (waiting for the workers, or classifying here with none)."""
        frame = self.frame
        probabilities = np.zeros((len(frame), len(STANCES)))
        probabilities[:, STANCES.index("irrelevant")] = 1.0
        try:
            with progress.task("stance: classifying sentences", total=int(self.run.sum())) as task:
                if self._pool is not None:
                    results = self._results
                else:
                    results = (self.model.predict_proba(*b[1:]) for b in self.batches)
                for (rows, *_), batch in zip(self.batches, results, strict=True):
                    probabilities[rows] = batch
                    task.advance(len(rows))
        finally:
            self.close()
        return pd.DataFrame(
            {
                "passage_id": frame["passage_id"].astype(int),
                "document_id": frame["document_id"].astype(int),
                "stance": [STANCES[i] for i in probabilities.argmax(axis=1)],
                "p_support": probabilities[:, 0],
                "p_sceptical": probabilities[:, 1],
                "p_neutral": probabilities[:, 2],
                "p_irrelevant": probabilities[:, 3],
                "classified": self.run.astype(int),
            }
        )

    def close(self) -> None:
        """Stop the workers (done, or no longer wanted)."""
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None


_ONE_THREAD = False  # whether this worker has set its model to encode with one thread


def _classify_in_worker(batch: tuple[list[str], list[str], list[str]]) -> np.ndarray:
    """Classify a batch in a worker, encoding with one thread (the stages ahead use the
    other core). Done here, not in a pool initializer, so that an error (say, MiniLM
    weights that cannot be read) reaches the run instead of respawning workers forever."""
    global _ONE_THREAD
    model = inherited("stance")
    if not _ONE_THREAD:
        use_threads = getattr(model, "use_threads", None)  # baselines have no encoder
        if use_threads is not None:
            use_threads(1)
        _ONE_THREAD = True
    return model.predict_proba(*batch)


def _has_text(value) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _text(value) -> str:
    return value if isinstance(value, str) else ""


def _with_groups(classified: pd.DataFrame, data: AnalysisInput) -> pd.DataFrame:
    """Classified sentences with period and actor_type, plus a copy under actor 'all'."""
    groups = data.sentences[["passage_id", "period", "actor_type"]]
    frame = classified.merge(groups, on="passage_id", how="left")
    return pd.concat([frame, frame.assign(actor_type=ALL_ACTORS)], ignore_index=True)


def raw_shares(classified: pd.DataFrame, data: AnalysisInput) -> pd.DataFrame:
    """Label shares of relevant sentences and net stance, with document-bootstrap CIs."""
    frame = _with_groups(classified, data)
    relevant = frame[frame["stance"] != "irrelevant"].copy()
    for label in STANCES[:3]:
        relevant[label] = (relevant["stance"] == label).astype(float)
    relevant["net_stance"] = relevant["support"] - relevant["sceptical"]
    result = grouped_ratios(
        relevant, values=list(METRICS), seed=data.seed, replicates=data.replicates
    )
    result.insert(2, "method", "raw")
    return result


def corrected_shares(
    classified: pd.DataFrame, data: AnalysisInput, matrix: np.ndarray
) -> pd.DataFrame:
    """Shares after misclassification correction, with document-bootstrap CIs.

    Only sentences the model labelled count (the matrix describes the model's errors, not
    the relevance filter's). Each contributes the column of (Mᵀ)⁻¹ for its predicted label,
    so a group's sums are its corrected label counts. Negative corrected counts (possible in
    small groups) are set to 0 before shares are formed, in the estimate and in every
    bootstrap replicate alike, so the three shares of a group always sum to 1.
    """
    contributions = unit_contributions(matrix)  # true label × predicted label
    frame = _with_groups(classified[classified["classified"] == 1], data)
    frame = frame.dropna(subset=["period", "actor_type"])
    columns = list(STANCES)
    units = pd.DataFrame(
        contributions[:, frame["stance"].map(STANCES.index).to_numpy()].T, columns=columns
    )
    units["document_id"] = frame["document_id"].to_numpy()
    units["period"] = frame["period"].to_numpy()
    units["actor_type"] = frame["actor_type"].to_numpy()
    units["_units"] = 1
    per_document = units.groupby(["period", "actor_type", "document_id"], sort=True).sum()
    rows = []
    for (period, actor), block in per_document.groupby(level=[0, 1], sort=True):
        counts = block[columns].to_numpy()  # documents × true label
        estimate = _clipped_metrics(counts.sum(axis=0, keepdims=True))[0]
        low = high = np.full(len(METRICS), np.nan)
        if len(block) > 1 and data.replicates > 0:
            rng = group_seed(data.seed, (period, actor, "corrected"))
            draws = rng.multinomial(
                len(block), np.full(len(block), 1 / len(block)), size=data.replicates
            )
            replicated = _clipped_metrics(draws @ counts)
            low = np.nanquantile(replicated, 0.025, axis=0)
            high = np.nanquantile(replicated, 0.975, axis=0)
        for i, metric in enumerate(METRICS):
            rows.append(
                (
                    period,
                    actor,
                    "corrected",
                    metric,
                    float(estimate[i]),
                    float(low[i]),
                    float(high[i]),
                    len(block),
                    int(block["_units"].sum()),
                )
            )
    return pd.DataFrame(rows, columns=[c for c, _ in SHARES.columns])


def _clipped_metrics(counts: np.ndarray) -> np.ndarray:
    """Rows of corrected label counts → support, sceptical, neutral shares and net stance."""
    relevant = np.clip(counts[:, :3], 0.0, None)
    total = relevant.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = np.where(total > 0, relevant / total, np.nan)
    return np.column_stack([shares, shares[:, 0] - shares[:, 1]])


def model_summary(model_dir: Path, card: dict) -> pd.DataFrame:
    evaluation = card.get("evaluation", {})
    report = next(
        (
            evaluation[key]
            for key in ("dev_nested_cv", "dev_cv_selected_configuration", "annotations_cv")
            if key in evaluation
        ),
        {},
    )
    dev = (card.get("data") or {}).get("dev_set") or {}
    values = {
        "model_dir": str(model_dir),
        "selected": card.get("selected"),
        "trained_at": card.get("trained_at"),
        "cv_macro_f1": None if not report else f"{report['macro_f1']:.4f}",
        "dev_sha256": dev.get("sha256"),
    }
    return pd.DataFrame(
        [(k, v) for k, v in values.items() if v is not None], columns=["key", "value"]
    )

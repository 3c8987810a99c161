"""Stance classifiers behind one interface, and how a trained one is saved and loaded.

Every approach answers `predict_proba(texts, contexts_before, contexts_after)` with an
n × 4 array whose columns follow vocabulary.STANCES, so evaluation, the CLI and the analysis
stage never care which one they hold. The approaches, from simplest:

- `keyword`: a target keyword plus a fixed list of positive/negative words (a baseline).
- `vader`: the same keyword gate, stance from VADER's compound sentiment (a baseline: stance
  is not sentiment, and this shows by how much).
- `rules`: the codebook as phrase- and negation-aware rules (rules.py).
- `linear`: multinomial logistic regression over feature blocks: `words` (TF-IDF of word
  1–2-grams), `rules` (the codebook rule counts) and `minilm` (all-MiniLM-L6-v2 sentence
  embeddings, computed with ONNX Runtime from the weights in models/minilm; encoders.py).

A trained linear model is saved as plain JSON + NumPy arrays (no pickle): it loads in
milliseconds, cannot run code when loaded, and does not depend on the scikit-learn version
that trained it.
"""

import json
import os
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from discourse.analyse.stance import rules
from discourse.analyse.stance.examples import REPO_ROOT
from discourse.errors import UsageError
from discourse.vocabulary import STANCES

MODEL_FILE = "model.json"
DEFAULT_ENCODER = REPO_ROOT / "models" / "minilm"  # the MiniLM weights the `minilm` block uses
WEIGHTS_FILE = "weights.npz"
# Sentences longer than this are cut before featurising: a "sentence" of 100,000 characters
# is a segmentation failure, and its first 20,000 characters carry whatever stance it has.
MAX_CHARS = 20_000


def _clip(texts: Sequence[str]) -> list[str]:
    return [(t or "")[:MAX_CHARS] for t in texts]


def _one_hot(labels: list[str], confidence: float = 0.85) -> np.ndarray:
    """Hard decisions as probabilities (a rule has no calibrated confidence)."""
    rest = (1.0 - confidence) / (len(STANCES) - 1)
    out = np.full((len(labels), len(STANCES)), rest)
    for row, label in enumerate(labels):
        out[row, STANCES.index(label)] = confidence
    return out


# -- baselines ----------------------------------------------------------------------------

KEYWORDS = re.compile(
    r"\b(?:big society|voluntary|volunteer\w*|charit\w*|communit\w*|civil society|localism|"
    r"co-?production|social enterprise\w*|mutuals?|third sector)\b",
    re.IGNORECASE,
)
_POSITIVE = re.compile(
    r"\b(?:support|encourage|empower|strengthen|promote|welcome|vital|success\w*|partnership)\b",
    re.IGNORECASE,
)
_NEGATIVE = re.compile(
    r"\b(?:cuts?|fail\w*|excuse|cover|threat\w*|reject|oppose|damag\w*|undermin\w*)\b",
    re.IGNORECASE,
)


class KeywordModel:
    """Baseline: keyword present → stance from fixed positive/negative word lists."""

    name = "keyword"

    def fit(self, texts, contexts_before, contexts_after, labels) -> "KeywordModel":
        return self

    def predict_proba(self, texts, contexts_before, contexts_after) -> np.ndarray:
        labels = []
        for text in _clip(texts):
            if not KEYWORDS.search(text):
                labels.append("irrelevant")
            elif _NEGATIVE.search(text):
                labels.append("sceptical")
            elif _POSITIVE.search(text):
                labels.append("support")
            else:
                labels.append("neutral")
        return _one_hot(labels)


class VaderModel:
    """Baseline: keyword present → VADER compound ≥ 0.05 support, ≤ −0.05 sceptical."""

    name = "vader"

    def __init__(self):
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        self._analyser = SentimentIntensityAnalyzer()

    def fit(self, texts, contexts_before, contexts_after, labels) -> "VaderModel":
        return self

    def predict_proba(self, texts, contexts_before, contexts_after) -> np.ndarray:
        labels = []
        for text in _clip(texts):
            if not KEYWORDS.search(text):
                labels.append("irrelevant")
                continue
            compound = self._analyser.polarity_scores(text)["compound"]
            labels.append(
                "support" if compound >= 0.05 else "sceptical" if compound <= -0.05 else "neutral"
            )
        return _one_hot(labels)


# -- the learned model --------------------------------------------------------------------

FEATURE_BLOCKS = ("words", "rules", "minilm")
_TOKEN = re.compile(r"(?u)\b\w\w+\b")  # scikit-learn's default token pattern
_PREDICT_BATCH = 512


class WordFeatures:
    """TF-IDF of lower-cased word 1–2-grams (sublinear tf, L2-normalised rows).

    scikit-learn's TfidfVectorizer learns the vocabulary and IDF weights; the transform is
    done here with NumPy alone (same tokens, same formula), so a loaded model predicts
    without importing scikit-learn or SciPy and starts in well under a second.
    """

    def __init__(self, vocabulary: list[str], idf: np.ndarray):
        self.vocabulary = list(vocabulary)
        self.index = {term: i for i, term in enumerate(self.vocabulary)}
        self.idf = np.asarray(idf, dtype=float)

    @classmethod
    def fit(cls, texts: list[str]) -> "WordFeatures":
        from sklearn.feature_extraction.text import TfidfVectorizer

        # min_df=2: a word seen once says nothing general and slows fitting tenfold
        vectoriser = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2)
        vectoriser.fit(texts)
        vocabulary = sorted(vectoriser.vocabulary_, key=vectoriser.vocabulary_.get)
        return cls(vocabulary, vectoriser.idf_)

    def transform(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), len(self.vocabulary)))
        for row, text in enumerate(texts):
            tokens = _TOKEN.findall(text.lower())
            grams = tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)]
            counts: dict[int, int] = {}
            for gram in grams:
                column = self.index.get(gram)
                if column is not None:
                    counts[column] = counts.get(column, 0) + 1
            if not counts:
                continue
            columns = np.fromiter(counts, dtype=int, count=len(counts))
            values = (1.0 + np.log(np.fromiter(counts.values(), dtype=float))) * self.idf[columns]
            out[row, columns] = values / np.linalg.norm(values)
        return out


class LinearModel:
    """Logistic regression over TF-IDF words, codebook rule features and MiniLM embeddings.

    `rule_weight` scales the rule block: with one shared penalty C, a larger weight lets the
    few, meaningful rule features speak louder than thousands of sparse n-grams. Classes are
    weighted by inverse frequency so the scarce sceptical label is not drowned out.
    """

    name = "linear"

    def __init__(
        self,
        features: Sequence[str] = ("words", "rules"),
        *,
        C: float = 1.0,
        rule_weight: float = 1.0,
        seed: int = 0,
        encoder: Path | None = None,
    ):
        unknown = set(features) - set(FEATURE_BLOCKS)
        if unknown or not features:
            raise UsageError(
                f"unknown stance feature block(s) {sorted(unknown)}",
                hint=f"choose from {', '.join(FEATURE_BLOCKS)}",
            )
        self.features = tuple(features)
        self.C = float(C)
        self.rule_weight = float(rule_weight)
        self.seed = int(seed)
        self._words: WordFeatures | None = None
        self._coef: np.ndarray | None = None
        self._intercept: np.ndarray | None = None
        self.encoder_dir = Path(encoder) if encoder else DEFAULT_ENCODER
        self._encoder = None

    @property
    def params(self) -> dict:
        return {
            "features": list(self.features),
            "C": self.C,
            "rule_weight": self.rule_weight,
            "seed": self.seed,
        }

    def encoder(self):
        """The MiniLM encoder of the `minilm` block (loaded on first use, shared per process)."""
        if self._encoder is None:
            from discourse.analyse.stance.encoders import MiniLMEncoder

            self._encoder = MiniLMEncoder.load(self.encoder_dir)
        return self._encoder

    def use_threads(self, threads: int) -> None:
        """How many threads the MiniLM encoder may use (one in a worker beside other work)."""
        if "minilm" in self.features:
            self.encoder().threads = threads

    def _matrix(self, texts, contexts_before, contexts_after) -> np.ndarray:
        texts = _clip(texts)
        blocks = []
        if "words" in self.features:
            blocks.append(self._words.transform(texts))
        if "rules" in self.features:
            blocks.append(
                rules.rule_features(texts, _clip(contexts_before), _clip(contexts_after))
                * self.rule_weight
            )
        if "minilm" in self.features:
            blocks.append(self.encoder().encode(texts))
        return np.hstack(blocks)

    def fit(self, texts, contexts_before, contexts_after, labels) -> "LinearModel":
        from sklearn.linear_model import LogisticRegression

        missing = [label for label in STANCES if label not in set(labels)]
        if missing:
            raise UsageError(
                f"stance training data has no example labelled {', '.join(missing)}",
                hint="every label needs examples; add some to models/stance/annotations/",
            )
        if "words" in self.features:
            self._words = WordFeatures.fit(_clip(texts))
        from scipy.sparse import csr_matrix

        X = csr_matrix(self._matrix(texts, contexts_before, contexts_after))  # fits ~10× faster
        y = np.array([STANCES.index(label) for label in labels])
        classifier = LogisticRegression(
            C=self.C, class_weight="balanced", max_iter=5000, random_state=self.seed
        ).fit(X, y)
        self._coef, self._intercept = classifier.coef_, classifier.intercept_
        return self

    def predict_proba(self, texts, contexts_before, contexts_after) -> np.ndarray:
        if self._coef is None:
            raise UsageError("the stance model is not trained", hint="run `discourse stance train`")
        out = np.zeros((len(texts), len(STANCES)))
        for start in range(0, len(texts), _PREDICT_BATCH):
            stop = start + _PREDICT_BATCH
            X = self._matrix(
                texts[start:stop], contexts_before[start:stop], contexts_after[start:stop]
            )
            logits = X @ self._coef.T + self._intercept
            logits -= logits.max(axis=1, keepdims=True)
            probabilities = np.exp(logits)
            out[start:stop] = probabilities / probabilities.sum(axis=1, keepdims=True)
        return out

    # -- persistence ------------------------------------------------------------------------

    def save(self, directory: Path, metadata: dict | None = None) -> None:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        arrays = {"coef": self._coef, "intercept": self._intercept}
        description = {"approach": self.name, "labels": list(STANCES), **self.params}
        if "minilm" in self.features:
            # where the MiniLM weights are, relative to this model's folder, and which they were
            description["encoder"] = os.path.relpath(
                self.encoder_dir.resolve(), directory.resolve()
            )
            description["encoder_sha256"] = self.encoder().sha256
        if self._words is not None:
            description["vocabulary"] = self._words.vocabulary
            arrays["idf"] = self._words.idf
        if metadata:
            description["metadata"] = metadata
        (directory / MODEL_FILE).write_text(
            json.dumps(description, ensure_ascii=False, indent=0) + "\n", encoding="utf-8"
        )
        with (directory / WEIGHTS_FILE).open("wb") as handle:
            np.savez_compressed(handle, **arrays)

    @classmethod
    def load(cls, directory: Path) -> "LinearModel":
        directory = Path(directory)
        description = json.loads((directory / MODEL_FILE).read_text(encoding="utf-8"))
        if description.get("labels") != list(STANCES):
            raise UsageError(
                f"{directory / MODEL_FILE}: labels {description.get('labels')} do not match "
                f"this version's {list(STANCES)}",
                hint="retrain with `discourse stance train`",
            )
        model = cls(
            description["features"],
            C=description["C"],
            rule_weight=description["rule_weight"],
            seed=description["seed"],
            encoder=directory / description["encoder"] if "encoder" in description else None,
        )
        if "encoder" in description:
            found = model.encoder().sha256
            if found != description["encoder_sha256"]:
                raise UsageError(
                    f"{directory / MODEL_FILE}: the MiniLM weights at {model.encoder_dir} are "
                    f"not the ones this model was trained with (sha256 {found[:12]}…, "
                    f"expected {description['encoder_sha256'][:12]}…)",
                    hint="restore those weights, or retrain with `discourse stance train`",
                )
        with np.load(directory / WEIGHTS_FILE) as arrays:
            model._coef = arrays["coef"]
            model._intercept = arrays["intercept"]
            if "vocabulary" in description:
                model._words = WordFeatures(description["vocabulary"], arrays["idf"])
        return model


def load_model(directory: Path):
    """Load a trained stance model directory (model.json + weights.npz)."""
    directory = Path(directory)
    if not (directory / MODEL_FILE).exists():
        raise UsageError(
            f"{directory}: no trained stance model ({MODEL_FILE} missing)",
            hint="run `discourse stance train`, or point [stance] model at a model directory",
        )
    approach = json.loads((directory / MODEL_FILE).read_text(encoding="utf-8")).get("approach")
    if approach != LinearModel.name:
        raise UsageError(f"{directory / MODEL_FILE}: unknown approach {approach!r}")
    return LinearModel.load(directory)

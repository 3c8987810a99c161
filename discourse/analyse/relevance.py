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

import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from discourse.analyse.aggregate import grouped_ratios
from discourse.analyse.stage import AnalysisInput, StageOutput
from discourse.errors import ConfigError
from discourse.store import ResultTable

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
    """One case-insensitive regex for phrase patterns (see concepts.toml for the syntax)."""
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
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE)


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


class LexiconScorer:
    """Scores sentences by the concepts they mention; neighbours add `context_weight` of theirs."""

    def __init__(self, concepts: list[Concept], context_weight: float = 0.25):
        self.concepts = concepts
        self.context_weight = context_weight

    def matches(self, text: str) -> list[str]:
        """Names of the concepts a text mentions, in lexicon order."""
        return [c.name for c in self.concepts if c.regex.search(text)]

    def own_scores(self, texts: Iterable[str]) -> np.ndarray:
        weights = {c.name: c.weight for c in self.concepts}
        return np.array(
            [sum(weights[name] for name in self.matches(t or "")) for t in texts], dtype=float
        )

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

    def score_sentences(self, sentences: pd.DataFrame) -> np.ndarray:
        """Scores for a sentence table, reusing each sentence's own score for its neighbours."""
        own = self.own_scores(sentences["text"])
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

    def __init__(self, scorer: LexiconScorer):
        self.scorer = scorer

    def run(self, data: AnalysisInput) -> StageOutput:
        sentences = data.sentences
        units = sentences[["document_id", "period", "actor_type", "words"]].copy()
        relevant = sentences["relevant"].astype(bool).to_numpy()
        units["relevant_sentences"] = relevant.astype(float)
        by_sentence = grouped_ratios(
            units,
            values=["relevant_sentences"],
            seed=data.seed,
            replicates=data.replicates,
        )
        # the share of words: each sentence's 0/1 weighted by its words
        by_word = grouped_ratios(
            units.assign(relevant_words=relevant.astype(float)),
            values=["relevant_words"],
            weight="words",
            seed=data.seed,
            replicates=data.replicates,
        )
        shares = pd.concat([by_sentence, by_word], ignore_index=True)
        concepts = []
        texts = sentences["text"].tolist()
        for concept in self.scorer.concepts:
            hits = np.fromiter((bool(concept.regex.search(t)) for t in texts), bool, len(texts))
            concepts.append(
                {
                    "concept": concept.name,
                    "label": concept.label,
                    "weight": concept.weight,
                    "sentences": int(hits.sum()),
                    "relevant_sentences": int((hits & relevant).sum()),
                    "documents": int(sentences.loc[hits, "document_id"].nunique()),
                }
            )
        return [
            (RELEVANCE_SHARES, shares),
            (RELEVANCE_CONCEPTS, pd.DataFrame(concepts)),
        ]

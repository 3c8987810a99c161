"""Topics with gensim LDA, the number of topics chosen by held-out coherence.

The modelling unit is a run of consecutive sentences of one document of about
`unit_words` words: documents range from a two-line blog post to a hundred-page council report,
and LDA needs units of comparable length. Units of held-out documents (a fixed, seeded share)
score each candidate K by topic coherence (NPMI or C_V of the top terms over the held-out
texts, not the texts the topics were fitted on); the best K is refitted on every unit.

Reproducibility: with `workers = 1` (the default) the fit is gensim's LdaModel (the same
online variational Bayes as LdaMulticore, in one process) seeded from the run seed, which gives
identical topics for identical input; its per-document E-step loop is replaced by one over
whole chunks (discourse.analyse.lda), which gives the same topics to rounding, several
times faster. LdaMulticore with several workers merges worker updates
in arrival order and is not reproducible; it is used only when `workers > 1` is asked for.

Shares are shares of words: a unit's topic proportions weighted by its number of terms, summed
per document or per period × actor_type, so the topics of a group sum to 1 and a long report
weighs more than a tweet. Intervals resample documents (discourse.analyse.aggregate).
"""

import logging
import math
import zlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from gensim.corpora import Dictionary
from gensim.models import CoherenceModel, LdaMulticore
from scipy.sparse import csr_matrix

from discourse.analyse.aggregate import grouped_ratios
from discourse.analyse.lda import ArrayBow, ChunkedLda
from discourse.analyse.preprocess import Tokens
from discourse.analyse.stage import AnalysisInput, StageOutput
from discourse.config import TopicsSection
from discourse.store import ResultTable

ALL = "all"  # actor_type of rows pooling every actor
_FREX_WEIGHT = 0.5  # weight of exclusivity against frequency in FREX (as in stm)
_DIVERSITY_TERMS = 25  # top terms per topic for topic diversity (Dieng et al. 2020)
_MIN_REPRESENTATIVE_TERMS = 10  # representative passages need at least this many terms
_NPMI_CHUNK = 2000  # texts counted at once for NPMI

TOPIC_COHERENCE = ResultTable(
    name="topic_coherence",
    columns=(
        ("k", "INTEGER"),
        ("measure", "TEXT"),
        ("coherence", "REAL"),
        ("diversity", "REAL"),
        ("train_units", "INTEGER"),
        ("heldout_units", "INTEGER"),
        ("chosen", "INTEGER"),
    ),
    key=("k",),
    description=(
        "How the number of topics was chosen. One row per candidate k of [topics] k that the "
        "corpus could support: mean coherence (measure c_npmi or c_v) of the topics' top "
        "coherence_terms terms over held-out documents' units, topic diversity (share of unique "
        "terms among all topics' top 25), the units fitted on and held out, and chosen = 1 for "
        "the k of the final model (highest coherence; ties go to the smaller k). With a single "
        "candidate k no search is run and the row scores the final model, which was fitted on "
        "the held-out units too."
    ),
)
TOPIC_TERMS = ResultTable(
    name="topic_terms",
    columns=(
        ("topic", "INTEGER"),
        ("ranking", "TEXT"),
        ("rank", "INTEGER"),
        ("term", "TEXT"),
        ("probability", "REAL"),
        ("exclusivity", "REAL"),
        ("frex", "REAL"),
    ),
    key=("topic", "ranking", "rank"),
    description=(
        "Top terms of each topic of the final model, ranked two ways: ranking 'probability' "
        "by P(term | topic), ranking 'frex' by FREX (harmonic mean of the term's within-topic "
        "percentile of probability and of exclusivity, as in stm), which favours terms both "
        "frequent in and specific to the topic. exclusivity is P(term | topic) over its sum "
        "across topics. Topics are numbered from 0."
    ),
)
TOPIC_SUMMARY = ResultTable(
    name="topic_summary",
    columns=(
        ("topic", "INTEGER"),
        ("label", "TEXT"),
        ("share", "REAL"),
        ("coherence", "REAL"),
        ("documents", "INTEGER"),
    ),
    key=("topic",),
    description=(
        "One row per topic of the final model: label (its top five FREX terms), share of all "
        "modelled words, coherence of its top terms over the whole corpus (measure as in "
        "topic_coherence), and the number of documents where it is the largest topic."
    ),
)
TOPIC_SHARES = ResultTable(
    name="topic_shares",
    columns=(
        ("period", "TEXT"),
        ("actor_type", "TEXT"),
        ("topic", "INTEGER"),
        ("share", "REAL"),
        ("ci_low", "REAL"),
        ("ci_high", "REAL"),
        ("documents", "INTEGER"),
        ("units", "INTEGER"),
    ),
    key=("period", "actor_type", "topic"),
    description=(
        "Topic share of words per period × actor_type (actor_type 'all' pools every actor): "
        "the share of the group's modelled words assigned to each topic, so the topics of one "
        "group sum to 1; 95% document-bootstrap interval (ci_low, ci_high); the documents and "
        "modelling units behind it. Undated documents are left out."
    ),
)
TOPIC_DOCUMENTS = ResultTable(
    name="topic_documents",
    columns=(("document_id", "INTEGER"), ("topic", "INTEGER"), ("share", "REAL")),
    key=("document_id", "topic"),
    description=(
        "Topic share of words in each document (every topic listed; a document's shares sum "
        "to 1). Documents with no modelled terms are absent."
    ),
)
TOPIC_PASSAGES = ResultTable(
    name="topic_passages",
    columns=(
        ("topic", "INTEGER"),
        ("rank", "INTEGER"),
        ("document_id", "INTEGER"),
        ("seq_start", "INTEGER"),
        ("seq_end", "INTEGER"),
        ("share", "REAL"),
        ("text", "TEXT"),
    ),
    key=("topic", "rank"),
    description=(
        "Representative passages of each topic: the modelling units (sentences seq_start to "
        "seq_end of a document) with the highest share of the topic, among units of at least "
        "ten terms where there are enough; text is the passage."
    ),
)


@dataclass
class Units:
    """Modelling units: runs of consecutive sentences of one document."""

    document_id: np.ndarray
    seq_start: np.ndarray
    seq_end: np.ndarray
    first_row: np.ndarray  # first sentence row (into the sentence table)
    last_row: np.ndarray  # last sentence row, inclusive
    period: np.ndarray
    actor_type: np.ndarray

    def __len__(self) -> int:
        return len(self.document_id)


def make_units(sentences: pd.DataFrame, unit_words: int) -> Units:
    """Group each document's consecutive sentences into units of about `unit_words` words.

    A unit closes once it reaches `unit_words`; a short tail (under half of it) joins the
    previous unit of the same document.
    """
    documents = sentences["document_id"].to_numpy()
    words = sentences["words"].to_numpy()
    bounds: list[list[int]] = []  # [first_row, last_row]
    current_document = None
    running = 0
    for row in range(len(documents)):
        if documents[row] != current_document or running >= unit_words:
            bounds.append([row, row])
            current_document = documents[row]
            running = 0
        bounds[-1][1] = row
        running += words[row]
        last_of_document = row + 1 == len(documents) or documents[row + 1] != documents[row]
        if (
            last_of_document
            and running < unit_words / 2
            and len(bounds) > 1
            and documents[bounds[-2][0]] == documents[row]
        ):
            tail = bounds.pop()
            bounds[-1][1] = tail[1]
    first = np.array([b[0] for b in bounds], dtype=np.int64)
    last = np.array([b[1] for b in bounds], dtype=np.int64)
    seq = sentences["seq"].to_numpy()
    return Units(
        document_id=documents[first] if len(first) else np.zeros(0, dtype=np.int64),
        seq_start=seq[first] if len(first) else np.zeros(0, dtype=np.int64),
        seq_end=seq[last] if len(last) else np.zeros(0, dtype=np.int64),
        first_row=first,
        last_row=last,
        period=sentences["period"].to_numpy(dtype=object)[first] if len(first) else first,
        actor_type=sentences["actor_type"].to_numpy(dtype=object)[first] if len(first) else first,
    )


class BowCorpus:
    """Bag-of-words units held as flat arrays; iterates as gensim's list of (id, count)."""

    def __init__(self, ids: np.ndarray, counts: np.ndarray, offsets: np.ndarray):
        self.ids = ids
        self.counts = counts
        self.offsets = offsets

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, i: int) -> ArrayBow:
        a, b = self.offsets[i], self.offsets[i + 1]
        return ArrayBow(self.ids[a:b], self.counts[a:b])

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    def subset(self, rows: np.ndarray) -> "BowCorpus":
        if len(rows) == len(self) and (rows == np.arange(len(self))).all():
            return self
        lengths = self.offsets[rows + 1] - self.offsets[rows]
        offsets = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        index = (
            np.concatenate([np.arange(self.offsets[r], self.offsets[r + 1]) for r in rows])
            if len(rows)
            else np.zeros(0, dtype=np.int64)
        )
        return BowCorpus(self.ids[index], self.counts[index], offsets)

    def terms(self) -> np.ndarray:
        """Number of term occurrences in each unit (0 for a unit left without terms)."""
        unit = np.repeat(np.arange(len(self)), np.diff(self.offsets))
        return np.bincount(unit, weights=self.counts, minlength=len(self)).astype(np.int64)


@dataclass
class Prepared:
    """The modelling data: units, their bag of words, and the filtered vocabulary."""

    units: Units
    bow: BowCorpus
    dictionary: Dictionary
    sequences: list[np.ndarray]  # each unit's kept term ids in text order (for coherence)


def prepare(tokens: Tokens, units: Units, config: TopicsSection) -> Prepared:
    """Bag of words per unit over terms kept by document-frequency filters.

    `no_below` is capped at a twentieth of the units (at least 1) so a small corpus keeps a
    vocabulary; terms in more than `no_above` of the units are dropped.
    """
    n = len(units)
    unit_ids = []
    for first, last in zip(units.first_row, units.last_row, strict=True):
        unit_ids.append(tokens.ids[tokens.offsets[first] : tokens.offsets[last + 1]])
    frequency = np.zeros(len(tokens.vocabulary), dtype=np.int64)
    for ids in unit_ids:
        frequency[np.unique(ids)] += 1
    no_below = min(config.no_below, max(1, n // 20))
    keep = (frequency >= no_below) & (frequency <= config.no_above * n)
    if n < 10:  # too few units for a ceiling to mean anything
        keep = frequency >= no_below
    kept = np.flatnonzero(keep)
    remap = np.full(len(tokens.vocabulary), -1, dtype=np.int32)
    remap[kept] = np.arange(len(kept))
    dictionary = Dictionary()
    dictionary.token2id = {tokens.vocabulary[v]: i for i, v in enumerate(kept)}
    dictionary.id2token = {i: tokens.vocabulary[v] for i, v in enumerate(kept)}
    dictionary.dfs = {i: int(frequency[v]) for i, v in enumerate(kept)}
    dictionary.num_docs = n
    all_ids, all_counts, lengths, sequences = [], [], [], []
    for ids in unit_ids:
        mapped = remap[ids]
        mapped = mapped[mapped >= 0].astype(np.int32)
        values, counts = np.unique(mapped, return_counts=True)
        all_ids.append(values)
        all_counts.append(counts.astype(np.int32))
        lengths.append(len(values))
        sequences.append(mapped)
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    bow = BowCorpus(
        np.concatenate(all_ids) if all_ids else np.zeros(0, dtype=np.int32),
        np.concatenate(all_counts) if all_counts else np.zeros(0, dtype=np.int32),
        offsets,
    )
    return Prepared(units, bow, dictionary, sequences)


def heldout_mask(document_ids: np.ndarray, share: float, seed: int) -> np.ndarray:
    """Units of a seeded, fixed share of documents held out for choosing K."""
    unique = np.unique(document_ids)
    if len(unique) < 2:
        return np.zeros(len(document_ids), dtype=bool)
    draws = np.array([zlib.crc32(f"{seed}:{d}".encode()) / 2**32 for d in unique])
    held = draws < share
    if not held.any():
        held[np.argmin(draws)] = True
    if held.all():
        held[np.argmax(draws)] = False
    return np.isin(document_ids, unique[held])


def fit_lda(bow, dictionary: Dictionary, k: int, config: TopicsSection, seed: int, passes: int):
    """LDA fitted reproducibly (gensim's LdaModel with a vectorised E-step, lda.ChunkedLda) or,
    when workers > 1, with LdaMulticore."""
    common = dict(
        corpus=bow,
        id2word=dictionary,
        num_topics=k,
        passes=passes,
        iterations=config.iterations,
        chunksize=2000,
        eval_every=None,
        random_state=seed,
        eta="auto",
        dtype=np.float64,
    )
    previous = logging.getLogger("gensim").level
    logging.getLogger("gensim").setLevel(logging.ERROR)
    try:
        if config.workers > 1:
            return LdaMulticore(workers=config.workers, alpha="asymmetric", **common)
        return ChunkedLda(alpha="auto", **common)
    finally:
        logging.getLogger("gensim").setLevel(previous)


def top_terms(model, n: int) -> list[list[str]]:
    topics = model.get_topics()
    return [[model.id2word[int(i)] for i in np.argsort(-row, kind="stable")[:n]] for row in topics]


def coherence(
    topics: list[list[str]],
    sequences: list[np.ndarray],
    dictionary: Dictionary,
    measure: str,
    n: int,
) -> np.ndarray:
    """Coherence of each topic's top `n` terms over reference texts given as term-id arrays.

    c_npmi is computed here (see `npmi`); c_v by gensim's CoherenceModel.
    """
    sequences = [s for s in sequences if len(s)]
    if not sequences:
        return np.full(len(topics), np.nan)
    if measure == "c_npmi":
        ids = [[dictionary.token2id.get(w, -1) for w in topic[:n]] for topic in topics]
        return npmi(ids, sequences, n)
    model = CoherenceModel(
        topics=[t[:n] for t in topics],
        texts=[[dictionary.id2token[i] for i in s.tolist()] for s in sequences],
        dictionary=dictionary,
        coherence=measure,
        topn=n,
        processes=1,
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        values = np.asarray(model.get_coherence_per_topic(), dtype=float)
    return np.where(np.isfinite(values), values, np.nan)


def npmi(
    topics: list[list[int]], sequences: list[np.ndarray], n: int, window: int = 10
) -> np.ndarray:
    """Mean NPMI of each topic's top-`n` term pairs over boolean sliding windows of texts.

    Topics and texts are term ids (-1 for a term outside the vocabulary). Follows gensim's
    c_npmi (windows of 10 tokens, a shorter text is one window, ε = 1e-12), but a pair with a
    term absent from the reference texts scores −1 (never together) where gensim divides by
    zero, as held-out texts of a small corpus do. Counting is a sparse windows × terms
    product per chunk of texts, vectorised over the chunk's tokens.
    """
    terms = sorted({t for topic in topics for t in topic[:n] if t >= 0})
    width = max([*terms, *(int(s.max()) for s in sequences if len(s))], default=-1) + 1
    column = np.full(width, -1, dtype=np.int64)  # term id → column of the counts, or -1
    column[terms] = np.arange(len(terms))
    single = np.zeros(len(terms))
    joint = np.zeros((len(terms), len(terms)))
    windows = 0
    for start in range(0, len(sequences), _NPMI_CHUNK):  # chunks bound the memory of counts
        chunk = sequences[start : start + _NPMI_CHUNK]
        lengths = np.array([len(s) for s in chunk], dtype=np.int64)
        counts = np.maximum(1, lengths - window + 1)  # windows per text
        flat = np.concatenate(chunk).astype(np.int64)
        mapped = np.where(flat >= 0, column[np.maximum(flat, 0)], -1)
        text = np.repeat(np.arange(len(chunk)), lengths)
        text_start = np.cumsum(lengths) - lengths
        first_window = np.cumsum(counts) - counts
        found = np.flatnonzero(mapped >= 0)
        position, ids = found - text_start[text[found]], mapped[found]
        limit, base = counts[text[found]], first_window[text[found]]
        rows, columns = [], []
        for offset in range(window):  # windows starting up to window-1 before a token
            starts = position - offset
            valid = (starts >= 0) & (starts < limit)
            rows.append(base[valid] + starts[valid])
            columns.append(ids[valid])
        chunk_windows = int(counts.sum())
        windows += chunk_windows
        if not len(found):
            continue
        presence = csr_matrix(
            (np.ones(sum(len(r) for r in rows)), (np.concatenate(rows), np.concatenate(columns))),
            shape=(chunk_windows, len(terms)),
        )
        presence.data[:] = 1.0  # duplicates were summed: a window either holds a term or not
        single += np.asarray(presence.sum(axis=0)).ravel()
        joint += (presence.T @ presence).toarray()
    p = single / max(windows, 1)
    pj = joint / max(windows, 1)
    epsilon = 1e-12
    index = {t: i for i, t in enumerate(terms)}
    scores = []
    for topic in topics:
        ids = topic[:n]
        values = []
        for x in range(len(ids)):
            for y in range(x + 1, len(ids)):
                i, j = index.get(ids[x]), index.get(ids[y])
                if i is None or j is None or p[i] == 0 or p[j] == 0:
                    values.append(-1.0)  # a term absent from the reference texts
                    continue
                values.append(
                    math.log((pj[i, j] + epsilon) / (p[i] * p[j])) / -math.log(pj[i, j] + epsilon)
                )
        scores.append(float(np.mean(values)) if values else np.nan)
    return np.array(scores)


def diversity(topics: list[list[str]], n: int = _DIVERSITY_TERMS) -> float:
    """Share of unique terms among all topics' top `n` (1 = no topic repeats another's)."""
    words = [w for topic in topics for w in topic[:n]]
    return len(set(words)) / len(words) if words else float("nan")


def frex(beta: np.ndarray, weight: float = _FREX_WEIGHT) -> tuple[np.ndarray, np.ndarray]:
    """Exclusivity and FREX scores (topics × terms) from topic-term probabilities."""
    exclusivity = beta / beta.sum(axis=0, keepdims=True)
    v = beta.shape[1]

    def ecdf(matrix):
        ranks = np.argsort(np.argsort(matrix, axis=1, kind="stable"), axis=1, kind="stable")
        return (ranks + 1) / v

    scores = 1.0 / (weight / ecdf(exclusivity) + (1 - weight) / ecdf(beta))
    return exclusivity, scores


def unit_topics(model, bow: BowCorpus, batch: int = 2000) -> np.ndarray:
    """Topic proportions of every unit (rows sum to 1; a unit without terms gets zeros)."""
    k = model.num_topics
    theta = np.zeros((len(bow), k))
    for start in range(0, len(bow), batch):
        chunk = [bow[i] for i in range(start, min(start + batch, len(bow)))]
        gamma, _ = model.inference(chunk)
        theta[start : start + len(chunk)] = gamma / gamma.sum(axis=1, keepdims=True)
    empty = bow.terms() == 0
    theta[empty] = 0.0
    return theta


class TopicsStage:
    """LDA topics: K by held-out coherence, terms, shares, representative passages."""

    name = "topics"

    def __init__(self, config: TopicsSection, terms: Callable[[], Tokens]):
        self.config = config
        self.terms = terms

    def run(self, data: AnalysisInput) -> StageOutput:
        config = self.config
        sentences = data.sentences
        units = make_units(sentences, config.unit_words)
        prepared = prepare(self.terms(), units, config)
        nonempty = np.flatnonzero(prepared.bow.terms() > 0)
        vocabulary = len(prepared.dictionary.token2id)
        candidates = self.candidates(len(nonempty), vocabulary)
        if not candidates:
            return []  # too little text for any topic model; nothing is reported
        held = heldout_mask(units.document_id, config.holdout, data.seed)
        train = np.flatnonzero(~held & (prepared.bow.terms() > 0))
        heldout = np.flatnonzero(held & (prepared.bow.terms() > 0))
        heldout_texts = [prepared.sequences[i] for i in heldout] or [
            prepared.sequences[i] for i in train
        ]
        if len(train) > config.selection_units:
            rng = np.random.default_rng([data.seed, len(train)])
            train = np.sort(rng.choice(train, size=config.selection_units, replace=False))
        scores = []

        def score(model) -> tuple[float, float]:
            terms = top_terms(model, max(_DIVERSITY_TERMS, config.coherence_terms))
            values = coherence(
                terms, heldout_texts, prepared.dictionary, config.coherence, config.coherence_terms
            )
            return float(np.nanmean(values)), diversity(terms)

        scores = []
        if len(candidates) > 1:
            with data.progress.task("topics: choosing k", total=len(candidates)) as task:
                for k in candidates:
                    model = fit_lda(
                        prepared.bow.subset(train),
                        prepared.dictionary,
                        k,
                        config,
                        data.seed,
                        config.selection_passes,
                    )
                    scores.append((k, *score(model)))
                    task.advance()
        best = (
            max(scores, key=lambda s: (-math.inf if math.isnan(s[1]) else s[1], -s[0]))[0]
            if scores
            else candidates[0]
        )
        with data.progress.task(f"topics: final model (k={best})", total=1) as task:
            model = fit_lda(
                prepared.bow.subset(nonempty),
                prepared.dictionary,
                best,
                config,
                data.seed,
                config.passes,
            )
            task.advance()
        if not scores:  # a single candidate: its coherence is the final model's
            scores.append((best, *score(model)))
        selection = pd.DataFrame(
            [
                {
                    "k": k,
                    "measure": config.coherence,
                    "coherence": value,
                    "diversity": div,
                    "train_units": len(train),
                    "heldout_units": len(heldout),
                    "chosen": int(k == best),
                }
                for k, value, div in scores
            ]
        )
        with data.progress.task("topics: terms, shares, passages", total=1) as task:
            described = self.describe(model, prepared, sentences, data)
            task.advance()
        return [(TOPIC_COHERENCE, selection), *described]

    def candidates(self, units: int, vocabulary: int) -> list[int]:
        """The configured K values this corpus can support (at least 3 units per topic).

        When none fit, the largest K that does (at least 2) is used alone, so a small corpus
        still gets a (coarse) model rather than none.
        """
        limit = min(units // 3, vocabulary // 2)
        feasible = [k for k in self.config.k if k <= limit]
        if feasible:
            return feasible
        return [limit] if limit >= 2 else []

    def describe(self, model, prepared: Prepared, sentences: pd.DataFrame, data: AnalysisInput):
        config = self.config
        k = model.num_topics
        beta = model.get_topics().astype(float)
        exclusivity, frex_scores = frex(beta)
        vocabulary = [prepared.dictionary.id2token[i] for i in range(beta.shape[1])]
        term_rows = []
        labels = []
        for topic in range(k):
            by_probability = np.argsort(-beta[topic], kind="stable")[: config.top_terms]
            by_frex = np.argsort(-frex_scores[topic], kind="stable")[: config.top_terms]
            labels.append(" ".join(vocabulary[i] for i in by_frex[:5]))
            for ranking, order in (("probability", by_probability), ("frex", by_frex)):
                for rank, term in enumerate(order, start=1):
                    term_rows.append(
                        {
                            "topic": topic,
                            "ranking": ranking,
                            "rank": rank,
                            "term": vocabulary[term],
                            "probability": beta[topic, term],
                            "exclusivity": exclusivity[topic, term],
                            "frex": frex_scores[topic, term],
                        }
                    )
        theta = unit_topics(model, prepared.bow)
        lengths = prepared.bow.terms().astype(float)
        units = prepared.units
        weighted = theta * lengths[:, None]
        # per document
        documents = pd.DataFrame(weighted).groupby(units.document_id, sort=True).sum()
        totals = documents.sum(axis=1)
        documents = documents[totals > 0].div(totals[totals > 0], axis=0)
        document_rows = documents.stack().rename("share").reset_index()
        document_rows.columns = ["document_id", "topic", "share"]
        dominant = np.bincount(documents.to_numpy().argmax(axis=1), minlength=k)
        # per period × actor_type (and pooled)
        frame = pd.DataFrame(theta, columns=[f"topic_{t}" for t in range(k)])
        frame["document_id"] = units.document_id
        frame["period"] = units.period
        frame["actor_type"] = units.actor_type
        frame["terms"] = lengths
        frame = frame[frame["terms"] > 0]
        names = [f"topic_{t}" for t in range(k)]
        shares = pd.concat(
            [
                grouped_ratios(
                    grouped,
                    values=names,
                    weight="terms",
                    seed=data.seed,
                    replicates=data.replicates,
                )
                for grouped in (frame, frame.assign(actor_type=ALL))
            ],
            ignore_index=True,
        )
        shares["topic"] = shares["metric"].str.removeprefix("topic_").astype(int)
        shares = shares.rename(columns={"estimate": "share"})
        overall = weighted.sum(axis=0) / max(lengths.sum(), 1.0)
        corpus_coherence = coherence(
            [
                list(np.array(vocabulary)[np.argsort(-row, kind="stable")])[
                    : config.coherence_terms
                ]
                for row in beta
            ],
            prepared.sequences,
            prepared.dictionary,
            config.coherence,
            config.coherence_terms,
        )
        summary = pd.DataFrame(
            {
                "topic": range(k),
                "label": labels,
                "share": overall,
                "coherence": corpus_coherence,
                "documents": dominant,
            }
        )
        return [
            (TOPIC_TERMS, pd.DataFrame(term_rows)),
            (TOPIC_SUMMARY, summary),
            (TOPIC_SHARES, shares[[c for c, _ in TOPIC_SHARES.columns]]),
            (TOPIC_DOCUMENTS, document_rows),
            (TOPIC_PASSAGES, self.representative(theta, lengths, units, sentences)),
        ]

    def representative(self, theta, lengths, units: Units, sentences: pd.DataFrame) -> pd.DataFrame:
        texts = sentences["text"].to_numpy(dtype=object)
        long_enough = lengths >= _MIN_REPRESENTATIVE_TERMS
        rows = []
        for topic in range(theta.shape[1]):
            pool = (
                np.flatnonzero(long_enough)
                if long_enough.sum() >= self.config.representative
                else np.flatnonzero(lengths > 0)
            )
            order = pool[np.lexsort((pool, -theta[pool, topic]))][: self.config.representative]
            for rank, i in enumerate(order, start=1):
                rows.append(
                    {
                        "topic": topic,
                        "rank": rank,
                        "document_id": int(units.document_id[i]),
                        "seq_start": int(units.seq_start[i]),
                        "seq_end": int(units.seq_end[i]),
                        "share": theta[i, topic],
                        "text": " ".join(texts[units.first_row[i] : units.last_row[i] + 1]),
                    }
                )
        return pd.DataFrame(rows, columns=[c for c, _ in TOPIC_PASSAGES.columns])

"""One analysis run: documents → passages → the sentence table → stages → result tables.

`analyse(store, config)` opens a run (config hash, versions, seed and corpus snapshot
recorded), splits any document not yet split, builds ONE sentence table with relevance
marked, hands it to every stage in `build_stages`, and writes each stage's result tables under
the run, rows in key order and floats rounded so the same corpus, config and seed give the
same bytes. If anything fails the run is marked failed with the error and no partial table is
left behind for it.
"""

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from discourse.analyse.passages import Segmenter, split_new_documents
from discourse.analyse.preprocess import TokenCache, Tokenizer, Tokens, preprocess
from discourse.analyse.relevance import (
    ConceptMatcher,
    LearnedScorer,
    LexiconScorer,
    RelevanceStage,
    load_lexicon,
)
from discourse.analyse.sentiment import SentimentStage
from discourse.analyse.stage import (
    SENTENCE_COLUMNS,
    AnalysisInput,
    Stage,
    StartsEarly,
)
from discourse.analyse.stance.stage import StanceStage
from discourse.analyse.topics import TopicsStage
from discourse.analyse.trends import TrendsStage
from discourse.config import AnalyseFile, load
from discourse.dates import period_of
from discourse.errors import UsageError
from discourse.progress import SILENT, Progress
from discourse.store import ResultTable, Store

DEFAULT_CONFIG = Path("analyse.toml")
_SHARED_TEXT = ("text", "context_before", "context_after")
_FLOAT_DIGITS = 12  # floats are rounded so tiny summation noise never changes stored bytes
_ROWS_PER_SLICE = 10_000  # result rows made at once (stable_rows)


def load_config(path: Path | None = None) -> AnalyseFile:
    """analyse.toml validated; every key has a default, so a missing default file is fine."""
    if path is None:
        return load(DEFAULT_CONFIG, AnalyseFile) if DEFAULT_CONFIG.exists() else AnalyseFile()
    return load(path, AnalyseFile)


@dataclass
class Resources:
    """What several stages share, computed once per run and only when a stage asks."""

    store: Store
    config: AnalyseFile
    sentences: pd.DataFrame
    scorer: LexiconScorer
    concept_matches: np.ndarray  # sentences × lexicon concepts (concept_counts)
    progress: Progress = SILENT
    counts: dict = field(default_factory=dict)
    tokens: TokenCache | None = None  # the cache the split filled (shares its tokenizer)

    @cached_property
    def terms(self) -> Tokens:
        """Analysis terms of every sentence (aligned with the sentence table's rows)."""
        terms, counts = preprocess(
            self.store,
            self.sentences["text"].to_numpy(dtype=object),
            self.config.preprocess,
            groups=document_groups(self.store, self.sentences["document_id"].to_numpy()),
            cache=self.tokens,
            progress=self.progress,
        )
        self.counts["preprocess"] = counts
        return terms


def document_groups(store: Store, document_ids: np.ndarray) -> list[tuple[str, int]]:
    """(text_sha256, number of sentences) of each document in a sentence table, in order:
    the token cache's keys for its rows."""
    if len(document_ids) == 0:
        return []
    starts = np.flatnonzero(np.r_[True, document_ids[1:] != document_ids[:-1]])
    sizes = np.diff(np.r_[starts, len(document_ids)])
    ids = document_ids[starts].tolist()
    hashes = {}
    for start in range(0, len(ids), 500):
        part = ids[start : start + 500]
        hashes.update(
            store.read(
                f"SELECT id, text_sha256 FROM documents WHERE id IN ({','.join('?' * len(part))})",
                part,
            )
        )
    return [(hashes[i], int(size)) for i, size in zip(ids, sizes, strict=True)]


def needs_terms(config: AnalyseFile) -> bool:
    """Whether any stage of the run uses analysis terms (topics, keyness)."""
    return config.topics.enabled or bool(config.trends.keyness)


def build_stages(config: AnalyseFile, resources: Resources) -> list[Stage]:
    """The stages of a run, in order. Add a stage here (one line) to have it run and stored."""
    stages: list[Stage] = [
        RelevanceStage(resources.scorer, lambda: resources.concept_matches),
        TopicsStage(config.topics, lambda: resources.terms) if config.topics.enabled else None,
        TrendsStage(
            config.trends,
            resources.scorer.concepts,
            lambda: resources.terms,
            lambda: resources.concept_matches,
        ),
        SentimentStage(config.sentiment),
        StanceStage.from_config(config.stance),
    ]
    return [stage for stage in stages if stage is not None]


@dataclass(frozen=True)
class RunReport:
    run_id: str
    summary: dict


def analyse(
    store: Store,
    config: AnalyseFile,
    *,
    seed: int | None = None,
    command: str | None = None,
    progress: Progress = SILENT,
) -> RunReport:
    """Run the whole analysis as one run of the store; returns its id and summary."""
    if seed is not None:
        config = config.model_copy(
            update={"analysis": config.analysis.model_copy(update={"seed": seed})}
        )
    settings = config.analysis
    if store.count_documents(include_duplicates=settings.include_duplicates) == 0:
        raise UsageError(
            f"{store.path}: no documents to analyse",
            hint="add some with `discourse import` or `discourse corpus` first",
        )
    scorer = LexiconScorer(load_lexicon(config.relevance.lexicon), config.relevance.context_weight)
    learned = (
        LearnedScorer.load(config.relevance.model, scorer.concepts)
        if config.relevance.model
        else None
    )
    recorded = config.model_dump(mode="json")
    # the run's parallelism is its worker processes (split, matching, sentiment, stance);
    # BLAS threads on top of them only oversubscribe the cores (and spin while waiting)
    with (
        threadpool_limits(limits=1, user_api="blas"),
        store.run("analyse", config=recorded, seed=settings.seed, command=command) as run,
    ):
        started = time.perf_counter()
        include = settings.include_duplicates
        tokens = TokenCache(store, Tokenizer(config.preprocess))
        split = split_new_documents(
            store,
            include_duplicates=include,
            progress=progress,
            tokens=tokens if needs_terms(config) else None,
            workers=settings.workers,
        )
        seconds = {"passages": round(time.perf_counter() - started, 3)}
        started = time.perf_counter()
        sentences, matches = build_sentences(
            store, config, scorer, learned=learned, progress=progress
        )
        seconds["sentences"] = round(time.perf_counter() - started, 3)
        resources = Resources(store, config, sentences, scorer, matches, progress, tokens=tokens)
        data = AnalysisInput(
            sentences=sentences,
            seed=settings.seed,
            period=settings.period,
            replicates=settings.replicates,
            progress=progress,
        )
        tables: dict[str, int] = {}
        stages = build_stages(config, resources)
        early = [stage for stage in stages if isinstance(stage, StartsEarly)]
        try:
            for stage in early:
                stage.start(data)
            with progress.task("stages", total=len(stages)) as overall:
                for stage in stages:
                    overall.update(description=f"stage: {stage.name}")
                    began = time.perf_counter()
                    for table, frame in stage.run(data):
                        if table.name in tables:
                            raise ValueError(f"stage {stage.name}: table {table.name} twice")
                        rows = stable_rows(table, frame)
                        tables[table.name] = store.write_results(run.id, table, rows)
                    # a stage's seconds include shared work it set off (tokens for topics)
                    seconds[stage.name] = round(time.perf_counter() - began, 3)
                    overall.advance()
        except BaseException:
            for stage in early:
                stage.cancel()
            discard_results(store, run.id)  # a failed run keeps no half of its results
            raise
        run.summary.update(
            documents=int(sentences["document_id"].nunique()),
            documents_split=split["split"],
            sentences=len(sentences),
            words=int(sentences["words"].sum()),
            relevant_sentences=int(sentences["relevant"].sum()),
            tables=tables,
            preprocess=resources.counts.get("preprocess"),
            seconds=seconds,
        )
    return RunReport(run.id, dict(run.summary))


def build_sentences(
    store: Store,
    config: AnalyseFile,
    scorer: LexiconScorer,
    *,
    learned: LearnedScorer | None = None,
    progress: Progress = SILENT,
    batch: int = 500,
) -> tuple[pd.DataFrame, np.ndarray]:
    """The sentence table (SENTENCE_COLUMNS) of the documents a run reads, relevance marked,
    and the lexicon's concept matches per sentence (sentences × concepts). With a learned
    scorer, `relevance` is its P(relevant) and `relevant` compares it with model_threshold.

    Documents are streamed in id order and turned into compact frames batch by batch, so the
    corpus is never held as Python objects all at once. Matching the concept lexicon, the
    slow part, runs in `[analysis] workers` forked processes while the next batch is read.
    """
    settings = config.analysis
    pending_frames = []
    total = store.count_documents(include_duplicates=settings.include_duplicates)
    with (
        progress.task("sentences", total=total) as task,
        ConceptMatcher(scorer.concepts, settings.workers) as matcher,
    ):
        pending = []
        for document in store.iter_documents(include_duplicates=settings.include_duplicates):
            pending.append(document)
            if len(pending) >= batch:
                frame = _sentence_frame(store, pending, settings.period)
                pending_frames.append((frame, matcher.submit(frame["text"])))
                task.advance(len(pending))
                pending = []
        if pending:
            frame = _sentence_frame(store, pending, settings.period)
            pending_frames.append((frame, matcher.submit(frame["text"])))
            task.advance(len(pending))
        frames = [
            _with_relevance(frame, matches(), scorer, learned, config)
            for frame, matches in pending_frames
        ]
    if not frames:
        return _empty_sentences(), np.zeros((0, len(scorer.concepts)), dtype=np.int32)
    return (
        pd.concat([frame for frame, _ in frames], ignore_index=True),
        np.vstack([matches for _, matches in frames]),
    )


def _sentence_frame(store, documents, period) -> pd.DataFrame:
    ids = [d.id for d in documents]
    rows = store.read(
        "SELECT id, document_id, seq, char_start, char_end FROM passages "
        f"WHERE segmenter = ? AND unit = 'sentence' AND document_id IN ({','.join('?' * len(ids))}) "
        "ORDER BY document_id, seq",
        (Segmenter.tag, *ids),
    )
    by_id = {d.id: d for d in documents}
    columns: dict[str, list] = {c: [] for c in SENTENCE_COLUMNS}
    previous_document = None
    document_period = None
    for row in rows:
        document = by_id[row["document_id"]]
        text = document.text[row["char_start"] : row["char_end"]]
        same = previous_document == document.id
        columns["passage_id"].append(row["id"])
        columns["document_id"].append(document.id)
        columns["seq"].append(row["seq"])
        columns["text"].append(text)
        columns["context_before"].append(columns["text"][-2] if same else "")
        if same:
            columns["context_after"][-1] = text
        columns["context_after"].append("")
        columns["published_at"].append(document.published_at)
        if not same:  # one period string per document, shared by its sentences
            document_period = period_of(document.published_at, period)
        columns["period"].append(document_period)
        columns["actor_type"].append(document.actor_type)
        columns["source_kind"].append(document.source_kind)
        columns["words"].append(len(text.split()))
        previous_document = document.id
    # text columns stay Python objects: a context cell is the same string object as its
    # neighbour's text cell, so the three text columns cost the text once, not three times
    return pd.DataFrame(
        {
            c: pd.Series(columns[c], dtype=object if c in _SHARED_TEXT else None)
            for c in SENTENCE_COLUMNS
            if c not in ("relevance", "relevant")
        }
    )


def _with_relevance(frame, matches, scorer, learned, config):
    """The frame with relevance scores and marks, typed; and its concept matches."""
    if learned is not None:
        score = learned.score_sentences(frame)
        threshold = config.relevance.model_threshold
    else:
        score = scorer.score_sentences(frame, matches) if len(frame) else np.zeros(0)
        threshold = config.relevance.threshold
    frame["relevance"] = score
    frame["relevant"] = score >= threshold
    return _typed(frame), matches


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    for column in ("passage_id", "document_id", "seq", "words"):
        frame[column] = frame[column].astype("int64")
    for column in ("actor_type", "source_kind"):
        frame[column] = frame[column].astype("str")
    for column in _SHARED_TEXT:
        frame[column] = frame[column].astype(object)
    frame["relevance"] = frame["relevance"].astype("float64")
    frame["relevant"] = frame["relevant"].astype(bool)
    return frame[list(SENTENCE_COLUMNS)]


def _empty_sentences() -> pd.DataFrame:
    frame = pd.DataFrame({c: [] for c in SENTENCE_COLUMNS})
    frame["published_at"] = frame["published_at"].astype(object)
    frame["period"] = frame["period"].astype(object)
    return _typed(frame)


def stable_rows(table: ResultTable, frame: pd.DataFrame) -> Iterator[dict]:
    """Rows in key order with floats rounded: the same results always give the same bytes.

    Rows are made a slice of the frame at a time, as they are written: a table with a row per
    sentence, held as Python dicts all at once, would cost several times the frame itself.
    """
    names = [c for c, _ in table.columns]
    missing = [c for c in table.key if c not in frame.columns]
    if missing:
        raise ValueError(f"result {table.name}: key columns {missing} missing from the frame")
    ordered = frame.sort_values(list(table.key), kind="mergesort", ignore_index=True)
    return _rounded_rows(ordered, names, dict(table.columns))


def _rounded_rows(ordered: pd.DataFrame, names: list[str], kinds: dict[str, str]):
    for start in range(0, len(ordered), _ROWS_PER_SLICE):
        part = ordered.iloc[start : start + _ROWS_PER_SLICE]
        columns = [_plain_values(part[name], kinds[name]) for name in names]
        for values in zip(*columns, strict=True):
            yield dict(zip(names, values, strict=True))


def _plain_values(column: pd.Series, kind: str) -> list:
    """A column as Python values for SQLite: floats rounded, missing values None."""
    if kind == "REAL":
        return [
            None if v != v else round(v, _FLOAT_DIGITS)
            for v in column.to_numpy(dtype=float, na_value=np.nan).tolist()
        ]
    values = column.to_numpy(dtype=object)
    missing = pd.isna(values)
    if kind == "INTEGER":
        return [
            None if m else int(v) for v, m in zip(values.tolist(), missing.tolist(), strict=True)
        ]
    return [None if m else v for v, m in zip(values.tolist(), missing.tolist(), strict=True)]


def discard_results(store: Store, run_id: str) -> None:
    """Remove every result row of a run (used when the run fails part-way)."""
    names = store.result_names(run_id)
    with store.transaction() as conn:
        for name in names:
            conn.execute(f"DELETE FROM result_{name} WHERE run_id = ?", (run_id,))

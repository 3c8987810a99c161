"""The interface between the analysis pipeline and its measuring stages.

The pipeline splits documents into sentences once, marks their relevance to the codebook's
target, and hands every stage the same table; each stage (topics, sentiment, stance, trends)
returns its result tables for the pipeline to store under the run. Stages never read or write
the store themselves, which keeps them testable on a DataFrame and the run atomic.
"""

import multiprocessing
import sys
from dataclasses import dataclass
from multiprocessing.context import BaseContext
from multiprocessing.pool import Pool
from typing import Protocol, runtime_checkable

import pandas as pd

from discourse.progress import SILENT, Progress
from discourse.store import ResultTable

# Columns of AnalysisInput.sentences, one row per sentence of the documents analysed.
SENTENCE_COLUMNS = (
    "passage_id",  # id in the passages table
    "document_id",
    "seq",  # sentence number within its document
    "text",
    "context_before",  # the previous sentence of the same document ("" at the start)
    "context_after",
    "published_at",  # ISO partial date of the document
    "period",  # label from dates.period_of (None when the date is too imprecise)
    "actor_type",
    "source_kind",
    "words",  # word count of the sentence
    "relevance",  # score from the relevance filter
    "relevant",  # bool: about the codebook's target
)


@dataclass(frozen=True)
class AnalysisInput:
    sentences: pd.DataFrame  # SENTENCE_COLUMNS, sorted by document_id then seq
    seed: int
    period: str  # month | quarter | year
    replicates: int  # bootstrap replicates for intervals
    progress: Progress = SILENT


StageOutput = list[tuple[ResultTable, pd.DataFrame]]


class Stage(Protocol):
    name: str

    def run(self, data: AnalysisInput) -> StageOutput:
        """Compute this stage's result tables (rows without run_id; the pipeline adds it)."""
        ...


@runtime_checkable
class StartsEarly(Protocol):
    """A stage that can begin its work in other processes before the stages ahead of it run.

    Stages run one after another and mostly on one core, so the pipeline calls `start(data)`
    on every such stage before running any; `run(data)` then collects the work in its turn,
    and `cancel()` stops it when the run fails first.
    """

    def start(self, data: AnalysisInput) -> None:
        """Begin the stage's work on `data` (it runs alongside the stages ahead)."""
        ...

    def cancel(self) -> None:
        """Stop work begun by `start` (nothing to do if none is running)."""
        ...


def fork_context() -> BaseContext | None:
    """Where worker processes may be forked (Linux), the context to fork them; else None.

    Workers are forked so they inherit the loaded segmenter or scorer instead of pickling
    it. Windows cannot fork, and on macOS a fork after system frameworks have started
    threads can crash, so there the work stays in the main process.
    """
    return multiprocessing.get_context("fork") if sys.platform.startswith("linux") else None


_INHERITED: dict[str, object] = {}  # what the pool being forked shares with its workers


def forked_pool(workers: int, name: str, shared: object) -> Pool | None:
    """A pool of `workers` forked processes that inherit `shared` (a worker reads it with
    `inherited(name)`) instead of receiving it pickled with every task; None where
    processes cannot be forked (see fork_context)."""
    context = fork_context()
    if context is None:
        return None
    _INHERITED[name] = shared
    try:
        return context.Pool(workers)
    finally:
        del _INHERITED[name]  # the workers have their copy


def inherited(name: str):
    """In a worker of `forked_pool(..., name, shared)`: that `shared`."""
    return _INHERITED[name]

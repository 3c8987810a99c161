"""Label a JSONL file of sentences: the stable contract behind `discourse stance predict`.

Input: one JSON object per line with `text` and optionally `context_before` and
`context_after`. Output: the same objects in the same order, every other field passed through
unchanged, plus `stance` (support | sceptical | neutral | irrelevant) and `stance_scores`
(a probability per label, summing to 1). Empty or whitespace-only text is `irrelevant` with
probability 1 and counted as a warning. The whole input is checked line by line (UTF-8, JSON
object, a string `text`) and any problem stops with the line number; the output is written to
a temporary file and moved into place only when every line succeeded.
"""

import json
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from discourse.errors import UsageError
from discourse.progress import SILENT, Progress
from discourse.vocabulary import STANCES

BATCH = 1_000


@dataclass(frozen=True)
class PredictSummary:
    rows: int
    empty: int  # rows with empty or whitespace-only text (labelled irrelevant)
    by_label: dict


def _records(path: Path) -> Iterator[tuple[int, dict]]:
    try:
        handle = sys.stdin.buffer if str(path) == "-" else Path(path).open("rb")  # noqa: SIM115 (closed by the with below)
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror}") from None
    with handle:
        for number, raw in enumerate(handle, start=1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise UsageError(
                    f"{path}:{number}: not UTF-8 (byte {exc.start} of the line)",
                    hint="convert the file to UTF-8",
                ) from None
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise UsageError(f"{path}:{number}: invalid JSON: {exc.msg}") from None
            if not isinstance(obj, dict):
                raise UsageError(
                    f"{path}:{number}: expected a JSON object, got {type(obj).__name__}"
                )
            if "text" not in obj:
                raise UsageError(f"{path}:{number}: missing field 'text'")
            for name in ("text", "context_before", "context_after"):
                value = obj.get(name)
                if value is not None and not isinstance(value, str):
                    raise UsageError(f"{path}:{number}: field '{name}' must be a string")
            yield number, obj


def label_records(model, records: list[dict]) -> tuple[list[dict], int]:
    """Add `stance` and `stance_scores` to each record; returns them and the empty count."""
    texts = [r.get("text") or "" for r in records]
    empty = np.array([not t.strip() for t in texts], dtype=bool)
    probabilities = np.tile(np.eye(len(STANCES))[STANCES.index("irrelevant")], (len(records), 1))
    rows = np.flatnonzero(~empty)
    if len(rows):
        probabilities[rows] = model.predict_proba(
            [texts[i] for i in rows],
            [records[i].get("context_before") or "" for i in rows],
            [records[i].get("context_after") or "" for i in rows],
        )
    out = []
    for record, p in zip(records, probabilities, strict=True):
        scores = {label: float(v) for label, v in zip(STANCES, p, strict=True)}
        out.append({**record, "stance": STANCES[int(np.argmax(p))], "stance_scores": scores})
    return out, int(empty.sum())


def predict_jsonl(
    model, in_path: Path, out_path: Path, progress: Progress = SILENT
) -> PredictSummary:
    """Label every line of `in_path` into `out_path` ("-" for stdin/stdout)."""
    to_stdout = str(out_path) == "-"
    tmp = None if to_stdout else Path(out_path).with_name(f".{Path(out_path).name}.partial")
    rows = empty = 0
    by_label = dict.fromkeys(STANCES, 0)
    sink = sys.stdout if to_stdout else tmp.open("w", encoding="utf-8")
    try:
        with progress.task("stance: labelling", total=None) as task:
            batch: list[dict] = []
            for _, record in _records(in_path):
                batch.append(record)
                if len(batch) == BATCH:
                    empty += _flush(model, batch, sink, by_label)
                    rows += len(batch)
                    task.advance(len(batch))
                    batch = []
            if batch:
                empty += _flush(model, batch, sink, by_label)
                rows += len(batch)
                task.advance(len(batch))
    except BaseException:
        if not to_stdout:
            sink.close()
            tmp.unlink(missing_ok=True)
        raise
    if not to_stdout:
        sink.close()
        os.replace(tmp, out_path)
    return PredictSummary(rows=rows, empty=empty, by_label=by_label)


def _flush(model, batch: list[dict], sink, by_label: dict) -> int:
    labelled, empty = label_records(model, batch)
    for record in labelled:
        by_label[record["stance"]] += 1
        sink.write(json.dumps(record, ensure_ascii=False) + "\n")
    return empty

"""Labelled sentences: the annotation files a stance model learns from and is judged by.

An annotation file is JSONL, one sentence per line: `text`, `context_before`,
`context_after`, `label` (a vocabulary.STANCES term) and who labelled it when (`annotator`,
`annotated_at`, `source`: written | corpus | dev). Files in `models/stance/annotations/` are
the project's training data; the shared dev set is read from its own path and never copied.
"""

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from discourse.errors import UsageError
from discourse.vocabulary import STANCES

REPO_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_MODEL_DIR = REPO_ROOT / "models" / "stance"
ANNOTATIONS = "annotations"  # sub-folder of a model directory holding its *.jsonl files
DEV_SET = "stance/dev.jsonl"  # under the shared data folder


@dataclass(frozen=True)
class Example:
    text: str
    label: str
    context_before: str = ""
    context_after: str = ""
    id: str | None = None
    annotator: str | None = None
    source: str | None = None
    annotated_at: str | None = None
    extra: dict = field(default_factory=dict, compare=False)

    def record(self) -> dict:
        """The JSON object written to an annotation file (extra fields kept)."""
        values = {k: v for k, v in asdict(self).items() if k != "extra" and v is not None}
        return {**values, **self.extra}


_FIELDS = {"text", "label", "context_before", "context_after", "id", "annotator", "source"}


def read_examples(path: Path, *, source: str | None = None) -> list[Example]:
    """Read labelled sentences from JSONL; any bad line stops with its file and line number."""
    path = Path(path)
    examples = []
    try:
        raw_lines = path.read_bytes().splitlines()
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror}") from None
    for number, raw in enumerate(raw_lines, start=1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise UsageError(
                f"{path}:{number}: not UTF-8 text", hint="save the file as UTF-8"
            ) from None
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise UsageError(f"{path}:{number}: invalid JSON: {exc.msg}") from None
        examples.append(_example(obj, path, number, source))
    return examples


def _example(obj, path: Path, number: int, source: str | None) -> Example:
    if not isinstance(obj, dict):
        raise UsageError(f"{path}:{number}: expected a JSON object")
    text, label = obj.get("text"), obj.get("label")
    if not isinstance(text, str) or not text.strip():
        raise UsageError(f"{path}:{number}: missing or empty 'text'")
    if label not in STANCES:
        raise UsageError(
            f"{path}:{number}: 'label' must be one of {', '.join(STANCES)}; got {label!r}"
        )
    return Example(
        text=text,
        label=label,
        context_before=obj.get("context_before") or "",
        context_after=obj.get("context_after") or "",
        id=None if obj.get("id") is None else str(obj["id"]),
        annotator=obj.get("annotator"),
        source=obj.get("source") or source,
        annotated_at=obj.get("annotated_at"),
        extra={k: v for k, v in obj.items() if k not in _FIELDS | {"annotated_at"}},
    )


def annotation_files(model_dir: Path) -> list[Path]:
    """The annotation files of a model directory, in name order (the training order)."""
    return sorted((Path(model_dir) / ANNOTATIONS).glob("*.jsonl"))


def append_examples(path: Path, examples: Iterable[Example]) -> None:
    """Append to an annotation file, one flushed line each, so an interrupted session keeps
    every label already given."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        for example in examples:
            handle.write(json.dumps(example.record(), ensure_ascii=False) + "\n")
            handle.flush()


def shared_data_dir() -> Path:
    """The shared real-data folder: $DISCOURSE_SHARED_DATA, else <repo>/../shared/data."""
    default = REPO_ROOT.parent / "shared" / "data"
    return Path(os.environ.get("DISCOURSE_SHARED_DATA", default))


def dev_set_path() -> Path | None:
    """The labelled dev set if it is present on this machine, else None."""
    path = shared_data_dir() / DEV_SET
    return path if path.exists() else None


def sha256_file(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def columns(examples: list[Example]) -> tuple[list[str], list[str], list[str], list[str]]:
    """texts, contexts_before, contexts_after, labels: the shape every model takes."""
    return (
        [e.text for e in examples],
        [e.context_before for e in examples],
        [e.context_after for e in examples],
        [e.label for e in examples],
    )

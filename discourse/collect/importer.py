"""Import a corpus a researcher already has (CSV, JSONL or Parquet) into the store.

Rows become documents through an ImportMapping, with the same provenance and upsert rules as
a crawl: the file, its SHA-256 and the mapping are recorded with an `import` run, and each
document points at that run. The file is checked in full before anything is written, so a bad
row stops the import with its line number and loses nothing; `skip_invalid` imports the good
rows and reports every skipped one.
"""

import csv
import gzip
import hashlib
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from discourse.config import IMPORTABLE_FIELDS, ImportMapping
from discourse.dates import parse_date
from discourse.errors import UsageError
from discourse.progress import SILENT, Progress
from discourse.store import Document, Store, text_sha256

_FORMATS = {
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}
MAX_REPORTED_PROBLEMS = 10


@dataclass
class ImportReport:
    path: Path
    run_id: str | None = None
    rows: int = 0
    counts: dict[str, int] = field(
        default_factory=lambda: {"added": 0, "new_version": 0, "updated": 0, "unchanged": 0}
    )
    skipped: list[tuple[int, str]] = field(default_factory=list)


class RowProblem(ValueError):
    """A row that cannot become a document; carries its line (or row) number."""

    def __init__(self, line: int, reason: str):
        super().__init__(f"line {line}: {reason}")
        self.line = line
        self.reason = reason


def detect_format(path: Path, declared: str | None) -> str:
    if declared:
        return declared
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    fmt = _FORMATS.get(suffixes[-1]) if suffixes else None
    if fmt is None:
        raise UsageError(
            f"{path}: cannot tell the file format from its name",
            hint="name it .csv, .jsonl or .parquet (optionally .gz), or pass --format",
        )
    return fmt


def read_rows(path: Path, fmt: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield (line or row number, row) from a corpus file, streaming."""
    if fmt == "parquet":
        yield from _parquet_rows(path)
        return
    opener = gzip.open if path.suffix.lower() == ".gz" else open
    try:
        with opener(path, "rb") as raw:
            lines = _decoded_lines(raw, path)
            yield from (_csv_rows(lines, path) if fmt == "csv" else _jsonl_rows(lines, path))
    except FileNotFoundError:
        raise UsageError(f"{path}: file not found") from None
    except (OSError, EOFError) as exc:
        raise UsageError(f"{path}: cannot read: {exc}") from None


def _decoded_lines(raw, path: Path) -> Iterator[str]:
    """Decode line by line so a bad byte is reported with its line number."""
    for number, line in enumerate(raw, start=1):
        try:
            yield line.decode("utf-8")
        except UnicodeDecodeError:
            raise UsageError(
                f"{path}:{number}: not UTF-8 text", hint="re-save the file as UTF-8"
            ) from None


def _csv_rows(lines: Iterator[str], path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    reader = csv.DictReader(lines)
    line = 1
    try:
        for row in reader:
            if None in row:
                raise UsageError(f"{path}:{line + 1}: more fields than the header has columns")
            yield line + 1, {k: (v if v != "" else None) for k, v in row.items()}
            line = reader.line_num
    except csv.Error as exc:
        raise UsageError(f"{path}:{reader.line_num}: malformed CSV ({exc})") from None


def _jsonl_rows(lines: Iterator[str], path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    for line_number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise UsageError(f"{path}:{line_number}: invalid JSON ({exc.msg})") from None
        if not isinstance(row, dict):
            raise UsageError(f"{path}:{line_number}: expected a JSON object per line")
        yield line_number, row


def _parquet_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except FileNotFoundError:
        raise UsageError(f"{path}: file not found") from None
    except Exception as exc:  # pyarrow raises several types for a damaged file
        raise UsageError(f"{path}: not a readable Parquet file ({exc})") from None
    number = 0
    for batch in parquet.iter_batches(batch_size=1000):
        for row in batch.to_pylist():
            number += 1
            yield number, row


class RowMapper:
    """Turns one input row into a Document according to an ImportMapping."""

    def __init__(self, mapping: ImportMapping, source: str):
        self.mapping = mapping
        self.source = source

    def check_columns(self, columns: list[str], path: Path) -> None:
        """Fail early, naming the file, when mapped columns are absent."""
        wanted = {"text": self.mapping.text, **self.mapping.columns}
        missing = [
            f"{field_name} ← '{column}'"
            for field_name, column in wanted.items()
            if column not in columns
        ]
        if missing:
            raise UsageError(
                f"{path}: missing column(s) {', '.join(missing)}; the file has: {', '.join(columns)}",
                hint="map them with --text-column / --column FIELD=COLUMN or a --mapping file",
            )

    def value(self, row: dict[str, Any], name: str) -> Any:
        column = self.mapping.columns.get(name, name)
        value = _clean(row.get(column))
        if value is None:
            value = self.mapping.defaults.get(name)
        return value

    def document(self, line: int, row: dict[str, Any]) -> Document:
        text = _clean(row.get(self.mapping.text))
        if not isinstance(text, str) or not text.strip():
            raise RowProblem(line, f"empty or missing text in column '{self.mapping.text}'")
        url = self.value(row, "url")
        if url is None:
            ident = self.value(row, "id")
            url = f"urn:discourse:{self.source}:" + (
                f"{ident}" if ident is not None else f"sha256:{text_sha256(text)}"
            )
        published_at = precision = None
        raw_date = self.value(row, "published_at")
        if raw_date is not None:
            try:
                parsed = parse_date(raw_date)
            except ValueError as exc:
                raise RowProblem(line, f"published_at: {exc}") from None
            published_at, precision = parsed.iso, parsed.precision
        declared_precision = self.value(row, "date_precision")
        if declared_precision and published_at:
            published_at, precision = _truncate(published_at, str(declared_precision), line)
        used = {self.mapping.text, *(self.mapping.columns.get(f, f) for f in IMPORTABLE_FIELDS)}
        extra = {
            k: _jsonable(v)
            for k, v in sorted(row.items())
            if k not in used and _clean(v) is not None
        }
        document = Document(
            url=str(url),
            canonical_url=_str_or_none(self.value(row, "canonical_url")),
            text=text,
            source_kind=_str_or_none(self.value(row, "source_kind")),
            actor_type=_str_or_none(self.value(row, "actor_type")),
            publisher=_str_or_none(self.value(row, "publisher")),
            author=_str_or_none(self.value(row, "author")),
            party=_str_or_none(self.value(row, "party")),
            title=_str_or_none(self.value(row, "title")),
            published_at=published_at,
            date_precision=precision,
            retrieved_at=_str_or_none(self.value(row, "retrieved_at")),
            language=_str_or_none(self.value(row, "language")),
            extra=extra,
        )
        if document.source_kind is None or document.actor_type is None:
            missing = "source_kind" if document.source_kind is None else "actor_type"
            raise RowProblem(
                line, f"no {missing}: map a column to it or give a default (--set {missing}=...)"
            )
        try:
            document.validate()
        except ValueError as exc:
            raise RowProblem(line, str(exc)) from None
        return document


def _clean(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(value).strip()


def _jsonable(value: Any) -> Any:
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def _truncate(iso: str, precision: str, line: int) -> tuple[str, str]:
    lengths = {"year": 4, "month": 7, "day": 10}
    if precision not in lengths:
        raise RowProblem(line, f"date_precision must be day, month or year; got {precision!r}")
    if lengths[precision] > len(iso):
        raise RowProblem(line, f"date_precision {precision} is finer than the date {iso!r}")
    return iso[: lengths[precision]], precision


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def import_file(
    store: Store,
    path: Path,
    mapping: ImportMapping,
    *,
    skip_invalid: bool = False,
    command: str | None = None,
    progress: Progress = SILENT,
) -> ImportReport:
    """Import one corpus file; raise UsageError listing bad rows unless skip_invalid."""
    path = Path(path)
    if not path.is_file():
        raise UsageError(
            f"{path}: file not found", hint="check the path given to `discourse import`"
        )
    fmt = detect_format(path, mapping.format)
    source = mapping.source or path.name.split(".")[0]
    mapper = RowMapper(mapping, source)
    report = ImportReport(path)

    problems: list[RowProblem] = []
    first = True
    with progress.task(f"checking {path.name}") as task:
        for line, row in read_rows(path, fmt):
            if first:
                mapper.check_columns(list(row), path)
                first = False
            report.rows += 1
            try:
                mapper.document(line, row)
            except RowProblem as problem:
                problems.append(problem)
            task.advance()
    if problems and not skip_invalid:
        shown = "; ".join(str(p) for p in problems[:MAX_REPORTED_PROBLEMS])
        more = len(problems) - MAX_REPORTED_PROBLEMS
        raise UsageError(
            f"{path}: {len(problems)} of {report.rows} rows cannot be imported: {shown}"
            + (f"; and {more} more" if more > 0 else ""),
            hint="fix those rows or the mapping, or pass --skip-invalid to import the rest; nothing was written",
        )
    report.skipped = [(p.line, p.reason) for p in problems]

    config = {
        "path": str(path),
        "file_sha256": file_sha256(path),
        "format": fmt,
        "mapping": mapping.model_dump(),
    }
    source_id = store.ensure_source(source, "import", config)
    with (
        store.run("import", config=config, command=command) as run,
        progress.task(f"importing {path.name}", total=report.rows) as task,
    ):
        report.run_id = run.id
        batch: list[Document] = []
        for line, row in read_rows(path, fmt):
            try:
                batch.append(mapper.document(line, row))
            except RowProblem:
                continue  # already counted and reported in the checking pass
            if len(batch) >= 500:
                _flush(store, batch, run.id, source_id, report, task)
        _flush(store, batch, run.id, source_id, report, task)
        run.summary.update(rows=report.rows, skipped=len(report.skipped), **report.counts)
    return report


def _flush(
    store: Store, batch: list[Document], run_id: str, source_id: int, report: ImportReport, task
) -> None:
    for result in store.add_documents(batch, run_id=run_id, source_id=source_id):
        report.counts[result.status] += 1
    task.advance(len(batch))
    batch.clear()

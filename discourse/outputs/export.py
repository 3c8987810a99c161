"""Export documents or a run's results as CSV, JSONL or Parquet for sharing and other tools.

A run's export is a stable contract: result tables in name order, rows in each table's key
order, numbers written the same way every time, so two runs of the same corpus, config and
seed export identical bytes. For that reason the export carries the run's reproducible
provenance (config hash, versions, seed, corpus fingerprint) but not its id or clock times.

Shapes:
- jsonl: one object per row, `table` first (`run` for the provenance record);
- csv: one stacked table, `table` first, then the union of all columns (blank where a table
  has no such column); provenance as `run` rows of `property, value`;
- a directory as --out (and always for parquet): one file per table plus `run.json`.
"""

import csv
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pandas as pd

from discourse.errors import UsageError
from discourse.provenance import canonical_json
from discourse.store import Store
from discourse.vocabulary import DOCUMENT_METADATA

FORMATS = ("csv", "jsonl", "parquet")
_PROVENANCE_KEYS = (
    "kind",
    "config_hash",
    "config_json",
    "package_version",
    "library_versions",
    "seed",
    "corpus_documents",
    "corpus_max_retrieved_at",
    "corpus_fingerprint",
)
DOCUMENT_COLUMNS = (
    "id",
    *DOCUMENT_METADATA,
    "word_count",
    "text_sha256",
    "version",
    "is_latest",
    "duplicate_of",
    "warc_file",
    "warc_offset",
    "run_id",
    "extra",
    "text",
)


def run_provenance(store: Store, run_id: str) -> dict[str, Any]:
    """The reproducible part of a run's record (no id, no clock times)."""
    run = store.get_run(run_id)
    if run["status"] != "ok":
        raise UsageError(
            f"run {run_id} is {run['status']}, not finished",
            hint="export a run that finished ok (`discourse runs` lists them)",
        )
    return {key: run[key] for key in _PROVENANCE_KEYS}


def run_tables(store: Store, run_id: str) -> dict[str, pd.DataFrame]:
    return {name: store.read_results(run_id, name) for name in store.result_names(run_id)}


def export_run(
    store: Store, run_id: str, fmt: str, out: Path | None, stdout: IO[str] | None = None
) -> list[Path]:
    """Write a run's result tables; returns the files written (none when writing to stdout)."""
    _check_format(fmt)
    provenance = run_provenance(store, run_id)
    tables = run_tables(store, run_id)
    if fmt == "parquet" or (out is not None and (out.is_dir() or not out.suffix)):
        if out is None:
            raise UsageError(
                "parquet export needs --out DIRECTORY", hint="for example --out outputs/export"
            )
        return _write_directory(out, fmt, provenance, tables)
    if out is None:
        _write_stacked(stdout or sys.stdout, fmt, provenance, tables)
        return []
    _ensure_parent(out)
    with out.open("w", encoding="utf-8", newline="") as handle:
        _write_stacked(handle, fmt, provenance, tables)
    return [out]


def _write_stacked(
    handle: IO[str], fmt: str, provenance: dict, tables: dict[str, pd.DataFrame]
) -> None:
    if fmt == "jsonl":
        handle.write(canonical_json({"table": "run", **provenance}) + "\n")
        for name, frame in tables.items():
            for record in _records(frame):
                handle.write(
                    json.dumps({"table": name, **record}, ensure_ascii=False, separators=(",", ":"))
                )
                handle.write("\n")
        return
    columns: list[str] = ["property", "value"]
    for frame in tables.values():
        columns.extend(c for c in frame.columns if c not in columns)
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(["table", *columns])
    for key, value in provenance.items():
        row = {
            "property": key,
            "value": value if isinstance(value, str | int | float) else canonical_json(value),
        }
        writer.writerow(["run", *(_csv_cell(row.get(c)) for c in columns)])
    for name, frame in tables.items():
        for record in _records(frame):
            writer.writerow([name, *(_csv_cell(record.get(c)) for c in columns)])


def _write_directory(
    out: Path, fmt: str, provenance: dict, tables: dict[str, pd.DataFrame]
) -> list[Path]:
    if out.exists() and not out.is_dir():
        raise UsageError(
            f"{out}: exists and is not a directory", hint="give --out a directory for this format"
        )
    out.mkdir(parents=True, exist_ok=True)
    written = [out / "run.json"]
    written[0].write_text(
        json.dumps(provenance, indent=2, sort_keys=True, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    for name, frame in tables.items():
        path = out / f"{name}.{fmt}"
        if fmt == "parquet":
            import pyarrow as pa
            import pyarrow.parquet as pq

            table = pa.Table.from_pandas(frame, preserve_index=False)
            table = table.replace_schema_metadata({"discourse_run": canonical_json(provenance)})
            pq.write_table(table, path)
        else:
            with path.open("w", encoding="utf-8", newline="") as handle:
                _write_table(handle, fmt, frame)
        written.append(path)
    return written


def _write_table(handle: IO[str], fmt: str, frame: pd.DataFrame) -> None:
    if fmt == "jsonl":
        for record in _records(frame):
            handle.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
        return
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(list(frame.columns))
    for record in _records(frame):
        writer.writerow([_csv_cell(record[c]) for c in frame.columns])


def export_documents(
    store: Store,
    fmt: str,
    out: Path | None,
    *,
    include_text: bool = True,
    include_duplicates: bool = False,
    all_versions: bool = False,
    stdout: IO[str] | None = None,
) -> list[Path]:
    """Write the corpus's documents with their provenance, streaming."""
    _check_format(fmt)
    columns = [c for c in DOCUMENT_COLUMNS if include_text or c != "text"]
    rows = (
        _document_record(doc, columns)
        for doc in store.iter_documents(
            include_duplicates=include_duplicates, all_versions=all_versions
        )
    )
    if fmt == "parquet":
        if out is None:
            raise UsageError("parquet export needs --out FILE.parquet")
        _ensure_parent(out)
        _write_parquet_stream(out, columns, rows)
        return [out]
    handle: IO[str]
    if out is None:
        handle = stdout or sys.stdout
    else:
        _ensure_parent(out)
        handle = out.open("w", encoding="utf-8", newline="")
    try:
        if fmt == "jsonl":
            for record in rows:
                handle.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
        else:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(columns)
            for record in rows:
                writer.writerow([_csv_cell(record[c]) for c in columns])
    finally:
        if out is not None:
            handle.close()
    return [] if out is None else [out]


def _document_record(doc, columns: list[str]) -> dict[str, Any]:
    record = {c: getattr(doc, c) for c in columns}
    record["extra"] = canonical_json(doc.extra)
    record["is_latest"] = int(bool(doc.is_latest))
    return record


def _write_parquet_stream(out: Path, columns: list[str], rows: Iterator[dict]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    integer = {"id", "word_count", "version", "is_latest", "duplicate_of", "warc_offset"}
    schema = pa.schema([(c, pa.int64() if c in integer else pa.string()) for c in columns])
    with pq.ParquetWriter(out, schema) as writer:
        batch: list[dict] = []
        for record in rows:
            batch.append(record)
            if len(batch) >= 2000:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                batch = []
        if batch:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))


def _records(frame: pd.DataFrame) -> Iterator[dict[str, Any]]:
    columns = list(frame.columns)
    for values in frame.itertuples(index=False, name=None):
        yield {c: _plain(v) for c, v in zip(columns, values, strict=True)}


def _plain(value: Any) -> Any:
    if value is None:
        return None
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    return value


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise UsageError(f"unknown export format {fmt!r}", hint=f"use one of {', '.join(FORMATS)}")


def _ensure_parent(path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"{path}: cannot create its directory: {exc.strerror}") from None

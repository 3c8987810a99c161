"""Documents a researcher already holds: a folder of HTML, PDF and text files, and WARC files
written by other crawlers.

Nothing is fetched, so every document comes out of `start()`. A folder may carry a metadata
CSV (`metadata.csv` by default) with a `file` column (the path relative to the folder) and any
of url, title, author, publisher, party, published_at (or date), actor_type, source_kind and
language; other columns are kept in `extra`. A WARC's response records are extracted one by
one, each keeping the WARC file and offset it came from, its capture time in `extra`.
"""

import csv
import glob
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

from pydantic import field_validator, model_validator
from warcio.exceptions import ArchiveLoadFailed

from discourse.collect.archive import iter_records
from discourse.collect.extract import DEFAULT_LIMITS, ExtractionError, extract_bytes
from discourse.collect.model import Outcome, Skip
from discourse.collect.sources import register
from discourse.collect.sources.common import (
    ActorType,
    SourceAdapter,
    SourceConfig,
    SourceKind,
    check_selectors,
    try_date,
)
from discourse.dates import utc_now
from discourse.errors import ConfigError
from discourse.vocabulary import ACTOR_TYPES, SOURCE_KINDS

TYPES = {".html": "text/html", ".htm": "text/html", ".pdf": "application/pdf", ".txt": "text/plain"}
FIELDS = ("url", "title", "author", "publisher", "party", "language", "actor_type", "source_kind")
EXTRACTABLE = ("text/html", "application/xhtml+xml", "application/pdf", "text/plain")


class FilesConfig(SourceConfig):
    """A [sources.NAME] table with adapter = "files" (a folder, WARC files, or both)."""

    actor_type: ActorType = "other"
    source_kind: SourceKind = "other"
    keep_undated: bool = True  # local files rarely say when they were published
    folder: str | None = None
    metadata: str | None = None  # CSV; default <folder>/metadata.csv when it exists
    # URL given to a file the CSV gives none: url_prefix + its path in the folder (default:
    # a file:// URL of the file)
    url_prefix: str | None = None
    warcs: list[str] = []  # WARC files or glob patterns
    selectors: dict[str, str] = {}

    @field_validator("selectors")
    @classmethod
    def _selectors(cls, value: dict[str, str]) -> dict[str, str]:
        return check_selectors(value)

    @model_validator(mode="after")
    def _something(self) -> "FilesConfig":
        if not self.folder and not self.warcs:
            raise ValueError("the files adapter needs a folder, warcs, or both")
        return self


@register
class FilesAdapter(SourceAdapter):
    name = "files"
    Config = FilesConfig
    config: FilesConfig

    def start(self) -> Iterator[Outcome]:
        if self.config.folder:
            yield from self._folder(self.local_path(self.config.folder))
        for pattern in self.config.warcs:
            absolute = str(self.local_path(pattern))
            for path in sorted(glob.glob(absolute)) or [absolute]:
                yield from self._warc(Path(path))

    # -- a folder ----------------------------------------------------------------------------

    def _folder(self, folder: Path) -> Iterator[Outcome]:
        if not folder.is_dir():
            raise ConfigError(f"{folder}: folder not found", hint="check `folder` in sources.toml")
        csv_path = (
            self.local_path(self.config.metadata)
            if self.config.metadata
            else folder / "metadata.csv"
        )
        if self.config.metadata and not csv_path.is_file():
            raise ConfigError(f"{csv_path}: metadata CSV not found", hint="check `metadata`")
        rows = read_metadata(csv_path) if csv_path.is_file() else {}
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            relative = path.relative_to(folder).as_posix()
            if path == csv_path or any(
                part.startswith(".") for part in path.relative_to(folder).parts
            ):
                continue
            row = rows.pop(relative, {})
            url = row.pop("url", None) or self._url(path, relative)
            content_type = TYPES.get(path.suffix.lower())
            if content_type is None:
                yield Skip(url, f"unsupported file type {path.suffix or '(none)'}")
                continue
            yield self._extract(
                path.read_bytes(),
                content_type,
                url,
                row,
                retrieved_at=utc_now(),
                extra={"file": relative},
            )
        for missing in rows:
            yield Skip(str(folder / missing), "listed in the metadata CSV but not in the folder")

    def _url(self, path: Path, relative: str) -> str:
        if self.config.url_prefix:
            return self.config.url_prefix + quote(relative)
        return path.resolve().as_uri()

    # -- WARC files --------------------------------------------------------------------------

    def _warc(self, path: Path) -> Iterator[Outcome]:
        """Each response record's document; a damaged file is read up to the damage, which
        is recorded as a skip of the file, and an oversized record is skipped alone."""
        if not path.is_file():
            raise ConfigError(f"{path}: WARC file not found", hint="check `warcs` in sources.toml")
        largest = max(DEFAULT_LIMITS.max_html_bytes, DEFAULT_LIMITS.max_pdf_bytes)
        read = 0
        with path.open("rb") as stream:
            try:
                for offset, record, body in iter_records(stream, read_up_to=largest):
                    read += 1
                    if record.rec_type != "response" or record.http_headers is None:
                        continue
                    url = record.rec_headers.get_header("WARC-Target-URI")
                    status = record.http_headers.get_statuscode()
                    content_type = record.http_headers.get_header("Content-Type") or ""
                    if len(body) > largest:
                        yield Skip(url, f"record larger than {largest:,} bytes in {path.name}")
                        continue
                    if status != "200":
                        yield Skip(url, f"HTTP {status} in {path.name}")
                        continue
                    if content_type.split(";")[0].strip().lower() not in EXTRACTABLE:
                        yield Skip(url, f"unsupported content type {content_type or '(none)'}")
                        continue
                    captured = record.rec_headers.get_header("WARC-Date")
                    yield self._extract(
                        body,
                        content_type,
                        url,
                        {},
                        retrieved_at=captured,
                        extra={"warc_source": path.name, "captured_at": captured},
                        warc=(str(path), offset),
                    )
            except ArchiveLoadFailed as exc:
                yield Skip(str(path), f"not a readable WARC file: {exc}")
            except (ValueError, EOFError, OSError, zlib.error) as exc:
                yield Skip(
                    str(path),
                    f"damaged or truncated WARC file ({type(exc).__name__}: {exc}); "
                    f"the {read} records before the damage were read",
                )

    # -- both --------------------------------------------------------------------------------

    def _extract(
        self,
        data: bytes,
        content_type: str,
        url: str,
        row: dict[str, str],
        *,
        retrieved_at: str | None,
        extra: dict[str, Any],
        warc: tuple[str, int] | None = None,
    ) -> Outcome:
        try:
            extracted = extract_bytes(
                data, content_type=content_type, url=url, selectors=self.config.selectors or None
            )
        except ExtractionError as exc:
            return Skip(url, f"extraction failed: {exc.reason}")
        fields = {name: row.pop(name) for name in FIELDS if row.get(name)}
        date_text = row.pop("published_at", None) or row.pop("date", None)
        outcome = self.extracted_document(
            url,
            extracted,
            None,
            title=fields.get("title"),
            author=fields.get("author"),
            publisher=fields.get("publisher"),
            party=fields.get("party"),
            language=fields.get("language"),
            actor_type=fields.get("actor_type"),
            source_kind=fields.get("source_kind"),
            date=try_date(date_text) if date_text else None,
            retrieved_at=retrieved_at,
            extra={**extra, **{k: v for k, v in row.items() if v}},
        )
        if warc and not isinstance(outcome, Skip):
            outcome.warc_file, outcome.warc_offset = warc
        return outcome


def read_metadata(path: Path) -> dict[str, dict[str, str]]:
    """Rows of a metadata CSV keyed by their `file` column; ConfigError names a bad line."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        if not reader.fieldnames or "file" not in reader.fieldnames:
            raise ConfigError(
                f"{path}: metadata CSV needs a `file` column",
                hint="name the files relative to the folder",
            )
        rows: dict[str, dict[str, str]] = {}
        for number, row in enumerate(reader, start=2):
            name = (row.pop("file") or "").strip()
            clean = {k.strip(): (v or "").strip() for k, v in row.items() if k}
            for field, allowed in (("actor_type", ACTOR_TYPES), ("source_kind", SOURCE_KINDS)):
                if clean.get(field) and clean[field] not in allowed:
                    raise ConfigError(
                        f"{path}:{number}: {field} {clean[field]!r} is not one of {', '.join(allowed)}"
                    )
            date_text = clean.get("published_at") or clean.get("date")
            if date_text and try_date(date_text) is None:
                raise ConfigError(f"{path}:{number}: date {date_text!r} is not a date")
            if name in rows:
                raise ConfigError(f"{path}:{number}: file {name!r} is listed twice")
            rows[name] = clean
        return rows

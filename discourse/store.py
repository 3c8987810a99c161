"""The one SQLite store: documents with provenance, passages, runs and their results.

SQLite because it is embedded, crash-safe, and readable from a notebook while a crawl writes
(WAL mode: readers never block the writer). The schema is versioned with
`PRAGMA user_version`; an older store is upgraded in place by forward migrations, each in one
transaction, so a failed upgrade leaves the store as it was. A file that is not ours, is
corrupt, or comes from a newer release is refused with a message, never overwritten.
"""

import hashlib
import json
import os
import re
import secrets
import sqlite3
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import pandas as pd

from discourse.dates import utc_now
from discourse.errors import StoreError, UsageError
from discourse.provenance import canonical_json, config_hash, library_versions, package_version
from discourse.vocabulary import (
    ACTOR_TYPES,
    DATE_PRECISIONS,
    DOCUMENT_METADATA,
    SOURCE_KINDS,
    check_term,
)

DEFAULT_PATH = Path("corpus/discourse.sqlite")
APPLICATION_ID = 0x44495343  # "DISC": marks a SQLite file as a discourse store
_SQLITE_MAGIC = b"SQLite format 3\x00"
_BUSY_TIMEOUT_MS = 60_000

# Forward migrations: (version, SQL). Append only; never edit a released step.
MIGRATIONS: list[tuple[int, str]] = [
    (
        1,
        f"""
        PRAGMA application_id = {APPLICATION_ID};
        CREATE TABLE runs (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'running',
            started_at TEXT NOT NULL,
            finished_at TEXT,
            command TEXT,
            config_json TEXT,
            config_hash TEXT,
            package_version TEXT NOT NULL,
            library_versions TEXT NOT NULL,
            seed INTEGER,
            corpus_documents INTEGER NOT NULL,
            corpus_max_retrieved_at TEXT,
            corpus_fingerprint TEXT NOT NULL,
            summary TEXT,
            error TEXT
        );
        CREATE TABLE sources (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            adapter TEXT NOT NULL,
            config_json TEXT NOT NULL DEFAULT '{{}}',
            created_at TEXT NOT NULL
        );
        CREATE TABLE documents (
            id INTEGER PRIMARY KEY,
            source_id INTEGER REFERENCES sources(id),
            run_id TEXT REFERENCES runs(id),
            url TEXT NOT NULL,
            canonical_url TEXT NOT NULL,
            source_kind TEXT NOT NULL,
            actor_type TEXT NOT NULL,
            publisher TEXT,
            author TEXT,
            party TEXT,
            title TEXT,
            published_at TEXT,
            date_precision TEXT,
            retrieved_at TEXT NOT NULL,
            language TEXT,
            text TEXT NOT NULL,
            text_sha256 TEXT NOT NULL,
            word_count INTEGER NOT NULL,
            warc_file TEXT,
            warc_offset INTEGER,
            extra TEXT NOT NULL DEFAULT '{{}}' CHECK (json_valid(extra)),
            version INTEGER NOT NULL,
            is_latest INTEGER NOT NULL,
            duplicate_of INTEGER REFERENCES documents(id),
            added_at TEXT NOT NULL,
            UNIQUE (canonical_url, version)
        );
        CREATE UNIQUE INDEX documents_latest ON documents(canonical_url) WHERE is_latest = 1;
        CREATE INDEX documents_sha ON documents(text_sha256);
        CREATE INDEX documents_published ON documents(published_at);
        CREATE VIRTUAL TABLE documents_fts USING fts5(
            title, text, content='documents', content_rowid='id', tokenize='porter unicode61'
        );
        CREATE TRIGGER documents_fts_insert AFTER INSERT ON documents BEGIN
            INSERT INTO documents_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
        END;
        CREATE TRIGGER documents_fts_delete AFTER DELETE ON documents BEGIN
            INSERT INTO documents_fts(documents_fts, rowid, title, text)
            VALUES ('delete', old.id, old.title, old.text);
        END;
        CREATE TRIGGER documents_fts_update AFTER UPDATE OF title, text ON documents BEGIN
            INSERT INTO documents_fts(documents_fts, rowid, title, text)
            VALUES ('delete', old.id, old.title, old.text);
            INSERT INTO documents_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
        END;
        CREATE TABLE passages (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            segmenter TEXT NOT NULL,
            unit TEXT NOT NULL,
            seq INTEGER NOT NULL,
            parent_seq INTEGER,
            char_start INTEGER NOT NULL,
            char_end INTEGER NOT NULL,
            UNIQUE (document_id, segmenter, unit, seq)
        );
        CREATE TABLE result_tables (
            name TEXT PRIMARY KEY,
            columns TEXT NOT NULL,
            key TEXT NOT NULL,
            description TEXT NOT NULL
        );
        """,
    ),
    (
        2,
        """
        -- collection engine (discourse/collect): the crawl frontier, skips and duplicates
        CREATE TABLE crawl_state (
            mode TEXT NOT NULL CHECK (mode IN ('live', 'replay')),
            source TEXT NOT NULL,
            epoch INTEGER NOT NULL,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            PRIMARY KEY (mode, source)
        );
        CREATE TABLE frontier (
            id INTEGER PRIMARY KEY,
            mode TEXT NOT NULL CHECK (mode IN ('live', 'replay')),
            source TEXT NOT NULL,
            key TEXT NOT NULL,
            url TEXT NOT NULL,
            host TEXT NOT NULL,
            handler TEXT NOT NULL,
            data TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(data)),
            priority INTEGER NOT NULL DEFAULT 0,
            state TEXT NOT NULL CHECK (state IN ('pending', 'in_flight', 'done', 'failed')),
            epoch INTEGER NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            reason TEXT,
            retryable INTEGER NOT NULL DEFAULT 0,
            status INTEGER,
            discovered_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            fetched_at TEXT,
            etag TEXT,
            last_modified TEXT,
            warc_file TEXT,
            warc_offset INTEGER,
            found_requests INTEGER,
            found_documents INTEGER,
            run_id TEXT REFERENCES runs(id),
            UNIQUE (mode, source, key)
        );
        CREATE INDEX frontier_queue ON frontier(mode, source, state, host, priority DESC, id);
        CREATE TABLE crawl_skips (
            id INTEGER PRIMARY KEY,
            mode TEXT NOT NULL CHECK (mode IN ('live', 'replay')),
            source TEXT NOT NULL,
            url TEXT NOT NULL,
            reason TEXT NOT NULL,
            run_id TEXT REFERENCES runs(id),
            at TEXT NOT NULL,
            UNIQUE (mode, source, url)
        );
        CREATE TABLE duplicates (
            document_id INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
            duplicate_of INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            method TEXT NOT NULL CHECK (method IN ('exact', 'near')),
            similarity REAL NOT NULL,
            run_id TEXT REFERENCES runs(id),
            detected_at TEXT NOT NULL
        );
        CREATE INDEX duplicates_of ON duplicates(duplicate_of);
        CREATE TABLE dedup_signatures (
            document_id INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
            scheme TEXT NOT NULL,
            signature BLOB NOT NULL
        );
        """,
    ),
    (
        3,
        # analysis: spaCy tokens cached per sentence text, so re-runs tokenise only new text
        """
        CREATE TABLE token_cache (
            tokenizer TEXT NOT NULL,
            text_sha256 BLOB NOT NULL,
            tokens TEXT NOT NULL,
            PRIMARY KEY (tokenizer, text_sha256)
        ) WITHOUT ROWID;
        """,
    ),
    (
        4,
        """
        -- collection engine: what a 404 means for a guessed URL (Request.absent) and where an
        -- item was first listed (Request.listed_by), kept so a resumed crawl still knows them
        ALTER TABLE frontier ADD COLUMN absent TEXT;
        ALTER TABLE frontier ADD COLUMN listed_by TEXT;
        """,
    ),
    (
        5,
        # analysis: tokens cached per document text (one row read back per document, not
        # one per sentence); replaces token_cache, a cache that is simply rebuilt
        """
        DROP TABLE token_cache;
        CREATE TABLE token_forms (
            id INTEGER PRIMARY KEY,
            form TEXT NOT NULL UNIQUE
        );
        CREATE TABLE document_tokens (
            tokenizer TEXT NOT NULL,
            text_key TEXT NOT NULL,
            lengths BLOB NOT NULL,
            ids BLOB NOT NULL,
            PRIMARY KEY (tokenizer, text_key)
        ) WITHOUT ROWID;
        """,
    ),
]
SCHEMA_VERSION = MIGRATIONS[-1][0]

DOCUMENT_FIELDS = (
    *DOCUMENT_METADATA,
    "text",
    "warc_file",
    "warc_offset",
    "extra",
)
# Metadata that may be corrected in place when the text itself is unchanged.
_CORRECTABLE_FIELDS = (
    "publisher",
    "author",
    "party",
    "title",
    "published_at",
    "date_precision",
    "language",
)


@dataclass
class Document:
    """One text with where it came from. Fields after `extra` are set by the store."""

    url: str
    text: str
    source_kind: str
    actor_type: str
    canonical_url: str | None = None
    publisher: str | None = None
    author: str | None = None
    party: str | None = None
    title: str | None = None
    published_at: str | None = None
    date_precision: str | None = None
    retrieved_at: str | None = None
    language: str | None = None
    warc_file: str | None = None
    warc_offset: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    id: int | None = None
    source_id: int | None = None
    run_id: str | None = None
    text_sha256: str | None = None
    word_count: int | None = None
    version: int | None = None
    is_latest: bool | None = None
    duplicate_of: int | None = None
    added_at: str | None = None

    def validate(self) -> None:
        """Raise ValueError naming the first field that breaks the vocabulary or is missing."""
        if not self.url:
            raise ValueError("url is empty")
        if not isinstance(self.text, str) or not self.text.strip():
            raise ValueError("text is empty")
        check_term("source_kind", self.source_kind, SOURCE_KINDS)
        check_term("actor_type", self.actor_type, ACTOR_TYPES)
        if self.published_at is not None:
            if self.date_precision is None:
                raise ValueError("published_at is set but date_precision is not")
            check_term("date_precision", self.date_precision, DATE_PRECISIONS)
            expected_length = {"year": 4, "month": 7, "day": 10}[self.date_precision]
            if len(self.published_at) != expected_length:
                raise ValueError(
                    f"published_at {self.published_at!r} does not match precision {self.date_precision}"
                )


@dataclass(frozen=True)
class Upsert:
    """What adding a document did: added, new_version, updated (metadata only) or unchanged."""

    id: int
    status: str


@dataclass(frozen=True)
class ResultTable:
    """The declared shape of one analysis result table (stored as `result_<name>`)."""

    name: str
    columns: tuple[tuple[str, str], ...]  # (column, SQLite type: INTEGER, REAL or TEXT)
    key: tuple[str, ...]  # columns that identify a row within a run; also the export order
    description: str

    def __post_init__(self):
        if not re.fullmatch(r"[a-z][a-z0-9_]*", self.name):
            raise ValueError(f"result table name {self.name!r} must be lower_snake_case")
        names = [c for c, _ in self.columns]
        if "run_id" in names or len(set(names)) != len(names):
            raise ValueError(f"result table {self.name}: columns must be unique and not run_id")
        if not set(self.key) <= set(names):
            raise ValueError(f"result table {self.name}: key columns must be among its columns")
        for column, kind in self.columns:
            if not re.fullmatch(r"[a-z][a-z0-9_]*", column) or kind not in (
                "INTEGER",
                "REAL",
                "TEXT",
            ):
                raise ValueError(f"result table {self.name}: bad column {column} {kind}")

    @property
    def sql_name(self) -> str:
        return f"result_{self.name}"


@dataclass(frozen=True)
class KwicLine:
    """One keyword-in-context hit from a full-text search."""

    document_id: int
    published_at: str | None
    publisher: str | None
    url: str
    left: str
    match: str
    right: str


def normalise_text(text: str) -> str:
    """Canonical form used for hashing and storage: NFC, Unix newlines, no outer whitespace."""
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n")).strip()


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def new_run_id() -> str:
    """A sortable, unique run id: UTC start time plus random hex."""
    stamp = utc_now().replace("-", "").replace(":", "")
    return f"{stamp}-{secrets.token_hex(3)}"


class Store:
    """A connection to one store file. Open with `Store.open(path)`; use as a context manager."""

    def __init__(self, connection: sqlite3.Connection, path: Path, readonly: bool):
        self.connection = connection
        self.path = path
        self.readonly = readonly

    # -- opening -----------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        path: str | os.PathLike | None = None,
        *,
        create: bool = True,
        readonly: bool = False,
        migrations: Sequence[tuple[int, str]] = MIGRATIONS,
    ) -> "Store":
        """Open (and create or upgrade) a store; StoreError explains any refusal."""
        path = Path(path) if path is not None else resolve_path()
        exists = path.exists()
        if exists:
            _check_is_sqlite(path)
        elif readonly or not create:
            raise UsageError(
                f"{path}: no store here",
                hint="build one with `discourse import` or `make corpus`, or point --db at an existing store",
            )
        else:
            _check_can_create(path)
        try:
            if readonly:
                connection = sqlite3.connect(
                    f"file:{path}?mode=ro",
                    uri=True,
                    timeout=_BUSY_TIMEOUT_MS / 1000,
                    isolation_level=None,
                )
            else:
                connection = sqlite3.connect(
                    path, timeout=_BUSY_TIMEOUT_MS / 1000, isolation_level=None
                )
        except sqlite3.Error as exc:
            raise _store_error(exc, path) from None
        store = cls(connection, path, readonly)
        try:
            store._prepare(list(migrations))
        except BaseException:
            connection.close()
            raise
        return store

    def _prepare(self, migrations: list[tuple[int, str]]) -> None:
        conn = self.connection
        conn.row_factory = sqlite3.Row
        try:
            conn.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
            application_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise StoreError(
                f"{self.path}: not a readable SQLite database ({exc})",
                hint="the file is corrupt or not a store; point --db elsewhere",
            ) from None
        if application_id != APPLICATION_ID and (application_id != 0 or tables > 0):
            raise StoreError(
                f"{self.path}: this SQLite file is not a discourse store",
                hint="it was left untouched; point --db at a discourse store or a new file",
            )
        latest = migrations[-1][0]
        if version > latest:
            raise StoreError(
                f"{self.path}: store schema version {version} is newer than this discourse "
                f"{package_version()} understands ({latest})",
                hint="upgrade discourse (pip install -U discourse); the store was left untouched",
            )
        if not self.readonly:
            try:
                conn.execute("PRAGMA journal_mode = WAL")
            except sqlite3.OperationalError as exc:
                raise _store_error(exc, self.path) from None
        if version < latest:
            if self.readonly:
                raise StoreError(
                    f"{self.path}: store schema version {version} needs upgrading to {latest}",
                    hint="open it once without read-only mode (any discourse command) to upgrade it",
                )
            self._migrate(version, migrations)
        conn.execute("PRAGMA foreign_keys = ON")

    def _migrate(self, version: int, migrations: list[tuple[int, str]]) -> None:
        for step, sql in migrations:
            if step <= version:
                continue
            try:
                self.connection.executescript(
                    f"BEGIN IMMEDIATE;\n{sql}\nPRAGMA user_version = {step};\nCOMMIT;"
                )
            except sqlite3.Error as exc:
                if self.connection.in_transaction:
                    self.connection.execute("ROLLBACK")
                raise StoreError(
                    f"{self.path}: upgrading the store to schema version {step} failed ({exc})",
                    hint="the store was rolled back to version "
                    f"{self.connection.execute('PRAGMA user_version').fetchone()[0]}; report this",
                ) from None

    def close(self) -> None:
        self.connection.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        return self.connection.execute("PRAGMA user_version").fetchone()[0]

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; taken eagerly so concurrent writers queue instead of failing.

        Nested use joins the enclosing transaction, so several writes (a crawled response's
        documents and its frontier state) commit or roll back together.
        """
        if self.readonly:
            raise StoreError(f"{self.path}: opened read-only; this command writes to the store")
        conn = self.connection
        if conn.in_transaction:
            yield conn
            return
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise _store_error(exc, self.path) from None
        try:
            yield conn
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise _store_error(exc, self.path) from None
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    def read(self, sql: str, params: Sequence | Mapping = ()) -> list[sqlite3.Row]:
        """Run a read-only query, translating SQLite failures into StoreError."""
        try:
            return self.connection.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise _store_error(exc, self.path) from None

    # -- sources -----------------------------------------------------------------------------

    def ensure_source(self, name: str, adapter: str, config: Mapping | None = None) -> int:
        """The id of a named source, created on first use; its config is kept up to date."""
        config_json = canonical_json(config or {})
        with self.transaction() as conn:
            row = conn.execute("SELECT id FROM sources WHERE name = ?", (name,)).fetchone()
            if row:
                conn.execute(
                    "UPDATE sources SET adapter = ?, config_json = ? WHERE id = ?",
                    (adapter, config_json, row["id"]),
                )
                return row["id"]
            return conn.execute(
                "INSERT INTO sources (name, adapter, config_json, created_at) VALUES (?, ?, ?, ?)",
                (name, adapter, config_json, utc_now()),
            ).lastrowid

    # -- documents ---------------------------------------------------------------------------

    def add_document(
        self, document: Document, *, run_id: str | None = None, source_id: int | None = None
    ) -> Upsert:
        """Add one document with upsert semantics (see add_documents)."""
        return self.add_documents([document], run_id=run_id, source_id=source_id)[0]

    def add_documents(
        self,
        documents: Iterable[Document],
        *,
        run_id: str | None = None,
        source_id: int | None = None,
        batch_size: int = 500,
    ) -> list[Upsert]:
        """Add documents, keyed by canonical URL.

        The same text at the same URL adds nothing (metadata corrections are applied in place);
        a changed text becomes a new version and the newest is marked `is_latest`. Documents are
        written in batches, each batch one transaction.
        """
        results: list[Upsert] = []
        batch: list[Document] = []
        for document in documents:
            batch.append(document)
            if len(batch) >= batch_size:
                results.extend(self._add_batch(batch, run_id, source_id))
                batch = []
        if batch:
            results.extend(self._add_batch(batch, run_id, source_id))
        return results

    def _add_batch(
        self, batch: list[Document], run_id: str | None, source_id: int | None
    ) -> list[Upsert]:
        prepared = [_prepare_document(doc) for doc in batch]
        results = []
        with self.transaction() as conn:
            for doc in prepared:
                results.append(
                    _upsert(
                        conn, doc, run_id, source_id if doc.source_id is None else doc.source_id
                    )
                )
        return results

    def get_document(self, document_id: int) -> Document:
        rows = self.read("SELECT * FROM documents WHERE id = ?", (document_id,))
        if not rows:
            raise StoreError(f"{self.path}: no document with id {document_id}")
        return _row_to_document(rows[0])

    def iter_documents(
        self,
        *,
        include_duplicates: bool = False,
        all_versions: bool = False,
        where: str = "",
        params: Sequence = (),
        batch_size: int = 1000,
    ) -> Iterator[Document]:
        """Stream documents in id order without holding the corpus in memory.

        By default only the latest version of each URL and no document marked as a duplicate
        of another: what analysis reads. `where` adds an SQL condition on `documents`.
        """
        conditions = []
        if not all_versions:
            conditions.append("is_latest = 1")
        if not include_duplicates:
            conditions.append("duplicate_of IS NULL")
        if where:
            conditions.append(f"({where})")
        clause = " AND ".join(conditions) or "1"
        last_id = 0
        while True:
            rows = self.read(
                f"SELECT * FROM documents WHERE id > ? AND {clause} ORDER BY id LIMIT ?",
                (last_id, *params, batch_size),
            )
            if not rows:
                return
            for row in rows:
                yield _row_to_document(row)
            last_id = rows[-1]["id"]

    def document_index(self, *, include_duplicates: bool = False) -> pd.DataFrame:
        """Metadata of the documents analysis reads, without their text, in id order.

        Columns: id, published_at, date_precision, source_kind, actor_type, publisher,
        author, party, title, url, word_count. Cheap enough to hold for a large corpus.
        """
        columns = (
            "id, published_at, date_precision, source_kind, actor_type, publisher, author, "
            "party, title, url, word_count"
        )
        clause = "is_latest = 1" + ("" if include_duplicates else " AND duplicate_of IS NULL")
        rows = self.read(f"SELECT {columns} FROM documents WHERE {clause} ORDER BY id")
        return pd.DataFrame(
            [tuple(row) for row in rows], columns=[c.strip() for c in columns.split(",")]
        )

    def passage_texts(self, passage_ids: Sequence[int]) -> pd.DataFrame:
        """Passages by id with their text (a slice of the document's text), in the order given.

        Columns: passage_id, document_id, unit, seq, text. Ids not in the store are left out.
        """
        columns = ["passage_id", "document_id", "unit", "seq", "text"]
        found: dict[int, tuple] = {}
        ids = [int(i) for i in passage_ids]
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            rows = self.read(
                "SELECT p.id, p.document_id, p.unit, p.seq, "
                "substr(d.text, p.char_start + 1, p.char_end - p.char_start) AS text "
                "FROM passages p JOIN documents d ON d.id = p.document_id "
                f"WHERE p.id IN ({','.join('?' * len(chunk))})",
                chunk,
            )
            found.update((row["id"], tuple(row)) for row in rows)
        return pd.DataFrame([found[i] for i in ids if i in found], columns=columns)

    def count_documents(self, *, include_duplicates: bool = False) -> int:
        clause = "" if include_duplicates else " AND duplicate_of IS NULL"
        return self.read(f"SELECT count(*) FROM documents WHERE is_latest = 1{clause}")[0][0]

    def mark_duplicate(self, document_id: int, of_id: int) -> None:
        """Link a document to the one it duplicates; it stays stored but leaves analysis."""
        if document_id == of_id:
            raise ValueError("a document cannot duplicate itself")
        with self.transaction() as conn:
            conn.execute("UPDATE documents SET duplicate_of = ? WHERE id = ?", (of_id, document_id))

    def corpus_snapshot(self) -> dict[str, Any]:
        """Size, recency and a fingerprint of what analysis would read now; cited with a run."""
        digest = hashlib.sha256()
        count = 0
        max_retrieved = None
        last_id = 0
        while True:
            rows = self.read(
                "SELECT id, canonical_url, text_sha256, retrieved_at FROM documents "
                "WHERE is_latest = 1 AND duplicate_of IS NULL AND id > ? ORDER BY id LIMIT 5000",
                (last_id,),
            )
            if not rows:
                break
            for row in rows:
                digest.update(f"{row['canonical_url']}\t{row['text_sha256']}\n".encode())
                count += 1
                if max_retrieved is None or row["retrieved_at"] > max_retrieved:
                    max_retrieved = row["retrieved_at"]
            last_id = rows[-1]["id"]
        return {
            "corpus_documents": count,
            "corpus_max_retrieved_at": max_retrieved,
            "corpus_fingerprint": digest.hexdigest(),
        }

    # -- search ------------------------------------------------------------------------------

    def search(self, query: str, *, limit: int = 20, width: int = 60) -> list[KwicLine]:
        """Full-text search (FTS5 syntax, stemmed) returning keyword-in-context lines.

        Documents are ranked by relevance (bm25); each occurrence of a matching term in the
        latest version of a document gives one line, at most `limit` lines in all.
        """
        start, end = "\x02", "\x03"
        try:
            rows = self.connection.execute(
                "SELECT d.id, d.published_at, d.publisher, d.url, "
                "highlight(documents_fts, 1, ?, ?) AS marked "
                "FROM documents_fts JOIN documents d ON d.id = documents_fts.rowid "
                "WHERE documents_fts MATCH ? AND d.is_latest = 1 ORDER BY rank LIMIT ?",
                (start, end, query, limit),
            ).fetchall()
        except sqlite3.OperationalError as exc:
            if not re.search(r"locked|busy|disk|readonly|malformed|not a database", str(exc)):
                raise UsageError(
                    f"search query {query!r} is not valid FTS5 syntax ({exc})",
                    hint='quote phrases ("big society") and use AND, OR, NOT in capitals',
                ) from None
            raise _store_error(exc, self.path) from None
        lines: list[KwicLine] = []
        for row in rows:
            for left, match, right in _kwic(row["marked"], start, end, width):
                lines.append(
                    KwicLine(
                        row["id"],
                        row["published_at"],
                        row["publisher"],
                        row["url"],
                        left,
                        match,
                        right,
                    )
                )
                if len(lines) >= limit:
                    return lines
        return lines

    # -- runs --------------------------------------------------------------------------------

    def start_run(
        self,
        kind: str,
        *,
        config: Any = None,
        seed: int | None = None,
        command: str | None = None,
    ) -> str:
        """Record the start of a run with everything needed to cite and reproduce it."""
        run_id = new_run_id()
        snapshot = self.corpus_snapshot()
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO runs (id, kind, status, started_at, command, config_json, config_hash, "
                "package_version, library_versions, seed, corpus_documents, corpus_max_retrieved_at, "
                "corpus_fingerprint) VALUES (?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    run_id,
                    kind,
                    utc_now(),
                    command,
                    canonical_json(config) if config is not None else None,
                    config_hash(config) if config is not None else None,
                    package_version(),
                    canonical_json(library_versions()),
                    seed,
                    snapshot["corpus_documents"],
                    snapshot["corpus_max_retrieved_at"],
                    snapshot["corpus_fingerprint"],
                ),
            )
        return run_id

    def finish_run(
        self, run_id: str, *, status: str = "ok", summary: Any = None, error: str | None = None
    ) -> None:
        if status not in ("ok", "failed"):
            raise ValueError("status must be ok or failed")
        with self.transaction() as conn:
            conn.execute(
                "UPDATE runs SET status = ?, finished_at = ?, summary = ?, error = ? WHERE id = ?",
                (
                    status,
                    utc_now(),
                    canonical_json(summary) if summary is not None else None,
                    error,
                    run_id,
                ),
            )

    @contextmanager
    def run(
        self, kind: str, *, config: Any = None, seed: int | None = None, command: str | None = None
    ):
        """Start a run, yield a RunHandle, and mark it ok or failed (with the error) when done.

        Whatever the body puts in `handle.summary` is stored with the run.
        """
        run_id = self.start_run(kind, config=config, seed=seed, command=command)
        summary: dict[str, Any] = {}
        try:
            yield RunHandle(run_id, summary)
        except BaseException as exc:
            self.finish_run(
                run_id,
                status="failed",
                summary=summary or None,
                error=str(exc) or type(exc).__name__,
            )
            raise
        self.finish_run(run_id, status="ok", summary=summary or None)

    def get_run(self, run_id: str) -> dict[str, Any]:
        rows = self.read("SELECT * FROM runs WHERE id = ?", (run_id,))
        if not rows:
            raise UsageError(
                f"{self.path}: no run with id {run_id!r}", hint="`discourse runs` lists the runs"
            )
        return _run_row(rows[0])

    def latest_run(self, kind: str = "analyse") -> dict[str, Any]:
        """The most recent finished run of a kind with status ok (what outputs default to)."""
        rows = self.read(
            "SELECT * FROM runs WHERE kind = ? AND status = 'ok' "
            "ORDER BY started_at DESC, rowid DESC LIMIT 1",  # rowid: insertion order
            (kind,),
        )
        if not rows:
            raise UsageError(
                f"{self.path}: no finished {kind} run yet",
                hint=f"run `discourse {kind}` first, or give --run RUN_ID",
            )
        return _run_row(rows[0])

    def list_runs(self, kind: str | None = None) -> list[dict[str, Any]]:
        if kind:
            rows = self.read("SELECT * FROM runs WHERE kind = ? ORDER BY started_at, id", (kind,))
        else:
            rows = self.read("SELECT * FROM runs ORDER BY started_at, id")
        return [_run_row(row) for row in rows]

    # -- results -----------------------------------------------------------------------------

    def write_results(
        self,
        run_id: str,
        table: ResultTable,
        rows: Iterable[Mapping[str, Any]],
        *,
        replace: bool = False,
    ) -> int:
        """Append a run's rows to a result table, creating or widening the table as declared.

        With `replace`, the run's earlier rows of the table are deleted in the same
        transaction (a step re-run on a finished run, such as the survey comparison).
        """
        names = [c for c, _ in table.columns]
        known = set(names)
        written = 0

        def values():  # streamed into SQLite: the rows are never all held at once
            nonlocal written
            for number, row in enumerate(rows, start=1):
                unknown = set(row) - known
                if unknown:
                    raise ValueError(
                        f"result {table.name} row {number}: unknown columns {sorted(unknown)}"
                    )
                written = number
                yield (run_id, *(_sql_value(row.get(c)) for c in names))

        placeholders = ", ".join("?" * (len(names) + 1))
        with self.transaction() as conn:
            self._ensure_result_table(conn, table)
            if replace:
                conn.execute(f"DELETE FROM {table.sql_name} WHERE run_id = ?", (run_id,))
            conn.executemany(
                f"INSERT INTO {table.sql_name} (run_id, {', '.join(names)}) VALUES ({placeholders})",
                values(),
            )
        return written

    def _ensure_result_table(self, conn: sqlite3.Connection, table: ResultTable) -> None:
        existing = conn.execute(
            "SELECT columns FROM result_tables WHERE name = ?", (table.name,)
        ).fetchone()
        if existing is None:
            columns = ", ".join(f"{c} {t}" for c, t in table.columns)
            unique = ", ".join(("run_id", *table.key))
            conn.execute(
                f"CREATE TABLE {table.sql_name} (run_id TEXT NOT NULL REFERENCES runs(id) "
                f"ON DELETE CASCADE, {columns}, UNIQUE ({unique}))"
            )
        else:
            have = {c for c, _ in json.loads(existing["columns"])}
            for column, kind in table.columns:
                if column not in have:
                    conn.execute(f"ALTER TABLE {table.sql_name} ADD COLUMN {column} {kind}")
        conn.execute(
            "INSERT INTO result_tables (name, columns, key, description) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(name) DO UPDATE SET columns = excluded.columns, key = excluded.key, "
            "description = excluded.description",
            (table.name, json.dumps(table.columns), json.dumps(table.key), table.description),
        )

    def result_names(self, run_id: str | None = None) -> list[str]:
        """Names of result tables (with rows for `run_id` when given), sorted."""
        names = [row["name"] for row in self.read("SELECT name FROM result_tables ORDER BY name")]
        if run_id is None:
            return names
        return [
            name
            for name in names
            if self.read(f"SELECT 1 FROM result_{name} WHERE run_id = ? LIMIT 1", (run_id,))
        ]

    def read_results(self, run_id: str, name: str) -> pd.DataFrame:
        """A run's rows of one result table in its stable order (key, then every column)."""
        rows = self.read("SELECT columns, key FROM result_tables WHERE name = ?", (name,))
        if not rows:
            known = ", ".join(self.result_names()) or "none yet"
            raise UsageError(f"{self.path}: no result table {name!r}", hint=f"known: {known}")
        columns = [c for c, _ in json.loads(rows[0]["columns"])]
        key = json.loads(rows[0]["key"])
        order = ", ".join(dict.fromkeys([*key, *columns]))
        data = self.read(
            f"SELECT {', '.join(columns)} FROM result_{name} WHERE run_id = ? ORDER BY {order}",
            (run_id,),
        )
        return pd.DataFrame([tuple(row) for row in data], columns=columns)

    # -- summaries ---------------------------------------------------------------------------

    def coverage(self) -> pd.DataFrame:
        """Documents and words by source_kind × actor_type × year (latest, non-duplicate)."""
        rows = self.read(
            "SELECT source_kind, actor_type, coalesce(substr(published_at, 1, 4), 'undated') AS year, "
            "count(*) AS documents, sum(word_count) AS words FROM documents "
            "WHERE is_latest = 1 AND duplicate_of IS NULL GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
        )
        return pd.DataFrame(
            [tuple(r) for r in rows],
            columns=["source_kind", "actor_type", "year", "documents", "words"],
        )

    def totals(self) -> dict[str, Any]:
        row = self.read(
            "SELECT count(*) FILTER (WHERE is_latest = 1 AND duplicate_of IS NULL) AS documents, "
            "coalesce(sum(word_count) FILTER (WHERE is_latest = 1 AND duplicate_of IS NULL), 0) AS words, "
            "count(*) FILTER (WHERE is_latest = 0) AS older_versions, "
            "count(*) FILTER (WHERE is_latest = 1 AND duplicate_of IS NOT NULL) AS duplicates, "
            "max(retrieved_at) AS last_retrieved_at FROM documents"
        )[0]
        return dict(row)


@dataclass
class RunHandle:
    """A run in progress: its id and a summary dict stored when the run finishes."""

    id: str
    summary: dict[str, Any]


def resolve_path(explicit: str | os.PathLike | None = None) -> Path:
    """The store path: --db if given, else $DISCOURSE_DB, else corpus/discourse.sqlite."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("DISCOURSE_DB")
    return Path(env) if env else DEFAULT_PATH


def _check_is_sqlite(path: Path) -> None:
    if path.is_dir():
        raise StoreError(
            f"{path}: is a directory, not a store file", hint="point --db at a .sqlite file"
        )
    try:
        with path.open("rb") as handle:
            header = handle.read(len(_SQLITE_MAGIC))
    except OSError as exc:
        raise StoreError(f"{path}: cannot read: {exc.strerror}") from None
    if header and header != _SQLITE_MAGIC:
        raise StoreError(
            f"{path}: not a SQLite database (it may be corrupt or another kind of file)",
            hint="the file was left untouched; point --db at a discourse store or a new file",
        )


def _check_can_create(path: Path) -> None:
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.exists():
        try:
            parent.mkdir(parents=True)
        except OSError as exc:
            raise StoreError(f"{path}: cannot create directory {parent}: {exc.strerror}") from None
    if not os.access(parent, os.W_OK | os.X_OK):
        raise StoreError(
            f"{path}: cannot create the store, directory {parent} is not writable",
            hint="choose another location with --db or DISCOURSE_DB, or fix the permissions",
        )


def _store_error(exc: sqlite3.Error, path: Path) -> StoreError:
    message = str(exc)
    if "disk is full" in message or "disk I/O error" in message:
        return StoreError(
            f"{path}: the disk is full ({message}); the last transaction was rolled back and earlier data is intact",
            hint="free some space or move the store with --db, then run the command again",
        )
    if "readonly" in message or "unable to open" in message:
        return StoreError(
            f"{path}: cannot write to the store ({message})",
            hint="check the permissions of the file and its directory (SQLite writes -wal/-shm files beside it)",
        )
    if "locked" in message or "busy" in message:
        return StoreError(
            f"{path}: the store stayed locked by another writer for {_BUSY_TIMEOUT_MS // 1000}s ({message})",
            hint="wait for the other discourse command to finish and run this again",
        )
    if "malformed" in message or "not a database" in message:
        return StoreError(
            f"{path}: the store file is damaged ({message})",
            hint="restore it from a backup; `sqlite3 FILE '.recover'` may rescue the data",
        )
    return StoreError(f"{path}: SQLite error: {message}")


def _prepare_document(doc: Document) -> Document:
    if not isinstance(doc.extra, dict):
        raise ValueError("extra must be a dict")
    text = normalise_text(doc.text) if isinstance(doc.text, str) else doc.text
    prepared = Document(**{**asdict(doc), "text": text})
    prepared.validate()
    prepared.canonical_url = doc.canonical_url or doc.url
    prepared.retrieved_at = doc.retrieved_at or utc_now()
    prepared.text_sha256 = text_sha256(text)
    prepared.word_count = len(text.split())
    return prepared


def _upsert(
    conn: sqlite3.Connection, doc: Document, run_id: str | None, source_id: int | None
) -> Upsert:
    current = conn.execute(
        "SELECT * FROM documents WHERE canonical_url = ? AND is_latest = 1", (doc.canonical_url,)
    ).fetchone()
    if current is not None and current["text_sha256"] == doc.text_sha256:
        changes = {f: getattr(doc, f) for f in _CORRECTABLE_FIELDS if getattr(doc, f) != current[f]}
        if not changes:
            return Upsert(current["id"], "unchanged")
        assignments = ", ".join(f"{f} = ?" for f in changes)
        conn.execute(
            f"UPDATE documents SET {assignments} WHERE id = ?", (*changes.values(), current["id"])
        )
        return Upsert(current["id"], "updated")
    version = 1
    if current is not None:
        conn.execute("UPDATE documents SET is_latest = 0 WHERE id = ?", (current["id"],))
        version = current["version"] + 1
    values = {f: getattr(doc, f) for f in DOCUMENT_FIELDS}
    values["extra"] = canonical_json(doc.extra)
    values.update(
        source_id=source_id,
        run_id=run_id,
        text_sha256=doc.text_sha256,
        word_count=doc.word_count,
        version=version,
        is_latest=1,
        added_at=utc_now(),
    )
    cursor = conn.execute(
        f"INSERT INTO documents ({', '.join(values)}) VALUES ({', '.join('?' * len(values))})",
        tuple(values.values()),
    )
    return Upsert(cursor.lastrowid, "added" if version == 1 else "new_version")


_DOCUMENT_ATTRS = {f.name for f in fields(Document)}


def _row_to_document(row: sqlite3.Row) -> Document:
    values = {key: row[key] for key in row.keys() if key in _DOCUMENT_ATTRS}  # noqa: SIM118 (Row)
    values["extra"] = json.loads(values["extra"])
    values["is_latest"] = bool(values["is_latest"])
    return Document(**values)


def _run_row(row: sqlite3.Row) -> dict[str, Any]:
    run = dict(row)
    for key in ("config_json", "library_versions", "summary"):
        if run.get(key):
            run[key] = json.loads(run[key])
    return run


def _sql_value(value: Any) -> Any:
    """Plain Python values for SQLite (numpy scalars and NaN become int/float/None)."""
    if value is None:
        return None
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    return value


def _kwic(marked: str, start: str, end: str, width: int) -> Iterator[tuple[str, str, str]]:
    """Split FTS5-highlighted text into (left, match, right) windows of `width` characters."""
    plain_parts = []
    spans = []
    position = 0
    for piece in re.split(f"({re.escape(start)}.*?{re.escape(end)})", marked, flags=re.S):
        if piece.startswith(start):
            word = piece[1:-1]
            spans.append((position, position + len(word)))
            plain_parts.append(word)
            position += len(word)
        else:
            plain_parts.append(piece)
            position += len(piece)
    plain = "".join(plain_parts)
    for begin, finish in spans:
        left = " ".join(plain[max(0, begin - width * 2) : begin].split())
        right = " ".join(plain[finish : finish + width * 2].split())
        if len(left) > width:  # cut at a word boundary
            left = left[-width:].partition(" ")[2] if left[-width - 1] != " " else left[-width:]
        if len(right) > width:
            right = right[: width + 1].rpartition(" ")[0] if right[width] != " " else right[:width]
        yield left, " ".join(plain[begin:finish].split()), right

import sqlite3

import pytest
from conftest import make_document

from discourse.errors import StoreError, UsageError
from discourse.store import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION, ResultTable, Store


def test_new_store_is_versioned_wal_with_foreign_keys(store, db_path):
    conn = store.connection
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert store.schema_version == SCHEMA_VERSION
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"sources", "documents", "passages", "runs", "result_tables", "documents_fts"} <= tables


def test_identical_document_adds_nothing(store):
    first = store.add_document(make_document(1))
    again = store.add_document(make_document(1))
    assert first.status == "added"
    assert again == type(again)(first.id, "unchanged")
    assert store.read("SELECT count(*) FROM documents")[0][0] == 1


def test_whitespace_and_line_endings_do_not_make_a_new_version(store):
    store.add_document(make_document(1, text="One line.\nTwo lines."))
    result = store.add_document(make_document(1, text="  One line.\r\nTwo lines.\n"))
    assert result.status == "unchanged"


def test_changed_text_is_a_new_version_and_latest_is_marked(store):
    first = store.add_document(make_document(1, text="Original wording of the speech."))
    second = store.add_document(make_document(1, text="Corrected wording of the speech."))
    assert second.status == "new_version"
    rows = store.read("SELECT id, version, is_latest, text FROM documents ORDER BY version")
    assert [tuple(r) for r in rows] == [
        (first.id, 1, 0, "Original wording of the speech."),
        (second.id, 2, 1, "Corrected wording of the speech."),
    ]
    assert [d.id for d in store.iter_documents()] == [second.id]
    assert [d.id for d in store.iter_documents(all_versions=True)] == [first.id, second.id]


def test_metadata_correction_with_same_text_updates_in_place(store):
    first = store.add_document(make_document(1, title="Old title"))
    result = store.add_document(make_document(1, title="New title"))
    assert result.status == "updated" and result.id == first.id
    assert store.get_document(first.id).title == "New title"
    assert store.read("SELECT count(*) FROM documents")[0][0] == 1


def test_canonical_url_keys_the_upsert(store):
    store.add_document(
        make_document(
            1, url="https://example.org/a?utm_source=x", canonical_url="https://example.org/a"
        )
    )
    result = store.add_document(
        make_document(1, url="https://example.org/a", canonical_url="https://example.org/a")
    )
    assert result.status == "unchanged"


def test_document_fields_are_stored_with_provenance(store):
    run_id = store.start_run("import")
    doc = make_document(
        7,
        publisher="Cabinet Office",
        author="A. Minister",
        party="Conservative",
        warc_file="a.warc.gz",
        warc_offset=1234,
        extra={"speech_id": "x1"},
        language="en",
    )
    stored = store.get_document(store.add_document(doc, run_id=run_id).id)
    assert stored.run_id == run_id
    assert (stored.publisher, stored.author, stored.party, stored.language) == (
        "Cabinet Office",
        "A. Minister",
        "Conservative",
        "en",
    )
    assert (stored.warc_file, stored.warc_offset) == ("a.warc.gz", 1234)
    assert stored.extra == {"speech_id": "x1"}
    assert stored.word_count == 12
    assert len(stored.text_sha256) == 64
    assert stored.retrieved_at.endswith("Z")


@pytest.mark.parametrize(
    "override, message",
    [
        ({"source_kind": "tweet"}, "source_kind must be one of"),
        ({"actor_type": "council"}, "actor_type must be one of"),
        ({"text": "   "}, "text is empty"),
        ({"published_at": "2010-07", "date_precision": "day"}, "does not match precision"),
        ({"date_precision": None}, "date_precision is not"),
    ],
)
def test_invalid_documents_are_refused(store, override, message):
    with pytest.raises(ValueError, match=message):
        store.add_document(make_document(1, **override))
    assert store.read("SELECT count(*) FROM documents")[0][0] == 0


def test_full_text_search_gives_keyword_in_context(store):
    store.add_document(
        make_document(
            1, text="Ministers said volunteers would step forward. Few volunteered in Hull."
        )
    )
    store.add_document(make_document(2, text="The budget report covers waste collection."))
    lines = store.search("volunteer", width=20)
    assert [(line.left, line.match, line.right) for line in lines] == [
        ("Ministers said", "volunteers", "would step forward."),
        ("step forward. Few", "volunteered", "in Hull."),
    ]
    assert lines[0].url == "https://example.org/doc/1"
    assert lines[0].published_at == "2011-05-02"


def test_bad_search_syntax_is_a_usage_error(store):
    store.add_document(make_document(1))
    with pytest.raises(UsageError, match="not valid FTS5 syntax"):
        store.search('"unclosed')


def test_runs_record_provenance(store):
    store.add_document(make_document(1))
    with store.run(
        "analyse", config={"seed": 3, "k": [5, 10]}, seed=3, command="discourse analyse"
    ) as run:
        run.summary["passages"] = 10
    record = store.get_run(run.id)
    assert record["status"] == "ok" and record["finished_at"]
    assert record["seed"] == 3
    assert record["config_json"] == {"k": [5, 10], "seed": 3}
    assert len(record["config_hash"]) == 64
    assert record["corpus_documents"] == 1
    assert record["library_versions"]["spacy"]
    assert record["summary"] == {"passages": 10}


def test_failed_run_is_marked_with_its_error(store):
    with pytest.raises(RuntimeError), store.run("analyse") as run:
        raise RuntimeError("topic model diverged")
    record = store.get_run(run.id)
    assert (record["status"], record["error"]) == ("failed", "topic model diverged")


SHARES = ResultTable(
    name="test_shares",
    columns=(("period", "TEXT"), ("actor_type", "TEXT"), ("share", "REAL"), ("n", "INTEGER")),
    key=("period", "actor_type"),
    description="test table",
)


def test_results_are_keyed_by_run_and_read_in_key_order(store):
    run_a = store.start_run("analyse")
    run_b = store.start_run("analyse")
    store.write_results(
        run_a,
        SHARES,
        [
            {"period": "2011", "actor_type": "charity", "share": 0.5, "n": 4},
            {"period": "2010", "actor_type": "charity", "share": 0.25, "n": 8},
        ],
    )
    store.write_results(
        run_b, SHARES, [{"period": "2012", "actor_type": "media", "share": 1.0, "n": 1}]
    )
    frame = store.read_results(run_a, "test_shares")
    assert frame.to_dict(orient="records") == [
        {"period": "2010", "actor_type": "charity", "share": 0.25, "n": 8},
        {"period": "2011", "actor_type": "charity", "share": 0.5, "n": 4},
    ]
    assert store.result_names(run_b) == ["test_shares"]
    with pytest.raises(StoreError, match="UNIQUE"):
        store.write_results(
            run_b, SHARES, [{"period": "2012", "actor_type": "media", "share": 0.0, "n": 1}]
        )


def test_results_stream_from_a_generator_and_a_bad_row_leaves_none(store):
    run_id = store.start_run("analyse")
    rows = (
        {"period": str(2010 + i), "actor_type": "media", "share": i / 4, "n": i} for i in range(3)
    )
    assert store.write_results(run_id, SHARES, rows) == 3
    assert store.read_results(run_id, "test_shares")["n"].tolist() == [0, 1, 2]
    good = {"period": "2020", "actor_type": "media", "share": 0.0, "n": 0}
    with pytest.raises(ValueError, match=r"test_shares row 2: unknown columns \['shares'\]"):
        store.write_results(run_id, SHARES, iter([good, {"period": "2021", "shares": 1.0}]))
    assert len(store.read_results(run_id, "test_shares")) == 3  # the good row went back too


def test_result_table_gains_new_columns(store):
    run_id = store.start_run("analyse")
    store.write_results(
        run_id, SHARES, [{"period": "2010", "actor_type": "charity", "share": 0.5, "n": 4}]
    )
    wider = ResultTable(SHARES.name, (*SHARES.columns, ("ci_low", "REAL")), SHARES.key, "wider")
    store.write_results(
        run_id,
        wider,
        [{"period": "2011", "actor_type": "charity", "share": 0.1, "n": 2, "ci_low": 0.0}],
    )
    assert list(store.read_results(run_id, "test_shares")["ci_low"].isna()) == [True, False]


def _store_at_version(path, version):
    with Store.open(path, migrations=[m for m in MIGRATIONS if m[0] <= version]) as old:
        old.add_document(make_document(1, text="Kept across upgrades."))


@pytest.mark.parametrize("version", [v for v, _ in MIGRATIONS[:-1]] or [None])
def test_every_older_schema_is_upgraded_in_place_keeping_data(db_path, version):
    if version is None:
        pytest.skip("only one schema version exists so far")
    _store_at_version(db_path, version)
    with Store.open(db_path) as upgraded:
        assert upgraded.schema_version == SCHEMA_VERSION
        assert [d.text for d in upgraded.iter_documents()] == ["Kept across upgrades."]


def test_a_new_migration_upgrades_in_place(db_path):
    _store_at_version(db_path, SCHEMA_VERSION)
    inode = db_path.stat().st_ino
    extra_step = (
        SCHEMA_VERSION + 1,
        "ALTER TABLE documents ADD COLUMN reviewed INTEGER NOT NULL DEFAULT 0;",
    )
    with Store.open(db_path, migrations=[*MIGRATIONS, extra_step]) as upgraded:
        assert upgraded.schema_version == SCHEMA_VERSION + 1
        assert [tuple(r) for r in upgraded.read("SELECT text, reviewed FROM documents")] == [
            ("Kept across upgrades.", 0)
        ]
    assert db_path.stat().st_ino == inode


def test_a_failing_migration_rolls_back_and_keeps_data(db_path):
    _store_at_version(db_path, SCHEMA_VERSION)
    broken = (
        SCHEMA_VERSION + 1,
        "ALTER TABLE documents ADD COLUMN half INTEGER; SELECT * FROM no_such_table;",
    )
    with pytest.raises(
        StoreError, match=f"upgrading the store to schema version {SCHEMA_VERSION + 1} failed"
    ):
        Store.open(db_path, migrations=[*MIGRATIONS, broken])
    with Store.open(db_path) as reopened:
        assert reopened.schema_version == SCHEMA_VERSION
        columns = [r[1] for r in reopened.read("PRAGMA table_info(documents)")]
        assert "half" not in columns
        assert [d.text for d in reopened.iter_documents()] == ["Kept across upgrades."]


def test_store_from_newer_version_is_refused_untouched(db_path):
    _store_at_version(db_path, SCHEMA_VERSION)
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.close()
    before = db_path.read_bytes()
    with pytest.raises(StoreError, match=f"schema version {SCHEMA_VERSION + 5} is newer"):
        Store.open(db_path)
    assert db_path.read_bytes() == before


def test_foreign_sqlite_file_is_refused_untouched(db_path):
    conn = sqlite3.connect(db_path)
    conn.execute("CREATE TABLE customers (name TEXT)")
    conn.execute("INSERT INTO customers VALUES ('x')")
    conn.commit()
    conn.close()
    before = db_path.read_bytes()
    with pytest.raises(StoreError, match="not a discourse store"):
        Store.open(db_path)
    assert db_path.read_bytes() == before


@pytest.mark.parametrize("content", [b"name,text\nx,y\n", b"SQLite format 3\x00" + b"\xff" * 2000])
def test_corrupt_or_non_sqlite_file_is_refused_untouched(db_path, content):
    db_path.write_bytes(content)
    with pytest.raises(StoreError, match="not a SQLite database|not a readable SQLite database"):
        Store.open(db_path)
    assert db_path.read_bytes() == content


def test_missing_store_is_not_created_when_reading(db_path):
    with pytest.raises(UsageError, match="no store here"):
        Store.open(db_path, create=False)
    assert not db_path.exists()


def test_full_database_stops_with_message_and_keeps_data(store):
    store.add_document(make_document(1, text="Committed before the disk filled."))
    pages = store.connection.execute("PRAGMA page_count").fetchone()[0]
    store.connection.execute(f"PRAGMA max_page_count = {pages + 2}")
    big = " ".join(f"word{i}" for i in range(20000))
    with pytest.raises(StoreError, match="disk is full.*rolled back"):
        store.add_documents([make_document(n, text=big) for n in range(2, 6)])
    assert [d.text for d in store.iter_documents()] == ["Committed before the disk filled."]
    assert store.connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_iter_documents_streams_in_batches(store):
    store.add_documents([make_document(n) for n in range(1, 26)])
    assert [d.id for d in store.iter_documents(batch_size=7)] == list(range(1, 26))
    store.mark_duplicate(3, 1)
    assert 3 not in [d.id for d in store.iter_documents()]
    assert store.count_documents() == 24
    assert store.count_documents(include_duplicates=True) == 25

"""Read functions the outputs and notebooks use instead of SQL of their own."""

import pytest
from conftest import make_document

from discourse.errors import UsageError
from discourse.store import ResultTable

TABLE = ResultTable("things", (("k", "INTEGER"), ("v", "TEXT")), ("k",), "test")


def test_latest_run_is_the_newest_finished_ok_run_of_a_kind(store):
    with pytest.raises(UsageError, match="no finished analyse run yet"):
        store.latest_run()
    with store.run("analyse") as first:
        pass
    with pytest.raises(RuntimeError), store.run("analyse"):
        raise RuntimeError("fails")
    with store.run("import"):
        pass
    assert store.latest_run()["id"] == first.id
    with store.run("analyse") as second:
        pass
    assert store.latest_run("analyse")["id"] == second.id


def test_document_index_has_metadata_without_text(store):
    store.add_document(
        make_document(1, actor_type="charity", published_at="2011", date_precision="year")
    )
    second = store.add_document(make_document(2)).id
    duplicate = store.add_document(make_document(3)).id
    store.mark_duplicate(duplicate, second)
    index = store.document_index()
    assert index["id"].tolist() == [1, 2]
    assert "text" not in index.columns
    assert index.loc[0, ["published_at", "date_precision", "actor_type"]].tolist() == [
        "2011",
        "year",
        "charity",
    ]
    assert store.document_index(include_duplicates=True)["id"].tolist() == [1, 2, 3]


def test_passage_texts_are_slices_of_their_documents(store):
    doc = store.add_document(make_document(1, text="Première phrase. Second sentence here.")).id
    with store.transaction() as conn:
        conn.executemany(
            "INSERT INTO passages (document_id, segmenter, unit, seq, char_start, char_end) "
            "VALUES (?, 'test', 'sentence', ?, ?, ?)",
            [(doc, 0, 0, 16), (doc, 1, 17, 38)],
        )
    ids = [row["id"] for row in store.read("SELECT id FROM passages ORDER BY seq")]
    texts = store.passage_texts([ids[1], 999, ids[0]])
    assert texts["text"].tolist() == ["Second sentence here.", "Première phrase."]
    assert texts["seq"].tolist() == [1, 0]


def test_write_results_can_replace_a_runs_rows(store):
    with store.run("analyse") as run:
        store.write_results(run.id, TABLE, [{"k": 1, "v": "a"}, {"k": 2, "v": "b"}])
    with store.run("analyse") as other:
        store.write_results(other.id, TABLE, [{"k": 1, "v": "kept"}])
    assert store.write_results(run.id, TABLE, [{"k": 1, "v": "c"}], replace=True) == 1
    assert store.read_results(run.id, "things")["v"].tolist() == ["c"]
    assert store.read_results(other.id, "things")["v"].tolist() == ["kept"]

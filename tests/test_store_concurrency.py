"""A notebook reading while a crawl writes: separate processes on one real store file."""

import multiprocessing as mp
import time

import pytest
from conftest import make_document

from discourse.store import Store

BATCH = 10
DURATION_S = 10.0


def _writer(path: str, writer: int, start, out) -> None:
    written = 0
    try:
        with Store.open(path) as store:
            start.wait()  # all three run together for DURATION_S, however slow their start-up
            deadline = time.monotonic() + DURATION_S
            while time.monotonic() < deadline:
                docs = [
                    make_document(n, url=f"https://example.org/w{writer}/{written + n}")
                    for n in range(BATCH)
                ]
                store.add_documents(docs, batch_size=BATCH)  # one transaction per batch
                written += BATCH
        out.put(("writer", writer, written, None))
    except Exception as exc:  # reported to the test, which fails on it
        out.put(("writer", writer, written, repr(exc)))


def _reader(path: str, start, out) -> None:
    reads = 0
    inconsistent = 0
    try:
        with Store.open(path) as store:
            start.wait()
            deadline = time.monotonic() + DURATION_S
            while time.monotonic() < deadline:
                # one statement is one snapshot: the index must be in step with the table
                count, fts = store.read(
                    "SELECT (SELECT count(*) FROM documents), "
                    "(SELECT count(*) FROM documents_fts WHERE documents_fts MATCH 'library')"
                )[0]
                # a reader sees whole transactions only: whole batches, and the FTS index in step
                if count % BATCH or fts != count:
                    inconsistent += 1
                reads += 1
        out.put(
            ("reader", 0, reads, None if not inconsistent else f"{inconsistent} inconsistent reads")
        )
    except Exception as exc:
        out.put(("reader", 0, reads, repr(exc)))


@pytest.mark.slow
def test_two_writers_and_a_reader_never_see_locks_or_partial_writes(db_path):
    Store.open(db_path).close()
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    start = ctx.Barrier(3)
    workers = [ctx.Process(target=_writer, args=(str(db_path), w, start, out)) for w in (1, 2)]
    workers.append(ctx.Process(target=_reader, args=(str(db_path), start, out)))
    for worker in workers:
        worker.start()
    results = [out.get(timeout=300) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
    errors = [r for r in results if r[3]]
    assert errors == []
    written = sum(r[2] for r in results if r[0] == "writer")
    reads = next(r[2] for r in results if r[0] == "reader")
    assert reads > 100
    assert all(r[2] > 0 for r in results if r[0] == "writer")
    with Store.open(db_path) as store:
        assert store.read("SELECT count(*) FROM documents")[0][0] == written
        assert store.connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

"""Store write throughput: documents upserted per second against a bare SQLite insert loop."""

import csv
import gzip
import sqlite3
import time

from bench.harness import Benchmark, Context
from discourse.store import Document, Store

MANIFESTOS = "text/uk-manifesto-sentences-1945-2010.csv.gz"


def _rows(context: Context) -> list[dict]:
    with gzip.open(context.dataset(MANIFESTOS), "rt", encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["text"].strip()]
    return rows[:10_000] if context.quick else rows


def store_upsert(context: Context) -> list[dict]:
    rows = _rows(context)
    documents = [
        Document(
            url=f"urn:manifesto:{r['doc_id']}",
            text=r["text"],
            source_kind="other",
            actor_type="other",
            party=r["party"],
            published_at=r["year"],
            date_precision="year",
        )
        for r in rows
    ]
    start = time.perf_counter()
    with Store.open(context.work / "store.sqlite") as store:
        store.add_documents(documents)
    ours = time.perf_counter() - start

    start = time.perf_counter()
    with Store.open(context.work / "store.sqlite") as store:
        results = store.add_documents(documents)
    rerun = time.perf_counter() - start
    assert all(r.status == "unchanged" for r in results)

    start = time.perf_counter()
    bare = sqlite3.connect(context.work / "bare.sqlite")
    bare.execute("PRAGMA journal_mode = WAL")
    bare.execute("CREATE TABLE documents (url TEXT, text TEXT, party TEXT, year TEXT)")
    bare.executemany(
        "INSERT INTO documents VALUES (?, ?, ?, ?)",
        [(d.url, d.text, d.party, d.published_at) for d in documents],
    )
    bare.commit()
    bare.close()
    baseline = time.perf_counter() - start
    n = len(documents)
    return [
        {
            "dataset": MANIFESTOS,
            "metric": "documents/s (upsert + FTS index)",
            "value": n / ours,
            "baseline": "bare sqlite3 executemany",
            "baseline_value": n / baseline,
            "n": n,
            "seconds": ours,
        },
        {
            "dataset": MANIFESTOS,
            "metric": "documents/s (re-adding unchanged)",
            "value": n / rerun,
            "n": n,
            "seconds": rerun,
        },
    ]


BENCHMARKS = [
    Benchmark(
        "store_upsert",
        store_upsert,
        quick=True,
        description="store write throughput vs bare SQLite",
    )
]

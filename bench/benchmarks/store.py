"""Store write throughput: documents upserted per second against a bare SQLite insert loop,
at 1×, 2× and 4× a quarter of the manifesto corpus (the whole corpus at 4×)."""

import csv
import gzip
import sqlite3
import time
from collections.abc import Iterator

from bench.harness import Benchmark, Context
from discourse.store import Document, Store

MANIFESTOS = "text/uk-manifesto-sentences-1945-2010.csv.gz"
BASE = {True: 2_500, False: 17_140}  # sentences at 1× (quick, full); 4× full is all 68,560


def _documents(context: Context) -> Iterator[Document]:
    """The first BASE × scale sentences as documents, read as they are needed (the store's
    memory is measured, not a list of the corpus)."""
    wanted = BASE[context.quick] * context.scale
    with gzip.open(context.dataset(MANIFESTOS), "rt", encoding="utf-8") as handle:
        count = 0
        for row in csv.DictReader(handle):
            if not row["text"].strip():
                continue
            yield Document(
                url=f"urn:manifesto:{row['doc_id']}",
                text=row["text"],
                source_kind="other",
                actor_type="other",
                party=row["party"],
                published_at=row["year"],
                date_precision="year",
            )
            count += 1
            if count == wanted:
                return


def store_upsert(context: Context) -> list[dict]:
    start = time.perf_counter()
    with Store.open(context.work / "store.sqlite") as store:
        n = len(store.add_documents(_documents(context)))
    ours = time.perf_counter() - start

    start = time.perf_counter()
    with Store.open(context.work / "store.sqlite") as store:
        results = store.add_documents(_documents(context))
    rerun = time.perf_counter() - start
    assert all(r.status == "unchanged" for r in results)

    start = time.perf_counter()
    bare = sqlite3.connect(context.work / "bare.sqlite")
    bare.execute("PRAGMA journal_mode = WAL")
    bare.execute("CREATE TABLE documents (url TEXT, text TEXT, party TEXT, year TEXT)")
    bare.executemany(
        "INSERT INTO documents VALUES (?, ?, ?, ?)",
        ((d.url, d.text, d.party, d.published_at) for d in _documents(context)),
    )
    bare.commit()
    bare.close()
    baseline = time.perf_counter() - start
    dataset = f"{MANIFESTOS} (first {n:,} sentences)"
    return [
        {
            "dataset": dataset,
            "metric": "documents/s (upsert + FTS index)",
            "value": n / ours,
            "baseline": "bare sqlite3 executemany",
            "baseline_value": n / baseline,
            "n": n,
            "seconds": ours,
            "curve": True,
        },
        {
            "dataset": dataset,
            "metric": "documents/s (re-adding unchanged)",
            "value": n / rerun,
            "n": n,
            "seconds": rerun,
            "curve": True,
        },
    ]


BENCHMARKS = [
    Benchmark(
        "store_upsert",
        store_upsert,
        quick=True,
        description="store write throughput vs bare SQLite, at 1×, 2×, 4× corpus size",
        scales=(1, 2, 4),
    )
]

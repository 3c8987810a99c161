"""What changed between two runs: configuration, corpus, versions and every estimate.

A researcher re-runs with another threshold or after collecting more documents and wants to
know which numbers moved and by how much. Rows of a result table are matched on its key;
numbers count as changed when they differ by more than a tolerance, text when it differs.
"""

import json
import math
from typing import Any

import pandas as pd

from discourse.store import Store

_CORPUS_KEYS = ("corpus_documents", "corpus_max_retrieved_at", "corpus_fingerprint")


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Nested dicts as dotted keys ({"a": {"b": 1}} → {"a.b": 1}); lists stay values."""
    if not isinstance(value, dict):
        return {prefix: value}
    out: dict[str, Any] = {}
    for key, inner in value.items():
        out.update(flatten(inner, f"{prefix}.{key}" if prefix else str(key)))
    return out


def _differences(a: dict, b: dict) -> list[dict[str, Any]]:
    return [
        {"key": key, "a": a.get(key), "b": b.get(key)}
        for key in sorted(set(a) | set(b))
        if a.get(key) != b.get(key)
    ]


def compare_runs(store: Store, run_a: str, run_b: str, *, tolerance: float = 1e-9) -> dict:
    """A JSON-ready comparison of two runs (see the CLI's `discourse diff`)."""
    a = store.get_run(run_a)
    b = store.get_run(run_b)
    versions_a = {"package_version": a["package_version"], "seed": a["seed"]}
    versions_a.update(flatten(a["library_versions"] or {}, "library"))
    versions_b = {"package_version": b["package_version"], "seed": b["seed"]}
    versions_b.update(flatten(b["library_versions"] or {}, "library"))
    names_a = set(store.result_names(run_a))
    names_b = set(store.result_names(run_b))
    tables = []
    for name in sorted(names_a | names_b):
        if name not in names_b:
            tables.append({"table": name, "status": "only in A"})
        elif name not in names_a:
            tables.append({"table": name, "status": "only in B"})
        else:
            tables.append(compare_table(store, name, run_a, run_b, tolerance))
    return {
        "run_a": run_a,
        "run_b": run_b,
        "config": _differences(flatten(a["config_json"] or {}), flatten(b["config_json"] or {})),
        "corpus": _differences({k: a[k] for k in _CORPUS_KEYS}, {k: b[k] for k in _CORPUS_KEYS}),
        "versions": _differences(versions_a, versions_b),
        "tables": tables,
    }


def compare_table(store: Store, name: str, run_a: str, run_b: str, tolerance: float) -> dict:
    """Row-by-row comparison of one result table, rows matched on the table's key."""
    key = json.loads(store.read("SELECT key FROM result_tables WHERE name = ?", (name,))[0][0])
    left = store.read_results(run_a, name)
    right = store.read_results(run_b, name)
    values = [c for c in left.columns if c not in key]
    merged = left.merge(right, on=key, how="outer", suffixes=("_a", "_b"), indicator=True)
    only_a = int((merged["_merge"] == "left_only").sum())
    only_b = int((merged["_merge"] == "right_only").sum())
    both = merged[merged["_merge"] == "both"]
    changes = []
    largest = 0.0
    for record in both.to_dict(orient="records"):
        for column in values:
            before, after = record[f"{column}_a"], record[f"{column}_b"]
            change = _change(before, after, tolerance)
            if change is None:
                continue
            largest = max(largest, change)
            changes.append(
                {
                    "key": {k: _plain(record[k]) for k in key},
                    "column": column,
                    "a": _plain(before),
                    "b": _plain(after),
                    "change": change,
                }
            )
    changes.sort(key=lambda c: -c["change"] if math.isfinite(c["change"]) else -math.inf)
    changed_rows = len({json.dumps(c["key"], sort_keys=True, default=str) for c in changes})
    identical = not changes and not only_a and not only_b
    return {
        "table": name,
        "status": "identical" if identical else "compared",
        "rows_a": len(left),
        "rows_b": len(right),
        "changed": changed_rows,
        "only_a": only_a,
        "only_b": only_b,
        "max_change": largest,
        "changes": changes,
    }


def _change(before: Any, after: Any, tolerance: float) -> float | None:
    """Size of a change (inf for text or missing values), None when there is none."""
    missing_a = before is None or (isinstance(before, float) and math.isnan(before))
    missing_b = after is None or (isinstance(after, float) and math.isnan(after))
    if missing_a or missing_b:
        return None if missing_a and missing_b else math.inf
    if isinstance(before, int | float) and isinstance(after, int | float):
        difference = abs(float(after) - float(before))
        return difference if difference > tolerance else None
    return None if before == after else math.inf


def _plain(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):
        return value.item()
    if pd.isna(value):
        return None
    return value

"""The benchmark harness (bench/harness.py), run for real on a package of toy benchmarks:
a skipped one is reported as skipped, a failing or dying one as failed, the others still run,
and scaled ones give a curve."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TOYS = """
import os

from bench.harness import Benchmark, Skip


def measured(context):
    return [{"dataset": "toy", "metric": "items/s", "value": 30.0, "baseline": "peer",
             "baseline_value": 20.0, "n": 3, "notes": "toy"}]


def missing(context):
    context.dataset("no/such/data.csv")


def broken(context):
    raise RuntimeError("the toy broke\\nsecond line")


def dying(context):
    os._exit(3)


def scaled(context):
    rows = 1000 * context.scale
    return [{"dataset": "toy", "metric": "rows/s", "value": rows / 2, "n": rows, "curve": True}]


BENCHMARKS = [
    Benchmark("measured", measured, quick=True),
    Benchmark("missing", missing, quick=True),
    Benchmark("broken", broken),
    Benchmark("dying", dying),
    Benchmark("scaled", scaled, quick=True, scales=(1, 2, 4)),
]
"""


@pytest.fixture(scope="module")
def toys(tmp_path_factory):
    root = tmp_path_factory.mktemp("toys")
    package = root / "toy_benchmarks"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "toys.py").write_text(TOYS)
    return root


def bench(toys: Path, results: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(toys), str(ROOT)])}
    env["DISCOURSE_SHARED_DATA"] = str(toys / "shared")
    return subprocess.run(
        [sys.executable, "-m", "bench", "--package", "toy_benchmarks", "--results", str(results)]
        + list(args),
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_every_outcome_is_reported_and_one_failure_does_not_stop_the_rest(toys, tmp_path):
    done = bench(toys, tmp_path)
    assert done.returncode == 1
    assert done.stderr.splitlines()[-1] == "bench: failed: broken, dying"
    rows = json.loads((tmp_path / "latest.json").read_text())
    by_name = {}
    for row in rows:
        by_name.setdefault(row["name"], []).append(row)
    assert {name: [r["status"] for r in group] for name, group in by_name.items()} == {
        "broken": ["failed"],
        "dying": ["failed"],
        "measured": ["ok"],
        "missing": ["skipped"],
        "scaled": ["ok", "ok", "ok"],
    }
    assert by_name["broken"][0]["reason"] == "RuntimeError: the toy broke"
    assert by_name["dying"][0]["reason"] == "the benchmark process died (exit code 3)"
    assert by_name["missing"][0]["reason"] == (
        f"dataset {toys / 'shared' / 'no/such/data.csv'} is missing "
        "(set DISCOURSE_SHARED_DATA to the shared data folder)"
    )
    (measured,) = by_name["measured"]
    assert {k: measured[k] for k in ("dataset", "metric", "value", "baseline")} == {
        "dataset": "toy",
        "metric": "items/s",
        "value": 30.0,
        "baseline": "peer",
    }
    assert (measured["baseline_value"], measured["ratio"], measured["n"]) == (20.0, 1.5, 3)
    assert measured["seconds"] >= 0 and measured["peak_rss_mb"] > 5
    assert measured["versions"]["discourse"] and "date" in measured
    keys = set(measured)
    assert all(set(row) >= keys - {"curve"} for row in rows)  # one schema for every row
    table = (tmp_path / "latest.md").read_text()
    assert "| missing | | skipped: dataset " in table
    assert "| broken | | failed: RuntimeError: the toy broke |" in table
    assert "| measured | toy | items/s | 30 | peer | 20 | 1.5 | 3 |" in table


def test_scaled_benchmarks_run_once_per_size_and_draw_a_curve(toys, tmp_path):
    done = bench(toys, tmp_path, "--only", "scaled")
    assert done.returncode == 0, done.stderr
    rows = json.loads((tmp_path / "latest.json").read_text())
    assert [(r["scale"], r["n"], r["value"]) for r in rows] == [
        (1, 1000, 500.0),
        (2, 2000, 1000.0),
        (4, 4000, 2000.0),
    ]
    table = (tmp_path / "latest.md").read_text()
    assert "| scaled ×2 | toy | rows/s | 1,000 |" in table
    curve = table.split("## Scaling: throughput and peak RSS against corpus size")[1]
    assert "**scaled**: rows/s" in curve
    assert "| 1× | 1000 | 500 |" in curve and "| 4× | 4000 | 2,000 |" in curve
    assert curve.count("█" * 20) == 1  # the largest value has the full bar


def test_quick_runs_the_quick_subset_into_its_own_file(toys, tmp_path):
    done = bench(toys, tmp_path, "--quick")
    assert done.returncode == 0, done.stderr
    rows = json.loads((tmp_path / "quick.json").read_text())
    assert sorted({r["name"] for r in rows}) == ["measured", "missing", "scaled"]
    assert not (tmp_path / "latest.json").exists()

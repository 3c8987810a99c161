"""Run benchmarks, each in a fresh process, and write bench/results/latest.{json,md}.

A benchmark is a function taking a Context and returning measurements (dicts with at least
`metric` and `value`, and where there is a peer, `baseline` and `baseline_value`). It runs in
its own interpreter so its peak RSS is its own. A benchmark whose data is missing raises Skip
with the reason; it is reported as skipped, never faked.

    python -m bench               # everything
    python -m bench --quick       # the subset for CI (under 5 minutes)
    python -m bench --only NAME   # one benchmark (repeatable)
"""

import argparse
import datetime as dt
import importlib
import json
import os
import pkgutil
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from discourse.provenance import library_versions, package_version

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


class Skip(Exception):
    """The benchmark cannot run here (missing data or optional dependency); says why."""


@dataclass(frozen=True)
class Context:
    data: Path  # ../shared/data (or $DISCOURSE_SHARED_DATA)
    work: Path  # a scratch directory, removed afterwards
    quick: bool

    def dataset(self, relative: str) -> Path:
        """A path under the shared data directory; Skip if it is not there."""
        path = self.data / relative
        if not path.exists():
            raise Skip(
                f"dataset {path} is missing (set DISCOURSE_SHARED_DATA to the shared data folder)"
            )
        return path


@dataclass(frozen=True)
class Benchmark:
    name: str
    run: Callable[[Context], list[dict]]
    quick: bool = False  # part of `make bench QUICK=1`
    description: str = ""


def shared_data_dir() -> Path:
    return Path(os.environ.get("DISCOURSE_SHARED_DATA", ROOT.parent / "shared" / "data")).resolve()


def discover() -> dict[str, Benchmark]:
    import bench.benchmarks as package

    found: dict[str, Benchmark] = {}
    for module in pkgutil.iter_modules(package.__path__):
        loaded = importlib.import_module(f"bench.benchmarks.{module.name}")
        for benchmark in getattr(loaded, "BENCHMARKS", []):
            if benchmark.name in found:
                raise ValueError(f"benchmark name {benchmark.name} is defined twice")
            found[benchmark.name] = benchmark
    return found


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_one(name: str, quick: bool, out: Path) -> None:
    """Child process: run one benchmark and write its measurements as JSON."""
    benchmark = discover()[name]
    with tempfile.TemporaryDirectory(prefix=f"bench-{name}-") as work:
        context = Context(shared_data_dir(), Path(work), quick)
        start = time.perf_counter()
        try:
            measurements = benchmark.run(context)
            status, reason = "ok", None
        except Skip as skip:
            measurements, status, reason = [], "skipped", str(skip)
        seconds = time.perf_counter() - start
    out.write_text(
        json.dumps(
            {
                "status": status,
                "reason": reason,
                "seconds": seconds,
                "peak_rss_mb": peak_rss_mb(),
                "measurements": measurements,
            }
        )
    )


def run_all(names: list[str], quick: bool) -> list[dict]:
    rows: list[dict] = []
    versions = {"discourse": package_version(), **library_versions()}
    date = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    for name in names:
        print(f"bench: {name} …", file=sys.stderr, flush=True)
        with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
            out = Path(handle.name)
        command = [sys.executable, "-m", "bench", "--child", name, "--out", str(out)] + (
            ["--quick"] if quick else []
        )
        completed = subprocess.run(command, cwd=ROOT)
        if completed.returncode != 0 or not out.read_text():
            rows.append(
                {
                    "name": name,
                    "status": "failed",
                    "reason": f"exit code {completed.returncode}",
                    "date": date,
                }
            )
            out.unlink(missing_ok=True)
            continue
        child = json.loads(out.read_text())
        out.unlink()
        if child["status"] == "skipped":
            print(f"bench: {name} skipped: {child['reason']}", file=sys.stderr)
            rows.append(
                {"name": name, "status": "skipped", "reason": child["reason"], "date": date}
            )
            continue
        for measurement in child["measurements"]:
            baseline_value = measurement.get("baseline_value")
            value = measurement["value"]
            rows.append(
                {
                    "name": name,
                    "status": "ok",
                    "dataset": measurement.get("dataset"),
                    "metric": measurement["metric"],
                    "value": value,
                    "baseline": measurement.get("baseline"),
                    "baseline_value": baseline_value,
                    "ratio": (value / baseline_value) if baseline_value not in (None, 0) else None,
                    "n": measurement.get("n"),
                    "seconds": measurement.get("seconds", child["seconds"]),
                    "peak_rss_mb": measurement.get("peak_rss_mb", child["peak_rss_mb"]),
                    "notes": measurement.get("notes"),
                    "versions": versions,
                    "date": date,
                }
            )
    return rows


def markdown(rows: list[dict]) -> str:
    lines = [
        "| benchmark | dataset | metric | value | baseline | baseline value | ratio | n | seconds | peak RSS MB |",
        "|---|---|---|---:|---|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        if row["status"] != "ok":
            lines.append(f"| {row['name']} | | {row['status']}: {row['reason']} | | | | | | | |")
            continue
        lines.append(
            "| {name} | {dataset} | {metric} | {value} | {baseline} | {baseline_value} | {ratio} | {n} | {seconds} | {rss} |".format(
                name=row["name"],
                dataset=row["dataset"] or "",
                metric=row["metric"],
                value=_fmt(row["value"]),
                baseline=row["baseline"] or "",
                baseline_value=_fmt(row["baseline_value"]),
                ratio=_fmt(row["ratio"]),
                n=row["n"] if row["n"] is not None else "",
                seconds=_fmt(row["seconds"]),
                rss=_fmt(row["peak_rss_mb"]),
            )
        )
    return "\n".join(lines) + "\n"


def _fmt(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="only the quick subset (for CI)")
    parser.add_argument(
        "--only", action="append", default=[], help="run only this benchmark (repeatable)"
    )
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_one(args.child, args.quick, Path(args.out))
        return
    benchmarks = discover()
    if args.list:
        for benchmark in benchmarks.values():
            print(
                f"{benchmark.name}{' (quick)' if benchmark.quick else ''}: {benchmark.description}"
            )
        return
    unknown = [name for name in args.only if name not in benchmarks]
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; --list shows them")
    names = args.only or [n for n, b in sorted(benchmarks.items()) if b.quick or not args.quick]
    rows = run_all(names, args.quick)
    RESULTS.mkdir(parents=True, exist_ok=True)
    target = RESULTS / ("quick.json" if args.quick else "latest.json")
    # a partial run (--only) replaces its own rows and keeps the others
    kept = (
        [r for r in json.loads(target.read_text()) if r["name"] not in names]
        if target.exists()
        else []
    )
    rows = sorted(kept + rows, key=lambda r: r["name"])
    target.write_text(json.dumps(rows, indent=2) + "\n")
    target.with_suffix(".md").write_text(markdown(rows))
    print(markdown(rows))
    print(f"wrote {target} and {target.with_suffix('.md')}", file=sys.stderr)

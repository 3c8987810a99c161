"""Run benchmarks, each in a fresh process, and write bench/results/latest.{json,md}.

A benchmark is a function taking a Context and returning measurements (dicts with at least
`metric` and `value`, and where there is a peer, `baseline` and `baseline_value`; `n`,
`seconds`, `peak_rss_mb` and `notes` when it knows better than the harness). It runs in its
own interpreter so its peak RSS is its own. A benchmark that declares `scales` runs once per
scale, each in its own process (`context.scale` multiplies its corpus), and its rows form a
curve of throughput and peak RSS against corpus size. A benchmark whose data is missing
raises Skip with the reason and is reported as skipped, never faked; one that raises
anything else (or whose process dies) is reported as failed with the reason, and the others
still run.

    python -m bench               # everything
    python -m bench --quick       # the subset for CI (under 5 minutes on 2 cores)
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
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from discourse.provenance import library_versions, package_version

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PACKAGE = "bench.benchmarks"
# every row carries every key, so the JSON is one table whatever happened
FIELDS = (
    "name",
    "status",
    "reason",
    "scale",
    "dataset",
    "metric",
    "value",
    "baseline",
    "baseline_value",
    "ratio",
    "n",
    "seconds",
    "peak_rss_mb",
    "notes",
    "versions",
    "date",
)


class Skip(Exception):
    """The benchmark cannot run here (missing data or optional dependency); says why."""


@dataclass(frozen=True)
class Context:
    data: Path  # ../shared/data (or $DISCOURSE_SHARED_DATA)
    work: Path  # a scratch directory, removed afterwards
    quick: bool
    scale: int = 1  # corpus multiplier of this run, for benchmarks that declare scales

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
    scales: tuple[int, ...] = (1,)  # corpus sizes (multiples) to measure, one process each


def shared_data_dir() -> Path:
    return Path(os.environ.get("DISCOURSE_SHARED_DATA", ROOT.parent / "shared" / "data")).resolve()


def discover(package_name: str = PACKAGE) -> dict[str, Benchmark]:
    package = importlib.import_module(package_name)
    found: dict[str, Benchmark] = {}
    for module in pkgutil.iter_modules(package.__path__):
        loaded = importlib.import_module(f"{package_name}.{module.name}")
        for benchmark in getattr(loaded, "BENCHMARKS", []):
            if benchmark.name in found:
                raise ValueError(f"benchmark name {benchmark.name} is defined twice")
            found[benchmark.name] = benchmark
    return found


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_one(name: str, quick: bool, scale: int, out: Path, package: str = PACKAGE) -> None:
    """Child process: run one benchmark at one scale and write its measurements as JSON."""
    benchmark = discover(package)[name]
    with tempfile.TemporaryDirectory(prefix=f"bench-{name}-") as work:
        context = Context(shared_data_dir(), Path(work), quick, scale)
        start = time.perf_counter()
        measurements: list[dict] = []
        try:
            measurements = benchmark.run(context)
            status, reason = "ok", None
        except Skip as skip:
            status, reason = "skipped", str(skip)
        except Exception as exc:  # reported as this benchmark's failure; the others go on
            traceback.print_exc()
            status, reason = "failed", f"{type(exc).__name__}: {exc}".splitlines()[0]
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


def run_all(
    benchmarks: dict[str, Benchmark], names: list[str], quick: bool, package: str = PACKAGE
) -> list[dict]:
    rows: list[dict] = []
    common = {
        "versions": {"discourse": package_version(), **library_versions()},
        "date": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
    }
    for name in names:
        for scale in benchmarks[name].scales:
            label = name if len(benchmarks[name].scales) == 1 else f"{name} ×{scale}"
            print(f"bench: {label} …", file=sys.stderr, flush=True)
            child = _child(name, quick, scale, package)
            base = {**dict.fromkeys(FIELDS), **common, "name": name, "scale": scale}
            if child["status"] != "ok":
                print(f"bench: {label} {child['status']}: {child['reason']}", file=sys.stderr)
                rows.append({**base, "status": child["status"], "reason": child["reason"]})
                continue
            for measurement in child["measurements"]:
                value, baseline_value = measurement["value"], measurement.get("baseline_value")
                rows.append(
                    {
                        **base,
                        **{k: v for k, v in measurement.items() if k in FIELDS},
                        "status": "ok",
                        "ratio": value / baseline_value
                        if baseline_value not in (None, 0)
                        else None,
                        "seconds": measurement.get("seconds", child["seconds"]),
                        "peak_rss_mb": measurement.get("peak_rss_mb", child["peak_rss_mb"]),
                        "curve": bool(measurement.get("curve")),
                    }
                )
    return rows


def _child(name: str, quick: bool, scale: int, package: str) -> dict:
    """Run one benchmark at one scale in a fresh interpreter; its result, or why it died."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        out = Path(handle.name)
    command = [sys.executable, "-m", "bench", "--child", name, "--out", str(out)]
    command += ["--scale", str(scale), "--package", package] + (["--quick"] if quick else [])
    try:
        completed = subprocess.run(command, cwd=ROOT)
        text = out.read_text()
    finally:
        out.unlink(missing_ok=True)
    if completed.returncode != 0 or not text:
        return {
            "status": "failed",
            "reason": f"the benchmark process died (exit code {completed.returncode})",
        }
    return json.loads(text)


def markdown(rows: list[dict]) -> str:
    lines = [
        "| benchmark | dataset | metric | value | baseline | baseline value | ratio | n | seconds | peak RSS MB |",
        "|---|---|---|---:|---|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        name = row["name"] if row.get("scale") in (None, 1) else f"{row['name']} ×{row['scale']}"
        if row["status"] != "ok":
            lines.append(f"| {name} | | {row['status']}: {row['reason']} | | | | | | | |")
            continue
        lines.append(
            "| {name} | {dataset} | {metric} | {value} | {baseline} | {baseline_value} | {ratio} | {n} | {seconds} | {rss} |".format(
                name=name,
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
    return "\n".join(lines) + "\n" + _curves(rows)


def _curves(rows: list[dict]) -> str:
    """Per benchmark and metric marked as a curve: value and peak RSS against corpus size."""
    curves: dict[tuple[str, str], list[dict]] = {}
    for row in rows:
        if row["status"] == "ok" and row.get("curve"):
            curves.setdefault((row["name"], row["metric"]), []).append(row)
    if not curves:
        return ""
    parts = ["\n## Scaling: throughput and peak RSS against corpus size\n"]
    for (name, metric), points in curves.items():
        points.sort(key=lambda row: row["scale"])
        top = max(abs(p["value"]) for p in points) or 1
        parts.append(f"\n**{name}**: {metric}\n")
        parts.append("\n| corpus | n | value | peak RSS MB | seconds | |")
        parts.append("\n|---|---:|---:|---:|---:|---|")
        for point in points:
            bar = "█" * max(1, round(20 * abs(point["value"]) / top))
            parts.append(
                f"\n| {point['scale']}× | {point['n'] if point['n'] is not None else ''} | "
                f"{_fmt(point['value'])} | {_fmt(point['peak_rss_mb'])} | "
                f"{_fmt(point['seconds'])} | {bar} |"
            )
        parts.append("\n")
    return "".join(parts)


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
    parser.add_argument(
        "--results", type=Path, default=RESULTS, help="folder for latest/quick .json and .md"
    )
    parser.add_argument("--package", default=PACKAGE, help=argparse.SUPPRESS)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--scale", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_one(args.child, args.quick, args.scale, Path(args.out), args.package)
        return
    benchmarks = discover(args.package)
    if args.list:
        for benchmark in benchmarks.values():
            scales = (
                ""
                if benchmark.scales == (1,)
                else f" at {', '.join(f'{s}×' for s in benchmark.scales)}"
            )
            quick = " (quick)" if benchmark.quick else ""
            print(f"{benchmark.name}{quick}{scales}: {benchmark.description}")
        return
    unknown = [name for name in args.only if name not in benchmarks]
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; --list shows them")
    names = args.only or [n for n, b in sorted(benchmarks.items()) if b.quick or not args.quick]
    rows = run_all(benchmarks, names, args.quick, args.package)
    args.results.mkdir(parents=True, exist_ok=True)
    target = args.results / ("quick.json" if args.quick else "latest.json")
    # a partial run (--only) replaces its own rows and keeps the others
    kept = (
        [r for r in json.loads(target.read_text()) if r["name"] not in names]
        if target.exists()
        else []
    )
    rows = sorted(kept + rows, key=lambda r: (r["name"], r.get("scale") or 1))
    target.write_text(json.dumps(rows, indent=2) + "\n")
    target.with_suffix(".md").write_text(markdown(rows))
    print(markdown(rows))
    print(f"wrote {target} and {target.with_suffix('.md')}", file=sys.stderr)
    failed = [r["name"] for r in rows if r["name"] in names and r["status"] == "failed"]
    if failed:
        sys.exit(f"bench: failed: {', '.join(sorted(set(failed)))}")

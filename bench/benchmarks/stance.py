"""Stance quality on the labelled dev set, and the shipped models' load time and throughput.

Quality is macro-F1 over the four codebook labels on ../shared/data/stance/dev.jsonl by
cross-validation: no dev sentence is ever scored by a model that trained on it; the
team-written annotation files are in every training fold and never scored. The headline is
nested cross-validation of the whole training procedure (`discourse stance train`: selection
among the candidate configurations by inner CV on the training part only, then refit), so no
choice is made on the sentences being scored. Baselines in the same run: a keyword-only rule
and VADER compound sentiment mapped to stance (both behind the same keyword relevance gate),
plus the codebook rules alone. Also: the light procedure (words and rules only, the fast
models/stance-light) by the same nested CV, and the default procedure trained on the
team-written examples only and scored on every dev sentence (no dev sentence in training).
"""

import csv
import gzip
import subprocess
import sys
import time

from bench.harness import Benchmark, Context
from discourse.analyse.stance.evaluation import (
    evaluation_report,
    nested_cross_validation,
    out_of_fold,
    select,
)
from discourse.analyse.stance.examples import (
    DEFAULT_MODEL_DIR,
    REPO_ROOT,
    annotation_files,
    columns,
    read_examples,
)
from discourse.analyse.stance.models import KeywordModel, VaderModel, load_model
from discourse.analyse.stance.rules import RuleModel
from discourse.analyse.stance.training import candidates
from discourse.vocabulary import STANCES

DEV = "stance/dev.jsonl"
MANIFESTOS = "text/uk-manifesto-sentences-1945-2010.csv.gz"
LIGHT_MODEL_DIR = REPO_ROOT / "models" / "stance-light"
SEED = 0


def _score(model, examples) -> dict:
    texts, before, after, labels = columns(examples)
    return evaluation_report(labels, model.predict_proba(texts, before, after))


def _rows(name: str, report: dict, baseline: tuple[str, dict], n: int, notes: str, seconds=None):
    base_name, base = baseline
    rows = [
        {
            "dataset": DEV,
            "metric": f"macro-F1 ({name})",
            "value": report["macro_f1"],
            "baseline": base_name,
            "baseline_value": base["macro_f1"],
            "n": n,
            "notes": notes,
            **({"seconds": seconds} if seconds is not None else {}),
        }
    ]
    for label in STANCES:
        rows.append(
            {
                "dataset": DEV,
                "metric": f"F1 {label} ({name})",
                "value": report["per_label"][label]["f1"],
                "baseline": base_name,
                "baseline_value": base["per_label"][label]["f1"],
                "n": report["per_label"][label]["support"],
                "notes": (
                    f"precision {report['per_label'][label]['precision']:.3f}, "
                    f"recall {report['per_label'][label]['recall']:.3f}"
                ),
            }
        )
    return rows


def stance_quality(context: Context) -> list[dict]:
    dev = read_examples(context.dataset(DEV), source="dev")
    written = [e for path in annotation_files(DEFAULT_MODEL_DIR) for e in read_examples(path)]
    truth = [e.label for e in dev]
    keyword = ("keyword rule", _score(KeywordModel(), dev))
    vader = ("VADER compound → stance", _score(VaderModel(), dev))
    rows = []
    rows += _rows(
        "codebook rules, no training",
        _score(RuleModel(), dev),
        keyword,
        len(dev),
        "hand-written rules from the codebook; nothing fitted",
    )

    grid = candidates(seed=SEED)
    start = time.perf_counter()
    held_out, chosen = nested_cross_validation(
        grid, dev, written, folds=5, inner_folds=3, seed=SEED
    )
    seconds = time.perf_counter() - start
    nested = evaluation_report(truth, held_out)
    notes = (
        f"shipped procedure (default, MiniLM with NumPy among the features): 5 outer folds, "
        f"selection by 3-fold inner CV among {len(grid)} configurations; chosen per fold: "
        f"{'; '.join(chosen)}; ECE {nested['expected_calibration_error']:.3f}"
    )
    rows += _rows("nested CV, shipped procedure", nested, keyword, len(dev), notes, seconds)
    rows.append(
        {
            "dataset": DEV,
            "metric": "macro-F1 (nested CV, shipped procedure)",
            "value": nested["macro_f1"],
            "baseline": vader[0],
            "baseline_value": vader[1]["macro_f1"],
            "n": len(dev),
            "notes": "the same run as above, against the second baseline",
        }
    )

    # A fixed configuration's spread over fold assignments (its choice saw all dev labels).
    chosen_overall = select(grid, written + dev, folds=5, seed=SEED)
    spread = [
        evaluation_report(truth, out_of_fold(chosen_overall.factory, dev, written, seed=s))[
            "macro_f1"
        ]
        for s in range(3)
    ]
    rows.append(
        {
            "dataset": DEV,
            "metric": "macro-F1 (5-fold CV, mean of 3 fold assignments)",
            "value": sum(spread) / len(spread),
            "baseline": keyword[0],
            "baseline_value": keyword[1]["macro_f1"],
            "n": len(dev),
            "notes": f"configuration {chosen_overall.name} (selected with all data, so mildly "
            f"optimistic); per assignment {', '.join(f'{s:.3f}' for s in spread)}",
        }
    )

    # No dev sentence in training at all: team-written examples → every dev sentence.
    chosen_written = select(grid, written, folds=5, seed=SEED)
    model = chosen_written.factory().fit(*columns(written))
    rows += _rows(
        "trained on team-written only",
        _score(model, dev),
        keyword,
        len(dev),
        f"selected on the written set: {chosen_written.name}",
    )

    grid_light = candidates(embeddings=False, seed=SEED)
    start = time.perf_counter()
    held_out, chosen = nested_cross_validation(
        grid_light, dev, written, folds=5, inner_folds=3, seed=SEED
    )
    report = evaluation_report(truth, held_out)
    rows += _rows(
        "nested CV, light procedure (words + rules)",
        report,
        keyword,
        len(dev),
        f"models/stance-light's procedure; chosen per fold: {'; '.join(chosen)}; "
        f"ECE {report['expected_calibration_error']:.3f}",
        time.perf_counter() - start,
    )
    return rows


def _load_seconds(model_dir) -> float:
    """Cold start in a fresh interpreter: imports plus reading the model files."""
    probe = (
        "import time; t = time.perf_counter(); "
        "from discourse.analyse.stance import load_model; "
        f"load_model({str(model_dir)!r}); print(time.perf_counter() - t)"
    )
    return float(
        subprocess.run(
            [sys.executable, "-c", probe], check=True, capture_output=True, text=True
        ).stdout
    )


def stance_speed(context: Context) -> list[dict]:
    with gzip.open(context.dataset(MANIFESTOS), "rt", encoding="utf-8") as handle:
        texts = [r["text"] for r in csv.DictReader(handle) if r["text"].strip()]
    keyword = KeywordModel()
    start = time.perf_counter()
    keyword.predict_proba(texts[:30_000], [""] * 30_000, [""] * 30_000)
    keyword_rate = 30_000 / (time.perf_counter() - start)
    rows = []
    # the default runs MiniLM (tens of sentences a second), so it gets a smaller sample
    for name, model_dir, sample in (
        ("shipped default", DEFAULT_MODEL_DIR, 300 if context.quick else 2_000),
        ("light model", LIGHT_MODEL_DIR, 5_000 if context.quick else 30_000),
    ):
        load_seconds = _load_seconds(model_dir)
        model = load_model(model_dir)
        blank = [""] * sample
        start = time.perf_counter()
        model.predict_proba(texts[:sample], blank, blank)
        seconds = time.perf_counter() - start
        relative = model_dir.relative_to(REPO_ROOT)
        rows += [
            {
                "dataset": str(relative),
                "metric": f"model load seconds, fresh process incl. imports ({name}; target < 2)",
                "value": load_seconds,
                "n": 1,
                "seconds": load_seconds,
            },
            {
                "dataset": MANIFESTOS,
                "metric": f"sentences/s (predict, {name})",
                "value": sample / seconds,
                "baseline": "keyword rule",
                "baseline_value": keyword_rate,
                "n": sample,
                "seconds": seconds,
                "notes": f"{relative}: first {sample:,} manifesto sentences, no context",
            },
        ]
    return rows


BENCHMARKS = [
    Benchmark(
        "stance_quality",
        stance_quality,
        description="stance macro-F1 on the dev set by nested CV vs keyword and VADER baselines",
    ),
    Benchmark(
        "stance_speed",
        stance_speed,
        quick=True,
        description="stance models' load time and prediction throughput",
    ),
]

"""Train the shipped stance model: select by cross-validation, fit, write the model card.

Data: every annotation file in `<model dir>/annotations/` plus the shared dev set when it is
present (read from its path, never copied; its SHA-256 goes in the card). Selection: each
candidate configuration is scored by stratified cross-validation on all of that data, the
best is refitted on all of it. Reported quality is *not* that selection score: with a dev set
it is nested cross-validation on the dev sentences (selection repeated inside each outer
fold, annotation files in every training fold, dev sentences scored only when held out), so
the number describes the whole procedure on real text. The misclassification matrix used to
correct shares comes from those same held-out predictions.
"""

import datetime as dt
import json
import os
import platform
from dataclasses import dataclass
from functools import partial
from importlib import metadata
from pathlib import Path

import numpy as np

from discourse import __version__
from discourse.analyse.stance.correction import misclassification_matrix
from discourse.analyse.stance.evaluation import (
    Candidate,
    evaluation_report,
    nested_cross_validation,
    out_of_fold,
    select,
)
from discourse.analyse.stance.examples import (
    Example,
    annotation_files,
    read_examples,
    sha256_file,
)
from discourse.analyse.stance.models import LinearModel
from discourse.errors import UsageError
from discourse.progress import SILENT, Progress
from discourse.vocabulary import STANCES

CARD_FILE = "MODEL_CARD.md"
LIGHT_BLOCKS = [("words", "rules"), ("rules",)]
EMBEDDING_BLOCKS = [("minilm", "rules"), ("words", "minilm", "rules")]


def candidates(*, embeddings: bool = True, seed: int = 0) -> list[Candidate]:
    """The configurations selection chooses among (a small grid: few data, few choices)."""
    blocks = LIGHT_BLOCKS + (EMBEDDING_BLOCKS if embeddings else [])
    grid = []
    for features in blocks:
        for C in (0.3, 1.0, 3.0):
            for rule_weight in (1.0, 2.0) if "words" in features else (1.0,):
                name = f"{'+'.join(features)} C={C:g} rule_weight={rule_weight:g}"
                factory = partial(LinearModel, features, C=C, rule_weight=rule_weight, seed=seed)
                grid.append(Candidate(name, factory))
    return grid


@dataclass
class TrainingResult:
    model: LinearModel
    chosen: str
    card: dict


def library_versions(features: tuple[str, ...]) -> dict[str, str]:
    """Versions of what trained the model (the embedding stack only when it was used)."""
    versions = {"python": platform.python_version(), "discourse": __version__}
    names = ["numpy", "scipy", "scikit-learn"]
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def _counts(examples: list[Example]) -> dict[str, int]:
    return {label: sum(e.label == label for e in examples) for label in STANCES}


def train(
    model_dir: Path,
    *,
    dev_path: Path | None = None,
    seed: int = 0,
    folds: int = 5,
    embeddings: bool = True,
    nested: bool = True,
    out_dir: Path | None = None,
    progress: Progress = SILENT,
) -> TrainingResult:
    """Fit the stance model from `model_dir`'s annotations (+ dev) and write it with its card
    to `out_dir` (default: `model_dir`)."""
    model_dir = Path(model_dir)
    out_dir = Path(out_dir) if out_dir else model_dir
    files = annotation_files(model_dir)
    if not files:
        raise UsageError(
            f"{model_dir}/annotations: no annotation files (*.jsonl)",
            hint="label sentences with `discourse stance annotate` or add a JSONL file there",
        )
    annotations = [e for path in files for e in read_examples(path)]
    dev = read_examples(dev_path, source="dev") if dev_path else []
    pool = annotations + dev
    grid = candidates(embeddings=embeddings, seed=seed)

    with progress.task("stance: selecting by cross-validation", total=1) as task:
        best = select(grid, pool, folds=folds, seed=seed)
        task.advance()
    model = best.factory().fit(*_columns(pool))

    evaluation: dict = {}
    if dev:
        truth = [e.label for e in dev]
        with progress.task("stance: cross-validating on the dev set", total=1) as task:
            fixed = out_of_fold(best.factory, dev, annotations, folds=folds, seed=seed)
            evaluation["dev_cv_selected_configuration"] = evaluation_report(truth, fixed)
            reference = evaluation["dev_cv_selected_configuration"]
            basis = "out-of-fold predictions on the dev set"
            if nested:
                held_out, chosen = nested_cross_validation(
                    grid, dev, annotations, folds=folds, seed=seed
                )
                reference = evaluation["dev_nested_cv"] = evaluation_report(truth, held_out)
                reference["selected_per_fold"] = chosen
                basis += " (nested cross-validation)"
            task.advance()
    else:
        held_out = out_of_fold(best.factory, pool, folds=folds, seed=seed)
        reference = evaluation["annotations_cv"] = evaluation_report(
            [e.label for e in pool], held_out
        )
        basis = "out-of-fold predictions on the annotation files"

    counts = np.asarray(reference["confusion_matrix"]["matrix"])
    card = {
        "approach": "linear",
        "selected": best.name,
        "params": model.params,
        "encoder": (
            {
                "path": os.path.relpath(model.encoder_dir.resolve(), out_dir.resolve()),
                "sha256": model.encoder().sha256,
            }
            if "minilm" in model.features
            else None
        ),
        "trained_at": dt.datetime.now(dt.UTC).date().isoformat(),
        "seed": seed,
        "folds": folds,
        "versions": library_versions(model.features),
        "data": {
            "annotation_files": [
                {
                    "path": str(p.relative_to(model_dir)),
                    "sha256": sha256_file(p),
                    "counts": _counts(read_examples(p)),
                }
                for p in files
            ],
            "dev_set": (
                {"path": str(dev_path), "sha256": sha256_file(dev_path), "counts": _counts(dev)}
                if dev
                else None
            ),
            "training_examples": len(pool),
        },
        "candidates": [c.name for c in grid],
        "evaluation": evaluation,
        "misclassification": {
            "basis": basis,
            "counts": counts.tolist(),
            "smoothing": 0.5,
            "matrix": misclassification_matrix(counts).tolist(),
        },
    }
    model.save(out_dir, metadata=card)
    (out_dir / CARD_FILE).write_text(model_card(card), encoding="utf-8")
    return TrainingResult(model=model, chosen=best.name, card=card)


def _columns(examples: list[Example]):
    return (
        [e.text for e in examples],
        [e.context_before for e in examples],
        [e.context_after for e in examples],
        [e.label for e in examples],
    )


def _scores_table(report: dict) -> list[str]:
    lines = ["| label | precision | recall | F1 | n |", "|---|---:|---:|---:|---:|"]
    for label in STANCES:
        row = report["per_label"][label]
        lines.append(
            f"| {label} | {row['precision']:.3f} | {row['recall']:.3f} | {row['f1']:.3f} | {row['support']} |"
        )
    lines.append(f"| **macro** | | | **{report['macro_f1']:.3f}** | {report['n']} |")
    lines.append("")
    lines.append(
        f"Accuracy {report['accuracy']:.3f}; expected calibration error "
        f"{report['expected_calibration_error']:.3f} ({report['calibration_bins']} bins)."
    )
    return lines


def model_card(card: dict) -> str:
    """The human-readable model card (MODEL_CARD.md), generated from the card data."""
    data = card["data"]
    lines = [
        "# Stance model card",
        "",
        "Classifies one sentence (read with its neighbours) as support, sceptical, neutral or",
        "irrelevant toward state–civil-society blurring, as defined in the project's stance",
        "codebook (docs/stance-codebook.md in the shared docs). Generated by",
        "`discourse stance train`; do not edit by hand.",
        "",
        f"- Trained: {card['trained_at']} (seed {card['seed']}, {card['folds']}-fold cross-validation)",
        f"- Approach: logistic regression over {', '.join(card['params']['features'])} "
        f"(selected: `{card['selected']}`)",
        "- Versions: " + ", ".join(f"{k} {v}" for k, v in card["versions"].items()),
        "- Files: `model.json` (configuration, vocabulary, this card's data), `weights.npz`",
        "  (IDF weights and coefficients)"
        + (
            f", and the all-MiniLM-L6-v2 weights in `{card['encoder']['path']}` "
            f"(sha256 {card['encoder']['sha256'][:16]}…, Apache-2.0)"
            ". No pickle; predicts without torch (NumPy, and ONNX Runtime for MiniLM)."
            if card.get("encoder")
            else ". No pickle; predicts with NumPy only (no torch)."
        ),
        "",
        "## Data",
        "",
        "| file | sha256 | support | sceptical | neutral | irrelevant |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for item in data["annotation_files"]:
        c = item["counts"]
        lines.append(
            f"| {item['path']} | {item['sha256'][:16]}… | {c['support']} | {c['sceptical']} | {c['neutral']} | {c['irrelevant']} |"
        )
    if data["dev_set"]:
        c = data["dev_set"]["counts"]
        lines.append(
            f"| dev set (read in place, not copied) | {data['dev_set']['sha256'][:16]}… | {c['support']} | {c['sceptical']} | {c['neutral']} | {c['irrelevant']} |"
        )
    lines += ["", f"{data['training_examples']} training sentences in all.", "", "## Quality", ""]
    evaluation = card["evaluation"]
    if "dev_nested_cv" in evaluation:
        lines += [
            "Nested cross-validation on the dev set: in each outer fold the configuration is",
            "selected by inner cross-validation on the training part only, refitted, and scored",
            "on the held-out dev sentences; annotation files are in every training fold and",
            "never scored. Selected per outer fold: "
            + ", ".join(f"`{c}`" for c in evaluation["dev_nested_cv"]["selected_per_fold"])
            + ".",
            "",
            *_scores_table(evaluation["dev_nested_cv"]),
            "",
            "For reference, the finally selected configuration cross-validated on the dev set",
            "(its selection saw all dev labels, so this is optimistic):",
            f"macro-F1 {evaluation['dev_cv_selected_configuration']['macro_f1']:.3f}.",
        ]
    elif "dev_cv_selected_configuration" in evaluation:
        lines += [
            "Cross-validated on the dev set with the selected configuration (nested",
            "cross-validation was skipped; the selection saw all dev labels, so this is",
            "optimistic):",
            "",
            *_scores_table(evaluation["dev_cv_selected_configuration"]),
        ]
    else:
        lines += [
            "No dev set was present: cross-validated on the annotation files themselves",
            "(optimistic when they are team-written).",
            "",
            *_scores_table(evaluation["annotations_cv"]),
        ]
    mis = card["misclassification"]
    lines += [
        "",
        "## Misclassification matrix (for share correction)",
        "",
        f"P(predicted | true) from {mis['basis']}, counts smoothed by {mis['smoothing']} per cell:",
        "",
        "| true \\ predicted | " + " | ".join(STANCES) + " |",
        "|---|" + "---:|" * len(STANCES),
    ]
    for label, row in zip(STANCES, mis["matrix"], strict=True):
        lines.append(f"| {label} | " + " | ".join(f"{v:.2f}" for v in row) + " |")
    lines += [
        "",
        "## Intended use and limits",
        "",
        "Aggregate shares of stance by period and actor over many sentences, reported with",
        "document-bootstrap intervals and beside the misclassification-corrected shares. Not",
        "for judging single sentences or speakers. The real labelled sentences are few and come",
        "from manifestos and Commons speeches; sceptical examples among them are scarce, so the",
        "sceptical scores rest on a handful of sentences. Team-written examples follow the",
        "codebook's genre (UK 2010–2015) and licence as the project (MIT).",
        "",
    ]
    return "\n".join(lines)


def card_json(model_dir: Path) -> dict:
    """The card data stored with a trained model (for provenance in analysis runs)."""
    description = json.loads((Path(model_dir) / "model.json").read_text(encoding="utf-8"))
    return description.get("metadata", {})

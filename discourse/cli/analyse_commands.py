"""Commands that measure the corpus: analyse, diff, compare (survey figures beside the
discourse), relevance train, stance (predict, train, evaluate, annotate), and sentiment scoring
of any JSONL file.

The analysis modules (spaCy, gensim, scipy, VADER) are imported inside the commands that use
them, so other commands and `--help` start without loading them.
"""

import getpass
import json
import os
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

import click

from discourse.cli.context import AppContext
from discourse.config import SentimentConfig
from discourse.errors import UsageError


@click.command()
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Analysis configuration (default: analyse.toml if present, else built-in defaults).",
)
@click.option("--seed", type=int, help="Override [analysis] seed for this run.")
@click.pass_obj
def analyse(app: AppContext, config_path: Path | None, seed: int | None) -> None:
    """Run the analysis (passages, relevance, topics, stance, sentiment, trends) as one run.

    Results are stored in the store under a new run id (see `discourse runs`); export them
    with `discourse export --run RUN_ID`. Same corpus, config and seed give identical results.
    """
    from discourse.analyse.pipeline import analyse as run_analysis
    from discourse.analyse.pipeline import load_config

    config = load_config(config_path)
    store = app.store(create=False)
    report = run_analysis(store, config, seed=seed, command=app.command, progress=app.progress())
    summary = report.summary
    app.console.print(
        f"analysis run {report.run_id}: {summary['documents']:,} documents, "
        f"{summary['sentences']:,} sentences ({summary['relevant_sentences']:,} about the target), "
        f"{summary['words']:,} words"
    )
    for name, rows in sorted(summary["tables"].items()):
        app.console.print(f"  {name}: {rows:,} rows")
    if summary["tables"].get("topic_coherence"):
        selection = store.read_results(report.run_id, "topic_coherence")
        chosen = selection[selection["chosen"] == 1].iloc[0]
        app.console.print(
            f"topics: k = {chosen['k']} chosen from {', '.join(map(str, selection['k']))} "
            f"by held-out {chosen['measure']} ({chosen['coherence']:.3f})"
        )
    elif config.topics.enabled:
        app.console.print("topics: too little text for a topic model; none was fitted")
    if config.compare.enabled:
        _compare_after_analysis(app, store, report.run_id, config.compare)
    click.echo(report.run_id)


@click.command()
@click.argument("run_a")
@click.argument("run_b")
@click.option(
    "--tolerance",
    type=click.FloatRange(min=0),
    default=1e-9,
    show_default=True,
    help="Smallest absolute change in an estimate that counts as a difference.",
)
@click.option(
    "--limit",
    type=click.IntRange(1),
    default=10,
    show_default=True,
    help="Changed rows shown per table.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the full comparison as JSON.")
@click.pass_obj
def diff(
    app: AppContext, run_a: str, run_b: str, tolerance: float, limit: int, as_json: bool
) -> None:
    """Compare two runs: configuration, corpus snapshot, and every result table's estimates.

    Exit code 0 whether or not they differ; the comparison says what changed.
    """
    from discourse.analyse.diff import compare_runs

    store = app.store(create=False, readonly=True)
    comparison = compare_runs(store, run_a, run_b, tolerance=tolerance)
    if as_json:
        click.echo(json.dumps(comparison, indent=2, default=str))
        return
    for line in comparison_lines(comparison, limit):
        click.echo(line)


def comparison_lines(comparison: dict, limit: int) -> list[str]:
    lines = [f"runs {comparison['run_a']} → {comparison['run_b']}"]
    config = comparison["config"]
    lines.append("config: identical" if not config else f"config: {len(config)} setting(s) differ")
    lines += [f"  {c['key']}: {c['a']!r} → {c['b']!r}" for c in config]
    corpus = comparison["corpus"]
    lines.append("corpus: identical" if not corpus else "corpus: differs")
    lines += [f"  {c['key']}: {c['a']!r} → {c['b']!r}" for c in corpus]
    versions = comparison["versions"]
    if versions:
        lines.append("versions: differ")
        lines += [f"  {c['key']}: {c['a']!r} → {c['b']!r}" for c in versions]
    for table in comparison["tables"]:
        status = table["status"]
        if status == "identical":
            lines.append(f"{table['table']}: identical ({table['rows_a']:,} rows)")
            continue
        if status != "compared":
            lines.append(f"{table['table']}: {status}")
            continue
        lines.append(
            f"{table['table']}: {table['changed']:,} changed, {table['only_a']:,} only in A, "
            f"{table['only_b']:,} only in B (of {table['rows_a']:,} / {table['rows_b']:,} rows); "
            f"largest change {table['max_change']:.4g}"
        )
        for change in table["changes"][:limit]:
            key = ", ".join(f"{k}={v}" for k, v in change["key"].items())
            lines.append(f"  {key}: {change['column']} {change['a']!r} → {change['b']!r}")
    return lines


def _compare_after_analysis(app: AppContext, store, run_id: str, config) -> None:
    """[compare] enabled: set the survey figures beside the run just made (needs stance)."""
    from discourse.analyse.compare import STANCE_SENTENCES, compare_run

    if STANCE_SENTENCES not in store.result_names(run_id):
        app.console.print(
            f"survey comparison skipped: run {run_id} has no stance results ({STANCE_SENTENCES})"
        )
        return
    comparison = compare_run(store, run_id, config, progress=app.progress())
    _print_comparison(app, comparison)


@click.command()
@click.option("--run", "run_id", help="Analysis run to compare (default: the latest ok one).")
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Read [compare] from this file (default: the settings the run was made with).",
)
@click.option(
    "--surveys",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Survey table (CSV) to compare with instead of the configured one.",
)
@click.option(
    "--window-months",
    type=click.IntRange(0, 120),
    help="Months either side of a wave's fieldwork to take documents from.",
)
@click.pass_obj
def compare(
    app: AppContext,
    run_id: str | None,
    config_path: Path | None,
    surveys: Path | None,
    window_months: int | None,
) -> None:
    """Set survey evidence of scepticism beside the run's discourse, wave by wave.

    Each survey wave marked sceptical is aligned with the stance of its population's
    documents (council leaders with local_government, the public with all, the sector with
    charity and think_tank; see [compare] in analyse.toml) dated within a window around its
    fieldwork, and rank correlations are computed per series where at least 4 waves have a
    discourse estimate. The result replaces the run's earlier comparison, stored with it.
    """
    from discourse.analyse.compare import compare_run
    from discourse.analyse.pipeline import load_config

    store = app.store(create=False)
    run_id = run_id or store.latest_run("analyse")["id"]
    config = load_config(config_path).compare if config_path else None
    if surveys is not None or window_months is not None:
        from discourse.analyse.compare import recorded_config

        base = config or recorded_config(store, run_id).compare
        changes = {}
        if surveys is not None:
            changes["surveys"] = str(surveys)
        if window_months is not None:
            changes["window_months"] = window_months
        config = base.model_copy(update=changes)
    comparison = compare_run(store, run_id, config, progress=app.progress())
    _print_comparison(app, comparison)
    click.echo(run_id)


def _print_comparison(app: AppContext, comparison) -> None:
    waves = comparison.waves
    compared = int(waves["point"].sum())
    app.console.print(
        f"survey comparison: {len(waves)} sceptical survey waves, {compared} compared "
        f"with the discourse of their population"
    )
    for row in comparison.correlations.itertuples():
        if row.status == "compared":
            app.console.print(
                f"  {row.series} (segment {row.segment}): {row.points} waves, Spearman rho "
                f"{row.spearman_rho:+.2f} (p={row.spearman_p:.2f}), Kendall tau "
                f"{row.kendall_tau:+.2f} (p={row.kendall_p:.2f})"
            )
    few = int((comparison.correlations["status"] != "compared").sum())
    if few:
        app.console.print(
            f"  {few} series segment(s) without a rank correlation (fewer than 4 compared "
            "waves, or no variation): see the survey_correlation table"
        )


@click.group()
def relevance() -> None:
    """The relevance filter: train the optional learned scorer on labelled sentences."""


@relevance.command()
@click.option(
    "--labels",
    "label_files",
    multiple=True,
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="JSONL of labelled sentences (text, context_before, context_after, and label or "
    "relevant); repeatable.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("models/relevance/relevance.joblib"),
    show_default=True,
    help="Where to write the model; a .json model card is written beside it.",
)
@click.option(
    "--lexicon",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Concept lexicon (default: packaged).",
)
@click.option("--folds", type=click.IntRange(2, 20), default=5, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.pass_obj
def train(app: AppContext, label_files, out: Path, lexicon, folds: int, seed: int) -> None:
    """Fit the learned relevance scorer and report its cross-validated quality.

    Use it with `[relevance] model = "PATH"` in analyse.toml. Labels follow the stance
    codebook: support, sceptical and neutral are relevant, irrelevant is not.
    """
    from discourse.analyse.relevance import (
        LearnedScorer,
        cross_validated,
        load_lexicon,
        read_labelled,
    )
    from discourse.dates import utc_now
    from discourse.errors import UsageError
    from discourse.provenance import canonical_json, library_versions, package_version

    texts, before, after, relevant = [], [], [], []
    for path in label_files:
        t, b, a, r = read_labelled(path)
        texts += t
        before += b
        after += a
        relevant += r
    positives = sum(relevant)
    if min(positives, len(relevant) - positives) < folds:
        raise UsageError(
            f"{', '.join(map(str, label_files))}: {positives} relevant and "
            f"{len(relevant) - positives} irrelevant sentences; each needs at least {folds}",
            hint="label more sentences or lower --folds",
        )
    concepts = load_lexicon(lexicon)
    scores = cross_validated(concepts, texts, before, after, relevant, folds=folds, seed=seed)
    LearnedScorer(concepts, seed=seed).fit(texts, before, after, relevant).save(out)
    card = {
        "model": "relevance: logistic regression on TF-IDF words of sentence and context + lexicon concepts",
        "trained_at": utc_now(),
        "data": [str(p) for p in label_files],
        "sentences": len(relevant),
        "relevant": positives,
        "cross_validation": {"folds": folds, "seed": seed, **scores},
        "lexicon": str(lexicon) if lexicon else "discourse/data/concepts.toml",
        "package_version": package_version(),
        "library_versions": library_versions(),
    }
    card_path = out.with_suffix(".json")
    card_path.write_text(canonical_json(card) + "\n", encoding="utf-8")
    app.console.print(
        f"trained on {len(relevant):,} sentences ({positives:,} relevant); {folds}-fold "
        f"cross-validated precision {scores['precision']:.3f}, recall {scores['recall']:.3f}, "
        f"F1 {scores['f1']:.3f}"
    )
    app.console.print(f"wrote {out} and {card_path}")


@click.group()
def sentiment() -> None:
    """Sentiment of texts outside a run (the `analyse` run scores its own sentences)."""


@sentiment.command("score")
@click.option(
    "--in",
    "in_path",
    required=True,
    type=click.Path(dir_okay=False, allow_dash=True),
    help="JSONL file of objects with a `text` field ('-' for stdin).",
)
@click.option(
    "--out",
    "out_path",
    required=True,
    type=click.Path(dir_okay=False, allow_dash=True),
    help="JSONL file to write ('-' for stdout); written only if the whole input is valid.",
)
@click.option(
    "--dictionary",
    type=click.Path(dir_okay=False),
    default=None,
    help="A Lexicoder-format dictionary of your own (.csv category,pattern; .lc3; WordStat "
    ".cat; or a pattern,weight .csv) instead of the bundled political-tone dictionary.",
)
@click.option(
    "--method",
    type=click.Choice(["combined", "vader", "dictionary"]),
    default="combined",
    show_default=True,
    help="combined: VADER and the dictionary together; or either alone.",
)
@click.pass_obj
def score(
    app: AppContext, in_path: str, out_path: str, dictionary: str | None, method: str
) -> None:
    """Add `sentiment` (-1…1) and `sentiment_label` to every object of a JSONL file.

    Each line of IN is a JSON object with a `text` field; OUT gets the same objects in the
    same order, one line each, every other field unchanged. A text's score is the mean of
    its evaluative sentences' scores (0.0, neutral, when none evaluates). Empty texts are
    scored neutral 0.0 and counted in a warning.
    """
    from discourse.analyse.sentiment import SentimentScorer

    scorer = SentimentScorer.from_config(SentimentConfig(method=method), dictionary=dictionary)
    source = _display(in_path)
    total = _count_lines(in_path)
    counts = {"negative": 0, "neutral": 0, "positive": 0}
    empty: list[int] = []
    with (
        _input(in_path) as lines,
        _atomic_output(out_path) as out,
        app.progress().task("scoring sentiment", total=total) as task,
    ):
        for number, raw in lines:
            record = _parse(raw, number, source)
            text = record["text"]
            if not text.strip():
                empty.append(number)
                value, label = 0.0, "neutral"
            else:
                result = scorer.score_text(text)
                value, label = result.sentiment, result.label
            record["sentiment"] = value
            record["sentiment_label"] = label
            counts[label] += 1
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            task.advance()
    scored = sum(counts.values())
    app.console.print(
        f"scored {scored} texts: {counts['positive']} positive, {counts['neutral']} neutral, "
        f"{counts['negative']} negative → {_display(out_path)}"
    )
    if empty:
        shown = ", ".join(map(str, empty[:10])) + (", …" if len(empty) > 10 else "")
        click.echo(
            f"warning: {len(empty)} empty text(s) scored neutral 0.0 (lines {shown})", err=True
        )


def _display(path: str) -> str:
    return "<stdin>" if path == "-" else path


def _count_lines(path: str) -> int | None:
    """Lines in the input, for the progress bar (None for stdin, which cannot be re-read)."""
    if path == "-":
        return None
    try:
        with open(path, "rb") as handle:
            return sum(1 for line in handle if line.strip())
    except FileNotFoundError:
        raise UsageError(f"{path}: input file not found", hint="check --in") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror}") from None


@contextmanager
def _input(path: str):
    """Yield (line number, bytes) of the input's lines; blank lines only at the end."""
    if path == "-":
        yield _numbered(sys.stdin.buffer, "<stdin>")
        return
    with open(path, "rb") as handle:
        yield _numbered(handle, path)


def _numbered(lines, source: str):
    blank = None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            blank = blank or number
            continue
        if blank is not None:
            raise UsageError(
                f"{source}:{blank}: empty line", hint="every line must be a JSON object"
            )
        yield number, line


def _parse(raw: bytes, number: int, source: str) -> dict:
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(
            f"{source}:{number}: not UTF-8 (byte {exc.start + 1} of the line)",
            hint="re-encode the file as UTF-8",
        ) from None
    if number == 1:
        line = line.removeprefix("\ufeff")
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{source}:{number}: not valid JSON ({exc.msg})") from None
    if not isinstance(record, dict):
        raise UsageError(
            f"{source}:{number}: expected a JSON object, got {type(record).__name__}",
            hint="each line must be an object with a `text` field",
        )
    if "text" not in record:
        raise UsageError(
            f"{source}:{number}: no `text` field", hint="each object needs the text to score"
        )
    if not isinstance(record["text"], str):
        raise UsageError(
            f"{source}:{number}: `text` must be a string, got {type(record['text']).__name__}"
        )
    return record


@contextmanager
def _atomic_output(path: str):
    """Write to a temporary file beside OUT and move it into place only on success."""
    if path == "-":
        yield sys.stdout
        sys.stdout.flush()
        return
    target = Path(path)
    if not target.parent.is_dir():
        raise UsageError(f"{path}: directory {target.parent} does not exist", hint="check --out")
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            yield out
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


# -- stance -----------------------------------------------------------------------------------


def _default_model_dir() -> Path:
    from discourse.analyse.stance.examples import DEFAULT_MODEL_DIR

    return DEFAULT_MODEL_DIR


_MODEL_OPTION = click.option(
    "--model",
    "model_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Trained stance model directory (default: the shipped models/stance).",
)


@click.group()
def stance() -> None:
    """Stance toward state–civil-society blurring (support, sceptical, neutral, irrelevant).

    The labels follow the project's stance codebook. `predict` labels a JSONL file,
    `evaluate` scores the model on labelled sentences, `annotate` labels corpus sentences
    the model is least sure of, and `train` refits the model from the annotation files.
    """


@stance.command()
@click.option(
    "--in",
    "in_path",
    required=True,
    type=click.Path(path_type=Path, allow_dash=True),
    help="JSONL with `text` (and optional `context_before`, `context_after`); - for stdin.",
)
@click.option(
    "--out",
    "out_path",
    required=True,
    type=click.Path(path_type=Path, allow_dash=True),
    help="Where to write the labelled JSONL; - for stdout.",
)
@_MODEL_OPTION
@click.pass_obj
def predict(app: AppContext, in_path: Path, out_path: Path, model_dir: Path | None) -> None:
    """Label sentences: adds `stance` and `stance_scores` to every line, order kept."""
    from discourse.analyse.stance.models import load_model
    from discourse.analyse.stance.predict import predict_jsonl

    if str(in_path) != "-" and not in_path.exists():
        raise UsageError(f"{in_path}: no such file", hint="check the --in path")
    model = load_model(model_dir or _default_model_dir())
    summary = predict_jsonl(model, in_path, out_path, progress=app.progress())
    counts = ", ".join(f"{label} {n}" for label, n in summary.by_label.items())
    app.console.print(f"labelled {summary.rows} sentences ({counts}) → {out_path}")
    if summary.empty:
        app.console.print(
            f"warning: {summary.empty} line(s) had empty or whitespace-only text and were "
            "labelled irrelevant"
        )


@stance.command("train")
@click.option(
    "--model-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Directory holding annotations/*.jsonl; the model is written there "
    "(default: the shipped models/stance).",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Write the model and card here instead of --model-dir.",
)
@click.option(
    "--dev/--no-dev",
    default=True,
    show_default=True,
    help="Also train on, and report nested cross-validation on, the shared dev set "
    "when it is present ($DISCOURSE_SHARED_DATA/stance/dev.jsonl).",
)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--folds", type=click.IntRange(2, 20), default=5, show_default=True)
@click.option(
    "--embeddings/--no-embeddings",
    default=True,
    show_default=True,
    help="Consider MiniLM sentence embeddings (models/minilm, run with NumPy) among the "
    "features; --no-embeddings trains the fast words-and-rules model.",
)
@click.option(
    "--no-nested",
    is_flag=True,
    help="Skip nested cross-validation (faster; the card then reports the optimistic "
    "score of the selected configuration).",
)
@click.pass_obj
def stance_train(
    app: AppContext, model_dir, out_dir, dev, seed, folds, embeddings, no_nested
) -> None:
    """Fit the stance model from the annotation files (+ dev set) and write its model card."""
    from discourse.analyse.stance.examples import dev_set_path
    from discourse.analyse.stance.training import train as fit

    model_dir = model_dir or _default_model_dir()
    dev_path = dev_set_path() if dev else None
    if dev and dev_path is None:
        app.console.print(
            "note: the shared dev set is not present; training on annotation files only"
        )
    result = fit(
        model_dir,
        dev_path=dev_path,
        seed=seed,
        folds=folds,
        embeddings=embeddings,
        nested=not no_nested,
        out_dir=out_dir,
        progress=app.progress(),
    )
    evaluation = result.card["evaluation"]
    name, report = next(iter(reversed(evaluation.items())))
    scores = ", ".join(f"{k} {v['f1']:.2f}" for k, v in report["per_label"].items())
    app.console.print(
        f"selected {result.chosen}; {name.replace('_', ' ')}: macro-F1 {report['macro_f1']:.3f} "
        f"(F1 {scores}); wrote {(out_dir or model_dir)}"
    )


@stance.command()
@click.option(
    "--in",
    "in_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Labelled JSONL: `text`, `label`, optional contexts.",
)
@click.option(
    "--out",
    "out_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the scores as JSON here.",
)
@click.option(
    "--bins",
    type=click.IntRange(2, 50),
    default=10,
    show_default=True,
    help="Bins for the expected calibration error.",
)
@_MODEL_OPTION
def evaluate(in_path: Path, out_path: Path | None, bins: int, model_dir: Path | None) -> None:
    """Score the model on labelled sentences: P/R/F1 per label, macro-F1, confusion, ECE."""
    from discourse.analyse.stance.evaluation import evaluation_report, format_report
    from discourse.analyse.stance.examples import columns, read_examples
    from discourse.analyse.stance.models import load_model

    examples = read_examples(in_path)
    model = load_model(model_dir or _default_model_dir())
    texts, before, after, labels = columns(examples)
    report = evaluation_report(labels, model.predict_proba(texts, before, after), bins=bins)
    report["file"] = str(in_path)
    report["model"] = str(model_dir or _default_model_dir())
    click.echo(format_report(report))
    if out_path:
        out_path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


@stance.command()
@click.option("--annotator", default=None, help="Your name or initials (default: the login name).")
@click.option(
    "--out",
    "out_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Annotation file to append to (default: <model dir>/annotations/corpus-ANNOTATOR.jsonl).",
)
@click.option("--limit", type=click.IntRange(1), default=None, help="Stop after this many labels.")
@click.option(
    "--max-documents",
    type=click.IntRange(1),
    default=None,
    help="Draw candidates from at most this many documents (faster start on big stores).",
)
@click.option(
    "--pool",
    type=click.IntRange(1),
    default=2_000,
    show_default=True,
    help="Rank at most this many sentences, drawn at random from the candidates, by the "
    "model's uncertainty (scoring takes about a minute per 2,000 with the default model).",
)
@_MODEL_OPTION
@click.pass_obj
def annotate(app: AppContext, annotator, out_path, limit, max_documents, pool, model_dir) -> None:
    """Label corpus sentences the model is least sure about (one key each; resumable).

    Keys: s support, k sceptical, n neutral, i irrelevant, Enter skip, u undo, q quit.
    """
    from discourse.analyse.stance import annotate as loop
    from discourse.analyse.stance.models import load_model

    model_dir = model_dir or _default_model_dir()
    annotator = annotator or getpass.getuser()
    out_path = out_path or model_dir / "annotations" / f"corpus-{annotator}.jsonl"
    from discourse.analyse.pipeline import load_config

    store = app.store(create=False, readonly=True)
    relevant = loop.relevance_filter(load_config(None).relevance)  # analyse.toml's [relevance]
    done = loop.labelled_ids(model_dir, out_path)
    pending = [
        c
        for c in loop.candidates_from_store(store, relevant=relevant, max_documents=max_documents)
        if c.id not in done and loop.text_key(c.text) not in done
    ]
    if not pending:
        click.echo("nothing left to label: every relevant sentence is already labelled")
        return
    queue = loop.by_uncertainty(load_model(model_dir), pending, pool=pool)
    session = loop.Session(out_path, annotator)
    interactive = sys.stdin.isatty()

    def read_key():
        if interactive:
            return click.getchar()
        line = sys.stdin.readline()
        return None if line == "" else line.rstrip("\r\n")[:1] if line.strip() else ""

    result = loop.run(queue, session, read_key, click.echo, limit=limit)
    counts = ", ".join(f"{k} {v}" for k, v in result["by_label"].items())
    click.echo(
        f"labelled {result['labelled']} ({counts}), skipped {result['skipped']} → {out_path}"
    )


COMMANDS = [analyse, diff, compare, relevance, stance, sentiment]

"""Commands that measure the corpus: analyse, diff.

The analysis modules (spaCy, gensim, scipy) are imported inside the commands, so other
commands and `--help` start without loading them.
"""

import json
from pathlib import Path

import click

from discourse.cli.context import AppContext


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


COMMANDS = [analyse, diff]

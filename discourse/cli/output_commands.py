"""Commands that turn the store and its runs into files: export, charts, report."""

from pathlib import Path

import click

from discourse.cli.context import AppContext
from discourse.errors import NotBuiltError, UsageError
from discourse.outputs.export import FORMATS, export_documents, export_run


@click.command()
@click.option("--run", "run_id", help="Export this run's result tables.")
@click.option(
    "--documents", is_flag=True, help="Export the corpus documents with their provenance."
)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="csv", show_default=True)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    help="File or directory to write (default: stdout for csv/jsonl).",
)
@click.option("--no-text", is_flag=True, help="With --documents: leave the text column out.")
@click.option(
    "--include-duplicates",
    is_flag=True,
    help="With --documents: include documents marked as duplicates.",
)
@click.option("--all-versions", is_flag=True, help="With --documents: include superseded versions.")
@click.pass_obj
def export(
    app: AppContext, run_id, documents, fmt, out, no_text, include_duplicates, all_versions
) -> None:
    """Export a run's results or the documents as CSV, JSONL or Parquet.

    A run's export is stable: identical runs (same corpus, config and seed) give identical
    bytes. It carries the run's config hash, versions, seed and corpus fingerprint.
    """
    if bool(run_id) == documents:
        raise UsageError("give exactly one of --run RUN_ID or --documents")
    store = app.store(create=False)
    if run_id:
        written = export_run(store, run_id, fmt, out)
    else:
        written = export_documents(
            store,
            fmt,
            out,
            include_text=not no_text,
            include_duplicates=include_duplicates,
            all_versions=all_versions,
        )
    for path in written:
        app.console.print(f"wrote {path}")


@click.command()
@click.pass_obj
def charts(app: AppContext) -> None:
    """Draw the publication charts for a run (PDF, SVG, 300-dpi PNG, with tidy CSVs)."""
    raise NotBuiltError("discourse charts", 7)


@click.command()
@click.pass_obj
def report(app: AppContext) -> None:
    """Write the self-contained HTML report for a run."""
    raise NotBuiltError("discourse report", 7)


COMMANDS = [export, charts, report]

"""Commands that turn the store and its runs into files: export, charts, report."""

from pathlib import Path

import click

from discourse.cli.context import AppContext
from discourse.errors import UsageError
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
@click.option("--run", "run_id", help="Analysis run to draw (default: the latest ok one).")
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("outputs/charts"),
    show_default=True,
    help="Directory for the charts; they go in a subdirectory named after the run.",
)
@click.pass_obj
def charts(app: AppContext, run_id: str | None, out: Path) -> None:
    """Draw the publication charts for a run (PDF, SVG, 300-dpi PNG, with tidy CSVs).

    Each chart gets a caption (.txt) with its n, period, method and run id, and a CSV of
    exactly the numbers drawn. A chart the run has no results for is listed, not drawn.
    """
    from discourse.outputs.charts import write_charts

    store = app.store(create=False, readonly=True)
    written = write_charts(store, run_id, out)
    for chart in written:
        if chart.figure is None:
            app.console.print(f"figure {chart.number} not drawn: {chart.reason}")
        else:
            app.console.print(
                f"figure {chart.number}: {chart.title} → {chart.files[1].with_suffix('.*')}"
            )
    click.echo(written[0].files[0].parent)


@click.command()
@click.option("--run", "run_id", help="Analysis run to report (default: the latest ok one).")
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("outputs/report"),
    show_default=True,
    help="Directory for the report (report-RUN_ID.html).",
)
@click.pass_obj
def report(app: AppContext, run_id: str | None, out: Path) -> None:
    """Write the self-contained HTML report for a run (one file, charts inlined)."""
    from discourse.outputs.report import write_report

    store = app.store(create=False, readonly=True)
    path = write_report(store, run_id, out)
    app.console.print(f"wrote {path}")
    click.echo(path)


COMMANDS = [export, charts, report]

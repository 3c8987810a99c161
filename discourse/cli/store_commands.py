"""Commands that read the store directly: status, search, runs."""

import json

import click
from rich.table import Table

from discourse.cli.context import AppContext
from discourse.collect import frontier


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON on stdout.")
@click.option(
    "--failures", is_flag=True, help="List the URLs the crawl could not fetch, with the reasons."
)
@click.option(
    "--skipped", is_flag=True, help="List the items the adapters chose not to keep, with reasons."
)
@click.pass_obj
def status(app: AppContext, as_json: bool, failures: bool, skipped: bool) -> None:
    """What the store holds: documents by source_kind × actor_type × year, words, the last
    collection and the last analysis run."""
    store = app.store(create=False)
    if failures or skipped:
        _crawl_problems(app, store, as_json, failures, skipped)
        return
    coverage = store.coverage()
    totals = store.totals()
    runs = store.list_runs()
    last_collection = next((r for r in reversed(runs) if r["kind"] in ("collect", "import")), None)
    last_analysis = next((r for r in reversed(runs) if r["kind"] == "analyse"), None)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "store": str(store.path),
                    "schema_version": store.schema_version,
                    "totals": totals,
                    "coverage": coverage.to_dict(orient="records"),
                    "last_collection": _run_brief(last_collection),
                    "last_run": _run_brief(last_analysis),
                },
                indent=2,
                default=str,
            )
        )
        return
    console = app.console
    console.print(f"[bold]{store.path}[/bold] (schema v{store.schema_version})")
    console.print(
        f"{totals['documents']:,} documents, {totals['words']:,} words"
        f" ({totals['older_versions']:,} older versions and {totals['duplicates']:,} duplicates kept aside)"
    )
    if not coverage.empty:
        years = sorted(coverage["year"].unique())
        table = Table(title="Documents by source_kind × actor_type × year", title_justify="left")
        table.add_column("source_kind")
        table.add_column("actor_type")
        for year in years:
            table.add_column(year, justify="right")
        table.add_column("words", justify="right")
        for (kind, actor), group in coverage.groupby(["source_kind", "actor_type"], sort=True):
            counts = dict(zip(group["year"], group["documents"], strict=True))
            table.add_row(
                kind,
                actor,
                *(f"{counts.get(y, 0):,}" if y in counts else "·" for y in years),
                f"{group['words'].sum():,}",
            )
        console.print(table)
    console.print(f"last collection: {_describe_run(last_collection)}")
    problems = store.read(
        "SELECT (SELECT count(*) FROM frontier WHERE state = 'failed'), "
        "(SELECT count(*) FROM crawl_skips)"
    )[0]
    if problems[0] or problems[1]:
        console.print(
            f"crawl: {problems[0]:,} failed URLs (discourse status --failures), "
            f"{problems[1]:,} skipped items (discourse status --skipped)"
        )
    console.print(f"last analysis run: {_describe_run(last_analysis)}")


def _crawl_problems(app: AppContext, store, as_json: bool, failures: bool, skipped: bool) -> None:
    """The failed (and/or skipped) URLs of live crawls and of the last replay of each source,
    latest first, each with the run that recorded it."""
    lists = {}
    if failures:
        lists["failures"] = frontier.failures(store, mode=None)
    if skipped:
        lists["skipped"] = frontier.skips(store, mode=None)
    if as_json:
        click.echo(json.dumps(lists, indent=2, default=str))
        return
    for name, rows in lists.items():
        if not rows:
            app.console.print(f"no {'failed' if name == 'failures' else 'skipped'} URLs")
            continue
        table = Table(title=f"{name}: {len(rows):,}", title_justify="left")
        columns = ["source", "url", "reason"]
        if name == "failures":
            columns += ["attempts", "retried next run"]
        columns += ["run", "when"]
        for column in columns:
            table.add_column(column, overflow="fold")
        for row in rows:
            cells = [row["source"], row["url"], row["reason"]]
            if name == "failures":
                cells += [str(row["attempts"]), "yes" if row["retryable"] else "no"]
            run = f"{row['run_id']} ({row['mode']})" if row["run_id"] else row["mode"]
            cells += [run, row["updated_at"] if name == "failures" else row["at"]]
            table.add_row(*cells)
        app.console.print(table)


def _run_brief(run: dict | None) -> dict | None:
    if run is None:
        return None
    return {
        k: run[k] for k in ("id", "kind", "status", "started_at", "finished_at", "corpus_documents")
    }


def _describe_run(run: dict | None) -> str:
    if run is None:
        return "none yet"
    return (
        f"{run['id']} ({run['kind']}, {run['status']}, finished {run['finished_at'] or 'not yet'})"
    )


@click.command()
@click.argument("query")
@click.option(
    "--limit", default=20, show_default=True, type=click.IntRange(1), help="Most lines to show."
)
@click.option(
    "--width",
    default=50,
    show_default=True,
    type=click.IntRange(10, 300),
    help="Context characters on each side.",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per hit on stdout.")
@click.pass_obj
def search(app: AppContext, query: str, limit: int, width: int, as_json: bool) -> None:
    """Full-text search of the corpus, shown as keyword-in-context lines.

    QUERY uses SQLite FTS5 syntax with stemming: volunteer, "big society", localism AND council.
    """
    store = app.store(create=False)
    hits = store.search(query, limit=limit, width=width)
    for hit in hits:
        if as_json:
            click.echo(json.dumps(hit.__dict__, ensure_ascii=False))
            continue
        click.echo(f"{hit.left:>{width}} [{hit.match}] {hit.right}".rstrip())
        click.echo(
            f"{'':>{width}}   {hit.published_at or 'undated'} · {hit.publisher or 'unknown publisher'} · {hit.url}"
        )
    if not hits and not as_json:
        app.console.print(f"no matches for {query!r}")


@click.command()
@click.option(
    "--kind", type=click.Choice(["collect", "import", "analyse"]), help="Only runs of this kind."
)
@click.option("--json", "as_json", is_flag=True, help="Print the full run records as JSON.")
@click.pass_obj
def runs(app: AppContext, kind: str | None, as_json: bool) -> None:
    """List runs (collections, imports, analyses) with what is needed to cite them."""
    records = app.store(create=False).list_runs(kind)
    if as_json:
        click.echo(json.dumps(records, indent=2, default=str))
        return
    table = Table()
    for column in (
        "id",
        "kind",
        "status",
        "started",
        "documents",
        "config hash",
        "seed",
        "version",
    ):
        table.add_column(column)
    for run in records:
        table.add_row(
            run["id"],
            run["kind"],
            run["status"],
            run["started_at"],
            f"{run['corpus_documents']:,}",
            (run["config_hash"] or "")[:12],
            "" if run["seed"] is None else str(run["seed"]),
            run["package_version"],
        )
    app.console.print(table if records else "no runs yet")


COMMANDS = [status, search, runs]

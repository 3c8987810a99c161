"""Commands that bring texts into the store: corpus (crawl), import (existing files) and
extract (what the crawl would take from one saved page or PDF)."""

import json
import mimetypes
from pathlib import Path

import click
from rich.table import Table

from discourse.cli.context import AppContext
from discourse.collect.crawl import CrawlReport, configured_sources, crawl
from discourse.collect.extract import ExtractionError, extract_bytes
from discourse.collect.importer import import_file
from discourse.config import IMPORTABLE_FIELDS, ImportMapping, SourcesFile, load, validate
from discourse.errors import DiscourseError, UsageError


@click.command()
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("corpus/sources.toml"),
    show_default=True,
    help="Sources file: [project], [fetch], [archive], [dedup] and one [sources.NAME] per source.",
)
@click.option(
    "--source", "only", multiple=True, metavar="NAME", help="Collect only this source; repeatable."
)
@click.option(
    "--replay",
    type=click.Path(path_type=Path),
    help="Re-extract from a WARC file or folder (e.g. corpus/archive/) instead of the network.",
)
@click.option(
    "--limit",
    type=click.IntRange(1),
    help="Stop each source once it has stored N documents; the rest stays queued for next time.",
)
@click.pass_obj
def corpus(
    app: AppContext, config_path: Path, only: tuple[str, ...], replay: Path | None, limit
) -> None:
    """Collect documents from the sources in corpus/sources.toml.

    Polite (robots.txt, per-host delays, Retry-After), archived (every exchange in WARC files
    under corpus/archive/), resumable (run it again after an interruption: nothing stored is
    fetched twice) and de-duplicated. A finished crawl run again is a re-crawl: listings are
    re-fetched conditionally and new items collected. With --replay, the same adapters
    re-extract the archive without opening a socket.
    """
    config = load(config_path, SourcesFile)
    configured_sources(config, config_path, only)
    store = app.store()
    report = crawl(
        store,
        config,
        config_path,
        only=only,
        replay=replay,
        limit=limit,
        progress=app.progress(),
        command=app.command,
    )
    _print_report(app, report)
    errors = [r for r in report.sources.values() if r.error]
    if errors:
        raise DiscourseError(
            f"{len(errors)} source(s) could not be crawled: "
            + "; ".join(f"{r.name}: {r.error}" for r in errors),
            hint="fix the adapter or its [sources.NAME] table, then run again",
        )


def _print_report(app: AppContext, report: CrawlReport) -> None:
    console = app.console
    what = "replayed from the archive" if report.mode == "replay" else "collected"
    table = Table(
        title=f"{what} in {report.seconds:,.1f} s (run {report.run_id})", title_justify="left"
    )
    for column in ("source", "adapter", "fetched", "new", "changed", "unchanged", "skipped"):
        table.add_column(column, justify="left" if column in ("source", "adapter") else "right")
    for column in ("out of scope", "failed", "left"):
        table.add_column(column, justify="right")
    for source in report.sources.values():
        documents = source.documents
        table.add_row(
            source.name + (" (resumed)" if source.resumed else ""),
            source.adapter,
            f"{source.fetched:,}"
            + (f" ({source.not_modified:,} unchanged 304)" if source.not_modified else ""),
            f"{documents['added']:,}",
            f"{documents['new_version'] + documents['updated']:,}",
            f"{documents['unchanged']:,}",
            f"{source.skipped:,}",
            f"{source.out_of_scope:,}",
            f"{source.failed:,}",
            "not crawled" if source.error else f"{source.left:,}",
        )
    console.print(table)
    for source in report.sources.values():
        if source.error:
            console.print(f"[red]{source.name}: not crawled: {source.error}[/red]")
        if source.missing:
            shown = ", ".join(source.missing_urls)
            more = source.missing - len(source.missing_urls)
            console.print(
                f"{source.name}: {source.missing:,} requests not in the archive: {shown}"
                + (f" and {more:,} more" if more > 0 else "")
            )
        for url, reason in source.failures[:5]:
            console.print(f"{source.name}: failed {url}: {reason}")
    failed = sum(s.failed for s in report.sources.values())
    if failed:
        console.print(f"{failed:,} failed request(s): `discourse status --failures` lists them all")
    for problem in report.archive_problems:
        console.print(f"[yellow]archive: {problem}[/yellow]")
    if report.archive_files:
        console.print(
            f"archived to {len(report.archive_files)} WARC file(s): {', '.join(report.archive_files)}"
        )
    if report.dedup is not None:
        d = report.dedup
        console.print(
            f"duplicates: {d.exact:,} exact and {d.near:,} near duplicates in {d.groups:,} groups "
            f"among {d.documents:,} documents (kept, linked, left out of analysis)"
        )


def _pairs(values: tuple[str, ...], option: str) -> dict[str, str]:
    pairs = {}
    for value in values:
        name, sep, target = value.partition("=")
        if not sep or not name or not target:
            raise UsageError(f"{option} {value!r}: expected FIELD=VALUE")
        if name not in IMPORTABLE_FIELDS:
            raise UsageError(
                f"{option} {value!r}: unknown field {name!r}",
                hint=f"fields are {', '.join(IMPORTABLE_FIELDS)}",
            )
        pairs[name] = target
    return pairs


@click.command(name="import")
@click.argument("path", type=click.Path(path_type=Path))
@click.option(
    "--mapping",
    type=click.Path(path_type=Path, dir_okay=False),
    help="TOML file mapping columns to document fields.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "jsonl", "parquet"]),
    help="File format (default: from the file name).",
)
@click.option("--text-column", help="Column holding the text (default: text).")
@click.option(
    "--column",
    "columns",
    multiple=True,
    metavar="FIELD=COLUMN",
    help="Map a column to a document field; repeatable.",
)
@click.option(
    "--set",
    "defaults",
    multiple=True,
    metavar="FIELD=VALUE",
    help="Value of a field for rows that lack it; repeatable.",
)
@click.option("--source", help="Name recorded for this corpus (default: the file name).")
@click.option(
    "--skip-invalid",
    is_flag=True,
    help="Import the valid rows and report the others instead of stopping.",
)
@click.pass_obj
def import_(
    app: AppContext,
    path: Path,
    mapping: Path | None,
    fmt,
    text_column,
    columns,
    defaults,
    source,
    skip_invalid,
) -> None:
    """Load an existing corpus (CSV, JSONL or Parquet, optionally .gz) into the store.

    Columns named like document fields (url, title, author, party, publisher, published_at,
    source_kind, actor_type, ...) are taken as they are; map others with --column or a
    --mapping file, and give whole-file values with --set, e.g. --set actor_type=charity.
    Re-importing the same file adds nothing; changed texts become new versions.
    """
    base = load(mapping, ImportMapping).model_dump() if mapping else {}
    overrides = {
        "format": fmt,
        "text": text_column,
        "source": source,
    }
    merged = {**base, **{k: v for k, v in overrides.items() if v is not None}}
    merged["columns"] = {**base.get("columns", {}), **_pairs(columns, "--column")}
    merged["defaults"] = {**base.get("defaults", {}), **_pairs(defaults, "--set")}
    import_mapping = validate(merged, ImportMapping, mapping or Path("command-line options"))
    store = app.store()
    report = import_file(
        store,
        path,
        import_mapping,
        skip_invalid=skip_invalid,
        command=app.command,
        progress=app.progress(),
    )
    counts = report.counts
    app.console.print(
        f"imported {path}: {report.rows:,} rows → {counts['added']:,} added, {counts['new_version']:,} new versions, "
        f"{counts['updated']:,} updated, {counts['unchanged']:,} unchanged, {len(report.skipped):,} skipped "
        f"(run {report.run_id})"
    )
    for line, reason in report.skipped[:20]:
        app.console.print(f"  skipped {path}:{line}: {reason}")
    if len(report.skipped) > 20:
        app.console.print(f"  … and {len(report.skipped) - 20} more skipped rows")


@click.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--url", help="URL the file was fetched from (helps metadata and relative links).")
@click.option(
    "--json", "as_json", is_flag=True, help="Print a JSON object: title, author, date, text."
)
def extract(file: Path, url: str | None, as_json: bool) -> None:
    """Print the title, author, date and text extracted from one saved HTML or PDF file.

    Uses exactly the extraction the crawl uses, so it shows what a source would store.
    Exit status 1 when the file cannot be extracted (the reason is printed), 2 when it is missing.
    """
    if not file.is_file():
        raise UsageError(f"{file}: no such file")
    content_type, _ = mimetypes.guess_type(file.name)
    try:
        result = extract_bytes(file.read_bytes(), content_type=content_type, url=url)
    except ExtractionError as exc:
        raise ExtractionError(f"{file}: {exc.reason}") from None
    date = result.date.iso if result.date else None
    if as_json:
        record = {"title": result.title, "author": result.author, "date": date, "text": result.text}
        click.echo(json.dumps(record, ensure_ascii=False, indent=2))
        return
    click.echo(f"title:  {result.title or ''}")
    click.echo(f"author: {result.author or ''}")
    click.echo(f"date:   {date or ''}")
    click.echo("")
    click.echo(result.text)


COMMANDS = [corpus, import_, extract]

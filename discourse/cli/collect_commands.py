"""Commands that bring texts into the store: corpus (crawl), import (existing files) and
extract (what the crawl would take from one saved page or PDF)."""

import json
import mimetypes
from pathlib import Path

import click

from discourse.cli.context import AppContext
from discourse.collect.extract import ExtractionError, extract_bytes
from discourse.collect.importer import import_file
from discourse.config import IMPORTABLE_FIELDS, ImportMapping, load, validate
from discourse.errors import NotBuiltError, UsageError


@click.command()
@click.pass_obj
def corpus(app: AppContext) -> None:
    """Collect documents from the sources in corpus/sources.toml (resumable; archived as WARC)."""
    raise NotBuiltError("discourse corpus", 3)


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

"""Re-record the offline sample: `make sample` (or `python corpus/sample/record.py`).

1. Writes the sample's local inputs from the synthetic content: `files/` (documents and
   metadata.csv for the files adapter), `warcs/news-crawl-2010-2014.warc.gz` (a WARC "from
   another crawler"), and `members.json` (party lookup for Hansard, in people.json shape).
2. Serves every fixture site on 127.0.0.1 and crawls `sources.toml` through the real engine,
   with `[fetch] resolve` sending each *.sample.invalid host to that server, into a scratch
   store and archive.
3. Keeps the archive as `sample.warc.gz`, then replays it into a second scratch store and
   checks that replay reproduces the same documents with nothing missing.

The content is deterministic (seeded); WARC record ids and fetch times differ between
recordings, the documents do not.
"""

import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from fixture_sites import local, people_json, sample_web, serve, writer  # noqa: E402

from discourse.collect.crawl import crawl  # noqa: E402
from discourse.config import SourcesFile, read_toml, validate  # noqa: E402
from discourse.provenance import canonical_json  # noqa: E402
from discourse.store import Store  # noqa: E402

CONFIG = HERE / "sources.toml"
WARC = HERE / "sample.warc.gz"
FOREIGN_WARC = HERE / "warcs" / "news-crawl-2010-2014.warc.gz"


def write_inputs() -> None:
    if (HERE / "files").exists():
        shutil.rmtree(HERE / "files")
    local.write_folder(HERE / "files")
    local.write_foreign_warc(FOREIGN_WARC)
    (HERE / "members.json").write_text(
        canonical_json(people_json(writer.hansard_members())) + "\n", encoding="utf-8"
    )


def documents(path: Path) -> list[tuple]:
    with Store.open(path, readonly=True) as store:
        rows = store.read(
            "SELECT url, text_sha256, title, published_at, actor_type, source_kind, author, party "
            "FROM documents ORDER BY url, version"
        )
    return [tuple(row) for row in rows]


def record(scratch: Path) -> None:
    data = read_toml(CONFIG)
    with serve(sample_web()) as server:
        data["fetch"] = {**data.get("fetch", {}), "resolve": server.resolve}
        data["archive"] = {**data.get("archive", {}), "dir": str(scratch / "archive")}
        config = validate(data, SourcesFile, CONFIG)
        with Store.open(scratch / "record.sqlite") as store:
            report = crawl(store, config, CONFIG, command="corpus/sample/record.py")
    failed = {name: r.failures for name, r in report.sources.items() if r.failed}
    if failed or any(r.error for r in report.sources.values()):
        raise SystemExit(
            f"recording failed: {failed or [r.error for r in report.sources.values()]}"
        )
    files = sorted((scratch / "archive").glob("*.warc.gz"))
    if len(files) != 1:
        raise SystemExit(f"expected one WARC file, got {[f.name for f in files]}")
    shutil.copyfile(files[0], WARC)
    stored = sum(r.stored for r in report.sources.values())
    print(f"recorded {stored} documents from {len(server.web.requests)} requests into {WARC}")


def check_replay(scratch: Path) -> None:
    config = validate(read_toml(CONFIG), SourcesFile, CONFIG)
    with Store.open(scratch / "replay.sqlite") as store:
        report = crawl(store, config, CONFIG, replay=WARC, command="corpus/sample/record.py")
    missing = sum(r.missing for r in report.sources.values())
    if missing:
        raise SystemExit(
            f"replay lacks {missing} responses: {[r.missing_urls for r in report.sources.values()]}"
        )
    recorded, replayed = documents(scratch / "record.sqlite"), documents(scratch / "replay.sqlite")
    if recorded != replayed:
        raise SystemExit("replay did not reproduce the recorded documents")
    print(f"replay reproduces all {len(replayed)} documents")


def main() -> None:
    write_inputs()
    with tempfile.TemporaryDirectory() as tmp:
        record(Path(tmp))
        check_replay(Path(tmp))


if __name__ == "__main__":
    main()

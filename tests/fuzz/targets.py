"""Coverage-guided fuzz targets (atheris/libFuzzer) for what the crawl reads from the web.

    python tests/fuzz/targets.py extract  CORPUS_DIR [libFuzzer options]
    python tests/fuzz/targets.py listings CORPUS_DIR [libFuzzer options]

`extract`: any bytes, under any of the content types servers send, through `extract_bytes`
(the crawl's one way from a body to text, HTML and PDF alike): the answer is text, or an
ExtractionError with a one-line reason.
`listings`: a response to one of the requests a replay of the synthetic sample makes (the
first byte picks which: GOV.UK search and content API, Hansard XML, ModernGov pages,
WordPress JSON, feeds, sitemaps, CDX, captures), its body mutated, handed to its adapter
exactly as the engine would: the adapter yields only requests, valid documents and skips.

Anything else is a crash libFuzzer saves for replay (`python tests/fuzz/targets.py TARGET
CRASH_FILE`): an exception, an input running past `-timeout` seconds (a hang) or memory past
`-rss_limit_mb` (an unbounded allocation). An empty corpus folder is first filled with seeds
(the extraction fixtures, generated PDFs, the sample's archived bodies). `make test` runs
each target for a few seconds (tests/test_fuzz.py); run one for an hour before a release:
`python tests/fuzz/targets.py listings /tmp/corpus -max_total_time=3600`.
"""

import dataclasses
import sys
import tempfile
from pathlib import Path

import atheris

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "corpus" / "sample"
CONTENT_TYPES = [
    "text/html; charset=utf-8",
    "text/html; charset=iso-8859-1",
    "application/pdf",
    "text/plain",
    "application/xml",
    "application/octet-stream",
    None,
]

with atheris.instrument_imports(include=["discourse"]):
    from discourse.collect.extract import ExtractionError, Limits, extract_bytes

LIMITS = Limits(seconds=20)


def extract_one(data: bytes) -> None:
    provider = atheris.FuzzedDataProvider(data)
    content_type = provider.PickValueInList(CONTENT_TYPES)
    body = provider.ConsumeBytes(provider.remaining_bytes())
    try:
        result = extract_bytes(
            body, content_type=content_type, url="http://x.test/a", limits=LIMITS
        )
    except ExtractionError as error:
        assert error.reason and "\n" not in error.reason, repr(error.reason)
        return
    assert result.text.strip(), "an empty document"


def extract_seeds() -> list[bytes]:
    sys.path.insert(0, str(ROOT / "tests"))
    from hostilekit import billion_laughs, simple_pdf

    pages = [path.read_bytes() for path in sorted((ROOT / "tests/fixtures/extract").glob("*"))]
    pdfs = [simple_pdf([f"Page {n}: the council agreed the transfer." for n in range(3)])]
    xml = [billion_laughs("<a>&lol3;</a>", levels=3)]
    # the first byte picks the content type: 0 is HTML, 2 is PDF
    return (
        [b"\0" + page for page in pages] + [b"\2" + pdf for pdf in pdfs] + [b"\4" + x for x in xml]
    )


class Listings:
    """The sample's requests with their archived responses, and its adapters."""

    def __init__(self):
        from discourse.collect.archive import ArchiveIndex, ArchiveTransport
        from discourse.collect.crawl import crawl
        from discourse.collect.fetch import Fetcher
        from discourse.config import ENGINE_SOURCE_KEYS, SourcesFile, load
        from discourse.store import Store

        self.config_path = SAMPLE / "sources.toml"
        self.config = load(self.config_path, SourcesFile)
        self.tables = {
            name: {k: v for k, v in table.items() if k == "adapter" or k not in ENGINE_SOURCE_KEYS}
            for name, table in self.config.sources.items()
        }
        index = ArchiveIndex.build(SAMPLE / "sample.warc.gz")
        self.fetcher = Fetcher(self.config.fetch, self.config.project, ArchiveTransport(index))
        with (
            tempfile.TemporaryDirectory() as folder,
            Store.open(Path(folder) / "s.sqlite") as store,
        ):
            crawl(store, self.config, self.config_path, replay=SAMPLE / "sample.warc.gz")
            rows = store.read(
                "SELECT source, url, handler, data, priority FROM frontier "
                "WHERE mode = 'replay' AND state = 'done' ORDER BY source, id"
            )
        self.requests = []
        for row in rows:
            exchange = index.read(index.lookup(row["url"]), row["url"])
            self.requests.append((row, exchange))

    def adapter(self, source: str):
        from discourse.collect.sources import build

        return build(source, self.tables[source], self.config_path)

    def handle(self, data: bytes) -> None:
        import json

        from discourse.collect.model import Request, Skip
        from discourse.store import Document

        if not data:
            return
        row, exchange = self.requests[data[0] % len(self.requests)]
        headers = tuple(
            (k, v)
            for k, v in exchange.headers
            if k.lower() not in ("content-encoding", "content-length")
        )
        mutated = dataclasses.replace(exchange, body=data[1:], headers=headers)
        response = self.fetcher.decode(row["url"], mutated)
        request = Request(row["url"], row["handler"], json.loads(row["data"]), row["priority"])
        for outcome in self.adapter(row["source"]).handle(request, response):
            assert isinstance(outcome, Request | Document | Skip), type(outcome)
            if isinstance(outcome, Document):
                outcome.validate()
            if isinstance(outcome, Skip):
                assert outcome.reason.strip(), "a skip without a reason"

    def seeds(self) -> list[bytes]:
        seeds = []
        for position, (row, exchange) in enumerate(self.requests):
            response = self.fetcher.decode(row["url"], exchange)
            seeds.append(bytes([position % 256]) + response.body)
        return seeds


def main() -> None:
    target = sys.argv.pop(1) if len(sys.argv) > 1 else ""
    if target not in ("extract", "listings"):
        sys.exit(__doc__)
    if target == "extract":
        test_one, seeds = extract_one, extract_seeds
    else:
        with atheris.instrument_imports(include=["discourse", "feedparser"]):
            import discourse.collect.sources  # noqa: F401  (instrument the adapters)
        listings = Listings()
        test_one, seeds = listings.handle, listings.seeds
    folders = [Path(arg) for arg in sys.argv[1:] if not arg.startswith("-") and Path(arg).is_dir()]
    for folder in folders[:1]:
        if not any(folder.iterdir()):
            for number, seed in enumerate(seeds()):
                (folder / f"seed-{number:04d}").write_bytes(seed)
    atheris.Setup(sys.argv, test_one)
    atheris.Fuzz()


if __name__ == "__main__":
    main()

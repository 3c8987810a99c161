"""Crawl throughput and memory: our whole path against a bare requests.get loop.

A local page server (its own process, so its memory and CPU are not ours) serves listing
pages of 100 links and article pages of ~30 real manifesto sentences each. The crawl runs
the real engine (robots.txt, frontier in SQLite, WARC archive, document upserts with FTS
indexing) with the politeness delay off and one request in flight to the host, like the
baseline; "extraction" is a regex that strips tags, so the measurement is the engine, not an
extractor. The baselines fetch exactly the same URLs in the same order, sequentially:
`requests.get` (a new connection each time) and a `requests.Session` (keep-alive, as we do).
Memory: RSS is sampled 40 times along the crawl; the crawl must stay flat (< 300 MB) over 20,000
pages. Replay of the archive just written is measured too. The whole measurement runs at 1×,
2× and 4× 5,000 pages (500 in the quick run), each in its own process: throughput and peak
RSS against crawl size.
"""

import csv
import gzip
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urljoin

import psutil

from bench.harness import Benchmark, Context
from discourse.collect.crawl import crawl
from discourse.collect.model import Adapter, Request
from discourse.collect.sources import ADAPTERS, register
from discourse.config import Section, SourcesFile, load
from discourse.store import Document, Store

MANIFESTOS = "text/uk-manifesto-sentences-1945-2010.csv.gz"
HOST = "pages.bench.invalid"
PER_LISTING = 100
SENTENCES_PER_PAGE = 30
_HREF = re.compile(r'href="([^"]+)"')
_ARTICLE = re.compile(r"<article>(.*?)</article>", re.S)
_TAG = re.compile(r"<[^>]+>")


class BenchPages(Adapter):
    """Follows listing links; keeps each article's text with its tags stripped."""

    name = "bench-pages"

    class Config(Section):
        start: str

    def start(self):
        yield Request(self.config.start, "listing", priority=1)

    def handle(self, request, response):
        if request.handler == "listing":
            for href in _HREF.findall(response.text):
                kind = "listing" if "/list/" in href else "article"
                yield Request(urljoin(response.url, href), kind, priority=int(kind == "listing"))
            return
        body = _ARTICLE.search(response.text).group(1)
        yield Document(
            url=response.url,
            text=_TAG.sub(" ", body),
            source_kind="other",
            actor_type="other",
        )


if BenchPages.name not in ADAPTERS:
    register(BenchPages)


def serve(sentences_path: str, pages: str, port_file: str) -> None:
    """The page server (run in a child process): HTTP/1.1 keep-alive, pages built on demand."""
    pages = int(pages)
    import socket
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    sentences = Path(sentences_path).read_text(encoding="utf-8").splitlines()
    listings = (pages + PER_LISTING - 1) // PER_LISTING

    def page(path: str) -> bytes | None:
        kind, _, number = path.strip("/").partition("/")
        if not number.isdigit():
            return None
        n = int(number)
        if kind == "list" and 1 <= n <= listings:
            first = (n - 1) * PER_LISTING
            links = "".join(
                f'<li><a href="/a/{i}">Article {i}</a></li>'
                for i in range(first, min(first + PER_LISTING, pages))
            )
            more = f'<a href="/list/{n + 1}">older</a>' if n < listings else ""
            return f"<html><body><ul>{links}</ul>{more}</body></html>".encode()
        if kind == "a" and 0 <= n < pages:
            start = (n * 37) % len(sentences)
            text = "".join(
                f"<p>{sentences[(start + k) % len(sentences)]}</p>"
                for k in range(SENTENCES_PER_PAGE)
            )
            nav = "<nav>" + " | ".join(f"<span>Section {k}</span>" for k in range(20)) + "</nav>"
            return (
                f"<html><head><title>Article {n}</title></head><body>{nav}"
                f"<article><h1>Article {n}</h1>{text}</article>"
                "<footer>Published by a benchmark. Cookies: none.</footer></body></html>"
            ).encode()
        return None

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self):
            super().setup()
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def log_message(self, *args):
            return None

        def do_GET(self):
            body = page(self.path)
            status = 200 if body is not None else 404
            body = body if body is not None else b"not found"
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    Path(port_file).write_text(str(server.server_address[1]))
    server.serve_forever()


class _Sampler:
    """A Progress that samples this process's RSS every `every` finished pages."""

    def __init__(self, every: int = 500):
        self.every = every
        self.process = psutil.Process()
        self.samples: list[tuple[int, float]] = []
        self.done = 0

    def task(self, description: str, total: int | None = None):
        return self

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return None

    def update(self, *, total=None, description=None):
        return None

    def advance(self, n: int = 1):
        before = self.done // self.every
        self.done += n
        if self.done // self.every != before:
            self.samples.append((self.done, self.process.memory_info().rss / 2**20))


def crawl_throughput(context: Context) -> list[dict]:
    pages = (500 if context.quick else 5_000) * context.scale
    sentences = context.work / "sentences.txt"
    with gzip.open(context.dataset(MANIFESTOS), "rt", encoding="utf-8") as handle:
        rows = [r["text"].strip() for r in csv.DictReader(handle) if r["text"].strip()]
    sentences.write_text("\n".join(rows), encoding="utf-8")
    port_file = context.work / "port"
    server = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from bench.benchmarks.fetch import serve; serve(*sys.argv[1:3], sys.argv[3])",
            str(sentences),
            str(pages),
            str(port_file),
        ],
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        while not port_file.exists() or not port_file.read_text():
            if server.poll() is not None:
                raise RuntimeError(f"the page server exited with code {server.returncode}")
            time.sleep(0.05)
        port = int(port_file.read_text())
        return _measure(context, pages, port)
    finally:
        server.terminate()
        server.wait()


def _measure(context: Context, pages: int, port: int) -> list[dict]:
    import requests

    listings = (pages + PER_LISTING - 1) // PER_LISTING
    config_path = context.work / "sources.toml"
    config_path.write_text(
        f"""[project]
name = "bench"
contact = "bench@example.org"
[fetch]
delay = 0.0
resolve = {{ "{HOST}" = "127.0.0.1:{port}" }}
[archive]
dir = "archive"
[dedup]
enabled = false
[sources.pages]
adapter = "bench-pages"
start = "http://{HOST}:{port}/list/1"
""",
        encoding="utf-8",
    )
    config = load(config_path, SourcesFile)
    urls = [f"http://127.0.0.1:{port}/list/{n}" for n in range(1, listings + 1)]
    urls += [f"http://127.0.0.1:{port}/a/{n}" for n in range(pages)]
    n = len(urls)

    def loop(get) -> tuple[float, float]:
        """Wall and CPU seconds to fetch every URL with `get`, reading each body."""
        wall, cpu = time.perf_counter(), time.process_time()
        for url in urls:
            get(url, timeout=30).content  # noqa: B018 (the body is read, as ours is)
        return time.perf_counter() - wall, time.process_time() - cpu

    before = loop(requests.get)  # measured before and after our crawl, to average out drift
    sampler = _Sampler(every=max(50, pages // 40))
    before_crawl = sampler.process.memory_info().rss / 2**20  # imports and the first loop
    wall, cpu = time.perf_counter(), time.process_time()
    with Store.open(context.work / "crawl.sqlite") as store:
        report = crawl(store, config, config_path, progress=sampler)
        stored = store.count_documents()
    ours = (time.perf_counter() - wall, time.process_time() - cpu)
    after = loop(requests.get)
    pooled = loop(requests.Session().get)
    bare = ((before[0] + after[0]) / 2, (before[1] + after[1]) / 2)
    fetched = report.sources["pages"].fetched
    assert stored == pages and fetched == n, (stored, fetched)
    crawl_peak = max(rss for _, rss in sampler.samples)
    early = next(rss for done, rss in sampler.samples if done >= fetched // 10)
    late = sampler.samples[-1][1]
    archive_mb = sum(p.stat().st_size for p in (context.work / "archive").iterdir()) / 2**20

    # the store's share: the same documents upserted one per transaction, as the crawl does
    upsert_cpu = 0.0
    with (
        Store.open(context.work / "crawl.sqlite", readonly=True) as crawled,
        Store.open(context.work / "upsert.sqlite") as store,
    ):
        store.connection.execute("PRAGMA synchronous = NORMAL")
        for stored_document in crawled.iter_documents():
            document = Document(
                url=stored_document.url,
                text=stored_document.text,
                source_kind="other",
                actor_type="other",
            )
            cpu = time.process_time()
            store.add_document(document)
            upsert_cpu += time.process_time() - cpu

    start = time.perf_counter()
    with Store.open(context.work / "replay.sqlite") as store:
        replayed = crawl(store, config, config_path, replay=context.work / "archive")
    replay_seconds = time.perf_counter() - start
    assert replayed.sources["pages"].documents["added"] == pages

    dataset = f"{MANIFESTOS} ({pages:,} article pages + {listings} listings, local server)"
    ms = 1000 / n
    return [
        {
            "dataset": dataset,
            "metric": "pages/s fetched, archived and stored (delay off, 1 in flight)",
            "value": n / ours[0],
            "baseline": "requests.get loop, same URLs",
            "baseline_value": n / bare[0],
            "n": n,
            "seconds": ours[0],
            "peak_rss_mb": crawl_peak,
            "notes": f"WARC {archive_mb:.0f} MB",
            "curve": True,
        },
        {
            "dataset": dataset,
            "metric": "wall time per page / requests.get's (target < 1.5)",
            "value": ours[0] / bare[0],
            "n": n,
            "seconds": ours[0],
            "notes": f"ours {ours[0] * ms:.2f} ms/page; requests.get {before[0] * ms:.2f} "
            f"before and {after[0] * ms:.2f} after",
        },
        {
            "dataset": dataset,
            "metric": "client CPU per page / requests.get's",
            "value": ours[1] / bare[1],
            "n": n,
            "seconds": ours[0],
            "notes": f"ours {ours[1] * ms:.2f} ms CPU/page (both threads), of which the "
            f"store's upsert with full-text indexing {upsert_cpu * 1000 / pages:.2f}; "
            f"requests.get {bare[1] * ms:.2f}",
        },
        {
            "dataset": dataset,
            "metric": "wall time per page / requests.Session's (keep-alive)",
            "value": ours[0] / pooled[0],
            "n": n,
            "seconds": ours[0],
            "notes": f"Session {pooled[0] * ms:.2f} ms/page",
        },
        {
            "dataset": dataset,
            "metric": "crawl peak RSS MB (target < 300)",
            "value": crawl_peak,
            "n": n,
            "peak_rss_mb": crawl_peak,
            "notes": f"RSS {before_crawl:.0f} MB before the crawl (imports, the requests.get "
            f"loop), {early:.0f} MB at 10% of pages, {late:.0f} MB at the end",
            "curve": True,
        },
        {
            "dataset": dataset,
            "metric": "pages/s replayed from the WARC archive (no socket)",
            "value": n / replay_seconds,
            "n": n,
            "seconds": replay_seconds,
        },
    ]


BENCHMARKS = [
    Benchmark(
        "crawl_throughput",
        crawl_throughput,
        quick=True,
        description="crawl pages/s and memory vs a bare requests.get loop (local server), "
        "at 1×, 2×, 4× 5,000 pages",
        scales=(1, 2, 4),
    )
]

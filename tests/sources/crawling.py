"""Drive one adapter against the fixture server over real HTTP, without the crawl engine.

A minimal stand-in for the engine's loop, so each adapter's tests see exactly what the
adapter yields: requests are fetched with `requests` from 127.0.0.1 with the original Host
header (the fixture server tells sites apart by it), highest priority first, each URL once;
as in the engine, only 2xx responses reach the adapter and the others are failures, except a
404 or 410 to a request that says what absence means (`Request.absent`): a skip.
"""

import heapq
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests

from discourse.collect.model import Adapter, Request, Response, Skip
from discourse.collect.sources import build
from discourse.dates import utc_now
from discourse.store import Document

SAMPLE = Path(__file__).resolve().parents[2] / "corpus" / "sample"
if str(SAMPLE) not in sys.path:
    sys.path.insert(0, str(SAMPLE))


@dataclass
class Crawl:
    documents: list[Document] = field(default_factory=list)
    skips: list[Skip] = field(default_factory=list)
    fetched: list[str] = field(default_factory=list)
    repeated: list[str] = field(default_factory=list)  # requests for URLs already queued
    failures: dict[str, int] = field(default_factory=dict)  # URL → status other than 2xx

    def by_url(self) -> dict[str, Document]:
        return {d.url: d for d in self.documents}

    def reasons(self) -> dict[str, str]:
        return {s.url: s.reason for s in self.skips}


def fetch(url: str, port: int, session: requests.Session) -> Response:
    parts = urlsplit(url)
    local = urlunsplit(("http", f"127.0.0.1:{port}", parts.path or "/", parts.query, ""))
    answer = session.get(local, headers={"Host": parts.netloc}, timeout=30, allow_redirects=False)
    headers = {k.lower(): v for k, v in answer.headers.items()}
    textual = headers.get("content-type", "").startswith(
        ("text/", "application/json", "application/xml", "application/rss", "application/atom")
    )
    return Response(
        url=url,
        final_url=url,
        status=answer.status_code,
        headers=headers,
        body=answer.content,
        text=answer.text if textual else None,
        encoding=answer.encoding if textual else None,
        fetched_at=utc_now(),
    )


def drive(adapter: Adapter, port: int, limit: int = 5000) -> Crawl:
    crawl = Crawl()
    queue: list[tuple[int, int, Request]] = []
    queued: set[str] = set()
    counter = 0

    def take(outcomes) -> None:
        nonlocal counter
        for outcome in outcomes:
            if isinstance(outcome, Request):
                if outcome.url in queued:
                    crawl.repeated.append(outcome.url)
                    continue
                queued.add(outcome.url)
                counter += 1
                heapq.heappush(queue, (-outcome.priority, counter, outcome))
            elif isinstance(outcome, Skip):
                crawl.skips.append(outcome)
            else:
                outcome.validate()
                crawl.documents.append(outcome)

    with requests.Session() as session:
        take(adapter.start())
        while queue and len(crawl.fetched) < limit:
            _, _, request = heapq.heappop(queue)
            crawl.fetched.append(request.url)
            response = fetch(request.url, port, session)
            if 200 <= response.status < 300:  # like the engine: other statuses are failures
                take(adapter.handle(request, response))
            elif response.status in (404, 410) and request.absent:
                crawl.skips.append(Skip(request.url, request.absent))
            else:
                crawl.failures[request.url] = response.status
    return crawl


def make_adapter(table: dict, base_dir: Path | None = None, name: str = "test") -> Adapter:
    """Build an adapter from a [sources.NAME]-shaped dict, as the engine does from the file."""
    return build(name, dict(table), (base_dir or Path.cwd()) / "sources.toml")

"""The contract between the crawl engine and the source adapters.

An adapter knows one service's format and nothing about storage or networking: it proposes
the first requests (`start`; an adapter over local files may yield documents there directly)
and turns each fetched response into more requests (pagination, items found on a listing),
documents, or skips with a reason (`handle`). The engine owns the
frontier, the fetcher, the WARC archive and the store, and calls `handle` for every response,
live or replayed from the archive. Requests carry JSON-serialisable `data` so the frontier can
persist them and a killed crawl resumes exactly where it stopped.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from pydantic import BaseModel

from discourse.store import Document


@dataclass(frozen=True)
class Request:
    """A URL to fetch and what to do with it: `handler` names the adapter step to call.

    `absent`: for a URL that is a guess (a Hansard day that may have had no sitting), what
    a 404 or 410 answer means; it is recorded as a skip with this reason instead of a failed
    request, and not retried. `listed_by`: where the adapter found this item (a feed, a
    query, a meeting page); it marks an item rather than a listing, so when the frontier
    already holds the URL (listed again by another listing, say after a resumed crawl) the
    repeat is recorded as the skip "duplicate: already listed by <the first listing>".
    """

    url: str
    handler: str
    data: Mapping[str, Any] = field(default_factory=dict)  # JSON-serialisable state for the handler
    priority: int = 0  # higher first; listings before items keeps discovery moving
    absent: str | None = None
    listed_by: str | None = None


@dataclass(frozen=True)
class Response:
    """A fetched (or replayed) HTTP response, decoded by the fetcher."""

    url: str  # the URL requested
    final_url: str  # after redirects
    status: int
    headers: Mapping[str, str]  # lower-cased names
    body: bytes
    text: str | None  # decoded body for textual content types, else None
    encoding: str | None
    fetched_at: str  # ISO 8601 UTC
    warc_file: str | None = None  # where the response record is archived
    warc_offset: int | None = None
    from_archive: bool = False

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()


@dataclass(frozen=True)
class Skip:
    """An item the adapter decided not to keep, with the reason (reported, never silent)."""

    url: str
    reason: str


Outcome = Request | Document | Skip


class Adapter:
    """Base class of source adapters (one module per source family in collect/sources/).

    Subclasses set `name` (the `adapter = "..."` value in sources.toml) and `Config` (a
    pydantic model of their config block), and implement `start` and `handle`. Both yield
    outcomes: Request (fetch this next), Document (store this), Skip (record why not).
    """

    name: ClassVar[str]
    Config: ClassVar[type[BaseModel]]

    def __init__(self, source: str, config: BaseModel):
        self.source = source
        self.config = config

    def start(self) -> Iterable["Outcome"]:
        raise NotImplementedError

    def handle(self, request: Request, response: Response) -> Iterable[Outcome]:
        raise NotImplementedError

"""The polite fetcher: what a site owner would ask of a crawler, and what a researcher needs.

`Fetcher.fetch(url)` returns a decoded `Response` (collect/model.py) after:
- robots.txt (RFC 9309, robots.py), read once per origin and re-read after fetch.robots_ttl.
  Policy when it cannot be read: a 4xx means no rules (crawl); a 429, 5xx or network failure
  (after the usual retries) means the site may be in trouble, so every request to that origin
  fails fast, as retryable, for fetch.max_backoff seconds, then robots.txt is tried again;
  failed requests are retried by the next `discourse corpus`.
- politeness per host: one request in flight (fetch.per_host), and an idle gap of
  max(fetch.delay, the site's Crawl-delay, 60 / the host's per-minute ceiling) between the end
  of one response and the start of the next, so the gap holds as the server sees it. Hosts in
  fetch.ceilings (web.archive.org: 60 requests/minute) can never be asked faster.
- retries on connection errors, broken bodies and fetch.retry_statuses (429, 5xx): waits grow
  exponentially (fetch.backoff doubling up to fetch.max_backoff) with jitter, and a server's
  Retry-After (seconds or HTTP date) is honoured for the whole host, not just that request. A
  Retry-After longer than fetch.max_retry_after fails the request (retryable) rather than
  parking a worker for hours.
- redirects followed one hop at a time (each hop archived, scope-checked and robots-checked),
  at most fetch.max_redirects, loops detected.
- bodies capped at fetch.max_bytes while streaming and again when inflating gzip/deflate;
  text decoded by charset.py (header, meta, then detection).
- conditional requests: given the validators remembered from an earlier crawl, it sends
  If-None-Match / If-Modified-Since and returns the 304 for the caller to reuse its archive.

Every exchange is written to the WARC archive when one is given. The transport decides
where responses come from (transport.py, archive.py); with a transport that is not `live`
(replay) the fetcher skips every wait, since no server is there to be polite to.
"""

import email.utils
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urldefrag, urljoin

from discourse import __version__
from discourse.collect.archive import NotInArchive, WarcWriter
from discourse.collect.charset import BodyTooLarge, decode, decompress, is_textual
from discourse.collect.extract.decode import sniff
from discourse.collect.model import Response
from discourse.collect.robots import MAX_ROBOTS_BYTES, Robots
from discourse.collect.transport import Exchange, Transport, TransportError
from discourse.collect.urls import UrlError, canonicalize, host_of, origin_of
from discourse.config import FetchSection, ProjectSection

PRODUCT_TOKEN = "discourse"  # what robots.txt groups name to address this crawler
REDIRECTS = frozenset({301, 302, 303, 307, 308})
MAX_ROBOTS_REDIRECTS = 5  # RFC 9309 §2.3.1.2
ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@dataclass(frozen=True)
class Validators:
    """What a server said identifies a response, for a conditional re-fetch."""

    etag: str | None = None
    last_modified: str | None = None

    def headers(self) -> dict[str, str]:
        sent = {}
        if self.etag:
            sent["If-None-Match"] = self.etag
        if self.last_modified:
            sent["If-Modified-Since"] = self.last_modified
        return sent


@dataclass(frozen=True)
class Fetched:
    """A final response and how many exchanges it took (retries and redirect hops)."""

    response: Response
    attempts: int


class FetchError(Exception):
    """A URL that could not be fetched, with a reason a researcher can act on.

    `retryable` failures (network, 5xx, unreachable robots.txt) are tried again by the next
    crawl; the others (robots.txt disallows, out of scope, too large, redirect loop) are final.
    """

    def __init__(
        self,
        url: str,
        reason: str,
        *,
        retryable: bool,
        attempts: int = 0,
        cause: TransportError | None = None,
    ):
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason
        self.retryable = retryable
        self.attempts = attempts
        self.cause = cause


class _WaitTooLong(Exception):
    def __init__(self, seconds: float):
        self.seconds = seconds


class _Stopped(Exception):
    """The fetcher was closed while a request waited for its turn."""


class _Host:
    """Politeness state of one host, shared by every thread fetching from it."""

    def __init__(self, per_host: int, interval: float):
        self.slots = threading.BoundedSemaphore(per_host)
        self.lock = threading.Lock()
        self.interval = interval
        self.next_time = 0.0  # time.monotonic() before which no request may start

    def take_turn(self, max_wait: float, stop: threading.Event) -> None:
        """Wait until this host may be asked again, and reserve that moment."""
        with self.lock:
            now = time.monotonic()
            start = max(now, self.next_time)
            if start - now > max_wait:
                raise _WaitTooLong(start - now)
            self.next_time = start + self.interval
        if start > now and stop.wait(start - now):
            raise _Stopped

    def finished(self) -> None:
        """A response ended: the next request waits a full interval from now."""
        with self.lock:
            self.next_time = max(self.next_time, time.monotonic() + self.interval)

    def defer(self, seconds: float) -> None:
        with self.lock:
            self.next_time = max(self.next_time, time.monotonic() + seconds)


@dataclass
class _RobotsEntry:
    robots: Robots | None
    expires: float
    problem: str | None = None  # why robots.txt could not be read (requests fail meanwhile)


class Fetcher:
    """Fetches URLs politely through a transport, archiving every exchange. Thread-safe."""

    def __init__(
        self,
        settings: FetchSection,
        project: ProjectSection,
        transport: Transport,
        archive: WarcWriter | None = None,
    ):
        self.settings = settings
        self.transport = transport
        self.archive = archive
        self.user_agent = (
            f"{PRODUCT_TOKEN}/{__version__} (research crawler; project {project.name}; "
            f"+{project.contact})"
        )
        self._polite = transport.live
        self._hosts: dict[str, _Host] = {}
        self._robots: dict[str, _RobotsEntry] = {}
        self._robots_locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()
        self._random = random.Random()
        self._stop = threading.Event()  # set by close(): waiting requests give up at once

    # -- the public surface ------------------------------------------------------------------

    def fetch(
        self,
        url: str,
        *,
        validators: Validators | None = None,
        in_scope: Callable[[str], str | None] | None = None,
    ) -> Fetched:
        """Fetch one URL (following redirects); FetchError says why not.

        `in_scope(url)` returns why a URL is out of the caller's scope (None if in scope);
        it is asked for the URL and for every redirect target.
        """
        current = urldefrag(url)[0]
        seen = {_key(current)}
        attempts = 0
        extra = validators.headers() if validators else {}
        while True:
            redirected = len(seen) > 1
            problem = in_scope(current) if in_scope else None
            if problem:
                reason = f"out of scope: {problem}"
                if redirected:
                    reason = f"redirected to {current}, which is out of scope: {problem}"
                raise FetchError(url, reason, retryable=False, attempts=attempts)
            if not self._robots_for(current, url).allows(current):
                where = f" (redirect target {current})" if redirected else ""
                raise FetchError(
                    url, f"disallowed by robots.txt{where}", retryable=False, attempts=attempts
                )
            exchange, tries = self._exchange(current, extra, original=url)
            attempts += tries
            location = exchange.header("location")
            if exchange.status not in REDIRECTS or not location:
                return Fetched(self.decode(url, exchange), attempts)
            target = urldefrag(urljoin(current, location.strip()))[0]
            if len(seen) > self.settings.max_redirects:
                raise FetchError(
                    url,
                    f"more than fetch.max_redirects ({self.settings.max_redirects}) redirects",
                    retryable=False,
                    attempts=attempts,
                )
            if _key(target) in seen:
                raise FetchError(
                    url, f"redirect loop: {current} → {target}", retryable=False, attempts=attempts
                )
            seen.add(_key(target))
            current = target
            extra = {}

    def ready_at(self, host: str) -> float:
        """time.monotonic() at which a host may next be asked (for schedulers)."""
        state = self._hosts.get(host)
        return state.next_time if state is not None and self._polite else 0.0

    def close(self) -> None:
        """Stop waiting requests (they fail as retryable), close connections and the archive."""
        self._stop.set()
        self.transport.close()
        if self.archive is not None:
            self.archive.close()

    # -- one exchange, with politeness and retries ------------------------------------------

    def _exchange(self, url: str, extra: dict[str, str], *, original: str) -> tuple[Exchange, int]:
        headers = {
            "User-Agent": self.user_agent,
            "Accept": ACCEPT,
            "Accept-Encoding": "gzip, deflate",
            "Accept-Language": "en-GB,en;q=0.8",
            **extra,
        }
        host = self._host(host_of(url))
        settings = self.settings
        retries = settings.retries if self._polite else 0
        attempt = 0
        while True:
            attempt += 1
            failure: TransportError | None = None
            exchange: Exchange | None = None
            with host.slots:
                if self._polite:
                    try:
                        host.take_turn(settings.max_retry_after, self._stop)
                    except _Stopped:
                        raise FetchError(
                            original, "the crawl stopped", retryable=True, attempts=attempt - 1
                        ) from None
                    except _WaitTooLong as wait:
                        raise FetchError(
                            original,
                            f"{host_of(url)} asked us to wait {wait.seconds:.0f} s, more than "
                            "fetch.max_retry_after; left for the next crawl",
                            retryable=True,
                            attempts=attempt - 1,
                        ) from None
                try:
                    exchange = self.transport.send("GET", url, headers)
                except TransportError as exc:
                    failure = exc
                finally:
                    if self._polite:
                        host.finished()
            if exchange is not None and self.archive is not None:
                name, offset = self.archive.write(exchange)
                exchange = _located(exchange, name, offset)
            if failure is not None and not failure.retryable:
                raise FetchError(
                    original, failure.reason, retryable=False, attempts=attempt, cause=failure
                )
            if exchange is not None and exchange.status not in settings.retry_statuses:
                return exchange, attempt
            if attempt > retries:
                if exchange is not None:
                    return exchange, attempt  # the caller reports the final status
                raise FetchError(
                    original,
                    f"{failure.reason} (gave up after {attempt} attempts)",
                    retryable=True,
                    attempts=attempt,
                )
            wait = self._backoff(attempt)
            asked = _retry_after(exchange.header("retry-after")) if exchange else None
            if asked is not None:
                if asked > settings.max_retry_after:
                    raise FetchError(
                        original,
                        f"HTTP {exchange.status}: the server asked us to retry after {asked:.0f} s, "
                        "more than fetch.max_retry_after; left for the next crawl",
                        retryable=True,
                        attempts=attempt,
                    )
                wait = max(wait, asked)
            host.defer(wait)

    def _backoff(self, attempt: int) -> float:
        """Exponential backoff with 'equal jitter': half fixed, half random."""
        ceiling = min(self.settings.max_backoff, self.settings.backoff * 2 ** (attempt - 1))
        return ceiling / 2 + self._random.uniform(0, ceiling / 2)

    def _host(self, name: str) -> _Host:
        with self._lock:
            host = self._hosts.get(name)
            if host is None:
                host = _Host(self.settings.per_host, self._base_interval(name))
                self._hosts[name] = host
            return host

    def _base_interval(self, name: str) -> float:
        interval = self.settings.delay
        for key, per_minute in self.settings.ceilings.items():
            if name == key or name.endswith("." + key):
                interval = max(interval, 60.0 / per_minute)
        return interval

    # -- robots.txt --------------------------------------------------------------------------

    def _robots_for(self, url: str, original: str) -> Robots:
        origin = origin_of(url)
        entry = self._robots.get(origin)
        if entry is None or entry.expires <= time.monotonic():
            with self._lock:
                lock = self._robots_locks.setdefault(origin, threading.Lock())
            with lock:
                entry = self._robots.get(origin)
                if entry is None or entry.expires <= time.monotonic():
                    entry = self._load_robots(origin, original)
                    self._robots[origin] = entry
        if entry.robots is None:
            raise FetchError(original, entry.problem, retryable=True)
        return entry.robots

    def _load_robots(self, origin: str, original: str) -> _RobotsEntry:
        now = time.monotonic()
        fresh_until = now + self.settings.robots_ttl
        url = origin + "/robots.txt"
        try:
            for _ in range(MAX_ROBOTS_REDIRECTS + 1):
                exchange, _tries = self._exchange(url, {}, original=original)
                location = exchange.header("location")
                if exchange.status in REDIRECTS and location:
                    url = urljoin(url, location.strip())
                    continue
                break
        except FetchError as exc:
            if isinstance(exc.cause, NotInArchive):
                return _RobotsEntry(Robots.allow_all(), fresh_until)  # replay: none recorded
            if not exc.retryable:
                raise
            return self._unreachable(origin, f"robots.txt unreachable ({exc.reason})")
        status = exchange.status
        if 200 <= status < 300:
            robots = Robots.parse(self._text(exchange), PRODUCT_TOKEN)
            if robots.crawl_delay is not None:
                host = self._host(host_of(origin))
                host.interval = max(host.interval, robots.crawl_delay)
            return _RobotsEntry(robots, fresh_until)
        if 400 <= status < 500 and status != 429:
            return _RobotsEntry(Robots.allow_all(), fresh_until)  # "unavailable": no rules
        return self._unreachable(origin, f"robots.txt unreachable (HTTP {status})")

    def _unreachable(self, origin: str, problem: str) -> _RobotsEntry:
        pause = self.settings.max_backoff
        self._host(host_of(origin)).defer(pause)
        return _RobotsEntry(
            None, time.monotonic() + pause, f"{problem}; {origin} left alone for {pause:g} s"
        )

    def _text(self, exchange: Exchange) -> str:
        """robots.txt as text; RFC 9309 lets a crawler ignore what follows its first 500 KiB,
        so a compressed one that inflates further (a bomb) is cut there, not refused."""
        body = decompress(
            exchange.body,
            exchange.header("content-encoding") or "",
            min(MAX_ROBOTS_BYTES, self.settings.max_bytes),
            truncate=True,
        )
        return decode(body, exchange.header("content-type") or "text/plain")[0]

    # -- decoding ----------------------------------------------------------------------------

    def decode(self, url: str, exchange: Exchange) -> Response:
        """The Response for an exchange: body inflated (capped), text decoded, headers merged."""
        content_type = exchange.header("content-type") or ""
        try:
            body = decompress(
                exchange.body, exchange.header("content-encoding") or "", self.settings.max_bytes
            )
        except BodyTooLarge as exc:
            raise FetchError(url, f"{exc} (fetch.max_bytes)", retryable=False) from None
        text = encoding = None
        if (is_textual(content_type) or not content_type) and sniff(body) == "text":
            # a textual type on binary bytes (an image or archive served as text/html) is
            # not decoded: that would only cost seconds per MB and yield noise
            text, encoding = decode(body, content_type)
        headers: dict[str, str] = {}
        for name, value in exchange.headers:
            name = name.lower()
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        return Response(
            url=url,
            final_url=exchange.url,
            status=exchange.status,
            headers=headers,
            body=body,
            text=text,
            encoding=encoding,
            fetched_at=exchange.fetched_at,
            warc_file=exchange.warc_file,
            warc_offset=exchange.warc_offset,
            from_archive=not self.transport.live,
        )


def _located(exchange: Exchange, name: str, offset: int) -> Exchange:
    return Exchange(**{**exchange.__dict__, "warc_file": name, "warc_offset": offset})


def _key(url: str) -> str:
    try:
        return canonicalize(url)
    except UrlError:
        return url


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - time.time())

"""The crawl loop: adapters propose, the fetcher fetches, the store keeps.

`crawl()` builds each source's adapter from corpus/sources.toml, seeds the frontier from
`start()`, and fetches pending requests with a pool of threads (fetch.concurrency in all,
fetch.per_host per host; the host whose turn comes soonest goes first). Each response is
handed to the adapter's `handle()` on the main thread, and what it yields is committed in
one transaction with the request's `done` state: documents (upserted, with the WARC record,
fetch time and canonical URL filled in when the adapter left them empty), further requests
(queued if in the source's scope, recorded as skips if not), and skips with their reasons.
Responses other than 2xx never reach `handle()`: they become failures with the status as
the reason (retryable for 429 and 5xx), except a 404 or 410 to a request whose `absent`
says what that means (a guessed URL): that is a skip with the adapter's reason. An item
request (`listed_by`) the frontier already holds is recorded as a duplicate skip. A 304 to a conditional re-fetch hands the adapter
the archived response it confirmed. After the crawl, duplicates are grouped (dedup.py).

The loop knows storage and nothing of formats; adapters know formats and nothing of storage.
Replay (`replay=PATH`) is the same loop with the archive as the transport: no socket, no
waiting, responses handled in the order they were requested (so a replay always rebuilds
the same corpus), and every request the archive lacks reported as a failure "not in the
archive". Each `handle()` call is bounded by fetch.handle_timeout.
"""

import dataclasses
import logging
import time
from collections import Counter, defaultdict, deque
from collections.abc import Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import ExitStack, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from discourse.collect import sources as adapters
from discourse.collect.archive import ArchiveIndex, ArchiveTransport, WarcWriter, read_exchange
from discourse.collect.dedup import DedupReport, deduplicate
from discourse.collect.extract.result import time_limit
from discourse.collect.fetch import Fetched, Fetcher, FetchError, Validators
from discourse.collect.frontier import Frontier, Item
from discourse.collect.model import Adapter, Request, Response, Skip
from discourse.collect.transport import LiveTransport, Transport, TransportError
from discourse.collect.urls import UrlError, canonicalize, host_of, scope_problem
from discourse.config import ENGINE_SOURCE_KEYS, SourcesFile
from discourse.errors import DiscourseError, UsageError
from discourse.progress import SILENT, Progress
from discourse.provenance import config_hash
from discourse.store import Document, Store

log = logging.getLogger(__name__)

MAX_EXAMPLES = 10  # failures and missing URLs quoted in a report
CLAIM = 8  # requests claimed from the frontier per host at a time (one transaction)
NOT_IN_ARCHIVE = "not in the archive"
ABSENT_STATUSES = frozenset({404, 410})  # "not here": an answer for a Request with `absent`


@dataclass
class SourceReport:
    """What one source's crawl did in this run."""

    name: str
    adapter: str
    resumed: bool = False
    queued: int = 0  # requests added to the frontier (new or due again)
    fresh: int = 0  # known leaf pages not re-fetched (within fetch.revisit_after_days)
    fetched: int = 0  # responses handled
    not_modified: int = 0  # of which 304 answers served from the archive
    documents: Counter = field(default_factory=Counter)  # upsert status → count
    skipped: int = 0
    out_of_scope: int = 0
    failed: int = 0
    missing: int = 0  # replay: requests the archive lacks
    failures: list[tuple[str, str]] = field(default_factory=list)  # first (url, reason)
    missing_urls: list[str] = field(default_factory=list)
    limited: bool = False  # stopped at --limit with work left
    left: int = 0  # requests still pending after this run (resumed by the next)
    error: str | None = None  # start() failed: the source was not crawled

    @property
    def stored(self) -> int:
        return sum(self.documents.values())


@dataclass
class CrawlReport:
    run_id: str
    mode: str
    sources: dict[str, SourceReport]
    archive_files: list[str] = field(default_factory=list)  # written by this crawl
    archive_problems: list[str] = field(default_factory=list)  # replay: damaged files
    archive_responses: int = 0  # replay: responses found in the archive
    dedup: DedupReport | None = None
    seconds: float = 0.0

    def summary(self) -> dict[str, Any]:
        """The JSON stored with the run."""
        return {
            "mode": self.mode,
            "seconds": round(self.seconds, 3),
            "sources": {
                name: {
                    "queued": r.queued,
                    "fresh": r.fresh,
                    "fetched": r.fetched,
                    "not_modified": r.not_modified,
                    "documents": dict(sorted(r.documents.items())),
                    "skipped": r.skipped,
                    "out_of_scope": r.out_of_scope,
                    "failed": r.failed,
                    "missing": r.missing,
                    "limited": r.limited,
                    "left": r.left,
                    "error": r.error,
                }
                for name, r in self.sources.items()
            },
            "archive_files": self.archive_files,
            "archive_problems": self.archive_problems,
            "archive_responses": self.archive_responses,
            "dedup": dataclasses.asdict(self.dedup) if self.dedup else None,
        }


def configured_sources(config: SourcesFile, path: Path, only: Iterable[str] = ()) -> list[str]:
    """The enabled sources to crawl (all, or those named); UsageError when there are none."""
    only = list(only)
    unknown = [name for name in only if name not in config.sources]
    if unknown:
        known = ", ".join(sorted(config.sources)) or "none"
        raise UsageError(
            f"{path}: no source named {', '.join(map(repr, unknown))}",
            hint=f"sources in this file: {known}",
        )
    if only:
        return only
    names = [name for name, table in config.sources.items() if table.get("enabled", True)]
    if not names:
        what = "no [sources.NAME] tables" if not config.sources else "no enabled sources"
        raise UsageError(
            f"{path}: {what}, so there is nothing to collect",
            hint='add a source block, e.g. [sources.govuk] with adapter = "..." and its '
            "settings (README: Adding a source), or name one with --source",
        )
    return names


def crawl(
    store: Store,
    config: SourcesFile,
    config_path: Path,
    *,
    only: Iterable[str] = (),
    replay: Path | None = None,
    limit: int | None = None,
    progress: Progress = SILENT,
    command: str | None = None,
) -> CrawlReport:
    """Collect (or, with `replay`, re-extract from the archive) the configured sources."""
    config_path = Path(config_path)
    names = configured_sources(config, config_path, only)
    built = {name: _build(name, config.sources[name], config_path) for name in names}
    run_config = {
        "sources_file": str(config_path),
        "config": config.model_dump(mode="json"),
        "selected": names,
        "replay": str(replay) if replay else None,
        "limit": limit,
    }
    with ExitStack() as stack:
        index = ArchiveIndex.build(replay) if replay else None
        run = stack.enter_context(store.run("collect", config=run_config, command=command))
        engine = _Crawl(store, config, config_path, built, run.id, index, limit, progress)
        stack.callback(engine.close)
        report = engine.run()
        run.summary.update(report.summary())
    return report


def _build(name: str, table: dict[str, Any], path: Path) -> tuple[Adapter, list[str]]:
    """An adapter (built from its table less the engine's keys; `adapter` itself is read by
    the registry) and the hosts its table allows besides those of its start requests."""
    settings = {k: v for k, v in table.items() if k == "adapter" or k not in ENGINE_SOURCE_KEYS}
    return adapters.build(name, settings, path), list(table.get("allowed_hosts", []))


class _Crawl:
    def __init__(
        self,
        store: Store,
        config: SourcesFile,
        config_path: Path,
        built: dict[str, tuple[Adapter, list[str]]],
        run_id: str,
        index: ArchiveIndex | None,
        limit: int | None,
        progress: Progress,
    ):
        self.store = store
        self.config = config
        self.settings = config.fetch
        self.run_id = run_id
        self.limit = limit
        self.progress = progress
        self.adapters = {name: adapter for name, (adapter, _) in built.items()}
        self.allowed = {name: set(hosts) for name, (_, hosts) in built.items()}
        self.mode = "replay" if index is not None else "live"
        self.archive_dir = (config_path.parent / config.archive.dir).resolve()
        self.writer: WarcWriter | None = None
        transport: Transport
        if index is not None:
            transport = ArchiveTransport(index, max_bytes=self.settings.max_bytes)
        else:
            transport = LiveTransport.from_settings(self.settings)
            self.writer = WarcWriter(
                self.archive_dir,
                prefix=config.archive.prefix,
                rotate_bytes=int(config.archive.rotate_mb * 1_000_000),
                info={
                    "isPartOf": config.project.name,
                    "operator": config.project.contact,
                    "robots": "obey",
                    "discourse-run": run_id,
                    "discourse-config-hash": config_hash(config.model_dump(mode="json")),
                },
            )
        self.fetcher = Fetcher(self.settings, config.project, transport, self.writer)
        self.frontier = Frontier(
            store,
            mode=self.mode,
            canonical=self._canonical,
            revisit_after_days=self.settings.revisit_after_days,
            max_attempts=self.settings.max_attempts,
        )
        self.reports = {
            name: SourceReport(name, adapter.name) for name, adapter in self.adapters.items()
        }
        self.source_ids = {
            name: store.ensure_source(name, adapter.name, config.sources[name])
            for name, adapter in self.adapters.items()
        }
        self.index = index
        # WAL with synchronous=NORMAL: commits survive a killed process (the guarantee the
        # frontier needs) without an fsync each; only a power cut can lose the last ones
        self._synchronous = store.read("PRAGMA synchronous")[0][0]
        store.connection.execute("PRAGMA synchronous = NORMAL")
        self.pending: Counter = Counter()  # (source, host) → requests not yet dispatched
        self.claimed: defaultdict[tuple[str, str], deque[Item]] = defaultdict(deque)
        self.busy: Counter = Counter()  # host → requests in flight
        self.in_flight: dict[Future, Item] = {}
        self.tasks: dict[str, Any] = {}  # source → progress task
        self.totals: Counter = Counter()  # source → requests in this pass (the bar's total)
        self.pool = ThreadPoolExecutor(self.settings.concurrency, thread_name_prefix="fetch")
        self.per_host = self.settings.per_host if self.mode == "live" else self.settings.concurrency

    # -- the run -------------------------------------------------------------------------------

    def run(self) -> CrawlReport:
        started = time.monotonic()
        with ExitStack() as tasks:
            for name in self.adapters:
                self.tasks[name] = tasks.enter_context(self.progress.task(name, total=None))
            for name in self.adapters:
                self._seed(name)
            self._loop()
            for name in self.adapters:
                report = self.reports[name]
                if report.error is None and not report.limited:
                    self.frontier.finish(name)
                if report.error is None:
                    report.left = self.frontier.counts(name)["pending"]
        report = CrawlReport(
            self.run_id,
            self.mode,
            self.reports,
            archive_files=list(self.writer.files) if self.writer else [],
            archive_problems=list(self.index.problems) if self.index else [],
            archive_responses=self.index.responses if self.index else 0,
        )
        if self.config.dedup.enabled:
            report.dedup = deduplicate(
                self.store, self.config.dedup, run_id=self.run_id, progress=self.progress
            )
        report.seconds = time.monotonic() - started
        return report

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.fetcher.close()
        self.store.connection.execute(f"PRAGMA synchronous = {int(self._synchronous)}")

    def _seed(self, name: str) -> None:
        report = self.reports[name]
        adapter = self.adapters[name]
        begun = self.frontier.begin(name)
        report.resumed = begun.resumed
        try:
            outcomes = list(adapter.start())
        except Exception as exc:  # an adapter bug must not stop the other sources
            log.debug("start() of %s failed", name, exc_info=True)
            report.error = f"{adapter.name}.start() raised {type(exc).__name__}: {exc}"
            return
        self.allowed[name].update(
            host_of(o.url) for o in outcomes if isinstance(o, Request) and host_of(o.url)
        )
        try:
            with self.store.transaction():
                found = self._settle(name, outcomes, response=None)
        except _InvalidDocument as exc:
            report.error = f"{adapter.name}.start() yielded an invalid document: {exc}"
            return
        report.documents.update(found["statuses"])
        for host, count in self.frontier.pending_by_host(name).items():
            self.pending[(name, host)] = count  # the store's count: resumed requests included
        counts = self.frontier.counts(name)
        self.totals[name] = sum(counts.values())
        task = self.tasks[name]
        task.update(total=self.totals[name])
        task.advance(counts["done"] + counts["failed"])
        self._describe(name)

    def _loop(self) -> None:
        while True:
            self._dispatch()
            if not self.in_flight:
                return
            if self.mode == "replay":
                # The archive answers at once, so nothing is lost by handling responses in
                # the order they were asked for; handling them as threads happen to finish
                # would let a race decide, e.g., which of two listings claims an item, and
                # a replay must rebuild the same corpus every time.
                finished = [next(iter(self.in_flight))]
                wait(finished)
            else:
                done, _ = wait(list(self.in_flight), timeout=1.0, return_when=FIRST_COMPLETED)
                # several may finish together: handle them in the order they were asked for,
                # not in a set's arbitrary order
                finished = [future for future in self.in_flight if future in done]
            results = []
            for future in finished:
                item = self.in_flight.pop(future)
                self.busy[item.host] -= 1
                results.append((item, future.result()))
            self._dispatch()  # the hosts just freed fetch again while we store these results
            for item, result in results:
                self._complete(item, result)

    def _dispatch(self) -> None:
        while len(self.in_flight) < self.settings.concurrency:
            ready = [
                (self.fetcher.ready_at(host), source, host)
                for (source, host), count in self.pending.items()
                if count > 0
                and self.busy[host] < self.per_host
                and not self.reports[source].limited
            ]
            if not ready:
                return
            _, source, host = min(ready)
            claimed = self.claimed[(source, host)]
            if not claimed:
                claimed.extend(self.frontier.take(source, host, self.run_id, CLAIM))
                if not claimed:
                    self.pending[(source, host)] = 0
                    continue
            item = claimed.popleft()
            self.pending[(source, host)] -= 1
            self.busy[host] += 1
            self.in_flight[self.pool.submit(self._fetch, item)] = item

    # -- in a worker thread --------------------------------------------------------------------

    def _fetch(self, item: Item) -> Fetched | FetchError:
        """Fetch one request; a 304 is answered with the archived response it confirms."""
        revalidate = (
            self.mode == "live"
            and item.warc_file is not None
            and (item.etag is not None or item.last_modified is not None)
        )
        validators = Validators(item.etag, item.last_modified) if revalidate else None
        in_scope = self._scope_check(item.source)
        try:
            fetched = self.fetcher.fetch(item.url, validators=validators, in_scope=in_scope)
            if fetched.response.status != 304 or not revalidate:
                return fetched
            archived = self._archived(item)
            if archived is not None:
                return Fetched(archived, fetched.attempts)
            again = self.fetcher.fetch(item.url, in_scope=in_scope)  # the archive lost it
            return Fetched(again.response, fetched.attempts + again.attempts)
        except FetchError as exc:
            return exc
        except DiscourseError:
            raise  # the archive cannot be written: stop the crawl
        except Exception as exc:  # one odd URL or response must not end a days-long crawl
            log.debug("fetching %s failed", item.url, exc_info=True)
            reason = f"internal error {type(exc).__name__}: {exc} (please report it)"
            return FetchError(item.url, reason, retryable=False)

    def _archived(self, item: Item) -> Response | None:
        path = self.archive_dir / item.warc_file
        try:
            exchange = read_exchange(path, item.warc_offset, item.url, self.settings.max_bytes)
        except (OSError, TransportError, ValueError):
            log.debug("archived response %s@%s unreadable", path, item.warc_offset)
            return None
        return dataclasses.replace(self.fetcher.decode(item.url, exchange), from_archive=True)

    # -- back on the main thread ---------------------------------------------------------------

    def _complete(self, item: Item, result: Fetched | FetchError) -> None:
        name = item.source
        report = self.reports[name]
        if report.limited:
            self.frontier.release([item])
            self.pending[(name, item.host)] += 1
            return
        if isinstance(result, FetchError):
            self._fail(item, result.reason, result.retryable, result.attempts)
        else:
            response = result.response
            if response.status in ABSENT_STATUSES and item.request.absent:
                self._absent(item, response, result.attempts)
            elif not 200 <= response.status < 300:
                reason = f"HTTP {response.status}"
                retryable = (
                    response.status in self.settings.retry_statuses or response.status >= 500
                )
                self._fail(item, reason, retryable, result.attempts, response.status)
            else:
                self._handle(item, response, result.attempts)
        self._describe(name)

    def _handle(self, item: Item, response: Response, attempts: int) -> None:
        name = item.source
        report = self.reports[name]
        adapter = self.adapters[name]
        try:
            with time_limit(self.settings.handle_timeout, f"adapter {adapter.name}", _TooSlow):
                outcomes = list(adapter.handle(item.request, response))
        except _TooSlow as exc:
            self._fail(item, f"{exc} on this response (fetch.handle_timeout)", False, attempts)
            return
        except Exception as exc:
            log.debug("%s.handle failed on %s", adapter.name, item.url, exc_info=True)
            self._fail(
                item, f"adapter {adapter.name} raised {type(exc).__name__}: {exc}", False, attempts
            )
            return
        try:
            with self.store.transaction():
                found = self._settle(name, outcomes, response)
                self.frontier.done(
                    item,
                    status=response.status,
                    attempts=attempts,
                    headers=dict(response.headers),
                    warc_file=response.warc_file,
                    warc_offset=response.warc_offset,
                    found_requests=found["requests"],
                    found_documents=found["documents"],
                    run_id=self.run_id,
                )
        except _InvalidDocument as exc:
            self._fail(
                item, f"adapter {adapter.name} yielded an invalid document: {exc}", False, attempts
            )
            return
        report.fetched += 1
        if response.from_archive and self.mode == "live":
            report.not_modified += 1
        report.documents.update(found["statuses"])
        task = self.tasks[name]
        if found["queued"] or found["fresh"]:
            self.totals[name] += found["queued"] + found["fresh"]  # fresh ones join as done
            task.update(total=self.totals[name])
        task.advance(1 + found["fresh"])
        if self.limit is not None and report.stored >= self.limit:
            report.limited = any(n for (s, _), n in self.pending.items() if s == name) or any(
                i.source == name for i in self.in_flight.values()
            )
            for (source, _), claimed in self.claimed.items():
                if source == name and claimed:
                    self.frontier.release(list(claimed))
                    claimed.clear()

    def _absent(self, item: Item, response: Response, attempts: int) -> None:
        """A guessed URL that is not there, as the adapter said it might not be: a skip."""
        with self.store.transaction():
            self.frontier.skip(item.source, item.url, item.request.absent, self.run_id)
            self.frontier.done(
                item,
                status=response.status,
                attempts=attempts,
                headers=dict(response.headers),
                warc_file=response.warc_file,
                warc_offset=response.warc_offset,
                found_requests=0,
                found_documents=0,
                run_id=self.run_id,
            )
        report = self.reports[item.source]
        report.fetched += 1
        report.skipped += 1
        self.tasks[item.source].advance()

    def _settle(self, name: str, outcomes: list, response: Response | None) -> dict[str, Any]:
        """Store documents, queue requests and record skips (inside the caller's transaction).

        Documents go first: an invalid one raises _InvalidDocument before anything else is
        written, and the caller's transaction leaves no trace of the response.
        """
        report = self.reports[name]
        unexpected = [o for o in outcomes if not isinstance(o, Request | Document | Skip)]
        if unexpected:
            raise _InvalidDocument(f"unexpected outcome {type(unexpected[0]).__name__}")
        documents = [
            self._complete_document(o, response) for o in outcomes if isinstance(o, Document)
        ]
        requests = [o for o in outcomes if isinstance(o, Request)]
        found: dict[str, Any] = {"requests": len(requests), "documents": len(documents)}
        found.update(statuses=[], fresh=0)
        if documents:
            try:
                results = self.store.add_documents(
                    documents, run_id=self.run_id, source_id=self.source_ids[name]
                )
            except ValueError as exc:
                raise _InvalidDocument(str(exc)) from None
            found["statuses"] = [r.status for r in results]
        added: Counter = Counter()
        in_scope = self._scope_check(name)
        for request in requests:
            problem = in_scope(request.url)
            if problem is None:
                try:
                    state = self.frontier.add(name, request, self.run_id)
                except UrlError as exc:
                    problem = str(exc)
            if problem:
                report.out_of_scope += 1
                self.frontier.skip(name, request.url, f"out of scope: {problem}", self.run_id)
            elif state == "queued":
                added[host_of(request.url)] += 1
                report.queued += 1
            elif state == "fresh":
                found["fresh"] += 1
                report.fresh += 1
            elif state == "duplicate":  # recorded as a skip by the frontier
                report.skipped += 1
        for skip in outcomes:
            if isinstance(skip, Skip):
                report.skipped += 1
                self.frontier.skip(name, skip.url, skip.reason, self.run_id)
        for host, count in added.items():
            self.pending[(name, host)] += count
        found["queued"] = sum(added.values())
        return found

    def _complete_document(self, document: Document, response: Response | None) -> Document:
        """Fill in what the engine knows and the adapter may have left empty."""
        changes: dict[str, Any] = {}
        if document.canonical_url is None and document.url.startswith(("http://", "https://")):
            with suppress(UrlError):
                changes["canonical_url"] = self._canonical(document.url, keep_fragment=True)
        if response is not None:
            if document.retrieved_at is None:
                changes["retrieved_at"] = response.fetched_at
            if document.warc_file is None and response.warc_file is not None:
                changes["warc_file"] = response.warc_file
                changes["warc_offset"] = response.warc_offset
        return dataclasses.replace(document, **changes) if changes else document

    def _fail(
        self, item: Item, reason: str, retryable: bool, attempts: int, status: int | None = None
    ) -> None:
        report = self.reports[item.source]
        self.frontier.fail(
            item, reason, retryable=retryable, attempts=attempts, status=status, run_id=self.run_id
        )
        report.failed += 1
        if reason.startswith(NOT_IN_ARCHIVE):
            report.missing += 1
            if len(report.missing_urls) < MAX_EXAMPLES:
                report.missing_urls.append(item.url)
        elif len(report.failures) < MAX_EXAMPLES:
            report.failures.append((item.url, reason))
        self.tasks[item.source].advance()

    # -- helpers -------------------------------------------------------------------------------

    def _canonical(self, url: str, *, keep_fragment: bool = False) -> str:
        return canonicalize(
            url,
            trailing_slash=self.settings.trailing_slash,
            drop_params=self.settings.drop_query_params,
            keep_fragment=keep_fragment,
        )

    def _scope_check(self, name: str):
        allowed = self.allowed[name]
        return lambda url: scope_problem(url, allowed)

    def _describe(self, name: str) -> None:
        report = self.reports[name]
        queued = sum(n for (s, _), n in self.pending.items() if s == name)
        parts = [f"{name}: {report.stored:,} documents", f"{report.failed:,} failed"]
        if queued:
            parts.append(f"{queued:,} queued")
        if report.limited:
            parts.append("limit reached")
        self.tasks[name].update(description=" · ".join(parts))


class _InvalidDocument(Exception):
    """An adapter yielded something the store refuses; the request fails with this reason."""


class _TooSlow(Exception):
    """An adapter worked on one response past fetch.handle_timeout."""

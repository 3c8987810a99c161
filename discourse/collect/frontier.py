"""The crawl frontier: every request of a crawl, and how far it got, in the SQLite store.

Each source's requests are rows keyed by (handler, canonical URL): pending → in_flight →
done, or failed with a reason, whether trying again may help, and the number of attempts.
Because the queue lives in the same database as the documents, the crawler commits a
response's documents, the requests it led to and its own `done` state in one transaction: a
crawl killed at any instant (kill -9 included) restarts from a consistent state. In-flight
rows go back to pending (their responses were never stored), nothing done is fetched again,
and no document is stored twice.

Crawls come in epochs, one per complete pass over a source. `begin` resumes the current
epoch while anything is left to do (pending or in flight, or transient failures with
attempts to spare); once a pass has finished, the next `discourse corpus` starts a new
epoch, a re-crawl: known requests are fetched again conditionally (the ETag and
Last-Modified remembered here, with the archived response reused on 304), except pages that
led to no further requests (articles, not listings) fetched within the revisit window, whose
documents are already stored. Replays (`mode = "replay"`) always start from scratch.
"""

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from discourse.collect.model import Request
from discourse.collect.urls import host_of
from discourse.dates import utc_now
from discourse.provenance import canonical_json
from discourse.store import Store

MODES = ("live", "replay")


@dataclass(frozen=True)
class Item:
    """One frontier row taken for fetching."""

    id: int
    source: str
    request: Request
    host: str
    attempts: int
    etag: str | None
    last_modified: str | None
    warc_file: str | None  # the last full response, reused when the server answers 304
    warc_offset: int | None

    @property
    def url(self) -> str:
        return self.request.url


@dataclass(frozen=True)
class Begun:
    epoch: int
    resumed: bool  # an unfinished epoch continues
    requeued: int  # in-flight rows and retryable failures put back to pending


class Frontier:
    """The queue of one crawl mode ("live" or "replay") in a store."""

    def __init__(
        self,
        store: Store,
        *,
        mode: str = "live",
        canonical: Callable[[str], str],
        revisit_after_days: float = 30.0,
        max_attempts: int = 10,
    ):
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        self.store = store
        self.mode = mode
        self.canonical = canonical
        self.revisit_after_days = revisit_after_days
        self.max_attempts = max_attempts
        self.epochs: dict[str, int] = {}

    # -- epochs --------------------------------------------------------------------------------

    def begin(self, source: str) -> Begun:
        """Resume or start a pass over a source (see the module docstring)."""
        now = utc_now()
        with self.store.transaction() as conn:
            row = conn.execute(
                "SELECT epoch, finished_at FROM crawl_state WHERE mode = ? AND source = ?",
                (self.mode, source),
            ).fetchone()
            if self.mode == "replay":
                for table in ("frontier", "crawl_skips"):
                    conn.execute(
                        f"DELETE FROM {table} WHERE mode = ? AND source = ?", (self.mode, source)
                    )
                row = None
            if row is None:
                conn.execute(
                    "INSERT OR REPLACE INTO crawl_state (mode, source, epoch, started_at) "
                    "VALUES (?, ?, 1, ?)",
                    (self.mode, source, now),
                )
                self.epochs[source] = 1
                return Begun(1, resumed=False, requeued=0)
            epoch = row["epoch"]
            requeued = conn.execute(
                "UPDATE frontier SET state = 'pending', updated_at = ? "
                "WHERE mode = ? AND source = ? AND epoch = ? AND (state = 'in_flight' "
                "OR (state = 'failed' AND retryable = 1 AND attempts < ?))",
                (now, self.mode, source, epoch, self.max_attempts),
            ).rowcount
            if row["finished_at"] is not None and requeued == 0:
                epoch += 1
                conn.execute(
                    "UPDATE crawl_state SET epoch = ?, started_at = ?, finished_at = NULL "
                    "WHERE mode = ? AND source = ?",
                    (epoch, now, self.mode, source),
                )
                self.epochs[source] = epoch
                return Begun(epoch, resumed=False, requeued=0)
            conn.execute(
                "UPDATE crawl_state SET finished_at = NULL WHERE mode = ? AND source = ?",
                (self.mode, source),
            )
            self.epochs[source] = epoch
            return Begun(epoch, resumed=True, requeued=requeued)

    def finish(self, source: str) -> bool:
        """Close the source's epoch if nothing is left to do; True if it was closed."""
        with self.store.transaction() as conn:
            left = conn.execute(
                "SELECT count(*) FROM frontier WHERE mode = ? AND source = ? AND epoch = ? "
                "AND state IN ('pending', 'in_flight')",
                (self.mode, source, self.epochs[source]),
            ).fetchone()[0]
            if left:
                return False
            conn.execute(
                "UPDATE crawl_state SET finished_at = ? WHERE mode = ? AND source = ?",
                (utc_now(), self.mode, source),
            )
            return True

    # -- adding --------------------------------------------------------------------------------

    def add(self, source: str, request: Request, run_id: str | None = None) -> str:
        """Queue a request (call inside the response's transaction).

        Returns "queued" (new, or known from an earlier pass and due again), "known"
        (already part of this pass), "duplicate" (already part of this pass, and an item: a
        request with `listed_by`, recorded as a skip naming the listing that found it first)
        or "fresh" (an earlier pass fetched this leaf page within the revisit window: not
        fetched again).
        """
        canonical = self.canonical(request.url)
        key = f"{request.handler} {canonical}"
        epoch = self.epochs[source]
        now = utc_now()
        data = canonical_json(dict(request.data))
        with self.store.transaction() as conn:
            row = conn.execute(
                "SELECT id, epoch, state, found_requests, fetched_at, listed_by FROM frontier "
                "WHERE mode = ? AND source = ? AND key = ?",
                (self.mode, source, key),
            ).fetchone()
            if row is None:
                conn.execute(
                    "INSERT INTO frontier (mode, source, key, url, host, handler, data, priority, "
                    "absent, listed_by, state, epoch, discovered_at, updated_at, run_id) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?)",
                    (
                        self.mode,
                        source,
                        key,
                        request.url,
                        host_of(request.url),
                        request.handler,
                        data,
                        request.priority,
                        request.absent,
                        request.listed_by,
                        epoch,
                        now,
                        now,
                        run_id,
                    ),
                )
                return "queued"
            if row["epoch"] == epoch:
                if request.listed_by is None:
                    return "known"  # a listing reached again (pagination, menus): not news
                first = row["listed_by"] or "an earlier listing"
                self.skip(source, request.url, f"duplicate: already listed by {first}", run_id)
                return "duplicate"
            if (
                self.revisit_after_days > 0
                and row["state"] == "done"
                and row["found_requests"] == 0
                and row["fetched_at"] is not None
                and row["fetched_at"] > self._revisit_cutoff()
            ):
                conn.execute(
                    "UPDATE frontier SET epoch = ?, updated_at = ? WHERE id = ?",
                    (epoch, now, row["id"]),
                )
                return "fresh"
            conn.execute(
                "UPDATE frontier SET epoch = ?, state = 'pending', attempts = 0, reason = NULL, "
                "retryable = 0, url = ?, host = ?, data = ?, priority = ?, absent = ?, "
                "listed_by = ?, updated_at = ?, run_id = ? WHERE id = ?",
                (
                    epoch,
                    request.url,
                    host_of(request.url),
                    data,
                    request.priority,
                    request.absent,
                    request.listed_by,
                    now,
                    run_id,
                    row["id"],
                ),
            )
            return "queued"

    def _revisit_cutoff(self) -> str:
        cutoff = dt.datetime.now(dt.UTC) - dt.timedelta(days=self.revisit_after_days)
        return cutoff.replace(microsecond=0).isoformat().replace("+00:00", "Z")

    # -- taking and settling -------------------------------------------------------------------

    def pending_by_host(self, source: str) -> dict[str, int]:
        """Pending requests of the source's current pass, by host."""
        rows = self.store.read(
            "SELECT host, count(*) AS n FROM frontier WHERE mode = ? AND source = ? "
            "AND epoch = ? AND state = 'pending' GROUP BY host",
            (self.mode, source, self.epochs[source]),
        )
        return {row["host"]: row["n"] for row in rows}

    def take(self, source: str, host: str, run_id: str | None = None, count: int = 1) -> list[Item]:
        """Up to `count` pending requests of a source on a host, highest priority then
        oldest first, marked in flight (claimed in one statement)."""
        with self.store.transaction() as conn:
            rows = conn.execute(
                "UPDATE frontier SET state = 'in_flight', updated_at = ?, run_id = ? "
                "WHERE id IN (SELECT id FROM frontier WHERE mode = ? AND source = ? "
                "AND state = 'pending' AND host = ? AND epoch = ? ORDER BY priority DESC, id "
                "LIMIT ?) RETURNING *",
                (utc_now(), run_id, self.mode, source, host, self.epochs[source], count),
            ).fetchall()
        rows.sort(key=lambda row: (-row["priority"], row["id"]))
        return [
            Item(
                id=row["id"],
                source=source,
                request=Request(
                    row["url"],
                    row["handler"],
                    json.loads(row["data"]),
                    row["priority"],
                    absent=row["absent"],
                    listed_by=row["listed_by"],
                ),
                host=row["host"],
                attempts=row["attempts"],
                etag=row["etag"],
                last_modified=row["last_modified"],
                warc_file=row["warc_file"],
                warc_offset=row["warc_offset"],
            )
            for row in rows
        ]

    def done(
        self,
        item: Item,
        *,
        status: int,
        attempts: int,
        headers: dict[str, str],
        warc_file: str | None,
        warc_offset: int | None,
        found_requests: int,
        found_documents: int,
        run_id: str | None = None,
    ) -> None:
        """Settle a request whose response was handled (call inside its transaction)."""
        with self.store.transaction() as conn:
            conn.execute(
                "UPDATE frontier SET state = 'done', status = ?, attempts = attempts + ?, "
                "reason = NULL, retryable = 0, fetched_at = ?, "
                "etag = coalesce(?, etag), last_modified = coalesce(?, last_modified), "
                "warc_file = coalesce(?, warc_file), warc_offset = coalesce(?, warc_offset), "
                "found_requests = ?, found_documents = ?, updated_at = ?, run_id = ? WHERE id = ?",
                (
                    status,
                    attempts,
                    utc_now(),
                    headers.get("etag"),
                    headers.get("last-modified"),
                    warc_file,
                    warc_offset if warc_file else None,
                    found_requests,
                    found_documents,
                    utc_now(),
                    run_id,
                    item.id,
                ),
            )

    def fail(
        self,
        item: Item,
        reason: str,
        *,
        retryable: bool,
        attempts: int,
        status: int | None = None,
        run_id: str | None = None,
    ) -> None:
        with self.store.transaction() as conn:
            conn.execute(
                "UPDATE frontier SET state = 'failed', reason = ?, retryable = ?, "
                "attempts = attempts + ?, status = coalesce(?, status), updated_at = ?, "
                "run_id = ? WHERE id = ?",
                (one_line(reason), int(retryable), attempts, status, utc_now(), run_id, item.id),
            )

    def release(self, items: list[Item]) -> None:
        """Put requests back, unhandled (claimed or in flight when a --limit was reached)."""
        with self.store.transaction() as conn:
            conn.executemany(
                "UPDATE frontier SET state = 'pending', updated_at = ? WHERE id = ?",
                [(utc_now(), item.id) for item in items],
            )

    def skip(self, source: str, url: str, reason: str, run_id: str | None = None) -> None:
        """Record an item not kept, with why (call inside the response's transaction)."""
        with self.store.transaction() as conn:
            conn.execute(
                "INSERT INTO crawl_skips (mode, source, url, reason, run_id, at) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (mode, source, url) DO UPDATE SET "
                "reason = excluded.reason, run_id = excluded.run_id, at = excluded.at",
                (self.mode, source, url, one_line(reason), run_id, utc_now()),
            )

    # -- reading -------------------------------------------------------------------------------

    def counts(self, source: str) -> dict[str, int]:
        """Requests of the source's current pass by state (all four states present)."""
        rows = self.store.read(
            "SELECT state, count(*) AS n FROM frontier WHERE mode = ? AND source = ? "
            "AND epoch = ? GROUP BY state",
            (self.mode, source, self.epochs[source]),
        )
        counts = dict.fromkeys(("pending", "in_flight", "done", "failed"), 0)
        counts.update({row["state"]: row["n"] for row in rows})
        return counts


def one_line(reason: str) -> str:
    """A reason as one line: parsers' messages (lxml's, pdfminer's) carry line breaks."""
    return " ".join(reason.split())


def failures(
    store: Store,
    *,
    mode: str | None = "live",
    source: str | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Failed requests (latest first) with their reasons and the run that tried them, for
    `discourse status --failures`; `mode=None` lists live crawls' and replays' together."""
    where, params = _filter(mode, source)
    rows = store.read(
        "SELECT mode, source, url, reason, retryable, attempts, status, run_id, updated_at "
        f"FROM frontier WHERE state = 'failed' {where} ORDER BY updated_at DESC, id DESC"
        + (f" LIMIT {int(limit)}" if limit else ""),
        params,
    )
    return [dict(row) for row in rows]


def skips(
    store: Store,
    *,
    mode: str | None = "live",
    source: str | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Items not kept, with their reasons and the run that skipped them (latest first);
    `mode=None` lists live crawls' and replays' together (a replay's replace its last)."""
    where, params = _filter(mode, source)
    rows = store.read(
        f"SELECT mode, source, url, reason, run_id, at FROM crawl_skips WHERE 1 = 1 {where} "
        "ORDER BY at DESC, id DESC" + (f" LIMIT {int(limit)}" if limit else ""),
        params,
    )
    return [dict(row) for row in rows]


def _filter(mode: str | None, source: str | None) -> tuple[str, tuple]:
    conditions, params = [], []
    for column, value in (("mode", mode), ("source", source)):
        if value is not None:
            conditions.append(f"AND {column} = ?")
            params.append(value)
    return " ".join(conditions), tuple(params)

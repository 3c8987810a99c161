"""Pages that are gone from the live web, read from the Internet Archive's Wayback Machine.

The CDX API lists captures of a URL prefix in a date range (`from`, `to` as yyyyMMdd),
filtered to successful HTML captures and collapsed so each URL (`captures = "first"`, the
earliest capture in range) or each distinct content (`captures = "all"`, by digest) appears
once; long listings continue with a resume key. Each capture is fetched raw, as originally
served, through its `id_` URL (`/web/<timestamp>id_/<url>`), and goes through the extractor.

A document keeps the original URL as its URL (so later captures of a page become versions of
one document), the capture time in `extra["captured_at"]`, and the page's own date as its
publication date; when the page shows no date, the capture time stands in, flagged with
`extra["date_source"] = "capture"`, since a page cannot be younger than its first capture.

The Wayback Machine allows about 60 requests a minute; the engine enforces that ceiling for
its host, and every request here (listings and captures) goes to the configured host.
"""

import json
from collections.abc import Iterator
from typing import Any, Literal
from urllib.parse import urlencode

from pydantic import Field, field_validator

from discourse.collect.extract import ExtractionError, extract_bytes
from discourse.collect.model import Outcome, Request, Response, Skip
from discourse.collect.sources import register
from discourse.collect.sources.blogs import SiteConfig
from discourse.collect.sources.common import SourceAdapter, SourceKind, UrlFilter, check_patterns
from discourse.dates import PartialDate

CDX_FIELDS = ("urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length")


class WaybackConfig(SiteConfig):
    """A [sources.NAME] table with adapter = "wayback" (set actor_type and publisher)."""

    source_kind: SourceKind = "other"
    archive: str = "https://web.archive.org"
    urls: list[str]  # URLs or URL prefixes, with or without scheme
    match_type: Literal["exact", "prefix", "host", "domain"] = "prefix"
    captures: Literal["first", "all"] = "first"
    mimetypes: list[str] = ["text/html"]
    page_size: int = Field(default=5000, ge=1, le=150_000)
    include: list[str] = []  # regular expressions on the original URL ([] = all)
    exclude: list[str] = []

    @field_validator("include", "exclude")
    @classmethod
    def _patterns(cls, value: list[str]) -> list[str]:
        return check_patterns(value)

    @field_validator("archive")
    @classmethod
    def _no_slash(cls, value: str) -> str:
        return value.rstrip("/")


@register
class WaybackAdapter(SourceAdapter):
    name = "wayback"
    Config = WaybackConfig
    config: WaybackConfig

    def __init__(self, source: str, config: WaybackConfig):
        super().__init__(source, config)
        self.urls = UrlFilter(config.include, config.exclude)

    def start(self) -> Iterator[Outcome]:
        for url in self.config.urls:
            yield self._cdx(url, None)

    def _cdx(self, url: str, resume_key: str | None) -> Request:
        config = self.config
        params: list[tuple[str, Any]] = [("url", url), ("matchType", config.match_type)]
        if config.since:
            params.append(("from", config.since.strftime("%Y%m%d")))
        if config.until:
            params.append(("to", config.until.strftime("%Y%m%d")))
        params += [
            ("output", "json"),
            ("fl", ",".join(CDX_FIELDS)),
            ("collapse", "urlkey" if config.captures == "first" else "digest"),
            ("filter", "statuscode:200"),
            ("filter", "mimetype:(" + "|".join(config.mimetypes) + ")"),
            ("limit", config.page_size),
            ("showResumeKey", "true"),
        ]
        if resume_key:
            params.append(("resumeKey", resume_key))
        return Request(
            f"{config.archive}/cdx/search/cdx?{urlencode(params)}", "cdx", {"url": url}, priority=1
        )

    def on_cdx(self, request: Request, response: Response) -> Iterator[Outcome]:
        try:
            rows = json.loads(response.body or b"[]")
        except ValueError:
            yield Skip(request.url, "CDX answer is not JSON (was output=json honoured?)")
            return
        if not isinstance(rows, list):
            yield Skip(request.url, "CDX answer is not a list of rows")
            return
        header = rows[0] if rows and isinstance(rows[0], list) else []
        resume_key = None
        for position, row in enumerate(rows[1:], start=1):
            if row == []:  # a blank row, then the resume key, ends a partial listing
                tail = rows[position + 1 : position + 2]
                resume_key = tail[0][0] if tail and tail[0] else None
                break
            capture = dict(zip(header, row, strict=False))
            outcome = self._capture(capture)
            if outcome is not None:
                yield outcome
        if resume_key:
            yield self._cdx(request.data["url"], resume_key)

    def _capture(self, capture: dict[str, str]) -> Outcome | None:
        original, timestamp = capture.get("original"), capture.get("timestamp")
        if not original or not timestamp:
            return None
        replay = f"{self.config.archive}/web/{timestamp}id_/{original}"
        excluded = self.urls.reason(original)
        if excluded:
            return Skip(replay, excluded)
        key = original if self.config.captures == "first" else f"{original}#{capture.get('digest')}"
        where = f"CDX listing of {capture.get('urlkey')}"
        first = self.first_sighting(key, where)
        if first is not None:
            return Skip(replay, f"duplicate: already listed by {first}")
        return Request(
            replay,
            "capture",
            {"original": original, "timestamp": timestamp, "digest": capture.get("digest")},
            listed_by=where,
        )

    def on_capture(self, request: Request, response: Response) -> Iterator[Outcome]:
        original, timestamp = request.data["original"], request.data["timestamp"]
        try:
            extracted = extract_bytes(
                response.body,
                content_type=response.headers.get("content-type"),
                url=original,
                selectors=self.config.selectors or None,
            )
        except ExtractionError as exc:
            yield Skip(request.url, f"extraction failed: {exc.reason}")
            return
        captured = _capture_time(timestamp)
        extra: dict[str, Any] = {
            "wayback_url": request.url,
            "captured_at": captured,
            "digest": request.data.get("digest"),
        }
        date = extracted.date
        if date is None:
            date = PartialDate(captured[:10], "day")
            extra["date_source"] = "capture"
        yield self.extracted_document(original, extracted, response, date=date, extra=extra)


def _capture_time(timestamp: str) -> str:
    """A 14-digit Wayback timestamp as ISO 8601 UTC (shorter ones are padded)."""
    stamp = (timestamp + "00000000000000")[:14]
    return f"{stamp[0:4]}-{stamp[4:6]}-{stamp[6:8]}T{stamp[8:10]}:{stamp[10:12]}:{stamp[12:14]}Z"

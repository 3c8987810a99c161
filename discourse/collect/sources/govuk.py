"""GOV.UK speeches, statements and news: the public search API, then the content API per item.

The search API (`/api/search.json`) lists items by document type, query terms and a
public_timestamp range, `count` at a time from `start`; each item's `link` is its path on
GOV.UK, and `/api/content<path>` returns the item as JSON: the body as HTML in
`details.body`, the delivery date of a speech in `details.delivered_on`, the minister in
`links.speaker` (or `details.speaker_without_profile`), organisations in
`links.organisations`, and a `withdrawn_notice` when the item was withdrawn.

Withdrawn items are kept by default, flagged in `extra` (`withdrawn_at`, `withdrawn_reason`):
a withdrawn speech was still delivered and still part of the debate of its day, and most
GOV.UK withdrawals only say the policy moved on. Set `withdrawn = "skip"` to leave them out.
"""

from collections.abc import Iterator
from typing import Any, Literal
from urllib.parse import urlencode

from pydantic import Field, field_validator

from discourse.collect.model import Outcome, Request, Response, Skip
from discourse.collect.sources import register
from discourse.collect.sources.common import (
    ActorType,
    SourceAdapter,
    SourceConfig,
    SourceKind,
    html_text,
    read_json,
    search_terms,
    try_date,
)

SEARCH_FIELDS = (
    "title",
    "link",
    "description",
    "public_timestamp",
    "content_store_document_type",
    "organisations",
)
# What kind of source each GOV.UK document type is; others take the config's source_kind.
KIND_OF_TYPE = {
    "speech": "speech",
    "oral_statement": "speech",
    "written_statement": "speech",
    "authored_article": "news",
    "news_story": "news",
    "press_release": "news",
    "government_response": "news",
    "policy_paper": "report",
    "guidance": "report",
    "consultation": "report",
    "research": "report",
    "independent_report": "report",
    "impact_assessment": "report",
}


class GovukConfig(SourceConfig):
    """A [sources.NAME] table with adapter = "govuk"."""

    actor_type: ActorType = "central_government"
    source_kind: SourceKind = "speech"
    base_url: str = "https://www.gov.uk"
    # where readers see the items (document URLs); defaults to base_url
    web_url: str | None = None
    document_types: list[str] = ["speech", "oral_statement", "written_statement"]
    # search terms sent as `q`, one listing each; None uses `keywords`, [] lists everything
    queries: list[str] | None = None
    organisations: list[str] = []  # organisation slugs, e.g. "cabinet-office"
    page_size: int = Field(default=100, ge=1, le=1000)
    withdrawn: Literal["keep", "skip"] = "keep"

    @field_validator("base_url", "web_url")
    @classmethod
    def _no_trailing_slash(cls, value: str | None) -> str | None:
        return value.rstrip("/") if value else value


@register
class GovukAdapter(SourceAdapter):
    name = "govuk"
    Config = GovukConfig
    config: GovukConfig

    def start(self) -> Iterator[Outcome]:
        queries = self.config.queries
        if queries is None:
            queries = search_terms(self.keywords.terms)
        for query in queries or [None]:
            yield self._search(query, 0)

    def _search(self, query: str | None, start: int) -> Request:
        config = self.config
        params: list[tuple[str, Any]] = []
        if query:
            params.append(("q", query))
        params += [("filter_content_store_document_type", t) for t in config.document_types]
        params += [("filter_organisations", o) for o in config.organisations]
        if config.since or config.until:
            bounds = []
            if config.since:
                bounds.append(f"from:{config.since.isoformat()}")
            if config.until:
                bounds.append(f"to:{config.until.isoformat()}")
            params.append(("filter_public_timestamp", ",".join(bounds)))
        params += [("fields", f) for f in SEARCH_FIELDS]
        params += [("order", "public_timestamp"), ("start", start), ("count", config.page_size)]
        url = f"{config.base_url}/api/search.json?{urlencode(params)}"
        return Request(url, "search", {"query": query, "start": start}, priority=1)

    def on_search(self, request: Request, response: Response) -> Iterator[Outcome]:
        data = read_json(response)
        if not isinstance(data, dict) or not isinstance(data.get("results"), list):
            yield Skip(request.url, "search API answer has no results list")
            return
        query = request.data.get("query")
        results = data["results"]
        for result in results:
            link = result.get("link") if isinstance(result, dict) else None
            if not isinstance(link, str) or not link.startswith("/"):
                yield Skip(str(link), "search result links outside GOV.UK")
                continue
            page_url = self._web(link)
            where = f"query {query!r}"
            first = self.first_sighting(link, where)
            if first is not None:
                yield Skip(page_url, f"duplicate: already listed by {first}")
                continue
            yield Request(
                f"{self.config.base_url}/api/content{link}",
                "content",
                {"query": query, "public_timestamp": result.get("public_timestamp")},
                listed_by=where,
            )
        start = int(request.data.get("start", 0)) + len(results)
        total = data.get("total")
        if results and isinstance(total, int) and start < total:
            yield self._search(query, start)

    def _web(self, path: str) -> str:
        return f"{self.config.web_url or self.config.base_url}{path}"

    def on_content(self, request: Request, response: Response) -> Iterator[Outcome]:
        item = read_json(response)
        if not isinstance(item, dict):
            yield Skip(request.url, "content API answer is not a JSON object")
            return
        details = item.get("details") if isinstance(item.get("details"), dict) else {}
        links = item.get("links") if isinstance(item.get("links"), dict) else {}
        base_path = item.get("base_path") or request.url.split("/api/content", 1)[-1]
        url = self._web(base_path)
        withdrawn = item.get("withdrawn_notice") or {}
        extra: dict[str, Any] = {
            "content_id": item.get("content_id"),
            "document_type": item.get("document_type"),
            "schema_name": item.get("schema_name"),
            "api_url": request.url,
            "search_query": request.data.get("query"),
        }
        if withdrawn:
            reason = html_text(withdrawn.get("explanation")) or "no explanation given"
            if self.config.withdrawn == "skip":
                yield Skip(
                    url, f"withdrawn on {(withdrawn.get('withdrawn_at') or '?')[:10]}: {reason}"
                )
                return
            extra["withdrawn_at"] = withdrawn.get("withdrawn_at")
            extra["withdrawn_reason"] = reason
        organisations = _titles(links.get("organisations"))
        roles = _titles(links.get("roles")) or [
            role
            for appointment in links.get("role_appointments") or []
            if isinstance(appointment, dict)
            for role in _titles((appointment.get("links") or {}).get("role"))
        ]
        speakers = _titles(links.get("speaker")) or (
            [details["speaker_without_profile"]] if details.get("speaker_without_profile") else []
        )
        people = speakers or _titles(links.get("people")) or _titles(links.get("ministers"))
        government = details.get("government")
        extra.update(
            description=item.get("description"),
            organisations=organisations,
            roles=roles,
            location=details.get("location"),
            speech_type=details.get("speech_type_explanation"),
            government=government.get("title") if isinstance(government, dict) else None,
            political=details.get("political"),
            first_published_at=item.get("first_published_at"),
            public_updated_at=item.get("public_updated_at"),
        )
        document_type = item.get("document_type")
        yield self.document(
            url=url,
            text=html_text(_body(details.get("body"))),
            title=item.get("title"),
            date=try_date(
                details.get("delivered_on"),
                item.get("first_published_at"),
                request.data.get("public_timestamp"),
                item.get("public_updated_at"),
            ),
            author="; ".join(people) or None,
            publisher=organisations[0] if organisations else None,
            language=item.get("locale"),
            response=response,
            source_kind=KIND_OF_TYPE.get(document_type or ""),
            extra={k: v for k, v in extra.items() if v not in (None, [], "")},
        )


def _titles(entries: Any) -> list[str]:
    """The `title` of each linked item (links.* are lists of expanded content items)."""
    if not isinstance(entries, list):
        return []
    return [e["title"].strip() for e in entries if isinstance(e, dict) and e.get("title")]


def _body(body: Any) -> str | None:
    """`details.body` is HTML, or a list of renderings of which one is text/html."""
    if isinstance(body, str):
        return body
    if isinstance(body, list):
        for part in body:
            if isinstance(part, dict) and part.get("content_type") == "text/html":
                return part.get("content")
    return None

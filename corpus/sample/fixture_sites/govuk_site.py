"""GOV.UK as the adapter sees it: the search API, the content API, and the pages themselves.

Shapes follow the public search API (`/api/search.json`: `results`, `total`, `start`; strict
parameters, 422 for unknown ones) and the content store's JSON for speeches and news
articles (`details.body`, `details.delivered_on`, `links.speaker`, `links.organisations`,
`withdrawn_notice`).
"""

import datetime as dt
import json
import re
import uuid

from fixture_sites.model import GovukItem
from fixture_sites.web import Query, Reply, html

SPEECH_TYPES = {"speech", "oral_statement", "written_statement", "authored_article"}
GOVERNMENT = {
    "title": "2010 to 2015 Conservative and Liberal Democrat coalition government",
    "slug": "2010-to-2015-conservative-and-liberal-democrat-coalition-government",
    "current": False,
}


def stamp(moment: dt.datetime) -> str:
    """GOV.UK's timestamp style, with the UK's summer-time offset (roughly: April–October)."""
    offset = "+01:00" if 4 <= moment.month <= 10 else "+00:00"
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000") + offset


def org_slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def _text(item: GovukItem) -> str:
    return re.sub(r"<[^>]+>", " ", item.body_html or "")


def content_id(item: GovukItem) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "gov.uk.sample.invalid" + item.base_path))


def _linked(title: str, base: str) -> dict:
    return {
        "content_id": str(uuid.uuid5(uuid.NAMESPACE_URL, base + title)),
        "title": title,
        "base_path": f"{base}{org_slug(title)}",
        "locale": "en",
        "document_type": "organisation" if "organisations" in base else "person",
    }


def content_item(item: GovukItem) -> dict:
    speech = item.document_type in SPEECH_TYPES
    details: dict = {
        "body": item.body_html,
        "political": True,
        "government": GOVERNMENT,
        "change_history": [{"public_timestamp": stamp(item.published), "note": "First published."}],
    }
    links: dict = {
        "organisations": [_linked(o, "/government/organisations/") for o in item.organisations]
    }
    if speech:
        details["delivered_on"] = stamp(item.published)
        details["speech_type_explanation"] = "Transcript of the speech, exactly as it was delivered"
        if item.location:
            details["location"] = item.location
        if item.speaker_without_profile:
            details["speaker_without_profile"] = item.speaker_without_profile
        if item.speaker:
            links["speaker"] = [_linked(item.speaker, "/government/people/")]
        if item.role:
            links["roles"] = [
                {"title": item.role, "base_path": "/government/ministers/" + org_slug(item.role)}
            ]
    else:
        links["people"] = [_linked(p, "/government/people/") for p in item.people]
    document = {
        "base_path": item.base_path,
        "content_id": content_id(item),
        "document_type": item.document_type,
        "schema_name": "speech" if speech else "news_article",
        "first_published_at": stamp(item.published),
        "public_updated_at": stamp(item.published + dt.timedelta(hours=2)),
        "locale": item.locale,
        "phase": "live",
        "publishing_app": "whitehall",
        "rendering_app": "government-frontend",
        "title": item.title,
        "description": item.description,
        "details": details,
        "links": links,
        "withdrawn_notice": {},
    }
    if item.withdrawn:
        when, explanation = item.withdrawn
        document["withdrawn_notice"] = {
            "explanation": explanation,
            "withdrawn_at": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
    return document


def _result(item: GovukItem, fields: list[str]) -> dict:
    full = {
        "title": item.title,
        "link": item.base_path,
        "description": item.description,
        "public_timestamp": stamp(item.published),
        "content_store_document_type": item.document_type,
        "organisations": [{"title": o, "slug": org_slug(o)} for o in item.organisations],
        "format": "speech" if item.document_type in SPEECH_TYPES else "news_article",
    }
    result = {f: full[f] for f in fields if f in full}
    result.update(
        {
            "index": "govuk",
            "_id": item.base_path,
            "elasticsearch_type": "edition",
            "document_type": "edition",
        }
    )
    return result


def _error(message: str) -> Reply:
    return Reply(422, json.dumps({"error": message}).encode(), "application/json; charset=utf-8")


def search(items: list[GovukItem], query: Query) -> Reply:
    allowed = {"q", "start", "count", "order", "fields"}
    unknown = sorted(
        {
            k
            for k, _ in query
            if k not in allowed and not k.startswith(("filter_", "reject_", "aggregate_"))
        }
    )
    if unknown:
        return _error(f"Unexpected parameters: {', '.join(unknown)}")
    values: dict[str, list[str]] = {}
    for key, value in query:
        values.setdefault(key, []).append(value)
    try:
        start = int(values.get("start", ["0"])[0])
        count = int(values.get("count", ["10"])[0])
    except ValueError:
        return _error("Invalid value for start or count")
    if count > 1000 or start < 0 or count < 0:
        return _error("Maximum result set size (as specified in 'count') is 1000")
    found = list(items)
    types = values.get("filter_content_store_document_type")
    if types:
        found = [i for i in found if i.document_type in types]
    organisations = values.get("filter_organisations")
    if organisations:
        found = [i for i in found if {org_slug(o) for o in i.organisations} & set(organisations)]
    for bounds in values.get("filter_public_timestamp", []):
        for part in bounds.split(","):
            name, _, day = part.partition(":")
            if name not in ("from", "to") or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", day):
                return _error(f"Invalid value '{bounds}' for parameter 'public_timestamp'")
            limit = dt.date.fromisoformat(day)
            found = [
                i
                for i in found
                if (i.published.date() >= limit if name == "from" else i.published.date() <= limit)
            ]
    q = values.get("q", [""])[0].strip().lower()
    if q:
        words = q.split()
        found = [
            i
            for i in found
            if all(w in f"{i.title} {i.description} {_text(i)}".lower() for w in words)
        ]
    order = values.get("order", [""])[0]
    if order.lstrip("-") == "public_timestamp":
        found.sort(key=lambda i: (i.published, i.base_path), reverse=order.startswith("-"))
    else:
        found.sort(key=lambda i: i.base_path)
    fields = values.get("fields") or ["title", "link", "description", "public_timestamp"]
    body = {
        "results": [_result(i, fields) for i in found[start : start + count]],
        "total": len(found),
        "start": start,
        "aggregates": {},
        "suggested_queries": [],
    }
    return Reply(200, json.dumps(body).encode(), "application/json; charset=utf-8")


def page(item: GovukItem) -> Reply:
    return html(
        f'<!DOCTYPE html><html lang="{item.locale}"><head><title>{item.title} - GOV.UK</title></head>'
        f"<body><main><h1>{item.title}</h1>{item.body_html}</main></body></html>"
    )


def govuk_site(items: list[GovukItem]):
    by_path = {item.base_path: item for item in items}

    def handle(path: str, query: Query) -> Reply | None:
        if path == "/api/search.json":
            return search(items, query)
        if path.startswith("/api/content/"):
            item = by_path.get(path[len("/api/content") :])
            if item is None:
                return Reply(
                    404, b'{"error":{"code":"404","message":"Not found"}}', "application/json"
                )
            return Reply(
                200, json.dumps(content_item(item)).encode(), "application/json; charset=utf-8"
            )
        if path in by_path:
            return page(by_path[path])
        return None

    return handle

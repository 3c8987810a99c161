"""The Wayback Machine's CDX server and raw (`id_`) captures, for a handful of 2010–2012 pages.

The CDX server answers `/cdx/search/cdx` with `url`, `matchType`, `from`/`to` (timestamp
prefixes), `filter=[!]field:regex` (full match), `collapse=field`, `fl`, `limit`,
`showResumeKey` and `resumeKey`; `output=json` gives a header row, then one row per capture,
and a partial listing ends with an empty row and the resume key. Rows are sorted by SURT
URL key, then timestamp, like the real index.
"""

import base64
import hashlib
import json
import re
from urllib.parse import urlsplit

from fixture_sites import pages
from fixture_sites.model import Capture
from fixture_sites.web import Query, Reply

SITE_NAMES = {"number10": "Number10.gov.uk", "cabinetoffice": "Cabinet Office"}


def surt(url: str) -> str:
    """The CDX's sort key: host reversed without www, then the path, lower-cased."""
    parts = urlsplit(url if "://" in url else "http://" + url)
    host = (parts.hostname or "").lower()
    host = host[4:] if host.startswith("www.") else host
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return ",".join(reversed(host.split("."))) + ")" + path.lower()


def capture_body(capture: Capture) -> bytes:
    if capture.article is None:
        return capture.body
    return pages.render(capture.template, SITE_NAMES[capture.template], capture.article).encode(
        "utf-8"
    )


def digest(body: bytes) -> str:
    return base64.b32encode(hashlib.sha1(body).digest()).decode()


def _rows(captures: list[Capture]) -> list[dict[str, str]]:
    rows = []
    for capture in captures:
        body = capture_body(capture)
        rows.append(
            {
                "urlkey": surt(capture.original),
                "timestamp": capture.timestamp,
                "original": capture.original,
                "mimetype": capture.mimetype,
                "statuscode": str(capture.status),
                "digest": digest(body),
                "length": str(len(body) // 3),
            }
        )
    return sorted(rows, key=lambda r: (r["urlkey"], r["timestamp"]))


def cdx(captures: list[Capture], query: Query) -> Reply:
    args: dict[str, list[str]] = {}
    for key, value in query:
        args.setdefault(key, []).append(value)
    url = args.get("url", [""])[0]
    if not url:
        return Reply(400, b"Error: url param is required", "text/plain")
    match_type = args.get("matchType", ["exact"])[0]
    key = surt(url)
    rows = _rows(captures)
    if match_type == "exact":
        rows = [r for r in rows if r["urlkey"] == key]
    elif match_type == "prefix":
        rows = [r for r in rows if r["urlkey"].startswith(key)]
    elif match_type in ("host", "domain"):
        host_key = key.split(")")[0]
        rows = [
            r
            for r in rows
            if r["urlkey"].split(")")[0] == host_key
            or (match_type == "domain" and r["urlkey"].startswith(host_key + ","))
        ]
    start, end = args.get("from", [""])[0], args.get("to", [""])[0]
    if start:
        rows = [r for r in rows if r["timestamp"][: len(start)] >= start]
    if end:
        rows = [r for r in rows if r["timestamp"][: len(end)] <= end]
    for expression in args.get("filter", []):
        negate = expression.startswith("!")
        field, _, pattern = expression.lstrip("!").partition(":")
        regex = re.compile(pattern)
        rows = [r for r in rows if bool(regex.fullmatch(r.get(field, ""))) != negate]
    for field in args.get("collapse", []):
        collapsed, previous = [], None
        for row in rows:
            if row.get(field) != previous:
                collapsed.append(row)
            previous = row.get(field)
        rows = collapsed
    resume = args.get("resumeKey", [""])[0]
    if resume:
        after = tuple(base64.urlsafe_b64decode(resume.encode()).decode().split(" ", 1))
        rows = [r for r in rows if (r["urlkey"], r["timestamp"]) > after]
    limit = int(args.get("limit", ["0"])[0] or 0)
    more = bool(limit) and len(rows) > limit
    if limit:
        rows = rows[:limit]
    fields = (
        args.get("fl", [""])[0] or "urlkey,timestamp,original,mimetype,statuscode,digest,length"
    ).split(",")
    table: list[list[str]] = [[r[f] for f in fields] for r in rows]
    if more and args.get("showResumeKey", ["false"])[0] == "true":
        last = rows[-1]
        token = base64.urlsafe_b64encode(f"{last['urlkey']} {last['timestamp']}".encode()).decode()
        table += [[], [token]]
    if args.get("output", [""])[0] == "json":
        body = json.dumps(([fields] if table else []) + table)
        return Reply(200, body.encode(), "application/json")
    return Reply(200, "\n".join(" ".join(row) for row in table).encode(), "text/plain")


def wayback_site(captures: list[Capture]):
    by_key = {(c.timestamp, c.original): c for c in captures}

    def handle(path: str, query: Query) -> Reply | None:
        if path == "/cdx/search/cdx":
            return cdx(captures, query)
        match = re.fullmatch(r"/web/(\d{14})(id_)?/(.+)", path)
        if not match:
            return None
        capture = by_key.get((match[1], match[3]))
        if capture is None:
            return None
        body = capture_body(capture)
        if not match[2]:  # the replay view wraps the page in the archive's toolbar
            banner = (
                b'<div id="wm-ipp">The Wayback Machine (synthetic sample) - capture '
                + match[1].encode()
                + b"</div>"
            )
            body = body.replace(b"<body>", b"<body>" + banner, 1)
        headers = {"Memento-Datetime": match[1], "Link": f'<{capture.original}>; rel="original"'}
        if capture.status != 200:
            return Reply(capture.status, body, capture.mimetype, headers)
        content_type = capture.mimetype + (
            "; charset=utf-8" if capture.mimetype.startswith("text/") else ""
        )
        return Reply(200, body, content_type, headers)

    return handle

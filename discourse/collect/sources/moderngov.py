"""Council committee papers from ModernGov ("modern.gov") democracy sites.

Most English councils publish committee papers through the same product, with the same pages:
the committee list (`mgListCommittees.aspx`), a committee's meetings by year
(`ieListMeetings.aspx?CId=…&Year=…`), a meeting's agenda and documents
(`ieListDocuments.aspx?CId=…&MId=…`: agenda items in `mgAiTitleTxt` cells, each with its
report links under `documents/s…/`, and the meeting's printed minutes and agenda pack under
`documents/g…/`), and HTML items rendered as PDF by `mgConvert2PDF.aspx`. Reports and minutes
come as PDF or HTML; both go through the extractor. A PDF without a text layer (a scan) or an
encrypted or broken one is recorded as a skip with the extractor's reason, never stored empty.

The council's name and type stay with every document, and the meeting date is the document's
date: a report is published for its meeting, and PDF metadata dates are unreliable.
"""

import re
from collections.abc import Iterator
from typing import Any, Literal
from urllib.parse import urljoin

import lxml.html
from lxml import etree
from pydantic import field_validator, model_validator

from discourse.collect.extract import ExtractionError, extract_bytes
from discourse.collect.model import Outcome, Request, Response, Skip
from discourse.collect.sources import register
from discourse.collect.sources.common import (
    ActorType,
    Keywords,
    SourceAdapter,
    SourceConfig,
    SourceKind,
    date_span,
    keyword_pattern,
    tidy_text,
    try_date,
)
from discourse.config import Section
from discourse.dates import PartialDate

_COMMITTEE = re.compile(
    r"(?:mgCommitteeDetails\.aspx\?ID=|ieListMeetings\.aspx\?(?:CommitteeId|CId)=)(\d+)", re.I
)
_MEETING = re.compile(r"ieListDocuments\.aspx\?CId=(\d+)&(?:amp;)?MId=(\d+)", re.I)
_DOCUMENT = re.compile(r"(?:^|/)documents/[a-z]\d+/|mgConvert2PDF\.aspx|\.pdf(?:$|\?)", re.I)
_FILE_SIZE = re.compile(r"\s*\b(?:PDF|HTML|DOCX?|XLSX?|RTF)\s+[\d.,]+\s*[KMG]B\s*$", re.I)
_ITEM_SUFFIX = re.compile(r",\s*item\s+[\w.()]+\.?$", re.I)
NOT_A_PAGE = "not an HTML page: the body is empty or unparseable"
_DAY = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?[\s-]+([A-Za-z]{3,9})[\s-]+(\d{4})\b")


class Council(Section):
    """One ModernGov site."""

    name: str
    type: Literal["county", "district", "unitary", "metropolitan", "london_borough"]
    url: str  # the democracy site's root, e.g. https://democracy.example.gov.uk/
    committees: list[str] | None = None  # overrides the source's committees for this council

    @field_validator("url")
    @classmethod
    def _slash(cls, value: str) -> str:
        return value if value.endswith("/") else value + "/"


class ModernGovConfig(SourceConfig):
    """A [sources.NAME] table with adapter = "moderngov" (since and until are required)."""

    actor_type: ActorType = "local_government"
    source_kind: SourceKind = "council"
    councils: list[Council]
    # committee names to read, matched like keywords ("cabinet", "communit*"); [] reads all
    committees: list[str] = []
    # only fetch documents whose agenda item or link title matches one of these ([] fetches
    # all); minutes are always fetched, since their titles never say what was discussed
    titles: list[str] = []
    reports_packs: bool = False  # whole-meeting packs repeat the item reports

    @field_validator("committees", "titles")
    @classmethod
    def _terms(cls, value: list[str]) -> list[str]:
        for term in value:
            keyword_pattern(term)
        return value

    @model_validator(mode="after")
    def _range(self) -> "ModernGovConfig":
        if not (self.since and self.until):
            raise ValueError(
                "the moderngov adapter needs since and until (meetings are listed by year)"
            )
        return self


@register
class ModernGovAdapter(SourceAdapter):
    name = "moderngov"
    Config = ModernGovConfig
    config: ModernGovConfig

    def __init__(self, source: str, config: ModernGovConfig):
        super().__init__(source, config)
        self.titles = Keywords(config.titles)

    def start(self) -> Iterator[Outcome]:
        for index, council in enumerate(self.config.councils):
            yield Request(
                f"{council.url}mgListCommittees.aspx?bcr=1",
                "committees",
                {"council": index},
                priority=3,
            )

    def _council(self, request: Request) -> Council:
        return self.config.councils[int(request.data["council"])]

    def on_committees(self, request: Request, response: Response) -> Iterator[Outcome]:
        council = self._council(request)
        names = council.committees if council.committees is not None else self.config.committees
        wanted = Keywords(names)
        tree = _page(response)
        if tree is None:
            yield Skip(request.url, NOT_A_PAGE)
            return
        found: dict[str, str] = {}
        for link in _links(tree):
            match = _COMMITTEE.search(link["href"])
            if match and link["text"]:
                found.setdefault(match[1], link["text"])
        for committee_id, committee in found.items():
            if wanted and not wanted.found(committee):
                continue  # a committee outside the configured ones is not a candidate item
            for year in range(self.config.since.year, self.config.until.year + 1):
                yield Request(
                    f"{council.url}ieListMeetings.aspx?CId={committee_id}&Year={year}",
                    "meetings",
                    {
                        "council": request.data["council"],
                        "committee": committee,
                        "committee_id": committee_id,
                    },
                    priority=2,
                )

    def on_meetings(self, request: Request, response: Response) -> Iterator[Outcome]:
        council = self._council(request)
        tree = _page(response)
        if tree is None:
            yield Skip(request.url, NOT_A_PAGE)
            return
        for link in _links(tree):
            match = _MEETING.search(link["href"])
            if not match:
                continue
            url = urljoin(response.final_url or request.url, link["href"])
            day = _meeting_date(link["text"])
            if day is None:
                yield Skip(url, f"meeting link without a date: {link['text']!r}")
                continue
            first, last = date_span(day)
            if last < self.config.since or first > self.config.until:
                yield Skip(
                    url, f"meeting on {day.iso}, outside {self.config.since} to {self.config.until}"
                )
                continue
            if self.first_sighting(f"{council.url}#{match[2]}", "meetings") is not None:
                continue  # the same meeting linked twice on one listing
            yield Request(
                url,
                "meeting",
                {**request.data, "meeting_id": match[2], "meeting_date": day.iso},
                priority=1,
            )

    def on_meeting(self, request: Request, response: Response) -> Iterator[Outcome]:
        page = response.final_url or request.url
        tree = _page(response)
        if tree is None:
            yield Skip(request.url, NOT_A_PAGE)
            return
        for anchor in tree.iter("a"):
            href = anchor.get("href") or ""
            if not _DOCUMENT.search(href):
                continue
            url = urljoin(page, href)
            title = _link_title(anchor.text_content())
            item = _agenda_item(anchor)
            kind = _kind(href, title)
            if kind == "reports pack" and not self.config.reports_packs:
                yield Skip(url, "reports pack repeats the item reports (reports_packs = false)")
                continue
            if kind not in ("minutes",) and self.titles and not self.titles.found(item, title):
                yield Skip(url, "agenda item and document titles match none of `titles`")
                continue
            where = f"meeting {page}"
            first = self.first_sighting(url, where)
            if first is not None:
                yield Skip(url, f"duplicate: already listed by {first}")
                continue
            yield Request(
                url,
                "document",
                {
                    **request.data,
                    "meeting_url": page,
                    "item": item,
                    "document_title": title,
                    "kind": kind,
                },
                listed_by=where,
            )

    def on_document(self, request: Request, response: Response) -> Iterator[Outcome]:
        council = self._council(request)
        data = request.data
        try:
            extracted = extract_bytes(
                response.body, content_type=response.headers.get("content-type"), url=request.url
            )
        except ExtractionError as exc:
            yield Skip(request.url, exc.reason)
            return
        title = data.get("item") or data.get("document_title")
        if data.get("kind") == "minutes":
            title = f"Minutes: {data['committee']}, {data['meeting_date']}"
        extra: dict[str, Any] = {
            "council": council.name,
            "council_type": council.type,
            "committee": data["committee"],
            "committee_id": data.get("committee_id"),
            "meeting_id": data.get("meeting_id"),
            "document_id": _document_id(request.url),
            "meeting_date": data["meeting_date"],
            "meeting_url": data["meeting_url"],
            "agenda_item": data.get("item"),
            "document_title": data.get("document_title"),
            "document_kind": data.get("kind"),
        }
        yield self.extracted_document(
            request.url,
            extracted,
            response,
            title=title or extracted.title,
            date=PartialDate(data["meeting_date"], "day"),
            publisher=council.name,
            extra={k: v for k, v in extra.items() if v},
        )


def _page(response: Response):
    """A listing page as an lxml tree, or None when the body holds no HTML at all."""
    try:
        return lxml.html.fromstring(response.body)
    except (etree.ParserError, ValueError):
        return None


def _links(tree) -> Iterator[dict[str, str]]:
    for anchor in tree.iter("a"):
        href = anchor.get("href")
        if href:
            yield {"href": href, "text": tidy_text(anchor.text_content())}


def _document_id(url: str) -> str | None:
    """ModernGov's id of a document: s1234 (item report), g567 (meeting), or the convert ID."""
    match = re.search(r"/documents/([a-z]\d+)/|mgConvert2PDF\.aspx\?ID=(\d+)", url, re.I)
    return (match[1] or match[2]) if match else None


def _link_title(text: str) -> str | None:
    """ "Cabinet report, item 5. PDF 210 KB" → "Cabinet report": ModernGov adds both."""
    title = _FILE_SIZE.sub("", tidy_text(text))
    return _ITEM_SUFFIX.sub("", title).strip() or None


def _meeting_date(text: str) -> PartialDate | None:
    """ "12 Jan 2011 7.00 pm", "Tuesday, 12th January, 2011 7.00 pm" → 2011-01-12."""
    match = _DAY.search(text.replace(",", " "))
    return try_date(" ".join(match.groups())) if match else None


def _agenda_item(anchor) -> str | None:
    """The title of the agenda item a document link sits under, if it sits under one."""
    for ancestor in anchor.iterancestors():
        if ancestor.tag == "tr":
            titles = [
                tidy_text(p.text_content())
                for p in ancestor.cssselect(".mgAiTitleTxt")
                if not re.fullmatch(r"[\d.()a-z]*", tidy_text(p.text_content()))
            ]
            return " ".join(titles) or None
        if ancestor.tag in ("table", "body"):
            return None
    return None


def _kind(href: str, title: str | None) -> str:
    label = f"{href} {title or ''}".lower()
    if "minutes" in label:
        return "minutes"
    if "reports pack" in label or "reports-pack" in label:
        return "reports pack"
    if "agenda frontsheet" in label or "agenda" in (title or "").lower():
        return "agenda"
    return "report"

"""Commons and Lords debates as ParlParse publishes them (the XML behind TheyWorkForYou).

One XML file per sitting day and chamber (`debates2010-06-08a.xml` for the Commons,
`daylord2010-06-08a.xml` for the Lords); a later letter (`b`, `c`) is a corrected reissue of
the same day and the file it replaces says `latest="no"` on its root. Inside, in order:
`<major-heading>` and `<minor-heading>` (the debate and its sub-heading, each with an id), and
`<speech id speakername person_id|speakerid time colnum>` holding `<p>` paragraphs.

Days are found from the directory index (`discovery = "index"`: the latest letter of each
day in range) or by trying each weekday's `a` file (`discovery = "dates"`, for mirrors without
an index; a day the chamber did not sit answers 404, which the crawl records as a skip
"no sitting on DAY (chamber)", not a failure). Each speech that matches the keywords becomes
one document; the debate heading and id stay with it in `extra`. Party comes from a members
file (ParlParse's people.json, or a CSV person_id,party[,start_date,end_date]) when configured,
matched on the day of the speech.
"""

import csv
import datetime as dt
import functools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from lxml import etree
from pydantic import field_validator, model_validator

from discourse.collect.model import Outcome, Request, Response, Skip
from discourse.collect.sources import register
from discourse.collect.sources.common import (
    ActorType,
    SourceAdapter,
    SourceConfig,
    SourceKind,
    parse_xml,
    tidy_text,
)
from discourse.dates import PartialDate
from discourse.errors import ConfigError


@dataclass(frozen=True)
class Chamber:
    folder: str  # under base_url
    prefix: str  # file name before the date
    section: str  # TheyWorkForYou's section in speech URLs


CHAMBERS = {
    "commons": Chamber("debates/", "debates", "debates"),
    "lords": Chamber("lordspages/", "daylord", "lords"),
    "westminhall": Chamber("westminhall/", "westminster", "whall"),
}


class HansardConfig(SourceConfig):
    """A [sources.NAME] table with adapter = "hansard"."""

    actor_type: ActorType = "parliament"
    source_kind: SourceKind = "debate"
    base_url: str = "https://www.theyworkforyou.com/pwdata/scrapedxml/"
    chambers: list[Literal["commons", "lords", "westminhall"]] = ["commons", "lords"]
    discovery: Literal["index", "dates"] = "index"
    # where a reader finds one speech; {section} is debates, lords or whall, {gid} the speech id
    speech_url: str = "https://www.theyworkforyou.com/{section}/?id={gid}"
    members: str | None = None  # path to people.json or a person_id,party CSV

    @field_validator("base_url")
    @classmethod
    def _slash(cls, value: str) -> str:
        return value if value.endswith("/") else value + "/"

    @model_validator(mode="after")
    def _dates_need_range(self) -> "HansardConfig":
        if self.discovery == "dates" and not (self.since and self.until):
            raise ValueError('discovery = "dates" needs both since and until')
        return self


class Members:
    """Party of a member on a given day, from ParlParse people.json or a simple CSV."""

    def __init__(self, spans: dict[str, list[tuple[str, str, str]]]):
        self._spans = spans  # person or membership id → [(start, end, party)]

    @classmethod
    def load(cls, path: Path) -> "Members":
        if not path.is_file():
            raise ConfigError(
                f"{path}: members file not found", hint="check `members` in the config"
            )
        spans: dict[str, list[tuple[str, str, str]]] = {}
        if path.suffix.lower() == ".csv":
            with path.open(newline="", encoding="utf-8") as handle:
                reader = csv.DictReader(handle)
                if not reader.fieldnames or not {"person_id", "party"} <= set(reader.fieldnames):
                    raise ConfigError(f"{path}: members CSV needs person_id and party columns")
                for row in reader:
                    span = (
                        row.get("start_date") or "0000",
                        row.get("end_date") or "9999",
                        row["party"],
                    )
                    spans.setdefault(row["person_id"].strip(), []).append(span)
            return cls(spans)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ConfigError(f"{path}: not a readable people.json: {exc}") from None
        parties = {
            org.get("id"): org.get("name")
            for org in data.get("organizations", [])
            if isinstance(org, dict)
        }
        for membership in data.get("memberships", []):
            if not isinstance(membership, dict):
                continue
            party = parties.get(membership.get("on_behalf_of_id"))
            if not party:
                continue
            span = (
                membership.get("start_date") or "0000",
                membership.get("end_date") or "9999",
                party,
            )
            for key in (membership.get("person_id"), membership.get("id")):
                if key:
                    spans.setdefault(key, []).append(span)
        return cls(spans)

    def party(self, member: str | None, day: str) -> str | None:
        for start, end, party in self._spans.get(member or "", []):
            if start <= day <= end:
                return party
        return None


_FILE = re.compile(r"(?P<prefix>[a-z]+)(?P<date>\d{4}-\d{2}-\d{2})(?P<letter>[a-z])\.xml$")


@register
class HansardAdapter(SourceAdapter):
    name = "hansard"
    Config = HansardConfig
    config: HansardConfig

    @functools.cached_property
    def members(self) -> Members | None:
        """Read on first use, once `build` has said where the config file lives."""
        return Members.load(self.local_path(self.config.members)) if self.config.members else None

    def start(self) -> Iterator[Outcome]:
        config = self.config
        _ = self.members  # a missing members file stops this source before any fetching
        for chamber in config.chambers:
            folder = config.base_url + CHAMBERS[chamber].folder
            if config.discovery == "index":
                yield Request(folder, "index", {"chamber": chamber}, priority=1)
                continue
            day = config.since
            while day <= config.until:
                if day.weekday() < 5:
                    iso = day.isoformat()
                    yield self._day(chamber, iso, "a", absent=f"no sitting on {iso} ({chamber})")
                day += dt.timedelta(days=1)

    def _day(self, chamber: str, day: str, letter: str, absent: str | None = None) -> Request:
        spec = CHAMBERS[chamber]
        url = f"{self.config.base_url}{spec.folder}{spec.prefix}{day}{letter}.xml"
        return Request(
            url, "day", {"chamber": chamber, "date": day, "letter": letter}, absent=absent
        )

    def on_index(self, request: Request, response: Response) -> Iterator[Outcome]:
        chamber = request.data["chamber"]
        prefix = CHAMBERS[chamber].prefix
        latest: dict[str, str] = {}
        for href in re.findall(r'href="([^"]+)"', response.text or ""):
            match = _FILE.search(href)
            if not match or match["prefix"] != prefix:
                continue
            day = match["date"]
            if (self.config.since and day < self.config.since.isoformat()) or (
                self.config.until and day > self.config.until.isoformat()
            ):
                continue
            latest[day] = max(latest.get(day, ""), match["letter"])
        for day in sorted(latest):
            yield self._day(chamber, day, latest[day])

    def on_day(self, request: Request, response: Response) -> Iterator[Outcome]:
        try:
            root = parse_xml(response.body)
        except (etree.XMLSyntaxError, ValueError) as exc:
            yield Skip(request.url, f"not well-formed XML: {exc}")
            return
        chamber, day = request.data["chamber"], request.data["date"]
        if root.get("latest") == "no" and self.config.discovery == "dates":
            # superseded by a corrected reissue: read that instead
            yield self._day(chamber, day, chr(ord(request.data["letter"]) + 1))
            return
        headings: dict[str, Any] = {"major": None, "major_id": None, "minor": None}
        for element in root:
            tag = element.tag if isinstance(element.tag, str) else ""
            if tag == "major-heading":
                headings.update(major=_flat(element), major_id=element.get("id"), minor=None)
            elif tag == "minor-heading":
                headings["minor"] = _flat(element)
            elif tag == "speech":
                yield self._speech(element, headings, chamber, day, request, response)

    def _speech(
        self,
        speech,
        headings: dict[str, Any],
        chamber: str,
        day: str,
        request: Request,
        response: Response,
    ):
        speech_id = speech.get("id") or ""
        gid = speech_id.rsplit("/", 1)[-1]
        url = self.config.speech_url.format(section=CHAMBERS[chamber].section, gid=gid)
        paragraphs = [_flat(p) for p in speech.iter("p")] or [_flat(speech)]
        member = speech.get("person_id") or speech.get("speakerid")
        title = " — ".join(h for h in (headings["major"], headings["minor"]) if h) or None
        return self.document(
            url=url,
            text="\n\n".join(paragraphs),
            title=title,
            date=PartialDate(day, "day"),
            author=speech.get("speakername"),
            party=self.members.party(member, day) if self.members else None,
            publisher="House of Lords" if chamber == "lords" else "House of Commons",
            response=response,
            extra={
                k: v
                for k, v in {
                    "speech_id": speech_id,
                    "member_id": member,
                    "chamber": chamber,
                    "debate_id": headings["major_id"],
                    "debate_heading": headings["major"],
                    "subheading": headings["minor"],
                    "time": speech.get("time") or None,
                    "column": speech.get("colnum"),
                    "xml_url": request.url,
                }.items()
                if v
            },
        )


def _flat(element) -> str:
    """All text inside an element, whitespace collapsed (headings, paragraphs)."""
    return tidy_text("".join(element.itertext()))

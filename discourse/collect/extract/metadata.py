"""Title, author, date and language from a page's structured metadata, cleaned.

Publishers describe their pages in several overlapping vocabularies: JSON-LD (schema.org),
OpenGraph and `article:*` properties, Dublin Core, citation tags, GOV.UK's `govuk:*` tags
and plain `<meta name>`. This module reads them all into one `PageMetadata` and holds the
clean-up rules for titles ("Title | Site" → "Title") and bylines ("By Jane Smith and John
Doe" → "Jane Smith; John Doe") that every source needs.
"""

import html
import json
import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field

from discourse.dates import PartialDate, parse_date, utc_now

# meta names/properties holding a publication date, most specific first
DATE_KEYS = (
    "article:published_time",
    "govuk:first-published-at",
    "og:published_time",
    "og:article:published_time",
    "dc.date.issued",
    "dcterms.issued",
    "citation_publication_date",
    "citation_date",
    "datepublished",
    "date",
    "dc.date",
    "dcterms.date",
    "dc.date.created",
    "dcterms.created",
    "pubdate",
    "publishdate",
    "publish-date",
    "publication_date",
    "sailthru.date",
    "parsely-pub-date",
)
TITLE_KEYS = ("og:title", "twitter:title", "dc.title", "dcterms.title", "citation_title", "title")
AUTHOR_KEYS = (
    "author",
    "article:author",
    "dc.creator",
    "dcterms.creator",
    "citation_author",
    "parsely-author",
    "sailthru.author",
    "byl",
)
_ARTICLE_TYPES = {
    "article",
    "newsarticle",
    "blogposting",
    "reportagenewsarticle",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "backgroundnewsarticle",
    "report",
    "scholarlyarticle",
    "techarticle",
    "socialmediaposting",
    "liveblogposting",
    "speech",
    "creativework",
    "webpage",
    "medicalwebpage",
}
_MAX_JSON_LD = 1_000_000


@dataclass
class PageMetadata:
    """Everything the markup says about a page, unjudged; `best_*` functions judge."""

    meta: dict[str, list[str]] = field(default_factory=dict)  # lower-cased key → contents
    json_ld: list[dict] = field(default_factory=list)  # article-like objects
    html_lang: str | None = None
    title_tag: str | None = None
    h1: list[str] = field(default_factory=list)
    canonical_url: str | None = None
    time_datetimes: list[str] = field(default_factory=list)  # <time datetime> in reading order

    def first(self, *keys: str) -> str | None:
        for key in keys:
            for value in self.meta.get(key, ()):
                if value.strip():
                    return value.strip()
        return None


def read_metadata(tree) -> PageMetadata:
    """Collect metadata from a parsed HTML tree (lxml), without modifying it."""
    found = PageMetadata()
    for element in tree.iter("meta"):
        key = element.get("property") or element.get("name") or element.get("itemprop")
        content = element.get("content")
        if key is None and element.get("http-equiv", "").lower() == "content-language":
            key = "content-language"
        if key and content is not None:
            found.meta.setdefault(key.strip().lower(), []).append(_squash(content))
    for element in tree.iter("script"):
        if (element.get("type") or "").strip().lower() == "application/ld+json" and element.text:
            found.json_ld.extend(_json_ld_objects(element.text))
    root = tree.getroottree().getroot() if hasattr(tree, "getroottree") else tree
    found.html_lang = root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang")
    title = next(tree.iter("title"), None)
    if title is not None:
        found.title_tag = _squash(title.text_content()) or None
    found.h1 = [text for h in tree.iter("h1") if (text := _squash(h.text_content()))]
    for link in tree.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split() and link.get("href"):
            found.canonical_url = link.get("href").strip()
            break
    for element in tree.iter("time"):
        value = element.get("datetime")
        if value:
            found.time_datetimes.append(value.strip())
    # itemprop values carried in attributes other than content
    for element in tree.xpath("//*[@itemprop='datePublished' or @itemprop='author']"):
        key = element.get("itemprop").lower()
        value = element.get("datetime") or element.get("content")
        if value is None and key == "author":
            value = _squash(element.text_content())
        if value:
            found.meta.setdefault(key, []).append(_squash(value))
    return found


def _json_ld_objects(raw: str) -> list[dict]:
    if len(raw) > _MAX_JSON_LD:
        return []
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return []
    found: list[dict] = []
    stack = [data]
    while stack and len(found) < 50:
        item = stack.pop(0)
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            if "@graph" in item:
                stack.extend(
                    item["@graph"] if isinstance(item["@graph"], list) else [item["@graph"]]
                )
            types = item.get("@type")
            types = types if isinstance(types, list) else [types]
            if any(isinstance(t, str) and t.lower() in _ARTICLE_TYPES for t in types):
                found.append(item)
            elif "mainEntity" in item:
                stack.append(item["mainEntity"])
    # articles before generic web pages
    return sorted(found, key=lambda obj: _type_rank(obj.get("@type")))


def _type_rank(types) -> int:
    types = types if isinstance(types, list) else [types]
    names = {t.lower() for t in types if isinstance(t, str)}
    return 1 if names <= {"webpage", "creativework", "medicalwebpage"} else 0


def json_ld_value(objects: list[dict], key: str) -> str | None:
    for obj in objects:
        value = obj.get(key)
        if isinstance(value, str) and value.strip():
            return _squash(value)
    return None


def json_ld_people(objects: list[dict], key: str = "author") -> list[str]:
    for obj in objects:
        names = list(_names(obj.get(key)))
        if names:
            return names
    return []


def _names(value) -> Iterable[str]:
    if isinstance(value, str):
        if value.strip() and not value.strip().startswith("http"):
            yield _squash(value)
    elif isinstance(value, list):
        for item in value:
            yield from _names(item)
    elif isinstance(value, dict):
        name = value.get("name")
        if isinstance(name, str) and name.strip():
            yield _squash(name)
        elif isinstance(name, list):
            yield from _names(name)


def _squash(text: str) -> str:
    """Whitespace folded, and HTML entities that publishers escaped twice ("&amp;#039;") undone."""
    text = text or ""
    if "&" in text:
        text = html.unescape(text)
    return re.sub(r"\s+", " ", text).strip()


# ---- dates ---------------------------------------------------------------------------------

_MONTH_NAMES = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"


_DATE_IN_TEXT = re.compile(
    r"\b\d{4}-\d{2}-\d{2}(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?"
    r"|\b\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH_NAMES + r",?\s+\d{4}\b"
    r"|\b" + _MONTH_NAMES + r"\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}\b"
    r"|\b\d{1,2}/\d{1,2}/\d{4}\b",
    re.IGNORECASE,
)


def plausible_date(value: str | None) -> PartialDate | None:
    """A PartialDate from a metadata string, or None if unparseable or implausible for the web.

    A value that is not a date as a whole ("19 July 2010 (Original script)") is searched for
    the first date-shaped part.
    """
    if not value:
        return None
    value = value.strip()[:200]
    date = _parse(value)
    if date is None:
        match = _DATE_IN_TEXT.search(value)
        date = _parse(match.group(0)) if match else None
    if date is None or date.iso[:4] < "1990" or date.iso > utc_now()[: len(date.iso)]:
        return None
    return date


def _parse(value: str) -> PartialDate | None:
    try:
        with warnings.catch_warnings():  # dateutil warns about unknown zone names ("PST")
            warnings.simplefilter("ignore")
            return parse_date(value[:64])
    except (ValueError, OverflowError):
        return None


_MONTH_WORDS = (
    "jan(?:uary)?",
    "feb(?:ruary)?",
    "mar(?:ch)?",
    "apr(?:il)?",
    "may",
    "june?",
    "july?",
    "aug(?:ust)?",
    "sept?(?:ember)?",
    "oct(?:ober)?",
    "nov(?:ember)?",
    "dec(?:ember)?",
)


def evidenced_date(date: PartialDate, *evidence: str | None) -> PartialDate:
    """A date guessed from a page (htmldate), cut to the precision the page supports.

    htmldate returns every date as a day: a year alone ("in 2009", "© 2009") comes back as
    2009-01-01 and a month alone ("March 2009", "/2009/03/") as its first day. Only those
    firsts of a month can be made up, so only they are checked: the date keeps day precision
    if the page (or its URL) spells that day somewhere, in any common form; otherwise month
    precision if it spells the month, else year.
    """
    if date.precision != "day" or not date.iso.endswith("-01"):
        return date
    year, month = date.iso[:4], int(date.iso[5:7])
    name = _MONTH_WORDS[month - 1]
    numeric_month = f"0?{month}"
    day_forms = (
        rf"(?<!\d){year}[-/._ ]?{month:02d}[-/._ ]?01(?!\d)",  # 2009-03-01, 20090301
        rf"(?<!\d){year}[-/.]{numeric_month}[-/.]0?1(?!\d)",  # 2009/3/1
        rf"(?<!\d)0?1[-/.]{numeric_month}[-/.](?:{year}|{year[2:]})(?!\d)",  # 01/03/2009
        rf"(?<!\d){numeric_month}[-/.]0?1[-/.](?:{year}|{year[2:]})(?!\d)",  # 3/1/2009
        rf"(?<!\d)0?1(?:st)?\.?\s+(?:of\s+)?{name}\.?,?\s+{year}(?!\d)",  # 1st March 2009
        rf"\b{name}\.?\s+0?1(?:st)?,?\s+{year}(?!\d)",  # March 1, 2009
    )
    month_forms = (
        rf"\b{name}\.?,?\s+{year}(?!\d)",  # March 2009
        rf"(?<!\d){year}[-/._]{numeric_month}(?!\d)",  # 2009-03, /2009/03/
        rf"(?<!\d){numeric_month}[-/.]{year}(?!\d)",  # 03/2009
    )
    text = "\n".join(e for e in evidence if e)
    if any(re.search(form, text, re.IGNORECASE) for form in day_forms):
        return date
    if any(re.search(form, text, re.IGNORECASE) for form in month_forms):
        return PartialDate(date.iso[:7], "month")
    return PartialDate(year, "year")


def structured_date(metadata: PageMetadata) -> tuple[PartialDate, str] | None:
    """The publication date stated in structured metadata, with the key it came from."""
    for key in ("datePublished", "dateCreated"):
        date = plausible_date(json_ld_value(metadata.json_ld, key))
        if date:
            return date, f"json-ld:{key}"
    for key in DATE_KEYS:
        date = plausible_date(metadata.first(key))
        if date:
            return date, f"meta:{key}"
    return None


# ---- titles --------------------------------------------------------------------------------

_SEPARATORS = re.compile(r"\s+[|\-–—:»·•]\s+|\s+::\s+")


def clean_title(title: str | None, sitenames: Iterable[str | None] = ()) -> str | None:
    """Strip a site-name suffix or prefix ("Title | Site", "Site - Title") and whitespace."""
    if not title:
        return None
    title = _squash(title)
    names = {_key(n) for n in sitenames if n}
    parts = _SEPARATORS.split(title)
    if len(parts) > 1 and names:
        kept = [p for p in parts if _key(p) not in names]
        if kept and len(kept) < len(parts):
            title = _rejoin(title, kept)
    return title or None


def best_title(
    headings: list[str], titles: list[str | None], sitenames: Iterable[str | None]
) -> str | None:
    """The page's visible headline where metadata confirms it, else the cleaned metadata title.

    The <h1> is what readers see and cite (on the newspaper4k dev set it matches the
    reference title far more often than og:title, which is often an SEO variant), but pages
    also put logos and section names in <h1>: a heading counts only if it shares most of its
    words with a title from the metadata, or when there is no metadata title at all.
    """
    titles = [t for t in titles if t]
    names = {_key(n) for n in sitenames if n}
    headings = [h for h in headings if 3 <= len(h) <= 300 and _key(h) not in names]
    if headings and not titles:
        return clean_title(headings[0], sitenames)
    if headings:
        score, _, heading = max(
            (max(_overlap(h, t) for t in titles), -i, h) for i, h in enumerate(headings)
        )
        if score >= 0.5:
            return clean_title(heading, sitenames)
    for title in titles:
        cleaned = clean_title(title, sitenames)
        if cleaned:
            return cleaned
    return None


def _overlap(a: str, b: str) -> float:
    words_a, words_b = set(re.findall(r"\w+", a.lower())), set(re.findall(r"\w+", b.lower()))
    if not words_a or not words_b:
        return 0.0
    return len(words_a & words_b) / min(len(words_a), len(words_b))


def _rejoin(original: str, kept: list[str]) -> str:
    """Re-join the kept parts with the separators they had in the original title."""
    if len(kept) == 1:
        return kept[0]
    start = original.find(kept[0])
    end = original.rfind(kept[-1]) + len(kept[-1])
    return original[start:end] if start >= 0 and end > start else " - ".join(kept)


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower().removeprefix("www."))


# ---- authors -------------------------------------------------------------------------------

_BYLINE_PREFIX = re.compile(
    r"^(?:view all posts by|more from|more by|articles by|author:?|about)\s+"
    r"|^(?:(?:posted|written|published|written and posted|words|text|story|report(?:ed)?|interview|photos?)\s+)?by[:\s]+",
    re.IGNORECASE,
)
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_AUTHOR_NOISE = re.compile(
    r"\S+@\S+|https?://\S+|@\w+|\b(?:updated|published|posted)\b.*$"
    rf"|\b(?:on\s+)?(?:\d{{1,2}}\s+{_MONTH}|{_MONTH}\s+\d{{1,2}}\b).*$|\d+\s+min(?:ute)?s?\s+read.*$",
    re.IGNORECASE,
)
_AUTHOR_SPLIT = re.compile(r"\s*(?:;|,|\band\b|&|\|)\s*", re.IGNORECASE)
# a part after a comma that qualifies the name before it rather than naming another person
_NAME_SUFFIX = re.compile(
    r"^(?:ph\.?\s?d\.?|jr\.?|sr\.?|mp|msp|ms|am|mep|obe|mbe|cbe|kbe|qc|kc|frs|ma|msc|md|esq\.?|ii|iii)$",
    re.IGNORECASE,
)
_JOB_WORDS = re.compile(
    r"\b(?:reporter|editor|correspondent|writer|columnist|contributor|officer|director|head of|"
    r"chief|manager|fellow|researcher|professor|lecturer|president|secretary|minister|staff|"
    r"author|journalist|analyst|producer|team|desk|sponsored)\b",
    re.IGNORECASE,
)
_NOT_NAMES = {
    "admin",
    "administrator",
    "editor",
    "staff",
    "guest",
    "unknown",
    "anonymous",
    "facebook",
    "twitter",
}


def clean_authors(names: Iterable[str | None], publishers: Iterable[str | None] = ()) -> str | None:
    """Normalise bylines to "A. Person; B. Person"; None when nothing name-like remains.

    Drops what bylines carry besides names: "By", dates, reading times, e-mail addresses,
    job titles after a comma, and the publisher itself standing in for an author.
    """
    not_people = {_key(p) for p in publishers if p}
    people: list[str] = []
    for name in names:
        if not name:
            continue
        name = _BYLINE_PREFIX.sub("", _squash(name))
        name = _AUTHOR_NOISE.sub("", name).strip(" ,;:|-–—•")
        parts = [p for p in _AUTHOR_SPLIT.split(name) if p.strip()]
        for index, raw in enumerate(parts):
            part = _BYLINE_PREFIX.sub("", raw).strip(" ,;:|-–—•")
            if _NAME_SUFFIX.match(part) and people:
                people[-1] = f"{people[-1]}, {part}"
                continue
            if not _name_like(part, not_people) or (index and _JOB_WORDS.search(part)):
                continue
            if part.isupper() and len(part) > 3:
                part = part.title()
            if part.lower() not in {p.lower() for p in people}:
                people.append(part)
    return "; ".join(people) or None


def _name_like(part: str, not_people: set[str]) -> bool:
    return bool(
        part
        and part.lower() not in _NOT_NAMES
        and _key(part) not in not_people
        and len(part) <= 60
        and len(part.split()) <= 5
        and re.search(r"[^\W\d_]", part)
    )

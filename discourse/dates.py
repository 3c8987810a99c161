"""Publication dates with their precision.

Sources give dates as "19 July 2010", "2010-07", "19/07/2010" or a bare year. The store keeps
an ISO string truncated to what is known ("2010", "2010-07", "2010-07-19") beside its
precision, so a document dated only by month is never counted as the first of that month.
"""

import datetime as dt
import re
from dataclasses import dataclass

from dateutil import parser as dateutil_parser

# Year first means year-month-day whatever the separator ("2012/02/05" in citation metadata);
# day-first parsing must not turn it into 2 May.
_ISO = re.compile(r"^(\d{4})(?:([-/.])(\d{1,2})(?:\2(\d{1,2}))?)?(?:[T ]\S.*)?$")
_YEAR = re.compile(r"^\d{4}$")
_DEFAULT_A = dt.datetime(1, 1, 1)
_DEFAULT_B = dt.datetime(2, 2, 2)


@dataclass(frozen=True)
class PartialDate:
    iso: str  # "YYYY", "YYYY-MM" or "YYYY-MM-DD"
    precision: str  # "year", "month" or "day"


def parse_date(value) -> PartialDate:
    """Parse a date-like value into a PartialDate; raise ValueError if it is not a date.

    Ambiguous numeric dates are read the British way (day first): "03/04/2011" is 3 April.
    """
    if isinstance(value, dt.datetime):
        return PartialDate(value.date().isoformat(), "day")
    if isinstance(value, dt.date):
        return PartialDate(value.isoformat(), "day")
    if isinstance(value, int) and not isinstance(value, bool):
        return _from_parts(value, None, None, str(value))
    if not isinstance(value, str):
        raise ValueError(f"not a date: {value!r}")
    text = value.strip()
    if not text:
        raise ValueError("empty date")
    match = _ISO.match(text)
    if match:
        year, _, month, day = match.groups()
        return _from_parts(int(year), _int(month), _int(day), text)
    try:
        a = dateutil_parser.parse(text, dayfirst=True, default=_DEFAULT_A)
        b = dateutil_parser.parse(text, dayfirst=True, default=_DEFAULT_B)
    except (ValueError, OverflowError) as exc:
        raise ValueError(f"not a date: {text!r}") from exc
    if a.year != b.year:
        raise ValueError(f"date has no year: {text!r}")
    month = a.month if a.month == b.month else None
    day = a.day if month is not None and a.day == b.day else None
    return _from_parts(a.year, month, day, text)


def _int(part: str | None) -> int | None:
    return int(part) if part is not None else None


def _from_parts(year: int, month: int | None, day: int | None, original: str) -> PartialDate:
    if not 1000 <= year <= 2999:
        raise ValueError(f"year out of range in {original!r}")
    if month is None:
        return PartialDate(f"{year:04d}", "year")
    if day is None:
        if not 1 <= month <= 12:
            raise ValueError(f"month out of range in {original!r}")
        return PartialDate(f"{year:04d}-{month:02d}", "month")
    try:
        return PartialDate(dt.date(year, month, day).isoformat(), "day")
    except ValueError as exc:
        raise ValueError(f"not a calendar date: {original!r}") from exc


def period_of(iso: str | None, period: str) -> str | None:
    """Label the period ("2010", "2010-Q3", "2010-07") an ISO partial date falls in.

    Returns None when the date is missing or less precise than the period asks.
    """
    if not iso:
        return None
    year = iso[:4]
    if period == "year":
        return year
    if len(iso) < 7:
        return None
    month = int(iso[5:7])
    if period == "quarter":
        return f"{year}-Q{(month - 1) // 3 + 1}"
    if period == "month":
        return iso[:7]
    raise ValueError(f"period must be month, quarter or year; got {period!r}")


def date_span(iso: str) -> tuple[dt.date, dt.date]:
    """The first and last day an ISO partial date may denote ("2010-07" → 1 to 31 July).

    Comparisons of partial dates with a window use the whole span, so a document dated only
    "2011" is never taken to be inside a window that covers part of 2011.
    """
    parsed = parse_date(iso)
    year = int(parsed.iso[:4])
    if parsed.precision == "year":
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    month = int(parsed.iso[5:7])
    if parsed.precision == "month":
        return dt.date(year, month, 1), _month_end(year, month)
    day = dt.date.fromisoformat(parsed.iso)
    return day, day


def period_span(label: str) -> tuple[dt.date, dt.date]:
    """The first and last day of a period label from `period_of` ("2010", "2010-Q3", "2010-07")."""
    match = re.fullmatch(r"(\d{4})-Q([1-4])", label)
    if match:
        year, quarter = int(match[1]), int(match[2])
        return dt.date(year, 3 * quarter - 2, 1), _month_end(year, 3 * quarter)
    if not re.fullmatch(r"\d{4}(-\d{2})?", label):
        raise ValueError(f"not a period label: {label!r}")
    return date_span(label)


def _month_end(year: int, month: int) -> dt.date:
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def utc_now() -> str:
    """The current UTC time as an ISO 8601 string with second precision."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")

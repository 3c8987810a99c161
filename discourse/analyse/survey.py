"""Published survey figures as a table the comparison can trust.

A survey table is a CSV with one row per published figure: `survey, publisher, wave,
fieldwork_start, fieldwork_end, population, question, response, value_pct, n, source`, and
optionally `series` (waves of one comparable measure share a series), `break_before` (the
method changed before this wave: the series is not compared across it), `measure`
(`sceptical` marks a figure as a share of respondents sceptical of the idea, the only rows the
comparison uses) and `population_group` (whose discourse it is set beside: a group named in
`[compare.populations]`).

Real published figures are messy: fieldwork dates are often not reported, `n` comes as
"c.1,200" or as conflicting figures from different outlets, and compilers leave notes in the
question. The loader keeps what is there and says how sure it is, never inventing a value: a
wave's timing comes from the fieldwork dates, else from the publication date in the wave text,
else from the wave label, each with its precision and basis; `n` is used for a sampling
interval only when it is one number (exact, "c." approximate, or ">" lower bound). Any row it
cannot read is refused with the file, line and column.
"""

import csv
import datetime as dt
import hashlib
import math
import re
from dataclasses import dataclass
from pathlib import Path

from discourse.dates import date_span, parse_date
from discourse.errors import UsageError

REQUIRED_COLUMNS = (
    "survey",
    "publisher",
    "wave",
    "fieldwork_start",
    "fieldwork_end",
    "population",
    "question",
    "response",
    "value_pct",
    "n",
    "source",
)
OPTIONAL_COLUMNS = ("series", "break_before", "measure", "population_group")
MEASURES = ("sceptical",)
DEFAULT_SURVEYS = Path(__file__).resolve().parent.parent / "data/surveys/big-society-surveys.csv"

_TRUE = ("yes", "true", "1", "y")
_FALSE = ("", "no", "false", "0", "n")
_NOTE = re.compile(r"\s*\[NOTE:\s*(.*?)\]\s*$", re.S)
_MONTH = (
    r"(Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_PUBLISHED_DAY = re.compile(
    r"\b(?:published|reported|article)\s+(?:c\.\s*)?(\d{1,2})(?:\s*[-–]\s*(\d{1,2}))?\s+"
    + _MONTH
    + r"\s+(\d{4})",
    re.I,
)
_PUBLISHED_MONTH = re.compile(
    r"\b(?:published|reported|article)\s+(?:c\.\s*)?" + _MONTH + r"\s+(\d{4})", re.I
)
_WAVE_MONTH = re.compile(r"^(?:c\.\s*)?" + _MONTH + r"\s+(\d{4})\b", re.I)
_WAVE_YEARS = re.compile(r"^(?:c\.\s*)?(\d{4})[-/](\d{2})(?!\d)")
_WAVE_YEAR = re.compile(r"^(?:c\.\s*)?(\d{4})(?![-/\d])")
_N_EXACT = re.compile(r"^(\d[\d,]*)$")
_N_APPROXIMATE = re.compile(r"^(?:c\.|ca\.|approx\.?|about|~)\s*(\d[\d,]*)$", re.I)
_N_LOWER = re.compile(r"^(?:>|more than|over)\s*(\d[\d,]*)$", re.I)


@dataclass(frozen=True)
class Timing:
    """When a wave happened, as a span of days and how it is known."""

    start: dt.date
    end: dt.date
    basis: str  # fieldwork | published | wave (the wave label)
    precision: str  # day | month | year
    approximate: bool  # the source hedges it ("c. May 2011")
    text: str  # what it was read from


@dataclass(frozen=True)
class SurveyRow:
    line: int  # line of the CSV the row starts on (the header is line 1)
    survey: str
    publisher: str
    wave: str
    population: str
    question: str  # without the compiler's [NOTE: …]
    note: str  # the compiler's note, "" if none
    response: str
    value_pct: float | None  # None when the source gives no exact figure
    n_text: str
    n: int | None  # usable sample size, None when missing or not one number
    n_kind: str  # exact | approximate | lower_bound | unusable | missing
    source: str
    series: str
    break_before: bool
    measure: str
    population_group: str
    timing: Timing | None  # None when no date can be read honestly

    @property
    def label(self) -> str:
        """A short name for tables and charts: survey (first clause) and wave."""
        survey = re.split(r"[(:]", self.survey)[0].strip()
        return f"{survey}, {self.wave}"


@dataclass(frozen=True)
class SurveyTable:
    path: Path
    sha256: str
    rows: tuple[SurveyRow, ...]

    def measures(self, measure: str = "sceptical") -> list[SurveyRow]:
        return [row for row in self.rows if row.measure == measure]


def load_surveys(path: Path | str | None = None) -> SurveyTable:
    """Read and validate a survey table (default: the bundled Big Society figures)."""
    path = Path(path) if path is not None else DEFAULT_SURVEYS
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise UsageError(
            f"{path}: survey table not found", hint="check [compare] surveys"
        ) from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise UsageError(f"{path}:{line}: not UTF-8 text", hint="save the file as UTF-8") from None
    reader = csv.reader(text.splitlines(keepends=True), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise UsageError(
            f"{path}: empty survey table", hint="the first line names the columns"
        ) from None
    except csv.Error as exc:
        raise UsageError(f"{path}:1: malformed CSV ({exc})") from None
    header = [name.strip() for name in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise UsageError(
            f"{path}:1: missing column(s) {', '.join(missing)}",
            hint=f"a survey table has the columns {', '.join(REQUIRED_COLUMNS)}",
        )
    unknown = [c for c in header if c not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    if unknown:
        raise UsageError(
            f"{path}:1: unknown column(s) {', '.join(unknown)}",
            hint=f"optional columns are {', '.join(OPTIONAL_COLUMNS)}",
        )
    rows = []
    start = reader.line_num + 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise UsageError(f"{path}:{start}: malformed CSV ({exc})") from None
        if any(v.strip() for v in values):
            if len(values) != len(header):
                raise UsageError(
                    f"{path}:{start}: {len(values)} fields, the header has {len(header)}",
                    hint="quote fields that contain commas",
                )
            rows.append(_row(dict(zip(header, values, strict=True)), path, start))
        start = reader.line_num + 1
    _check_series(rows, path)
    return SurveyTable(path, hashlib.sha256(raw).hexdigest(), tuple(rows))


def _row(record: dict[str, str], path: Path, line: int) -> SurveyRow:
    def fail(column: str, message: str, hint: str | None = None) -> UsageError:
        return UsageError(f"{path}:{line}: column '{column}': {message}", hint=hint)

    value = {k: v.strip() for k, v in record.items()}
    for column in ("survey", "wave", "population", "question", "response", "source"):
        if not value[column]:
            raise fail(
                column,
                "is empty",
                hint="every figure needs its survey, wave, question, response and source",
            )
    value_pct = None
    if value["value_pct"]:
        try:
            value_pct = float(value["value_pct"].rstrip("%"))
        except ValueError:
            raise fail("value_pct", f"expected a percentage, got {value['value_pct']!r}") from None
        if not 0.0 <= value_pct <= 100.0:
            raise fail("value_pct", f"expected a percentage between 0 and 100, got {value_pct:g}")
    fieldwork = []
    for column in ("fieldwork_start", "fieldwork_end"):
        if not value[column]:
            fieldwork.append(None)
            continue
        if not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value[column]):
            raise fail(column, f"expected YYYY-MM-DD (or YYYY-MM, YYYY), got {value[column]!r}")
        try:
            fieldwork.append(parse_date(value[column]))
        except ValueError as exc:
            raise fail(column, str(exc)) from None
    timing = _fieldwork_timing(*fieldwork)
    if timing is None and any(fieldwork):
        raise fail(
            "fieldwork_end" if fieldwork[0] else "fieldwork_start",
            "give both fieldwork dates or neither",
        )
    if timing is not None and timing.start > timing.end:
        raise fail("fieldwork_end", f"is before fieldwork_start ({value['fieldwork_start']})")
    timing = timing or wave_timing(value["wave"])
    break_before = value.get("break_before", "").lower()
    if break_before not in _TRUE + _FALSE:
        raise fail("break_before", f"expected yes or no, got {value['break_before']!r}")
    measure = value.get("measure", "")
    if measure and measure not in MEASURES:
        raise fail("measure", f"expected {' or '.join(MEASURES)} (or empty), got {measure!r}")
    group = value.get("population_group", "")
    if measure and not group:
        raise fail(
            "population_group",
            "is empty on a row marked as a measure",
            hint="name the population group whose discourse it is compared with, e.g. public",
        )
    if group and not re.fullmatch(r"[a-z][a-z0-9_]*", group):
        raise fail("population_group", f"expected a lower_snake_case name, got {group!r}")
    if break_before in _TRUE and not value.get("series"):
        raise fail("break_before", "a break needs a series to break")
    question, note = _split_note(value["question"])
    n, n_kind = parse_n(value["n"])
    return SurveyRow(
        line=line,
        survey=value["survey"],
        publisher=value["publisher"],
        wave=value["wave"],
        population=value["population"],
        question=question,
        note=note,
        response=value["response"],
        value_pct=value_pct,
        n_text=value["n"],
        n=n,
        n_kind=n_kind,
        source=value["source"],
        series=value.get("series", ""),
        break_before=break_before in _TRUE,
        measure=measure,
        population_group=group,
        timing=timing,
    )


def _check_series(rows: list[SurveyRow], path: Path) -> None:
    """A series is one measure of one population: its rows must agree on both."""
    first: dict[str, SurveyRow] = {}
    for row in rows:
        if not row.series:
            continue
        seen = first.setdefault(row.series, row)
        for column in ("measure", "population_group"):
            if getattr(row, column) != getattr(seen, column):
                raise UsageError(
                    f"{path}:{row.line}: column '{column}': series {row.series!r} has "
                    f"{getattr(seen, column)!r} on line {seen.line} but {getattr(row, column)!r} here",
                    hint="every wave of a series measures the same thing in the same population",
                )


def _split_note(question: str) -> tuple[str, str]:
    match = _NOTE.search(question)
    if not match:
        return question, ""
    return question[: match.start()].strip(), match[1].strip()


def parse_n(text: str) -> tuple[int | None, str]:
    """A sample size and how it is known; None unless the field is one number.

    "2,720" is exact, "c.1,200" approximate, ">10,000" a lower bound (its interval is then
    conservative). Anything else, such as "512 (subgroup)" or several outlets' conflicting
    figures, is kept as text but not used: no interval is better than a wrong one.
    """
    text = text.strip()
    if not text:
        return None, "missing"
    for pattern, kind in (
        (_N_EXACT, "exact"),
        (_N_APPROXIMATE, "approximate"),
        (_N_LOWER, "lower_bound"),
    ):
        match = pattern.match(text)
        if match:
            n = int(match[1].replace(",", ""))
            return (n, kind) if n > 0 else (None, "unusable")
    return None, "unusable"


def _fieldwork_timing(start, end) -> Timing | None:
    if start is None or end is None:
        return None
    first, _ = date_span(start.iso)
    _, last = date_span(end.iso)
    precision = start.precision if _RANK[start.precision] >= _RANK[end.precision] else end.precision
    return Timing(first, last, "fieldwork", precision, False, f"{start.iso} to {end.iso}")


_RANK = {"day": 0, "month": 1, "year": 2}


def wave_timing(wave: str) -> Timing | None:
    """When a wave happened, read from its label when fieldwork dates are missing.

    In order of precision: a publication date ("published 5 Oct 2010", "article 31 Jan
    2011"), the wave's month ("May 2011"), a month of publication ("reported Dec 2010"), a
    year ("2011"), a survey year ("2013-14" spans both calendar years). "pre-Apr 2010" or a
    label without a date gives None: the row stays in the table but cannot be aligned.
    """
    text = wave.strip()
    approximate = bool(re.search(r"(^|\s|\()c\.\s*", text)) or "not seen" in text
    if re.match(r"^(pre|before|after|post)\b", text, re.I):
        return None
    match = _PUBLISHED_DAY.search(text)
    if match:
        month = _month_number(match[3])
        year = int(match[4])
        first = dt.date(year, month, int(match[1]))
        last = dt.date(year, month, int(match[2] or match[1]))
        return Timing(first, last, "published", "day", approximate, match[0])
    match = _WAVE_MONTH.match(text)
    if match:
        first, last = date_span(f"{int(match[2]):04d}-{_month_number(match[1]):02d}")
        return Timing(first, last, "wave", "month", approximate, match[0])
    match = _PUBLISHED_MONTH.search(text)
    if match:
        first, last = date_span(f"{int(match[2]):04d}-{_month_number(match[1]):02d}")
        return Timing(first, last, "published", "month", approximate, match[0])
    match = _WAVE_YEARS.match(text)
    if match:
        first_year = int(match[1])
        second_year = first_year // 100 * 100 + int(match[2])
        if second_year == first_year + 1:
            return Timing(
                dt.date(first_year, 1, 1),
                dt.date(second_year, 12, 31),
                "wave",
                "year",
                approximate,
                match[0],
            )
    match = _WAVE_YEAR.match(text)
    if match:
        first, last = date_span(match[1])
        return Timing(first, last, "wave", "year", approximate, match[0])
    return None


def _month_number(name: str) -> int:
    return dt.datetime.strptime(name[:3].title(), "%b").month


def wilson_interval(pct: float, n: int, z: float = 1.959964) -> tuple[float, float]:
    """95% Wilson score interval (in percent) for a sample percentage; sound near 0 and 100.

    It is a simple-random-sampling interval: for weighted or self-selected samples it is a
    lower bound on the real uncertainty.
    """
    p = pct / 100.0
    denominator = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return 100.0 * max(0.0, centre - half), 100.0 * min(1.0, centre + half)

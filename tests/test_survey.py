"""The survey table: the bundled figures, messy real rows, and one-line errors with lines."""

import datetime as dt

import pytest

from discourse.analyse.survey import (
    DEFAULT_SURVEYS,
    load_surveys,
    parse_n,
    wave_timing,
    wilson_interval,
)
from discourse.errors import UsageError

HEADER = (
    "survey,publisher,wave,fieldwork_start,fieldwork_end,population,question,response,"
    "value_pct,n,source"
)


def write(tmp_path, *lines, header=HEADER, name="surveys.csv"):
    path = tmp_path / name
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def test_bundled_table_keeps_every_published_figure_and_marks_the_sceptical_ones():
    table = load_surveys()
    assert table.path == DEFAULT_SURVEYS
    assert len(table.rows) == 165
    sceptical = table.measures("sceptical")
    assert len(sceptical) == 19
    assert {r.population_group for r in sceptical} == {"council_leaders", "public", "sector"}
    will_not_work = [r for r in sceptical if r.series == "yougov-will-not-work"]
    assert [r.value_pct for r in will_not_work] == [68.0, 71.0, 73.0, 73.0]
    assert all(r.source.startswith("http") for r in table.rows)


def test_bundled_table_reads_messy_rows_honestly():
    rows = {r.line: r for r in load_surveys().rows}
    lgiu = rows[4]  # LGiU/Zurich: no fieldwork dates, conflicting n from three outlets
    assert lgiu.response == "low or very low (combined)" and lgiu.value_pct == 64.0
    assert lgiu.timing.basis == "published" and lgiu.timing.approximate
    assert (lgiu.timing.start, lgiu.timing.end) == (dt.date(2011, 10, 11), dt.date(2011, 10, 12))
    assert lgiu.n is None and lgiu.n_kind == "unusable"
    assert lgiu.note == "sample size reported differently by each outlet; fieldwork dates not seen"
    assert "[NOTE" not in lgiu.question
    comres = rows[75]  # the figure was only reported as "by a margin of 2 to 1"
    assert comres.value_pct is None and comres.measure == "sceptical"
    assert rows[109].timing is None  # "pre-Apr 2010": only an upper bound
    unison = rows[84]
    assert (unison.n, unison.n_kind, unison.timing.basis) == (2720, "exact", "fieldwork")
    assert unison.break_before and unison.series == "yougov-cover-for-cuts"


def test_messy_rows_are_parsed_without_inventing_values(tmp_path):
    path = write(
        tmp_path,
        'Poll A,P,c. May 2011 wave,,,GB adults,"Will it work [NOTE: n not seen]",no,73,"c.1,200",http://a',
        "Poll B,P,2012 (article 15 Mar 2012),,,GB adults,Good idea,bad idea,32.5,512 (subgroup),http://b",
        "Poll C,P,pre-Apr 2010,,,Public,Involved,yes,,>10000,http://c",
        "Poll D,P,2013-14 (online),2013-04-01,2014-03,Adults,Volunteer,yes,45%,2720,http://d",
    )
    a, b, c, d = load_surveys(path).rows
    assert (a.line, b.line, c.line, d.line) == (2, 3, 4, 5)
    assert (a.question, a.note) == ("Will it work", "n not seen")
    assert (a.n, a.n_kind) == (1200, "approximate")
    assert (a.timing.start, a.timing.end, a.timing.precision, a.timing.approximate) == (
        dt.date(2011, 5, 1),
        dt.date(2011, 5, 31),
        "month",
        True,
    )
    assert (b.n, b.n_kind, b.value_pct) == (None, "unusable", 32.5)
    assert (b.timing.start, b.timing.basis, b.timing.precision) == (
        dt.date(2012, 3, 15),
        "published",
        "day",
    )
    assert (c.value_pct, c.timing, c.n, c.n_kind) == (None, None, 10000, "lower_bound")
    assert (d.value_pct, d.timing.start, d.timing.end, d.timing.precision) == (
        45.0,
        dt.date(2013, 4, 1),
        dt.date(2014, 3, 31),
        "month",
    )
    assert (a.series, a.break_before, a.measure, a.population_group) == ("", False, "", "")


@pytest.mark.parametrize(
    "row, message",
    [
        (
            "S,P,2011,,,GB,Q,R,abc,,http://x",
            "surveys.csv:3: column 'value_pct': expected a percentage, got 'abc'",
        ),
        (
            "S,P,2011,,,GB,Q,R,120,,http://x",
            "surveys.csv:3: column 'value_pct': expected a percentage between 0 and 100, got 120",
        ),
        (
            "S,P,2011,14/02/2011,2011-02-15,GB,Q,R,50,,http://x",
            "surveys.csv:3: column 'fieldwork_start': expected YYYY-MM-DD (or YYYY-MM, YYYY), "
            "got '14/02/2011'",
        ),
        (
            "S,P,2011,2011-02-30,2011-03-01,GB,Q,R,50,,http://x",
            "surveys.csv:3: column 'fieldwork_start': not a calendar date: '2011-02-30'",
        ),
        (
            "S,P,2011,2011-03-02,2011-03-01,GB,Q,R,50,,http://x",
            "surveys.csv:3: column 'fieldwork_end': is before fieldwork_start (2011-03-02)",
        ),
        (
            "S,P,2011,2011-03-02,,GB,Q,R,50,,http://x",
            "surveys.csv:3: column 'fieldwork_end': give both fieldwork dates or neither",
        ),
        ("S,P,2011,,,GB,Q,R,50,,", "surveys.csv:3: column 'source': is empty"),
        ("S,P,2011,,,GB,Q,R,50,http://x", "surveys.csv:3: 10 fields, the header has 11"),
    ],
)
def test_invalid_rows_fail_with_file_line_and_column(tmp_path, row, message):
    path = write(tmp_path, "S,P,2010,,,GB,Q,R,10,,http://ok", row)
    with pytest.raises(UsageError) as caught:
        load_surveys(path)
    assert caught.value.message == f"{tmp_path / message}"


def test_line_numbers_count_quoted_line_breaks(tmp_path):
    path = write(
        tmp_path, 'S,P,2010,,,GB,"two\nlines",R,10,,http://ok', "S,P,2011,,,GB,Q,R,x,,http://x"
    )
    with pytest.raises(UsageError, match=r"surveys\.csv:4: column 'value_pct'"):
        load_surveys(path)


@pytest.mark.parametrize(
    "extra, values, message",
    [
        (
            ",measure",
            ",doubtful",
            "surveys.csv:2: column 'measure': expected sceptical (or empty), got 'doubtful'",
        ),
        (
            ",measure",
            ",sceptical",
            "surveys.csv:2: column 'population_group': is empty on a row marked as a measure",
        ),
        (
            ",break_before",
            ",maybe",
            "surveys.csv:2: column 'break_before': expected yes or no, got 'maybe'",
        ),
        (
            ",break_before",
            ",yes",
            "surveys.csv:2: column 'break_before': a break needs a series to break",
        ),
        (
            ",population_group",
            ",Council Leaders",
            "surveys.csv:2: column 'population_group': expected a lower_snake_case name, got 'Council Leaders'",
        ),
    ],
)
def test_optional_columns_are_validated(tmp_path, extra, values, message):
    path = write(tmp_path, "S,P,2010,,,GB,Q,R,10,,http://ok" + values, header=HEADER + extra)
    with pytest.raises(UsageError) as caught:
        load_surveys(path)
    assert caught.value.message == str(tmp_path / message)


def test_a_series_keeps_one_measure_and_population(tmp_path):
    header = HEADER + ",series,measure,population_group"
    path = write(
        tmp_path,
        "S,P,2010,,,GB,Q,R,10,,http://a,s1,sceptical,public",
        "S,P,2011,,,GB,Q,R,12,,http://b,s1,sceptical,sector",
        header=header,
    )
    with pytest.raises(UsageError) as caught:
        load_surveys(path)
    assert caught.value.message == (
        f"{path}:3: column 'population_group': series 's1' has 'public' on line 2 but 'sector' here"
    )


def test_header_problems_are_named(tmp_path):
    missing = write(tmp_path, header="survey,wave,question", name="a.csv")
    with pytest.raises(
        UsageError, match=r"a\.csv:1: missing column\(s\) publisher, fieldwork_start"
    ):
        load_surveys(missing)
    unknown = write(tmp_path, header=HEADER + ",weight", name="b.csv")
    with pytest.raises(UsageError, match=r"b\.csv:1: unknown column\(s\) weight"):
        load_surveys(unknown)
    with pytest.raises(UsageError, match="survey table not found"):
        load_surveys(tmp_path / "absent.csv")
    latin = tmp_path / "latin.csv"
    latin.write_bytes((HEADER + "\nS,P,2010,,,GB,Caf\xe9,R,1,,http://x\n").encode("latin-1"))
    with pytest.raises(UsageError, match=r"latin\.csv:2: not UTF-8 text"):
        load_surveys(latin)


@pytest.mark.parametrize(
    "wave, expected",
    [
        (
            "2011 (report published c. 11-12 Oct 2011)",
            ("2011-10-11", "2011-10-12", "published", "day", True),
        ),
        ("Jan 2011 (article 31 Jan 2011)", ("2011-01-31", "2011-01-31", "published", "day", False)),
        ("Feb 2011 wave", ("2011-02-01", "2011-02-28", "wave", "month", False)),
        (
            "2010 (six-month study, reported Dec 2010)",
            ("2010-12-01", "2010-12-31", "published", "month", False),
        ),
        (
            "2011 (as back-referenced in 2014 release)",
            ("2011-01-01", "2011-12-31", "wave", "year", False),
        ),
        ("2013-14 (face-to-face)", ("2013-01-01", "2014-12-31", "wave", "year", False)),
        ("c. 2010-11 (date not seen)", ("2010-01-01", "2011-12-31", "wave", "year", True)),
        (
            "Audit 8 (published 30-31 Mar 2011)",
            ("2011-03-30", "2011-03-31", "published", "day", False),
        ),
        ("pre-Apr 2010", None),
        ("Audit 8", None),
    ],
)
def test_wave_timing_from_labels(wave, expected):
    timing = wave_timing(wave)
    if expected is None:
        assert timing is None
        return
    assert (
        timing.start.isoformat(),
        timing.end.isoformat(),
        timing.basis,
        timing.precision,
        timing.approximate,
    ) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2720", (2720, "exact")),
        ("2,262", (2262, "exact")),
        ("c.1,200", (1200, "approximate")),
        (">10,000", (10000, "lower_bound")),
        ("512 (subgroup)", (None, "unusable")),
        ("96 respondents (Third Sector); 82 English councils", (None, "unusable")),
        ("0", (None, "unusable")),
        ("", (None, "missing")),
    ],
)
def test_sample_sizes(text, expected):
    assert parse_n(text) == expected


def test_wilson_interval():
    low, high = wilson_interval(50.0, 100)
    assert low == pytest.approx(40.3832, abs=1e-4) and high == pytest.approx(59.6168, abs=1e-4)
    low, high = wilson_interval(0.0, 10)
    assert low == 0.0 and high == pytest.approx(27.753, abs=1e-3)

import datetime as dt

import pytest

from discourse.dates import PartialDate, parse_date, period_of


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2010-07-19", PartialDate("2010-07-19", "day")),
        ("2010-07-19T10:30:00Z", PartialDate("2010-07-19", "day")),
        ("2010-07", PartialDate("2010-07", "month")),
        ("2010", PartialDate("2010", "year")),
        (2010, PartialDate("2010", "year")),
        ("19 July 2010", PartialDate("2010-07-19", "day")),
        ("July 2010", PartialDate("2010-07", "month")),
        ("03/04/2011", PartialDate("2011-04-03", "day")),
        ("Tuesday 8 June 2010", PartialDate("2010-06-08", "day")),
        (dt.date(2012, 2, 7), PartialDate("2012-02-07", "day")),
        (dt.datetime(2012, 2, 7, 9, 0), PartialDate("2012-02-07", "day")),
    ],
)
def test_parse_date_keeps_precision(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    "value", ["", "soon", "2010-13", "2010-02-30", "31 June 2010", "July", None, 3.5]
)
def test_parse_date_rejects_non_dates(value):
    with pytest.raises(ValueError):
        parse_date(value)


@pytest.mark.parametrize(
    "iso, period, expected",
    [
        ("2010-07-19", "year", "2010"),
        ("2010-07-19", "quarter", "2010-Q3"),
        ("2010-12", "quarter", "2010-Q4"),
        ("2010-01-31", "month", "2010-01"),
        ("2010", "quarter", None),
        ("2010", "year", "2010"),
        (None, "year", None),
    ],
)
def test_period_of(iso, period, expected):
    assert period_of(iso, period) == expected


def test_year_first_dates_are_year_month_day_whatever_the_separator():
    # citation_publication_date and many CMSs write 2012/02/05 for 5 February
    assert parse_date("2012/02/05") == PartialDate("2012-02-05", "day")
    assert parse_date("2012.02.05") == PartialDate("2012-02-05", "day")
    assert parse_date("2012/02") == PartialDate("2012-02", "month")

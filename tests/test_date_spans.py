"""The days a partial date or a period label may denote."""

import datetime as dt

import pytest

from discourse.dates import date_span, period_span


@pytest.mark.parametrize(
    "iso, first, last",
    [
        ("2010", "2010-01-01", "2010-12-31"),
        ("2011-02", "2011-02-01", "2011-02-28"),
        ("2012-02", "2012-02-01", "2012-02-29"),
        ("2010-12", "2010-12-01", "2010-12-31"),
        ("2010-07-19", "2010-07-19", "2010-07-19"),
    ],
)
def test_date_span(iso, first, last):
    assert date_span(iso) == (dt.date.fromisoformat(first), dt.date.fromisoformat(last))


@pytest.mark.parametrize(
    "label, first, last",
    [
        ("2010", "2010-01-01", "2010-12-31"),
        ("2010-Q1", "2010-01-01", "2010-03-31"),
        ("2010-Q4", "2010-10-01", "2010-12-31"),
        ("2011-06", "2011-06-01", "2011-06-30"),
    ],
)
def test_period_span(label, first, last):
    assert period_span(label) == (dt.date.fromisoformat(first), dt.date.fromisoformat(last))


@pytest.mark.parametrize("label", ["2010-Q5", "Q1 2010", "", "2010/11"])
def test_period_span_refuses_other_labels(label):
    with pytest.raises(ValueError):
        period_span(label)

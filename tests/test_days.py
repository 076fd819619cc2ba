"""trainlog.days: calendar days from people (CLI options, URL parameters, form fields)."""

from __future__ import annotations

import datetime as dt

import pytest

from trainlog.days import MAX_DAY, MIN_DAY, clamp_day, parse_day
from trainlog.errors import InvalidValue


@pytest.mark.parametrize(
    ("given", "day"),
    [("2026-03-15", dt.date(2026, 3, 15)), (" 2026-03-15 ", dt.date(2026, 3, 15)),
     ("2026-03-15T00:00:00", dt.date(2026, 3, 15)), ("2026-03-15 18:30", dt.date(2026, 3, 15)),
     (dt.date(2026, 3, 15), dt.date(2026, 3, 15)), (dt.datetime(2026, 3, 15, 23, 59), dt.date(2026, 3, 15)),
     ("1970-01-01", MIN_DAY), ("2100-12-31", MAX_DAY)],
)
def test_a_day_a_datetime_or_the_day_of_a_timestamp(given, day):
    got = parse_day(given)
    assert got == day and type(got) is dt.date


@pytest.mark.parametrize(
    ("given", "message"),
    [("next spring", "--today 'next spring' is not a date (YYYY-MM-DD)"), ("2026-3-15", "is not a date"),
     ("2026-03-15x", "is not a date"), ("2026-02-30", "is not a date"), ("", "is not a date"),
     (None, "--today 'None' is not a date"), ("1969-12-31", "--today 1969-12-31 is outside the supported range"),
     ("2101-01-01", "2101-01-01 is outside the supported range 1970-01-01 to 2100-12-31"),
     (dt.date(1, 1, 1), "0001-01-01 is outside the supported range")],
)
def test_anything_else_is_one_line_naming_what_and_the_value(given, message):
    with pytest.raises(InvalidValue) as err:
        parse_day(given, "--today")
    assert message in str(err.value) and "\n" not in str(err.value)


def test_clamp_day():
    low, high = dt.date(2026, 1, 1), dt.date(2026, 1, 31)
    assert clamp_day(dt.date(2025, 12, 1), low, high) == low
    assert clamp_day(dt.date(2026, 2, 1), low, high) == high
    assert clamp_day(dt.date(2026, 1, 15), low, high) == dt.date(2026, 1, 15)
    assert clamp_day(dt.date(2026, 1, 15), high, low) == high  # an empty range: low wins

"""trainlog.days: calendar days, local times and durations from people (CLI options, URL parameters, form fields)."""

from __future__ import annotations

import datetime as dt

import pytest

from trainlog.days import MAX_DAY, MIN_DAY, clamp_day, parse_day, parse_duration, parse_local_time
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


# ---- a local date and time (trainlog activity add --start)


@pytest.mark.parametrize(
    ("given", "when"),
    [("2026-03-02 18:30", dt.datetime(2026, 3, 2, 18, 30)), ("2026-03-02T18:30", dt.datetime(2026, 3, 2, 18, 30)),
     (" 2026-03-02 18:30 ", dt.datetime(2026, 3, 2, 18, 30)),
     ("2026-03-02 18:30:15", dt.datetime(2026, 3, 2, 18, 30, 15)),
     ("1970-01-01 00:00", dt.datetime(1970, 1, 1)), ("2100-12-31 23:59", dt.datetime(2100, 12, 31, 23, 59))],
)
def test_a_local_time_is_a_naive_datetime(given, when):
    got = parse_local_time(given)
    assert got == when and got.tzinfo is None


@pytest.mark.parametrize(
    ("given", "message"),
    [("2026-13-01 10:00", "--start '2026-13-01 10:00' is not a local date and time (YYYY-MM-DD HH:MM)"),
     ("2026-02-30 10:00", "is not a local date and time"),
     ("2026-03-02", "'2026-03-02' is not a local date and time"),  # a day without a time
     ("18:30", "is not a local date and time"), ("2026-03-02 24:00", "is not a local date and time"),
     ("2026-03-02 18h30", "is not a local date and time"), ("2026-03-02x18:30", "is not a local date and time"),
     ("", "--start '' is not a local date and time"), (None, "--start 'None' is not a local date and time"),
     ("2026-03-02 18:30+01:00", "give the local time without a UTC offset"),
     ("2026-03-02T18:30Z", "give the local time without a UTC offset"),
     ("1969-12-31 23:00", "--start 1969-12-31 is outside the supported range 1970-01-01 to 2100-12-31"),
     ("2101-01-01 00:00", "2101-01-01 is outside the supported range")],
)
def test_anything_else_than_a_local_time_is_one_line(given, message):
    with pytest.raises(InvalidValue) as err:
        parse_local_time(given, "--start")
    assert message in str(err.value) and "\n" not in str(err.value)


# ---- a duration H:MM[:SS] (trainlog activity add --duration)


@pytest.mark.parametrize(
    ("given", "seconds"),
    [("1:30", 5400.0),  # 1 x 3600 + 30 x 60
     ("0:45", 2700.0), ("0:45:10", 2710.0),  # 45 x 60 + 10
     (" 1:05:30 ", 3930.0),  # 3600 + 5 x 60 + 30
     ("0:00:01", 1.0), ("168:00", 604800.0),  # a week: 168 x 3600
     ("01:59:59", 7199.0)],
)
def test_a_duration_in_seconds(given, seconds):
    got = parse_duration(given)
    assert got == seconds and type(got) is float


@pytest.mark.parametrize(
    ("given", "message"),
    [("1:75", "--duration '1:75': minutes and seconds run from 00 to 59"), ("1:60", "run from 00 to 59"),
     ("1:30:60", "run from 00 to 59"), ("0:00", "--duration '0:00' is no time at all"), ("0:00:00", "no time at all"),
     ("90", "--duration '90' is not a duration: give H:MM or H:MM:SS (e.g. 1:30 or 0:45:10)"),
     ("1:5", "is not a duration"), ("1:30:5", "is not a duration"), ("-1:30", "is not a duration"),
     ("+1:30", "is not a duration"), ("1.5:00", "is not a duration"), (":30", "is not a duration"),
     ("1:30:00:00", "is not a duration"), ("12345:00", "is not a duration"), ("", "is not a duration"),
     ("\u0661:\u0663\u0660", "is not a duration"),  # Arabic-Indic digits are digits, not ASCII ones
     ("1h30", "is not a duration"), (None, "--duration 'None' is not a duration")],
)
def test_anything_else_than_a_duration_is_one_line(given, message):
    with pytest.raises(InvalidValue) as err:
        parse_duration(given, "--duration")
    assert message in str(err.value) and "\n" not in str(err.value)

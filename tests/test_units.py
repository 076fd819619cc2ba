"""dashboards.units: metric and imperial conversions and the numbers', durations' and dates' text, with hand-worked
values."""

from __future__ import annotations

import datetime as dt
import math

import polars as pl
import pytest

from dashboards import units as u


@pytest.mark.parametrize(("value", "system"), [("imperial", u.IMPERIAL), ("metric", u.METRIC), (None, u.METRIC),
                                               ("", u.METRIC), ("Imperial", u.METRIC), ("miles", u.METRIC)])
def test_system_is_metric_unless_imperial_is_asked_for(value, system):
    assert u.system(value) == system
    assert u.SYSTEMS == ("metric", "imperial")


def test_unit_names():
    assert (u.distance_unit(u.METRIC), u.distance_unit(u.IMPERIAL)) == ("km", "mi")
    assert (u.elevation_unit(u.METRIC), u.elevation_unit(u.IMPERIAL)) == ("m", "ft")


def test_distance_by_hand():
    assert u.distance(42195.0, u.METRIC) == pytest.approx(42.195)
    assert u.distance(1609.344, u.IMPERIAL) == pytest.approx(1.0)  # the international mile
    assert u.distance(42195.0, u.IMPERIAL) == pytest.approx(26.21876, abs=1e-5)  # 42195 / 1609.344


def test_elevation_by_hand():
    assert u.elevation(1234.0, u.METRIC) == 1234.0
    assert u.elevation(0.3048, u.IMPERIAL) == pytest.approx(1.0)  # the international foot
    assert u.elevation(8848.0, u.IMPERIAL) == pytest.approx(29028.87, abs=0.01)  # 8848 / 0.3048


def test_conversions_take_series_and_expressions():
    metres = pl.Series("d", [1609.344, 3218.688, None])
    assert u.distance(metres, u.IMPERIAL).to_list() == pytest.approx([1.0, 2.0, None])
    frame = pl.DataFrame({"up": [304.8, 1000.0]})
    out = frame.select(u.elevation(pl.col("up"), u.IMPERIAL).alias("ft"), u.distance(pl.col("up"), u.METRIC).alias("km"))
    assert out["ft"].to_list() == pytest.approx([1000.0, 3280.8399], abs=1e-4)
    assert out["km"].to_list() == pytest.approx([0.3048, 1.0])


@pytest.mark.parametrize("value", [None, float("nan"), math.nan])
def test_missing_values_show_a_dash(value):
    assert u.missing(value)
    assert u.number(value) == u.fmt_distance(value, u.METRIC) == u.fmt_elevation(value, u.IMPERIAL) == "–"
    assert u.fmt_duration(value) == u.fmt_pace(value, u.METRIC) == u.DASH == "\u2013"  # an en dash


def test_zero_is_not_missing():
    assert not u.missing(0.0) and not u.missing(0)
    assert u.number(0.0) == "0"


def test_number_groups_thousands_and_rounds():
    assert u.number(1234.6) == "1,235"
    assert u.number(1234567.891, 2) == "1,234,567.89"
    assert u.number(-2500.4) == "-2,500"
    assert u.number(999.96, 1) == "1,000.0"


def test_distance_text():
    assert u.fmt_distance(42195.0, u.METRIC) == "42.2 km"
    assert u.fmt_distance(42195.0, u.IMPERIAL) == "26.2 mi"  # 26.219 mi
    assert u.fmt_distance(12300.0, u.IMPERIAL) == "7.6 mi"  # 7.643 mi
    assert u.fmt_distance(161000.0, u.METRIC, digits=0) == "161 km"
    assert u.fmt_distance(1_609_344.0, u.IMPERIAL) == "1,000.0 mi"


def test_elevation_text():
    assert u.fmt_elevation(1234.0, u.METRIC) == "1,234 m"
    assert u.fmt_elevation(1234.0, u.IMPERIAL) == "4,049 ft"  # 4048.56 ft
    assert u.fmt_elevation(8848.0, u.IMPERIAL) == "29,029 ft"  # 29028.87 ft


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0.0, "0 min"),
        (89.0, "1 min"),  # 1.48 min -> 1
        (3569.0, "59 min"),  # 59.48 min -> 59: under an hour, minutes only
        (3599.0, "1 h 00 min"),  # 59.98 min -> 60
        (5400.0, "1 h 30 min"),
        (58 * 3600 + 60, "58 h 01 min"),  # hours and minutes, never read as minutes:seconds
        (59 * 3600 + 12 * 60, "59 h 12 min"),  # a 59-hour race stays in hours
    ],
)
def test_duration_text(seconds, text):
    assert u.fmt_duration(seconds) == text


@pytest.mark.parametrize(
    ("day", "text"),
    [
        (dt.date(2026, 3, 15), "Sun 15 Mar 2026"),
        (dt.date(2026, 12, 1), "Tue 1 Dec 2026"),  # no leading zero
        ("2026-03-09", "Mon 9 Mar 2026"),  # the summary's ISO dates
        (dt.datetime(2026, 6, 26, 23, 30), "Fri 26 Jun 2026"),  # a datetime: its date
        (None, "–"),
        ("", "–"),
    ],
)
def test_one_date_format_on_screen(day, text):
    assert u.fmt_day(day) == text


def test_day_names_do_not_follow_the_locale():
    import locale

    before = locale.setlocale(locale.LC_TIME)
    try:
        locale.setlocale(locale.LC_TIME, "de_DE.UTF-8")
    except locale.Error:
        pass  # not installed here: the names are written out, whatever the locale
    try:
        assert u.fmt_day(dt.date(2026, 3, 15)) == "Sun 15 Mar 2026"
    finally:
        locale.setlocale(locale.LC_TIME, before)


def test_a_utc_moment_becomes_a_local_date():
    late = dt.datetime(2026, 3, 15, 22, 25, tzinfo=dt.UTC)
    assert u.local_day(late, "Europe/Berlin") == dt.date(2026, 3, 15)  # 23:25
    assert u.local_day(late, "Asia/Tokyo") == dt.date(2026, 3, 16)  # 07:25 the next day
    assert u.local_day("2026-03-15T22:25:00+00:00", "America/New_York") == dt.date(2026, 3, 15)
    assert u.local_day("2026-03-15T22:25:00", "Asia/Tokyo") == dt.date(2026, 3, 16)  # naive: read as UTC


@pytest.mark.parametrize(
    ("s_per_km", "system", "text"),
    [
        (330.0, u.METRIC, "5:30 /km"),
        (330.0, u.IMPERIAL, "8:51 /mi"),  # 330 * 1.609344 = 531.1 s
        (240.0, u.IMPERIAL, "6:26 /mi"),  # 240 * 1.609344 = 386.2 s
        (599.6, u.METRIC, "10:00 /km"),
        (0.0, u.METRIC, "–"),
        (-300.0, u.IMPERIAL, "–"),
    ],
)
def test_pace_text(s_per_km, system, text):
    assert u.fmt_pace(s_per_km, system) == text

"""Per-sample attribution to local days, zero-filled daily series, time-zone independence."""

import datetime as dt
import time

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings as hsettings
from polars.testing import assert_frame_equal

from metrics_builders import activities, concat, histories, samples, utc
from trainlog import report
from trainlog.settings import AthleteSettings

DEFAULTS = AthleteSettings()


def race_60h():
    """60 h at 2 m/s, +4 m per 10 s sample, starting at local midnight (UTC+2) on 2024-03-01."""
    start = utc(2024, 2, 29, 22)  # 00:00 local at +7200 s
    n = 60 * 360 + 1  # every 10 s, 0 .. 216000 s
    acts = activities({"activity_id": "race", "start_utc": start, "utc_offset_s": 7200, "elapsed_s": 216000.0})
    smp = samples(
        "race", start, step_s=10, n=n,
        distance_m=[20.0 * i for i in range(n)], altitude_m=[1000.0 + 4.0 * i for i in range(n)],
    )
    return acts, smp


def test_a_60_h_activity_is_split_across_the_three_local_days_of_its_samples():
    acts, smp = race_60h()
    result = report.analyse(acts, smp, DEFAULTS)
    daily = result.daily
    assert daily["date"].to_list() == [dt.date(2024, 3, 1), dt.date(2024, 3, 2), dt.date(2024, 3, 3)]
    # day 1: samples 0..8639, day 2: 8640..17279, day 3: 17280..21600 (the last covers nothing)
    assert daily["moving_s"].to_list() == pytest.approx([86400.0, 86400.0, 43200.0])  # 8640 x 10 s, ..., 4320 x 10 s
    assert daily["distance_m"].to_list() == pytest.approx([172800.0, 172800.0, 86400.0])  # 20 m per sample
    # +4 m booked on each sample after the first: 8639 x 4, 8640 x 4, 4321 x 4
    assert daily["ascent_m"].to_list() == pytest.approx([34556.0, 34560.0, 17284.0])
    assert daily["n_activities"].to_list() == [1, 0, 0]
    # no HR: pace load, shared by moving time 2 : 2 : 1.
    # grade 0.2: Cr = 155.4*0.00032 - 30.4*0.0016 - 43.3*0.008 + 46.3*0.04 + 3.9 + 3.6 = 9.006688
    # GA speed = 2 * 9.006688 / 3.6 = 5.0037156 m/s; IF = 5.0037156 / (1000 / 270) = 1.3510032
    # load = 100 * 60 h * 1.3510032^2 = 10951.26
    total = 100 * 60 * (2 * 9.006688 / 3.6 * 0.27) ** 2
    assert daily["load"].to_list() == pytest.approx([0.4 * total, 0.4 * total, 0.2 * total], rel=1e-6)


def test_days_are_zero_filled_and_extended_to_today():
    acts = activities(
        {"activity_id": "a", "start_utc": utc(2024, 3, 1, 8), "timer_s": 3600.0},
        {"activity_id": "b", "start_utc": utc(2024, 3, 4, 8), "timer_s": 1800.0},
    )
    daily = report.analyse(acts, concat(), DEFAULTS, today=dt.date(2024, 3, 6)).daily
    expected = pl.DataFrame(
        {
            "date": pl.date_range(dt.date(2024, 3, 1), dt.date(2024, 3, 6), "1d", eager=True),
            "load": [50.0, 0, 0, 25, 0, 0],  # duration load, 50 per hour
            "moving_s": [3600.0, 0, 0, 1800, 0, 0],
            "n_activities": pl.Series([1, 0, 0, 1, 0, 0], dtype=pl.UInt32),
        }
    )
    assert_frame_equal(daily.select(expected.columns), expected, abs_tol=1e-9)


def test_timezone_setting_is_used_when_the_device_gave_no_offset():
    acts = activities({"activity_id": "a", "start_utc": utc(2024, 3, 1, 3), "utc_offset_s": None, "timer_s": 600.0})
    ny = AthleteSettings(timezone="America/New_York")  # EST, UTC-5 in March before the 10th
    assert report.analyse(acts, concat(), ny).daily["date"].to_list() == [dt.date(2024, 2, 29)]
    paris = AthleteSettings(timezone="Europe/Paris")  # UTC+1
    assert report.analyse(acts, concat(), paris).daily["date"].to_list() == [dt.date(2024, 3, 1)]


def test_device_offset_wins_over_the_timezone_setting():
    acts = activities({"activity_id": "a", "start_utc": utc(2024, 3, 1, 3), "utc_offset_s": 3600, "timer_s": 600.0})
    ny = AthleteSettings(timezone="America/New_York")
    assert report.analyse(acts, concat(), ny).daily["date"].to_list() == [dt.date(2024, 3, 1)]


@pytest.mark.parametrize("machine_tz", ["UTC", "Pacific/Auckland", "America/Los_Angeles"])
def test_machine_time_zone_does_not_change_days_or_weeks(monkeypatch, machine_tz):
    acts, smp = race_60h()
    acts = pl.concat(
        [acts, activities({"activity_id": "b", "start_utc": utc(2024, 3, 4, 3), "utc_offset_s": None, "timer_s": 600.0})]
    )
    ny = AthleteSettings(timezone="America/New_York")
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    reference = report.analyse(acts, smp, ny)
    monkeypatch.setenv("TZ", machine_tz)
    time.tzset()
    try:
        moved = report.analyse(acts, smp, ny)
    finally:
        monkeypatch.undo()
        time.tzset()
    assert_frame_equal(moved.daily, reference.daily)
    assert_frame_equal(moved.weekly, reference.weekly)


@hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories())
def test_daily_and_weekly_series_sum_to_the_activity_totals_and_loads_are_never_negative(history):
    acts, smp = history
    result = report.analyse(acts, smp, AthleteSettings(timezone="Europe/Paris"))
    weeks = result.weekly.filter(pl.col("sport") == "all")
    for name in ("load", "distance_m", "moving_s", "ascent_m", "descent_m"):
        total = result.per_activity[name].sum()
        assert result.daily[name].sum() == pytest.approx(total, rel=1e-9, abs=1e-6)
        assert weeks[name].sum() == pytest.approx(total, rel=1e-9, abs=1e-6)
    assert result.daily["n_activities"].sum() == acts.height
    assert (result.per_activity["load"] >= 0).all()
    assert (result.daily["load"] >= 0).all()

"""Weekly aggregates over local ISO weeks, by sport and total (hand-worked values)."""

import datetime as dt

import polars as pl
import pytest
from builders import activities, concat, samples, utc
from polars.testing import assert_frame_equal

from trainlog.analysis import pipeline as report
from trainlog.settings import AthleteSettings

DEFAULTS = AthleteSettings()
COLUMNS = ["week_start", "sport", "distance_m", "moving_s", "ascent_m", "load", "n_activities", "longest_s"]


def weeks(acts, smp=None):
    return report.analyse(acts, smp if smp is not None else concat(), DEFAULTS).weekly


def test_weeks_by_sport_and_total():
    acts = activities(
        # Sunday 2024-03-03 (ISO 2024-W09): 1 h, duration load 50
        {"activity_id": "a", "start_utc": utc(2024, 3, 3, 10), "timer_s": 3600.0, "distance_m": 10000.0},
        # Monday 2024-03-04 (W10): 2 h hike with 900 m, load 100; 30 min run, load 25
        {"activity_id": "b", "sport": "hiking", "start_utc": utc(2024, 3, 4, 6), "timer_s": 7200.0,
         "elapsed_s": 7500.0, "distance_m": 8000.0, "ascent_device_m": 900.0},
        {"activity_id": "c", "start_utc": utc(2024, 3, 4, 18), "timer_s": 1800.0, "distance_m": 5000.0},
    )
    expected = pl.DataFrame(
        {
            "week_start": [dt.date(2024, 2, 26)] * 2 + [dt.date(2024, 3, 4)] * 3,
            "sport": ["all", "running", "all", "hiking", "running"],
            "distance_m": [10000.0, 10000, 13000, 8000, 5000],
            "moving_s": [3600.0, 3600, 9000, 7200, 1800],
            "ascent_m": [0.0, 0, 900, 900, 0],
            "load": [50.0, 50, 125, 100, 25],
            "n_activities": pl.Series([1, 1, 2, 1, 1], dtype=pl.UInt32),
            # elapsed time of the longest (moving time when elapsed is unknown)
            "longest_s": [3600.0, 3600, 7500, 7500, 1800],
        }
    )
    got = weeks(acts)
    assert_frame_equal(got.select(COLUMNS), expected, abs_tol=1e-9)
    assert got["iso_week"].to_list() == [9, 9, 10, 10, 10]


def test_an_activity_across_sunday_midnight_is_split_between_weeks():
    start = utc(2024, 3, 3, 20)  # 22:00 local (UTC+2) on Sunday
    n = 4 * 360 + 1  # 4 h every 10 s at 2 m/s
    acts = activities({"activity_id": "a", "start_utc": start, "utc_offset_s": 7200, "elapsed_s": 14400.0})
    smp = samples("a", start, step_s=10, n=n, distance_m=[20.0 * i for i in range(n)])
    total = weeks(acts, smp).filter(pl.col("sport") == "all")
    # 2 h (720 samples x 20 m) on Sunday, 2 h on Monday
    assert total["distance_m"].to_list() == pytest.approx([14400.0, 14400.0])
    assert total["moving_s"].to_list() == pytest.approx([7200.0, 7200.0])
    assert total["n_activities"].to_list() == [1, 0]  # counted in the week it started
    assert total["longest_s"].to_list() == [14400.0, None]


def test_iso_week_at_the_year_boundary():
    acts = activities({"activity_id": "a", "start_utc": utc(2024, 12, 30, 10), "timer_s": 600.0})
    row = weeks(acts).filter(pl.col("sport") == "all").row(0, named=True)
    assert (row["week_start"], row["iso_year"], row["iso_week"]) == (dt.date(2024, 12, 30), 2025, 1)


def test_total_rows_are_zero_filled_between_weeks():
    acts = activities(
        {"activity_id": "a", "start_utc": utc(2024, 3, 4, 10), "timer_s": 600.0},
        {"activity_id": "b", "start_utc": utc(2024, 3, 18, 10), "timer_s": 600.0},
    )
    total = weeks(acts).filter(pl.col("sport") == "all")
    assert total["week_start"].to_list() == [dt.date(2024, 3, 4), dt.date(2024, 3, 11), dt.date(2024, 3, 18)]
    assert total["moving_s"].to_list() == [600.0, 0.0, 600.0]
    assert total["n_activities"].to_list() == [1, 0, 1]

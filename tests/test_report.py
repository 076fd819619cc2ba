"""The summary dict (``trainlog summary --json``) and the per-activity frame."""

import datetime as dt
import json
import time

import polars as pl
import pytest

from hypothesis import HealthCheck, given, settings as hsettings

from metrics_builders import activities, concat, histories, samples, utc
from trainlog import metrics, report
from trainlog.settings import AthleteSettings, Goal

TODAY = dt.date(2024, 3, 6)  # a Wednesday; its ISO week starts Monday 2024-03-04


def hour(aid, start, hours=1.0, **extra):
    """An activity without samples: duration load 50 per hour."""
    return {"activity_id": aid, "start_utc": start, "timer_s": 3600.0 * hours, **extra}


def history():
    return activities(
        hour("w-4", utc(2024, 2, 6, 9)),  # week of 02-05: 50
        hour("w-3", utc(2024, 2, 13, 9)),  # week of 02-12: 50
        # week of 02-19: nothing
        hour("w-1", utc(2024, 2, 27, 9), 2.0, distance_m=20000.0, ascent_device_m=1200.0),  # week of 02-26: 100
        hour("mon", utc(2024, 3, 4, 9), distance_m=10000.0, ascent_device_m=500.0),  # this week: 50
        hour("tue", utc(2024, 3, 5, 9), 0.5),  # this week: 25
        hour("future", utc(2024, 3, 8, 9)),  # after today: left out
    )


def test_summary_this_week_against_the_last_four():
    got = report.summary(history(), concat(), AthleteSettings(), TODAY)
    assert got["today"] == "2024-03-06"
    assert got["this_week"] == {
        "week_start": "2024-03-04", "distance_m": 10000.0, "moving_s": 5400.0, "ascent_m": 500.0,
        "descent_m": 0.0, "load": 75.0, "n_activities": 2,
    }
    mean = got["last_4_weeks_mean"]
    assert mean["load"] == pytest.approx((50 + 50 + 0 + 100) / 4)  # 50
    assert mean["moving_s"] == pytest.approx((3600 + 3600 + 0 + 7200) / 4)  # 3600
    assert mean["ascent_m"] == pytest.approx(1200 / 4)
    assert mean["n_activities"] == pytest.approx(3 / 4)
    assert got["n_activities"] == 5
    assert got["load_sources"] == {"hr": 0, "gap": 0, "duration": 5}


def test_summary_form_on_a_single_day_history():
    got = report.summary(activities(hour("a", utc(2024, 3, 6, 9))), concat(), AthleteSettings(), TODAY)
    # load 50 today only: CTL 50 * 0.02352831, ATL 50 * 0.13312210, TSB 0 (grey zone)
    assert got["form"]["ctl"] == pytest.approx(1.1764157, rel=1e-6)
    assert got["form"]["atl"] == pytest.approx(6.656105, rel=1e-6)
    assert got["form"]["tsb"] == 0.0 and got["form"]["band"] == "grey zone"
    # acute 50 * 2/8 = 12.5, chronic 50 * 2/29 = 3.448276: ratio 3.625, "danger"
    assert got["acwr"]["value"] == pytest.approx(3.625) and got["acwr"]["band"] == "danger"
    assert got["monotony"]["value"] == pytest.approx(0.377964, rel=1e-5)  # 1 / sqrt(7)
    assert got["monotony"]["band"] == "ok"


def test_summary_is_json_and_names_defaults_in_use():
    settings = AthleteSettings(hr_max_bpm=185.0, goal=Goal(date=dt.date(2024, 5, 15)))
    got = report.summary(history(), concat(), settings, TODAY)
    assert json.loads(json.dumps(got, allow_nan=False)) == got
    assert set(got) == {
        "today", "defaults_in_use", "n_activities", "last_activity_date", "load_sources", "this_week", "last_4_weeks_mean",
        "form", "acwr", "monotony", "vertical", "goal", "units",
    }
    assert "hr_max_bpm" not in got["defaults_in_use"] and "hr_rest_bpm" in got["defaults_in_use"]
    assert got["goal"]["days_to_goal"] == 70  # 2024-03-06 -> 2024-05-15
    assert got["goal"]["needed_weekly_ascent_m"] == pytest.approx(6823.345, rel=1e-6)  # 17698 / 1.1^10
    assert got["goal"]["biggest_activity_id"] == "w-1"


def test_summary_of_an_empty_dataset():
    got = report.summary(activities(), concat(), AthleteSettings(), TODAY)
    assert got["n_activities"] == 0 and got["this_week"]["load"] == 0.0
    assert got["form"]["ctl"] is None and got["goal"]["best_7day_ascent_m"] == 0.0
    json.dumps(got, allow_nan=False)


def test_summary_does_not_depend_on_the_machine_time_zone(monkeypatch):
    acts = history().with_columns(pl.lit(None, pl.Int32).alias("utc_offset_s"))  # no device offsets
    settings = AthleteSettings(timezone="Europe/Rome")
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    reference = report.summary(acts, concat(), settings, TODAY)
    monkeypatch.setenv("TZ", "Pacific/Kiritimati")  # UTC+14
    time.tzset()
    try:
        moved = report.summary(acts, concat(), settings, TODAY)
    finally:
        monkeypatch.undo()
        time.tzset()
    assert moved == reference


def test_activity_metrics_has_one_row_per_activity_with_the_registry_columns():
    acts = activities(hour("a", utc(2024, 3, 4, 9)), hour("b", utc(2024, 3, 5, 9)))
    smp = samples("a", utc(2024, 3, 4, 9), n=11, distance_m=[3.0 * i for i in range(11)], hr_bpm=[150.0] * 11)
    frame = report.activity_metrics(acts, smp, AthleteSettings())
    assert frame.schema == metrics.schema("activity")
    assert frame["activity_id"].to_list() == ["a", "b"]
    assert frame["load_source"].to_list() == ["hr", "duration"]


@hsettings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories())
def test_summary_of_any_history_is_strict_json(history):
    acts, smp = history
    got = report.summary(acts, smp, AthleteSettings(goal=Goal(date=dt.date(2024, 4, 1))), dt.date(2024, 3, 20))
    json.dumps(got, allow_nan=False)
    assert got["n_activities"] == acts.height  # every start is before 2024-03-12 local, so <= today


def test_summary_reuses_a_precomputed_analysis(tmp_path):
    """The dashboard computes analyse() once and asks for many days: same answers."""
    from corpus import SAMPLE_FIT
    from trainlog import Store, import_paths
    from trainlog.report import analyse, summary, summary_of_analysis

    store = Store(tmp_path / "data")
    files = sorted((SAMPLE_FIT / "mara").glob("2026-02-*.fit"))[:6]
    import_paths(store, files, "mara")
    acts, samples, settings = store.read("activities", "mara"), store.read("samples", "mara"), AthleteSettings()
    base = analyse(acts, samples, settings)
    for day in (dt.date(2026, 2, 3), dt.date(2026, 2, 20), dt.date(2026, 4, 1)):
        fresh = json.dumps(summary(acts, samples, settings, day), sort_keys=True)
        reused = json.dumps(summary_of_analysis(base, settings, day), sort_keys=True)
        assert reused == fresh

"""trainlog.analysis.pipeline: the summary dict (``trainlog summary --json``) and the per-activity frame."""

import datetime as dt
import json
import time

import polars as pl
import pytest
from builders import activities, concat, histories, samples, utc
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings

from trainlog.analysis import metrics
from trainlog.analysis import pipeline as report
from trainlog.settings import AthleteSettings, Goal
from trainlog.store import choices

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
    assert got["load_sources"] == {"hr": 0, "power": 0, "gap": 0, "rpe": 0, "duration": 5}


def test_summary_form_on_a_single_day_history():
    acts = activities(hour("a", utc(2024, 3, 6, 9)))
    got = report.summary(acts, concat(), AthleteSettings(), TODAY)
    # load 50 today only: CTL 50 * 0.02352831, ATL 50 * 0.13312210, TSB 0
    assert got["form"]["ctl"] == pytest.approx(1.1764157, rel=1e-6)
    assert got["form"]["atl"] == pytest.approx(6.656105, rel=1e-6)
    assert got["form"]["tsb"] == 0.0
    # acute 50 * 2/8 = 12.5, chronic 50 * 2/29 = 3.448276: ratio 3.625
    assert got["acwr"]["value"] == pytest.approx(3.625)
    assert got["monotony"]["value"] == pytest.approx(0.377964, rel=1e-5)  # 1 / sqrt(7)
    # day 1 of a cold start: no band (the "ACWR 3.6 danger" on the first day)
    assert got["form"]["building_history"] is True
    assert (got["form"]["history_day"], got["form"]["history_days"]) == (1, 42)
    assert got["form"]["band"] is None and got["acwr"]["band"] is None and got["monotony"]["band"] is None
    # with a starting fitness of 0 and fatigue of 0 given, the same figures with bands
    seeded = report.summary(acts, concat(), AthleteSettings(start_ctl=0.0, start_atl=0.0), TODAY)
    assert seeded["form"]["ctl"] == got["form"]["ctl"] and seeded["form"]["building_history"] is False
    assert seeded["form"]["band"] == "grey zone" and seeded["acwr"]["band"] == "danger"
    assert seeded["monotony"]["band"] == "ok"


def _daily_runs(days: int, first: dt.date = dt.date(2024, 1, 1)):
    """One run a day without samples, of 30 to 120 minutes (a varied load, so monotony has a value)."""
    minutes = [30, 90, 45, 120, 60, 40, 75]
    return activities(*[
        hour(f"d{i}", utc(first.year, first.month, first.day, 9) + dt.timedelta(days=i), minutes[i % 7] / 60)
        for i in range(days)
    ])


def test_a_new_athlete_sees_no_band_and_no_warning_for_42_days():
    """Issue 11, case 7: from a cold start, 14 of the first 28 days showed ACWR "danger" and 10 showed
    form "high risk". Now each of the first 42 days (the first activity's day is day 1) has no band."""
    first = dt.date(2024, 1, 1)
    acts = _daily_runs(60, first)
    base = report.analyse(acts, concat(), AthleteSettings())
    for k in range(60):
        day = first + dt.timedelta(days=k)
        s = json.loads(json.dumps(report.summary_of_analysis(base, AthleteSettings(), day)))
        bands = (s["form"]["band"], s["acwr"]["band"], s["monotony"]["band"])
        assert s["form"]["history_day"] == k + 1
        if k < 42:
            assert s["form"]["building_history"] is True and bands == (None, None, None), (day, bands)
            assert s["acwr"]["value"] is not None  # the figures are there, only their bands are not
        else:
            assert s["form"]["building_history"] is False and None not in bands, (day, bands)


def test_a_starting_fitness_gives_bands_from_day_one():
    first = dt.date(2024, 1, 1)
    settings = AthleteSettings(start_ctl=60.0, start_atl=55.0)
    base = report.analyse(_daily_runs(10, first), concat(), settings)
    s = report.summary_of_analysis(base, settings, first)
    assert s["form"]["building_history"] is False and s["form"]["history_day"] == 1
    # day 1: 30 minutes without samples, a duration load of 25 (50 an hour)
    # CTL_1 = 60 + (25 - 60) x 0.02352831 = 59.176509; ATL_1 = 55 + (25 - 55) x 0.13312210 = 51.006337
    assert s["form"]["ctl"] == pytest.approx(59.176509, rel=1e-6)
    assert s["form"]["atl"] == pytest.approx(51.006337, rel=1e-6)
    assert s["form"]["tsb"] == pytest.approx(5.0) and s["form"]["band"] == "fresh"  # 60 - 55: +5..+25
    assert s["acwr"]["band"] is not None and s["monotony"]["band"] is not None


def test_summary_before_the_first_activity_has_no_history_day():
    s = report.summary(_daily_runs(3, dt.date(2024, 1, 10)), concat(), AthleteSettings(), dt.date(2024, 1, 5))
    assert s["form"]["history_day"] is None and s["form"]["building_history"] is True
    assert s["form"]["band"] is None


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
    frame = report.analyse_activities(acts, smp, AthleteSettings())
    assert frame.schema == metrics.schema("activity")
    assert frame["activity_id"].to_list() == ["a", "b"]
    assert frame["load_source"].to_list() == ["hr", "duration"]


def test_samples_out_of_order_are_analysed_as_the_same_samples_in_order():
    """The pipeline vouches for the order of repaired samples (repair.repaired's contract) and skips the checks
    further on: activities interleaved give the analysis of the same samples activity by activity, frame for
    frame."""
    acts = activities(hour("a", utc(2024, 3, 4, 9)), hour("b", utc(2024, 3, 4, 9, 30)),
                      hour("c", utc(2024, 3, 5, 9)))
    ordered = concat(*(samples(aid, start, n=40, distance_m=[3.0 * i for i in range(40)],
                               altitude_m=[800.0 + (i % 7) * 2.5 for i in range(40)], hr_bpm=[140.0 + i for i in range(40)])
                       for aid, start in (("a", utc(2024, 3, 4, 9)), ("b", utc(2024, 3, 4, 9, 30)),
                                          ("c", utc(2024, 3, 5, 9)))))
    # each activity's rows in record order (what a clock-jump repair reads), the activities interleaved, c first
    shuffled = ordered.with_columns(n=pl.int_range(pl.len()).over("activity_id")).sort(
        "n", pl.col("activity_id"), descending=[False, True]).drop("n")
    assert shuffled["activity_id"].head(4).to_list() == ["c", "b", "a", "c"]
    goal = AthleteSettings(goal=Goal(date=dt.date(2024, 4, 1)))
    joined = choices.joined(acts, None, None)
    want, got = (report.part_of(joined, smp, goal) for smp in (ordered, shuffled))  # the analysis's one path
    for name in ("per_activity", "days", "attribution"):
        assert getattr(got, name).equals(getattr(want, name)), name
    assert want.per_activity["ascent_m"].sum() > 0 and want.attribution["goal_ascent_um"].sum() > 0


def test_activity_metrics_is_the_public_name_of_analyse_activities():
    import trainlog

    assert trainlog.activity_metrics is report.analyse_activities is report.activity_metrics
    assert "activity_metrics" in trainlog.__all__


@hsettings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories())
def test_summary_of_any_history_is_strict_json(history):
    acts, smp = history
    got = report.summary(acts, smp, AthleteSettings(goal=Goal(date=dt.date(2024, 4, 1))), dt.date(2024, 3, 20))
    json.dumps(got, allow_nan=False)
    assert got["n_activities"] == acts.height  # every start is before 2024-03-12 local, so <= today


def test_summary_reuses_a_precomputed_analysis(tmp_path):
    """The dashboard computes analyse() once and asks for many days: same answers."""
    from builders import SAMPLE_FIT

    from trainlog import Store, import_paths
    from trainlog.analysis.pipeline import analyse, summary, summary_of_analysis

    store = Store(tmp_path / "data")
    files = sorted((SAMPLE_FIT / "mara").glob("2026-02-*.fit"))[:6]
    import_paths(store, files, "mara")
    acts, samples, settings = store.read("activities", "mara"), store.read("samples", "mara"), AthleteSettings()
    base = analyse(acts, samples, settings)
    for day in (dt.date(2026, 2, 3), dt.date(2026, 2, 20), dt.date(2026, 4, 1)):
        fresh = json.dumps(summary(acts, samples, settings, day), sort_keys=True)
        reused = json.dumps(summary_of_analysis(base, settings, day), sort_keys=True)
        assert reused == fresh


def test_activities_without_samples_join_the_last_chunk():
    """A typed-in session beside one long run: one chunk (computed in this thread, its memory reused), and the
    same analysis as one chunk each."""
    acts = concat(activities({"activity_id": "run", "start_utc": utc(2024, 3, 1, 8)}),
                  activities({"activity_id": "typed", "start_utc": utc(2024, 3, 2, 8), "elapsed_s": 3600.0}))
    smp = samples("run", utc(2024, 3, 1, 8), step_s=1, n=50, distance_m=[3.0 * i for i in range(50)])
    chunks = report._chunks(acts, smp)
    assert [ids for ids, _ in chunks] == [["run", "typed"]]
    assert chunks[0][1].height == 50
    alone = report._chunks(acts.filter(pl.col("activity_id") == "typed"), smp)  # no samples at all: one chunk
    assert [(ids, part.height) for ids, part in alone] == [(["typed"], 0)]
    settings = AthleteSettings()
    together = report.analyse(acts, smp, settings)
    joined = choices.joined(acts, None, None)
    apart = report.assembled(acts, [report.part_of(joined.filter(pl.col("activity_id") == aid), part, settings)
                                    for aid, part in (("run", smp), ("typed", smp.clear()))], settings)
    _same_analysis(together, apart)


def test_samples_handed_over_are_taken_once_and_give_the_same_figures():
    """analyse hands each chunk's samples over (pipeline.Handed): the per-sample steps take them, keep no other
    reference and compute what the frame itself gives; a second take is a bug, said plainly."""
    acts = activities({"activity_id": "run", "start_utc": utc(2024, 3, 1, 8)})
    smp = samples("run", utc(2024, 3, 1, 8), step_s=1, n=40, distance_m=[3.0 * i for i in range(40)],
                  altitude_m=[100.0 + 0.5 * i for i in range(40)])
    joined, settings = choices.joined(acts, None, None), AthleteSettings()
    handed = report.Handed(smp)
    by_hand = report.sample_and_activity_metrics(joined, handed, settings)
    for got, want in zip(by_hand, report.sample_and_activity_metrics(joined, smp, settings), strict=True):
        assert got.equals(want)
    with pytest.raises(RuntimeError, match="taken already"):
        handed.take()
    _same_analysis(report.analyse(acts, report.Handed(smp), settings), report.analyse(acts, smp, settings))


def _analysed_in_chunks(acts, smp, settings, chunk):
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(report, "CHUNK_SAMPLES", chunk)
        return report.analyse(acts, smp, settings)


def _same_analysis(a, b):
    for name in ("per_activity", "windows", "days", "daily", "weekly"):
        assert getattr(a, name).equals(getattr(b, name)), name


@hsettings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories())
def test_the_analysis_in_chunks_equals_the_analysis_in_one(history):
    """analyse() takes the per-sample steps CHUNK_SAMPLES at a time: an activity a chunk, or every activity in
    one, give the same frames to the bit; so do samples of several activities interleaved (as a stored table
    never holds them, but a caller's frame may), and samples of no activity are left out."""
    acts, smp = history
    settings = AthleteSettings(goal=Goal(date=dt.date(2024, 4, 1)))
    whole = _analysed_in_chunks(acts, smp, settings, 10**12)
    _same_analysis(_analysed_in_chunks(acts, smp, settings, 1), whole)
    interleaved = smp.with_columns(pl.int_range(pl.len()).over("activity_id").alias("_k")).sort(
        "_k", "activity_id").drop("_k")
    _same_analysis(_analysed_in_chunks(acts, interleaved, settings, 1), whole)
    orphans = samples("nobody", utc(2024, 3, 2), times_s=[0.0, 1.0, 2.0], distance_m=[0.0, 3.0, 6.0])
    _same_analysis(_analysed_in_chunks(acts, concat(orphans, smp), settings, 2), whole)

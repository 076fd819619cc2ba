"""Per-sample attribution to local days (load by TRIMP or moving time, the sharing fallbacks),
zero-filled daily series, time-zone independence."""

import datetime as dt
import time

import polars as pl
import pytest
from builders import activities, concat, histories, samples, utc
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from polars.testing import assert_frame_equal

from trainlog.analysis import activity, daily
from trainlog.analysis import pipeline as report
from trainlog.ingest import repair
from trainlog.settings import AthleteSettings, ModelSettings

DEFAULTS = AthleteSettings()


#: A 60 h climb at 0.2 m/s must be moving (the default 0.3 m/s would make it standing still); it climbs
#: 8,640 m in all (+0.4 m per 10 s), so its altitude stays inside the valid range (9,000 m at most).
SLOW = AthleteSettings(model=ModelSettings(moving_speed_min_mps=0.1))


def race_60h():
    """60 h at 0.2 m/s, +0.4 m per 10 s sample (grade 0.2) from 100 m, starting at local midnight (UTC+2) on 2024-03-01."""
    start = utc(2024, 2, 29, 22)  # 00:00 local at +7200 s
    n = 60 * 360 + 1  # every 10 s, 0 .. 216000 s
    acts = activities({"activity_id": "race", "start_utc": start, "utc_offset_s": 7200, "elapsed_s": 216000.0})
    smp = samples(
        "race", start, step_s=10, n=n,
        distance_m=[2.0 * i for i in range(n)], altitude_m=[100.0 + 0.4 * i for i in range(n)],
    )
    return acts, smp


def test_a_60_h_activity_is_split_across_the_three_local_days_of_its_samples():
    acts, smp = race_60h()
    result = report.analyse(acts, smp, SLOW)
    daily = result.daily
    assert daily["date"].to_list() == [dt.date(2024, 3, 1), dt.date(2024, 3, 2), dt.date(2024, 3, 3)]
    # day 1: samples 0..8639, day 2: 8640..17279, day 3: 17280..21600 (the last covers nothing)
    assert daily["moving_s"].to_list() == pytest.approx([86400.0, 86400.0, 43200.0])  # 8640 x 10 s, ..., 4320 x 10 s
    assert daily["distance_m"].to_list() == pytest.approx([17280.0, 17280.0, 8640.0])  # 2 m per sample
    # +0.4 m booked on each sample after the first (the first swing beyond 3 m books the 3.2 m from the
    # start at once): 8639 x 0.4, 8640 x 0.4, 4321 x 0.4
    assert daily["ascent_m"].to_list() == pytest.approx([3455.6, 3456.0, 1728.4])
    assert daily["n_activities"].to_list() == [1, 0, 0]
    # no HR: pace load, shared by moving time 2 : 2 : 1.
    # grade 0.2: Cr = 155.4*0.00032 - 30.4*0.0016 - 43.3*0.008 + 46.3*0.04 + 3.9 + 3.6 = 9.006688
    # GA speed = 0.2 * 9.006688 / 3.6 = 0.50037156 m/s; IF = 0.50037156 / (1000 / 270) = 0.13510032
    # load = 100 * 60 h * 0.13510032^2 = 109.5126
    total = 100 * 60 * (0.2 * 9.006688 / 3.6 * 0.27) ** 2
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
    ny = AthleteSettings(timezone="America/New_York", model=SLOW.model)
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


@hsettings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories())
def test_booking_a_few_samples_at_a_time_equals_booking_them_at_once(history):
    """sample_attribution books BOOKED_ROWS rows at a time (a very long run holds a piece's intermediate columns,
    not every row's): pieces of 1, 3 or 7 rows, cutting runs anywhere, give the frame of one piece to the bit;
    samples of an activity missing from the totals are still left out."""
    acts, smp = history
    smp = concat(smp, samples("nobody", utc(2024, 3, 2), step_s=10, n=3, speed_mps=[3.0] * 3))
    per_sample = activity.sample_metrics(repair.repaired(smp, acts, DEFAULTS.model), DEFAULTS)
    per_activity = activity.activity_metrics(acts, per_sample, DEFAULTS)
    whole = daily.sample_attribution(per_sample, per_activity)
    assert "nobody" not in whole["activity_id"].to_list()
    for rows in (1, 3, 7):
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(daily, "BOOKED_ROWS", rows)
            assert_frame_equal(daily.sample_attribution(per_sample, per_activity), whole, check_exact=True)


def test_the_booking_reads_only_the_attributed_columns():
    """The pipeline lets the other per-sample columns go before the booking (pipeline.part_of): the booking of
    the ATTRIBUTED columns alone is the booking of them all."""
    acts, smp = race_60h()
    per_sample = activity.sample_metrics(repair.repaired(smp, acts, SLOW.model), SLOW)
    per_activity = activity.activity_metrics(acts, per_sample, SLOW)
    assert_frame_equal(daily.sample_attribution(per_sample.select(daily.ATTRIBUTED), per_activity),
                       daily.sample_attribution(per_sample, per_activity), check_exact=True)


# ---- sharing one activity's load and totals across the days of its samples (daily._share)

MIDNIGHT = utc(2024, 3, 2)  # local midnight at utc_offset_s 0


def over_midnight(**streams):
    """Samples every 10 s from 23:00 to 01:00 local (721; 360 credited on each day, the last covers nothing)."""
    return samples("a", MIDNIGHT - dt.timedelta(hours=1), step_s=10, n=721, **streams)


def test_an_hr_load_over_midnight_is_split_by_trimp():
    # Defaults: hr_max 190, hr_rest 60, lthr 0.88 x 190 = 167.2, sex unknown (a 0.75, b 1.80).
    # 60 min at 180 bpm: x = 120/130 = 0.9230769; TRIMP = 60 x 0.9230769 x 0.75 x exp(1.6615385) = 218.8000
    # 60 min at 100 bpm: x = 40/130 = 0.3076923;  TRIMP = 60 x 0.3076923 x 0.75 x exp(0.5538462) = 24.0914
    # reference, 60 min at lthr: x = 107.2/130;   TRIMP = 60 x 0.8246154 x 0.75 x exp(1.4843077) = 163.7158
    # loads 100 x 218.8000 / 163.7158 = 133.65 and 100 x 24.0914 / 163.7158 = 14.72
    # (split by moving time, 148.36 would give 74.18 on each day)
    acts = activities({"activity_id": "a", "start_utc": MIDNIGHT - dt.timedelta(hours=1)})
    smp = over_midnight(speed_mps=[3.0] * 721, hr_bpm=[180.0] * 360 + [100.0] * 361)
    result = report.analyse(acts, smp, DEFAULTS)
    assert result.per_activity["load_source"].to_list() == ["hr"]
    assert result.daily["date"].to_list() == [dt.date(2024, 3, 1), dt.date(2024, 3, 2)]
    assert result.daily["load"].to_list() == pytest.approx([133.6463, 14.7154], abs=1e-4)
    assert result.daily["moving_s"].to_list() == pytest.approx([3600.0, 3600.0])


@pytest.mark.parametrize(
    ("sport", "rpe", "watts", "source", "total"),
    [
        ("cycling", None, [100.0] * 361 + [300.0] * 360, "power", 204.18852),  # see below
        ("cycling", 7.0, None, "rpe", 200.0),  # 7 x 120 min x 100 / 420
        ("cycling", None, None, "duration", 100.0),  # 2 h x 50
    ],
)
def test_power_rpe_and_duration_loads_over_midnight_are_split_by_moving_time(sport, rpe, watts, source, total):
    # 1 h credited on each day, so each day gets half, however hard each hour was (a split by
    # power^4-weighted time would give the 300 W hour 81 times the 100 W one).
    # Power, FTP 250 W: samples every 10 s (10 s credit each, 720 credited); the 30 s window
    # (t - 30, t] holds 3 samples: 361 at 100 W, then (100 + 100 + 300) / 3 = 166.67 and
    # (100 + 300 + 300) / 3 = 233.33, then 357 at 300 W.
    # NP^4 = (361 x 100^4 + 166.67^4 + 233.33^4 + 357 x 300^4) / 720: NP = 252.604 W
    # load = 100 x 2 h x (252.604 / 250)^2 = 204.1885
    acts = activities({"activity_id": "a", "start_utc": MIDNIGHT - dt.timedelta(hours=1), "sport": sport})
    acts = acts.with_columns(rpe=pl.lit(rpe, pl.Float64))
    smp = over_midnight(speed_mps=[8.0] * 721)
    if watts is not None:
        smp = smp.with_columns(power_w=pl.Series(watts, dtype=pl.Float64))
    # trainlog.analysis.daily's own chain: the rating arrives as the activities frame's optional rpe column
    settings = AthleteSettings(ftp_w=250.0)
    per_sample = activity.sample_metrics(repair.repaired(smp, acts, settings.model), settings)
    per_activity = activity.activity_metrics(acts, per_sample, settings)
    row = per_activity.row(0, named=True)
    assert row["load_source"] == source
    assert row["load"] == pytest.approx(total, rel=1e-6)
    series = daily.daily_series(daily.activity_days(per_sample, per_activity))
    assert series["load"].to_list() == pytest.approx([row["load"] / 2] * 2)


def test_a_total_without_sample_weights_is_shared_by_moving_time():
    # No altitude or distance stream: the watch's ascent (600 m) and distance (12 km) have no
    # per-sample weights, so they follow moving time: 23:30-00:00 and 00:00-01:30 credit 30 and 90 min.
    start = MIDNIGHT - dt.timedelta(minutes=30)
    acts = activities({"activity_id": "a", "start_utc": start, "distance_m": 12000.0, "ascent_device_m": 600.0})
    smp = samples("a", start, step_s=10, n=721, speed_mps=[3.0] * 721)
    daily = report.analyse(acts, smp, DEFAULTS).daily
    assert daily["moving_s"].to_list() == pytest.approx([1800.0, 5400.0])
    assert daily["ascent_m"].to_list() == pytest.approx([150.0, 450.0])  # 600 x 1/4, 600 x 3/4
    assert daily["distance_m"].to_list() == pytest.approx([3000.0, 9000.0])


def test_a_total_without_weights_or_moving_time_is_shared_by_sample_count():
    # Standing still throughout (speed 0): no moving time either, so each of the 5 samples
    # (23:58, 23:59, 00:00, 00:01, 00:02) takes a fifth: 2/5 on the first day, 3/5 on the second.
    start = MIDNIGHT - dt.timedelta(minutes=2)
    acts = activities({"activity_id": "a", "start_utc": start, "distance_m": 1000.0, "ascent_device_m": 500.0})
    smp = samples("a", start, step_s=60, n=5, speed_mps=[0.0] * 5)
    daily = report.analyse(acts, smp, DEFAULTS).daily
    assert daily["moving_s"].to_list() == [0.0, 0.0]
    assert daily["ascent_m"].to_list() == pytest.approx([200.0, 300.0])
    assert daily["distance_m"].to_list() == pytest.approx([400.0, 600.0])
    assert daily["load"].to_list() == [0.0, 0.0]


def test_weights_summing_to_exactly_one_still_share_the_total():
    # The rule is "weights sum to more than 0", not "to more than 1": 4 samples a minute apart,
    # 23:58, 23:59 (day 1), 00:00, 00:01 (day 2), moving at 3 m/s (10 s credit each, the last none):
    # moving time 20 s on day 1, 10 s on day 2. The distance stream moves 1.0 m in all, on the
    # 00:00 -> 00:01 step (day 2): the watch's 1000 m all go to day 2 (by moving time: 2/3 to day 1).
    start = MIDNIGHT - dt.timedelta(minutes=2)
    acts = activities({"activity_id": "a", "start_utc": start, "distance_m": 1000.0})
    smp = samples("a", start, step_s=60, n=4, speed_mps=[3.0] * 4, distance_m=[0.0, 0.0, 0.0, 1.0])
    daily = report.analyse(acts, smp, DEFAULTS).daily
    assert daily["date"].to_list() == [dt.date(2024, 3, 1), dt.date(2024, 3, 2)]
    assert daily["moving_s"].to_list() == pytest.approx([20.0, 10.0])
    assert daily["distance_m"].to_list() == pytest.approx([0.0, 1000.0])


def test_moving_time_of_exactly_one_second_still_shares_a_total_without_weights():
    # The moving-time fallback applies from any moving time above 0, 1 s included: 3 samples a
    # second apart, 23:59:59 (standing, 0 s), 00:00:00 (3 m/s, 1 s credit), 00:00:01 (the last,
    # none); no distance or altitude stream. The watch's 1000 m and 30 m and the duration load
    # (1 s x 50 / h) all go to day 2 (by sample count, a third would go to day 1).
    start = MIDNIGHT - dt.timedelta(seconds=1)
    acts = activities({"activity_id": "a", "start_utc": start, "distance_m": 1000.0, "ascent_device_m": 30.0})
    smp = samples("a", start, step_s=1, n=3, speed_mps=[0.0, 3.0, 3.0])
    daily = report.analyse(acts, smp, DEFAULTS).daily
    assert daily["date"].to_list() == [dt.date(2024, 3, 1), dt.date(2024, 3, 2)]
    assert daily["moving_s"].to_list() == pytest.approx([0.0, 1.0])
    assert daily["distance_m"].to_list() == pytest.approx([0.0, 1000.0])
    assert daily["ascent_m"].to_list() == pytest.approx([0.0, 30.0])
    assert daily["load"].to_list() == pytest.approx([0.0, 50.0 / 3600])


def test_samples_of_an_activity_missing_from_the_activity_totals_are_not_booked():
    # sample_attribution books the activities of per_activity only: samples of "b" (not in it)
    # get no row, while "a" keeps its 3 rows: 10 s, 10 s and 0 s (the last sample covers nothing),
    # which sum to its moving time, 20 s.
    acts = activities({"activity_id": "a", "start_utc": utc(2024, 3, 1, 8)})
    smp = concat(
        samples("a", utc(2024, 3, 1, 8), step_s=10, n=3, speed_mps=[3.0] * 3),
        samples("b", utc(2024, 3, 1, 9), step_s=10, n=3, speed_mps=[3.0] * 3),
    )
    per_sample = activity.sample_metrics(repair.repaired(smp, acts, DEFAULTS.model), DEFAULTS)
    per_activity = activity.activity_metrics(acts, per_sample, DEFAULTS)
    booked = daily.sample_attribution(per_sample, per_activity)
    assert booked["activity_id"].to_list() == ["a", "a", "a"]
    assert booked["moving_s"].to_list() == pytest.approx([10.0, 10.0, 0.0])
    assert booked["date"].null_count() == 0


# ---- the span of the daily series (daily.daily_series): first and last booked or start day, and `end`


def _days(*rows):
    """activity_days-like rows: (activity_id, start_date, date, load)."""
    return pl.DataFrame(
        [
            {"activity_id": aid, "sport": "running", "start_date": start, "elapsed_s": 600.0, "date": date,
             "load": load, **{name: 0.0 for name in daily.QUANTITIES if name != "load"}}
            for aid, start, date, load in rows
        ],
        schema_overrides={"start_date": pl.Date, "date": pl.Date},
    )


def test_the_series_starts_on_a_start_day_before_the_first_booked_day():
    # Through the whole chain: "a" starts at 23:50 on 03-01 but its records begin at 00:10 on
    # 03-02 (10 samples a minute apart, 10 s credit each but the last: 90 s); "b", without samples,
    # is an hour on 03-04. The series runs from a's start day: 03-01 (no booking, 1 start) to 03-04.
    acts = activities(
        {"activity_id": "a", "start_utc": utc(2024, 3, 1, 23, 50)},
        {"activity_id": "b", "start_utc": utc(2024, 3, 4, 9), "timer_s": 3600.0},
    )
    smp = samples("a", utc(2024, 3, 2, 0, 10), step_s=60, n=10, speed_mps=[3.0] * 10)
    series = report.analyse(acts, smp, DEFAULTS).daily
    assert series["date"].to_list() == [dt.date(2024, 3, d) for d in (1, 2, 3, 4)]
    assert series["n_activities"].to_list() == [1, 0, 0, 1]
    assert series["moving_s"].to_list() == pytest.approx([0.0, 90.0, 0.0, 3600.0])


def test_the_series_runs_from_the_first_booked_day_to_the_last_start_day():
    # Starts recorded after the first samples (a session start_time later than its first records):
    # "a" starts on 03-02 with its samples booked on 03-01, "b" starts on 03-03 booked on 03-02.
    # First day min(03-01 booked, 03-02 start) = 03-01; last max(03-02 booked, 03-03 start) = 03-03.
    d = dt.date
    days = _days(("a", d(2024, 3, 2), d(2024, 3, 1), 10.0), ("b", d(2024, 3, 3), d(2024, 3, 2), 20.0))
    series = daily.daily_series(days)
    assert series["date"].to_list() == [d(2024, 3, 1), d(2024, 3, 2), d(2024, 3, 3)]
    assert series["load"].to_list() == [10.0, 20.0, 0.0]
    assert series["n_activities"].to_list() == [0, 1, 1]


def test_an_end_before_the_last_booked_day_does_not_cut_the_series():
    # A 3-day effort started on 03-01, booked 03-01..03-03, with end 03-01 (a "today" before the
    # effort ended): the series still runs to 03-03; end only ever extends it.
    d = dt.date
    days = _days(*[("a", d(2024, 3, 1), d(2024, 3, k), 5.0 * k) for k in (1, 2, 3)])
    series = daily.daily_series(days, end=d(2024, 3, 1))
    assert series["date"].to_list() == [d(2024, 3, 1), d(2024, 3, 2), d(2024, 3, 3)]
    assert series["load"].to_list() == [5.0, 10.0, 15.0]
    assert series["n_activities"].to_list() == [1, 0, 0]

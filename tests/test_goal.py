"""Goal readiness: best 7 days, best 60 h from samples, biggest activity, needed weekly ascent, trend."""

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from builders import SAMPLE_FIT, activities, samples, utc

from trainlog import Store, import_paths
from trainlog.analysis import goal
from trainlog.analysis import pipeline as report
from trainlog.analysis.stored import metrics_of, save_settings_of, settings_of, stored_analysis
from trainlog.settings import AthleteSettings, Goal, ModelSettings
from trainlog.store import choices

MODEL = ModelSettings()
TODAY = dt.date(2024, 3, 28)


def daily_ascent(values, end=TODAY):
    n = len(values)
    return pl.DataFrame(
        {"date": [end - dt.timedelta(days=n - 1 - i) for i in range(n)], "goal_ascent_m": [float(v) for v in values]}
    )


def test_best_7_days():
    # windows ending day 7: 100 + 200 = 300; day 8: 0 + 200 + 300 = 500; day 9: 200 + 300 + 50 = 550
    best, end = goal.best_days_ascent(daily_ascent([100, 0, 200, 0, 0, 0, 0, 300, 50]), 7)
    assert best == pytest.approx(550.0)
    assert end == TODAY


def test_best_60_h_window_is_half_open_and_spans_activities():
    t0 = utc(2024, 3, 1)
    stamps = [t0 + dt.timedelta(hours=h) for h in (0, 30, 60, 61)]
    frame = pl.DataFrame(
        {"timestamp": stamps, "date": [t.date() for t in stamps], "goal_ascent_m": [500.0, 400, 300, 200]}
    )
    best, end = goal.best_window_up_to(goal.windows_by_day(frame, 60.0), dt.date(2024, 3, 31))
    # window (end - 60 h, end]: at 30 h 500 + 400 = 900; at 60 h the 0 h point is out: 400 + 300 = 700;
    # at 61 h 400 + 300 + 200 = 900 -> the first 900 wins (ends at 30 h)
    assert best == pytest.approx(900.0)
    assert end == t0 + dt.timedelta(hours=30)


def test_windows_by_day_give_the_best_window_up_to_any_day():
    t0 = utc(2024, 3, 1)
    hours = (0, 30, 60, 61)
    frame = pl.DataFrame({
        "timestamp": [t0 + dt.timedelta(hours=h) for h in hours],
        "date": [(t0 + dt.timedelta(hours=h)).date() for h in hours],  # 1, 2, 3, 3 March
        "goal_ascent_m": [500.0, 400, 300, 200],
    })
    windows = goal.windows_by_day(frame, 60.0)
    # day 1: 500 (at 0 h); day 2: 500 + 400 = 900 (at 30 h); day 3: 700 at 60 h, 900 at 61 h -> 900 at 61 h
    assert windows["window_ascent_m"].to_list() == [500.0, 900.0, 900.0]
    assert windows["window_end_utc"].to_list() == [t0 + dt.timedelta(hours=h) for h in (0, 30, 61)]
    assert goal.best_window_up_to(windows, dt.date(2024, 2, 29)) == (0.0, None)
    assert goal.best_window_up_to(windows, dt.date(2024, 3, 1)) == (500.0, t0)
    # up to day 3 the two 900 m windows tie: the earliest (ending at 30 h) wins, over the whole record too
    assert goal.best_window_up_to(windows, dt.date(2024, 3, 3)) == (900.0, t0 + dt.timedelta(hours=30))
    assert goal.best_window_up_to(windows, dt.date(2024, 3, 31)) == (900.0, t0 + dt.timedelta(hours=30))
    # the row it comes from names the local day the window ends on: what the dashboard shows
    assert goal.best_window_row(windows, dt.date(2024, 3, 31))["date"] == dt.date(2024, 3, 2)
    assert goal.best_window_row(windows, dt.date(2024, 2, 29)) is None


def test_best_60_h_comes_from_samples_not_whole_activities():
    start = utc(2024, 3, 1)
    n = 100 * 60 + 1  # 100 h, a sample a minute, +1 m per sample (7,000 m at the top: a valid altitude)
    acts = activities({"activity_id": "long", "start_utc": start})
    smp = samples("long", start, step_s=60, n=n, distance_m=[60.0 * i for i in range(n)],
                  altitude_m=[1000.0 + 1.0 * i for i in range(n)])
    result = report.analyse(acts, smp, AthleteSettings())
    assert result.per_activity["ascent_m"][0] == pytest.approx(6000.0)  # 6000 gains of 1 m
    best, _ = goal.best_window_up_to(result.windows, TODAY)
    # 60 h = 3600 samples of 1 m, not the whole 6,000 m; the best window ends at sample 3603 and so holds
    # sample 4, which books the first swing beyond 3 m whole (4 m, from the start): 4 + 3599 x 1 m
    assert best == pytest.approx(3603.0)


def test_needed_weekly_ascent_under_the_ramp_cap():
    # 70 days = 10 weeks: 17698 / 1.1^10 = 17698 / 2.5937425 = 6823.345
    assert goal.needed_weekly_ascent(17698.0, 70, 0.10) == pytest.approx(6823.345, rel=1e-6)
    assert goal.needed_weekly_ascent(17698.0, 0, 0.10) == pytest.approx(17698.0)


def test_trend_line_and_projected_date():
    slope, now = goal.trend([1000.0, 2000, 3000, 4000])
    assert (slope, now) == (pytest.approx(1000.0), pytest.approx(4000.0))
    # (17698 - 4000) / 1000 = 13.698 weeks = 95.886 days -> day 96
    horizon = MODEL.projection_horizon_weeks  # 520 weeks
    assert goal.projected_date(17698.0, slope, now, TODAY, horizon) == TODAY + dt.timedelta(days=96)
    assert goal.projected_date(17698.0, -10.0, now, TODAY, horizon) is None
    assert goal.projected_date(3000.0, -10.0, now, TODAY, horizon) == TODAY
    # 13698 m to go at 20 m/week: 684.9 weeks, beyond the 520-week horizon
    assert goal.projected_date(17698.0, 20.0, now, TODAY, horizon) is None
    assert goal.projected_date(17698.0, 1e-300, now, TODAY, horizon) is None  # no date overflow


def test_readiness_figures():
    # four weeks ending today with 1000, 2000, 3000 and 4000 m (each on the week's last day)
    values = [0.0] * 28
    for week, ascent in enumerate([1000.0, 2000, 3000, 4000]):
        values[7 * week + 6] = ascent
    per_activity = pl.DataFrame({"activity_id": ["x", "y"], "ascent_m": [5000.0, 1000.0], "goal_counted": [True, True]})
    windows = pl.DataFrame(schema=goal.WINDOWS_SCHEMA)
    race = Goal(date=TODAY + dt.timedelta(days=70))
    got = goal.readiness(daily_ascent(values), windows, per_activity, race, MODEL, TODAY)
    assert got.best_7day_ascent_m == 4000.0
    assert got.current_weekly_ascent_m == 4000.0
    assert got.biggest_activity_id == "x"
    assert got.loop_ascent_m == pytest.approx(3539.6)  # 17698 / 5
    assert got.biggest_activity_loops == pytest.approx(5000 / 3539.6)  # 1.4126 loops
    assert got.days_to_goal == 70
    assert got.needed_weekly_ascent_m == pytest.approx(6823.345, rel=1e-6)
    assert got.on_track is False  # 4000 < 6823
    assert got.projected_date == TODAY + dt.timedelta(days=96)
    assert got.best_window_ascent_m == 0.0 and got.best_window_end_utc is None
    assert got.best_window_end is None


def test_readiness_without_goal_date_or_data():
    empty = pl.DataFrame(schema={"date": pl.Date, "goal_ascent_m": pl.Float64})
    windows = pl.DataFrame(schema=goal.WINDOWS_SCHEMA)
    per_activity = pl.DataFrame(schema={"activity_id": pl.String, "ascent_m": pl.Float64, "goal_counted": pl.Boolean})
    got = goal.readiness(empty, windows, per_activity, Goal(), MODEL, TODAY)
    assert got.needed_weekly_ascent_m is None and got.on_track is None and got.days_to_goal is None
    assert got.best_7day_ascent_m == 0.0 and got.biggest_activity_id is None
    assert got.projected_date is None



# ---- the exact edges of the rules (mutation testing, issue 11)


def test_best_window_of_no_samples_is_zero():
    empty = pl.DataFrame(schema={"timestamp": pl.Datetime("us", "UTC"), "date": pl.Date, "goal_ascent_m": pl.Float64})
    assert goal.best_window_up_to(goal.windows_by_day(empty, 60.0), TODAY) == (0.0, None)


def test_weekly_windows_end_today_and_days_without_a_row_count_zero():
    # TODAY is Thursday 28 March: the windows are 7 local days ending today, 7 days before, ... (not ISO weeks):
    # [8..14 March], [15..21 March], [22..28 March]. Ascent lands mid-week and on the windows' edges;
    # the frame has rows on those days only: a day without a row is 0 m.
    rows = {
        TODAY + dt.timedelta(days=1): 3200.0,  # after today: not counted
        TODAY: 100.0,
        TODAY - dt.timedelta(days=3): 200.0,  # Monday, mid-window
        TODAY - dt.timedelta(days=6): 400.0,  # 22 March, the current window's first day
        TODAY - dt.timedelta(days=7): 800.0,  # 21 March, the previous window's last day
        TODAY - dt.timedelta(days=10): 1600.0,
        TODAY - dt.timedelta(days=21): 6400.0,  # 7 March, before the oldest window
    }
    daily = pl.DataFrame({"date": list(rows), "goal_ascent_m": list(rows.values())})
    # oldest [8..14]: no row, 0; [15..21]: 1600 + 800 = 2400; [22..28]: 400 + 200 + 100 = 700
    assert goal.weekly_ascents(daily, TODAY, 3) == [0.0, 2400.0, 700.0]


def test_trend_through_weeks_that_are_not_a_line():
    # weeks 1000, 3000, 2000, 2000 at x = -3, -2, -1, 0: mean x -1.5, mean y 2000;
    # sum (x - mx)(y - my) = (-1.5)(-1000) + (-0.5)(1000) + 0 + 0 = 1000; sum (x - mx)^2 = 2.25 + 0.25 + 0.25 + 2.25 = 5
    # slope 1000 / 5 = 200 m/week per week; value at x = 0: 2000 - 200 x (-1.5) = 2300
    slope, now = goal.trend([1000.0, 3000, 2000, 2000])
    assert (slope, now) == (pytest.approx(200.0), pytest.approx(2300.0))
    # one week has no slope: the line is flat at that week's ascent
    assert goal.trend([5000.0]) == (0.0, 5000.0)


def test_projected_date_at_its_edges():
    horizon = MODEL.projection_horizon_weeks  # 520 weeks
    # already at the target: today, even with a flat or falling trend
    assert goal.projected_date(4000.0, 0.0, 4000.0, TODAY, horizon) == TODAY
    assert goal.projected_date(4000.0, -10.0, 4000.0, TODAY, horizon) == TODAY
    # a slow but rising trend: 1 m to go at 0.5 m/week = 2 weeks = 14 days
    assert goal.projected_date(4001.0, 0.5, 4000.0, TODAY, horizon) == TODAY + dt.timedelta(days=14)
    # 520 m to go at 1 m/week: exactly the horizon (not beyond it): 520 x 7 = 3640 days; 520.5 weeks is beyond
    assert goal.projected_date(4520.0, 1.0, 4000.0, TODAY, horizon) == TODAY + dt.timedelta(days=3640)
    assert goal.projected_date(4520.5, 1.0, 4000.0, TODAY, horizon) is None
    # 13,698 m to go at 30 m/week: 456.6 weeks (within 520) = 3196.2 days -> day 3197
    assert goal.projected_date(17698.0, 30.0, 4000.0, TODAY, horizon) == TODAY + dt.timedelta(days=3197)


def test_readiness_on_race_day_and_the_day_after():
    # race day itself: 0 days to go, needed = 17698 / 1.1^0 = the whole 17,698 m this week;
    # this week (22..28 March) holds exactly that, in two days of 8,849 m; the week before holds nothing
    daily = daily_ascent([8849.0, 0, 0, 8849.0])  # 25 and 28 March
    windows = pl.DataFrame(schema=goal.WINDOWS_SCHEMA)
    per_activity = pl.DataFrame({"activity_id": ["a", "b"], "ascent_m": [8849.0, 8849.0], "goal_counted": [True, True]})
    got = goal.readiness(daily, windows, per_activity, Goal(date=TODAY), MODEL, TODAY)
    assert got.days_to_goal == 0
    assert got.needed_weekly_ascent_m == pytest.approx(17698.0)
    assert got.current_weekly_ascent_m == 17698.0
    assert got.on_track is True  # 17698 >= 17698: equal is on track
    assert got.biggest_activity_id == "a"  # a tie: the first activity
    # the day after the race: nothing is needed any more, neither on track nor behind
    after = goal.readiness(daily, windows, per_activity, Goal(date=TODAY - dt.timedelta(days=1)), MODEL, TODAY)
    assert after.days_to_goal == -1
    assert after.needed_weekly_ascent_m is None and after.on_track is None


def test_on_track_is_this_weeks_ascent_not_last_weeks():
    # needed with 70 days to go: 6823.345 m (test_needed_weekly_ascent_under_the_ramp_cap);
    # last week 7000 m (enough), this week 100 m (not): behind
    values = [0.0] * 14
    values[3], values[13] = 7000.0, 100.0
    windows = pl.DataFrame(schema=goal.WINDOWS_SCHEMA)
    per_activity = pl.DataFrame({"activity_id": ["x"], "ascent_m": [7000.0], "goal_counted": [True]})
    race = Goal(date=TODAY + dt.timedelta(days=70))
    got = goal.readiness(daily_ascent(values), windows, per_activity, race, MODEL, TODAY)
    assert got.current_weekly_ascent_m == 100.0
    assert got.on_track is False


def test_readiness_without_a_counted_activity_or_without_a_goal_ascent():
    daily = daily_ascent([500.0])
    windows = pl.DataFrame(schema=goal.WINDOWS_SCHEMA)
    # activities exist, but none counts for the goal: no biggest activity, 0 m, 0 loops
    not_counted = pl.DataFrame({"activity_id": ["ride"], "ascent_m": [5000.0], "goal_counted": [False]})
    got = goal.readiness(daily, windows, not_counted, Goal(), MODEL, TODAY)
    assert got.biggest_activity_ascent_m == 0.0 and got.biggest_activity_id is None
    assert got.biggest_activity_loops == 0.0
    # a goal of 0 m (allowed: settings range 0-100,000 m): loops of 0 m each, the ratio is 0, not a division by 0
    counted = not_counted.with_columns(goal_counted=pl.lit(True))
    got = goal.readiness(daily, windows, counted, Goal(ascent_m=0.0), MODEL, TODAY)
    assert got.loop_ascent_m == 0.0 and got.biggest_activity_ascent_m == 5000.0
    assert got.biggest_activity_loops == 0.0


# ---- one bad file must never make the athlete "ready" (issue 11): a spike ride, a spike run

HISTORY = sorted(
    p for p in (SAMPLE_FIT / "mara").glob("2026-0*.fit") if dt.date(2026, 2, 24) <= dt.date.fromisoformat(p.name[:10])
    <= dt.date(2026, 3, 9)
)  # two weeks of Mara's running, 9 runs, 90 m to 2,160 m of climbing each
AS_OF = dt.date(2026, 3, 10)
RACE = Goal(date=dt.date(2026, 5, 1))
SPIKE_M = 12600.0  # the altitude a glitch jumps to for a few seconds


def spike_file(folder: Path, sport: str, start: dt.datetime, climb_m: float, device_ascent_m: float) -> Path:
    """One hour at 1 Hz climbing ``climb_m`` steadily from 300 m, with the altitude glitching to
    12,600 m for 4 seconds mid-way; the session's total ascent is ``device_ascent_m`` (the device's own)."""
    pytest.importorskip("garmin_fit_sdk", reason="the dev dependency garmin-fit-sdk writes the test files")
    from trainlog_dev.fitwrite import Device, Recording, encode

    n = 3600
    speed = 8.0 if sport == "cycling" else 2.5
    altitude = 300.0 + np.arange(n) * (climb_m / n)
    altitude[1800:1804] = SPIKE_M
    semicircles = 2**31 / 180
    rec = Recording(
        time_unix_s=int(start.timestamp()) + np.arange(n), distance_m=np.arange(n) * speed,
        speed_mps=np.full(n, speed), energy_kcal=np.arange(n) * 0.2, sport=sport,
        sub_sport="road" if sport == "cycling" else "trail", utc_offset_end_s=-18000,
        lat_semicircles=((36.1 + np.arange(n) * 2e-5) * semicircles).astype(np.int64),
        lon_semicircles=np.full(n, int(-84.3 * semicircles), dtype=np.int64),
        altitude_m=altitude, hr_bpm=np.full(n, 140), device_ascent_m=device_ascent_m,
    )
    path = folder / f"{start:%Y-%m-%d_%H%M}_{sport}_spike.fit"
    folder.mkdir(parents=True, exist_ok=True)
    path.write_bytes(encode(rec, Device()))
    return path


def _store_with(root: Path, *extra: Path) -> Store:
    store = Store(root)
    report = import_paths(store, [*HISTORY, *extra], "mara", workers=1)
    assert report.ok and report.counts()["imported"] == len(HISTORY) + len(extra), report.results
    save_settings_of(store, "mara", AthleteSettings(goal=RACE))
    return store


def readiness_of(store: Store) -> dict:
    """The readiness figures of the summary's ``goal`` on AS_OF."""
    g = report.summary_of_analysis(stored_analysis(store, "mara"), settings_of(store, "mara"), AS_OF)["goal"]
    return {k: g[k] for k in goal.Readiness.__dataclass_fields__}


def assert_same_readiness(got: dict, expected: dict) -> None:
    assert got.keys() == expected.keys()
    for key, value in expected.items():  # figures equal up to float rounding of the same sums
        assert got[key] == (pytest.approx(value, rel=1e-9, abs=1e-9) if isinstance(value, float) else value), key


@pytest.fixture(scope="module")
def history_alone(tmp_path_factory):
    return readiness_of(_store_with(tmp_path_factory.mktemp("history") / "data"))


def test_a_spike_ride_changes_no_readiness_figure(tmp_path, history_alone):
    """A cycling file whose altitude glitches to 12,600 m (its device total too) is not a goal sport."""
    ride = spike_file(tmp_path / "fit", "cycling", dt.datetime(2026, 3, 6, 12, tzinfo=dt.UTC),
                      climb_m=200.0, device_ascent_m=SPIKE_M)
    store = _store_with(tmp_path / "data", ride)
    acts = metrics_of(store, "mara").filter(pl.col("sport") == "cycling")
    assert acts.height == 1 and acts["goal_counted"].to_list() == [False]
    assert history_alone["best_7day_ascent_m"] > 0 and history_alone["biggest_activity_id"] is not None
    assert_same_readiness(readiness_of(store), history_alone)


def test_an_excluded_spike_run_changes_no_readiness_figure_and_counts_again_once_included(tmp_path, history_alone):
    run = spike_file(tmp_path / "fit", "running", dt.datetime(2026, 3, 6, 12, tzinfo=dt.UTC),
                     climb_m=400.0, device_ascent_m=400.0)
    store = _store_with(tmp_path / "data", run)
    spike = metrics_of(store, "mara").filter(pl.col("start_date") == dt.date(2026, 3, 6))
    assert spike.height == 1 and spike["sport"][0] == "running"
    run_id = spike["activity_id"][0]
    load_before = metrics_of(store, "mara").filter(pl.col("activity_id") == run_id)["load"][0]

    choices.record(store, "mara", run_id, "exclude")
    excluded = metrics_of(store, "mara").filter(pl.col("activity_id") == run_id).row(0, named=True)
    assert excluded["excluded"] is True and excluded["goal_counted"] is False
    assert excluded["load"] == load_before  # left out of the goal's figures only: its load still counts
    assert_same_readiness(readiness_of(store), history_alone)

    choices.record(store, "mara", run_id, "include")
    included = readiness_of(store)
    assert metrics_of(store, "mara").filter(pl.col("activity_id") == run_id)["goal_counted"].to_list() == [True]
    assert included["current_weekly_ascent_m"] > history_alone["current_weekly_ascent_m"]
    assert included != history_alone


def test_windows_from_micrometres_computed_ahead_equal_those_computed_here():
    """The analysis computes each activity's micrometres chunk by chunk (goal.with_micrometres); windows_by_day
    computes them itself when they are missing, whatever the rows' order: the same windows."""
    frame = pl.DataFrame({
        "activity_id": ["b", "a", "b", "a", "a", "b"],
        "timestamp": [utc(2024, 3, 1, 10, m) for m in (5, 0, 0, 10, 5, 10)],
        "date": [dt.date(2024, 3, 1)] * 6,
        goal.ASCENT: [0.3, 0.1, 0.2, 0.1 + 0.2, None, 0.7],
    })
    ahead = goal.with_micrometres(frame.sort("activity_id", "timestamp"))
    assert ahead.filter(pl.col("activity_id") == "a")[goal.MICROMETRES].to_list() == [100_000, 0, 300_000]
    assert goal.windows_by_day(ahead, 60.0).equals(goal.windows_by_day(frame, 60.0))
    assert goal.windows_by_day(ahead.reverse(), 60.0).equals(goal.windows_by_day(frame, 60.0))


def test_windows_leave_out_only_rows_that_cannot_win():
    """windows_by_day sums only the rows that may end a day's best window (goal._window_ends): the same days, sums
    and ends as every row's window worked out by brute force, with activities that overlap in time, several
    rows of one timestamp, zero steps and dates that differ at one instant."""
    rng = np.random.default_rng(5)
    start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    for _ in range(100):
        parts = []
        for k in range(int(rng.integers(1, 5))):
            n = int(rng.integers(1, 30))
            seconds = np.sort(rng.integers(0, 40, n)) * 3600 + int(rng.integers(0, 4)) * 43 * 3600  # apart or not
            parts.append(pl.DataFrame({
                "activity_id": f"a{k}",
                "timestamp": [start + dt.timedelta(seconds=int(s)) for s in seconds],
                "date": [dt.date(2024, 1, 1) + dt.timedelta(days=int((s + 3600 * k) // 86400)) for s in seconds],
                "goal_ascent_m": np.where(rng.random(n) < 0.6, 0.0, rng.integers(1, 50, n) / 4),
            }))
        frame = pl.concat(parts)
        got = goal.windows_by_day(frame, 6.0)
        ascent = goal.with_micrometres(frame)
        steps = list(zip(ascent["timestamp"], ascent[goal.MICROMETRES], strict=True))
        best: dict[dt.date, tuple[int, dt.datetime]] = {}
        for end, day in zip(frame["timestamp"], frame["date"], strict=True):
            total = sum(um for at, um in steps if end - dt.timedelta(hours=6) < at <= end)
            if day not in best or total > best[day][0] or (total == best[day][0] and end < best[day][1]):
                best[day] = (total, end)
        assert got["date"].to_list() == sorted(best)
        assert got["window_ascent_m"].to_list() == [best[d][0] * (1 / 1_000_000) for d in sorted(best)]
        assert got["window_end_utc"].to_list() == [best[d][1] for d in sorted(best)]


def test_a_run_first_in_the_frame_after_another_keeps_its_first_row():
    """Runs a and c on 1 Jan (UTC) one after the other in the frame, and b, stored later, between them in time
    on another local day: the window ending at c's first row holds b's 5 m, though c climbs nothing and the
    frame's row before it is a's, of its date."""
    t0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    at = [t0 + dt.timedelta(hours=h) for h in (0, 1, 10, 11, 8)]
    day, other = dt.date(2024, 1, 1), dt.date(2023, 12, 31)
    frame = pl.DataFrame({"activity_id": ["a", "a", "c", "c", "b"], "timestamp": at,
                          "date": [day, day, day, day, other], "goal_ascent_m": [1.0, 0.0, 0.0, 0.0, 5.0]})
    windows = goal.windows_by_day(frame, 6.0).filter(pl.col("date") == day).row(0, named=True)
    assert windows["window_ascent_m"] == 5.0
    assert windows["window_end_utc"] == at[2]
    assert goal.windows_by_day(frame, 6.0).equals(goal.windows_by_day(frame.sort("timestamp"), 6.0))

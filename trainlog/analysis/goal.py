"""Readiness for the goal race (shared/METRICS.md, "The goal: Barkley-level climbing").

All ascents are metres; dates are the athlete's local dates; the weekly target
is the goal's total ascent (a training week with the race's climbing). Every
figure counts only the runs the goal counts (:func:`trainlog.analysis.activity.goal_counted`:
the goal's sports, not excluded, no suspect ascent unless confirmed; the athlete's
choices are :mod:`trainlog.store.choices`), through the
``goal_ascent_m`` column of the daily series and of the per-sample attribution:
one bad file must never make the athlete "ready".
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import asdict, dataclass

import polars as pl

from trainlog.settings import Goal, ModelSettings

DAYS_PER_WEEK = 7
#: The ascent the goal counts, in the daily series and the per-sample attribution.
ASCENT = "goal_ascent_m"


@dataclass(frozen=True)
class Readiness:
    """Readiness figures; ``None`` where there is nothing to measure (no data, no goal date)."""

    best_7day_ascent_m: float
    best_7day_end: dt.date | None  # last local day of that 7-day window
    best_window_ascent_m: float  # any ``time_limit_h`` (60 h) of the record, from samples
    best_window_end_utc: dt.datetime | None
    best_window_end: dt.date | None  # the local day that window ends on (the day it is booked on)
    biggest_activity_ascent_m: float
    biggest_activity_id: str | None
    loop_ascent_m: float  # goal ascent / loops
    biggest_activity_loops: float  # biggest activity ascent / loop ascent
    current_weekly_ascent_m: float  # last 7 local days, today included
    days_to_goal: int | None
    needed_weekly_ascent_m: float | None  # to do this week, ramping at the cap, to reach the target in time
    on_track: bool | None  # current weekly ascent >= needed
    trend_m_per_week: float  # slope of the last ``trend_weeks`` weekly ascents, m/week per week
    projected_date: dt.date | None  # when the trend line reaches the target; None if never (within the horizon)

    def to_dict(self) -> dict:
        """JSON-serialisable dict (dates and times as ISO strings)."""
        return {
            key: value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value
            for key, value in asdict(self).items()
        }


def best_days_ascent(daily: pl.DataFrame, days: int) -> tuple[float, dt.date | None]:
    """Largest ascent (m) in any ``days`` consecutive local days and the window's last day."""
    if daily.is_empty():
        return 0.0, None
    rolling = daily.sort("date").select("date", pl.col(ASCENT).rolling_sum(days, min_samples=1).alias("sum"))
    best = rolling.sort("sum", descending=True, maintain_order=True).row(0, named=True)
    return best["sum"], best["date"]


#: Window sums add whole micrometres (Int64): exact, so a window's sum does not depend on where the running sum
#: started (a float running sum does, in its last bits), and windows computed again around a new run equal
#: those of the whole history. Each sample's micrometres are the step of its activity's cumulative ascent
#: rounded, so a window over whole runs holds their ascent exactly.
_UM_PER_M = 1_000_000


#: Each sample's booked goal ascent in whole micrometres (:func:`with_micrometres`).
MICROMETRES = "goal_ascent_um"


def with_micrometres(attribution: pl.DataFrame, *, in_order: bool = False) -> pl.DataFrame:
    """What the goal's windows read of ``attribution`` (:func:`trainlog.analysis.daily.sample_attribution`): its
    ``activity_id`` (when it has one), ``timestamp``, ``date`` and goal ascent, each activity's rows together in
    time order, with :data:`MICROMETRES`: the steps of each activity's cumulative goal ascent in whole
    micrometres. Computed per activity, so the analysis takes it chunk by chunk, before the windows see every
    sample. Frames not in that order are sorted by activity and time, unless ``in_order`` (the caller vouches for
    it: the pipeline's attribution of repaired samples) spares the check."""
    import numpy as np  # here: reading a kept analysis (trainlog summary) loads neither NumPy nor the repairs

    from trainlog.ingest.repair import in_time_order

    keys = [c for c in ("activity_id", "timestamp") if c in attribution.columns]
    frame = attribution.select(*keys, "date", ASCENT)
    if "activity_id" not in keys or not (in_order or in_time_order(frame)):  # the analysis's are, activity by activity
        frame = frame.sort(keys, maintain_order=True)
    lengths = (frame["activity_id"].rle().struct.field("len") if "activity_id" in keys
               else pl.Series([frame.height]).head(min(frame.height, 1))).to_numpy()  # of each activity's rows
    ascent, cumulative = frame[ASCENT].fill_null(0.0).to_numpy(), np.empty(frame.height)
    at = 0
    for n in lengths:  # one running sum per activity, added in order as Polars' cum_sum adds
        np.cumsum(ascent[at:at + n], out=cumulative[at:at + n])
        at += n
    um = pl.Series(np.rint(cumulative * _UM_PER_M)).cast(pl.Int64).to_numpy()  # rint: half to even, as Polars rounds
    firsts = np.cumsum(lengths) - lengths
    step = np.diff(um, prepend=0)
    step[firsts] = um[firsts]
    return frame.with_columns(pl.Series(MICROMETRES, step))


def _window_ends(attribution: pl.DataFrame, hours: float) -> pl.DataFrame:
    """The rows of ``attribution`` (``timestamp``, ``date``, :data:`MICROMETRES`, maybe ``activity_id``) that may
    end their day's best window, in time order: ``date``, ``timestamp`` and ``um``, the micrometres booked in
    ``(timestamp - hours, timestamp]`` (Int64: exact, so every row of one timestamp has the same sum and the order
    of ties does not matter). Rows without a timestamp come first, with a null sum (as a sort by time puts them).

    Steps are >= 0, so a row of no step whose previous row in time has its date, and is at its timestamp or
    earlier than every other row of its own, never beats that row: its window loses at its start what the
    other's had and gains nothing. Those rows (most of a history: pauses, flats, descents) are left out before
    the sort and the sums (their zero steps change no sum). The previous row in time is the previous one in the
    frame inside a stretch of one activity's rows in rising time that no other stretch overlaps (activities
    that overlap in time keep all their rows). A stable sort of the kept Int64 timestamps, not a sort
    of every row by time and activity."""
    import numpy as np  # here: reading a kept analysis (trainlog summary) does not load NumPy

    untimed = attribution.filter(pl.col("timestamp").is_null()) if attribution["timestamp"].null_count() else None
    timed = attribution if untimed is None else attribution.filter(pl.col("timestamp").is_not_null())
    t, step = timed["timestamp"].dt.epoch("us").to_numpy(), timed[MICROMETRES].to_numpy()
    kept = np.ones(len(t), dtype=bool)
    if len(t) > 1 and step.min() >= 0:
        starts = np.concatenate(([True], t[1:] < t[:-1]))  # of the stretches of rising time, one activity's at most
        if "activity_id" in timed.columns:
            lengths = timed["activity_id"].rle().struct.field("len").to_numpy()
            starts[np.cumsum(lengths) - lengths] = True
        firsts = np.flatnonzero(starts)
        lasts = np.append(firsts[1:], len(t)) - 1
        by_start = np.argsort(t[firsts], kind="stable")
        lo, hi = t[firsts][by_start], t[lasts][by_start]
        apart = np.ones(len(firsts), dtype=bool)
        apart[1:] &= lo[1:] > np.maximum.accumulate(hi)[:-1]  # after every earlier stretch
        apart[:-1] &= hi[:-1] < lo[1:]  # before every later one
        alone = np.empty(len(firsts), dtype=bool)
        alone[by_start] = apart
        same_date = timed["date"].eq_missing(timed["date"].shift(1)).to_numpy()[1:]
        last_at_time = np.append(t[1:] != t[:-1], True)[1:]  # no later row at its timestamp
        # a stretch's first row is kept: the frame's row before it is another stretch's, and a third activity
        # (of another date) may lie between the two in time
        kept[1:] = ~(np.repeat(alone, lasts - firsts + 1)[1:] & ~starts[1:] & (t[1:] >= t[:-1]) & (step[1:] == 0)
                     & same_date & ((t[1:] == t[:-1]) | last_at_time))
    order = np.argsort(t[kept], kind="stable")
    ends = pl.DataFrame({
        "date": timed["date"].filter(kept).gather(order),
        "timestamp": pl.Series(t[kept][order]).cast(pl.Datetime("us", "UTC")),
        "um": step[kept][order],
    }).with_columns(pl.col("um").rolling_sum_by("timestamp", window_size=f"{round(hours * 3_600_000_000)}us",
                                                 closed="right"))
    if untimed is None:
        return ends
    first = untimed.select("date", pl.col("timestamp").cast(pl.Datetime("us", "UTC")), um=pl.lit(None, pl.Int64))
    return pl.concat([first, ends])


WINDOWS_SCHEMA = {"date": pl.Date, "window_ascent_m": pl.Float64, "window_end_utc": pl.Datetime("us", "UTC")}


def windows_by_day(attribution: pl.DataFrame, hours: float) -> pl.DataFrame:
    """Per local day with samples: the best ``hours`` window ending at a sample booked that day.

    ``attribution`` is :func:`trainlog.analysis.daily.sample_attribution` (per-sample
    ascent, m, with its UTC ``timestamp`` and local ``date``); windows are
    ``(end - hours, end]`` and span activities; the earliest end wins a tie.
    Columns :data:`WINDOWS_SCHEMA`, one row per ``date``. The best window up to
    a day is the best row up to that day (:func:`best_window_up_to`), so this
    small table stands in for the per-sample frame once it is computed.
    """
    if attribution.is_empty():
        return pl.DataFrame(schema=WINDOWS_SCHEMA)
    if MICROMETRES not in attribution.columns:  # the analysis computes them ahead, part by part
        attribution = with_micrometres(attribution)
    return (
        _window_ends(attribution.select(pl.col("^activity_id$"), "timestamp", "date", MICROMETRES), hours)
        .group_by("date")  # any group order: sorted by date below; each group's rows in time order
        .agg(
            # m: times the reciprocal of 10^6, as Polars divides a column of sums (over a row: metrics.join)
            (pl.col("um").max() * (1 / _UM_PER_M)).alias("window_ascent_m"),
            pl.col("timestamp").get(pl.col("um").arg_max()).alias("window_end_utc"),
        )
        .sort("date")
        .cast(WINDOWS_SCHEMA)
    )


def best_window_row(windows: pl.DataFrame, today: dt.date) -> dict | None:
    """The row of :func:`windows_by_day` (``date``, ``window_ascent_m``, ``window_end_utc``) with the best window
    on days up to ``today``, earliest on a tie; None without one."""
    done = windows.filter(pl.col("date") <= today).sort("date")
    return None if done.is_empty() else done.row(int(done["window_ascent_m"].arg_max()), named=True)


def best_window_up_to(windows: pl.DataFrame, today: dt.date) -> tuple[float, dt.datetime | None]:
    """The best window of :func:`windows_by_day` on days up to ``today``: (ascent m, end UTC); earliest on a tie."""
    best = best_window_row(windows, today)
    return (0.0, None) if best is None else (best["window_ascent_m"], best["window_end_utc"])


def weekly_ascents(daily: pl.DataFrame, today: dt.date, weeks: int) -> list[float]:
    """Ascent (m) of the ``weeks`` 7-day windows ending today, 7 days before, ...; oldest first."""
    ascent = dict(zip(daily["date"].to_list(), daily[ASCENT].to_list()))
    return [
        sum(ascent.get(today - dt.timedelta(days=7 * week + day), 0.0) for day in range(DAYS_PER_WEEK))
        for week in reversed(range(weeks))
    ]


def needed_weekly_ascent(target_m: float, days_left: int, ramp_cap: float) -> float:
    """Weekly ascent (m) to do now so that growing by ``ramp_cap`` a week reaches ``target_m``
    in ``days_left`` days: ``target / (1 + ramp_cap) ** (days_left / 7)``."""
    return target_m / (1.0 + ramp_cap) ** (days_left / DAYS_PER_WEEK)


def trend(weekly: list[float]) -> tuple[float, float]:
    """Least-squares line through weekly values at x = -(n-1) ... 0 weeks: (slope per week, value at x = 0)."""
    n = len(weekly)
    xs = [float(x) for x in range(1 - n, 1)]
    mean_x, mean_y = sum(xs) / n, sum(weekly) / n
    var = sum((x - mean_x) ** 2 for x in xs)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, weekly)) / var if var else 0.0
    return slope, mean_y - slope * mean_x


def projected_date(
    target_m: float, slope: float, now_m: float, today: dt.date, horizon_weeks: float
) -> dt.date | None:
    """Day the line ``now_m + slope * weeks`` reaches ``target_m``: today if already there;
    None if it never does or only after ``horizon_weeks``."""
    if now_m >= target_m:
        return today
    if slope <= 0 or (target_m - now_m) / slope > horizon_weeks:
        return None
    return today + dt.timedelta(days=math.ceil((target_m - now_m) / slope * DAYS_PER_WEEK))


def readiness(
    daily: pl.DataFrame,
    windows: pl.DataFrame,
    per_activity: pl.DataFrame,
    goal: Goal,
    model: ModelSettings,
    today: dt.date,
) -> Readiness:
    """Readiness figures against ``goal`` on the local date ``today``.

    ``daily``: :func:`trainlog.analysis.daily.daily_series`; ``windows``:
    :func:`windows_by_day`; ``per_activity``:
    :func:`trainlog.analysis.activity.activity_metrics`. Only data up to ``today`` is
    expected (the caller filters).
    """
    best_7, best_7_end = best_days_ascent(daily, model.best_window_days)
    best_window = best_window_row(windows, today) or {"window_ascent_m": 0.0, "window_end_utc": None, "date": None}
    counted = per_activity.filter(pl.col("goal_counted"))
    biggest = (
        counted.sort("ascent_m", descending=True, maintain_order=True).row(0, named=True)
        if not counted.is_empty()
        else {"ascent_m": 0.0, "activity_id": None}
    )
    weekly = weekly_ascents(daily, today, model.trend_weeks)
    slope, now_m = trend(weekly)
    days_to_goal = (goal.date - today).days if goal.date is not None else None
    needed = (
        needed_weekly_ascent(goal.ascent_m, days_to_goal, model.ramp_cap)
        if days_to_goal is not None and days_to_goal >= 0
        else None
    )
    return Readiness(
        best_7day_ascent_m=best_7,
        best_7day_end=best_7_end,
        best_window_ascent_m=best_window["window_ascent_m"],
        best_window_end_utc=best_window["window_end_utc"],
        best_window_end=best_window["date"],
        biggest_activity_ascent_m=biggest["ascent_m"],
        biggest_activity_id=biggest["activity_id"],
        loop_ascent_m=goal.loop_ascent_m,
        biggest_activity_loops=biggest["ascent_m"] / goal.loop_ascent_m if goal.loop_ascent_m else 0.0,
        current_weekly_ascent_m=weekly[-1],
        days_to_goal=days_to_goal,
        needed_weekly_ascent_m=needed,
        on_track=None if needed is None else weekly[-1] >= needed,
        trend_m_per_week=slope,
        projected_date=projected_date(goal.ascent_m, slope, now_m, today, model.projection_horizon_weeks),
    )

"""The metric registry: every metric trainlog computes, declared once.

Like GoldenCheetah's metric registry (``src/Metrics/BasicRideMetrics.cpp``), each
metric declares its column name, unit, dtype and description. The per-activity
frame (:func:`trainlog.analysis.activity.activity_metrics`), the daily, fitness and
weekly frames take their column order and dtypes from here; the summary, the
store schema and the docs read it too.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl


@dataclass(frozen=True)
class Metric:
    """One metric: column name, unit (``""`` when dimensionless), dtype, description."""

    name: str
    unit: str
    dtype: pl.DataType
    description: str


ACTIVITY: tuple[Metric, ...] = (
    Metric("activity_id", "", pl.String, "activity key (see trainlog.store.schema.ACTIVITIES)"),
    Metric("sport", "", pl.String, "FIT sport name"),
    Metric("start_utc", "UTC", pl.Datetime("us", "UTC"), "start time"),
    Metric("local_offset_s", "s", pl.Int32, "UTC offset in use: device, else athlete time zone, else machine"),
    Metric("start_date", "local date", pl.Date, "local calendar date of the start"),
    Metric("elapsed_s", "s", pl.Float64, "elapsed time (session)"),
    Metric("moving_s", "s", pl.Float64, "moving time: sample gaps while moving, capped per sample; no samples: timer time"),
    Metric("distance_m", "m", pl.Float64, "distance: session total, else from the samples"),
    Metric("ascent_device_m", "m", pl.Float64, "ascent the watch stored (session total_ascent)"),
    Metric("descent_device_m", "m", pl.Float64, "descent the watch stored (session total_descent)"),
    Metric("ascent_computed_m", "m", pl.Float64, "ascent from the altitude stream with hysteresis"),
    Metric("descent_computed_m", "m", pl.Float64, "descent from the altitude stream with hysteresis"),
    Metric("ascent_m", "m", pl.Float64, "ascent used everywhere: device total if plausible, else computed"),
    Metric("ascent_source", "", pl.String, "device | computed | none"),
    Metric("altitude_spikes", "", pl.Int64, "altitude samples dropped as spikes (vertical speed > max_vertical_speed_mps)"),
    Metric("ascent_flag", "", pl.String, "null, or why the ascent is suspect: too_fast | device_disagrees"),
    Metric("ascent_confirmed", "", pl.Boolean, "the athlete confirmed a suspect ascent (trainlog activity confirm)"),
    Metric("excluded", "", pl.Boolean, "the athlete left this run out of the goal (trainlog activity exclude)"),
    Metric("goal_counted", "", pl.Boolean, "counts toward the goal: a goal sport, not excluded, ascent not suspect"),
    Metric("descent_m", "m", pl.Float64, "descent used everywhere (same rule as ascent)"),
    Metric("grade_pct", "%", pl.Float64, "mean absolute grade, weighted by distance (10 m windows)"),
    Metric("gad_m", "m", pl.Float64, "grade-adjusted distance (Minetti 2002 cost ratio)"),
    Metric("gap_s_per_km", "s/km", pl.Float64, "grade-adjusted pace over moving time"),
    Metric("vertical_speed_m_per_h", "m/h", pl.Float64, "vertical speed while climbing (grade >= climb_grade_min)"),
    Metric("hr_coverage", "", pl.Float64, "share of moving time with heart rate (0..1)"),
    Metric("trimp", "", pl.Float64, "Banister TRIMP (null without heart rate)"),
    Metric("hr_load", "", pl.Float64, "normalized HR load: 100 = one hour at threshold HR"),
    Metric("load", "", pl.Float64, "training load used (from load_source)"),
    Metric("power_coverage", "", pl.Float64, "share of moving time with power (0..1)"),
    Metric("normalized_power_w", "W", pl.Float64, "normalized power (30 s rolling mean, 4th-power mean, 4th root)"),
    Metric("rpe", "CR-10", pl.Float64, "session RPE the athlete gave, else the export's (null: none)"),
    Metric("load_rpe", "", pl.Float64, "session-RPE load (Foster) of a rated run, beside its load: "
           "rpe x moving minutes, 100 = one hour at RPE 7 (null: not rated)"),
    Metric("feel", "1-5", pl.Int8, "how the session felt: 1 very weak .. 5 very strong (null: not given)"),
    Metric("load_source", "", pl.String, "hr | power | gap | rpe | duration"),
    Metric("km_effort", "km", pl.Float64, "ITRA km-effort: km + ascent_m / 100"),
)

DAILY: tuple[Metric, ...] = (
    Metric("date", "local date", pl.Date, "athlete's local calendar day"),
    Metric("load", "", pl.Float64, "training load booked on the day (multi-day activities split by sample)"),
    Metric("distance_m", "m", pl.Float64, "distance on the day"),
    Metric("moving_s", "s", pl.Float64, "moving time on the day"),
    Metric("ascent_m", "m", pl.Float64, "ascent on the day"),
    Metric("descent_m", "m", pl.Float64, "descent on the day"),
    Metric("goal_ascent_m", "m", pl.Float64, "ascent on the day of the runs the goal counts (goal_counted)"),
    Metric("n_activities", "", pl.UInt32, "activities started on the day"),
)

FITNESS: tuple[Metric, ...] = (
    Metric("building_history", "", pl.Boolean, "fewer than history_days since the first activity and no "
           "start_ctl/start_atl: no form, ACWR or monotony band, no warning"),
    Metric("ctl", "", pl.Float64, "fitness: 42-day exponentially weighted load"),
    Metric("atl", "", pl.Float64, "fatigue: 7-day exponentially weighted load"),
    Metric("tsb", "", pl.Float64, "form with which the day starts: CTL - ATL of the day before"),
    Metric("ramp", "/week", pl.Float64, "ramp rate: CTL - CTL seven days earlier"),
    Metric("form_band", "", pl.String, "band of tsb (intervals.icu style)"),
    Metric("acwr_acute", "", pl.Float64, "acute EWMA load (N = 7, lambda = 2 / (N + 1))"),
    Metric("acwr_chronic", "", pl.Float64, "chronic EWMA load (N = 28)"),
    Metric("acwr", "", pl.Float64, "acute:chronic workload ratio (null while chronic ~0)"),
    Metric("acwr_band", "", pl.String, "band of acwr (guides only, Impellizzeri 2020)"),
    Metric("monotony", "", pl.Float64, "7-day mean / sample SD (n - 1) of daily load (null when SD = 0, capped)"),
    Metric("strain", "", pl.Float64, "7-day load x monotony"),
    Metric("monotony_band", "", pl.String, "ok | warn | flag"),
    Metric("ascent_ctl", "m/day", pl.Float64, "ascent fitness (42-day weighted daily ascent)"),
    Metric("ascent_atl", "m/day", pl.Float64, "ascent fatigue (7-day weighted daily ascent)"),
    Metric("descent_ctl", "m/day", pl.Float64, "descent fitness (42-day weighted daily descent)"),
    Metric("descent_atl", "m/day", pl.Float64, "descent fatigue (7-day weighted daily descent)"),
)

WEEKLY: tuple[Metric, ...] = (
    Metric("week_start", "local date", pl.Date, "Monday of the ISO week"),
    Metric("iso_year", "", pl.Int32, "ISO year"),
    Metric("iso_week", "", pl.Int8, "ISO week number"),
    Metric("sport", "", pl.String, "sport, or 'all' for the total"),
    Metric("distance_m", "m", pl.Float64, "distance in the week"),
    Metric("moving_s", "s", pl.Float64, "moving time in the week"),
    Metric("ascent_m", "m", pl.Float64, "ascent in the week"),
    Metric("descent_m", "m", pl.Float64, "descent in the week"),
    Metric("load", "", pl.Float64, "load in the week"),
    Metric("n_activities", "", pl.UInt32, "activities started in the week"),
    Metric("longest_s", "s", pl.Float64, "elapsed time of the longest activity started in the week"),
)

#: The columns of the samples table (``trainlog.store.schema.SAMPLES``) the per-sample metrics read
#: (:func:`trainlog.analysis.activity.sample_metrics`): the analysis reads these only (positions, cadence and
#: temperature are half the CPU time of decoding a history's samples).
SAMPLE_COLUMNS = ("activity_id", "timestamp", "distance_m", "altitude_m", "speed_mps", "hr_bpm", "power_w")

TABLES: dict[str, tuple[Metric, ...]] = {
    "activity": ACTIVITY,
    "daily": DAILY,
    "fitness": FITNESS,
    "weekly": WEEKLY,
}


def schema(table: str) -> dict[str, pl.DataType]:
    """Column name -> dtype of a metric table (``activity``, ``daily``, ``fitness``, ``weekly``)."""
    return {metric.name: metric.dtype for metric in TABLES[table]}


def units(table: str) -> dict[str, str]:
    """Column name -> unit of a metric table."""
    return {metric.name: metric.unit for metric in TABLES[table]}


def markdown(table: str) -> str:
    """A Markdown table (column, unit, description) of a metric table, for the docs."""
    lines = ["| column | unit | description |", "| --- | --- | --- |"]
    lines += [f"| `{m.name}` | {m.unit} | {m.description} |" for m in TABLES[table]]
    return "\n".join(lines)


def join(frame: pl.DataFrame, other: pl.DataFrame, on: str | list[str], how: str = "left") -> pl.DataFrame:
    """``frame.join(other, on=on, how=how)`` in ``frame``'s row order, whatever ``other``'s height.

    Polars broadcasts the columns of a one-row ``other`` as constants, and divides by a constant through its
    reciprocal: one bit off the division row by row it does otherwise. A figure must not depend on how many
    other activities were analysed with it (the analysis kept on disk is updated a few activities at a time:
    :mod:`trainlog.analysis.incremental`), so a one-row ``other`` gets a second row whose null key matches
    nothing.
    """
    return frame.join(two_rows_at_least(other), on=on, how=how, maintain_order="left")


def sums_by(frame: pl.DataFrame, keys: list[str], columns: dict[str, pl.Expr]) -> pl.DataFrame:
    """One row per run of equal ``keys`` in ``frame`` (sorted so that each key's rows are together): the keys and
    the sum of each expression of ``columns`` (nulls count as 0), in the order the keys come.

    Each group is summed on its own (NumPy's ``add.reduceat`` over its rows), so a group's sum depends on its
    rows alone. Polars' ``group_by().agg(sum())`` picks its summing kernel by how the groups lie in the frame:
    the same rows summed among other groups can differ in the last bit, and the analysis kept on disk, updated
    a few activities at a time (:mod:`trainlog.analysis.incremental`), must equal a whole one to the bit.
    """
    import numpy as np  # here: reading a kept analysis (trainlog summary) does not load NumPy

    if frame.is_empty():
        return frame.select(*keys, **{name: expr.cast(pl.Float64) for name, expr in columns.items()}).clear()
    values = frame.select(*keys, **{name: expr.cast(pl.Float64).fill_null(0.0) for name, expr in columns.items()})
    lengths = [values[k].rle().struct.field("len").to_numpy() for k in keys]
    at = np.unique(np.concatenate([np.cumsum(n) - n for n in lengths])).astype(np.int64)  # where any key's run starts
    out = values.select(keys)[at]
    return out.with_columns(
        pl.Series(name, np.add.reduceat(values[name].to_numpy(), at), dtype=pl.Float64) for name in columns
    )


def two_rows_at_least(activities: pl.DataFrame) -> pl.DataFrame:
    """``activities`` with a row of no activity added when it has one row (its null key joins nothing and books
    nothing; the per-activity frame drops it). Polars divides a one-row column by a constant exactly and a longer
    one through the constant's reciprocal, one bit apart: a run is computed alike alone or among others."""
    return pl.concat([activities, activities.clear(1)]) if activities.height == 1 else activities


def spread(frame: pl.DataFrame, per_key: pl.DataFrame, key: str, how: str = "left") -> pl.DataFrame:
    """:func:`join` of a long ``frame`` whose rows of each ``key`` are together (samples sorted by activity) and a
    short ``per_key`` frame (one row per key): each key's row looked up once and repeated over its rows, not a
    hash join of every row. ``how``: ``"left"`` (keys ``per_key`` lacks get nulls) or ``"inner"`` (their rows go)."""
    import numpy as np  # here: reading a kept analysis (trainlog summary) does not load NumPy

    runs = frame[key].rle()
    values, lengths = runs.struct.field("value"), runs.struct.field("len").to_numpy()
    if len(values) < 2:  # one run: Polars would broadcast its row as constants (see join)
        return join(frame, per_key, key, how)
    looked = join(values.to_frame(key), per_key, key).drop(key)  # one row per run, in run order
    rows = np.repeat(np.arange(len(values)), lengths)  # each row's run
    out = pl.concat([frame, looked[rows]], how="horizontal")
    if how == "inner":
        out = out.filter(np.repeat(values.is_in(per_key[key].implode()).fill_null(False).to_numpy(), lengths))
    return out

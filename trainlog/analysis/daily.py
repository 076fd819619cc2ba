"""Daily series: each sample's load, distance, time and vertical booked on its local day.

shared/METRICS.md, "Time and days": a multi-day effort is split across the local
calendar days in which its samples fall. Each activity total (from
:func:`trainlog.analysis.activity.activity_metrics`) is shared out over its samples in
proportion to a per-sample weight, so the days always sum to the totals:

- load: TRIMP for ``hr`` loads, moving time otherwise;
- distance: metres to the next sample; moving time: moving credit;
- ascent / descent: hysteresis gain / loss counted on the sample; ``goal_ascent_m``
  is the ascent of the runs the goal counts (0 for the others).

When an activity's weights sum to 0 (say, no altitude stream) its moving time
shares it, else its sample count; an activity without samples (entered by hand)
is shared over the local days its elapsed time covers, by the seconds in each.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from trainlog.analysis import metrics
from trainlog.analysis.tzone import local_date

#: Booked quantity -> per-sample weight column of ``sample_metrics``.
WEIGHTS = {
    "load": "w_load",
    "distance_m": "w_distance",
    "moving_s": "w_moving",
    "ascent_m": "w_ascent",
    "descent_m": "w_descent",
    "goal_ascent_m": "w_ascent",  # the ascent of runs the goal counts (activity.goal_counted)
}
QUANTITIES = tuple(WEIGHTS)


def _share(weight: str) -> pl.Expr:
    """A sample's share of its activity's ``weight`` (the totals ``_t_<weight>`` and ``_n`` joined on)."""
    return (
        pl.when(pl.col(f"_t_{weight}") > 0)
        .then(pl.col(weight) / pl.col(f"_t_{weight}"))
        .when(pl.col("_t_w_moving") > 0)
        .then(pl.col("w_moving") / pl.col("_t_w_moving"))
        .otherwise(1.0 / pl.col("_n"))
    )


#: The columns of :func:`trainlog.analysis.activity.sample_metrics` the booking reads.
ATTRIBUTED = ("activity_id", "timestamp", "trimp", "moving_s", "distance_step_m", "gain_m", "loss_m")
#: :func:`sample_attribution` books this many samples at a time: a very long run (a chained file of a million
#: samples) holds its per-sample figures and a piece's intermediate columns, not every row's at once.
BOOKED_ROWS = 250_000


def sample_attribution(per_sample: pl.DataFrame, per_activity: pl.DataFrame) -> pl.DataFrame:
    """Per-sample booked quantities: ``activity_id``, ``timestamp`` (UTC), ``date``
    (local Date), ``load``, ``distance_m``, ``moving_s``, ``ascent_m``, ``descent_m`` (Float64).

    ``per_sample`` is :func:`trainlog.analysis.activity.sample_metrics` (its :data:`ATTRIBUTED` columns at
    least), ``per_activity`` :func:`trainlog.analysis.activity.activity_metrics`. An activity without samples (a
    session entered by hand, a file cut before its records) gets one row per local day its elapsed time covers,
    weighted by the seconds in that day (a 60-hour race typed in is booked over its three days, not on its first).
    Per activity, each quantity sums to its total. Each row's figures are its own and its activity's: the rows
    are booked :data:`BOOKED_ROWS` at a time.
    """
    weights = per_sample.select(
        "activity_id",
        "timestamp",
        w_trimp="trimp",
        w_moving="moving_s",
        w_distance="distance_step_m",
        w_ascent="gain_m",
        w_descent="loss_m",
    )
    sampled = weights["activity_id"].rle().struct.field("value").to_frame("activity_id")  # each activity's rows are together
    without_samples = _day_slices(per_activity.join(sampled, on="activity_id", how="anti"), weights.columns[2:])
    totals = per_activity.with_columns(
        goal_ascent_m=pl.when(pl.col("goal_counted")).then(pl.col("ascent_m")).otherwise(0.0)
    ).select("activity_id", "local_offset_s", *QUANTITIES)
    booked = pl.concat([weights, without_samples])
    known = booked["activity_id"].is_in(totals["activity_id"].implode()).fill_null(False)  # others (or none) go
    if not known.all():
        booked = booked.filter(known)
    hr = per_activity.filter(pl.col("load_source") == "hr")["activity_id"].implode()  # not a join: no copy of the rows
    booked = booked.with_columns(
        w_load=pl.when(pl.col("activity_id").is_in(hr)).then(pl.col("w_trimp")).otherwise(pl.col("w_moving")))
    per_activity_totals = metrics.sums_by(  # each activity's rows are together
        booked, ["activity_id"], {**{f"_t_{w}": pl.col(w) for w in {*WEIGHTS.values(), "w_moving"}}, "_n": pl.lit(1.0)}
    )
    factors = metrics.join(totals, per_activity_totals, "activity_id", how="inner")
    pieces = [
        metrics.spread(booked.slice(lo, BOOKED_ROWS), factors, "activity_id").select(
            "activity_id",
            "timestamp",
            local_date(pl.col("timestamp"), pl.col("local_offset_s")).alias("date"),
            *[(pl.col(name).fill_null(0.0) * _share(weight)).alias(name) for name, weight in WEIGHTS.items()],
        )
        for lo in range(0, max(booked.height, 1), BOOKED_ROWS)
    ]
    return pl.concat(pieces) if len(pieces) > 1 else pieces[0]


def _day_slices(activities: pl.DataFrame, weight_names: list[str]) -> pl.DataFrame:
    """One row per (activity, local day of its elapsed time): ``activity_id``, ``timestamp`` (UTC, the slice's
    start) and each weight the slice's seconds (an activity of no time: one row at its start, weights 0)."""
    rows = []
    for r in activities.select("activity_id", "start_utc", "local_offset_s",
                               pl.coalesce("elapsed_s", "moving_s", pl.lit(0.0)).alias("span_s")).iter_rows():
        activity_id, start, offset, span = r
        if start is None:
            continue
        end, at = start + dt.timedelta(seconds=max(span, 0.0)), start
        while True:
            local = at + dt.timedelta(seconds=offset or 0)
            midnight = dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(), at.tzinfo)
            upto = min(end, midnight - dt.timedelta(seconds=offset or 0))
            rows.append((activity_id, at, (upto - at).total_seconds()))
            if upto >= end:
                break
            at = upto
    frame = pl.DataFrame(rows, schema={"activity_id": pl.String, "timestamp": pl.Datetime("us", "UTC"),
                                       "_s": pl.Float64}, orient="row")
    return frame.with_columns(pl.col("_s").alias(name) for name in weight_names).drop("_s")


def activity_days(
    per_sample: pl.DataFrame, per_activity: pl.DataFrame, attribution: pl.DataFrame | None = None
) -> pl.DataFrame:
    """One row per (activity, local day) it touched: ``activity_id``, ``sport``,
    ``start_date``, ``elapsed_s`` (moving time when unknown), ``date`` and the booked quantities (see module doc).

    ``attribution``: :func:`sample_attribution` of the same frames, when the caller already has it.
    """
    booked = metrics.sums_by(  # each activity's rows are together, in time order
        attribution if attribution is not None else sample_attribution(per_sample, per_activity),
        ["activity_id", "date"], {name: pl.col(name) for name in QUANTITIES},
    )
    info = per_activity.select(
        "activity_id", "sport", "start_date", pl.coalesce("elapsed_s", "moving_s").alias("elapsed_s")
    )
    return metrics.join(info, booked, "activity_id", how="inner").sort("date", "activity_id")


def daily_series(days: pl.DataFrame, end: dt.date | None = None, start: dt.date | None = None) -> pl.DataFrame:
    """Zero-filled daily series, one row per local calendar day (columns of :data:`trainlog.analysis.metrics.DAILY`).

    ``days`` is :func:`activity_days`. The series runs from the first booked day
    to the last one, or to ``end`` when that is later. ``n_activities`` counts
    activities started on the day. ``start``: only the days from ``start`` on (the rows equal those of the
    whole series: each day sums its own rows of ``days``, in the same order).
    """
    schema = metrics.schema("daily")
    if start is not None:
        days = days.filter(pl.col("date") >= start)
    if days.is_empty():
        return pl.DataFrame(schema=schema)
    first = min(days["date"].min(), days["start_date"].min()) if start is None else start
    last = max(days["date"].max(), days["start_date"].max())
    if end is not None:
        last = max(last, end)
    calendar = pl.DataFrame({"date": pl.date_range(first, last, "1d", eager=True)})
    sums = metrics.sums_by(days.sort("date", "activity_id"), ["date"], {name: pl.col(name) for name in QUANTITIES})
    starts = (
        days.select("activity_id", "start_date")
        .unique()
        .group_by("start_date")
        .agg(pl.len().alias("n_activities"))
        .rename({"start_date": "date"})
    )
    return (
        metrics.join(metrics.join(calendar, sums, "date"), starts, "date")
        .fill_null(0)
        .select(pl.col(name).cast(dtype) for name, dtype in schema.items())
    )

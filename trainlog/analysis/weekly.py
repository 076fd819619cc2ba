"""Weekly aggregates by sport and in total, over the athlete's local ISO weeks (Monday first)."""

from __future__ import annotations

import polars as pl

from trainlog.analysis import metrics
from trainlog.analysis.daily import QUANTITIES

ALL_SPORTS = "all"


def _week_start(date: pl.Expr) -> pl.Expr:
    return date.dt.truncate("1w")  # Polars weeks start on Monday, like ISO weeks


def weekly(days: pl.DataFrame) -> pl.DataFrame:
    """One row per ISO week and sport plus one ``"all"`` row per week (columns of
    :data:`trainlog.analysis.metrics.WEEKLY`), sorted by week then sport.

    ``days`` is :func:`trainlog.analysis.daily.activity_days`: quantities are booked on
    the week of the day they happened (a race across Sunday midnight is split);
    ``n_activities`` and ``longest_s`` (elapsed s) count activities in the week
    they started. The ``"all"`` rows are zero-filled for weeks without activity.
    """
    schema = metrics.schema("weekly")
    if days.is_empty():
        return pl.DataFrame(schema=schema)
    booked = days.with_columns(week_start=_week_start(pl.col("date")))
    started = days.select("activity_id", "sport", "start_date", "elapsed_s").unique("activity_id").with_columns(
        week_start=_week_start(pl.col("start_date"))
    )
    sums = [pl.col(name).sum() for name in QUANTITIES]
    counts = [pl.len().alias("n_activities"), pl.col("elapsed_s").max().alias("longest_s")]
    by_sport = booked.group_by("week_start", "sport").agg(sums).join(
        started.group_by("week_start", "sport").agg(counts), on=["week_start", "sport"], how="full", coalesce=True
    )
    weeks = pl.DataFrame(
        {"week_start": pl.date_range(by_sport["week_start"].min(), by_sport["week_start"].max(), "1w", eager=True)}
    )
    total = weeks.join(
        booked.group_by("week_start").agg(sums).join(
            started.group_by("week_start").agg(counts), on="week_start", how="full", coalesce=True
        ),
        on="week_start",
        how="left",
    ).with_columns(pl.lit(ALL_SPORTS).alias("sport"))
    return (
        pl.concat([by_sport, total.select(by_sport.columns)])
        .with_columns(pl.col(*QUANTITIES, "n_activities").fill_null(0))
        .with_columns(iso_year=pl.col("week_start").dt.iso_year(), iso_week=pl.col("week_start").dt.week())
        .select(pl.col(name).cast(dtype) for name, dtype in schema.items())
        .sort("week_start", "sport")
    )

"""Grade and grade-adjusted distance (Minetti et al. 2002).

shared/METRICS.md, "Grade and grade-adjusted pace (GAP)". Grades are fractions
(0.1 = 10 %), distances metres, costs J/kg/m, all Float64.
"""

from __future__ import annotations

import polars as pl

from trainlog.settings import ModelSettings


def window_grade(samples: pl.DataFrame, model: ModelSettings) -> pl.Series:
    """Per-sample grade (fraction, Float64) over a forward window of at least ``grade_window_m``.

    ``samples`` is sorted by activity then time and holds ``activity_id``,
    ``distance_cum_m`` (cumulative horizontal distance, m, non-decreasing inside
    an activity) and ``altitude_clean_m`` (m, null when invalid). The grade of
    sample i is ``(alt_j - alt_i) / (d_j - d_i)`` with j the first sample having
    an altitude and ``d_j >= d_i + grade_window_m``; clipped to +-``grade_clip``.
    Samples without a window (the last metres, missing altitude) take the
    nearest earlier grade, else the next one, else 0 (flat).
    """
    left = samples.select(
        "activity_id",
        pl.col("distance_cum_m").alias("d_i"),
        pl.col("altitude_clean_m").alias("alt_i"),
        # no distance yet: any key that keeps the rows sorted (the grade is null anyway)
        (pl.col("distance_cum_m") + model.grade_window_m).fill_null(float("-inf")).alias("key"),
    )
    right = samples.filter(
        pl.col("altitude_clean_m").is_not_null() & pl.col("distance_cum_m").is_not_null()
    ).select("activity_id", pl.col("distance_cum_m").alias("d_j"), pl.col("altitude_clean_m").alias("alt_j"))
    # both sides are sorted by distance inside each activity: the join keeps the left order
    grade = (
        left.join_asof(
            right, left_on="key", right_on="d_j", by="activity_id", strategy="forward", check_sortedness=False
        )
        .select(
            ((pl.col("alt_j") - pl.col("alt_i")) / (pl.col("d_j") - pl.col("d_i")))
            .forward_fill()
            .backward_fill()
            .over("activity_id")
            .fill_null(0.0)
            .clip(-model.grade_clip, model.grade_clip)
        )
        .to_series()
    )
    return grade.alias("grade")


def minetti_cost(grade: pl.Expr, model: ModelSettings) -> pl.Expr:
    """Energy cost of running Cr(i), J/kg/m, for a grade expression (fraction).

    ``Cr(i) = 155.4 i^5 - 30.4 i^4 - 43.3 i^3 + 46.3 i^2 + 19.5 i + 3.6``,
    fitted for -0.45 <= i <= 0.45; beyond ``minetti_clip`` the end value is held.
    """
    i = grade.clip(-model.minetti_clip, model.minetti_clip)
    cost = pl.lit(0.0)
    for coefficient in model.minetti_coefficients:  # Horner's rule, highest power first
        cost = cost * i + coefficient
    return cost


def gap_factor(grade: pl.Expr, model: ModelSettings) -> pl.Expr:
    """Grade-adjustment factor Cr(i) / Cr(0) (dimensionless; 1 on the flat)."""
    flat_cost = model.minetti_coefficients[-1]
    return minetti_cost(grade, model) / flat_cost

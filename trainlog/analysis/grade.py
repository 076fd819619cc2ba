"""Grade and grade-adjusted distance (Minetti et al. 2002).

shared/METRICS.md, "Grade and grade-adjusted pace (GAP)". Grades are fractions
(0.1 = 10 %), distances metres, costs J/kg/m, all Float64.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from trainlog.analysis import elevation
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

    A forward ``join_asof`` per activity (:func:`_joined_grade`), or from
    :data:`trainlog.analysis.elevation.COMPILED_FROM_SAMPLES` samples on the same steps
    in one compiled pass (:func:`_grade_kernel`, a quarter of the time): the same floats, bit for bit. A null
    id or a NaN distance (whose order a search cannot take) stays with the join.
    """
    ids, distance, altitude = samples["activity_id"], samples["distance_cum_m"], samples["altitude_clean_m"]
    kernel = elevation._compiled(_grade_kernel) if elevation._compiling(samples.height, _grade_kernel) else None
    if kernel is None or ids.null_count() or distance.is_nan().any():
        return _joined_grade(samples, model)
    grade = np.empty(samples.height)
    kernel(elevation._starts(ids, nulls_apart=False), distance.fill_null(0.0).to_numpy(),
           distance.is_not_null().to_numpy(), altitude.fill_null(0.0).to_numpy(), altitude.is_not_null().to_numpy(),
           float(model.grade_window_m), float(model.grade_clip), grade)
    return pl.Series("grade", grade, pl.Float64)


def _joined_grade(samples: pl.DataFrame, model: ModelSettings) -> pl.Series:
    """:func:`window_grade` by a forward ``join_asof`` of the samples on those with an altitude and a distance."""
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


def _grade_kernel(starts: np.ndarray, distance: np.ndarray, has_distance: np.ndarray, altitude: np.ndarray,
                  has_altitude: np.ndarray, window_m: float, clip: float, grade: np.ndarray) -> None:
    """:func:`_joined_grade`'s steps in one pass, to be compiled: sets ``grade`` (m/m) row by row.

    ``starts``: the row starts an activity; ``distance`` (m, no NaN, non-decreasing inside an activity) and
    ``altitude`` (m) are read where ``has_distance`` / ``has_altitude``. The join's match, the first row of the
    activity with both whose distance is at least ``distance + window_m`` (the keys rise, so one pointer walks
    forward), then its forward and backward fill (the rows before the activity's first grade take that one), 0
    without any, and the clip, each as Polars computes it.
    """
    n = len(grade)
    lo = 0
    while lo < n:
        hi = lo + 1
        while hi < n and not starts[hi]:
            hi += 1
        j, first, last = lo, -1, 0.0  # first: the row of the activity's first grade
        for i in range(lo, hi):
            found = False
            if has_distance[i]:
                key = distance[i] + window_m
                while j < hi and not (has_distance[j] and has_altitude[j] and distance[j] >= key):
                    j += 1
                if j < hi and has_altitude[i]:
                    last = (altitude[j] - altitude[i]) / (distance[j] - distance[i])
                    found = True
                    if first < 0:
                        first = i
            if found or first >= 0:
                grade[i] = last
        for i in range(lo, hi if first < 0 else first):
            grade[i] = grade[first] if first >= 0 else 0.0
        for i in range(lo, hi):
            g = grade[i]
            g = clip if g > clip else g
            grade[i] = -clip if g < -clip else g
        lo = hi


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

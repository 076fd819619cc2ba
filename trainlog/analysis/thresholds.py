"""The athlete's thresholds in force on each activity's day (trainlog.settings.history).

A run is scored with the heart rates, threshold pace and FTP in force on its
local start day: a threshold test in January changes the load of the runs from
January on, and leaves every earlier run as it was. The values in force are a
small frame (:func:`by_activity`) joined onto the samples and the activities,
and the load formulas read its columns (:func:`athlete_columns`).
"""

from __future__ import annotations

import dataclasses

import polars as pl

from trainlog.analysis import load, tzone
from trainlog.days import MIN_DAY
from trainlog.settings import AthleteSettings, Resolved

#: The columns :func:`by_activity` adds, each the value in force on the activity's day.
COLUMNS = {
    "thr_hr_max_bpm": pl.Float64, "thr_hr_rest_bpm": pl.Float64, "thr_lthr_bpm": pl.Float64,
    "thr_threshold_pace_s_per_km": pl.Float64, "thr_ftp_w": pl.Float64, "thr_trimp_reference": pl.Float64,
}


def periods(settings: AthleteSettings) -> pl.DataFrame:
    """One row per period of the athlete's values: ``from_date`` (the first local day; :data:`MIN_DAY` for
    the values before any change) and :data:`COLUMNS`."""
    rows = []
    for day, period in settings.periods():
        r = period.resolve()
        rows.append({
            "from_date": day or MIN_DAY, "thr_hr_max_bpm": r.hr_max_bpm, "thr_hr_rest_bpm": r.hr_rest_bpm,
            "thr_lthr_bpm": r.lthr_bpm, "thr_threshold_pace_s_per_km": r.threshold_pace_s_per_km,
            "thr_ftp_w": period.ftp_w, "thr_trimp_reference": load.trimp_reference(r, settings.model),
        })
    return pl.DataFrame(rows, schema={"from_date": pl.Date, **COLUMNS}).sort("from_date")


def by_activity(activities: pl.DataFrame, settings: AthleteSettings) -> pl.DataFrame:
    """``activity_id`` and :data:`COLUMNS`: the values in force on each activity's local start day (the offset
    of :func:`trainlog.analysis.tzone.resolved_offsets`); the plain values when the athlete has no dated change.

    The metrics always read these columns, dated changes or not: a formula of numbers (which Polars may fold
    in another order) can differ in its last bit from the same formula of columns, and an activity's figures
    must not depend on whether the athlete ever dated a change (the analysis kept on disk is updated, not
    computed again, when one is made)."""
    days = activities.with_columns(_offset=tzone.resolved_offsets(activities, settings.timezone)).select(
        "activity_id",
        start_date=(pl.col("start_utc") + pl.duration(seconds=pl.col("_offset"))).dt.date().fill_null(MIN_DAY),
    ).sort("start_date")
    found = days.join_asof(periods(settings), left_on="start_date", right_on="from_date", strategy="backward")
    # as plain columns (Series): one period joined on is broadcast as constants, which Polars divides by through
    # their reciprocal, one bit off the row-by-row division it makes of a column (metrics.join)
    return pl.DataFrame(found.select("activity_id", *COLUMNS).to_dict())


def athlete_columns(athlete: Resolved) -> Resolved:
    """``athlete`` with its heart rates and threshold pace read from the :data:`COLUMNS` of each row."""
    return dataclasses.replace(
        athlete, hr_max_bpm=pl.col("thr_hr_max_bpm"), hr_rest_bpm=pl.col("thr_hr_rest_bpm"),
        lthr_bpm=pl.col("thr_lthr_bpm"), threshold_pace_s_per_km=pl.col("thr_threshold_pace_s_per_km"),
    )

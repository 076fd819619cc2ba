"""The athlete's thresholds in force on each activity's day (trainlog.settings.history).

A run is scored with the heart rates, threshold pace and FTP in force on its
local start day: a threshold test in January changes the load of the runs from
January on, and leaves every earlier run as it was. When the athlete has no
dated change (the usual case) :func:`by_activity` is None and the metrics use
the plain values, as numbers; otherwise it is a small frame joined onto the
samples and the activities, and the load formulas read its columns
(:func:`athlete_columns`) instead of numbers: the same formulas either way.
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


def by_activity(activities: pl.DataFrame, settings: AthleteSettings) -> pl.DataFrame | None:
    """``activity_id`` and :data:`COLUMNS`: the values in force on each activity's local start day (the offset
    of :func:`trainlog.analysis.tzone.resolved_offsets`); None when the athlete has no dated change."""
    return in_force_by_activity(activities, settings) if settings.thresholds else None


def in_force_by_activity(activities: pl.DataFrame, settings: AthleteSettings) -> pl.DataFrame:
    """:func:`by_activity`, also when there is no dated change (every activity has the plain values)."""
    days = activities.with_columns(_offset=tzone.resolved_offsets(activities, settings.timezone)).select(
        "activity_id",
        start_date=(pl.col("start_utc") + pl.duration(seconds=pl.col("_offset"))).dt.date().fill_null(MIN_DAY),
    ).sort("start_date")
    return days.join_asof(periods(settings), left_on="start_date", right_on="from_date", strategy="backward") \
        .select("activity_id", *COLUMNS)


def athlete_columns(athlete: Resolved) -> Resolved:
    """``athlete`` with its heart rates and threshold pace read from the :data:`COLUMNS` of each row."""
    return dataclasses.replace(
        athlete, hr_max_bpm=pl.col("thr_hr_max_bpm"), hr_rest_bpm=pl.col("thr_hr_rest_bpm"),
        lthr_bpm=pl.col("thr_lthr_bpm"), threshold_pace_s_per_km=pl.col("thr_threshold_pace_s_per_km"),
    )


def changed_activities(activities: pl.DataFrame, before: AthleteSettings, after: AthleteSettings) -> list[str]:
    """The activities whose values in force differ between two settings (what a threshold change affects)."""
    old, new = in_force_by_activity(activities, before), in_force_by_activity(activities, after)
    both = old.join(new, on="activity_id", suffix="_new")
    differs = pl.any_horizontal(pl.col(c).ne_missing(pl.col(f"{c}_new")) for c in COLUMNS)
    return both.filter(differs)["activity_id"].to_list()

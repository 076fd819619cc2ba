"""An athlete's tables out of trainlog: ``activities``, ``daily``, ``samples``, ``wellness`` and ``comments``
as CSV or Parquet.

The columns are declared once, with their unit and meaning (:data:`ACTIVITY_COLUMNS`,
:data:`DAILY_COLUMNS`, :data:`SAMPLE_COLUMNS`; the README's table says the same). The
values are the analysis's (:func:`trainlog.analysis.stored.activity_table`, the daily
series of :func:`trainlog.analysis.stored.stored_analysis`, as the Fatigue page and
``trainlog summary`` show them), the stored samples, as recorded, and what the athlete and coach entered:
ratings and notes in ``activities``, the wellness of each day, the comments on each activity.

CSV: UTF-8, a header row, times in ISO 8601 with their offset, dot decimals,
an empty field for a missing value. Parquet: the same columns, typed. Every
file is written atomically.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import polars as pl

from trainlog.analysis.pipeline import extended
from trainlog.analysis.stored import activity_table, settings_of, stored_analysis
from trainlog.errors import InvalidValue
from trainlog.export._shared import (
    between,
    check_days,
    checked_athlete,
    no_activity,
    out_folder,
    started_between,
    write_file,
)
from trainlog.store import Store, entries, schema, wellness
from trainlog.words import TABLE_FORMATS

#: How times are written in CSV: ISO 8601 with the offset, the fraction of a second only when there is one.
CSV_TIME = "%Y-%m-%dT%H:%M:%S%.f%:z"
#: Text starting with one of these a spreadsheet runs as a formula: CSV writes it after a "'" (as the plan's CSV does).
FORMULA_START = r"^[=+\-@]"


@dataclass(frozen=True)
class Column:
    """One exported column: its name (the unit is in it), unit and meaning."""

    name: str
    unit: str
    meaning: str
    source: str = ""  # the column of the analysis it comes from, when named otherwise


#: ``activities.csv``: one row per activity, oldest first.
ACTIVITY_COLUMNS: tuple[Column, ...] = (
    Column("activity_id", "", "trainlog's id of the activity (the file's hash and the leg)"),
    Column("start_local", "ISO 8601", "start, local time with its UTC offset"),
    Column("start_utc", "ISO 8601", "start, UTC"),
    Column("sport", "", "FIT sport (running, cycling, ...)"),
    Column("sub_sport", "", "FIT sub-sport (trail, treadmill, ...)"),
    Column("elapsed_s", "s", "elapsed time, pauses included"),
    Column("timer_s", "s", "timer time, pauses left out"),
    Column("moving_s", "s", "moving time"),
    Column("distance_m", "m", "distance"),
    Column("ascent_m", "m", "ascent trainlog uses (the watch's if plausible, else computed)"),
    Column("descent_m", "m", "descent trainlog uses (same rule)"),
    Column("load", "", "training load"),
    Column("load_source", "", "what the load comes from: hr, power, gap, rpe or duration"),
    Column("rpe", "CR-10", "session RPE the athlete gave (0-10)"),
    Column("load_rpe", "", "session-RPE load of a rated run (Foster): RPE x minutes, 100 = an hour at RPE 7"),
    Column("feel", "1-5", "how the session felt: 1 very weak .. 5 very strong"),
    Column("note", "", "the athlete's note on the session"),
    Column("n_comments", "", "comments on the activity (comments.csv)"),
    Column("rmssd_ms", "ms", "rMSSD of the run's beat-to-beat intervals, when the watch recorded them"),
    Column("avg_hr_bpm", "bpm", "average heart rate"),
    Column("max_hr_bpm", "bpm", "highest heart rate"),
    Column("device_manufacturer", "", "who made the device"),
    Column("device_product", "", "the device"),
    Column("source_file", "", "the file it was imported from"),
)
#: Columns added after :data:`ACTIVITY_COLUMNS` when :func:`~trainlog.analysis.stored.activity_table` has them
#: (what an export's metadata says of the activity: :mod:`trainlog.store.meta`).
OPTIONAL_ACTIVITY_COLUMNS: tuple[Column, ...] = (
    Column("name", "", "the activity's name"),
    Column("description", "", "the athlete's description"),
    Column("gear", "", "the shoes or bike used"),
    Column("commute", "", "true for a commute"),
    Column("private", "", "true when only the athlete may see it"),
)

#: ``daily.csv``: one row per local day, the days without activity included.
DAILY_COLUMNS: tuple[Column, ...] = (
    Column("date", "local date", "the athlete's calendar day"),
    Column("n_activities", "", "activities started on the day"),
    Column("load", "", "training load booked on the day"),
    Column("ctl", "", "fitness (CTL): 42-day weighted load"),
    Column("atl", "", "fatigue (ATL): 7-day weighted load"),
    Column("tsb", "", "form (TSB): CTL - ATL of the day before"),
    Column("ramp", "per week", "CTL - CTL seven days earlier"),
    Column("acwr", "", "acute:chronic workload ratio (empty while the chronic load is ~0)"),
    Column("monotony", "", "7-day mean / SD of the daily load"),
    Column("strain", "", "7-day load x monotony"),
    Column("form_band", "", "band of the form (empty while the history builds up)"),
    Column("acwr_band", "", "band of the ACWR (empty while the history builds up)"),
    Column("distance_m", "m", "distance"),
    Column("moving_s", "s", "moving time"),
    Column("ascent_m", "m", "ascent"),
    Column("descent_m", "m", "descent"),
    Column("ascent_ctl_m_per_day", "m/day", "ascent fitness (42-day weighted daily ascent)", "ascent_ctl"),
    Column("ascent_atl_m_per_day", "m/day", "ascent fatigue (7-day weighted daily ascent)", "ascent_atl"),
    Column("descent_ctl_m_per_day", "m/day", "descent fitness", "descent_ctl"),
    Column("descent_atl_m_per_day", "m/day", "descent fatigue", "descent_atl"),
)

#: ``comments.csv``: the comments on the exported activities, oldest first.
COMMENT_COLUMNS: tuple[Column, ...] = (
    Column("activity_id", "", "the activity (activities.csv)"),
    Column("at", "ISO 8601", "when it was written, UTC"),
    Column("author", "", "who wrote it (a user name)"),
    Column("text", "", "the comment"),
)

_SAMPLE_MEANING = {
    "activity_id": ("", "the activity (activities.csv)"), "timestamp": ("ISO 8601", "time, UTC"),
    "lat_deg": ("degrees", "latitude"), "lon_deg": ("degrees", "longitude"),
    "distance_m": ("m", "distance from the start, as recorded"), "altitude_m": ("m", "altitude"),
    "speed_mps": ("m/s", "speed"), "hr_bpm": ("bpm", "heart rate"),
    "cadence_rpm": ("rpm", "cadence as recorded (running: steps of one foot per minute)"),
    "power_w": ("W", "power"), "temperature_c": ("°C", "temperature"),
}
#: ``samples.csv``: one row per recorded sample, as recorded (:data:`trainlog.store.schema.SAMPLES`).
SAMPLE_COLUMNS: tuple[Column, ...] = tuple(Column(name, *_SAMPLE_MEANING[name]) for name in schema.SAMPLES)


def activities_export(table: pl.DataFrame) -> pl.DataFrame:
    """:data:`ACTIVITY_COLUMNS` (and those of :data:`OPTIONAL_ACTIVITY_COLUMNS` it has) of an
    :func:`~trainlog.analysis.stored.activity_table`: ``start_local`` as ISO 8601 text with its offset."""
    local = [_iso_local(start, offset) for start, offset in zip(table["start_utc"].to_list(), table["utc_offset_s"].to_list())]
    names = [c.name for c in ACTIVITY_COLUMNS] + [c.name for c in OPTIONAL_ACTIVITY_COLUMNS if c.name in table.columns]
    return table.with_columns(pl.Series("start_local", local, dtype=pl.String)).select(names)


def daily_export(daily: pl.DataFrame) -> pl.DataFrame:
    """:data:`DAILY_COLUMNS` of a daily series with fitness columns (:class:`trainlog.analysis.pipeline.Analysis`'s ``daily``)."""
    return daily.select([pl.col(c.source or c.name).alias(c.name) for c in DAILY_COLUMNS])


def activities_frame(store: Store, athlete: str, first: dt.date | None = None, last: dt.date | None = None) -> pl.DataFrame:
    """The athlete's ``activities`` export: activities whose local start day lies in ``[first, last]``, oldest first."""
    return activities_export(started_between(activity_table(store, checked_athlete(store, athlete)), first, last))


def daily_frame(store: Store, athlete: str, first: dt.date | None = None, last: dt.date | None = None) -> pl.DataFrame:
    """The athlete's ``daily`` export from ``first`` to ``last`` (default: the first and last days with training;
    a ``last`` after them runs on with days of rest, as the Fatigue page does)."""
    athlete = checked_athlete(store, athlete)
    settings = settings_of(store, athlete)
    daily = extended(stored_analysis(store, athlete, settings), settings, last).daily
    return daily_export(between(daily, "date", first, last))


def samples_frame(store: Store, athlete: str, activity_ids: list[str]) -> pl.DataFrame:
    """The stored samples of ``activity_ids`` (:data:`SAMPLE_COLUMNS`), activity by activity in the order
    given, each in record order."""
    rank = {activity_id: i for i, activity_id in enumerate(activity_ids)}
    samples = store.scan("samples", checked_athlete(store, athlete)).filter(pl.col("activity_id").is_in(activity_ids)).collect()
    order = samples["activity_id"].replace_strict(rank, return_dtype=pl.Int64)
    return samples.with_columns(order.alias("_rank")).sort("_rank", maintain_order=True).drop("_rank")


def wellness_frame(store: Store, athlete: str, first: dt.date | None = None, last: dt.date | None = None) -> pl.DataFrame:
    """The athlete's ``wellness`` export: one row per local day with an entry in ``[first, last]``, every field
    (:data:`trainlog.store.wellness.FIELDS`, the latest value given; empty when never given)."""
    return between(wellness.daily(store, checked_athlete(store, athlete)), "date", first, last)


def comments_frame(store: Store, athlete: str, activity_ids: list[str]) -> pl.DataFrame:
    """The comments on ``activity_ids`` (:data:`COMMENT_COLUMNS`), oldest first."""
    found = entries.comments(store, checked_athlete(store, athlete))
    return found.filter(pl.col("activity_id").is_in(activity_ids)).select([c.name for c in COMMENT_COLUMNS])


def write_csv(frame: pl.DataFrame, fh: BinaryIO | io.BytesIO) -> None:
    """``frame`` as CSV (UTF-8, header, ISO 8601 times with offset, empty for missing) to a binary file;
    text a spreadsheet would run as a formula (a name from a file: ``=HYPERLINK(...)``) is written after a ``'``."""
    text = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    guarded = frame.with_columns(
        pl.when(pl.col(name).str.contains(FORMULA_START)).then(pl.lit("'") + pl.col(name)).otherwise(pl.col(name))
        .alias(name) for name in text)
    guarded.write_csv(fh, datetime_format=CSV_TIME, null_value="")


def csv_text(frame: pl.DataFrame) -> str:
    """``frame`` as CSV text (what :func:`write_csv` writes): the dashboard's downloads."""
    buffer = io.BytesIO()
    write_csv(frame, buffer)
    return buffer.getvalue().decode("utf-8")


def export_tables(
    store: Store,
    athlete: str,
    out_dir: str | Path,
    fmt: str = "csv",
    first: dt.date | None = None,
    last: dt.date | None = None,
) -> list[Path]:
    """Write ``activities``, ``daily``, ``samples``, ``wellness`` and ``comments`` (``.csv`` or ``.parquet``) of
    ``athlete`` in ``out_dir``.

    ``first`` / ``last``: inclusive local days; activities by their local start day, daily and wellness rows by
    their date, samples and comments by their activity. ``out_dir`` is created when missing; files of the same
    names are replaced. Returns the paths written. Errors, one line each: StoreError for an athlete
    without data, InvalidValue for an unknown format, days in the wrong order, nothing in the range,
    or a folder that is a file or cannot be written.
    """
    if fmt not in TABLE_FORMATS:
        raise InvalidValue(f"format {fmt!r} is not a table format: {' or '.join(TABLE_FORMATS)}")
    check_days(first, last)
    athlete = checked_athlete(store, athlete)
    table = activity_table(store, athlete)
    activities = activities_export(started_between(table, first, last))
    daily = daily_frame(store, athlete, first, last)
    mornings = wellness_frame(store, athlete, first, last)
    if activities.is_empty() and daily.is_empty() and mornings.is_empty():
        raise no_activity(athlete, first, last, table["start_local"].dt.date())
    out = out_folder(out_dir)
    ids = activities["activity_id"].to_list()
    samples = samples_frame(store, athlete, ids)
    written = []
    for name, frame in (("activities", activities), ("daily", daily), ("samples", samples),
                        ("wellness", mornings),
                        ("comments", comments_frame(store, athlete, ids))):
        path = out / f"{name}.{fmt}"
        writer = (lambda fh, f=frame: write_csv(f, fh)) if fmt == "csv" else (lambda fh, f=frame: f.write_parquet(fh))
        written.append(write_file(path, writer))
    return written


def _iso_local(start: dt.datetime | None, offset_s: int | None) -> str | None:
    """A UTC instant as local time in ISO 8601 with its offset (``2026-03-13T07:42:00-05:00``)."""
    if start is None:
        return None
    return start.astimezone(dt.timezone(dt.timedelta(seconds=offset_s or 0))).isoformat()

"""What every export checks and how it writes: the athlete, the days asked for, the output folder,
and one atomic write per file (a reader never sees half a file under its final name)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import polars as pl

from trainlog.atomic import replace_atomic
from trainlog.errors import InvalidValue, StoreError
from trainlog.store import Store, check_athlete
from trainlog.store.disk import disk_cause, is_disk_error
from trainlog.text import printable


def checked_athlete(store: Store, athlete: str) -> str:
    """The athlete's name as stored; StoreError (one line) when the data directory has no dataset for it."""
    athlete = check_athlete(athlete)
    if athlete not in store.athletes():
        store.manifest(athlete)  # a lost or damaged manifest says so (and names trainlog repair)
        raise StoreError(f"no data for athlete {athlete!r} in {printable(store.data_dir)}; "
                         f"import some with: trainlog import PATH -a {athlete}")
    return athlete


def check_days(first: dt.date | None, last: dt.date | None) -> None:
    """InvalidValue when the first day asked for comes after the last."""
    if first is not None and last is not None and first > last:
        raise InvalidValue(f"the first day {first.isoformat()} (--from) is after the last day {last.isoformat()} (--to)")


def days_words(first: dt.date | None, last: dt.date | None) -> str:
    """The days asked for, for a message: ``" from 2026-03-01 to 2026-03-15"``, ``" up to ..."``, or ``""``."""
    if first and last:
        return f" from {first.isoformat()} to {last.isoformat()}"
    if first:
        return f" from {first.isoformat()} on"
    return f" up to {last.isoformat()}" if last else ""


def between(frame: pl.DataFrame, column: str, first: dt.date | None, last: dt.date | None) -> pl.DataFrame:
    """The rows of ``frame`` whose date ``column`` lies in ``[first, last]`` (either end open when None)."""
    if first is not None:
        frame = frame.filter(pl.col(column) >= first)
    if last is not None:
        frame = frame.filter(pl.col(column) <= last)
    return frame


def started_between(table: pl.DataFrame, first: dt.date | None, last: dt.date | None) -> pl.DataFrame:
    """The activities of an :func:`~trainlog.analysis.stored.activity_table` (its ``start_local``) whose local
    start day lies in ``[first, last]``."""
    dated = table.with_columns(pl.col("start_local").dt.date().alias("_day"))
    return between(dated, "_day", first, last).drop("_day")


def no_activity(athlete: str, first: dt.date | None, last: dt.date | None, days: pl.Series) -> InvalidValue:
    """The error of a range that holds nothing to export, naming the days the athlete's activities cover."""
    held = (f"; the activities run from {days.min().isoformat()} to {days.max().isoformat()}"
            if days.len() and days.null_count() < days.len() else "")
    return InvalidValue(f"nothing to export: {athlete} has no activity{days_words(first, last)}{held}")


def out_folder(out_dir: str | Path) -> Path:
    """``out_dir``, created when missing; InvalidValue when it is a file or cannot be created or written."""
    out = Path(out_dir).expanduser()
    if out.exists() and not out.is_dir():
        raise InvalidValue(f"{printable(out)} is a file, not a folder: give a folder to write the export in")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidValue(f"{printable(out)}: cannot create the folder ({disk_cause(exc)})") from None
    return out


def write_file(path: Path, write: Callable[[BinaryIO], object]) -> Path:
    """Write one export file atomically (:func:`trainlog.atomic.replace_atomic`): a temporary file beside it,
    then one rename. A disk that refuses it is an InvalidValue naming the file, and nothing is left behind."""
    try:
        replace_atomic(path, write)
    except Exception as exc:
        if not is_disk_error(exc):
            raise
        raise InvalidValue(f"{printable(path)}: cannot write ({disk_cause(exc)})") from None
    return path

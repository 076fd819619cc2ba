"""An athlete's activities out of trainlog as files: one FIT or GPX file per activity.

Each file is built from what trainlog stored (samples as recorded, laps, the
activity's totals) by :mod:`trainlog.export.fit` or :mod:`trainlog.export.gpx`,
named ``<local start YYYY-MM-DD_HHMM>_<sport>_<activity id>.fit|.gpx`` and written
atomically. Imported again into the same athlete, a file is a duplicate of its
activity (the importer's rule: same start within a minute, elapsed time within 5 %).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl

from trainlog import __version__
from trainlog.analysis.stored import activity_table
from trainlog.errors import InvalidValue
from trainlog.export._shared import check_days, checked_athlete, no_activity, out_folder, started_between, write_file
from trainlog.export.fit import encode_activity
from trainlog.export.gpx import encode_gpx
from trainlog.store import Store
from trainlog.words import FILE_FORMATS, MANUAL_SOURCE

#: A note about one exported activity: the file's name (or the activity's, when no file was written) and what to know.
OnNote = Callable[[str, str], None]


def file_name(activity: dict[str, Any], fmt: str) -> str:
    """``<local start YYYY-MM-DD_HHMM>_<sport>_<activity id>.<fmt>`` of a row of
    :func:`~trainlog.analysis.stored.activity_table` (the sport in letters, digits and ``-`` only)."""
    sport = re.sub(r"[^a-z0-9]+", "-", (activity["sport"] or "unknown").lower()).strip("-") or "unknown"
    return f"{activity['start_local']:%Y-%m-%d_%H%M}_{sport}_{activity['activity_id']}.{fmt}"


def export_activities(
    store: Store,
    athlete: str,
    out_dir: str | Path,
    fmt: str = "fit",
    first: dt.date | None = None,
    last: dt.date | None = None,
    on_note: OnNote | None = None,
) -> list[Path]:
    """Write one ``fmt`` file (``fit`` or ``gpx``) per activity of ``athlete`` in ``out_dir``; the paths written.

    ``first`` / ``last``: inclusive local days of the activities' starts. ``out_dir`` is created when
    missing; a file of the same name is replaced. ``on_note(name, text)`` hears what a file leaves out
    (GPX: the samples without a position; an activity without any position gets no GPX file; a session
    entered by hand gets no file).
    Errors, one line each: StoreError for an athlete without data, InvalidValue for an unknown format,
    days in the wrong order, no activity in the range, or a folder that is a file or cannot be written.
    """
    if fmt not in FILE_FORMATS:
        raise InvalidValue(f"format {fmt!r} is not an activity file format: {' or '.join(FILE_FORMATS)}")
    check_days(first, last)
    athlete = checked_athlete(store, athlete)
    manifest = store.manifest(athlete)
    table = activity_table(store, athlete)
    chosen = started_between(table, first, last)
    if chosen.is_empty():
        raise no_activity(athlete, first, last, table["start_local"].dt.date())
    out = out_folder(out_dir)
    laps = store.read_all(athlete, ("laps",), manifest)["laps"]
    written = []
    for activity in chosen.iter_rows(named=True):
        activity_id = activity["activity_id"]
        if activity["start_utc"] is None:  # a damaged file's session without a time: nothing to name or place it by
            if on_note:
                on_note(activity_id, f"no {fmt.upper()} written: the activity has no start time")
            continue
        if activity["source_file"] == MANUAL_SOURCE:  # no recording: it is in activities.csv, not a track file
            if on_note:
                on_note(activity_id, f"no {fmt.upper()} written: a session entered by hand has no recording "
                                     f"(it is in the table export: trainlog export --format csv)")
            continue
        samples = store.scan("samples", athlete, manifest).filter(pl.col("activity_id") == activity_id).collect()
        name = file_name(activity, fmt)
        if fmt == "fit":
            data = encode_activity(activity, samples, laps.filter(pl.col("activity_id") == activity_id))
        else:
            data, left_out = encode_gpx(activity, samples, f"trainlog {__version__}")
            if left_out == samples.height:
                if on_note:
                    on_note(name, "no GPX written: none of its samples has a position (a GPX track needs one)")
                continue
            if left_out and on_note:
                on_note(name, f"{left_out} of {samples.height} samples without a position left out")
        written.append(write_file(out / name, lambda fh, data=data: fh.write(data)))
    return written

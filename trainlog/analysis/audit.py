"""Audits: trainlog's figures beside what the devices themselves said.

:func:`ascent` lists, for every run whose device stored a total ascent (the
session's ``total_ascent``), that total, the one computed from the altitude
track, the one used everywhere (``ascent_m``) with its source, the altitude
samples dropped as spikes and the ascent flag (shared/METRICS.md, "Elevation
gain and loss"); :func:`ascent_of` does it for a stored athlete. ``trainlog
audit ascent`` prints it.
"""

from __future__ import annotations

import polars as pl

from trainlog.analysis.stored import activity_table
from trainlog.store import Store

#: The columns of :func:`ascent`, in order.
ASCENT_COLUMNS = (
    "activity_id",  # String
    "start_local",  # Datetime (naive, the run's local time)
    "sport",  # String (FIT sport name)
    "source_file",  # String (the file it was imported from)
    "ascent_device_m",  # Float64, m: the device's total
    "ascent_computed_m",  # Float64, m: from the altitude track (null without one)
    "difference_m",  # Float64, m: computed - device (null without a track)
    "ascent_m",  # Float64, m: the value used
    "ascent_source",  # String: device | computed
    "altitude_spikes",  # Int64: altitude samples dropped as spikes
    "ascent_flag",  # String: null, too_fast or device_disagrees
    "ascent_confirmed",  # Boolean: the athlete confirmed a flagged ascent
    "goal_counted",  # Boolean: the goal's figures count the run
)


def ascent(table: pl.DataFrame) -> pl.DataFrame:
    """One row per run with a device total, oldest first (no start time: last), with :data:`ASCENT_COLUMNS`.

    ``table`` is :func:`trainlog.analysis.stored.activity_table`: the activities with
    ``start_local`` and their per-activity metrics (:data:`trainlog.analysis.metrics.ACTIVITY`).
    """
    return (
        table.filter(pl.col("ascent_device_m").is_not_null())
        .sort("start_utc", "activity_id", nulls_last=True)
        .with_columns(difference_m=pl.col("ascent_computed_m") - pl.col("ascent_device_m"))
        .select(ASCENT_COLUMNS)
    )


def ascent_of(store: Store, athlete: str) -> pl.DataFrame:
    """:func:`ascent` of a stored athlete (their analysis as the CLI and the dashboard show it)."""
    return ascent(activity_table(store, athlete))

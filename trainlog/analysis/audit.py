"""Audits: trainlog's figures beside what the devices themselves said.

:func:`ascent` lists, for every run whose device stored a total ascent (the
session's ``total_ascent``), that total, the one computed from the altitude
track, the one used everywhere (``ascent_m``) with its source, the altitude
samples dropped as spikes and the ascent flag (shared/METRICS.md, "Elevation
gain and loss"); :func:`ascent_of` does it for a stored athlete. ``trainlog
audit ascent`` prints it: :func:`ascent_rows` as JSON, :func:`ascent_lines` as a table.
"""

from __future__ import annotations

import polars as pl

from trainlog.analysis.stored import activity_table
from trainlog.store import Store
from trainlog.text import fmt_num, printable

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


def ascent_rows(audit: pl.DataFrame) -> list[dict]:
    """The rows of :func:`ascent` as JSON-serialisable dicts (``start_local`` as ISO text, to the second)."""
    return [
        {**r, "start_local": r["start_local"].isoformat(timespec="seconds") if r["start_local"] else None}
        for r in audit.iter_rows(named=True)
    ]


def ascent_lines(athlete: str, rows: list[dict]) -> list[str]:
    """The table of ``trainlog audit ascent`` for the rows of :func:`ascent_rows`: a header, one line per run
    (ascents in m) and the count of runs and flags."""
    lines = [f"{'date':<10} {'time':<5} {'sport':<14} {'device m':>8} {'computed m':>10} {'used m':>7} "
             f"{'source':<8} {'spikes':>6}  {'flag':<16} id"]
    for r in rows:
        flag = (r["ascent_flag"] or "") + (" (confirmed)" if r["ascent_flag"] and r["ascent_confirmed"] else "")
        lines.append(
            f"{(r['start_local'] or '')[:10]:<10} {(r['start_local'] or '')[11:16]:<5} "
            f"{printable(r['sport'] or 'unknown')[:14]:<14} {fmt_num(r['ascent_device_m']):>8} "
            f"{fmt_num(r['ascent_computed_m'], '.1f'):>10} {fmt_num(r['ascent_m']):>7} {r['ascent_source']:<8} "
            f"{fmt_num(r['altitude_spikes'], 'd'):>6}  {flag:<16} {printable(r['activity_id'])}"
        )
    flagged = sum(r["ascent_flag"] is not None for r in rows)
    lines.append(f"{athlete}: {len(rows)} runs with a device total, {flagged} flagged")
    return lines

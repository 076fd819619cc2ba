"""UTC -> the athlete's local time, independent of the machine's TZ setting.

The offset comes from the activity's own ``utc_offset_s`` (the FIT activity
message's ``local_timestamp - timestamp``); without it, the athlete's
configured IANA time zone; without that, the machine's local zone
(shared/METRICS.md, "Time and days").
"""

from __future__ import annotations

import polars as pl

from trainlog.days import zone_offset_s  # the rules, shared with ingest


def resolved_offsets(activities: pl.DataFrame, timezone: str | None = None) -> pl.Series:
    """Per activity UTC offset in seconds (Int32): device's, else zone's at the start."""
    offsets = [
        off if off is not None else (zone_offset_s(start, timezone) if start is not None else 0)
        for off, start in zip(activities["utc_offset_s"].to_list(), activities["start_utc"].to_list())
    ]
    return pl.Series("utc_offset_s", offsets, dtype=pl.Int32)


def with_local_start(activities: pl.DataFrame, timezone: str | None = None) -> pl.DataFrame:
    """Add ``start_local`` (naive local datetime) and fill ``utc_offset_s``."""
    offsets = resolved_offsets(activities, timezone)
    return activities.with_columns(offsets).with_columns(
        (pl.col("start_utc").dt.replace_time_zone(None) + pl.duration(seconds=pl.col("utc_offset_s"))).alias(
            "start_local"
        )
    )


def local_date(timestamp_utc: pl.Expr, offset_s: pl.Expr) -> pl.Expr:
    """Local calendar date (Date) of a UTC timestamp shifted by an offset in seconds.

    Pure arithmetic on UTC instants: never depends on the machine's ``TZ``.
    """
    return (timestamp_utc + pl.duration(seconds=offset_s)).dt.date()

"""What exports say of each activity (``activity_meta``, written by :mod:`trainlog.ingest.metajoin`), as read.

The table is append-only; the latest row per activity wins. :func:`latest`
folds it, :func:`joined` adds its columns (:data:`COLUMNS`) to an activities
frame (null where nothing is known), for the activities list, the dashboard
and the exports.
"""

from __future__ import annotations

import polars as pl

from trainlog.store import schema

#: The columns :func:`joined` adds (the export's own words: ``sport_type`` is shown as ``export_type``).
COLUMNS = ("name", "description", "gear", "commute", "private", "export_type")


def latest(meta: pl.DataFrame) -> pl.DataFrame:
    """One row per activity: its latest ``activity_meta`` row (rows are in commit order)."""
    return meta.unique(subset="activity_id", keep="last", maintain_order=True)


def joined(activities: pl.DataFrame, meta: pl.DataFrame | None) -> pl.DataFrame:
    """``activities`` with :data:`COLUMNS` from ``meta`` (the activity_meta table; None or empty: all null)."""
    meta = schema.empty("activity_meta") if meta is None else meta
    base = activities.drop([c for c in COLUMNS if c in activities.columns])
    extra = latest(meta).select("activity_id", "name", "description", "gear", "commute", "private",
                                pl.col("sport_type").alias("export_type"))
    return base.join(extra, on="activity_id", how="left")

"""Small frame builders for the metrics tests (activities and samples with the dataset schema)."""

from __future__ import annotations

import datetime as dt

import polars as pl

from trainlog import schema

UTC = dt.timezone.utc


def utc(*args: int) -> dt.datetime:
    """A UTC datetime: ``utc(2024, 3, 1, 8)``."""
    return dt.datetime(*args, tzinfo=UTC)


def activities(*rows: dict) -> pl.DataFrame:
    """Activities frame; each row gives at least ``activity_id`` and ``start_utc``.

    Defaults: sport running, utc_offset_s 0, other columns null.
    """
    defaults = {"sport": "running", "utc_offset_s": 0, "athlete": "me"}
    full = [{**defaults, **row} for row in rows]
    return pl.DataFrame(full, schema=schema.ACTIVITIES) if full else schema.empty("activities")


def samples(
    activity_id: str,
    start: dt.datetime,
    *,
    step_s: float = 1.0,
    n: int | None = None,
    times_s: list[float] | None = None,
    distance_m: list[float | None] | None = None,
    altitude_m: list[float | None] | None = None,
    speed_mps: list[float | None] | None = None,
    hr_bpm: list[float | None] | None = None,
) -> pl.DataFrame:
    """Samples of one activity. Times are ``start + times_s`` (default every ``step_s``);
    streams not given are null."""
    lengths = [len(x) for x in (times_s, distance_m, altitude_m, speed_mps, hr_bpm) if x is not None]
    count = n if n is not None else lengths[0]
    offsets = times_s if times_s is not None else [i * step_s for i in range(count)]
    data = {
        "activity_id": [activity_id] * count,
        "timestamp": [start + dt.timedelta(seconds=t) for t in offsets],
        "distance_m": distance_m or [None] * count,
        "altitude_m": altitude_m or [None] * count,
        "speed_mps": speed_mps or [None] * count,
        "hr_bpm": hr_bpm or [None] * count,
    }
    return pl.DataFrame(data).with_columns(
        pl.lit(None).alias(name) for name in schema.SAMPLES if name not in data
    ).select(pl.col(name).cast(dtype) for name, dtype in schema.SAMPLES.items())


def concat(*frames: pl.DataFrame) -> pl.DataFrame:
    """Samples of several activities (an empty samples frame when none)."""
    return pl.concat(frames) if frames else schema.empty("samples")

"""Small frame builders for the metrics tests (activities and samples with the dataset schema)."""

from __future__ import annotations

import datetime as dt

import polars as pl
from hypothesis import strategies as st

from trainlog.store import schema

UTC = dt.UTC


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


@st.composite
def histories(draw):
    """Hypothesis strategy: (activities, samples) of 1-4 random activities: some without samples,
    with gaps, duplicated timestamps, dropouts (null or 0) in distance, altitude and HR."""
    acts, frames = [], []
    for k in range(draw(st.integers(1, 4))):
        aid = f"a{k}"
        start = utc(2024, 3, 1) + dt.timedelta(hours=draw(st.integers(0, 24 * 10)))
        n = draw(st.integers(0, 40))
        steps = draw(st.lists(st.sampled_from([0, 1, 10, 60, 3600]), min_size=n, max_size=n))
        times = [float(sum(steps[:i])) for i in range(n)]
        climb = draw(st.lists(st.floats(-20, 20), min_size=n, max_size=n))
        dropout = draw(st.lists(st.booleans(), min_size=n, max_size=n))
        with_hr = draw(st.booleans())
        acts.append(
            {
                "activity_id": aid,
                "start_utc": start,
                "timer_s": float(draw(st.integers(0, 20000))),
                "distance_m": draw(st.none() | st.floats(0, 50000)),
                "ascent_device_m": draw(st.none() | st.floats(0, 3000)),
                "utc_offset_s": draw(st.sampled_from([None, -18000, 0, 7200, 46800])),
            }
        )
        if n:
            frames.append(
                samples(
                    aid,
                    start,
                    times_s=times,
                    distance_m=[None if d else 3.0 * t for d, t in zip(dropout, times)],
                    altitude_m=[0.0 if d else 1000.0 + sum(climb[: i + 1]) for i, d in enumerate(dropout)],
                    hr_bpm=[(0.0 if d else 140.0 + i % 30) for i, d in enumerate(dropout)] if with_hr else None,
                )
            )
    return activities(*acts), concat(*frames)

"""A decoded file's store rows (trainlog.ingest.tables.activity_tables): legs, samples, laps, notes."""

from __future__ import annotations

import datetime as dt

import polars as pl

from trainlog.ingest.decoded import RECORD_COLUMNS, DecodedFile
from trainlog.ingest.tables import activity_tables
from trainlog.store import schema

T0 = dt.datetime(2024, 5, 1, 8, tzinfo=dt.UTC)
SHA = "0123456789abcdef" * 4
NOW = dt.datetime(2024, 5, 2, tzinfo=dt.UTC)


def records(n: int) -> pl.DataFrame:
    """``n`` records one second apart from T0, 3 m/s."""
    return pl.DataFrame(
        {
            "timestamp": [T0 + dt.timedelta(seconds=i) for i in range(n)],
            **{c: [None] * n for c in RECORD_COLUMNS if c != "timestamp"},
        },
        schema={"timestamp": schema.UTC, **{c: pl.Float64 for c in RECORD_COLUMNS if c != "timestamp"}},
    ).with_columns(distance_m=pl.int_range(n).cast(pl.Float64) * 3.0, speed_mps=pl.lit(3.0))


def session(start_s: int, elapsed_s: float, sport: str, distance_m: float | None) -> dict:
    start = T0 + dt.timedelta(seconds=start_s)
    return {"start_utc": start, "end_utc": start + dt.timedelta(seconds=elapsed_s), "elapsed_s": elapsed_s,
            "timer_s": elapsed_s, "distance_m": distance_m, "sport": sport, "sub_sport": None}


def lap(start_s: int) -> dict:
    return {"start_utc": T0 + dt.timedelta(seconds=start_s), "end_utc": None, "elapsed_s": 30.0, "timer_s": 30.0,
            "distance_m": 90.0, "avg_speed_mps": 3.0}


def test_a_two_session_file_is_two_legs_each_with_its_samples_and_laps():
    decoded = DecodedFile(
        "duathlon.fit", "activity", sessions=[session(60, 60.0, "cycling", 900.0), session(0, 60.0, "running", 180.0)],
        laps=[lap(90), lap(0), lap(30), lap(60)], records=records(120), utc_offset_s=3600,
    )
    activities, samples, laps = activity_tables(decoded, SHA, "mara", NOW)
    assert activities["activity_id"].to_list() == [f"{SHA[:16]}-0", f"{SHA[:16]}-1"]
    assert activities["sport"].to_list() == ["running", "cycling"]  # sessions in time order
    assert activities["leg"].to_list() == [0, 1] and activities["n_legs"].to_list() == [2, 2]
    assert activities["n_records"].to_list() == [60, 60]
    assert activities["utc_offset_s"].to_list() == [3600, 3600]
    assert activities["import_note"].to_list() == [None, None]
    per_leg = samples.group_by("activity_id", maintain_order=True).agg(pl.col("timestamp").min(), pl.len())
    assert per_leg.rows() == [(f"{SHA[:16]}-0", T0, 60), (f"{SHA[:16]}-1", T0 + dt.timedelta(seconds=60), 60)]
    assert laps.select("activity_id", "lap_index").rows() == [
        (f"{SHA[:16]}-0", 0), (f"{SHA[:16]}-0", 1), (f"{SHA[:16]}-1", 0), (f"{SHA[:16]}-1", 1)
    ]
    assert dict(activities.schema) == schema.ACTIVITIES
    assert dict(laps.schema) == {k: v for k, v in schema.LAPS.items() if k in laps.columns}


def test_a_file_cut_before_its_session_takes_its_totals_from_the_records():
    decoded = DecodedFile("cut.fit", "activity", records=records(121), partial=True, notes=["truncated at byte 9000"])
    activities, samples, laps = activity_tables(decoded, SHA, "mara", NOW)
    row = activities.row(0, named=True)
    assert row["start_utc"] == T0 and row["elapsed_s"] == 120.0 and row["timer_s"] == 120.0
    assert row["distance_m"] == 360.0  # the last record's distance
    assert row["partial"] is True
    assert row["import_note"] == (
        "truncated at byte 9000; no session message: totals computed from records; distance from records"
    )
    assert samples.height == 121 and laps.is_empty()

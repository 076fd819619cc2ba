"""A decoded file's store rows (trainlog.ingest.tables): legs, samples, laps, notes; many files' rows at once."""

from __future__ import annotations

import datetime as dt
import pickle

import polars as pl
from polars.testing import assert_frame_equal

from trainlog.ingest.decoded import RECORD_COLUMNS, DecodedFile
from trainlog.ingest.tables import FILE_TABLES, activity_tables, file_rows, frames, rows_of
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


def duathlon() -> DecodedFile:
    return DecodedFile(
        "duathlon.fit", "activity", sessions=[session(60, 60.0, "cycling", None), session(0, 60.0, "running", 180.0)],
        laps=[lap(90), lap(0), lap(30), lap(60)], records=records(120), utc_offset_s=3600,
        rr_intervals=[(None, (800, 810, None)), (int((T0 + dt.timedelta(seconds=90)).timestamp() * 1e6), (600, 610))],
    )


def test_a_one_leg_clock_that_went_back_is_noted_and_a_clean_one_is_not():
    back = records(120).with_columns(
        timestamp=pl.when(pl.int_range(pl.len()) >= 60).then(pl.col("timestamp") - dt.timedelta(hours=1))
        .otherwise(pl.col("timestamp")))
    for recs, noted in ((records(120), False), (back, True)):
        decoded = DecodedFile("run.fit", "activity", sessions=[session(0, 120.0, "running", 360.0)], records=recs)
        note = activity_tables(decoded, SHA, "mara", NOW)[0]["import_note"].item()
        assert (note is not None and note.startswith("clock jump repaired: the clock went back")) is noted


def test_many_files_rows_built_at_once_equal_each_files_rows_one_after_the_other():
    files = [
        (duathlon(), "a" * 64),
        (DecodedFile("cut.fit", "activity", records=records(30), partial=True, notes=["truncated"]), "b" * 64),
        (DecodedFile("no_records.fit", "activity", sessions=[session(0, 60.0, "running", 180.0)]), "c" * 64),
    ]
    # what a decoding worker sends back crosses a pipe pickled
    rows = [pickle.loads(pickle.dumps(rows_of(decoded, sha, "mara", NOW))) for decoded, sha in files]
    together = frames(rows)
    for table in FILE_TABLES:
        alone = pl.concat([file_rows(decoded, sha, "mara", NOW)[table] for decoded, sha in files])
        assert dict(together[table].schema) == schema.TABLES[table]
        assert_frame_equal(together[table], alone)
    assert together["samples"].group_by("activity_id", maintain_order=True).len().rows() == [
        ("a" * 16 + "-0", 60), ("a" * 16 + "-1", 60), ("b" * 16 + "-0", 30)]
    assert together["activities"]["n_records"].to_list() == [60, 60, 30, 0]
    assert together["activities"]["distance_m"].to_list() == [180.0, 357.0, 87.0, 180.0]  # the cycling leg's: records'
    assert together["activity_hrv"]["activity_id"].to_list() == ["a" * 16 + "-0", "a" * 16 + "-1"]

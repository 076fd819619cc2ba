"""Builders and checks shared by the tests (inputs made in memory, a stored dataset checked)."""

from __future__ import annotations

import io
import zipfile

import polars as pl

from trainlog import Store


def check_dataset(store: Store, athlete: str) -> pl.DataFrame:
    """The dataset reads, each activity is stored once with all its samples, and the
    activities are exactly those of the files the ledger says were imported."""
    t = store.read_all(athlete)
    acts, samples, files = t["activities"], t["samples"], t["files"]
    assert acts["activity_id"].n_unique() == acts.height
    assert files["file_sha256"].n_unique() == files.height
    imported = set(files.filter(pl.col("outcome") == "imported")["file_sha256"])
    assert set(acts["file_sha256"]) == imported
    per = samples.group_by("activity_id").len()
    joined = acts.select("activity_id", "n_records").join(per, on="activity_id", how="left").fill_null(0)
    assert joined.filter(pl.col("n_records") != pl.col("len")).is_empty()
    assert set(t["laps"]["activity_id"]) <= set(acts["activity_id"])
    return acts


def zip_bytes(entries: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A zip archive, in memory, holding ``entries`` (name -> bytes)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()

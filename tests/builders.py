"""Builders and checks shared by the tests (inputs made in memory, a stored dataset checked)."""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Collection
from pathlib import Path

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


def tree(path: Path, *, skip: Collection[str] = ()) -> dict[str, str]:
    """What is on disk under ``path``, to compare before and after ("nothing changed on disk").

    Each file's relative POSIX path maps to the sha256 of its bytes; each folder's, with a trailing
    ``/``, to "" (so an added empty folder is a change too). Entries named in ``skip`` (the store's
    ``.lock``: taking the writers' lock is not a change) are left out. Empty when ``path`` does not exist.
    """
    out = {}
    for p in sorted(path.rglob("*")):
        if p.name in skip:
            continue
        rel = p.relative_to(path).as_posix()
        if p.is_dir():
            out[rel + "/"] = ""
        else:
            out[rel] = hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "not a regular file"
    return out

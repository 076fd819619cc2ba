"""The derived frames' cache (trainlog.store.derived and Store.derived): kept per key, recomputed when stale."""

from __future__ import annotations

import polars as pl

from trainlog import Store
from trainlog.store import schema
from trainlog.store.derived import DERIVED_META, derived_problem, read_derived, write_derived

FRAME = pl.DataFrame({"day": [1, 2], "load": [10.5, None]})


def test_a_frame_written_reads_back_for_its_key_only(tmp_path):
    path = tmp_path / "derived" / "daily-x.parquet"
    assert write_derived(path, FRAME, "generation 3")
    assert read_derived(path, "generation 3").equals(FRAME)
    assert read_derived(path, "generation 4") is None
    assert derived_problem(path) is None and derived_problem(path, "generation 4") == "was computed for another key"
    assert sorted(p.name for p in path.parent.iterdir()) == ["daily-x.parquet"]  # no temporary file left


def test_a_foreign_or_damaged_file_is_named_and_not_used(tmp_path):
    foreign = tmp_path / "foreign.parquet"
    FRAME.write_parquet(foreign)
    assert derived_problem(foreign) == "has no trainlog record of its schema (not written by this trainlog)"
    assert read_derived(foreign, "k") is None
    damaged = tmp_path / "damaged.parquet"
    damaged.write_bytes(b"PAR1 and nothing more")
    assert derived_problem(damaged).startswith("is unreadable (")
    other = tmp_path / "other.parquet"
    assert write_derived(other, FRAME, "k")
    meta = pl.read_parquet_metadata(other)
    FRAME.rename({"load": "load_au"}).write_parquet(other, metadata={DERIVED_META: meta[DERIVED_META]})
    assert derived_problem(other, "k") == "has other columns than it was written with"


def test_a_disk_that_refuses_the_write_is_no_error(tmp_path):
    (tmp_path / "derived").write_text("a file where the folder should be")
    assert write_derived(tmp_path / "derived" / "daily-x.parquet", FRAME, "k") is False


def test_store_derived_computes_once_per_key_and_keeps_one_file(store: Store):
    with store.transaction("mara") as tx:
        tx.append("files", pl.DataFrame([{"file_sha256": "s", "outcome": "skipped"}]).cast(
            {"file_sha256": pl.String, "outcome": pl.String}).with_columns(
            [pl.lit(None).cast(t).alias(c) for c, t in schema.FILES.items() if c not in ("file_sha256", "outcome")]))
    calls = []

    def compute() -> pl.DataFrame:
        calls.append(1)
        return FRAME

    assert store.derived("mara", "daily", "k1", compute).equals(FRAME)
    assert store.derived("mara", "daily", "k1", compute).equals(FRAME)
    assert len(calls) == 1
    store.derived("mara", "daily", "k2", compute)
    assert len(calls) == 2
    files = sorted((store.athlete_dir("mara") / "derived").iterdir())
    assert len(files) == 1 and files[0].name.startswith("daily-")


def test_store_derived_writes_nothing_where_there_is_no_dataset(store: Store):
    assert store.derived("tom", "daily", "k", lambda: FRAME).equals(FRAME)
    assert not store.athlete_dir("tom").exists()

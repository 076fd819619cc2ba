"""trainlog.store.migrations: an older dataset brought to the current schema, nothing lost."""

from __future__ import annotations

import json

import polars as pl
import pytest
from builders import activities, concat, samples, utc

from trainlog.errors import StoreError
from trainlog.store import MANIFEST, Store, schema
from trainlog.store.migrations import MIGRATIONS
from trainlog.words import Outcome


class FakeStep:
    """A migration's view of a transaction: the committed tables, and what it appends."""

    def __init__(self, tables: dict[str, pl.DataFrame]) -> None:
        self.tables = tables
        self.appended: dict[str, list[pl.DataFrame]] = {}

    def read(self, table: str) -> pl.DataFrame:
        return self.tables.get(table, schema.empty(table))

    def append(self, table: str, frame: pl.DataFrame) -> None:
        self.appended.setdefault(table, []).append(frame)


def test_there_is_one_step_for_every_version_below_the_current():
    assert sorted(MIGRATIONS) == list(range(schema.SCHEMA_VERSION))


def _v0_activities() -> pl.DataFrame:
    """Three legs of file F (imported once, two legs; re-imported later), one activity of file G."""
    return activities(
        {"activity_id": "F-1", "file_sha256": "F", "leg": 1, "source_file": "f.fit", "start_utc": utc(2024, 3, 1, 10),
         "n_records": 0, "imported_at": utc(2024, 3, 2)},
        {"activity_id": "F-0", "file_sha256": "F", "leg": 0, "source_file": "f.fit", "start_utc": utc(2024, 3, 1, 9),
         "n_records": 5, "imported_at": utc(2024, 3, 2)},
        {"activity_id": "G-0", "file_sha256": "G", "leg": 0, "source_file": "old/g.fit", "start_utc": utc(2024, 3, 3),
         "n_records": 2, "imported_at": utc(2024, 3, 1)},
    )


def test_version_0_to_1_rebuilds_the_ledger_one_row_per_file():
    tx = FakeStep({"activities": _v0_activities()})
    MIGRATIONS[0](tx)
    assert list(tx.appended) == ["files"]
    ledger = pl.concat(tx.appended["files"]).sort("file_sha256")
    assert ledger["file_sha256"].to_list() == ["F", "G"]
    assert ledger["source_file"].to_list() == ["f.fit", "old/g.fit"]
    assert ledger["imported_at"].to_list() == [utc(2024, 3, 2), utc(2024, 3, 1)]
    assert ledger["outcome"].to_list() == [Outcome.IMPORTED.value] * 2 == ["imported", "imported"]
    assert ledger["detail"].to_list() == ["ledger rebuilt by the schema 0 -> 1 migration"] * 2
    assert set(ledger.columns) >= set(schema.FILES)  # the transaction casts it to the FILES schema


def test_version_0_to_1_with_no_activities_appends_nothing():
    tx = FakeStep({})
    MIGRATIONS[0](tx)
    assert tx.appended == {}


def _version_0_dataset(store: Store, athlete: str) -> None:
    """A dataset as version 0 wrote it: activities, samples and laps, no files ledger."""
    with store.transaction(athlete) as tx:
        tx.append("activities", _v0_activities().with_columns(pl.lit(athlete).alias("athlete")))
        tx.append("samples", concat(samples("F-0", utc(2024, 3, 1, 9), n=5, distance_m=[0.0, 3.0, 6.0, 9.0, 12.0]),
                                    samples("G-0", utc(2024, 3, 3), n=2, hr_bpm=[120.0, 121.0])))
    path = store.athlete_dir(athlete) / MANIFEST
    doc = json.loads(path.read_text())
    assert doc["tables"].pop("files") == []  # nothing was written to it
    doc["schema_version"] = 0
    path.write_text(json.dumps(doc))


def test_a_version_0_dataset_migrates_to_the_current_version_with_nothing_lost(store):
    _version_0_dataset(store, "mara")
    assert store.manifest("mara").schema_version == 0
    before = {t: store.read(t, "mara") for t in ("activities", "samples", "laps", "choices")}
    old_manifest = (store.athlete_dir("mara") / MANIFEST).read_text()

    assert store.migrate("mara") == 0
    assert store.manifest("mara").schema_version == schema.SCHEMA_VERSION
    for table, frame in before.items():
        assert store.read(table, "mara").equals(frame), table
    files = store.read("files", "mara").sort("file_sha256")
    assert files["file_sha256"].to_list() == ["F", "G"]
    assert files["outcome"].to_list() == ["imported", "imported"]
    assert (store.athlete_dir("mara") / f"{MANIFEST}.v0.bak").read_text() == old_manifest
    assert store.check("mara") == []


def test_a_current_dataset_is_not_migrated(store):
    _version_0_dataset(store, "mara")
    store.migrate("mara")
    generation = store.generation("mara")
    assert store.migrate("mara") is None
    assert store.generation("mara") == generation


def test_a_version_with_no_step_is_refused(store):
    _version_0_dataset(store, "mara")
    path = store.athlete_dir("mara") / MANIFEST
    doc = json.loads(path.read_text())
    doc["schema_version"] = -1
    path.write_text(json.dumps(doc))
    with pytest.raises(StoreError, match="schema version -1 is unknown"):
        store.migrate("mara")

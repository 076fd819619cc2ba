"""Checking a dataset (trainlog.store.check): each consistency rule on a small dataset written in memory.

The end-to-end cases (lost manifests, crashes, full disks, repair) are in
test_dataset.py; here each rule of a whole dataset is broken once, on purpose.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from builders import activities, samples, utc

from trainlog import Store
from trainlog.store import MANIFEST, schema
from trainlog.store.check import Problem

START = utc(2025, 3, 1, 7)


def act(aid: str, sha: str, n: int) -> pl.DataFrame:
    return activities({"activity_id": aid, "start_utc": START, "file_sha256": sha, "n_records": n})


def ledger(*rows: tuple[str, str]) -> pl.DataFrame:
    """Import ledger rows: (file_sha256, outcome)."""
    return pl.DataFrame([{"file_sha256": sha, "source_file": f"{sha}.fit", "outcome": outcome, "detail": None,
                          "imported_at": START} for sha, outcome in rows], schema=schema.FILES)


def laps(aid: str) -> pl.DataFrame:
    return pl.DataFrame([{"activity_id": aid, "lap_index": 0, "start_utc": START}], schema=schema.LAPS)


def write(store: Store, **tables: pl.DataFrame) -> None:
    """One commit appending the given tables' rows."""
    with store.transaction("mara") as tx:
        for table, frame in tables.items():
            tx.append(table, frame)


def inconsistencies(store: Store) -> list[str]:
    prefix = "the dataset it lists is inconsistent: "
    found = store.check("mara")
    assert all(p.path == store.athlete_dir("mara") / MANIFEST and p.message.startswith(prefix) for p in found), found
    return [p.message.removeprefix(prefix) for p in found]


@pytest.fixture
def whole(store: Store) -> Store:
    """One activity of three samples and a lap, its file recorded as imported, one duplicate beside it."""
    write(store, activities=act("a-0", "sha-a", 3), samples=samples("a-0", START, n=3), laps=laps("a-0"),
          files=ledger(("sha-a", "imported"), ("sha-b", "duplicate")))
    return store


def test_a_whole_dataset_has_no_problems(whole):
    assert whole.check("mara") == []
    assert whole.check_all() == {"mara": []}


def test_an_activity_stored_twice(whole):
    write(whole, activities=act("a-0", "sha-a", 0))
    assert "1 activities are stored twice" in inconsistencies(whole)


def test_an_activity_without_all_its_samples(whole):
    write(whole, activities=act("b-0", "sha-b2", 5), samples=samples("b-0", START, n=4),
          files=ledger(("sha-b2", "imported")))
    assert inconsistencies(whole) == ["1 activities have another number of samples than they record"]


def test_samples_and_laps_of_an_activity_not_stored(whole):
    write(whole, samples=samples("ghost-0", START, n=2), laps=laps("ghost-1"))
    assert inconsistencies(whole) == ["samples of 1 activities that are not stored",
                                      "laps of 1 activities that are not stored"]


def test_the_ledger_and_the_activities_disagree(whole):
    write(whole, activities=act("c-0", "sha-c", 0))  # its file not recorded as imported
    write(whole, files=ledger(("sha-d", "imported")))  # a file recorded as imported, no activity
    assert inconsistencies(whole) == [
        "activities of 1 files the import ledger does not record as imported",
        "the import ledger records 1 imported files whose activities are missing",
    ]


def test_a_file_in_the_ledger_twice(whole):
    write(whole, files=ledger(("sha-b", "skipped")))
    assert inconsistencies(whole) == ["1 files are in the import ledger twice"]


def test_choices_about_an_activity_not_stored_are_no_problem(whole):
    write(whole, choices=pl.DataFrame([{"activity_id": "gone-0", "action": "exclude", "rpe": None,
                                        "at": START + dt.timedelta(days=1)}], schema=schema.CHOICES))
    assert whole.check("mara") == []


def test_a_part_without_a_column_of_its_table_is_named(whole):
    adir = whole.athlete_dir("mara")
    part = whole.manifest("mara").tables["laps"][0]
    pl.DataFrame({"activity_id": ["a-0"]}).write_parquet(adir / part)
    [problem] = whole.check("mara")
    assert problem == Problem(adir / part, f"listed in {MANIFEST} (laps table) but lacks the columns "
                                           + ", ".join(c for c in schema.LAPS if c != "activity_id"))
    assert problem.line() == f"{adir / part}: {problem.message}"


def test_repair_of_a_whole_dataset_changes_nothing(whole):
    before = (whole.athlete_dir("mara") / MANIFEST).read_bytes()
    report = whole.repair("mara")
    assert not report.changed and report.left_out == [] and report.activities == 1
    assert report.kept == [n for t in schema.TABLES for n in whole.manifest("mara").tables[t]]
    assert (whole.athlete_dir("mara") / MANIFEST).read_bytes() == before


def test_repair_sets_aside_an_inconsistent_commit_and_keeps_the_rest(whole):
    write(whole, activities=act("b-0", "sha-b2", 5), files=ledger(("sha-b2", "imported")))  # no samples
    adir = whole.athlete_dir("mara")
    dry = whole.repair("mara", dry_run=True)
    assert dry.changed and dry.activities == 1 and len(dry.left_out) == 2
    assert all("its commit is incomplete" in why for _, why in dry.left_out)
    assert inconsistencies(whole)  # a dry run changed nothing
    report = whole.repair("mara")
    assert report.backup.exists() and report.moved_to == adir / report.moved_to.name
    assert sorted(p.name for p in report.moved_to.iterdir()) == sorted(n for n, _ in report.left_out)
    assert whole.check("mara") == []
    assert whole.read("activities", "mara")["activity_id"].to_list() == ["a-0"]

"""trainlog.store.schema: the dataset's tables, their columns and dtypes, as stored and read back."""

from __future__ import annotations

import polars as pl
import pytest
from builders import SAMPLE_FIT

from trainlog import import_paths
from trainlog.store import schema
from trainlog.words import OUTCOMES

#: The dataset's tables, in the order the store lists them.
NAMES = ["activities", "samples", "laps", "files", "choices", "plan_weeks", "plan_days", "activity_meta",
         "ratings", "comments", "wellness", "activity_hrv"]


def test_the_tables_are_the_eight_of_the_dataset():
    assert list(schema.TABLES) == NAMES
    assert schema.TABLES["activities"] is schema.ACTIVITIES and schema.TABLES["choices"] is schema.CHOICES
    assert schema.TABLES["plan_weeks"] is schema.PLAN_WEEKS and schema.TABLES["plan_days"] is schema.PLAN_DAYS


@pytest.mark.parametrize("table", NAMES)
def test_empty_has_the_tables_columns_and_no_rows(table):
    frame = schema.empty(table)
    assert frame.height == 0
    assert frame.schema == pl.Schema(schema.TABLES[table])


def test_empty_refuses_an_unknown_table():
    with pytest.raises(KeyError):
        schema.empty("weekly")


@pytest.mark.parametrize("table", NAMES)
def test_every_time_is_utc_in_microseconds(table):
    for name, dtype in schema.TABLES[table].items():
        if isinstance(dtype, pl.Datetime) or dtype == pl.Datetime:
            assert dtype == pl.Datetime("us", "UTC"), (table, name)
    assert schema.UTC == pl.Datetime("us", "UTC")


@pytest.mark.parametrize("table", NAMES)
def test_units_in_the_names_are_floats(table):
    for name, dtype in schema.TABLES[table].items():
        if name.endswith(("_m", "_mps", "_bpm", "_kcal", "_rpm", "_w", "_c", "_deg")) or name in ("elapsed_s", "timer_s"):
            assert dtype == pl.Float64, (table, name)


def test_conform_orders_and_casts_a_frame_to_the_tables_schema():
    ready = schema.empty("laps")
    assert schema.conform("laps", ready) is ready  # nothing to do: the frame itself
    shuffled = ready.select(reversed(ready.columns))
    assert schema.conform("laps", shuffled).schema == ready.schema
    typed = ready.with_columns(pl.col("lap_index").cast(pl.Int64))
    assert schema.conform("laps", typed).schema == ready.schema
    with pytest.raises(pl.exceptions.ColumnNotFoundError):
        schema.conform("laps", ready.drop("lap_index"))


def test_the_keys_that_link_the_tables():
    for table in ("activities", "samples", "laps", "choices"):
        assert schema.TABLES[table]["activity_id"] == pl.String, table
    assert schema.ACTIVITIES["file_sha256"] == schema.FILES["file_sha256"] == pl.String
    assert schema.ACTIVITIES["utc_offset_s"] == pl.Int32  # seconds east of UTC, fits +-14 h
    assert (schema.ACTIVITIES["leg"], schema.ACTIVITIES["n_legs"]) == (pl.Int16, pl.Int16)


def test_the_schema_version_is_two():
    assert schema.SCHEMA_VERSION == 4  # 2: the plan tables; 3: activity_meta; 4: the athlete's entries


def test_an_imported_file_is_stored_and_read_back_with_exactly_these_schemas(store):
    path = sorted((SAMPLE_FIT / "mara").glob("*_running.fit"))[0]
    report = import_paths(store, [path], "mara", workers=1)
    assert report.ok, report.results
    tables = store.read_all("mara")
    assert list(tables) == NAMES
    for table, frame in tables.items():
        assert frame.schema == pl.Schema(schema.TABLES[table]), table
    assert tables["activities"].height == 1 and tables["samples"].height == tables["activities"]["n_records"].item()
    # the ledger's outcome is one of the words an import reports, as a plain string
    assert tables["files"]["outcome"].to_list() == ["imported"]
    assert set(tables["files"]["outcome"]) <= set(OUTCOMES)
    # and the Parquet parts on disk hold these columns too (not only after the reader's cast)
    part = next(store.athlete_dir("mara").glob("activities-*.parquet"))
    assert pl.read_parquet_schema(part) == dict(schema.ACTIVITIES)

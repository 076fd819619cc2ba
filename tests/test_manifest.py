"""The manifest and the parts' file names (trainlog.store.manifest)."""

from __future__ import annotations

import json

import pytest

from trainlog.store import schema
from trainlog.store.manifest import MANIFEST, Manifest, PartName, committed_generation


def test_a_new_manifest_lists_every_table_empty():
    m = Manifest()
    assert m.generation == 0 and m.schema_version == schema.SCHEMA_VERSION
    assert m.tables == {t: [] for t in schema.TABLES} and m.retired == []
    assert m.listed() == set()
    assert Manifest().tables is not m.tables  # each manifest its own lists


def test_the_manifest_round_trips_through_its_json():
    m = Manifest(generation=7, tables={**{t: [] for t in schema.TABLES}, "activities": ["activities-000007-ab.parquet"]},
                 retired=[("samples-000003-cd.parquet", 1700000000.5)], schema_version=0)
    doc = json.loads(m.to_json())
    assert doc == {"schema_version": 0, "generation": 7, "tables": m.tables,
                   "retired": [["samples-000003-cd.parquet", 1700000000.5]]}
    assert Manifest.from_json(m.to_json()) == m
    assert m.listed() == {"activities-000007-ab.parquet", "samples-000003-cd.parquet"}


def test_a_manifest_without_a_table_reads_it_as_empty():
    raw = json.dumps({"schema_version": 0, "generation": 2, "tables": {"activities": ["a"]}})
    m = Manifest.from_json(raw)
    assert m.tables["activities"] == ["a"] and m.tables["files"] == [] and m.retired == []
    assert set(m.tables) == set(schema.TABLES)


@pytest.mark.parametrize("raw", ["{", "[]", '{"generation": 1}', '{"schema_version": 1, "generation": "x", "tables": {}}',
                                 '{"schema_version": 1, "generation": 1, "tables": []}'])
def test_what_is_not_a_manifest_raises(raw):
    with pytest.raises((ValueError, KeyError, TypeError, AttributeError)):
        Manifest.from_json(raw)


def test_the_committed_generation_on_disk(tmp_path):
    path = tmp_path / MANIFEST
    assert committed_generation(path) is None
    path.write_text(Manifest(generation=12).to_json())
    assert committed_generation(path) == 12
    path.write_text("half a manif")
    assert committed_generation(path) is None


def test_part_names_parse_and_format_back():
    part = PartName.parse("samples-000042-0a1b2c3d-c.parquet")
    assert part == PartName("samples", 42, "0a1b2c3d", True)
    assert part.name() == "samples-000042-0a1b2c3d-c.parquet"
    plain = PartName("files", 1234567, "ff", False)
    assert plain.name() == "files-1234567-ff.parquet" and PartName.parse(plain.name()) == plain


@pytest.mark.parametrize("name", ["samples-42-ab.parquet", "weather-000001-ab.parquet", "samples-000001-AB.parquet",
                                  "samples-000001-ab.parquet.tmp", ".dataset.json.x.tmp", "samples-000001-ab-x.parquet"])
def test_other_files_are_not_parts(name):
    assert PartName.parse(name) is None

"""Reliability (issue #7): fuzzed inputs, hostile archives, unreadable or newer
settings and datasets, and schema migration.

The fuzz subset is a deterministic slice of ``benchmarks/fuzz.py``'s run (the same
inputs from ``trainlog_dev.fuzz``, the same seed); the full 50,000-input run is that script's job.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import polars as pl
import pytest
from builders import ROOT, SAMPLE_FIT, check_dataset, gpx_of, tcx_of, tree, zip_bytes
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trainlog import Store, import_paths
from trainlog.errors import SettingsError, StoreError, TrainlogError
from trainlog.ingest import sources
from trainlog.ingest.decode import decode
from trainlog.ingest.tables import activity_tables
from trainlog.settings import AthleteSettings, load_settings, save_settings
from trainlog.store import schema
from trainlog.words import OUTCOMES
from trainlog_dev import fuzz

SAMPLES = sorted((SAMPLE_FIT / "mara").glob("*.fit"))
FUZZ_SEED = fuzz.DEFAULT_SEED
FUZZ_DECODE_N = 300
FUZZ_IMPORT_N = 40
#: A short run as GPX and as TCX (the first 120 records of a sample file), the bases of the GPX/TCX fuzz.
_SHORT = decode(SAMPLES[0].read_bytes(), "short.fit").records.head(120)
TRACK_BASES = [("run.gpx", gpx_of(_SHORT)), ("run.tcx", tcx_of(_SHORT))]


# --------------------------------------------------------------------------- fuzz subset


@pytest.fixture(scope="module")
def fuzz_bases():
    """A fixed set of bases: sample files and, when present, corpus files (shrunk as the script does)."""
    paths = SAMPLES[::12] + [p for p in fuzz.base_paths() if p.parent != SAMPLE_FIT / "mara"][::8]
    return fuzz.load_bases(sorted(paths))


def test_fuzz_inputs_are_deterministic(fuzz_bases):
    a = [fuzz.make_input(i, FUZZ_SEED, fuzz_bases) for i in range(20)]
    b = [fuzz.make_input(i, FUZZ_SEED, fuzz_bases) for i in range(20)]
    assert a == b
    assert len({data for _, data, _ in a}) == 20  # and they differ


def test_fuzz_mutations_reach_their_targets(fuzz_bases):
    """Each structure-aware mutation changes the file (it found a definition, a timestamp...)."""
    name, base = next((n, d) for n, d in fuzz_bases if fuzz.parse_layout(d) and len(d) > 2000)
    for op in ("def_count", "def_field", "timestamps", "huge_lengths", "dev_fields"):
        changed = sum(fuzz.MUTATIONS[op](base, fuzz.random.Random(k)) != base for k in range(10))
        assert changed >= 8, (op, name)
    assert fuzz.repair(base) == fuzz.repair(fuzz.repair(base))
    assert fuzz.parse_layout(fuzz.shrink(base, 1500)) is not None  # shrunk files stay well formed


def test_fuzz_subset_decodes_or_fails_in_one_line(fuzz_bases):
    """300 mutated inputs: each decodes (whole or partial) or raises a one-line InvalidFitFile."""
    outcomes: dict[str, int] = {}
    bugs = []
    for i in range(FUZZ_DECODE_N):
        name, data, ops = fuzz.make_input(i, FUZZ_SEED, fuzz_bases)
        outcome, detail = fuzz.check_decode(data, name, time_limit_s=20)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        if outcome not in fuzz.OK_OUTCOMES:
            bugs.append(f"input {i} ({ops}): {outcome} {detail}")
    assert not bugs, "\n".join(bugs)
    # the subset exercises all three outcomes
    assert all(outcomes.get(o, 0) >= 10 for o in fuzz.OK_OUTCOMES), outcomes


def test_fuzz_subset_through_the_importer(tmp_path, fuzz_bases):
    """Mutated files, .fit.gz and zips through import_paths: one outcome each, one-line reasons."""
    folder = tmp_path / "in"
    folder.mkdir()
    items = [fuzz.make_input(1_000_000 + i, FUZZ_SEED, fuzz_bases)[:2] for i in range(FUZZ_IMPORT_N)]
    fuzz.write_containers(items, fuzz.random.Random(FUZZ_SEED), folder)
    store = Store(tmp_path / "data")
    report = import_paths(store, [folder], "fuzz", workers=1)
    assert len(report.results) >= FUZZ_IMPORT_N
    for r in report.results:
        assert r.outcome in OUTCOMES
        assert "\n" not in r.detail and "Traceback" not in r.detail
        assert r.name.startswith(str(folder))
        assert not any(w in r.detail for w in ("decoder error", "cannot store")), r.line()
        if r.outcome == "failed":
            assert r.detail
    counts = report.counts()
    assert counts["imported"] > 0 and counts["failed"] > 0
    check_dataset(store, "fuzz")
    # a second import stores nothing new
    generation = store.generation("fuzz")
    again = import_paths(store, [folder], "fuzz", workers=1)
    assert again.counts()["imported"] == 0
    assert store.generation("fuzz") == generation


@settings(max_examples=300, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_gpx_and_tcx_decode_or_fail_in_one_line(data):
    """Cut, flipped, deleted and inserted bytes of a GPX and a TCX (Strava-style, written from a sample run):
    every result is a decoded file the store takes, or one line naming the file; never another exception."""
    base = data.draw(st.sampled_from(TRACK_BASES))
    name, blob = base
    cut = data.draw(st.integers(0, len(blob)))
    edits = data.draw(st.lists(st.tuples(st.integers(0, max(len(blob) - 1, 0)), st.sampled_from(
        [b"", b"<", b">", b"&", b"\x00", b"\xff", b"</trkpt>", b"<time>x</time>", b"<Lap>", b"-1e309"])), max_size=4))
    mutated = bytearray(blob[:cut] if data.draw(st.booleans()) else blob)
    for at, text in edits:
        at = min(at, len(mutated))
        mutated[at:at + (1 if text == b"" else 0)] = text
    try:
        decoded = decode(bytes(mutated), name)
    except TrainlogError as exc:
        assert str(exc).startswith(f"{name}: ") and "\n" not in str(exc)
        return
    if decoded.is_activity:
        acts, samples_, laps = activity_tables(decoded, "ab" * 32, "fuzz", dt.datetime.now(dt.UTC))
        assert acts.height == len(decoded.sessions) and samples_.height == decoded.n_records


def test_copy_of_a_failed_file_never_makes_it_look_imported(tmp_path):
    """Two identical broken files in one import: the second is a duplicate of the first, and a
    later import of either still fails (found by the fuzz script's re-run check)."""
    inbox = tmp_path / "in"
    inbox.mkdir()
    for name in ("a.fit", "b.fit"):
        (inbox / name).write_bytes(b"junk")
    (inbox / "c.fit").write_bytes(SAMPLES[0].read_bytes())
    (inbox / "d.fit").write_bytes(SAMPLES[0].read_bytes())
    store = Store(tmp_path / "data")
    first = {Path(r.name).name: r.outcome for r in import_paths(store, [inbox], "mara", workers=1).results}
    assert first == {"a.fit": "failed", "b.fit": "duplicate", "c.fit": "imported", "d.fit": "duplicate"}
    generation = store.generation("mara")
    again = import_paths(store, [inbox / "b.fit", inbox / "d.fit"], "mara", workers=1)
    assert [r.outcome for r in again.results] == ["failed", "duplicate"]
    assert store.generation("mara") == generation
    files = store.read("files", "mara")
    assert files.height == 1 and files["outcome"].to_list() == ["imported"]


# --------------------------------------------------------------------------- hostile archives


def _import_archive(tmp_path: Path, blob: bytes, name: str = "export.zip"):
    """Import one archive written in tmp_path/in; return (report, files written outside the data dir)."""
    inbox = tmp_path / "in"
    inbox.mkdir(exist_ok=True)
    (inbox / name).write_bytes(blob)
    data = tmp_path / "data"
    before = {p for p in tree(tmp_path) if not p.startswith("data/")}
    report = import_paths(Store(data), [inbox / name], "mara", workers=1)
    after = {p for p in tree(tmp_path) if not p.startswith("data/")}
    return report, after - before


def test_zip_bomb_by_ratio_is_refused(tmp_path):
    bomb = b"\0" * (4 << 20)  # 4 MiB of zeros deflate to ~4 KiB: ratio ~1000 (the archive's stays below 200)
    report, written = _import_archive(tmp_path, zip_bytes({"run.fit": bomb, "ok.fit": SAMPLES[0].read_bytes()}))
    got = {r.name.split("!/")[-1]: r for r in report.results}
    assert got["run.fit"].outcome == "failed"
    assert got["run.fit"].detail == f"refused: entry decompresses to {4 << 20} bytes (zip bomb limits)"
    assert got["ok.fit"].outcome == "imported"
    assert not written


def test_zip_bomb_by_total_is_refused(tmp_path, monkeypatch):
    """Many members, each small and harmless alone, adding up past the total limit."""
    monkeypatch.setattr(sources, "MAX_ZIP_TOTAL_BYTES", 4 << 20)
    members = {f"run{i:03d}.fit": os.urandom(64 << 10) for i in range(80)}  # 5 MiB, incompressible
    report, written = _import_archive(tmp_path, zip_bytes(members, zipfile.ZIP_STORED))
    assert len(report.results) == 1
    (r,) = report.results
    assert r.outcome == "failed" and r.detail.startswith("refused: zip declares") and "zip bomb" in r.detail
    assert r.name.endswith("export.zip") and not written


def test_zip_of_many_small_zero_members_is_refused_by_ratio(tmp_path):
    """Members under the per-member ratio threshold, but the archive as a whole is a bomb."""
    members = {f"run{i:03d}.fit": b"\0" * (1 << 20) for i in range(40)}  # 40 MiB from ~50 KiB
    report, _ = _import_archive(tmp_path, zip_bytes(members))
    (r,) = report.results
    assert r.outcome == "failed" and "zip bomb" in r.detail


def test_nested_zip_bombs_share_the_total_budget(tmp_path, monkeypatch):
    monkeypatch.setattr(sources, "MAX_ZIP_TOTAL_BYTES", 3 << 20)
    inner = zip_bytes({f"run{i}.fit": os.urandom(1 << 20) for i in range(2)}, zipfile.ZIP_STORED)  # 2 MiB each
    outer = zip_bytes({"a.zip": inner, "b.zip": inner}, zipfile.ZIP_STORED)  # 4 MiB declared: refused at the top
    report, _ = _import_archive(tmp_path, outer)
    assert [r.outcome for r in report.results] == ["failed"]
    monkeypatch.setattr(sources, "MAX_ZIP_TOTAL_BYTES", 6 << 20)  # top level fits; the second inner zip does not
    report, _ = _import_archive(tmp_path, outer, "export2.zip")
    refused = [r for r in report.results if "zip bomb" in r.detail]
    assert refused and all(r.outcome == "failed" for r in refused)


@pytest.mark.parametrize(
    "entry", ["../evil.fit", "../../evil.fit", "/abs/evil.fit", "a/../../evil.fit", "C:/evil.fit", "..\\evil.fit"]
)
def test_path_traversal_entries_are_refused_and_nothing_is_written(tmp_path, entry):
    fit = SAMPLES[1].read_bytes()
    blob = zip_bytes({entry: fit, "activities/good.fit": SAMPLES[2].read_bytes()})
    report, written = _import_archive(tmp_path, blob)
    got = {r.name.split("!/", 1)[1]: r for r in report.results}
    assert got["activities/good.fit"].outcome == "imported"
    bad = got[entry]
    assert bad.outcome == "failed" and "refused" in bad.detail and "outside the archive" in bad.detail
    assert not written
    assert not (tmp_path.parent / "evil.fit").exists() and not Path("/abs/evil.fit").exists()
    data_files = tree(tmp_path / "data")
    assert not any("evil" in p for p in data_files)
    acts = Store(tmp_path / "data").read("activities", "mara")
    assert acts.height == 1


def test_zips_nested_deeper_than_the_limit_are_refused(tmp_path):
    blob = zip_bytes({"run.fit": SAMPLES[3].read_bytes()})
    for level in range(sources.MAX_ZIP_DEPTH + 1):  # depth limit + 1 zips around the innermost
        blob = zip_bytes({f"level{level}.zip": blob})
    report, written = _import_archive(tmp_path, blob)
    (r,) = report.results
    assert r.outcome == "failed" and f"nested deeper than {sources.MAX_ZIP_DEPTH} levels" in r.detail
    assert r.name.count("!/") == sources.MAX_ZIP_DEPTH
    assert not written
    # at the limit itself, the file is imported
    blob = zip_bytes({"run.fit": SAMPLES[3].read_bytes()})
    for level in range(sources.MAX_ZIP_DEPTH - 1):
        blob = zip_bytes({f"level{level}.zip": blob})
    report, _ = _import_archive(tmp_path, blob, "ok.zip")
    assert [r.outcome for r in report.results] == ["imported"]


def test_too_many_entries_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(sources, "MAX_ZIP_ENTRIES", 10)
    parsed = []
    real = zipfile.ZipFile.__init__

    def spy(self, *args, **kwargs):
        parsed.append(1)
        return real(self, *args, **kwargs)

    blob = zip_bytes({f"note{i}.txt": b"x" for i in range(11)})
    monkeypatch.setattr(zipfile.ZipFile, "__init__", spy)
    report, written = _import_archive(tmp_path, blob)
    (r,) = report.results
    assert r.outcome == "failed" and r.detail == "refused: zip holds 11 entries (limit 10)"
    assert not parsed  # refused from the end record, before the directory is parsed
    assert not written


def test_hostile_gzip_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(sources, "MAX_GZIP_BYTES", 1 << 20)
    (tmp_path / "bomb.fit.gz").write_bytes(gzip.compress(b"\0" * (2 << 20)))
    (tmp_path / "cut.fit.gz").write_bytes(gzip.compress(SAMPLES[4].read_bytes())[:500])
    report = import_paths(Store(tmp_path / "data"), [tmp_path / "bomb.fit.gz", tmp_path / "cut.fit.gz"], "mara", workers=1)
    bomb, cut = report.results
    assert bomb.outcome == "failed" and "refused" in bomb.detail
    assert cut.outcome == "failed" and "gzip" in cut.detail and "\n" not in cut.detail


def test_oversized_fit_files_are_refused_before_reading(tmp_path, monkeypatch):
    monkeypatch.setattr(sources, "MAX_FIT_BYTES", 50_000)
    big = max(SAMPLES[:10], key=lambda p: p.stat().st_size)
    assert big.stat().st_size > 50_000
    report, _ = _import_archive(tmp_path, zip_bytes({"big.fit": big.read_bytes()}))
    assert report.results[0].outcome == "failed" and "more than a FIT file holds" in report.results[0].detail
    report = import_paths(Store(tmp_path / "data"), [big], "mara", workers=1)
    assert report.results[0].outcome == "failed" and "more than a FIT file holds" in report.results[0].detail


def test_big_zip_is_read_from_disk_member_by_member(tmp_path, monkeypatch):
    monkeypatch.setattr(sources, "ZIP_IN_MEMORY_BYTES", 0)
    nested = zip_bytes({"inner/run.fit": SAMPLES[5].read_bytes()})
    blob = zip_bytes({"a.fit": SAMPLES[6].read_bytes(), "b.fit.gz": gzip.compress(SAMPLES[7].read_bytes()), "n.zip": nested})
    report, written = _import_archive(tmp_path, blob)
    assert [r.outcome for r in report.results] == ["imported"] * 3 and not written
    (tmp_path / "in" / "cut.zip").write_bytes(blob[: len(blob) // 2])
    report = import_paths(Store(tmp_path / "data"), [tmp_path / "in" / "cut.zip"], "mara", workers=1)
    assert report.results[0].outcome == "failed" and "corrupt zip archive" in report.results[0].detail


# --------------------------------------------------------------------------- settings and manifests


def _run_cli(*args, data: Path):
    return subprocess.run(
        [sys.executable, "-m", "trainlog", *map(str, args), "--data-dir", str(data)],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
    )


@pytest.mark.parametrize(
    "content, message",
    [
        (b"{not json", "cannot read settings"),
        (b"\xff\xfe\x00garbage", "cannot read settings"),
        (b"[1, 2]", "must be a JSON object"),
        (json.dumps({"schema_version": 99, "hr_max_bpm": 180}).encode(), "newer than this trainlog"),
        (json.dumps({"schema_version": 1, "hr_max_bpm": "fast"}).encode(), "invalid settings"),
    ],
)
def test_bad_settings_give_a_clear_error_and_are_never_overwritten(tmp_path, content, message):
    store = Store(tmp_path / "data")
    path = store.settings_path("mara")
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    with pytest.raises(SettingsError) as err:
        load_settings(path)
    assert str(path) in str(err.value) and message in str(err.value) and "\n" not in str(err.value)
    res = _run_cli("athlete", "set", "-a", "mara", "--hr-max", "185", data=tmp_path / "data")
    assert res.returncode == 1 and "Traceback" not in res.stderr
    assert str(path) in res.stderr and len(res.stderr.strip().splitlines()) == 1
    assert path.read_bytes() == content


def test_settings_record_their_schema_version(tmp_path):
    path = tmp_path / "settings.json"
    save_settings(path, AthleteSettings(hr_max_bpm=181))
    doc = json.loads(path.read_text())
    assert doc["schema_version"] == 1 and doc["hr_max_bpm"] == 181
    del doc["schema_version"]  # a file from before versions were recorded reads as the current one
    path.write_text(json.dumps(doc))
    assert load_settings(path).hr_max_bpm == 181


def _imported(tmp_path: Path, n: int = 3) -> Store:
    store = Store(tmp_path / "data")
    report = import_paths(store, SAMPLES[:n], "mara", workers=1)
    assert report.counts()["imported"] == n
    return store


@pytest.mark.parametrize(
    "content, message",
    [
        (b"{\"schema_version\": 1, \"generation\": ", "dataset manifest is unreadable"),
        (b"\x00\x01\x02", "dataset manifest is unreadable"),
        (b"{}", "dataset manifest is unreadable"),
        (json.dumps({"schema_version": 99, "generation": 5, "tables": {}}).encode(), "newer than this trainlog supports"),
        (json.dumps({"schema_version": -1, "generation": 5, "tables": {}}).encode(), "schema version -1 is unknown"),
    ],
)
def test_bad_manifest_gives_a_clear_error_and_import_refuses(tmp_path, content, message):
    store = _imported(tmp_path)
    manifest = store.athlete_dir("mara") / "dataset.json"
    manifest.write_bytes(content)
    before = tree(tmp_path / "data")
    with pytest.raises(StoreError) as err:
        store.read("activities", "mara")
    assert str(manifest) in str(err.value) and message in str(err.value) and "\n" not in str(err.value)
    with pytest.raises(StoreError):
        import_paths(store, SAMPLES[3:5], "mara", workers=1)
    with pytest.raises(StoreError):
        with store.transaction("mara") as tx:
            tx.append("files", schema.empty("files"))
    res = _run_cli("import", *SAMPLES[3:5], "-a", "mara", "--workers", "1", data=tmp_path / "data")
    assert res.returncode == 1 and "Traceback" not in res.stderr and message in res.stderr
    assert tree(tmp_path / "data") == before  # nothing written, nothing deleted


def test_manifest_that_is_a_directory_gives_a_clear_error(tmp_path):
    store = Store(tmp_path / "data")
    (store.athlete_dir("mara") / "dataset.json").mkdir(parents=True)
    with pytest.raises(StoreError, match="cannot read dataset manifest"):
        store.read("activities", "mara")


def test_missing_part_is_a_clear_error(tmp_path):
    store = _imported(tmp_path)
    part = next(store.athlete_dir("mara").glob("samples-*.parquet"))
    part.unlink()
    with pytest.raises(StoreError, match="a part of the samples table is missing"):
        store.read("samples", "mara")


def test_damaged_part_is_a_clear_error(tmp_path):
    store = _imported(tmp_path)
    part = next(store.athlete_dir("mara").glob("activities-*.parquet"))
    part.write_bytes(part.read_bytes()[:100])
    before = tree(tmp_path / "data")
    with pytest.raises(StoreError) as err:
        store.read("activities", "mara")
    assert "cannot read the activities table" in str(err.value) and "\n" not in str(err.value)
    with pytest.raises(StoreError, match="cannot read the activities table"):
        import_paths(store, SAMPLES[3:4], "mara", workers=1)
    assert tree(tmp_path / "data") == before


def test_manifest_records_the_schema_version(tmp_path):
    store = _imported(tmp_path, 1)
    doc = json.loads((store.athlete_dir("mara") / "dataset.json").read_text())
    assert doc["schema_version"] == schema.SCHEMA_VERSION == 4


def _make_version_0(store: Store, athlete: str) -> bytes:
    """Turn a dataset into schema version 0: the same tables without the ``files`` ledger."""
    adir = store.athlete_dir(athlete)
    doc = json.loads((adir / "dataset.json").read_text())
    for part in doc["tables"].pop("files"):
        (adir / part).unlink()
    doc["schema_version"] = 0
    doc.pop("retired", None)
    raw = json.dumps(doc).encode()
    (adir / "dataset.json").write_bytes(raw)
    return raw


def test_version_0_dataset_reads_and_migrates_on_the_next_import(tmp_path):
    store = _imported(tmp_path, 3)
    acts_before = store.read("activities", "mara").sort("activity_id")
    samples_before = store.read("samples", "mara").height
    raw_v0 = _make_version_0(store, "mara")
    adir = store.athlete_dir("mara")

    # reading an older dataset works and changes nothing on disk
    before = tree(tmp_path / "data")
    assert store.manifest("mara").schema_version == 0
    assert store.read("activities", "mara").sort("activity_id").equals(acts_before)
    assert store.read("files", "mara").is_empty()
    assert tree(tmp_path / "data") == before

    # the next import migrates (ledger rebuilt), keeps a copy of the old manifest, and dedupes against it
    report = import_paths(store, SAMPLES[:5], "mara", workers=1)
    assert [r.outcome for r in report.results] == ["duplicate"] * 3 + ["imported"] * 2
    doc = json.loads((adir / "dataset.json").read_text())
    assert doc["schema_version"] == schema.SCHEMA_VERSION
    assert (adir / "dataset.json.v0.bak").read_bytes() == raw_v0
    files = store.read("files", "mara")
    assert files.height == 5 and files["file_sha256"].n_unique() == 5
    rebuilt = files.filter(pl.col("detail").str.contains("migration"))
    assert set(rebuilt["file_sha256"]) == set(acts_before["file_sha256"])
    acts = check_dataset(store, "mara")
    assert acts.height == 5
    assert store.read("samples", "mara").height > samples_before


def test_migration_happens_once_under_the_lock(tmp_path):
    store = _imported(tmp_path, 2)
    _make_version_0(store, "mara")
    assert store.migrate("mara") == 0
    generation = store.generation("mara")
    assert store.migrate("mara") is None and store.generation("mara") == generation
    assert store.read("files", "mara").height == 2


def test_read_all_is_one_snapshot(tmp_path):
    store = _imported(tmp_path, 2)
    snap = store.read_all("mara")
    assert set(snap) == set(schema.TABLES)
    for table, frame in snap.items():
        assert frame.equals(store.read(table, "mara")), table

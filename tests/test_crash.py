"""Crash safety and concurrency of imports (issue #7).

The import runs as a real ``trainlog import`` process (the module entry point,
with small commit batches so a run commits many times) and is killed with
SIGKILL at random points. After every kill the dataset must read, hold exactly
the activities of the files the ledger says were imported, each once and
complete; a re-run must finish the rest.
"""

from __future__ import annotations

import csv
import hashlib
import json
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest
from builders import ROOT, SAMPLE_FIT, check_dataset

from trainlog import Store

FILES = sorted((SAMPLE_FIT / "mara").glob("*.fit"))[:48]
ATHLETE = "mara"
KILLS = 24
#: Files per commit in these runs (the default, 200, would commit once for 48 files).
BATCH_FILES = 3
#: ``python -m trainlog`` with a smaller batch: the same entry point and code path.
ENTRY = (
    "import runpy, sys, trainlog.ingest.importer as importer; "
    "importer.BATCH_FILES = int(sys.argv.pop(1)); "
    "sys.argv[0] = 'trainlog'; "
    "runpy.run_module('trainlog', run_name='__main__', alter_sys=True)"
)

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")


def _cmd(data: Path, files: list[Path], *extra: str, batch: int = BATCH_FILES) -> list[str]:
    return [sys.executable, "-c", ENTRY, str(batch), "import", *map(str, files), "--data-dir", str(data),
            "-a", ATHLETE, "--workers", "1", *extra]


def _start(data: Path, files: list[Path], *extra: str, batch: int = BATCH_FILES, out=subprocess.DEVNULL):
    return subprocess.Popen(_cmd(data, files, *extra, batch=batch), cwd=ROOT, stdout=out, stderr=subprocess.PIPE)


SHA = {hashlib.sha256(p.read_bytes()).hexdigest(): p for p in FILES}
with open(SAMPLE_FIT / "index.csv", newline="", encoding="utf-8") as _fh:
    DUPLICATE_OF = {r["file"]: r["duplicate_of"] for r in csv.DictReader(_fh) if r["duplicate_of"]}


def _canonical(source_file: str) -> str:
    """The index's name of a sample file, or of the file it duplicates."""
    rel = Path(source_file).relative_to(SAMPLE_FIT).as_posix()
    return DUPLICATE_OF.get(rel, rel)


def reference_files(ids: set[str]) -> list[str]:
    by_sha16 = {sha[:16]: str(p) for sha, p in SHA.items()}
    return [by_sha16[i.split("-")[0]] for i in ids]


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """A complete, uninterrupted import: (activity ids, seconds it took)."""
    data = tmp_path_factory.mktemp("reference") / "data"
    t0 = time.monotonic()
    proc = _start(data, FILES)
    _, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err.decode()
    seconds = time.monotonic() - t0
    acts = check_dataset(Store(data), ATHLETE)
    assert acts.height >= len(FILES) - 2  # the sample set holds a duplicate or two
    return set(acts["activity_id"]), seconds


def _check_after_kill(store: Store, before: set[str]) -> set[str]:
    """Invariants after a kill; returns the ids of the files whose import completed."""
    acts = check_dataset(store, ATHLETE)
    files = store.read("files", ATHLETE)
    for row in files.iter_rows(named=True):  # the ledger tells the truth about each file
        assert SHA.get(row["file_sha256"]) == Path(row["source_file"]), row
    done = set(files["file_sha256"])
    assert before <= done  # nothing committed is ever lost
    # every part the manifest lists exists (a kill never publishes a half-written part)
    manifest_path = store.athlete_dir(ATHLETE) / "dataset.json"
    if manifest_path.exists():
        doc = json.loads(manifest_path.read_text())
        for parts in doc["tables"].values():
            for part in parts:
                assert (store.athlete_dir(ATHLETE) / part).is_file(), part
    legs = acts.group_by("file_sha256").agg(pl.len().alias("n"), pl.col("n_legs").first())
    assert legs.filter(pl.col("n") != pl.col("n_legs")).is_empty()  # a file's legs are all there or none
    return done


def test_sigkill_at_random_points_loses_nothing_and_rerun_completes(tmp_path, reference):
    expected_ids, full_s = reference
    rng = random.Random(7)
    kills = attempts = rounds = 0
    commits_seen = set()  # how many files were done at the kills: shows kills landed at many points
    round_done = True  # a round is a fresh data directory, killed until the import completes or 6 kills
    while kills < KILLS:
        attempts += 1
        assert attempts < 4 * KILLS, "the import finished before the kill too often"
        if round_done:
            rounds += 1
            data = tmp_path / f"round{rounds}" / "data"
            store = Store(data)
            done: set[str] = set()
            round_kills = 0
        delay = rng.uniform(0.05, 1.1) * full_s
        proc = _start(data, FILES)
        try:
            proc.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=60)
            # the process may finish between the timeout and the signal: then it was not a kill
            assert proc.returncode in (-signal.SIGKILL, 0), proc.stderr.read().decode()
            if proc.returncode == -signal.SIGKILL:
                kills += 1
                round_kills += 1
        else:
            assert proc.returncode == 0, proc.stderr.read().decode()
        proc.stderr.close()
        done = _check_after_kill(store, done)
        commits_seen.add(len(done))
        round_done = proc.returncode == 0 or round_kills >= 6
        if round_done:  # a re-run completes the rest
            rerun = _start(data, FILES)
            _, err = rerun.communicate(timeout=600)
            assert rerun.returncode == 0 and b"Traceback" not in err, err.decode()
            acts = check_dataset(store, ATHLETE)
            assert set(acts["activity_id"]) == expected_ids
            assert set(store.read("files", ATHLETE)["file_sha256"]) == set(SHA)
            adir = store.athlete_dir(ATHLETE)
            listed = json.loads((adir / "dataset.json").read_text())
            known = {p for parts in listed["tables"].values() for p in parts} | {n for n, _ in listed["retired"]}
            assert {p.name for p in adir.glob("*.parquet")} == known  # orphans of killed writers are gone
    assert kills >= 20
    assert len(commits_seen) >= 5  # the kills landed before, between and after many commits


def test_reader_during_an_import_always_sees_a_consistent_dataset(tmp_path, reference):
    expected_ids, _ = reference
    data = tmp_path / "data"
    store = Store(data)
    proc = _start(data, FILES, batch=2)
    generations, reads = set(), 0
    try:
        while proc.poll() is None or reads == 0:
            snap = store.read_all(ATHLETE)  # one manifest for every table
            acts, samples = snap["activities"], snap["samples"]
            per = samples.group_by("activity_id").len()
            joined = acts.join(per, on="activity_id", how="left").fill_null(0)
            assert joined.filter(pl.col("n_records") != pl.col("len")).is_empty()
            assert set(acts["file_sha256"]) == set(
                snap["files"].filter(pl.col("outcome") == "imported")["file_sha256"]
            )
            # table by table, as a page that reads activities then samples does
            acts2 = store.read("activities", ATHLETE)
            samples2 = store.read("samples", ATHLETE)
            counts = dict(samples2.group_by("activity_id").len().iter_rows())
            assert all(counts.get(a) == n for a, n in acts2.select("activity_id", "n_records").iter_rows())
            generations.add(store.generation(ATHLETE))
            reads += 1
    finally:
        _, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err.decode()
    assert set(check_dataset(store, ATHLETE)["activity_id"]) == expected_ids
    assert len(generations) >= 3, generations  # the reads really overlapped the commits


def test_two_overlapping_imports_store_each_activity_once(tmp_path, reference):
    expected_ids, _ = reference
    data = tmp_path / "data"
    first, second = FILES[:36], FILES[12:][::-1]  # 24 files in common, met in opposite orders
    procs = [_start(data, first, "--json", out=subprocess.PIPE), _start(data, second, "--json", out=subprocess.PIPE)]
    docs = []
    for p in procs:
        out, err = p.communicate(timeout=600)
        assert p.returncode == 0, err.decode()
        docs.append(json.loads(out))
    acts = check_dataset(Store(data), ATHLETE)
    # the same run exported twice (index.csv's duplicate_of) is kept once, from whichever import came first
    assert acts.height == len(expected_ids)
    assert {_canonical(f) for f in acts["source_file"]} == {_canonical(f) for f in reference_files(expected_ids)}
    imported_by = {}
    for doc in docs:
        for f in doc["files"]:
            if f["outcome"] == "imported":
                assert f["file"] not in imported_by, f"{f['file']} imported by both"
                imported_by[f["file"]] = doc
    common = {str(p) for p in set(first) & set(second)}
    for doc in docs:
        assert {f["file"] for f in doc["files"]} >= common

"""The store (trainlog.store.dataset, with its check and repair) never loses data; ``trainlog check``
and ``trainlog repair``; disk failures (issue #10, items 1 and 7).

Everything runs as a user meets it: ``trainlog`` in a subprocess on a real data
directory. The damaged datasets are made the way they happen: a manifest lost
by a sync tool, a part deleted by hand, a crash between writing parts and
committing them, a full or read-only disk, a folder the user may not write.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import polars as pl
import pytest
from builders import ROOT, SAMPLE_FIT, check_dataset, tree

from trainlog import Store

MARA = sorted((SAMPLE_FIT / "mara").glob("*.fit"))
TOM = sorted((SAMPLE_FIT / "tom").glob("*.fit"))
ATHLETE = "mara"
#: Files per commit in the fixture's import: 124 files make 21 commits, so the
#: tables are compacted once (dataset.COMPACT_PARTS = 16) and the history has many generations.
BATCH_FILES = 6
#: ``python -m trainlog`` with smaller commit batches: the same entry point and code path.
ENTRY = (
    "import runpy, sys, trainlog.ingest.importer as importer; "
    "importer.BATCH_FILES = int(sys.argv.pop(1)); "
    "sys.argv[0] = 'trainlog'; "
    "runpy.run_module('trainlog', run_name='__main__', alter_sys=True)"
)
NOBODY = 65534
#: The writers' lock file: taking the lock is not a change on disk.
LOCK = {".lock"}


def trainlog(*args, data: Path, batch: int | None = None, as_nobody: bool = False) -> subprocess.CompletedProcess:
    """Run ``trainlog ARGS --data-dir DATA`` in a subprocess (as user nobody when asked)."""
    head = [sys.executable, "-c", ENTRY, str(batch)] if batch else [sys.executable, "-m", "trainlog"]
    kwargs = {}
    if as_nobody:
        def drop():
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)

        kwargs = {"preexec_fn": drop, "env": {**os.environ, "HOME": "/tmp", "PYTHONDONTWRITEBYTECODE": "1"},
                  "executable": nobody_python()[0]}
    return subprocess.run(
        [*head, *map(str, args), "--data-dir", str(data)], capture_output=True, text=True, cwd=ROOT, timeout=600,
        **kwargs,
    )


def one_line_error(res: subprocess.CompletedProcess, *needles: str) -> str:
    """The command failed with exactly one line on stderr, holding every needle; returns that line."""
    assert res.returncode == 1, (res.returncode, res.stdout, res.stderr)
    assert "Traceback" not in res.stderr, res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


def parts(adir: Path) -> set[str]:
    return {p.name for p in adir.glob("*.parquet")}


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> tuple[Path, set[str]]:
    """Mara's whole sample history imported in 21 commits: (data dir, activity ids). Copy before changing it."""
    data = tmp_path_factory.mktemp("history") / "data"
    res = trainlog("import", SAMPLE_FIT / "mara", "-a", ATHLETE, "-q", "--workers", "1", data=data, batch=BATCH_FILES)
    assert res.returncode == 0, res.stderr
    ids = set(check_dataset(Store(data), ATHLETE)["activity_id"])
    assert len(ids) == 123  # 124 files, one a copy of another: the 123-activity history
    return data, ids


@pytest.fixture
def dataset(history, tmp_path) -> tuple[Path, Path, set[str]]:
    """A private copy of the history: (data dir, athlete folder, activity ids)."""
    src, ids = history
    data = tmp_path / "data"
    shutil.copytree(src, data)
    return data, data / "athletes" / ATHLETE, ids


def manifest_of(adir: Path) -> dict:
    return json.loads((adir / "dataset.json").read_text())


# --------------------------------------------------------------------------- item 1: a lost manifest


def test_the_history_has_many_generations_and_a_compaction(dataset):
    data, adir, _ = dataset
    doc = manifest_of(adir)
    assert doc["generation"] >= 20
    assert any(p.endswith("-c.parquet") for p in doc["tables"]["files"])  # compacted, under a recognisable name
    assert doc["retired"]  # the parts it replaced linger for readers


@pytest.mark.parametrize("compaction_name", ["marked", "older trainlog"])
def test_lost_manifest_then_import_is_refused_and_repair_restores_every_activity(dataset, compaction_name):
    """The issue's first item: a sync tool loses dataset.json; the next import deleted every part."""
    data, adir, ids = dataset
    if compaction_name == "older trainlog":  # compacted parts written before they were named "-c"
        for p in adir.glob("*-c.parquet"):
            p.rename(p.with_name(p.name.removesuffix("-c.parquet") + ".parquet"))
    (adir / "dataset.json").unlink()
    before = tree(data, skip=LOCK)

    res = trainlog("import", TOM[0], "-a", ATHLETE, data=data)
    one_line_error(res, str(adir), "dataset.json is missing", "data parts are present", "trainlog repair -a mara")
    assert tree(data, skip=LOCK) == before  # nothing deleted, nothing written
    one_line_error(trainlog("summary", "-a", ATHLETE, data=data), "trainlog repair -a mara")
    one_line_error(trainlog("activities", "-a", ATHLETE, data=data), "trainlog repair -a mara")
    res = trainlog("check", "-a", ATHLETE, data=data)
    assert res.returncode == 1 and "dataset.json is missing" in res.stdout and "mara: 1 problem" in res.stdout
    assert tree(data, skip=LOCK) == before

    res = trainlog("repair", "-a", ATHLETE, "--dry-run", data=data)
    assert res.returncode == 0 and "nothing was changed" in res.stdout, res.stderr
    assert tree(data, skip=LOCK) == before

    parts_before = parts(adir)
    res = trainlog("repair", "-a", ATHLETE, data=data)
    assert res.returncode == 0, res.stderr
    assert f"{len(ids)} activities" in res.stdout
    assert "replaced by a later compaction" in res.stdout  # the parts the compaction replaced are left out...
    moved = next(adir.glob("repair-*"))
    assert {p.name for p in moved.iterdir()} and all(p.suffix == ".parquet" for p in moved.iterdir())
    assert parts(adir) | {p.name for p in moved.iterdir()} == parts_before  # moved aside, never deleted
    assert set(check_dataset(Store(data), ATHLETE)["activity_id"]) == ids  # ...and every activity is back, once
    res = trainlog("check", "-a", ATHLETE, data=data)
    assert res.returncode == 0 and res.stdout.strip().endswith("mara: ok"), res.stdout

    res = trainlog("import", TOM[0], "-a", ATHLETE, data=data)  # and imports work again
    assert res.returncode == 0 and "1 imported" in res.stdout, res.stderr
    assert len(check_dataset(Store(data), ATHLETE)) == len(ids) + 1
    assert trainlog("check", "-a", ATHLETE, data=data).returncode == 0


def test_unreadable_manifest_is_replaced_by_repair_and_kept_as_a_backup(dataset):
    data, adir, ids = dataset
    garbage = b'{"schema_version": 1, "generation": '
    (adir / "dataset.json").write_bytes(garbage)
    one_line_error(trainlog("import", TOM[0], "-a", ATHLETE, data=data), "dataset manifest is unreadable",
                   "trainlog repair -a mara")
    res = trainlog("repair", "-a", ATHLETE, data=data)
    assert res.returncode == 0, res.stderr
    backups = list(adir.glob("dataset.json.*.bak"))
    assert len(backups) == 1 and backups[0].read_bytes() == garbage
    assert backups[0].name in res.stdout
    assert set(check_dataset(Store(data), ATHLETE)["activity_id"]) == ids


def test_repair_leaves_out_a_commit_a_crash_left_incomplete(dataset):
    """A crash mid-commit wrote the activities, samples and laps of a batch but not its ledger rows; then
    the manifest was lost. Repair keeps the generations before it, and a re-run imports the batch again."""
    data, adir, ids = dataset
    doc = manifest_of(adir)
    last = doc["generation"]
    last_parts = [p for ps in doc["tables"].values() for p in ps if f"-{last:06d}-" in p]
    files_part = next(p for p in last_parts if p.startswith("files-"))
    lost = set(pl.read_parquet(adir / files_part)["file_sha256"])
    (adir / files_part).unlink()
    (adir / "dataset.json").unlink()

    res = trainlog("repair", "-a", ATHLETE, data=data)
    assert res.returncode == 0, res.stderr
    assert "its commit is incomplete" in res.stdout
    moved = {p.name for p in next(adir.glob("repair-*")).iterdir()}
    assert set(last_parts) - {files_part} <= moved
    acts = check_dataset(Store(data), ATHLETE)
    assert set(acts["activity_id"]) == {i for i in ids if i.split("-")[0] not in {s[:16] for s in lost}}
    assert trainlog("check", "-a", ATHLETE, data=data).returncode == 0

    res = trainlog("import", SAMPLE_FIT / "mara", "-a", ATHLETE, "-q", data=data)
    assert res.returncode == 0, res.stderr
    assert set(check_dataset(Store(data), ATHLETE)["activity_id"]) == ids


def test_repair_of_a_healthy_dataset_changes_nothing(dataset):
    data, adir, _ = dataset
    before = tree(data, skip=LOCK)
    res = trainlog("repair", "-a", ATHLETE, data=data)
    assert res.returncode == 0 and "nothing to repair" in res.stdout, res.stdout + res.stderr
    assert tree(data, skip=LOCK) == before


@pytest.mark.parametrize("damage", ["missing", "truncated"])
def test_a_listed_part_missing_or_damaged_stops_imports_and_check_names_it(dataset, damage):
    data, adir, _ = dataset
    part = adir / manifest_of(adir)["tables"]["samples"][-1]
    if damage == "missing":
        part.unlink()
    else:
        part.write_bytes(part.read_bytes()[:1000])
    before = tree(data, skip=LOCK)
    one_line_error(trainlog("import", TOM[0], "-a", ATHLETE, data=data), str(part), "trainlog check -a mara")
    assert tree(data, skip=LOCK) == before
    res = trainlog("check", "-a", ATHLETE, data=data)
    assert res.returncode == 1 and str(part) in res.stdout and "problem" in res.stdout.splitlines()[-1]
    assert "Traceback" not in res.stderr
    res = trainlog("check", "-a", ATHLETE, "--json", data=data)
    doc = json.loads(res.stdout)
    assert res.returncode == 1 and doc["problems"] >= 1 and not doc["athletes"][ATHLETE]["ok"]
    assert any(p["path"] == str(part) for p in doc["athletes"][ATHLETE]["problems"])
    assert tree(data, skip=LOCK) == before


def test_only_a_crashed_writers_parts_are_removed(dataset):
    """An unlisted part of the next generation (a writer crashed before committing) goes with the next
    import; an unlisted older part is kept and reported; one from further ahead stops imports."""
    data, adir, ids = dataset
    gen = manifest_of(adir)["generation"]
    listed = manifest_of(adir)["tables"]["activities"][0]
    orphan = adir / f"activities-{gen + 1:06d}-0badc0de.parquet"
    older = adir / f"laps-{gen - 3:06d}-0ddba11e.parquet"
    shutil.copyfile(adir / listed, orphan)
    shutil.copyfile(adir / listed, older)
    res = trainlog("check", "-a", ATHLETE, data=data)
    assert res.returncode == 1
    assert f"{orphan}: not listed: left by an import that stopped before committing" in res.stdout
    assert f"{older}: not listed by dataset.json; kept" in res.stdout

    res = trainlog("import", TOM[0], "-a", ATHLETE, data=data)
    assert res.returncode == 0, res.stderr
    assert not orphan.exists() and older.exists()
    assert len(check_dataset(Store(data), ATHLETE)) == len(ids) + 1

    ahead = adir / f"samples-{gen + 5:06d}-0000beef.parquet"
    shutil.copyfile(older, ahead)
    before = tree(data, skip=LOCK)
    one_line_error(trainlog("import", TOM[1], "-a", ATHLETE, data=data), str(ahead), "newer", "trainlog repair")
    assert tree(data, skip=LOCK) == before


def test_an_interrupt_after_the_manifest_is_in_place_keeps_the_commit(tmp_path, monkeypatch):
    """Ctrl+C while the folder is synced after the new manifest replaced the old one: the commit's parts
    are the dataset now and stay (a rollback then would leave the manifest listing deleted parts)."""
    from trainlog import atomic, import_paths

    store = Store(tmp_path / "data")
    files = sorted((SAMPLE_FIT / ATHLETE).glob("*.fit"))[:2]
    assert import_paths(store, files[:1], ATHLETE).ok

    def interrupted(path):
        raise KeyboardInterrupt

    monkeypatch.setattr(atomic, "fsync_dir", interrupted)
    with pytest.raises(KeyboardInterrupt):
        import_paths(store, files[1:], ATHLETE)
    monkeypatch.undo()
    assert store.check(ATHLETE) == []
    assert check_dataset(store, ATHLETE).height == 2


def test_a_compaction_keeps_every_row_in_order(tmp_path):
    """The commit past COMPACT_PARTS parts writes one compacted part (the earlier parts streamed, not read into
    memory, then the commit's rows) that holds every row in the order the parts held them."""
    import datetime as dt

    from builders import samples

    from trainlog.store import dataset as store_dataset

    store = Store(tmp_path / "data")
    start = dt.datetime(2025, 1, 1, 7, tzinfo=dt.UTC)
    rows = []
    for k in range(store_dataset.COMPACT_PARTS + 1):
        frame = samples(f"a{k:02d}", start + dt.timedelta(days=-k), n=50 + k, hr_bpm=[float(k)] * (50 + k))
        rows.append(frame)
        with store.transaction(ATHLETE) as tx:
            tx.append("samples", frame)
    parts = store.manifest(ATHLETE).tables["samples"]
    assert len(parts) == 1 and parts[0].endswith("-c.parquet")
    assert store.read("samples", ATHLETE).equals(pl.concat(rows))


def test_check_all_names_a_dataset_folder_the_name_rule_cannot_reach(tmp_path):
    """A folder an older trainlog accepted (mixed scripts) is reported, never skipped in silence."""
    root = tmp_path / "data" / "athletes"
    (root / "m\u0430ra").mkdir(parents=True)
    (root / "m\u0430ra" / "dataset.json").write_text("{}")
    (root / "ｍａｒａ").mkdir()
    (root / "ｍａｒａ" / "dataset.json").write_text("{}")
    found = Store(tmp_path / "data").check_all()
    assert "mixes scripts" in found["m\u0430ra"][0].message
    assert "'mara' is the name it would need to have" in found["ｍａｒａ"][0].message


def test_check_of_healthy_datasets_and_of_nothing(dataset):
    data, adir, _ = dataset
    res = trainlog("import", *TOM[:3], "-a", "tom", data=data)
    assert res.returncode == 0, res.stderr
    before = tree(data, skip=LOCK)
    res = trainlog("check", "-a", ATHLETE, data=data)
    assert (res.returncode, res.stdout) == (0, "mara: ok\n"), res.stdout + res.stderr
    res = trainlog("check", "--all", data=data)
    assert (res.returncode, res.stdout) == (0, "mara: ok\ntom: ok\n"), res.stdout + res.stderr
    doc = json.loads(trainlog("check", "--all", "--json", data=data).stdout)
    assert doc["problems"] == 0 and set(doc["athletes"]) == {"mara", "tom"}
    # an unknown athlete: one line, and read-only commands create nothing
    for args in (["check", "-a", "ghost"], ["repair", "-a", "ghost"], ["activities", "-a", "ghost"],
                 ["summary", "-a", "ghost"]):
        res = trainlog(*args, data=data)
        assert res.returncode == 1 and "Traceback" not in res.stderr and len(res.stderr.strip().splitlines()) == 1
        assert "ghost" in res.stderr
    assert tree(data, skip=LOCK) == before and not (adir.parent / "ghost").exists()
    empty = data.parent / "empty"
    res = trainlog("check", "--all", data=empty)
    assert res.returncode == 0 and "no datasets" in res.stdout and not empty.exists()


def test_a_derived_file_of_the_wrong_schema_is_recomputed(dataset):
    """The analysis kept on disk replaced by frames of other columns: summary still works (it was a traceback)."""
    data, adir, _ = dataset
    derived = sorted((adir / "derived").glob("analysis_*.parquet"))
    assert len(derived) == 6  # the five frames and the activities' inputs
    for path in derived:
        pl.DataFrame({"nonsense": [1, 2, 3]}).write_parquet(path)
    res = trainlog("check", "-a", ATHLETE, data=data)
    assert res.returncode == 1 and res.stdout.count("derived cache file") == 6, res.stdout
    res = trainlog("summary", "-a", ATHLETE, "--today", "2026-03-01", data=data)
    assert res.returncode == 0 and "Traceback" not in res.stderr, res.stderr
    assert "summary for 2026-03-01" in res.stdout
    for path in derived:
        assert "nonsense" not in pl.read_parquet_schema(path)  # rewritten with the right columns
    assert trainlog("check", "-a", ATHLETE, data=data).returncode == 0


# --------------------------------------------------------------------------- item 7: the disk fails


@pytest.fixture
def small_disk(tmp_path):
    """A 3 MiB tmpfs (mounted as root; skipped where mounting is not permitted), unmounted afterwards."""
    mnt = tmp_path / "disk"
    mnt.mkdir()
    res = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mnt)], capture_output=True, text=True)
    if res.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here (needs root and CAP_SYS_ADMIN): {res.stderr.strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def remount(mnt: Path, options: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{options}", str(mnt)], check=True, capture_output=True)


def test_disk_full_ends_in_one_line_removes_the_unfinished_files_and_the_next_run_works(small_disk):
    data = small_disk / "data"
    adir = data / "athletes" / ATHLETE
    res = trainlog("import", *MARA[:4], "-a", ATHLETE, data=data)
    assert res.returncode == 0, res.stderr
    first = set(check_dataset(Store(data), ATHLETE)["activity_id"])

    # commits of 12 files: a few fit on the 3 MiB disk, then one does not
    res = trainlog("import", SAMPLE_FIT / "mara", "-a", ATHLETE, "-q", "--workers", "1", data=data, batch=12)
    line = one_line_error(res, str(adir), "no space left on device", "unfinished files of this commit were removed",
                          "files imported before it are kept")
    kept_files = int(line.rsplit("; ", 1)[1].split()[0])
    doc = manifest_of(adir)
    listed = {p for ps in doc["tables"].values() for p in ps} | {n for n, _ in doc["retired"]}
    assert parts(adir) <= listed  # no unfinished part left behind...
    assert not list(adir.glob(".*.tmp")) and not list((adir / "derived").glob(".*.tmp"))  # ...nor temporary file
    acts = check_dataset(Store(data), ATHLETE)
    assert first < set(acts["activity_id"])  # what the earlier commits stored is kept
    ledger = Store(data).read("files", ATHLETE)
    assert ledger.filter(pl.col("outcome") == "imported").height == 4 + kept_files
    res = trainlog("check", "-a", ATHLETE, data=data)
    assert res.returncode == 0, res.stdout

    remount(small_disk, "size=256m")  # space freed: the same import now stores everything
    res = trainlog("import", SAMPLE_FIT / "mara", "-a", ATHLETE, "-q", "--workers", "1", data=data)
    assert res.returncode == 0, res.stderr
    assert len(check_dataset(Store(data), ATHLETE)) == 123
    assert trainlog("check", "-a", ATHLETE, data=data).returncode == 0


def test_a_read_only_data_directory_gives_one_line_and_reads_still_work(small_disk):
    data = small_disk / "data"
    res = trainlog("import", *MARA[:3], "-a", ATHLETE, data=data)
    assert res.returncode == 0, res.stderr
    shutil.rmtree(data / "athletes" / ATHLETE / "derived")  # so that reading must compute (and cannot keep) it
    before = tree(data, skip=LOCK)
    remount(small_disk, "ro")
    try:
        one_line_error(trainlog("import", *MARA[3:5], "-a", ATHLETE, data=data), "read-only file system")
        one_line_error(trainlog("import", *MARA[3:5], "-a", "newcomer", data=data), "read-only file system",
                       "cannot create the athlete folder")
        res = trainlog("repair", "-a", ATHLETE, data=data)
        one_line_error(res, "cannot take the dataset lock", "read-only file system")
        res = trainlog("summary", "-a", ATHLETE, "--today", "2025-10-01", data=data)
        assert res.returncode == 0 and "Traceback" not in res.stderr, res.stderr
        res = trainlog("check", "-a", ATHLETE, data=data)
        assert res.returncode == 0, res.stdout
    finally:
        remount(small_disk, "rw")
    assert tree(data, skip=LOCK) == before


@functools.cache
def nobody_python() -> tuple[str | None, str | None]:
    """(interpreter to exec, None) when user nobody can run this venv's Python with trainlog, else (None, why).

    The venv's interpreter may be a symlink into a folder only root may enter
    (pyenv under /root); then the same Python version installed system-wide is
    exec'd with the venv's path as argv[0], which makes it use the venv's packages.
    """
    if os.geteuid() != 0:
        return None, "not root: cannot switch to user nobody (and a user's own files are writable to them)"
    tried = []
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    for exe in dict.fromkeys([sys.executable, shutil.which(version, path="/usr/local/bin:/usr/bin")]):
        if exe is None:
            continue
        try:
            res = subprocess.run([sys.executable, "-c", "import trainlog.cli"], executable=exe, cwd=ROOT,
                                 capture_output=True, text=True, timeout=120,
                                 preexec_fn=lambda: (os.setgroups([]), os.setgid(NOBODY), os.setuid(NOBODY)))
        except OSError as exc:
            tried.append(f"{exe}: {exc.strerror}")
            continue
        if res.returncode == 0:
            return exe, None
        tried.append(f"{exe}: {res.stderr.strip()[-120:]}")
    return None, "user nobody cannot run this venv's Python with trainlog (" + "; ".join(tried) + ")"


@pytest.fixture
def shared_tmp():
    """A folder every user may enter (pytest's tmp_path is inside a root-only one), removed afterwards."""
    path = Path(tempfile.mkdtemp(prefix="trainlog-perm-", dir="/tmp"))
    path.chmod(0o755)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def test_permission_denied_gives_one_line_and_changes_nothing(shared_tmp):
    exe, why = nobody_python()
    if exe is None:
        pytest.skip(why)
    data = shared_tmp / "data"
    res = trainlog("import", *MARA[:3], "-a", ATHLETE, data=data)
    assert res.returncode == 0, res.stderr
    for p in [data, *data.rglob("*")]:
        if p.is_dir():
            p.chmod(0o755)
    before = tree(data, skip=LOCK)
    adir = data / "athletes" / ATHLETE
    one_line_error(trainlog("import", *MARA[3:5], "-a", ATHLETE, data=data, as_nobody=True),
                   "permission denied", str(adir / ".lock"))
    one_line_error(trainlog("import", *MARA[3:5], "-a", "newcomer", data=data, as_nobody=True),
                   "permission denied", "cannot create the athlete folder")
    one_line_error(trainlog("repair", "-a", ATHLETE, data=data, as_nobody=True), "permission denied")
    res = trainlog("summary", "-a", ATHLETE, "--today", "2025-10-01", data=data, as_nobody=True)
    assert res.returncode == 0 and "Traceback" not in res.stderr, res.stderr
    res = trainlog("check", "-a", ATHLETE, data=data, as_nobody=True)
    assert res.returncode == 0, res.stdout + res.stderr
    assert tree(data, skip=LOCK) == before
    private = shared_tmp / "private"
    private.mkdir(mode=0o700)
    one_line_error(trainlog("summary", "-a", ATHLETE, data=private / "data", as_nobody=True),
                   str(private / "data"), "cannot open the data directory: permission denied")

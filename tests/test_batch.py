"""Many athletes on a real Dask LocalCluster (trainlog/cluster/batch.py, `trainlog batch`, `trainlog roster`).

The batch must give every athlete the tables a serial `trainlog import` gives, one roster row per athlete,
report damaged and unreadable files without stopping, and lose or double nothing when a worker process is
killed mid-athlete (Dask runs the athlete again; the athlete's lock and manifest make that safe).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import polars as pl
import pytest
from builders import PAUSE_S, ROOT, SAMPLE_FIT, drop_file_capabilities, import_pausing
from polars.testing import assert_frame_equal

from trainlog import Store, import_paths
from trainlog.cluster import batch
from trainlog.errors import InvalidValue, StoreError, TrainlogError
from trainlog.store import roster, schema

pytest.importorskip("distributed", reason='Dask is not installed (pip install "trainlog[cluster]")')

#: Columns that say when a row was written, not what it holds.
WHEN = ("imported_at",)


def tables(store: Store, athlete: str) -> dict[str, pl.DataFrame]:
    """Every table of the athlete, import times left out, rows in one order."""
    out = {}
    for table in schema.TABLES:
        frame = store.read(table, athlete).drop(WHEN, strict=False)
        out[table] = frame.sort(frame.columns) if frame.height else frame
    return out


def assert_same_tables(a: Store, b: Store, athlete: str) -> None:
    left, right = tables(a, athlete), tables(b, athlete)
    for table in schema.TABLES:
        assert_frame_equal(left[table], right[table], check_exact=True)


def trainlog(*args: object, preexec=None) -> subprocess.CompletedProcess:  # noqa: ANN001
    return subprocess.run([sys.executable, "-m", "trainlog", *map(str, args)], cwd=ROOT, capture_output=True, text=True,
                          timeout=900, stdin=subprocess.DEVNULL, preexec_fn=preexec)


@pytest.fixture(scope="module")
def inbox(tmp_path_factory) -> Path:
    """Six athletes (sample_fit's mara and tom, each under three names), one folder holding a damaged file beside
    a good one, and one holding a file nobody may read (its mode is 0) beside a good one."""
    path = tmp_path_factory.mktemp("inbox")
    for i in range(3):
        shutil.copytree(SAMPLE_FIT / "mara", path / f"mara{i}")
        shutil.copytree(SAMPLE_FIT / "tom", path / f"tom{i}")
    good = sorted((SAMPLE_FIT / "tom").glob("*.fit"))
    (path / "damaged").mkdir()
    shutil.copy(good[0], path / "damaged")
    (path / "damaged" / "broken.fit").write_bytes(b"\x0e\x10" + os.urandom(3000))
    (path / "locked").mkdir()
    shutil.copy(good[1], path / "locked")
    secret = path / "locked" / "secret.fit"
    shutil.copy(good[2], secret)
    secret.chmod(0)
    return path


def test_batch_import_on_two_workers_equals_serial_imports_and_reruns_as_a_no_op(inbox, tmp_path, modes_apply):
    data = tmp_path / "batch"
    drop = drop_file_capabilities if os.geteuid() == 0 else None  # root reads mode-0 files unless it drops that power
    proc = trainlog("batch", "import", inbox, "--scheduler", "local:2", "--data-dir", data, "--json", preexec=drop)
    assert proc.returncode == 1, proc.stderr[-3000:]  # two files failed
    assert "Traceback" not in proc.stderr
    report = json.loads(proc.stdout)
    athletes = sorted(p.name for p in inbox.iterdir())
    assert [a["athlete"] for a in report["athletes"]] == athletes
    by_name = {a["athlete"]: a for a in report["athletes"]}
    files = {a: {Path(f["file"]).name: f for f in by_name[a]["files"]} for a in athletes}
    assert files["damaged"]["broken.fit"]["outcome"] == "failed" and files["damaged"]["broken.fit"]["detail"]
    assert files["locked"]["secret.fit"]["outcome"] == "failed"
    assert files["locked"]["secret.fit"]["detail"] == "permission denied"
    for name in ("damaged", "locked"):
        assert by_name[name]["counts"]["imported"] == 1 and by_name[name]["error"] is None

    serial, batch_store = Store(tmp_path / "serial"), Store(data)
    for athlete in athletes:
        if athlete == "locked":  # the serial import, unlike this process, may read the mode-0 file
            import_paths(serial, [inbox / athlete / sorted(os.listdir(inbox / athlete))[0]], athlete)
        else:
            import_paths(serial, [inbox.absolute() / athlete], athlete)
        assert_same_tables(serial, batch_store, athlete)
        expected = len(list((inbox / athlete).glob("*.fit")))
        assert sum(by_name[athlete]["counts"].values()) == expected

    frame = roster.read(data)
    assert frame["athlete"].to_list() == athletes and frame["error"].null_count() == len(athletes)
    assert frame.filter(pl.col("athlete") == "mara0")["activities"][0] == by_name["mara0"]["counts"]["imported"]

    generations = {a: batch_store.generation(a) for a in athletes}
    again = trainlog("batch", "import", inbox, "--scheduler", "local:2", "--data-dir", data, "--json", preexec=drop)
    rerun = json.loads(again.stdout)
    assert rerun["counts"]["imported"] == 0 and rerun["counts"]["duplicate"] >= 700
    assert {a: batch_store.generation(a) for a in athletes} == generations  # nothing written


def test_a_worker_killed_mid_athlete_loses_and_doubles_nothing(tmp_path):
    """A worker process gets SIGKILL after the athlete's first commit (five files); Dask runs the athlete again
    on a live worker, which finds those five files already imported and imports the rest."""
    inbox = tmp_path / "inbox"
    files = sorted((SAMPLE_FIT / "mara").glob("*.fit"))[:30]
    for name in ("ann", "ben", "cat"):
        (inbox / name).mkdir(parents=True)
        for path in files:
            shutil.copy(path, inbox / name)
    gate = tmp_path / "gate"
    gate.mkdir()
    store = Store(tmp_path / "data")
    folders, _ = batch.inbox(inbox)
    data_dir = str(store.data_dir.absolute())
    tasks = [(a, import_pausing, (data_dir, a, str(f.absolute()), str(gate) if a == "ben" else None)) for a, f in folders]
    killed: list[int] = []

    def kill_when_paused() -> None:
        deadline = time.monotonic() + PAUSE_S
        while not (gate / "pid").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        if (gate / "pid").exists():
            pid = int((gate / "pid").read_text())
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    killer = threading.Thread(target=kill_when_paused, daemon=True)
    killer.start()
    with batch.connect("local:2") as client:
        report = batch.run(client, tasks, store.data_dir)
    killer.join(timeout=PAUSE_S)
    assert killed, "the paused worker never wrote its pid"
    attempts = sorted(gate.glob("attempt-*"))
    assert len(attempts) == 2 and f"attempt-{killed[0]}" in {p.name for p in attempts}  # Dask ran ben again

    results = {r.athlete: r for r in report.results}
    assert all(r.error is None for r in results.values()), [r.error for r in results.values()]
    ben = results["ben"].counts
    assert ben["imported"] + ben["duplicate"] == len(files) and ben["duplicate"] >= 5  # the killed run's commit
    serial = Store(tmp_path / "serial")
    for athlete in ("ann", "ben", "cat"):
        import_paths(serial, [inbox.absolute() / athlete], athlete)
        assert_same_tables(serial, store, athlete)
        ledger = store.read("files", athlete)
        assert ledger["file_sha256"].n_unique() == ledger.height
        acts = store.read("activities", athlete)
        assert acts["activity_id"].n_unique() == acts.height
    assert roster.read(store.data_dir)["athlete"].to_list() == ["ann", "ben", "cat"]


def test_batch_analyse_rewrites_rows_after_a_settings_change(inbox, tmp_path):
    data = tmp_path / "data"
    store = Store(data)
    for athlete in ("mara0", "tom0"):
        import_paths(store, [inbox / athlete], athlete)
    proc = trainlog("batch", "analyse", "--scheduler", "local:1", "--data-dir", data)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip().splitlines()[-1].startswith("2 athletes (0 failed)")
    before = roster.read(data).row(0, named=True)
    changed = trainlog("athlete", "set", "--athlete", "mara0", "--data-dir", data, "--hr-max", "160", "--lthr", "150")
    assert changed.returncode == 0, changed.stderr
    proc = trainlog("batch", "analyse", "--athletes", "mara0", "--scheduler", "local:1", "--data-dir", data, "--json")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert [a["athlete"] for a in json.loads(proc.stdout)["athletes"]] == ["mara0"]
    after = roster.read(data)
    assert after["athlete"].to_list() == ["mara0", "tom0"]
    assert after.row(0, named=True)["ctl"] != before["ctl"]  # the load follows the new maximum heart rate
    unknown = trainlog("batch", "analyse", "--athletes", "mara0,nobody", "--data-dir", data)
    assert unknown.returncode == 1 and unknown.stderr.strip() == f"Error: --athletes: no dataset for 'nobody' in {data}"


def test_roster_command_queries_the_roster(tmp_path):
    data = tmp_path / "data"
    assert trainlog("roster", "--data-dir", data).stderr.startswith("Error: no roster in")
    roster.update(data, [{"athlete": "ann", "acwr": 1.7, "ctl": 60.0, "flags": ["acwr spike"], "n_flags": 1},
                         {"athlete": "ben", "acwr": 1.1, "ctl": 70.0, "flags": [], "n_flags": 0},
                         {"athlete": "cat", "acwr": 1.9, "error": None, "flags": ["acwr spike"], "n_flags": 1}])
    proc = trainlog("roster", "--data-dir", data, "--where", "acwr > 1.5", "--sort", "-acwr")
    lines = proc.stdout.splitlines()
    assert proc.returncode == 0 and [line.split()[0] for line in lines] == ["athlete", "cat", "ann"]
    rows = json.loads(trainlog("roster", "--data-dir", data, "--json", "--sort", "-ctl", "--limit", "1").stdout)
    assert [r["athlete"] for r in rows] == ["ben"] and rows[0]["ctl"] == 70.0 and "detail" not in rows[0]
    bad = trainlog("roster", "--data-dir", data, "--where", "acwr >>> 1")
    assert bad.returncode == 1 and len(bad.stderr.strip().splitlines()) == 1 and "Traceback" not in bad.stderr
    assert trainlog("roster", "--data-dir", data, "--where", "acwr > 5").stdout.strip() == "No athlete matches."


def test_inbox_entries_that_are_not_athlete_folders_are_reported(tmp_path):
    for name in ("ann", "bad name!", ".hidden", "ｍａｒａ", "mara"):
        (tmp_path / name).mkdir()
    (tmp_path / "loose.fit").write_bytes(b"x")
    folders, refused = batch.inbox(tmp_path)
    assert [(a, f.name) for a, f in folders] == [("ann", "ann"), ("mara", "mara")]  # the athlete's name is normalised
    errors = {r.athlete: r.error for r in refused}
    assert errors["bad name!"].startswith("invalid athlete name 'bad name!'")
    assert errors["loose.fit"].startswith("not an athlete folder")
    assert errors["ｍａｒａ"].startswith("the same athlete 'mara' as folder 'mara'")
    with pytest.raises(InvalidValue, match="not a folder"):
        batch.inbox(tmp_path / "loose.fit")


@pytest.mark.parametrize(("value", "expected"), [
    ("local", ("local", None)), ("local:3", ("local", 3)), (" tcp://10.0.0.1:8786 ", ("tcp://10.0.0.1:8786", None))])
def test_scheduler_values(value, expected):
    assert batch.parse_scheduler(value) == expected


@pytest.mark.parametrize("value", ["local:0", "local:x", "local:", "local:999", "  "])
def test_scheduler_mistakes_are_one_line(value):
    with pytest.raises(InvalidValue, match="--scheduler"):
        batch.parse_scheduler(value)


def test_an_unreachable_scheduler_is_one_line(tmp_path, monkeypatch):
    monkeypatch.setattr(batch, "CONNECT_TIMEOUT_S", 2)
    with pytest.raises(TrainlogError, match=r"--scheduler 'tcp://127.0.0.1:9': no Dask scheduler answered"), \
            batch.connect("tcp://127.0.0.1:9"):
        pass


def test_without_dask_the_batch_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(TrainlogError, match=r'pip install "trainlog\[cluster\]"'), batch.connect("local:1"):
        pass


def test_a_roster_that_cannot_be_written_stops_no_athlete(tmp_path, monkeypatch):
    inbox = tmp_path / "inbox"
    for name in ("ann", "ben"):
        (inbox / name).mkdir(parents=True)
        for path in sorted((SAMPLE_FIT / "tom").glob("*.fit"))[:2]:
            shutil.copy(path, inbox / name)

    def full(*args, **kwargs):
        raise StoreError("roster.parquet: cannot write the roster: no space left on device; the roster is as it was")

    monkeypatch.setattr(roster, "update", full)
    store = Store(tmp_path / "data")
    folders, _ = batch.inbox(inbox)
    with batch.connect("local:1") as client:
        report = batch.run(client, batch.import_tasks(store, folders), store.data_dir)
    assert [r.athlete for r in report.results] == ["ann", "ben"]
    assert all(r.counts["imported"] == 2 for r in report.results)
    assert "no space left on device" in report.roster_error and not report.ok
    assert store.athletes() == ["ann", "ben"]


@pytest.mark.parametrize(("args", "message"), [
    (["batch", "import", ""], "Error: INBOX: empty"),
    (["batch", "import", "{empty}"], "no athlete folder in it"),
    (["batch", "import", "{empty}", "--scheduler", "local:0"], "no athlete folder in it"),
    (["batch", "analyse", "--scheduler", "tls://127.0.0.1:9"], "no Dask scheduler answered"),
    (["roster", "--limit", str(2**64)], "Invalid value for '--limit'"),
])
def test_batch_mistakes_are_one_line(tmp_path, args, message):
    (tmp_path / "empty").mkdir()
    store = Store(tmp_path / "data")
    import_paths(store, sorted((SAMPLE_FIT / "tom").glob("*.fit"))[:1], "ann")
    roster.update(store.data_dir, [{"athlete": "ann"}])
    proc = trainlog(*[a.format(empty=tmp_path / "empty") for a in args], "--data-dir", store.data_dir)
    assert proc.returncode in (1, 2) and message in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr


DRIVER = """
import sys
from trainlog import Store
from trainlog.cluster import batch
sys.path.insert(0, sys.argv[4])
from builders import import_pausing
data, inbox, gate = sys.argv[1:4]
folders, _ = batch.inbox(__import__("pathlib").Path(inbox))
tasks = [(a, import_pausing, (data, a, str(f), gate if a == "ben" else None)) for a, f in folders]
try:
    with batch.connect("local:2") as client:
        batch.run(client, tasks, Store(data).data_dir)
except KeyboardInterrupt:
    print("interrupted", flush=True)
    sys.exit(130)
"""


def test_ctrl_c_stops_a_local_batch_without_worker_tracebacks(tmp_path):
    """Ctrl-C reaches the driver and its LocalCluster's workers (one process group): the workers ignore it, the
    driver stops and closes the cluster. The signal is sent while a worker is held mid-athlete (the gate)."""
    inbox = tmp_path / "inbox"
    for name in ("ann", "ben"):
        (inbox / name).mkdir(parents=True)
        for path in sorted((SAMPLE_FIT / "tom").glob("*.fit"))[:8]:
            shutil.copy(path, inbox / name)
    gate = tmp_path / "gate"
    gate.mkdir()
    data = tmp_path / "data"
    proc = subprocess.Popen([sys.executable, "-c", DRIVER, str(data), str(inbox), str(gate), str(ROOT / "tests")],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + PAUSE_S
        while not (gate / "pid").exists() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        assert (gate / "pid").exists(), proc.communicate(timeout=60)
        os.killpg(proc.pid, signal.SIGINT)  # what a terminal's Ctrl-C does
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130 and out.strip() == "interrupted", (out, err[-3000:])
    assert "KeyboardInterrupt" not in err and "Traceback" not in err, err[-3000:]
    store = Store(data)
    for athlete in store.athletes():  # whatever was committed reads back whole
        acts = store.read("activities", athlete)
        assert acts["activity_id"].n_unique() == acts.height

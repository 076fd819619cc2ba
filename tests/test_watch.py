"""``trainlog watch`` (trainlog/ingest/watch.py, trainlog/ingest/whole.py, trainlog/cli/watch.py) and the
Settings page's "Watched folders": whether a file is whole, the watcher's passes on a clock the test moves,
its state file, and the command end to end in a subprocess while files are copied in chunks."""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import threading
import time
import zipfile

import pytest
from builders import ROOT, SAMPLE_FIT, find, zip_bytes

from trainlog.errors import StoreError
from trainlog.ingest import importer
from trainlog.ingest import watch as watch_module
from trainlog.ingest.watch import STATE_FILE, Stop, Watcher, save_state, scan, watch_status, watched
from trainlog.ingest.whole import incomplete
from trainlog.store import Store
from trainlog.words import OUTCOMES

#: Three of the sample athlete's runs (small, on different days: no two are the same activity).
RUNS = [SAMPLE_FIT / "mara" / name for name in
        ("2025-11-04_0623_running.fit", "2026-01-15_0628_running.fit", "2026-03-11_0541_running.fit")]
GPX = (b'<?xml version="1.0" encoding="UTF-8"?>\n<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">'
       b'<trk><trkseg><trkpt lat="45.0" lon="6.0"><ele>1000</ele><time>2026-03-01T08:00:00Z</time></trkpt>'
       b'</trkseg></trk></gpx>\n')
TCX = (b'<?xml version="1.0"?>\n<tcx:TrainingCenterDatabase xmlns:tcx="http://www.garmin.com/xmlschemas/'
       b'TrainingCenterDatabase/v2"><tcx:Activities/></tcx:TrainingCenterDatabase>\r\n  \n')


def write(path, data: bytes):
    path.write_bytes(data)
    return path


# ---- whether a file is whole

def test_a_fit_file_cut_anywhere_is_incomplete_and_whole_when_all_there(tmp_path):
    data = RUNS[0].read_bytes()
    path = tmp_path / "run.fit"
    for cut in (1, 4, 8, 11, 12, 13, 100, len(data) // 2, len(data) - 2, len(data) - 1):
        assert incomplete(write(path, data[:cut])) is not None, cut
    assert incomplete(write(path, data)) is None
    assert incomplete(write(path, b"")) == "empty"


def test_a_chained_fit_file_is_whole_only_with_every_file_of_the_chain(tmp_path):
    first, second = RUNS[0].read_bytes(), RUNS[1].read_bytes()
    path = tmp_path / "chained.FIT"
    assert incomplete(write(path, first + second)) is None
    for cut in (5, 14, len(second) - 1):
        assert "FIT" in incomplete(write(path, first + second[:cut])), cut


def test_a_fit_header_that_declares_no_data_yet_is_a_writers_placeholder(tmp_path):
    data = bytearray(RUNS[0].read_bytes())
    data[4:8] = b"\0\0\0\0"  # the FIT SDK's encoder writes the data size on close
    assert incomplete(write(tmp_path / "run.fit", bytes(data))) == "the FIT header does not declare its data yet"


def test_what_cannot_be_judged_is_left_to_the_importer(tmp_path):
    data = RUNS[0].read_bytes()
    assert incomplete(write(tmp_path / "text.fit", b"this is not a FIT file at all")) is None  # it fails, once
    assert incomplete(write(tmp_path / "tail.fit", data + b"\0" * 40)) is None  # bytes after a whole file
    assert incomplete(tmp_path / "missing.fit") is None  # the importer says why it cannot be read
    assert incomplete(write(tmp_path / "activities.csv", b"Activity ID,Activity Date\n")) is None  # no rule: stable
    assert incomplete(write(tmp_path / "empty.csv", b"")) == "empty"


def test_a_gzip_stream_is_whole_at_its_end(tmp_path):
    data = gzip.compress(RUNS[0].read_bytes())
    for name in ("run.fit.gz", "run.fit"):  # a .fit holding gzip data is read as gzip, as the importer does
        path = tmp_path / name
        for cut in (2, 10, len(data) // 2, len(data) - 8, len(data) - 1):
            assert incomplete(write(path, data[:cut])) == "the gzip stream has not reached its end", (name, cut)
        assert incomplete(write(path, data)) is None
    two = data + gzip.compress(b"second member")
    assert incomplete(write(tmp_path / "two.fit.gz", two)) is None
    assert incomplete(write(tmp_path / "two.fit.gz", two[:-3])) is not None
    assert incomplete(write(tmp_path / "padded.fit.gz", data + b"\0" * 512)) is None
    assert incomplete(write(tmp_path / "corrupt.fit.gz", data[:10] + b"\xff" * 64)) is None  # the importer fails it


def test_a_zip_is_whole_with_its_directory_and_every_member(tmp_path):
    data = zip_bytes({"a.fit": RUNS[0].read_bytes(), "b.fit": RUNS[1].read_bytes()})
    path = tmp_path / "export.zip"
    for cut in (1, 30, len(data) // 2, len(data) - 22, len(data) - 1):
        assert incomplete(write(path, data[:cut])) is not None, cut
    assert incomplete(write(path, data)) is None
    stored = bytearray(zip_bytes({"a.fit": RUNS[0].read_bytes()}, zipfile.ZIP_STORED))
    stored[200:400] = b"\0" * 200  # a writer that fills the file out of order: the directory is there, a member is not
    assert "does not read back whole" in incomplete(write(path, bytes(stored)))


@pytest.mark.parametrize("name, doc", [("track.gpx", GPX), ("track.tcx", TCX)])
def test_gpx_and_tcx_are_whole_with_their_root_end_tag(tmp_path, name, doc):
    path = tmp_path / name
    assert incomplete(write(path, doc)) is None
    for cut in (10, len(doc) // 2, doc.rindex(b"</") + 3):
        assert incomplete(write(path, doc[:cut])) == "the document's root end tag is not there yet", cut
    assert incomplete(write(path, doc.decode().encode("utf-16"))) is None  # with its byte order mark


def test_gzipped_tracks_are_judged_by_their_stream(tmp_path):
    data = gzip.compress(GPX)
    assert incomplete(write(tmp_path / "t.gpx.gz", data)) is None
    assert incomplete(write(tmp_path / "t.gpx.gz", data[:-4])) is not None


# ---- which files are watched

@pytest.mark.parametrize("name", ["run.fit", "RUN.FIT", "run.fit.gz", "garmin-export.zip"])
def test_files_the_importer_takes_are_watched(name):
    assert watched(name)


@pytest.mark.parametrize("name", [".run.fit", "run.fit.part", "run.fit.tmp", "export.zip.crdownload", "run.fit~",
                                  "notes.txt", "course.kml", "photo.jpg", "Thumbs.db"])
def test_hidden_temporary_and_other_files_are_ignored(name):
    assert not watched(name)


def test_scan_lists_watched_files_in_subfolders_but_not_hidden_ones(tmp_path):
    (tmp_path / "2026").mkdir()
    (tmp_path / ".Trashes").mkdir()
    for rel in ("a.fit", "2026/b.fit", ".Trashes/c.fit", "a.fit.part", "notes.txt"):
        write(tmp_path / rel, b"x")
    (tmp_path / "loop").symlink_to(tmp_path)  # a link to a folder is not followed
    files, problems = scan(str(tmp_path))
    assert sorted(os.path.relpath(p, tmp_path) for p in files) == ["2026/b.fit", "a.fit"]
    assert files[str(tmp_path / "a.fit")][0] == 1 and problems == {}
    with pytest.raises(OSError):
        scan(str(tmp_path / "missing"))


# ---- the watcher's passes (a clock the test moves; the real importer)

class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def watcher(store, folder, lines, clock, debounce=2.0, **kwargs):
    return Watcher(store, [folder], "mara", echo=lambda line, error: lines.append(line), debounce=debounce, clock=clock,
                   **kwargs)


def file_lines(lines, outcome):
    return [line for line in lines if line.split(" ", 2)[2].startswith(outcome + " ")]


def test_a_half_written_file_waits_however_long_its_writer_pauses(store, tmp_path):
    folder = tmp_path / "watched"
    folder.mkdir()
    data = RUNS[0].read_bytes()
    lines, clock = [], Clock()
    w = watcher(store, folder, lines, clock, note_after_s=30)
    w.poll(first=True)
    path = write(folder / "run.fit", data[: len(data) // 3])
    for _ in range(10):  # 50 s without a change: stable, but not whole
        clock.now += 5
        w.poll()
    assert store.athletes() == [] and file_lines(lines, "imported") == []
    assert len([line for line in lines if "waiting   " in line]) == 1  # mentioned once, after note_after_s
    with open(path, "ab") as fh:
        fh.write(data[len(data) // 3:])
    w.poll()
    assert file_lines(lines, "imported") == []  # changed just now: the debounce starts again
    clock.now += 2
    w.poll()
    assert len(file_lines(lines, "imported")) == 1 and w.counts["imported"] == 1
    for _ in range(3):
        clock.now += 5
        w.poll()
    assert len(file_lines(lines, "imported")) == 1 and store.read("activities", "mara").height == 1


def test_the_first_pass_counts_files_imported_before_and_lists_new_ones(store, tmp_path):
    folder = tmp_path / "watched"
    folder.mkdir()
    write(folder / "a.fit", RUNS[0].read_bytes())
    lines, clock = [], Clock()
    first = watcher(store, folder, lines, clock)
    first.poll(first=True)
    clock.now += 2
    first.poll(first=True)
    assert len(file_lines(lines, "imported")) == 1 and first.first_pass["imported"] == 1  # new: listed
    write(folder / "b.fit", RUNS[1].read_bytes())
    lines.clear()
    again = watcher(store, folder, lines, clock)  # a restarted watch
    again.poll(first=True)
    clock.now += 2
    again.poll(first=True)
    assert again.first_pass == {"imported": 1, "duplicate": 1, "skipped": 0, "failed": 0}
    assert len(file_lines(lines, "imported")) == 1 and file_lines(lines, "duplicate") == []  # counted, not listed
    verbose_lines = []
    loud = watcher(store, folder, verbose_lines, clock, verbose=True)
    loud.poll(first=True)
    clock.now += 2
    loud.poll(first=True)
    assert len(file_lines(verbose_lines, "duplicate")) == 2


def test_a_failed_file_is_tried_again_only_when_it_changes_and_a_changed_file_is_considered_again(store, tmp_path):
    folder = tmp_path / "watched"
    folder.mkdir()
    lines, clock = [], Clock()
    w = watcher(store, folder, lines, clock)
    w.poll(first=True)
    bad = write(folder / "bad.fit", b"this is not a FIT file, and it will not become one")
    good = write(folder / "good.fit", RUNS[0].read_bytes())
    for _ in range(4):
        clock.now += 2
        w.poll()
    assert len(file_lines(lines, "failed")) == 1 and len(file_lines(lines, "imported")) == 1
    with open(bad, "ab") as fh:
        fh.write(b" still not")
    os.utime(good, ns=(0, 10**18))  # touched: same bytes, considered again, a duplicate
    for _ in range(3):
        clock.now += 2
        w.poll()
    assert len(file_lines(lines, "failed")) == 2 and len(file_lines(lines, "duplicate")) == 1
    assert w.counts == {"imported": 1, "duplicate": 1, "skipped": 0, "failed": 2}


def test_a_folder_that_disappears_is_waited_for_and_its_files_are_not_imported_again(store, tmp_path):
    folder = tmp_path / "GARMIN"
    folder.mkdir()
    write(folder / "a.fit", RUNS[0].read_bytes())
    lines, clock = [], Clock()
    w = watcher(store, folder, lines, clock)
    w.poll(first=True)
    clock.now += 2
    w.poll(first=True)
    folder.rename(tmp_path / "unplugged")
    for _ in range(3):
        clock.now += 2
        w.poll()
    assert len([line for line in lines if "waiting for it" in line]) == 1
    (tmp_path / "unplugged").rename(folder)
    for _ in range(3):
        clock.now += 2
        w.poll()
    assert len([line for line in lines if "folder back" in line]) == 1
    assert w.counts == {"imported": 1, "duplicate": 0, "skipped": 0, "failed": 0}  # nothing seen twice


def test_a_full_disk_is_one_line_and_the_files_are_imported_once_there_is_room(store, tmp_path, monkeypatch):
    folder = tmp_path / "watched"
    folder.mkdir()
    lines, clock = [], Clock()
    w = watcher(store, folder, lines, clock)
    w.poll(first=True)
    write(folder / "a.fit", RUNS[0].read_bytes())
    calls = []
    real = watch_module.import_paths

    def full(*args, **kwargs):
        calls.append(args)
        raise StoreError("/data/athletes/mara/x.parquet: no space left on device; the unfinished files were removed")

    monkeypatch.setattr(watch_module, "import_paths", full)
    for _ in range(10):
        clock.now += 2
        w.poll()
    assert len(calls) == 1 and len([line for line in lines if "no space left on device" in line]) == 1
    monkeypatch.setattr(watch_module, "import_paths", real)
    clock.now += watch_module.DISK_RETRY_S
    w.poll()
    assert len(file_lines(lines, "imported")) == 1


def test_another_store_error_stops_the_watch(store, tmp_path, monkeypatch):
    folder = tmp_path / "watched"
    folder.mkdir()
    write(folder / "a.fit", RUNS[0].read_bytes())

    def damaged(*args, **kwargs):
        raise StoreError("dataset.json: the dataset is damaged")

    monkeypatch.setattr(watch_module, "import_paths", damaged)
    w = watcher(store, folder, [], Clock(), debounce=0)
    with pytest.raises(StoreError, match="damaged"):
        w.poll(first=True)


def test_a_stop_reports_what_was_committed_and_abandons_the_rest(store, tmp_path, monkeypatch):
    folder = tmp_path / "watched"
    folder.mkdir()
    for run in RUNS:
        write(folder / run.name, run.read_bytes())
    monkeypatch.setattr(importer, "BATCH_FILES", 2)
    stop = Stop()
    lines = []
    w = Watcher(store, [folder], "mara", echo=lambda line, error: (lines.append(line), stop.set()), debounce=0,
                clock=Clock(), stop=stop)
    w.poll(first=True)  # the first line asks to stop: its batch is reported whole, the next is not started
    assert store.read("activities", "mara").height == 2 == w.counts["imported"] == len(lines)
    stop.requested = False
    w.poll()  # the file abandoned was left pending: imported now
    assert store.read("activities", "mara").height == 3 == w.counts["imported"] == len(lines)


# ---- the state file the dashboard reads

def test_the_state_file_has_each_folders_last_import(store, tmp_path):
    folder = tmp_path / "watched"
    folder.mkdir()
    write(folder / "a.fit", RUNS[0].read_bytes())
    w = watcher(store, folder, [], Clock(), debounce=0)
    w.poll(first=True)
    (row,) = watch_status(store, "mara")
    assert row["path"] == str(folder) and row["last_file"] == "a.fit" and row["last_outcome"] == "imported"
    assert row["counts"] == {"imported": 1, "duplicate": 0, "skipped": 0, "failed": 0}
    assert row["last_import"] and row["last_scan"] and row["problem"] is None
    save_state(store, "mara", [{"path": "/media/GARMIN/Garmin/Activity", "last_scan": "2026-03-15T10:00:00+00:00"}])
    assert [r["path"] for r in watch_status(store, "mara")] == sorted([str(folder), "/media/GARMIN/Garmin/Activity"])


@pytest.mark.parametrize("content", ["", "{not json", "[]", '{"folders": []}', '{"folders": {"/x": 3}}'])
def test_a_missing_or_damaged_state_file_reads_as_no_folder(store, content):
    assert watch_status(store, "mara") == []
    path = store.athlete_dir("mara") / STATE_FILE
    path.parent.mkdir(parents=True)
    path.write_text(content)
    assert watch_status(store, "mara") == []


def test_odd_values_in_the_state_file_are_read_as_missing(store):
    path = store.athlete_dir("mara") / STATE_FILE
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"folders": {"/w": {"last_import": 5, "counts": {"imported": "x", "failed": True}}}}))
    (row,) = watch_status(store, "mara")
    assert row["last_import"] is None and row["counts"] == {"imported": 0, "duplicate": 0, "skipped": 0, "failed": 0}


# ---- the command

def trainlog(*args, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "trainlog", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, **kwargs)


def test_a_missing_folder_is_one_line_and_status_2(tmp_path):
    done = trainlog("watch", tmp_path / "nowhere", "-a", "mara", "--data-dir", tmp_path / "data")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [f"Error: {tmp_path / 'nowhere'}: no such folder"]
    not_folder = write(tmp_path / "file.fit", b"x")
    done = trainlog("watch", not_folder, "-a", "mara", "--data-dir", tmp_path / "data")
    assert done.returncode == 2 and done.stderr.strip().splitlines() == [f"Error: {not_folder}: not a folder"]
    assert not (tmp_path / "data").exists()


def test_once_imports_what_is_there_and_exits(tmp_path):
    folder, data = tmp_path / "watched", tmp_path / "data"
    folder.mkdir()
    for run in RUNS[:2]:
        write(folder / run.name, run.read_bytes())
    write(folder / "half.fit", RUNS[2].read_bytes()[:1000])
    args = ("watch", folder, "-a", "mara", "--data-dir", data, "--debounce", "0", "--once")
    done = trainlog(*args)
    assert done.returncode == 0, done.stderr
    assert "first pass: 2 files: 2 imported, 0 duplicate, 0 skipped, 0 failed" in done.stdout
    assert len([line for line in done.stdout.splitlines() if " imported  " in line]) == 2
    assert "half.fit: not whole yet (FIT data ends at byte 1,000 of" in done.stdout
    store = Store(data)
    assert store.read("activities", "mara").height == 2
    assert (store.athlete_dir("mara") / "derived").is_dir()  # the analysis is kept, as trainlog import keeps it
    again = trainlog(*args)
    assert again.returncode == 0 and "first pass: 2 files: 0 imported, 2 duplicate" in again.stdout
    assert " duplicate " not in again.stdout.replace("2 duplicate", "")  # counted, not listed
    assert watch_status(store, "mara")[0]["counts"]["duplicate"] == 2
    write(folder / "bad.fit", b"not a FIT file")
    failed = trainlog(*args)
    assert failed.returncode == 1 and "first pass: 3 files: 0 imported, 2 duplicate, 0 skipped, 1 failed" in failed.stdout
    assert [line for line in failed.stderr.splitlines() if "bad.fit" in line][0].split(" ", 3)[2] == "failed"


def outcome_lines(lines: list[str]) -> list[str]:
    """The files' lines among a watcher's lines: a time stamp, then an outcome word."""
    return [line for line in lines if line[:4].isdigit() and line.split(" ", 3)[2] in OUTCOMES]


def copy_in_chunks(source, target, pause_s: float, parts: int = 3):
    """Copy ``source`` to ``target`` a part at a time, flushed, with a pause between the parts."""
    data = source.read_bytes()
    step = len(data) // parts + 1
    with open(target, "wb") as fh:
        for start in range(0, len(data), step):
            fh.write(data[start:start + step])
            fh.flush()
            os.fsync(fh.fileno())
            time.sleep(pause_s)


class Output:
    """The lines a process prints, read by a thread (so the test can wait for a line without blocking)."""

    def __init__(self, stream):
        self.lines: list[str] = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream):
        for line in stream:
            with self._lock:
                self.lines.append(line.rstrip("\n"))

    def snapshot(self) -> list[str]:
        with self._lock:
            return list(self.lines)

    def finish(self) -> list[str]:
        """Every line, once the process has exited and its output is read to the end."""
        self._thread.join(timeout=120)
        assert not self._thread.is_alive(), "the output did not end"
        return self.snapshot()

    def wait_for(self, check, proc, timeout_s: float = 120.0) -> list[str]:
        deadline = time.monotonic() + timeout_s
        while not check(lines := self.snapshot()):
            assert proc.poll() is None, "\n".join(lines)
            assert time.monotonic() < deadline, "waited too long for the watcher:\n" + "\n".join(lines)
            time.sleep(0.05)
        return lines


def test_files_copied_in_chunks_are_imported_once_each_when_complete(tmp_path):
    """The watcher as a user runs it. Whatever the machine's speed, a part-written file is never imported
    (its content is not whole), so each file is imported exactly once: nothing here depends on timing."""
    folder, data = tmp_path / "GARMIN" / "Activity", tmp_path / "data"
    folder.mkdir(parents=True)
    proc = subprocess.Popen(
        [sys.executable, "-m", "trainlog", "watch", str(folder), "-a", "mara", "--data-dir", str(data),
         "--debounce", "0.2", "--interval", "0.1"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        out = Output(proc.stdout)
        out.wait_for(lambda lines: any(" first pass: 0 files" in line for line in lines), proc)
        copy_in_chunks(RUNS[0], folder / RUNS[0].name, pause_s=0.5)  # pauses longer than the debounce
        copy_in_chunks(RUNS[1], folder / (RUNS[1].name + ".part"), pause_s=0.2)  # a download, renamed when done
        os.rename(folder / (RUNS[1].name + ".part"), folder / RUNS[1].name)
        copy_in_chunks(RUNS[2], folder / RUNS[2].name, pause_s=0.05, parts=8)
        out.wait_for(lambda lines: all(any(run.name in line for line in outcome_lines(lines)) for run in RUNS), proc)
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=120) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    lines = out.finish()
    assert lines[-1] == "stopped: 3 files imported (0 duplicate, 0 skipped, 0 failed)"
    for run in RUNS:  # one outcome each ("waiting" lines would be allowed: a copy that stalls for a minute)
        mentions = [line for line in outcome_lines(lines) if run.name in line]
        assert len(mentions) == 1 and " imported  " in mentions[0], mentions
    assert len(outcome_lines(lines)) == len(RUNS) and not [line for line in lines if "partial" in line]
    store = Store(data)
    activities, files = store.read("activities", "mara"), store.read("files", "mara")
    assert activities["file_sha256"].n_unique() == activities.height == len(RUNS)
    assert files["file_sha256"].n_unique() == files.height == len(RUNS)
    (row,) = watch_status(store, "mara")
    assert row["counts"]["imported"] == len(RUNS) and row["last_outcome"] == "imported"


def test_sigterm_stops_the_watch_as_ctrl_c_does(tmp_path):
    folder = tmp_path / "watched"
    folder.mkdir()
    proc = subprocess.Popen([sys.executable, "-m", "trainlog", "watch", str(folder), "-a", "mara", "--data-dir",
                             str(tmp_path / "data"), "--interval", "0.1"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        out = Output(proc.stdout)
        out.wait_for(lambda lines: any(" first pass: 0 files" in line for line in lines), proc)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=120) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    lines = out.finish()
    assert lines[-1] == "stopped: 0 files imported (0 duplicate, 0 skipped, 0 failed)"
    assert not [line for line in lines if "Traceback" in line]


# ---- the Settings page

def test_the_settings_page_lists_the_watched_folders(writable_source):
    from dashboards.pages import settings

    layout = settings.layout(athlete="mara")
    assert find(layout, "watch-folders") is None
    assert "trainlog watch DIR -a mara" in str(find(layout, "watch-none").children)
    store = writable_source.store
    tz = writable_source.settings("mara").timezone
    save_state(store, "mara", [
        {"path": "/media/GARMIN/Garmin/Activity", "last_scan": "2026-03-15T10:05:00+00:00",
         "last_import": "2026-03-15T10:04:00+00:00", "last_file": "2026-03-15_0600_running.fit",
         "last_outcome": "imported", "last_detail": "running, 12.3 km", "problem": None},
        {"path": "/home/mara/Dropbox/Garmin", "last_scan": "2026-03-15T10:05:00+00:00",
         "problem": "no such file or directory"},
    ])
    table = find(settings.layout(athlete="mara"), "watch-folders")
    header = [th.children for th in table.children[0].children.children]
    assert header == ["Folder", "Last import", "Last file", "Last checked"]
    rows = [[td.children for td in tr.children] for tr in table.children[1].children]
    assert rows[1] == ["/media/GARMIN/Garmin/Activity", settings.moment_text("2026-03-15T10:04:00+00:00", tz),
                       "imported: 2026-03-15_0600_running.fit (running, 12.3 km)",
                       settings.moment_text("2026-03-15T10:05:00+00:00", tz)]
    assert rows[0][1:3] == ["–", "–"] and rows[0][3].endswith(": cannot be read (no such file or directory)")


def test_moments_show_in_the_athletes_time_zone_in_the_pages_date_format(dash_app):
    from dashboards.pages.settings import moment_text

    assert moment_text("2026-03-15T10:04:00+00:00", "America/New_York") == "Sun 15 Mar 2026 06:04"
    assert moment_text("2026-03-15T23:30:00+00:00", "Europe/Paris") == "Mon 16 Mar 2026 00:30"
    assert moment_text(None, "Europe/Paris") == moment_text("garbage", None) == "–"

"""Replacing a file atomically (trainlog.atomic): the new content or the old, never half, no leftovers."""

from __future__ import annotations

import os
import stat

import polars as pl
import pytest

from trainlog import atomic
from trainlog.atomic import fsync_file, replace_atomic, temp_path, write_text_atomic


def test_the_text_is_written_and_replaces_the_old(tmp_path):
    path = tmp_path / "doc.json"
    write_text_atomic(path, "first")
    assert path.read_text(encoding="utf-8") == "first"
    write_text_atomic(path, "zweite Fassung: ä ø 🏃")
    assert path.read_text(encoding="utf-8") == "zweite Fassung: ä ø 🏃"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["doc.json"]  # no temporary file left


def test_a_failed_write_keeps_the_old_content_and_removes_the_temporary_file(tmp_path):
    path = tmp_path / "doc.json"
    path.write_text("old", encoding="utf-8")

    def half_then_fail(fh):
        fh.write(b"half of the new")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space left"):
        replace_atomic(path, half_then_fail)
    assert path.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["doc.json"]


def test_an_interrupt_before_the_rename_keeps_the_old_content(tmp_path, monkeypatch):
    path = tmp_path / "doc.json"
    path.write_text("old", encoding="utf-8")

    def interrupted(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(atomic.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_text_atomic(path, "new")
    monkeypatch.undo()
    assert path.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["doc.json"]


def test_a_full_disk_when_creating_the_temporary_file_leaves_nothing(tmp_path, monkeypatch):
    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.os, "open", full)
    with pytest.raises(OSError, match="No space left"):
        write_text_atomic(tmp_path / "doc.json", "new")
    monkeypatch.undo()
    assert list(tmp_path.iterdir()) == []


def test_the_new_file_has_its_mode_from_the_start(tmp_path, monkeypatch):
    seen = []
    real_open = os.open

    def spy(path, flags, mode=0o777, **kwargs):
        seen.append(mode)
        return real_open(path, flags, mode, **kwargs)

    monkeypatch.setattr(atomic.os, "open", spy)
    path = tmp_path / "users.json"
    write_text_atomic(path, "secret", mode=0o600)
    assert seen[0] == 0o600  # the temporary file is created private, not chmod-ed after
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_durable_replacement_syncs_the_file_and_its_folder(tmp_path, monkeypatch):
    synced_dirs, fsyncs = [], []
    real_fsync = os.fsync
    monkeypatch.setattr(atomic, "fsync_dir", synced_dirs.append)
    monkeypatch.setattr(atomic.os, "fsync", lambda fd: (fsyncs.append(fd), real_fsync(fd)))
    write_text_atomic(tmp_path / "doc.json", "x")
    assert synced_dirs == [tmp_path] and len(fsyncs) == 1
    synced_dirs.clear()
    fsyncs.clear()
    replace_atomic(tmp_path / "cache.bin", lambda fh: fh.write(b"x"), durable=False)
    assert synced_dirs == [] and fsyncs == []
    assert (tmp_path / "cache.bin").read_bytes() == b"x"


def test_a_parquet_frame_written_through_the_helper_reads_back(tmp_path):
    frame = pl.DataFrame({"distance_m": [1.0, 2.5], "hr_bpm": [120.0, None]})
    path = tmp_path / "frame.parquet"
    replace_atomic(path, lambda fh: frame.write_parquet(fh, metadata={"k": "v"}))
    assert pl.read_parquet(path).equals(frame)
    assert pl.read_parquet_metadata(path)["k"] == "v"


def test_the_temporary_file_is_hidden_beside_its_target(tmp_path):
    tmp = temp_path(tmp_path / "dataset.json")
    assert tmp.parent == tmp_path
    assert tmp.name.startswith(".dataset.json.") and tmp.name.endswith(".tmp")
    assert temp_path(tmp_path / "dataset.json") != tmp  # a fresh name each time: two writers never share one


def test_fsync_file_needs_the_file_and_fsync_dir_is_best_effort(tmp_path):
    with pytest.raises(FileNotFoundError):
        fsync_file(tmp_path / "missing.parquet")
    (tmp_path / "part.parquet").write_bytes(b"PAR1")
    fsync_file(tmp_path / "part.parquet")
    atomic.fsync_dir(tmp_path / "no such folder")  # no error: not every system can sync a folder

"""trainlog.store.disk: a disk error in a few words, which errors are the disk's, whole Parquet files."""

from __future__ import annotations

import errno

import polars as pl
import pytest

from trainlog.store.disk import PARQUET_MAGIC, disk_cause, is_disk_error, parquet_problem


@pytest.mark.parametrize(
    ("exc", "cause"),
    [
        (OSError(errno.ENOSPC, "No space left on device"), "no space left on device"),
        (OSError(errno.EROFS, "Read-only file system"), "read-only file system"),
        (PermissionError(errno.EACCES, "Permission denied"), "permission denied"),
        (OSError(errno.EDQUOT, "Disk quota exceeded"), "disk quota exceeded"),
        # Polars wraps the OS error in its own text: the code is read from "os error N"
        (pl.exceptions.ComputeError("failed to write: No space left on device (os error 28)"), "no space left on device"),
        (pl.exceptions.ComputeError("IO error: Read-only file system (os error 30)"), "read-only file system"),
        # no code: the message's first line
        (ValueError("  the part is odd\nsecond line"), "the part is odd"),
        (RuntimeError(), "RuntimeError"),
    ],
)
def test_disk_cause_in_a_few_words(exc, cause):
    assert disk_cause(exc) == cause


@pytest.mark.parametrize(
    ("exc", "is_disk"),
    [
        (OSError(errno.ENOSPC, "full"), True),
        (FileNotFoundError(2, "gone"), True),
        (PermissionError(13, "no"), True),
        (pl.exceptions.ComputeError("write failed (os error 28)"), True),
        (pl.exceptions.ComputeError("IO error: cannot open"), True),
        (pl.exceptions.ComputeError("cannot compare string with numeric type"), False),
        (pl.exceptions.SchemaError("column x not found"), False),
        (ValueError("os error 28"), False),  # not a Polars error: the data's, not the disk's
    ],
)
def test_is_disk_error(exc, is_disk):
    assert is_disk_error(exc) is is_disk


@pytest.fixture
def part(tmp_path):
    path = tmp_path / "activities-000001-abcd.parquet"
    pl.DataFrame({"x": [1, 2, 3]}).write_parquet(path)
    return path


def test_a_whole_parquet_file_has_no_problem(part):
    data = part.read_bytes()
    assert data[:4] == data[-4:] == PARQUET_MAGIC == b"PAR1"
    assert parquet_problem(part) is None


def test_a_missing_file(tmp_path):
    assert parquet_problem(tmp_path / "gone.parquet") == "is missing"


@pytest.mark.parametrize("size", [0, 5, 11])
def test_a_file_under_twelve_bytes_is_truncated(part, size):
    part.write_bytes(part.read_bytes()[:size])
    assert parquet_problem(part) == f"is truncated ({size} bytes)"


def test_a_file_cut_short_or_overwritten_is_not_whole(part):
    data = part.read_bytes()
    part.write_bytes(data[:-1])  # the closing magic is gone
    assert parquet_problem(part) == "is not a whole Parquet file (truncated or overwritten)"
    part.write_bytes(b"\0" * 4 + data[4:])  # the opening magic overwritten
    assert parquet_problem(part) == "is not a whole Parquet file (truncated or overwritten)"
    part.write_bytes(data[:12])  # 12 bytes: long enough to look at, begins well, ends badly
    assert parquet_problem(part) == "is not a whole Parquet file (truncated or overwritten)"


def test_a_file_that_cannot_be_read_says_why(tmp_path):
    folder = tmp_path / "a-folder.parquet"
    folder.mkdir()
    assert parquet_problem(folder) == "cannot be read (is a directory)"

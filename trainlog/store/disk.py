"""The disk under a dataset: a disk error in a few words, and whether a file is a whole Parquet file.

Used by the writer (:mod:`trainlog.store.dataset`) and by check and repair
(:mod:`trainlog.store.check`), so both word a full or read-only disk the same way.
"""

from __future__ import annotations

import errno
import os
import re
from pathlib import Path

import polars as pl

from trainlog.errors import first_line

#: Parquet files begin and end with these bytes.
PARQUET_MAGIC = b"PAR1"


def disk_cause(exc: BaseException) -> str:
    """A disk error's cause in a few words ("no space left on device"), from an OSError or a Polars error."""
    code = getattr(exc, "errno", None)
    if code is None:
        m = re.search(r"os error (\d+)", str(exc))
        code = int(m[1]) if m else None
    if code is not None:
        return os.strerror(code).lower() if code != errno.EACCES else "permission denied"
    return first_line(exc)


def is_disk_error(exc: BaseException) -> bool:
    """True for the errors of a disk or a file system (not of the data): every OSError, and Polars' I/O errors."""
    return isinstance(exc, OSError) or (
        isinstance(exc, pl.exceptions.PolarsError) and re.search(r"os error \d+|IO error", str(exc)) is not None
    )


def parquet_problem(path: Path) -> str | None:
    """None when ``path`` looks like a whole Parquet file (size, magic at both ends), else why not."""
    try:
        size = path.stat().st_size
        if size < 12:
            return f"is truncated ({size} bytes)"
        with open(path, "rb") as fh:
            head = fh.read(4)
            fh.seek(-4, os.SEEK_END)
            tail = fh.read(4)
    except FileNotFoundError:
        return "is missing"
    except OSError as exc:
        return f"cannot be read ({disk_cause(exc)})"
    if head != PARQUET_MAGIC or tail != PARQUET_MAGIC:
        return "is not a whole Parquet file (truncated or overwritten)"
    return None

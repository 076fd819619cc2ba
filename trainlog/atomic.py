"""Writing files safely: the one way trainlog replaces a file, and the fsyncs its commits rely on.

:func:`replace_atomic` is the pattern: the new content goes to a temporary file
beside the target (``.<name>.<random>.tmp``), is flushed to disk, then replaces
the target in one ``os.replace``; the folder is synced so the rename survives a
power cut. A reader sees the old file or the new one, never half of one. On any
failure the temporary file is removed and the error is raised as it came
(callers turn it into their own one-line error).

- :func:`write_text_atomic`: the JSON files (the dataset manifest, an athlete's
  settings, the dashboard's users).
- :func:`replace_atomic` with a writer of bytes: the derived frames' Parquet cache.
- :func:`fsync_file`: a dataset's Parquet parts, written once under their final
  name and made durable before the manifest that lists them is committed (the
  manifest's replacement is their atomic step, see :mod:`trainlog.store.dataset`).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import BinaryIO


def fsync_dir(path: Path) -> None:
    """Flush a folder's entries (a rename in it) to disk; best effort (not every system allows it)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def fsync_file(path: Path) -> None:
    """Flush a written file's bytes to disk (OSError when the disk refuses)."""
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())


def temp_path(path: Path) -> Path:
    """The temporary file a replacement of ``path`` is written to first: ``.<name>.<random>.tmp`` beside it."""
    return path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")


def temp_glob(path: Path) -> str:
    """The glob, relative to ``path``'s folder, of the temporary files :func:`temp_path` makes for it."""
    return f".{path.name}.*.tmp"


def replace_atomic(path: Path, write: Callable[[BinaryIO], object], mode: int = 0o644, durable: bool = True) -> None:
    """Replace ``path`` atomically with what ``write(fh)`` writes to a temporary file opened for it.

    The new file gets ``mode`` (less the umask) from its creation on, so a
    private file (0o600) is never readable by others, even briefly.
    ``durable``: flush the file and the folder to disk (a cache that is
    checked when read may skip it). Any error, ``write``'s included, removes
    the temporary file and is raised as it came; ``path`` is then as it was.
    """
    path = Path(path)
    tmp = temp_path(path)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), mode)
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise
    if durable:
        fsync_dir(path.parent)


def write_text_atomic(path: Path, text: str, mode: int = 0o644) -> None:
    """Replace ``path`` with ``text`` (UTF-8) atomically and durably, the new file private to ``mode``
    from its creation on (see :func:`replace_atomic`)."""
    data = text.encode("utf-8")
    replace_atomic(path, lambda fh: fh.write(data), mode=mode)

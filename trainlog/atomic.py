"""Replacing a small file atomically: the one way trainlog writes its JSON files
(the dataset manifest, an athlete's settings, the dashboard's users).

The text goes to a temporary file beside the target (``.<name>.<random>.tmp``),
is flushed to disk, then replaces the target in one ``os.replace``; the folder
is synced so the rename survives a power cut. A reader sees the old file or the
new one, never half of one. On any failure the temporary file is removed and the
error is raised as it came (callers turn it into their own one-line error).
"""

from __future__ import annotations

import os
import uuid
from contextlib import suppress
from pathlib import Path


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


def write_text_atomic(path: Path, text: str, mode: int = 0o644) -> None:
    """Replace ``path`` with ``text`` (UTF-8) atomically; the new file gets ``mode`` (less the umask)
    from its creation on, so a private file (0o600) is never readable by others, even briefly."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), mode)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)

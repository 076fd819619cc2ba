"""How the command line's process gives freed memory back to the system (set once, before Polars loads).

Polars allocates with its own jemalloc, which keeps freed pages for a while before it returns them; NumPy allocates
with the C library's malloc, whose threshold for mapping a large block on its own rises with the largest block
freed, so arrays of a long run land in a heap that seldom shrinks. An analysis frees and allocates columns of
millions of rows within a second or two, so the process held the freed columns beside the new ones (the
analysis of a 32 MiB damaged file: 684 MB, against 541 MB with these settings; benchmarks/README.md, 2026-12-03).

- jemalloc (``_RJEM_MALLOC_CONF``: Polars puts its own options first, ``dirty_decay_ms:500,muzzy_decay_ms:1000``,
  and what the variable held after them, so these win; a value the user set is kept, one a parent process's
  Polars wrote is not): freed pages go back after 100 ms, by jemalloc's background thread (not by the thread
  that frees them), and at once, not 1 s later, from the "muzzy" state in which they still count as the
  process's.
- glibc (``mallopt(M_MMAP_THRESHOLD)``): blocks of 1 MiB or more are always mapped on their own, so freeing one
  returns it at once.

The speed of the analysis is unchanged within the noise of the machine (a 10-year history: 4.2-5.1 s either way,
1,380 -> 1,110 MB at its peak).
"""

from __future__ import annotations

import os
import sys

#: jemalloc's options for the process (jemalloc(3)): 100 ms dirty decay, no muzzy stage; on Linux, purged by
#: jemalloc's background thread (built only where pthreads allow it: elsewhere jemalloc would complain at start).
JEMALLOC_CONF = "dirty_decay_ms:100,muzzy_decay_ms:0"
BACKGROUND = "background_thread:true,"
#: What Polars (2.1) puts in the variable when it is imported, before any value it held.
POLARS_DEFAULT = "dirty_decay_ms:500,muzzy_decay_ms:1000"
#: glibc's mallopt option number for the mmap threshold (malloc.h: M_MMAP_THRESHOLD = -3) and the value set.
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD_BYTES = 1 << 20


def configure() -> None:
    """Set both allocators' options for this process. Only before Polars is imported (jemalloc reads its options
    once); the C library's threshold only where the C library is glibc. Never fails: the defaults stay."""
    if "polars" not in sys.modules and not _users_own(os.environ.get("_RJEM_MALLOC_CONF", "")):
        os.environ["_RJEM_MALLOC_CONF"] = jemalloc_options()
    glibc = _glibc()
    if glibc is not None and "MALLOC_MMAP_THRESHOLD_" not in os.environ \
            and "mmap_threshold" not in os.environ.get("GLIBC_TUNABLES", ""):  # the user's own threshold stays
        glibc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)


def jemalloc_options() -> str:
    """The jemalloc options :func:`configure` sets here: :data:`JEMALLOC_CONF`, purged in the background on glibc
    Linux."""
    return (BACKGROUND if _glibc() is not None else "") + JEMALLOC_CONF


def _users_own(conf: str) -> bool:
    """Whether ``conf`` holds options a user chose: not when empty, nor when it is only what Polars writes there
    for its own process (:data:`POLARS_DEFAULT`), which a program that imported Polars passes on to the processes
    it starts (a benchmark, a notebook running ``trainlog``)."""
    return bool(conf.replace(POLARS_DEFAULT, "").strip(","))


def _glibc() -> object | None:
    """The C library when it is Linux's glibc (not musl, not macOS's), else None."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        libc = ctypes.CDLL(None)
        return libc if hasattr(libc, "gnu_get_libc_version") and hasattr(libc, "mallopt") else None
    except (ImportError, OSError):  # a Python built without ctypes; no C library to load
        return None

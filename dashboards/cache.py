"""The dashboard's memory: a least-recently-used cache bounded by the bytes of what it holds.

Used by :mod:`dashboards.data` (the one module that reads the store for pages)
to keep frames, analyses, summaries and rendered pages; pages never use it directly.
"""

from __future__ import annotations

import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import polars as pl

#: Memory budget of everything the dashboard caches (frames, analyses, summaries), in bytes;
#: least recently used entries go first.
CACHE_BYTES = 256 * 2**20


@runtime_checkable
class Measured(Protocol):
    """A cached value that says its own size (what of it counts), in bytes."""

    def cached_bytes(self) -> int: ...


def size_of(value: object) -> int:
    """A rough size in bytes of a cached value: Polars frames by ``estimated_size()``, a :class:`Measured`
    value by its ``cached_bytes()``, dataclasses, dicts, lists and tuples by their parts, anything else
    by ``sys.getsizeof``."""
    if isinstance(value, (pl.DataFrame, pl.Series)):
        return int(value.estimated_size())
    if isinstance(value, Measured):
        return value.cached_bytes()
    if is_dataclass(value) and not isinstance(value, type):
        return 64 + sum(size_of(getattr(value, f.name)) for f in fields(value))
    if isinstance(value, dict):
        return sys.getsizeof(value) + sum(size_of(k) + size_of(v) for k, v in value.items())
    if isinstance(value, (list, tuple, set)):
        return sys.getsizeof(value) + sum(size_of(v) for v in value)
    return sys.getsizeof(value)


def file_key(path: Path) -> tuple[int, int, int] | None:
    """What changes when a file is replaced or rewritten (None: no file): a cache key without reading it.

    ``(mtime in ns, size in bytes, inode)``.
    """
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size, st.st_ino


class ByteCache:
    """A thread-safe least-recently-used mapping bounded by the total size of its values in bytes.

    A value larger than the whole budget is not kept (it is returned, and computed again next time).
    """

    def __init__(self, budget: int = CACHE_BYTES) -> None:
        self.budget = budget
        self._items: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()  # key -> (value, size)
        self._bytes = 0
        self._lock = threading.Lock()

    @property
    def nbytes(self) -> int:
        """The bytes held now (never above :attr:`budget`)."""
        return self._bytes

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: Hashable, default: Any = None) -> Any:
        """The value of ``key`` (now the most recently used), else ``default``."""
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return default
            self._items.move_to_end(key)
            return item[0]

    def put(self, key: Hashable, value: object, size: int | None = None) -> None:
        """Keep ``value`` under ``key`` (``size`` in bytes; measured by :func:`size_of` when None),
        dropping the least recently used entries to stay within the budget."""
        size = size_of(value) if size is None else size
        with self._lock:
            self._drop(key)
            if size > self.budget:
                return
            while self._items and self._bytes + size > self.budget:
                self._drop(next(iter(self._items)))
            self._items[key] = (value, size)
            self._bytes += size

    def resize(self, key: Hashable) -> None:
        """Measure ``key``'s value again (it grew in place)."""
        value = self.get(key)
        if value is not None:
            self.put(key, value)

    def discard(self, match: Callable[[Any], bool]) -> None:
        """Drop every entry whose key satisfies ``match(key)``."""
        with self._lock:
            for key in [k for k in self._items if match(k)]:
                self._drop(key)

    def _drop(self, key: Hashable) -> None:
        item = self._items.pop(key, None)
        if item is not None:
            self._bytes -= item[1]

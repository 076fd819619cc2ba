"""The derived frames' cache: frames computed from a dataset, kept in ``<athlete>/derived/`` as Parquet.

Each file records, in its Parquet key-value metadata, the key it was computed
for and its columns, so a stale, foreign or damaged file is told from a good
one and recomputed. It is a cache: a file that cannot be read or written is
never an error. :meth:`trainlog.store.Store.derived` is the way in.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from trainlog.atomic import replace_atomic
from trainlog.errors import first_line

#: The parquet key-value metadata that records a derived frame's key and schema.
DERIVED_META = "trainlog_derived"


def _schema_text(schema_: pl.Schema) -> list[list[str]]:
    """A frame's columns as JSON can hold them: [[name, dtype], ...]."""
    return [[name, str(dtype)] for name, dtype in schema_.items()]


def derived_problem(path: Path, key: str | None = None) -> str | None:
    """Why a derived file cannot be used (None when it can): unreadable, no trainlog record, another
    key (when given), or columns other than those it was written with."""
    try:
        meta = pl.read_parquet_metadata(path)
        record = json.loads(meta[DERIVED_META])
        found = _schema_text(pl.read_parquet_schema(path))
    except KeyError:
        return "has no trainlog record of its schema (not written by this trainlog)"
    except (OSError, ValueError, TypeError, pl.exceptions.PolarsError) as exc:
        return f"is unreadable ({first_line(exc)})"
    if not isinstance(record, dict) or record.get("schema") != found:
        return "has other columns than it was written with"
    if key is not None and record.get("key") != key:
        return "was computed for another key"
    return None


def read_derived(path: Path, key: str) -> pl.DataFrame | None:
    """A derived frame kept on disk, or None when it must be recomputed."""
    if derived_problem(path, key) is not None:
        return None
    try:
        return pl.read_parquet(path)
    except (OSError, pl.exceptions.PolarsError):
        return None


def write_derived(path: Path, frame: pl.DataFrame, key: str) -> bool:
    """Keep ``frame`` at ``path`` with its key and schema, replacing the file atomically; False when
    the disk refused (nothing is left behind then). Not synced to disk: a file a crash damaged is
    recomputed when read (:func:`derived_problem`)."""
    record = json.dumps({"key": key, "schema": _schema_text(frame.schema)})
    try:
        path.parent.mkdir(exist_ok=True)
        replace_atomic(path, lambda fh: frame.write_parquet(fh, metadata={DERIVED_META: record}), mode=0o666, durable=False)
    except (OSError, pl.exceptions.PolarsError):
        return False
    return True


def kept_key(path: Path) -> str | None:
    """The key a derived frame kept on disk was computed for, from its Parquet metadata alone (no rows read)."""
    try:
        return json.loads(pl.read_parquet_metadata(path)[DERIVED_META])["key"]
    except (OSError, KeyError, ValueError, TypeError, pl.exceptions.PolarsError):
        return None


def read_any(path: Path) -> tuple[str, pl.DataFrame] | None:
    """A derived frame kept on disk with the key it was computed for, whatever that key; None when unusable."""
    if derived_problem(path) is not None:
        return None
    try:
        return json.loads(pl.read_parquet_metadata(path)[DERIVED_META])["key"], pl.read_parquet(path)
    except (OSError, KeyError, ValueError, TypeError, pl.exceptions.PolarsError):
        return None

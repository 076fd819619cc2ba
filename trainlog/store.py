"""The Parquet store: the only module that reads or writes the dataset.

Layout of a data directory::

    <data_dir>/athletes/<athlete>/
        dataset.json             the manifest: schema version, generation, and
                                 the Parquet parts of every table
        activities-<id>.parquet  immutable parts, listed by the manifest
        samples-<id>.parquet
        laps-<id>.parquet
        files-<id>.parquet
        .lock                    writers' lock (filelock)

Every commit writes new immutable parts, fsyncs them, then replaces
``dataset.json`` atomically (write a temporary file, fsync, ``os.replace``).
A crash at any point leaves the previous manifest, and so the previous
dataset, intact; readers never see half a commit. Writers serialise on a
per-athlete file lock and re-read the manifest inside it, so two imports at
once cannot lose each other's rows. Parts a commit no longer lists (after a
compaction) are deleted only a while later, so a reader that opened the old
manifest can still read them.

Schema versions: the manifest records ``schema_version``. A newer one is
refused (never rewritten); an older one is read as it is and migrated by the
next writer, under the lock and in a commit of its own, step by step through
:data:`MIGRATIONS`, after a copy of the old manifest is kept as
``dataset.json.v<N>.bak``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import filelock
import platformdirs
import polars as pl

from trainlog import schema
from trainlog.errors import StoreError, first_line

ENV_DATA_DIR = "TRAINLOG_DATA_DIR"
MANIFEST = "dataset.json"
LOCK_TIMEOUT_S = 600
#: A table with more parts than this is rewritten as one part on the next commit.
COMPACT_PARTS = 16
#: Unlisted parts are removed this long after the commit that retired them.
RETIRE_AFTER_S = 300
ATHLETE_NAME = re.compile(r"^[\w][\w.-]{0,63}$")


def default_data_dir() -> Path:
    """``$TRAINLOG_DATA_DIR``, else the platform's user data directory."""
    env = os.environ.get(ENV_DATA_DIR)
    return Path(env).expanduser() if env else Path(platformdirs.user_data_dir("trainlog", appauthor=False))


def check_athlete(name: str) -> str:
    """Return ``name`` if it is a valid athlete name, else raise StoreError."""
    if not isinstance(name, str) or not ATHLETE_NAME.match(name) or name in (".", ".."):
        raise StoreError(
            f"invalid athlete name {name!r}: use 1-64 letters, digits, '-', '_' or '.', starting with a letter or digit"
        )
    return name


def _migrate_0_to_1(tx: Transaction) -> None:
    """Version 0 had no ``files`` table (the import ledger): rebuild it from the activities.

    Every file that has activities is recorded as imported, so re-importing it
    is a duplicate; files that were skipped are not known and are skipped again.
    """
    acts = tx.read("activities")
    if acts.is_empty():
        return
    ledger = (
        acts.sort("imported_at", "leg", nulls_last=True)
        .group_by("file_sha256", maintain_order=True)
        .agg(pl.col("source_file").first(), pl.col("imported_at").first())
        .with_columns(outcome=pl.lit("imported"), detail=pl.lit("ledger rebuilt by the schema 0 -> 1 migration"))
    )
    tx.append("files", ledger)


#: ``MIGRATIONS[n]`` turns a dataset of schema version n into version n + 1,
#: inside a writer's transaction (it may read tables and append rows).
MIGRATIONS: dict[int, Callable[[Transaction], None]] = {0: _migrate_0_to_1}


@dataclass
class Manifest:
    """The committed state of one athlete's dataset."""

    generation: int = 0
    tables: dict[str, list[str]] = field(default_factory=lambda: {t: [] for t in schema.TABLES})
    retired: list[tuple[str, float]] = field(default_factory=list)
    schema_version: int = schema.SCHEMA_VERSION

    def to_json(self) -> str:
        return json.dumps(
            {
                "schema_version": self.schema_version,
                "generation": self.generation,
                "tables": self.tables,
                "retired": [list(r) for r in self.retired],
            },
            indent=1,
        )


def _fsync_dir(path: Path) -> None:
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


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


class Store:
    """A trainlog data directory: per-athlete tables as Polars frames.

    >>> store = Store("~/trainlog-data")            # doctest: +SKIP
    >>> store.read("activities", athlete="mara")    # doctest: +SKIP
    """

    def __init__(self, data_dir: str | os.PathLike[str] | None = None):
        self.data_dir = Path(data_dir).expanduser() if data_dir is not None else default_data_dir()
        if self.data_dir.exists() and not self.data_dir.is_dir():
            raise StoreError(f"{self.data_dir}: data directory is not a directory")

    # ---- paths
    def athlete_dir(self, athlete: str) -> Path:
        return self.data_dir / "athletes" / check_athlete(athlete)

    def athletes(self) -> list[str]:
        """Names of the athletes that have a dataset, sorted."""
        root = self.data_dir / "athletes"
        if not root.is_dir():
            return []
        return sorted(p.name for p in root.iterdir() if (p / MANIFEST).is_file() and ATHLETE_NAME.match(p.name))

    def settings_path(self, athlete: str) -> Path:
        """Where the athlete's settings JSON lives (read and written by trainlog.settings)."""
        return self.athlete_dir(athlete) / "settings.json"

    # ---- reading
    def manifest(self, athlete: str) -> Manifest:
        """The committed manifest (an empty one for a new athlete)."""
        path = self.athlete_dir(athlete) / MANIFEST
        try:
            raw = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return Manifest()
        except OSError as exc:
            raise StoreError(f"{path}: cannot read dataset manifest: {exc.strerror}") from None
        try:
            doc = json.loads(raw)
            version = int(doc["schema_version"])
            tables = {t: list(doc["tables"].get(t, [])) for t in schema.TABLES}
            manifest = Manifest(
                generation=int(doc["generation"]),
                tables=tables,
                retired=[(str(n), float(t)) for n, t in doc.get("retired", [])],
                schema_version=version,
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise StoreError(f"{path}: dataset manifest is unreadable ({exc}); it was left untouched") from None
        if version > schema.SCHEMA_VERSION:
            raise StoreError(
                f"{path}: dataset schema version {version} is newer than this trainlog supports "
                f"({schema.SCHEMA_VERSION}); upgrade trainlog"
            )
        if any(v not in MIGRATIONS for v in range(version, schema.SCHEMA_VERSION)):
            raise StoreError(f"{path}: dataset schema version {version} is unknown; it was left untouched")
        return manifest

    def read_all(
        self, athlete: str, tables: tuple[str, ...] = tuple(schema.TABLES), manifest: Manifest | None = None
    ) -> dict[str, pl.DataFrame]:
        """Several tables of one athlete from one committed manifest (a consistent snapshot).

        Reading tables one by one with :meth:`read` may see two different
        commits when an import is running; this never does. ``manifest``: as in :meth:`scan`.
        """
        manifest = manifest or self.manifest(athlete)
        try:
            return {t: self._scan(t, athlete, manifest).collect() for t in tables}
        except (pl.exceptions.PolarsError, OSError) as exc:
            raise StoreError(f"{self.data_dir}: cannot read athlete {athlete}'s dataset: {first_line(exc)}") from None

    def scan(self, table: str, athlete: str, manifest: Manifest | None = None) -> pl.LazyFrame:
        """A lazy frame over one athlete's table (empty frame with the schema if none).

        ``manifest``: read the parts of that commit (one a caller read before),
        not of the latest; its parts stay readable for :data:`RETIRE_AFTER_S`
        after a later commit retires them.
        """
        return self._scan(table, athlete, manifest or self.manifest(athlete))

    def _scan(self, table: str, athlete: str, manifest: Manifest) -> pl.LazyFrame:
        cols = schema.TABLES[table]
        parts = [self.athlete_dir(athlete) / p for p in manifest.tables.get(table, [])]
        if not parts:
            return schema.empty(table).lazy()
        missing = [p for p in parts if not p.exists()]
        if missing:
            raise StoreError(f"{missing[0]}: a part of the {table} table is missing; the dataset is damaged")
        return pl.scan_parquet(parts).select([pl.col(c).cast(t) for c, t in cols.items()])

    def read(self, table: str, athlete: str | None = None) -> pl.DataFrame:
        """One table as a Polars frame: one athlete's, or every athlete's when None."""
        if table not in schema.TABLES:
            raise StoreError(f"unknown table {table!r}; tables are {', '.join(schema.TABLES)}")
        names = [athlete] if athlete is not None else self.athletes()
        frames = [self.scan(table, a) for a in names]
        if not frames:
            return schema.empty(table)
        try:
            return pl.concat(frames).collect()
        except (pl.exceptions.PolarsError, OSError) as exc:
            raise StoreError(f"{self.data_dir}: cannot read the {table} table: {first_line(exc)}") from None

    def generation(self, athlete: str) -> int:
        """The committed generation: it changes with every commit that changes the data."""
        return self.manifest(athlete).generation

    def derived(self, athlete: str, name: str, key: str, compute: Callable[[], pl.DataFrame]) -> pl.DataFrame:
        """A frame derived from the dataset, kept on disk until ``key`` changes.

        ``key`` must capture everything the frame depends on (the generation,
        the settings...). The file is written atomically; a stale one is
        replaced; an unreadable one is recomputed.
        """
        adir = self.athlete_dir(athlete)
        digest = hashlib.sha256(key.encode()).hexdigest()[:16]
        path = adir / "derived" / f"{name}-{digest}.parquet"
        if path.exists():
            try:
                return pl.read_parquet(path)
            except (pl.exceptions.ComputeError, OSError):
                pass
        frame = compute()
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
        try:
            frame.write_parquet(tmp)
            os.replace(tmp, path)
        except OSError:  # a read-only data directory still gets the frame
            tmp.unlink(missing_ok=True)
            return frame
        for old in path.parent.glob(f"{name}-*.parquet"):
            if old != path:
                old.unlink(missing_ok=True)
        return frame

    # ---- writing
    @contextmanager
    def transaction(self, athlete: str) -> Iterator[Transaction]:
        """Lock the athlete's dataset, yield a Transaction, commit it on success."""
        adir = self.athlete_dir(athlete)
        adir.mkdir(parents=True, exist_ok=True)
        lock = filelock.FileLock(str(adir / ".lock"), timeout=LOCK_TIMEOUT_S)
        try:
            lock.acquire()
        except filelock.Timeout:
            raise StoreError(f"{adir}: another trainlog process holds the dataset lock") from None
        try:
            manifest = self.manifest(athlete)
            if manifest.schema_version < schema.SCHEMA_VERSION:  # its own commit, before this one
                migration = Transaction(self, athlete, manifest)
                migration._migrate()
                migration._commit()
                manifest = migration.base
            tx = Transaction(self, athlete, manifest)
            yield tx
            tx._commit()
        finally:
            lock.release()

    def migrate(self, athlete: str) -> int | None:
        """Bring an older dataset to the current schema now; returns the version it had, or None."""
        version = self.manifest(athlete).schema_version
        if version >= schema.SCHEMA_VERSION:
            return None
        with self.transaction(athlete):
            pass
        return version


class Transaction:
    """Appends rows to an athlete's tables; committed atomically on exit."""

    def __init__(self, store: Store, athlete: str, manifest: Manifest):
        self.store = store
        self.athlete = athlete
        self.base = manifest
        self._new: dict[str, list[pl.DataFrame]] = {t: [] for t in schema.TABLES}
        self._migrated_from: int | None = None

    def _migrate(self) -> None:
        """Bring an older dataset to the current schema in this transaction (written on commit)."""
        version = self.base.schema_version
        if version >= schema.SCHEMA_VERSION:
            return
        self._migrated_from = version
        for v in range(version, schema.SCHEMA_VERSION):
            MIGRATIONS[v](self)

    def read(self, table: str) -> pl.DataFrame:
        """The table as committed when the transaction began (under the lock)."""
        try:
            return self.store._scan(table, self.athlete, self.base).collect()
        except (pl.exceptions.PolarsError, OSError) as exc:
            raise StoreError(f"{self.store.data_dir}: cannot read the {table} table: {first_line(exc)}") from None

    def append(self, table: str, frame: pl.DataFrame) -> None:
        """Queue rows (cast to the table's schema) for this commit."""
        cols = schema.TABLES[table]
        if frame.height:
            self._new[table].append(frame.select([pl.col(c).cast(t) for c, t in cols.items()]))

    @property
    def changed(self) -> bool:
        return any(self._new.values()) or self._migrated_from is not None

    def _commit(self) -> None:
        if not self.changed:
            return
        adir = self.store.athlete_dir(self.athlete)
        if self._migrated_from is not None:  # keep the old manifest beside the migrated one
            backup = adir / f"{MANIFEST}.v{self._migrated_from}.bak"
            if not backup.exists():
                _write_atomic(backup, (adir / MANIFEST).read_text(encoding="utf-8"))
        now = time.time()
        gen = self.base.generation + 1
        tables = {t: list(parts) for t, parts in self.base.tables.items()}
        retired = [(n, t) for n, t in self.base.retired if now - t < RETIRE_AFTER_S]
        for name, t in self.base.retired:
            if now - t >= RETIRE_AFTER_S:
                (adir / name).unlink(missing_ok=True)
        for table, frames in self._new.items():
            if not frames:
                continue
            new = pl.concat(frames)
            if len(tables[table]) + 1 > COMPACT_PARTS:
                old = self.store._scan(table, self.athlete, self.base).collect()
                new = pl.concat([old, new])
                retired += [(p, now) for p in tables[table]]
                tables[table] = []
            part = f"{table}-{gen:06d}-{uuid.uuid4().hex[:8]}.parquet"
            path = adir / part
            new.write_parquet(path, compression="zstd", statistics=True)
            with open(path, "rb+") as fh:
                os.fsync(fh.fileno())
            tables[table].append(part)
        manifest = Manifest(generation=gen, tables=tables, retired=retired)
        _write_atomic(adir / MANIFEST, manifest.to_json())
        self.base = manifest
        self._migrated_from = None
        self._remove_orphans(adir, manifest)
        self._new = {t: [] for t in schema.TABLES}

    @staticmethod
    def _remove_orphans(adir: Path, manifest: Manifest) -> None:
        """Delete parts no manifest ever listed (left by a writer that crashed).

        Runs under the writers' lock, so no other writer is mid-commit; parts
        an older manifest listed are in ``retired`` and kept for readers.
        """
        known = {p for parts in manifest.tables.values() for p in parts} | {n for n, _ in manifest.retired}
        for path in adir.glob("*.parquet"):
            if path.name not in known:
                path.unlink(missing_ok=True)
        for path in adir.glob(f".{MANIFEST}.*.tmp"):
            path.unlink(missing_ok=True)

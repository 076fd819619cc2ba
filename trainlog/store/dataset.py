"""The Parquet store: the only module that reads or writes the dataset.

Layout of a data directory::

    <data_dir>/athletes/<athlete>/
        dataset.json             the manifest: schema version, generation, and
                                 the Parquet parts of every table
        activities-<id>.parquet  immutable parts, listed by the manifest
        samples-<id>.parquet
        laps-<id>.parquet
        files-<id>.parquet
        choices-<id>.parquet     the athlete's choices per activity (an event log)
        derived/                 frames computed from the dataset (a cache)
        .lock                    writers' lock (filelock)

The manifest and the parts' names are :mod:`trainlog.store.manifest`'s; the
athlete names are :mod:`trainlog.store.names`'s.

Every commit writes new immutable parts, fsyncs them, then replaces
``dataset.json`` atomically (write a temporary file, fsync, ``os.replace``:
:mod:`trainlog.atomic`). A crash at any point leaves the previous manifest,
and so the previous dataset, intact; readers never see half a commit. Writers
serialise on a per-athlete file lock and re-read the manifest inside it, so
two imports at once cannot lose each other's rows. Parts a commit no longer
lists (after a compaction) are deleted only a while later, so a reader that
opened the old manifest can still read them.

Nothing is deleted that is not provably garbage: an unlisted part is removed
only when a valid manifest exists and the part's generation is the next one
(a writer crashed before committing it). A missing or unreadable manifest
with parts present stops reads and writes with a one-line error naming
``trainlog repair``; :meth:`Store.check` verifies a dataset (like ``git
fsck``) and :meth:`Store.repair` rebuilds the manifest from the parts
(:mod:`trainlog.store.check`). A failure of the disk (full, read-only,
permission) ends a commit with one line naming the path, after every file
the commit wrote is removed.

Schema versions: the manifest records ``schema_version``. A newer one is
refused (never rewritten); an older one is read as it is and migrated by the
next writer (:mod:`trainlog.store.migrations`).
"""

from __future__ import annotations

import hashlib
import os
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext, suppress
from pathlib import Path

import polars as pl

from trainlog.atomic import fsync_file, temp_glob, write_text_atomic
from trainlog.errors import StoreError, first_line
from trainlog.store import schema
from trainlog.store.check import Problem, RepairReport, find_all_problems, find_problems, rebuild_manifest
from trainlog.store.derived import kept_key, read_any, read_derived, write_derived
from trainlog.store.disk import disk_cause, is_disk_error, parquet_problem
from trainlog.store.location import default_data_dir
from trainlog.store.manifest import MANIFEST, Manifest, PartName, committed_generation
from trainlog.store.migrations import MIGRATIONS
from trainlog.store.names import check_athlete, is_athlete_name

#: How long a writer waits for another's lock before giving up (s).
LOCK_TIMEOUT_S = 600
#: A table with more parts than this is rewritten as one part on the next commit.
COMPACT_PARTS = 16
#: Unlisted parts are removed this long after the commit that retired them (s).
RETIRE_AFTER_S = 300


class Store:
    """A trainlog data directory: per-athlete tables as Polars frames.

    >>> store = Store("~/trainlog-data")            # doctest: +SKIP
    >>> store.read("activities", athlete="mara")    # doctest: +SKIP
    """

    def __init__(self, data_dir: str | os.PathLike[str] | None = None) -> None:
        self.data_dir = Path(data_dir).expanduser() if data_dir is not None else default_data_dir()
        try:
            os.stat(self.data_dir)
        except FileNotFoundError:
            return
        except OSError as exc:
            raise StoreError(f"{self.data_dir}: cannot open the data directory: {disk_cause(exc)}") from None
        if not self.data_dir.is_dir():
            raise StoreError(f"{self.data_dir}: data directory is not a directory")

    # ---- paths
    def athlete_dir(self, athlete: str) -> Path:
        return self.data_dir / "athletes" / check_athlete(athlete)

    def athletes(self) -> list[str]:
        """Names of the athletes that have a dataset, sorted."""
        root = self.data_dir / "athletes"
        if not root.is_dir():
            return []
        return sorted(p.name for p in root.iterdir() if (p / MANIFEST).is_file() and is_athlete_name(p.name))

    def settings_path(self, athlete: str) -> Path:
        """Where the athlete's settings JSON lives (read and written by trainlog.settings)."""
        return self.athlete_dir(athlete) / "settings.json"

    # ---- reading
    def part_files(self, athlete: str) -> list[Path]:
        """Every file in the athlete's folder named like a part (listed or not), sorted by name."""
        adir = self.athlete_dir(athlete)
        try:
            return sorted(p for p in adir.glob("*.parquet") if PartName.parse(p.name))
        except OSError:
            return []

    def manifest(self, athlete: str) -> Manifest:
        """The committed manifest (an empty one for a new athlete).

        A missing manifest beside data parts is not a new athlete: StoreError
        (nothing is read or written until ``trainlog repair`` rebuilds it).
        """
        path = self.athlete_dir(athlete) / MANIFEST
        try:
            raw = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            parts = self.part_files(athlete)
            if parts:
                raise StoreError(
                    f"{path.parent}: {MANIFEST} is missing but {len(parts)} data parts are present; "
                    f"nothing was changed. Run: trainlog repair -a {athlete}"
                ) from None
            return Manifest()
        except OSError as exc:
            raise StoreError(f"{path}: cannot read dataset manifest: {disk_cause(exc)}") from None
        try:
            manifest = Manifest.from_json(raw)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise StoreError(
                f"{path}: dataset manifest is unreadable ({first_line(exc)}); it was left untouched. "
                f"Run: trainlog repair -a {athlete}"
            ) from None
        version = manifest.schema_version
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
        the settings...). The file records its key and schema and is written
        atomically; a stale, unreadable or foreign one (another schema, no
        record) is recomputed. It is written only inside an athlete folder
        that holds a dataset, and a disk that refuses the write (full,
        read-only) still gets the frame: this is a cache.
        """
        adir = self.athlete_dir(athlete)
        digest = hashlib.sha256(key.encode()).hexdigest()[:16]
        path = adir / "derived" / f"{name}-{digest}.parquet"
        if path.exists():
            frame = read_derived(path, key)
            if frame is not None:
                return frame
        frame = compute()
        if not (adir / MANIFEST).is_file() or not write_derived(path, frame, key):
            return frame
        with suppress(OSError):
            for old in path.parent.glob(f"{name}-*.parquet"):
                if old != path:
                    old.unlink(missing_ok=True)
        return frame

    def derived_kept(self, athlete: str, name: str, key_only: bool = False) -> tuple[str, pl.DataFrame | None] | None:
        """The frame :meth:`derived` keeps under ``name``, with the key it was computed for (an earlier one, say:
        what a caller may update rather than compute again); None when there is none or it is unusable.
        ``key_only``: the key from the file's metadata, and no rows read (the frame is None)."""
        kept = sorted((self.athlete_dir(athlete) / "derived").glob(f"{name}-*.parquet"))
        if len(kept) != 1:
            return None
        if key_only:
            key = kept_key(kept[0])
            return None if key is None else (key, None)
        return read_any(kept[0])

    # ---- writing
    @contextmanager
    def _locked(self, athlete: str, create: bool) -> Iterator[Path]:
        """Hold the athlete's writers' lock (creating the folder when ``create``); yields the folder."""
        adir = self.athlete_dir(athlete)
        if create:
            try:
                adir.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"{exc.filename or adir}: cannot create the athlete folder: {disk_cause(exc)}") from None
        elif not adir.is_dir():
            raise StoreError(f"no dataset for athlete {athlete!r} in {self.data_dir}")
        import filelock  # here: commands that only read (trainlog summary) do not load it

        lock = filelock.FileLock(str(adir / ".lock"), timeout=LOCK_TIMEOUT_S)
        try:
            lock.acquire()
        except filelock.Timeout:
            raise StoreError(f"{adir}: another trainlog process holds the dataset lock") from None
        except OSError as exc:
            raise StoreError(f"{adir / '.lock'}: cannot take the dataset lock: {disk_cause(exc)}; nothing was changed") from None
        try:
            yield adir
        finally:
            lock.release()

    def _preflight(self, athlete: str, manifest: Manifest) -> None:
        """Refuse to write on top of a damaged dataset (cheap: no rows are read).

        Every listed part must exist and look like a whole Parquet file; no
        unlisted part may be newer than the next generation (the manifest would
        then be older than the data: restored from a backup, say).
        """
        adir = self.athlete_dir(athlete)
        for table, parts in manifest.tables.items():
            for part in parts:
                why = parquet_problem(adir / part)
                if why is not None:
                    raise StoreError(
                        f"{adir / part}: cannot read the {table} table: this part listed in {MANIFEST} {why}; "
                        f"nothing was changed. Run: trainlog check -a {athlete}, then trainlog repair -a {athlete}"
                    )
        known = manifest.listed()
        for path in self.part_files(athlete):
            part = PartName.parse(path.name)
            if path.name not in known and part.generation > manifest.generation + 1:
                raise StoreError(
                    f"{path}: this part is newer (generation {part.generation}) than {MANIFEST} "
                    f"(generation {manifest.generation}), which does not list it; nothing was changed. "
                    f"Run: trainlog repair -a {athlete}"
                )

    @contextmanager
    def transaction(self, athlete: str) -> Iterator[Transaction]:
        """Lock the athlete's dataset, yield a Transaction, commit it on success.

        Refuses (StoreError) to start on a damaged dataset: see :meth:`check`.
        """
        with self._locked(athlete, create=True):
            manifest = self.manifest(athlete)
            self._preflight(athlete, manifest)
            if manifest.schema_version < schema.SCHEMA_VERSION:  # its own commit, before this one
                migration = Transaction(self, athlete, manifest)
                migration._migrate()
                migration._commit()
                manifest = migration.base
            tx = Transaction(self, athlete, manifest)
            yield tx
            tx._commit()

    def migrate(self, athlete: str) -> int | None:
        """Bring an older dataset to the current schema now; returns the version it had, or None."""
        version = self.manifest(athlete).schema_version
        if version >= schema.SCHEMA_VERSION:
            return None
        with self.transaction(athlete):
            pass
        return version

    # ---- verifying and repairing
    def check(self, athlete: str) -> list[Problem]:
        """Verify one athlete's dataset like ``git fsck``: :func:`trainlog.store.check.find_problems`."""
        return find_problems(self, athlete)

    def check_all(self) -> dict[str, list[Problem]]:
        """:meth:`check` of every athlete folder that holds a manifest or data parts."""
        return find_all_problems(self)

    def repair(self, athlete: str, dry_run: bool = False) -> RepairReport:
        """Rebuild the athlete's manifest from the parts on disk; keep a backup of what it replaces.

        Parts are immutable and named by generation: they are taken in that
        order, one commit at a time; a compaction (``-c``, or a part whose rows
        contain every earlier part of its table) replaces the earlier parts of
        its table; a commit that leaves the dataset inconsistent (a crash
        mid-write: activities without their samples or ledger rows) or a part
        that does not read is left out. Left-out parts are moved into
        ``repair-<UTC time>/`` in the athlete's folder, never deleted; the
        manifest replaced is kept as ``dataset.json.<UTC time>.bak``. Runs
        under the writers' lock. ``dry_run``: report, change nothing.
        """
        adir = self.athlete_dir(athlete)
        if not adir.is_dir() or (not (adir / MANIFEST).exists() and not self.part_files(athlete)):
            raise StoreError(f"no dataset for athlete {athlete!r} in {self.data_dir}")
        with nullcontext() if dry_run else self._locked(athlete, create=False):
            return rebuild_manifest(self, athlete, dry_run)


class Transaction:
    """Appends rows to an athlete's tables (or, rarely, replaces a whole table); committed atomically on exit."""

    def __init__(self, store: Store, athlete: str, manifest: Manifest) -> None:
        self.store = store
        self.athlete = athlete
        self.base = manifest
        self._new: dict[str, list[pl.DataFrame]] = {t: [] for t in schema.TABLES}
        self._replaced: set[str] = set()
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
            return self.store.scan(table, self.athlete, self.base).collect()
        except (pl.exceptions.PolarsError, OSError) as exc:
            raise StoreError(f"{self.store.data_dir}: cannot read the {table} table: {first_line(exc)}") from None

    def append(self, table: str, frame: pl.DataFrame) -> None:
        """Queue rows (cast to the table's schema) for this commit."""
        if frame.height:
            self._new[table].append(schema.conform(table, frame))

    def replace(self, table: str, frame: pl.DataFrame) -> None:
        """Queue ``frame`` as the whole table (rows taken out: a session entered by hand, removed): written as one
        compacted part that retires every earlier part, in the same atomic commit as the rest."""
        self._new[table] = [schema.conform(table, frame)]
        self._replaced.add(table)

    @property
    def changed(self) -> bool:
        return any(self._new.values()) or bool(self._replaced) or self._migrated_from is not None

    def _commit(self) -> None:
        """Write the new parts, then the manifest; on a disk failure remove what was written and raise StoreError.

        Parts of the next generation that no manifest lists were left by a
        writer that crashed before committing: they are removed first (under
        the lock, so no other writer is mid-commit). Nothing else is deleted
        but parts a compaction retired over :data:`RETIRE_AFTER_S` ago.
        """
        if not self.changed:
            return
        adir = self.store.athlete_dir(self.athlete)
        now = time.time()
        gen = self.base.generation + 1
        token = uuid.uuid4().hex[:8]
        tables = {t: list(parts) for t, parts in self.base.tables.items()}
        retired = [(n, t) for n, t in self.base.retired if now - t < RETIRE_AFTER_S]
        expired = [n for n, t in self.base.retired if now - t >= RETIRE_AFTER_S]
        written: list[Path] = []
        path = adir / MANIFEST
        try:
            if not path.exists():  # a new dataset: an empty manifest first, so parts never exist without one
                write_text_atomic(path, Manifest().to_json())
                written.append(path)
            self._remove_crash_leftovers(adir, self.base)
            if self._migrated_from is not None:  # keep the old manifest beside the migrated one
                path = adir / f"{MANIFEST}.v{self._migrated_from}.bak"
                if not path.exists():
                    write_text_atomic(path, (adir / MANIFEST).read_text(encoding="utf-8"))
                    written.append(path)
            for table, frames in self._new.items():
                if not frames:
                    continue
                new = pl.concat(frames)
                compacted = table in self._replaced or len(tables[table]) + 1 > COMPACT_PARTS
                earlier = None
                if compacted:
                    if table not in self._replaced:
                        earlier = self.store.scan(table, self.athlete, self.base)
                    retired += [(p, now) for p in tables[table]]
                    tables[table] = []
                part = PartName(table, gen, token, compacted).name()
                path = adir / part
                written.append(path)
                if earlier is None:
                    new.write_parquet(path, compression="zstd", statistics=True)
                else:  # streamed: a 10-year samples table is GBs in memory, its parts a few hundred MB on disk
                    pl.concat([earlier, new.lazy()]).sink_parquet(path, compression="zstd", statistics=True)
                fsync_file(path)
                tables[table].append(part)
            manifest = Manifest(generation=gen, tables=tables, retired=retired)
            path = adir / MANIFEST
            write_text_atomic(path, manifest.to_json())
        except BaseException as exc:
            if committed_generation(adir / MANIFEST) == gen:
                # interrupted (Ctrl+C) after the new manifest was in place: its parts are the dataset now
                self.base, self._migrated_from, self._new = manifest, None, {t: [] for t in schema.TABLES}
                self._replaced = set()
                raise
            for done in reversed(written):
                with suppress(OSError):
                    done.unlink(missing_ok=True)
            if not is_disk_error(exc):
                raise
            where = getattr(exc, "filename", None) or path
            raise StoreError(
                f"{where}: {disk_cause(exc)}; the unfinished files of this commit were removed and the dataset "
                f"is as the last commit left it (generation {self.base.generation})"
            ) from None
        self.base = manifest
        self._migrated_from = None
        self._new = {t: [] for t in schema.TABLES}
        self._replaced = set()
        for name in expired:  # best effort: a part that stays is reported by check
            with suppress(OSError):
                (adir / name).unlink(missing_ok=True)

    @staticmethod
    def _remove_crash_leftovers(adir: Path, manifest: Manifest) -> None:
        """Delete what a writer that crashed before committing on ``manifest`` left: unlisted parts of
        the next generation, and temporary manifests. Never anything older (that is for ``repair``)."""
        known = manifest.listed()
        for path in adir.glob("*.parquet"):
            part = PartName.parse(path.name)
            if part and path.name not in known and part.generation == manifest.generation + 1:
                path.unlink(missing_ok=True)
        for path in adir.glob(temp_glob(adir / MANIFEST)):
            path.unlink(missing_ok=True)

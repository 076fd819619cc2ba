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

A part is named ``<table>-<generation:06d>-<token>[-c].parquet``: the
generation of the commit that wrote it, a token shared by that commit's parts,
and ``-c`` for a compaction (one part that replaces every earlier part of its
table). The names let :meth:`Store.repair` rebuild a lost manifest.

Every commit writes new immutable parts, fsyncs them, then replaces
``dataset.json`` atomically (write a temporary file, fsync, ``os.replace``).
A crash at any point leaves the previous manifest, and so the previous
dataset, intact; readers never see half a commit. Writers serialise on a
per-athlete file lock and re-read the manifest inside it, so two imports at
once cannot lose each other's rows. Parts a commit no longer lists (after a
compaction) are deleted only a while later, so a reader that opened the old
manifest can still read them.

Nothing is deleted that is not provably garbage: an unlisted part is removed
only when a valid manifest exists and the part's generation is the next one
(a writer crashed before committing it). A missing or unreadable manifest
with parts present stops reads and writes with a one-line error naming
``trainlog repair``; :meth:`Store.check` verifies a dataset (like ``git
fsck``) and :meth:`Store.repair` rebuilds the manifest from the parts. A
failure of the disk (full, read-only, permission) ends a commit with one line
naming the path, after every file the commit wrote is removed.

Schema versions: the manifest records ``schema_version``. A newer one is
refused (never rewritten); an older one is read as it is and migrated by the
next writer, under the lock and in a commit of its own, step by step through
:data:`MIGRATIONS`, after a copy of the old manifest is kept as
``dataset.json.v<N>.bak``.
"""

from __future__ import annotations

import errno
import hashlib
import itertools
import json
import os
import re
import shutil
import time
import unicodedata
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext, suppress
from dataclasses import dataclass, field
from pathlib import Path

import filelock
import platformdirs
import polars as pl

from trainlog.atomic import write_text_atomic
from trainlog.errors import StoreError, first_line
from trainlog.store import schema

ENV_DATA_DIR = "TRAINLOG_DATA_DIR"
MANIFEST = "dataset.json"
LOCK_TIMEOUT_S = 600
#: A table with more parts than this is rewritten as one part on the next commit.
COMPACT_PARTS = 16
#: Unlisted parts are removed this long after the commit that retired them.
RETIRE_AFTER_S = 300
#: Scripts that are written together (Japanese mixes kanji and kana): one script for the mixing rule.
_SCRIPT_GROUPS = {"CJK": "CJK", "HIRAGANA": "CJK", "KATAKANA": "CJK", "HANGUL": "CJK", "BOPOMOFO": "CJK",
                  "IDEOGRAPHIC": "CJK", "KATAKANA-HIRAGANA": "CJK",  # 々 in 佐々木, ー in ユーリ
                  "ARABIC-INDIC": "ARABIC", "EXTENDED": "ARABIC"}
ATHLETE_NAME_MAX = 64


def _name_problem(name: str) -> str | None:
    """Why an NFKC-normalised name breaks the athlete name rule, or None (see :func:`check_athlete`)."""
    if not 1 <= len(name) <= ATHLETE_NAME_MAX or len(name.encode("utf-8", "surrogatepass")) > 255:
        return f"use 1-{ATHLETE_NAME_MAX} letters, digits, '-', '_' or '.', starting with a letter or digit"
    scripts = set()
    for i, ch in enumerate(name):
        category = unicodedata.category(ch)
        if category[0] in "LN" and ch.isalnum():
            if not "0" <= ch <= "9" and category != "Lm":  # modifier letters (ʻ, ー, 々) belong to no one script
                word = unicodedata.name(ch, "UNKNOWN").split()[0]
                scripts.add(_SCRIPT_GROUPS.get(word, word))
        elif i == 0 or not (ch in "-_." or category[0] == "M"):  # marks: Indic vowel signs, accents left combining
            return f"use 1-{ATHLETE_NAME_MAX} letters, digits, '-', '_' or '.', starting with a letter or digit"
    if len(scripts) > 1:
        return f"it mixes scripts ({', '.join(sorted(s.title() for s in scripts))}); use letters of one script"
    return None


def is_athlete_name(name: str) -> bool:
    """True for a valid stored (already normalised) athlete name; :func:`check_athlete` states the rule."""
    return isinstance(name, str) and unicodedata.is_normalized("NFKC", name) and _name_problem(name) is None


def default_data_dir() -> Path:
    """``$TRAINLOG_DATA_DIR``, else the platform's user data directory."""
    env = os.environ.get(ENV_DATA_DIR)
    return Path(env).expanduser() if env else Path(platformdirs.user_data_dir("trainlog", appauthor=False))


def check_athlete(name: str) -> str:
    """The athlete (or user) name as stored: NFKC-normalised and checked; else raise StoreError.

    The rule: after NFKC normalisation (fullwidth "ｍａｒａ" is "mara"), 1-64
    letters (any script, with their combining marks), digits, '-', '_' or '.',
    starting with a letter or digit, no control characters or spaces, and
    letters of one script only (Latin "mara" and "mаra" with a Cyrillic "а"
    are not two athletes: the second is refused; kanji and kana count as one).
    Callers must use the returned name.
    """
    if not isinstance(name, str):
        raise StoreError(f"invalid athlete name {name!r}: not text")
    norm = unicodedata.normalize("NFKC", name)
    problem = _name_problem(norm)
    if problem:
        raise StoreError(f"invalid athlete name {name!r}: {problem}")
    return norm


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


def _committed_generation(path: Path) -> int | None:
    """The generation a manifest file on disk holds now (None when it cannot be read)."""
    try:
        return int(json.loads(path.read_text(encoding="utf-8"))["generation"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


#: A part's file name: table, generation, the commit's token, "-c" for a compaction.
PART_NAME = re.compile(r"(?P<table>[a-z]+)-(?P<generation>\d{6,})-(?P<token>[0-9a-f]+)(?P<compacted>-c)?\.parquet\Z")
#: Parquet files begin and end with these bytes.
PARQUET_MAGIC = b"PAR1"
#: The parquet key-value metadata that records a derived frame's key and schema.
DERIVED_META = "trainlog_derived"


@dataclass(frozen=True)
class PartName:
    """What a part's file name says: ``<table>-<generation:06d>-<token>[-c].parquet``."""

    table: str
    generation: int
    token: str
    compacted: bool

    @classmethod
    def parse(cls, name: str) -> PartName | None:
        m = PART_NAME.match(name)
        if not m or m["table"] not in schema.TABLES:
            return None
        return cls(m["table"], int(m["generation"]), m["token"], bool(m["compacted"]))


@dataclass(frozen=True)
class Problem:
    """One thing :meth:`Store.check` found wrong: the file and what is wrong with it (one line)."""

    path: Path
    message: str

    def line(self) -> str:
        return f"{self.path}: {self.message}"


@dataclass
class RepairReport:
    """What :meth:`Store.repair` did (or would do, with ``dry_run``)."""

    athlete: str
    generation: int = 0
    kept: list[str] = field(default_factory=list)  # part names the rebuilt manifest lists
    left_out: list[tuple[str, str]] = field(default_factory=list)  # (part name, why)
    activities: int = 0
    changed: bool = False
    backup: Path | None = None
    moved_to: Path | None = None
    dry_run: bool = False
    schema_version: int = schema.SCHEMA_VERSION


def _cause(exc: BaseException) -> str:
    """A disk error's cause in a few words ("no space left on device"), from an OSError or a Polars error."""
    code = getattr(exc, "errno", None)
    if code is None:
        m = re.search(r"os error (\d+)", str(exc))
        code = int(m[1]) if m else None
    if code is not None:
        return os.strerror(code).lower() if code != errno.EACCES else "permission denied"
    return first_line(exc)


def _disk_error(exc: BaseException) -> bool:
    """True for the errors of a disk or a file system (not of the data): every OSError, and Polars' I/O errors."""
    return isinstance(exc, OSError) or (
        isinstance(exc, pl.exceptions.PolarsError) and re.search(r"os error \d+|IO error", str(exc)) is not None
    )


def _is_parquet(path: Path) -> str | None:
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
        return f"cannot be read ({_cause(exc)})"
    if head != PARQUET_MAGIC or tail != PARQUET_MAGIC:
        return "is not a whole Parquet file (truncated or overwritten)"
    return None


def _listed(manifest: Manifest) -> set[str]:
    """Every part a manifest refers to: listed in a table or retired (kept a while for readers)."""
    return {p for parts in manifest.tables.values() for p in parts} | {n for n, _ in manifest.retired}


def _schema_text(schema_: pl.Schema) -> list[list[str]]:
    return [[name, str(dtype)] for name, dtype in schema_.items()]


def _derived_problem(path: Path, key: str | None = None) -> str | None:
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


def _read_derived(path: Path, key: str) -> pl.DataFrame | None:
    """A derived frame kept on disk, or None when it must be recomputed."""
    if _derived_problem(path, key) is not None:
        return None
    try:
        return pl.read_parquet(path)
    except (OSError, pl.exceptions.PolarsError):
        return None


class _BadPart(Exception):
    """A part that does not read as its table (the message says why)."""


#: Per table, the columns of a part's summary (what the dataset's consistency rules need).
_SUMMARY_KEY = {"activities": "activity_id", "samples": "activity_id", "laps": "activity_id", "files": "file_sha256",
                "choices": "event"}


def _summarise(table: str, path: Path) -> pl.DataFrame:
    """Read a whole part (every row and column, so damage anywhere shows) and return its small summary.

    activities: activity_id, file_sha256, n_records; samples: activity_id, n
    (rows); laps: activity_id; files: file_sha256, outcome; choices: activity_id,
    event (one key per choice, so a compaction is told from a later choice). Raises _BadPart.
    """
    why = _is_parquet(path)
    if why is not None:
        raise _BadPart(why)
    cols = schema.TABLES[table]
    try:
        found = pl.read_parquet_schema(path)
        missing = [c for c in cols if c not in found]
        if missing:
            raise _BadPart(f"lacks the column{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
        frame = pl.read_parquet(path).select([pl.col(c).cast(t) for c, t in cols.items()])
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise _BadPart(f"does not read as Parquet ({first_line(exc)})") from None
    if table == "activities":
        return frame.select("activity_id", "file_sha256", "n_records")
    if table == "samples":
        return frame.group_by("activity_id").agg(pl.len().cast(pl.Int64).alias("n"))
    if table == "laps":
        return frame.select("activity_id").unique()
    if table == "choices":
        return frame.select("activity_id", _choice_event())
    return frame.select("file_sha256", "outcome")


def _choice_event() -> pl.Expr:
    """One text key per row of the choices table: activity, action, rating and time."""
    fields = [pl.col(c).cast(pl.String).fill_null("") for c in ("activity_id", "action", "rpe", "at")]
    return pl.concat_str(fields, separator="|").alias("event")


def _empty_summary(table: str) -> pl.DataFrame:
    cols = {"activities": {"activity_id": pl.String, "file_sha256": pl.String, "n_records": pl.Int64},
            "samples": {"activity_id": pl.String, "n": pl.Int64},
            "laps": {"activity_id": pl.String},
            "files": {"file_sha256": pl.String, "outcome": pl.String},
            "choices": {"activity_id": pl.String, "event": pl.String}}[table]
    return pl.DataFrame(schema=cols)


def _contains(part: pl.DataFrame, earlier: list[pl.DataFrame], table: str) -> bool:
    """True when ``part`` holds the keys of every earlier part of its table (it is a compaction of them)."""
    key = _SUMMARY_KEY[table]
    before = set().union(*(set(f[key].to_list()) for f in earlier)) if earlier else set()
    return bool(before) and before <= set(part[key].to_list())


def _invariants(summaries: dict[str, list[pl.DataFrame]], ledger: bool = True) -> list[str]:
    """What is inconsistent in a dataset given its parts' summaries (see :func:`_summarise`); empty when whole.

    Each activity once; its samples number its n_records; samples and laps
    belong to stored activities; with a ledger (schema 1), each file once in
    it and the stored activities are exactly those of the files it says were
    imported. Choices need no rule: one about an activity that is not stored
    is kept (it applies again when that file is imported again).
    """
    t = {name: pl.concat(frames) if frames else _empty_summary(name) for name, frames in summaries.items()}
    acts, samples, laps, files = t["activities"], t["samples"], t["laps"], t["files"]
    out = []
    twice = acts.height - acts["activity_id"].n_unique()
    if twice:
        out.append(f"{twice} activities are stored twice")
    per = samples.group_by("activity_id").agg(pl.col("n").sum())
    joined = acts.select("activity_id", "n_records").unique("activity_id").join(per, on="activity_id", how="left")
    short = joined.filter(pl.col("n").fill_null(0) != pl.col("n_records").fill_null(0)).height
    if short:
        out.append(f"{short} activities have another number of samples than they record")
    ids = set(acts["activity_id"].to_list())
    stray = len(set(per["activity_id"].to_list()) - ids)
    if stray:
        out.append(f"samples of {stray} activities that are not stored")
    stray = len(set(laps["activity_id"].to_list()) - ids)
    if stray:
        out.append(f"laps of {stray} activities that are not stored")
    if ledger:
        twice = files.height - files["file_sha256"].n_unique()
        if twice:
            out.append(f"{twice} files are in the import ledger twice")
        imported = set(files.filter(pl.col("outcome") == "imported")["file_sha256"].to_list())
        stored = set(acts["file_sha256"].to_list())
        if stored - imported:
            out.append(f"activities of {len(stored - imported)} files the import ledger does not record as imported")
        if imported - stored:
            out.append(f"the import ledger records {len(imported - stored)} imported files whose activities are missing")
    return out


def _utc_stamp() -> str:
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())


class Store:
    """A trainlog data directory: per-athlete tables as Polars frames.

    >>> store = Store("~/trainlog-data")            # doctest: +SKIP
    >>> store.read("activities", athlete="mara")    # doctest: +SKIP
    """

    def __init__(self, data_dir: str | os.PathLike[str] | None = None):
        self.data_dir = Path(data_dir).expanduser() if data_dir is not None else default_data_dir()
        try:
            os.stat(self.data_dir)
        except FileNotFoundError:
            return
        except OSError as exc:
            raise StoreError(f"{self.data_dir}: cannot open the data directory: {_cause(exc)}") from None
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
            raise StoreError(f"{path}: cannot read dataset manifest: {_cause(exc)}") from None
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
            raise StoreError(
                f"{path}: dataset manifest is unreadable ({first_line(exc)}); it was left untouched. "
                f"Run: trainlog repair -a {athlete}"
            ) from None
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
            frame = _read_derived(path, key)
            if frame is not None:
                return frame
        frame = compute()
        if not (adir / MANIFEST).is_file():
            return frame
        tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
        try:
            path.parent.mkdir(exist_ok=True)
            record = json.dumps({"key": key, "schema": _schema_text(frame.schema)})
            frame.write_parquet(tmp, metadata={DERIVED_META: record})
            os.replace(tmp, path)
        except (OSError, pl.exceptions.PolarsError):
            with suppress(OSError):
                tmp.unlink(missing_ok=True)
            return frame
        with suppress(OSError):
            for old in path.parent.glob(f"{name}-*.parquet"):
                if old != path:
                    old.unlink(missing_ok=True)
        return frame

    # ---- writing
    @contextmanager
    def _locked(self, athlete: str, create: bool) -> Iterator[Path]:
        """Hold the athlete's writers' lock (creating the folder when ``create``); yields the folder."""
        adir = self.athlete_dir(athlete)
        if create:
            try:
                adir.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"{exc.filename or adir}: cannot create the athlete folder: {_cause(exc)}") from None
        elif not adir.is_dir():
            raise StoreError(f"no dataset for athlete {athlete!r} in {self.data_dir}")
        lock = filelock.FileLock(str(adir / ".lock"), timeout=LOCK_TIMEOUT_S)
        try:
            lock.acquire()
        except filelock.Timeout:
            raise StoreError(f"{adir}: another trainlog process holds the dataset lock") from None
        except OSError as exc:
            raise StoreError(f"{adir / '.lock'}: cannot take the dataset lock: {_cause(exc)}; nothing was changed") from None
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
                why = _is_parquet(adir / part)
                if why is not None:
                    raise StoreError(
                        f"{adir / part}: cannot read the {table} table: this part listed in {MANIFEST} {why}; "
                        f"nothing was changed. Run: trainlog check -a {athlete}, then trainlog repair -a {athlete}"
                    )
        known = _listed(manifest)
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
        """Verify one athlete's dataset like ``git fsck``; returns the problems (empty: all is well).

        Checks the manifest (readable, schema), every listed part (exists,
        reads as Parquet with its table's columns), the dataset as a whole
        (each activity once, samples count = n_records, activities = the files
        the ledger says imported), unlisted parts and temporary files, the
        derived cache files and settings.json. Reads only: never creates or
        changes anything. StoreError when the athlete has no dataset.
        """
        adir = self.athlete_dir(athlete)
        parts_on_disk = self.part_files(athlete)
        if not (adir / MANIFEST).exists() and not parts_on_disk:
            raise StoreError(f"no dataset for athlete {athlete!r} in {self.data_dir}")
        problems: list[Problem] = []
        try:
            manifest: Manifest | None = self.manifest(athlete)
        except StoreError as exc:
            where, _, message = str(exc).partition(": ")
            problems.append(Problem(Path(where), message))
            manifest = None
        if manifest is not None:
            summaries = {t: [] for t in schema.TABLES}
            whole = True
            for table, parts in manifest.tables.items():
                for part in parts:
                    try:
                        summaries[table].append(_summarise(table, adir / part))
                    except _BadPart as exc:
                        problems.append(Problem(adir / part, f"listed in {MANIFEST} ({table} table) but {exc}"))
                        whole = False
            if whole:
                for message in _invariants(summaries, ledger=manifest.schema_version >= 1):
                    problems.append(Problem(adir / MANIFEST, f"the dataset it lists is inconsistent: {message}"))
            known = _listed(manifest)
            for path in parts_on_disk:
                part = PartName.parse(path.name)
                if path.name in known:
                    continue
                if part.generation == manifest.generation + 1:
                    problems.append(Problem(path, "not listed: left by an import that stopped before committing; "
                                                  "the next import removes it"))
                elif part.generation > manifest.generation:
                    problems.append(Problem(path, f"not listed, and newer than {MANIFEST} (generation "
                                                  f"{manifest.generation}): imports are refused; run trainlog repair"))
                else:
                    problems.append(Problem(path, f"not listed by {MANIFEST}; kept (trainlog repair sets it aside "
                                                  "if it does not belong)"))
        for path in sorted(adir.glob(f".{MANIFEST}.*.tmp")):
            problems.append(Problem(path, "temporary manifest left by an interrupted commit; the next import removes it"))
        derived = adir / "derived"
        for path in sorted(derived.glob("*.parquet")) if derived.is_dir() else []:
            why = _derived_problem(path)
            if why:
                problems.append(Problem(path, f"derived cache file {why}; it is recomputed when next needed"))
        for path in sorted(derived.glob(".*.tmp")) if derived.is_dir() else []:
            problems.append(Problem(path, "temporary file left by an interrupted write"))
        settings = self.settings_path(athlete)
        if settings.exists():
            from trainlog.errors import TrainlogError
            from trainlog.settings import load_settings

            try:
                load_settings(settings)
            except TrainlogError as exc:
                problems.append(Problem(settings, str(exc).removeprefix(f"{settings}: ")))
        return problems

    def check_all(self) -> dict[str, list[Problem]]:
        """:meth:`check` of every athlete folder that holds a manifest or data parts."""
        root = self.data_dir / "athletes"
        names = sorted(p.name for p in root.iterdir() if p.is_dir()) if root.is_dir() else []
        out = {}
        for name in names:
            folder = root / name
            if not is_athlete_name(name):  # an older trainlog's, or made by hand: say so, never skip it silently
                if (folder / MANIFEST).exists() or any(folder.glob("*.parquet")):
                    try:
                        problem = f"is not reachable: {check_athlete(name)!r} is the name it would need to have"
                    except StoreError as exc:
                        problem = f"is not reachable: {str(exc).removeprefix('invalid athlete name ')}"
                    out[name] = [Problem(folder, f"{problem} (rename the folder)")]
                continue
            if (folder / MANIFEST).exists() or self.part_files(name):
                out[name] = self.check(name)
        return out

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
        report = RepairReport(athlete, dry_run=dry_run)
        lock = nullcontext(adir) if dry_run else self._locked(athlete, create=False)
        with lock:
            try:
                old: Manifest | None = self.manifest(athlete)
            except StoreError:
                old = None
            report = self._plan_repair(athlete, old, report)
            if not report.changed or dry_run:
                return report
            stamp = _utc_stamp()
            path = adir / MANIFEST
            try:
                if path.exists():
                    report.backup = adir / f"{MANIFEST}.{stamp}.bak"
                    shutil.copy2(path, report.backup)
                manifest = Manifest(
                    generation=report.generation,
                    tables={t: [n for n in report.kept if PartName.parse(n).table == t] for t in schema.TABLES},
                    schema_version=report.schema_version,
                )
                write_text_atomic(path, manifest.to_json())
                if report.left_out:
                    report.moved_to = adir / f"repair-{stamp}"
                    report.moved_to.mkdir(exist_ok=True)
                    for name, _ in report.left_out:
                        if (adir / name).exists():
                            os.replace(adir / name, report.moved_to / name)
                for tmp in adir.glob(f".{MANIFEST}.*.tmp"):
                    tmp.unlink(missing_ok=True)
            except OSError as exc:
                raise StoreError(f"{exc.filename or path}: cannot repair: {_cause(exc)}") from None
        return report

    def _plan_repair(self, athlete: str, old: Manifest | None, report: RepairReport) -> RepairReport:
        """Choose the parts of the rebuilt manifest (fills ``report``; writes nothing)."""
        summaries: dict[str, pl.DataFrame] = {}
        by_gen: dict[int, list[PartName]] = {}
        names: dict[PartName, str] = {}
        for path in self.part_files(athlete):
            part = PartName.parse(path.name)
            try:
                summaries[path.name] = _summarise(part.table, path)
            except _BadPart as exc:
                report.left_out.append((path.name, str(exc)))
                continue
            by_gen.setdefault(part.generation, []).append(part)
            names[part] = path.name
        ledger = any(p.table == "files" for p in names) or (old is not None and old.schema_version >= 1)
        state: dict[str, list[str]] = {t: [] for t in schema.TABLES}

        def apply(chosen: list[PartName]) -> tuple[dict[str, list[str]], list[str]]:
            trial = {t: list(v) for t, v in state.items()}
            replaced: list[str] = []
            for part in chosen:
                name = names[part]
                if trial[part.table] and (part.compacted or _contains(summaries[name], [summaries[n] for n in trial[part.table]], part.table)):
                    replaced += trial[part.table]
                    trial[part.table] = []
                trial[part.table].append(name)
            return trial, replaced

        def consistent(trial: dict[str, list[str]]) -> bool:
            return not _invariants({t: [summaries[n] for n in v] for t, v in trial.items()}, ledger=ledger)

        for gen in sorted(by_gen):
            parts = sorted(by_gen[gen], key=lambda p: (p.token, p.table))
            per_table: dict[str, list[PartName]] = {}
            for part in parts:
                per_table.setdefault(part.table, []).append(part)
            # the whole commit first; else the largest consistent choice of at most one part per table
            options = [parts] if all(len(v) == 1 for v in per_table.values()) else []
            combos = itertools.product(*[v + [None] for v in per_table.values()])
            options += sorted(([p for p in c if p is not None] for c in combos), key=len, reverse=True)
            for chosen in options:
                trial, replaced = apply(chosen)
                if consistent(trial):
                    state = trial
                    report.left_out += [(n, "replaced by a later compaction of its table") for n in replaced]
                    break
            else:
                chosen = []
            why = ("its commit is incomplete: an import stopped before committing it, or another of its parts "
                   "is missing or unreadable")
            report.left_out += [(names[p], why) for p in parts if p not in chosen]
        report.kept = [n for t in schema.TABLES for n in state[t]]
        report.schema_version = schema.SCHEMA_VERSION if ledger else 0
        acts = [summaries[n] for n in state["activities"]]
        report.activities = sum(f.height for f in acts)
        on_disk = [p.generation for p in names] + [PartName.parse(n).generation for n, _ in report.left_out if PartName.parse(n)]
        report.generation = max(on_disk + [old.generation if old else 0]) + 1
        if old is not None:
            same = all(sorted(old.tables[t]) == sorted(state[t]) for t in schema.TABLES)
            retired = {n for n, _ in old.retired}
            if same and all(n in retired for n, _ in report.left_out):
                report.left_out = []
                report.generation = old.generation
                return report
        report.changed = True
        return report


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
                compacted = len(tables[table]) + 1 > COMPACT_PARTS
                if compacted:
                    old = self.store._scan(table, self.athlete, self.base).collect()
                    new = pl.concat([old, new])
                    retired += [(p, now) for p in tables[table]]
                    tables[table] = []
                part = f"{table}-{gen:06d}-{token}{'-c' if compacted else ''}.parquet"
                path = adir / part
                written.append(path)
                new.write_parquet(path, compression="zstd", statistics=True)
                with open(path, "rb+") as fh:
                    os.fsync(fh.fileno())
                tables[table].append(part)
            manifest = Manifest(generation=gen, tables=tables, retired=retired)
            path = adir / MANIFEST
            write_text_atomic(path, manifest.to_json())
        except BaseException as exc:
            if _committed_generation(adir / MANIFEST) == gen:
                # interrupted (Ctrl+C) after the new manifest was in place: its parts are the dataset now
                self.base, self._migrated_from, self._new = manifest, None, {t: [] for t in schema.TABLES}
                raise
            for done in reversed(written):
                with suppress(OSError):
                    done.unlink(missing_ok=True)
            if not _disk_error(exc):
                raise
            where = getattr(exc, "filename", None) or path
            raise StoreError(
                f"{where}: {_cause(exc)}; the unfinished files of this commit were removed and the dataset "
                f"is as the last commit left it (generation {self.base.generation})"
            ) from None
        self.base = manifest
        self._migrated_from = None
        self._new = {t: [] for t in schema.TABLES}
        for name in expired:  # best effort: a part that stays is reported by check
            with suppress(OSError):
                (adir / name).unlink(missing_ok=True)

    @staticmethod
    def _remove_crash_leftovers(adir: Path, manifest: Manifest) -> None:
        """Delete what a writer that crashed before committing on ``manifest`` left: unlisted parts of
        the next generation, and temporary manifests. Never anything older (that is for ``repair``)."""
        known = _listed(manifest)
        for path in adir.glob("*.parquet"):
            part = PartName.parse(path.name)
            if part and path.name not in known and part.generation == manifest.generation + 1:
                path.unlink(missing_ok=True)
        for path in adir.glob(f".{MANIFEST}.*.tmp"):
            path.unlink(missing_ok=True)

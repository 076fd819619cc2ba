"""Checking and repairing a dataset: what ``trainlog check`` and ``trainlog repair`` do.

Nothing is deleted that is not provably garbage. :func:`find_problems`
verifies a dataset (like ``git fsck``) and reads only; :func:`rebuild_manifest`
rebuilds a lost or damaged manifest from the parts on disk, which are
immutable and named by generation (:class:`~trainlog.store.manifest.PartName`),
and sets aside, never deletes, the parts it leaves out. Both read every row of
a part and reduce it to a small summary (:func:`_summarise`); the dataset's
consistency rules (:func:`_invariants`) are checked on the summaries.
:class:`~trainlog.store.Store`'s ``check``, ``check_all`` and ``repair`` are the way in.
"""

from __future__ import annotations

import itertools
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import polars as pl

from trainlog.atomic import temp_glob, write_text_atomic
from trainlog.errors import StoreError, first_line
from trainlog.store import schema
from trainlog.store.derived import derived_problem
from trainlog.store.disk import disk_cause, parquet_problem
from trainlog.store.manifest import MANIFEST, Manifest, PartName
from trainlog.store.names import check_athlete, is_athlete_name
from trainlog.words import Outcome


class StoreLike(Protocol):
    """What check and repair use of a :class:`trainlog.store.Store` (which passes itself)."""

    data_dir: Path

    def athlete_dir(self, athlete: str) -> Path:
        """The athlete's folder."""

    def part_files(self, athlete: str) -> list[Path]:
        """Every file in the athlete's folder named like a part, sorted by name."""

    def manifest(self, athlete: str) -> Manifest:
        """The committed manifest; StoreError when it cannot be read."""

    def settings_path(self, athlete: str) -> Path:
        """The athlete's settings file."""


@dataclass(frozen=True)
class Problem:
    """One thing :meth:`Store.check` found wrong: the file and what is wrong with it (one line)."""

    path: Path
    message: str

    def line(self) -> str:
        """The problem as one line: ``<path>: <message>``."""
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



class _BadPart(Exception):
    """A part that does not read as its table (the message says why)."""


#: Per table, the columns of a part's summary (what the dataset's consistency rules need).
_SUMMARY_KEY = {"activities": "activity_id", "samples": "activity_id", "laps": "activity_id", "files": "file_sha256",
                "choices": "event", "plan_weeks": "event", "plan_days": "event", "activity_meta": "event",
                "ratings": "event", "comments": "event", "wellness": "event", "activity_hrv": "event"}


def _summarise(table: str, path: Path) -> pl.DataFrame:
    """Read a whole part (every row and column, so damage anywhere shows) and return its small summary.

    activities: activity_id, file_sha256, n_records; samples: activity_id, n
    (rows); laps: activity_id; files: file_sha256, outcome; choices: activity_id,
    event (one key per choice, so a compaction is told from a later choice). Raises _BadPart.
    """
    why = parquet_problem(path)
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
    if table == "wellness":  # a watch's wellness file is imported without an activity: its hash says which
        return frame.select(_row_event(table), "file_sha256")
    if table in ("plan_weeks", "plan_days", "activity_meta", "ratings", "comments", "activity_hrv"):
        return frame.select(_row_event(table))
    return frame.select("file_sha256", "outcome")


def _choice_event() -> pl.Expr:
    """One text key per row of the choices table: activity, action, rating and time."""
    fields = [pl.col(c).cast(pl.String).fill_null("") for c in ("activity_id", "action", "rpe", "at")]
    return pl.concat_str(fields, separator="|").alias("event")


def _row_event(table: str) -> pl.Expr:
    """One text key per row of a plan table (every column), so a compaction is told from a later revision."""
    fields = [pl.col(c).cast(pl.String).fill_null("") for c in schema.TABLES[table]]
    return pl.concat_str(fields, separator="|").alias("event")


def _empty_summary(table: str) -> pl.DataFrame:
    """A summary of no rows, with the columns :func:`_summarise` gives ``table``."""
    cols = {"activities": {"activity_id": pl.String, "file_sha256": pl.String, "n_records": pl.Int64},
            "samples": {"activity_id": pl.String, "n": pl.Int64},
            "laps": {"activity_id": pl.String},
            "files": {"file_sha256": pl.String, "outcome": pl.String},
            "choices": {"activity_id": pl.String, "event": pl.String},
            "plan_weeks": {"event": pl.String}, "plan_days": {"event": pl.String},
            "activity_meta": {"event": pl.String}, "ratings": {"event": pl.String},
            "comments": {"event": pl.String}, "wellness": {"event": pl.String, "file_sha256": pl.String},
            "activity_hrv": {"event": pl.String}}[table]
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
    imported (a watch's wellness file is imported into ``wellness`` instead). Choices need no rule: one about
    an activity that is not stored is kept (it applies again when that file is imported again).
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
        imported = set(files.filter(pl.col("outcome") == Outcome.IMPORTED)["file_sha256"].to_list())
        if "wellness" in t:  # a watch's sleep, HRV or monitoring file: imported, and no activity
            imported -= set(t["wellness"]["file_sha256"].drop_nulls().to_list())
        stored = set(acts["file_sha256"].to_list())
        if stored - imported:
            out.append(f"activities of {len(stored - imported)} files the import ledger does not record as imported")
        if imported - stored:
            out.append(f"the import ledger records {len(imported - stored)} imported files whose activities are missing")
    return out


def _utc_stamp() -> str:
    """Now in UTC, for a file name: ``20250102T030405Z``."""
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())


def find_problems(store: StoreLike, athlete: str) -> list[Problem]:
    """Verify one athlete's dataset like ``git fsck``; returns the problems (empty: all is well).

    Checks the manifest (readable, schema), every listed part (exists,
    reads as Parquet with its table's columns), the dataset as a whole
    (each activity once, samples count = n_records, activities = the files
    the ledger says imported), unlisted parts and temporary files, the
    derived cache files and settings.json. Reads only: never creates or
    changes anything. StoreError when the athlete has no dataset.
    """
    adir = store.athlete_dir(athlete)
    parts_on_disk = store.part_files(athlete)
    if not (adir / MANIFEST).exists() and not parts_on_disk:
        raise StoreError(f"no dataset for athlete {athlete!r} in {store.data_dir}")
    problems: list[Problem] = []
    try:
        manifest: Manifest | None = store.manifest(athlete)
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
        known = manifest.listed()
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
    for path in sorted(adir.glob(temp_glob(adir / MANIFEST))):
        problems.append(Problem(path, "temporary manifest left by an interrupted commit; the next import removes it"))
    derived = adir / "derived"
    for path in sorted(derived.glob("*.parquet")) if derived.is_dir() else []:
        why = derived_problem(path)
        if why:
            problems.append(Problem(path, f"derived cache file {why}; it is recomputed when next needed"))
    for path in sorted(derived.glob(".*.tmp")) if derived.is_dir() else []:
        problems.append(Problem(path, "temporary file left by an interrupted write"))
    settings = store.settings_path(athlete)
    if settings.exists():
        from trainlog.errors import TrainlogError
        from trainlog.settings import load_settings

        try:
            load_settings(settings)
        except TrainlogError as exc:
            problems.append(Problem(settings, str(exc).removeprefix(f"{settings}: ")))
    return problems


def find_all_problems(store: StoreLike) -> dict[str, list[Problem]]:
    """:func:`find_problems` of every athlete folder that holds a manifest or data parts."""
    root = store.data_dir / "athletes"
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
        if (folder / MANIFEST).exists() or store.part_files(name):
            out[name] = find_problems(store, name)
    return out


def rebuild_manifest(store: StoreLike, athlete: str, dry_run: bool = False) -> RepairReport:
    """Rebuild the athlete's manifest from the parts on disk (:meth:`Store.repair` says how); the
    caller holds the writers' lock unless ``dry_run`` (report, change nothing)."""
    adir = store.athlete_dir(athlete)
    try:
        old: Manifest | None = store.manifest(athlete)
    except StoreError:
        old = None
    report = _plan_repair(store, athlete, old, RepairReport(athlete, dry_run=dry_run))
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
        for tmp in adir.glob(temp_glob(adir / MANIFEST)):
            tmp.unlink(missing_ok=True)
    except OSError as exc:
        raise StoreError(f"{exc.filename or path}: cannot repair: {disk_cause(exc)}") from None
    return report


def _plan_repair(store: StoreLike, athlete: str, old: Manifest | None, report: RepairReport) -> RepairReport:
    """Choose the parts of the rebuilt manifest (fills ``report``; writes nothing)."""
    summaries: dict[str, pl.DataFrame] = {}
    by_gen: dict[int, list[PartName]] = {}
    names: dict[PartName, str] = {}
    for path in store.part_files(athlete):
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
            earlier = [summaries[n] for n in trial[part.table]]
            if trial[part.table] and (part.compacted or _contains(summaries[name], earlier, part.table)):
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


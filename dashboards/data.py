"""The dashboard's one door to the data: reads the store, calls the library, caches.

Nothing is read at import time: :func:`use` (called by ``create_app``) points
the module at a data directory and :func:`get` returns that :class:`Data`.
Each athlete's frames and analyses are cached under a key made of the
manifest generation and the settings file's mtime, so a page is quick and an
import or a settings change is seen on the next request.

Imports started from the browser (uploads, the sample athletes) run in a
background thread as an :class:`ImportJob`; pages poll :meth:`Data.job`.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from trainlog import demo, report
from trainlog.athlete import analyse_imported, stored_analysis
from trainlog import goal as goal_lib
from trainlog.activity import sample_metrics
from trainlog.athlete import local_today
from trainlog.importer import FileResult, import_paths
from trainlog.settings import AthleteSettings, load_settings, save_settings
from trainlog.errors import StoreError
from trainlog.store import Manifest, Store, check_athlete

#: With no activity in this many days before today, pages show the day of the last activity instead.
STALE_DAYS = report.STALE_DAYS
#: Upload limits (a browser sends the files base64-encoded in one request).
MAX_UPLOAD_FILES = 500
MAX_UPLOAD_BYTES = 200 * 1024 * 1024
UPLOAD_SUFFIXES = (".fit.gz", ".fit", ".zip")
#: Analyses kept per athlete (one per ``as_of`` date asked for).
CACHE_AS_OF = 8


@dataclass
class ImportJob:
    """An import running in a background thread; read by the page that polls it."""

    id: str
    athlete: str | None = None  # None: several (the sample athletes)
    total: int | None = None  # files planned (None until known)
    results: list[FileResult] = field(default_factory=list)
    display_names: dict[str, str] = field(default_factory=dict)  # stored path -> name the user gave
    done: bool = False
    error: str | None = None

    def rows(self) -> list[dict]:
        """One row per finished file: file (as the user named it), outcome, detail."""
        return [
            {"file": self.display_name(r.name), "outcome": r.outcome, "detail": r.detail} for r in list(self.results)
        ]

    def display_name(self, stored: str) -> str:
        for path, name in self.display_names.items():
            if stored.startswith(path):
                return name + stored[len(path):]
        return Path(stored).name


@dataclass
class _Athlete:
    key: tuple
    manifest: Manifest  # the commit read; samples are scanned from it, one activity at a time
    activities: pl.DataFrame
    laps: pl.DataFrame
    settings: AthleteSettings
    base: report.Analysis | None = None  # the per-sample work, once per data generation and settings
    analyses: dict = field(default_factory=dict)  # as_of -> Analysis
    summaries: dict = field(default_factory=dict)  # as_of -> summary dict


def safe_upload_name(index: int, name: str) -> str | None:
    """A file name safe to create for an upload called ``name``; None if not .fit/.fit.gz/.zip.

    Only letters, digits, '.', '_' and '-' survive, the index is prefixed (no
    hidden or colliding names) and the suffix is kept so the importer knows the kind.
    """
    base = re.split(r"[\\/]", name)[-1]
    suffix = next((s for s in UPLOAD_SUFFIXES if base.lower().endswith(s)), None)
    if suffix is None:
        return None
    stem = re.sub(r"[^A-Za-z0-9._-]", "_", base[: -len(suffix)])[:80]
    return f"{index:03d}-{stem}{suffix}"


class Data:
    """Cached, read-mostly access to one data directory."""

    def __init__(self, data_dir):
        self.store = Store(data_dir)
        self._athletes: dict[str, _Athlete] = {}
        self._jobs: dict[str, ImportJob] = {}
        self._lock = threading.Lock()

    # ---- who may see what
    @staticmethod
    def user():
        """The signed-in user of this request (None when the dashboard runs without logins)."""
        try:
            import flask

            return flask.g.get("user") if flask.has_request_context() else None
        except RuntimeError:
            return None

    def check_access(self, athlete: str) -> None:
        """Raise PermissionError unless the signed-in user may see ``athlete``."""
        user = self.user()
        if user is not None and not user.may_see(athlete):
            raise PermissionError(f"user {user.name!r} may not see athlete {athlete!r}")

    # ---- reading
    def athletes(self) -> list[str]:
        """The athletes the signed-in user may see (all without logins)."""
        user = self.user()
        return [a for a in self.store.athletes() if user is None or user.may_see(a)]

    def _athlete(self, athlete: str) -> _Athlete:
        self.check_access(athlete)
        path = self.store.settings_path(athlete)
        manifest = self.store.manifest(athlete)
        key = manifest.generation, path.stat().st_mtime_ns if path.exists() else None
        with self._lock:
            cached = self._athletes.get(athlete)
        if cached is not None and cached.key == key:
            return cached
        tables = self.store.read_all(athlete, ("activities", "laps"), manifest)  # small; samples stay on disk
        fresh = _Athlete(key, manifest, tables["activities"], tables["laps"], load_settings(path))
        with self._lock:
            self._athletes[athlete] = fresh
        return fresh

    def settings(self, athlete: str) -> AthleteSettings:
        return self._athlete(athlete).settings

    def save_settings(self, athlete: str, settings: AthleteSettings) -> None:
        self.check_access(athlete)
        save_settings(self.store.settings_path(athlete), settings)

    def last_day(self, athlete: str) -> dt.date | None:
        """The last local day with training booked (a multi-day race ends on its last day)."""
        daily = self.analysis(athlete, None).daily
        return daily["date"].max() if not daily.is_empty() else None

    def default_as_of(self, athlete: str, today: dt.date | None = None) -> tuple[dt.date, bool]:
        """The date pages show when the URL names none, and whether it differs from ``today``.

        Today (in the athlete's time zone), unless the athlete's last activity is
        more than :data:`STALE_DAYS` before it (old or sample data): then the last
        day with training.
        """
        today = today or local_today(self.settings(athlete))
        last = self.last_day(athlete)
        if last is not None and (today - last).days > STALE_DAYS:
            return last, True
        return today, False

    def analysis(self, athlete: str, as_of: dt.date | None) -> report.Analysis:
        """:func:`trainlog.report.analyse` of the athlete's data, the daily series running to ``as_of``."""
        entry = self._athlete(athlete)
        return self._memo(entry.analyses, as_of,
                          lambda: report.extended(self._base(athlete, entry), entry.settings, as_of))

    def _base(self, athlete: str, entry: _Athlete) -> report.Analysis:
        """The athlete's full analysis to the last booked day (the heavy part: once, and kept on disk)."""
        if entry.base is None:
            base = stored_analysis(self.store, athlete, entry.settings, entry.manifest)
            with self._lock:
                entry.base = entry.base or base
        return entry.base

    def summary(self, athlete: str, as_of: dt.date) -> dict:
        """:func:`trainlog.report.summary` on ``as_of`` (the numbers the Today and Goal pages show)."""
        entry = self._athlete(athlete)
        return self._memo(entry.summaries, as_of,
                          lambda: report.summary_of_analysis(self._base(athlete, entry), entry.settings, as_of))

    def _memo(self, cache: dict, key, compute):
        """``cache[key]``, computed (outside the lock) when missing; the oldest entry goes beyond CACHE_AS_OF."""
        with self._lock:
            if key in cache:
                return cache[key]
        value = compute()
        with self._lock:
            if len(cache) >= CACHE_AS_OF:
                cache.pop(next(iter(cache)))
            cache[key] = value
        return value

    def daily(self, athlete: str, as_of: dt.date) -> pl.DataFrame:
        """Daily series with fitness columns, up to ``as_of`` included."""
        return self.analysis(athlete, as_of).daily.filter(pl.col("date") <= as_of)

    def weekly(self, athlete: str, as_of: dt.date) -> pl.DataFrame:
        """Weekly totals by sport and ``"all"``, weeks starting up to ``as_of``."""
        return self.analysis(athlete, as_of).weekly.filter(pl.col("week_start") <= as_of)

    def activities(self, athlete: str, as_of: dt.date | None = None) -> pl.DataFrame:
        """Per-activity metrics joined with what the file said (sub-sport, device, file name), newest first."""
        entry = self._athlete(athlete)
        info = entry.activities.select(
            "activity_id", "sub_sport", "avg_hr_bpm", "max_hr_bpm", "device_manufacturer", "device_product",
            "partial", "import_note", "source_file",
        )
        frame = self.analysis(athlete, as_of).per_activity.join(info, on="activity_id", how="left")
        if as_of is not None:
            frame = frame.filter(pl.col("start_date") <= as_of)
        return frame.sort("start_utc", descending=True)

    def activity(self, athlete: str, activity_id: str) -> tuple[dict, pl.DataFrame, pl.DataFrame] | None:
        """One activity: its row of :meth:`activities`, its samples with per-sample metrics
        (:func:`trainlog.activity.sample_metrics` joined on timestamp) and its laps; None if unknown."""
        entry = self._athlete(athlete)
        rows = self.activities(athlete).filter(pl.col("activity_id") == activity_id)
        if rows.is_empty():
            return None
        samples = (
            self.store.scan("samples", athlete, entry.manifest)
            .filter(pl.col("activity_id") == activity_id)
            .collect()
            .sort("timestamp")
        )
        per_sample = sample_metrics(samples, entry.settings)
        samples = samples.unique("timestamp", keep="first", maintain_order=True).join(
            per_sample.drop("activity_id"), on="timestamp", how="left"
        )
        laps = entry.laps.filter(pl.col("activity_id") == activity_id).sort("lap_index")
        return rows.row(0, named=True), samples, laps

    def ascent_plan(self, athlete: str, as_of: dt.date) -> pl.DataFrame:
        """Weekly ascent (m) needed from ``as_of`` to the goal date, ramping at the cap; empty without a goal date."""
        settings = self.settings(athlete)
        goal, model = settings.goal, settings.model
        if goal.date is None or goal.date < as_of:
            return pl.DataFrame(schema={"week_start": pl.Date, "needed_ascent_m": pl.Float64})
        weeks = range((goal.date - as_of).days // goal_lib.DAYS_PER_WEEK + 1)
        starts = [as_of + dt.timedelta(weeks=k) for k in weeks]
        needed = [goal_lib.needed_weekly_ascent(goal.ascent_m, (goal.date - d).days, model.ramp_cap) for d in starts]
        return pl.DataFrame({"week_start": starts, "needed_ascent_m": needed})

    # ---- imports in the background
    def job(self, job_id: str | None) -> ImportJob | None:
        return self._jobs.get(job_id) if job_id else None

    def _start(self, work, athlete: str | None = None, cleanup: Path | None = None,
               names: dict[str, str] | None = None) -> ImportJob:
        job = ImportJob(uuid.uuid4().hex, athlete=athlete, display_names=names or {})
        self._jobs[job.id] = job

        def plan(n: int) -> None:
            job.total = (job.total or 0) + n

        def run() -> None:
            try:
                work(on_plan=plan, on_result=job.results.append)
            except Exception as exc:  # shown on the page; the thread must not die silently
                job.error = f"{type(exc).__name__}: {exc}"
            finally:
                if cleanup is not None:
                    shutil.rmtree(cleanup, ignore_errors=True)
                job.done = True

        threading.Thread(target=run, name=f"trainlog-import-{job.id[:8]}", daemon=True).start()
        return job

    def import_samples(self) -> ImportJob:
        """Import the bundled sample athletes in the background (coaches only when logins are on)."""
        user = self.user()
        if user is not None and user.role != "coach":
            raise PermissionError("only a coach may load the sample athletes")

        def work(**progress):
            for imported in demo.import_samples(self.store, **progress):
                analyse_imported(self.store, imported)

        return self._start(work)

    def import_uploads(self, athlete: str, files: list[tuple[str, bytes]]) -> ImportJob:
        """Write uploaded ``(name, bytes)`` files under safe names and import them in the background.

        Raises ValueError for an invalid athlete name or beyond the upload limits.
        Files that are not .fit, .fit.gz or .zip are reported as skipped.
        """
        try:
            check_athlete(athlete)
        except StoreError as exc:
            raise ValueError(str(exc)) from None
        self.check_access(athlete)
        if len(files) > MAX_UPLOAD_FILES:
            raise ValueError(f"at most {MAX_UPLOAD_FILES} files at once")
        if sum(len(data) for _, data in files) > MAX_UPLOAD_BYTES:
            raise ValueError(f"at most {MAX_UPLOAD_BYTES // 2**20} MB at once")
        folder = self.store.data_dir / "uploads" / uuid.uuid4().hex
        paths, names, skipped = [], {}, []
        for index, (name, data) in enumerate(files):
            safe = safe_upload_name(index, name)
            if safe is None:
                skipped.append(FileResult(name, "skipped", "not a .fit, .fit.gz or .zip file"))
                continue
            path = folder / safe
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            paths.append(path)
            names[str(path)] = name

        def work(on_plan, on_result):
            on_plan(len(skipped))
            for result in skipped:
                on_result(result)
            if paths:
                analyse_imported(self.store, import_paths(self.store, paths, athlete, on_plan=on_plan, on_result=on_result))

        return self._start(work, athlete, cleanup=folder, names=names)


_current: Data | None = None


def use(data_dir) -> Data:
    """Point the dashboard at ``data_dir`` (called by ``create_app``)."""
    global _current
    _current = Data(data_dir)
    return _current


def get() -> Data:
    if _current is None:
        raise RuntimeError("dashboards.data.use(data_dir) has not been called")
    return _current

"""The dashboard's one door to the data: reads the store, calls the library, caches.

Nothing is read at import time: :func:`use` (called by ``create_app``) points
the module at a data directory and :func:`get` returns that :class:`Data`.
Each athlete's frames and analyses are cached under a key made of the
manifest generation and the settings file's mtime, so a page is quick and an
import or a settings change is seen on the next request.

Imports started from the browser (uploads, the sample athletes) run in a background thread; pages poll
:meth:`Data.job`. The cache is :mod:`dashboards.cache`, the jobs (:class:`~dashboards.jobs.ImportJob`) :mod:`dashboards.jobs`
(pages use neither); the wellness methods :mod:`dashboards.wellness_data`, the roster's :mod:`dashboards.roster_data`.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
import uuid
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import polars as pl

from dashboards.cache import CACHE_BYTES, ByteCache, file_key, size_of
from dashboards.jobs import JOB_ID, ImportJob, Jobs, OnPlan, OnResult, import_in_child
from dashboards.roster_data import RosterData
from dashboards.wellness_data import WellnessData
from trainlog.analysis import coach, plan
from trainlog.analysis import pipeline as report
from trainlog.analysis.activity import sample_metrics
from trainlog.analysis.generate import generate
from trainlog.analysis.stored import analyse_imported, local_today, stored_analysis
from trainlog.errors import InvalidValue, StoreError
from trainlog.export import tables as export
from trainlog.ingest import demo, manual, repair, watch
from trainlog.ingest.importer import FileResult
from trainlog.settings import AthleteSettings, load_settings, save_settings
from trainlog.store import MANIFEST, Manifest, Store, check_athlete, choices, entries, meta, plans
from trainlog.store.users import User
from trainlog.words import Outcome

__all__ = [  # the names pages, the app and the tests use (JOB_ID and ByteCache re-exported from jobs and cache)
    "JOB_ID", "MAX_UPLOAD_BYTES", "MAX_UPLOAD_FILES", "PAGE_TTL_S", "SPAN_MARGIN_DAYS", "STALE_DAYS",
    "UPLOAD_SUFFIXES", "ByteCache", "Data", "get", "safe_upload_name", "use",
]

T = TypeVar("T")

#: With no activity in this many days before today, pages show the day of the last activity instead.
STALE_DAYS = report.STALE_DAYS
#: Upload limits (the browser posts the files as multipart/form-data; they are streamed to disk).
MAX_UPLOAD_FILES = 500
MAX_UPLOAD_BYTES = 200 * 1024 * 1024
UPLOAD_SUFFIXES = (".fit.gz", ".gpx.gz", ".tcx.gz", ".fit", ".gpx", ".tcx", ".zip")
#: Days shown before an athlete's first activity (nothing is computed earlier).
SPAN_MARGIN_DAYS = 7


@dataclass
class _Athlete:
    key: tuple
    manifest: Manifest  # the commit read; samples are scanned from it, one activity at a time
    activities: pl.DataFrame
    laps: pl.DataFrame
    settings: AthleteSettings
    base: report.Analysis | None = None  # the per-sample work, once per data generation and settings

    def cached_bytes(self) -> int:
        """What the entry holds in bytes: its frames and base analysis (:class:`dashboards.cache.Measured`)."""
        return size_of((self.activities, self.laps, self.base))


#: A rendered page is kept at most this long (see :meth:`Data.version`).
PAGE_TTL_S = 900


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


class Data(RosterData, WellnessData):
    """Cached, read-mostly access to one data directory (the roster, wellness methods: dashboards.roster_data, ...)."""

    def __init__(self, data_dir: str | Path | None, cache_bytes: int = CACHE_BYTES) -> None:
        self.store = Store(data_dir)
        #: ("athlete", name) -> _Athlete; ("analysis"|"summary", name, key, as_of) -> Analysis | dict
        self.cache = ByteCache(cache_bytes)
        self._jobs = Jobs()
        self._lock = threading.Lock()

    # ---- who may see what
    @staticmethod
    def user() -> User | None:
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
        """The athletes the signed-in user may see (all without logins; the list is kept: RosterData._listed)."""
        user = self.user()
        return [a for a in self._listed() if user is None or user.may_see(a)]

    def version(self, athletes: list[str] | None = None) -> tuple:
        """What a page shows depends on besides its URL: every visible athlete's dataset and
        settings (their files' modification times; ``athletes``' only when given), the signed-in user,
        and the quarter-hour (pages that show "today" change at midnight in the athlete's time zone,
        which falls on a quarter-hour in every zone)."""
        user = self.user()
        files = [(athlete, *self._files_key(athlete)) for athlete in (self.athletes() if athletes is None else athletes)]
        who = (user.name, user.role, user.athlete) if user is not None else None
        return tuple(files), who, int(time.time() // PAGE_TTL_S)

    def page(self, key: Hashable, render: Callable[[], T]) -> T:
        """A rendered page layout (or a part several pages share: the Coach comparison) kept in the byte-bounded
        cache (sized by its JSON), else ``render()``.

        Under load most page requests are for the same few views; rendering one builds
        every figure again (5-10 ms each, holding the GIL)."""
        layout = self.cache.get(key)
        if layout is None:
            import plotly.io.json

            layout = render()  # sized by the standard library's encoder: 2-3x plotly's default (orjson) on big tables
            self.cache.put(key, layout, size=len(plotly.io.json.to_json_plotly(layout, engine="json")))
        return layout

    def _files_key(self, athlete: str) -> tuple:
        """The athlete's dataset manifest and settings file as they are on disk now (stat only)."""
        path = self.store.settings_path(athlete)
        return file_key(path.parent / MANIFEST), file_key(path)

    def _athlete(self, athlete: str) -> _Athlete:
        self.check_access(athlete)
        key = self._files_key(athlete)  # a page asks several times: the manifest is parsed only when it changed
        cached = self.cache.get(("athlete", athlete))
        if cached is not None and cached.key == key:
            return cached
        path = self.store.settings_path(athlete)
        manifest = self.store.manifest(athlete)
        tables = self.store.read_all(athlete, ("activities", "laps", "activity_meta"), manifest)  # samples stay on disk
        fresh = _Athlete(key, manifest, meta.joined(tables["activities"], tables["activity_meta"]), tables["laps"],
                         load_settings(path))
        # what was computed from the older data or settings goes
        self.cache.discard(lambda k: k[0] != "athlete" and k[1] == athlete and k[2] != key)
        self.cache.put(("athlete", athlete), fresh)
        return fresh

    def settings(self, athlete: str) -> AthleteSettings:
        return self._athlete(athlete).settings

    def save_settings(self, athlete: str, settings: AthleteSettings) -> None:
        self.check_access(athlete)
        save_settings(self.store.settings_path(athlete), settings)

    def watch_status(self, athlete: str) -> list[dict]:
        """The folders ``trainlog watch`` keeps (or kept) importing into ``athlete``'s dataset, each with its last
        import (:func:`trainlog.ingest.watch.watch_status`; read each time: the Settings page is never cached)."""
        self.check_access(athlete)
        return watch.watch_status(self.store, athlete)

    def record_choice(self, athlete: str, activity_id: str, action: str) -> None:
        """Record the athlete's ``action`` (exclude, include, confirm, unconfirm) for one run
        (:func:`trainlog.store.choices.record`: a new dataset generation, so every cached analysis
        of the athlete is computed again). PermissionError unless the signed-in user may change
        the athlete's data (the rule of uploads and settings); TrainlogError for an unknown run or action."""
        self.check_access(athlete)
        choices.record(self.store, athlete, activity_id, action)

    # ---- what the athlete and the coach say of an activity (issue 16); each write is a new dataset generation
    def may_rate(self, athlete: str) -> bool:
        """Whether the signed-in user rates ``athlete``'s activities: the athlete's own user, or anyone on a
        dashboard without sign-in. A coach comments but does not rate: the rating is the athlete's."""
        user = self.user()
        return user is None or (user.role == "athlete" and user.athlete == athlete)

    def author(self, athlete: str) -> str:
        """Whose name a comment on ``athlete``'s activity is kept under: the signed-in user's, else the athlete's."""
        user = self.user()
        return user.name if user is not None else athlete

    def activity_entries(self, athlete: str, activity_id: str) -> tuple[dict, pl.DataFrame]:
        """One activity's rating (``{"rpe", "feel", "note"}``, None where not given) and its comments
        (``author``, ``text``, ``at`` UTC; oldest first), as of the commit the cache holds."""
        manifest = self._athlete(athlete).manifest
        rated = entries.ratings(self.store, athlete, manifest).filter(pl.col("activity_id") == activity_id)
        rating = {k: rated[k][0] if rated.height else None for k in ("rpe", "feel", "note")}
        return rating, entries.comments(self.store, athlete, activity_id, manifest).select("author", "text", "at")

    def rate(self, athlete: str, activity_id: str, *, rpe: object = entries.KEEP, feel: object = entries.KEEP,
             note: object = entries.KEEP) -> bool:
        """:func:`trainlog.store.entries.rate` (None clears a value, KEEP leaves it); whether it changed.
        PermissionError unless :meth:`may_rate`; InvalidValue (one line, nothing written) for a bad value."""
        self.check_access(athlete)
        if not self.may_rate(athlete):
            raise PermissionError(f"{self.author(athlete)!r} may not rate {athlete!r}'s runs: the rating is the athlete's")
        return entries.rate(self.store, athlete, activity_id, rpe=rpe, feel=feel, note=note)

    def comment(self, athlete: str, activity_id: str, text: str) -> dt.datetime:
        """Comment on one of ``athlete``'s activities as :meth:`author` (never a name the browser sends); its time
        (UTC). PermissionError unless the signed-in user may see the athlete; InvalidValue for a bad text."""
        self.check_access(athlete)
        return entries.comment(self.store, athlete, activity_id, self.author(athlete), text)

    def add_activity(self, athlete: str, entry: manual.ManualActivity) -> str:
        """Store a session entered by hand (manual.add_activity); its id. PermissionError as :meth:`check_edit`;
        InvalidValue (one line) for a bad value, or an RPE or a note from whom :meth:`may_rate` refuses."""
        self.check_edit(athlete)
        if not self.may_rate(athlete) and (entry.rpe is not None or entry.note is not None):
            raise InvalidValue(f"the RPE and the note are {athlete}'s to give: leave them empty (comment instead)")
        return manual.add_activity(self.store, athlete, entry, self.settings(athlete))

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
        return coach.default_day(self.last_day(athlete), today or local_today(self.settings(athlete)))

    def span(self, athlete: str, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
        """The days a page may show for ``athlete``: from :data:`SPAN_MARGIN_DAYS` before the first
        day with training to the latest of the last day with data, today and the goal race date.

        URL dates are clamped to it, so no request computes decades of empty days.
        """
        settings = self.settings(athlete)
        today = today or local_today(settings)
        daily = self.analysis(athlete, None).daily
        first = daily["date"].min() if not daily.is_empty() else today
        last = daily["date"].max() if not daily.is_empty() else today
        high = max(d for d in (last, today, settings.goal.date) if d is not None)
        return min(first, today) - dt.timedelta(days=SPAN_MARGIN_DAYS), high

    def analysis(self, athlete: str, as_of: dt.date | None) -> report.Analysis:
        """:func:`trainlog.analysis.pipeline.analyse` of the athlete's data, the daily series running to ``as_of``."""
        entry = self._athlete(athlete)
        base = self._base(athlete, entry)
        # an extended analysis shares every frame with the base but its daily series
        return self._memo(("analysis", athlete, entry.key, as_of),
                          lambda: report.extended(base, entry.settings, as_of),
                          lambda result: 0 if result is base else size_of(result.daily))

    def _base(self, athlete: str, entry: _Athlete) -> report.Analysis:
        """The athlete's full analysis to the last booked day (the heavy part: once, and kept on disk)."""
        if entry.base is None:
            base = stored_analysis(self.store, athlete, entry.settings, entry.manifest)
            with self._lock:
                entry.base = entry.base or base
            self.cache.resize(("athlete", athlete))  # the entry now holds the analysis too
        return entry.base

    def summary(self, athlete: str, as_of: dt.date) -> dict:
        """:func:`trainlog.analysis.pipeline.summary` on ``as_of`` (the numbers the Today and Goal pages show)."""
        entry = self._athlete(athlete)
        return self._memo(("summary", athlete, entry.key, as_of),
                          lambda: report.summary_of_analysis(self._base(athlete, entry), entry.settings, as_of))

    def _memo(self, key: Hashable, compute: Callable[[], T], size: Callable[[T], int] = size_of) -> T:
        """The cached value of ``key``, computed (outside any lock) when missing; ``size(value)`` in bytes."""
        value = self.cache.get(key)
        if value is None:
            value = compute()
            self.cache.put(key, value, size(value))
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
            "partial", "import_note", "source_file", "name", "description", "gear",
        )
        frame = self.analysis(athlete, as_of).per_activity.join(info, on="activity_id", how="left")
        if as_of is not None:
            frame = frame.filter(pl.col("start_date") <= as_of)
        return frame.sort("start_utc", descending=True)

    def activity(self, athlete: str, activity_id: str) -> tuple[dict, pl.DataFrame, pl.DataFrame] | None:
        """One activity: its row of :meth:`activities`, its samples with per-sample metrics
        (:func:`trainlog.analysis.activity.sample_metrics` joined on timestamp) and its laps; None if unknown."""
        entry = self._athlete(athlete)
        rows = self.activities(athlete).filter(pl.col("activity_id") == activity_id)
        if rows.is_empty():
            return None
        # kept (by bytes) like the analyses: scanning the samples parts is most of the page's time
        return self._memo(("activity", athlete, entry.key, activity_id),
                          lambda: self._activity(athlete, entry, rows, activity_id))

    def _activity(self, athlete: str, entry: _Athlete, rows: pl.DataFrame,
                  activity_id: str) -> tuple[dict, pl.DataFrame, pl.DataFrame]:
        samples = (
            self.store.scan("samples", athlete, entry.manifest)
            .filter(pl.col("activity_id") == activity_id)
            .collect()  # in record order: a clock jump is seen in it
        )
        # what the analysis reads: clock jumps undone, one row per timestamp (records of one second merged)
        session = entry.activities.filter(pl.col("activity_id") == activity_id)
        samples = repair.repaired(samples, session, entry.settings.model)
        per_sample = sample_metrics(samples, entry.settings)
        samples = samples.join(per_sample.drop("activity_id"), on="timestamp", how="left", maintain_order="left")
        laps = entry.laps.filter(pl.col("activity_id") == activity_id).sort("lap_index")
        return rows.row(0, named=True), samples, laps

    # ---- downloads (the columns of `trainlog export`'s CSV files)
    def activities_csv(self, athlete: str, first: dt.date | None, last: dt.date | None) -> str:
        """The activities whose local start day lies in ``[first, last]`` (either end open when None) as
        ``activities.csv`` of :func:`trainlog.export.tables.export_tables`; PermissionError unless the signed-in
        user may see ``athlete``."""
        self.check_access(athlete)
        return export.csv_text(export.activities_frame(self.store, athlete, first, last))

    def daily_csv(self, athlete: str, first: dt.date | None, last: dt.date | None) -> str:
        """The daily series from ``first`` to ``last`` as the Fatigue page shows it (:meth:`daily`; None: from the
        first day, to the last day with training), as ``daily.csv`` of :func:`trainlog.export.tables.export_tables`;
        PermissionError as :meth:`activities_csv`."""
        daily = self.analysis(athlete, last).daily
        daily = daily.filter(pl.col("date").is_between(first or dt.date.min, last or dt.date.max))
        return export.csv_text(export.daily_export(daily))

    def ascent_plan(self, athlete: str, as_of: dt.date) -> pl.DataFrame:
        """Weekly ascent (m) needed from ``as_of`` to the goal date, ramping at the cap; empty without a goal date."""
        settings = self.settings(athlete)
        return plan.ascent_plan(settings.goal, settings.model.ramp_cap, as_of)

    # ---- the plan to race day (issue 13)
    def plan(self, athlete: str) -> plans.Plan | None:
        """The athlete's stored plan (its latest revision, read from the commit the cache holds); None without one."""
        entry = self._athlete(athlete)
        tables = self.store.read_all(athlete, ("plan_weeks", "plan_days"), entry.manifest)
        return plans.from_tables(tables["plan_weeks"], tables["plan_days"])

    def plan_report(self, athlete: str, today: dt.date) -> dict:
        """:func:`trainlog.analysis.plan.report` on ``today`` (what ``trainlog plan show --json`` prints):
        the weeks with compliance, the projection to race morning and its warnings, today's advice."""
        entry = self._athlete(athlete)
        return self._memo(("plan", athlete, entry.key, today),
                          lambda: plan.report(self.plan(athlete), self.analysis(athlete, today).daily,
                                              entry.settings, today))

    def check_edit(self, athlete: str) -> None:
        """Raise PermissionError unless the signed-in user may change ``athlete``'s plan.

        The rule of settings, choices and uploads: whoever may see an athlete (a coach, or the
        athlete's own user) may change their data; nobody else, whatever the browser sends.
        """
        self.check_access(athlete)

    def edit_weeks(self, athlete: str, edits: dict[dt.date, dict[str, object]]) -> plans.Plan:
        """Change planned weeks (``{a day of the week: {field of trainlog.store.plans.WEEK_EDITS: value}}``) and save
        the plan as one new revision (source ``"page"``); InvalidValue (one line, nothing saved) for a bad value."""
        self.check_edit(athlete)
        changed = self.plan(athlete)
        if changed is None:
            raise InvalidValue(f"{athlete} has no plan to change: generate one first")
        revision = changed.revision
        for day, changes in edits.items():
            changed = plans.with_week(changed, day, changes)
        return plans.save(self.store, athlete, changed, "page", edits=revision)

    def generate_plan(self, athlete: str, today: dt.date) -> tuple[plans.Plan, list[str]]:
        """Build a plan from the goal and the history (:func:`trainlog.analysis.generate.generate`) and save it
        (source ``"generate"``); the notes say where a cap limits it. InvalidValue without a goal date ahead."""
        self.check_edit(athlete)
        settings = self.settings(athlete)
        new, notes = generate(settings, self.analysis(athlete, today).daily, today)
        return plans.save(self.store, athlete, new, "generate"), notes

    # ---- imports in the background
    def job(self, job_id: object) -> ImportJob | None:
        """The import job ``job_id`` (None if unknown or not a job id); PermissionError when it
        imports into an athlete the signed-in user may not see."""
        job = self._jobs.get(job_id)
        if job is not None and job.athlete is not None:
            self.check_access(job.athlete)
        return job

    def import_samples(self) -> ImportJob:
        """Import the bundled sample athletes in the background (coaches only when logins are on)."""
        user = self.user()
        if user is not None and user.role != "coach":
            raise PermissionError("only a coach may load the sample athletes")

        def work(*, on_plan: OnPlan, on_result: OnResult) -> None:
            for imported in demo.import_samples(self.store, on_plan=on_plan, on_result=on_result):
                analyse_imported(self.store, imported)

        return self._jobs.start(work)

    def check_upload(self, athlete: str) -> str:
        """The athlete's name as stored (normalised); ValueError for an invalid name,
        PermissionError if the signed-in user may not write to it."""
        try:
            athlete = check_athlete(athlete)
        except StoreError as exc:
            raise ValueError(str(exc)) from None
        self.check_access(athlete)
        return athlete

    def upload_folder(self) -> Path:
        """A new, empty folder for one upload's files (removed when its import ends)."""
        folder = self.store.data_dir / "uploads" / uuid.uuid4().hex
        folder.mkdir(parents=True)
        return folder

    def import_uploads(self, athlete: str, files: list[tuple[str, bytes]]) -> ImportJob:
        """Write uploaded ``(name, bytes)`` files under safe names and import them in the background.

        Raises ValueError for an invalid athlete name or beyond the upload limits.
        Files that are not .fit, .fit.gz or .zip are reported as skipped. (The
        browser's uploads stream to disk instead: :mod:`dashboards.uploads`.)
        """
        athlete = self.check_upload(athlete)
        if len(files) > MAX_UPLOAD_FILES:
            raise ValueError(f"at most {MAX_UPLOAD_FILES} files at once")
        if sum(len(data) for _, data in files) > MAX_UPLOAD_BYTES:
            raise ValueError(f"at most {MAX_UPLOAD_BYTES // 2**20} MB at once")
        folder = self.upload_folder()
        saved = []
        for index, (name, data) in enumerate(files):
            safe = safe_upload_name(index, name)
            if safe is not None:
                (folder / safe).write_bytes(data)
            saved.append((name, None if safe is None else folder / safe))
        return self.import_saved(athlete, folder, saved)

    def import_saved(self, athlete: str, folder: Path, saved: list[tuple[str, Path | None]]) -> ImportJob:
        """Import uploaded files already saved in ``folder`` (``(name the user gave, path)``; a None
        path is a file refused by :func:`safe_upload_name`, reported as skipped) in the background;
        ``folder`` is removed when the import ends."""
        skipped = [FileResult(name, Outcome.SKIPPED, "not a .fit, .fit.gz or .zip file") for name, path in saved if path is None]
        paths = [path for _, path in saved if path is not None]
        names = {str(path): name for name, path in saved if path is not None}

        def work(*, on_plan: OnPlan, on_result: OnResult) -> None:
            on_plan(len(skipped))
            for result in skipped:
                on_result(result)
            if paths:
                import_in_child(self.store.data_dir, paths, athlete, on_plan, on_result)

        return self._jobs.start(work, athlete, cleanup=folder, names=names)


_current: Data | None = None


def use(data_dir: str | Path | None) -> Data:
    """Point the dashboard at ``data_dir`` (called by ``create_app``)."""
    global _current
    _current = Data(data_dir)
    return _current


def get() -> Data:
    """The :class:`Data` that :func:`use` made."""
    if _current is None:
        raise RuntimeError("dashboards.data.use(data_dir) has not been called")
    return _current

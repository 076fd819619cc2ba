"""One athlete's data and settings together: what the CLI and dashboard display.

Loads the tables from the store, the settings from the athlete's
``settings.json``, and keeps the per-activity metrics on disk beside the
activities (brought up to date when the data or the settings change: :mod:`trainlog.analysis.incremental`).
"""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import polars as pl

from trainlog import __version__
from trainlog.analysis import metrics
from trainlog.analysis.pipeline import Analysis, Handed, analyse
from trainlog.analysis.tzone import with_local_start
from trainlog.errors import StoreError, TrainlogError, first_line
from trainlog.settings import AthleteSettings, load_settings, save_settings
from trainlog.store import Manifest, Store, entries, meta, schema
from trainlog.store.manifest import PartName

if TYPE_CHECKING:  # for the annotation only: reading an analysis loads neither the importer nor the decoders
    from trainlog.ingest.importer import ImportReport


def settings_of(store: Store, athlete: str) -> AthleteSettings:
    """The athlete's settings (defaults when none were saved)."""
    return load_settings(store.settings_path(athlete))


def save_settings_of(store: Store, athlete: str, settings: AthleteSettings) -> None:
    """Persist the athlete's settings (atomic write; a disk that refuses it is a SettingsError naming the path)."""
    save_settings(store.settings_path(athlete), settings)


def local_today(settings: AthleteSettings) -> dt.date:
    """Today's date in the athlete's time zone (the machine's when unset)."""
    now = dt.datetime.now(dt.UTC)
    return (now.astimezone(zoneinfo.ZoneInfo(settings.timezone)) if settings.timezone else now.astimezone()).date()


def metrics_of(store: Store, athlete: str, settings: AthleteSettings | None = None) -> pl.DataFrame:
    """Per-activity metrics (:data:`trainlog.analysis.metrics.ACTIVITY`), kept on disk with the analysis."""
    return stored_analysis(store, athlete, settings).per_activity


def activity_table(store: Store, athlete: str) -> pl.DataFrame:
    """Activities with local start time, what their export says (name, gear...: trainlog.store.meta), their
    metrics, the athlete's note (``note``), the number of comments (``n_comments``) and the run's rMSSD
    (``rmssd_ms``, from its RR intervals), oldest first."""
    settings = settings_of(store, athlete)
    tables = store.read_all(athlete, ("activities", "activity_meta", "ratings", "comments", "activity_hrv"))
    acts = meta.joined(with_local_start(tables["activities"], settings.timezone), tables["activity_meta"])
    per = metrics_of(store, athlete, settings)
    extra = [c for c in per.columns if c not in acts.columns or c == "activity_id"]
    notes = entries.latest_ratings(tables["ratings"]).select("activity_id", "note")
    counts = tables["comments"].group_by("activity_id").agg(pl.len().cast(pl.Int64).alias("n_comments"))
    hrv = tables["activity_hrv"].group_by("activity_id").agg(pl.col("rmssd_ms").last())
    return (
        acts.join(per.select(extra), on="activity_id", how="left")
        .join(notes, on="activity_id", how="left")
        .join(counts, on="activity_id", how="left")
        .join(hrv, on="activity_id", how="left")
        .with_columns(pl.col("n_comments").fill_null(0))
        .sort("start_utc")
    )


#: Bumped whenever the metrics change what they compute for the same data and settings, so that an
#: analysis an older trainlog kept on disk is recomputed (2: issue 11's repairs, load by sport, cold start;
#: 3: vertical_speed_mph renamed vertical_speed_m_per_h; 4: load_rpe and feel, thresholds by date;
#: 5: windows summed in micrometres, 7-day windows summed day by day, the inputs kept for updates).
ANALYSIS_VERSION = 5

ANALYSIS_FRAMES = ("per_activity", "windows", "days", "daily", "weekly")
#: The frame kept beside them: each activity's inputs (:func:`trainlog.analysis.incremental.inputs`).
INPUTS_FRAME = "inputs"
#: The tables the analysis reads.
ANALYSED_TABLES = ("activities", "samples", "choices", "ratings")
#: Around an activity's start and end, where its samples are looked for first (a clock that jumped puts them
#: elsewhere: then they are read from every part).
SAMPLE_SLACK = dt.timedelta(days=2)


def stored_analysis(
    store: Store,
    athlete: str,
    settings: AthleteSettings | None = None,
    manifest: Manifest | None = None,
) -> Analysis:
    """The athlete's :func:`~trainlog.analysis.pipeline.analyse` (to the last booked day), kept on disk.

    The athlete's choices (:mod:`trainlog.store.choices`) are read in the same snapshot;
    each choice is a commit, so a new generation and a new analysis.
    Computed once per data generation and settings, then read back (a
    dashboard's first visit reads five small frames instead of walking every
    sample again). When the data or the settings changed since the analysis kept on disk, that one is brought
    up to date (:func:`trainlog.analysis.incremental.update`: the new or changed activities' samples are
    read, not every sample). ``manifest``: analyse that commit (one the caller read before) rather than the latest.
    """
    settings = settings or settings_of(store, athlete)
    manifest = manifest or store.manifest(athlete)
    # the parts of the tables the analysis reads, not the generation: a plan edit (a commit of the plan
    # tables only) keeps the analysis
    parts = [manifest.tables.get(table, []) for table in ANALYSED_TABLES]
    key = json.dumps([__version__, ANALYSIS_VERSION, parts, settings.to_dict()], sort_keys=True)
    computed: dict[str, pl.DataFrame] = {}

    def compute(name: str) -> Callable[[], pl.DataFrame]:
        def run() -> pl.DataFrame:
            if not computed:
                result, inputs = _analysed(store, athlete, manifest, parts, settings)
                computed.update({name: getattr(result, name) for name in ANALYSIS_FRAMES}, **{INPUTS_FRAME: inputs})
                _drop_stale_frames(store, athlete)
            return computed[name]

        return run

    frames = {name: store.derived(athlete, f"analysis_{name}", key, compute(name))
              for name in (*ANALYSIS_FRAMES, INPUTS_FRAME)}
    return Analysis(**{name: frames[name] for name in ANALYSIS_FRAMES})


def _analysed(store: Store, athlete: str, manifest: Manifest, parts: list, settings: AthleteSettings
              ) -> tuple[Analysis, pl.DataFrame]:
    """The analysis of ``manifest``'s commit and its inputs: the one kept on disk brought up to date when there
    is one, else computed from every sample."""
    import threading

    from trainlog.analysis import elevation, incremental  # here: reading the analysis kept on disk needs none of it

    tables = store.read_all(athlete, ("activities", "choices", "ratings"), manifest)

    def samples_of(ids: list[str]) -> pl.DataFrame:
        """Those activities' samples (the columns the analysis reads): first from the parts' row groups of their
        days (the Parquet statistics of the time column skip the others), then, if a clock reset put some outside,
        from every part."""
        if not ids:
            return schema.empty("samples")
        scan = store.scan("samples", athlete, manifest).select(metrics.SAMPLE_COLUMNS).filter(
            pl.col("activity_id").is_in(ids))
        acts = tables["activities"].filter(pl.col("activity_id").is_in(ids))
        ends = acts.select(lo=pl.col("start_utc").min() - SAMPLE_SLACK,
                           hi=(pl.col("start_utc") + pl.duration(seconds=pl.col("elapsed_s").fill_null(0.0))).max()
                           + SAMPLE_SLACK)
        lo, hi = ends.row(0)
        expected = int(acts["n_records"].fill_null(0).sum())
        with _read_errors(store, athlete):
            found = scan.filter(pl.col("timestamp").is_between(lo, hi)).collect() if lo and hi else None
            return found if found is not None and found.height == expected else scan.collect()

    kept = _kept(store, athlete)
    if kept is not None:
        kept_parts, before, analysis, inputs = kept
        now_parts, then_parts = (set(p[ANALYSED_TABLES.index("samples")]) for p in (parts, kept_parts))
        # the activities whose samples were written, or taken away, since: a part removed whose activities have
        # no new part and no other change (a repair that left an unreadable part out) is read while it is retired
        changed_parts, compacted = _changed_parts(now_parts, then_parts, manifest)
        try:
            with _read_errors(store, athlete):
                new_samples = set(pl.scan_parquet([store.athlete_dir(athlete) / p for p in changed_parts])
                                  .select("activity_id").unique().collect()["activity_id"].to_list()
                                  ) if changed_parts else set()
        except StoreError:  # a part already gone: from every sample
            new_samples = None
        if new_samples is not None:
            if compacted:  # the compacted part's new samples: those of the activities stored since
                new_samples |= set(tables["activities"]["activity_id"].to_list()) - set(
                    inputs["activity_id"].to_list())
            updated = incremental.update(analysis, inputs, before, tables, samples_of, new_samples, settings)
            if updated is not None:
                return updated
    ahead = None  # a long history: Numba imported for its kernels while the samples are read
    if (tables["activities"]["n_records"].sum() or 0) >= elevation.COMPILED_FROM_SAMPLES:
        ahead = threading.Thread(target=elevation.import_numba_ahead, daemon=True)
        ahead.start()
    try:
        with _read_errors(store, athlete):  # the columns the analysis reads (read_all would take every one)
            samples = Handed(store.scan("samples", athlete, manifest).select(metrics.SAMPLE_COLUMNS).collect())
        # handed over, not kept here: the analysis lets go of each chunk's samples once its per-sample steps are done
        result = analyse(tables["activities"], samples, settings, choices=tables["choices"], ratings=tables["ratings"])
    finally:
        if ahead is not None:  # done long before: no thread outlives the analysis, not even one that failed
            ahead.join()
    return result, incremental.inputs(tables["activities"], tables["choices"], tables["ratings"], settings)


def _changed_parts(now: set[str], then: set[str], manifest: Manifest) -> tuple[list[str], bool]:
    """The samples parts read to know whose samples changed since the analysis kept on disk (it read ``then``;
    the data holds ``now``), and whether compactions since are left out of them.

    A compaction writes every earlier part's rows again, with its commit's own, and retires those parts (the
    manifest lists them for :data:`~trainlog.store.dataset.RETIRE_AFTER_S`). When every part that is gone was
    retired so, a compacted part holds the samples the analysis read plus those of the activities stored
    since (new rows of the activities table too): it is not read, the samples of a 10-year history for one
    new run. Otherwise (a repair left a part out, or the retirement is long past) every part that differs."""
    gone, added = then - now, now - then
    compactions = {p for p in added if (name := PartName.parse(p)) is not None and name.compacted}
    if compactions and gone <= {name for name, _ in manifest.retired}:
        return sorted(added - compactions), True
    return sorted(now ^ then), False


@contextmanager
def _read_errors(store: Store, athlete: str) -> Iterator[None]:
    """Polars and disk errors while reading parts become the store's one line (as :meth:`Store.read_all`'s)."""
    try:
        yield
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise StoreError(f"{store.data_dir}: cannot read athlete {athlete}'s dataset: {first_line(exc)}") from None


def _kept(store: Store, athlete: str) -> tuple[list, AthleteSettings, Analysis, pl.DataFrame] | None:
    """The analysis kept on disk, with the table parts and the settings it was computed with, and its inputs;
    None when there is none this trainlog can update (another version, a frame missing or unreadable)."""
    names = (*ANALYSIS_FRAMES, INPUTS_FRAME)
    keys = {store.derived_kept(athlete, f"analysis_{name}", key_only=True) for name in names}
    if len(keys) != 1 or None in keys:
        return None
    (key, _), = keys
    try:
        version, analysis_version, kept_parts, kept_settings = json.loads(key)
        before = AthleteSettings.from_dict(kept_settings)
    except (ValueError, TypeError, TrainlogError):
        return None
    if (version, analysis_version) != (__version__, ANALYSIS_VERSION) or len(kept_parts) != len(ANALYSED_TABLES):
        return None
    frames = {}
    for name in names:
        kept = store.derived_kept(athlete, f"analysis_{name}")
        if kept is None or kept[0] != key or kept[1] is None:  # replaced since, or unreadable: compute it all
            return None
        frames[name] = kept[1]
    return kept_parts, before, Analysis(**{name: frames[name] for name in ANALYSIS_FRAMES}), frames[INPUTS_FRAME]


def analyse_imported(store: Store, report: ImportReport) -> None:
    """After an import that stored something, keep the athlete's analysis on disk
    (what ``trainlog import``, the demo and the dashboard's uploads do, so pages and summaries open fast)."""
    if report.counts()["imported"]:
        stored_analysis(store, report.athlete)


def _drop_stale_frames(store: Store, athlete: str) -> None:
    """Remove analysis frames an older trainlog kept that this one no longer uses."""
    for path in (store.athlete_dir(athlete) / "derived").glob("analysis_*.parquet"):
        if path.name[len("analysis_"):].rsplit("-", 1)[0] not in (*ANALYSIS_FRAMES, INPUTS_FRAME):
            path.unlink(missing_ok=True)

"""Everything the CLI and the dashboard display, from the dataset's frames.

:func:`analyse` runs the whole chain once (samples -> activities -> days ->
fitness -> weeks); :func:`summary` turns it into a plain JSON-serialisable dict
for ``trainlog summary --json``. Inputs are the ``activities`` and ``samples``
frames of one athlete (``trainlog.store.schema``), and optionally its ``choices``
(:mod:`trainlog.store.choices`), joined onto the activities before any metric.
"""

from __future__ import annotations

import datetime as dt
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import polars as pl

from trainlog.analysis import daily, fitness, goal, load, metrics, weekly
from trainlog.settings import AthleteSettings

WEEK_FIELDS = ("distance_m", "moving_s", "ascent_m", "descent_m", "load", "n_activities")
LAST_WEEKS = 4
#: An athlete whose last activity is more than this many days before "today" is shown
#: that last day by the dashboard (and the CLI says how to see it).
STALE_DAYS = 14


@dataclass(frozen=True)
class Analysis:
    """The frames derived from one athlete's dataset."""

    per_activity: pl.DataFrame  # activity.activity_metrics: one row per activity
    windows: pl.DataFrame  # goal.windows_by_day: the best goal-length (60 h) window ending on each day
    days: pl.DataFrame  # daily.activity_days: one row per (activity, local day)
    daily: pl.DataFrame  # daily series + fitness columns, one row per local day up to `today`
    weekly: pl.DataFrame  # weekly.weekly: per ISO week, by sport and "all"


def analyse(
    activities: pl.DataFrame,
    samples: pl.DataFrame | Handed,
    settings: AthleteSettings,
    today: dt.date | None = None,
    choices: pl.DataFrame | None = None,
    ratings: pl.DataFrame | None = None,
) -> Analysis:
    """Run all metrics once. ``today`` (local date) extends the daily series with rest days.

    ``samples``: the activities' samples, or :class:`Handed` over (the analysis kept on disk): then each chunk's
    samples go once its per-sample steps are done, when they are a frame of their own (one long run; chunks sliced
    from one frame share its buffers until the last goes).

    ``choices``: the athlete's choices table (:data:`trainlog.store.schema.CHOICES`) or its
    :func:`trainlog.store.choices.state`; None: no choices (nothing excluded or confirmed, no RPE).
    ``ratings``: the athlete's ratings table (:data:`trainlog.store.schema.RATINGS`), whose RPE beats a choice's.
    """
    from trainlog.store import choices as choices_  # here: a summary of the analysis kept on disk needs none of it

    joined = choices_.joined(activities, choices, ratings)
    chunks = [(ids, Handed(frame)) for ids, frame in _chunks(joined, _frame(samples))]

    def part(chunk: tuple[list[str], Handed]) -> Part:
        return part_of(joined.filter(pl.col("activity_id").is_in(chunk[0])), chunk[1], settings)

    threads = min(MAX_THREADS, os.cpu_count() or 1, len(chunks))
    if threads < 2:
        return assembled(activities, [part(chunk) for chunk in chunks], settings, today)
    with ThreadPoolExecutor(threads) as pool:  # Polars, NumPy and the compiled loops let go of the GIL
        return assembled(activities, list(pool.map(part, chunks)), settings, today)


class Handed:
    """Samples handed over (to :func:`analyse`, to the per-sample steps of :func:`part_of`): :meth:`take` gives
    them once and keeps no reference, so the steps let go of each raw stream once they have read it (a very long
    run holds its figures, not its input beside them)."""

    __slots__ = ("_frame",)

    def __init__(self, frame: pl.DataFrame) -> None:
        self._frame: pl.DataFrame | None = frame

    def take(self) -> pl.DataFrame:
        """The samples; this holds them no longer."""
        frame, self._frame = self._frame, None
        if frame is None:
            raise RuntimeError("these samples were taken already")
        return frame


def _frame(samples: pl.DataFrame | Handed) -> pl.DataFrame:
    """The frame of ``samples``, taken when it was handed over."""
    return samples.take() if isinstance(samples, Handed) else samples


#: :func:`analyse` takes the per-sample steps this many samples at a time (whole activities): its memory is a
#: chunk's intermediate columns, not the history's (8.6 M samples at once: 3.5 GB, half the time spent by the
#: kernel mapping fresh pages), and each activity's figures are its own whatever it is computed with.
CHUNK_SAMPLES = 1_000_000
#: Chunks computed side by side, in threads (at most one a core): 2 on 2 cores take 0.7 of the time of one after
#: the other; each holds its chunk's intermediate columns.
MAX_THREADS = 4


@dataclass(frozen=True)
class Part:
    """Some activities' analysis: per activity, per (activity, day) and per sample (what the goal's windows read:
    ``activity_id``, ``timestamp``, ``date``, the booked goal ascent and its micrometres,
    :func:`trainlog.analysis.goal.with_micrometres`)."""

    per_activity: pl.DataFrame
    days: pl.DataFrame
    attribution: pl.DataFrame


def part_of(joined: pl.DataFrame, samples: pl.DataFrame | Handed, settings: AthleteSettings) -> Part:
    """:func:`analyse`'s per-activity steps for the activities of ``joined`` (as in
    :func:`sample_and_activity_metrics`), from their ``samples`` (:class:`Handed` over by :func:`analyse`)."""
    per_sample, per_activity = sample_and_activity_metrics(joined, samples, settings)
    per_sample = per_sample.select(daily.ATTRIBUTED)  # what the booking reads: the other columns are let go
    attribution = daily.sample_attribution(per_sample, per_activity)
    days = daily.activity_days(per_sample, per_activity, attribution)
    # what the goal's windows read, per part; the attribution keeps per_sample's order (each activity's rows
    # together in time order) and puts activities without samples after
    return Part(per_activity, days, goal.with_micrometres(attribution, in_order=True))


def assembled(activities: pl.DataFrame, parts: list[Part], settings: AthleteSettings,
              today: dt.date | None = None) -> Analysis:
    """The :class:`Analysis` of ``activities`` from the :class:`Part` of each (each activity in one part): the
    per-activity rows in the table's order, the days by date, the goal's best windows over every part's samples,
    the daily series, fitness and weeks."""
    order = activities.select("activity_id")
    per_activity = order.join(pl.concat([p.per_activity for p in parts]), on="activity_id", how="inner",
                              maintain_order="left")
    days = pl.concat([p.days for p in parts]).sort("date", "activity_id")
    windows = goal.windows_by_day(pl.concat([p.attribution for p in parts]), settings.goal.time_limit_h)
    series = fitness_of(daily.daily_series(days, end=today), settings)
    return Analysis(per_activity, windows, days, series, weekly.weekly(days))


def _chunks(joined: pl.DataFrame, samples: pl.DataFrame) -> list[tuple[list[str], pl.DataFrame]]:
    """(activity ids, their samples) in chunks of :data:`CHUNK_SAMPLES` samples or so (whole activities, each
    in record order), the activities without samples in the last (a chunk of their own when none has samples);
    samples of no activity of ``joined`` are left out (as the whole analysis leaves them)."""
    from trainlog.store import schema

    runs = samples["activity_id"].rle()  # each activity's rows in a run of their own
    if runs.struct.field("value").n_unique() < runs.len():  # an activity's samples apart: each one's together
        samples = samples.sort("activity_id", maintain_order=True)
        runs = samples["activity_id"].rle()
    wanted = set(joined["activity_id"].to_list())
    chunks: list[tuple[list[str], pl.DataFrame]] = []
    mine: list[str] = []
    pieces: list[pl.DataFrame] = []
    held = lo = 0
    for aid, n in zip(runs.struct.field("value").to_list(), runs.struct.field("len").to_list(), strict=True):
        lo += n
        if aid not in wanted:
            continue
        wanted.discard(aid)
        mine.append(aid)
        pieces.append(samples.slice(lo - n, n))
        held += n
        if held >= CHUNK_SAMPLES:
            chunks.append((mine, pl.concat(pieces)))
            mine, pieces, held = [], [], 0
    if mine and chunks and held < CHUNK_SAMPLES:  # a short last chunk joins the one before: every chunk of a long
        chunks[-1] = (chunks[-1][0] + mine, pl.concat([chunks[-1][1], *pieces]))  # history takes the compiled loops
    elif mine:
        chunks.append((mine, pl.concat(pieces)))
    without = [aid for aid in joined["activity_id"].to_list() if aid in wanted]
    if chunks:  # the activities without samples join the last chunk: one long run is one chunk, computed in this
        chunks[-1] = (chunks[-1][0] + without, chunks[-1][1])  # thread (its memory reused, not a thread's beside it)
    else:
        chunks.append((without, schema.empty("samples")))
    return chunks


def fitness_of(series: pl.DataFrame, settings: AthleteSettings, before: pl.DataFrame | None = None) -> pl.DataFrame:
    """:func:`trainlog.analysis.fitness.fitness` of a daily series with the athlete's model and starting fitness and
    fatigue (``before``: the rows of the days before, as there)."""
    return fitness.fitness(series, settings.model, settings.start_ctl, settings.start_atl, before)


def extended(result: Analysis, settings: AthleteSettings, today: dt.date | None) -> Analysis:
    """``result`` with its daily series (and fitness) running to ``today`` at least.

    Cheap: the rest days after the last booked one are added to the daily series, their fitness continuing
    from its last day (the same rows as the whole series to ``today``); the per-sample work of :func:`analyse`
    is reused (a dashboard computes it once per athlete and shows many days).
    """
    if today is None or (not result.daily.is_empty() and result.daily["date"].max() >= today):
        return result
    if result.daily.is_empty():
        series = fitness_of(daily.daily_series(result.days, end=today), settings)
    else:
        last = result.daily["date"].max()
        rest = pl.DataFrame({"date": pl.date_range(last + dt.timedelta(days=1), today, "1d", eager=True)})
        rest = rest.with_columns(pl.lit(0).cast(dtype).alias(name) for name, dtype in metrics.schema("daily").items()
                                 if name != "date")
        series = pl.concat([result.daily, fitness_of(rest, settings, before=result.daily)])
    return Analysis(result.per_activity, result.windows, result.days, series, result.weekly)


def analyse_activities(
    activities: pl.DataFrame, samples: pl.DataFrame, settings: AthleteSettings, choices: pl.DataFrame | None = None,
    ratings: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """The per-activity part of :func:`analyse`, from the stored frames: the samples repaired, their
    per-sample metrics, then one row per activity with the columns of
    :data:`trainlog.analysis.metrics.ACTIVITY` (``choices`` and ``ratings`` as in :func:`analyse`).

    Not to be confused with :func:`trainlog.analysis.activity.activity_metrics`, the step it ends
    with, which takes per-sample metrics already computed.
    """
    from trainlog.store import choices as choices_

    return sample_and_activity_metrics(choices_.joined(activities, choices, ratings), samples, settings)[1]


def sample_and_activity_metrics(
    joined: pl.DataFrame, samples: pl.DataFrame | Handed, settings: AthleteSettings
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The per-sample and per-activity metrics of some activities: ``joined`` holds their rows of the activities
    table with the athlete's choices and ratings (:func:`trainlog.store.choices.joined`), ``samples`` their samples
    (repaired here: clock jumps undone, records of one timestamp merged, METRICS.md). The one path of
    :func:`analyse`, :func:`analyse_activities` and the incremental update (:mod:`trainlog.analysis.incremental`).
    """
    # the per-sample steps are loaded here: a summary of the analysis kept on disk needs none of them
    from trainlog.analysis import activity, thresholds
    from trainlog.ingest import repair

    joined = metrics.two_rows_at_least(joined)  # a run is computed alike alone or among others
    dated = thresholds.by_activity(joined, settings)  # values in force on each activity's day
    # repaired samples are each activity's rows together in time order (repair.repaired's contract)
    # handed over: no reference kept here, so the per-sample steps let go of each raw stream once read
    per_sample = activity.sample_metrics(
        repair.repaired(_frame(samples), joined, settings.model), settings, dated, in_order=True)
    per_activity = activity.activity_metrics(joined, per_sample, settings, dated)
    return per_sample, per_activity.filter(pl.col("activity_id").is_not_null())


#: The name :func:`analyse_activities` had (``trainlog.activity_metrics`` in the public API): kept for callers.
activity_metrics = analyse_activities


def _week_figures(series: pl.DataFrame, first: dt.date, last: dt.date) -> dict:
    """Sums of the daily series from ``first`` to ``last`` (local dates, inclusive)."""
    days = series.filter(pl.col("date").is_between(first, last))
    return {name: days[name].sum() for name in WEEK_FIELDS}


def summary(
    activities: pl.DataFrame,
    samples: pl.DataFrame,
    settings: AthleteSettings,
    today: dt.date,
    choices: pl.DataFrame | None = None,
) -> dict:
    """The summary as a JSON-serialisable dict; ``today`` is the athlete's local date.

    Keys: ``today``, ``defaults_in_use``, ``n_activities``, ``load_sources``,
    ``this_week``, ``last_4_weeks_mean``, ``form``, ``acwr``, ``monotony``,
    ``vertical``, ``goal``, ``units``. ``this_week`` runs from Monday to
    ``today``; ``last_4_weeks_mean`` averages the four full ISO weeks before it
    (weeks without activity count as 0). Activities and days after ``today``
    are left out. ``form`` carries ``building_history`` (the cold start: bands are null),
    ``history_day`` (today's day of the history, the first activity's day being 1;
    null before it) and ``history_days`` (the cold start's length). ``choices`` as in
    :func:`analyse`. With an :func:`analyse` result at hand, :func:`summary_of_analysis`
    gives the same without recomputing it.
    """
    return summary_of_analysis(analyse(activities, samples, settings, today, choices), settings, today)


def summary_of_analysis(analysis: Analysis, settings: AthleteSettings, today: dt.date) -> dict:
    """:func:`summary` from an :func:`analyse` result of any ``today``."""
    result = extended(analysis, settings, today)
    history = result.daily.filter(pl.col("date") <= today)
    done = result.per_activity.filter(pl.col("start_date") <= today)
    monday = today - dt.timedelta(days=today.weekday())
    previous = [
        _week_figures(history, monday - dt.timedelta(weeks=k), monday - dt.timedelta(weeks=k - 1, days=1))
        for k in range(1, LAST_WEEKS + 1)
    ]
    day = history.filter(pl.col("date") == today)
    row = day.row(0, named=True) if not day.is_empty() else dict.fromkeys(history.columns)
    first_day = history["date"].min() if not history.is_empty() else None
    history_day = (today - first_day).days + 1 if first_day is not None else None
    building = row["building_history"]
    if building is None:  # no history yet: bands only when the athlete set a starting fitness
        building = settings.start_ctl is None and settings.start_atl is None
    readiness = goal.readiness(
        history, result.windows, done, settings.goal, settings.model, today
    )
    sources = done["load_source"].to_list()
    return {
        "today": today.isoformat(),
        "defaults_in_use": list(settings.resolve().defaults),
        "n_activities": done.height,
        "last_activity_date": done["start_date"].max().isoformat() if done.height else None,
        "load_sources": {source: sources.count(source) for source in load.LOAD_SOURCES},
        "this_week": {"week_start": monday.isoformat(), **_week_figures(history, monday, today)},
        "last_4_weeks_mean": {name: sum(week[name] for week in previous) / LAST_WEEKS for name in WEEK_FIELDS},
        "form": {
            "ctl": row["ctl"], "atl": row["atl"], "tsb": row["tsb"], "band": row["form_band"], "ramp": row["ramp"],
            "building_history": bool(building), "history_day": history_day,
            "history_days": settings.model.history_days,
        },
        "acwr": {
            "value": row["acwr"],
            "band": row["acwr_band"],
            "acute": row["acwr_acute"],
            "chronic": row["acwr_chronic"],
        },
        "monotony": {"value": row["monotony"], "band": row["monotony_band"], "strain": row["strain"]},
        "vertical": {name: row[name] for name in ("ascent_ctl", "ascent_atl", "descent_ctl", "descent_atl")},
        "goal": {
            "name": settings.goal.name,
            "date": settings.goal.date.isoformat() if settings.goal.date else None,
            "ascent_m": settings.goal.ascent_m,
            "distance_m": settings.goal.distance_m,
            "time_limit_h": settings.goal.time_limit_h,
            "loops": settings.goal.loops,
            **readiness.to_dict(),
        },
        "units": {**metrics.units("daily"), **metrics.units("fitness")},
    }

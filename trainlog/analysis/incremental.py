"""The analysis brought up to date: only what an import, an exclusion, a rating or a settings change touches.

:func:`trainlog.analysis.pipeline.analyse` reads every sample of the athlete's history. Most of it is per activity:
an activity's metrics, and its rows of the days it covers, depend on its own samples, its row of the activities
table, the athlete's choices and rating for it and the thresholds in force on its day (:func:`inputs`), and on
the settings. :func:`update` takes the analysis kept from an earlier run and computes again only

- the activities whose inputs changed or whose samples are new (``new_samples``), from their own samples;
- the daily series from the first day those touch, the fitness recursions restarting from the kept state of
  the day before (:func:`trainlog.analysis.fitness.fitness` with ``before``);
- the goal's best windows (60 h) of the days around them, from the samples of the activities those windows
  cover (for new runs, guessed ahead and computed in the same pass as the new runs: :func:`_neighbours`);
- the weekly table, from the per-day rows (a few thousand rows).

A settings change is sorted by what it touches (:func:`settings_change`): nothing the analysis keeps (the goal's
name, the plan's hours, the readiness constants...), the fitness model (the whole series is computed again from
the per-day rows), the thresholds (the activities whose values in force changed), the last two at once, or
anything else (None: the caller computes it all). The result equals
:func:`~trainlog.analysis.pipeline.analyse` of the whole history to the last bit (tests/test_incremental.py
compares them over random sequences of changes).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Callable

import polars as pl

from trainlog.analysis import daily, goal, thresholds, weekly
from trainlog.analysis.pipeline import CHUNK_SAMPLES, Analysis, Part, fitness_of, part_of
from trainlog.settings import AthleteSettings
from trainlog.settings.history import DATED_FIELDS
from trainlog.store import choices as choices_

#: Model constants only the fitness columns of the daily series read.
FITNESS_MODEL = frozenset({
    "ctl_days", "atl_days", "history_days", "ramp_days", "form_band_edges", "form_band_labels", "acwr_acute_days",
    "acwr_chronic_days", "acwr_chronic_min", "acwr_band_edges", "acwr_band_labels", "monotony_days", "monotony_cap",
    "monotony_warn", "monotony_flag",
})
#: Model constants the kept analysis does not read (the readiness of a morning, the goal's projection, the plan).
UNANALYSED_MODEL = frozenset({
    "ramp_warn_per_week", "readiness_baseline_days", "readiness_baseline_min_values", "hrv_rolling_days",
    "hrv_rolling_min_values", "hrv_normal_sd", "resting_hr_rise_bpm", "short_sleep_h", "soreness_high",
    "best_window_days", "ramp_cap", "trend_weeks", "projection_horizon_weeks", "plan_available_hours_per_week",
    "plan_peak_share", "plan_peak_weeks", "plan_recovery_every", "plan_recovery_cut", "plan_taper_weeks",
    "plan_ascent_m_per_h", "plan_start_ascent_min_m", "session_if", "taper_form_min", "taper_form_max",
    "ctl_peak_days_min", "ctl_peak_days_max", "overload_form", "overload_window_days", "overload_max_days",
    "compliance_green_low", "compliance_green_high", "compliance_yellow_low", "compliance_yellow_high",
})
#: The athlete's settings the kept analysis does not read, and those only its fitness columns read.
UNANALYSED_ATHLETE = frozenset({"available_hours_per_week", "default_sport"})
FITNESS_ATHLETE = frozenset({"start_ctl", "start_atl"})
#: The goal's settings other than its time limit (the best windows' length) are read when a summary is made.
UNANALYSED_GOAL = frozenset({"name", "date", "ascent_m", "distance_m", "loops"})

#: What a settings change touches (:func:`settings_change`).
NOTHING, FITNESS, ACTIVITIES = "nothing", "fitness", "activities"
#: Days around a changed run whose best windows are computed again, beyond the window's length: local dates may
#: differ from UTC ones by up to a day each way, and two activities' offsets by more.
_WINDOW_SLACK_DAYS = 2


def _reach(settings: AthleteSettings) -> int:
    """Days a best window (the goal's time limit) reaches back from the day it ends, with the slack."""
    return math.ceil(settings.goal.time_limit_h / 24) + _WINDOW_SLACK_DAYS


def settings_change(before: AthleteSettings, after: AthleteSettings) -> frozenset[str] | None:
    """What changing the settings ``before`` -> ``after`` touches in the kept analysis: a set of :data:`NOTHING`,
    :data:`FITNESS` (the fitness columns) and :data:`ACTIVITIES` (the thresholds: the activities whose values in
    force changed, found by :func:`inputs`), both when one save changed both kinds; None: the whole analysis."""
    touched = {NOTHING}
    for name in (f.name for f in dataclasses.fields(AthleteSettings)):
        old, new = getattr(before, name), getattr(after, name)
        if old == new or name in UNANALYSED_ATHLETE:
            continue
        if name == "model":
            for field in (f.name for f in dataclasses.fields(old)):
                if getattr(old, field) == getattr(new, field) or field in UNANALYSED_MODEL:
                    continue
                if field not in FITNESS_MODEL:
                    return None
                touched.add(FITNESS)
        elif name == "goal":
            if any(getattr(old, f.name) != getattr(new, f.name) for f in dataclasses.fields(old)
                   if f.name not in UNANALYSED_GOAL):
                return None
        elif name in FITNESS_ATHLETE:
            touched.add(FITNESS)
        elif name in DATED_FIELDS or name == "thresholds":
            touched.add(ACTIVITIES)
        else:
            return None
    return frozenset(touched)


def inputs(activities: pl.DataFrame, choices: pl.DataFrame | None, ratings: pl.DataFrame | None,
           settings: AthleteSettings, joined: pl.DataFrame | None = None) -> pl.DataFrame:
    """One row per activity: what its metrics read besides its samples and the settings (its row of the
    activities table, the athlete's choices and rating, the thresholds in force on its day). ``joined``: the
    activities with their choices and ratings (:func:`trainlog.store.choices.joined`), when the caller has it."""
    joined = choices_.joined(activities, choices, ratings) if joined is None else joined
    return joined.join(thresholds.by_activity(activities, settings), on="activity_id", how="left")


def update(
    previous: Analysis,
    previous_inputs: pl.DataFrame,
    before: AthleteSettings,
    tables: dict[str, pl.DataFrame],
    samples_of: Callable[[list[str]], pl.DataFrame],
    new_samples: set[str],
    settings: AthleteSettings,
) -> tuple[Analysis, pl.DataFrame] | None:
    """``previous`` (the analysis under ``before``, of activities whose :func:`inputs` were ``previous_inputs``)
    brought up to date with ``tables`` (``activities``, ``choices``, ``ratings``; not the samples) and
    ``settings``, with :func:`inputs` of now; None when only a whole :func:`~trainlog.analysis.pipeline.analyse`
    can do it (a setting every metric reads changed). ``samples_of(ids)``: those activities' samples;
    ``new_samples``: the activities whose samples were written since ``previous``."""
    touched = settings_change(before, settings)
    # the activities with the athlete's choices and ratings, joined once (each run's rows are its own)
    tables = {**tables, "joined": choices_.joined(tables["activities"], tables["choices"], tables["ratings"])}
    now = inputs(tables["activities"], tables["choices"], tables["ratings"], settings, tables["joined"])
    if touched is None or now.columns != previous_inputs.columns:
        return None
    ids = set(now["activity_id"].to_list())
    removed = set(previous_inputs["activity_id"].to_list()) - ids
    differs = now.join(previous_inputs, on=now.columns, how="anti", nulls_equal=True)
    changed = set(differs["activity_id"].to_list()) | (new_samples & ids)
    if not changed and not removed:
        if FITNESS not in touched:
            return previous, now
        return dataclasses.replace(previous, daily=fitness_of(daily.daily_series(previous.days), settings)), now

    # a new run's neighbours (whose samples its best windows read) in the same pass: one pass of every per-sample
    # step over a few runs costs about what one over one run costs; not past a chunk of samples (a batch of runs
    # over years: the two passes as before, each holding its own samples)
    neighbours = _neighbours(previous.days, tables["activities"], new_samples & ids, settings) - removed - changed
    walked = sorted(changed | neighbours)
    if neighbours and (tables["activities"].filter(pl.col("activity_id").is_in(walked))["n_records"].sum() or 0
                       ) > CHUNK_SAMPLES:
        neighbours, walked = set(), sorted(changed)
    computed = _computed(tables, samples_of(walked), walked, settings)
    part = _only(computed, changed) if neighbours else computed
    gone = pl.col("activity_id").is_in(sorted(changed | removed))
    order = tables["activities"].select("activity_id")
    per_activity = order.join(pl.concat([previous.per_activity.filter(~gone), part.per_activity]),
                              on="activity_id", how="inner", maintain_order="left")
    days = pl.concat([previous.days.filter(~gone), part.days]).sort("date", "activity_id")
    old_days = previous.days.filter(gone)
    first = _first_day(old_days, part.days)
    if (FITNESS in touched or first is None or days.is_empty() or previous.daily.is_empty()
            or first <= previous.daily["date"].min()):
        series = fitness_of(daily.daily_series(days), settings)
    else:
        series = _series_from(previous.daily, days, first, settings)
    moved = _moved(previous.per_activity, per_activity, changed, removed, new_samples)
    windows = previous.windows
    if moved:
        windows = _windows(previous.windows, sorted(moved), previous.days, days, tables, samples_of, computed, settings)
    return Analysis(per_activity, windows, days, series, weekly.weekly(days)), now


def _computed(tables: dict[str, pl.DataFrame], samples: pl.DataFrame, ids: list[str],
              settings: AthleteSettings) -> Part:
    """:func:`~trainlog.analysis.pipeline.analyse`'s per-activity steps for the activities ``ids`` alone."""
    return part_of(tables["joined"].filter(pl.col("activity_id").is_in(ids)), samples, settings)


def _only(part: Part, ids: set[str]) -> Part:
    """``part``'s rows of the activities ``ids``."""
    mine = pl.col("activity_id").is_in(sorted(ids))
    return Part(part.per_activity.filter(mine), part.days.filter(mine), part.attribution.filter(mine))


def _neighbours(kept_days: pl.DataFrame, activities: pl.DataFrame, new: set[str], settings: AthleteSettings) -> set[str]:
    """The activities of ``kept_days`` whose samples the best windows around the ``new`` runs will read, as
    :func:`_windows` finds them, the new runs' local days taken as their UTC days of start and end, a day more
    each way (a local offset moves a date by at most one). A guess: a day it misses (samples outside the
    session's time) is computed by :func:`_windows` on its own."""
    if not new or kept_days.is_empty():
        return set()
    reach = _reach(settings)
    spans = activities.filter(pl.col("activity_id").is_in(sorted(new))).select(
        lo=pl.col("start_utc").dt.date() - dt.timedelta(days=1 + _WINDOW_SLACK_DAYS),
        hi=(pl.col("start_utc") + pl.duration(seconds=pl.col("elapsed_s").fill_null(0.0))).dt.date()
        + dt.timedelta(days=1 + reach)).drop_nulls().sort("lo")
    ranges = _ranges(spans)  # each run's own days: runs years apart do not read the years between
    return set(kept_days.filter(_reads(ranges, reach))["activity_id"].to_list()) if ranges else set()


def _ranges(spans: pl.DataFrame) -> list[list[dt.date]]:
    """The ranges of days (``lo``, ``hi``: inclusive) of ``spans``, sorted by ``lo``, those that overlap merged."""
    ranges: list[list[dt.date]] = []
    for lo, hi in spans.select("lo", "hi").iter_rows():
        if ranges and lo <= ranges[-1][1]:
            ranges[-1][1] = max(ranges[-1][1], hi)
        else:
            ranges.append([lo, hi])
    return ranges


def _reads(ranges: list[list[dt.date]], reach: int) -> pl.Expr:
    """The days whose samples the best windows ending on the days of ``ranges`` read."""
    return pl.any_horizontal(pl.col("date").is_between(lo - dt.timedelta(days=reach),
                                                       hi + dt.timedelta(days=_WINDOW_SLACK_DAYS)) for lo, hi in ranges)


def _first_day(*frames: pl.DataFrame) -> dt.date | None:
    """The earliest day (booked or started) of per-day rows."""
    found = [d for f in frames if not f.is_empty() for d in (f["date"].min(), f["start_date"].min())]
    return min(found) if found else None


def _series_from(kept: pl.DataFrame, days: pl.DataFrame, first: dt.date, settings: AthleteSettings) -> pl.DataFrame:
    """The daily series and fitness: ``kept``'s rows before ``first``, computed from ``days`` from ``first`` on."""
    first = min(first, kept["date"].max() + dt.timedelta(days=1))  # the rest days between too
    before = kept.filter(pl.col("date") < first)
    fresh = fitness_of(daily.daily_series(days, start=first), settings, before)
    last = max(days["date"].max(), days["start_date"].max())  # a removed last run shortens the series
    return pl.concat([before, fresh]).filter(pl.col("date") <= last)


_WINDOW_INPUTS = ("start_utc", "local_offset_s", "elapsed_s", "moving_s", "ascent_m", "goal_counted")


def _moved(old: pl.DataFrame, new: pl.DataFrame, changed: set[str], removed: set[str], new_samples: set[str]) -> set[str]:
    """The activities whose booked goal ascent may have moved (the best windows around them change)."""
    kept = old.filter(pl.col("activity_id").is_in(sorted(changed))).select("activity_id", *_WINDOW_INPUTS)
    fresh = new.filter(pl.col("activity_id").is_in(sorted(changed))).select("activity_id", *_WINDOW_INPUTS)
    differs = fresh.join(kept, on=fresh.columns, how="anti", nulls_equal=True)
    return removed | new_samples | set(differs["activity_id"].to_list())


def _windows(
    kept: pl.DataFrame, moved: list[str], old_days: pl.DataFrame, days: pl.DataFrame,
    tables: dict[str, pl.DataFrame], samples_of: Callable[[list[str]], pl.DataFrame], part: Part,
    settings: AthleteSettings,
) -> pl.DataFrame:
    """``kept`` (:func:`trainlog.analysis.goal.windows_by_day`) with the days whose best window may hold samples
    of the ``moved`` activities (booked on their days, in ``old_days`` before and ``days`` now, or up to the
    window's length after) computed again, from the samples of every activity booked around them."""
    hours = settings.goal.time_limit_h
    reach = _reach(settings)
    mine = pl.col("activity_id").is_in(moved)
    spans = (
        pl.concat([old_days.filter(mine).select("activity_id", "date"), days.filter(mine).select("activity_id", "date")])
        .group_by("activity_id")
        .agg(lo=pl.col("date").min() - dt.timedelta(days=_WINDOW_SLACK_DAYS),
             hi=pl.col("date").max() + dt.timedelta(days=reach))
        .sort("lo")
    )
    ranges = _ranges(spans)
    if not ranges:
        return kept
    in_ranges = pl.any_horizontal(pl.col("date").is_between(lo, hi) for lo, hi in ranges)
    needed = set(days.filter(_reads(ranges, reach))["activity_id"].to_list())
    done = set(part.per_activity["activity_id"].to_list())
    others = sorted(needed - done)
    attribution = part.attribution.filter(pl.col("activity_id").is_in(sorted(needed & done)))
    if others:
        extra = _computed(tables, samples_of(others), others, settings)
        attribution = pl.concat([attribution, extra.attribution])
    fresh = goal.windows_by_day(attribution, hours).filter(in_ranges)  # each part's rows are in time order
    return pl.concat([kept.filter(~in_ranges), fresh]).sort("date")

"""``trainlog plan generate``: a plan from the goal and the history (shared/METRICS.md, "Planning to race day").

The rules, each a setting of :class:`~trainlog.settings.ModelSettings`:

- weeks run Monday to Sunday from this week to the race week (kind ``race``);
  the ``plan_taper_weeks`` (2) before it taper, the ``plan_peak_weeks`` (3)
  before those are the peak, and the weeks before are base (those that hold
  the current level, else up to the first recovery week) and build;
- weekly ascent starts from the last 4 weeks' mean (at least
  ``plan_start_ascent_min_m``) and rises at most ``ramp_cap`` (10 %) a week over
  the previous loading week, up to the peak: ``plan_peak_share`` (0.5) of the
  race's ascent a week (Barkley finishers report 7,500-12,000 m a week at peak);
  with more weeks than the ramp needs, it holds the current level first and
  ramps so as to reach the peak in the peak weeks;
- every ``plan_recovery_every``-th week (counted back from the peak) is a
  recovery week about ``plan_recovery_cut`` (30 %) lighter;
- the peak weeks hold a back-to-back block (two long days in a row, three in the last);
- hours: the ascent at the athlete's climbing rate (their own ascent per hour,
  at least ``plan_ascent_m_per_h``), at least the hours they train now, never
  above the hours available (``available_hours_per_week``); the ascent never
  needs more hours than that;
- load: the hours at the athlete's load per hour (their own; without history,
  a long session's ``100 * IF^2``);
- the taper cuts each taper week further from the peak, its depth chosen so
  that race-morning form is nearest the middle of ``taper_form_min..max``
  (+5..+25): CTL then peaks 14-21 days before the race.

When the race is too close or the target too far for the caps, :func:`generate`
says so in its notes (one line each) and plans the best reachable curve.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import polars as pl

from trainlog.analysis import projection
from trainlog.errors import InvalidValue
from trainlog.settings import AthleteSettings, ModelSettings
from trainlog.store.plans import WEEK_COLUMNS, Plan, empty_days, monday, race_of

#: Days of history the plan starts from (the last 4 weeks).
HISTORY_DAYS = 28
#: Taper depths tried, from 5 % to 95 % of the peak week's volume cut by race week.
DEPTHS = tuple(k / 100 for k in range(5, 96))


@dataclass(frozen=True)
class History:
    """The last 4 weeks' weekly means, and the rates the plan converts with."""

    ascent_m: float
    hours: float
    load: float
    ascent_per_hour: float  # m per hour (0 without hours)
    load_per_hour: float  # load per hour (0 without hours)


def history_of(fitness: pl.DataFrame, today: dt.date) -> History:
    """The weekly means of the :data:`HISTORY_DAYS` days before ``today`` (days without a record are rest)."""
    daily = projection.pattern(fitness, today, HISTORY_DAYS)
    ascent, hours, load = (daily[q] * 7 for q in ("ascent_m", "hours", "load"))
    return History(ascent, hours, load, ascent / hours if hours > 0 else 0.0, load / hours if hours > 0 else 0.0)


def load_per_hour(history: History, model: ModelSettings) -> float:
    """The load of a planned hour: the athlete's own (with an hour a week of history), else a long session's."""
    return history.load_per_hour if history.hours >= 1 else projection.session_load("long", 1.0, model)


def _kinds(n: int, taper: int, peak: int, every: int) -> list[str]:
    """The kind of each of ``n`` weeks (the last is the race week)."""
    kinds = ["race"]
    taper = min(taper, n - 1)
    kinds = ["taper"] * taper + kinds
    loading = n - len(kinds)
    peak = min(peak, loading)
    rest = ["build"] * (loading - peak)
    # recovery weeks counted back from the peak: the week before it, then every `every` weeks, never the first
    for i in range(len(rest) - 1, 0, -every):
        rest[i] = "recovery"
    first_recovery = rest.index("recovery") if "recovery" in rest else len(rest)
    rest[:first_recovery] = ["base"] * first_recovery
    return rest + ["peak"] * peak + kinds


def generate(settings: AthleteSettings, fitness: pl.DataFrame, today: dt.date) -> tuple[Plan, list[str]]:
    """A plan from ``today``'s week to the goal race, and notes (one line each) where a cap limits it.

    ``fitness``: the athlete's daily series with fitness (:func:`trainlog.analysis.pipeline.fitness_of`).
    Raises InvalidValue without a goal date or when the race is not after ``today``.
    """
    goal, model = settings.goal, settings.model
    race = race_of(goal)
    if goal.date <= today:
        raise InvalidValue(f"the goal race ({goal.name}, {goal.date}) is not after {today}: set the next race with "
                           f"trainlog athlete set --goal-date YYYY-MM-DD")
    notes: list[str] = []
    first = monday(today)
    n = (monday(goal.date) - first).days // 7 + 1
    kinds = _kinds(n, model.plan_taper_weeks, model.plan_peak_weeks, model.plan_recovery_every)
    history = history_of(fitness, today)
    available = settings.hours_cap
    rate = max(history.ascent_per_hour, model.plan_ascent_m_per_h)
    per_hour = load_per_hour(history, model)
    base_hours = min(history.hours, available)
    target = model.plan_peak_share * goal.ascent_m
    peak = min(target, available * rate)
    start = max(history.ascent_m, model.plan_start_ascent_min_m)

    loading = [k for k in kinds if k not in ("taper", "race")]
    ascents, last = [], start
    for i, kind in enumerate(loading):
        if kind == "recovery":
            ascents.append(math.floor(last * (1 - model.plan_recovery_cut)))
            continue
        # timed to reach the peak at the peak phase: hold the current level while the peak is further
        # away than the capped ramp needs, then ramp; whole metres, rounded down to keep the cap
        to_peak = sum(k in ("base", "build") for k in loading[i + 1:])
        timed = max(peak / (1 + model.ramp_cap) ** to_peak, min(start, peak))
        last = math.floor(min(last * (1 + model.ramp_cap), peak, timed))
        ascents.append(last)
    rises = [i for i, (k, a) in enumerate(zip(loading, ascents)) if k != "recovery" and a > min(start, peak)]
    if rises and rises[0] > 0:  # a long lead: base is the weeks that hold the current level, build ramps
        kinds = [("base" if i < rises[0] else "build") if k in ("base", "build") else k for i, k in enumerate(kinds)]
    reached = max(ascents, default=start)
    if reached < target - 0.5:
        notes.append(_short_of(reached, target, start, peak, available, rate, settings, kinds))

    # the hours are shown to 0.1 h: rounded down where rounding would go above the hours available
    # (12.75 h available is 12.7, not 12.8); 1e-9 keeps 2.3 h from becoming 2.2 in floating point
    hours_cap = math.floor(available * 10 + 1e-9) / 10

    def weeks_for(depth: float) -> pl.DataFrame:
        rows, top = [], ascents[-1] if ascents else start
        top_hours = min(available, max(top / rate, base_hours))
        taper_n = kinds.count("taper")
        for i, kind in enumerate(kinds):
            week = first + dt.timedelta(weeks=i)
            if i < len(ascents):
                ascent = ascents[i]
                factor = (1 - model.plan_recovery_cut) if kind == "recovery" else 1.0
                hours = min(available, max(ascent / rate, base_hours * factor))
            else:
                k = i - len(ascents) + 1  # 1..taper_n, then the race week
                factor = 1 - depth * k / (taper_n + 1)
                if kind == "race":  # only the days before the race are planned
                    factor *= (goal.date - week).days / 7
                ascent, hours = top * factor, top_hours * factor
            long_days = {"peak": 2, "race": 0}.get(kind, 1)
            if kind == "peak" and i + 1 < n and kinds[i + 1] != "peak":
                long_days = 3  # the last peak week: a three-day back-to-back block
            note = {2: "back-to-back: long days Saturday and Sunday",
                    3: "back-to-back: long days Friday to Sunday"}.get(long_days) if kind == "peak" else None
            if kind == "race":
                note = f"race week: {goal.name} on {goal.date:%A %Y-%m-%d}"
            rows.append({"week_start": week, "kind": kind, "planned_hours": min(round(hours, 1), hours_cap),
                         "planned_ascent_m": round(ascent), "planned_descent_m": round(ascent),
                         "long_sessions": long_days, "planned_load": round(hours * per_hour), "note": note})
        return pl.DataFrame(rows, schema=WEEK_COLUMNS)

    state = projection.state_before(fitness, today, model, settings.start_ctl, settings.start_atl)
    middle = (model.taper_form_min + model.taper_form_max) / 2
    tried = []  # (breaks the form target, breaks the CTL peak window, distance from the middle, depth)
    for depth in DEPTHS:
        plan = Plan(race, weeks_for(depth), empty_days())
        days = projection.planned_daily(plan, today, goal.date - dt.timedelta(days=1), model)
        proj = projection.project(state, days, model)
        tsb = projection.morning(proj, state, goal.date)["tsb"]
        peak = projection.ctl_peak(proj, goal.date)
        window = peak is not None and model.ctl_peak_days_min <= peak["days_before_race"] <= model.ctl_peak_days_max
        tried.append((not model.taper_form_min <= tsb <= model.taper_form_max, not window, abs(tsb - middle), depth, tsb))
    *_, depth, tsb = min(tried)
    plan = Plan(race, weeks_for(depth), empty_days())
    if not model.taper_form_min <= tsb <= model.taper_form_max:
        notes.append(f"race-morning form {tsb:+.0f} is outside the {model.taper_form_min:+g}..{model.taper_form_max:+g}"
                     f" target with any taper depth: "
                     + ("the load before the race is too high for the weeks left" if tsb < model.taper_form_min
                        else "the plan's load is too low to build fitness above what tapering gives"))
    if n <= model.plan_taper_weeks + 1:
        notes.append(f"the race is {n - 1} week(s) away: too close to build; the plan only tapers")
    return plan, notes


def _short_of(reached: float, target: float, start: float, peak: float, available: float, rate: float,
              settings: AthleteSettings, kinds: list[str]) -> str:
    """One line: why the peak week stays short of the target share of the race's ascent."""
    model = settings.model
    share = f"{reached:,.0f} m a week ({reached / settings.goal.ascent_m:.0%} of the race's {settings.goal.ascent_m:,.0f} m)"
    if peak < target and reached >= peak - 0.5:
        return (f"the peak reaches {share}, short of the {model.plan_peak_share:.0%} target ({target:,.0f} m): "
                f"{available:g} h available a week at {rate:,.0f} m per hour cap it; raise available_hours_per_week")
    weeks = math.ceil(math.log(target / start) / math.log(1 + model.ramp_cap)) if start > 0 else 0
    loading = sum(k in ("base", "build", "peak") for k in kinds)
    return (f"the peak reaches {share}, short of the {model.plan_peak_share:.0%} target ({target:,.0f} m): the race "
            f"is too close for a +{model.ramp_cap:.0%} a week ramp from {start:,.0f} m a week "
            f"({weeks} loading weeks needed, {loading} left)")

"""The plan to race day: the goal's weekly ascent (the Goal page), and the stored plan's report (``plan show``).

:func:`report` is what ``trainlog plan show --json``, the summary and the Plan
page show: the plan's weeks and sessions against what was done (compliance),
the projection to race morning (:mod:`trainlog.analysis.projection`), its
warnings, and today's advised load.

:func:`ascent_plan`: the weekly ascent to do each week from a day to the goal race.

The plan ramps at the model's weekly cap (``ramp_cap``, 10 %) so that the week
that ends on race day holds the goal's whole ascent (shared/METRICS.md, "The
goal: Barkley-level climbing"); each week's figure is
:func:`trainlog.analysis.goal.needed_weekly_ascent` from that week's first day.
Ascents are metres; dates are the athlete's local dates.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from trainlog.analysis.goal import DAYS_PER_WEEK, needed_weekly_ascent
from trainlog.analysis.pipeline import extended
from trainlog.analysis.projection import (
    QUANTITIES,
    advised_load,
    colour,
    ctl_peak,
    morning,
    pattern,
    planned_daily,
    planned_session_load,
    project,
    state_before,
)
from trainlog.analysis.stored import settings_of, stored_analysis
from trainlog.settings import AthleteSettings, Goal, ModelSettings
from trainlog.store import Store
from trainlog.store.plans import Plan, Race, latest, monday, race_of

#: Columns of :func:`ascent_plan`: the week's first local day, the ascent (m) to do that week.
PLAN_SCHEMA = {"week_start": pl.Date, "needed_ascent_m": pl.Float64}


def ascent_plan(goal: Goal, ramp_cap: float, start: dt.date) -> pl.DataFrame:
    """Weekly ascent (m) needed from ``start`` to the goal's date, ramping at ``ramp_cap`` a week.

    One row per week (columns :data:`PLAN_SCHEMA`): weeks start on ``start``,
    ``start`` + 7 days, ... up to the last start on or before the goal's date, and
    each needs ``goal.ascent_m / (1 + ramp_cap) ** (days to the goal / 7)`` metres
    (the race week's whole ascent on race day itself). Empty without a goal date or
    when the goal's date is before ``start``.
    """
    if goal.date is None or goal.date < start:
        return pl.DataFrame(schema=PLAN_SCHEMA)
    weeks = range((goal.date - start).days // DAYS_PER_WEEK + 1)
    starts = [start + dt.timedelta(weeks=k) for k in weeks]
    needed = [needed_weekly_ascent(goal.ascent_m, (goal.date - day).days, ramp_cap) for day in starts]
    return pl.DataFrame({"week_start": starts, "needed_ascent_m": needed}, schema=PLAN_SCHEMA)


def done_by_day(fitness: pl.DataFrame, first: dt.date, last: dt.date) -> dict[dt.date, dict[str, float]]:
    """What was done each day from ``first`` to ``last``: hours, ascent (m), descent (m), load."""
    days = fitness.filter(pl.col("date").is_between(first, last))
    return {r["date"]: {"hours": r["moving_s"] / 3600.0, "ascent_m": r["ascent_m"], "descent_m": r["descent_m"],
                        "load": r["load"]} for r in days.iter_rows(named=True)}


#: Compliance measures: (name in ``compliance``, planned column of a week, of a day, done key).
MEASURES = (("hours", "planned_hours", "hours", "hours"), ("ascent", "planned_ascent_m", "ascent_m", "ascent_m"),
            ("load", "planned_load", "load", "load"))


def compliance_rows(plan: Plan, fitness: pl.DataFrame, model: ModelSettings, today: dt.date) -> tuple[list, list]:
    """Each planned week and session with what was done and its compliance colour per measure.

    A week is coloured once it is over (its Sunday before ``today``), a session
    once its day is over; until then ``compliance`` holds None for every measure
    and ``done_*`` what is done so far. A session with nothing done is red.
    """
    last = today - dt.timedelta(days=1)
    done = done_by_day(fitness, plan.weeks["week_start"].min() or today, last) if plan.weeks.height else {}
    zero = {"hours": 0.0, "ascent_m": 0.0, "descent_m": 0.0, "load": 0.0}
    weeks = []
    for w in plan.weeks.to_dicts():
        days = [w["week_start"] + dt.timedelta(days=i) for i in range(7)]
        sums = {k: sum(done.get(d, zero)[k] for d in days) for k in zero}
        over = days[-1] < today
        row = {**w, "week_start": w["week_start"].isoformat(), "week_end": days[-1].isoformat(),
               "done_hours": sums["hours"], "done_ascent_m": sums["ascent_m"], "done_descent_m": sums["descent_m"],
               "done_load": sums["load"], "over": over}
        row["compliance"] = {m: colour(sums[k], w[p], model) if over else None for m, p, _, k in MEASURES}
        weeks.append(row)
    sessions = []
    for s in plan.days.to_dicts():
        load = planned_session_load(s, model)
        got = done.get(s["date"], zero)
        over = s["date"] < today
        sessions.append({**s, "date": s["date"].isoformat(), "load": load, "load_given": s["load"] is not None,
                         "done_hours": got["hours"], "done_ascent_m": got["ascent_m"], "done_load": got["load"],
                         "compliance": {m: (colour(got[k], {**s, "load": load}[d], model) if over else None)
                                        for m, _, d, k in MEASURES}})
    return weeks, sessions


def last_weeks_compliance(weeks: list[dict], model: ModelSettings, n: int = 4) -> dict:
    """Compliance over the last ``n`` weeks that are over: sums of done against sums of planned, per measure."""
    over = [w for w in weeks if w["over"]][-n:]
    out: dict = {"weeks": len(over)}
    for m, p, _, k in MEASURES:
        planned = sum(w[p] for w in over)
        done = sum(w[f"done_{k}"] for w in over)
        out[m] = {"planned": planned, "done": done, "colour": colour(done, planned, model) if over else None}
    return out


def plan_warnings(plan: Plan, proj: pl.DataFrame, settings: AthleteSettings, today: dt.date) -> list[str]:
    """One line per way the plan breaks a rule: taper targets, ramps, overload, hours, the goal it was made for."""
    model, goal, race = settings.model, settings.goal, plan.race
    out = []
    if (goal.name, goal.date, goal.ascent_m) != (race.name, race.date, race.ascent_m):
        out.append(f"the plan was made for {race.name} on {race.date} ({race.ascent_m:,.0f} m); the goal is now "
                   f"{goal.name} on {goal.date} ({goal.ascent_m:,.0f} m): run trainlog plan generate")
    if race.date <= today:
        return out
    first_week = plan.weeks["week_start"].min()
    if first_week is not None and first_week > today or plan.weeks.is_empty():
        out.append("the plan does not cover the days from today: those follow the last 28 days' pattern")
    elif plan.weeks["week_start"].max() + dt.timedelta(days=6) < race.date - dt.timedelta(days=1):
        out.append(f"the plan ends on {plan.weeks['week_start'].max() + dt.timedelta(days=6)}, before the race: "
                   f"the days after follow the last 28 days' pattern")
    tsb = proj.filter(pl.col("date") < race.date)
    if not tsb.is_empty():
        r = tsb.row(-1, named=True)
        form = r["ctl"] - r["atl"]
        if not model.taper_form_min <= form <= model.taper_form_max:
            side = "below" if form < model.taper_form_min else "above"
            out.append(f"race-morning form {form:+.1f} is {side} the {model.taper_form_min:+g}..{model.taper_form_max:+g}"
                       f" target: {'lighten the taper' if side == 'below' else 'the taper is too long or the plan too light'}")
        ramp = tsb.filter((pl.col("date") > today) & (pl.col("ramp") > model.ramp_warn_per_week))
        if not ramp.is_empty():
            worst = ramp.sort("ramp").row(-1, named=True)
            out.append(f"CTL ramps {worst['ramp']:.1f} a week by {worst['date']}, above the {model.ramp_warn_per_week:g}"
                       f" a week target ({ramp.height} days above it)")
        low = [d for d, t in zip(tsb["date"], tsb["tsb"]) if t < model.overload_form]
        for i, d in enumerate(low):
            within = [x for x in low[i:] if (x - d).days < model.overload_window_days]
            if len(within) > model.overload_max_days:
                out.append(f"form is below {model.overload_form:g} on {len(within)} days within "
                           f"{model.overload_window_days} days from {d} (at most {model.overload_max_days})")
                break
        peak = ctl_peak(proj, race.date)
        if peak is not None and not model.ctl_peak_days_min <= peak["days_before_race"] <= model.ctl_peak_days_max:
            out.append(f"CTL peaks {peak['days_before_race']} days before the race ({peak['date']}), not "
                       f"{model.ctl_peak_days_min}-{model.ctl_peak_days_max} days")
    available = settings.hours_cap
    last_loading = None
    for w in plan.weeks.to_dicts():
        if w["planned_hours"] > available + 0.05:
            out.append(f"week of {w['week_start']}: {w['planned_hours']:g} h planned, above the {available:g} h available")
        if w["kind"] in ("base", "build", "peak"):
            if last_loading and last_loading > 0 and w["planned_ascent_m"] > last_loading * (1 + model.ramp_cap) + 0.5:
                rise = w["planned_ascent_m"] / last_loading - 1
                out.append(f"week of {w['week_start']}: ascent rises {rise:.0%} over the last loading week, above the "
                           f"{model.ramp_cap:.0%} cap")
            last_loading = w["planned_ascent_m"]
    top = plan.weeks["planned_ascent_m"].max() if plan.weeks.height else 0.0
    target = model.plan_peak_share * race.ascent_m
    if top is not None and top < target - 0.5:
        out.append(f"the biggest week's ascent, {top:,.0f} m, is {top / race.ascent_m:.0%} of the race's "
                   f"{race.ascent_m:,.0f} m, short of the {model.plan_peak_share:.0%} target ({target:,.0f} m)")
    return out


def report(plan: Plan | None, fitness: pl.DataFrame, settings: AthleteSettings, today: dt.date) -> dict:
    """What ``trainlog plan show --json`` prints: the race, the weeks with compliance, the projection, today's advice.

    ``fitness``: the athlete's daily series with fitness, running to ``today`` at least
    (:func:`trainlog.analysis.pipeline.extended`). Without a plan the projection
    follows the last 28 days' pattern and ``weeks`` is empty.
    """
    model, goal = settings.model, settings.goal
    race = plan.race if plan is not None else (race_of(goal) if goal.date else None)
    state = state_before(fitness, today, model, settings.start_ctl, settings.start_atl)
    usual = pattern(fitness, today)
    horizon = race.date - dt.timedelta(days=1) if race is not None and race.date > today else today
    by_pattern = project(state, planned_daily(None, today, horizon, model, usual), model)
    if plan is not None:
        days = planned_daily(plan, today, horizon, model, usual)
        by_plan = project(state, days, model)
        weeks, sessions = compliance_rows(plan, fitness, model, today)
        warnings = plan_warnings(plan, by_plan, settings, today)
        today_plan = days.row(0, named=True) if days.height else dict.fromkeys(QUANTITIES, 0.0)
    else:
        by_plan, weeks, sessions, warnings, today_plan = by_pattern, [], [], [], {**usual}
    target = _target_form(plan, fitness, settings, today, by_plan, usual)
    advised = advised_load(state, target, model)
    ratio = today_plan["ascent_m"] / today_plan["load"] if today_plan["load"] > 0 else 0.0
    out = {
        "race": None if race is None else {"name": race.name, "date": race.date.isoformat(), "ascent_m": race.ascent_m},
        "revision": plan.revision if plan else None,
        "source": plan.source if plan else None,
        "saved_at": plan.saved_at.isoformat() if plan and plan.saved_at else None,
        "weeks": weeks,
        "days": sessions,
        "compliance_last_4_weeks": last_weeks_compliance(weeks, model),
        "projection": {
            "follows": "plan" if plan is not None else "pattern",
            "race_morning": morning(by_plan, state, race.date) if race and race.date > today else None,
            "pattern_race_morning": morning(by_pattern, state, race.date) if race and race.date > today else None,
            "ctl_peak": _peak_of(by_plan, race),
            "warnings": warnings,
            "daily": [{**r, "date": r["date"].isoformat()} for r in by_plan.to_dicts()],
            "pattern_daily": [{"date": r["date"].isoformat(), "ctl": r["ctl"], "atl": r["atl"], "tsb": r["tsb"]}
                              for r in by_pattern.to_dicts()],
        },
        "today": {
            "date": today.isoformat(),
            "advised_load": max(0.0, advised),
            "advised_ascent_m": max(0.0, advised) * ratio,
            "target_tsb": target,
            "rest": advised <= 0.5,
            "planned_load": today_plan["load"],
            "planned_ascent_m": today_plan["ascent_m"],
        },
    }
    return out


def _target_form(plan: Plan | None, fitness: pl.DataFrame, settings: AthleteSettings, today: dt.date,
                 by_plan: pl.DataFrame, usual: dict[str, float]) -> float:
    """The plan's form for tomorrow morning (the end of today in a projection).

    With a plan, the plan followed from the start of this week (Monday), so that
    what was done on the days before today (more or less than planned) changes
    today's advised load, and a missed week does not carry over into a load no
    one should do in a day. Without one, the last 28 days' pattern from today.
    """
    followed = by_plan
    if plan is not None:
        model = settings.model
        anchor = monday(today)
        start = state_before(fitness, anchor, model, settings.start_ctl, settings.start_atl)
        followed = project(start, planned_daily(plan, anchor, today, model, usual), model)
    end = followed.filter(pl.col("date") == today).row(0, named=True)
    return end["ctl"] - end["atl"]


def _peak_of(proj: pl.DataFrame, race: Race | None) -> dict | None:
    """:func:`~trainlog.analysis.projection.ctl_peak` as the report shows it (an ISO date)."""
    peak = ctl_peak(proj, race.date) if race is not None else None
    return None if peak is None else {**peak, "date": peak["date"].isoformat()}


def fitness_to(store: Store, athlete: str, today: dt.date, settings: AthleteSettings | None = None) -> pl.DataFrame:
    """The athlete's daily series with fitness, running to ``today`` at least (the stored analysis)."""
    settings = settings or settings_of(store, athlete)
    return extended(stored_analysis(store, athlete, settings), settings, today).daily


def stored_report(store: Store, athlete: str, today: dt.date, settings: AthleteSettings | None = None) -> dict:
    """:func:`report` of the athlete's stored plan (the pattern's projection when there is none)."""
    settings = settings or settings_of(store, athlete)
    return report(latest(store, athlete), fitness_to(store, athlete, today, settings), settings, today)


def summary_part(rep: dict) -> dict:
    """What ``trainlog summary --json`` carries under ``plan``: today's advice, race morning, the warnings."""
    projection = rep["projection"]
    return {"today": rep["today"], "race_morning": projection["race_morning"], "follows": projection["follows"],
            "race": rep["race"], "revision": rep["revision"], "warnings": projection["warnings"],
            "compliance_last_4_weeks": rep["compliance_last_4_weeks"]}

"""Projection to race day: fitness, fatigue and form following the plan; today's load; compliance.

shared/METRICS.md, "Planning to race day":

- :func:`planned_daily`: the plan's weeks (and planned sessions) as daily load,
  ascent, descent and hours; a week's figures not taken by its sessions are
  spread over its other days by :data:`DAY_WEIGHTS` (Monday rest, long days at
  the weekend: one long day on Sunday, two Saturday-Sunday, three Friday-Sunday).
- :func:`project`: the CTL/ATL recursion continued past today with those loads
  (``CTL_d = CTL_{d-1} e_c + L_d (1 - e_c)``, ``TSB_d = CTL_{d-1} - ATL_{d-1}``),
  and the same for ascent and descent fitness.
- :func:`advised_load`: the load for today that brings tomorrow's form to a target,
  ``L = (CTL_{d-1} e_c - ATL_{d-1} e_a - T) / (e_c - e_a)`` (negative: rest).
- :func:`colour`: compliance, done / planned, in TrainingPeaks' colours.

Dates are the athlete's local days; loads are load units per day.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import polars as pl

from trainlog.settings import ModelSettings
from trainlog.store.plans import SESSION_TYPES, Plan

#: Weight of each weekday (Monday first) in a week's planned figures, before the long days.
BASE_WEIGHTS = (0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0)
#: Weight of a long day (a long day is twice an ordinary one).
LONG_WEIGHT = 2.0
#: The long days of a week with n long sessions: Sunday, then Saturday, Friday, ... (a back-to-back block).
LONG_DAYS = (6, 5, 4, 3, 2, 1, 0)
#: The daily quantities a plan gives.
QUANTITIES = ("load", "ascent_m", "descent_m", "hours")
#: Compliance colours (TrainingPeaks).
GREEN, YELLOW, RED = "green", "yellow", "red"

#: Columns of :func:`project`.
PROJECTION_SCHEMA: dict[str, pl.DataType] = {
    "date": pl.Date, "load": pl.Float64, "ascent_m": pl.Float64, "descent_m": pl.Float64,
    "ctl": pl.Float64, "atl": pl.Float64, "tsb": pl.Float64, "ramp": pl.Float64,
    "ascent_ctl": pl.Float64, "ascent_atl": pl.Float64, "descent_ctl": pl.Float64, "descent_atl": pl.Float64,
}


@dataclass(frozen=True)
class State:
    """Fitness and fatigue at the end of one day (load, ascent and descent), and the CTL of the 7 days before."""

    ctl: float = 0.0
    atl: float = 0.0
    ascent_ctl: float = 0.0
    ascent_atl: float = 0.0
    descent_ctl: float = 0.0
    descent_atl: float = 0.0
    ctl_history: tuple[float, ...] = ()  # CTL at the end of the 7 days up to and including this one, oldest first


def decays(model: ModelSettings) -> tuple[float, float]:
    """``e_c = exp(-1 / ctl_days)`` and ``e_a = exp(-1 / atl_days)``."""
    return math.exp(-1.0 / model.ctl_days), math.exp(-1.0 / model.atl_days)


def state_before(fitness: pl.DataFrame, day: dt.date, model: ModelSettings,
                 start_ctl: float | None = None, start_atl: float | None = None) -> State:
    """The state at the end of the day before ``day`` from the real fitness frame (rest days after its last row).

    Before the first row: the athlete's starting fitness and fatigue (0 when unset),
    also in the CTL history the ramp looks back on (as :func:`trainlog.analysis.fitness.fitness` does).
    """
    before = fitness.filter(pl.col("date") < day).sort("date")
    e_c, e_a = decays(model)
    ctl0, atl0 = float(start_ctl or 0.0), float(start_atl or 0.0)
    if before.is_empty():
        return State(ctl0, atl0, ctl_history=(ctl0,) * model.ramp_days)
    last = before.row(-1, named=True)
    history = before["ctl"].tail(model.ramp_days).to_list()
    history = [ctl0] * (model.ramp_days - len(history)) + history
    state = State(last["ctl"], last["atl"], last["ascent_ctl"], last["ascent_atl"], last["descent_ctl"],
                  last["descent_atl"], tuple(history))
    gap = (day - last["date"]).days - 1  # rest days between the last real day and ``day``
    rows = _recursion(state, [dict.fromkeys(QUANTITIES, 0.0)] * gap, e_c, e_a, model.ramp_days)
    if rows:
        r = rows[-1]
        state = State(r["ctl"], r["atl"], r["ascent_ctl"], r["ascent_atl"], r["descent_ctl"], r["descent_atl"],
                      tuple((list(state.ctl_history) + [x["ctl"] for x in rows])[-model.ramp_days:]))
    return state


def _recursion(state: State, days: list[dict], e_c: float, e_a: float, ramp_days: int) -> list[dict]:
    """One row per day of ``days`` (dicts with :data:`QUANTITIES`): the recursion from ``state``."""
    ctl, atl = state.ctl, state.atl
    a_ctl, a_atl, d_ctl, d_atl = state.ascent_ctl, state.ascent_atl, state.descent_ctl, state.descent_atl
    history = list(state.ctl_history) or [ctl]
    out = []
    for day in days:
        tsb = ctl - atl  # the form with which the day starts
        ctl = ctl * e_c + day["load"] * (1 - e_c)
        atl = atl * e_a + day["load"] * (1 - e_a)
        a_ctl = a_ctl * e_c + day["ascent_m"] * (1 - e_c)
        a_atl = a_atl * e_a + day["ascent_m"] * (1 - e_a)
        d_ctl = d_ctl * e_c + day["descent_m"] * (1 - e_c)
        d_atl = d_atl * e_a + day["descent_m"] * (1 - e_a)
        ramp = ctl - (history[-ramp_days] if len(history) >= ramp_days else history[0])
        history.append(ctl)
        out.append({**day, "ctl": ctl, "atl": atl, "tsb": tsb, "ramp": ramp, "ascent_ctl": a_ctl,
                    "ascent_atl": a_atl, "descent_ctl": d_ctl, "descent_atl": d_atl})
    return out


def project(state: State, daily: pl.DataFrame, model: ModelSettings) -> pl.DataFrame:
    """The recursion from ``state`` (the end of the day before ``daily``'s first day) over ``daily``
    (one row per consecutive day: ``date`` and :data:`QUANTITIES`); columns :data:`PROJECTION_SCHEMA`.

    ``tsb`` is the form with which the day starts; ``ramp`` is CTL minus CTL ``ramp_days`` earlier.
    """
    e_c, e_a = decays(model)
    rows = _recursion(state, daily.select("date", *QUANTITIES[:3]).to_dicts(), e_c, e_a, model.ramp_days)
    return pl.DataFrame(rows, schema=PROJECTION_SCHEMA) if rows else pl.DataFrame(schema=PROJECTION_SCHEMA)


def morning(projection: pl.DataFrame, state: State, day: dt.date) -> dict:
    """Fitness, fatigue and form on the morning of ``day`` (the end of the day before)."""
    before = projection.filter(pl.col("date") < day)
    if before.is_empty():
        ctl, atl, a_ctl, d_ctl = state.ctl, state.atl, state.ascent_ctl, state.descent_ctl
    else:
        r = before.row(-1, named=True)
        ctl, atl, a_ctl, d_ctl = r["ctl"], r["atl"], r["ascent_ctl"], r["descent_ctl"]
    return {"date": day.isoformat(), "ctl": ctl, "atl": atl, "tsb": ctl - atl, "ascent_ctl": a_ctl,
            "descent_ctl": d_ctl}


def session_load(session: str, hours: float, model: ModelSettings) -> float:
    """Planned load of a session without a file: ``100 * hours * IF^2``, IF by session type (``model.session_if``)."""
    intensity = model.session_if[SESSION_TYPES.index(session)]
    return 100.0 * hours * intensity**2


def planned_session_load(session: dict, model: ModelSettings) -> float:
    """A planned session's load (a row of the plan's days): the coach's number, else :func:`session_load`."""
    if session["load"] is not None:
        return session["load"]
    return session_load(session["session"], session["hours"], model)


def ctl_peak(projection: pl.DataFrame, race: dt.date) -> dict | None:
    """The day the projected CTL is highest before ``race``: its date, CTL and days before the race (None: no day)."""
    before = projection.filter(pl.col("date") < race)
    if before.is_empty():
        return None
    peak = before.sort("ctl").row(-1, named=True)
    return {"date": peak["date"], "ctl": peak["ctl"], "days_before_race": (race - peak["date"]).days}


def week_weights(long_sessions: int) -> list[float]:
    """The weekday weights (Monday first) of a week with ``long_sessions`` long days."""
    weights = list(BASE_WEIGHTS)
    for day in LONG_DAYS[: max(0, min(7, long_sessions))]:
        weights[day] = LONG_WEIGHT
    return weights


def planned_daily(plan: Plan | None, first: dt.date, last: dt.date, model: ModelSettings,
                  fallback: dict[str, float] | None = None) -> pl.DataFrame:
    """Planned ``load``, ``ascent_m``, ``descent_m``, ``hours`` for every day from ``first`` to ``last``.

    A day with a planned session takes the session's figures (its load: the
    coach's number, else :func:`session_load`); what the week plans beyond its
    sessions is spread over its other days by :func:`week_weights` (days from
    the race day on take no share and are left at ``fallback``; days of a week
    before ``first`` keep their share, which is not moved onto the days left). A
    day no planned week covers takes ``fallback`` (the last 28 days' daily
    means; 0 when None); with no plan, every day does.
    Column ``planned``: whether a week of the plan covers the day.
    """
    fallback = fallback or dict.fromkeys(QUANTITIES, 0.0)
    if last < first:
        return _daily_frame({})
    n = (last - first).days + 1
    out = {first + dt.timedelta(days=i): {**fallback, "planned": False} for i in range(n)}
    if plan is None:
        return _daily_frame(out)
    sessions = {r["date"]: r for r in plan.days.to_dicts()}
    race = plan.race.date
    for week in plan.weeks.to_dicts():
        start = week["week_start"]
        days = [start + dt.timedelta(days=i) for i in range(7)]
        live = [d for d in days if first <= d <= last and d < race]
        if not live:
            continue
        totals = {"load": week["planned_load"], "ascent_m": week["planned_ascent_m"],
                  "descent_m": week["planned_descent_m"], "hours": week["planned_hours"]}
        weights = week_weights(week["long_sessions"])
        fixed = {}
        for d in days:
            s = sessions.get(d)
            if s is not None:
                fixed[d] = {"load": planned_session_load(s, model), "ascent_m": s["ascent_m"],
                            "descent_m": s["ascent_m"], "hours": s["hours"]}
        # what the sessions do not take is shared by the week's other days before the race
        free = [d for d in days if d not in fixed and d < race]
        total_w = sum(weights[d.weekday()] for d in free)
        for d in live:
            row = out[d]
            row["planned"] = True
            if d in fixed:
                row.update(fixed[d])
                continue
            for q in QUANTITIES:
                rest = max(0.0, totals[q] - sum(f[q] for f in fixed.values()))
                row[q] = rest * weights[d.weekday()] / total_w if total_w > 0 else 0.0
    return _daily_frame(out)


def _daily_frame(days: dict[dt.date, dict]) -> pl.DataFrame:
    """The frame :func:`planned_daily` returns, from its rows by date."""
    rows = [{"date": d, **v} for d, v in days.items()]
    return pl.DataFrame(rows, schema={"date": pl.Date, **dict.fromkeys(QUANTITIES, pl.Float64), "planned": pl.Boolean})


def pattern(fitness: pl.DataFrame, today: dt.date, days: int = 28) -> dict[str, float]:
    """The daily means of load, ascent, descent and hours over the ``days`` days before ``today``
    (days without a record count as rest)."""
    window = fitness.filter(pl.col("date").is_between(today - dt.timedelta(days=days), today - dt.timedelta(days=1)))
    sums = {q: float(window[c].sum()) if not window.is_empty() else 0.0
            for q, c in (("load", "load"), ("ascent_m", "ascent_m"), ("descent_m", "descent_m"),
                         ("hours", "moving_s"))}
    sums["hours"] /= 3600.0
    return {q: v / days for q, v in sums.items()}


def advised_load(state: State, target_tsb: float, model: ModelSettings) -> float:
    """The load for today that brings tomorrow's form to ``target_tsb``; negative means rest.

    ``L = (CTL_{d-1} e_c - ATL_{d-1} e_a - T) / (e_c - e_a)`` (METRICS.md), ``state`` being the end of yesterday.
    """
    e_c, e_a = decays(model)
    return (state.ctl * e_c - state.atl * e_a - target_tsb) / (e_c - e_a)


def colour(done: float | None, planned: float | None, model: ModelSettings) -> str | None:
    """Compliance of done against planned: green within 80-120 %, yellow 50-80 % or 120-150 %, else red.

    None when nothing was planned (no colour: nothing to comply with). The band
    edges are ``model.compliance_*``; an edge belongs to the better colour.
    """
    if planned is None or planned <= 0:
        return None
    ratio = (done or 0.0) / planned
    if model.compliance_green_low <= ratio <= model.compliance_green_high:
        return GREEN
    if model.compliance_yellow_low <= ratio <= model.compliance_yellow_high:
        return YELLOW
    return RED


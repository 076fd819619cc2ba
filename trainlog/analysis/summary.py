"""The summary as ``trainlog summary`` prints it: the weekly totals and the text.

Input is the dict of :func:`trainlog.analysis.pipeline.summary` (or
:func:`~trainlog.analysis.pipeline.summary_of_analysis`) and the weekly frame of
:func:`~trainlog.analysis.pipeline.analyse`; :func:`week_rows` picks the weeks
shown, :func:`summary_text` writes the whole summary as lines of text.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from trainlog.analysis.pipeline import STALE_DAYS
from trainlog.text import fmt_km, fmt_num, printable


def week_rows(weekly: pl.DataFrame, last: dt.date, weeks: int) -> list[dict]:
    """The last ``weeks`` ISO weeks that began on or before ``last`` (local date), oldest first, all sports together.

    Each row: ``week_start`` (ISO date), ``activities``, ``distance_km`` (km),
    ``time_h`` (moving time, h), ``ascent_m``, ``descent_m`` (m) and ``load``.
    ``weekly`` is :func:`trainlog.analysis.weekly.weekly` (the ``weekly`` of an analysis).
    """
    return [
        {
            "week_start": w["week_start"].isoformat(),
            "activities": w["n_activities"],
            "distance_km": w["distance_m"] / 1000,
            "time_h": w["moving_s"] / 3600,
            "ascent_m": w["ascent_m"],
            "descent_m": w["descent_m"],
            "load": w["load"],
        }
        for w in weekly.filter((pl.col("sport") == "all") & (pl.col("week_start") <= last))
        .sort("week_start")
        .tail(weeks)
        .iter_rows(named=True)
    ]


def summary_text(athlete: str, s: dict, weeks: list[dict]) -> str:
    """The summary ``s`` and the weeks of :func:`week_rows` as ``trainlog summary`` prints them (lines, no final newline)."""
    lines = [f"{athlete}: summary for {s['today']}  ({s['n_activities']} activities)"]
    last = s.get("last_activity_date")
    if last and (dt.date.fromisoformat(s["today"]) - dt.date.fromisoformat(last)).days > STALE_DAYS:
        lines.append(f"(the last activity is from {last}: to see that time, add --today {last})")
    tw, mean = s["this_week"], s["last_4_weeks_mean"]
    lines.append("")
    lines.append(f"{'':<22} {'km':>7} {'hours':>6} {'ascent m':>9} {'descent m':>9} {'load':>6}")
    lines[0] += f"; this week began {tw['week_start']}"
    for label, w in (("this week so far", tw), ("last 4 weeks (mean)", mean)):
        lines.append(
            f"{label:<22.22} {fmt_km(w['distance_m']):>7} {w['moving_s'] / 3600:>6.1f} "
            f"{w['ascent_m']:>9.0f} {w['descent_m']:>9.0f} {w['load']:>6.0f}"
        )
    lines += _load_lines(s)
    lines += _readiness_lines(s.get("readiness"))
    lines += _goal_lines(s["goal"])
    if s.get("plan"):
        lines += _plan_lines(s["plan"])
    if s["defaults_in_use"]:
        lines.append("")
        lines.append(
            "defaults in use: " + ", ".join(s["defaults_in_use"]) + "  (set them: trainlog athlete set --help)"
        )
    if weeks:
        lines.append("")
        lines.append(f"{'week of':<10} {'n':>3} {'km':>8} {'hours':>6} {'ascent m':>8} {'load':>6}")
        for w in weeks:
            lines.append(
                f"{w['week_start']:<10} {w['activities']:>3} {w['distance_km']:>8.1f} {w['time_h']:>6.1f} "
                f"{w['ascent_m']:>8.0f} {w['load']:>6.0f}"
            )
    return "\n".join(lines)


def _readiness_lines(readiness: dict | None) -> list[str]:
    """The morning's readiness signals (trainlog.analysis.readiness.day_readiness): one line per flag, or that the
    morning is fine; nothing when the athlete keeps no wellness at all."""
    if not readiness or (not readiness["checked_in"] and not readiness["flags"]):
        return []
    if not readiness["flags"]:
        return [f"readiness     no warning this morning ({readiness['date']})"]
    return [f"readiness     {flag['level']}: {flag['text']}" for flag in readiness["flags"]]


def _load_lines(s: dict) -> list[str]:
    """Form, ACWR and monotony (a blank line first); while building history, that instead of the bands."""
    f, a, m = s["form"], s["acwr"], s["monotony"]
    # the cold start (fewer than history_days since the first activity): no band, no warning
    history = None
    if f.get("building_history"):
        history = "building history" + (
            f" ({f['history_day']} of {f['history_days']} days)" if f.get("history_day") is not None else "")
    lines = [""]
    lines.append(
        f"form (TSB)  {fmt_num(f['tsb'], '+.1f'):>7}  {history or f['band'] or '-'}   "
        f"fitness {fmt_num(f['ctl'], '.1f')}, fatigue {fmt_num(f['atl'], '.1f')}, "
        f"ramp {fmt_num(f['ramp'], '+.1f')}/week"
    )
    lines.append(f"ACWR        {fmt_num(a['value'], '.2f'):>7}  "
                 f"{history or a['band'] or 'undefined (no chronic load yet)'}")
    lines.append(f"monotony    {fmt_num(m['value'], '.2f'):>7}  {history or m['band'] or '-'}   "
                 f"strain {fmt_num(m['strain'])}")
    if history:
        lines.append(f"            (bands and warnings start on day {f['history_days'] + 1}, or at once with a "
                     "starting fitness: trainlog athlete set --start-ctl N --start-atl N)")
    return lines


def _goal_lines(g: dict) -> list[str]:
    """The goal and the readiness figures (a blank line first)."""
    when = g["date"] or "date not set"
    lines = ["", f"goal: {printable(g['name'])} ({when}), {g['ascent_m']:.0f} m of climbing in {g['time_limit_h']:g} h"]
    lines.append(
        f"  best 7-day ascent {fmt_num(g['best_7day_ascent_m'])} m, best {g['time_limit_h']:g} h window "
        f"{fmt_num(g['best_window_ascent_m'])} m, biggest activity {fmt_num(g['biggest_activity_ascent_m'])} m "
        f"({fmt_num(g['biggest_activity_loops'], '.1f')} loops of {g['loop_ascent_m']:.0f} m)"
    )
    if g.get("needed_weekly_ascent_m") is not None:
        lines.append(
            f"  needed this week {g['needed_weekly_ascent_m']:.0f} m (ramp-capped), "
            f"{'on track' if g['on_track'] else 'behind'}; trend reaches it {g['projected_date'] or 'never'}"
        )
    return lines


def _plan_lines(p: dict) -> list[str]:
    """Today's advised load and the race-morning projection (``summary["plan"]``, a blank line first)."""
    t, morning = p["today"], p["race_morning"]
    follows = "the plan" if p["follows"] == "plan" else "the last 28 days (no plan: trainlog plan generate)"
    lines = [""]
    if t["rest"]:
        lines.append(f"today: rest (the plan's form for tomorrow, {t['target_tsb']:+.1f}, needs no load today), "
                     f"following {follows}")
    else:
        lines.append(f"today: load {t['advised_load']:.0f} (about {t['advised_ascent_m']:.0f} m of ascent) "
                     f"to start tomorrow at form {t['target_tsb']:+.1f}, following {follows}")
    if morning is not None:
        lines.append(f"  race morning ({morning['date']}): fitness {morning['ctl']:.1f}, form {morning['tsb']:+.1f}, "
                     f"ascent fitness {morning['ascent_ctl']:.0f} m/day")
    lines.extend(f"  warning: {w}" for w in p["warnings"])
    return lines

"""The plan to race day: the weekly ascent to do each week from a day to the goal race.

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
from trainlog.settings import Goal

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

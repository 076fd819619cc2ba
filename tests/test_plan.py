"""The plan to race day (trainlog.analysis.plan): weekly ascent ramping at the cap, worked by hand."""

import datetime as dt

import polars as pl
import pytest

from trainlog.analysis import plan
from trainlog.settings import Goal

START = dt.date(2026, 3, 2)  # a Monday; the plan's weeks start on START whatever its weekday


def test_two_weeks_to_go_ramp_at_ten_percent_to_the_whole_ascent():
    # 14 days: weeks start on day 0, 7 and 14 (race day); 17,698 / 1.1^2, 17,698 / 1.1, 17,698
    got = plan.ascent_plan(Goal(date=START + dt.timedelta(days=14)), 0.10, START)
    assert got["week_start"].to_list() == [START, dt.date(2026, 3, 9), dt.date(2026, 3, 16)]
    assert got["needed_ascent_m"].to_list() == pytest.approx([14626.446281, 16089.090909, 17698.0])
    assert got.schema == pl.Schema(plan.PLAN_SCHEMA)


def test_a_part_week_left_counts_by_its_days():
    # 10 days: weeks start on day 0 (10 days left) and day 7 (3 days left);
    # 1,000 / 1.2^(10/7) = 1,000 / 1.29752 and 1,000 / 1.2^(3/7) = 1,000 / 1.08127
    got = plan.ascent_plan(Goal(date=START + dt.timedelta(days=10), ascent_m=1000.0), 0.20, START)
    assert got["week_start"].to_list() == [START, START + dt.timedelta(days=7)]
    assert got["needed_ascent_m"].to_list() == pytest.approx([770.6975, 924.8370], rel=1e-6)


def test_race_day_is_one_week_of_the_whole_ascent():
    got = plan.ascent_plan(Goal(date=START, ascent_m=5000.0), 0.10, START)
    assert got.to_dicts() == [{"week_start": START, "needed_ascent_m": 5000.0}]


def test_no_ramp_needs_the_whole_ascent_every_week():
    got = plan.ascent_plan(Goal(date=START + dt.timedelta(days=20), ascent_m=3000.0), 0.0, START)
    assert got["needed_ascent_m"].to_list() == [3000.0, 3000.0, 3000.0]


@pytest.mark.parametrize("date", [None, START - dt.timedelta(days=1)])
def test_no_plan_without_a_goal_date_or_after_the_race(date):
    got = plan.ascent_plan(Goal(date=date), 0.10, START)
    assert got.is_empty() and got.schema == pl.Schema(plan.PLAN_SCHEMA)

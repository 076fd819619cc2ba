"""trainlog.analysis.summary: the weeks ``trainlog summary`` shows and its text, from a summary dict."""

from __future__ import annotations

import datetime as dt

import polars as pl

from trainlog.analysis.summary import summary_text, week_rows


def summary_dict(**changes: object) -> dict:
    """A summary as :func:`trainlog.analysis.pipeline.summary` returns it (the keys the text reads)."""
    s = {
        "today": "2026-03-18",
        "n_activities": 12,
        "last_activity_date": "2026-03-17",
        "defaults_in_use": ["sex", "goal.date"],
        "this_week": {"week_start": "2026-03-16", "distance_m": 21500.0, "moving_s": 9000.0, "ascent_m": 1234.4,
                      "descent_m": 1200.0, "load": 180.2},
        "last_4_weeks_mean": {"distance_m": 64100.0, "moving_s": 62280.0, "ascent_m": 5261.0, "descent_m": 5270.0,
                              "load": 340.0},
        "form": {"ctl": 55.04, "atl": 61.2, "tsb": -6.16, "band": "optimal", "ramp": 3.25,
                 "building_history": False, "history_day": 80, "history_days": 42},
        "acwr": {"value": 1.114, "band": "sweet spot", "acute": 61.2, "chronic": 55.0},
        "monotony": {"value": 1.62, "band": "warn", "strain": 1234.6},
        "goal": {"name": "Barkley Marathons", "date": "2027-03-12", "ascent_m": 17698.0, "time_limit_h": 60.0,
                 "loop_ascent_m": 3539.6, "best_7day_ascent_m": 6100.0, "best_window_ascent_m": 4000.4,
                 "biggest_activity_ascent_m": 2500.0, "biggest_activity_loops": 0.7063,
                 "needed_weekly_ascent_m": 5400.0, "on_track": True, "projected_date": "2026-11-02"},
    }
    s.update(changes)
    return s


WEEKS = [{"week_start": "2026-03-09", "activities": 3, "distance_km": 186.94, "time_h": 58.04, "ascent_m": 17810.2,
          "load": 1017.4}]


def test_the_text_of_a_summary_line_by_line():
    assert summary_text("mara", summary_dict(), WEEKS).splitlines() == [
        "mara: summary for 2026-03-18  (12 activities); this week began 2026-03-16",
        "",
        "                            km  hours  ascent m descent m   load",
        "this week so far          21.5    2.5      1234      1200    180",
        "last 4 weeks (mean)       64.1   17.3      5261      5270    340",
        "",
        "form (TSB)     -6.2  optimal   fitness 55.0, fatigue 61.2, ramp +3.2/week",
        "ACWR           1.11  sweet spot",
        "monotony       1.62  warn   strain 1235",
        "",
        "goal: Barkley Marathons (2027-03-12), 17698 m of climbing in 60 h",
        "  best 7-day ascent 6100 m, best 60 h window 4000 m, biggest activity 2500 m (0.7 loops of 3540 m)",
        "  needed this week 5400 m (ramp-capped), on track; trend reaches it 2026-11-02",
        "",
        "defaults in use: sex, goal.date  (set them: trainlog athlete set --help)",
        "",
        "week of      n       km  hours ascent m   load",
        "2026-03-09   3    186.9   58.0    17810   1017",
    ]


def test_building_history_replaces_the_bands_and_says_when_they_start():
    form = {"ctl": None, "atl": None, "tsb": None, "band": None, "ramp": None, "building_history": True,
            "history_day": 16, "history_days": 42}
    lines = summary_text("mara", summary_dict(form=form, acwr={"value": None, "band": None},
                                              monotony={"value": None, "band": None, "strain": None}), []).splitlines()
    assert "form (TSB)        -  building history (16 of 42 days)   fitness -, fatigue -, ramp -/week" in lines
    assert "ACWR              -  building history (16 of 42 days)" in lines
    assert "monotony          -  building history (16 of 42 days)   strain -" in lines
    assert ("            (bands and warnings start on day 43, or at once with a starting fitness: "
            "trainlog athlete set --start-ctl N --start-atl N)") in lines
    assert not any(line.startswith("week of") for line in lines)  # no weeks: no weekly table


def test_no_chronic_load_no_goal_date_no_plan_no_defaults():
    g = {**summary_dict()["goal"], "date": None, "needed_weekly_ascent_m": None}
    text = summary_text("tom", summary_dict(acwr={"value": None, "band": None}, goal=g, defaults_in_use=[]), [])
    assert "ACWR              -  undefined (no chronic load yet)" in text.splitlines()
    assert "goal: Barkley Marathons (date not set), 17698 m of climbing in 60 h" in text
    assert "needed this week" not in text and "defaults in use" not in text


def test_an_old_last_activity_says_how_to_see_it():
    stale = summary_text("mara", summary_dict(today="2026-04-01", last_activity_date="2026-03-13"), [])
    assert stale.splitlines()[1] == "(the last activity is from 2026-03-13: to see that time, add --today 2026-03-13)"
    fresh = summary_text("mara", summary_dict(today="2026-03-27", last_activity_date="2026-03-13"), [])  # 14 days
    assert "the last activity is from" not in fresh


def test_a_goal_name_from_a_file_is_escaped():
    g = {**summary_dict()["goal"], "name": "Race\x1b[2J"}
    assert "goal: Race\\x1b[2J (2027-03-12)" in summary_text("mara", summary_dict(goal=g), [])


def test_week_rows_are_the_last_weeks_up_to_the_day_all_sports_in_km_and_hours():
    monday = [dt.date(2026, 2, 23), dt.date(2026, 3, 2), dt.date(2026, 3, 9), dt.date(2026, 3, 16)]
    weekly = pl.DataFrame({
        "week_start": monday + [dt.date(2026, 3, 9)],
        "sport": ["all", "all", "all", "all", "running"],
        "n_activities": [1, 5, 3, 2, 3],
        "distance_m": [11000.0, 58600.0, 186900.0, 5000.0, 186900.0],
        "moving_s": [6480.0, 33840.0, 208800.0, 1800.0, 208800.0],
        "ascent_m": [485.0, 2749.0, 17810.0, 100.0, 17810.0],
        "descent_m": [480.0, 2700.0, 17800.0, 90.0, 17800.0],
        "load": [51.0, 292.0, 1017.0, 20.0, 1017.0],
    })
    rows = week_rows(weekly.reverse(), dt.date(2026, 3, 15), 2)  # the week of the 16th is after the day
    assert rows == [
        {"week_start": "2026-03-02", "activities": 5, "distance_km": 58.6, "time_h": 9.4, "ascent_m": 2749.0,
         "descent_m": 2700.0, "load": 292.0},
        {"week_start": "2026-03-09", "activities": 3, "distance_km": 186.9, "time_h": 58.0, "ascent_m": 17810.0,
         "descent_m": 17800.0, "load": 1017.0},
    ]
    assert [r["week_start"] for r in week_rows(weekly, dt.date(2026, 3, 16), 8)] == [m.isoformat() for m in monday]


def test_the_mornings_readiness_is_said_flag_by_flag():
    flags = [{"key": "ill", "level": "flag", "text": "You marked yourself ill or injured: rest or keep it very easy."},
             {"key": "short_sleep", "level": "warn", "text": "You slept 5.0 h, under 6 h."}]
    morning = {"date": "2026-03-16", "checked_in": True, "flags": flags}
    lines = summary_text("mara", summary_dict(readiness=morning), []).splitlines()
    assert "readiness     flag: You marked yourself ill or injured: rest or keep it very easy." in lines
    assert "readiness     warn: You slept 5.0 h, under 6 h." in lines
    fine = summary_text("mara", summary_dict(readiness={**morning, "flags": []}), [])
    assert "readiness     no warning this morning (2026-03-16)" in fine.splitlines()
    never = summary_text("mara", summary_dict(readiness={**morning, "checked_in": False, "flags": []}), [])
    assert "readiness" not in never  # an athlete who keeps no wellness is not told about it every day

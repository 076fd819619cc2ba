"""The plan to race day (trainlog.analysis.plan): weekly ascent ramping at the cap, worked by hand."""

import datetime as dt
import json

import polars as pl
import pytest
from builders import fitness_frame

from trainlog.analysis import plan, projection
from trainlog.analysis import plan as plan_mod
from trainlog.analysis.projection import State
from trainlog.settings import AthleteSettings, Goal, ModelSettings
from trainlog.store.plans import DAY_COLUMNS, WEEK_COLUMNS, Plan, Race, empty_days

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


# --------------------------------------------------------------------------- the stored plan's report (issue 13)

TODAY = dt.date(2027, 1, 20)  # a Wednesday
RACE = Race("Spring race", dt.date(2027, 3, 19), 10000.0)  # a Friday; the peak target is 0.5 x 10,000 m
#: Kind and ascent of the weeks from TODAY's week to the race week: +10 % at most over the last loading week.
WEEKS = [("build", 4000), ("build", 4400), ("recovery", 3000), ("build", 4840), ("build", 5000), ("peak", 5000),
         ("taper", 4000), ("taper", 2500), ("race", 500)]
MODEL = ModelSettings()


def plan_weeks(first: dt.date = dt.date(2027, 1, 18), rows=WEEKS, hours: float = 10.0) -> pl.DataFrame:
    return pl.DataFrame([{"week_start": first + dt.timedelta(weeks=i), "kind": kind, "planned_hours": hours,
                          "planned_ascent_m": float(ascent), "planned_descent_m": float(ascent), "long_sessions": 1,
                          "planned_load": 50.0 * hours, "note": None} for i, (kind, ascent) in enumerate(rows)],
                        schema=WEEK_COLUMNS)


def a_plan(weeks: pl.DataFrame | None = None, race: Race = RACE, sessions: list[dict] = ()) -> Plan:
    days = pl.DataFrame(list(sessions), schema=DAY_COLUMNS) if sessions else empty_days()
    return Plan(race, plan_weeks() if weeks is None else weeks, days)


def athlete(race: Race = RACE, available: float | None = None, **model) -> AthleteSettings:
    return AthleteSettings(goal=Goal(name=race.name, date=race.date, ascent_m=race.ascent_m),
                           available_hours_per_week=available, model=ModelSettings(**model))


def projected(loads, ctl: float = 60.0, atl: float = 60.0) -> pl.DataFrame:
    """The projection from TODAY to race morning: ``loads(day)`` a day from CTL and ATL settled at ``ctl``, ``atl``."""
    n = (RACE.date - TODAY).days
    dates = [TODAY + dt.timedelta(days=i) for i in range(n)]
    daily = pl.DataFrame({"date": dates, "load": [float(loads(d)) for d in dates], "ascent_m": [0.0] * n,
                          "descent_m": [0.0] * n, "hours": [0.0] * n})
    return projection.project(State(ctl=ctl, atl=atl, ctl_history=(ctl,) * 7), daily, MODEL)


def good_loads(day: dt.date) -> float:
    """70 a day to 17 days before the race, then 30: CTL peaks 17 days out, race-morning form about +18."""
    return 70.0 if (RACE.date - day).days >= 17 else 30.0


def warnings_of(plan: Plan, proj: pl.DataFrame, settings: AthleteSettings | None = None) -> list[str]:
    got = plan_mod.plan_warnings(plan, proj, settings or athlete(), TODAY)
    assert all(isinstance(w, str) and "\n" not in w for w in got)
    return got


def test_a_plan_within_every_rule_has_no_warning():
    proj = projected(good_loads)
    morning = projection.morning(proj, State(), RACE.date)
    assert 5 <= morning["tsb"] <= 25
    assert warnings_of(a_plan(), proj) == []


@pytest.mark.parametrize(("loads", "start", "warning"), [
    # no taper: 70 a day to the race from 60, form about -9
    (lambda d: 70.0, 60.0, "race-morning form {:+.1f} is below the +5..+25 target: lighten the taper"),
    # from 100, 20 days of rest: CTL 62, ATL 6
    (lambda d: 0.0 if (RACE.date - d).days <= 20 else 100.0, 100.0,
     "race-morning form {:+.1f} is above the +5..+25 target: the taper is too long or the plan too light"),
])
def test_race_morning_form_outside_the_band(loads, start, warning):
    proj = projected(loads, start, start)
    last = proj.row(-1, named=True)
    form = last["ctl"] - last["atl"]
    assert [w for w in warnings_of(a_plan(), proj) if w.startswith("race-morning")] == [warning.format(form)]


def test_a_ctl_ramp_above_the_target():
    # 150 a day from 60: CTL rises (150 - 60)(1 - e^(-7/42)) = 13.8 in the first week
    proj = projected(lambda d: 150.0 if (RACE.date - d).days >= 30 else 0.0)
    got = [w for w in warnings_of(a_plan(), proj) if w.startswith("CTL ramps")]
    assert len(got) == 1 and "above the 8 a week target" in got[0]
    worst = proj.filter(pl.col("date") > TODAY).sort("ramp").row(-1, named=True)
    assert got[0].startswith(f"CTL ramps {worst['ramp']:.1f} a week by {worst['date']}")


def test_form_below_minus_30_more_than_once_in_10_days():
    # 200 a day from 40 for a week: form -32 on the third morning and below after
    proj = projected(lambda d: 200.0 if (d - TODAY).days < 7 else good_loads(d), ctl=40.0, atl=40.0)
    low = proj.filter(pl.col("tsb") < -30)["date"].to_list()
    assert len(low) >= 2 and (low[1] - low[0]).days < 10
    got = [w for w in warnings_of(a_plan(), proj) if w.startswith("form is below")]
    assert len(got) == 1 and got[0].startswith("form is below -30 on ") and f"within 10 days from {low[0]}" in got[0]
    # one day below -30 is allowed
    once = proj.with_columns(tsb=pl.when(pl.col("date") == low[0]).then(-31.0).otherwise(0.0))
    assert not [w for w in warnings_of(a_plan(), once) if w.startswith("form is below")]


@pytest.mark.parametrize(("days_out", "shown"), [(3, 3), (30, 30)])
def test_the_ctl_peak_outside_14_to_21_days(days_out, shown):
    proj = projected(lambda d: 70.0 if (RACE.date - d).days >= days_out else 0.0)
    got = [w for w in warnings_of(a_plan(), proj) if w.startswith("CTL peaks")]
    peak = RACE.date - dt.timedelta(days=shown)
    assert got == [f"CTL peaks {shown} days before the race ({peak}), not 14-21 days"]


def test_hours_above_the_hours_available():
    weeks = plan_weeks().with_columns(planned_hours=pl.when(pl.col("kind") == "peak").then(25.0).otherwise(10.0))
    got = [w for w in warnings_of(a_plan(weeks), projected(good_loads)) if "available" in w]
    assert got == ["week of 2027-02-22: 25 h planned, above the 20 h available"]  # the model's default
    mine = [w for w in warnings_of(a_plan(), projected(good_loads), athlete(available=8.0)) if "available" in w]
    assert len(mine) == len(WEEKS) and mine[0] == "week of 2027-01-18: 10 h planned, above the 8 h available"


@pytest.mark.parametrize(("ascent", "warned"), [(4840.0, False), (4900.0, True)])
def test_an_ascent_rise_above_the_cap_over_the_last_loading_week(ascent, warned):
    # the week after the recovery week (3,000 m) rises over 4,400 m, the last loading week: 4,840 m is the +10 %
    # cap, 4,900 m +11 %
    weeks = plan_weeks().with_columns(planned_ascent_m=pl.when(pl.col("week_start") == dt.date(2027, 2, 8))
                                      .then(ascent).otherwise(pl.col("planned_ascent_m")))
    got = [w for w in warnings_of(a_plan(weeks), projected(good_loads)) if "rises" in w]
    assert got == (["week of 2027-02-08: ascent rises 11% over the last loading week, above the 10% cap"] if warned
                   else [])


def test_a_plan_made_for_another_race():
    other = athlete(Race("Autumn race", dt.date(2027, 10, 1), 12000.0))
    got = warnings_of(a_plan(), projected(good_loads), other)
    assert got[0] == ("the plan was made for Spring race on 2027-03-19 (10,000 m); the goal is now Autumn race on "
                      "2027-10-01 (12,000 m): run trainlog plan generate")


def test_a_plan_that_misses_days_or_falls_short():
    later = plan_weeks(dt.date(2027, 1, 25), WEEKS[1:])
    assert "the plan does not cover the days from today: those follow the last 28 days' pattern" in warnings_of(
        a_plan(later), projected(good_loads))
    early = plan_weeks(rows=WEEKS[:6])
    assert ("the plan ends on 2027-02-28, before the race: the days after follow the last 28 days' pattern"
            in warnings_of(a_plan(early), projected(good_loads)))
    low = plan_weeks(rows=[(k, min(a, 4000)) for k, a in WEEKS])
    assert ("the biggest week's ascent, 4,000 m, is 40% of the race's 10,000 m, short of the 50% target (5,000 m)"
            in warnings_of(a_plan(low), projected(good_loads)))


def test_after_the_race_only_the_goal_is_checked():
    past = Race("Spring race", TODAY, 10000.0)
    assert plan_mod.plan_warnings(a_plan(race=past), projected(lambda d: 200.0), athlete(past), TODAY) == []


# --------------------------------------------------------------------------- compliance


def done_frame(days: dict[dt.date, tuple[float, float, float]], first: dt.date, last: dt.date) -> pl.DataFrame:
    """The fitness frame from ``first`` to ``last``: (hours, ascent m, load) on the days given, rest otherwise."""
    n = (last - first).days + 1
    dates = [first + dt.timedelta(days=i) for i in range(n)]
    got = [days.get(d, (0.0, 0.0, 0.0)) for d in dates]
    return fitness_frame(first, [g[2] for g in got], [g[1] for g in got], [g[0] for g in got])


def test_compliance_of_past_weeks_the_current_week_and_sessions():
    today = dt.date(2027, 2, 3)  # Wednesday of the third week
    w1, w2, w3 = dt.date(2027, 1, 18), dt.date(2027, 1, 25), dt.date(2027, 2, 1)
    sessions = [
        {"date": w2 + dt.timedelta(days=2), "session": "long", "hours": 4.0, "ascent_m": 1000.0, "load": None,
         "note": None},  # nothing done that day: red
        {"date": w2 + dt.timedelta(days=6), "session": "easy", "hours": 1.0, "ascent_m": 0.0, "load": 60.0,
         "note": None},  # done as planned, no ascent planned
        {"date": w3 + dt.timedelta(days=4), "session": "tempo", "hours": 1.0, "ascent_m": 100.0, "load": None,
         "note": None},  # to come
    ]
    plan = a_plan(sessions=sessions)
    done = {
        w1 + dt.timedelta(days=1): (10.0, 4000.0, 500.0),  # week 1: as planned (10 h, 4,000 m, 500)
        w2 + dt.timedelta(days=1): (5.0, 6000.0, 100.0),  # week 2 with the session of Sunday: 6 h, 6,200 m, 160
        w2 + dt.timedelta(days=6): (1.0, 200.0, 60.0),
        w3: (2.0, 500.0, 90.0),  # this week so far
    }
    fitness = done_frame(done, w1 - dt.timedelta(days=30), today)
    weeks, days = plan_mod.compliance_rows(plan, fitness, MODEL, today)
    assert [w["week_start"] for w in weeks[:3]] == [w1.isoformat(), w2.isoformat(), w3.isoformat()]
    assert weeks[0]["compliance"] == {"hours": "green", "ascent": "green", "load": "green"}
    assert (weeks[1]["done_hours"], weeks[1]["done_ascent_m"], weeks[1]["done_load"]) == pytest.approx((6, 6200, 160))
    # 6 / 10 h = 60 %, 6,200 / 4,400 m = 141 %, 160 / 500 = 32 %
    assert weeks[1]["compliance"] == {"hours": "yellow", "ascent": "yellow", "load": "red"}
    assert weeks[2]["compliance"] == {"hours": None, "ascent": None, "load": None} and not weeks[2]["over"]
    assert (weeks[2]["done_hours"], weeks[2]["done_ascent_m"]) == pytest.approx((2.0, 500.0))
    assert [w["over"] for w in weeks] == [True, True] + [False] * 7
    assert weeks[0]["week_end"] == "2027-01-24"
    assert days[0]["compliance"] == {"hours": "red", "ascent": "red", "load": "red"}
    assert days[0]["load"] == pytest.approx(100 * 4 * 0.75**2) and not days[0]["load_given"]
    assert days[1]["compliance"] == {"hours": "green", "ascent": None, "load": "green"} and days[1]["load_given"]
    assert days[2]["compliance"] == {"hours": None, "ascent": None, "load": None}


def test_compliance_over_the_last_four_weeks_that_are_over():
    today = dt.date(2027, 3, 3)  # six weeks of the plan are over
    # each day of the first six weeks: 1 h, 400 m, 50: 7 h, 2,800 m and 350 a week against 10 h, 4,000 m (2,500-
    # 5,000) and 500
    fitness = done_frame({dt.date(2027, 1, 18) + dt.timedelta(days=i): (1.0, 400.0, 50.0) for i in range(42)},
                         dt.date(2027, 1, 18), today)
    weeks, _ = plan_mod.compliance_rows(a_plan(), fitness, MODEL, today)
    got = plan_mod.last_weeks_compliance(weeks, MODEL)
    planned_ascent = 3000 + 4840 + 5000 + 5000  # weeks 3 to 6
    assert got == {"weeks": 4,
                   "hours": {"planned": 40.0, "done": pytest.approx(28.0), "colour": "yellow"},
                   "ascent": {"planned": planned_ascent, "done": pytest.approx(4 * 2800.0), "colour": "yellow"},
                   "load": {"planned": 2000.0, "done": pytest.approx(1400.0), "colour": "yellow"}}
    assert plan_mod.last_weeks_compliance(weeks[:0], MODEL) == {
        "weeks": 0, **{m: {"planned": 0, "done": 0, "colour": None} for m in ("hours", "ascent", "load")}}


# --------------------------------------------------------------------------- the report and the summary's part


def test_the_report_has_the_interface_of_issue_13():
    fitness = done_frame({TODAY - dt.timedelta(days=i): (1.0, 400.0, 60.0) for i in range(1, 60)},
                         TODAY - dt.timedelta(days=60), TODAY)
    plan = a_plan(sessions=[{"date": TODAY + dt.timedelta(days=3), "session": "long", "hours": 3.0,
                             "ascent_m": 900.0, "load": None, "note": "hills"}])
    rep = plan_mod.report(plan, fitness, athlete(), TODAY)
    json.dumps(rep)  # what plan show --json prints
    assert rep["race"] == {"name": "Spring race", "date": "2027-03-19", "ascent_m": 10000.0}
    assert len(rep["weeks"]) == len(WEEKS) and rep["weeks"][0]["week_start"] == "2027-01-18"
    for key in ("week_start", "kind", "planned_hours", "planned_ascent_m", "planned_load", "done_hours",
                "done_ascent_m", "done_load", "compliance"):
        assert all(key in w for w in rep["weeks"]), key
    assert set(rep["weeks"][0]["compliance"]) == {"hours", "ascent", "load"}
    morning = rep["projection"]["race_morning"]
    assert {"ctl", "atl", "tsb", "ascent_ctl"} <= set(morning) and morning["date"] == "2027-03-19"
    assert morning["tsb"] == pytest.approx(morning["ctl"] - morning["atl"])
    assert isinstance(rep["projection"]["warnings"], list) and rep["projection"]["follows"] == "plan"
    daily = rep["projection"]["daily"]
    assert daily[0]["date"] == TODAY.isoformat() and daily[-1]["date"] == "2027-03-18"
    today = rep["today"]
    assert {"date", "advised_load", "advised_ascent_m", "target_tsb"} <= set(today)
    assert today["date"] == TODAY.isoformat()
    # the week's 500 less Saturday's long session (100 x 3 h x 0.75^2 = 168.75) over Tue-Fri and a double Sunday
    assert today["planned_load"] == pytest.approx((500 - 168.75) / 6)
    # the advised load brings tomorrow's form to the target; its ascent by the plan's ascent per load today
    assert tomorrows_form(fitness, today["advised_load"]) == pytest.approx(today["target_tsb"], abs=0.1)
    assert today["advised_ascent_m"] == pytest.approx(today["advised_load"] * today["planned_ascent_m"]
                                                      / today["planned_load"])
    assert rep["days"][0]["date"] == "2027-01-23" and rep["days"][0]["load"] == pytest.approx(168.75)

    part = plan_mod.summary_part(rep)
    assert part["today"] == rep["today"] and part["race_morning"] == morning
    assert part["warnings"] == rep["projection"]["warnings"] and part["follows"] == "plan"
    assert part["race"] == rep["race"] and part["compliance_last_4_weeks"] == rep["compliance_last_4_weeks"]
    json.dumps(part)


def tomorrows_form(fitness: pl.DataFrame, load: float, day: dt.date = TODAY) -> float:
    """Tomorrow's form when ``load`` is done on ``day`` (the fitness frame's state before it)."""
    state = projection.state_before(fitness, day, MODEL)
    daily = pl.DataFrame({"date": [day], "load": [load], "ascent_m": [0.0], "descent_m": [0.0], "hours": [0.0]})
    row = projection.project(state, daily, MODEL).row(0, named=True)
    return row["ctl"] - row["atl"]


def test_the_advice_is_todays_planned_load_when_the_week_went_as_planned():
    monday = dt.date(2027, 1, 18)
    planned = projection.planned_daily(a_plan(), monday, TODAY, MODEL)
    done = {monday - dt.timedelta(days=i): (1.0, 400.0, 60.0) for i in range(1, 60)}
    done |= {d: (h, a, lo) for d, h, a, lo in planned.select("date", "hours", "ascent_m", "load").rows()[:2]}
    fitness = done_frame(done, monday - dt.timedelta(days=60), TODAY)  # today's row: nothing done yet
    today = plan_mod.report(a_plan(), fitness, athlete(), TODAY)["today"]
    assert today["planned_load"] == pytest.approx(500 / 7) and not today["rest"]
    assert today["advised_load"] == pytest.approx(today["planned_load"])
    assert today["advised_ascent_m"] == pytest.approx(today["planned_ascent_m"])
    assert tomorrows_form(fitness, today["advised_load"]) == pytest.approx(today["target_tsb"])


def test_a_rest_day_in_the_plan_is_advised_as_rest():
    monday = dt.date(2027, 1, 25)  # Mondays rest in a planned week
    fitness = done_frame({monday - dt.timedelta(days=i): (1.0, 400.0, 60.0) for i in range(1, 60)},
                         monday - dt.timedelta(days=60), monday)
    today = plan_mod.report(a_plan(), fitness, athlete(), monday)["today"]
    assert today["rest"] and today["advised_load"] == pytest.approx(0.0, abs=1e-6)
    assert today["advised_ascent_m"] == 0.0


def test_without_a_plan_the_report_follows_the_last_28_days():
    fitness = done_frame({TODAY - dt.timedelta(days=i): (1.0, 400.0, 60.0) for i in range(1, 60)},
                         TODAY - dt.timedelta(days=60), TODAY)
    rep = plan_mod.report(None, fitness, athlete(), TODAY)
    assert rep["weeks"] == [] and rep["revision"] is None and rep["projection"]["follows"] == "pattern"
    assert rep["race"]["date"] == "2027-03-19" and rep["projection"]["warnings"] == []
    assert rep["projection"]["race_morning"] == rep["projection"]["pattern_race_morning"]
    assert rep["today"]["advised_load"] == pytest.approx(60.0)  # the 28 days' daily mean
    no_goal = plan_mod.report(None, fitness, AthleteSettings(), TODAY)
    assert no_goal["race"] is None and no_goal["projection"]["race_morning"] is None
    assert plan_mod.summary_part(no_goal)["race_morning"] is None
    json.dumps(no_goal)

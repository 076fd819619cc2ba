"""Projection to race day (trainlog.analysis.projection): the recursion, today's load, compliance, planned days.

Numbers are worked by hand from shared/METRICS.md, "Fitness, fatigue, form" and "Planning to race day":
``e_c = exp(-1/42) = 0.976472``, ``e_a = exp(-1/7) = 0.866878``, ``e_c - e_a = 0.109594``.
"""

from __future__ import annotations

import datetime as dt
import math

import polars as pl
import pytest
from builders import fitness_frame
from hypothesis import given, settings
from hypothesis import strategies as st

from trainlog.analysis import projection
from trainlog.analysis.projection import State
from trainlog.settings import ModelSettings
from trainlog.store.plans import SESSION_TYPES, WEEK_COLUMNS, Plan, Race, empty_days

MODEL = ModelSettings()
E_C, E_A = math.exp(-1 / 42), math.exp(-1 / 7)
MONDAY = dt.date(2026, 3, 2)
FAR = Race("Far race", dt.date(2027, 1, 1), 17698.0)


def days(first: dt.date, loads: list[float], ascents: list[float] | None = None) -> pl.DataFrame:
    """Planned days for :func:`projection.project`: load and ascent (descent the same) per day from ``first``."""
    ascents = ascents if ascents is not None else [0.0] * len(loads)
    return pl.DataFrame({"date": [first + dt.timedelta(days=i) for i in range(len(loads))], "load": loads,
                         "ascent_m": ascents, "descent_m": ascents, "hours": [0.0] * len(loads)})


def by_hand(ctl: float, atl: float, loads: list[float]) -> list[tuple[float, float, float]]:
    """(CTL, ATL, TSB) of each day: the recursion as METRICS.md writes it, one line per formula."""
    out = []
    for load in loads:
        tsb = ctl - atl
        ctl = ctl * E_C + load * (1 - E_C)
        atl = atl * E_A + load * (1 - E_A)
        out.append((ctl, atl, tsb))
    return out


def week(start: dt.date, load: float = 0.0, ascent: float = 0.0, hours: float = 0.0, long_sessions: int = 1,
         kind: str = "build", descent: float | None = None) -> dict:
    return {"week_start": start, "kind": kind, "planned_hours": hours, "planned_ascent_m": ascent,
            "planned_descent_m": ascent if descent is None else descent, "long_sessions": long_sessions,
            "planned_load": load, "note": None}


def plan_of(*weeks: dict, sessions: tuple[dict, ...] = (), race: Race = FAR) -> Plan:
    day_rows = [{"date": s["date"], "session": s.get("session", "long"), "hours": s.get("hours", 1.0),
                 "ascent_m": s.get("ascent_m", 0.0), "load": s.get("load"), "note": None} for s in sessions]
    plan_days = pl.DataFrame(day_rows, schema=empty_days().schema) if day_rows else empty_days()
    return Plan(race, pl.DataFrame(list(weeks), schema=WEEK_COLUMNS), plan_days)


def column(frame: pl.DataFrame, name: str) -> list[float]:
    return frame[name].to_list()


# --------------------------------------------------------------------------- the recursion


def test_the_decays_for_42_and_7_days():
    e_c, e_a = projection.decays(MODEL)
    assert (e_c, e_a) == pytest.approx((0.976472, 0.866878), abs=1e-6)
    assert e_c - e_a == pytest.approx(0.1096, abs=5e-5)


def test_one_day_of_load_100_from_nothing():
    got = projection.project(State(), days(MONDAY, [100.0, 0.0]), MODEL)
    first, second = got.row(0, named=True), got.row(1, named=True)
    assert first["ctl"] == pytest.approx(100 * (1 - math.exp(-1 / 42)))  # 2.35276
    assert first["atl"] == pytest.approx(100 * (1 - math.exp(-1 / 7)))  # 13.3122
    assert (first["ctl"], first["atl"]) == pytest.approx((2.35276, 13.3122), abs=1e-4)
    assert first["tsb"] == 0.0  # the form with which the day starts: nothing before
    assert second["tsb"] == pytest.approx(first["ctl"] - first["atl"])
    assert second["tsb"] == pytest.approx(-10.9594, abs=1e-4)
    # the next rest day decays both
    assert second["ctl"] == pytest.approx(first["ctl"] * math.exp(-1 / 42))
    assert second["atl"] == pytest.approx(first["atl"] * math.exp(-1 / 7))
    assert got.columns == list(projection.PROJECTION_SCHEMA)


def test_several_days_follow_the_hand_written_recursion():
    loads = [0.0, 120.0, 80.0, 0.0, 200.0, 60.0, 0.0, 0.0, 150.0, 90.0]
    got = projection.project(State(ctl=50.0, atl=70.0), days(MONDAY, loads), MODEL)
    expected = by_hand(50.0, 70.0, loads)
    assert column(got, "ctl") == pytest.approx([e[0] for e in expected])
    assert column(got, "atl") == pytest.approx([e[1] for e in expected])
    assert column(got, "tsb") == pytest.approx([e[2] for e in expected])
    assert column(got, "tsb")[0] == -20.0  # 50 - 70: yesterday's CTL - ATL
    assert column(got, "date") == [MONDAY + dt.timedelta(days=i) for i in range(len(loads))]


def test_ascent_and_descent_fitness_follow_the_same_recursion():
    ascents = [1000.0, 0.0, 500.0]
    got = projection.project(State(ascent_ctl=300.0, ascent_atl=400.0, descent_ctl=300.0, descent_atl=400.0),
                             days(MONDAY, [0.0, 0.0, 0.0], ascents), MODEL)
    a_ctl, a_atl = 300.0, 400.0
    for i, ascent in enumerate(ascents):
        a_ctl, a_atl = a_ctl * E_C + ascent * (1 - E_C), a_atl * E_A + ascent * (1 - E_A)
        row = got.row(i, named=True)
        assert (row["ascent_ctl"], row["ascent_atl"]) == pytest.approx((a_ctl, a_atl))
        assert (row["descent_ctl"], row["descent_atl"]) == pytest.approx((a_ctl, a_atl))
    assert column(got, "ctl") == [0.0, 0.0, 0.0]


def test_ramp_is_ctl_minus_ctl_seven_days_earlier():
    loads = [100.0] * 20
    got = projection.project(State(ctl=40.0, atl=40.0, ctl_history=(40.0,) * 7), days(MONDAY, loads), MODEL)
    ctl = [40.0] + column(got, "ctl")  # ctl[k]: the end of day k, day 0 being the state's
    assert column(got, "ramp") == pytest.approx([ctl[k] - ctl[max(0, k - 7)] for k in range(1, 21)])
    # by hand: a week of 100 from 40 adds (100 - 40) (1 - e^(-7/42)) = 60 x 0.15352 = 9.21 points
    assert column(got, "ramp")[6] == pytest.approx(60 * (1 - E_C**7))
    assert column(got, "ramp")[6] == pytest.approx(9.21, abs=0.01)


def test_ramp_uses_the_days_before_the_projection():
    history = (10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0)  # CTL at the end of the 7 days before, oldest first
    got = projection.project(State(ctl=16.0, atl=16.0, ctl_history=history), days(MONDAY, [16.0, 16.0]), MODEL)
    assert column(got, "ramp") == pytest.approx([16.0 - 10.0, 16.0 - 11.0])


def test_an_empty_plan_projects_nothing():
    got = projection.project(State(), days(MONDAY, []), MODEL)
    assert got.is_empty() and got.schema == pl.Schema(projection.PROJECTION_SCHEMA)


def test_other_time_constants_come_from_the_settings():
    model = ModelSettings(ctl_days=28.0, atl_days=5.0)
    got = projection.project(State(), days(MONDAY, [100.0]), model)
    assert column(got, "ctl") == pytest.approx([100 * (1 - math.exp(-1 / 28))])
    assert column(got, "atl") == pytest.approx([100 * (1 - math.exp(-1 / 5))])


@settings(max_examples=60, derandomize=True, deadline=None)
@given(loads=st.lists(st.floats(0, 400), min_size=2, max_size=40), ascents_scale=st.floats(0, 20),
       cut=st.integers(1, 39), start=st.none() | st.floats(0, 150))
def test_projection_continues_the_real_series(loads, ascents_scale, cut, start):
    """Projecting from the state before day k gives the figures the real series has from day k on, ramp included."""
    cut = min(cut, len(loads) - 1)
    ascents = [x * ascents_scale for x in loads]
    real = fitness_frame(MONDAY, loads, ascents, start_ctl=start, start_atl=start)
    day = MONDAY + dt.timedelta(days=cut)
    state = projection.state_before(real, day, MODEL, start, start)
    got = projection.project(state, days(day, loads[cut:], ascents[cut:]), MODEL)
    after = real.filter(pl.col("date") >= day)
    for name in ("ctl", "atl", "tsb", "ramp", "ascent_ctl", "ascent_atl", "descent_ctl", "descent_atl"):
        assert column(got, name) == pytest.approx(column(after, name), abs=1e-6), name


# --------------------------------------------------------------------------- the state before a day and the morning


def test_state_before_the_first_day_is_the_starting_fitness():
    real = fitness_frame(MONDAY, [100.0, 50.0])
    assert projection.state_before(real, MONDAY, MODEL) == State(ctl_history=(0.0,) * 7)
    assert projection.state_before(real, MONDAY, MODEL, 30.0, 20.0) == State(30.0, 20.0, ctl_history=(30.0,) * 7)
    empty = real.clear()
    assert projection.state_before(empty, MONDAY, MODEL, 30.0, None) == State(30.0, 0.0, ctl_history=(30.0,) * 7)


def test_state_before_is_the_last_real_day():
    real = fitness_frame(MONDAY, [100.0] * 10, [800.0] * 10)
    last = real.row(-1, named=True)
    got = projection.state_before(real, MONDAY + dt.timedelta(days=10), MODEL)
    assert (got.ctl, got.atl, got.ascent_ctl, got.ascent_atl) == (last["ctl"], last["atl"], last["ascent_ctl"],
                                                                 last["ascent_atl"])
    assert got.ctl_history == tuple(real["ctl"].tail(7).to_list())
    # a day inside the series: the row before it
    inside = projection.state_before(real, MONDAY + dt.timedelta(days=3), MODEL)
    assert inside.ctl == real["ctl"][2] and inside.atl == real["atl"][2]


def test_days_after_the_series_are_rest_days():
    real = fitness_frame(MONDAY, [100.0] * 10, [800.0] * 10)
    last = real.row(-1, named=True)
    got = projection.state_before(real, MONDAY + dt.timedelta(days=13), MODEL)  # 3 rest days after the last row
    assert got.ctl == pytest.approx(last["ctl"] * E_C**3)
    assert got.atl == pytest.approx(last["atl"] * E_A**3)
    assert got.ascent_ctl == pytest.approx(last["ascent_ctl"] * E_C**3)
    ctl = real["ctl"].to_list() + [last["ctl"] * E_C**k for k in (1, 2, 3)]
    assert got.ctl_history == pytest.approx(tuple(ctl[-7:]))


def test_morning_is_the_end_of_the_day_before():
    state = State(ctl=50.0, atl=60.0, ascent_ctl=700.0, descent_ctl=650.0)
    proj = projection.project(state, days(MONDAY, [100.0, 0.0, 50.0], [1000.0, 0.0, 0.0]), MODEL)
    race = MONDAY + dt.timedelta(days=2)
    got = projection.morning(proj, state, race)
    second = proj.row(1, named=True)
    assert got == {"date": race.isoformat(), "ctl": second["ctl"], "atl": second["atl"],
                   "tsb": second["ctl"] - second["atl"], "ascent_ctl": second["ascent_ctl"],
                   "descent_ctl": second["descent_ctl"]}
    assert got["tsb"] == pytest.approx(proj["tsb"][2])  # the form with which the race day starts
    # the projection's first day: the state itself
    assert projection.morning(proj, state, MONDAY) == {"date": MONDAY.isoformat(), "ctl": 50.0, "atl": 60.0,
                                                        "tsb": -10.0, "ascent_ctl": 700.0, "descent_ctl": 650.0}


# --------------------------------------------------------------------------- today's load


@pytest.mark.parametrize(("ctl", "atl", "target"), [(50.0, 60.0, -5.0), (40.0, 30.0, 5.0), (80.0, 120.0, -30.0),
                                                    (0.0, 0.0, -10.0), (65.0, 46.0, 15.0)])
def test_the_advised_load_brings_tomorrows_form_to_the_target(ctl, atl, target):
    state = State(ctl=ctl, atl=atl)
    load = projection.advised_load(state, target, MODEL)
    assert load == pytest.approx((ctl * E_C - atl * E_A - target) / (E_C - E_A))
    if load >= 0:
        proj = projection.project(state, days(MONDAY, [load, 0.0]), MODEL)
        assert abs(proj["tsb"][1] - target) < 0.1  # tomorrow's form
        assert proj["tsb"][1] == pytest.approx(target)


def test_advised_load_worked_by_hand():
    # CTL 50, ATL 60, target -5: (50 x 0.976472 - 60 x 0.866878 + 5) / 0.109594 = 1.8109 / 0.109594 = 16.524
    load = projection.advised_load(State(ctl=50.0, atl=60.0), -5.0, MODEL)
    assert load == pytest.approx((48.8236 - 52.0127 + 5.0) / 0.109594, abs=1e-3)
    assert load == pytest.approx(16.524, abs=1e-3)


@settings(max_examples=60, derandomize=True, deadline=None)
@given(ctl=st.floats(0, 200), atl=st.floats(0, 300), target=st.floats(-60, 40))
def test_advised_load_hits_the_target_or_says_rest(ctl, atl, target):
    state = State(ctl=ctl, atl=atl)
    load = projection.advised_load(state, target, MODEL)
    rest = projection.project(state, days(MONDAY, [0.0, 0.0]), MODEL)["tsb"][1]
    if load >= 0:
        proj = projection.project(state, days(MONDAY, [load, 0.0]), MODEL)
        assert abs(proj["tsb"][1] - target) < 0.1
    else:  # negative: even a rest day leaves tomorrow's form below the target; rest is the nearest
        assert rest < target
        some = projection.project(state, days(MONDAY, [10.0, 0.0]), MODEL)["tsb"][1]
        assert some < rest


def test_a_negative_load_means_rest():
    # deep fatigue and a fresh target: no load reaches it
    state = State(ctl=40.0, atl=90.0)
    assert projection.advised_load(state, 10.0, MODEL) < 0


# --------------------------------------------------------------------------- planned session load


@pytest.mark.parametrize(("session", "hours", "load"), [
    ("recovery", 2.0, 100 * 2 * 0.65**2),  # 84.5
    ("easy", 1.0, 51.84),
    ("long", 3.0, 168.75),
    ("steady", 1.0, 67.24),
    ("tempo", 1.5, 100 * 1.5 * 0.88**2),  # 116.16
    ("threshold", 1.0, 100.0),
    ("long", 0.0, 0.0),
])
def test_session_load_is_100_hours_if_squared(session, hours, load):
    assert projection.session_load(session, hours, MODEL) == pytest.approx(load)


def test_session_intensities_come_from_the_settings():
    model = ModelSettings(session_if=(0.5, 0.6, 0.7, 0.8, 0.9, 1.2))
    assert [projection.session_load(s, 1.0, model) for s in SESSION_TYPES] == pytest.approx([25, 36, 49, 64, 81, 144])


# --------------------------------------------------------------------------- compliance colours


@pytest.mark.parametrize(("done", "colour"), [
    (0.0, "red"), (0.49, "red"), (0.5, "yellow"), (0.79, "yellow"), (0.8, "green"), (1.0, "green"),
    (1.2, "green"), (1.21, "yellow"), (1.5, "yellow"), (1.51, "red"), (3.0, "red"),
])
def test_compliance_colours_at_and_around_every_edge(done, colour):
    assert projection.colour(done, 1.0, MODEL) == colour
    assert projection.colour(done * 100, 100.0, MODEL) == colour  # planned 100 h, ascent or load: the same ratio


@pytest.mark.parametrize("planned", [0.0, None, -5.0])
def test_nothing_planned_has_no_colour(planned):
    assert projection.colour(3.0, planned, MODEL) is None
    assert projection.colour(0.0, planned, MODEL) is None


def test_nothing_done_against_a_plan_is_red():
    assert projection.colour(None, 10.0, MODEL) == "red"
    assert projection.colour(0.0, 10.0, MODEL) == "red"


def test_compliance_bands_come_from_the_settings():
    model = ModelSettings(compliance_yellow_low=0.6, compliance_green_low=0.9, compliance_green_high=1.1,
                          compliance_yellow_high=1.3)
    assert [projection.colour(x, 1.0, model) for x in (0.59, 0.6, 0.89, 0.9, 1.1, 1.11, 1.3, 1.31)] == [
        "red", "yellow", "yellow", "green", "green", "yellow", "yellow", "red"]


# --------------------------------------------------------------------------- a week spread over its days


@pytest.mark.parametrize(("long_sessions", "weights"), [
    (0, [0, 1, 1, 1, 1, 1, 1]),
    (1, [0, 1, 1, 1, 1, 1, 2]),  # Sunday
    (2, [0, 1, 1, 1, 1, 2, 2]),  # Saturday and Sunday
    (3, [0, 1, 1, 1, 2, 2, 2]),  # Friday to Sunday
    (7, [2, 2, 2, 2, 2, 2, 2]),
    (-1, [0, 1, 1, 1, 1, 1, 1]),
    (9, [2, 2, 2, 2, 2, 2, 2]),
])
def test_week_weights_monday_rest_long_days_at_the_weekend(long_sessions, weights):
    assert projection.week_weights(long_sessions) == weights


def test_one_long_day_week_worked_by_hand():
    # weights Tue-Sat 1, Sunday 2 (7 in all): 700 load -> 100 a day and 200 on Sunday
    plan = plan_of(week(MONDAY, load=700.0, ascent=1400.0, hours=14.0, descent=700.0))
    got = projection.planned_daily(plan, MONDAY, MONDAY + dt.timedelta(days=6), MODEL)
    assert column(got, "load") == pytest.approx([0, 100, 100, 100, 100, 100, 200])
    assert column(got, "ascent_m") == pytest.approx([0, 200, 200, 200, 200, 200, 400])
    assert column(got, "descent_m") == pytest.approx([0, 100, 100, 100, 100, 100, 200])
    assert column(got, "hours") == pytest.approx([0, 2, 2, 2, 2, 2, 4])
    assert column(got, "planned") == [True] * 7
    assert column(got, "date") == [MONDAY + dt.timedelta(days=i) for i in range(7)]


def test_back_to_back_weeks_worked_by_hand():
    plan = plan_of(week(MONDAY, load=800.0, long_sessions=2),
                   week(MONDAY + dt.timedelta(days=7), load=900.0, long_sessions=3))
    got = projection.planned_daily(plan, MONDAY, MONDAY + dt.timedelta(days=13), MODEL)
    assert column(got, "load") == pytest.approx([0, 100, 100, 100, 100, 200, 200] + [0, 100, 100, 100, 200, 200, 200])


@settings(max_examples=60, derandomize=True, deadline=None)
@given(figures=st.lists(st.tuples(st.floats(0, 3000), st.floats(0, 20000), st.floats(0, 60), st.integers(0, 7)),
                        min_size=1, max_size=6))
def test_each_weeks_days_sum_to_its_totals_and_monday_rests(figures):
    weeks = [week(MONDAY + dt.timedelta(weeks=i), load=lo, ascent=a, hours=h, long_sessions=n)
             for i, (lo, a, h, n) in enumerate(figures)]
    got = projection.planned_daily(plan_of(*weeks), MONDAY, MONDAY + dt.timedelta(weeks=len(weeks), days=-1), MODEL)
    assert got.height == 7 * len(weeks)
    for i, w in enumerate(weeks):
        one = got.slice(7 * i, 7)
        for q, total in (("load", w["planned_load"]), ("ascent_m", w["planned_ascent_m"]),
                         ("descent_m", w["planned_descent_m"]), ("hours", w["planned_hours"])):
            assert one[q].sum() == pytest.approx(total, rel=1e-9, abs=1e-9)
            if w["long_sessions"] < 7:
                assert one[q][0] == 0.0  # Monday rests
        long_days = one["load"].to_list()[7 - w["long_sessions"]:] if w["long_sessions"] else []
        assert all(x == pytest.approx(max(one["load"])) for x in long_days)


def test_a_session_takes_its_own_figures_and_the_rest_is_spread():
    wednesday = MONDAY + dt.timedelta(days=2)
    plan = plan_of(week(MONDAY, load=700.0, ascent=1400.0, hours=14.0),
                   sessions=({"date": wednesday, "session": "long", "hours": 4.0, "ascent_m": 800.0},))
    got = projection.planned_daily(plan, MONDAY, MONDAY + dt.timedelta(days=6), MODEL)
    session_load = 100 * 4 * 0.75**2  # 225
    rest = 700.0 - session_load  # 475 over Tue, Thu, Fri, Sat (1 each) and Sun (2): 6 parts
    assert column(got, "load") == pytest.approx([0, rest / 6, 225, rest / 6, rest / 6, rest / 6, rest / 3])
    assert column(got, "ascent_m") == pytest.approx([0, 100, 800, 100, 100, 100, 200])
    assert column(got, "descent_m") == pytest.approx([0, 100, 800, 100, 100, 100, 200])  # a session's descent: its ascent
    assert column(got, "hours") == pytest.approx([0, 10 / 6, 4, 10 / 6, 10 / 6, 10 / 6, 20 / 6])  # 14 - 4 h left
    assert got["load"].sum() == pytest.approx(700.0)


def test_a_session_on_monday_and_the_coachs_load():
    plan = plan_of(week(MONDAY, load=700.0),
                   sessions=({"date": MONDAY, "session": "easy", "hours": 1.0, "load": 70.0},))
    got = projection.planned_daily(plan, MONDAY, MONDAY + dt.timedelta(days=6), MODEL)
    assert column(got, "load") == pytest.approx([70, 90, 90, 90, 90, 90, 180])  # 630 over 7 parts


def test_sessions_above_the_week_leave_the_other_days_nothing():
    plan = plan_of(week(MONDAY, load=100.0, ascent=100.0, hours=1.0),
                   sessions=({"date": MONDAY + dt.timedelta(days=6), "session": "threshold", "hours": 2.0,
                              "ascent_m": 500.0},))
    got = projection.planned_daily(plan, MONDAY, MONDAY + dt.timedelta(days=6), MODEL)
    assert column(got, "load") == pytest.approx([0, 0, 0, 0, 0, 0, 200])
    assert column(got, "ascent_m") == pytest.approx([0, 0, 0, 0, 0, 0, 500])


def test_race_day_and_after_get_nothing():
    thursday = MONDAY + dt.timedelta(days=3)
    race = Race("Race", thursday, 5000.0)
    plan = plan_of(week(MONDAY, load=300.0, ascent=600.0, long_sessions=0, kind="race"), race=race)
    got = projection.planned_daily(plan, MONDAY, MONDAY + dt.timedelta(days=6), MODEL)
    # Tue and Wed share the week (Monday rests); Thursday (the race) and after are not planned
    assert column(got, "load") == pytest.approx([0, 150, 150, 0, 0, 0, 0])
    assert column(got, "ascent_m") == pytest.approx([0, 300, 300, 0, 0, 0, 0])
    assert column(got, "planned") == [True, True, True, False, False, False, False]


def test_days_no_week_covers_take_the_fallback():
    plan = plan_of(week(MONDAY + dt.timedelta(days=7), load=700.0))
    fallback = {"load": 40.0, "ascent_m": 300.0, "descent_m": 250.0, "hours": 1.5}
    got = projection.planned_daily(plan, MONDAY + dt.timedelta(days=5), MONDAY + dt.timedelta(days=15), MODEL,
                                   fallback)
    assert column(got, "planned") == [False, False] + [True] * 7 + [False, False]
    assert column(got, "load") == pytest.approx([40, 40, 0, 100, 100, 100, 100, 100, 200, 40, 40])
    assert column(got, "descent_m")[:2] == [250.0, 250.0]
    assert column(got, "hours")[-1] == 1.5
    # without a fallback: nothing
    bare = projection.planned_daily(plan, MONDAY, MONDAY + dt.timedelta(days=6), MODEL)
    assert column(bare, "load") == [0.0] * 7 and column(bare, "planned") == [False] * 7


def test_a_week_begun_before_the_first_day_keeps_its_past_days_shares():
    """The days of the week before ``first`` are past: their shares are not moved onto the days left."""
    plan = plan_of(week(MONDAY, load=700.0))
    thursday = MONDAY + dt.timedelta(days=3)
    got = projection.planned_daily(plan, thursday, MONDAY + dt.timedelta(days=6), MODEL)
    assert column(got, "date")[0] == thursday
    assert column(got, "load") == pytest.approx([100, 100, 100, 200])


def test_no_days_when_last_is_before_first():
    got = projection.planned_daily(plan_of(week(MONDAY, load=700.0)), MONDAY, MONDAY - dt.timedelta(days=1), MODEL)
    assert got.is_empty() and got.columns == ["date", *projection.QUANTITIES, "planned"]


# --------------------------------------------------------------------------- the last 28 days' pattern


def test_pattern_is_the_mean_of_the_28_days_before_today():
    first = MONDAY - dt.timedelta(days=40)
    loads = [float(i) for i in range(50)]  # day i (from `first`) has load i, ascent 10 i, i/10 hours
    real = fitness_frame(first, loads, [10 * x for x in loads], [x / 10 for x in loads])
    got = projection.pattern(real, MONDAY)  # the days 12..39 (MONDAY is day 40)
    mean = sum(range(12, 40)) / 28
    assert got == pytest.approx({"load": mean, "ascent_m": 10 * mean, "descent_m": 10 * mean, "hours": mean / 10})


def test_days_without_a_record_count_as_rest_in_the_pattern():
    real = fitness_frame(MONDAY - dt.timedelta(days=7), [70.0] * 7, [700.0] * 7, [1.0] * 7)
    assert projection.pattern(real, MONDAY) == pytest.approx(
        {"load": 490 / 28, "ascent_m": 4900 / 28, "descent_m": 4900 / 28, "hours": 7 / 28})
    assert projection.pattern(real.clear(), MONDAY) == {"load": 0.0, "ascent_m": 0.0, "descent_m": 0.0, "hours": 0.0}


def test_pattern_of_another_window():
    real = fitness_frame(MONDAY - dt.timedelta(days=14), [10.0] * 7 + [20.0] * 7)
    assert projection.pattern(real, MONDAY, days=7)["load"] == pytest.approx(20.0)


def test_the_hand_worked_numbers_use_the_default_time_constants():
    assert (MODEL.ctl_days, MODEL.atl_days, MODEL.ramp_days) == (42.0, 7.0, 7)

"""The plan generator (trainlog.analysis.generate): its caps as properties over athletes, and the sample athlete.

shared/METRICS.md, "Planning to race day"; issue 13: no loading week's ascent rises more than the
cap over the previous loading week, taper weeks decrease, hours never above the available hours,
race-morning form inside +5..+25 when the plan is feasible, and a note when the peak falls short.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math

import polars as pl
import pytest
from builders import SAMPLE_FIT, fitness_frame
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trainlog import Store, import_paths
from trainlog.analysis import generate, plan
from trainlog.analysis.stored import settings_of
from trainlog.errors import InvalidValue
from trainlog.ingest import demo
from trainlog.settings import AthleteSettings, Goal, ModelSettings, save_settings
from trainlog.store import plans

TODAY = dt.date(2026, 1, 8)  # a Thursday
#: The weekday weights of the synthetic histories (Monday rest, a long Sunday), as a plan spreads a week.
WEIGHTS = (0, 1, 1, 1, 1, 1, 2)
LOADING = ("base", "build", "peak")


def history(today: dt.date, weeks: list[tuple[float, float, float]], settled: bool = True) -> pl.DataFrame:
    """The fitness frame of ``len(weeks)`` weeks ending yesterday: each (hours, ascent m per hour, load per hour).

    ``settled``: the athlete trained like the first week before the record (CTL = ATL = its daily load),
    not a cold start from nothing.
    """
    first = today - dt.timedelta(weeks=len(weeks))
    loads, ascents, hours = [], [], []
    for i in range((today - first).days):
        day = first + dt.timedelta(days=i)
        h, rate, per_hour = weeks[i // 7]
        share = h * WEIGHTS[day.weekday()] / sum(WEIGHTS)
        hours.append(share)
        ascents.append(share * rate)
        loads.append(share * per_hour)
    start = weeks[0][0] * weeks[0][2] / 7 if settled and weeks else None
    return fitness_frame(first, loads, ascents, hours, start_ctl=start, start_atl=start)


def athlete(race: dt.date | None, ascent_m: float = 17698.0, available: float | None = None, **model) -> AthleteSettings:
    return AthleteSettings(goal=Goal(name="Race", date=race, ascent_m=ascent_m), available_hours_per_week=available,
                           model=ModelSettings(**model))


def race_morning_tsb(p: plans.Plan, fitness: pl.DataFrame, s: AthleteSettings, today: dt.date) -> float:
    return plan.report(p, fitness, s, today)["projection"]["race_morning"]["tsb"]


# --------------------------------------------------------------------------- the weeks' kinds and the history


@pytest.mark.parametrize(("n", "kinds"), [
    (1, ["race"]),
    (2, ["taper", "race"]),
    (3, ["taper", "taper", "race"]),
    (4, ["peak", "taper", "taper", "race"]),
    (6, ["peak", "peak", "peak", "taper", "taper", "race"]),
    (7, ["base", "peak", "peak", "peak", "taper", "taper", "race"]),
    (8, ["base", "recovery", "peak", "peak", "peak", "taper", "taper", "race"]),
    # recovery weeks counted back from the peak every 4th week, never the first: 3 loading weeks to 1
    (16, ["base", "recovery", "build", "build", "build", "recovery", "build", "build", "build", "recovery",
          "peak", "peak", "peak", "taper", "taper", "race"]),
])
def test_kinds_of_the_weeks(n, kinds):
    assert generate._kinds(n, 2, 3, 4) == kinds


def test_kinds_follow_the_settings():
    # 3 taper weeks, 2 peak weeks, a recovery week every 3rd
    assert generate._kinds(9, 3, 2, 3) == ["base", "base", "recovery", "peak", "peak", "taper", "taper", "taper",
                                           "race"]


def test_history_is_the_weekly_mean_of_the_last_28_days():
    fitness = history(TODAY, [(6.0, 300.0, 50.0)] * 2 + [(10.0, 500.0, 60.0)] * 4)
    got = generate.history_of(fitness, TODAY)
    assert (got.hours, got.ascent_m, got.load) == pytest.approx((10.0, 5000.0, 600.0))
    assert (got.ascent_per_hour, got.load_per_hour) == pytest.approx((500.0, 60.0))
    # two weeks of record in the last four: half the weekly mean, the same rates
    short = generate.history_of(history(TODAY, [(10.0, 500.0, 60.0)] * 2), TODAY)
    assert (short.hours, short.ascent_per_hour) == pytest.approx((5.0, 500.0))
    assert generate.history_of(fitness.clear(), TODAY) == generate.History(0.0, 0.0, 0.0, 0.0, 0.0)


# --------------------------------------------------------------------------- refusals


def test_no_goal_date_is_refused():
    with pytest.raises(InvalidValue, match="no date"):
        generate.generate(athlete(None), history(TODAY, [(8.0, 400.0, 50.0)] * 4), TODAY)


@pytest.mark.parametrize("days", [0, -1, -30])
def test_a_race_not_after_today_is_refused(days):
    with pytest.raises(InvalidValue, match="is not after") as info:
        generate.generate(athlete(TODAY + dt.timedelta(days=days)), history(TODAY, [(8.0, 400.0, 50.0)] * 4), TODAY)
    assert "\n" not in str(info.value)


# --------------------------------------------------------------------------- a plan worked by hand


def test_a_sixteen_week_plan_worked_by_hand():
    """4 weeks of 7 h at 400 m/h (2,800 m a week), load 50 an hour; race 16 weeks out on a Thursday; 12 h available."""
    fitness = history(TODAY, [(7.0, 400.0, 50.0)] * 4)
    s = athlete(TODAY + dt.timedelta(weeks=16), available=12.0)
    got, notes = generate.generate(s, fitness, TODAY)
    weeks = got.weeks.to_dicts()
    assert len(weeks) == 17 and weeks[0]["week_start"] == dt.date(2026, 1, 5)
    assert [w["kind"] for w in weeks] == ["base", "base", "recovery", "build", "build", "build", "recovery", "build",
                                          "build", "build", "recovery", "peak", "peak", "peak", "taper", "taper",
                                          "race"]
    # the peak capped by 12 h x 500 m an hour = 6,000 m (short of 0.5 x 17,698 m); the ramp timed to reach it in
    # the last build week: 6,000 / 1.1^7 = 3,078 m (rounded down; under 2,800 x 1.1 = 3,080), then +10 % a week
    # over the last loading week (rounded down), a recovery week 30 % under the week before
    assert [w["planned_ascent_m"] for w in weeks[:14]] == [3078, 3385, 2369, 3723, 4095, 4504, 3152, 4954, 5449,
                                                           5993, 4195, 6000, 6000, 6000]
    # hours: the ascent at 500 m an hour, at least the 7 h trained now (less 30 % in a recovery week)
    assert [w["planned_hours"] for w in weeks[:4]] == [7.0, 7.0, 4.9, 7.4]
    assert weeks[11]["planned_hours"] == 12.0
    assert weeks[3]["planned_load"] == 372  # 3,723 m / 500 m an hour x the athlete's 50 an hour = 372.3
    assert weeks[1]["planned_descent_m"] == weeks[1]["planned_ascent_m"]
    # back-to-back blocks in the peak: two long days, three in the last peak week; the race week has none
    assert [w["long_sessions"] for w in weeks[11:]] == [2, 2, 3, 1, 1, 0]
    assert "Friday to Sunday" in weeks[13]["note"] and "Race" in weeks[16]["note"]
    assert len(notes) == 1 and "12 h available" in notes[0] and "short of the 50% target (8,849 m)" in notes[0]
    tsb = race_morning_tsb(got, fitness, s, TODAY)
    assert 5 <= tsb <= 25


def test_hours_rounded_to_a_tenth_never_go_above_the_hours_available():
    # the peak is capped by 12.75 h; 12.75 rounds to 12.8: shown as 12.7
    fitness = history(TODAY, [(10.0, 500.0, 50.0)] * 4)
    got, _ = generate.generate(athlete(TODAY + dt.timedelta(weeks=20), available=12.75), fitness, TODAY)
    assert got.weeks["planned_hours"].max() == 12.7


def test_a_race_too_close_for_the_ramp_says_so():
    fitness = history(TODAY, [(10.0, 500.0, 50.0)] * 4)  # 5,000 m a week; the target is 8,849 m
    got, notes = generate.generate(athlete(TODAY + dt.timedelta(weeks=6), available=40.0), fitness, TODAY)
    assert got.weeks["planned_ascent_m"].max() < 8849
    assert [n for n in notes if "too close for a +10% a week ramp from 5,000 m a week" in n]


def test_a_race_within_the_taper_only_tapers():
    fitness = history(TODAY, [(10.0, 500.0, 50.0)] * 4)
    got, notes = generate.generate(athlete(TODAY + dt.timedelta(weeks=2)), fitness, TODAY)
    assert got.weeks["kind"].to_list() == ["taper", "taper", "race"]
    assert "the race is 2 week(s) away: too close to build; the plan only tapers" in notes
    ascents = got.weeks["planned_ascent_m"].to_list()
    assert ascents[0] < 5000 and ascents == sorted(ascents, reverse=True)


# --------------------------------------------------------------------------- the caps, over many athletes


@st.composite
def profiles(draw, feasible: bool = False):
    """(settings, fitness, today): a varied athlete and race (history, weeks to the race, hours available,
    peak share, ramp cap, peak, taper and recovery weeks).

    ``feasible``: only plans the taper can bring to race-morning form +5..+25: the race 8+ weeks out; a
    settled history of 4+ weeks of 5+ hours (a fitness of 35 or so: far below it, no taper of the shape
    the generator plans lifts form to +5); more hours available than trained now; a taper of 2+ weeks
    before the race week and a ramp cap of at most 15 % a week (the 10 % default and the usual 2-3 week taper).
    """
    today = TODAY + dt.timedelta(days=draw(st.integers(0, 6)))
    n_hist = draw(st.integers(4, 12) if feasible else st.integers(0, 12))
    hours = draw(st.floats(5.0, 16.0) if feasible else st.floats(1.0, 16.0))
    rate = draw(st.floats(150.0, 900.0))
    per_hour = draw(st.floats(35.0, 80.0))
    jitter = draw(st.lists(st.floats(0.7, 1.3), min_size=n_hist, max_size=n_hist))
    settled = feasible or draw(st.booleans())
    fitness = history(today, [(hours * j, rate, per_hour) for j in jitter], settled)
    weeks_out = draw(st.integers(8, 40) if feasible else st.integers(1, 40))
    race = today + dt.timedelta(days=draw(st.integers(max(1, 7 * weeks_out - 6), 7 * weeks_out)))
    available = draw(st.none() | st.floats(hours * 1.3, 60.0) if feasible else
                     st.none() | st.floats(1.0, 40.0) | st.sampled_from([6.0, 10.0, 12.75, 15.5, 20.0]))
    model = {
        "plan_peak_share": draw(st.floats(0.1, 1.0)),
        "ramp_cap": draw(st.floats(0.02, 0.15) if feasible else st.floats(0.01, 0.3)),
        "plan_peak_weeks": draw(st.integers(1, 4)),
        "plan_taper_weeks": draw(st.integers(2, 3) if feasible else st.integers(1, 3)),
        "plan_recovery_every": draw(st.integers(3, 5)),
    }
    if feasible and available is None:
        model["plan_available_hours_per_week"] = max(20.0, hours * 1.3)
    return athlete(race, draw(st.floats(1000.0, 30000.0)), available, **model), fitness, today


@settings(max_examples=60, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profiles())
def test_the_generator_keeps_its_caps(profile):
    s, fitness, today = profile
    model = s.model
    got, notes = generate.generate(s, fitness, today)
    weeks = got.weeks.to_dicts()
    kinds = [w["kind"] for w in weeks]
    assert plans.checked(got).weeks.equals(got.weeks)  # a plan that can be saved as it is

    # every week Monday-aligned, one after the other from this week to the race week
    starts = [w["week_start"] for w in weeks]
    assert starts == [plans.monday(today) + dt.timedelta(weeks=i) for i in range(len(weeks))]
    assert starts[-1] == plans.monday(s.goal.date) and kinds[-1] == "race" and "race" not in kinds[:-1]

    # no loading week rises more than the cap over the previous loading week
    loading = [w["planned_ascent_m"] for w in weeks if w["kind"] in LOADING]
    for before, after in zip(loading, loading[1:]):
        assert after <= before * (1 + model.ramp_cap) + 1e-9, (before, after)
    # a recovery week is lighter than the loading week before it
    for before, after in zip(weeks, weeks[1:]):
        if after["kind"] == "recovery":
            assert after["planned_ascent_m"] < before["planned_ascent_m"]

    # the taper: each week below the one before it, from the last peak week; the race week lowest
    tail = [w for w in weeks if w["kind"] in ("peak", "taper", "race")]
    tail = tail[max(0, len(tail) - 1 - kinds.count("taper") - 1):]  # the last peak week (if any), taper, race
    for before, after in zip(tail, tail[1:]):
        assert after["planned_ascent_m"] < before["planned_ascent_m"], (before, after)
        assert after["planned_hours"] <= before["planned_hours"] and after["planned_load"] <= before["planned_load"]
    assert weeks[-1]["planned_ascent_m"] == min(w["planned_ascent_m"] for w in tail)

    # hours never above the hours available
    available = s.available_hours_per_week or model.plan_available_hours_per_week
    assert max(w["planned_hours"] for w in weeks) <= available

    # the peak reaches the share of the race's ascent, or a note says why
    target = model.plan_peak_share * s.goal.ascent_m
    if max(w["planned_ascent_m"] for w in weeks) < target - 0.5:
        assert any("short of the" in n and f"{model.plan_peak_share:.0%} target" in n or "too close to build" in n
                   for n in notes), notes

    # race-morning form inside the taper target, or a note says why
    rep = plan.report(got, fitness, s, today)
    tsb = rep["projection"]["race_morning"]["tsb"]
    if not model.taper_form_min <= tsb <= model.taper_form_max:
        assert any("race-morning form" in n for n in notes), notes
    assert all("\n" not in n for n in notes)

    # the plan breaks none of the caps the report's warnings check on weeks
    assert not [w for w in rep["projection"]["warnings"] if "above the" in w and ("available" in w or "cap" in w)]


@settings(max_examples=30, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profiles(feasible=True))
def test_race_morning_form_is_fresh_when_the_plan_is_feasible(profile):
    s, fitness, today = profile
    got, notes = generate.generate(s, fitness, today)
    tsb = plan.report(got, fitness, s, today)["projection"]["race_morning"]["tsb"]
    assert s.model.taper_form_min <= tsb <= s.model.taper_form_max, (tsb, notes)
    assert not any("race-morning form" in n for n in notes)


# --------------------------------------------------------------------------- the sample athlete


def test_the_sample_athlete_sixteen_weeks_out(tmp_path):
    """Mara's history to 2025-11-20 and a race 16 weeks later: generate, save, report."""
    store = Store(tmp_path / "data")
    files = sorted((SAMPLE_FIT / "mara").glob("*.fit"))
    assert import_paths(store, files, "mara").ok
    demo.apply_sample_settings(store)
    today = dt.date(2025, 11, 20)
    s = settings_of(store, "mara")
    s = dataclasses.replace(s, goal=dataclasses.replace(s.goal, date=today + dt.timedelta(weeks=16)))
    save_settings(store.settings_path("mara"), s)
    fitness = plan.fitness_to(store, "mara", today, s)
    got, notes = generate.generate(s, fitness, today)
    saved = plans.save(store, "mara", got, "generate")
    assert saved.revision == 1
    rep = plan.stored_report(store, "mara", today)
    assert rep["revision"] == 1 and rep["projection"]["follows"] == "plan"
    morning = rep["projection"]["race_morning"]
    assert morning["date"] == "2026-03-12"
    assert s.model.taper_form_min <= morning["tsb"] <= s.model.taper_form_max
    target = s.model.plan_peak_share * s.goal.ascent_m
    top = max(w["planned_ascent_m"] for w in rep["weeks"])
    assert top >= target - 0.5 or any("short of the" in n for n in notes), (top, notes)
    advice = rep["today"]
    assert advice["date"] == "2025-11-20" and advice["advised_load"] >= 0 and math.isfinite(advice["target_tsb"])
    assert store.check("mara") == []
    assert math.isfinite(morning["ctl"]) and morning["ctl"] > 0

"""CTL/ATL/TSB, ramp, ACWR, monotony/strain and vertical fitness (hand-worked values)."""

import datetime as dt
import math

import polars as pl
import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from trainlog.analysis import fitness
from trainlog.settings import ModelSettings

MODEL = ModelSettings()
# 1 - exp(-1/42) = 0.02352831;  1 - exp(-1/7) = 0.13312210
A42, A7 = 0.02352831, 0.13312210


def daily(loads, ascent=None, descent=None):
    n = len(loads)
    return pl.DataFrame(
        {
            "date": [dt.date(2024, 3, 1) + dt.timedelta(days=i) for i in range(n)],
            "load": [float(x) for x in loads],
            "ascent_m": [float(x) for x in (ascent or [0.0] * n)],
            "descent_m": [float(x) for x in (descent or [0.0] * n)],
        }
    )


def test_single_day_history():
    # start_ctl = start_atl = 0 given by the athlete: the same figures as a cold start, with bands from day one
    row = fitness.fitness(daily([100]), MODEL, start_ctl=0.0, start_atl=0.0).row(0, named=True)
    # from 0 the day before: CTL = 100 * (1 - e^-1/42) = 2.352831, ATL = 100 * (1 - e^-1/7) = 13.31221
    assert row["ctl"] == pytest.approx(100 * A42, rel=1e-6)
    assert row["atl"] == pytest.approx(100 * A7, rel=1e-6)
    assert row["tsb"] == 0.0  # CTL - ATL of the day before the record
    assert row["form_band"] == "grey zone"
    assert row["ramp"] == pytest.approx(100 * A42, rel=1e-6)  # CTL 7 days earlier is 0
    # ACWR: acute 100 * 2/8 = 25, chronic 100 * 2/29 = 6.896552, ratio 3.625
    assert row["acwr_acute"] == pytest.approx(25.0)
    assert row["acwr_chronic"] == pytest.approx(6.896552, rel=1e-6)
    assert row["acwr"] == pytest.approx(3.625)
    assert row["acwr_band"] == "danger"
    # last 7 days [0, 0, 0, 0, 0, 0, 100]: mean 100/7, sample SD sqrt((6 (100/7)^2 + (600/7)^2) / 6) = 100/sqrt(7)
    # monotony = (100/7) / (100/sqrt 7) = 1/sqrt(7) = 0.377964; strain = 100 * 0.377964
    assert row["monotony"] == pytest.approx(0.377964, rel=1e-5)
    assert row["strain"] == pytest.approx(37.7964, rel=1e-5)
    assert row["monotony_band"] == "ok"


def test_second_day_starts_with_yesterdays_form():
    rows = fitness.fitness(daily([100, 0]), MODEL, start_ctl=0.0, start_atl=0.0)
    # CTL_2 = 2.352831 * (1 - 0.02352831) = 2.297473; TSB_2 = 2.352831 - 13.312210 = -10.959379
    assert rows["ctl"][1] == pytest.approx(2.297473, rel=1e-6)
    assert rows["atl"][1] == pytest.approx(13.312210 * (1 - A7), rel=1e-6)
    assert rows["tsb"][1] == pytest.approx(-10.959379, rel=1e-6)
    assert rows["form_band"][1] == "optimal"


def test_ramp_is_ctl_minus_ctl_a_week_earlier():
    rows = fitness.fitness(daily([60] * 10), MODEL)
    ctl = [60 * (1 - (1 - A42) ** (d + 1)) for d in range(10)]  # CTL_d = 60 (1 - e^-(d+1)/42)
    assert rows["ramp"][9] == pytest.approx(ctl[9] - ctl[2], rel=1e-5)
    assert rows["ramp"][3] == pytest.approx(ctl[3], rel=1e-5)  # 7 days earlier is before the record: 0


def test_monotony_is_null_when_sd_is_zero():
    rows = fitness.fitness(daily([50] * 10), MODEL)
    # days 1..6 include rest days before the record (SD > 0); from day 7 on, seven equal loads
    assert rows["monotony"][:6].null_count() == 0
    assert rows["monotony"][6:].to_list() == [None] * 4
    assert rows["strain"][6:].to_list() == [None] * 4
    assert fitness.fitness(daily([0] * 3), MODEL)["monotony"].to_list() == [None] * 3


def test_monotony_is_capped_and_banded():
    # 7 loads 100, 100, 100, 100, 100, 100, 101: mean 100.142857, SD 0.377964 -> 264.9, capped at 10
    rows = fitness.fitness(daily([100] * 6 + [101]), MODEL, start_ctl=0.0, start_atl=0.0)
    assert rows["monotony"][6] == 10.0
    assert rows["monotony_band"][6] == "flag"
    # loads [10, 20, 10, 20, 10, 20, 10]: mean 100/7 = 14.285714;
    # deviations: -4.2857 x4, +5.7143 x3; sum sq = 4 * 18.3673 + 3 * 32.6531 = 171.4286; /6 = 28.5714; SD 5.345225
    # monotony = 14.285714 / 5.345225 = 2.672612 -> flag
    rows = fitness.fitness(daily([10, 20, 10, 20, 10, 20, 10]), MODEL)
    assert rows["monotony"][6] == pytest.approx(2.672612, rel=1e-6)
    assert rows["strain"][6] == pytest.approx(100 * 2.672612, rel=1e-6)


def test_acwr_is_undefined_while_chronic_load_is_about_zero():
    rows = fitness.fitness(daily([0, 0, 1, 0]), MODEL)
    # chronic after a load of 1: 2/29 = 0.069 < 1 (acwr_chronic_min): no ratio
    assert rows["acwr"].to_list() == [None] * 4
    assert rows["acwr_band"].to_list() == [None] * 4


@pytest.mark.parametrize(
    ("tsb", "label"),
    [(-31, "high risk"), (-30, "optimal"), (-10, "grey zone"), (4.9, "grey zone"), (5, "fresh"), (25, "transition")],
)
def test_form_bands(tsb, label):
    got = pl.select(fitness.band(pl.lit(float(tsb)), MODEL.form_band_edges, MODEL.form_band_labels)).item()
    assert got == label


@pytest.mark.parametrize(("ratio", "label"), [(0.79, "undertraining"), (0.8, "sweet spot"), (1.4, "caution"), (1.6, "danger")])
def test_acwr_bands(ratio, label):
    assert pl.select(fitness.band(pl.lit(ratio), MODEL.acwr_band_edges, MODEL.acwr_band_labels)).item() == label


def test_ascent_and_descent_have_their_own_fitness_and_fatigue():
    row = fitness.fitness(daily([0], ascent=[1000], descent=[800]), MODEL).row(0, named=True)
    assert row["ascent_ctl"] == pytest.approx(1000 * A42, rel=1e-6)  # 23.528 m/day
    assert row["ascent_atl"] == pytest.approx(1000 * A7, rel=1e-6)  # 133.12 m/day
    assert row["descent_ctl"] == pytest.approx(800 * A42, rel=1e-6)
    assert row["descent_atl"] == pytest.approx(800 * A7, rel=1e-6)


def test_empty_series_gives_an_empty_frame():
    assert fitness.fitness(daily([]), MODEL).is_empty()


@hsettings(max_examples=25, deadline=None)
@given(st.floats(min_value=0, max_value=500, allow_nan=False))
def test_constant_load_converges(load):
    rows = fitness.fitness(daily([load] * 600), MODEL)
    # after 600 days the start from 0 has decayed by e^(-600/42) ~ 6e-7
    assert rows["ctl"][-1] == pytest.approx(load, rel=1e-5, abs=1e-9)
    assert rows["atl"][-1] == pytest.approx(load, rel=1e-9, abs=1e-9)
    assert rows["tsb"][-1] == pytest.approx(0.0, abs=1e-5 * max(load, 1.0))
    assert math.isclose(rows["ramp"][-1], 0.0, abs_tol=1e-5 * max(load, 1.0))


# ---- the cold start (METRICS.md "Fitness, fatigue, form"; issue 11, case 7)

#: A varied week of loads (so the 7-day SD is never 0 and monotony always has a value).
WEEK = [50, 80, 0, 60, 100, 0, 40]
BANDS = ("form_band", "acwr_band", "monotony_band")


def test_a_new_athlete_builds_history_for_42_days_without_bands():
    rows = fitness.fitness(daily(WEEK * 8), MODEL)  # 56 days from the first activity
    building = rows["building_history"].to_list()
    assert building == [True] * 42 + [False] * 14  # days 1..42, then day 43 on
    for name in BANDS:
        assert rows[name][:42].null_count() == 42, name
        assert rows[name][42:].null_count() == 0, name
    # the figures are still computed: day one of a cold start is the "ACWR 3.6"
    first = rows.row(0, named=True)
    assert first["acwr"] == pytest.approx(50 * (2 / 8) / (50 * 2 / 29))  # 3.625
    assert first["ctl"] == pytest.approx(50 * A42, rel=1e-6)
    assert first["monotony"] == pytest.approx(1 / math.sqrt(7), rel=1e-6)


def test_the_cold_start_counts_days_from_the_first_activity_not_days_with_load():
    rows = fitness.fitness(daily([100] + [0] * 50), MODEL)
    assert rows["building_history"].to_list() == [True] * 42 + [False] * 9
    # day 43: form from CTL and ATL of day 42 (both decayed from the one load): a band again
    assert rows["form_band"][42] is not None


def test_a_starting_fitness_and_fatigue_seed_the_day_before_the_first_activity():
    rows = fitness.fitness(daily([100, 0]), MODEL, start_ctl=50.0, start_atl=70.0)
    day1, day2 = rows.row(0, named=True), rows.row(1, named=True)
    # CTL_1 = 50 (1 - 0.02352831) + 100 (0.02352831) = 50 + 50 x 0.02352831 = 51.176416
    assert day1["ctl"] == pytest.approx(51.176416, rel=1e-6)
    # ATL_1 = 70 + (100 - 70) x 0.13312210 = 73.993663
    assert day1["atl"] == pytest.approx(73.993663, rel=1e-6)
    # TSB_1 = CTL_0 - ATL_0 = 50 - 70 = -20: "optimal" (-30..-10), a band on day one
    assert day1["tsb"] == pytest.approx(-20.0)
    assert day1["form_band"] == "optimal"
    assert day1["ramp"] == pytest.approx(51.176416 - 50.0, rel=1e-6)  # CTL a week before: the start value
    # ACWR: acute from start_atl, 70 + (100 - 70) x 2/8 = 77.5; chronic from start_ctl, 50 + 50 x 2/29 = 53.448276
    assert day1["acwr_acute"] == pytest.approx(77.5)
    assert day1["acwr_chronic"] == pytest.approx(53.448276, rel=1e-6)
    assert day1["acwr"] == pytest.approx(1.45)  # 77.5 / (1550 / 29) = 1.45: "caution" (1.3-1.5)
    assert day1["acwr_band"] == "caution"
    assert day1["monotony_band"] == "ok" and day1["building_history"] is False
    # day 2 (rest): CTL_2 = 51.176416 x (1 - 0.02352831) = 49.972312; TSB_2 = 51.176416 - 73.993663 = -22.817247
    assert day2["ctl"] == pytest.approx(49.972312, rel=1e-6)
    assert day2["tsb"] == pytest.approx(-22.817247, rel=1e-6)
    # ascent and descent fitness have no starting value: from 0 as before
    assert day1["ascent_ctl"] == 0.0


def test_one_starting_value_is_enough_to_end_the_cold_start():
    rows = fitness.fitness(daily(WEEK), MODEL, start_ctl=40.0)
    assert rows["building_history"].to_list() == [False] * 7
    assert rows["atl"][0] == pytest.approx(50 * A7, rel=1e-6)  # the other starts from 0
    assert rows["tsb"][0] == pytest.approx(40.0) and rows["form_band"][0] == "transition"  # above +25


def test_history_days_is_a_setting():
    rows = fitness.fitness(daily(WEEK * 2), ModelSettings(history_days=10))
    assert rows["building_history"].to_list() == [True] * 10 + [False] * 4
    assert fitness.fitness(daily(WEEK), ModelSettings(history_days=0))["building_history"].to_list() == [False] * 7


# ---- the exact edges of the rules (mutation testing, issue 11)

#: Bands from day one, so that an edge shows in its band.
NO_COLD_START = ModelSettings(history_days=0)


def test_monotony_exactly_at_the_warn_and_flag_edges():
    # METRICS.md: warn at monotony > 1.5, flag at > 2.0; a value equal to an edge stays in the band below.
    # loads [10, 10, 10, 20, 30, 30, 30]: mean 140/7 = 20; squared deviations 100 x3, 0, 100 x3 = 600;
    # sample SD sqrt(600 / 6) = 10; monotony 20 / 10 = 2.0 exactly: "warn" (> 1.5), not "flag"
    rows = fitness.fitness(daily([10, 10, 10, 20, 30, 30, 30]), NO_COLD_START)
    assert rows["monotony"][6] == 2.0
    assert rows["monotony_band"][6] == "warn"
    # loads [0, 10, 30, 30, 40, 40, 60]: mean 210/7 = 30; squared deviations 900, 400, 0, 0, 100, 100, 900
    # = 2400; SD sqrt(2400 / 6) = 20; monotony 30 / 20 = 1.5 exactly: "ok", not "warn"
    rows = fitness.fitness(daily([0, 10, 30, 30, 40, 40, 60]), NO_COLD_START)
    assert rows["monotony"][6] == 1.5
    assert rows["monotony_band"][6] == "ok"


def test_acwr_is_defined_when_chronic_load_is_exactly_the_minimum():
    # chronic EWMA from 0, lambda = 2/29: day 1 after a load of 14.5 is 14.5 x 2/29 = 1.0 = acwr_chronic_min
    # (defined: "undefined while chronic < 1"); acute 14.5 x 2/8 = 3.625, ratio 3.625.
    # Day 2 (rest): chronic 1.0 x 27/29 = 0.931 < 1: undefined again.
    rows = fitness.fitness(daily([14.5, 0]), NO_COLD_START)
    assert rows["acwr_chronic"][0] == 1.0
    assert rows["acwr"][0] == pytest.approx(3.625)
    assert rows["acwr_band"][0] == "danger"  # >= 1.5
    assert rows["acwr_chronic"][1] == pytest.approx(27 / 29)
    assert rows["acwr"][1] is None and rows["acwr_band"][1] is None


"""Per-sample and per-activity metrics (trainlog.analysis.activity): the edges of each rule.

Every expected value is worked by hand in the comments. Small frames from builders.
"""

import math

import polars as pl
import pytest
from builders import activities, samples, utc

from trainlog.analysis import activity
from trainlog.ingest import repair
from trainlog.settings import AthleteSettings, ModelSettings

DEFAULTS = AthleteSettings()
#: No altitude smoothing: the hysteresis sees the raw altitudes, so gains are easy to work by hand.
RAW = AthleteSettings(model=ModelSettings(altitude_smoothing_s=0.0))
START = utc(2024, 3, 1, 8)


def per_sample(smp, acts, settings=DEFAULTS):
    return activity.sample_metrics(repair.repaired(smp, acts, settings.model), settings)


def per_activity(acts, smp, settings=DEFAULTS):
    return activity.activity_metrics(acts, per_sample(smp, acts, settings), settings)


def one(acts, smp, settings=DEFAULTS):
    """The per-activity row of a single activity, as a dict."""
    return per_activity(acts, smp, settings).row(0, named=True)


def run(**extra):
    return activities({"activity_id": "a", "start_utc": START, **extra})


# ---- per-sample rules (sample_metrics)


def test_a_distance_dropout_is_forward_filled():
    # Every 10 s at 1 m/s, distance 0, 10, (dropout), 30: the dropout holds 10 m (forward fill),
    # so its step is 0 and the next one carries the 20 m (a backward fill would put the 20 m on the
    # step before the dropout). The last sample covers nothing.
    smp = samples("a", START, step_s=10, n=4, speed_mps=[1.0] * 4, distance_m=[0.0, 10.0, None, 30.0])
    assert per_sample(smp, run())["distance_step_m"].to_list() == [10.0, 0.0, 20.0, 0.0]


def test_a_heart_rate_of_1_bpm_is_a_reading_and_0_a_dropout():
    # "Heart rates <= 0 are dropouts": 0 bpm gives no HR credit, 1 bpm does (its TRIMP is 0:
    # x = (1 - 60) / 130 clipped to 0). Every 10 s at 3 m/s: 10 s of credit each but the last.
    smp = samples("a", START, step_s=10, n=4, speed_mps=[3.0] * 4, hr_bpm=[0.0, 1.0, 1.0, 1.0])
    got = per_sample(smp, run())
    assert got["hr_moving_s"].to_list() == [0.0, 10.0, 10.0, 0.0]
    assert got["trimp"].to_list() == [0.0, 0.0, 0.0, 0.0]


def test_without_a_speed_stream_the_speed_is_distance_over_time():
    # No speed stream: speed = step / dt, moving from 0.3 m/s (credit min(dt, 10 s)).
    # t = 0, 1, 2, 12, 22 s; distance 0, 3, 3, 5, 15 m:
    #   0 -> 1 s: 3 m / 1 s = 3 m/s, moving, 1 s;   1 -> 2 s: 0 m / 1 s = 0, standing, 0 s;
    #   2 -> 12 s: 2 m / 10 s = 0.2 m/s, standing;  12 -> 22 s: 10 m / 10 s = 1 m/s, moving, 10 s;
    #   the last covers nothing. (m x s would make the 2 m step moving; a 1 s step is not "unknown".)
    smp = samples("a", START, times_s=[0.0, 1.0, 2.0, 12.0, 22.0], distance_m=[0.0, 3.0, 3.0, 5.0, 15.0])
    assert per_sample(smp, run())["moving_s"].to_list() == [1.0, 0.0, 0.0, 10.0, 0.0]


# ---- vertical speed: samples climbing at >= climb_grade_min (5 %) with moving time


def test_a_climb_at_exactly_the_minimum_grade_counts_as_climbing():
    # 11 samples every 10 s at 1 m/s, 10 m apart, +0.5 m each: grade 0.5 / 10 = 0.05 exactly, the
    # threshold (>=). 10 climbing samples: rise 10 x 0.5 = 5 m in 100 s: 5 / 100 x 3600 = 180 m/h.
    n = 11
    smp = samples(
        "a", START, step_s=10, n=n, speed_mps=[1.0] * n,
        distance_m=[10.0 * i for i in range(n)], altitude_m=[100.0 + 0.5 * i for i in range(n)],
    )
    assert one(run(), smp)["vertical_speed_m_per_h"] == pytest.approx(180.0, rel=1e-12)


def test_rise_without_moving_time_is_not_climbing():
    # 10 % grade throughout, every 10 s: 5 samples at 1 m/s (10 m each, 10 s credit each), then 5 at
    # 0.2 m/s (2 m each: slower than 0.3 m/s, standing, no credit). Climbing: the 5 moving samples,
    # rise 0.1 x 50 m = 5 m in 50 s: 360 m/h (the 4 slow steps would add 0.8 m: 417.6 m/h).
    distance = [0.0, 10.0, 20.0, 30.0, 40.0, 50.0, 52.0, 54.0, 56.0, 58.0]
    smp = samples(
        "a", START, step_s=10, n=10, speed_mps=[1.0] * 5 + [0.2] * 5,
        distance_m=distance, altitude_m=[100.0 + 0.1 * d for d in distance],
    )
    row = one(run(), smp)
    assert row["moving_s"] == 50.0
    assert row["vertical_speed_m_per_h"] == pytest.approx(360.0, rel=1e-9)


# ---- computed ascent and descent, grade


def test_computed_ascent_and_descent_when_only_some_samples_have_an_altitude():
    # No fix on the first sample (null altitude), then 100, 110, 120, 110, 100 m every 10 s (1 m/s of
    # vertical speed, no spike). Hysteresis 3 m, no smoothing: +20 m and -20 m, summed over samples.
    smp = samples("a", START, step_s=10, n=6, altitude_m=[None, 100.0, 110.0, 120.0, 110.0, 100.0])
    row = one(run(), smp, RAW)
    assert row["ascent_computed_m"] == pytest.approx(20.0)
    assert row["descent_computed_m"] == pytest.approx(20.0)
    assert (row["ascent_m"], row["ascent_source"]) == (pytest.approx(20.0), "computed")
    assert row["descent_m"] == pytest.approx(20.0)


def test_grade_pct_is_the_mean_absolute_grade():
    # Out and back: 100 m up at 10 %, then 100 m down at 10 %, samples every 10 m (10 s at 1 m/s).
    # Mean absolute grade weighted by distance: (0.1 x 100 + 0.1 x 100) / 200 = 10 % (signed: 0 %).
    distance = [10.0 * i for i in range(21)]
    altitude = [100.0 + 0.1 * min(d, 200.0 - d) for d in distance]
    smp = samples("a", START, step_s=10, n=21, speed_mps=[1.0] * 21, distance_m=distance, altitude_m=altitude)
    row = one(run(), smp, RAW)
    assert row["grade_pct"] == pytest.approx(10.0, rel=1e-9)
    assert row["ascent_computed_m"] == pytest.approx(10.0)
    assert row["descent_computed_m"] == pytest.approx(10.0)


# ---- edges: 1 s and 1 m, no moving time, no samples


def test_one_second_and_one_metre_still_give_coverage_grade_and_pace():
    # Two samples 1 s apart, 1 m apart, 1 m/s, HR 150: moving 1 s, distance 1 m (no altitude:
    # grade 0, GAP factor 1, grade-adjusted distance 1 m). Every "> 0" guard passes:
    #   grade_pct = 100 x 0 / 1 = 0; gap = 1 s / (1 m / 1000) = 1000 s/km;
    #   hr_coverage = 1 s / 1 s = 1; power_coverage = 0 s / 1 s = 0;
    #   TRIMP: x = (150 - 60) / 130 = 0.6923077; 1/60 min x 0.6923077 x 0.75 x exp(1.8 x 0.6923077)
    #   = 0.0086538 x 3.4770 = 0.030090 (kept: 1 s of HR credit is more than 0).
    smp = samples("a", START, step_s=1, n=2, speed_mps=[1.0, 1.0], distance_m=[0.0, 1.0], hr_bpm=[150.0, 150.0])
    row = one(run(), smp)
    assert (row["moving_s"], row["distance_m"]) == (1.0, 1.0)
    assert row["grade_pct"] == 0.0
    assert row["gad_m"] == pytest.approx(1.0)
    assert row["gap_s_per_km"] == pytest.approx(1000.0)
    assert (row["hr_coverage"], row["power_coverage"]) == (1.0, 0.0)
    x = 90 / 130
    assert row["trimp"] == pytest.approx(1 / 60 * x * 0.75 * math.exp(1.8 * x), rel=1e-9)
    assert row["load_source"] == "hr"


def test_standing_still_gives_no_coverage_pace_or_grade():
    # 5 samples a minute apart at 0 m/s, HR 120: no moving time, so no share of it has HR or power
    # (null, not 0/0), no distance: no grade, grade-adjusted distance or pace; duration load 0.
    smp = samples("a", START, step_s=60, n=5, speed_mps=[0.0] * 5, hr_bpm=[120.0] * 5)
    row = one(run(), smp)
    assert row["moving_s"] == 0.0
    for name in ("hr_coverage", "power_coverage", "grade_pct", "gad_m", "gap_s_per_km", "trimp"):
        assert row[name] is None, name
    assert (row["load_source"], row["load"]) == ("duration", 0.0)


def test_an_activity_without_samples_or_times_has_no_moving_time():
    # No samples, no timer or elapsed time: moving 0 s (not 1), duration load 0, no coverage.
    row = one(run(), samples("a", START, n=0))
    assert row["moving_s"] == 0.0
    assert row["load"] == 0.0
    assert row["hr_coverage"] is None and row["grade_pct"] is None and row["gap_s_per_km"] is None


# ---- the athlete's choices and goal_counted (METRICS.md, "The goal")

#: An hour without samples, 500 m (plausible) or 3,000 m (3,000 m/h > 2,500 m/h on foot: too_fast).
HOUR = {"start_utc": START, "timer_s": 3600.0}


def test_without_choice_columns_nothing_is_excluded_or_confirmed():
    acts = activities(
        {"activity_id": "ok", "ascent_device_m": 500.0, **HOUR},
        {"activity_id": "steep", "ascent_device_m": 3000.0, **HOUR},
    )
    got = per_activity(acts, samples("ok", START, n=0))
    assert got["ascent_flag"].to_list() == [None, "too_fast"]
    assert got["excluded"].to_list() == [False, False]
    assert got["ascent_confirmed"].to_list() == [False, False]
    assert got["goal_counted"].to_list() == [True, False]


def test_a_null_choice_is_no_choice():
    # Columns present but null (no choice recorded): not excluded, not confirmed.
    acts = activities(
        {"activity_id": "ok", "ascent_device_m": 500.0, **HOUR},
        {"activity_id": "steep", "ascent_device_m": 3000.0, **HOUR},
    ).with_columns(excluded=pl.lit(None, pl.Boolean), ascent_confirmed=pl.lit(None, pl.Boolean))
    got = per_activity(acts, samples("ok", START, n=0))
    assert got["excluded"].to_list() == [False, False]
    assert got["ascent_confirmed"].to_list() == [False, False]
    assert got["goal_counted"].to_list() == [True, False]


def test_goal_counted_rule():
    # A goal sport (default: running, walking, hiking, mountaineering), not excluded, and an ascent
    # not suspect or confirmed. A null sport is not a goal sport; a null choice is no choice.
    frame = pl.DataFrame(
        [
            ("running", False, None, False, True),
            ("hiking", False, None, None, True),
            ("cycling", False, None, False, False),  # not a goal sport
            (None, False, None, False, False),  # no sport
            ("running", True, None, False, False),  # excluded
            ("running", None, None, False, True),  # exclusion unknown: not excluded
            ("running", False, "too_fast", False, False),  # suspect
            ("running", False, "too_fast", None, False),  # suspect, confirmation unknown
            ("running", False, "device_disagrees", True, True),  # suspect but confirmed
        ],
        schema={"sport": pl.String, "excluded": pl.Boolean, "ascent_flag": pl.String,
                "ascent_confirmed": pl.Boolean, "expected": pl.Boolean},
        orient="row",
    )
    got = frame.select(activity.goal_counted(ModelSettings()))
    assert got.to_series().to_list() == frame["expected"].to_list()


def test_no_grade_adjusted_pace_when_the_grade_adjusted_distance_is_0():
    # With the default Minetti polynomial the cost is >= 1.78 J/kg/m on -0.45..0.45, so a run with
    # distance has a grade-adjusted distance above 0. The polynomial is a setting (only the flat cost
    # must be above 0): Cr(i) = -2 i + 1, held beyond |i| = 1, is 0 at i = 0.5. A steady 50 % climb
    # (+5 m per 10 m, every 10 s at 1 m/s) then has a grade-adjusted distance of 0 m: no pace
    # (null, not 90 s / 0 km).
    model = ModelSettings(minetti_coefficients=(0.0, 0.0, 0.0, 0.0, -2.0, 1.0), minetti_clip=1.0)
    n = 10
    smp = samples(
        "a", START, step_s=10, n=n, speed_mps=[1.0] * n,
        distance_m=[10.0 * i for i in range(n)], altitude_m=[100.0 + 5.0 * i for i in range(n)],
    )
    row = one(run(), smp, AthleteSettings(model=model))
    assert (row["moving_s"], row["distance_m"]) == (90.0, 90.0)
    assert row["gad_m"] == 0.0
    assert row["gap_s_per_km"] is None

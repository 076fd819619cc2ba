"""Moving time, TRIMP, normalized HR load, power, pace, RPE and duration load, load source and km-effort,
per activity (hand-worked)."""

import datetime as dt
import math

import polars as pl
import pytest
from builders import activities, concat, samples, utc

from trainlog.analysis import activity
from trainlog.analysis import pipeline as report
from trainlog.ingest import repair
from trainlog.settings import AthleteSettings, ModelSettings
from trainlog.store import schema

T0 = utc(2024, 3, 1, 8)
DEFAULTS = AthleteSettings()  # hr_max 190, hr_rest 60, lthr 0.88 x 190 = 167.2, unknown sex a 0.75 b 1.80
# One minute at 150 bpm: x = (150 - 60) / (190 - 60) = 0.69230769; 1.8 x = 1.24615385
# TRIMP = 1 min * x * 0.75 * exp(1.24615385) = 0.51923077 * 3.47694434 = 1.80533649
TRIMP_MINUTE_150 = 0.51923077 * 3.47694434


def metrics_of(sample_frame, settings=DEFAULTS, **activity):
    acts = activities({"activity_id": "a", "start_utc": T0, **activity})
    return report.activity_metrics(acts, sample_frame, settings).row(0, named=True)


def test_trimp_of_one_minute_at_150_bpm():
    # 61 samples 1 s apart: 60 s of moving credit (the last sample covers nothing)
    got = metrics_of(samples("a", T0, n=61, speed_mps=[3.0] * 61, hr_bpm=[150.0] * 61))
    assert got["moving_s"] == pytest.approx(60.0)
    assert got["trimp"] == pytest.approx(TRIMP_MINUTE_150, rel=1e-6)
    assert got["load_source"] == "hr"


def test_one_hour_at_threshold_is_100():
    n = 361  # every 10 s for an hour
    got = metrics_of(samples("a", T0, step_s=10, n=n, speed_mps=[3.0] * n, hr_bpm=[167.2] * n))
    # TRIMP(60 min at lthr) is the reference itself: 100 * T / T = 100
    # (T = 60 * 0.8246154 * 0.75 * exp(1.4843077) = 60 * 0.6184615 * 4.4118 = 163.71)
    assert got["trimp"] == pytest.approx(60 * (107.2 / 130) * 0.75 * math.exp(1.8 * 107.2 / 130), rel=1e-9)
    assert got["hr_load"] == pytest.approx(100.0)
    assert got["load"] == pytest.approx(100.0)


def test_sex_selects_the_trimp_coefficients():
    female = AthleteSettings(sex="female")
    got = metrics_of(samples("a", T0, n=61, speed_mps=[3.0] * 61, hr_bpm=[150.0] * 61), female)
    # 1 min * 0.6923077 * 0.86 * exp(1.67 * 0.6923077) = 0.5953846 * 3.1779 = 1.89207
    assert got["trimp"] == pytest.approx(0.6923077 * 0.86 * math.exp(1.67 * 0.6923077), rel=1e-6)


def test_pauses_give_no_moving_time_and_no_load():
    # 0..60 s running at 3 m/s, then standing (speed 0) 61..120 s
    speed = [3.0] * 61 + [0.0] * 60
    got = metrics_of(samples("a", T0, n=121, speed_mps=speed, hr_bpm=[150.0] * 121))
    # credits: samples 0..60 moving, 1 s each = 61 s (sample 60 covers 60->61 s); standing samples give 0
    assert got["moving_s"] == pytest.approx(61.0)
    assert got["trimp"] == pytest.approx(61 / 60 * TRIMP_MINUTE_150, rel=1e-6)


def test_logger_gaps_are_capped_at_10_s():
    # samples at 0, 5, 65, 70 s: gaps 5, 60, 5 -> credits 5 + 10 + 5 = 20 s
    got = metrics_of(samples("a", T0, times_s=[0, 5, 65, 70], speed_mps=[3.0] * 4))
    assert got["moving_s"] == pytest.approx(20.0)


def test_duplicated_timestamps_count_once():
    got = metrics_of(samples("a", T0, times_s=[0, 1, 1, 2], speed_mps=[3.0] * 4))
    assert got["moving_s"] == pytest.approx(2.0)


def test_hr_dropouts_keep_hr_load_at_80_percent_coverage():
    # 11 samples 1 s apart: 10 credited seconds; HR missing on 2 of them (a null and a 0 reading)
    hr = [150.0, 150, 150, None, 0.0, 150, 150, 150, 150, 150, 150]
    got = metrics_of(samples("a", T0, n=11, speed_mps=[3.0] * 11, hr_bpm=hr))
    assert got["hr_coverage"] == pytest.approx(0.8)  # 8 s / 10 s
    assert got["load_source"] == "hr"
    assert got["trimp"] == pytest.approx(8 / 60 * TRIMP_MINUTE_150, rel=1e-6)


def test_below_80_percent_hr_falls_back_to_pace():
    hr = [150.0, 150, None, None, None, 150, 150, 150, 150, 150, 150]  # 7 s / 10 s
    got = metrics_of(samples("a", T0, n=11, distance_m=[3.0 * i for i in range(11)], hr_bpm=hr))
    assert got["hr_coverage"] == pytest.approx(0.7)
    assert got["load_source"] == "gap"


def test_one_second_and_one_metre_on_foot_is_already_a_pace_load():
    # the gap rule needs a grade-adjusted distance above 0 m and moving time above 0 s: 1 m and 1 s are enough.
    # Two samples 1 s apart, 0 m and 1 m, no altitude (flat: gad = distance): speed 1 m/s >= 0.3, moving 1 s.
    # IF = 1 m/s / (1000 / 270) m/s = 0.27: load = 100 x (1 / 3600) h x 0.27^2 = 0.002025
    got = metrics_of(samples("a", T0, n=2, distance_m=[0.0, 1.0]))
    assert got["moving_s"] == 1.0 and got["gad_m"] == 1.0
    assert got["load_source"] == "gap"
    assert got["load"] == pytest.approx(100 / 3600 * 0.27**2, rel=1e-9)


def test_distance_without_moving_time_is_no_pace_load():
    # a speed stream of 0.1 m/s (< 0.3: standing) while the distance creeps up 0.1 m a second:
    # 1 m of grade-adjusted distance but 0 s of moving time: no pace (IF would be 1 m / 0 s), a duration load of 0
    got = metrics_of(samples("a", T0, n=11, speed_mps=[0.1] * 11, distance_m=[0.1 * i for i in range(11)]))
    assert got["moving_s"] == 0.0 and got["gad_m"] == pytest.approx(1.0)
    assert got["load_source"] == "duration"
    assert got["load"] == 0.0

def test_no_hr_one_flat_hour_at_threshold_pace_is_100():
    # threshold pace 270 s/km = 3.7037 m/s; flat (no altitude): grade 0, gad = distance
    n = 361
    speed = 1000 / 270
    got = metrics_of(samples("a", T0, step_s=10, n=n, distance_m=[speed * 10 * i for i in range(n)]))
    assert got["trimp"] is None and got["hr_load"] is None
    assert got["gad_m"] == pytest.approx(speed * 3600)
    assert got["gap_s_per_km"] == pytest.approx(270.0)
    # IF = 1: 100 * 1 h * 1^2
    assert got["load_source"] == "gap"
    assert got["load"] == pytest.approx(100.0)


def test_half_threshold_speed_for_an_hour_is_25():
    n = 361
    speed = 1000 / 270 / 2
    got = metrics_of(samples("a", T0, step_s=10, n=n, distance_m=[speed * 10 * i for i in range(n)]))
    assert got["load"] == pytest.approx(25.0)  # 100 * 1 h * 0.5^2


def test_treadmill_without_distance_or_hr_is_duration_load():
    n = 361  # an hour of samples with nothing but time
    got = metrics_of(samples("a", T0, step_s=10, n=n))
    assert got["moving_s"] == pytest.approx(3600.0)
    assert got["load_source"] == "duration"
    assert got["load"] == pytest.approx(50.0)  # 1 h x 50
    assert got["gad_m"] is None and got["gap_s_per_km"] is None


def test_activity_without_samples_uses_session_totals():
    got = metrics_of(concat(), timer_s=7200.0, elapsed_s=7500.0, distance_m=10000.0, ascent_device_m=500.0)
    assert got["moving_s"] == pytest.approx(7200.0)
    assert got["load_source"] == "duration"
    assert got["load"] == pytest.approx(100.0)  # 2 h x 50
    assert got["ascent_m"] == pytest.approx(500.0) and got["ascent_source"] == "device"
    assert got["km_effort"] == pytest.approx(15.0)  # 10 km + 500 m / 100


def test_climb_vertical_speed_grade_and_grade_adjusted_distance():
    # 2 m/s up a steady 10 % grade: 0.2 m/s vertical = 720 m/h
    n = 61
    got = metrics_of(
        samples("a", T0, n=n, distance_m=[2.0 * i for i in range(n)], altitude_m=[0.2 * i for i in range(n)])
    )
    assert got["vertical_speed_m_per_h"] == pytest.approx(720.0)
    assert got["grade_pct"] == pytest.approx(10.0)
    assert got["gad_m"] == pytest.approx(120 * 5.968214 / 3.6)  # 120 m x Cr(0.1) / Cr(0)
    # smoothing: 10 s trailing mean; at the top (t = 60 s) it averages t = 51..60 s:
    # 0.2 x 55.5 = 11.1 m; at the start it is 0.0 m. Hysteresis: once 3 m above the
    # start the climb is confirmed and counts in full: 11.1 - 0.0 = 11.1 m
    assert got["ascent_computed_m"] == pytest.approx(11.1)
    assert got["ascent_source"] == "computed"
    assert got["km_effort"] == pytest.approx(0.12 + 0.111)  # 0.12 km + 11.1 m / 100


def test_one_climbing_second_has_a_vertical_speed():
    # two samples 1 s apart, 0 m and 10 m along, 100 m and 101 m up: the forward 10 m window gives
    # sample 0 a grade of 1 / 10 = 10 % (>= climb_grade_min 5 %), its moving credit 1 s (10 m/s):
    # it rises 0.1 x 10 m = 1 m in 1 s of climbing = 3600 m/h (any climbing time above 0 s counts)
    got = metrics_of(samples("a", T0, n=2, distance_m=[0.0, 10.0], altitude_m=[100.0, 101.0]))
    assert got["grade_pct"] == pytest.approx(10.0)
    assert got["vertical_speed_m_per_h"] == pytest.approx(3600.0)

def test_flat_run_has_no_vertical_speed():
    got = metrics_of(samples("a", T0, n=11, distance_m=[3.0 * i for i in range(11)], altitude_m=[100.0] * 11))
    assert got["vertical_speed_m_per_h"] is None
    assert got["ascent_computed_m"] == 0.0


# ---- TRIMP's clipping and the exact edges of moving time and coverage


def test_trimp_clips_hr_above_max_to_max_and_below_rest_to_nothing():
    # x = (hr - 60) / (190 - 60) clipped to [0, 1]: 200 bpm counts as 190 (x = 1), 40 bpm as 60 (x = 0)
    above = metrics_of(samples("a", T0, n=61, speed_mps=[3.0] * 61, hr_bpm=[200.0] * 61))
    assert above["trimp"] == pytest.approx(1 * 1.0 * 0.75 * math.exp(1.8), rel=1e-9)  # 4.537236 (unclipped: 5.15)
    below = metrics_of(samples("a", T0, n=61, speed_mps=[3.0] * 61, hr_bpm=[40.0] * 61))
    assert below["trimp"] == 0.0  # unclipped x = -0.1538 would give -0.087, a negative load
    assert below["load_source"] == "hr" and below["load"] == 0.0


def test_exactly_the_slowest_moving_speed_is_moving():
    # moving_speed_min_mps 0.3: 0.3 m/s is moving, 0.29 m/s is standing
    at_edge = metrics_of(samples("a", T0, n=11, speed_mps=[0.3] * 11))
    assert at_edge["moving_s"] == pytest.approx(10.0)
    slower = metrics_of(samples("a", T0, n=11, speed_mps=[0.29] * 11))
    assert slower["moving_s"] == 0.0


def test_a_sample_is_credited_at_most_exactly_10_s():
    # sample_dt_cap_s 10: gaps of 9.5, 10 and 11 s give 9.5 + 10 + 10 = 29.5 s
    got = metrics_of(samples("a", T0, times_s=[0, 9.5, 19.5, 30.5], speed_mps=[3.0] * 4))
    assert got["moving_s"] == pytest.approx(29.5)


@pytest.mark.parametrize(("missing", "coverage", "source"), [(2, 0.8, "hr"), (3, 0.7, "duration")])
def test_hr_coverage_of_exactly_80_percent_is_enough(missing, coverage, source):
    # 10 credited seconds, HR missing on the first `missing`; no distance: the fallback is duration
    hr = [None] * missing + [150.0] * (11 - missing)
    got = metrics_of(samples("a", T0, n=11, speed_mps=[3.0] * 11, hr_bpm=hr))
    assert got["hr_coverage"] == coverage
    assert got["load_source"] == source


# ---- power (cycling only), METRICS.md "Load when there is no heart rate, and by sport"

RIDER = AthleteSettings(ftp_w=250.0)


def with_power(frame, watts):
    """``frame`` (samples) with its ``power_w`` stream set (W; None: no reading)."""
    return frame.with_columns(power_w=pl.Series(watts, dtype=pl.Float64))


def ride(n=3601, step_s=1, speed=30 / 3.6, watts=None, hr=None):
    """Samples of a ride at ``speed`` m/s (default 30 km/h), every ``step_s`` s."""
    frame = samples("a", T0, step_s=step_s, n=n, distance_m=[speed * step_s * i for i in range(n)],
                    speed_mps=[speed] * n, hr_bpm=hr)
    return frame if watts is None else with_power(frame, watts)


def test_one_hour_of_cycling_without_hr_or_power_is_a_duration_load_not_a_running_pace_load():
    # issue 11 case 3: 30 km/h on the running pace model was IF 8.333 / 3.7037 = 2.25: 100 x 2.25^2 = 506.25
    got = metrics_of(ride(), sport="cycling")
    assert got["moving_s"] == pytest.approx(3600.0)
    assert got["load_source"] == "duration"
    assert got["load"] == pytest.approx(50.0)  # 1 h x 50
    assert got["power_coverage"] == 0.0 and got["normalized_power_w"] is None


def test_constant_power_for_an_hour_is_100_x_if_squared():
    # NP of a constant 200 W is 200 W; IF = 200 / 250 = 0.8: 100 x 1 h x 0.64 = 64
    got = metrics_of(ride(watts=[200.0] * 3601), RIDER, sport="cycling")
    assert got["power_coverage"] == pytest.approx(1.0)
    assert got["normalized_power_w"] == pytest.approx(200.0)
    assert got["load_source"] == "power"
    assert got["load"] == pytest.approx(64.0)


def test_normalized_power_is_the_4th_power_mean_of_the_30_s_rolling_mean():
    # 90 s at 1 Hz (91 samples, the last covers nothing): 0 W for 60 s, then 300 W.
    # The 30 s window (t - 30, t] at t = 60 + (k - 1) holds k samples of 300 W: mean 10 k W, k = 1..30.
    # NP^4 = sum(k = 1..30 of (10 k)^4) / 90 = 10^4 x 5,273,999 / 90 = 585,999,888.9: NP = 155.587 W
    # (mean power is 100 W; without the rolling mean NP would be 300 x (1/3)^(1/4) = 227.95 W)
    got = metrics_of(ride(n=91, watts=[0.0] * 60 + [300.0] * 31), RIDER, sport="cycling")
    assert got["normalized_power_w"] == pytest.approx((10**4 * 5_273_999 / 90) ** 0.25, rel=1e-9)
    assert got["normalized_power_w"] == pytest.approx(155.587, abs=1e-3)
    # load: 100 x (90 / 3600) h x (155.587 / 250)^2 = 0.96830
    assert got["load"] == pytest.approx(100 * 90 / 3600 * (155.587386 / 250) ** 2, rel=1e-6)


def test_the_rolling_window_leaves_out_the_sample_30_s_before():
    # samples every 30 s: each window (t - 30, t] holds one reading; credit capped at 10 s each.
    # NP^4 = (100^4 + 300^4 + 100^4 + 300^4) / 4 = 4.1e9: NP = 253.046 W
    # (a window [t - 30, t] would average pairs: 200 W after the first: NP = 187.08 W)
    got = metrics_of(ride(n=5, step_s=30, watts=[100.0, 300.0, 100.0, 300.0, 100.0]), RIDER, sport="cycling")
    assert got["moving_s"] == pytest.approx(40.0)
    assert got["normalized_power_w"] == pytest.approx(4.1e9**0.25, rel=1e-9)


def test_the_per_sample_rolling_power_and_its_weight():
    # samples every 10 s (credit 10 s each, the last none), power: none, 100, 300, none, 200 W.
    # power_30s_w, the mean of the readings in (t - 30 s, t], only on samples with a reading:
    #   t = 10: 100; t = 20: (100 + 300) / 2 = 200; t = 40: (300 + 200) / 2 = 250 (the null at 30 s
    #   is left out, the 100 W at 10 s is not in (10, 40])
    # power_weight = power_30s_w^4 x power_moving_s: 100^4 x 10 = 1e9, 200^4 x 10 = 1.6e10;
    #   0 without a reading (t = 0, 30: no power credit) and on the last sample (no credit)
    frame = with_power(samples("a", T0, times_s=[0, 10, 20, 30, 40], speed_mps=[3.0] * 5),
                       [None, 100.0, 300.0, None, 200.0])
    acts = activities({"activity_id": "a", "start_utc": T0, "sport": "cycling"})
    got = activity.sample_metrics(repair.repaired(frame, acts, RIDER.model), RIDER)
    assert got["power_moving_s"].to_list() == [0.0, 10.0, 10.0, 0.0, 0.0]
    assert got["power_30s_w"].to_list() == [None, 100.0, 200.0, None, 250.0]
    assert got["power_weight"].to_list() == [0.0, 1e9, 1.6e10, 0.0, 0.0]
    # NP = ((1e9 + 1.6e10) / 20) ^ (1/4) = (8.5e8) ^ (1/4) = 170.749 W
    assert metrics_of(frame, RIDER, sport="cycling")["normalized_power_w"] == pytest.approx(8.5e8**0.25, rel=1e-12)


def test_one_second_with_power_has_a_normalized_power():
    # 11 samples 1 s apart, 200 W on the first only: 1 s of moving credit with power (any time above 0 s)
    # gives NP = (200^4 x 1 / 1) ^ (1/4) = 200 W; coverage 1 / 10 s: not a power load
    watts = [200.0] + [None] * 10
    got = metrics_of(with_power(samples("a", T0, n=11, speed_mps=[3.0] * 11), watts), RIDER, sport="cycling")
    assert got["power_coverage"] == pytest.approx(0.1)
    assert got["normalized_power_w"] == pytest.approx(200.0)
    assert got["load_source"] == "duration"


def test_an_activity_without_a_sport_gets_no_power_load():
    # FTP set and power on every sample, but no sport: not a cycling sport (nor a foot sport): 10 s x 50 / h
    got = metrics_of(ride(n=11, watts=[200.0] * 11), RIDER, sport=None)
    assert got["power_coverage"] == 1.0 and got["normalized_power_w"] == pytest.approx(200.0)
    assert got["load_source"] == "duration"
    assert got["load"] == pytest.approx(10 / 3600 * 50)

@pytest.mark.parametrize(("missing", "coverage", "source"), [(2, 0.8, "power"), (3, 0.7, "duration")])
def test_power_coverage_of_exactly_80_percent_is_enough(missing, coverage, source):
    # 10 credited seconds, power missing (null, or a negative reading) on the first `missing`
    watts = [-1.0] + [None] * (missing - 1) + [200.0] * (11 - missing)
    got = metrics_of(ride(n=11, watts=watts), RIDER, sport="cycling")
    assert got["power_coverage"] == coverage
    assert got["load_source"] == source


def test_power_load_needs_ftp_and_a_cycling_sport():
    watts = [200.0] * 3601
    no_ftp = metrics_of(ride(watts=watts), DEFAULTS, sport="cycling")
    assert no_ftp["normalized_power_w"] == pytest.approx(200.0)  # measured all the same
    assert no_ftp["load_source"] == "duration" and no_ftp["load"] == pytest.approx(50.0)
    e_bike = metrics_of(ride(watts=watts), RIDER, sport="e_biking")
    assert e_bike["load_source"] == "power" and e_bike["load"] == pytest.approx(64.0)
    # a run with a power meter keeps its pace load: 30 km/h on foot, IF 2.25: 506.25
    run = metrics_of(ride(watts=watts), RIDER, sport="running")
    assert run["load_source"] == "gap" and run["load"] == pytest.approx(506.25, rel=1e-6)


def test_heart_rate_comes_before_power():
    got = metrics_of(ride(watts=[200.0] * 3601, hr=[150.0] * 3601), RIDER, sport="cycling")
    assert got["load_source"] == "hr"
    assert got["load"] == pytest.approx(got["hr_load"])


# ---- pace only on foot; duration by sport


@pytest.mark.parametrize("sport", ["swimming", "cross_country_skiing", "rowing", None])
def test_sports_without_a_pace_model_get_a_duration_load(sport):
    # half an hour at 1 m/s with a distance stream and no HR: 0.5 h x 50 = 25
    got = metrics_of(ride(n=1801, speed=1.0), sport=sport)
    assert got["load_source"] == "duration"
    assert got["load"] == pytest.approx(25.0)


@pytest.mark.parametrize("sport", ["running", "walking", "hiking", "mountaineering"])
def test_foot_sports_without_hr_keep_their_pace_load(sport):
    # half an hour at half threshold speed: 100 x 0.5 h x 0.5^2 = 12.5
    got = metrics_of(ride(n=1801, speed=1000 / 270 / 2), sport=sport)
    assert got["load_source"] == "gap"
    assert got["load"] == pytest.approx(12.5)


def test_duration_load_per_hour_by_sport():
    model = ModelSettings(duration_load_per_hour_by_sport={"swimming": 70.0})
    settings = AthleteSettings(model=model)
    swim = metrics_of(ride(n=1801, speed=1.0), settings, sport="swimming")
    assert swim["load"] == pytest.approx(35.0)  # 0.5 h x 70
    rowing = metrics_of(ride(n=1801, speed=1.0), settings, sport="rowing")
    assert rowing["load"] == pytest.approx(25.0)  # 0.5 h x the default 50
    without_samples = metrics_of(concat(), settings, sport="swimming", timer_s=5400.0)
    assert without_samples["load"] == pytest.approx(105.0)  # 1.5 h x 70


# ---- session RPE (Foster 2001): rpe x minutes x 100 / (7 x 60)


def rated(rpe, **activity):
    """An activities frame of one activity with the athlete's session RPE (CR-10; None: no rating)."""
    return activities({"activity_id": "a", "start_utc": T0, **activity}).with_columns(
        rpe=pl.lit(rpe, pl.Float64)
    )


def rated_metrics(acts, sample_frame, settings=DEFAULTS):
    """The metrics row of ``acts`` (with its ``rpe`` column) as trainlog.analysis.activity.activity_metrics gives it:
    the ratings arrive as an optional ``rpe`` column of the activities frame (trainlog.store.choices joins them in)."""
    per_sample = activity.sample_metrics(repair.repaired(sample_frame, acts, settings.model), settings)
    return activity.activity_metrics(acts, per_sample, settings).row(0, named=True)


@pytest.mark.parametrize(("rpe", "minutes", "expected"), [(7.0, 60, 100.0), (5.0, 45, 53.5714286)])
def test_rpe_load(rpe, minutes, expected):
    # 7 x 60 x 100 / 420 = 100; 5 x 45 x 100 / 420 = 53.571
    acts = rated(rpe, sport="strength_training", timer_s=minutes * 60.0)
    got = rated_metrics(acts, concat())
    assert got["rpe"] == rpe
    assert got["load_source"] == "rpe"
    assert got["load"] == pytest.approx(expected)


def test_rpe_minutes_are_moving_minutes():
    # samples every 10 s with no speed or distance (moving throughout), and a 30 min pause after the
    # 90th: 89 x 10 s + 10 s (the pause, capped) + 90 x 10 s = 1800 s, not the timer's 9999 s
    n = 181
    times = [10.0 * i for i in range(n)]
    times = times[:90] + [t + 1800 for t in times[90:]]
    acts = rated(7.0, sport="cycling", timer_s=9999.0)
    got = rated_metrics(acts, samples("a", T0, times_s=times))
    assert got["moving_s"] == pytest.approx(1800.0)
    assert got["load_source"] == "rpe"
    assert got["load"] == pytest.approx(50.0)  # 7 x 30 x 100 / 420


def test_rpe_comes_after_hr_power_and_pace_and_before_duration():
    hr = rated_metrics(rated(3.0), samples("a", T0, n=61, speed_mps=[3.0] * 61, hr_bpm=[150.0] * 61))
    assert hr["load_source"] == "hr" and hr["rpe"] == 3.0
    power = rated_metrics(rated(3.0, sport="cycling"), ride(watts=[200.0] * 3601), RIDER)
    assert power["load_source"] == "power"
    pace = rated_metrics(rated(3.0), ride(speed=1000 / 270))
    assert pace["load_source"] == "gap" and pace["load"] == pytest.approx(100.0)
    swim = rated_metrics(rated(3.0, sport="swimming"), ride(speed=1.0))
    assert swim["load_source"] == "rpe" and swim["load"] == pytest.approx(3 * 60 * 100 / 420)  # 42.857
    unrated = rated_metrics(rated(None, sport="swimming"), ride(speed=1.0))
    assert unrated["load_source"] == "duration" and unrated["rpe"] is None


def test_an_activities_frame_without_an_rpe_column_has_no_rating():
    got = rated_metrics(activities({"activity_id": "a", "start_utc": T0, "sport": "swimming", "timer_s": 3600.0}),
                        concat())
    assert got["rpe"] is None and got["load_source"] == "duration"


def test_power_comes_before_pace_for_a_sport_in_both_lists():
    # the defaults keep cycling and foot sports apart; a sport listed in both follows METRICS.md's order
    model = ModelSettings(foot_sports=("running", "cycling"))
    got = metrics_of(ride(watts=[200.0] * 3601), AthleteSettings(ftp_w=250.0, model=model), sport="cycling")
    assert got["load_source"] == "power" and got["load"] == pytest.approx(64.0)
    no_ftp = metrics_of(ride(watts=[200.0] * 3601), AthleteSettings(model=model), sport="cycling")
    assert no_ftp["load_source"] == "gap" and no_ftp["load"] == pytest.approx(506.25, rel=1e-6)


# ---- the session-RPE load kept beside every rated run's load (load_rpe), and analyse(ratings=...)


def test_a_rated_run_with_heart_rate_keeps_its_hr_load_and_gets_a_session_rpe_load_beside_it():
    # 271 samples 10 s apart at 150 bpm: 270 x 10 s = 2700 s = 45 moving minutes
    n = 271
    frame = samples("a", T0, step_s=10, n=n, speed_mps=[3.0] * n, hr_bpm=[150.0] * n)
    got = rated_metrics(rated(6.0), frame)
    assert got["moving_s"] == pytest.approx(2700.0)
    # HR load: TRIMP = 45 x 1.80533649 = 81.2401; reference = 60 x 0.8246154 x 0.75 x exp(1.8 x 0.8246154) = 163.71
    reference = 60 * (107.2 / 130) * 0.75 * math.exp(1.8 * 107.2 / 130)
    assert got["load_source"] == "hr"
    assert got["load"] == pytest.approx(100 * 45 * TRIMP_MINUTE_150 / reference, rel=1e-6)  # 49.62
    assert got["load"] == got["hr_load"]
    # session RPE: 6 x 45 x 100 / (7 x 60) = 27000 / 420 = 64.2857...
    assert got["load_rpe"] == pytest.approx(64.28571428571429, rel=1e-12)
    unrated = rated_metrics(rated(None), frame)
    assert unrated["load_rpe"] is None and unrated["load"] == pytest.approx(got["load"], rel=1e-12)


def test_a_rated_pace_or_power_load_keeps_its_source_and_gets_a_load_rpe():
    # an hour at threshold pace rated 7: gap load 100 (100 x 1 h x 1^2), load_rpe 7 x 60 x 100 / 420 = 100 as well
    pace = rated_metrics(rated(7.0), ride(speed=1000 / 270))
    assert pace["load_source"] == "gap" and pace["load"] == pytest.approx(100.0)
    assert pace["load_rpe"] == pytest.approx(100.0, rel=1e-12)
    # an hour at 200 W with FTP 250 rated 4: power load 100 x 1 x 0.8^2 = 64; load_rpe 4 x 60 x 100 / 420 = 57.142857
    power = rated_metrics(rated(4.0, sport="cycling"), ride(watts=[200.0] * 3601), RIDER)
    assert power["load_source"] == "power" and power["load"] == pytest.approx(64.0)
    assert power["load_rpe"] == pytest.approx(4 * 60 * 100 / 420, rel=1e-12)


@pytest.mark.parametrize(("rpe", "minutes"), [(6.0, 45), (0.0, 30), (10.0, 90), (2.5, 12)])
def test_without_hr_power_or_pace_the_load_is_the_session_rpe_load(rpe, minutes):
    # no samples: the timer's minutes; 6 x 45 x 100 / 420 = 64.2857; 0 -> 0; 10 x 90 x 100 / 420 = 214.2857;
    # 2.5 x 12 x 100 / 420 = 7.142857
    got = rated_metrics(rated(rpe, sport="strength_training", timer_s=minutes * 60.0), concat())
    assert got["load_source"] == "rpe"
    assert got["load_rpe"] == pytest.approx(rpe * minutes * 100 / 420, rel=1e-12, abs=1e-12)
    assert got["load"] == got["load_rpe"]


def test_analyse_takes_the_ratings_table():
    # a: 45 min of strength at RPE 6, no samples; b: the same unrated; c: 30 min at 150 bpm rated 9
    acts = activities(
        {"activity_id": "a", "start_utc": T0, "sport": "strength_training", "timer_s": 2700.0},
        {"activity_id": "b", "start_utc": T0 + dt.timedelta(days=1), "sport": "strength_training", "timer_s": 2700.0},
        {"activity_id": "c", "start_utc": T0 + dt.timedelta(days=2)},
    )
    frame = samples("c", T0 + dt.timedelta(days=2), step_s=10, n=181, speed_mps=[3.0] * 181, hr_bpm=[150.0] * 181)
    ratings = pl.DataFrame(
        {"activity_id": ["a", "c", "c"], "rpe": [6.0, 8.0, 9.0], "feel": [4, None, 2], "note": [None, None, "hot"],
         "at": [T0] * 3},
        schema=schema.RATINGS,
    )
    result = report.analyse(acts, frame, DEFAULTS, ratings=ratings)
    per = result.per_activity.sort("activity_id")
    assert per["load_source"].to_list() == ["rpe", "duration", "hr"]
    assert per["rpe"].to_list() == [6.0, None, 9.0] and per["feel"].to_list() == [4, None, 2]  # c: the latest
    # a: 6 x 45 x 100 / 420 = 64.2857; b: none; c: 9 x 30 x 100 / 420 = 64.2857 as well (30 moving minutes)
    assert per["load_rpe"].to_list()[0] == pytest.approx(270 / 4.2, rel=1e-12)
    assert per["load_rpe"].to_list()[1] is None
    assert per["load_rpe"].to_list()[2] == pytest.approx(9 * 30 * 100 / 420, rel=1e-12)
    # the daily series books a's RPE load and b's duration load (0.75 h x 50 = 37.5) on their days, c's HR load
    loads = dict(zip(result.daily["date"].to_list(), result.daily["load"].to_list()))
    assert loads[T0.date()] == pytest.approx(64.28571428571429, rel=1e-12)
    assert loads[T0.date() + dt.timedelta(days=1)] == pytest.approx(37.5, rel=1e-12)
    assert loads[T0.date() + dt.timedelta(days=2)] == pytest.approx(per["hr_load"].to_list()[2], rel=1e-12)
    # without ratings: no RPE anywhere
    plain = report.analyse(acts, frame, DEFAULTS).per_activity
    assert plain["load_rpe"].null_count() == 3 and plain["rpe"].null_count() == 3

"""Moving time, TRIMP, normalized HR load, load source and km-effort, per activity (hand-worked)."""

import math

import pytest

from metrics_builders import activities, concat, samples, utc
from trainlog import report
from trainlog.settings import AthleteSettings

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
    assert got["vertical_speed_mph"] == pytest.approx(720.0)
    assert got["grade_pct"] == pytest.approx(10.0)
    assert got["gad_m"] == pytest.approx(120 * 5.968214 / 3.6)  # 120 m x Cr(0.1) / Cr(0)
    # smoothing: 10 s trailing mean; at the top (t = 60 s) it averages t = 51..60 s:
    # 0.2 x 55.5 = 11.1 m; at the start it is 0.0 m. Hysteresis: once 3 m above the
    # start the climb is confirmed and counts in full: 11.1 - 0.0 = 11.1 m
    assert got["ascent_computed_m"] == pytest.approx(11.1)
    assert got["ascent_source"] == "computed"
    assert got["km_effort"] == pytest.approx(0.12 + 0.111)  # 0.12 km + 11.1 m / 100


def test_flat_run_has_no_vertical_speed():
    got = metrics_of(samples("a", T0, n=11, distance_m=[3.0 * i for i in range(11)], altitude_m=[100.0] * 11))
    assert got["vertical_speed_mph"] is None
    assert got["ascent_computed_m"] == 0.0

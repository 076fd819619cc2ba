"""Altitude cleaning, spikes, hysteresis gain/loss, the choice of ``ascent_m`` and its flag.

Hand-worked values, and every rule pinned at its exact edge (shared/METRICS.md,
"Elevation gain and loss"): the dirty files themselves are in test_dirty_elevation.py.
"""

import contextlib
import dataclasses
import datetime as dt
import subprocess
import sys
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from trainlog.analysis import elevation
from trainlog.settings import ModelSettings

# hysteresis 3 m, validity (-500, 9000], spikes above 5 m/s, 2,500 m per moving hour on foot,
# plausible band 0.5 x computed + 50 m
MODEL = ModelSettings()
T0 = dt.datetime(2026, 3, 13, 8, tzinfo=dt.UTC)
ROOT = Path(__file__).resolve().parents[1]


def steps(altitudes, ids=None):
    ids = ids or ["a"] * len(altitudes)
    gain, loss = elevation.hysteresis_steps(pl.Series(ids), pl.Series(altitudes, dtype=pl.Float64), MODEL.hysteresis_m)
    return gain.to_list(), loss.to_list()


def test_hysteresis_counts_a_rise_only_beyond_3_m_from_the_last_low():
    # low 100; 102 (+2 from low) no; 104 (+4 > 3) climbing: gain 4 (from 100), top 104;
    # 101 (-3 from top, not beyond) no; 98 (-6) descending: loss 6, bottom 98;
    # 95 (new bottom) loss 3; 99 (+4 from 95 > 3) climbing: gain 4.
    gain, loss = steps([100, 102, 104, 101, 98, 95, 99])
    assert gain == [0, 0, 4, 0, 0, 0, 4]
    assert loss == [0, 0, 0, 0, 6, 3, 0]


def test_a_climb_counts_in_full_tops_and_bottoms_included():
    # 100 -> 110 -> 100 -> 110 -> 100: two 10 m climbs, two 10 m descents
    gain, loss = steps([100, 105, 110, 105, 100, 105, 110, 105, 100])
    assert sum(gain) == 20 and sum(loss) == 20


def test_noise_within_the_hysteresis_is_not_climbing():
    # swings of at most 3 m (peak to peak) never count
    gain, loss = steps([100, 102, 99.5, 101, 99, 102, 99.2] * 50)
    assert sum(gain) == 0 and sum(loss) == 0


def test_null_altitudes_are_skipped():
    gain, _ = steps([100, None, 104])  # 104 - 100 = 4 > 3, booked on the third sample
    assert gain == [0, 0, 4]


def test_reference_restarts_at_each_activity():
    # a: 0 -> 10 gain 10; b starts at 100 (no jump booked), 100 -> 90 loss 10
    gain, loss = steps([0, 10, 100, 90], ids=["a", "a", "b", "b"])
    assert gain == [0, 10, 0, 0]
    assert loss == [0, 0, 0, 10]


def test_clean_altitude_drops_dropouts_inside_a_high_track():
    frame = pl.DataFrame(
        {"activity_id": ["hi"] * 5 + ["lo"] * 3, "altitude_m": [1000.0, 1000.0, 0.0, 1000.0, -600.0, 0.0, 5.0, 0.0]}
    )
    cleaned = frame.select(elevation.clean_altitude(MODEL)).to_series().to_list()
    # high track (median 1000 m > 100 m): the 0 m reading and -600 m (< -500) are dropouts;
    # low track (median 0 m): 0 m is a real altitude (a beach run)
    assert cleaned == [1000.0, 1000.0, None, 1000.0, None, 0.0, 5.0, 0.0]


@pytest.mark.parametrize(
    ("device", "computed", "value", "source"),
    [
        (500.0, 450.0, 500.0, "device"),  # |50| <= 0.5 * 450 + 50 = 275
        (1000.0, 400.0, 400.0, "computed"),  # |600| > 0.5 * 400 + 50 = 250
        (None, 300.0, 300.0, "computed"),
        (200.0, None, 200.0, "device"),  # no altitude stream: the device is all we have
        (None, None, 0.0, "none"),
        (40.0, 0.0, 40.0, "device"),  # flat run: |40| <= 0 + 50
        (60.0, 0.0, 0.0, "computed"),  # |60| > 50
    ],
)
def test_choose_ascent(device, computed, value, source):
    frame = pl.DataFrame({"device": [device], "computed": [computed]}, schema={"device": pl.Float64, "computed": pl.Float64})
    chosen, chosen_source = elevation.choose(pl.col("device"), pl.col("computed"), MODEL)
    row = frame.select(chosen.alias("value"), chosen_source.alias("source")).row(0)
    assert row == (pytest.approx(value), source)


def test_smoothing_is_a_trailing_time_mean_per_activity_keeping_nulls():
    # 10 s trailing window: t=0 -> 0; t=5 -> mean(0, 10) = 5; t=10 -> mean(10, null, 20)
    # over (0, 10] = mean(10, 20) = 15 (t=0 falls out); null stays null; b starts fresh
    import datetime as dt

    t0 = dt.datetime(2026, 3, 13, tzinfo=dt.UTC)
    frame = pl.DataFrame(
        {
            "activity_id": ["a", "a", "a", "a", "b"],
            "timestamp": [t0, t0 + dt.timedelta(seconds=5), t0 + dt.timedelta(seconds=8), t0 + dt.timedelta(seconds=10), t0],
            "alt": [0.0, 10.0, None, 20.0, 100.0],
        }
    )
    got = frame.select(elevation.smooth_altitude("alt", MODEL))["alt"].to_list()
    assert got == [0.0, 5.0, None, 15.0, 100.0]


# ---- hysteresis at its edges (3 m is not a swing, 3.01 m is)

@pytest.mark.parametrize(
    ("altitudes", "gain", "loss"),
    [
        ([100, 103], 0, 0),  # a first rise of exactly 3 m
        ([100, 103.01], 3.01, 0),
        ([100, 97], 0, 0),  # a first drop of exactly 3 m
        ([100, 96.99], 0, 3.01),
        ([100, 110, 107], 10, 0),  # climbing: a drop of exactly 3 m from the top is noise
        ([100, 110, 106.99], 10, 3.01),
        ([110, 100, 103], 0, 10),  # descending: a 3 m rise is not counted...
        ([110, 100, 103.01], 3.01, 10),  # ... 3.01 m is
    ],
)
def test_hysteresis_edges(altitudes, gain, loss):
    gains, losses = steps(altitudes)
    assert sum(gains) == pytest.approx(gain) and sum(losses) == pytest.approx(loss)


def test_a_dip_inside_the_hysteresis_does_not_move_the_top_or_the_bottom():
    # climbing: top 104, 103 is noise, back to 104 adds nothing; a flat sample adds nothing
    assert steps([100, 104, 103, 104, 104]) == ([0, 4, 0, 0, 0], [0, 0, 0, 0, 0])
    # descending: bottom 106, 107 is noise, back to 106 adds nothing
    assert steps([110, 106, 107, 106, 106]) == ([0, 0, 0, 0, 0], [0, 4, 0, 0, 0])


# ---- validity

def cleaned(altitudes, ids=None):
    frame = pl.DataFrame(
        {"activity_id": ids or ["a"] * len(altitudes), "altitude_m": altitudes},
        schema={"activity_id": pl.String, "altitude_m": pl.Float64},
    )
    return frame.select(elevation.clean_altitude(MODEL)).to_series().to_list()


def test_validity_range_edges():
    # -500 m ("no fix" on some devices) is invalid, -499.9 valid; 9,000 m valid, 9,000.1 invalid
    assert cleaned([-500.0, -499.9, 9000.0, 9000.1, float("nan"), None, 12600.0]) == [
        None, -499.9, 9000.0, None, None, None, None,
    ]


def test_a_dropout_to_0_m_is_judged_by_the_median_of_the_valid_readings():
    # a track at 1,000 m with three "no fix" -500 m: the median of all readings (-250 m) would keep
    # the 0 m dropout; the median of the valid ones (1,000 m) drops it
    assert cleaned([1000.0, 1000.0, -500.0, -500.0, -500.0, 0.0]) == [1000.0, 1000.0, None, None, None, None]
    # a beach run at 50 m with three 12,600 m glitches: the median of all readings would make 0 m a dropout
    assert cleaned([50.0, 50.0, 12600.0, 12600.0, 12600.0, 0.0]) == [50.0, 50.0, None, None, None, 0.0]
    # the median, not the mean (333 m): 0 m is a real altitude here
    assert cleaned([1000.0, 0.0, 0.0]) == [1000.0, 0.0, 0.0]
    # a median of exactly 100 m is not a high track
    assert cleaned([100.0, 100.0, 0.0]) == [100.0, 100.0, 0.0]
    assert cleaned([100.1, 100.1, 0.0]) == [100.1, 100.1, None]


# ---- spikes

def spike_rows(altitudes, seconds=None, ids=None):
    """Indices of the samples :func:`elevation.spikes` drops (1 Hz unless ``seconds`` are given)."""
    seconds = seconds if seconds is not None else range(len(altitudes))
    times = pl.Series([T0 + dt.timedelta(seconds=s) for s in seconds], dtype=pl.Datetime("us", "UTC"))
    spike = elevation.spikes(
        pl.Series(ids or ["a"] * len(altitudes)), times, pl.Series(altitudes, dtype=pl.Float64),
        MODEL.max_vertical_speed_mps,
    )
    assert spike.name == "altitude_spike" and spike.dtype == pl.Boolean
    return [i for i, s in enumerate(spike.to_list()) if s]


def test_exactly_the_vertical_speed_limit_is_kept_just_above_is_a_spike():
    assert spike_rows([100, 105, 110, 115]) == []  # 5 m/s up
    assert spike_rows([115, 110, 105, 100]) == []  # 5 m/s down
    # a step of 5.01 m in one second that stays: the first sample after it goes (5.01 m in 2 s is possible)
    assert spike_rows([100, 100, 100, 105.01, 105.01, 105.01]) == [3]
    assert spike_rows([105.01, 105.01, 105.01, 100, 100, 100]) == [3]
    # the same steps of exactly 5 m/s with a spike elsewhere in the track stay
    assert spike_rows([100, 105, 110, 900, 110, 115]) == [3]
    assert spike_rows([115, 110, 105, 900, 105, 100]) == [3]
    # and a step needs the time between the samples: 10 m over 2 s is possible, over 1 s it is not
    assert spike_rows([100, 110], seconds=[0, 2]) == []
    assert spike_rows([100, 100, 110, 110], seconds=[0, 1, 2, 3]) == [2]


def test_a_single_spike_or_a_plateau_is_dropped_whole():
    assert spike_rows([500, 500, 1100, 500, 500]) == [2]
    assert spike_rows([500, 500, 100, 500, 500]) == [2]  # downwards too
    plateau = [500.0] * 10 + [3000.0] * 5 + [500.0] * 10  # five seconds at 3,000 m
    assert spike_rows(plateau) == [10, 11, 12, 13, 14]


def test_a_spike_at_the_very_start_or_end_of_a_track_is_dropped():
    assert spike_rows([900.0] + [100.0] * 10) == [0]
    assert spike_rows([100.0] * 10 + [900.0]) == [10]
    assert spike_rows([900.0, 900.0] + [100.0] * 10) == [0, 1]


def test_a_spike_just_before_a_pause_is_dropped():
    # a watch wrote -59 m for one second, then paused 35 s: 4.2 -> -59 is impossible in 1 s, and
    # -59 -> 4.0 would be possible over 35 s; keeping -59 would cost the whole track before it
    seconds = list(range(11)) + [46, 47, 48]
    altitudes = [5.0] * 10 + [-59.0] + [4.0, 4.2, 4.0]
    assert spike_rows(altitudes, seconds) == [10]


def test_a_persistent_step_costs_only_the_seconds_it_takes_to_reach():
    # a barometer recalibrated by +100 m at t = 30 s: 100 m take 20 s at 5 m/s, so the samples at
    # 30..48 s go (19) and the new level is kept from 49 s on (49 - 29 = 20 s after the last 100 m);
    # of the equally large choices (the 19 could be any run of samples around the step) the
    # earliest samples are kept
    assert spike_rows([100.0] * 30 + [200.0] * 30) == list(range(30, 49))
    assert spike_rows([200.0] * 30 + [100.0] * 30) == list(range(30, 49))


def test_real_steep_climbs_and_descents_are_untouched():
    rng = np.random.default_rng(11)
    noise = rng.normal(0, 0.3, 1800).round(1)
    vertical_km = 500 + 0.55 * np.arange(1800) + noise  # 1,980 m/h: a world-class vertical kilometre
    assert spike_rows(vertical_km.tolist()) == []
    bike_descent = 2000 - 3.0 * np.arange(600) + noise[:600]  # 75 km/h on a 15 % grade: 3 m/s down
    assert np.abs(np.diff(bike_descent)).max() > 4  # with the barometer's noise, steps of over 4 m/s
    assert spike_rows(bike_descent.tolist()) == []
    smart_recording = [1000, 1040, 1080, 1075, 1035]  # one sample every 10 s, up to 4 m/s
    assert spike_rows(smart_recording, seconds=[0, 10, 20, 30, 40]) == []


def test_spikes_are_found_per_activity_and_nulls_are_skipped():
    # a ends at 100 m, b starts at 1,000 m a second later: no step between activities
    ids = ["a"] * 4 + ["b"] * 5
    altitudes = [100, 100, 100, 100, 1000, 1000, 1600, 1000, 1000]
    assert spike_rows(altitudes, seconds=[0, 1, 2, 3, 4, 5, 6, 7, 8], ids=ids) == [6]
    # nulls are neither spikes nor steps: 100 -> 115 over 4 s is possible
    assert spike_rows([100, None, None, None, 115, 1000, 115]) == [5]


def test_a_record_written_twice_is_not_a_spike():
    # the same second and altitude twice (several corpus files do this): both kept
    assert spike_rows([248, 248, 248, 248, 250], seconds=[0, 1, 1, 2, 3]) == []
    # the same second with two altitudes: one of them is impossible
    assert spike_rows([248, 248, 260, 248], seconds=[0, 1, 1, 2]) == [2]


def _brute_force_chain(t, a, v):
    """The earliest of the largest sets of samples whose consecutive steps are possible, in O(n^2)."""
    n = len(t)

    def possible(i, j):  # the same arithmetic as the library (p = a - v t, q = a + v t)
        return a[j] - v * t[j] <= a[i] - v * t[i] and a[j] + v * t[j] >= a[i] + v * t[i]

    longest = [1] * n
    for i in range(n - 1, -1, -1):
        for j in range(i + 1, n):
            if possible(i, j):
                longest[i] = max(longest[i], longest[j] + 1)
    kept, need, last = [], max(longest), None
    for k in range(n):
        if longest[k] == need and (last is None or possible(last, k)):
            kept, need, last = kept + [k], need - 1, k
    return kept


def test_the_kept_samples_are_the_earliest_largest_possible_set():
    rng = np.random.default_rng(20260313)
    for _ in range(400):
        n = int(rng.integers(1, 20))
        t = np.cumsum(rng.integers(0, 4, n)).astype(float)  # repeated seconds included
        walk = (rng.normal(0, 8, n).cumsum() * (rng.random(n) < 0.7)).round(1)
        a = walk + (rng.random(n) < 0.2) * rng.normal(0, 60, n).round(1)
        kept = np.flatnonzero(elevation._longest_chain(t, a, 5.0)).tolist()
        assert kept == _brute_force_chain(t.tolist(), a.tolist(), 5.0), (t.tolist(), a.tolist())


def clean_frame(altitudes, seconds=None):
    seconds = seconds if seconds is not None else range(len(altitudes))
    samples = pl.DataFrame(
        {
            "activity_id": ["a"] * len(altitudes),
            "timestamp": [T0 + dt.timedelta(seconds=s) for s in seconds],
            "altitude_m": altitudes,
        },
        schema={"activity_id": pl.String, "timestamp": pl.Datetime("us", "UTC"), "altitude_m": pl.Float64},
    )
    return elevation.with_clean_altitude(samples, MODEL)


def test_the_track_is_interpolated_in_time_over_a_spike():
    # 510 m at 10 s, a spike at 11 s, 530 m at 30 s: 510 + 20 * 1/20 = 511 m at 11 s
    out = clean_frame([500.0, 510.0, 2000.0, 530.0], seconds=[0, 10, 11, 30])
    assert out["altitude_spike"].to_list() == [False, False, True, False]
    assert out["altitude_clean_m"].to_list() == [500.0, 510.0, pytest.approx(511.0), 530.0]
    # a persistent step: a straight line at 5 m/s from the last 100 m to the first 200 m kept
    step = clean_frame([100.0] * 30 + [200.0] * 30)["altitude_clean_m"].to_list()
    assert step[29:50] == pytest.approx([100.0 + 5 * k for k in range(21)])


def test_invalid_readings_and_a_spike_at_the_start_stay_null():
    out = clean_frame([900.0, 100.0, -500.0, 100.0, 9000.5, 100.0])
    assert out["altitude_spike"].to_list() == [True, False, False, False, False, False]
    assert out["altitude_clean_m"].to_list() == [None, 100.0, None, 100.0, None, 100.0]


def test_spike_count_per_activity_is_null_without_altitude():
    per_sample = pl.DataFrame(
        {
            "activity_id": ["a", "a", "a", "b", "b", "c", "c", "c", "c"],
            "has_altitude": [True, True, False, False, False, True, True, True, True],
            "altitude_spike": [False, True, False, False, False, True, True, False, False],
        }
    )
    counts = per_sample.group_by("activity_id").agg(elevation.spike_count().alias("n")).sort("activity_id")
    assert counts["n"].to_list() == [1, None, 2]


# ---- smoothing switched off or shorter than a second

def test_smoothing_of_0_s_is_the_raw_track_and_half_a_second_averages_fast_samples():
    frame = pl.DataFrame(
        {"activity_id": ["a"] * 3, "timestamp": [T0, T0 + dt.timedelta(seconds=0.25), T0 + dt.timedelta(seconds=1)],
         "alt": [0.0, 10.0, 20.0]}
    )
    off = dataclasses.replace(MODEL, altitude_smoothing_s=0.0)
    assert frame.select(elevation.smooth_altitude("alt", off))["alt"].to_list() == [0.0, 10.0, 20.0]
    half = dataclasses.replace(MODEL, altitude_smoothing_s=0.5)
    # (t - 0.5 s, t]: 0.25 s averages 0 and 10; 1 s is alone
    assert frame.select(elevation.smooth_altitude("alt", half))["alt"].to_list() == [0.0, 5.0, 20.0]


# ---- the ascent used and its flag

def test_the_plausible_band_edges_above_and_below():
    # computed 100 m: band |device - 100| <= 0.5 * 100 + 50 = 100
    frame = pl.DataFrame({"device": [200.0, 200.01, 0.0, 100.0, None], "computed": [100.0, 100.0, 100.0, 1000.0, 100.0]})
    got = frame.select(elevation.plausible(pl.col("device"), pl.col("computed"), MODEL)).to_series().to_list()
    assert got == [True, False, True, False, None]  # 1000 computed, 100 device: far below


def flag(sport, moving_s, device, computed):
    """(ascent_m, ascent_source, ascent_flag) of one run, as activity_metrics computes them."""
    frame = pl.DataFrame(
        {"sport": [sport], "moving_s": [moving_s], "device": [device], "computed": [computed]},
        schema={"sport": pl.String, "moving_s": pl.Float64, "device": pl.Float64, "computed": pl.Float64},
    )
    value, source = elevation.choose(pl.col("device"), pl.col("computed"), MODEL)
    frame = frame.with_columns(ascent_m=value, source=source)
    got = frame.select(
        "ascent_m", "source",
        elevation.ascent_flag(pl.col("sport"), pl.col("moving_s"), pl.col("ascent_m"), pl.col("device"),
                              pl.col("computed"), MODEL).alias("flag"),
    )
    assert got["flag"].dtype == pl.String
    return got.row(0)


@pytest.mark.parametrize(
    ("sport", "moving_s", "device", "computed", "expected"),
    [
        # 2,500 m in one moving hour on foot: exactly the limit, not flagged; 0.01 m more is
        ("running", 3600.0, None, 2500.0, (2500.0, "computed", None)),
        ("running", 3600.0, None, 2500.01, (2500.01, "computed", "too_fast")),
        ("hiking", 1800.0, None, 1250.01, (1250.01, "computed", "too_fast")),  # 2,500.02 m/h
        ("walking", 7200.0, 5000.0, 5000.0, (5000.0, "device", None)),  # 2,500 m/h
        ("mountaineering", 3600.0, 3000.0, 3000.0, (3000.0, "device", "too_fast")),
        ("cycling", 3600.0, None, 5000.0, (5000.0, "computed", None)),  # not a foot sport
        (None, 3600.0, None, 5000.0, (5000.0, "computed", None)),  # sport unknown
        ("running", 0.0, None, 10.0, (10.0, "computed", None)),  # no moving time: no rate
        ("running", 1.0, None, 1.0, (1.0, "computed", "too_fast")),  # 3,600 m/h over one second
        ("running", None, None, 10.0, (10.0, "computed", None)),
        # the device total far above, or far below, the computed one: computed chosen and flagged
        ("cycling", 7200.0, 1500.0, 300.0, (300.0, "computed", "device_disagrees")),
        ("cycling", 7200.0, 100.0, 1000.0, (1000.0, "computed", "device_disagrees")),
        ("running", 7200.0, 100.0, 1000.0, (1000.0, "computed", "device_disagrees")),
        # on the band's edge: the device is used, no flag; beyond it: flagged
        ("cycling", 7200.0, 200.0, 100.0, (200.0, "device", None)),
        ("cycling", 7200.0, 200.01, 100.0, (100.0, "computed", "device_disagrees")),
        ("cycling", 7200.0, 0.0, 100.0, (0.0, "device", None)),
        # one total only: nothing to disagree with
        ("cycling", 7200.0, 900.0, None, (900.0, "device", None)),
        ("cycling", 7200.0, None, None, (0.0, "none", None)),
        # both wrong: too fast says the value used is impossible
        ("running", 3600.0, 10000.0, 4000.0, (4000.0, "computed", "too_fast")),
    ],
)
def test_ascent_flag(sport, moving_s, device, computed, expected):
    assert flag(sport, moving_s, device, computed) == (pytest.approx(expected[0]), *expected[1:])


# ---- the compiled path (issue 17): bit for bit the pure-Python code it replaces, on both paths

def reference_hysteresis(activity_id, altitude_m, hysteresis_m):
    """hysteresis_steps before issue 17, verbatim: the reference both paths must equal."""
    starts = (activity_id != activity_id.shift(1)).fill_null(True).to_list()
    gains, losses = [], []
    for start, alt in zip(starts, altitude_m.to_list()):
        if start:
            mode, low, high = None, None, None
        gain = loss = 0.0
        if alt is None:
            pass
        elif low is None:
            low = high = alt
        elif mode is None:
            low, high = min(low, alt), max(high, alt)
            if alt - low > hysteresis_m:
                mode, gain, extreme = "climbing", alt - low, alt
            elif high - alt > hysteresis_m:
                mode, loss, extreme = "descending", high - alt, alt
        elif mode == "climbing":
            if alt < extreme - hysteresis_m:
                mode, loss, extreme = "descending", extreme - alt, alt
            else:
                gain, extreme = max(alt - extreme, 0.0), max(extreme, alt)
        elif alt > extreme + hysteresis_m:
            mode, gain, extreme = "climbing", alt - extreme, alt
        else:
            loss, extreme = max(extreme - alt, 0.0), min(extreme, alt)
        gains.append(gain)
        losses.append(loss)
    return pl.Series("gain_m", gains, pl.Float64), pl.Series("loss_m", losses, pl.Float64)


def reference_spikes(activity_id, timestamp, altitude_m, max_vertical_speed_mps):
    """spikes before issue 17, verbatim (its _longest_chain is unchanged, and checked by brute force above)."""
    frame = pl.DataFrame({"id": activity_id, "t": timestamp.dt.epoch("us"), "alt": altitude_m}).with_row_index("row")
    out = np.zeros(len(frame), dtype=bool)
    for _, group in frame.filter(pl.col("alt").is_not_null()).group_by("id"):
        keep = elevation._longest_chain(group["t"].to_numpy() / 1e6, group["alt"].to_numpy(), max_vertical_speed_mps)
        out[group["row"].to_numpy()[~keep]] = True
    return pl.Series("altitude_spike", out)


@contextlib.contextmanager
def compiled_from(samples):
    """elevation.COMPILED_FROM_SAMPLES set to ``samples`` (0: always compiled; a huge number: never, the kernels
    this process loaded put aside meanwhile)."""
    before = elevation.COMPILED_FROM_SAMPLES, elevation._COMPILED
    elevation.COMPILED_FROM_SAMPLES = samples
    if samples > 0:
        elevation._COMPILED = {}
    try:
        yield
    finally:
        elevation.COMPILED_FROM_SAMPLES, elevation._COMPILED = before


PATHS = {"python": 10**15, "compiled": 0}


def bits(series):
    return series.to_numpy().view(np.uint64).tolist()  # -0.0 is not 0.0, and NaN is itself


def assert_hysteresis_as_reference(ids, altitudes, hysteresis_m=3.0):
    ids, alt = pl.Series(ids, dtype=pl.String), pl.Series(altitudes, dtype=pl.Float64)
    expected = reference_hysteresis(ids, alt, hysteresis_m)
    for path, threshold in PATHS.items():
        with compiled_from(threshold):
            got = elevation.hysteresis_steps(ids, alt, hysteresis_m)
        assert [s.name for s in got] == ["gain_m", "loss_m"] and all(s.dtype == pl.Float64 for s in got)
        assert [bits(s) for s in got] == [bits(s) for s in expected], path


def assert_spikes_as_reference(ids, micros, altitudes, v=5.0):
    ids, alt = pl.Series(ids, dtype=pl.String), pl.Series(altitudes, dtype=pl.Float64)
    times = pl.Series([T0 + dt.timedelta(microseconds=m) for m in micros], dtype=pl.Datetime("us", "UTC"))
    expected = reference_spikes(ids, times, alt, v).to_list()
    for path, threshold in PATHS.items():
        with compiled_from(threshold):
            got = elevation.spikes(ids, times, alt, v)
        assert got.name == "altitude_spike" and got.dtype == pl.Boolean
        assert got.to_list() == expected, path


# altitudes with repeats, ties, signed zeros and swings about the 3 m hysteresis; None is a null
ALTITUDES = st.one_of(
    st.sampled_from([100.0, 100.5, 103.0, 103.01, 97.0, 96.99, 106.0, 900.0, 0.0, -0.0, None]),
    st.floats(-400, 8000, allow_nan=False).map(lambda a: round(a, 1)),
)
# one activity: (step to the next sample in µs, altitude); steps of 0 (a record written twice) included
ACTIVITY = st.lists(
    st.tuples(st.sampled_from([0, 1, 500_000, 1_000_000, 1_000_000, 2_000_000, 7_000_000]), ALTITUDES),
    min_size=1, max_size=40,
)


def flatten(activities):
    ids, micros, altitudes, t = [], [], [], 0
    for a, samples in enumerate(activities):
        t += 3_600_000_000
        for step, altitude in samples:
            t += step
            ids.append(f"run-{a}")
            micros.append(t)
            altitudes.append(altitude)
    return ids, micros, altitudes


@hsettings(max_examples=300, deadline=None)
@given(st.lists(ACTIVITY, min_size=1, max_size=6), st.sampled_from([3.0, 0.0, 2.5]))
def test_hysteresis_both_paths_equal_the_reference(activities, hysteresis_m):
    ids, _, altitudes = flatten(activities)
    assert_hysteresis_as_reference(ids, altitudes, hysteresis_m)


@hsettings(max_examples=300, deadline=None)
@given(st.lists(ACTIVITY, min_size=1, max_size=6))
def test_spikes_both_paths_equal_the_reference(activities):
    assert_spikes_as_reference(*flatten(activities))


def test_hysteresis_with_nan_and_nulls_is_the_reference_bit_for_bit():
    nan = float("nan")
    assert_hysteresis_as_reference(["a"] * 8, [100.0, nan, 104.0, nan, 98.0, None, -0.0, 0.0])
    assert_hysteresis_as_reference(["a"] * 4 + ["b"] * 3, [nan, 100.0, 110.0, 100.0, None, None, nan])
    assert_hysteresis_as_reference([], [])


def test_null_activity_ids_are_as_before():
    # hysteresis: each null id starts afresh; spikes: the null ids are one activity (group_by)
    ids = [None, None, "a", "a", "a"]
    alt = pl.Series([100.0, 110.0, 100.0, 104.0, 108.0])
    expected = reference_hysteresis(pl.Series(ids, dtype=pl.String), alt, 3.0)
    for threshold in PATHS.values():
        with compiled_from(threshold):
            got = elevation.hysteresis_steps(pl.Series(ids, dtype=pl.String), alt, 3.0)
        assert [bits(s) for s in got] == [bits(s) for s in expected]
    micros = [0, 1_000_000, 2_000_000, 3_000_000, 4_000_000]
    assert_spikes_as_reference(ids, micros, [100.0, 900.0, 100.0, 100.0, 100.0])


@pytest.mark.parametrize("seed", range(6))
def test_long_tracks_with_spikes_and_garbage_equal_the_reference(seed):
    # 1 Hz and smart recording, random walks with spikes, plateaus and persistent steps, nulls, a record
    # written twice; and a track of random altitudes (too far from sorted for the kernel's own sort)
    rng = np.random.default_rng(seed)
    ids, micros, altitudes, t = [], [], [], 0
    for a in range(8):
        n = 2000 if a == 6 else int(rng.integers(1, 3000))
        steps = rng.integers(0, 8, n) * 1_000_000 if a % 2 else np.full(n, 1_000_000)
        t_a = t + np.cumsum(steps)
        alt = (500 + np.cumsum(rng.normal(0, 2, n))).round(1)
        for _ in range(int(rng.integers(0, 5))):
            i, width = int(rng.integers(0, n)), int(rng.integers(1, 40))
            alt[i:i + width] += rng.choice([-1, 1]) * rng.uniform(20, 800)
        if a == 6:
            alt = rng.uniform(-400, 5000, n).round(0)
        values = [None if rng.random() < 0.01 else float(x) for x in alt]
        ids += [f"run-{a}"] * n
        micros += t_a.tolist()
        altitudes += values
        t = int(t_a[-1]) + 3_600_000_000
    assert_spikes_as_reference(ids, micros, altitudes)
    assert_hysteresis_as_reference(ids, altitudes)


def test_the_kernels_own_sort_gives_way_on_a_track_far_from_sorted():
    # random altitudes at 1 Hz: hundreds of moves a sample; the kernel leaves the order to its caller
    rng = np.random.default_rng(3)
    t_s, alt = np.arange(2000.0), rng.uniform(-400, 5000, 2000).round(0)
    p, q = alt - 5.0 * t_s, alt + 5.0 * t_s
    kernel = elevation._compiled(elevation._chain_kernel)
    bounds, segments = np.array([0, 2000]), np.array([0])
    keep, failed = np.zeros(2000, dtype=bool), np.zeros(1, dtype=bool)
    kernel(bounds, segments, p, q, np.empty(0, dtype=np.int64), keep, failed)
    assert failed.all() and not keep.any()
    kernel(bounds, segments, p, q, np.lexsort((-np.arange(2000), -q, p)), keep, failed)
    assert (keep == elevation._longest_chain(t_s, alt, 5.0)).all()


def test_without_numba_the_compiled_path_runs_plain_python(monkeypatch):
    monkeypatch.setitem(sys.modules, "numba", None)  # import numba raises ImportError
    monkeypatch.setattr(elevation, "_COMPILED", {})
    assert elevation._compiled(elevation._hysteresis_kernel) is None
    assert_hysteresis_as_reference(["a"] * 5, [100.0, 104.0, 101.0, 95.0, 99.0])
    assert_spikes_as_reference(["a"] * 5, [0, 1_000_000, 2_000_000, 3_000_000, 4_000_000], [500.0, 500.0, 1100.0, 500.0, 500.0])


def test_the_daily_case_never_imports_numba():
    # a fresh process importing the module and analysing a 20,000-sample run stays on plain Python
    code = (
        "import sys, datetime as dt, polars as pl\n"
        "from trainlog.analysis import elevation\n"
        "n = 20_000\n"
        "ids = pl.Series(['a'] * n)\n"
        "times = pl.datetime_range(dt.datetime(2026, 3, 13), dt.datetime(2026, 3, 13) + dt.timedelta(seconds=n - 1),"
        " '1s', eager=True)\n"
        "alt = pl.Series([100.0 + (i % 50) * (1000.0 if i % 997 == 0 else 0.1) for i in range(n)])\n"
        "assert elevation.spikes(ids, times, alt, 5.0).sum() > 0\n"
        "elevation.hysteresis_steps(ids, alt, 3.0)\n"
        "print('numba' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert done.stdout.strip() == "False"


def test_once_loaded_the_compiled_kernels_take_short_inputs_too():
    # an analysis after a long import: its last, short chunk takes the kernels the process loaded (same bits)
    if elevation._compiled(elevation._hysteresis_kernel) is None:
        pytest.skip("Numba is not importable here")
    assert elevation._compiling(10, elevation._hysteresis_kernel)
    with compiled_from(10**15):
        assert not elevation._compiling(10, elevation._hysteresis_kernel)

"""Altitude cleaning, hysteresis gain/loss and the choice of ``ascent_m`` (hand-worked values)."""

import polars as pl
import pytest

from trainlog import elevation
from trainlog.settings import ModelSettings

MODEL = ModelSettings()  # hysteresis 3 m, plausible band 0.5 x computed + 50 m


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

    t0 = dt.datetime(2026, 3, 13, tzinfo=dt.timezone.utc)
    frame = pl.DataFrame(
        {
            "activity_id": ["a", "a", "a", "a", "b"],
            "timestamp": [t0, t0 + dt.timedelta(seconds=5), t0 + dt.timedelta(seconds=8), t0 + dt.timedelta(seconds=10), t0],
            "alt": [0.0, 10.0, None, 20.0, 100.0],
        }
    )
    got = frame.select(elevation.smooth_altitude("alt", MODEL))["alt"].to_list()
    assert got == [0.0, 5.0, None, 15.0, 100.0]

"""Elevation gain and loss: cleaning the altitude stream, hysteresis, choosing ``ascent_m``.

shared/METRICS.md, "Elevation gain and loss". Altitudes are metres (Float64).
"""

from __future__ import annotations

import polars as pl

from trainlog.settings import ModelSettings


def clean_altitude(model: ModelSettings) -> pl.Expr:
    """Expression: ``altitude_m`` (m, Float64) with invalid readings set to null.

    Invalid: null, NaN, below ``altitude_min_valid_m``, and dropouts to exactly
    ``altitude_dropout_m`` (0 m) inside a high track (an activity whose median
    altitude is above ``altitude_high_track_m``; GoldenCheetah issue 3067).
    Evaluate over a samples frame holding an ``activity_id`` column.
    """
    alt = pl.col("altitude_m")
    valid = alt.filter(alt >= model.altitude_min_valid_m)
    high_track = valid.median().over("activity_id") > model.altitude_high_track_m
    invalid = (
        alt.is_null()
        | alt.is_nan()
        | (alt < model.altitude_min_valid_m)
        | ((alt == model.altitude_dropout_m) & high_track.fill_null(False))
    )
    return pl.when(invalid).then(None).otherwise(alt)


def smooth_altitude(column: str, model: ModelSettings) -> pl.Expr:
    """Expression: ``column`` (m) as a trailing mean over ``altitude_smoothing_s`` per activity.

    Null readings stay null (and do not enter the means). Evaluate over a frame
    sorted by ``activity_id`` then ``timestamp``. Without it, every turning
    point of a climb gains the peak of the altimeter's noise (~+0.7 m at a top
    and -0.7 m at a bottom): +10 % on a rolling 80 m run.
    """
    alt = pl.col(column)
    if model.altitude_smoothing_s <= 0:
        return alt
    window = f"{int(model.altitude_smoothing_s * 1_000_000)}us"
    smoothed = alt.rolling_mean_by("timestamp", window_size=window).over("activity_id")
    return pl.when(alt.is_not_null()).then(smoothed)


def hysteresis_steps(
    activity_id: pl.Series, altitude_m: pl.Series, hysteresis_m: float
) -> tuple[pl.Series, pl.Series]:
    """Per-sample gain and loss (m, Float64, >= 0) counted with hysteresis.

    shared/METRICS.md: a rise counts once the altitude is more than
    ``hysteresis_m`` above the last low turning point, and then all of it
    counts (from that low to the following high); likewise for descents. So
    swings smaller than ``hysteresis_m`` (noise) are ignored while every real
    climb is counted in full, tops and bottoms included. Until the first swing
    beyond ``hysteresis_m`` the lowest and highest altitudes seen are the
    candidate turning points.

    Gains are booked on the samples where they happen (the confirming sample
    books the rise from the low so far), so summing per day splits an
    activity's ascent across days. Rows must be sorted by activity then time;
    null altitudes are skipped. One sequential pass over plain lists (the rule
    depends on the path, so it does not vectorize).
    """
    starts = (activity_id != activity_id.shift(1)).fill_null(True).to_list()
    gains: list[float] = []
    losses: list[float] = []
    mode = 0  # +1 climbing, -1 descending, 0 not decided yet
    low = high = extreme = 0.0
    seen = False
    for start, alt in zip(starts, altitude_m.to_list()):
        if start:
            mode, seen = 0, False
        gain = loss = 0.0
        if alt is not None:
            if not seen:
                low = high = alt
                seen = True
            elif mode == 0:
                low, high = min(low, alt), max(high, alt)
                if alt - low > hysteresis_m:
                    mode, gain, extreme = 1, alt - low, alt
                elif high - alt > hysteresis_m:
                    mode, loss, extreme = -1, high - alt, alt
            elif mode == 1:
                if alt > extreme:
                    gain, extreme = alt - extreme, alt
                elif alt < extreme - hysteresis_m:
                    mode, loss, extreme = -1, extreme - alt, alt
            elif alt < extreme:
                loss, extreme = extreme - alt, alt
            elif alt > extreme + hysteresis_m:
                mode, gain, extreme = 1, alt - extreme, alt
        gains.append(gain)
        losses.append(loss)
    return pl.Series("gain_m", gains, pl.Float64), pl.Series("loss_m", losses, pl.Float64)


def choose(device: pl.Expr, computed: pl.Expr, model: ModelSettings) -> tuple[pl.Expr, pl.Expr]:
    """The value used (m) and its source (``"device"``, ``"computed"`` or ``"none"``).

    The device total is used when present and within the plausible band of the
    computed one: ``|device - computed| <= ascent_plausible_rel * computed +
    ascent_plausible_abs_m``; also when nothing was computed (no altitude
    stream). Otherwise the computed value. Neither: 0 m, source ``"none"``.
    """
    plausible = (device - computed).abs() <= model.ascent_plausible_rel * computed + model.ascent_plausible_abs_m
    use_device = device.is_not_null() & (computed.is_null() | plausible)
    value = pl.when(use_device).then(device).otherwise(computed).fill_null(0.0)
    source = (
        pl.when(use_device)
        .then(pl.lit("device"))
        .when(computed.is_not_null())
        .then(pl.lit("computed"))
        .otherwise(pl.lit("none"))
    )
    return value, source

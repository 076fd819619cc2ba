"""Moving time and training load: Banister TRIMP, normalized HR load, power, pace, RPE and duration load.

shared/METRICS.md, "Heart-rate load" and "Load when there is no heart rate, and
by sport". Every function returns a Polars expression (Float64 unless stated) so
that the per-activity metrics are computed for all activities in one ``group_by``.

A run that spans several days (:mod:`trainlog.analysis.daily`) shares an ``hr`` load by
the TRIMP of its samples and every other load (power, gap, rpe, duration) by
their moving time. For power that is a simplification: a share by power^4-weighted
time would follow the hard hours, but a day's slice of one NP is not a TSS of its own.
"""

from __future__ import annotations

import datetime as dt
import math

import polars as pl

from trainlog.settings import ModelSettings, Resolved
from trainlog.units import M_PER_KM

SECONDS_PER_HOUR = 3600.0
SECONDS_PER_MINUTE = 60.0
NP_EXPONENT = 4.0  # Coggan normalized power: 4th-power mean, 4th root

#: The load sources, in the order of the rule (:func:`load_source`): the first that applies is used.
LOAD_SOURCES = ("hr", "power", "gap", "rpe", "duration")


def moving_seconds(dt_s: pl.Expr, speed_mps: pl.Expr, model: ModelSettings) -> pl.Expr:
    """Per-sample moving time credit, s: ``min(dt, sample_dt_cap_s)`` while moving, else 0.

    ``dt_s`` is the gap to the next sample (s); the sample is moving when its
    speed (m/s) is at least ``moving_speed_min_mps``, or when the speed is
    unknown (no speed and no distance stream: a treadmill without footpod).
    A pause or a logger gap longer than the cap gives only the cap.
    """
    moving = speed_mps.is_null() | (speed_mps >= model.moving_speed_min_mps)
    return pl.when(moving).then(dt_s.clip(0.0, model.sample_dt_cap_s)).otherwise(0.0)


def trimp(hr_bpm: pl.Expr, moving_s: pl.Expr, athlete: Resolved) -> pl.Expr:
    """Per-sample Banister TRIMP: ``dt_min * x * a * exp(b * x)``, 0 where HR is missing.

    ``x = (hr - hr_rest) / (hr_max - hr_rest)`` clipped to [0, 1]; ``a``, ``b``
    by sex; ``dt_min`` the moving credit of the sample in minutes.
    """
    x = ((hr_bpm - athlete.hr_rest_bpm) / (athlete.hr_max_bpm - athlete.hr_rest_bpm)).clip(0.0, 1.0)
    per_sample = moving_s / SECONDS_PER_MINUTE * x * athlete.trimp_a * (athlete.trimp_b * x).exp()
    return per_sample.fill_null(0.0)


def trimp_reference(athlete: Resolved, model: ModelSettings) -> float:
    """TRIMP of ``hr_load_reference_min`` (60) minutes at threshold HR."""
    x = (athlete.lthr_bpm - athlete.hr_rest_bpm) / (athlete.hr_max_bpm - athlete.hr_rest_bpm)
    return model.hr_load_reference_min * x * athlete.trimp_a * math.exp(athlete.trimp_b * x)


def hr_load(trimp_total: pl.Expr, athlete: Resolved, model: ModelSettings,
            reference: pl.Expr | None = None) -> pl.Expr:
    """Normalized HR load (hrTSS-like): ``100 * TRIMP / TRIMP(60 min at lthr)``; ``reference``: that TRIMP per row
    (thresholds that change over time: trainlog.analysis.thresholds), else :func:`trimp_reference` of ``athlete``."""
    return model.hr_load_reference * trimp_total / (trimp_reference(athlete, model) if reference is None else reference)


def gap_load(gad_m: pl.Expr, moving_s: pl.Expr, athlete: Resolved, model: ModelSettings) -> pl.Expr:
    """Pace load (rTSS-like): ``100 * hours * IF^2``, IF = grade-adjusted speed / threshold speed."""
    threshold_speed_mps = M_PER_KM / athlete.threshold_pace_s_per_km
    intensity = gad_m / moving_s / threshold_speed_mps
    return model.gap_load_per_hour_at_threshold * moving_s / SECONDS_PER_HOUR * intensity**2


def rolling_power_w(power_w: pl.Expr, timestamp: pl.Expr, model: ModelSettings) -> pl.Expr:
    """Per-sample rolling mean power, W: the mean of the power readings (W) of the
    last ``normalized_power_window_s`` (30 s) of the same activity, ``(t - 30 s, t]``.

    A time window, not a count of samples, so that smart recording and pauses
    do not stretch it; null readings are left out of the mean. The first 30 s
    average what there is (GoldenCheetah counts the missing readings as 0 W:
    the two differ over the first 30 s only). Needs the frame sorted by time
    within ``activity_id``.
    """
    window = dt.timedelta(seconds=model.normalized_power_window_s)
    return power_w.rolling_mean_by(timestamp, window_size=window).over("activity_id")


def power_weight(rolling_w: pl.Expr, power_moving_s: pl.Expr) -> pl.Expr:
    """Per-sample term of normalized power: ``rolling_w ** 4 * power_moving_s`` (W^4 s).

    Samples weigh by their moving credit with power, so pauses and samples
    without a reading count for nothing, and unevenly spaced samples by the
    time they cover.
    """
    return (rolling_w**NP_EXPONENT * power_moving_s).fill_null(0.0)


def normalized_power(power_weight_total: pl.Expr, power_moving_s: pl.Expr) -> pl.Expr:
    """Normalized power, W (Coggan): ``(sum(rolling^4 * dt) / sum(dt)) ** (1/4)``;
    null without moving time with power."""
    return pl.when(power_moving_s > 0).then((power_weight_total / power_moving_s) ** (1.0 / NP_EXPONENT))


def power_load(normalized_power_w: pl.Expr, moving_s: pl.Expr, ftp_w: float | pl.Expr | None,
               model: ModelSettings) -> pl.Expr:
    """Power load (Coggan TSS): ``100 * hours * IF^2``, IF = normalized power / FTP (W / W).

    Null when FTP is unknown (``ftp_w`` None, or null in the row when it is a column).
    """
    if ftp_w is None:
        return pl.lit(None, pl.Float64)
    intensity = normalized_power_w / ftp_w
    return model.power_load_per_hour_at_ftp * moving_s / SECONDS_PER_HOUR * intensity**2


def rpe_load(rpe: pl.Expr, moving_s: pl.Expr, model: ModelSettings) -> pl.Expr:
    """Session-RPE load (Foster 2001): ``rpe * minutes``, scaled so that
    ``rpe_load_reference_min`` (60) minutes at ``rpe_at_threshold`` (7) is
    ``rpe_load_reference`` (100): ``rpe * minutes * 100 / (7 * 60)``.

    ``rpe`` on the CR-10 scale, ``moving_s`` in s (the minutes are moving minutes).
    """
    per_rpe_minute = model.rpe_load_reference / (model.rpe_at_threshold * model.rpe_load_reference_min)
    return rpe * moving_s / SECONDS_PER_MINUTE * per_rpe_minute


def duration_load_per_hour(sport: pl.Expr, model: ModelSettings) -> pl.Expr:
    """Load of an hour by sport: ``duration_load_per_hour_by_sport[sport]``, else
    ``duration_load_per_hour`` (50: an easy hour)."""
    default = pl.lit(model.duration_load_per_hour, pl.Float64)
    by_sport = model.duration_load_per_hour_by_sport
    if not by_sport:
        return default
    return sport.replace_strict(by_sport, default=default, return_dtype=pl.Float64)


def duration_load(moving_s: pl.Expr, sport: pl.Expr, model: ModelSettings) -> pl.Expr:
    """Duration load: ``hours * duration_load_per_hour[sport]`` (:func:`duration_load_per_hour`)."""
    return moving_s / SECONDS_PER_HOUR * duration_load_per_hour(sport, model)


def load_source(
    *,
    sport: pl.Expr,
    moving_s: pl.Expr,
    hr_coverage: pl.Expr,
    power_coverage: pl.Expr,
    normalized_power_w: pl.Expr,
    gad_m: pl.Expr,
    rpe: pl.Expr,
    ftp_w: float | pl.Expr | None,
    model: ModelSettings,
) -> pl.Expr:
    """Which load a run gets (String, one of :data:`LOAD_SOURCES`), the first that applies:

    1. ``"hr"``: heart rate covers at least ``hr_coverage_min`` (80 %) of moving time;
    2. ``"power"``: a cycling sport (``cycling_sports``), FTP set (``ftp_w``, W) and
       power covering at least ``power_coverage_min`` (80 %) of moving time;
    3. ``"gap"``: a foot sport (``foot_sports``) with a grade-adjusted distance and moving time;
    4. ``"rpe"``: the athlete gave a session RPE (``rpe`` not null);
    5. ``"duration"``: otherwise.

    Coverages are fractions of moving time (null: no moving time).
    """
    is_cycling = sport.is_in(list(model.cycling_sports)).fill_null(False)
    on_foot = sport.is_in(list(model.foot_sports)).fill_null(False)
    ftp_known = ftp_w.is_not_null() if isinstance(ftp_w, pl.Expr) else pl.lit(ftp_w is not None)
    has_power = (
        ftp_known
        & is_cycling
        & (power_coverage.fill_null(0.0) >= model.power_coverage_min)
        & normalized_power_w.is_not_null()
    )
    has_pace = on_foot & (gad_m.fill_null(0.0) > 0) & (moving_s.fill_null(0.0) > 0)
    return (
        pl.when(hr_coverage.fill_null(0.0) >= model.hr_coverage_min)
        .then(pl.lit("hr"))
        .when(has_power)
        .then(pl.lit("power"))
        .when(has_pace)
        .then(pl.lit("gap"))
        .when(rpe.is_not_null())
        .then(pl.lit("rpe"))
        .otherwise(pl.lit("duration"))
    )


def km_effort(distance_m: pl.Expr, ascent_m: pl.Expr, model: ModelSettings) -> pl.Expr:
    """ITRA km-effort: ``km + ascent_m / 100``."""
    return distance_m.fill_null(0.0) / M_PER_KM + ascent_m.fill_null(0.0) / model.km_effort_ascent_m_per_km


def vertical_speed_m_per_h(climb_rise_m: pl.Expr, climb_s: pl.Expr) -> pl.Expr:
    """Vertical speed on climbs, m/h: metres risen on climbing samples per hour spent on them.

    Null when no moving time was spent climbing.
    """
    return pl.when(climb_s > 0).then(climb_rise_m / climb_s * SECONDS_PER_HOUR).otherwise(None)

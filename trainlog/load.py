"""Moving time and training load: Banister TRIMP, normalized HR load, pace and duration load.

shared/METRICS.md, "Heart-rate load" and "Load when there is no heart rate".
Every function returns a Polars expression (Float64 unless stated) so that the
per-activity metrics are computed for all activities in one ``group_by``.
"""

from __future__ import annotations

import math

import polars as pl

from trainlog.settings import ModelSettings, Resolved

SECONDS_PER_HOUR = 3600.0
SECONDS_PER_MINUTE = 60.0
METRES_PER_KM = 1000.0

LOAD_SOURCES = ("hr", "gap", "duration")


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


def hr_load(trimp_total: pl.Expr, athlete: Resolved, model: ModelSettings) -> pl.Expr:
    """Normalized HR load (hrTSS-like): ``100 * TRIMP / TRIMP(60 min at lthr)``."""
    return model.hr_load_reference * trimp_total / trimp_reference(athlete, model)


def gap_load(gad_m: pl.Expr, moving_s: pl.Expr, athlete: Resolved, model: ModelSettings) -> pl.Expr:
    """Pace load (rTSS-like): ``100 * hours * IF^2``, IF = grade-adjusted speed / threshold speed."""
    threshold_speed_mps = METRES_PER_KM / athlete.threshold_pace_s_per_km
    intensity = gad_m / moving_s / threshold_speed_mps
    return model.gap_load_per_hour_at_threshold * moving_s / SECONDS_PER_HOUR * intensity**2


def duration_load(moving_s: pl.Expr, model: ModelSettings) -> pl.Expr:
    """Duration load: ``hours * duration_load_per_hour`` (50: an easy hour)."""
    return moving_s / SECONDS_PER_HOUR * model.duration_load_per_hour


def load_source(hr_coverage: pl.Expr, gad_m: pl.Expr, moving_s: pl.Expr, model: ModelSettings) -> pl.Expr:
    """``"hr"`` if HR covers ``hr_coverage_min`` of moving time, else ``"gap"`` with a
    grade-adjusted distance, else ``"duration"`` (String)."""
    return (
        pl.when(hr_coverage.fill_null(0.0) >= model.hr_coverage_min)
        .then(pl.lit("hr"))
        .when((gad_m.fill_null(0.0) > 0) & (moving_s.fill_null(0.0) > 0))
        .then(pl.lit("gap"))
        .otherwise(pl.lit("duration"))
    )


def km_effort(distance_m: pl.Expr, ascent_m: pl.Expr, model: ModelSettings) -> pl.Expr:
    """ITRA km-effort: ``km + ascent_m / 100``."""
    return distance_m.fill_null(0.0) / METRES_PER_KM + ascent_m.fill_null(0.0) / model.km_effort_ascent_m_per_km


def vertical_speed_mph(climb_rise_m: pl.Expr, climb_s: pl.Expr) -> pl.Expr:
    """Vertical speed on climbs, m/h: metres risen on climbing samples per hour spent on them.

    Null when no moving time was spent climbing.
    """
    return pl.when(climb_s > 0).then(climb_rise_m / climb_s * SECONDS_PER_HOUR).otherwise(None)

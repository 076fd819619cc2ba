"""Athlete settings, the goal, and every sports constant of shared/METRICS.md.

Three frozen dataclasses:

- :class:`Goal`: the race trained for (default: the Barkley Marathons).
- :class:`ModelSettings`: every constant of the metrics, each with its source.
- :class:`AthleteSettings`: what is known about one athlete; ``None`` means
  "unknown, use the default". :meth:`AthleteSettings.resolve` returns the values
  in use and the names of those that are defaults, so the summary and the
  dashboard can say so.

One validation for all of them: :data:`RANGES` is the table of every numeric
setting's allowed range (the CLI help, the dashboard's Settings page and the
README quote it), and each dataclass checks itself when built, so no settings
object that a page or a command could choke on (a ``ctl_days`` of 0, an ``inf``
heart rate, a threshold pace of 0:00) can exist, whether it came from the CLI,
the dashboard or a hand-edited ``settings.json``. Every refusal is a one-line
:class:`SettingsError` naming the setting, the value and the range.
:func:`parse_pace` and :func:`parse_number` read what people type.

Settings are stored as JSON (``to_dict`` / ``from_dict``, with a
``schema_version``); :func:`load_settings` and :func:`save_settings` are the only
file I/O of the metrics code.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
import os
import re
import unicodedata
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trainlog.atomic import write_text_atomic
from trainlog.days import MAX_DAY, MIN_DAY, parse_day
from trainlog.errors import InvalidValue, SettingsError
from trainlog.text import quoted

SETTINGS_SCHEMA_VERSION = 1

SEXES = ("female", "male")

#: The longest goal name and band label accepted (they are shown on one line).
MAX_NAME_CHARS = 100
MAX_LABEL_CHARS = 40


def _fmt(value: float) -> str:
    """A number as messages show it: ``10,000,000``, ``0.45``, ``inf``."""
    try:
        return format(value, ",.10g")
    except (TypeError, ValueError, OverflowError):  # not a number, or an int too large for a float
        return quoted(value)


@dataclass(frozen=True)
class Range:
    """The allowed values of one numeric setting: ``low <= value <= high``, in ``unit``.

    ``shown``: the range as people read it where that differs (``"2:00-15:00 /km"``);
    ``integer``: whole numbers only.
    """

    low: float
    high: float
    unit: str
    help: str
    shown: str = ""
    integer: bool = False

    def text(self) -> str:
        """``"120..900 s/km (2:00-15:00 /km)"``."""
        unit = f" {self.unit}" if self.unit else ""
        return f"{_fmt(self.low)}..{_fmt(self.high)}{unit}" + (f" ({self.shown})" if self.shown else "")

    def check(self, name: str, value: object) -> float | int:
        """``value`` if it is a finite number in range (an int for ``integer``), else SettingsError."""
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise SettingsError(f"invalid settings: {name} {quoted(value)} is not a number (range {self.text()})")
        try:
            number = float(value)
        except OverflowError:  # an int of hundreds of digits
            raise SettingsError(f"{name} {_fmt(value)} is out of range {self.text()}") from None
        if not math.isfinite(number):
            raise SettingsError(f"{name} {_fmt(value)} is not a finite number (range {self.text()})")
        if not self.low <= number <= self.high:
            raise SettingsError(f"{name} {_fmt(value)} is out of range {self.text()}")
        if self.integer:
            if value != int(value):
                raise SettingsError(f"{name} {_fmt(value)} is not a whole number (range {self.text()})")
            return int(value)
        return value


_DAYS = "days"
#: Every numeric setting's range: the athlete's values by name, the goal's as ``goal.<name>``,
#: the model's constants as ``model.<name>`` (tuple constants: the range of each element).
#: Ranges are wide enough for every real athlete and plan, narrow enough that no formula
#: divides by zero, overflows or builds a series of absurd length.
RANGES: dict[str, Range] = {
    # --- the athlete
    "hr_max_bpm": Range(100, 250, "bpm", "maximum heart rate"),
    "hr_rest_bpm": Range(25, 120, "bpm", "resting heart rate"),
    "lthr_bpm": Range(80, 240, "bpm", "threshold (lactate) heart rate; rest < threshold <= max"),
    "threshold_pace_s_per_km": Range(120, 900, "s/km", "threshold pace on the flat", shown="2:00-15:00 /km"),
    "ftp_w": Range(30, 700, "W", "functional threshold power (cycling power load)"),
    "start_ctl": Range(0, 300, "load/day", "fitness (CTL) on the day before the first activity"),
    "start_atl": Range(0, 300, "load/day", "fatigue (ATL) on the day before the first activity"),
    # --- the goal
    "goal.ascent_m": Range(0, 100_000, "m", "total ascent of the goal race"),
    "goal.distance_m": Range(0, 10_000_000, "m", "distance of the goal race", shown="0-10,000 km"),
    "goal.time_limit_h": Range(0.5, 1000, "h", "time limit of the goal race"),
    "goal.loops": Range(1, 100, "loops", "loops (or stages) of the goal race", integer=True),
    # --- elevation
    "model.hysteresis_m": Range(0, 50, "m", "elevation hysteresis"),
    "model.altitude_smoothing_s": Range(0, 600, "s", "altitude smoothing window (0: none)"),
    "model.altitude_dropout_m": Range(-1000, 9000, "m", "altitude a logger writes on a dropout"),
    "model.altitude_min_valid_m": Range(-1000, 0, "m", "altitude at or below which a reading is invalid"),
    "model.altitude_max_valid_m": Range(1000, 20_000, "m", "altitude above which a reading is invalid"),
    "model.max_vertical_speed_mps": Range(0.5, 100, "m/s", "vertical speed beyond which a step is a spike"),
    "model.max_ascent_rate_m_per_h": Range(100, 100_000, "m/h", "ascent per moving hour on foot beyond which "
                                           "a run is suspect"),
    "model.altitude_high_track_m": Range(0, 9000, "m", "median altitude above which 0 m is a dropout"),
    "model.ascent_plausible_rel": Range(0, 10, "x computed", "device ascent tolerance, relative"),
    "model.ascent_plausible_abs_m": Range(0, 10_000, "m", "device ascent tolerance, absolute"),
    # --- grade and GAP
    "model.grade_window_m": Range(1, 1000, "m", "horizontal distance of a grade"),
    "model.grade_clip": Range(0.01, 10, "fraction", "largest grade kept (1 = 100 %)"),
    "model.minetti_clip": Range(0.01, 1, "fraction", "grade beyond which Minetti's cost is held"),
    "model.minetti_coefficients": Range(-1000, 1000, "J/kg/m", "Minetti polynomial, highest power first; "
                                        "the last (flat cost) > 0"),
    "model.climb_grade_min": Range(0, 1, "fraction", "grade from which a sample climbs"),
    # --- moving time and heart-rate load
    "model.moving_speed_min_mps": Range(0, 5, "m/s", "slowest moving speed"),
    "model.sample_dt_cap_s": Range(1, 3600, "s", "largest credit of one sample while moving"),
    "model.hr_max_bpm": Range(100, 250, "bpm", "default maximum heart rate"),
    "model.hr_rest_bpm": Range(25, 120, "bpm", "default resting heart rate"),
    "model.lthr_factor": Range(0.5, 1, "x max HR", "default threshold heart rate as a fraction of max"),
    "model.trimp_a_male": Range(0.01, 10, "", "TRIMP weighting a (male)"),
    "model.trimp_b_male": Range(0.01, 10, "", "TRIMP weighting b (male)"),
    "model.trimp_a_female": Range(0.01, 10, "", "TRIMP weighting a (female)"),
    "model.trimp_b_female": Range(0.01, 10, "", "TRIMP weighting b (female)"),
    "model.trimp_a_unknown": Range(0.01, 10, "", "TRIMP weighting a (sex unknown)"),
    "model.trimp_b_unknown": Range(0.01, 10, "", "TRIMP weighting b (sex unknown)"),
    "model.hr_load_reference_min": Range(1, 1440, "min", "minutes at threshold worth hr_load_reference"),
    "model.hr_load_reference": Range(1, 1000, "load", "HR load of the reference time at threshold"),
    # --- load without heart rate
    "model.hr_coverage_min": Range(0.01, 1, "fraction", "moving time with HR needed for HR load"),
    "model.threshold_pace_s_per_km": Range(120, 900, "s/km", "default threshold pace", shown="2:00-15:00 /km"),
    "model.gap_load_per_hour_at_threshold": Range(1, 1000, "load/h", "pace load of an hour at threshold"),
    "model.duration_load_per_hour": Range(0, 1000, "load/h", "load of an hour without HR or pace"),
    "model.duration_load_per_hour_by_sport": Range(0, 1000, "load/h", "duration load of an hour, by sport "
                                                   "(others: duration_load_per_hour)"),
    "model.power_coverage_min": Range(0.01, 1, "fraction", "moving time with power needed for power load"),
    "model.power_load_per_hour_at_ftp": Range(1, 1000, "load/h", "power load of an hour at FTP (TSS 100)"),
    "model.normalized_power_window_s": Range(1, 600, "s", "rolling window of normalized power"),
    "model.rpe_at_threshold": Range(1, 10, "CR-10", "session RPE of threshold effort"),
    "model.rpe_load_reference_min": Range(1, 1440, "min", "minutes at threshold RPE worth rpe_load_reference"),
    "model.rpe_load_reference": Range(1, 1000, "load", "RPE load of the reference time at threshold RPE"),
    "model.max_clock_jump_s": Range(60, 30 * 86400, "s", "forward jump of the clock that is not a pause"),
    # --- fitness, fatigue, form
    "model.ctl_days": Range(1, 365, _DAYS, "fitness (CTL) time constant; > atl_days"),
    "model.history_days": Range(0, 365, _DAYS, "days of history before form and ACWR bands are shown",
                                integer=True),
    "model.atl_days": Range(1, 365, _DAYS, "fatigue (ATL) time constant"),
    "model.ramp_days": Range(1, 365, _DAYS, "ramp rate period", integer=True),
    "model.ramp_warn_per_week": Range(0.1, 100, "CTL/week", "ramp rate that warns"),
    "model.form_band_edges": Range(-1000, 1000, "TSB", "form band edges, ascending; one label more"),
    # --- ACWR
    "model.acwr_acute_days": Range(1, 365, _DAYS, "ACWR acute window"),
    "model.acwr_chronic_days": Range(1, 365, _DAYS, "ACWR chronic window; > acute"),
    "model.acwr_chronic_min": Range(0.01, 1000, "load/day", "chronic load below which ACWR is undefined"),
    "model.acwr_band_edges": Range(0, 100, "ratio", "ACWR band edges, ascending; one label more"),
    # --- monotony and strain
    "model.monotony_days": Range(2, 365, _DAYS, "monotony window", integer=True),
    "model.monotony_cap": Range(1, 100, "", "monotony cap; >= monotony_flag"),
    "model.monotony_warn": Range(0.1, 100, "", "monotony that warns; <= monotony_flag"),
    "model.monotony_flag": Range(0.1, 100, "", "monotony that flags"),
    # --- goal readiness
    "model.best_window_days": Range(1, 365, _DAYS, "window of the best ascent", integer=True),
    "model.ramp_cap": Range(0.01, 1, "fraction/week", "largest weekly growth of ascent"),
    "model.trend_weeks": Range(2, 52, "weeks", "weeks in the ascent trend", integer=True),
    "model.projection_horizon_weeks": Range(1, 5200, "weeks", "furthest projection of the trend"),
    "model.km_effort_ascent_m_per_km": Range(1, 10_000, "m/km", "ascent worth one km-effort"),
}


def _check_text(name: str, value: object, limit: int, empty_ok: bool = False) -> str:
    """A one-line name: a string of at most ``limit`` characters without control characters."""
    if not isinstance(value, str):
        raise SettingsError(f"invalid settings: {name} {quoted(value)} is not text")
    if not value.strip() and not empty_ok:
        raise SettingsError(f"{name} must not be empty")
    if len(value) > limit:
        raise SettingsError(f"{name} {quoted(value)} is longer than {limit} characters")
    if any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in value):
        raise SettingsError(f"{name} {quoted(value)} contains control characters")
    return value


_SPORT = re.compile(r"[a-z0-9_]{1,40}")
MAX_SPORTS = 64


def _check_sport(name: str, value: object) -> str:
    """A FIT sport name as trainlog stores it (``running``, ``e_biking``, ``53``), else SettingsError."""
    if not isinstance(value, str) or not _SPORT.fullmatch(value):
        raise SettingsError(f"{name} {quoted(value)} is not a sport name (FIT names: running, cycling, hiking, ...)")
    return value


def _check_sports(obj: object, name: str) -> None:
    """``obj.<name>``: a tuple of sport names (a JSON list is accepted)."""
    value = getattr(obj, name)
    if isinstance(value, list):
        value = tuple(value)
    if not isinstance(value, tuple) or len(value) > MAX_SPORTS:
        raise SettingsError(f"invalid settings: model.{name} {quoted(value)} is not a list of up to {MAX_SPORTS} sports")
    object.__setattr__(obj, name, tuple(_check_sport(f"model.{name}[{i}]", v) for i, v in enumerate(value)))


def _check_fields(obj: object, prefix: str) -> None:
    """Check (and normalise: whole numbers of integer settings become int) every numeric field of ``obj``."""
    for f in dataclasses.fields(obj):
        name = prefix + f.name
        value = getattr(obj, f.name)
        rule = RANGES.get(name)
        if rule is not None and f.type.startswith("dict"):  # sport -> number
            if not isinstance(value, dict) or len(value) > MAX_SPORTS:
                raise SettingsError(f"invalid settings: {name} {quoted(value)} is not a table of up to "
                                    f"{MAX_SPORTS} sports and numbers")
            object.__setattr__(obj, f.name, {
                _check_sport(f"{name} key", k): rule.check(f"{name}[{k}]", v) for k, v in value.items()
            })
            continue
        if rule is None or (value is None and not prefix):  # athlete values may be unknown
            continue
        if isinstance(value, list):
            value = tuple(value)
        if isinstance(value, tuple) or f.type.startswith("tuple"):
            if not isinstance(value, tuple) or not 1 <= len(value) <= 20:
                raise SettingsError(f"invalid settings: {name} {quoted(value)} is not a list of 1 to 20 numbers")
            checked = tuple(rule.check(f"{name}[{i}]", v) for i, v in enumerate(value))
        else:
            checked = rule.check(name, value)
        if checked is not value:
            object.__setattr__(obj, f.name, checked)


@dataclass(frozen=True)
class Goal:
    """The race trained for. Defaults: the Barkley Marathons (METRICS.md, "The goal").

    ``date`` is the local start date of the race (``None``: not set yet).
    """

    name: str = "Barkley Marathons"
    date: dt.date | None = None
    ascent_m: float = 17698.0  # 2 x Everest (8,849 m) from sea level
    distance_m: float = 160000.0  # official 5 loops, about 160 km
    time_limit_h: float = 60.0  # Barkley cut-off
    loops: int = 5

    def __post_init__(self) -> None:
        _check_text("goal.name", self.name, MAX_NAME_CHARS)
        if self.date is not None:
            if not isinstance(self.date, dt.date) or isinstance(self.date, dt.datetime):
                raise SettingsError(f"invalid settings: goal.date {quoted(self.date)} is not a date")
            if not MIN_DAY <= self.date <= MAX_DAY:
                raise SettingsError(f"goal.date {self.date} is outside the supported range {MIN_DAY} to {MAX_DAY}")
        _check_fields(self, "goal.")

    @property
    def loop_ascent_m(self) -> float:
        """Ascent of one loop, m (total ascent / loops)."""
        return self.ascent_m / self.loops


@dataclass(frozen=True)
class ModelSettings:
    """Every sports constant the metrics use, with its source (see shared/METRICS.md)."""

    # --- Elevation (METRICS "Elevation gain and loss") ---
    hysteresis_m: float = 3.0  # GoldenCheetah and Runalyze default
    altitude_smoothing_s: float = 10.0  # trailing mean before hysteresis: barometric noise (0.2 m steps, ~0.4 m SD) would otherwise add its peaks at every turning point; 0 disables
    altitude_dropout_m: float = 0.0  # GoldenCheetah issue 3067: dropouts to exactly 0 m
    altitude_min_valid_m: float = -500.0  # at or below: invalid (no land is below -430 m; some devices write -500 as "no fix")
    altitude_max_valid_m: float = 9000.0  # above: invalid (Everest is 8,849 m)
    # a step faster than this (18,000 m/h, ten times a world-class vertical kilometre) is a GPS or barometer spike
    max_vertical_speed_mps: float = 5.0
    max_ascent_rate_m_per_h: float = 2500.0  # ascent per moving hour on foot beyond which a run is suspect
    altitude_high_track_m: float = 100.0  # ours: a 0 m reading is a dropout when the track's median is above this
    # ours: the device ascent is used when |device - computed| <= rel * computed + abs
    ascent_plausible_rel: float = 0.5
    ascent_plausible_abs_m: float = 50.0

    # --- Grade and GAP (METRICS "Grade and grade-adjusted pace") ---
    grade_window_m: float = 10.0  # at least 10 m of horizontal distance
    grade_clip: float = 1.0  # +-100 %
    minetti_clip: float = 0.45  # Minetti et al. 2002 fitted -0.45..0.45; the end value is held beyond
    # Cr(i) = 155.4 i^5 - 30.4 i^4 - 43.3 i^3 + 46.3 i^2 + 19.5 i + 3.6 J/kg/m, highest power first
    minetti_coefficients: tuple[float, ...] = (155.4, -30.4, -43.3, 46.3, 19.5, 3.6)
    climb_grade_min: float = 0.05  # ours: a sample climbs (for vertical speed) at >= 5 % grade

    # --- Moving time and heart-rate load (METRICS "Heart-rate load") ---
    moving_speed_min_mps: float = 0.3  # ours: slower than ~1 km/h is standing still
    sample_dt_cap_s: float = 10.0  # credit per sample while moving; pauses and logger gaps give none
    hr_max_bpm: float = 190.0  # default when unknown
    hr_rest_bpm: float = 60.0  # default when unknown
    lthr_factor: float = 0.88  # default lthr = 0.88 x hr_max
    # Banister TRIMP weighting a * exp(b * x)
    trimp_a_male: float = 0.64
    trimp_b_male: float = 1.92
    trimp_a_female: float = 0.86
    trimp_b_female: float = 1.67
    trimp_a_unknown: float = 0.75
    trimp_b_unknown: float = 1.80
    hr_load_reference_min: float = 60.0  # normalized HR load: one hour at lthr = 100
    hr_load_reference: float = 100.0

    # --- Load without heart rate (METRICS "Load when there is no heart rate") ---
    hr_coverage_min: float = 0.8  # `hr` source needs HR for >= 80 % of moving time
    threshold_pace_s_per_km: float = 270.0  # 4:30 /km on the flat
    gap_load_per_hour_at_threshold: float = 100.0  # rTSS-like: 100 * hours * IF^2
    duration_load_per_hour: float = 50.0  # an easy hour
    # sport -> duration load of an hour, for sports that differ from duration_load_per_hour (empty: none do)
    duration_load_per_hour_by_sport: dict[str, float] = field(default_factory=dict)
    power_coverage_min: float = 0.8  # `power` source needs power for >= 80 % of moving time
    power_load_per_hour_at_ftp: float = 100.0  # Coggan TSS: 100 * hours * IF^2, IF = NP / FTP
    normalized_power_window_s: float = 30.0  # Coggan: 30 s rolling mean, 4th-power mean, 4th root
    rpe_at_threshold: float = 7.0  # Foster 2001 session RPE: one hour at RPE 7 (threshold) is 100
    rpe_load_reference_min: float = 60.0
    rpe_load_reference: float = 100.0

    # --- Sports (METRICS "Load when there is no heart rate, and by sport", "The goal") ---
    # FIT sport names; the pace (gap) load and the ascent-rate check apply to foot sports only
    foot_sports: tuple[str, ...] = ("running", "walking", "hiking", "mountaineering")
    cycling_sports: tuple[str, ...] = ("cycling", "e_biking")  # the power load applies to these only
    goal_sports: tuple[str, ...] = ("running", "walking", "hiking", "mountaineering")  # what the goal's figures count

    # --- Repairs (METRICS "Samples that need repair before any metric") ---
    max_clock_jump_s: float = 6 * 3600.0  # a forward jump longer than this without a pause is a clock reset

    # --- Performance-management chart (METRICS "Fitness, fatigue, form") ---
    ctl_days: float = 42.0
    atl_days: float = 7.0
    history_days: int = 42  # cold start: until then CTL, ATL, form and ACWR are "building history" (no band, no warning)
    ramp_days: int = 7  # ramp rate = CTL_d - CTL_{d-7}
    ramp_warn_per_week: float = 8.0  # CTL points a week; TrainingPeaks: 5-8 a week is what most athletes sustain
    # intervals.icu-style form bands: edges ascending, one more label than edges
    form_band_edges: tuple[float, ...] = (-30.0, -10.0, 5.0, 25.0)
    form_band_labels: tuple[str, ...] = ("high risk", "optimal", "grey zone", "fresh", "transition")

    # --- ACWR (Williams et al., BJSM 2017;51:209) ---
    acwr_acute_days: float = 7.0
    acwr_chronic_days: float = 28.0
    acwr_chronic_min: float = 1.0  # ours: ACWR undefined while the chronic EWMA is below 1 load unit/day
    # < 0.8 undertraining, 0.8-1.3 sweet spot, 1.3-1.5 caution, > 1.5 danger (guides, Impellizzeri 2020)
    acwr_band_edges: tuple[float, ...] = (0.8, 1.3, 1.5)
    acwr_band_labels: tuple[str, ...] = ("undertraining", "sweet spot", "caution", "danger")

    # --- Monotony and strain (Foster 1998) ---
    monotony_days: int = 7
    monotony_cap: float = 10.0
    monotony_warn: float = 1.5
    monotony_flag: float = 2.0

    # --- Goal readiness (METRICS "The goal") ---
    best_window_days: int = 7  # best 7-day ascent
    ramp_cap: float = 0.10  # at most +10 % weekly ascent per week
    trend_weeks: int = 4  # ours: the trend is a straight line through the last 4 weekly ascents
    projection_horizon_weeks: float = 520.0  # ours: a trend reaching the target after 10 years "never" does
    km_effort_ascent_m_per_km: float = 100.0  # ITRA: km-effort = km + ascent_m / 100

    def __post_init__(self) -> None:
        _check_fields(self, "model.")
        for name in ("foot_sports", "cycling_sports", "goal_sports"):
            _check_sports(self, name)
        if self.minetti_coefficients[-1] <= 0:
            raise SettingsError(f"model.minetti_coefficients: the last (flat cost) must be above 0, "
                                f"not {_fmt(self.minetti_coefficients[-1])} J/kg/m")
        for name in ("form_band", "acwr_band"):
            edges, labels = getattr(self, f"{name}_edges"), getattr(self, f"{name}_labels")
            if isinstance(labels, list):
                object.__setattr__(self, f"{name}_labels", labels := tuple(labels))
            if not isinstance(labels, tuple):
                raise SettingsError(f"invalid settings: model.{name}_labels {quoted(labels)} is not a list of labels")
            for i, label in enumerate(labels):
                _check_text(f"model.{name}_labels[{i}]", label, MAX_LABEL_CHARS)
            if any(a >= b for a, b in zip(edges, edges[1:])) or len(labels) != len(edges) + 1:
                raise SettingsError(f"model.{name}: edges must ascend and there must be one more label than edges, "
                                    f"got edges {list(edges)} and {len(labels)} labels")
        for low, high, rule in (
            ("atl_days", "ctl_days", "fatigue must be shorter than fitness"),
            ("acwr_acute_days", "acwr_chronic_days", "the acute window must be shorter than the chronic one"),
        ):
            if not getattr(self, low) < getattr(self, high):
                raise SettingsError(f"model.{low} {_fmt(getattr(self, low))} must be below model.{high} "
                                    f"{_fmt(getattr(self, high))} days ({rule})")
        if not self.monotony_warn <= self.monotony_flag <= self.monotony_cap:
            raise SettingsError(
                f"monotony thresholds must satisfy warn <= flag <= cap, got warn {_fmt(self.monotony_warn)}, "
                f"flag {_fmt(self.monotony_flag)}, cap {_fmt(self.monotony_cap)}"
            )


@dataclass(frozen=True)
class Resolved:
    """The values in use for one athlete (defaults filled in); ``defaults`` names the defaulted ones."""

    sex: str | None
    hr_max_bpm: float
    hr_rest_bpm: float
    lthr_bpm: float
    threshold_pace_s_per_km: float
    timezone: str | None  # IANA name; None: the machine's local zone
    trimp_a: float
    trimp_b: float
    defaults: tuple[str, ...]


@dataclass(frozen=True)
class AthleteSettings:
    """What is known about one athlete; ``None`` means unknown (a default is used).

    Heart rates in bpm, threshold pace in s/km on the flat, ``timezone`` an IANA
    name (e.g. ``"America/New_York"``) used when an activity has no UTC offset.
    """

    sex: str | None = None
    hr_max_bpm: float | None = None
    hr_rest_bpm: float | None = None
    lthr_bpm: float | None = None
    threshold_pace_s_per_km: float | None = None
    timezone: str | None = None
    ftp_w: float | None = None  # functional threshold power (W); None: no power load
    start_ctl: float | None = None  # fitness and fatigue on the day before the first activity;
    start_atl: float | None = None  # None: 0 and "building history" for the first history_days
    goal: Goal = field(default_factory=Goal)
    model: ModelSettings = field(default_factory=ModelSettings)

    def __post_init__(self) -> None:
        if self.sex is not None and self.sex not in SEXES:
            raise SettingsError(f"sex must be one of {SEXES} or unset, not {quoted(self.sex)}")
        if self.timezone is not None:
            _check_timezone(self.timezone)
        if not isinstance(self.goal, Goal) or not isinstance(self.model, ModelSettings):
            raise SettingsError("invalid settings: goal and model must be settings objects")
        _check_fields(self, "")
        hr = self.resolve()
        if not hr.hr_rest_bpm < hr.lthr_bpm <= hr.hr_max_bpm:
            raise SettingsError(
                f"heart rates must satisfy rest < threshold <= max, got rest {hr.hr_rest_bpm:g}, "
                f"threshold {hr.lthr_bpm:g}, max {hr.hr_max_bpm:g} bpm"
            )

    def resolve(self) -> Resolved:
        """The values in use, with the names of the settings that fell back to a default."""
        m = self.model
        defaults = [
            name
            for name in ("sex", "hr_max_bpm", "hr_rest_bpm", "lthr_bpm", "threshold_pace_s_per_km", "timezone")
            if getattr(self, name) is None
        ]
        if self.goal.date is None:
            defaults.append("goal.date")
        hr_max = m.hr_max_bpm if self.hr_max_bpm is None else self.hr_max_bpm
        a, b = {
            "male": (m.trimp_a_male, m.trimp_b_male),
            "female": (m.trimp_a_female, m.trimp_b_female),
            None: (m.trimp_a_unknown, m.trimp_b_unknown),
        }[self.sex]
        return Resolved(
            sex=self.sex,
            hr_max_bpm=hr_max,
            hr_rest_bpm=m.hr_rest_bpm if self.hr_rest_bpm is None else self.hr_rest_bpm,
            lthr_bpm=m.lthr_factor * hr_max if self.lthr_bpm is None else self.lthr_bpm,
            threshold_pace_s_per_km=(
                m.threshold_pace_s_per_km if self.threshold_pace_s_per_km is None else self.threshold_pace_s_per_km
            ),
            timezone=self.timezone,
            trimp_a=a,
            trimp_b=b,
            defaults=tuple(defaults),
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict (dates as ISO strings, tuples as lists)."""
        data = dataclasses.asdict(self)
        data["goal"]["date"] = None if self.goal.date is None else self.goal.date.isoformat()
        data["model"] = {k: list(v) if isinstance(v, tuple) else v for k, v in data["model"].items()}
        return {"schema_version": SETTINGS_SCHEMA_VERSION, **data}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AthleteSettings:
        """Inverse of :meth:`to_dict`; missing keys take their defaults.

        Raises :class:`SettingsError` for a newer ``schema_version``, unknown keys,
        values of the wrong kind or out of :data:`RANGES`, and inconsistent values.
        """
        data = dict(data)
        version = data.pop("schema_version", SETTINGS_SCHEMA_VERSION)
        if not isinstance(version, int) or version > SETTINGS_SCHEMA_VERSION:
            raise SettingsError(
                f"settings schema_version {quoted(version)} is newer than this trainlog "
                f"understands ({SETTINGS_SCHEMA_VERSION}); upgrade trainlog"
            )
        goal, model = data.pop("goal", None) or {}, data.pop("model", None) or {}
        if not isinstance(goal, dict) or not isinstance(model, dict):
            raise SettingsError("invalid settings: goal and model must be JSON objects")
        goal = dict(goal)
        if goal.get("date") is not None:
            try:
                goal["date"] = parse_day(goal["date"], "goal.date") if isinstance(goal["date"], str) else goal["date"]
            except InvalidValue as error:
                raise SettingsError(f"invalid settings: {error}") from None
        model = {k: tuple(v) if isinstance(v, list) else v for k, v in model.items()}
        try:
            return cls(**data, goal=Goal(**goal), model=ModelSettings(**model))
        except TypeError as error:  # unknown or missing keys
            raise SettingsError(f"invalid settings: {error}") from None


_TIMEZONE = re.compile(r"[A-Za-z0-9_+\-]+(/[A-Za-z0-9_+\-]+)*")


def _check_timezone(name: object) -> None:
    """An IANA time zone name that this machine knows, else SettingsError."""
    if not isinstance(name, str) or len(name) > 64 or not _TIMEZONE.fullmatch(name):
        raise SettingsError(f"unknown time zone {quoted(name)}")
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):  # a folder such as "Europe" is an OSError
        raise SettingsError(f"unknown time zone {quoted(name)}") from None


_PACE = re.compile(r"(\d{1,3}):([0-5]\d(?:\.\d+)?)|(\d{1,5}(?:\.\d+)?)")


def parse_pace(text: object, name: str = "threshold_pace_s_per_km") -> float | None:
    """A pace people type, ``"M:SS"`` (``"4:30"``) or seconds (``"270"``), in seconds per unit; empty: None.

    The CLI reads it per km, the dashboard per km or per mile (it converts). Refuses
    garbage, negatives, seconds of 60 or more and 0 with a :class:`SettingsError`
    naming ``name``; the range of a stored pace is checked by the settings
    (:data:`RANGES`).

    >>> parse_pace("4:30"), parse_pace("270")
    (270.0, 270.0)
    """
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    raw = str(text).strip()
    match = _PACE.fullmatch(raw)
    if match is None:
        raise SettingsError(f"{name} {quoted(raw)} is not a pace: give M:SS (e.g. 4:30) or seconds (e.g. 270)")
    minutes, seconds, plain = match.groups()
    value = float(plain) if plain is not None else int(minutes) * 60 + float(seconds)
    if value <= 0:
        rule = RANGES.get(name)
        raise SettingsError(f"{name} 0 is out of range {rule.text()}" if rule else f"{name} must be above 0")
    return value


def parse_number(text: object, name: str) -> float | None:
    """A number people type (a form field): ``None`` when empty; SettingsError naming ``name`` when unreadable.

    Ranges are the settings' business (:data:`RANGES`); this only reads.
    """
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    if isinstance(text, bool):
        raise SettingsError(f"{name} {quoted(text)} is not a number")
    if isinstance(text, (int, float)):
        return float(text)
    try:
        return float(str(text).strip())  # no thousands separators: "1,5" is not 15
    except ValueError:
        raise SettingsError(f"{name} {quoted(text)} is not a number") from None


def load_settings(path: str | os.PathLike[str]) -> AthleteSettings:
    """Read settings from a JSON file; a missing file gives the defaults.

    Raises :class:`SettingsError` naming the file when it is unreadable, not
    JSON, invalid (out of :data:`RANGES`, inconsistent), or from a newer schema.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return AthleteSettings()
    except (OSError, UnicodeDecodeError) as error:
        raise SettingsError(f"{path}: cannot read settings: {_reason(error)}") from None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as error:  # JSONDecodeError, or an integer of thousands of digits
        raise SettingsError(f"{path}: cannot read settings: {_reason(error)}") from None
    if not isinstance(data, dict):
        raise SettingsError(f"{path}: settings must be a JSON object")
    try:
        return AthleteSettings.from_dict(data)
    except SettingsError as error:
        raise SettingsError(f"{path}: {error}") from None


def save_settings(path: str | os.PathLike[str], settings: AthleteSettings) -> None:
    """Write settings as JSON atomically (temporary file in the same folder, flushed to disk, then ``os.replace``).

    An existing file that is unreadable or from a newer schema is never
    replaced: :class:`SettingsError` names it instead. A disk that is full,
    read-only or not ours is a :class:`SettingsError` naming the path; the old
    file stays as it was and no temporary file is left behind.
    """
    path = Path(path)
    load_settings(path)  # refuses to replace a file it cannot read
    text = json.dumps(settings.to_dict(), indent=2, allow_nan=False) + "\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(path, text)
    except OSError as error:
        raise SettingsError(f"{path}: cannot save settings: {_reason(error)}") from None


def _reason(error: BaseException) -> str:
    """An OS or parse error's reason on one line, without repeating the path."""
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return (str(error).strip().splitlines() or [type(error).__name__])[0]

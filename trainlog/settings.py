"""Athlete settings, the goal, and every sports constant of shared/METRICS.md.

Three frozen dataclasses:

- :class:`Goal`: the race trained for (default: the Barkley Marathons).
- :class:`ModelSettings`: every constant of the metrics, each with its source.
- :class:`AthleteSettings`: what is known about one athlete; ``None`` means
  "unknown, use the default". :meth:`AthleteSettings.resolve` returns the values
  in use and the names of those that are defaults, so the summary and the
  dashboard can say so.

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
import tempfile
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trainlog.errors import SettingsError

SETTINGS_SCHEMA_VERSION = 1

SEXES = ("female", "male")


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
    altitude_min_valid_m: float = -500.0  # below this the altitude is invalid
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

    # --- Performance-management chart (METRICS "Fitness, fatigue, form") ---
    ctl_days: float = 42.0
    atl_days: float = 7.0
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
        for name in ("form_band", "acwr_band"):
            edges, labels = getattr(self, f"{name}_edges"), getattr(self, f"{name}_labels")
            if list(edges) != sorted(edges) or len(labels) != len(edges) + 1:
                raise SettingsError(f"{name}: edges must ascend and there must be one more label than edges")


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
    goal: Goal = field(default_factory=Goal)
    model: ModelSettings = field(default_factory=ModelSettings)

    def __post_init__(self) -> None:
        if self.sex is not None and self.sex not in SEXES:
            raise SettingsError(f"sex must be one of {SEXES} or unset, not {self.sex!r}")
        if self.timezone is not None:
            try:
                zoneinfo.ZoneInfo(self.timezone)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
                raise SettingsError(f"unknown time zone {self.timezone!r}") from error
        hr = self.resolve()
        if not hr.hr_rest_bpm < hr.lthr_bpm <= hr.hr_max_bpm:
            raise SettingsError(
                f"heart rates must satisfy rest < threshold <= max, got rest {hr.hr_rest_bpm:g}, "
                f"threshold {hr.lthr_bpm:g}, max {hr.hr_max_bpm:g} bpm"
            )
        if self.goal.loops < 1 or self.goal.ascent_m < 0:
            raise SettingsError("the goal needs at least one loop and a non-negative ascent")

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

        Raises :class:`SettingsError` for a newer ``schema_version``, unknown keys
        or values of the wrong kind.
        """
        data = dict(data)
        version = data.pop("schema_version", SETTINGS_SCHEMA_VERSION)
        if not isinstance(version, int) or version > SETTINGS_SCHEMA_VERSION:
            raise SettingsError(
                f"settings schema_version {version!r} is newer than this trainlog "
                f"understands ({SETTINGS_SCHEMA_VERSION}); upgrade trainlog"
            )
        try:
            goal = dict(data.pop("goal", None) or {})
            if goal.get("date") is not None:
                goal["date"] = dt.date.fromisoformat(goal["date"])
            model = {
                k: tuple(v) if isinstance(v, list) else v for k, v in (data.pop("model", None) or {}).items()
            }
            settings = cls(**data, goal=Goal(**goal), model=ModelSettings(**model))
        except (TypeError, ValueError) as error:
            raise SettingsError(f"invalid settings: {error}") from error
        _check_numbers(settings)
        return settings


def _check_numbers(settings: AthleteSettings) -> None:
    for obj in (settings, settings.goal, settings.model):
        for f in dataclasses.fields(obj):
            value = getattr(obj, f.name)
            if isinstance(value, float) and not math.isfinite(value):
                raise SettingsError(f"invalid settings: {f.name} must be a finite number")


def load_settings(path: str | os.PathLike[str]) -> AthleteSettings:
    """Read settings from a JSON file; a missing file gives the defaults.

    Raises :class:`SettingsError` naming the file when it is unreadable, not
    JSON, invalid, or from a newer schema.
    """
    path = Path(path)
    if not path.exists():
        return AthleteSettings()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise SettingsError(f"{path}: cannot read settings: {error}") from error
    if not isinstance(data, dict):
        raise SettingsError(f"{path}: settings must be a JSON object")
    try:
        return AthleteSettings.from_dict(data)
    except SettingsError as error:
        raise SettingsError(f"{path}: {error}") from error


def save_settings(path: str | os.PathLike[str], settings: AthleteSettings) -> None:
    """Write settings as JSON atomically (temporary file in the same folder, then ``os.replace``).

    An existing file that is unreadable or from a newer schema is never
    replaced: :class:`SettingsError` names it instead.
    """
    path = Path(path)
    if path.exists():
        load_settings(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(settings.to_dict(), out, indent=2)
            out.write("\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise

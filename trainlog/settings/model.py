"""Athlete settings, the goal, and every sports constant of shared/METRICS.md.

Three frozen dataclasses:

- :class:`Goal`: the race trained for (default: the Barkley Marathons).
- :class:`ModelSettings`: every constant of the metrics, each with its source.
- :class:`AthleteSettings`: what is known about one athlete; ``None`` means
  "unknown, use the default". :meth:`AthleteSettings.resolve` returns the values
  in use and the names of those that are defaults, so the summary and the
  dashboard can say so.

One validation for all of them: each dataclass checks itself when built against
:data:`trainlog.settings.ranges.RANGES` (and the checks beside it), so no settings
object that a page or a command could choke on (a ``ctl_days`` of 0, an ``inf``
heart rate, a threshold pace of 0:00) can exist, whether it came from the CLI,
the dashboard or a hand-edited ``settings.json``. Every refusal is a one-line
:class:`SettingsError` naming the setting, the value and the range.

Settings are stored as JSON (``to_dict`` / ``from_dict``, with a
``schema_version``); :mod:`trainlog.settings.file` reads and writes the file.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from trainlog.days import MAX_DAY, MIN_DAY, parse_day
from trainlog.errors import InvalidValue, SettingsError
from trainlog.settings import history
from trainlog.settings.history import ThresholdChange
from trainlog.settings.ranges import (
    MAX_LABEL_CHARS,
    MAX_NAME_CHARS,
    check_fields,
    check_sport,
    check_sports,
    check_text,
    check_timezone,
    fmt_value,
)
from trainlog.text import quoted

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

    def __post_init__(self) -> None:
        check_text("goal.name", self.name, MAX_NAME_CHARS)
        if self.date is not None:
            if not isinstance(self.date, dt.date) or isinstance(self.date, dt.datetime):
                raise SettingsError(f"invalid settings: goal.date {quoted(self.date)} is not a date")
            if not MIN_DAY <= self.date <= MAX_DAY:
                raise SettingsError(f"goal.date {self.date} is outside the supported range {MIN_DAY} to {MAX_DAY}")
        check_fields(self, "goal.")

    @property
    def loop_ascent_m(self) -> float:
        """Ascent of one loop, m (total ascent / loops)."""
        return self.ascent_m / self.loops


@dataclass(frozen=True)
class ModelSettings:
    """Every sports constant the metrics use, with its source (see shared/METRICS.md)."""

    # --- Elevation (METRICS "Elevation gain and loss") ---
    hysteresis_m: float = 3.0  # GoldenCheetah and Runalyze default
    # trailing mean before hysteresis: barometric noise (0.2 m steps, ~0.4 m SD) would otherwise add its peaks
    # at every turning point; 0 disables
    altitude_smoothing_s: float = 10.0
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

    # --- Readiness (wellness) ---
    # trainlog.analysis.readiness. HRV: the 7-day rolling mean of ln rMSSD against a normal range, baseline mean
    # +- hrv_normal_sd x SD of the daily ln rMSSD of the readiness_baseline_days before the day (Plews et al. 2012,
    # Eur J Appl Physiol 112:3729 and 2013, Sports Med 43:773; Javaloyes et al. 2019, IJSPP 14:23: 0.5 SD, the
    # smallest worthwhile change; HRV4Training's normal values: the last 60 days, Altini 2022)
    readiness_baseline_days: int = 60
    readiness_baseline_min_values: int = 14  # ours: two weeks of mornings before an HRV or resting-HR flag
    hrv_rolling_days: int = 7
    hrv_rolling_min_values: int = 3  # Plews et al. 2014, IJSPP 9:783: 3 mornings a week give a valid weekly mean
    hrv_normal_sd: float = 0.5
    resting_hr_rise_bpm: float = 5.0  # ours (a coaches' rule of thumb): warn above baseline + 5 bpm
    short_sleep_h: float = 6.0  # ours: an hour under the 7 h adults need (Watson et al. 2015, Sleep 38:843)
    soreness_high: int = 4  # ours: "high" (4) or "extreme" (5) on the 1-5 scale

    # --- Goal readiness (METRICS "The goal") ---
    best_window_days: int = 7  # best 7-day ascent
    ramp_cap: float = 0.10  # at most +10 % weekly ascent per week
    trend_weeks: int = 4  # ours: the trend is a straight line through the last 4 weekly ascents
    projection_horizon_weeks: float = 520.0  # ours: a trend reaching the target after 10 years "never" does
    km_effort_ascent_m_per_km: float = 100.0  # ITRA: km-effort = km + ascent_m / 100

    # --- Planning to race day (METRICS "Planning to race day"; trainlog.analysis.generate) ---
    plan_available_hours_per_week: float = 20.0  # ours: the hours cap when the athlete has not set theirs
    # peak week's ascent as a share of the race's: 0.5 x 17,698 m = 8,849 m, inside the 7,500-12,000 m a week
    # Barkley finishers report at peak
    plan_peak_share: float = 0.5
    plan_peak_weeks: int = 3  # weeks at the peak before the taper, with a back-to-back block of long days
    plan_recovery_every: int = 4  # every 4th week a recovery week (3:1 loading, the common periodisation)
    plan_recovery_cut: float = 0.30  # a recovery week is about 30 % lighter than the week before
    plan_taper_weeks: int = 2  # taper weeks before the race week: a 2-3 week taper with it
    # ours: the least climbing per planned hour on steep training terrain (the athlete's own when higher)
    plan_ascent_m_per_h: float = 500.0
    plan_start_ascent_min_m: float = 500.0  # ours: the least weekly ascent a plan starts from
    # session intensity factors (IF) for planned load 100 * hours * IF^2, in the order of
    # trainlog.store.plans.SESSION_TYPES: recovery, easy, long, steady, tempo, threshold
    session_if: tuple[float, ...] = (0.65, 0.72, 0.75, 0.82, 0.88, 1.0)
    # taper targets (TrainingPeaks' and intervals.icu's rules of thumb)
    taper_form_min: float = 5.0  # race-morning form +5..+25 ("fresh")
    taper_form_max: float = 25.0
    ctl_peak_days_min: int = 14  # CTL peaking 14-21 days before the race
    ctl_peak_days_max: int = 21
    overload_form: float = -30.0  # form below -30 ...
    overload_window_days: int = 10  # ... at most once in 10 days
    overload_max_days: int = 1
    # compliance, done / planned (TrainingPeaks' colours): 80-120 % green, 50-79 % or 121-150 % yellow, else red
    compliance_green_low: float = 0.8
    compliance_green_high: float = 1.2
    compliance_yellow_low: float = 0.5
    compliance_yellow_high: float = 1.5

    def __post_init__(self) -> None:
        check_fields(self, "model.")
        for name in ("foot_sports", "cycling_sports", "goal_sports"):
            check_sports(self, name)
        if self.minetti_coefficients[-1] <= 0:
            raise SettingsError(f"model.minetti_coefficients: the last (flat cost) must be above 0, "
                                f"not {fmt_value(self.minetti_coefficients[-1])} J/kg/m")
        for name in ("form_band", "acwr_band"):
            edges, labels = getattr(self, f"{name}_edges"), getattr(self, f"{name}_labels")
            if isinstance(labels, list):
                object.__setattr__(self, f"{name}_labels", labels := tuple(labels))
            if not isinstance(labels, tuple):
                raise SettingsError(f"invalid settings: model.{name}_labels {quoted(labels)} is not a list of labels")
            for i, label in enumerate(labels):
                check_text(f"model.{name}_labels[{i}]", label, MAX_LABEL_CHARS)
            if any(a >= b for a, b in zip(edges, edges[1:])) or len(labels) != len(edges) + 1:
                raise SettingsError(f"model.{name}: edges must ascend and there must be one more label than edges, "
                                    f"got edges {list(edges)} and {len(labels)} labels")
        for low, high, rule in (
            ("atl_days", "ctl_days", "fatigue must be shorter than fitness"),
            ("acwr_acute_days", "acwr_chronic_days", "the acute window must be shorter than the chronic one"),
        ):
            if not getattr(self, low) < getattr(self, high):
                raise SettingsError(f"model.{low} {fmt_value(getattr(self, low))} must be below model.{high} "
                                    f"{fmt_value(getattr(self, high))} days ({rule})")
        if len(self.session_if) != 6:
            raise SettingsError(f"model.session_if must have 6 values (recovery, easy, long, steady, tempo, "
                                f"threshold), not {len(self.session_if)}")
        for low, high in (("taper_form_min", "taper_form_max"), ("ctl_peak_days_min", "ctl_peak_days_max"),
                          ("compliance_yellow_low", "compliance_green_low"),
                          ("compliance_green_low", "compliance_green_high"),
                          ("compliance_green_high", "compliance_yellow_high")):
            if not getattr(self, low) < getattr(self, high):
                raise SettingsError(f"model.{low} {fmt_value(getattr(self, low))} must be below model.{high} "
                                    f"{fmt_value(getattr(self, high))}")
        if not self.monotony_warn <= self.monotony_flag <= self.monotony_cap:
            raise SettingsError(
                f"monotony thresholds must satisfy warn <= flag <= cap, got warn {fmt_value(self.monotony_warn)}, "
                f"flag {fmt_value(self.monotony_flag)}, cap {fmt_value(self.monotony_cap)}"
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
    available_hours_per_week: float | None = None  # the plan's weekly hours cap; None: the model's default
    default_sport: str = "running"  # a GPX or TCX that names no sport, and whose export does not either
    weight_kg: float | None = None  # body weight (kg); None: unknown
    # dated changes of the values above (trainlog.settings.history): each holds from its local day on; the plain
    # values hold before the first change
    thresholds: tuple[ThresholdChange, ...] = ()
    goal: Goal = field(default_factory=Goal)
    model: ModelSettings = field(default_factory=ModelSettings)

    def __post_init__(self) -> None:
        if self.sex is not None and self.sex not in SEXES:
            raise SettingsError(f"sex must be one of {SEXES} or unset, not {quoted(self.sex)}")
        if self.timezone is not None:
            check_timezone(self.timezone)
        check_sport("default_sport", self.default_sport)
        if not isinstance(self.goal, Goal) or not isinstance(self.model, ModelSettings):
            raise SettingsError("invalid settings: goal and model must be settings objects")
        object.__setattr__(self, "thresholds", history.changes_of(self.thresholds))
        check_fields(self, "")
        base = {name: getattr(self, name) for name in history.DATED_FIELDS}
        for day in [None, *(c.from_date for c in self.thresholds)]:
            values = base if day is None else history.in_force(base, self.thresholds, day)
            hr = _heart_rates(values, self.model)
            if not hr.hr_rest_bpm < hr.lthr_bpm <= hr.hr_max_bpm:
                raise SettingsError(
                    f"heart rates must satisfy rest < threshold <= max, got rest {hr.hr_rest_bpm:g}, "
                    f"threshold {hr.lthr_bpm:g}, max {hr.hr_max_bpm:g} bpm" + (f" from {day}" if day else "")
                )

    def in_force(self, day: dt.date) -> AthleteSettings:
        """These settings with the values in force on ``day`` (the athlete's local day) and no dated changes."""
        if not self.thresholds:
            return self
        base = {name: getattr(self, name) for name in history.DATED_FIELDS}
        return dataclasses.replace(self, **history.in_force(base, self.thresholds, day), thresholds=())

    def periods(self) -> list[tuple[dt.date | None, AthleteSettings]]:
        """(first day, the settings in force from it) per period: ``None`` first (before any change), then one per
        dated change."""
        plain = dataclasses.replace(self, thresholds=()) if self.thresholds else self
        base = {name: getattr(self, name) for name in history.DATED_FIELDS}
        return [(None, plain)] + [
            (c.from_date, dataclasses.replace(plain, **history.in_force(base, self.thresholds, c.from_date)))
            for c in self.thresholds
        ]

    def with_change(self, day: dt.date, values: dict[str, float | None]) -> AthleteSettings:
        """These settings with ``values`` (dated field -> value; None removes it) in force from ``day`` on."""
        return dataclasses.replace(self, thresholds=history.merged(self.thresholds, day, values))

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

    @property
    def hours_cap(self) -> float:
        """The weekly hours a plan may hold: ``available_hours_per_week``, else the model's default."""
        if self.available_hours_per_week is None:
            return self.model.plan_available_hours_per_week
        return self.available_hours_per_week

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict (dates as ISO strings, tuples as lists)."""
        data = dataclasses.asdict(self)
        data["goal"]["date"] = None if self.goal.date is None else self.goal.date.isoformat()
        data["thresholds"] = [c.to_dict() for c in self.thresholds]
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


@dataclass(frozen=True)
class _HeartRates:
    hr_max_bpm: float
    hr_rest_bpm: float
    lthr_bpm: float


def _heart_rates(values: dict[str, Any], model: ModelSettings) -> _HeartRates:
    """The heart rates in use for these athlete values (defaults filled in as :meth:`AthleteSettings.resolve` does)."""
    hr_max = model.hr_max_bpm if values["hr_max_bpm"] is None else values["hr_max_bpm"]
    return _HeartRates(hr_max, model.hr_rest_bpm if values["hr_rest_bpm"] is None else values["hr_rest_bpm"],
                       model.lthr_factor * hr_max if values["lthr_bpm"] is None else values["lthr_bpm"])

"""The allowed values of every setting: :data:`RANGES` (numbers) and the checks of names, sports and time zones.

:data:`RANGES` is the one table of every numeric setting's allowed range (the CLI
help, the dashboard's Settings page and the README quote it). The ``check_*``
functions are what each settings dataclass runs when it is built
(:mod:`trainlog.settings.model`); every refusal is a one-line
:class:`~trainlog.errors.SettingsError` naming the setting, the value and the range.
"""

from __future__ import annotations

import dataclasses
import math
import re
import unicodedata
import zoneinfo
from dataclasses import dataclass

from trainlog.errors import SettingsError
from trainlog.text import quoted

#: The longest goal name and band label accepted (they are shown on one line).
MAX_NAME_CHARS = 100
MAX_LABEL_CHARS = 40


def fmt_value(value: float) -> str:
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
        return f"{fmt_value(self.low)}..{fmt_value(self.high)}{unit}" + (f" ({self.shown})" if self.shown else "")

    def check(self, name: str, value: object) -> float | int:
        """``value`` if it is a finite number in range (an int for ``integer``), else SettingsError."""
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise SettingsError(f"invalid settings: {name} {quoted(value)} is not a number (range {self.text()})")
        try:
            number = float(value)
        except OverflowError:  # an int of hundreds of digits
            raise SettingsError(f"{name} {fmt_value(value)} is out of range {self.text()}") from None
        if not math.isfinite(number):
            raise SettingsError(f"{name} {fmt_value(value)} is not a finite number (range {self.text()})")
        if not self.low <= number <= self.high:
            raise SettingsError(f"{name} {fmt_value(value)} is out of range {self.text()}")
        if self.integer:
            if value != int(value):
                raise SettingsError(f"{name} {fmt_value(value)} is not a whole number (range {self.text()})")
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
    "weight_kg": Range(25, 250, "kg", "body weight"),
    "start_ctl": Range(0, 300, "load/day", "fitness (CTL) on the day before the first activity"),
    "start_atl": Range(0, 300, "load/day", "fatigue (ATL) on the day before the first activity"),
    "available_hours_per_week": Range(1, 100, "h/week", "training hours available in a week (the plan's cap)"),
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
    # --- readiness (wellness)
    "model.readiness_baseline_days": Range(14, 365, _DAYS, "days before a morning that make the HRV and "
                                           "resting-HR baselines", integer=True),
    "model.readiness_baseline_min_values": Range(2, 365, "mornings", "values a baseline needs before any flag "
                                                 "(fewer: building baseline)", integer=True),
    "model.hrv_rolling_days": Range(1, 28, _DAYS, "window of the rolling HRV mean", integer=True),
    "model.hrv_rolling_min_values": Range(1, 28, "mornings", "values the rolling HRV mean needs", integer=True),
    "model.hrv_normal_sd": Range(0.1, 3, "SD", "half-width of the HRV normal range, in SDs of daily ln rMSSD"),
    "model.resting_hr_rise_bpm": Range(1, 30, "bpm", "resting HR above its baseline that warns"),
    "model.short_sleep_h": Range(0, 12, "h", "sleep below which a night is short"),
    "model.soreness_high": Range(1, 5, "of 5", "soreness from which a morning warns", integer=True),
    # --- goal readiness
    "model.best_window_days": Range(1, 365, _DAYS, "window of the best ascent", integer=True),
    "model.ramp_cap": Range(0.01, 1, "fraction/week", "largest weekly growth of ascent"),
    "model.trend_weeks": Range(2, 52, "weeks", "weeks in the ascent trend", integer=True),
    "model.projection_horizon_weeks": Range(1, 5200, "weeks", "furthest projection of the trend"),
    "model.km_effort_ascent_m_per_km": Range(1, 10_000, "m/km", "ascent worth one km-effort"),
    # --- planning to race day
    "model.plan_available_hours_per_week": Range(1, 100, "h/week", "weekly hours cap when the athlete set none"),
    "model.plan_peak_share": Range(0.05, 2, "x race ascent", "peak week's ascent as a share of the race's"),
    "model.plan_peak_weeks": Range(1, 12, "weeks", "weeks at the peak before the taper", integer=True),
    "model.plan_recovery_every": Range(2, 8, "weeks", "every Nth week is a recovery week", integer=True),
    "model.plan_recovery_cut": Range(0, 0.9, "fraction", "a recovery week's cut from the week before"),
    "model.plan_taper_weeks": Range(1, 6, "weeks", "taper weeks before the race week", integer=True),
    "model.plan_ascent_m_per_h": Range(50, 2000, "m/h", "least climbing per planned hour"),
    "model.plan_start_ascent_min_m": Range(0, 20_000, "m/week", "least weekly ascent a plan starts from"),
    "model.session_if": Range(0.3, 1.5, "IF", "intensity of recovery, easy, long, steady, tempo, threshold "
                              "sessions"),
    "model.taper_form_min": Range(-100, 100, "TSB", "lowest race-morning form; < taper_form_max"),
    "model.taper_form_max": Range(-100, 100, "TSB", "highest race-morning form"),
    "model.ctl_peak_days_min": Range(0, 120, _DAYS, "fewest days from the CTL peak to the race", integer=True),
    "model.ctl_peak_days_max": Range(0, 120, _DAYS, "most days from the CTL peak to the race", integer=True),
    "model.overload_form": Range(-300, 0, "TSB", "form below which a day is an overload"),
    "model.overload_window_days": Range(1, 60, _DAYS, "window of the overload count", integer=True),
    "model.overload_max_days": Range(0, 60, _DAYS, "overload days allowed in the window", integer=True),
    "model.compliance_green_low": Range(0, 10, "done/planned", "lowest green compliance"),
    "model.compliance_green_high": Range(0, 10, "done/planned", "highest green compliance"),
    "model.compliance_yellow_low": Range(0, 10, "done/planned", "lowest yellow compliance (below: red)"),
    "model.compliance_yellow_high": Range(0, 10, "done/planned", "highest yellow compliance (above: red)"),
}


def check_text(name: str, value: object, limit: int, empty_ok: bool = False) -> str:
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


def check_sport(name: str, value: object) -> str:
    """A FIT sport name as trainlog stores it (``running``, ``e_biking``, ``53``), else SettingsError."""
    if not isinstance(value, str) or not _SPORT.fullmatch(value):
        raise SettingsError(f"{name} {quoted(value)} is not a sport name (FIT names: running, cycling, hiking, ...)")
    return value


def check_sports(obj: object, name: str) -> None:
    """``obj.<name>``: a tuple of sport names (a JSON list is accepted)."""
    value = getattr(obj, name)
    if isinstance(value, list):
        value = tuple(value)
    if not isinstance(value, tuple) or len(value) > MAX_SPORTS:
        raise SettingsError(f"invalid settings: model.{name} {quoted(value)} is not a list of up to {MAX_SPORTS} sports")
    object.__setattr__(obj, name, tuple(check_sport(f"model.{name}[{i}]", v) for i, v in enumerate(value)))


def check_fields(obj: object, prefix: str) -> None:
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
                check_sport(f"{name} key", k): rule.check(f"{name}[{k}]", v) for k, v in value.items()
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


_TIMEZONE = re.compile(r"[A-Za-z0-9_+\-]+(/[A-Za-z0-9_+\-]+)*")


def check_timezone(name: object) -> None:
    """An IANA time zone name that this machine knows, else SettingsError."""
    if not isinstance(name, str) or len(name) > 64 or not _TIMEZONE.fullmatch(name):
        raise SettingsError(f"unknown time zone {quoted(name)}")
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):  # a folder such as "Europe" is an OSError
        raise SettingsError(f"unknown time zone {quoted(name)}") from None

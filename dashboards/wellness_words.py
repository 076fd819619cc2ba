"""The athlete's mornings and readiness in plain words (issue 16): the Today page's readiness card and check-in
status line, the Coach roster's readiness cell, and the readings under the Wellness page's graphs.

Input is :func:`trainlog.analysis.readiness.day_readiness` (one day) or rows of
:func:`trainlog.analysis.readiness.signals` (the days of a range); the field words are
:data:`trainlog.store.wellness.FIELDS`'. Nothing here computes a baseline or a flag: the library did.
"""

from __future__ import annotations

import polars as pl

from dashboards import units as u
from dashboards.readings import Tone
from trainlog.settings import ModelSettings
from trainlog.store.wellness import FIELDS
from trainlog.words import Level

#: A readiness level in words (None: nothing to judge on the day).
LEVEL_WORDS = {Level.OK.value: "ok", Level.WARN.value: "warning", Level.FLAG.value: "flag"}
#: How a level tones its card and cell (the words say it too).
LEVEL_TONES = {Level.OK.value: Tone.GOOD, Level.WARN.value: Tone.WARN, Level.FLAG.value: Tone.BAD}
NOTHING = "nothing to judge"
#: The fields the check-in form asks for, in its order (resting HR and HRV last: optional, from a watch).
CHECK_IN = ("sleep_h", "sleep_quality", "soreness", "fatigue", "mood", "resting_hr_bpm", "hrv_rmssd_ms", "illness",
            "note")
#: The 1-5 scales the Wellness page draws.
SCALES = ("sleep_quality", "soreness", "fatigue", "stress", "mood", "motivation")


def scale_word(column: str, value: float) -> str:
    """``"2 (mild)"``: a 1-5 value with its word."""
    return f"{int(value)} ({FIELDS[column].words[int(value) - 1]})"


def value_words(column: str, value: object) -> str:
    """One field's value in words: ``"sleep 7.5 h"``, ``"soreness 2 (mild)"``, ``"ill or injured"``, ``"a note"``."""
    f = FIELDS[column]
    if f.kind == "flag":
        return f.label if value else f"not {f.label}"
    if f.kind == "text":
        return "a note" if value else "the note cleared"
    if f.kind == "scale":
        return f"{f.label} {scale_word(column, value)}"
    return f"{f.label} {round(value, 2 if f.unit == 'h' else 1):g} {f.unit}"


def values_words(values: dict) -> str:
    """The values given (None left out) in :data:`~trainlog.store.wellness.FIELDS`' order, in words."""
    said = [value_words(c, values[c]) for c in FIELDS if values.get(c) is not None]
    return ", ".join(said) if said else "nothing"


def level_words(readiness: dict) -> str:
    """The day's level in words: ``"ok"``, ``"2 warnings"``, ``"1 flag, 1 warning"``; ``"no check-in"`` or
    ``"nothing to judge"`` when nothing fires and nothing can be judged."""
    if readiness["level"] is None:
        return "no check-in" if not readiness["checked_in"] else NOTHING
    counts = [(n, word) for word in (Level.FLAG.value, Level.WARN.value)
              if (n := sum(f["level"] == word for f in readiness["flags"]))]
    if not counts:
        return LEVEL_WORDS[readiness["level"]]
    return ", ".join(f"{n} {LEVEL_WORDS[word]}{'s' if n > 1 else ''}" for n, word in counts)


def level_tone(level: str | None) -> Tone:
    return LEVEL_TONES.get(level, Tone.NONE)


def _building(values: int, needed: int) -> str:
    more = needed - values
    return f"building baseline: {more} more morning{'s' if more != 1 else ''} needed ({values} of {needed})"


def hrv_words(hrv: dict) -> str:
    """Where HRV's 7-day average stands: ``"62 ms over 7 days, normal 55-70 ms: normal"``, or that the baseline is
    still being built (how many mornings more), or that the last 7 days hold too few values."""
    if hrv["baseline_values"] < hrv["values_needed"]:
        return _building(hrv["baseline_values"], hrv["values_needed"])
    if hrv["mean_7d_ms"] is None:
        return f"too few values in the last 7 days ({hrv['values_7d']} of the {hrv['values_7d_needed']} needed)"
    return (f"{hrv['mean_7d_ms']:.0f} ms over 7 days, normal {hrv['normal_low_ms']:.0f}–{hrv['normal_high_ms']:.0f} ms: "
            f"{hrv['status']}")


def resting_hr_words(rhr: dict) -> str:
    """Resting HR against its baseline: ``"baseline 46 bpm (+2 today)"``, or the baseline still being built."""
    if rhr["baseline_bpm"] is None:
        return _building(rhr["baseline_values"], rhr["values_needed"])
    delta = f" ({rhr['delta_bpm']:+.0f} today)" if rhr["delta_bpm"] is not None else ""
    return f"baseline {rhr['baseline_bpm']:.0f} bpm{delta}"


def short_flag(flag: dict, readiness: dict) -> str:
    """A flag in a few words for the Coach roster: ``"HRV low (48 ms)"``, ``"slept 5.5 h"``, ``"ill or injured"``."""
    key, values, hrv = flag["key"], readiness["values"], readiness["baselines"]["hrv"]
    if key in ("hrv_low", "hrv_high"):
        return f"HRV {'low' if key == 'hrv_low' else 'high'} ({hrv['mean_7d_ms']:.0f} ms)"
    if key == "resting_hr_high":
        return f"resting HR {readiness['baselines']['resting_hr']['delta_bpm']:+.0f} bpm"
    if key == "short_sleep":
        return f"slept {values['sleep_h']:.1f} h"
    if key == "soreness_high":
        return f"soreness {values['soreness']}/5"
    return FIELDS["illness"].label if key == "ill" else key


def short_flags(readiness: dict) -> str:
    """The day's flags in a few words each, loudest first (``""`` when none fires)."""
    return ", ".join(short_flag(f, readiness) for f in readiness["flags"])


# ---- the Wellness page's readings (rows of readiness.signals over the days shown)

def _last(frame: pl.DataFrame, column: str) -> dict | None:
    rows = frame.filter(pl.col(column).is_not_null())
    return rows.row(-1, named=True) if rows.height else None


def hrv_reading(frame: pl.DataFrame, model: ModelSettings) -> str:
    """The last day shown with a 7-day HRV average: where it stands against the normal range; else why there is none."""
    row = _last(frame, "hrv_7d_ms")
    if row is None:
        return (f"No 7-day HRV average in these days: it needs {model.hrv_rolling_min_values} mornings with HRV within "
                f"{model.hrv_rolling_days} days." if _last(frame, "hrv_rmssd_ms") else "No HRV in these days.")
    said = f"On {u.fmt_day(row['date'])} HRV's {model.hrv_rolling_days}-day average was {row['hrv_7d_ms']:.0f} ms"
    if row["hrv_normal_low_ms"] is None:
        return f"{said}; no normal range yet, {_building(row['hrv_baseline_values'], model.readiness_baseline_min_values)}."
    return (f"{said}, {row['hrv_status']} (your normal range then: {row['hrv_normal_low_ms']:.0f}–"
            f"{row['hrv_normal_high_ms']:.0f} ms). Below the range your body is not absorbing the load; above it is "
            "often good, but after a hard block it can be deep fatigue.")


def resting_hr_reading(frame: pl.DataFrame, model: ModelSettings) -> str:
    """The last resting HR shown against its baseline, and how many days shown were more than the rise above it."""
    row = _last(frame, "resting_hr_bpm")
    if row is None:
        return "No resting heart rate in these days."
    said = f"On {u.fmt_day(row['date'])} resting HR was {row['resting_hr_bpm']:.0f} bpm"
    if row["resting_hr_baseline_bpm"] is None:
        return f"{said}; no baseline yet, {_building(row['resting_hr_baseline_values'], model.readiness_baseline_min_values)}."
    high = frame["resting_hr_high"].fill_null(False).sum()
    return (f"{said}, {row['resting_hr_delta_bpm']:+.0f} bpm against its baseline of {row['resting_hr_baseline_bpm']:.0f} "
            f"bpm. {_days(high)} shown {'was' if high == 1 else 'were'} more than {model.resting_hr_rise_bpm:g} bpm above it.")


def _days(n: int) -> str:
    return f"{'No' if n == 0 else n} day{'' if n == 1 else 's'}"


def sleep_reading(frame: pl.DataFrame, model: ModelSettings) -> str:
    """The average night shown and how many were short."""
    nights = frame["sleep_h"].drop_nulls() if "sleep_h" in frame.columns else pl.Series([], dtype=pl.Float64)
    if nights.is_empty():
        return "No sleep recorded in these days."
    short = int((nights < model.short_sleep_h).sum())
    return (f"{nights.len()} night{'s' if nights.len() != 1 else ''} recorded, {nights.mean():.1f} h on average; "
            f"{short} under {model.short_sleep_h:g} h.")


def scales_reading(frame: pl.DataFrame) -> str:
    """The last values shown of each 1-5 scale, in words."""
    said = [f"{FIELDS[c].label} {scale_word(c, row[c])} on {u.fmt_day(row['date'])}"
            for c in SCALES if (row := _last(frame, c)) is not None]
    if not said:
        return "No 1-5 scale recorded in these days."
    return ("Latest: " + "; ".join(said) + ". Soreness, fatigue and stress: higher is worse; sleep quality, mood and "
            "motivation: higher is better.")


def load_reading(daily: pl.DataFrame, frame: pl.DataFrame) -> str:
    """The load shown, and its mean on the days after a morning with a flag or warning against the others."""
    if daily.filter(pl.col("load") > 0).is_empty():
        return "No training load in these days."
    total = daily["load"].sum()
    judged = frame.filter(pl.col("level").is_in([Level.WARN.value, Level.FLAG.value]))["date"]
    if judged.is_empty():
        return f"{total:,.0f} load points in these days; no morning with a warning or flag."
    on = daily.filter(pl.col("date").is_in(judged.implode()))["load"]
    off = daily.filter(~pl.col("date").is_in(judged.implode()))["load"]
    n = judged.len()
    return (f"{total:,.0f} load points in these days; {on.mean() or 0:.0f} a day on the {n} morning{'s' if n > 1 else ''} "
            f"with a warning or flag, {off.mean() or 0:.0f} on the others.")

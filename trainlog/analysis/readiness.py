"""Readiness from the athlete's wellness: HRV against its normal range, resting HR above its baseline, short
sleep, high soreness, illness (issue 16).

Pure Polars on the folded daily wellness (:func:`trainlog.store.wellness.daily`:
one row per day that has any). :func:`signals` gives one row per calendar day
with the baselines, the HRV normal range and a flag per rule; :func:`day_readiness`
one day as plain data with a sentence per flag (the CLI, the summary, the
dashboard's Today page and Coach roster); :func:`as_rows` the days as JSON rows.
Every constant is a field of :class:`~trainlog.settings.ModelSettings` (block
"Readiness (wellness)"); the defaults are in brackets.

- **HRV** (``hrv_low``: flag; ``hrv_high``: warn). HRV is analysed as the
  natural log of rMSSD, whose day-to-day distribution is near normal (Plews et
  al. 2012, Eur J Appl Physiol 112:3729). The rolling mean of ln rMSSD over the
  last ``hrv_rolling_days`` (7) calendar days, the day included, needs
  ``hrv_rolling_min_values`` (3) mornings (Plews et al. 2014, IJSPP 9:783) and is
  compared with the athlete's normal range: the mean of the daily ln rMSSD of
  the ``readiness_baseline_days`` (60) days before the day, plus and minus
  ``hrv_normal_sd`` (0.5) times their standard deviation (n - 1): the smallest
  worthwhile change of Plews et al. 2013 (Sports Med 43:773) and of HRV-guided
  training (Javaloyes et al. 2019, IJSPP 14:23), over the 60 days HRV4Training
  builds its normal values from (Altini 2022, "The importance of normal
  values"). A rolling mean below the range flags (the athlete is not coping with
  the load); above it warns (often good, but a sign of deep fatigue after hard
  blocks, Plews et al. 2012). Until the baseline holds
  ``readiness_baseline_min_values`` (14) mornings: "building baseline", no flag.
  Ranges are shown in ms: ``exp`` of the ln bounds.
- **Resting HR** (``resting_hr_high``: warn): the day's value above the mean of
  the ``readiness_baseline_days`` (60) days before by more than
  ``resting_hr_rise_bpm`` (5 bpm; ours), once the baseline holds
  ``readiness_baseline_min_values`` (14) mornings.
- **Short sleep** (``short_sleep``: warn): ``sleep_h`` below ``short_sleep_h``
  (6 h; ours: an hour under the 7 h of the AASM/SRS consensus, Watson et al.
  2015, Sleep 38:843).
- **High soreness** (``soreness_high``: warn): soreness at least
  ``soreness_high`` (4, "high", on the 1-5 scale; ours).
- **Ill or injured** (``ill``: flag): the athlete said so.

A rule without its input on a day is null (not judged), never False.
"""

from __future__ import annotations

import datetime as dt
import math

import polars as pl

from trainlog.analysis.metrics import Metric
from trainlog.settings import ModelSettings
from trainlog.store.wellness import DAILY_SCHEMA, FIELDS, fold
from trainlog.words import Level

#: Every readiness rule: its key (a column of :func:`signals`) and how loud it is.
SIGNALS: dict[str, Level] = {
    "hrv_low": Level.FLAG,
    "hrv_high": Level.WARN,
    "resting_hr_high": Level.WARN,
    "short_sleep": Level.WARN,
    "soreness_high": Level.WARN,
    "ill": Level.FLAG,
}

#: ``hrv_status`` values.
NO_DATA, BUILDING, BELOW, NORMAL, ABOVE = "no data", "building baseline", "below normal", "normal", "above normal"

#: The columns :func:`signals` adds to the daily wellness (declared like :mod:`trainlog.analysis.metrics`).
COLUMNS: tuple[Metric, ...] = (
    Metric("checked_in", "", pl.Boolean, "the day has a wellness entry"),
    Metric("hrv_7d_ms", "ms", pl.Float64, "rolling HRV: exp of the mean ln rMSSD of the last hrv_rolling_days days"),
    Metric("hrv_7d_values", "", pl.Int32, "mornings with HRV in the rolling window"),
    Metric("hrv_baseline_ms", "ms", pl.Float64, "HRV baseline: exp of the mean ln rMSSD of the "
           "readiness_baseline_days days before (null: building baseline)"),
    Metric("hrv_baseline_sd_ln", "ln ms", pl.Float64, "SD (n - 1) of the daily ln rMSSD of the baseline days"),
    Metric("hrv_baseline_values", "", pl.Int32, "mornings with HRV in the baseline days"),
    Metric("hrv_normal_low_ms", "ms", pl.Float64, "HRV normal range, low end: exp(mean - hrv_normal_sd x SD)"),
    Metric("hrv_normal_high_ms", "ms", pl.Float64, "HRV normal range, high end: exp(mean + hrv_normal_sd x SD)"),
    Metric("hrv_status", "", pl.String, "no data | building baseline | below normal | normal | above normal"),
    Metric("resting_hr_baseline_bpm", "bpm", pl.Float64, "mean resting HR of the readiness_baseline_days days "
           "before (null: building baseline)"),
    Metric("resting_hr_baseline_values", "", pl.Int32, "mornings with resting HR in the baseline days"),
    Metric("resting_hr_delta_bpm", "bpm", pl.Float64, "the day's resting HR minus its baseline"),
    *(Metric(key, "", pl.Boolean, f"readiness rule ({level.value}); null: not judged") for key, level in SIGNALS.items()),
    Metric("level", "", pl.String, "ok | warn | flag: the loudest rule that fires (null: nothing to judge)"),
)
SCHEMA: dict[str, pl.DataType] = {**DAILY_SCHEMA, **{m.name: m.dtype for m in COLUMNS}}


#: Rolling means and SDs of equal values differ from them by rounding (1e-16): a 7-day mean is outside the normal
#: range only when it is further out than this (ln ms; 1e-9 is a billionth of the value), so that mornings of one
#: unchanging HRV never flag.
LN_TOLERANCE = 1e-9


def _count(column: str, days: int) -> pl.Expr:
    return pl.col(column).is_not_null().cast(pl.Int32).rolling_sum(days, min_samples=1)


def signals(daily: pl.DataFrame, model: ModelSettings, day: dt.date | None = None) -> pl.DataFrame:
    """One row per calendar day from the first day of ``daily`` to its last (stretched to include ``day``):
    columns :data:`SCHEMA` (the wellness of the day, null without an entry, then :data:`COLUMNS`).

    ``daily``: the folded wellness (:func:`trainlog.store.wellness.fold`; the raw table is folded first).
    """
    daily = fold(daily)
    dates = daily["date"].to_list() + ([day] if day is not None else [])
    if not dates:
        return pl.DataFrame(schema=SCHEMA)
    cal = pl.DataFrame({"date": pl.date_range(min(dates), max(dates), "1d", eager=True)})
    frame = cal.join(daily.with_columns(checked_in=pl.lit(True)), on="date", how="left")
    base, need = model.readiness_baseline_days, model.readiness_baseline_min_values
    window, enough = model.hrv_rolling_days, model.hrv_rolling_min_values
    frame = frame.with_columns(
        pl.col("checked_in").fill_null(False),
        _ln=pl.col("hrv_rmssd_ms").log(),
    ).with_columns(
        hrv_7d_values=_count("_ln", window),
        hrv_baseline_values=_count("_ln", base).shift(1, fill_value=0),
        resting_hr_baseline_values=_count("resting_hr_bpm", base).shift(1, fill_value=0),
        _mean7=pl.col("_ln").rolling_mean(window, min_samples=1),
        _base=pl.col("_ln").rolling_mean(base, min_samples=1).shift(1),
        _sd=pl.col("_ln").rolling_std(base, min_samples=1, ddof=1).shift(1),
        _rhr=pl.col("resting_hr_bpm").rolling_mean(base, min_samples=1).shift(1),
    )
    ready = pl.col("hrv_baseline_values") >= need
    frame = frame.with_columns(
        _mean7=pl.when(pl.col("hrv_7d_values") >= enough).then(pl.col("_mean7")),
        _base=pl.when(ready).then(pl.col("_base")),
        hrv_baseline_sd_ln=pl.when(ready).then(pl.col("_sd")),
        resting_hr_baseline_bpm=pl.when(pl.col("resting_hr_baseline_values") >= need).then(pl.col("_rhr")),
    ).with_columns(
        _low=pl.col("_base") - model.hrv_normal_sd * pl.col("hrv_baseline_sd_ln"),
        _high=pl.col("_base") + model.hrv_normal_sd * pl.col("hrv_baseline_sd_ln"),
        resting_hr_delta_bpm=pl.col("resting_hr_bpm") - pl.col("resting_hr_baseline_bpm"),
    ).with_columns(
        hrv_7d_ms=pl.col("_mean7").exp(),
        hrv_baseline_ms=pl.col("_base").exp(),
        hrv_normal_low_ms=pl.col("_low").exp(),
        hrv_normal_high_ms=pl.col("_high").exp(),
        hrv_status=pl.when(pl.col("_mean7").is_null()).then(pl.lit(NO_DATA))
        .when(pl.col("_base").is_null()).then(pl.lit(BUILDING))
        .when(pl.col("_mean7") < pl.col("_low") - LN_TOLERANCE).then(pl.lit(BELOW))
        .when(pl.col("_mean7") > pl.col("_high") + LN_TOLERANCE).then(pl.lit(ABOVE))
        .otherwise(pl.lit(NORMAL)),
    )
    judged = pl.col("hrv_status").is_in([BELOW, NORMAL, ABOVE])
    frame = frame.with_columns(
        hrv_low=pl.when(judged).then(pl.col("hrv_status") == BELOW),
        hrv_high=pl.when(judged).then(pl.col("hrv_status") == ABOVE),
        resting_hr_high=pl.col("resting_hr_delta_bpm") > model.resting_hr_rise_bpm,
        short_sleep=pl.col("sleep_h") < model.short_sleep_h,
        soreness_high=pl.col("soreness") >= model.soreness_high,
        ill=pl.col("illness"),
    )
    fires = {lvl: pl.any_horizontal([pl.col(k).fill_null(False) for k, v in SIGNALS.items() if v == lvl])
             for lvl in (Level.FLAG, Level.WARN)}
    frame = frame.with_columns(
        level=pl.when(fires[Level.FLAG]).then(pl.lit(Level.FLAG.value))
        .when(fires[Level.WARN]).then(pl.lit(Level.WARN.value))
        .when(pl.col("checked_in") | pl.col("_mean7").is_not_null()).then(pl.lit(Level.OK.value)),
    )
    return frame.select(pl.col(c).cast(t) for c, t in SCHEMA.items())


def flag_text(key: str, row: dict, model: ModelSettings) -> str:
    """The one-sentence, plain-words text of the rule ``key`` that fires on ``row`` (a row of :func:`signals`)."""
    if key in ("hrv_low", "hrv_high"):
        where = "below" if key == "hrv_low" else "above"
        then = ("your body is not absorbing the load well, so keep today easy" if key == "hrv_low" else
                "usually good news, but after a hard block it can also mean deep fatigue")
        return (f"HRV's {model.hrv_rolling_days}-day average, {row['hrv_7d_ms']:.0f} ms, is {where} your normal range "
                f"of {row['hrv_normal_low_ms']:.0f}-{row['hrv_normal_high_ms']:.0f} ms: {then}.")
    if key == "resting_hr_high":
        return (f"Resting HR {row['resting_hr_bpm']:.0f} bpm is {row['resting_hr_delta_bpm']:.0f} bpm above your "
                f"baseline of {row['resting_hr_baseline_bpm']:.0f} bpm: a sign of fatigue, stress or a coming illness.")
    if key == "short_sleep":
        return (f"You slept {row['sleep_h']:.1f} h, under {model.short_sleep_h:g} h: expect a hard session to feel "
                f"harder than usual.")
    if key == "soreness_high":
        word = FIELDS["soreness"].words[int(row["soreness"]) - 1]
        return f"Soreness is {row['soreness']} of 5 ({word}): go easy on descents and impact today."
    if key == "ill":
        return "You marked yourself ill or injured: rest, or train very easy until it has passed."
    raise KeyError(key)


def _plain(value: object) -> object:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def as_rows(frame: pl.DataFrame, checked_in_only: bool = True) -> list[dict]:
    """The rows of a :func:`signals` frame as JSON-ready dicts (ISO dates, nulls), each with ``flags``: the keys
    of the rules that fire. ``checked_in_only``: only the days with a wellness entry."""
    if checked_in_only:
        frame = frame.filter(pl.col("checked_in"))
    return [{**{k: _plain(v) for k, v in row.items()}, "flags": [k for k in SIGNALS if row[k]]}
            for row in frame.iter_rows(named=True)]


def day_readiness(daily: pl.DataFrame, day: dt.date, model: ModelSettings) -> dict:
    """One day's readiness as plain data (JSON-ready):

    ``{"date", "checked_in", "values": {field: value or None}, "baselines": {"hrv": {"status", "mean_7d_ms",
    "values_7d", "values_7d_needed", "baseline_ms", "normal_low_ms", "normal_high_ms", "baseline_values", "values_needed"},
    "resting_hr": {"baseline_bpm", "delta_bpm", "baseline_values", "values_needed"}}, "flags": [{"key", "level",
    "text"}], "level"}``: ``flags`` loudest first, ``level`` ok | warn | flag, or None with nothing to judge.
    """
    row = signals(daily, model, day).filter(pl.col("date") == day).row(0, named=True)
    need = model.readiness_baseline_min_values
    flags = [{"key": k, "level": SIGNALS[k].value, "text": flag_text(k, row, model)} for k in SIGNALS if row[k]]
    flags.sort(key=lambda f: f["level"] != Level.FLAG.value)
    return {
        "date": day.isoformat(),
        "checked_in": row["checked_in"],
        "values": {c: row[c] for c in FIELDS},
        "baselines": {
            "hrv": {"status": row["hrv_status"], "mean_7d_ms": row["hrv_7d_ms"], "values_7d": row["hrv_7d_values"],
                    "values_7d_needed": model.hrv_rolling_min_values,
                    "baseline_ms": row["hrv_baseline_ms"], "normal_low_ms": row["hrv_normal_low_ms"],
                    "normal_high_ms": row["hrv_normal_high_ms"], "baseline_values": row["hrv_baseline_values"],
                    "values_needed": need},
            "resting_hr": {"baseline_bpm": row["resting_hr_baseline_bpm"], "delta_bpm": row["resting_hr_delta_bpm"],
                           "baseline_values": row["resting_hr_baseline_values"], "values_needed": need},
        },
        "flags": flags,
        "level": row["level"],
    }

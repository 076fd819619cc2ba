"""Fitness, fatigue, form; acute:chronic workload ratio; monotony and strain; vertical fitness.

shared/METRICS.md, "Fitness, fatigue, form", "Acute:chronic workload ratio",
"Monotony and strain" and "Vertical load". Input is the zero-filled daily
series of :func:`trainlog.analysis.daily.daily_series`; every day before its first row
counts as a rest day (load 0), as in GoldenCheetah's PMCData, and CTL and ATL
start from 0 on the day before it, unless the athlete set a starting fitness
and fatigue (``start_ctl`` / ``start_atl``, as intervals.icu allows). From 0, the
first ``history_days`` (42) are a cold start ("building history"): no band, no warning.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import polars as pl

from trainlog.analysis import metrics
from trainlog.settings import ModelSettings
from trainlog.words import Level

#: Below this the 7-day SD of daily load counts as 0 (floating-point noise, not a sports constant).
_SD_EPSILON = 1e-9


def ewma(values: pl.Series, alpha: float, start: float = 0.0) -> pl.Series:
    """``y_d = y_{d-1} * (1 - alpha) + x_d * alpha``, starting from ``y = start`` the day before the first value.

    Polars' ``ewm_mean(adjust=False)`` starts at the first value instead, so the
    start day is prepended and dropped again.
    """
    padded = pl.concat([pl.Series([float(start)]), values.cast(pl.Float64)])
    return padded.ewm_mean(alpha=alpha, adjust=False).slice(1)


def time_constant_alpha(days: float) -> float:
    """Smoothing factor of a Banister time constant: ``1 - exp(-1 / days)``."""
    return 1.0 - math.exp(-1.0 / days)


def span_alpha(days: float) -> float:
    """Smoothing factor of an EWMA over N days (Williams 2017): ``2 / (N + 1)``."""
    return 2.0 / (days + 1.0)


def band(value: pl.Expr, edges: tuple[float, ...], labels: tuple[str, ...]) -> pl.Expr:
    """Label of the interval holding ``value`` (String; null when value is null).

    ``edges`` ascending, ``len(labels) == len(edges) + 1``; a value equal to an
    edge belongs to the upper band.
    """
    expr = pl.when(value.is_null()).then(None)
    for edge, label in zip(edges, labels):
        expr = expr.when(value < edge).then(pl.lit(label))
    return expr.otherwise(pl.lit(labels[-1]))


def fitness(
    daily: pl.DataFrame,
    model: ModelSettings,
    start_ctl: float | None = None,
    start_atl: float | None = None,
    before: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """The daily series with the columns of :data:`trainlog.analysis.metrics.FITNESS` added.

    - ``ctl`` / ``atl``: load EWMAs with ``e = exp(-1 / ctl_days)`` (42) and ``atl_days`` (7),
      from ``start_ctl`` / ``start_atl`` on the day before the first row (0 when None);
    - ``tsb``: CTL - ATL of the day before (``start_ctl - start_atl`` on the first day);
    - ``ramp``: CTL - CTL ``ramp_days`` (7) earlier (``start_ctl`` before the first row);
    - ``acwr``: acute / chronic EWMA (lambda = 2 / (N + 1), N = 7 and 28), the acute one
      from ``start_atl`` and the chronic one from ``start_ctl``; null while chronic < ``acwr_chronic_min``;
    - ``monotony``: mean / SD of the last 7 days' load, SD being the *sample* standard
      deviation (n - 1 in the denominator, Foster 1998; days before the first row count
      as 0), null when SD = 0, capped at ``monotony_cap``; ``strain`` = 7-day load x monotony;
    - ``ascent_ctl`` ... ``descent_atl``: the same EWMAs over daily ascent and descent (m), from 0;
    - ``building_history`` (cold start, METRICS.md "Fitness, fatigue, form"): True on the
      first ``history_days`` (42) days, the first row being day 1, unless ``start_ctl`` or
      ``start_atl`` is given; on those days ``form_band``, ``acwr_band`` and ``monotony_band``
      are null (no band, no warning): from CTL = ATL = 0 every figure is extreme by construction.

    ``daily`` starts on the day of the athlete's first activity
    (:func:`trainlog.analysis.daily.daily_series`). ``start_ctl`` / ``start_atl`` are the
    athlete's settings (:class:`trainlog.settings.AthleteSettings`), in load per day.

    ``before``: this function's rows of the days just before ``daily``'s first (the series kept from an
    earlier run): the recursions restart from its last day's state and the 7-day windows and the ramp read
    its last days, so the rows equal those of the whole series computed at once, to the last bit (every
    window is summed over its own days, never by a running sum that would depend on where it started).
    """
    if daily.is_empty():
        return pl.DataFrame(schema={**daily.schema, **metrics.schema("fitness")})
    daily = daily.sort("date")
    seeded = start_ctl is not None or start_atl is not None
    ctl0 = float(start_ctl or 0.0)
    atl0 = float(start_atl or 0.0)
    state = _State.of(before, ctl0, atl0, model)
    ctl_alpha = time_constant_alpha(model.ctl_days)
    atl_alpha = time_constant_alpha(model.atl_days)
    window = model.monotony_days
    # days before the record are rest days: the 7-day windows are padded with zeros
    padded = pl.concat([state.loads, daily["load"].cast(pl.Float64)])
    shifted = [pl.col("x").shift(k) for k in range(window)]
    mean = pl.sum_horizontal(shifted) / window
    deviations = pl.sum_horizontal((s - mean) ** 2 for s in shifted)
    sums = pl.DataFrame({"x": padded}).select(
        week=pl.sum_horizontal(shifted), mean=mean,
        sd=(deviations / (window - 1)).sqrt() if window > 1 else pl.lit(None, pl.Float64),
    ).slice(window - 1)
    monotony = pl.when(pl.col("_sd") > _SD_EPSILON).then(
        (pl.col("_mean") / pl.col("_sd")).clip(upper_bound=model.monotony_cap)
    )
    first_day = state.first_day or daily["date"].min()
    building = pl.lit(False) if seeded else (pl.col("date") - first_day).dt.total_days() < model.history_days
    ctl = ewma(daily["load"], ctl_alpha, state.ctl)
    frame = (
        daily.with_columns(
            _week=sums["week"], _mean=sums["mean"], _sd=sums["sd"],
            ctl=ctl,
            atl=ewma(daily["load"], atl_alpha, state.atl),
            acwr_acute=ewma(daily["load"], span_alpha(model.acwr_acute_days), state.acwr_acute),
            acwr_chronic=ewma(daily["load"], span_alpha(model.acwr_chronic_days), state.acwr_chronic),
            ascent_ctl=ewma(daily["ascent_m"], ctl_alpha, state.ascent_ctl),
            ascent_atl=ewma(daily["ascent_m"], atl_alpha, state.ascent_atl),
            descent_ctl=ewma(daily["descent_m"], ctl_alpha, state.descent_ctl),
            descent_atl=ewma(daily["descent_m"], atl_alpha, state.descent_atl),
            _ctl_before=pl.concat([state.ctls, ctl]).slice(0, daily.height),
        )
        .with_columns(
            tsb=(pl.col("ctl") - pl.col("atl")).shift(1, fill_value=state.tsb),
            ramp=pl.col("ctl") - pl.col("_ctl_before"),
            acwr=pl.when(pl.col("acwr_chronic") >= model.acwr_chronic_min).then(
                pl.col("acwr_acute") / pl.col("acwr_chronic")
            ),
            monotony=monotony,
            building_history=building,
        )
        .with_columns(
            form_band=band(pl.col("tsb"), model.form_band_edges, model.form_band_labels),
            acwr_band=band(pl.col("acwr"), model.acwr_band_edges, model.acwr_band_labels),
            strain=pl.col("_week") * pl.col("monotony"),
            monotony_band=pl.when(pl.col("monotony") > model.monotony_flag)
            .then(pl.lit(Level.FLAG.value))
            .when(pl.col("monotony") > model.monotony_warn)
            .then(pl.lit(Level.WARN.value))
            .when(pl.col("monotony").is_not_null())
            .then(pl.lit(Level.OK.value)),
        )
        .with_columns(  # the cold start: no band, no warning
            pl.when(~pl.col("building_history")).then(pl.col(name)).alias(name)
            for name in ("form_band", "acwr_band", "monotony_band")
        )
    )
    return frame.select(*daily.columns, *metrics.schema("fitness"))


@dataclass(frozen=True)
class _State:
    """Where :func:`fitness` starts: each recursion's value the day before, the last days' loads (the 7-day
    windows) and CTLs (the ramp), the day before's CTL - ATL (form) and the history's first day."""

    ctl: float
    atl: float
    acwr_acute: float
    acwr_chronic: float
    ascent_ctl: float
    ascent_atl: float
    descent_ctl: float
    descent_atl: float
    tsb: float
    loads: pl.Series  # the monotony_days - 1 days before, oldest first (0: days before the record)
    ctls: pl.Series  # the ramp_days days before, oldest first (start_ctl before the record)
    first_day: dt.date | None

    @classmethod
    def of(cls, before: pl.DataFrame | None, ctl0: float, atl0: float, model: ModelSettings) -> _State:
        n_loads, n_ctls = max(model.monotony_days - 1, 0), model.ramp_days
        if before is None or before.is_empty():
            return cls(ctl0, atl0, atl0, ctl0, 0.0, 0.0, 0.0, 0.0, ctl0 - atl0,
                       pl.Series([0.0] * n_loads, dtype=pl.Float64), pl.Series([ctl0] * n_ctls, dtype=pl.Float64),
                       None)
        before = before.sort("date")
        last = before.row(before.height - 1, named=True)
        loads = before["load"].cast(pl.Float64).tail(n_loads) if n_loads else pl.Series([], dtype=pl.Float64)
        ctls = before["ctl"].tail(n_ctls) if n_ctls else pl.Series([], dtype=pl.Float64)
        return cls(
            last["ctl"], last["atl"], last["acwr_acute"], last["acwr_chronic"], last["ascent_ctl"],
            last["ascent_atl"], last["descent_ctl"], last["descent_atl"], last["ctl"] - last["atl"],
            pl.concat([pl.Series([0.0] * (n_loads - loads.len()), dtype=pl.Float64), loads]),
            pl.concat([pl.Series([ctl0] * (n_ctls - ctls.len()), dtype=pl.Float64), ctls]),
            before["date"].min(),
        )

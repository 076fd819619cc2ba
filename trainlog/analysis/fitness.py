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

import math

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
    """
    if daily.is_empty():
        return pl.DataFrame(schema={**daily.schema, **metrics.schema("fitness")})
    daily = daily.sort("date")
    seeded = start_ctl is not None or start_atl is not None
    ctl0 = float(start_ctl or 0.0)
    atl0 = float(start_atl or 0.0)
    ctl_alpha = time_constant_alpha(model.ctl_days)
    atl_alpha = time_constant_alpha(model.atl_days)
    window = model.monotony_days
    # days before the record are rest days: pad the 7-day window with zeros
    padded = pl.concat([pl.repeat(0.0, window - 1, eager=True), daily["load"].cast(pl.Float64)])
    week_load = padded.rolling_sum(window)[window - 1 :]
    mean = padded.rolling_mean(window)[window - 1 :]
    sd = padded.rolling_std(window, ddof=1)[window - 1 :]  # sample SD (n - 1), as Foster 1998
    monotony = pl.when(pl.col("_sd") > _SD_EPSILON).then(
        (pl.col("_mean") / pl.col("_sd")).clip(upper_bound=model.monotony_cap)
    )
    first_day = daily["date"].min()
    building = pl.lit(False) if seeded else (pl.col("date") - first_day).dt.total_days() < model.history_days
    frame = (
        daily.with_columns(
            _week=week_load, _mean=mean, _sd=sd,
            ctl=ewma(daily["load"], ctl_alpha, ctl0),
            atl=ewma(daily["load"], atl_alpha, atl0),
            acwr_acute=ewma(daily["load"], span_alpha(model.acwr_acute_days), atl0),
            acwr_chronic=ewma(daily["load"], span_alpha(model.acwr_chronic_days), ctl0),
            ascent_ctl=ewma(daily["ascent_m"], ctl_alpha),
            ascent_atl=ewma(daily["ascent_m"], atl_alpha),
            descent_ctl=ewma(daily["descent_m"], ctl_alpha),
            descent_atl=ewma(daily["descent_m"], atl_alpha),
        )
        .with_columns(
            tsb=(pl.col("ctl") - pl.col("atl")).shift(1, fill_value=ctl0 - atl0),
            ramp=pl.col("ctl") - pl.col("ctl").shift(model.ramp_days, fill_value=ctl0),
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

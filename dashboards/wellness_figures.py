"""The Wellness page's figures (issue 16): pure functions from frames to ``plotly.graph_objects.Figure``.

Input is the rows of :func:`trainlog.analysis.readiness.signals` over the days shown (one row per calendar day:
the day's wellness, null without an entry, with the HRV 7-day mean, its normal range and the resting-HR baseline),
or the daily series of :func:`trainlog.analysis.pipeline.analyse` (its ``load``). Every figure is drawn over the
same days, ``first`` to ``last``, with the same left margin, so the graphs stacked on the page share one date
axis: a low HRV sits above the hard days that came before it. The look is :data:`dashboards.figures.TEMPLATE`.
"""

from __future__ import annotations

import datetime as dt

import plotly.graph_objects as go
import polars as pl

from dashboards import charts, figures
from dashboards import units as u
from trainlog.settings import ModelSettings
from trainlog.store.wellness import FIELDS

HRV_TITLE = "HRV, rMSSD (ms)"
RESTING_HR_TITLE = "Resting heart rate (bpm)"
SLEEP_TITLE = "Sleep (h)"
SCALES_TITLE = "How you felt (1-5)"
LOAD_TITLE = "Daily load (load points)"
#: The normal range's fill: pale, it only repeats the two lines' values (the table has them).
NORMAL_FILL = "rgba(22, 163, 74, 0.16)"
NORMAL_LINE = "#15803d"
SLEEP = "#0891b2"
#: The 1-5 scales drawn (those with a value in the days shown): column, colour, dash.
SCALES = (("sleep_quality", "#0891b2", "solid"), ("soreness", figures.GOAL, "solid"), ("fatigue", figures.FATIGUE, "dash"),
          ("stress", figures.FORM, "dot"), ("mood", figures.ASCENT, "solid"), ("motivation", figures.DESCENT, "dash"))
#: A fixed left margin (px) and no automatic one: the plots of the page start at the same x, whatever their ticks.
LEFT = 52


def _figure(title: str, first: dt.date, last: dt.date, height: int = 260) -> go.Figure:
    """An empty figure over the days ``first`` to ``last`` (half a day either side: whole bars)."""
    half_day = dt.timedelta(hours=12)
    fig = go.Figure().update_layout(template=figures.TEMPLATE, title=title, height=height,
                                    margin={"l": LEFT, "r": 12, "t": 16, "b": 36})
    fig.update_xaxes(range=[(dt.datetime.combine(first, dt.time()) - half_day).isoformat(sep=" "),
                            (dt.datetime.combine(last, dt.time()) + half_day).isoformat(sep=" ")], type="date")
    fig.update_yaxes(automargin=False)
    return fig


def _days(frame: pl.DataFrame, column: str) -> pl.DataFrame:
    """The rows of ``frame`` with a value in ``column``."""
    return frame.filter(pl.col(column).is_not_null()) if column in frame.columns else frame.clear()


def hrv(frame: pl.DataFrame, first: dt.date, last: dt.date) -> go.Figure:
    """Each morning's rMSSD (dots), its 7-day mean (line) and the normal range around the baseline (a band between
    two thin lines, drawn where the baseline holds enough mornings)."""
    if _days(frame, "hrv_rmssd_ms").is_empty():
        return figures.empty(HRV_TITLE, "No HRV recorded in these days")
    fig = _figure(HRV_TITLE, first, last, 300)
    rows = frame.filter(pl.col("hrv_rmssd_ms").is_not_null() | pl.col("hrv_7d_ms").is_not_null())
    rows = figures.downsample(rows, "date", ["hrv_rmssd_ms", "hrv_7d_ms"], figures.MAX_POINTS)
    band = _days(rows, "hrv_normal_low_ms")  # drawn beneath, where the baseline holds enough mornings
    fig.add_scatter(x=band["date"], y=band["hrv_normal_low_ms"].round(1), name="normal range, low", mode="lines",
                    line={"color": NORMAL_LINE, "width": 1}, legendgroup="normal", showlegend=False)
    fig.add_scatter(x=band["date"], y=band["hrv_normal_high_ms"].round(1), name="normal range, high", mode="lines",
                    line={"color": NORMAL_LINE, "width": 1}, fill="tonexty", fillcolor=NORMAL_FILL, legendgroup="normal")
    fig.add_scatter(x=rows["date"], y=rows["hrv_rmssd_ms"].round(1), name="each morning", mode="markers",
                    marker={"color": figures.FITNESS, "size": 6})
    fig.add_scatter(x=rows["date"], y=rows["hrv_7d_ms"].round(1), name="7-day average", mode="lines",
                    line={"color": figures.INK, "width": 2.5})
    fig.update_layout(meta={"summary": _hrv_summary(frame, first, last)})
    return fig


def _span(first: dt.date, last: dt.date) -> str:
    return f"{u.fmt_day(first)} to {u.fmt_day(last)}"


def _hrv_summary(frame: pl.DataFrame, first: dt.date, last: dt.date) -> str:
    days = _days(frame, "hrv_rmssd_ms")
    row = days.row(-1, named=True)
    said = f"HRV (rMSSD), {_span(first, last)}: latest "
    said += f"{charts.cell(row['hrv_rmssd_ms'])} ms on {u.fmt_day(row['date'])}"
    mean = _days(frame, "hrv_7d_ms")
    if not mean.is_empty():
        last = mean.row(-1, named=True)
        said += f", 7-day average {last['hrv_7d_ms']:.0f} ms"
        if last["hrv_normal_low_ms"] is not None:
            said += (f" ({last['hrv_status']}; normal range {last['hrv_normal_low_ms']:.0f} to "
                     f"{last['hrv_normal_high_ms']:.0f} ms)")
    return said + f"; {days.height} morning{'s' if days.height != 1 else ''} with HRV."


def resting_hr(frame: pl.DataFrame, first: dt.date, last: dt.date, model: ModelSettings) -> go.Figure:
    """Each morning's resting HR and its baseline (the mean of the days before), with the baseline plus the rise
    that warns (``model.resting_hr_rise_bpm``) as a dotted line."""
    if _days(frame, "resting_hr_bpm").is_empty():
        return figures.empty(RESTING_HR_TITLE, "No resting heart rate recorded in these days")
    fig = _figure(RESTING_HR_TITLE, first, last)
    rows = frame.filter(pl.col("resting_hr_bpm").is_not_null() | pl.col("resting_hr_baseline_bpm").is_not_null())
    rows = figures.downsample(rows, "date", ["resting_hr_bpm"], figures.MAX_POINTS)
    x = rows["date"]
    fig.add_scatter(x=x, y=rows["resting_hr_bpm"].round(0), name="each morning", mode="lines+markers",
                    line={"color": figures.FATIGUE, "width": 1.5}, marker={"size": 6}, connectgaps=True)
    fig.add_scatter(x=x, y=rows["resting_hr_baseline_bpm"].round(1), name="baseline", mode="lines",
                    line={"color": figures.INK, "width": 2, "dash": "dash"})
    fig.add_scatter(x=x, y=(rows["resting_hr_baseline_bpm"] + model.resting_hr_rise_bpm).round(1),
                    name=f"warning above (baseline + {model.resting_hr_rise_bpm:g})", mode="lines",
                    line={"color": figures.FORM, "width": 1.5, "dash": "dot"})
    return fig


def sleep(frame: pl.DataFrame, first: dt.date, last: dt.date, model: ModelSettings) -> go.Figure:
    """Each night's sleep (bars) and the short-sleep line (``model.short_sleep_h``)."""
    if _days(frame, "sleep_h").is_empty():
        return figures.empty(SLEEP_TITLE, "No sleep recorded in these days")
    fig = _figure(SLEEP_TITLE, first, last)
    rows = _days(frame, "sleep_h")
    rows = figures.downsample(rows, "date", ["sleep_h"], figures.MAX_POINTS)
    fig.add_bar(x=rows["date"], y=rows["sleep_h"].round(2), name="sleep", marker_color=SLEEP)
    line = f"short sleep: under {model.short_sleep_h:g} h"
    fig.add_hline(y=model.short_sleep_h, line={"color": figures.GOAL, "dash": "dash", "width": 1.5},
                  annotation_text=line, annotation_position="top left",
                  annotation_font={**figures.LABEL_FONT, "color": figures.GOAL}, annotation={**figures.LABEL_BOX})
    fig.update_layout(showlegend=False, meta={"also": line})
    return fig


def scales(frame: pl.DataFrame, first: dt.date, last: dt.date) -> go.Figure:
    """The 1-5 scales that have a value in the days shown, one line each (a gap: no value that morning)."""
    drawn = [(c, colour, dash) for c, colour, dash in SCALES if not _days(frame, c).is_empty()]
    if not drawn:
        return figures.empty(SCALES_TITLE, "No 1-5 scale recorded in these days")
    fig = _figure(SCALES_TITLE, first, last, 300)
    for column, colour, dash in drawn:
        rows = _days(frame, column)
        fig.add_scatter(x=rows["date"], y=rows[column], name=FIELDS[column].label, mode="lines+markers",
                        line={"color": colour, "dash": dash, "width": 1.5}, marker={"size": 6})
    fig.update_yaxes(range=[0.5, 5.5], tickvals=[1, 2, 3, 4, 5])
    latest = [f"{FIELDS[c].label} {int(row[c])} ({FIELDS[c].words[int(row[c]) - 1]}) on {u.fmt_day(row['date'])}"
              for c, _, _ in drawn if (row := _days(frame, c).row(-1, named=True))]
    fig.update_layout(meta={"summary": f"How you felt, 1 to 5, {_span(first, last)}: latest {'; '.join(latest)}."})
    return fig


def daily_load(daily: pl.DataFrame, first: dt.date, last: dt.date) -> go.Figure:
    """The training load of each day (bars), all sports together."""
    rows = daily.filter(pl.col("load") > 0)
    if rows.is_empty():
        return figures.empty(LOAD_TITLE, "No training in these days")
    fig = _figure(LOAD_TITLE, first, last)
    rows = figures.downsample(rows, "date", ["load"], figures.MAX_POINTS)
    fig.add_bar(x=rows["date"], y=rows["load"].round(0), name="load", marker_color=figures.FITNESS)
    fig.update_layout(showlegend=False)
    return fig

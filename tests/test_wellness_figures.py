"""dashboards.wellness_figures: the Wellness page's figures, frame in and figure out (issue 16).

The frames are :func:`trainlog.analysis.readiness.signals` of series built here, the values worked out by hand."""

from __future__ import annotations

import dataclasses
import datetime as dt

import plotly.graph_objects as go
import polars as pl
import pytest
from builders import fitness_frame, wellness_days

from dashboards import charts
from dashboards import wellness_figures as wf
from trainlog.analysis import readiness
from trainlog.settings import ModelSettings

MODEL = ModelSettings()
#: Baselines from two mornings: hand-sized series still get one.
SMALL = dataclasses.replace(MODEL, readiness_baseline_min_values=2)
FIRST, LAST = dt.date(2026, 3, 1), dt.date(2026, 3, 10)


def frame(model: ModelSettings = MODEL, **columns: list) -> pl.DataFrame:
    return readiness.signals(wellness_days(FIRST, **columns), model)


def names(fig: go.Figure) -> list[str]:
    return [t.name for t in fig.data]


def ys(trace) -> list:
    """A trace's y values as plain numbers, None where there is none (plotly keeps NaN)."""
    return [None if v != v else float(v) for v in trace.y]


def test_hrv_draws_each_morning_its_7_day_average_and_the_normal_range():
    hrv = [50.0, 60.0, 55.0, 40.0]  # the baseline of day 3 is days 1-2; ranges need two mornings before
    fig = wf.hrv(frame(SMALL, hrv_rmssd_ms=hrv), FIRST, LAST)
    assert names(fig) == ["normal range, low", "normal range, high", "each morning", "7-day average"]
    low, high, mornings, mean = fig.data
    assert ys(mornings) == hrv
    # the 7-day average needs 3 mornings: from day 3, exp of the mean ln rMSSD (a geometric mean)
    assert ys(mean)[:2] == [None, None] and mean.y[2] == pytest.approx(round((50 * 60 * 55) ** (1 / 3), 1))
    # the band: where the baseline holds two mornings (days 3 and 4), filled between its two lines
    assert [str(d)[:10] for d in low.x] == ["2026-03-03", "2026-03-04"] and high.fill == "tonexty"
    assert all(lo < hi for lo, hi in zip(low.y, high.y))
    table = charts.rows(fig)
    assert table.header == ["date", "normal range, low", "normal range, high", "each morning", "7-day average"]
    assert [r[3] for r in table.rows] == hrv
    summary = charts.summary(fig)
    assert summary.startswith("HRV (rMSSD), Sun 1 Mar 2026 to Tue 10 Mar 2026: latest 40 ms on Wed 4 Mar 2026")
    assert "normal range" in summary and summary.endswith("; 4 mornings with HRV.")


def test_resting_hr_with_its_baseline_and_the_line_that_warns():
    fig = wf.resting_hr(frame(SMALL, resting_hr_bpm=[50.0, 52.0, 60.0]), FIRST, LAST, SMALL)
    assert names(fig) == ["each morning", "baseline", "warning above (baseline + 5)"]
    mornings, baseline, warn = fig.data
    assert ys(mornings) == [50, 52, 60]
    assert ys(baseline) == [None, None, 51.0] and ys(warn) == [None, None, 56.0]  # day 3: 60 > 51 + 5


def test_sleep_bars_the_nights_and_marks_short_sleep():
    fig = wf.sleep(frame(sleep_h=[7.5, None, 5.25]), FIRST, LAST, MODEL)
    (bars,) = fig.data
    assert bars.type == "bar" and [str(d)[:10] for d in bars.x] == ["2026-03-01", "2026-03-03"]
    assert list(bars.y) == [7.5, 5.25]
    assert fig.layout.shapes[0].y0 == MODEL.short_sleep_h
    assert charts.summary(fig).endswith("; short sleep: under 6 h.")


def test_the_scales_drawn_are_those_with_a_value():
    fig = wf.scales(frame(soreness=[2, 4], mood=[None, 5]), FIRST, LAST)
    assert names(fig) == ["soreness", "mood"]
    assert tuple(fig.layout.yaxis.range) == (0.5, 5.5)
    assert charts.summary(fig) == ("How you felt, 1 to 5, Sun 1 Mar 2026 to Tue 10 Mar 2026: latest soreness 4 "
                                   "(high) on Mon 2 Mar 2026; mood 5 (great) on Mon 2 Mar 2026.")


def test_the_daily_load_bars_the_days_with_training():
    daily = fitness_frame(FIRST, [100.0, 0.0, 80.0])
    fig = wf.daily_load(daily, FIRST, LAST)
    (bars,) = fig.data
    assert [str(d)[:10] for d in bars.x] == ["2026-03-01", "2026-03-03"] and list(bars.y) == [100, 80]


def test_every_graph_is_drawn_on_the_same_days_from_the_same_left_edge():
    """The graphs stacked on the page share their date axis: the same range, the same plot margin."""
    signals = frame(SMALL, hrv_rmssd_ms=[50.0, 60.0, 55.0], resting_hr_bpm=[48.0, 50.0, 49.0], sleep_h=[7.0] * 3,
                    soreness=[2, 3, 2])
    figs = [wf.hrv(signals, FIRST, LAST), wf.resting_hr(signals, FIRST, LAST, SMALL),
            wf.sleep(signals, FIRST, LAST, SMALL), wf.scales(signals, FIRST, LAST),
            wf.daily_load(fitness_frame(FIRST, [50.0] * 3), FIRST, LAST)]
    assert {tuple(f.layout.xaxis.range) for f in figs} == {("2026-02-28 12:00:00", "2026-03-10 12:00:00")}
    assert {f.layout.margin.l for f in figs} == {wf.LEFT} and {f.layout.yaxis.automargin for f in figs} == {False}


@pytest.mark.parametrize("draw, said", [
    (lambda f: wf.hrv(f, FIRST, LAST), "No HRV recorded in these days"),
    (lambda f: wf.resting_hr(f, FIRST, LAST, MODEL), "No resting heart rate recorded in these days"),
    (lambda f: wf.sleep(f, FIRST, LAST, MODEL), "No sleep recorded in these days"),
    (lambda f: wf.scales(f, FIRST, LAST), "No 1-5 scale recorded in these days"),
])
def test_a_series_without_values_says_so(draw, said):
    fig = draw(frame(note=["only a note"]))
    assert not fig.data and fig.layout.annotations[0].text == said
    assert charts.summary(fig).endswith(f": {said}.")
    empty = wf.daily_load(fitness_frame(FIRST, [0.0, 0.0]), FIRST, LAST)
    assert empty.layout.annotations[0].text == "No training in these days"

"""The Plan page's figures (dashboards/plan_figures.py), called directly on small hand-made frames."""

from __future__ import annotations

import datetime as dt
import math

import polars as pl
import pytest

from dashboards import figures, plan_figures
from dashboards import units as u
from trainlog.settings import ModelSettings

MODEL = ModelSettings()
TODAY = dt.date(2026, 3, 10)
RACE = dt.date(2026, 3, 20)


def series(first: dt.date, ctl: list[float], atl: list[float]) -> pl.DataFrame:
    """``date``, ``ctl``, ``atl`` and ``tsb`` (the form a day starts with: the day before's CTL - ATL)."""
    dates = [first + dt.timedelta(days=i) for i in range(len(ctl))]
    tsb = [0.0] + [c - a for c, a in zip(ctl[:-1], atl[:-1])]
    return pl.DataFrame({"date": dates, "ctl": ctl, "atl": atl, "tsb": tsb})


HISTORY = series(TODAY - dt.timedelta(days=3), [40.0, 41.0, 42.0], [50.0, 52.0, 54.0])
PROJECTED = series(TODAY, [42.0 - 0.5 * i for i in range(10)], [50.0 - 3.0 * i for i in range(10)])
MORNING = {"date": RACE.isoformat(), "ctl": 37.5, "atl": 23.0, "tsb": 14.5}


def traces(fig, name: str):
    return [t for t in fig.data if t.name == name]


def test_projection_draws_the_real_series_then_the_projection_to_race_morning():
    fig = plan_figures.projection(HISTORY, PROJECTED, MODEL, RACE, MORNING)
    real, ahead = traces(fig, "fitness (CTL)"), traces(fig, "fitness (CTL) projected")
    assert len(real) == 1 and len(ahead) == 1
    assert list(real[0].y) == [40.0, 41.0, 42.0] and real[0].line.dash == "solid"
    assert ahead[0].line.dash == "dot" and not ahead[0].showlegend
    # the projection ends on race day with the race-morning figures
    assert str(ahead[0].x[-1])[:10] == RACE.isoformat() and ahead[0].y[-1] == 37.5
    form = traces(fig, "form (TSB) projected")[0]
    assert form.y[-1] == 14.5 and form.yaxis == "y2"
    marker = traces(fig, "race morning")[0]
    assert list(marker.y) == [14.5] and str(marker.x[0])[:10] == RACE.isoformat()
    assert marker.meta == figures.NOT_DATA  # the projected form's last point already: once in the data table


def test_projection_says_the_last_real_day_and_race_morning_in_words():
    fig = plan_figures.projection(HISTORY, PROJECTED, MODEL, RACE, MORNING)
    assert fig.layout.meta["summary"] == (
        "Fitness, fatigue and form to race day: on Mon 9 Mar 2026, fitness (CTL) 42.0, fatigue (ATL) 54.0, "
        "form (TSB) -11.0; projected for race morning, Fri 20 Mar 2026: fitness 37.5, fatigue 23.0, form +14.5 "
        "(target form +5 to +25).")
    no_race = plan_figures.projection(HISTORY, PROJECTED, MODEL, None, None)
    assert no_race.layout.meta["summary"].endswith("projected to Thu 19 Mar 2026: fitness 37.5, fatigue 23.0, form +12.0.")


def test_projection_marks_race_day_today_and_the_taper_target_band():
    taper = dt.date(2026, 3, 16)
    fig = plan_figures.projection(HISTORY, PROJECTED, MODEL, RACE, MORNING, taper_start=taper)
    lines = {a.text: a.x for a in fig.layout.annotations if a.text in ("today", "race day")}
    assert lines == {"today": TODAY.isoformat(), "race day": RACE.isoformat()}
    (band,) = [s for s in fig.layout.shapes if s.type == "rect"]
    assert (band.y0, band.y1) == (MODEL.taper_form_min, MODEL.taper_form_max) == (5.0, 25.0)
    assert (band.x0, band.x1) == (taper.isoformat(), RACE.isoformat()) and band.yref == "y2"
    assert any(a.text == "race-morning target +5..+25" for a in fig.layout.annotations)
    # the axis holds exactly the days drawn (labels do not widen it)
    assert fig.layout.xaxis.range == ("2026-03-06", "2026-03-22")
    default = plan_figures.projection(HISTORY, PROJECTED, MODEL, RACE, MORNING)
    (band,) = [s for s in default.layout.shapes if s.type == "rect"]
    assert band.x0 == (RACE - dt.timedelta(days=21)).isoformat()  # without taper weeks: three weeks out


def test_projection_with_the_pattern_and_without_a_race():
    pattern = PROJECTED.with_columns(tsb=pl.col("tsb") - 10)
    fig = plan_figures.projection(HISTORY, PROJECTED, MODEL, RACE, MORNING, pattern=pattern)
    (grey,) = traces(fig, "form if the last 4 weeks went on")
    assert grey.y[0] == pytest.approx(PROJECTED["tsb"][0] - 10)
    no_race = plan_figures.projection(HISTORY, PROJECTED.head(0), MODEL, None, None)
    assert not [s for s in no_race.layout.shapes if s.type == "rect"]
    assert not traces(no_race, "fitness (CTL) projected")
    empty = plan_figures.projection(HISTORY.head(0), PROJECTED.head(0), MODEL, RACE, None)
    assert empty.layout.annotations[0].text == "No data yet"


def weeks(**columns) -> pl.DataFrame:
    base = {"week_start": [dt.date(2026, 3, 2), dt.date(2026, 3, 9), dt.date(2026, 3, 16), dt.date(2026, 3, 23)],
            "planned_ascent_m": [3000.0, 3300.0, 2300.0, 3600.0], "done_ascent_m": [2900.0, 1000.0, 800.0, None],
            "over": [True, True, False, False], "colour": ["green", "red", None, None]}
    return pl.DataFrame({**base, **columns}, schema=plan_figures.WEEK_FRAME)


def test_weekly_ascent_colours_done_weeks_by_compliance():
    fig = plan_figures.weekly_ascent(weeks(), u.METRIC)
    planned, done = traces(fig, "planned")[0], traces(fig, "done")[0]
    assert list(planned.y) == [3000, 3300, 2300, 3600]
    assert list(done.marker.color) == ["#16a34a", "#dc2626", plan_figures.NOT_OVER, plan_figures.NOT_OVER]
    assert list(done.customdata) == ["green (week over)", "red (week over)", "week not over yet", "week not over yet"]
    assert done.y[3] is None or math.isnan(done.y[3])  # not begun: nothing drawn
    # the colours repeat words: the data table has them as a column; pale fills are outlined at 3:1 or more
    assert done.meta == {"notes": "compliance"} and fig.layout.meta == {"x": "week"}
    for bars in (planned, done):
        assert bars.marker.line.width >= 1 and contrast_on_white(bars.marker.line.color) >= 3


def contrast_on_white(color: str) -> float:
    lin = [(v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4) for v in (int(color[i:i + 2], 16) / 255
                                                                                      for i in (1, 3, 5))]
    return 1.05 / (0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2] + 0.05)


def test_weekly_ascent_in_feet_and_without_weeks():
    fig = plan_figures.weekly_ascent(weeks(), u.IMPERIAL)
    assert fig.layout.title.text.endswith("(ft)")
    assert traces(fig, "planned")[0].y[0] == pytest.approx(round(3000 / 0.3048))
    assert plan_figures.weekly_ascent(weeks().head(0), u.METRIC).layout.annotations[0].text == "No plan yet"

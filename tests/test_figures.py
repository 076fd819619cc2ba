"""Figure functions (dashboards/figures.py), called directly on small hand-made frames;
and the unit conversions they use (dashboards/units.py)."""

from __future__ import annotations

import datetime as dt
import math

import plotly.graph_objects as go
import polars as pl
import pytest

from dashboards import figures
from dashboards import units as u
from trainlog.analysis import fitness
from trainlog.settings import ModelSettings

MODEL = ModelSettings()
START = dt.date(2026, 1, 5)  # a Monday


def daily_frame(loads: list[float], ascent: float = 500.0) -> pl.DataFrame:
    """A zero-filled daily series with the library's fitness columns."""
    n = len(loads)
    days = pl.DataFrame({
        "date": [START + dt.timedelta(days=i) for i in range(n)],
        "load": loads,
        "distance_m": [10_000.0 if x else 0.0 for x in loads],
        "moving_s": [3_600.0 if x else 0.0 for x in loads],
        "ascent_m": [ascent if x else 0.0 for x in loads],
        "descent_m": [ascent if x else 0.0 for x in loads],
        "n_activities": pl.Series([1 if x else 0 for x in loads], dtype=pl.UInt32),
    })
    return fitness.fitness(days, MODEL)


def weekly_frame() -> pl.DataFrame:
    rows = []
    for week in range(3):
        start = START + dt.timedelta(weeks=week)
        rows += [
            {"week_start": start, "sport": "running", "distance_m": 50_000.0, "moving_s": 18_000.0,
             "ascent_m": 2_000.0, "descent_m": 1_900.0},
            {"week_start": start, "sport": "cycling", "distance_m": 80_000.0, "moving_s": 10_800.0,
             "ascent_m": 600.0, "descent_m": 600.0},
            {"week_start": start, "sport": "all", "distance_m": 130_000.0, "moving_s": 28_800.0,
             "ascent_m": 2_600.0, "descent_m": 2_500.0},
        ]
    return pl.DataFrame(rows)


def samples_frame(n: int = 600) -> pl.DataFrame:
    """An out-and-back climb: 5 m per second, 1 m up per 10 m, every sample moving 1 s."""
    t0 = dt.datetime(2026, 1, 5, 8, tzinfo=dt.UTC)
    half = n // 2
    return pl.DataFrame({
        "timestamp": [t0 + dt.timedelta(seconds=i) for i in range(n)],
        "lat_deg": [45.0 + 0.00004 * i for i in range(n)],
        "lon_deg": [6.0 + 0.00003 * i for i in range(n)],
        "distance_m": [5.0 * i for i in range(n)],
        "altitude_m": [1000.0 + 0.5 * min(i, n - i) for i in range(n)],
        "hr_bpm": [140.0 + (i % 7) for i in range(n)],
        "moving_s": [1.0] * n,
        "distance_step_m": [5.0] * n,
        "gad_step_m": [6.0 if i < half else 4.5 for i in range(n)],
    })


def trace(fig: go.Figure, name: str):
    return next(t for t in fig.data if t.name == name)


def is_empty(fig: go.Figure) -> bool:
    return not fig.data and any("No" in (a.text or "") or "Choose" in (a.text or "") for a in fig.layout.annotations)


# ---- units

def test_unit_conversions_and_formats():
    assert u.distance(1609.344, u.IMPERIAL) == pytest.approx(1.0)
    assert u.elevation(0.3048, u.IMPERIAL) == pytest.approx(1.0)
    assert u.fmt_distance(12_345.0, u.METRIC) == "12.3 km"
    assert u.fmt_elevation(17_698.0, u.IMPERIAL) == "58,064 ft"
    assert u.fmt_duration(59 * 3600 + 9 * 60 + 10) == "59 h 09 min"
    assert u.fmt_pace(270.0, u.METRIC) == "4:30 /km"
    assert u.fmt_pace(270.0, u.IMPERIAL) == "7:15 /mi"
    assert u.number(None) == u.number(float("nan")) == u.DASH
    assert u.system("imperial") == u.IMPERIAL and u.system("furlongs") == u.METRIC


# ---- training

@pytest.mark.parametrize("column, unit", [("distance_m", "km"), ("moving_s", "h")])
def test_weekly_volume_stacks_sports_without_the_total(column, unit):
    fig = figures.weekly_volume(weekly_frame(), column, u.METRIC)
    assert sorted(t.name for t in fig.data) == ["cycling", "running"]
    assert fig.layout.barmode == "stack"
    assert f"({unit})" in fig.layout.title.text
    running = list(trace(fig, "running").y)
    assert running == ([50.0] * 3 if column == "distance_m" else [5.0] * 3)


def test_weekly_volume_in_miles():
    fig = figures.weekly_volume(weekly_frame(), "distance_m", u.IMPERIAL)
    assert "(mi)" in fig.layout.title.text
    assert trace(fig, "running").y[0] == pytest.approx(50_000 / 1609.344, abs=0.05)  # rounded to 0.1


def test_weekly_vertical_descent_down_and_the_needed_line():
    fig = figures.weekly_vertical(weekly_frame(), u.METRIC, needed_m=3_000.0)
    assert list(trace(fig, "running ascent").y) == [2000.0] * 3
    assert list(trace(fig, "running descent").y) == [-1900.0] * 3
    lines = [s for s in fig.layout.shapes if s.y0 == s.y1]
    assert [s.y0 for s in lines] == [3000.0]


def test_weekly_vertical_without_goal_date_has_no_line():
    fig = figures.weekly_vertical(weekly_frame(), u.IMPERIAL, needed_m=None)
    assert not fig.layout.shapes
    assert trace(fig, "running ascent").y[0] == pytest.approx(2000 / 0.3048, abs=1)


def test_cumulative_ascent_ends_at_the_total():
    daily = daily_frame([50.0, 0.0, 60.0, 0.0])
    fig = figures.cumulative_ascent(daily, u.METRIC)
    assert list(fig.data[0].y) == [500.0, 500.0, 1000.0, 1000.0]


# ---- fatigue

def built(daily: pl.DataFrame) -> pl.DataFrame:
    """``daily`` as if the athlete had set a starting fitness: no day is the cold start."""
    return daily.with_columns(building_history=pl.lit(False))


def test_pmc_plots_the_library_columns_and_shades_every_form_band():
    daily = built(daily_frame([80.0] * 20 + [0.0] * 10))
    fig = figures.pmc(daily, MODEL)
    assert list(trace(fig, "fitness (CTL)").y) == daily["ctl"].round(1).to_list()
    assert list(trace(fig, "form (TSB)").y) == daily["tsb"].round(1).to_list()
    assert list(trace(fig, "ramp (CTL/week)").y) == daily["ramp"].round(1).to_list()
    bands = [s for s in fig.layout.shapes if s.type == "rect"]
    assert len(bands) == len(MODEL.form_band_labels)
    assert {s.yref for s in bands} == {"y2"}  # on the form subplot
    assert sorted(b.y1 for b in bands)[:-1] == sorted(MODEL.form_band_edges)


def test_acwr_bands_and_values():
    daily = built(daily_frame([60.0] * 35))
    fig = figures.acwr(daily, MODEL)
    assert list(fig.data[0].y) == daily["acwr"].round(2).to_list()
    assert len([s for s in fig.layout.shapes if s.type == "rect"]) == len(MODEL.acwr_band_labels)
    assert sorted(s.y0 for s in fig.layout.shapes if s.type == "line") == sorted(MODEL.acwr_band_edges)


def test_acwr_without_enough_history_says_so():
    assert is_empty(figures.acwr(daily_frame([0.0] * 5), MODEL))


def test_monotony_strain_has_warn_and_flag_lines():
    daily = built(daily_frame([50.0, 60.0, 0.0, 70.0, 40.0, 0.0, 80.0] * 2))
    fig = figures.monotony_strain(daily, MODEL)
    levels = sorted(s.y0 for s in fig.layout.shapes)
    assert levels == [MODEL.monotony_warn, MODEL.monotony_flag]
    assert list(trace(fig, "strain").y) == daily["strain"].round(0).to_list()


def test_vertical_tracks_in_feet():
    daily = daily_frame([50.0] * 10, ascent=1000.0)
    fig = figures.vertical_tracks(daily, u.IMPERIAL)
    assert [t.name for t in fig.data] == ["descent fitness", "descent fatigue", "ascent fitness", "ascent fatigue"]
    assert trace(fig, "ascent fitness").y[-1] == pytest.approx(daily["ascent_ctl"][-1] / 0.3048, abs=0.5)


def test_vertical_tracks_ascent_stays_visible_over_an_equal_descent():
    """Ascent equals descent on a loop: the descent lines are wide underneath, the ascent ones narrow on top,
    and fitness and fatigue differ in dash too (not in colour alone)."""
    fig = figures.vertical_tracks(daily_frame([50.0] * 10, ascent=1000.0), u.METRIC)
    assert list(trace(fig, "ascent fitness").y) == list(trace(fig, "descent fitness").y)
    names = [t.name for t in fig.data]
    assert max(names.index("ascent fitness"), names.index("ascent fatigue")) == len(names) - 1  # drawn last
    for kind in ("fitness", "fatigue"):
        ascent, descent = trace(fig, f"ascent {kind}").line, trace(fig, f"descent {kind}").line
        assert descent.width >= 2 * ascent.width
    styles = {(t.line.dash, t.line.color) for t in fig.data}
    assert len(styles) == 4 and trace(fig, "ascent fitness").line.dash != trace(fig, "ascent fatigue").line.dash


# ---- goal and today

def test_goal_progress_rolling_week_plan_and_target():
    daily = daily_frame([50.0] * 10, ascent=1000.0)
    plan = pl.DataFrame({"week_start": [START + dt.timedelta(days=10)], "needed_ascent_m": [9000.0]})
    fig = figures.goal_progress(daily, plan, 17_698.0, u.METRIC)
    rolling = trace(fig, "last 7 days").y
    assert rolling[0] == 1000.0 and rolling[6] == rolling[9] == 7000.0
    assert list(trace(fig, "plan (+ramp cap a week)").y) == [9000.0]
    assert [s.y0 for s in fig.layout.shapes] == [17_698.0]


def test_goal_progress_without_plan():
    fig = figures.goal_progress(daily_frame([50.0] * 3), pl.DataFrame(), 17_698.0, u.METRIC)
    assert [t.name for t in fig.data] == ["last 7 days"]


def test_week_vs_plan_bars():
    fig = figures.week_vs_plan(1200.0, 3000.0, 3500.0, u.METRIC)
    assert list(fig.data[0].y) == ["this week", "last 4 weeks (mean)", "plan"]
    assert list(fig.data[0].x) == [1200, 3000, 3500]
    without_plan = figures.week_vs_plan(1200.0, 3000.0, None, u.METRIC)
    assert list(without_plan.data[0].y) == ["this week", "last 4 weeks (mean)"]


def test_week_vs_plan_without_any_training_says_so_instead_of_an_empty_axis():
    nothing = figures.week_vs_plan(0.0, 0.0, None, u.METRIC)
    assert is_empty(nothing) and nothing.layout.annotations[0].text.startswith("No training this week")
    assert not nothing.layout.xaxis.visible and not nothing.layout.yaxis.visible
    assert not is_empty(figures.week_vs_plan(0.0, 2000.0, None, u.METRIC))  # a week to compare with: the bars


def test_compare_one_line_per_athlete():
    fig = figures.compare({"mara": daily_frame([50.0] * 5), "tom": daily_frame([30.0] * 8)}, "ctl", "Fitness")
    assert [t.name for t in fig.data] == ["mara", "tom"]
    assert len(fig.data[1].x) == 8
    assert is_empty(figures.compare({}, "ctl", "Fitness"))


# ---- one activity

def test_elevation_profile_against_distance():
    samples = samples_frame()
    fig = figures.elevation_profile(samples, u.METRIC)
    assert fig.data[0].x[-1] == pytest.approx(samples["distance_m"][-1] / 1000)
    assert max(fig.data[0].y) == 1150.0


def test_pace_and_gap_from_moving_time_over_distance():
    fig = figures.pace_gap(samples_frame(), u.METRIC)
    pace, gap = trace(fig, "pace").y, trace(fig, "GAP").y
    assert list(pace) == pytest.approx([200 / 60] * len(pace), abs=0.01)  # 1 s per 5 m = 200 s/km
    assert gap[0] == pytest.approx(1000 / 6 / 60, abs=0.01)  # uphill: faster grade-adjusted
    assert gap[-1] == pytest.approx(1000 / 4.5 / 60, abs=0.01)
    assert fig.layout.yaxis.autorange == "reversed"


def test_heart_rate_against_hours():
    fig = figures.heart_rate(samples_frame())
    assert fig.data[0].x[-1] == pytest.approx(599 / 3600, abs=1e-4)
    assert min(fig.data[0].y) == 140.0


def test_track_is_a_plain_xy_plot_with_equal_axes():
    samples = samples_frame()
    fig = figures.track(samples)
    assert all(not isinstance(t, go.Scattermap) for t in fig.data)
    assert fig.layout.xaxis.scaleanchor == "y"
    north_km = (samples["lat_deg"][-1] - 45.0) * math.radians(1) * figures.EARTH_RADIUS_M / 1000
    assert fig.data[0].y[-1] == pytest.approx(north_km, abs=1e-3)
    # for the data table: the points in drawing order, the start marker left out; the summary in words
    assert fig.layout.meta["path"] and trace(fig, "start").meta == figures.NOT_DATA
    assert fig.layout.meta["summary"].endswith(f"ending {math.hypot(north_km, fig.data[0].x[-1]):.1f} km from it.")


def test_track_map_uses_tiles_only_when_asked():
    fig = figures.track_map(samples_frame())
    assert isinstance(fig.data[0], go.Scattermap)
    assert fig.layout.map.style == "open-street-map"


@pytest.mark.parametrize("make", [
    lambda s: figures.elevation_profile(s, u.METRIC),
    lambda s: figures.pace_gap(s, u.METRIC),
    figures.heart_rate,
    figures.track,
    figures.track_map,
])
def test_activity_figures_without_data_say_so(make):
    bare = samples_frame().with_columns(
        pl.lit(None, pl.Float64).alias(c) for c in ("lat_deg", "lon_deg", "altitude_m", "hr_bpm", "distance_m")
    )
    assert is_empty(make(bare))


@pytest.mark.parametrize("make", [
    lambda: figures.weekly_volume(pl.DataFrame(), "distance_m", u.METRIC),
    lambda: figures.weekly_vertical(pl.DataFrame(), u.METRIC),
    lambda: figures.pmc(pl.DataFrame(), MODEL),
    lambda: figures.monotony_strain(pl.DataFrame(), MODEL),
    lambda: figures.vertical_tracks(pl.DataFrame(), u.METRIC),
    lambda: figures.cumulative_ascent(pl.DataFrame(), u.METRIC),
])
def test_figures_of_empty_frames_say_so(make):
    assert is_empty(make())


def test_one_template_everywhere():
    figs = [figures.pmc(daily_frame([50.0] * 10), MODEL), figures.track(samples_frame()),
            figures.weekly_volume(weekly_frame(), "distance_m", u.METRIC)]
    assert all(f.layout.template == figures.TEMPLATE for f in figs)
    # legends at the bottom of the figure, under the tick labels: never over the plot or its labels on a phone
    legend = figures.TEMPLATE.layout.legend
    assert (legend.orientation, legend.yref, legend.y, legend.yanchor) == ("h", "container", 0, "bottom")
    assert all(f.layout.legend.y is None for f in figs)  # no figure moves it back


# ---- contrast: lines and bars 3:1 on white, words 4.5:1 on what is under them (WCAG 2.1 AA)

def rgb(color: str) -> tuple[float, float, float, float]:
    """``#rrggbb`` or ``rgba(r,g,b,a)`` as red, green, blue (0..255) and opacity."""
    if color.startswith("#"):
        return (*(int(color[i:i + 2], 16) for i in (1, 3, 5)), 1.0)
    r, g, b, a = (float(v) for v in color[color.index("(") + 1:-1].split(","))
    return r, g, b, a


def over(color: str, under: tuple, opacity: float = 1.0) -> tuple:
    *top, alpha = rgb(color)
    alpha *= opacity
    return tuple(alpha * t + (1 - alpha) * b for t, b in zip(top, under[:3]))


def contrast(a: tuple, b: tuple) -> float:
    def luminance(c):
        lin = [v / 255 / 12.92 if v / 255 <= 0.03928 else ((v / 255 + 0.055) / 1.055) ** 2.4 for v in c[:3]]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


WHITE = (255.0, 255.0, 255.0)


def test_every_line_and_bar_colour_is_3_to_1_on_white():
    colours = {*figures.SPORT_COLORS, figures.INK, figures.MUTED, figures.FITNESS, figures.FATIGUE, figures.FORM,
               figures.ASCENT, figures.DESCENT, figures.GOAL}
    assert {c: round(contrast(rgb(c), WHITE), 2) for c in colours if contrast(rgb(c), WHITE) < 3} == {}


@pytest.mark.parametrize("make", [figures.pmc, figures.acwr])
def test_band_labels_are_readable_and_the_fills_only_repeat_them(make):
    fig = make(built(daily_frame([60.0] * 70)), MODEL)
    fills = [over(s.fillcolor, WHITE, s.opacity) for s in fig.layout.shapes if s.type == "rect"]
    labels = [a for a in fig.layout.annotations]
    assert len(labels) == len(fills) >= 4
    for label, fill in zip(labels, fills):
        assert label.font.size >= 12
        box = over(label.bgcolor, fill)  # the label's box, over its band (the data line runs under it)
        assert contrast(rgb(label.font.color), box) >= 4.5, label.text
    # a dashed line at each edge, 3:1 on the fills on both sides of it
    edges = [s for s in fig.layout.shapes if s.type == "line"]
    assert len(edges) == len(fills) - 1
    for edge, below, above in zip(sorted(edges, key=lambda s: s.y0), fills, fills[1:]):
        assert min(contrast(rgb(edge.line.color), below), contrast(rgb(edge.line.color), above)) >= 3


def test_monotony_warn_and_flag_lines_differ_in_more_than_colour():
    fig = figures.monotony_strain(built(daily_frame([50.0, 60.0, 0.0, 70.0, 40.0, 0.0, 80.0] * 2)), MODEL)
    assert len({s.line.dash for s in fig.layout.shapes}) == 2
    assert [a.text for a in fig.layout.annotations] == ["warn", "flag"] and fig.layout.annotations[0].font.size >= 12
    assert "warn from monotony" in fig.layout.meta["also"]


# ---- bounded figures: downsampling keeps the peaks

def long_samples(n: int = 216_000) -> pl.DataFrame:
    """A 60 h 1 Hz activity: a slow altitude wave, one heart-rate spike, a straight track."""
    import numpy as np

    seconds = np.arange(n)
    hr = 120 + 10 * np.sin(seconds / 600)
    hr[123_457] = 199
    return pl.DataFrame({
        "timestamp": [dt.datetime(2026, 3, 13, tzinfo=dt.UTC) + dt.timedelta(seconds=int(s)) for s in seconds],
        "distance_m": seconds * 1.5,
        "altitude_m": 500 + 400 * np.sin(seconds / 5000),
        "hr_bpm": hr,
        "lat_deg": 36.1 + seconds * 1e-6,
        "lon_deg": -84.5 + seconds * 1e-6,
    })


def test_downsample_keeps_peaks_ends_and_order():
    frame = long_samples()
    small = figures.downsample(frame, "timestamp", ["hr_bpm", "altitude_m"], 5000)
    assert small.height <= 5000 and small.columns == frame.columns
    assert small["timestamp"].is_sorted()
    assert small["hr_bpm"].max() == 199 and small["altitude_m"].min() == frame["altitude_m"].min()
    assert small.row(0) == frame.row(0) and small.row(-1) == frame.row(-1)
    short = frame.head(100)
    assert figures.downsample(short, "timestamp", ["hr_bpm"], 5000) is short


def test_downsample_with_nulls_and_no_columns():
    frame = pl.DataFrame({"x": range(10_000), "y": [None if k % 3 else float(k) for k in range(10_000)]})
    small = figures.downsample(frame, "x", ["y"], 300)
    assert small.height <= 300 and small["y"].max() == 9999.0
    assert figures.downsample(frame, "x", [], 300).height <= 300


def test_per_sample_traces_of_a_60_hour_activity_are_bounded():
    samples = long_samples()
    for fig in (figures.elevation_profile(samples, u.METRIC), figures.heart_rate(samples), figures.track(samples),
                figures.track_map(samples)):
        for trace in fig.data:
            points = len(trace.lat) if isinstance(trace, go.Scattermap) else len(trace.x)
            assert points <= figures.TRACE_POINTS, (fig.layout.title.text, points)
    assert max(figures.heart_rate(samples).data[0].y) == 199  # the spike survives


def test_daily_figures_of_a_century_are_bounded():
    days = pl.date_range(dt.date(1970, 1, 1), dt.date(2100, 12, 31), eager=True)
    n = days.len()
    wave = pl.Series([float(k % 97) for k in range(n)])
    daily = pl.DataFrame({"date": days, "ctl": wave, "atl": wave, "tsb": -wave, "ramp": wave, "acwr": wave / 50,
                          "monotony": wave / 40, "strain": wave, "ascent_m": wave, "ascent_ctl": wave,
                          "ascent_atl": wave, "descent_ctl": wave, "descent_atl": wave})
    model = ModelSettings()
    for fig in (figures.pmc(daily, model), figures.acwr(daily, model), figures.monotony_strain(daily, model),
                figures.vertical_tracks(daily, u.METRIC), figures.cumulative_ascent(daily, u.METRIC),
                figures.compare({"a": daily}, "ctl", "CTL")):
        assert all(len(trace.x) <= figures.MAX_POINTS for trace in fig.data), fig.layout.title.text
    assert max(figures.pmc(daily, model).data[0].y) == 96.0  # peaks kept


def test_bands_are_veiled_while_building_history():
    """The cold start's days (building_history) get a white veil over the bands, labelled; none after."""
    loads = [60.0 if i % 3 else 0.0 for i in range(70)]
    daily = daily_frame(loads)
    assert daily["building_history"].to_list() == [i < 42 for i in range(70)]  # the library's cold start

    def veils(fig):
        return [(s.x0, s.x1) for s in fig.layout.shapes if s.fillcolor == "white"]

    def labels(fig):
        return [a.text for a in fig.layout.annotations if a.text.startswith("building history")]

    veil = ((START - dt.timedelta(days=1)).isoformat(), (START + dt.timedelta(days=42)).isoformat())
    pmc = figures.pmc(daily, MODEL)
    assert veils(pmc) == [veil] and labels(pmc) == ["building history: no bands"]
    assert [s.yref for s in pmc.layout.shapes if s.fillcolor == "white"] == ["y2 domain"]  # the form row
    assert len([s for s in pmc.layout.shapes if s.type == "rect" and s.fillcolor != "white"]) == len(
        MODEL.form_band_labels)
    # the veil does not widen the axis: fixed to the days shown and the bars' half-widths
    assert list(pmc.layout.xaxis.range) == ["2026-01-04 12:00:00", "2026-03-15 12:00:00"]
    acwr = figures.acwr(daily, MODEL)
    assert veils(acwr) == [veil] and labels(acwr) == ["building history: no bands"]
    assert labels(figures.monotony_strain(daily, MODEL)) == ["building history: no warnings"]
    assert figures.history_days(daily) == (START, START + dt.timedelta(days=41))
    assert figures.history_days(daily.drop("building_history")) is None
    assert veils(figures.pmc(built(daily), MODEL)) == [] and labels(figures.acwr(built(daily), MODEL)) == []


def test_no_bands_at_all_when_every_day_shown_is_building_history():
    daily = daily_frame([60.0 if i % 3 else 0.0 for i in range(30)])  # 30 days: all of them the cold start
    assert figures.in_history(daily) and not figures.in_history(built(daily))
    pmc, acwr, monotony = (f(daily, MODEL) for f in (figures.pmc, figures.acwr, figures.monotony_strain))
    for fig, label in ((pmc, "building history: no bands"), (acwr, "building history: no bands"),
                       (monotony, "building history: no warnings")):
        assert len(fig.layout.shapes) == 0  # no band, no warn / flag line, no veil
        assert [a.text for a in fig.layout.annotations] == [label]

"""Figures: pure functions from the library's frames to ``plotly.graph_objects.Figure``.

Inputs are the frames of :func:`trainlog.analysis.pipeline.analyse` (daily, weekly), a
samples frame of one activity, or plain numbers; values are in the library's
units (m, s) and converted for display with ``units`` (``"metric"`` or
``"imperial"``). One template keeps the look consistent and readable on a phone.
"""

from __future__ import annotations

import datetime as dt
import functools
import math

# plotly imports numpy and pandas lazily, on first use; done inside two request threads at once,
# one of them sees a half-imported module. Importing them here, at app creation, avoids that.
import numpy  # noqa: F401
import pandas  # noqa: F401
import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from dashboards import units as u
from trainlog.settings import ModelSettings
from trainlog.words import Level

#: Lines, bars and text are at least 3:1 on white (text 4.5:1); band fills are pale and only repeat their labels.
INK, MUTED, GRID = "#1f2933", "#6b7785", "#e6e9ee"
FITNESS, FATIGUE, FORM = "#2563eb", "#db2777", "#d97706"
ASCENT, DESCENT, GOAL = "#059669", "#7c3aed", "#dc2626"
SPORT_COLORS = ("#2563eb", "#059669", "#d97706", "#7c3aed", "#db2777", "#0891b2", "#65a30d", "#6b7785")
#: Band shading from the lowest band to the highest (form: high risk ... transition; ACWR: under ... danger).
FORM_BAND_COLORS = ("#fecaca", "#bbf7d0", "#e5e7eb", "#bfdbfe", "#fef08a")
ACWR_BAND_COLORS = ("#e5e7eb", "#bbf7d0", "#fef08a", "#fecaca")
#: Display range of bands that have no outer edge.
FORM_RANGE = (-60.0, 50.0)
ACWR_RANGE = (0.0, 2.5)
#: Distance bins (m) of the pace chart: about this many points per activity.
PACE_POINTS = 200
#: Most points a series of a figure carries (longer series are downsampled, keeping peaks).
MAX_POINTS = 4000
#: Most points of one activity's per-sample trace (a 60 h 1 Hz file has 216,000 samples).
TRACE_POINTS = 5000
EARTH_RADIUS_M = 6_371_000.0
#: A trace drawn for the eye only (a start marker): the data table and the summary leave it out (dashboards.charts).
NOT_DATA = {"data": False}
#: Text on a plot (band labels, lines' names): readable over the data line under it (add_hline writes into a dict).
LABEL_FONT = {"size": 12, "color": INK}
LABEL_BOX = {"bgcolor": "rgba(255,255,255,0.85)", "borderpad": 2}

TEMPLATE = go.layout.Template(
    layout=go.Layout(
        font={"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "size": 13, "color": INK},
        # the title is the heading above the graph (dashboards.charts; assets/charts.css hides plotly's)
        title={"font": {"size": 15}, "x": 0, "xanchor": "left", "pad": {"l": 4}},
        paper_bgcolor="white",
        plot_bgcolor="white",
        margin={"l": 48, "r": 12, "t": 16, "b": 36},
        colorway=list(SPORT_COLORS),
        xaxis={"gridcolor": GRID, "zeroline": False, "automargin": True},
        yaxis={"gridcolor": GRID, "zerolinecolor": "#c5cbd3", "automargin": True},
        # at the bottom, under the tick labels (the margin grows to hold it): above, on a phone, it covered the plot
        legend={"orientation": "h", "yref": "container", "yanchor": "bottom", "y": 0, "xanchor": "left", "x": 0,
                "font": {"size": 12}},
        hovermode="x unified",
        bargap=0.15,
    )
)


def downsample(frame: pl.DataFrame, x: str, ys: list[str] | tuple[str, ...], max_points: int) -> pl.DataFrame:
    """At most ``max_points`` rows of ``frame`` (sorted by ``x``), keeping each ``ys`` column's peaks.

    The rows are cut into equal buckets; each bucket keeps the rows of the
    minimum and the maximum of every ``ys`` column (min/max bucketing: a line
    drawn through them has the same envelope as one through every row), and the
    first and last rows are always kept. Rows are returned whole, in ``x``
    order; a frame that is short enough is returned as it is.
    """
    if frame.height <= max_points:
        return frame
    ys = [y for y in ys if y in frame.columns]
    per_bucket = 2 * len(ys) + 1 if ys else 2
    buckets = max((max_points - 2) // per_bucket, 1)
    rows = frame.sort(x).with_row_index("_row")
    picks = [pl.col("_row").first().alias("_first")] + [
        pl.col("_row").get(pl.col(y).arg_min()).alias(f"_min{i}") for i, y in enumerate(ys)] + [
        pl.col("_row").get(pl.col(y).arg_max()).alias(f"_max{i}") for i, y in enumerate(ys)]
    if not ys:
        picks.append(pl.col("_row").last().alias("_last"))
    kept = (
        rows.group_by((pl.col("_row") * buckets // rows.height).alias("_bucket"))
        .agg(picks)
        .drop("_bucket")
        .unpivot()
        .get_column("value")
        .drop_nulls()
    )
    keep = pl.concat([kept, pl.Series([0, rows.height - 1], dtype=kept.dtype)]).unique().sort()
    return rows.filter(pl.col("_row").is_in(keep.implode())).drop("_row")


@functools.lru_cache(maxsize=16)
def _skeleton(rows: int, row_heights: tuple[float, ...] | None) -> go.Figure:
    """An empty figure with the template and subplot grid, made once (make_subplots costs ~60 ms; a copy ~8)."""
    fig = (
        make_subplots(rows=rows, cols=1, shared_xaxes=True, vertical_spacing=0.06,
                      row_heights=list(row_heights) if row_heights else None)
        if rows > 1
        else go.Figure()
    )
    return fig.update_layout(template=TEMPLATE)


def _figure(title: str, height: int = 320, rows: int = 1, row_heights: list[float] | None = None) -> go.Figure:
    fig = go.Figure(_skeleton(rows, tuple(row_heights) if row_heights else None))  # a copy, with the grid
    fig.update_layout(title=title, height=height)
    return fig


def empty(title: str, message: str = "No data yet") -> go.Figure:
    """A titled figure that says why there is nothing to plot."""
    fig = _figure(title, height=220)
    fig.add_annotation(text=message, showarrow=False, font={"color": MUTED, "size": 14}, xref="paper", yref="paper")
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


def _axes(row: int | None) -> tuple[str, str]:
    """The x-domain and y references of a one-column subplot row (row 1 or None: the first axes)."""
    suffix = "" if not row or row == 1 else str(row)
    return f"x{suffix} domain", f"y{suffix}"


def _add_marks(fig: go.Figure, shapes: list[dict], notes: list[dict]) -> None:
    """Add shapes and annotations in one layout update (plotly's add_hrect/add_hline cost ~50 ms each)."""
    fig.update_layout(shapes=[*fig.layout.shapes, *shapes], annotations=[*fig.layout.annotations, *notes])


def _bands(fig: go.Figure, edges: tuple[float, ...], labels: tuple[str, ...], colors: tuple[str, ...],
           span: tuple[float, float], row: int | None = None) -> None:
    """Shade the horizontal bands between ``edges`` (values below the first edge get the first label): the labels
    carry the meaning (top left, on a box over the data line), fills repeat them, a dashed line marks each edge."""
    bounds = [min(span[0], edges[0]), *edges, max(span[1], edges[-1])]
    xref, yref = _axes(row)
    shapes, notes = [], []
    for i, label in enumerate(labels):
        shapes.append({"type": "rect", "xref": xref, "yref": yref, "x0": 0, "x1": 1, "y0": bounds[i],
                       "y1": bounds[i + 1], "fillcolor": colors[i % len(colors)], "opacity": 0.45,
                       "line": {"width": 0}, "layer": "below"})
        notes.append({"text": label, "xref": xref, "yref": yref, "x": 0, "y": bounds[i + 1], "xanchor": "left",
                      "yanchor": "top", "showarrow": False, "font": LABEL_FONT, **LABEL_BOX})
    shapes += [{"type": "line", "xref": xref, "yref": yref, "x0": 0, "x1": 1, "y0": edge, "y1": edge,
                "line": {"color": MUTED, "width": 1, "dash": "dash"}, "layer": "below"} for edge in edges]
    _add_marks(fig, shapes, notes)


def history_days(daily: pl.DataFrame) -> tuple | None:
    """The first and last date of ``daily``'s cold start (``building_history`` True), or None."""
    if "building_history" not in daily.columns:
        return None
    days = daily.filter(pl.col("building_history").fill_null(False))["date"]
    return (days.min(), days.max()) if days.len() else None


def in_history(daily: pl.DataFrame) -> bool:
    """Every day of ``daily`` is in the cold start: the figure draws no band and no warning line at all."""
    span = history_days(daily)
    return span is not None and span[0] <= daily["date"].min() and span[1] >= daily["date"].max()


def _history(fig: go.Figure, daily: pl.DataFrame, row: int | None = None,
             label: str = "building history: no bands") -> None:
    """Say which days are the cold start ("building history": no band applies yet).

    When every day shown is, the caller drew no bands and only the label is added; when some are,
    a white veil covers the bands over those days, labelled at its right end (away from the bands'
    own labels), and the x axis is fixed to the days shown (the veil does not widen it).
    """
    span = history_days(daily)
    if span is None:
        return
    xref, yref = _axes(row)
    note = {"text": label, "yref": f"{yref} domain", "y": 1, "yanchor": "top", "showarrow": False,
            "font": LABEL_FONT, **LABEL_BOX}
    if in_history(daily):
        _add_marks(fig, [], [{**note, "xref": xref, "x": 0.5, "xanchor": "center"}])
        return
    first, last = daily["date"].min(), daily["date"].max()
    start, end = span[0] - dt.timedelta(days=1), span[1] + dt.timedelta(days=1)  # whole days, bars' half-widths
    x = xref.replace(" domain", "")
    _add_marks(fig, [{"type": "rect", "xref": x, "yref": f"{yref} domain", "x0": start.isoformat(),
                      "x1": min(end, last).isoformat(), "y0": 0, "y1": 1, "fillcolor": "white", "opacity": 0.8,
                      "line": {"width": 0}, "layer": "below"}],
               [{**note, "xref": x, "x": min(end, last).isoformat(), "xanchor": "right"}])
    half_day = dt.timedelta(hours=12)  # the first and last bars' half-widths
    fig.update_xaxes(range=[(dt.datetime.combine(first, dt.time()) - half_day).isoformat(sep=" "),
                            (dt.datetime.combine(last, dt.time()) + half_day).isoformat(sep=" ")])


def _sports(weekly: pl.DataFrame) -> list[str]:
    return sorted(s for s in weekly["sport"].unique().to_list() if s != "all")


def weekly_volume(weekly: pl.DataFrame, column: str, units: str) -> go.Figure:
    """Stacked weekly bars by sport of ``distance_m`` (km/mi) or ``moving_s`` (h).

    ``weekly``: :func:`trainlog.analysis.weekly.weekly` (the ``"all"`` rows are ignored).
    """
    label = f"Weekly distance ({u.distance_unit(units)})" if column == "distance_m" else "Weekly moving time (h)"
    if weekly.is_empty():
        return empty(label)
    fig = _figure(label)
    for i, sport in enumerate(_sports(weekly)):
        rows = downsample(weekly.filter(pl.col("sport") == sport), "week_start", [column], MAX_POINTS)
        values = u.distance(rows[column], units) if column == "distance_m" else rows[column] / 3600
        fig.add_bar(x=rows["week_start"], y=values.round(1), name=sport, marker_color=SPORT_COLORS[i % 8])
    fig.update_layout(barmode="stack", meta={"x": "week"})
    return fig


def weekly_vertical(weekly: pl.DataFrame, units: str, needed_m: float | None = None) -> go.Figure:
    """Weekly ascent (up) and descent (down) by sport, with the goal's required weekly ascent as a line."""
    title = f"Weekly ascent and descent ({u.elevation_unit(units)})"
    if weekly.is_empty():
        return empty(title)
    fig = _figure(title, height=360)
    for i, sport in enumerate(_sports(weekly)):
        rows = downsample(weekly.filter(pl.col("sport") == sport), "week_start", ["ascent_m", "descent_m"], MAX_POINTS)
        color = SPORT_COLORS[i % 8]
        fig.add_bar(x=rows["week_start"], y=u.elevation(rows["ascent_m"], units).round(0), name=f"{sport} ascent",
                    marker_color=color, legendgroup=sport)
        fig.add_bar(x=rows["week_start"], y=-u.elevation(rows["descent_m"], units).round(0), name=f"{sport} descent",
                    marker={"color": color, "opacity": 0.45, "line": {"color": color, "width": 1.5}}, legendgroup=sport,
                    meta={"negated": True})
    if needed_m is not None:
        fig.add_hline(y=u.elevation(needed_m, units), line={"color": GOAL, "dash": "dash", "width": 2},
                      annotation_text="needed this week for the goal", annotation_position="top left",
                      annotation_font={**LABEL_FONT, "color": GOAL}, annotation={**LABEL_BOX})
    also = f"needed this week for the goal: {u.fmt_elevation(needed_m, units)}" if needed_m is not None else None
    fig.update_layout(barmode="relative", meta={"x": "week", "also": also})
    return fig


def cumulative_ascent(daily: pl.DataFrame, units: str) -> go.Figure:
    """Running total of daily ascent over the period of ``daily``."""
    title = f"Cumulative ascent ({u.elevation_unit(units)})"
    if daily.is_empty():
        return empty(title)
    fig = _figure(title, height=280)
    daily = downsample(daily.with_columns(_total=pl.col("ascent_m").cum_sum()), "date", ["_total"], MAX_POINTS)
    fig.add_scatter(x=daily["date"], y=u.elevation(daily["_total"], units).round(0), mode="lines",
                    line={"color": ASCENT, "width": 2}, fill="tozeroy", name="ascent")
    fig.update_layout(showlegend=False)
    return fig


def pmc(daily: pl.DataFrame, model: ModelSettings) -> go.Figure:
    """Performance-management chart: fitness (CTL) and fatigue (ATL); form (TSB) over its bands; ramp rate."""
    title = "Fitness, fatigue and form"
    if daily.is_empty():
        return empty(title)
    fig = _figure(title, height=520, rows=3, row_heights=[0.45, 0.35, 0.2])
    whole = daily
    daily = downsample(daily, "date", ["ctl", "atl", "tsb", "ramp"], MAX_POINTS)
    x = daily["date"]
    fig.add_scatter(x=x, y=daily["ctl"].round(1), name="fitness (CTL)", line={"color": FITNESS, "width": 2.5}, row=1, col=1)
    fig.add_scatter(x=x, y=daily["atl"].round(1), name="fatigue (ATL)", line={"color": FATIGUE, "width": 1.5}, row=1, col=1)
    fig.add_scatter(x=x, y=daily["tsb"].round(1), name="form (TSB)", line={"color": INK, "width": 2}, row=2, col=1)
    if not in_history(whole):
        _bands(fig, model.form_band_edges, model.form_band_labels, FORM_BAND_COLORS, FORM_RANGE, row=2)
    _history(fig, whole, row=2)
    fig.add_bar(x=x, y=daily["ramp"].round(1), name="ramp (CTL/week)", marker_color=FORM, row=3, col=1)
    tsb = daily["tsb"].drop_nulls()
    low = min(FORM_RANGE[0], tsb.min() or 0) if tsb.len() else FORM_RANGE[0]
    high = max(FORM_RANGE[1], tsb.max() or 0) if tsb.len() else FORM_RANGE[1]
    fig.update_yaxes(title_text="load/day", row=1, col=1)
    fig.update_yaxes(title_text="form", range=[low, high], row=2, col=1)
    fig.update_yaxes(title_text="ramp", row=3, col=1)
    return fig


def acwr(daily: pl.DataFrame, model: ModelSettings) -> go.Figure:
    """Acute:chronic workload ratio over its bands (guides only)."""
    title = "Acute:chronic workload ratio"
    if daily.is_empty() or daily["acwr"].drop_nulls().is_empty():
        return empty(title, "Not enough history yet")
    fig = _figure(title, height=300)
    whole = daily
    daily = downsample(daily, "date", ["acwr"], MAX_POINTS)
    if not in_history(whole):
        _bands(fig, model.acwr_band_edges, model.acwr_band_labels, ACWR_BAND_COLORS, ACWR_RANGE)
    _history(fig, whole)
    fig.add_scatter(x=daily["date"], y=daily["acwr"].round(2), name="ACWR", line={"color": INK, "width": 2})
    top = max(ACWR_RANGE[1], daily["acwr"].max() or 0)
    fig.update_yaxes(range=[ACWR_RANGE[0], top])
    fig.update_layout(showlegend=False)
    return fig


def monotony_strain(daily: pl.DataFrame, model: ModelSettings) -> go.Figure:
    """Monotony (7-day mean / SD of load) with its warn and flag lines, and strain."""
    title = "Monotony and strain"
    if daily.is_empty():
        return empty(title)
    fig = _figure(title, height=380, rows=2)
    whole = daily
    daily = downsample(daily, "date", ["monotony", "strain"], MAX_POINTS)
    fig.add_scatter(x=daily["date"], y=daily["monotony"].round(2), name="monotony", line={"color": INK}, row=1, col=1)
    xref, yref = _axes(1)
    levels = () if in_history(whole) else ((model.monotony_warn, Level.WARN.value), (model.monotony_flag, Level.FLAG.value))
    _add_marks(fig, [{"type": "line", "xref": xref, "yref": yref, "x0": 0, "x1": 1, "y0": level, "y1": level,
                      "line": {"color": GOAL, "dash": "dash"} if name == Level.FLAG else {"color": FORM, "dash": "dot"}}
                     for level, name in levels],
               [{"text": name, "xref": xref, "yref": yref, "x": 0, "y": level, "xanchor": "left",
                 "yanchor": "bottom", "showarrow": False, "font": LABEL_FONT, **LABEL_BOX} for level, name in levels])
    fig.update_layout(meta={"also": ", ".join(f"{name} from monotony {level:g}" for level, name in levels)})
    _history(fig, whole, row=1, label="building history: no warnings")
    fig.add_bar(x=daily["date"], y=daily["strain"].round(0), name="strain", marker_color=FATIGUE, row=2, col=1)
    fig.update_yaxes(title_text="monotony", row=1, col=1)
    fig.update_yaxes(title_text="strain", row=2, col=1)
    return fig


def vertical_tracks(daily: pl.DataFrame, units: str) -> go.Figure:
    """Ascent and descent fitness (42-day) and fatigue (7-day) tracks, per day."""
    title = f"Vertical fitness and fatigue ({u.elevation_unit(units)}/day)"
    if daily.is_empty():
        return empty(title)
    fig = _figure(title, height=320)
    daily = downsample(daily, "date", ["ascent_ctl", "ascent_atl", "descent_ctl", "descent_atl"], MAX_POINTS)
    # ascent and descent are often alike: descent wide underneath, ascent narrow on top, both seen
    for column, name, color, dash, width in (
        ("descent_ctl", "descent fitness", DESCENT, "solid", 5),
        ("descent_atl", "descent fatigue", DESCENT, "dash", 4),
        ("ascent_ctl", "ascent fitness", ASCENT, "solid", 2),
        ("ascent_atl", "ascent fatigue", ASCENT, "dot", 2),
    ):
        fig.add_scatter(x=daily["date"], y=u.elevation(daily[column], units).round(0), name=name,
                        line={"color": color, "dash": dash, "width": width})
    return fig


def goal_progress(daily: pl.DataFrame, plan: pl.DataFrame, target_m: float, units: str) -> go.Figure:
    """Rolling 7-day ascent against the goal's ascent, and the weekly ascent planned from today to the race.

    ``plan``: ``week_start`` / ``needed_ascent_m`` (may be empty: no goal date).
    """
    title = f"7-day ascent toward the goal ({u.elevation_unit(units)})"
    if daily.is_empty():
        return empty(title)
    fig = _figure(title, height=340)
    daily = downsample(daily.with_columns(_rolling=pl.col("ascent_m").rolling_sum(7, min_samples=1)), "date",
                       ["_rolling"], MAX_POINTS)
    fig.add_scatter(x=daily["date"], y=u.elevation(daily["_rolling"], units).round(0), name="last 7 days", mode="lines",
                    line={"color": ASCENT, "width": 2}, fill="tozeroy")
    if not plan.is_empty():
        plan = downsample(plan, "week_start", ["needed_ascent_m"], MAX_POINTS)
        fig.add_scatter(x=plan["week_start"], y=u.elevation(plan["needed_ascent_m"], units).round(0),
                        name="plan (+ramp cap a week)", mode="lines+markers", line={"color": FITNESS, "dash": "dash"})
    fig.add_hline(y=u.elevation(target_m, units), line={"color": GOAL, "width": 2}, annotation={**LABEL_BOX},
                  annotation_text="goal ascent", annotation_position="top left", annotation_font={"color": GOAL})
    fig.update_layout(meta={"also": f"goal ascent {u.fmt_elevation(target_m, units)}"})
    return fig


def week_vs_plan(this_week_m: float, last_4_mean_m: float, needed_m: float | None, units: str) -> go.Figure:
    """This week's ascent so far against the mean of the last four weeks and the plan."""
    title = f"Ascent this week ({u.elevation_unit(units)})"
    names = ["this week", "last 4 weeks (mean)"] + (["plan"] if needed_m is not None else [])
    values = [this_week_m, last_4_mean_m] + ([needed_m] if needed_m is not None else [])
    if not any(values):  # bars of nothing on a -1..1 axis say less than the words
        return empty(title, "No training this week, nor in the four weeks before")
    fig = _figure(title, height=40 + 50 * len(names))
    fig.add_bar(y=names, x=[round(u.elevation(v, units)) for v in values], orientation="h", name="ascent",
                marker_color=[ASCENT, MUTED, FITNESS][: len(names)], text=[u.fmt_elevation(v, units) for v in values],
                textposition="auto")
    fig.update_layout(showlegend=False, hovermode=False, margin={"l": 8, "r": 12, "t": 16, "b": 24}, meta={"x": "period"})
    fig.update_yaxes(autorange="reversed")
    return fig


def compare(dailies: dict[str, pl.DataFrame], column: str, title: str) -> go.Figure:
    """One line per athlete of a daily column (e.g. ``ctl``), each on its own dates."""
    if not dailies:
        return empty(title, "Choose athletes to compare")
    fig = _figure(title, height=320)
    for i, (athlete, daily) in enumerate(dailies.items()):
        daily = downsample(daily, "date", [column], MAX_POINTS)
        fig.add_scatter(x=daily["date"], y=daily[column].round(1), name=athlete, mode="lines",
                        line={"color": SPORT_COLORS[i % 8], "width": 2})
    return fig


# ---- one activity (samples of trainlog.store.schema.SAMPLES joined with trainlog.analysis.activity.sample_metrics)

def _km(samples: pl.DataFrame, units: str) -> pl.Series:
    return u.distance(samples["distance_m"], units)


def elevation_profile(samples: pl.DataFrame, units: str) -> go.Figure:
    """Altitude against distance."""
    title = f"Elevation ({u.elevation_unit(units)})"
    rows = samples.drop_nulls(["distance_m", "altitude_m"])
    if rows.is_empty():
        return empty(title, "No altitude recorded")
    rows = downsample(rows, "distance_m", ["altitude_m"], TRACE_POINTS)
    fig = _figure(title, height=260)
    fig.add_scatter(x=_km(rows, units).round(3), y=u.elevation(rows["altitude_m"], units).round(0), mode="lines",
                    fill="tozeroy", line={"color": ASCENT, "width": 1.5}, name="altitude")
    low = u.elevation(rows["altitude_m"].min(), units)
    fig.update_yaxes(range=[max(0.0, low - 50), None])
    fig.update_xaxes(title_text=u.distance_unit(units))
    fig.update_layout(showlegend=False)
    return fig


def pace_gap(samples: pl.DataFrame, units: str) -> go.Figure:
    """Pace and grade-adjusted pace (min per km or mi) over distance, in about :data:`PACE_POINTS` bins."""
    title = f"Pace and grade-adjusted pace (min/{u.distance_unit(units)})"
    rows = samples.drop_nulls(["distance_m", "moving_s", "distance_step_m", "gad_step_m"])
    total = rows["distance_m"].max() if not rows.is_empty() else None
    if not total:
        return empty(title, "No distance recorded")
    bin_m = max(total / PACE_POINTS, 50.0)
    bins = (
        rows.group_by((pl.col("distance_m") // bin_m).alias("bin"))
        .agg(pl.col("moving_s").sum(), pl.col("distance_step_m").sum(), pl.col("gad_step_m").sum())
        .filter(pl.col("distance_step_m") > 0, pl.col("moving_s") > 0)
        .sort("bin")
    )
    per_unit = u.M_PER_MI if units == u.IMPERIAL else u.M_PER_KM
    x = u.distance((bins["bin"] + 0.5) * bin_m, units).round(2)
    fig = _figure(title, height=280)
    # on the flat the two are one line: pace wide underneath, GAP narrow on top
    fig.add_scatter(x=x, y=(bins["moving_s"] / bins["distance_step_m"] * per_unit / 60).round(2), name="pace",
                    mode="lines", line={"color": MUTED, "width": 4})
    fig.add_scatter(x=x, y=(bins["moving_s"] / bins["gad_step_m"] * per_unit / 60).round(2), name="GAP",
                    mode="lines", line={"color": FITNESS, "width": 1.5})
    fig.update_yaxes(autorange="reversed", title_text=f"min/{u.distance_unit(units)}")
    fig.update_xaxes(title_text=u.distance_unit(units))
    return fig


def heart_rate(samples: pl.DataFrame) -> go.Figure:
    """Heart rate (bpm) against elapsed time (h)."""
    title = "Heart rate (bpm)"
    rows = samples.drop_nulls(["hr_bpm"]).filter(pl.col("hr_bpm") > 0)
    if rows.is_empty():
        return empty(title, "No heart rate recorded")
    rows = downsample(rows, "timestamp", ["hr_bpm"], TRACE_POINTS)
    hours = (rows["timestamp"] - samples["timestamp"].min()).dt.total_seconds() / 3600
    fig = _figure(title, height=240)
    fig.add_scatter(x=hours.round(4), y=rows["hr_bpm"], mode="lines", line={"color": FATIGUE, "width": 1}, name="HR")
    fig.update_xaxes(title_text="hours")
    fig.update_layout(showlegend=False)
    return fig


def track(samples: pl.DataFrame) -> go.Figure:
    """The GPS track as a plain x/y plot in metres east and north of the start (works offline)."""
    title = "Track"
    rows = samples.drop_nulls(["lat_deg", "lon_deg"])
    if rows.is_empty():
        return empty(title, "No GPS track")
    rows = downsample(rows, "timestamp", ["lat_deg", "lon_deg"], TRACE_POINTS)
    lat0, lon0 = rows["lat_deg"][0], rows["lon_deg"][0]
    east = (rows["lon_deg"] - lon0) * math.radians(1) * EARTH_RADIUS_M * math.cos(math.radians(lat0))
    north = (rows["lat_deg"] - lat0) * math.radians(1) * EARTH_RADIUS_M
    fig = _figure(title, height=360)
    fig.add_scatter(x=(east / 1000).round(4), y=(north / 1000).round(4), mode="lines", line={"color": FITNESS, "width": 2},
                    name="track", hoverinfo="skip")
    fig.add_scatter(x=[0], y=[0], mode="markers", marker={"color": ASCENT, "size": 10}, name="start", meta=NOT_DATA)
    fig.update_xaxes(title_text="km east", scaleanchor="y", scaleratio=1)
    fig.update_yaxes(title_text="km north")
    far, end = (east**2 + north**2).sqrt().max() / 1000, math.hypot(east[-1], north[-1]) / 1000
    fig.update_layout(showlegend=False, hovermode=False, meta={"path": True, "summary": (  # table: points in order
        f"Track in km east and north of the start: at most {far:.1f} km from it, ending {end:.1f} km from it.")})
    return fig


def track_map(samples: pl.DataFrame) -> go.Figure:
    """The GPS track on OpenStreetMap tiles (needs the internet; offered as an option)."""
    rows = samples.drop_nulls(["lat_deg", "lon_deg"])
    if rows.is_empty():
        return empty("Track", "No GPS track")
    rows = downsample(rows, "timestamp", ["lat_deg", "lon_deg"], TRACE_POINTS)
    fig = _figure("Track", height=360)
    fig.add_scattermap(lat=rows["lat_deg"], lon=rows["lon_deg"], mode="lines", line={"color": FITNESS, "width": 3},
                       name="track")
    fig.update_layout(
        map={"style": "open-street-map", "center": {"lat": rows["lat_deg"].mean(), "lon": rows["lon_deg"].mean()},
             "zoom": 11},
        showlegend=False, margin={"l": 0, "r": 0, "t": 8, "b": 0}, meta={"path": True},
    )
    return fig

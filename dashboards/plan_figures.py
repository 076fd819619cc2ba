"""The Plan page's figures: pure functions from the plan report's frames to ``plotly.graph_objects.Figure``.

Inputs come from :func:`trainlog.analysis.plan.report` (the page turns its lists into frames):
the real daily fitness series up to the day before today, the projection from today to the day
before the race, and the plan's weeks with what was done. Values are in the library's units
(m, load points) and converted for display with ``units``; the look is :data:`dashboards.figures.TEMPLATE`.
"""

from __future__ import annotations

import datetime as dt

import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from dashboards import figures
from dashboards import units as u
from trainlog.settings import ModelSettings

#: Compliance colours (TrainingPeaks' green / yellow / red); a week not over yet is grey. The colours repeat the
#: words (hover, data table); bars are outlined at 3:1 or more on white (the pale fills alone are not).
COMPLIANCE_COLORS = {"green": "#16a34a", "yellow": "#eab308", "red": "#dc2626"}
NOT_OVER = "#9ca3af"
PLANNED = "#93c5fd"
OUTLINE = {"planned": "#1d4ed8", "done": figures.INK}
#: The taper's race-morning form target, shaded on the form axis.
TARGET = "#bbf7d0"
#: Columns of the weeks frame :func:`weekly_ascent` takes.
WEEK_FRAME = {"week_start": pl.Date, "planned_ascent_m": pl.Float64, "done_ascent_m": pl.Float64,
              "over": pl.Boolean, "colour": pl.String}
PMC_TITLE = "Fitness, fatigue and form to race day"
#: CTL, ATL and TSB as the summary names them after it has said their full names once.
SHORT = ("fitness", "fatigue", "form")


def _two_rows(title: str, height: int) -> go.Figure:
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08, row_heights=[0.55, 0.45])
    return fig.update_layout(template=figures.TEMPLATE, title=title, height=height, margin={"t": 28, "b": 24})


def _day_line(fig: go.Figure, day: dt.date, label: str, color: str, dash: str, anchor: str = "center") -> None:
    """A vertical line through both rows at ``day`` with ``label`` at its top (``anchor``: the label's side)."""
    shapes = [{"type": "line", "xref": "x", "yref": "paper", "x0": day.isoformat(), "x1": day.isoformat(),
               "y0": 0, "y1": 1, "line": {"color": color, "width": 1.5, "dash": dash}}]
    note = [{"text": label, "xref": "x", "yref": "paper", "x": day.isoformat(), "y": 1, "yanchor": "bottom",
             "xanchor": anchor, "showarrow": False, "font": {**figures.LABEL_FONT, "color": color}}]
    fig.update_layout(shapes=[*fig.layout.shapes, *shapes], annotations=[*fig.layout.annotations, *note])


def projection(history: pl.DataFrame, projected: pl.DataFrame, model: ModelSettings, race_date: dt.date | None,
               race_morning: dict | None, taper_start: dt.date | None = None,
               pattern: pl.DataFrame | None = None) -> go.Figure:
    """The performance-management chart continued past today: real CTL, ATL and form (solid) to the day before
    the projection, the projection (dotted) to race morning, race day marked, and the taper's race-morning
    form target (``model.taper_form_min..max``) shaded from ``taper_start`` (default: 21 days out) to race day.

    ``history`` and ``projected``: ``date``, ``ctl``, ``atl``, ``tsb`` (``tsb``: the form a day starts with);
    ``race_morning``: the report's ``race_morning`` (``ctl``, ``atl``, ``tsb`` on race morning), drawn on race day;
    ``pattern``: the projection if the last 28 days' pattern went on (``date``, ``tsb``), a thin grey line.
    """
    if history.is_empty() and projected.is_empty():
        return figures.empty(PMC_TITLE)
    fig = _two_rows(PMC_TITLE, 480)
    history = figures.downsample(history, "date", ["ctl", "atl", "tsb"], figures.MAX_POINTS)
    ahead = projected.select("date", "ctl", "atl", "tsb")
    if race_date is not None and race_morning is not None:
        ahead = pl.concat([ahead, pl.DataFrame({"date": [race_date], "ctl": [race_morning["ctl"]],
                                                "atl": [race_morning["atl"]], "tsb": [race_morning["tsb"]]},
                                               schema=ahead.schema)])
    for frame, dash, suffix, shown in ((history, "solid", "", True), (ahead, "dot", " projected", False)):
        if frame.is_empty():
            continue
        x = frame["date"]
        fig.add_scatter(x=x, y=frame["ctl"].round(1), name=f"fitness (CTL){suffix}", legendgroup="ctl",
                        showlegend=shown, line={"color": figures.FITNESS, "width": 2.5, "dash": dash}, row=1, col=1)
        fig.add_scatter(x=x, y=frame["atl"].round(1), name=f"fatigue (ATL){suffix}", legendgroup="atl",
                        showlegend=shown, line={"color": figures.FATIGUE, "width": 1.5, "dash": dash}, row=1, col=1)
        fig.add_scatter(x=x, y=frame["tsb"].round(1), name=f"form (TSB){suffix}", legendgroup="tsb",
                        showlegend=shown, line={"color": figures.INK, "width": 2, "dash": dash}, row=2, col=1)
    if pattern is not None and not pattern.is_empty():
        fig.add_scatter(x=pattern["date"], y=pattern["tsb"].round(1), name="form if the last 4 weeks went on",
                        line={"color": figures.MUTED, "width": 1, "dash": "dash"}, row=2, col=1)
    if not ahead.is_empty():
        _day_line(fig, ahead["date"][0], "today", figures.MUTED, "dot")
    if race_date is not None:
        start = taper_start or race_date - dt.timedelta(days=21)
        fig.add_shape(type="rect", x0=start.isoformat(), x1=race_date.isoformat(), y0=model.taper_form_min,
                      y1=model.taper_form_max, fillcolor=TARGET, opacity=0.6, layer="below", row=2, col=1,
                      line={"width": 1, "color": figures.MUTED, "dash": "dash"})
        fig.add_annotation(text=f"race-morning target {model.taper_form_min:+g}..{model.taper_form_max:+g}",
                           x=race_date.isoformat(), y=model.taper_form_max, xanchor="right", yanchor="bottom",
                           showarrow=False, font=figures.LABEL_FONT, **figures.LABEL_BOX, row=2, col=1)
        _day_line(fig, race_date, "race day", figures.GOAL, "solid", "right")  # the last day drawn
        if race_morning is not None:
            fig.add_scatter(x=[race_date], y=[round(race_morning["tsb"], 1)], mode="markers", name="race morning",
                            marker={"color": figures.GOAL, "size": 9}, showlegend=False, meta=figures.NOT_DATA,
                            row=2, col=1)  # the projected form's last point: the table has it
    # the days drawn, fixed: plotly widens an autoranged axis to hold the labels' text (far on a phone)
    first = min(f["date"].min() for f in (history, ahead) if not f.is_empty())
    last = max([f["date"].max() for f in (history, ahead) if not f.is_empty()] + ([race_date] if race_date else []))
    fig.update_xaxes(range=[(first - dt.timedelta(days=1)).isoformat(), (last + dt.timedelta(days=2)).isoformat()])
    fig.update_yaxes(title_text="load/day", row=1, col=1)
    fig.update_yaxes(title_text="form", row=2, col=1)
    fig.update_layout(meta={"summary": _summary(history, ahead, race_date, race_morning, model)})
    return fig


def _summary(history: pl.DataFrame, ahead: pl.DataFrame, race_date: dt.date | None, race_morning: dict | None,
             model: ModelSettings) -> str:
    """The projection in a sentence: the last real day's fitness, fatigue and form, then race morning's."""
    def said(row: dict, names: tuple[str, str, str]) -> str:
        return ", ".join(f"{name} {u.DASH if row[key] is None else format(row[key], fmt)}"
                         for name, key, fmt in zip(names, ("ctl", "atl", "tsb"), (".1f", ".1f", "+.1f")))

    parts = []
    if not history.is_empty():
        last = history.row(-1, named=True)
        parts.append(f"on {u.fmt_day(last['date'])}, " + said(last, ("fitness (CTL)", "fatigue (ATL)", "form (TSB)")))
    if race_date is not None and race_morning is not None:
        parts.append(f"projected for race morning, {u.fmt_day(race_date)}: {said(race_morning, SHORT)} "
                     f"(target form {model.taper_form_min:+g} to {model.taper_form_max:+g})")
    elif not ahead.is_empty():
        parts.append(f"projected to {u.fmt_day(ahead['date'][-1])}: {said(ahead.row(-1, named=True), SHORT)}")
    return f"{PMC_TITLE}: {'; '.join(parts)}."


def weekly_ascent(weeks: pl.DataFrame, units: str) -> go.Figure:
    """Planned against done ascent per week of the plan; a done bar takes the week's ascent compliance colour
    (green, yellow, red; grey while the week is not over), and its hover says it in words.

    ``weeks``: :data:`WEEK_FRAME` (``done_ascent_m`` null for weeks not begun).
    """
    title = f"Weekly ascent, planned and done ({u.elevation_unit(units)})"
    if weeks.is_empty():
        return figures.empty(title, "No plan yet")
    fig = go.Figure().update_layout(template=figures.TEMPLATE, title=title, height=340, barmode="group",
                                    margin={"b": 24}, meta={"x": "week"})
    x = weeks["week_start"]
    fig.add_bar(x=x, y=u.elevation(weeks["planned_ascent_m"], units).round(0), name="planned", marker_color=PLANNED,
                marker_line={"color": OUTLINE["planned"], "width": 1.5})
    colours = [COMPLIANCE_COLORS.get(c, NOT_OVER) if over else NOT_OVER
               for c, over in zip(weeks["colour"], weeks["over"])]
    words = [f"{c} (week over)" if over and c else "week not over yet" if not over else "nothing planned"
             for c, over in zip(weeks["colour"], weeks["over"])]
    fig.add_bar(x=x, y=u.elevation(weeks["done_ascent_m"], units).round(0), name="done", marker_color=colours,
                marker_line={"color": OUTLINE["done"], "width": 1.5}, meta={"notes": "compliance"},
                customdata=words, hovertemplate="%{y:,.0f}: %{customdata}<extra>done</extra>")
    return fig

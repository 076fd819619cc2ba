"""Training: weekly distance and time, weekly ascent and descent against the goal's need,
by sport, over a chosen date range; cumulative ascent."""

from __future__ import annotations

import datetime as dt

import dash
import polars as pl
from dash import html

from dashboards import data, figures, glossary, shell

dash.register_page(__name__, path="/training", name="Training", title="Training · trainlog", order=1)


@shell.guarded("/training")
def layout(**query: shell.QueryValue) -> html.Div:
    v = shell.view(query)
    if v is None:
        return shell.no_data("/training")
    source = data.get()
    start, end = shell.date_range(v)
    weekly = source.weekly(v.athlete, end).filter(pl.col("week_start") >= start - dt.timedelta(days=start.weekday()))
    daily = source.daily(v.athlete, end).filter(pl.col("date") >= start)
    needed = source.summary(v.athlete, v.as_of)["goal"]["needed_weekly_ascent_m"]
    return shell.page("/training", v, [
        html.H1(f"{v.athlete}: training", className="title"),
        shell.range_control(v),
        html.Div([
            html.Section(shell.graph(figures.weekly_volume(weekly, "distance_m", v.units), "training-distance"),
                         className="card"),
            html.Section(shell.graph(figures.weekly_volume(weekly, "moving_s", v.units), "training-time"),
                         className="card"),
        ], className="grid"),
        html.Section(shell.graph(figures.weekly_vertical(weekly, v.units, needed), "training-vertical"), className="card"),
        html.Section(shell.graph(figures.cumulative_ascent(daily, v.units), "training-cumulative"), className="card"),
        glossary.section("What the charts show", ("weekly_volume", "weekly_ascent", "cumulative_ascent", "needed"),
                         "training-glossary"),
    ])

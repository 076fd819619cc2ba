"""Fatigue: the performance-management chart, ACWR, monotony and strain, and the
ascent / descent fitness-fatigue tracks, over a chosen date range."""

from __future__ import annotations

import dash
import polars as pl
from dash import html

from dashboards import data, figures, shell

dash.register_page(__name__, path="/fatigue", name="Fatigue", title="Fatigue · trainlog", order=2)


@shell.guarded("/fatigue")
def layout(**query):
    v = shell.view(query)
    if v is None:
        return shell.no_data("/fatigue")
    source = data.get()
    start, end = shell.date_range(v)
    daily = source.daily(v.athlete, end).filter(pl.col("date") >= start)
    model = source.settings(v.athlete).model
    return shell.page("/fatigue", v, [
        html.H1(f"{v.athlete}: fitness and fatigue", className="title"),
        shell.range_control(v),
        html.Section(shell.graph(figures.pmc(daily, model), "fatigue-pmc"), className="card"),
        html.Div([
            html.Section(shell.graph(figures.acwr(daily, model), "fatigue-acwr"), className="card"),
            html.Section(shell.graph(figures.monotony_strain(daily, model), "fatigue-monotony"), className="card"),
        ], className="grid"),
        html.Section(shell.graph(figures.vertical_tracks(daily, v.units), "fatigue-vertical"), className="card"),
    ])

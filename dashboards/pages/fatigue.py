"""Fatigue: the performance-management chart, ACWR, monotony and strain, and the
ascent / descent fitness-fatigue tracks, over a chosen date range."""

from __future__ import annotations

import dash
import polars as pl
from dash import Input, NoUpdate, Output, State, callback, html

from dashboards import data, figures, glossary, readings, shell
from trainlog.settings import ModelSettings

dash.register_page(__name__, path="/fatigue", name="Fatigue", title="Fatigue · trainlog", order=2)


@shell.guarded("/fatigue")
def layout(**query: shell.QueryValue) -> html.Div:
    v = shell.view(query)
    if v is None:
        return shell.no_data("/fatigue")
    source = data.get()
    start, end = shell.date_range(v)
    history = source.daily(v.athlete, end)
    daily = history.filter(pl.col("date") >= start)
    model = source.settings(v.athlete).model
    return shell.page("/fatigue", v, [
        html.H1(f"{v.athlete}: fitness and fatigue", className="title"),
        shell.range_control(v),
        shell.download("fatigue-download", "Download the daily figures as CSV", v, start, end),
        _history_note(history, model),
        html.Section(shell.graph(figures.pmc(daily, model), "fatigue-pmc"), className="card"),
        html.Div([
            html.Section(shell.graph(figures.acwr(daily, model), "fatigue-acwr"), className="card"),
            html.Section(shell.graph(figures.monotony_strain(daily, model), "fatigue-monotony"), className="card"),
        ], className="grid"),
        html.Section(shell.graph(figures.vertical_tracks(daily, v.units), "fatigue-vertical"), className="card"),
        glossary.section("What the charts show", ("fitness", "fatigue", "form", "ramp", "acwr", "monotony", "strain",
                                                  "ascent_fitness"), "fatigue-glossary"),
    ])


def _history_note(history: pl.DataFrame, model: ModelSettings) -> html.P | None:
    """While the range's last day is in the cold start: which day of it, and that no band or warning applies."""
    span = figures.history_days(history)
    if span is None or history.is_empty() or span[1] < history["date"].max():
        return None
    day = readings.history_day(history["date"].min(), history["date"].max())
    return html.P(f"Fitness, fatigue, form, the acute:chronic ratio (ACWR) and monotony: "
                  f"{readings.history_text(day, model.history_days)}. No band and no warning until there are "
                  f"{model.history_days} days of history: while fitness builds up from zero, every ratio is high by "
                  "construction.", id="fatigue-history", className="note history-note")


@callback(
    Output("fatigue-download", "data"),
    Output("fatigue-download-status", "children"),
    Input("fatigue-download-button", "n_clicks"),
    State("fatigue-download-view", "data"),
    prevent_initial_call=True,
)
def download_csv(n_clicks: int | None, which: object) -> tuple[dict | NoUpdate, str]:
    """The days shown (load, fitness, fatigue, form, ACWR, ascent, descent) as ``trainlog export``'s daily.csv."""
    return shell.send_csv(which, "daily", data.get().daily_csv)

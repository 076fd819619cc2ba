"""Wellness: the athlete's mornings over a chosen date range, with their baselines, above the daily load (issue 16).

HRV (each morning's rMSSD, its 7-day average and the normal range as a band), resting HR with its baseline,
sleep, the 1-5 scales and the daily load, one graph each on the same days (a shared date axis: the figures of
:mod:`dashboards.wellness_figures`), each with its words from :mod:`dashboards.glossary` and a reading
(:mod:`dashboards.wellness_words`). The baselines are computed over the whole history
(:meth:`dashboards.data.Data.wellness_signals`), so the first days shown have theirs too. An athlete without any
wellness gets one line on how to add it.
"""

from __future__ import annotations

import dash
import polars as pl
from dash import dcc, html

from dashboards import data, glossary, shell
from dashboards import wellness_figures as wf
from dashboards import wellness_words as words

dash.register_page(__name__, path="/wellness", name="Wellness", title="Wellness · trainlog", order=9)


def how_to_add(athlete: str, query: dict) -> html.P:
    """The one line an athlete without wellness reads: the ways to add it."""
    return html.P([
        f"No wellness for {athlete} yet. Add it with the morning check-in on ",
        dcc.Link("Today", href=shell.href("/", query)),
        f", with trainlog wellness add -a {athlete} --sleep 7.5 --hrv 62 (or trainlog wellness import FILE.csv -a "
        f"{athlete}), or import your watch's sleep and HRV files with trainlog import or on the ",
        dcc.Link("Upload", href=shell.href("/upload", query)), " page.",
    ], id="wellness-none")


def _card(figure: object, graph_id: str, key: str, reading: str) -> html.Section:
    """A graph (:func:`dashboards.shell.graph`: named, its data as a table), its reading and its glossary words."""
    return html.Section([shell.graph(figure, graph_id), html.P(reading, id=f"{graph_id}-reading"), *glossary.card(key)],
                        className="card")


@shell.guarded("/wellness")
def layout(**query: shell.QueryValue) -> html.Div:
    v = shell.view(query)
    if v is None:
        return shell.no_data("/wellness")
    source = data.get()
    title = html.H1(f"{v.athlete}: wellness and readiness", className="title")
    if source.wellness(v.athlete).is_empty():
        return shell.page("/wellness", v, [title, html.Section(how_to_add(v.athlete, v.query), className="card")])
    start, end = shell.date_range(v)
    shown = source.wellness_signals(v.athlete).filter(pl.col("date").is_between(start, end))
    daily = source.daily(v.athlete, end).filter(pl.col("date") >= start)
    model = source.settings(v.athlete).model
    none = None if shown["checked_in"].any() else html.P(
        "No wellness in these days: choose other dates, or add it with the morning check-in on Today.",
        id="wellness-none-shown", className="note")
    return shell.page("/wellness", v, [
        title,
        shell.range_control(v),
        none,
        _card(wf.hrv(shown, start, end), "wellness-hrv", "hrv", words.hrv_reading(shown, model)),
        _card(wf.resting_hr(shown, start, end, model), "wellness-resting-hr", "resting_hr",
              words.resting_hr_reading(shown, model)),
        _card(wf.sleep(shown, start, end, model), "wellness-sleep", "sleep", words.sleep_reading(shown, model)),
        _card(wf.scales(shown, start, end), "wellness-scales", "wellness_scales", words.scales_reading(shown)),
        _card(wf.daily_load(daily, start, end), "wellness-load", "daily_load", words.load_reading(daily, shown)),
        glossary.section("What readiness means", ("readiness",), "wellness-glossary"),
    ])

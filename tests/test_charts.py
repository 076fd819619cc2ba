"""Graphs a screen reader can read (dashboards/charts.py): the wrapper on hand-made figures, and every graph
of every page rendered through the app (called directly, without a server)."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import plotly.graph_objects as go
import pytest
from builders import SUBSET, find
from dash import dcc, html

from dashboards import charts, figures, shell

WEEKS = [dt.date(2026, 2, 16) + dt.timedelta(weeks=i) for i in range(4)]


def weekly(ascent=(1200.0, 3100.0, 1800.0, 2340.0)) -> go.Figure:
    fig = go.Figure().update_layout(title="Weekly ascent (m)", meta={"x": "week"})
    fig.add_bar(x=WEEKS, y=list(ascent), name="ascent")
    return fig


def wrapped(fig: go.Figure, graph_id: str = "g", **kwargs) -> html.Figure:
    return charts.accessible(dcc.Graph(id=graph_id, figure=fig), **kwargs)


def walk(component, parents=()):
    """Every component of a layout tree with its ancestors (nearest last)."""
    yield component, parents
    children = getattr(component, "children", None)
    for child in children if isinstance(children, (list, tuple)) else [children]:
        if child is not None and not isinstance(child, (str, int, float)):
            yield from walk(child, (*parents, component))


def of_type(component, kind) -> list:
    return [c for c, _ in walk(component) if isinstance(c, kind)]


def words(component) -> str:
    """The text of a component and everything in it."""
    if isinstance(component, (str, int, float)):
        return str(component)
    children = getattr(component, "children", None)
    return "".join(words(c) for c in (children if isinstance(children, (list, tuple)) else [children]) if c is not None)


def table_of(figure_element: html.Figure) -> dict | None:
    """The text a chart's data table is drawn from (caption, header, rows: JSON in its ``<table>``'s ``data-rows``,
    which the browser draws), None when the figure has no table."""
    tables = of_type(figure_element, html.Table)
    if not tables:
        return None
    (table,) = tables
    assert "chart-table" in table.className and not getattr(table, "children", None)
    return json.loads(getattr(table, charts.ROWS))


def body_rows(table: dict) -> list:
    return table["rows"]


def expected_rows(fig: go.Figure) -> int:
    """What the table should hold, counted apart from charts.rows: the distinct x of the traces that carry data
    (a path: every point), at most charts.TABLE_ROWS."""
    traces = [t for t in fig.data if not (isinstance(t.meta, dict) and t.meta.get("data") is False)]

    def xs(t):
        return t.lon if hasattr(t, "lat") else t.y if getattr(t, "orientation", None) == "h" else t.x

    if isinstance(fig.layout.meta, dict) and fig.layout.meta.get("path"):
        count = sum(len(xs(t)) for t in traces)
    else:
        count = len({str(x) for t in traces for x in xs(t)})
    return min(count, charts.TABLE_ROWS)


# ---- the wrapper

def test_title_is_a_heading_and_the_summary_names_the_figure():
    element = wrapped(weekly(), level=3)
    assert element.id == "g-figure" and element.className == "chart"
    (heading,) = of_type(element, html.H3)
    assert heading.children == "Weekly ascent (m)" and heading.className == "chart-title"
    summary = find(element, "g-summary")
    assert getattr(element, "aria-labelledby") == "g-summary"
    assert summary.children == ("Weekly ascent, weeks of Mon 16 Feb 2026 to Mon 9 Mar 2026: latest in the week of "
                                "Mon 9 Mar 2026, 2,340 m (highest 3,100 m in the week of Mon 23 Feb 2026).")
    # the plot keeps its id (pages and tests find it by it); a screen reader reads the words, not the SVG
    graph = find(element, "g")
    assert isinstance(graph, dcc.Graph)
    (plot,) = [c for c, _ in walk(element) if getattr(c, "className", None) == "chart-plot"]
    assert plot.children is graph and getattr(plot, "aria-hidden") == "true"
    # the figure keeps its title (charts.css hides plotly's drawing of it): a callback's figure needs nothing more
    assert graph.figure.layout.title.text == "Weekly ascent (m)"


def test_a_page_can_say_it_better():
    element = wrapped(weekly(), sentence="Weekly ascent: 2,340 m this week.")
    assert find(element, "g-summary").children == "Weekly ascent: 2,340 m this week."


def test_the_data_table_has_one_row_per_x_and_one_column_per_trace():
    fig = weekly()
    fig.add_scatter(x=WEEKS[2:], y=[2000.0, 2500.0], name="plan")
    fig.add_scatter(x=[WEEKS[0]], y=[0], name="marker", meta=figures.NOT_DATA)  # for the eye only: left out
    element = wrapped(fig)
    details = find(element, "g-data")
    assert isinstance(details, html.Details) and not getattr(details, "open", False)
    assert words(details.children[0]).startswith("Data as a table")
    table = table_of(element)
    assert table["caption"] == "Weekly ascent (m)"
    assert table["header"] == ["week of", "ascent", "plan"]
    rows = table["rows"]
    assert rows == [["Mon 16 Feb 2026", "1,200", "–"], ["Mon 23 Feb 2026", "3,100", "–"],
                    ["Mon 2 Mar 2026", "1,800", "2,000"], ["Mon 9 Mar 2026", "2,340", "2,500"]]
    assert len(rows) == expected_rows(fig)


def test_long_series_are_thinned_evenly_and_the_caption_says_so():
    hours = [i / 3600 for i in range(5000)]
    fig = go.Figure().update_layout(title="Heart rate (bpm)")
    fig.add_scatter(x=hours, y=[120 + i % 50 for i in range(5000)], name="HR")
    fig.update_xaxes(title_text="hours")
    table = table_of(wrapped(fig))
    rows = body_rows(table)
    assert len(rows) == charts.TABLE_ROWS == expected_rows(fig)
    assert table["caption"] == "Heart rate (bpm) (200 of its 5,000 points, evenly spaced)"
    assert rows[0][0] == "0" and rows[-1][0] == charts.cell(hours[-1])


def test_a_figure_without_data_says_why_and_has_no_table():
    element = wrapped(figures.empty("Track", "No GPS track"), "activity-track")
    assert find(element, "activity-track-summary").children == "Track: No GPS track."
    assert table_of(element) is None and find(element, "activity-track-data") is None
    week = wrapped(figures.week_vs_plan(0.0, 0.0, None, "metric"))
    assert "No training this week" in find(week, "g-summary").children


def test_categories_keep_their_order_and_a_track_its_drawing_order():
    bars = figures.week_vs_plan(1200.0, 3000.0, 3500.0, "metric")
    assert charts.summary(bars) == "Ascent this week: this week 1,200 m; last 4 weeks (mean) 3,000 m; plan 3,500 m."
    assert [r[0] for r in charts.rows(bars).rows] == ["this week", "last 4 weeks (mean)", "plan"]
    path = go.Figure().update_layout(title="Track", meta={"path": True})
    path.add_scatter(x=[0.0, 1.0, 0.5, 0.0], y=[0.0, 0.0, 1.0, 0.0], name="track")
    table = charts.rows(path)
    assert [r[:2] for r in table.rows] == [[0.0, 0.0], [1.0, 0.0], [0.5, 1.0], [0.0, 0.0]]  # not merged, not sorted
    assert len(table.rows) == expected_rows(path) == 4


def test_words_for_numbers_dates_and_gaps():
    assert [charts.cell(v) for v in (17_698.0, 129.5939, 1.09, -1_900.0, None, dt.date(2026, 3, 15))] == [
        "17,698", "129.6", "1.09", "-1,900", "–", "Sun 15 Mar 2026"]
    assert charts.cell(dt.datetime(2026, 3, 15, 8, 30)) == "Sun 15 Mar 2026 08:30"


@pytest.mark.parametrize("seed", range(5))
def test_rows_merge_traces_by_x_as_a_plain_reading_does(seed):
    """charts.rows against a reading written here: the sorted union of every trace's x, each trace's value there
    (its last point at that x; NaN as a gap), a notes trace's words beside it, then thinned evenly."""
    rng = np.random.default_rng(seed)
    days = np.datetime64("2026-01-01") + np.arange(400)
    fig = go.Figure().update_layout(title="Mixed (m)")
    traces = []
    for k in range(3):
        x = np.sort(rng.choice(days, size=int(rng.integers(5, 300)), replace=True))  # repeated days too
        y = rng.normal(100, 30, len(x))
        y[rng.random(len(x)) < 0.1] = np.nan
        notes = [f"n{i}" for i in range(len(x))] if k == 1 else None
        fig.add_scatter(x=x, y=y, name=f"t{k}", customdata=notes, meta={"notes": "words"} if notes else None)
        traces.append((x, y, notes))
    columns = []
    for x, y, notes in traces:
        columns.append({d.astype(object): (None if np.isnan(v) else float(v)) for d, v in zip(x, y)})
        if notes:
            columns.append({d.astype(object): n for d, n in zip(x, notes)})
    xs = sorted({d for c in columns for d in c})
    expected = [[d, *(c.get(d) for c in columns)] for d in xs]
    limit = int(rng.integers(10, 250))
    if len(expected) > limit:
        expected = [expected[round(i * (len(expected) - 1) / (limit - 1))] for i in range(limit)]
    table = charts.rows(fig, limit)
    assert table.header == ["date", "t0", "t1", "t1: words", "t2"] and table.total == len(xs)
    assert table.rows == expected


def test_a_long_list_of_categories_is_said_whole_though_its_table_is_thinned():
    names = [f"c{i:03d}" for i in range(250)]
    fig = go.Figure().update_layout(title="Counts")
    fig.add_bar(x=names, y=list(range(250)), name="count")
    element = wrapped(fig)
    said = find(element, "g-summary").children
    assert said == charts.summary(fig) and "c249 249" in said and "c001 1" in said
    assert len(table_of(element)["rows"]) == charts.TABLE_ROWS


def test_compliance_words_are_a_column_of_the_table():
    fig = go.Figure().update_layout(title="Weekly ascent, planned and done (m)", meta={"x": "week"})
    fig.add_bar(x=WEEKS[:2], y=[900.0, 400.0], name="done", customdata=["green (week over)", "red (week over)"],
                meta={"notes": "compliance"})
    table = charts.rows(fig)
    assert table.header == ["week of", "done", "done: compliance"]
    assert table.rows[1] == [WEEKS[1], 400.0, "red (week over)"]


def test_graph_without_an_id_gets_one_from_its_title():
    element = shell.graph(figures.compare({}, "ctl", "Fitness (CTL)"))
    assert element.id == "chart-fitness-ctl-figure"
    assert find(element, "chart-fitness-ctl-summary").children == "Fitness: Choose athletes to compare."


# ---- every graph on every page

@pytest.fixture
def page_layouts(source, dash_app):
    from dashboards.pages import activities, activity, coach, fatigue, goal, plan, settings, today, training, upload

    acts = source.activities("mara")
    race = acts.filter(acts["ascent_m"] > 10_000).row(0, named=True)
    shown = {}
    for athlete in SUBSET:
        for name, module in (("today", today), ("training", training), ("fatigue", fatigue), ("goal", goal),
                             ("plan", plan), ("activities", activities), ("coach", coach), ("upload", upload),
                             ("settings", settings)):
            shown[f"{name} {athlete}"] = module.layout(athlete=athlete)
        shown[f"training {athlete} imperial"] = training.layout(athlete=athlete, units="imperial")
    shown["activity"] = activity.layout(activity_id=race["activity_id"], athlete="mara")
    shown["fatigue, a range without training"] = fatigue.layout(athlete="mara", **{"from": "2026-01-01", "to": "2026-01-02"})
    return shown


def test_every_graph_on_every_page_has_a_name_and_a_table_of_its_data(page_layouts):
    seen = set()
    for page, layout in page_layouts.items():
        for graph, parents in [(c, p) for c, p in walk(layout) if isinstance(c, dcc.Graph)]:
            where = f"{page}: {getattr(graph, 'id', None) or graph.figure.layout.title.text}"
            element = next((p for p in reversed(parents) if isinstance(p, html.Figure)), None)
            assert element is not None and element.className == "chart", where
            name_id = getattr(element, "aria-labelledby", None)
            assert name_id and find(element, name_id) is not None, where
            name = words(find(element, name_id))
            assert len(name) > 20 and name.endswith("."), (where, name)
            headings = [c for c, _ in walk(element) if isinstance(c, (html.H2, html.H3))]
            assert [words(h) for h in headings] == [graph.figure.layout.title.text], where
            rows = expected_rows(graph.figure)
            table = table_of(element)
            if rows:
                assert table is not None, where
                assert len(body_rows(table)) == rows, where
                assert all(len(r) == len(table["header"]) and all(isinstance(v, str) for v in r)
                           for r in table["rows"]), where
            else:  # nothing to draw: the name says why, and there is no empty table
                assert table is None, where
            seen.add(page.split()[0])
    assert seen >= {"today", "training", "fatigue", "goal", "plan", "activity", "coach"}

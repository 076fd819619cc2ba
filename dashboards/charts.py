"""Graphs a screen reader can read: every Plotly figure of the dashboard as an HTML ``<figure>``.

:func:`accessible` puts a ``dcc.Graph`` in a figure that says in words what the plot draws:

- the figure's title as a heading (Plotly's own drawing of it is hidden by ``assets/charts.css``;
  the figure keeps its title, so a figure a callback sends later brings no second one);
- a one-sentence summary, the figure's accessible name: what it shows and its latest values
  (:func:`summary`, or the page's own sentence);
- "Data as a table", a disclosure with the traces' points: one row per x, one column per trace
  (:func:`rows`; at most :data:`TABLE_ROWS` rows, evenly spaced, and the caption says so), written here
  and drawn by the browser (:func:`data_table`).

The plot itself is hidden from screen readers: its tick labels and legend would be read as loose
words, and the summary and the table say what it draws.

What a figure function can tell it, in ``layout.meta`` (a dict; every key optional):
``x`` the x column's header (``"week"``: each x is a week, "in the week of Mon 9 Mar 2026");
``path`` True: the points in drawing order, not merged by x (a GPS track);
``summary`` the figure's own sentence; ``also`` a clause the generic sentence ends with (a goal line).
A trace with ``meta={"data": False}`` is drawn for the eye only (a start marker) and left out;
one with ``meta={"negated": True}`` is drawn below the axis (a descent) and read as its amount;
a trace with ``meta={"notes": "compliance"}`` adds its ``customdata`` words as a column.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
import re
from dataclasses import dataclass

import numpy
import plotly.graph_objects as go
from dash import dcc, html

from dashboards import units as u

#: Most rows of a figure's data table (longer series are thinned evenly; the caption says so).
TABLE_ROWS = 200
#: Most traces named one by one in a summary (the table has them all).
SUMMARY_TRACES = 6
#: Significant digits of a number in words and tables (whole numbers are never cut: 17,698 stays).
SIGNIFICANT = 4
#: A title's unit: its last parenthesis, "Weekly ascent (m)" -> "m".
UNIT = re.compile(r"\s*\(([^()]*)\)\s*$")
WEEK = "week"
#: The attribute of a chart's ``<table>`` holding its text, JSON ``{caption, header, rows}`` (drawn by assets/tables.js).
ROWS = "data-rows"

Value = dt.date | float | str | None
#: A point of a trace: x, y and its note (``customdata`` words, or None).
Point = tuple[Value, Value, Value]


@dataclass(frozen=True)
class Table:
    """A figure's points as rows: ``header`` (the x column first), ``rows`` of plain values, ``total``
    points before thinning (``len(rows) < total``: every n-th row is shown)."""

    header: list[str]
    rows: list[list[Value]]
    total: int


def meta(item: object) -> dict:
    """The ``meta`` dict of a figure layout or trace (anything else: empty)."""
    value = getattr(item, "meta", None)
    return value if isinstance(value, dict) else {}


def title(figure: go.Figure) -> str:
    return figure.layout.title.text or ""


def data_traces(figure: go.Figure) -> list:
    """The traces that carry data (not those marked ``meta={"data": False}``)."""
    return [t for t in figure.data if meta(t).get("data", True) is not False]


def _plain(value: object) -> Value:
    """A point's coordinate as Python: a date (a datetime at midnight too), a datetime, a number or text;
    None for a missing one (NaN, NaT)."""
    if isinstance(value, numpy.datetime64):
        value = None if numpy.isnat(value) else value.astype("datetime64[us]").item()
    elif isinstance(value, numpy.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dt.datetime) and value.tzinfo is None and value.time() == dt.time():
        return value.date()
    return value


def _column(values: object) -> list[Value]:
    """A trace's ``x``, ``y`` or ``customdata`` as plain values, as :func:`_plain` makes them (a numpy array of
    numbers, or of dates all at midnight, converted at once: a long history's page reads tens of thousands)."""
    if values is None:
        return []
    if isinstance(values, numpy.ndarray):
        if values.dtype.kind == "M":
            days = values.astype("datetime64[D]")
            if (days == values)[~numpy.isnat(values)].all():
                return days.tolist()  # dates (NaT: None)
            values = values.astype("datetime64[us]")
        elif values.dtype.kind == "f":
            return [None if v != v else v for v in values.tolist()]  # NaN: None
        elif values.dtype.kind in "iub":
            return values.tolist()
        values = values.tolist()
    return [_plain(v) for v in values]


def _points(trace: object) -> list[Point]:
    """``(x, y, note)`` of each point of a trace (a horizontal bar's categories are its x; a map's longitude)."""
    if getattr(trace, "orientation", None) == "h":
        xs, ys = trace.y, trace.x
    elif hasattr(trace, "lat"):
        xs, ys = trace.lon, trace.lat
    else:
        xs, ys = trace.x, trace.y
    ys = _column(ys)
    if meta(trace).get("negated"):  # drawn below the axis (a descent): said as the amount it is
        ys = [-y if isinstance(y, int | float) else y for y in ys]
    xs = _column(xs) if xs is not None else list(range(len(ys)))
    notes = _column(trace.customdata) if meta(trace).get("notes") else []
    notes += [None] * (len(xs) - len(notes))
    return [p for p in zip(xs, ys, notes) if p[0] is not None]


def _series(figure: go.Figure) -> list[tuple[object, list[Point]]]:
    """Each trace that carries data with its points."""
    return [(t, _points(t)) for t in data_traces(figure)]


def _x_header(figure: go.Figure, xs: list[Value]) -> str:
    label = meta(figure.layout).get("x") or figure.layout.xaxis.title.text
    if label == WEEK:
        return "week of"
    if label:
        return label
    return "date" if xs and all(isinstance(x, dt.date) for x in xs) else "x"


def _merged(figure: go.Figure, series: list[tuple[object, list[Point]]], limit: int | None = None) -> Table:
    """Every point of ``series`` in one table (see :func:`rows`; over ``limit`` rows, only the rows kept are made)."""
    if meta(figure.layout).get("path"):
        on_map = any(hasattr(t, "lat") for t, _ in series)
        header = (["longitude", "latitude"] if on_map
                  else [_x_header(figure, []), figure.layout.yaxis.title.text or "y"])
        path = [(x, y) for _, points in series for x, y, _ in points]
        return Table(header, [[x, y] for x, y in _kept(path, limit)], len(path))
    header, columns = [], []  # a column: x -> its value (a trace's later point at the same x wins)
    for trace, points in series:
        header.append(trace.name or "value")
        columns.append({x: y for x, y, _ in points})
        if meta(trace).get("notes"):
            header.append(f"{trace.name or 'value'}: {meta(trace)['notes']}")
            columns.append({x: note for x, _, note in points})
    xs = list(dict.fromkeys(itertools.chain.from_iterable(columns)))  # in the order they first appear
    if not any(isinstance(x, str) for x in xs):  # categories keep their order; dates and numbers are sorted
        try:
            xs.sort()
        except TypeError:
            pass
    table = [[x, *(column.get(x) for column in columns)] for x in _kept(xs, limit)]
    return Table([_x_header(figure, xs), *header], table, len(xs))


def _kept(items: list, limit: int | None) -> list:
    """At most ``limit`` of ``items``, evenly spaced (the first and the last kept); all when ``limit`` is None."""
    if limit is None or len(items) <= limit:
        return items
    return [items[round(i * (len(items) - 1) / (limit - 1))] for i in range(limit)]


def rows(figure: go.Figure, limit: int = TABLE_ROWS) -> Table:
    """The figure's data traces as one table: one row per x (in x order: traces sharing x are merged),
    one column per trace (and one for a trace's notes); a path's points (``meta["path"]``) in drawing order.
    Over ``limit`` rows, ``limit`` of them evenly spaced (the first and the last kept)."""
    return _merged(figure, _series(figure), limit)


def cell(value: Value) -> str:
    """A value as the table and the summary write it: dates as every page does, numbers with thousands."""
    if value is None:
        return u.DASH
    if isinstance(value, dt.datetime):
        return f"{u.fmt_day(value)} {value:%H:%M}"
    if isinstance(value, dt.date):
        return u.fmt_day(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if value == 0 or not math.isfinite(value):
        return f"{value:g}"
    number = round(float(value), max(0, SIGNIFICANT - 1 - math.floor(math.log10(abs(value)))))
    return f"{int(number):,}" if number.is_integer() else f"{number:,}"


def _where(x: Value, header: str) -> str:
    """Where a point is, in words: "on Sun 15 Mar 2026", "in the week of ...", "at 12.5 km"."""
    if header == "week of":
        return f"in the week of {cell(x)}"
    if isinstance(x, dt.date):
        return f"on {cell(x)}"
    return f"at {cell(x)} {header}" if header != "x" else f"at {cell(x)}"


def _span(xs: list[Value], header: str) -> str:
    if len(xs) < 2 or isinstance(xs[0], str):
        return ""
    if header == "week of":
        return f", weeks of {cell(xs[0])} to {cell(xs[-1])}"
    unit = "" if isinstance(xs[0], dt.date) or header == "x" else f" {header}"
    return f", {cell(xs[0])} to {cell(xs[-1])}{unit}"


def summary(figure: go.Figure) -> str:
    """One sentence: what the figure shows, over which x, and each trace's latest value with its x
    (a single trace: its highest too); a figure without data says why (its message).

    ``layout.meta["summary"]`` replaces it; ``layout.meta["also"]`` ends it.
    """
    series = _series(figure)
    return _summary(figure, series, _merged(figure, series))


def _summary(figure: go.Figure, series: list[tuple[object, list[Point]]], table: Table) -> str:
    extra = meta(figure.layout)
    if extra.get("summary"):
        return extra["summary"]
    found = UNIT.search(title(figure))
    name = title(figure)[: found.start()] if found else title(figure) or "Graph"
    unit = f" {found.group(1)}" if found else ""
    series = [(t, valued) for t, points in series if (valued := [p for p in points if p[1] is not None])]
    if not series:
        message = " ".join(a.text for a in figure.layout.annotations if a.text) or "nothing to show"
        return f"{name}: {message}."
    header, xs = table.header[0], [r[0] for r in table.rows]
    if extra.get("path"):
        x, y = table.rows[-1]
        return f"{name}: {table.total:,} points, the last at {cell(x)} {header}, {cell(y)} {table.header[1]}."
    if isinstance(xs[0], str):  # categories: every one (the table's rows may be thinned: not the sentence's)
        every = table.rows if len(table.rows) == table.total else _merged(figure, series).rows
        said = "; ".join(f"{r[0]} " + ", ".join(f"{cell(v)}{unit}" for v in r[1:] if v is not None)
                         for r in every)
        return f"{name}: {said}{_also(extra)}."
    groups: dict[Value, list[str]] = {}
    for trace, points in series[:SUMMARY_TRACES]:
        x, y, _ = points[-1]
        label = f"{trace.name} " if trace.name and len(series) > 1 else ""
        groups.setdefault(x, []).append(f"{label}{cell(y)}{unit}")
    latest = "; ".join(f"{_where(x, header)}, {', '.join(said)}" for x, said in groups.items())
    if len(series) > SUMMARY_TRACES:
        latest += f" (and {len(series) - SUMMARY_TRACES} more in the table)"
    if len(series) == 1:
        points = series[0][1]
        top = max(points, key=lambda p: p[1])
        if top[1] != points[-1][1]:
            latest += f" (highest {cell(top[1])}{unit} {_where(top[0], header)})"
    return f"{name}{_span(xs, header)}: latest {latest}{_also(extra)}."


def _also(extra: dict) -> str:
    return f"; {extra['also']}" if extra.get("also") else ""


def data_table(table: Table, caption: str) -> html.Table:
    """A table of :func:`rows` that the browser draws (``assets/tables.js``): a caption (saying so when rows were
    thinned), column headers, each row's x as its header, every value as :func:`cell` writes it.

    The page carries the table as text, JSON in the ``<table>``'s ``data-rows`` attribute (:data:`ROWS`), and
    ``tables.js`` draws its rows: as Dash components, a long history's tables were most of a page's rendering time
    and of its bytes, and as a callback's output Dash's renderer took tens of seconds over a few thousand cells."""
    if len(table.rows) < table.total:
        caption += f" ({len(table.rows)} of its {table.total:,} points, evenly spaced)"
    text = {"caption": caption, "header": table.header, "rows": [[cell(v) for v in r] for r in table.rows]}
    return html.Table(className="plain chart-table",
                      **{ROWS: json.dumps(text, ensure_ascii=False, separators=(",", ":"))})


def _slug(text: str) -> str:
    return "chart-" + (re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "graph")


def accessible(graph: dcc.Graph, sentence: str | None = None, level: int = 2) -> html.Figure:
    """``graph`` in a ``<figure>``: its figure's title as a heading (``h{level}``), ``sentence`` (default:
    :func:`summary`) as the figure's accessible name, shown under the heading, and its data as a table
    in a closed disclosure (none for a figure without data: the sentence says why).

    Ids, from the graph's (or the title's): ``{id}-figure``, ``{id}-summary``, ``{id}-data``.
    """
    figure = graph.figure
    name = title(figure)
    base = getattr(graph, "id", None) or _slug(name)
    series = _series(figure)
    table = _merged(figure, series, TABLE_ROWS)
    sentence = sentence or _summary(figure, series, table)
    details = html.Details([
        html.Summary(["Data as a table", html.Span(f": {name}", className="visually-hidden")]),
        # scrolls (long tables): reachable and scrollable by keyboard, named for a screen reader
        html.Div(data_table(table, name), className="table-wrap", tabIndex="0", role="region",
                 **{"aria-label": f"{name}: data"}),
    ], id=f"{base}-data", className="chart-data") if table.rows else None
    return html.Figure([
        html.Figcaption([
            getattr(html, f"H{level}")(name, className="chart-title"),
            html.P(sentence, id=f"{base}-summary", className="chart-summary"),
        ]),
        html.Div(graph, className="chart-plot", **{"aria-hidden": "true"}),
        details,
    ], id=f"{base}-figure", className="chart", **{"aria-labelledby": f"{base}-summary"})

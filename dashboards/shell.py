"""What every page shares: the view the URL asks for, the page frame (navigation,
athlete / date / units controls) and small building blocks (graphs, figure cards).

The URL holds the view: ``?athlete=mara&as_of=2026-03-15&units=imperial&from=...&to=...``;
a link reopens the same view. The controls rewrite the URL's query and the page
re-renders from it.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

import plotly.graph_objects as go
from dash import Input, NoUpdate, Output, State, callback, ctx, dcc, html, no_update
from dash.development.base_component import Component

from dashboards import data
from dashboards import units as u
from trainlog.days import clamp_day, parse_day
from trainlog.errors import InvalidValue, TrainlogError, first_line

NAV = (
    ("Today", "/"),
    ("Training", "/training"),
    ("Fatigue", "/fatigue"),
    ("Goal", "/goal"),
    ("Plan", "/plan"),
    ("Activities", "/activities"),
    ("Coach", "/coach"),
    ("Upload", "/upload"),
    ("Settings", "/settings"),
)
#: Query keys that make up the view; kept by every link.
VIEW_KEYS = ("athlete", "as_of", "units", "from", "to")
#: Default date range of the Training and Fatigue pages, weeks back from the view's day.
DEFAULT_RANGE_WEEKS = 26
GRAPH_CONFIG = {"displaylogo": False, "displayModeBar": False}
DEFAULT_GRAPH_HEIGHT = 320
#: Figure-card values longer than this many characters get a smaller font (dates, "2,693 m/wk").
LONG_VALUE = 9

#: A URL query value as Dash passes it to a page's layout (a key given twice: a list).
QueryValue = str | list[str]
#: What a component holds: components, text, or nothing.
Children = Component | str | None | list[Component | str | None]
#: A page's layout function (``layout(**query)``).
Layout = Callable[..., Component]


@dataclass(frozen=True)
class View:
    """What the page shows: the athlete, the day ("today"), units and an optional date range.

    Every value was checked and bounded: dates lie within the athlete's :meth:`~dashboards.data.Data.span`;
    ``notes`` say what the URL asked for that is shown otherwise.
    """

    athlete: str
    as_of: dt.date
    as_of_default: bool  # as_of was not in the URL
    stale: bool  # as_of is the last day with data, not the real today
    units: str
    start: dt.date | None
    end: dt.date | None
    query: dict  # the view's query keys as in the URL
    notes: tuple[str, ...] = ()  # what the URL asked for that is not shown, and why
    span: tuple[dt.date, dt.date] | None = None  # the days that can be shown (Data.span)


def plain_query(query: dict) -> dict:
    """``query`` with one string per key (a key given twice in the URL keeps its last value)."""
    return {k: (v[-1] if v else "") if isinstance(v, list) else str(v) for k, v in query.items() if v is not None}


def shown(value: object, limit: int = 40) -> str:
    """A value from the URL, quoted for a message: control characters escaped, cut to ``limit``."""
    text = str(value)
    return repr(text if len(text) <= limit else text[:limit] + "...")


def _url_day(query: dict, key: str, what: str, span: tuple[dt.date, dt.date], notes: list[str]) -> dt.date | None:
    """The URL's ``key`` as a day within ``span``; None (with a note) when it is not a valid date."""
    text = query.get(key)
    if not text:
        return None
    try:
        day = parse_day(text, what)
    except InvalidValue as exc:
        notes.append(f"{exc}; showing the default instead.")
        return None
    clamped = clamp_day(day, *span)
    if clamped != day:
        notes.append(f"Showing {what} {clamped} instead of {day}: there is nothing to show outside "
                     f"{span[0]} to {span[1]}.")
    return clamped


def view(query: dict, today: dt.date | None = None) -> View | None:
    """The view the URL's query asks for; None when the data directory has no athlete.

    Nothing in the URL reaches a computation unchecked: an unknown athlete, a
    date that is not one, or a day outside the athlete's span give the default
    or the nearest day, and a note for the page.
    """
    source = data.get()
    athletes = source.athletes()
    if not athletes:
        return None
    query = plain_query(query)
    notes: list[str] = []
    asked = query.get("athlete")
    athlete = asked if asked in athletes else athletes[0]
    if asked and asked != athlete:
        notes.append(f"There is no athlete {shown(asked)} to show; showing {athlete}.")
    span = source.span(athlete, today)
    as_of = _url_day(query, "as_of", "as_of", span, notes)
    as_of_default = as_of is None
    stale = False
    if as_of is None:
        as_of, stale = source.default_as_of(athlete, today)
    start = _url_day(query, "from", "from", span, notes)
    end = _url_day(query, "to", "to", span, notes)
    if start and end and start > end:
        notes.append(f"The range from {start} to {end} ends before it starts; showing {end} to {start}.")
        start, end = end, start
    units = query.get("units")
    if units and units not in u.SYSTEMS:
        notes.append(f"Unknown units {shown(units)}; showing {u.METRIC}.")
    # the query links keep: valid values only, dates as shown
    kept = {"as_of": None if as_of_default else as_of.isoformat(), "units": units if units in u.SYSTEMS else None,
            "from": start and start.isoformat(), "to": end and end.isoformat()}
    kept = {k: v for k, v in kept.items() if v}
    return View(
        athlete=athlete,
        as_of=as_of,
        as_of_default=as_of_default,
        stale=stale,
        units=u.system(units),
        start=start,
        end=end,
        query={**kept, "athlete": athlete},
        notes=tuple(notes),
        span=span,
    )


def href(path: str, query: dict, **changes: str | None) -> str:
    """``path`` with the view's query, some keys changed (a None value removes the key)."""
    merged = {k: v for k, v in {**query, **changes}.items() if v is not None and v != ""}
    return path + ("?" + urlencode(merged) if merged else "")


def search_with(search: str | None, **changes: str | None) -> str | NoUpdate:
    """The URL's query string ``search`` with some keys changed (None removes a key);
    ``no_update`` when that changes nothing (callbacks that write ``url.search``)."""
    search = search if isinstance(search, str) else ""
    query = dict(parse_qsl(search.lstrip("?")))
    new = href("", query, **changes)
    return new if new != (search or "") else no_update


def _nav(path: str, query: dict) -> html.Nav:
    return html.Nav(
        [
            dcc.Link(label, href=href(target, query), className="nav-link" + (" active" if target == path else ""))
            for label, target in NAV
        ],
        className="nav",
    )


def _controls(v: View) -> html.Div:
    athletes = data.get().athletes()
    return html.Div(
        [
            dcc.Dropdown(id="ctl-athlete", options=athletes, value=v.athlete, clearable=False, searchable=False,
                         className="control athlete"),
            dcc.DatePickerSingle(id="ctl-as-of", date=v.as_of.isoformat(), display_format="YYYY-MM-DD",
                                 **_picker_bounds(v),
                                 className="control", first_day_of_week=1, style={"width": "10.5rem"}),
            dcc.RadioItems(id="ctl-units", options=[{"label": "km·m", "value": u.METRIC},
                                                    {"label": "mi·ft", "value": u.IMPERIAL}],
                           value=v.units, inline=True, className="control units"),
        ],
        className="controls",
    )


def _picker_bounds(v: View) -> dict:
    if v.span is None:
        return {}
    return {"min_date_allowed": v.span[0].isoformat(), "max_date_allowed": v.span[1].isoformat()}


def page(path: str, v: View | None, children: Children, query: dict | None = None) -> html.Div:
    """The frame of a page: brand, navigation, controls (when there is data), content."""
    query = v.query if v is not None else (query or {})
    header = [html.Div([html.Span("trainlog", className="brand"), _nav(path, query)], className="topbar")]
    if v is not None:
        header.append(_controls(v))
        if v.notes:
            children = [url_notes(v.notes), *(children if isinstance(children, list) else [children])]
    return html.Div([html.Header(header, className="header"), html.Main(children, className="main")])


def url_notes(notes: Iterable[str]) -> html.Div:
    """What the URL asked for that the page shows otherwise (one line each)."""
    return html.Div([html.P(n, style={"margin": "0.2rem 0"}) for n in notes], id="url-notes", className="message warn",
                    style={"background": "#fef9c3", "padding": "0.4rem 0.8rem", "borderRadius": "8px"})


def error_card(path: str, error: Exception, query: dict | None = None) -> html.Div:
    """A page that says, in one line, why it cannot be shown (a damaged dataset, invalid settings...)."""
    return page(path, None, html.Section([
        html.H1("This page cannot be shown"),
        html.P(first_line(error), id="page-error", className="message error"),
        html.P("The command line says more: trainlog check --all", className="note"),
    ], className="card"), query=_safe_query(query or {}))


def _safe_query(query: dict) -> dict:
    """The view keys of ``query`` that are safe to keep in links (valid values only)."""
    kept = {k: query[k] for k in ("athlete", "units") if isinstance(query.get(k), str) and len(query[k]) <= 80}
    if kept.get("units") not in u.SYSTEMS:
        kept.pop("units", None)
    return kept


#: Pages whose layout shows more than the data and the URL (an import job's progress, a form): never cached.
UNCACHED_PAGES = ("/upload", "/settings")
#: The query keys a cached page's layout reads (others, made up, cannot each cost a render and a cache entry).
PAGE_KEYS = (*VIEW_KEYS, "compare", "activity_id")


def guarded(path: str) -> Callable[[Layout], Layout]:
    """Decorate a page's ``layout``: a :class:`~trainlog.errors.TrainlogError` raised while it renders
    becomes :func:`error_card` (HTTP 200, the error's one line), never an HTTP 500 and a blank page.

    The rendered layout is kept (:meth:`dashboards.data.Data.page`) until the data, the settings,
    the signed-in user or the quarter-hour change. PermissionError passes through: the server
    answers it with 403.
    """
    def decorate(layout: Layout) -> Layout:
        @functools.wraps(layout)
        def wrapper(*args: str, **query: QueryValue) -> Component:
            def render() -> Component:
                try:
                    return layout(*args, **query)
                except TrainlogError as exc:
                    return error_card(path, exc, query)

            if args or path in UNCACHED_PAGES:
                return render()
            source = data.get()
            view_key = tuple(sorted((k, str(v)) for k, v in query.items() if k in PAGE_KEYS))
            return source.page(("page", None, source.version(), layout.__module__, view_key), render)
        return wrapper
    return decorate


def as_of_note(path: str, v: View) -> html.P:
    """Which day the page shows, and how to switch between it and the real today."""
    if v.stale:
        text = (f"Showing {v.as_of:%a %d %b %Y}, {v.athlete}'s last day with training "
                f"(nothing in the {data.STALE_DAYS} days before today).")
        link = dcc.Link("Show today instead", href=href(path, v.query, as_of=dt.date.today().isoformat()))
    elif v.as_of_default:
        return html.P(f"Today, {v.as_of:%a %d %b %Y}.", id="as-of-note", className="note")
    else:
        text = f"Showing {v.as_of:%a %d %b %Y}."
        link = dcc.Link("Back to today", href=href(path, v.query, as_of=None))
    return html.P([text, " ", link], id="as-of-note", className="note")


def date_range(v: View) -> tuple[dt.date, dt.date]:
    """The URL's from/to, else the :data:`DEFAULT_RANGE_WEEKS` weeks up to the view's day."""
    end = v.end or v.as_of
    start = v.start or end - dt.timedelta(weeks=DEFAULT_RANGE_WEEKS)
    return (max(start, v.span[0]) if v.span and not v.start else start), end


def range_control(v: View) -> html.Div:
    """The Training and Fatigue pages' date range picker (written into the URL by :func:`range_to_url`)."""
    start, end = date_range(v)
    return html.Div([
        html.Span("Dates ", className="muted"),
        dcc.DatePickerRange(id="ctl-range", start_date=start.isoformat(), end_date=end.isoformat(), **_picker_bounds(v),
                            display_format="YYYY-MM-DD", first_day_of_week=1, minimum_nights=0,
                            style={"width": "17rem", "maxWidth": "100%"}),
    ], className="range")


def graph(figure: go.Figure, graph_id: str | None = None) -> dcc.Graph:
    """A responsive graph as tall as the figure asks (its width follows the page)."""
    kwargs = {"id": graph_id} if graph_id else {}
    height = figure.layout.height or DEFAULT_GRAPH_HEIGHT
    return dcc.Graph(figure=figure, config=GRAPH_CONFIG, responsive=True, className="graph",
                     style={"height": f"{height}px"}, **kwargs)


def file_name(source_file: str | None) -> str:
    """The file's own name from a stored ``source_file`` (a path, or ``a.zip!/x/y.fit``)."""
    return (source_file or "").replace("\\", "/").rsplit("/", 1)[-1]


def stat(label: str, value: str, element_id: str, detail: Children = None, tone: str = "") -> html.Div:
    """A figure card: label, big value (with a stable id the tests read), optional detail line;
    ``tone`` is a CSS class of ``.stat`` (:class:`dashboards.readings.Tone`)."""
    size = "stat-value" + (" long" if len(value) > LONG_VALUE else "")
    return html.Div(
        [html.Div(label, className="stat-label"), html.Div(value, id=element_id, className=size),
         html.Div(detail, className="stat-detail") if detail else None],
        className=f"stat {tone}".strip(),
    )


def no_data(path: str) -> html.Div:
    """What a page shows with an empty data directory."""
    return page(path, None, html.Section(
        [html.H1("No training data yet"),
         html.P("Import your FIT files on the Upload page, or try trainlog on the bundled sample athletes."),
         dcc.Link("Go to Today to load the sample athletes", href="/") if path != "/" else None],
        className="card"))


@callback(
    Output("url", "search", allow_duplicate=True),
    Input("ctl-athlete", "value"),
    Input("ctl-as-of", "date"),
    Input("ctl-units", "value"),
    State("url", "search"),
    prevent_initial_call=True,
)
def controls_to_url(athlete: str | None, as_of: str | None, units: str | None, search: str | None) -> str | NoUpdate:
    """Write the control that changed into the URL's query (the page then re-renders from it)."""
    changed = ctx.triggered_id
    search = search if isinstance(search, str) else ""
    if changed == "ctl-athlete" and athlete != dict(parse_qsl(search.lstrip("?"))).get("athlete"):
        # another athlete has another "today"
        return search_with(search, athlete=athlete, as_of=None, **{"from": None, "to": None})
    if changed == "ctl-as-of" and as_of:
        return search_with(search, as_of=str(as_of)[:10])
    if changed == "ctl-units":
        return search_with(search, units=units if units == u.IMPERIAL else None)
    return no_update


@callback(
    Output("url", "search", allow_duplicate=True),
    Input("ctl-range", "start_date"),
    Input("ctl-range", "end_date"),
    State("url", "search"),
    prevent_initial_call=True,
)
def range_to_url(start: str | None, end: str | None, search: str | None) -> str | NoUpdate:
    """Write the chosen date range into the URL's query as ``from`` / ``to``."""
    if not start or not end:
        return no_update
    return search_with(search, **{"from": str(start)[:10], "to": str(end)[:10]})

"""What every page shares: the view the URL asks for, the page frame (navigation,
athlete / date / units controls) and small building blocks (graphs, figure cards).

The URL holds the view: ``?athlete=mara&as_of=2026-03-15&units=imperial&from=...&to=...``;
a link reopens the same view. The controls rewrite the URL's query and the page
re-renders from it.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

import plotly.graph_objects as go
from dash import NoUpdate, dcc, html, no_update
from dash.development.base_component import Component

from dashboards import charts, data, glossary, readings
from dashboards import units as u
from trainlog.analysis.stored import local_today
from trainlog.days import clamp_day, parse_day
from trainlog.errors import InvalidValue, TrainlogError, first_line

NAV = (
    ("Today", "/"),
    ("Training", "/training"),
    ("Fatigue", "/fatigue"),
    ("Wellness", "/wellness"),
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
#: The most athletes the header's athlete control lists (more: a text box for the name).
ATHLETE_OPTIONS = 200
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
    today: dt.date | None = None  # the athlete's today (their time zone's clock, not the data)
    default_day: dt.date | None = None  # the day shown when the URL names none (Data.default_as_of)
    last_day: dt.date | None = None  # the last day with training (Data.last_day)

    @property
    def day_role(self) -> str | None:
        """What ``as_of`` is besides a date: today, the last day with training, or None
        (:func:`dashboards.readings.day_role`)."""
        return readings.day_role(self.as_of, self.today, self.last_day)


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
        # the day asked for as typed in the URL; the days shown as every page shows dates
        notes.append(f"Showing {u.fmt_day(clamped)} ({what}) instead of {day}: there is nothing to show outside "
                     f"{u.fmt_day(span[0])} to {u.fmt_day(span[1])}.")
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
    today = today or local_today(source.settings(athlete))
    span = source.span(athlete, today)
    default_day, default_stale = source.default_as_of(athlete, today)
    as_of = _url_day(query, "as_of", "as_of", span, notes)
    as_of_default = as_of is None
    stale = as_of_default and default_stale
    as_of = as_of or default_day
    start = _url_day(query, "from", "from", span, notes)
    end = _url_day(query, "to", "to", span, notes)
    if start and end and start > end:
        notes.append(f"The range from {start} to {end} ends before it starts; "
                     f"showing {u.fmt_day(end)} to {u.fmt_day(start)}.")
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
        today=today,
        default_day=default_day,
        last_day=source.last_day(athlete),
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
    """The pages, the one shown marked ``aria-current="page"`` (links are followed without a reload by view.js)."""
    def link(label: str, target: str) -> html.A:
        here = target == path
        return html.A(label, href=href(target, query), className="nav-link" + (" active" if here else ""),
                      **{"data-spa": "", **({"aria-current": "page"} if here else {})})
    return html.Nav([link(label, target) for label, target in NAV], className="nav", **{"aria-label": "Pages"})


def _controls(path: str, v: View, page_path: str) -> html.Form:
    """Athlete, day and units as native controls (named, by keyboard, read by screen readers).

    ``assets/view.js`` applies them without a reload: another athlete at once (their own last day),
    a typed day on Enter or "Show day", units as two links; focus stays on the control used. Units and day
    keep the page at ``path``; another athlete opens ``page_path`` (an activity's page: the Activities list).
    """
    units = [html.A(label, href=href(path, v.query, units=None if system == u.METRIC else system),
                    id=f"units-{system}", className="unit-link" + (" active" if system == v.units else ""),
                    **{"data-spa": "", **({"aria-current": "true"} if system == v.units else {})})
             for system, label in ((u.METRIC, "km · m"), (u.IMPERIAL, "mi · ft"))]
    return html.Form([
        html.Div([html.Label("Athlete", htmlFor="ctl-athlete", className="control-label"), _athlete_control(v)],
                 className="control-group"),
        html.Div([html.Label("Day", htmlFor="ctl-as-of", className="control-label"),
                  dcc.Input(id="ctl-as-of", type="date", name="as_of", value=v.as_of.isoformat(), **_picker_bounds(v),
                            className="control day", required=True),
                  html.Button("Show day", id="ctl-show-day", type="submit", className="button small")],
                 className="control-group"),
        html.Div([html.Span("Units", id="units-label", className="control-label"), *units],
                 className="control-group units", role="group", **{"aria-labelledby": "units-label"}),
    ], id="view-form", className="controls", method="get", action=path,
        **{"aria-label": "What to show", "data-athlete-path": page_path})


def _athlete_control(v: View) -> Component:
    """The athletes as a ``<select>``; beyond :data:`ATHLETE_OPTIONS` of them, a text box for the name (a list of
    thousands is slow to send and to use; the Coach page finds an athlete). Both are ``ctl-athlete``:
    ``assets/view.js`` opens the athlete chosen or typed when it changes; an unknown name gives a note."""
    athletes = data.get().athletes()
    if len(athletes) <= ATHLETE_OPTIONS:
        return html.Select([html.Option(a, value=a, selected=a == v.athlete) for a in athletes],
                           id="ctl-athlete", name="athlete", className="control athlete")
    return dcc.Input(id="ctl-athlete", type="text", name="athlete", value=v.athlete, className="control athlete",
                     autoComplete="off", spellCheck=False, maxLength=80, debounce=True)


def _picker_bounds(v: View) -> dict:
    """A date input's ``min`` and ``max``: the days the athlete's data can show."""
    if v.span is None:
        return {}
    return {"min": v.span[0].isoformat(), "max": v.span[1].isoformat()}


def page(path: str, v: View | None, children: Children, query: dict | None = None, here: str | None = None) -> html.Div:
    """The frame of a page: a skip link, brand, navigation (``path`` marked current), controls (when there
    is data; they keep the page at ``here``, default ``path``), content."""
    query = v.query if v is not None else (query or {})
    header = [html.Div([html.Span("trainlog", className="brand"), _nav(path, query)], className="topbar")]
    if v is not None:
        header.append(_controls(here or path, v, path))
        if v.notes:
            children = [url_notes(v.notes), *(children if isinstance(children, list) else [children])]
    skip = html.A("Skip to the page's content", href="#main", className="skip-link")
    return html.Div([skip, html.Header(header, className="header"),
                     html.Main(children, className="main", id="main", tabIndex="-1")])


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


def guarded(path: str, version: Callable[[], Hashable | None] | None = None,
            keys: tuple[str, ...] = ()) -> Callable[[Layout], Layout]:
    """Decorate a page's ``layout``: a :class:`~trainlog.errors.TrainlogError` raised while it renders
    becomes :func:`error_card` (HTTP 200, the error's one line), never an HTTP 500 and a blank page.

    The rendered layout is kept (:meth:`dashboards.data.Data.page`) until what it depends on besides its URL
    changes: ``version()``, by default :meth:`~dashboards.data.Data.version` (the data, the settings, the
    signed-in user, the quarter-hour); a ``version()`` of None renders the page each time (the Coach page
    on a roster: quick to render, and it depends on more than is quick to stat). ``keys``: the query keys the
    page reads besides :data:`PAGE_KEYS` (the Coach page's search, filter, order and page). PermissionError
    passes through: the server answers it with 403.
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
            depends = source.version() if version is None else version()
            if depends is None:
                return render()
            view_key = tuple(sorted((k, str(v)) for k, v in query.items() if k in PAGE_KEYS or k in keys))
            return source.page(("page", None, depends, layout.__module__, view_key), render)
        return wrapper
    return decorate


def as_of_note(path: str, v: View, named: bool = False) -> html.P:
    """Which day the page shows (unless its heading ``named`` it already), and one link to the other day a
    reader may want, naming it: back to the day shown by default, else between today and the last day
    with training ("Show today, Tue 1 Dec 2026"). Dates as :func:`dashboards.units.fmt_day` writes them."""
    today, last, default = v.today, v.last_day, v.default_day
    if v.as_of != default:
        what = "today" if default == today else "the last day with training"
        link = dcc.Link(f"Back to {what}, {u.fmt_day(default)}", href=href(path, v.query, as_of=None))
    elif v.as_of != today:
        link = dcc.Link(f"Show today, {u.fmt_day(today)}", href=href(path, v.query, as_of=today.isoformat()))
    elif last is not None and last != today:
        link = dcc.Link(f"Show the last day with training, {u.fmt_day(last)}",
                        href=href(path, v.query, as_of=last.isoformat()))
    else:
        link = None
    said = [] if named else [f"Showing {readings.day_words(v.as_of, v.day_role)}."]
    if v.stale:
        said.append(f"Nothing was recorded in the {data.STALE_DAYS} days before today.")
    parts = [" ".join(said)] if said else []
    if link is not None:
        parts += [" ", link] if parts else [link]
    return html.P(parts, id="as-of-note", className="note")


def date_range(v: View) -> tuple[dt.date, dt.date]:
    """The URL's from/to, else the :data:`DEFAULT_RANGE_WEEKS` weeks up to the view's day."""
    end = v.end or v.as_of
    start = v.start or end - dt.timedelta(weeks=DEFAULT_RANGE_WEEKS)
    return (max(start, v.span[0]) if v.span and not v.start else start), end


def range_control(v: View) -> html.Form:
    """The Training and Fatigue pages' date range: two labelled date inputs, applied by "Show dates"
    or Enter (``assets/view.js`` writes them into the URL as ``from`` / ``to``)."""
    start, end = date_range(v)
    bounds = _picker_bounds(v)
    return html.Form([
        html.Div([html.Label("From", htmlFor="ctl-from", className="control-label"),
                  dcc.Input(id="ctl-from", type="date", name="from", value=start.isoformat(), required=True, **bounds)],
                 className="control-group"),
        html.Div([html.Label("To", htmlFor="ctl-to", className="control-label"),
                  dcc.Input(id="ctl-to", type="date", name="to", value=end.isoformat(), required=True, **bounds)],
                 className="control-group"),
        html.Button("Show dates", id="ctl-show-dates", type="submit", className="button small"),
    ], id="range-form", className="range", method="get", **{"aria-label": "Dates shown"})


def download(prefix: str, label: str, v: View, start: dt.date | None, end: dt.date | None) -> html.Div:
    """A CSV download of the view's athlete from ``start`` to ``end``: a native button saying ``label``
    (``{prefix}-button``), the ``dcc.Download`` it fills (``prefix``), the days it downloads (``{prefix}-view``)
    and a status line a screen reader hears (``{prefix}-status``)."""
    which = {"athlete": v.athlete, "from": start and start.isoformat(), "to": end and end.isoformat()}
    return html.Div([
        html.Button(label, id=f"{prefix}-button", type="button", className="button small"),
        dcc.Download(id=prefix),
        dcc.Store(id=f"{prefix}-view", data=which),
        html.Span(id=f"{prefix}-status", role="status", className="note", **{"aria-live": "polite"}),
    ], className="download")


def send_csv(which: object, table: str,
             make: Callable[[str, dt.date | None, dt.date | None], str]) -> tuple[dict | NoUpdate, str]:
    """What a download button sends: ``make(athlete, first, last)`` (CSV text) as ``<athlete>-<table>[-<from>-to-<to>].csv``
    and the status line's words. ``which`` comes from the browser: an athlete the signed-in user may not see, or days
    that are not days, send nothing; days are kept within the athlete's :meth:`~dashboards.data.Data.span`."""
    which = which if isinstance(which, dict) else {}
    source = data.get()
    athlete = which.get("athlete")
    if athlete not in source.athletes():
        return no_update, "Nothing to download here; reload the page."
    try:
        span = source.span(athlete)
        first, last = ((clamp_day(parse_day(which[k], k), *span) if which.get(k) else None) for k in ("from", "to"))
        text = make(athlete, first, last)
    except TrainlogError as exc:
        return no_update, f"No CSV: {first_line(exc)}"
    days = f"-{first or span[0]}-to-{last or span[1]}" if first or last else ""
    name = f"{athlete}-{table}{days}.csv"
    return dcc.send_string(text, name, type="text/csv"), f"Downloaded {name}."


def graph(figure: go.Figure, graph_id: str | None = None, summary: str | None = None, level: int = 2) -> html.Figure:
    """A responsive graph as tall as the figure asks (its width follows the page; the ``dcc.Graph`` has the id
    ``graph_id``), in a figure a screen reader can read (:func:`dashboards.charts.accessible`: the title as an
    ``h{level}`` heading, ``summary`` or one made from the data as its name, the data as a table)."""
    kwargs = {"id": graph_id} if graph_id else {}
    height = figure.layout.height or DEFAULT_GRAPH_HEIGHT
    plot = dcc.Graph(figure=figure, config=GRAPH_CONFIG, responsive=True, className="graph",
                     style={"height": f"{height}px"}, **kwargs)
    return charts.accessible(plot, summary, level)


def file_name(source_file: str | None) -> str:
    """The file's own name from a stored ``source_file`` (a path, or ``a.zip!/x/y.fit``)."""
    return (source_file or "").replace("\\", "/").rsplit("/", 1)[-1]


def stat(label: str, value: str, element_id: str, detail: Children = None, tone: str = "",
         explain: Children = None) -> html.Div:
    """A figure card: label, big value (with a stable id the tests read), optional detail line;
    ``tone`` is a CSS class of ``.stat`` (:class:`dashboards.readings.Tone`); ``explain``, what the figure
    is (:func:`dashboards.glossary.card`: its caption, unit and a "What is ...?" disclosure)."""
    size = "stat-value" + (" long" if len(value) > LONG_VALUE else "")
    return html.Div(
        [html.Div(label, className="stat-label"), html.Div(value, id=element_id, className=size),
         html.Div(detail, className="stat-detail") if detail else None,
         html.Div(explain, className="stat-explain") if explain else None],
        className=f"stat {tone}".strip(),
    )


def needed_stat(g: dict, v: View, element_id: str) -> html.Div:
    """The "Needed this week" card (Today and Goal): the ascent needed, "reached", or, without a goal date or
    after it, what that means and a link to Settings, inside the card (:func:`dashboards.readings.needed_words`)."""
    value, detail, tone = readings.needed_words(g, v.units)
    if readings.need_state(g) in (readings.NO_DATE, readings.PASSED):
        detail = [detail, " in ", dcc.Link("Settings", href=href("/settings", v.query), id=f"{element_id}-settings"),
                  "."]
    return stat("Needed this week", value, element_id, detail, tone=tone, explain=glossary.card("needed"))


def no_data(path: str) -> html.Div:
    """What a page shows with an empty data directory."""
    return page(path, None, html.Section(
        [html.H1("No training data yet"),
         html.P("Import your FIT files on the Upload page, or try trainlog on the bundled sample athletes."),
         dcc.Link("Go to Today to load the sample athletes", href="/") if path != "/" else None],
        className="card"))

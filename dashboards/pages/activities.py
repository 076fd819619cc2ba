"""Activities: a sortable, filterable table of every activity, each linking to its page.

The table is Dash AG Grid (Plotly's replacement for the deprecated DataTable).
Text from FIT files (file names) is shown as text; only the date column is
Markdown (a link trainlog builds), and the grid renders no raw HTML.

A form adds a session without a file (issue 16: :mod:`trainlog.ingest.manual`): sport, local start,
duration, distance and ascent in the page's units, RPE and a note, in native controls; once saved,
the status line links to the new activity and the table lists it.
"""

from __future__ import annotations

import dash
import dash_ag_grid as dag
import polars as pl
from dash import Input, NoUpdate, Output, State, callback, dcc, html, no_update

from dashboards import data, forms, readings, shell
from dashboards import units as u
from trainlog.days import parse_duration, parse_local_time
from trainlog.errors import InvalidValue, TrainlogError, first_line
from trainlog.ingest.manual import ManualActivity
from trainlog.settings.parse import parse_number
from trainlog.store.entries import MAX_TEXT_CHARS

dash.register_page(__name__, path="/activities", name="Activities", title="Activities · trainlog", order=4)

PAGE_SIZE = 25
#: The columns of an activities frame :func:`rows` does without (None for every row).
OPTIONAL = ("name", "excluded", "ascent_flag")


def rows(acts: pl.DataFrame, query: dict, units: str) -> list[dict]:
    """Table rows: numbers in display units (sortable), the date (``"Fri 13 Mar 2026"``) as a link to the
    activity page, sorted by ``day`` (ISO); ``hours`` sorts and filters, ``time`` is how it reads
    (``"58 h 01 min"``); ``check`` says in words which runs are excluded or have a suspect ascent
    (:func:`dashboards.readings.run_marker`). Made a column at a time (a 10-year library has 3,000 rows)."""
    view = shell.href("", query)  # the view's query, the same for every row's link

    def column(name: str, zero: bool = False) -> list:
        """The column's values; ``zero``: a missing value as 0.0. Of the optional columns (a run's name, the
        athlete's choices and flags) a frame without them gives None for each row."""
        if name in OPTIONAL and name not in acts.columns:
            return [None] * acts.height
        return (acts[name].fill_null(0.0) if zero else acts[name]).to_list()

    dist = [round(u.distance(m, units), 2) for m in column("distance_m", zero=True)]
    hours = [round(s / 3600, 2) for s in column("elapsed_s", zero=True)]
    ascent = [round(u.elevation(m, units)) for m in column("ascent_m", zero=True)]
    descent = [round(u.elevation(m, units)) for m in column("descent_m", zero=True)]
    loads = [round(x) for x in column("load", zero=True)]
    marked = [bool(excluded) or flag is not None for excluded, flag in zip(column("excluded"), column("ascent_flag"))]
    runs = iter(acts.filter(pl.Series(marked, dtype=pl.Boolean)).iter_rows(named=True))  # the runs with a check
    checks = [readings.run_marker(next(runs), units) if m else "" for m in marked]
    return [{
        "date": f"[{u.fmt_day(day)}](/activity/{activity_id}{view})",
        "day": day.isoformat() if day else "",
        "name": name or "",
        "sport": " / ".join(s for s in (sport, sub) if s and s != "generic") or "unknown",
        "distance": d, "hours": h, "time": u.fmt_duration(elapsed), "ascent": up, "check": check,
        "descent": down, "load": load,
        "load_source": readings.load_from(source).removeprefix("from "),
        "avg_hr": None if hr is None else round(hr),
        "file": shell.file_name(file),
    } for activity_id, day, name, sport, sub, d, h, elapsed, up, check, down, load, source, hr, file in zip(
        column("activity_id"), column("start_date"), column("name"),
        column("sport"), column("sub_sport"), dist, hours, column("elapsed_s"), ascent, checks, descent, loads,
        column("load_source"), column("avg_hr_bpm"), column("source_file"), strict=True)]


#: Number columns filter "at least" by default (ascent >= 1000 m); the column menu offers the other conditions.
NUMBER_FILTER = {"cellDataType": "number", "filter": "agNumberColumnFilter", "type": "numericColumn",
                 "filterParams": {"defaultOption": "greaterThanOrEqual"}}
#: The date column sorts by the row's ISO ``day``, not by its words ("Fri 13 Mar 2026"). A function the grid
#: checks before it compiles it: it runs the body once with null arguments, hence the guard.
BY_DAY = ("(function (a, b, nodeA, nodeB) { return nodeA && nodeB ? "
          "(nodeA.data.day < nodeB.data.day ? -1 : nodeA.data.day > nodeB.data.day ? 1 : 0) : 0; })")


def columns(units: str) -> list[dict]:
    """AG Grid column definitions, in display units."""
    dist, elev = u.distance_unit(units), u.elevation_unit(units)
    return [
        {"field": "date", "headerName": "date", "cellRenderer": "markdown", "linkTarget": "_self", "minWidth": 140,
         "comparator": {"function": BY_DAY}},
        {"field": "day", "hide": True},  # the date column's sort key
        {"field": "name", "headerName": "name", "minWidth": 160, "tooltipField": "name"},
        {"field": "sport", "headerName": "sport", "minWidth": 130},
        {"field": "distance", "headerName": dist, **NUMBER_FILTER},
        # filters in hours (at least 10: "10"), reads as "58 h 01 min"
        {"field": "hours", "headerName": "time", "headerTooltip": "elapsed time; filter in hours", **NUMBER_FILTER,
         "valueFormatter": {"function": "params.data ? params.data.time : ''"}, "minWidth": 110},
        {"field": "time", "hide": True},  # the time column's words
        {"field": "ascent", "headerName": f"ascent {elev}", **NUMBER_FILTER},
        # beside the ascent: a suspect run's watch and track totals; the words say it, the colour only repeats it
        {"field": "check", "headerName": "check", "minWidth": 170, "tooltipField": "check",
         # empty for most runs: narrow, and a suspect run's words wrap onto a second line rather than hide
         "wrapText": True, "autoHeight": True, "cellStyle": {"lineHeight": "1.4", "wordBreak": "normal"},
         "headerTooltip": "excluded from the goal, or a suspect ascent (watch and track totals)",
         "cellClassRules": {"cell-suspect": "params.value && params.value.includes('suspect')",
                            "cell-excluded": "params.value && params.value.startsWith('excluded')"}},
        {"field": "descent", "headerName": f"descent {elev}", **NUMBER_FILTER},
        {"field": "load", "headerName": "load", **NUMBER_FILTER},
        {"field": "load_source", "headerName": "load from"},
        {"field": "avg_hr", "headerName": "avg HR", **NUMBER_FILTER},
        {"field": "file", "headerName": "file", "minWidth": 200},
    ]


@shell.guarded("/activities")
def layout(**query: shell.QueryValue) -> html.Div:
    v = shell.view(query)
    if v is None:
        return shell.no_data("/activities")
    acts = data.get().activities(v.athlete)
    start, end = shell.date_range(v) if v.start or v.end else (None, None)
    if start and end:
        acts = acts.filter(pl.col("start_date").is_between(start, end))
    return shell.page("/activities", v, [
        html.H1(f"{v.athlete}: {acts.height} activities", className="title", id="activities-title"),
        html.P("Sort by clicking a column header; filter by typing in the row under the headers "
               "(numbers: at least that much, e.g. 1000 under ascent; the column's menu has other conditions). "
               "By keyboard: Tab into the table, move with the arrow keys, press Enter to open a row's activity.",
               className="note", id="activities-help"),
        shell.download("activities-download", "Download these activities as CSV", v, start, end),
        manual_form(v, data.get().settings(v.athlete).default_sport),
        html.Section(dag.AgGrid(
            id="activities-table",
            rowData=rows(acts, v.query, v.units),
            columnDefs=columns(v.units),
            # text unless a column says otherwise: AG Grid would take file names starting with a date for dates
            defaultColDef={"cellDataType": "text", "sortable": True, "filter": True, "floatingFilter": True,
                           "resizable": True, "minWidth": 90, "flex": 1},
            dashGridOptions={"pagination": True, "paginationPageSize": PAGE_SIZE,
                             "paginationPageSizeSelector": False, "domLayout": "autoHeight",
                             # cells take focus: Tab enters the grid, the arrows move, Enter opens the row's
                             # activity (assets/view.js)
                             "ensureDomOrder": True},
            className="ag-theme-quartz activities-grid",
            style={"width": "100%"},
        ), className="card"),
    ])


@callback(
    Output("activities-download", "data"),
    Output("activities-download-status", "children"),
    Input("activities-download-button", "n_clicks"),
    State("activities-download-view", "data"),
    prevent_initial_call=True,
)
def download_csv(n_clicks: int | None, which: object) -> tuple[dict | NoUpdate, str]:
    """The activities listed (the athlete, the URL's from/to) as ``trainlog export``'s activities.csv."""
    return shell.send_csv(which, "activities", data.get().activities_csv)


# ---- a session without a file (issue 16)

#: The sports the form offers (FIT sport names; the athlete's default sport is added when it is not one of them).
SPORTS = {"running": "running", "hiking": "hiking", "walking": "walking", "mountaineering": "mountaineering",
          "cycling": "cycling", "cross_country_skiing": "cross-country skiing", "alpine_skiing": "alpine skiing",
          "snowshoeing": "snowshoeing", "swimming": "swimming", "rowing": "rowing",
          "training": "training (strength, gym)", "generic": "other"}
#: The form's fields: key of the values the browser sends -> element id.
MANUAL_FIELDS = {k: f"manual-{k}" for k in ("sport", "date", "time", "duration", "distance", "ascent", "rpe", "note")}


def manual_form(v: shell.View, default_sport: str) -> html.Details:
    """"Add a session without a file": a disclosure holding the form (closed: the table comes first)."""
    sports = SPORTS if default_sport in SPORTS else {default_sport: default_sport, **SPORTS}
    dist, elev = u.distance_unit(v.units), u.elevation_unit(v.units)
    today = (v.today or v.as_of).isoformat()
    return html.Details([
        html.Summary("Add a session without a file", className="manual-summary"),
        html.P("A strength session, a hike without a watch, a race from years ago: it counts in every daily and "
               "weekly series. Its load comes from the RPE when given, else from its duration.", className="note"),
        html.Div([
            forms.field("Sport", html.Select([html.Option(label, value=k, selected=k == default_sport)
                                              for k, label in sports.items()], id="manual-sport", name="sport")),
            forms.field("Start date", dcc.Input(id="manual-date", type="date", value=today, max=today)),
            forms.field("Start time (local)", dcc.Input(id="manual-time", type="time", value="")),
            forms.field("Duration (H:MM)", dcc.Input(id="manual-duration", type="text", placeholder="1:30",
                                                     inputMode="numeric")),
            forms.field(f"Distance ({dist}, optional)", dcc.Input(id="manual-distance", type="text",
                                                                   inputMode="decimal")),
            forms.field(f"Ascent ({elev}, optional)", dcc.Input(id="manual-ascent", type="text", inputMode="decimal")),
            forms.field("Session RPE (0–10)", forms.rpe_select("manual-rpe")),
        ], className="form"),
        html.Div(forms.field("Note (optional)", dcc.Textarea(id="manual-note", value="", rows=2,
                                                             maxLength=MAX_TEXT_CHARS)), className="form wide"),
        html.Button("Add session", id="manual-save", type="button", n_clicks=0, className="button primary"),
        forms.status("manual-status"),
        forms.store("manual-form"),
        dcc.Store(id="manual-view", data={"athlete": v.athlete, "units": v.units, "query": v.query,
                                          "from": v.start and v.start.isoformat(), "to": v.end and v.end.isoformat()}),
    ], id="manual-add", className="card manual-add")


def manual_entry(form: object, units: str) -> ManualActivity:
    """The session the form sent (text, in the page's ``units``); InvalidValue or SettingsError (one line) for a
    value that cannot be read (the library checks the ranges)."""
    def text(key: str) -> str:
        return forms.text_of(form, key)

    if not text("date") or not text("time"):
        raise InvalidValue("give the start date and the start time")
    distance = parse_number(text("distance"), f"distance ({u.distance_unit(units)})")
    ascent = parse_number(text("ascent"), f"ascent ({u.elevation_unit(units)})")
    return ManualActivity(
        sport=text("sport").lower(), start=parse_local_time(f"{text('date')} {text('time')}", "start"),
        duration_s=parse_duration(text("duration")),
        distance_m=None if distance is None else u.distance_m(distance, units),
        ascent_m=None if ascent is None else u.elevation_m(ascent, units),
        rpe=forms.parse_rpe(text("rpe")), note=text("note") or None)


def add_manual(form: object, view: object) -> tuple[shell.Children, str, list[dict] | NoUpdate, str | NoUpdate]:
    """Store the session the form sent for the page's athlete: the status line (what was added and a link to it, or
    the one-line error) and its class, the table's rows and the heading drawn again. PermissionError (HTTP 403,
    nothing written) unless the signed-in user may change the athlete's data (:meth:`dashboards.data.Data.add_activity`)."""
    view = view if isinstance(view, dict) else {}
    athlete, units = view.get("athlete"), u.system(view.get("units"))
    query = view.get("query") if isinstance(view.get("query"), dict) else {"athlete": athlete}
    if not isinstance(athlete, str):
        message = "This page is out of date; reload it."
        return message, forms.status_class(message, True), no_update, no_update
    source = data.get()
    try:
        entry = manual_entry(form, units)
        activity_id = source.add_activity(athlete, entry)
    except TrainlogError as exc:
        message = f"Not added: {first_line(exc)}"
        return message, forms.status_class(message, True), no_update, no_update
    said = (f"Added: {SPORTS.get(entry.sport, entry.sport)} on {u.fmt_day(entry.start.date())} "
            f"{entry.start:%H:%M}, {u.fmt_duration(entry.duration_s)}. ")
    link = dcc.Link("Open the new activity", href=shell.href(f"/activity/{activity_id}", query), id="manual-link")
    acts = source.activities(athlete)
    first, last = view.get("from"), view.get("to")
    if isinstance(first, str) and isinstance(last, str):
        acts = acts.filter(pl.col("start_date").cast(pl.String).is_between(first, last))
    return [said, link], forms.status_class(said, False), rows(acts, query, units), \
        f"{athlete}: {acts.height} activities"


forms.reader("manual-save", "manual-form", MANUAL_FIELDS)


@callback(
    Output("manual-status", "children"),
    Output("manual-status", "className"),
    Output("activities-table", "rowData"),
    Output("activities-title", "children"),
    Input("manual-form", "data"),
    State("manual-view", "data"),
    prevent_initial_call=True,
)
def save_manual(form: object, view: object) -> tuple[shell.Children, str, list[dict] | NoUpdate, str | NoUpdate]:
    """Add session was pressed (the form's values read in the browser): store it, list it, link to it."""
    return add_manual(form, view)

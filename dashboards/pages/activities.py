"""Activities: a sortable, filterable table of every activity, each linking to its page.

The table is Dash AG Grid (Plotly's replacement for the deprecated DataTable).
Text from FIT files (file names) is shown as text; only the date column is
Markdown (a link trainlog builds), and the grid renders no raw HTML.
"""

from __future__ import annotations

import dash
import dash_ag_grid as dag
import polars as pl
from dash import Input, NoUpdate, Output, State, callback, html

from dashboards import data, readings, shell
from dashboards import units as u

dash.register_page(__name__, path="/activities", name="Activities", title="Activities · trainlog", order=4)

PAGE_SIZE = 25


def rows(acts: pl.DataFrame, query: dict, units: str) -> list[dict]:
    """Table rows: numbers in display units (sortable), the date (``"Fri 13 Mar 2026"``) as a link to the
    activity page, sorted by ``day`` (ISO); ``hours`` sorts and filters, ``time`` is how it reads
    (``"58 h 01 min"``); ``check`` says in words which runs are excluded or have a suspect ascent
    (:func:`dashboards.readings.run_marker`)."""
    out = []
    for a in acts.iter_rows(named=True):
        link = shell.href(f"/activity/{a['activity_id']}", query)
        out.append({
            "date": f"[{u.fmt_day(a['start_date'])}]({link})",
            "day": a["start_date"].isoformat() if a["start_date"] else "",
            "name": a.get("name") or "",
            "sport": " / ".join(s for s in (a["sport"], a["sub_sport"]) if s and s != "generic") or "unknown",
            "distance": round(u.distance(a["distance_m"] or 0.0, units), 2),
            "hours": round((a["elapsed_s"] or 0.0) / 3600, 2),
            "time": u.fmt_duration(a["elapsed_s"]),
            "ascent": round(u.elevation(a["ascent_m"] or 0.0, units)),
            "check": readings.run_marker(a, units),
            "descent": round(u.elevation(a["descent_m"] or 0.0, units)),
            "load": round(a["load"] or 0.0),
            "load_source": readings.load_from(a["load_source"]).removeprefix("from "),
            "avg_hr": None if a["avg_hr_bpm"] is None else round(a["avg_hr_bpm"]),
            "file": shell.file_name(a["source_file"]),
        })
    return out


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
        html.H1(f"{v.athlete}: {acts.height} activities", className="title"),
        html.P("Sort by clicking a column header; filter by typing in the row under the headers "
               "(numbers: at least that much, e.g. 1000 under ascent; the column's menu has other conditions). "
               "By keyboard: Tab into the table, move with the arrow keys, press Enter to open a row's activity.",
               className="note", id="activities-help"),
        shell.download("activities-download", "Download these activities as CSV", v, start, end),
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

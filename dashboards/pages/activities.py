"""Activities: a sortable, filterable table of every activity, each linking to its page."""

from __future__ import annotations

import dash
import polars as pl
from dash import dash_table, html

from dashboards import data, shell
from dashboards import units as u

dash.register_page(__name__, path="/activities", name="Activities", title="Activities · trainlog", order=4)

PAGE_SIZE = 25


def rows(acts: pl.DataFrame, query: dict, units: str) -> list[dict]:
    """Table rows: numbers in display units (sortable), the date as a link to the activity page."""
    out = []
    for a in acts.iter_rows(named=True):
        link = shell.href(f"/activity/{a['activity_id']}", query)
        out.append({
            "date": f"[{a['start_date']}]({link})",
            "sport": " / ".join(s for s in (a["sport"], a["sub_sport"]) if s and s != "generic") or "unknown",
            "distance": round(u.distance(a["distance_m"] or 0.0, units), 2),
            "hours": round((a["elapsed_s"] or 0.0) / 3600, 2),
            "ascent": round(u.elevation(a["ascent_m"] or 0.0, units)),
            "descent": round(u.elevation(a["descent_m"] or 0.0, units)),
            "load": round(a["load"] or 0.0),
            "load_source": a["load_source"],
            "avg_hr": None if a["avg_hr_bpm"] is None else round(a["avg_hr_bpm"]),
            "file": shell.file_name(a["source_file"]),
        })
    return out


def columns(units: str) -> list[dict]:
    dist, elev = u.distance_unit(units), u.elevation_unit(units)
    return [
        {"id": "date", "name": "date", "presentation": "markdown"},
        {"id": "sport", "name": "sport"},
        {"id": "distance", "name": dist, "type": "numeric"},
        {"id": "hours", "name": "hours", "type": "numeric"},
        {"id": "ascent", "name": f"ascent {elev}", "type": "numeric"},
        {"id": "descent", "name": f"descent {elev}", "type": "numeric"},
        {"id": "load", "name": "load", "type": "numeric"},
        {"id": "load_source", "name": "load from"},
        {"id": "avg_hr", "name": "avg HR", "type": "numeric"},
        {"id": "file", "name": "file"},
    ]


def layout(**query):
    v = shell.view(query)
    if v is None:
        return shell.no_data("/activities")
    acts = data.get().activities(v.athlete)
    if v.start or v.end:
        start, end = shell.date_range(v)
        acts = acts.filter(pl.col("start_date").is_between(start, end))
    return shell.page("/activities", v, [
        html.H1(f"{v.athlete}: {acts.height} activities", className="title"),
        html.P("Sort by clicking a column; filter by typing in the row under the headers (e.g. > 1000).",
               className="note"),
        html.Section(dash_table.DataTable(
            id="activities-table",
            data=rows(acts, v.query, v.units),
            columns=columns(v.units),
            sort_action="native",
            filter_action="native",
            page_action="native",
            page_size=PAGE_SIZE,
            markdown_options={"link_target": "_self"},
            style_table={"overflowX": "auto", "maxWidth": "100%"},
            style_cell={"fontFamily": "inherit", "fontSize": "14px", "padding": "6px 8px", "textAlign": "left"},
            style_header={"fontWeight": "600", "backgroundColor": "#f4f6f8"},
        ), className="card"),
    ])

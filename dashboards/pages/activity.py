"""One activity: its figures, elevation profile, pace and GAP, heart rate, laps and track."""

from __future__ import annotations

import re

import dash
from dash import Input, Output, State, callback, dcc, html

from dashboards import data, figures, shell
from dashboards import units as u

dash.register_page(__name__, path_template="/activity/<activity_id>", name="Activity",
                   title="Activity · trainlog", order=9)

#: What an activity id looks like (``<16 hex digits of the file's hash>-<leg>``); anything else is not looked up.
ACTIVITY_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


@shell.guarded("/activities")
def layout(activity_id: str = "", **query):
    v = shell.view(query)
    if v is None:
        return shell.no_data("/activities")
    found = data.get().activity(v.athlete, activity_id) if ACTIVITY_ID.fullmatch(activity_id or "") else None
    if found is None:
        return shell.page("/activities", v, html.Section(
            [html.H1("Activity not found"), html.P(f"{v.athlete} has no activity {shell.shown(activity_id)}.")],
            className="card"))
    a, samples, laps = found
    units = v.units
    return shell.page("/activities", v, [
        html.H1(f"{a['start_date']} {a['sport'] or 'activity'}", className="title"),
        html.P(" · ".join(x for x in (a["sub_sport"], a["device_manufacturer"], a["device_product"],
                                      shell.file_name(a["source_file"])) if x), className="note", id="activity-source"),
        html.Section(html.Div([
            shell.stat("Distance", u.fmt_distance(a["distance_m"], units, 2), "activity-distance"),
            shell.stat("Elapsed", u.fmt_duration(a["elapsed_s"]), "activity-elapsed",
                       f"moving {u.fmt_duration(a['moving_s'])}"),
            shell.stat("Ascent", u.fmt_elevation(a["ascent_m"], units), "activity-ascent",
                       f"descent {u.fmt_elevation(a['descent_m'], units)} · {a['ascent_source']}"),
            shell.stat("GAP", u.fmt_pace(a["gap_s_per_km"], units), "activity-gap",
                       f"km-effort {u.number(a['km_effort'], 1)}"),
            shell.stat("Load", u.number(a["load"]), "activity-load", f"from {a['load_source']}"),
            shell.stat("Heart rate", f"{u.number(a['avg_hr_bpm'])} bpm", "activity-hr",
                       f"max {u.number(a['max_hr_bpm'])}"),
        ], className="stats"), className="card"),
        html.Div([
            html.Section(shell.graph(figures.elevation_profile(samples, units), "activity-elevation"), className="card"),
            html.Section(shell.graph(figures.pace_gap(samples, units), "activity-pace"), className="card"),
            html.Section(shell.graph(figures.heart_rate(samples), "activity-heart-rate"), className="card"),
            html.Section([
                dcc.Checklist(id="track-map", options=[{"label": " map tiles (needs the internet)", "value": "map"}],
                              value=[], className="muted"),
                dcc.Store(id="track-activity", data={"athlete": v.athlete, "activity_id": activity_id}),
                shell.graph(figures.track(samples), "activity-track"),
            ], className="card"),
        ], className="grid"),
        _laps(laps, units),
    ])


def _laps(laps, units: str) -> html.Section:
    if laps.is_empty():
        return html.Section([html.H2("Laps"), html.P("No laps recorded.")], className="card")
    head = ["lap", u.distance_unit(units), "time", f"ascent {u.elevation_unit(units)}",
            f"descent {u.elevation_unit(units)}", "avg HR", "pace"]
    body = [
        html.Tr([
            html.Td(r["lap_index"] + 1),
            html.Td(u.number(u.distance(r["distance_m"], units), 2) if r["distance_m"] is not None else u.DASH),
            html.Td(u.fmt_duration(r["timer_s"])),
            html.Td(u.number(None if r["ascent_device_m"] is None else u.elevation(r["ascent_device_m"], units))),
            html.Td(u.number(None if r["descent_device_m"] is None else u.elevation(r["descent_device_m"], units))),
            html.Td(u.number(r["avg_hr_bpm"])),
            html.Td(u.fmt_pace(1000 / r["avg_speed_mps"] if r["avg_speed_mps"] else None, units)),
        ])
        for r in laps.iter_rows(named=True)
    ]
    return html.Section([
        html.H2(f"Laps ({laps.height})"),
        html.Div(html.Table([html.Thead(html.Tr([html.Th(h) for h in head])), html.Tbody(body)],
                            className="plain", id="activity-laps"), className="table-wrap"),
    ], className="card")


@callback(
    Output("activity-track", "figure"),
    Input("track-map", "value"),
    State("track-activity", "data"),
    prevent_initial_call=True,
)
def toggle_map(choice, which):
    """The plain x/y track, or the track on map tiles when asked for."""
    which = which if isinstance(which, dict) else {}
    athlete, activity_id = str(which.get("athlete")), str(which.get("activity_id"))
    source = data.get()
    found = (source.activity(athlete, activity_id)
             if athlete in source.athletes() and ACTIVITY_ID.fullmatch(activity_id) else None)
    if found is None:
        return figures.empty("Track", "Activity not found")
    samples = found[1]
    return figures.track_map(samples) if "map" in (choice or []) else figures.track(samples)

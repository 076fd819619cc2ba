"""One activity: its figures, elevation profile, pace and GAP, heart rate, laps and track;
whether its ascent is suspect and why, and the athlete's choices (exclude it from the goal,
confirm its ascent), recorded through :mod:`trainlog.store.choices`."""

from __future__ import annotations

import re

import dash
import plotly.graph_objects as go
import polars as pl
from dash import ALL, Input, NoUpdate, Output, State, callback, ctx, dcc, html, no_update
from dash.development.base_component import Component

from dashboards import data, figures, glossary, readings, shell
from dashboards import units as u
from trainlog.errors import TrainlogError, first_line
from trainlog.settings import ModelSettings

dash.register_page(__name__, path_template="/activity/<activity_id>", name="Activity",
                   title="Activity · trainlog", order=9)

#: What an activity id looks like (``<16 hex digits of the file's hash>-<leg>``); anything else is not looked up.
ACTIVITY_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
#: The choice buttons: action of :data:`trainlog.store.choices.ACTIONS` -> label.
BUTTONS = {"exclude": "Exclude from goal", "include": "Include again", "confirm": "Confirm ascent",
           "unconfirm": "Unconfirm ascent"}


@shell.guarded("/activities")
def layout(activity_id: str = "", **query: shell.QueryValue) -> html.Div:
    v = shell.view(query)
    if v is None:
        return shell.no_data("/activities")
    source = data.get()
    found = source.activity(v.athlete, activity_id) if ACTIVITY_ID.fullmatch(activity_id or "") else None
    if found is None:
        return shell.page("/activities", v, html.Section(
            [html.H1("Activity not found"), html.P(f"{v.athlete} has no activity {shell.shown(activity_id)}.")],
            className="card"))
    a, samples, laps = found
    units = v.units
    return shell.page("/activities", v, here=f"/activity/{activity_id}", children=[
        html.H1(readings.run_name(a), className="title"),
        *([html.P(a["description"], className="note", id="activity-description")] if a.get("description") else []),
        html.P(" · ".join(x for x in (a["sub_sport"], a["device_manufacturer"], a["device_product"],
                                      shell.file_name(a["source_file"])) if x), className="note", id="activity-source"),
        html.Section(html.Div([
            shell.stat("Distance", u.fmt_distance(a["distance_m"], units, 2), "activity-distance",
                       explain=glossary.card("activity_distance")),
            shell.stat("Elapsed", u.fmt_duration(a["elapsed_s"]), "activity-elapsed",
                       f"moving {u.fmt_duration(a['moving_s'])}", explain=glossary.card("elapsed")),
            shell.stat("Ascent", u.fmt_elevation(a["ascent_m"], units), "activity-ascent",
                       f"descent {u.fmt_elevation(a['descent_m'], units)} · {_ascent_sources(a, units)}",
                       explain=glossary.card("activity_ascent")),
            shell.stat("Grade-adjusted pace", u.fmt_pace(a["gap_s_per_km"], units), "activity-gap",
                       f"km-effort {u.number(a['km_effort'], 1)}", explain=glossary.card("gap")),
            shell.stat("Load", u.number(a["load"]), "activity-load", readings.load_from(a["load_source"]),
                       explain=glossary.card("load")),
            shell.stat("Heart rate", f"{u.number(a['avg_hr_bpm'])} bpm", "activity-hr",
                       f"max {u.number(a['max_hr_bpm'])} bpm", explain=glossary.card("heart_rate")),
        ], className="stats"), className="card"),
        html.Section(choices_box(a, source.settings(v.athlete).model, units), id="activity-choices", className="card"),
        html.Div([
            html.Section(shell.graph(figures.elevation_profile(samples, units), "activity-elevation"), className="card"),
            html.Section(shell.graph(figures.pace_gap(samples, units), "activity-pace"), className="card"),
            html.Section(shell.graph(figures.heart_rate(samples), "activity-heart-rate"), className="card"),
            html.Section([
                html.Button(MAP_LABELS[False], id="track-map", type="button", className="button small",
                            **{"aria-pressed": "false"}),
                dcc.Store(id="track-activity", data={"athlete": v.athlete, "activity_id": activity_id,
                                                     "units": units}),
                shell.graph(figures.track(samples), "activity-track"),
            ], className="card"),
        ], className="grid"),
        _laps(laps, units),
    ])


def _ascent_sources(a: dict, units: str) -> str:
    """``"watch 1,210 m · track 1,180 m · uses the watch's"``: both totals and the one used."""
    used = {"device": "uses the watch's", "computed": "uses the track's"}.get(a["ascent_source"], a["ascent_source"])
    return (f"watch {u.fmt_elevation(a['ascent_device_m'], units)} · "
            f"track {u.fmt_elevation(a['ascent_computed_m'], units)} · {used}")


def choices_box(a: dict, model: ModelSettings, units: str, message: str | None = None,
                error: bool = False) -> list[Component]:
    """The run's standing with the goal and its ascent check, in words, and the buttons that change it.

    Why the ascent is suspect (too fast, or the watch and the track disagree), the altitude spikes
    dropped and the import's note are said when there are any; the state is text (a screen reader
    announces the status line when it changes), never a colour alone.
    """
    lines = [html.P(readings.goal_status(a, model), id="activity-goal-status", className="goal-status")]
    reason = readings.ascent_flag_reason(a, model, units)
    if reason is not None:
        label = "Suspect ascent: " if readings.is_suspect(a) else "Ascent confirmed, though it looked suspect: "
        lines.append(html.P([html.Strong(label), reason], id="activity-flag",
                            className="flag-reason" + (" suspect" if readings.is_suspect(a) else "")))
    spikes = a.get("altitude_spikes") or 0
    if spikes > 0:
        lines.append(html.P(f"{spikes:,} altitude sample{'s' if spikes != 1 else ''} dropped as spikes (a jump faster "
                            f"than {model.max_vertical_speed_mps:g} m/s vertical); the track is interpolated over "
                            f"{'them' if spikes != 1 else 'it'}.", id="activity-spikes", className="note"))
    if a.get("import_note"):
        lines.append(html.P([html.Strong("Import note: "), a["import_note"]], id="activity-import-note",
                            className="note"))
    actions = ["include" if a.get("excluded") else "exclude"]
    if a.get("ascent_confirmed"):
        actions.append("unconfirm")
    elif a.get("ascent_flag") is not None:
        actions.append("confirm")
    buttons = [html.Button(BUTTONS[action], id={"type": "activity-choice", "action": action}, n_clicks=0,
                           className="button" + (" primary" if action == "confirm" else ""), type="button")
               for action in actions]
    return [
        html.H2("Goal and ascent check"),
        *lines,
        html.Div(buttons, className="choice-buttons"),
        html.P(message or "", id="activity-choice-message", role="status", **{"aria-live": "polite"},
               className="message" + (" error" if error else " ok" if message else "")),
    ]


def _laps(laps: pl.DataFrame, units: str) -> html.Section:
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


#: The map button's words, map tiles off and on (a toggle button: ``aria-pressed`` says which).
MAP_LABELS = {False: "Show on map tiles (needs the internet)", True: "Show the plain track"}


@callback(
    Output("activity-track", "figure"),
    Output("track-map", "aria-pressed"),
    Output("track-map", "children"),
    Input("track-map", "n_clicks"),
    State("track-activity", "data"),
    prevent_initial_call=True,
)
def toggle_map(n_clicks: int | None, which: object) -> tuple[go.Figure, str, str]:
    """Each press of the map button: the track on map tiles, then the plain x/y track again."""
    on_map = bool(n_clicks) and n_clicks % 2 == 1
    return track_figure(which, on_map), "true" if on_map else "false", MAP_LABELS[on_map]


def track_figure(which: object, on_map: bool) -> go.Figure:
    """The plain x/y track, or the track on map tiles when asked for."""
    which = which if isinstance(which, dict) else {}
    athlete, activity_id = str(which.get("athlete")), str(which.get("activity_id"))
    source = data.get()
    found = (source.activity(athlete, activity_id)
             if athlete in source.athletes() and ACTIVITY_ID.fullmatch(activity_id) else None)
    if found is None:
        return figures.empty("Track", "Activity not found")
    samples = found[1]
    return figures.track_map(samples) if on_map else figures.track(samples)


#: What the status line says after a choice.
DONE = {
    "exclude": "Excluded: the goal's figures leave this run out.",
    "include": "Included again: the goal's figures count this run (unless its ascent is suspect).",
    "confirm": "Ascent confirmed: the goal's figures count this run.",
    "unconfirm": "Confirmation withdrawn: the goal's figures leave this run out while its ascent looks suspect.",
}


def apply_choice(action: str, which: object) -> list[Component]:
    """Record ``action`` (of :data:`trainlog.store.choices.ACTIONS`) for the run in ``which``
    (``{"athlete", "activity_id", "units"}`` from the page) and the run's box drawn again from the new data.

    Only a user who may change the athlete's data (:meth:`dashboards.data.Data.record_choice`) changes it;
    a refusal or an error is said in one line and changes nothing.
    """
    which = which if isinstance(which, dict) else {}
    athlete, activity_id = str(which.get("athlete")), str(which.get("activity_id"))
    units = u.system(which.get("units"))
    source = data.get()
    if athlete not in source.athletes() or not ACTIVITY_ID.fullmatch(activity_id):
        return [html.P("This activity is not known here; reload the page.", id="activity-choice-message",
                       role="status", className="message error")]
    message, error = None, False
    try:
        source.record_choice(athlete, activity_id, action)
        message = DONE.get(action, "Saved.")
    except PermissionError:
        message, error = f"Not changed: you may not change {athlete}'s data.", True
    except TrainlogError as exc:
        message, error = f"Not changed: {first_line(exc)}", True
    found = source.activity(athlete, activity_id)
    if found is None:
        return [html.P(message or "", id="activity-choice-message", role="status", className="message error")]
    return choices_box(found[0], source.settings(athlete).model, units, message, error)


@callback(
    Output("activity-choices", "children"),
    Input({"type": "activity-choice", "action": ALL}, "n_clicks"),
    State("track-activity", "data"),
    prevent_initial_call=True,
)
def choose(clicks: list[int | None], which: object) -> list[Component] | NoUpdate:
    """A choice button was pressed: record it and draw the run's box again."""
    pressed = ctx.triggered_id
    if not isinstance(pressed, dict) or not ctx.triggered[0].get("value"):  # drawn, not pressed
        return no_update
    return apply_choice(str(pressed.get("action")), which)

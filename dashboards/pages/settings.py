"""Settings: the athlete's values and goal, saved through trainlog.settings."""

from __future__ import annotations

import dataclasses
import datetime as dt

import dash
from dash import Input, Output, State, callback, dcc, html

from dashboards import data, shell
from dashboards import units as u
from trainlog.errors import SettingsError
from trainlog.settings import AthleteSettings

dash.register_page(__name__, path="/settings", name="Settings", title="Settings · trainlog", order=7)

FIELDS = ("sex", "hr_max", "hr_rest", "lthr", "pace", "timezone",
          "goal_name", "goal_date", "goal_ascent", "goal_distance", "goal_hours", "goal_loops")


def parse_pace(text: str | None, units: str = u.METRIC) -> float | None:
    """``"4:30"`` (min:s per km, or per mile in imperial) -> seconds per km; empty -> None.

    ValueError when unreadable.
    """
    if not text or not text.strip():
        return None
    minutes, _, seconds = text.strip().partition(":")
    value = int(minutes) * 60 + (int(seconds) if seconds else 0)
    if value <= 0:
        raise ValueError("threshold pace must be positive")
    return float(value) / (u.M_PER_MI / u.M_PER_KM if units == u.IMPERIAL else 1.0)


def pace_text(s_per_km: float | None, units: str) -> str | None:
    """Seconds per km -> ``"4:30"`` per km (per mile in imperial), as the form shows it."""
    if s_per_km is None:
        return None
    return u.fmt_pace(s_per_km, units).split(" ")[0]


def form_values(s: AthleteSettings, units: str) -> dict:
    """What the form shows for ``s`` (keys of :data:`FIELDS`), in ``units``."""
    g = s.goal
    return {
        "sex": s.sex or "", "hr_max": s.hr_max_bpm, "hr_rest": s.hr_rest_bpm, "lthr": s.lthr_bpm,
        "pace": pace_text(s.threshold_pace_s_per_km, units), "timezone": s.timezone,
        "goal_name": g.name, "goal_date": g.date.isoformat() if g.date else None,
        "goal_ascent": round(u.elevation(g.ascent_m, units), 1),
        "goal_distance": round(u.distance(g.distance_m, units), 2),
        "goal_hours": g.time_limit_h, "goal_loops": g.loops,
    }


def _same(a, b) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(a - b) < 1e-9
    return a == b


def settings_from_form(current: AthleteSettings, values: dict, units: str = u.METRIC) -> AthleteSettings:
    """The settings the form describes (keys of :data:`FIELDS`, in ``units``; empty means unknown).

    A field left as the form showed it keeps its exact stored value (no
    rounding through feet or miles). Raises SettingsError (invalid values) or
    ValueError (unreadable text).
    """
    shown = form_values(current, units)
    kept = {key for key in FIELDS if _same(values.get(key), shown[key])}

    def number(key):
        value = values.get(key)
        return None if value in (None, "") else float(value)

    def metres(key, to_metres, stored):
        if key in kept:
            return stored
        return number(key) * to_metres if number(key) else stored

    goal = dataclasses.replace(
        current.goal,
        name=(values.get("goal_name") or current.goal.name).strip(),
        date=shell.parse_date(values.get("goal_date")),
        ascent_m=metres("goal_ascent", u.M_PER_FT if units == u.IMPERIAL else 1.0, current.goal.ascent_m),
        distance_m=metres("goal_distance", u.M_PER_MI if units == u.IMPERIAL else u.M_PER_KM, current.goal.distance_m),
        time_limit_h=number("goal_hours") or current.goal.time_limit_h,
        loops=int(number("goal_loops") or current.goal.loops),
    )
    return AthleteSettings(
        sex=values.get("sex") or None,
        hr_max_bpm=number("hr_max"),
        hr_rest_bpm=number("hr_rest"),
        lthr_bpm=number("lthr"),
        threshold_pace_s_per_km=(current.threshold_pace_s_per_km if "pace" in kept
                                 else parse_pace(values.get("pace"), units)),
        timezone=(values.get("timezone") or "").strip() or None,
        goal=goal,
        model=current.model,
    )


def _field(label: str, control) -> html.Label:
    return html.Label([label, control])


def layout(**query):
    v = shell.view(query)
    if v is None:
        return shell.no_data("/settings")
    s = data.get().settings(v.athlete)
    r = s.resolve()
    shown = form_values(s, v.units)
    dist, elev = u.distance_unit(v.units), u.elevation_unit(v.units)

    def num(field_id, placeholder=None, step="any"):
        return dcc.Input(id=f"set-{field_id}", type="number", value=shown[field_id], placeholder=placeholder, step=step)

    return shell.page("/settings", v, [
        html.H1(f"{v.athlete}: settings", className="title"),
        html.P("Empty fields use the default shown in grey; the dashboard says when defaults are in use.",
               className="note"),
        html.Section([html.H2("Athlete"), html.Div([
            _field("Sex (for the TRIMP weighting)", dcc.Dropdown(
                id="set-sex", value=s.sex or "", clearable=False, searchable=False,
                options=[{"label": "unknown", "value": ""}, {"label": "female", "value": "female"},
                         {"label": "male", "value": "male"}])),
            _field("Max heart rate (bpm)", num("hr_max", f"{r.hr_max_bpm:g}")),
            _field("Resting heart rate (bpm)", num("hr_rest", f"{r.hr_rest_bpm:g}")),
            _field("Threshold heart rate (bpm)", num("lthr", f"{r.lthr_bpm:.0f}")),
            _field(f"Threshold pace on the flat (min:s per {dist})", dcc.Input(
                id="set-pace", type="text", value=shown["pace"],
                placeholder=pace_text(r.threshold_pace_s_per_km, v.units))),
            _field("Time zone (IANA, e.g. America/New_York)", dcc.Input(
                id="set-timezone", type="text", value=s.timezone, placeholder="this computer's")),
        ], className="form")], className="card"),
        html.Section([html.H2("Goal race"), html.Div([
            _field("Name", dcc.Input(id="set-goal_name", type="text", value=shown["goal_name"])),
            _field("Date (local start)", dcc.DatePickerSingle(
                id="set-goal_date", date=shown["goal_date"], display_format="YYYY-MM-DD",
                first_day_of_week=1, clearable=True)),
            _field(f"Ascent ({elev})", num("goal_ascent")),
            _field(f"Distance ({dist})", num("goal_distance")),
            _field("Time limit (h)", num("goal_hours")),
            _field("Loops", num("goal_loops", step=1)),
        ], className="form")], className="card"),
        html.Button("Save", id="settings-save", className="button primary"),
        html.Div(id="settings-message", className="message"),
        dcc.Store(id="settings-athlete", data=v.athlete),
        dcc.Store(id="settings-units", data=v.units),  # the units the form was drawn in
    ])


@callback(
    Output("settings-message", "children"),
    Output("settings-message", "className"),
    Input("settings-save", "n_clicks"),
    State("settings-athlete", "data"),
    State("settings-units", "data"),
    *[State(f"set-{name}", "date" if name == "goal_date" else "value") for name in FIELDS],
    prevent_initial_call=True,
)
def save(n_clicks, athlete, units, *values):
    """Validate the form (in ``units``) through AthleteSettings and save it; say what is wrong otherwise."""
    source = data.get()
    try:
        settings = settings_from_form(source.settings(athlete), dict(zip(FIELDS, values)), u.system(units))
    except (SettingsError, ValueError) as exc:
        return f"Not saved: {exc}", "message error"
    source.save_settings(athlete, settings)
    return f"Saved {dt.datetime.now():%H:%M:%S}. Every page now uses these values.", "message ok"

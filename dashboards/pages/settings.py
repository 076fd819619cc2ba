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


def parse_pace(text: str | None) -> float | None:
    """``"4:30"`` (min:s per km) -> 270.0 s/km; empty -> None. ValueError when unreadable."""
    if not text or not text.strip():
        return None
    minutes, _, seconds = text.strip().partition(":")
    value = int(minutes) * 60 + (int(seconds) if seconds else 0)
    if value <= 0:
        raise ValueError("threshold pace must be positive")
    return float(value)


def settings_from_form(current: AthleteSettings, values: dict) -> AthleteSettings:
    """The settings the form describes (keys of :data:`FIELDS`; empty means unknown).

    Raises SettingsError (invalid values) or ValueError (unreadable text).
    """
    def number(key):
        value = values.get(key)
        return None if value in (None, "") else float(value)

    goal = dataclasses.replace(
        current.goal,
        name=(values.get("goal_name") or current.goal.name).strip(),
        date=shell.parse_date(values.get("goal_date")),
        ascent_m=number("goal_ascent") if number("goal_ascent") is not None else current.goal.ascent_m,
        distance_m=number("goal_distance") * u.M_PER_KM if number("goal_distance") else current.goal.distance_m,
        time_limit_h=number("goal_hours") or current.goal.time_limit_h,
        loops=int(number("goal_loops") or current.goal.loops),
    )
    return AthleteSettings(
        sex=values.get("sex") or None,
        hr_max_bpm=number("hr_max"),
        hr_rest_bpm=number("hr_rest"),
        lthr_bpm=number("lthr"),
        threshold_pace_s_per_km=parse_pace(values.get("pace")),
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
    pace = None if s.threshold_pace_s_per_km is None else f"{int(s.threshold_pace_s_per_km // 60)}:{int(s.threshold_pace_s_per_km % 60):02d}"
    g = s.goal

    def num(field_id, value, placeholder=None, step="any"):
        return dcc.Input(id=f"set-{field_id}", type="number", value=value, placeholder=placeholder, step=step)

    return shell.page("/settings", v, [
        html.H1(f"{v.athlete}: settings", className="title"),
        html.P("Empty fields use the default shown in grey; the dashboard says when defaults are in use.",
               className="note"),
        html.Section([html.H2("Athlete"), html.Div([
            _field("Sex (for the TRIMP weighting)", dcc.Dropdown(
                id="set-sex", value=s.sex or "", clearable=False, searchable=False,
                options=[{"label": "unknown", "value": ""}, {"label": "female", "value": "female"},
                         {"label": "male", "value": "male"}])),
            _field("Max heart rate (bpm)", num("hr_max", s.hr_max_bpm, f"{r.hr_max_bpm:g}")),
            _field("Resting heart rate (bpm)", num("hr_rest", s.hr_rest_bpm, f"{r.hr_rest_bpm:g}")),
            _field("Threshold heart rate (bpm)", num("lthr", s.lthr_bpm, f"{r.lthr_bpm:.0f}")),
            _field("Threshold pace on the flat (min:s per km)", dcc.Input(
                id="set-pace", type="text", value=pace, placeholder=u.fmt_pace(r.threshold_pace_s_per_km, u.METRIC))),
            _field("Time zone (IANA, e.g. America/New_York)", dcc.Input(
                id="set-timezone", type="text", value=s.timezone, placeholder="this computer's")),
        ], className="form")], className="card"),
        html.Section([html.H2("Goal race"), html.Div([
            _field("Name", dcc.Input(id="set-goal_name", type="text", value=g.name)),
            _field("Date (local start)", dcc.DatePickerSingle(
                id="set-goal_date", date=g.date.isoformat() if g.date else None, display_format="YYYY-MM-DD",
                first_day_of_week=1, clearable=True)),
            _field("Ascent (m)", num("goal_ascent", g.ascent_m)),
            _field("Distance (km)", num("goal_distance", g.distance_m / u.M_PER_KM)),
            _field("Time limit (h)", num("goal_hours", g.time_limit_h)),
            _field("Loops", num("goal_loops", g.loops, step=1)),
        ], className="form")], className="card"),
        html.Button("Save", id="settings-save", className="button primary"),
        html.Div(id="settings-message", className="message"),
        dcc.Store(id="settings-athlete", data=v.athlete),
    ])


@callback(
    Output("settings-message", "children"),
    Output("settings-message", "className"),
    Input("settings-save", "n_clicks"),
    State("settings-athlete", "data"),
    *[State(f"set-{name}", "date" if name == "goal_date" else "value") for name in FIELDS],
    prevent_initial_call=True,
)
def save(n_clicks, athlete, *values):
    """Validate the form through AthleteSettings and save it; say what is wrong otherwise."""
    source = data.get()
    try:
        settings = settings_from_form(source.settings(athlete), dict(zip(FIELDS, values)))
    except (SettingsError, ValueError) as exc:
        return f"Not saved: {exc}", "message error"
    source.save_settings(athlete, settings)
    return f"Saved {dt.datetime.now():%H:%M:%S}. Every page now uses these values.", "message ok"

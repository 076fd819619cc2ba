"""Settings: the athlete's values and goal, checked and saved through trainlog.settings.

Every field is read by the library's parsers (:func:`trainlog.settings.edit.read_value`:
the one pace parser and the one number parser, the unit of the page converted to the
stored one; :func:`~trainlog.days.parse_day`) and checked against
:data:`trainlog.settings.RANGES`, shown here in the units of the page; the settings
are then built by :func:`trainlog.settings.edit.edited` (as ``trainlog athlete set``
builds them, and checked as a whole) and saved at once, or not at all. The numeric fields'
labels and reader are :mod:`dashboards.pages._fields`; the thresholds' dated changes are a
section with its own form and callback, :mod:`dashboards.pages._thresholds`.

Numbers are typed into text inputs, not ``type="number"`` ones: a number input with
min/max hands Dash ``None`` for a value outside them, which this form would read as
"unknown" and silently reset the setting to its default. The ranges are in the labels.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

import dash
from dash import Input, Output, State, callback, dcc, html

from dashboards import data, shell
from dashboards import units as u
from dashboards.pages import _thresholds
from dashboards.pages._fields import label, pace_text, read_number
from trainlog.days import parse_day
from trainlog.errors import SettingsError, TrainlogError
from trainlog.settings import AthleteSettings
from trainlog.settings.edit import edited

dash.register_page(__name__, path="/settings", name="Settings", title="Settings · trainlog", order=7)

FIELDS = ("sex", "hr_max", "hr_rest", "lthr", "pace", "weight", "timezone", "default_sport",
          "goal_name", "goal_date", "goal_ascent", "goal_distance", "goal_hours", "goal_loops")

#: What the default sport's field suggests (any FIT sport name is taken).
SPORT_CHOICES = ("running", "hiking", "walking", "mountaineering", "cycling", "cross_country_skiing", "swimming")


def form_values(s: AthleteSettings, units: str) -> dict:
    """What the form shows for ``s`` (keys of :data:`FIELDS`), in ``units``."""
    g = s.goal
    return {
        "sex": s.sex or "", "hr_max": s.hr_max_bpm, "hr_rest": s.hr_rest_bpm, "lthr": s.lthr_bpm,
        "pace": pace_text(s.threshold_pace_s_per_km, units), "weight": s.weight_kg, "timezone": s.timezone,
        "default_sport": s.default_sport, "goal_name": g.name, "goal_date": g.date.isoformat() if g.date else None,
        "goal_ascent": round(u.elevation(g.ascent_m, units), 1),
        "goal_distance": round(u.distance(g.distance_m, units), 2),
        "goal_hours": g.time_limit_h, "goal_loops": g.loops,
    }


def _same(a: object, b: object) -> bool:
    """The form's value ``a`` is what it showed, ``b`` (numbers may come back as text)."""
    if a is None or b is None or isinstance(a, bool) or isinstance(b, bool):
        return a == b
    try:
        return abs(float(a) - float(b)) < 1e-9
    except (TypeError, ValueError, OverflowError):
        return a == b


def settings_from_form(current: AthleteSettings, values: dict, units: str = u.METRIC) -> AthleteSettings:
    """The settings the form describes (keys of :data:`FIELDS`, in ``units``).

    An empty athlete value means unknown (the default is used); an empty goal
    value keeps the stored one; an empty date clears the goal date. A field left
    as the form showed it keeps its exact stored value (no rounding through feet
    or miles). Raises SettingsError naming the field, the value and the range.
    """
    shown = form_values(current, units)
    kept = {key for key in FIELDS if _same(values.get(key), shown[key])}
    stored = {"hr_max": current.hr_max_bpm, "hr_rest": current.hr_rest_bpm, "lthr": current.lthr_bpm,
              "pace": current.threshold_pace_s_per_km, "weight": current.weight_kg, "goal_ascent": current.goal.ascent_m,
              "goal_distance": current.goal.distance_m, "goal_hours": current.goal.time_limit_h,
              "goal_loops": current.goal.loops}

    def number(key: str) -> float | int | None:
        if key in kept:
            return stored[key]
        value = read_number(key, values.get(key), units)
        return stored[key] if value is None and key.startswith("goal_") else value

    date = values.get("goal_date")
    try:
        date = parse_day(date, "Goal date") if date not in (None, "") else None
    except TrainlogError as exc:
        raise SettingsError(str(exc)) from None
    name = values.get("goal_name")
    if name is None or (isinstance(name, str) and not name.strip()):
        name = current.goal.name
    elif isinstance(name, str):
        name = name.strip()
    timezone = values.get("timezone")
    if isinstance(timezone, str):
        timezone = timezone.strip() or None
    sport = values.get("default_sport")
    sport = sport.strip().lower() if isinstance(sport, str) and sport.strip() else AthleteSettings().default_sport
    # an edit, not a rebuild: values the form does not show (ftp_w, start_ctl, start_atl, the dated changes, the
    # model) are kept
    return edited(current, {
        "sex": values["sex"].strip().lower() or None if isinstance(values.get("sex"), str) else None,
        "hr_max_bpm": number("hr_max"),
        "hr_rest_bpm": number("hr_rest"),
        "lthr_bpm": number("lthr"),
        "threshold_pace_s_per_km": number("pace"),
        "weight_kg": number("weight"),
        "timezone": timezone,
        "default_sport": sport,
        "goal.name": name, "goal.date": date, "goal.ascent_m": number("goal_ascent"),
        "goal.distance_m": number("goal_distance"), "goal.time_limit_h": number("goal_hours"),
        "goal.loops": number("goal_loops"),
    })


def moment_text(moment: str | None, timezone: str | None) -> str:
    """An ISO UTC moment as the page shows it: ``"Sun 15 Mar 2026 10:42"`` in ``timezone`` (the machine's zone
    when None or unknown); a dash when there is none."""
    if not moment:
        return u.DASH
    try:
        when = dt.datetime.fromisoformat(moment)
    except ValueError:
        return u.DASH
    try:
        zone = zoneinfo.ZoneInfo(timezone) if timezone else None
    except (ValueError, zoneinfo.ZoneInfoNotFoundError):
        zone = None
    when = (when if when.tzinfo else when.replace(tzinfo=dt.UTC)).astimezone(zone)
    return f"{u.fmt_day(when.date())} {when:%H:%M}"


def watched_folders(rows: list[dict], athlete: str, timezone: str | None) -> html.Section:
    """The folders ``trainlog watch`` imports from (:func:`trainlog.ingest.watch.watch_status`'s rows), each
    with its last import, the last file and its outcome, and when it was last checked."""
    if not rows:
        body: object = html.P(["No folder watched. Run ", html.Code(f"trainlog watch DIR -a {athlete}"), "."],
                              className="note", id="watch-none")
    else:
        def last_file(r: dict) -> str:
            if not r["last_file"]:
                return u.DASH
            return f"{r['last_outcome']}: {r['last_file']}" + (f" ({r['last_detail']})" if r["last_detail"] else "")

        def checked(r: dict) -> str:
            when = moment_text(r["last_scan"], timezone)
            return f"{when}: cannot be read ({r['problem']})" if r["problem"] else when

        body = html.Div(html.Table([
            html.Thead(html.Tr([html.Th(h, scope="col") for h in ("Folder", "Last import", "Last file", "Last checked")])),
            html.Tbody([html.Tr([html.Td(r["path"]), html.Td(moment_text(r["last_import"], timezone)),
                                 html.Td(last_file(r), className=f"watch-wrap outcome-{r['last_outcome'] or 'none'}"),
                                 html.Td(checked(r), className="watch-wrap")]) for r in rows]),
        ], className="plain", id="watch-folders"), className="table-wrap", tabIndex="0", role="region",
            **{"aria-label": "Watched folders (scrolls sideways)"})  # a scrolling region is reached by the keyboard
    return html.Section([html.H2("Watched folders"), body], className="card", id="watch")


def _field(label: str, control: object) -> html.Label:
    return html.Label([label, control])


@shell.guarded("/settings")
def layout(**query: object) -> object:
    v = shell.view(query)
    if v is None:
        return shell.no_data("/settings")
    s = data.get().settings(v.athlete)
    r = s.resolve()
    shown = form_values(s, v.units)

    def num(field_id: str, placeholder: str | None = None) -> dcc.Input:  # text, not type="number": see the module's docstring
        return dcc.Input(id=f"set-{field_id}", type="text", value=shown[field_id], placeholder=placeholder)

    return shell.page("/settings", v, [
        html.H1(f"{v.athlete}: settings", className="title"),
        html.P("Empty fields use the default shown in grey; the dashboard says when defaults are in use.",
               className="note"),
        html.Section([html.H2("Athlete"), html.Div([
            # native inputs (Dash's dropdown and date picker fail screen readers): a text field offering the two words
            _field("Sex for the TRIMP weighting (female, male, or empty for unknown)", dcc.Input(
                id="set-sex", type="text", value=s.sex or "", list="set-sex-options", placeholder="unknown")),
            html.Datalist([html.Option(value="female"), html.Option(value="male")], id="set-sex-options"),
            _field(label("hr_max", v.units), num("hr_max", f"{r.hr_max_bpm:g}")),
            _field(label("hr_rest", v.units), num("hr_rest", f"{r.hr_rest_bpm:g}")),
            _field(label("lthr", v.units), num("lthr", f"{r.lthr_bpm:.0f}")),
            _field(label("pace", v.units), dcc.Input(
                id="set-pace", type="text", value=shown["pace"],
                placeholder=pace_text(r.threshold_pace_s_per_km, v.units))),
            _field(label("weight", v.units), num("weight", "unknown")),
            _field("Time zone (IANA, e.g. America/New_York)", dcc.Input(
                id="set-timezone", type="text", value=s.timezone, placeholder="this computer's")),
            _field("Sport of a GPX or TCX file that names none (e.g. running, hiking)", dcc.Input(
                id="set-default_sport", type="text", value=s.default_sport, list="set-sport-options",
                placeholder=AthleteSettings().default_sport)),
            html.Datalist([html.Option(value=x) for x in SPORT_CHOICES], id="set-sport-options"),
        ], className="form"),
            html.P("These heart rates, threshold pace and weight hold for every day; with dated changes "
                   "(Thresholds over time, below), before the first of them.", className="note"),
        ], className="card"),
        html.Section([html.H2("Goal race"), html.Div([
            _field("Name", dcc.Input(id="set-goal_name", type="text", value=shown["goal_name"])),
            _field("Date, local start (empty: no date)", dcc.Input(
                id="set-goal_date", type="date", value=shown["goal_date"] or "")),
            _field(label("goal_ascent", v.units), num("goal_ascent")),
            _field(label("goal_distance", v.units), num("goal_distance")),
            _field(label("goal_hours", v.units), num("goal_hours")),
            _field(label("goal_loops", v.units), num("goal_loops")),
        ], className="form")], className="card"),
        html.Button("Save", id="settings-save", className="button primary"),
        html.Div(id="settings-message", className="message", role="status"),
        _thresholds.section(s, v.units),
        watched_folders(data.get().watch_status(v.athlete), v.athlete, s.timezone),
        dcc.Store(id="settings-athlete", data=v.athlete),
        dcc.Store(id="settings-units", data=v.units),  # the units the form was drawn in
    ])


@callback(
    Output("settings-message", "children"),
    Output("settings-message", "className"),
    Input("settings-save", "n_clicks"),
    State("settings-athlete", "data"),
    State("settings-units", "data"),
    *[State(f"set-{name}", "value") for name in FIELDS],
    prevent_initial_call=True,
)
def save(n_clicks: int | None, athlete: str, units: str | None, *values: object) -> tuple[str, str]:
    """Check the form (in ``units``) through trainlog.settings and save it whole; say what is wrong otherwise."""
    source = data.get()
    try:
        settings = settings_from_form(source.settings(athlete), dict(zip(FIELDS, values)), u.system(units))
        source.save_settings(athlete, settings)
    except TrainlogError as exc:  # a bad value, an invalid settings file, a disk that refuses the write
        return f"Not saved: {exc}", "message error"
    return f"Saved {dt.datetime.now():%H:%M:%S}. Every page now uses these values.", "message ok"

"""Thresholds over time, a section of the Settings page (issue 16): the athlete's dated changes, shown and edited.

A threshold test in January changes the heart rates, threshold pace, FTP or weight from that day on, not for the
years before it (:mod:`trainlog.settings.history`): each activity is scored with the values in force on its local
start day, and the plain values (the page's Athlete section) hold before the first change. The section shows the
changes as a table (in the page's units), a form to add one (empty fields: as before; a change on a day that
has one already is merged into it) and a Remove button per change.

What is typed is read by the page's field reader (:func:`dashboards.pages._fields.read_number`: the library's
parsers, a pace per km or per mile as the page's units say, stored per km), applied by
:meth:`trainlog.settings.AthleteSettings.with_change` or :func:`trainlog.settings.history.without`, which build
the settings again and so check them whole (rest < threshold <= max in every period, naming its first day),
and saved by :meth:`dashboards.data.Data.save_settings` (refused with 403 unless the signed-in user may change
the athlete), or not at all: a refusal is one line in the section's status line. The stored analysis and every
cached page are keyed by the settings, so the next page shows the loads scored again.

The form has its own callback (the Athlete and Goal form's ``save`` is left as it is). Dash skips modules whose
name starts with ``_``: this one registers no page; :mod:`dashboards.pages.settings` draws it.
"""

from __future__ import annotations

import datetime as dt

import dash
from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update
from dash.development.base_component import Component

from dashboards import data
from dashboards import units as u
from dashboards.pages._fields import NUMBERS, label, read_number
from trainlog.days import parse_day
from trainlog.errors import SettingsError, TrainlogError, first_line
from trainlog.settings import AthleteSettings
from trainlog.settings.edit import edited
from trainlog.settings.history import without

#: The values of a change, as keys of :data:`dashboards.pages._fields.NUMBERS` (the settings of
#: :data:`trainlog.settings.history.DATED_FIELDS`), in the table's and the form's order.
VALUES = ("hr_max", "hr_rest", "lthr", "pace", "ftp", "weight")
#: Every field of the form, the day first.
FORM = ("from", *VALUES)
#: The table's column headings.
HEADINGS = {"hr_max": "Max HR", "hr_rest": "Resting HR", "lthr": "Threshold HR", "pace": "Threshold pace",
            "ftp": "FTP", "weight": "Weight"}


def value_text(key: str, value: float | None, units: str) -> str:
    """One value as the table shows it: ``"172 bpm"``, ``"4:20 /km"`` (per mile in imperial), ``"250 W"``,
    ``"61.5 kg"``; a dash for None."""
    if value is None:
        return u.DASH
    if key == "pace":
        return u.fmt_pace(value, units)
    return f"{value:g} {'bpm' if key in ('hr_max', 'hr_rest', 'lthr') else 'W' if key == 'ftp' else 'kg'}"


def _plain(s: AthleteSettings, key: str, units: str) -> str:
    """A plain value of ``s`` (what holds before the first change), the default in use when there is none."""
    value = getattr(s, NUMBERS[key][1])
    if value is not None:
        return value_text(key, value, units)
    if key in ("ftp", "weight"):
        return "not set"
    r = s.resolve()
    default = {"hr_max": r.hr_max_bpm, "hr_rest": r.hr_rest_bpm, "lthr": round(r.lthr_bpm),
               "pace": r.threshold_pace_s_per_km}[key]
    return f"{value_text(key, default, units)} (default)"


def history_table(s: AthleteSettings, units: str) -> Component:
    """The plain values ("For every day", or "Before" the first change's day) and one row per dated change with the
    values it sets (a dash: as before) and its Remove button."""
    first = s.thresholds[0].from_date if s.thresholds else None
    plain = html.Tr([html.Th("For every day" if first is None else f"Before {u.fmt_day(first)}", scope="row"),
                     *(html.Td(_plain(s, key, units)) for key in VALUES), html.Td(u.DASH)])
    rows = [plain]
    for change in s.thresholds:
        day = u.fmt_day(change.from_date)
        rows.append(html.Tr([
            html.Th(f"From {day}", scope="row"),
            *(html.Td(value_text(key, getattr(change, NUMBERS[key][1]), units)) for key in VALUES),
            html.Td(html.Button("Remove", id={"type": "thr-remove", "day": change.from_date.isoformat()},
                                className="button small", **{"aria-label": f"Remove the change from {day}"})),
        ]))
    table = html.Table([
        html.Caption("Values in force, by day: each change holds from its day on (a dash: as before).",
                     className="visually-hidden"),
        html.Thead(html.Tr([html.Th("Holds", scope="col"), *(html.Th(HEADINGS[k], scope="col") for k in VALUES),
                            html.Th("Change", scope="col")])),
        html.Tbody(rows),
    ], className="plain", id="thr-history")
    note = None if s.thresholds else html.P(
        "No dated changes: these values hold for every day. After a threshold test, add one below.",
        className="note", id="thr-none")
    return html.Div([html.Div(table, className="table-wrap", tabIndex="0", role="region",
                              **{"aria-label": "Thresholds over time (scrolls sideways)"}), note])


def section(s: AthleteSettings, units: str) -> html.Section:
    """The section: the table of changes, the form adding one, and its status line."""
    def field(key: str) -> html.Label:
        return html.Label([label(key, units), dcc.Input(id=f"thr-{key}", type="text", value="",
                                                        placeholder="as before")])

    return html.Section([
        html.H2("Thresholds over time"),
        html.P("Each activity is scored with the values in force on its local start day: a change from a day on "
               "scores the runs from that day again and leaves the earlier ones as they were.", className="note"),
        html.Div(history_table(s, units), id="thr-table"),
        html.H3("Add a change"),
        html.Div([
            html.Label(["From (the first local day it holds)", dcc.Input(id="thr-from", type="date", value="")]),
            *(field(key) for key in VALUES),
        ], className="form"),
        html.Button("Save the change", id="thr-add", className="button"),
        html.P("", id="thr-message", role="status", className="message", **{"aria-live": "polite"}),
        dcc.Store(id="thr-focus", storage_type="memory"),
    ], className="card", id="thresholds")


def read_change(values: dict, units: str) -> tuple[dt.date, dict[str, float]]:
    """The form's day and the values typed (setting name -> value in the stored unit; empty fields left out);
    SettingsError or InvalidValue (one line) for a missing day, a value that does not read or is out of range,
    or nothing typed."""
    raw = values.get("from")
    if raw is None or not str(raw).strip():
        raise SettingsError("give the first day the change holds from")
    day = parse_day(raw, "From date")
    typed = {NUMBERS[key][1]: read_number(key, values.get(key), units) for key in VALUES}
    typed = {name: value for name, value in typed.items() if value is not None}
    if not typed:
        raise SettingsError(f"type at least one value to change from {day} (max, resting or threshold heart rate, "
                            f"threshold pace, FTP, weight)")
    return day, typed


def _name(key: str) -> str:
    """A field's name within a sentence: ``"threshold heart rate"``, ``"FTP"``."""
    name = NUMBERS[key][0]
    return name if name[:2].isupper() else name[0].lower() + name[1:]


def _answer(athlete: str, units: str, message: str, error: bool, clear: bool = False) -> tuple:
    """The callback's outputs: the table drawn again from the saved settings, the status line and its class, and
    the form's fields (emptied after a change was saved, else as typed)."""
    try:
        table: object = history_table(data.get().settings(athlete), units)
    except TrainlogError:  # a settings file that does not read: the message says so, the table stays
        table = no_update
    fields = [""] * len(FORM) if clear else [no_update] * len(FORM)
    return (table, message, "message error" if error else "message ok", *fields)


def add_change(athlete: str, units: str | None, values: dict) -> tuple:
    """Save the change the form describes (keys of :data:`FORM`, in ``units``), merged into a change of the same
    day; nothing saved and one line for a bad value or settings that do not hold together."""
    units = u.system(units)
    source = data.get()
    try:
        day, typed = read_change(values, units)
        source.save_settings(athlete, source.settings(athlete).with_change(day, typed))
    except TrainlogError as exc:
        return _answer(athlete, units, f"Not saved: {first_line(exc)}", True)
    said = ", ".join(f"{_name(key)} {value_text(key, typed[NUMBERS[key][1]], units)}"
                     for key in VALUES if NUMBERS[key][1] in typed)
    return _answer(athlete, units, f"Saved from {u.fmt_day(day)}: {said}. Runs from that day on are scored with "
                                   f"these values; earlier runs keep their load.", False, clear=True)


def remove_change(athlete: str, units: str | None, day: object) -> tuple:
    """Remove the change of ``day`` (ISO text, from the pressed button's id); one line when there is none."""
    units = u.system(units)
    source = data.get()
    try:
        when = parse_day(day, "change date")
        current = source.settings(athlete)
        source.save_settings(athlete, edited(current, {"thresholds": without(current.thresholds, when)}))
    except TrainlogError as exc:
        return _answer(athlete, units, f"Not removed: {first_line(exc)}", True)
    return _answer(athlete, units, f"Removed the change from {u.fmt_day(when)}: runs from that day on are scored "
                                   f"with the values before it.", False)


@callback(
    Output("thr-table", "children"),
    Output("thr-message", "children"),
    Output("thr-message", "className"),
    *[Output(f"thr-{key}", "value") for key in FORM],
    Input("thr-add", "n_clicks"),
    Input({"type": "thr-remove", "day": ALL}, "n_clicks"),
    State("settings-athlete", "data"),
    State("settings-units", "data"),
    *[State(f"thr-{key}", "value") for key in FORM],
    prevent_initial_call=True,
)
def change(add_clicks: int | None, remove_clicks: list[int | None], athlete: str, units: str | None,
           *values: object) -> tuple:
    """The form's button or a Remove button was pressed: save the change or remove one, and draw the table again."""
    pressed = ctx.triggered_id
    if not ctx.triggered or not ctx.triggered[0].get("value"):  # Remove buttons drawn again, none pressed
        raise dash.exceptions.PreventUpdate
    if pressed == "thr-add":
        return add_change(athlete, units, dict(zip(FORM, values)))
    if isinstance(pressed, dict) and pressed.get("type") == "thr-remove":
        return remove_change(athlete, units, pressed.get("day"))
    raise dash.exceptions.PreventUpdate


# A Remove button pressed is drawn away with its row: focus, left on the page's body, goes to the table instead
# (keyboard users stay where they were; the status line says what happened).
dash.clientside_callback(
    "function (message) { setTimeout(function () { var a = document.activeElement; if (!a || a === document.body) { "
    "var t = document.querySelector('#thr-table [role=region]'); if (t) { t.focus(); } } }, 0); "
    "return window.dash_clientside.no_update; }",
    Output("thr-focus", "data"), Input("thr-message", "children"), prevent_initial_call=True)

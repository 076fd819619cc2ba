"""The morning check-in and the day's readiness, a section of the Today page (issue 16).

Phone first, about 15 seconds: last night's sleep in hours, sleep quality, soreness, fatigue and mood (native
selects with the words of :data:`trainlog.store.wellness.FIELDS`), resting HR and HRV (optional: a watch may bring
them), ill or injured (a native checkbox), a note; one Save button and a status line a screen reader hears. The
check-in is for the page's day (the header's day control); the form shows what that day holds already, and the
Readiness card beside it the day's signals (:func:`trainlog.analysis.readiness.day_readiness` through
:mod:`dashboards.data`): each flag's sentence styled by its level, or how many mornings a baseline still needs.

Dash keeps no ``html.Select``'s choice and has no checkbox but the Checklist (which fails axe-core): a press of
Save runs a small browser-side function that reads each field from the page (the checkbox's ``checked``) into a
``dcc.Store``, whose change runs :func:`save_check_in`; another sets the checkbox as the day's entry left it when
the section is drawn. What is typed is read here (:func:`read_form`: hours as 7.5 or 7:30, numbers) and checked by
the library (one line, nothing saved); :meth:`dashboards.data.Data.check_in` refuses (HTTP 403) an athlete the
signed-in user may not change. Dash skips modules whose name starts with ``_``: this one registers no page;
:mod:`dashboards.pages.today` draws it.
"""

from __future__ import annotations

import datetime as dt
import json

import dash
from dash import Input, NoUpdate, Output, State, callback, dcc, html, no_update
from dash.development.base_component import Component

from dashboards import data, forms, glossary, readings, shell
from dashboards import units as u
from dashboards import wellness_words as words
from dashboards.readings import Tone
from trainlog.days import parse_day
from trainlog.errors import InvalidValue, TrainlogError, first_line
from trainlog.settings.parse import parse_number
from trainlog.store.wellness import FIELDS, MAX_NOTE_CHARS, parse_hours
from trainlog.text import quoted

#: The form's element ids, by field (the reader sends each value under the field's name).
IDS = {"sleep_h": "checkin-sleep", "sleep_quality": "checkin-sleep-quality", "soreness": "checkin-soreness",
       "fatigue": "checkin-fatigue", "mood": "checkin-mood", "resting_hr_bpm": "checkin-resting-hr",
       "hrv_rmssd_ms": "checkin-hrv", "illness": "checkin-ill", "note": "checkin-note"}
#: The labels (each control has one; the unit in brackets).
LABELS = {"sleep_h": "Sleep (hours)", "sleep_quality": "Sleep quality", "soreness": "Soreness", "fatigue": "Fatigue",
          "mood": "Mood", "resting_hr_bpm": "Resting HR (bpm)", "hrv_rmssd_ms": "HRV, rMSSD (ms)",
          "illness": "Ill or injured", "note": "Note"}
SELECTS = ("sleep_quality", "soreness", "fatigue", "mood")
NUMBERS = ("resting_hr_bpm", "hrv_rmssd_ms")
NOT_GIVEN = "not given"
UNKNOWN = "This check-in's day or athlete is not known here; reload the page."


def _select(column: str, value: int | None) -> html.Select:
    """A native select of a 1-5 scale with its words (``"2 – mild"``), blank for not given; ``value`` chosen."""
    chosen = "" if value is None else str(int(value))
    options = [("", NOT_GIVEN)] + [(str(n), f"{n} – {w}") for n, w in enumerate(FIELDS[column].words, start=1)]
    return html.Select([html.Option(label, value=v, selected=v == chosen) for v, label in options],
                       id=IDS[column], name=IDS[column])


def _number(value: float | None) -> str:
    return "" if value is None else f"{round(value, 2):g}"


def form_section(values: dict) -> list[Component]:
    """The check-in's fields, filled with the day's ``values`` (a field of FIELDS -> value or None)."""
    fields = [forms.field(LABELS["sleep_h"], dcc.Input(id=IDS["sleep_h"], type="text", inputMode="decimal",
                                                       value=_number(values["sleep_h"]),
                                                       autoComplete="off"))]
    fields += [forms.field(LABELS[c], _select(c, values[c])) for c in SELECTS]
    fields += [forms.field(LABELS[c], dcc.Input(id=IDS[c], type="text", inputMode="decimal", value=_number(values[c]),
                                                autoComplete="off")) for c in NUMBERS]
    ill = html.Div([dcc.Input(id=IDS["illness"], type="checkbox", value="ill"),
                    html.Label(LABELS["illness"], htmlFor=IDS["illness"])], className="field check")
    return [
        html.Div([*fields, ill], className="form checkin-form"),
        html.Div(forms.field(LABELS["note"], dcc.Textarea(id=IDS["note"], value=values["note"] or "", rows=2,
                                                          maxLength=MAX_NOTE_CHARS)), className="form wide"),
        html.Button("Save check-in", id="checkin-save", type="button", n_clicks=0, className="button primary"),
        forms.status("checkin-status"),
        forms.store("checkin-form"),
    ]


def _hrv_tone(hrv: dict) -> Tone:
    return {"below normal": Tone.BAD, "above normal": Tone.WARN, "normal": Tone.GOOD}.get(hrv["status"], Tone.NONE)


def readiness_panel(r: dict) -> list[Component]:
    """The Readiness card of a day (:meth:`dashboards.data.Data.readiness`): the level, HRV and resting HR as figure
    cards, each flag's sentence (level in words, styled like the warnings) and what the day's check-in holds."""
    hrv, rhr, values = r["baselines"]["hrv"], r["baselines"]["resting_hr"], r["values"]
    today = f"today {values['hrv_rmssd_ms']:.0f} ms; " if values["hrv_rmssd_ms"] is not None else ""
    rhr_flag = any(f["key"] == "resting_hr_high" for f in r["flags"])
    stats = html.Div([
        shell.stat("Readiness", words.level_words(r), "today-readiness-level", tone=words.level_tone(r["level"]),
                   explain=glossary.card("readiness")),
        shell.stat("HRV, 7-day average", u.DASH if hrv["mean_7d_ms"] is None else f"{hrv['mean_7d_ms']:.0f} ms",
                   "today-hrv", today + words.hrv_words(hrv), tone=_hrv_tone(hrv), explain=glossary.card("hrv")),
        shell.stat("Resting HR", u.DASH if values["resting_hr_bpm"] is None else f"{values['resting_hr_bpm']:.0f} bpm",
                   "today-resting-hr", words.resting_hr_words(rhr), tone=Tone.WARN if rhr_flag else Tone.NONE,
                   explain=glossary.card("resting_hr")),
    ], className="stats")
    if r["flags"]:
        flags = html.Ul([html.Li([html.Strong(f"{words.LEVEL_WORDS[f['level']].capitalize()}: "), f["text"]],
                                 className=f"readiness-flag {f['level']}") for f in r["flags"]],
                        id="today-readiness-flags", className="readiness-flags")
    else:
        flags = html.P("Nothing to flag this morning." if r["checked_in"] else "No flags: nothing entered for this day.",
                       id="today-readiness-flags")
    said = (f"Entered for {u.fmt_day(r['date'])}: {words.values_words(values)}." if r["checked_in"]
            else f"No check-in for {u.fmt_day(r['date'])} yet.")
    return [html.H2("Readiness"), stats, flags, html.P(said, id="today-wellness-values", className="note")]


def checkin_day(v: shell.View) -> dt.date:
    """The morning a check-in is for: the view's day, except when the page fell back to the last day with training
    (no day in the URL, old data): a check-in is always this morning's then (an athlete off training, ill say,
    still checks in today)."""
    return v.today if v.as_of_default and v.stale and v.today is not None else v.as_of


def section(v: shell.View) -> html.Div:
    """The check-in form and the Readiness card of :func:`checkin_day`, side by side (one above the other on a
    phone)."""
    day_of = checkin_day(v)
    try:
        r = data.get().readiness(v.athlete, day_of)
    except TrainlogError as exc:  # a damaged wellness table: Today still shows the rest
        return html.Section([html.H2("Morning check-in"),
                             html.P(first_line(exc), id="checkin-error", className="message error")], className="card")
    day = readings.day_words(day_of, readings.day_role(day_of, v.today, v.last_day))
    return html.Div([
        html.Section([
            html.H2(["Morning check-in ", html.Small(f"for {day}")]),
            html.P("Last night and this morning; resting HR and HRV if you measure them.", className="note"),
            *form_section(r["values"]),
            dcc.Store(id="checkin-day", data={"athlete": v.athlete, "day": day_of.isoformat(),
                                              "ill": bool(r["values"]["illness"])}),
        ], id="checkin", className="card checkin"),
        html.Section([
            html.Div(readiness_panel(r), id="today-readiness"),
            dcc.Link("Wellness over time", href=shell.href("/wellness", v.query), id="today-wellness-link"),
        ], className="card"),
    ], className="grid checkin-grid")


def read_form(form: object, before: dict) -> dict:
    """The values the reader sent (text; the checkbox a bool) as the fields' values (None: not given): sleep as
    hours (7.5, 7,5 or 7:30), the scales and numbers as numbers (the library checks their ranges). Unticking "ill
    or injured", or emptying the note, clears what ``before`` (the day's values) held; InvalidValue or SettingsError
    (one line) for what cannot be read, and when nothing is given."""
    values: dict[str, object] = {}
    sleep = forms.text_of(form, "sleep_h")
    try:
        values["sleep_h"] = parse_hours(sleep) if sleep else None
    except ValueError:
        raise InvalidValue(f"sleep {quoted(sleep)} is not hours (7.5 or 7:30)") from None
    for column in (*SELECTS, *NUMBERS):
        values[column] = parse_number(forms.text_of(form, column), FIELDS[column].label)
    for column in ("sleep_h", *NUMBERS):  # shown rounded: the text as shown keeps the exact value (a watch's 7.2833 h)
        if before.get(column) is not None and forms.text_of(form, column) == _number(before[column]):
            values[column] = before[column]
    ill = form.get("illness") if isinstance(form, dict) else None
    values["illness"] = True if ill is True else False if before.get("illness") else None
    note = forms.text_of(form, "note")
    values["note"] = note or ("" if before.get("note") else None)
    if all(v is None for v in values.values()):
        raise InvalidValue("fill in at least one field first")
    return values


def _which(which: object) -> tuple[str, dt.date] | None:
    """``(athlete, day)`` of the section's ``checkin-day`` store; None when they are not text or not a day. The
    athlete is not checked here: :meth:`dashboards.data.Data.check_in` refuses (HTTP 403) whom the user may not change."""
    which = which if isinstance(which, dict) else {}
    athlete, day = which.get("athlete"), which.get("day")
    if not isinstance(athlete, str) or not isinstance(day, str):
        return None
    try:
        return athlete, parse_day(day, "day")
    except TrainlogError:
        return None


def apply_check_in(form: object, which: object) -> tuple[str, str, list[Component] | NoUpdate]:
    """Save the check-in the form sent for the athlete and day of ``which``: the status line's words and class, and
    the Readiness card drawn again. A bad value is one line and saves nothing; PermissionError (HTTP 403, nothing
    written) unless the signed-in user may change the athlete."""
    known = _which(which)
    if known is None:
        return UNKNOWN, forms.status_class(UNKNOWN, True), no_update
    athlete, day = known
    source = data.get()
    try:
        values = read_form(form, source.readiness(athlete, day)["values"])
        changed = source.check_in(athlete, day, values)
    except TrainlogError as exc:
        message = f"Not saved: {first_line(exc)}"
        return message, forms.status_class(message, True), no_update
    given = {c: v for c, v in values.items() if v is not None}
    message = (f"Saved for {u.fmt_day(day)}: {words.values_words(given)}." if changed
               else f"Nothing changed: {u.fmt_day(day)} already holds these values.")
    return message, forms.status_class(message, False), readiness_panel(source.readiness(athlete, day))


#: On a press of Save: every field's value into the ``checkin-form`` store (the checkbox's checked state).
_READ = ("function (n) { if (!n) { return window.dash_clientside.no_update; } var out = {pressed: n}; "
         f"var f = {json.dumps(IDS)}; Object.keys(f).forEach(function (k) {{ var el = document.getElementById(f[k]); "
         "out[k] = !el ? null : (el.type === 'checkbox' ? el.checked : el.value); }); return out; }")
#: When the section is drawn: the checkbox ticked as the day's entry left it (Dash sets no ``checked``).
_TICK = ("function (which) { var tick = function (tries) { var el = document.getElementById("
         f"{json.dumps(IDS['illness'])}); if (el) {{ el.checked = !!(which && which.ill); }} "
         "else if (tries > 0) { window.setTimeout(function () { tick(tries - 1); }, 50); } }; tick(20); "
         "return window.dash_clientside.no_update; }")
dash.clientside_callback(_READ, Output("checkin-form", "data"), Input("checkin-save", "n_clicks"),
                         prevent_initial_call=True)
dash.clientside_callback(_TICK, Output(IDS["illness"], "name"), Input("checkin-day", "data"))


@callback(
    Output("checkin-status", "children"),
    Output("checkin-status", "className"),
    Output("today-readiness", "children"),
    Input("checkin-form", "data"),
    State("checkin-day", "data"),
    prevent_initial_call=True,
)
def save_check_in(form: object, which: object) -> tuple[str, str, list[Component] | NoUpdate]:
    """Save check-in was pressed (the form's values read in the browser): save them, say so, show the readiness."""
    return apply_check_in(form, which)

"""One activity: its figures, elevation profile, pace and GAP, heart rate, laps and track;
whether its ascent is suspect and why, and the athlete's choices (exclude it from the goal,
confirm its ascent), recorded through :mod:`trainlog.store.choices`; how it went (the athlete's
session RPE, feel and note) and the comments (issue 16), through :mod:`trainlog.store.entries`.

Who may write what is :mod:`dashboards.data`'s rule, whatever the browser sends: the athlete rates
(a coach reads the rating and comments as themself); a session entered by hand has no recording,
so no graphs, and says so."""

from __future__ import annotations

import re

import dash
import plotly.graph_objects as go
import polars as pl
from dash import ALL, Input, NoUpdate, Output, State, callback, ctx, dcc, html, no_update
from dash.development.base_component import Component

from dashboards import data, figures, forms, glossary, readings, shell
from dashboards import units as u
from trainlog.errors import TrainlogError, first_line
from trainlog.settings import ModelSettings
from trainlog.store.entries import MAX_TEXT_CHARS
from trainlog.words import MANUAL_SOURCE

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
    settings = source.settings(v.athlete)
    rating, said = source.activity_entries(v.athlete, activity_id)
    recorded = [
        html.Div([
            html.Section(shell.graph(figures.elevation_profile(samples, units), "activity-elevation"), className="card"),
            html.Section(shell.graph(figures.pace_gap(samples, units), "activity-pace"), className="card"),
            html.Section(shell.graph(figures.heart_rate(samples), "activity-heart-rate"), className="card"),
            html.Section([
                html.Button(MAP_LABELS[False], id="track-map", type="button", className="button small",
                            **{"aria-pressed": "false"}),
                shell.graph(figures.track(samples), "activity-track"),
            ], className="card"),
        ], className="grid"),
        _laps(laps, units),
    ] if not by_hand(a) else []
    typed = [html.Section([
        html.H2("Entered by hand"),
        html.P("This session was entered by hand: there is no recording, so no elevation profile, pace, heart rate, "
               "laps or track. Its load comes from its RPE when it is rated, else from its duration.", className="note"),
    ], id="activity-by-hand", className="card")] if by_hand(a) else []
    return shell.page("/activities", v, here=f"/activity/{activity_id}", children=[
        html.H1(readings.run_name(a), className="title"),
        *([html.P(a["description"], className="note", id="activity-description")] if a.get("description") else []),
        html.P(" · ".join(x for x in (a["sub_sport"], a["device_manufacturer"], a["device_product"],
                                      shell.file_name(a["source_file"])) if x), className="note", id="activity-source"),
        html.Section(stats(a, units), id="activity-stats", className="card"),
        *typed,
        html.Section(choices_box(a, settings.model, units), id="activity-choices", className="card"),
        html.Section(rating_box(rating, v.athlete, source.may_rate(v.athlete)), id="activity-rating", className="card"),
        html.Section(comments_box(said, settings.timezone, source.author(v.athlete)), id="activity-comments",
                     className="card"),
        dcc.Store(id="track-activity", data={"athlete": v.athlete, "activity_id": activity_id, "units": units}),
        *recorded,
    ])


def by_hand(a: dict) -> bool:
    """Whether the activity was entered by hand (no file, no samples: :mod:`trainlog.ingest.manual`)."""
    return a.get("source_file") == MANUAL_SOURCE


def stats(a: dict, units: str) -> html.Div:
    """The activity's figure cards; a rated run's session-RPE load beside its load (unless the load is it).
    A session entered by hand shows what was entered (no pace, heart rate or track totals to show)."""
    manual = by_hand(a)
    cards = [
        shell.stat("Distance", u.fmt_distance(a["distance_m"] if a["distance_m"] or not manual else None, units, 2),
                   "activity-distance", explain=glossary.card("activity_distance")),
        shell.stat("Elapsed", u.fmt_duration(a["elapsed_s"]), "activity-elapsed",
                   "entered by hand" if manual else f"moving {u.fmt_duration(a['moving_s'])}",
                   explain=glossary.card("elapsed")),
        shell.stat("Ascent", u.fmt_elevation(a["ascent_device_m"] if manual else a["ascent_m"], units),
                   "activity-ascent", "entered by hand" if manual else
                   f"descent {u.fmt_elevation(a['descent_m'], units)} · {_ascent_sources(a, units)}",
                   explain=glossary.card("activity_ascent")),
        None if manual else shell.stat("Grade-adjusted pace", u.fmt_pace(a["gap_s_per_km"], units), "activity-gap",
                                       f"km-effort {u.number(a['km_effort'], 1)}", explain=glossary.card("gap")),
        shell.stat("Load", u.number(a["load"]), "activity-load", readings.load_from(a["load_source"]),
                   explain=glossary.card("load")),
        shell.stat("Session-RPE load", u.number(a["load_rpe"]), "activity-load-rpe",
                   f"RPE {a['rpe']:g} × {u.number((a['moving_s'] or 0) / 60)} moving min",
                   explain=glossary.card("load_rpe"))
        if a.get("rpe") is not None and a.get("load_rpe") is not None and a["load_source"] != "rpe" else None,
        None if manual else shell.stat("Heart rate", f"{u.number(a['avg_hr_bpm'])} bpm", "activity-hr",
                                       f"max {u.number(a['max_hr_bpm'])} bpm", explain=glossary.card("heart_rate")),
    ]
    return html.Div([c for c in cards if c is not None], className="stats")


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


# ---- how it went (the athlete's rating) and the comments (issue 16)

def rating_words(rating: dict) -> str:
    """``"RPE 7 (very hard), feel 4 (strong), a note"``: what a rating holds, in words."""
    return ", ".join([f"RPE {forms.rpe_text(rating['rpe'])}" if rating.get("rpe") is not None else "no RPE",
                      f"feel {forms.feel_text(rating['feel'])}" if rating.get("feel") is not None else "no feel",
                      "a note" if rating.get("note") else "no note"])


def rating_box(rating: dict, athlete: str, may_rate: bool) -> list[Component]:
    """"How it went": the RPE, feel and note as a form for whoever rates (the athlete, or anyone without sign-in),
    else (a coach) the athlete's rating as text and whose it is."""
    head = html.H2("How it went")
    if not may_rate:
        note = rating.get("note")
        return [
            head,
            html.P(f"RPE {forms.rpe_text(rating.get('rpe'))}, feel {forms.feel_text(rating.get('feel'))}."
                   if rating.get("rpe") is not None or rating.get("feel") is not None
                   else f"{athlete} has not rated this session yet.", id="rating-summary"),
            html.P([html.Strong(f"{athlete}'s note: "), html.Span(note, className="comment-text")], id="rating-note")
            if note else None,
            html.P(f"The rating is {athlete}'s: only {athlete}, signed in, rates the session. You may comment below.",
                   id="rating-whose", className="note"),
            glossary.details("rpe"),
        ]
    return [
        head,
        html.P("Rate the whole session about half an hour after it; the RPE gives it a session-RPE load beside its "
               "heart-rate load.", className="note"),
        html.Div([forms.field("Session RPE (0–10)", forms.rpe_select("rate-rpe", rating.get("rpe"))),
                  forms.field("Feel", forms.feel_select("rate-feel", rating.get("feel")))], className="form"),
        html.Div(forms.field("Note", dcc.Textarea(id="rate-note", value=rating.get("note") or "", rows=3,
                                                  maxLength=MAX_TEXT_CHARS)), className="form wide"),
        html.Button("Save rating", id="rate-save", type="button", n_clicks=0, className="button primary"),
        forms.status("rate-status"),
        forms.store("rate-form"),
        glossary.details("rpe"),
    ]


def comment_list(said: pl.DataFrame, timezone: str | None) -> Component:
    """The comments, oldest first: author, local time (the athlete's zone) and text (as text, line breaks kept)."""
    if said.is_empty():
        return html.P("No comments yet.", className="note", id="comments-none")
    return html.Ol([
        html.Li([html.P([html.Strong(r["author"]), " · ",
                         html.Time(u.fmt_moment(r["at"], timezone), dateTime=r["at"].isoformat())],
                        className="comment-head"),
                 html.P(r["text"], className="comment-text")], className="comment")
        for r in said.iter_rows(named=True)
    ], className="comments", id="comments-list")


def comments_box(said: pl.DataFrame, timezone: str | None, author: str) -> list[Component]:
    """The "Comments" card: the comments and a form to add one as ``author`` (the signed-in user)."""
    return [
        html.H2("Comments"),
        html.Div(comment_list(said, timezone), id="comment-list"),
        html.Div(forms.field(f"Your comment (as {author})", dcc.Textarea(id="comment-text", value="", rows=3,
                                                                          maxLength=MAX_TEXT_CHARS)),
                 className="form wide"),
        html.Button("Add comment", id="comment-add", type="button", n_clicks=0, className="button primary"),
        forms.status("comment-status"),
        forms.store("comment-form"),
    ]


def _which(which: object) -> tuple[str, str, str] | None:
    """``(athlete, activity id, units)`` of the page's ``track-activity`` store, None when they are not text or
    not an id. The athlete is not checked here: :mod:`dashboards.data` refuses (HTTP 403) whom the user may not see."""
    which = which if isinstance(which, dict) else {}
    athlete, activity_id = which.get("athlete"), which.get("activity_id")
    if not isinstance(athlete, str) or not isinstance(activity_id, str) or not ACTIVITY_ID.fullmatch(activity_id):
        return None
    return athlete, activity_id, u.system(which.get("units"))


UNKNOWN = "This activity is not known here; reload the page."


def apply_rating(form: object, which: object) -> tuple[str, str, Component | NoUpdate]:
    """Save the rating the form sent (``{"rpe", "feel", "note"}`` as text; blank clears a value, one not sent is
    kept) for the activity in ``which``: the status line's words (the rating as now kept) and class, and the
    figure cards drawn again (the session-RPE load).

    PermissionError (HTTP 403, nothing written) unless the signed-in user rates the athlete's activities
    (:meth:`dashboards.data.Data.rate`); a bad value is one line and writes nothing."""
    known = _which(which)
    if known is None:
        return UNKNOWN, forms.status_class(UNKNOWN, True), no_update
    athlete, activity_id, units = known
    source = data.get()
    sent = {k: forms.text_of(form, k) for k in ("rpe", "feel", "note")
            if isinstance(form, dict) and isinstance(form.get(k), str)}  # a value not sent is kept
    try:
        parse = {"rpe": forms.parse_rpe, "feel": forms.parse_feel, "note": lambda text: text or None}
        changed = source.rate(athlete, activity_id, **{k: parse[k](text) for k, text in sent.items()})
    except TrainlogError as exc:
        message = f"Not saved: {first_line(exc)}"
        return message, forms.status_class(message, True), no_update
    found = source.activity(athlete, activity_id)
    rating, _ = source.activity_entries(athlete, activity_id)
    message = f"Saved: {rating_words(rating)}." if changed else "Nothing changed: the rating was already so."
    if changed and found is not None and found[0].get("load_rpe") is not None:
        message += f" Session-RPE load {u.number(found[0]['load_rpe'])}."
    return message, forms.status_class(message, False), stats(found[0], units) if found is not None else no_update


def apply_comment(form: object, which: object) -> tuple[Component | NoUpdate, str, str, str | NoUpdate]:
    """Add the comment the form sent (``{"text"}``) to the activity in ``which``, as the signed-in user (a name the
    browser sends is never read): the comments drawn again, the status line's words and class, and the text box
    emptied. PermissionError (HTTP 403) unless the user may see the athlete; an empty or overlong text is one line."""
    known = _which(which)
    if known is None:
        return no_update, UNKNOWN, forms.status_class(UNKNOWN, True), no_update
    athlete, activity_id, _ = known
    source = data.get()
    try:
        source.comment(athlete, activity_id, forms.text_of(form, "text"))
    except TrainlogError as exc:
        message = f"Not added: {first_line(exc)}"
        return no_update, message, forms.status_class(message, True), no_update
    _, said = source.activity_entries(athlete, activity_id)
    message = f"Comment added as {source.author(athlete)}."
    return comment_list(said, source.settings(athlete).timezone), message, forms.status_class(message, False), ""


forms.reader("rate-save", "rate-form", {"rpe": "rate-rpe", "feel": "rate-feel", "note": "rate-note"})
forms.reader("comment-add", "comment-form", {"text": "comment-text"})


@callback(
    Output("rate-status", "children"),
    Output("rate-status", "className"),
    Output("activity-stats", "children"),
    Input("rate-form", "data"),
    State("track-activity", "data"),
    prevent_initial_call=True,
)
def save_rating(form: object, which: object) -> tuple[str, str, Component | NoUpdate]:
    """Save rating was pressed (the form's values read in the browser): save them, say so."""
    return apply_rating(form, which)


@callback(
    Output("comment-list", "children"),
    Output("comment-status", "children"),
    Output("comment-status", "className"),
    Output("comment-text", "value"),
    Input("comment-form", "data"),
    State("track-activity", "data"),
    prevent_initial_call=True,
)
def add_comment(form: object, which: object) -> tuple[Component | NoUpdate, str, str, str | NoUpdate]:
    """Add comment was pressed: keep the comment, draw the comments again."""
    return apply_comment(form, which)

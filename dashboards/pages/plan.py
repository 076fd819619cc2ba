"""Plan: the plan to race day (issue 13): race-morning form and fitness, today's advice, the warnings,
the performance-management chart projected to race day, and the plan's weeks, editable.

Everything shown is :func:`trainlog.analysis.plan.report` (through :meth:`dashboards.data.Data.plan_report`),
the numbers ``trainlog plan show --json`` prints. A week is changed in the table (AG Grid, one cell at a
time): the change goes through :func:`trainlog.store.plans.with_week` and is saved whole as a new revision
(source ``"page"``) or not at all; a bad value gets the library's one line and the table shows the stored
plan again. Without a plan, a button generates one from the goal and the history
(:func:`trainlog.analysis.generate.generate`). Only a user who may see the athlete may change the plan:
:meth:`~dashboards.data.Data.check_edit` refuses anyone else with HTTP 403, whatever the browser sends.
"""

from __future__ import annotations

import datetime as dt

import dash
import dash_ag_grid as dag
import polars as pl
from dash import Input, NoUpdate, Output, State, callback, dcc, html, no_update

from dashboards import data, glossary, plan_figures, readings, shell
from dashboards import units as u
from trainlog.analysis.plan import MEASURES
from trainlog.days import clamp_day, parse_day
from trainlog.errors import InvalidValue, TrainlogError, first_line
from trainlog.settings import ModelSettings
from trainlog.store import plans
from trainlog.units import M_PER_FT

dash.register_page(__name__, path="/plan", name="Plan", title="Plan · trainlog", order=8)

PATH = "/plan"
#: Days of real fitness the chart shows before today (at least; from the plan's first week when earlier).
HISTORY_DAYS = 42
#: Editable columns of the weeks table: grid field -> (the plan's week field, the name a message uses).
EDITS = {
    "kind": ("kind", "kind"), "hours": ("planned_hours", "hours"), "ascent": ("planned_ascent_m", "ascent"),
    "descent": ("planned_descent_m", "descent"), "long": ("long_sessions", "long days"),
    "load": ("planned_load", "load"), "note": ("note", "note"),
}
#: Fields typed in the page's elevation unit (feet in imperial), stored in metres.
ELEVATIONS = ("ascent", "descent")
#: When the goal race is over, the page offers to show the plan from this many weeks before it.
LOOK_BACK_WEEKS = 16
PROJECTION = {"date": pl.Date, "ctl": pl.Float64, "atl": pl.Float64, "tsb": pl.Float64}
#: How a revision was saved (:data:`trainlog.store.plans.SOURCES`), in words.
SOURCE_WORDS = {"generate": "generated", "set": "set from the command line", "import": "imported", "page": "edited here"}
#: The weeks table shows a week's Monday as every page shows a date ("Mon 9 Mar 2026"); its data stays ISO.
DAY_FORMAT = "params.value ? d3.utcFormat('%a %-d %b %Y')(d3.utcParse('%Y-%m-%d')(params.value)) : ''"


def _frame(rows: list[dict], schema: dict) -> pl.DataFrame:
    """Report rows (ISO dates) as a frame of ``schema``'s columns, dates as dates."""
    if not rows:
        return pl.DataFrame(schema=schema)
    frame = pl.DataFrame([{k: r.get(k) for k in schema} for r in rows], schema={**schema, "date": pl.String})
    return frame.with_columns(pl.col("date").str.to_date())


def weeks_frame(weeks: list[dict], today: dt.date) -> pl.DataFrame:
    """The report's weeks as :data:`dashboards.plan_figures.WEEK_FRAME` (nothing done for weeks not begun)."""
    rows = [{"week_start": dt.date.fromisoformat(w["week_start"]), "planned_ascent_m": w["planned_ascent_m"],
             "done_ascent_m": w["done_ascent_m"] if w["week_start"] <= today.isoformat() else None,
             "over": w["over"], "colour": w["compliance"]["ascent"]} for w in weeks]
    return pl.DataFrame(rows, schema=plan_figures.WEEK_FRAME)


def _week_measures(w: dict) -> dict:
    """One week in the shape of ``compliance_last_4_weeks`` (for :func:`dashboards.readings.compliance_text`)."""
    return {"weeks": 1, **{m: {"planned": w[p], "done": w[f"done_{k}"], "colour": w["compliance"][m]}
                           for m, p, _, k in MEASURES}}


def rows(weeks: list[dict], units: str, today: dt.date) -> list[dict]:
    """The weeks table's rows: planned figures (editable; elevations in ``units``), what was done and,
    for a week that is over, how it compares with the plan (colour keys ``c_*`` and words)."""
    monday = plans.monday(today).isoformat()
    out = []
    for w in weeks:
        begun = w["week_start"] <= today.isoformat()
        words = readings.compliance_text(_week_measures(w)) if w["over"] else (
            "this week, so far" if begun else "")
        out.append({
            "week": w["week_start"], "kind": w["kind"], "hours": w["planned_hours"],
            "ascent": round(u.elevation(w["planned_ascent_m"], units)),
            "descent": round(u.elevation(w["planned_descent_m"], units)),
            "long": w["long_sessions"], "load": round(w["planned_load"]), "note": w["note"] or "",
            "done_hours": round(w["done_hours"], 1) if begun else None,
            "done_ascent": round(u.elevation(w["done_ascent_m"], units)) if begun else None,
            "done_load": round(w["done_load"]) if begun else None,
            "c_hours": w["compliance"]["hours"], "c_ascent": w["compliance"]["ascent"],
            "c_load": w["compliance"]["load"], "status": words, "this_week": w["week_start"] == monday,
        })
    return out


def _colours(key: str) -> dict:
    return {f"plan-{c}": f"params.data.{key} == '{c}'" for c in readings.COMPLIANCE_WORDS}


def columns(units: str) -> list[dict]:
    """AG Grid columns of the weeks table: the planned figures editable, what was done coloured by compliance."""
    elev = u.elevation_unit(units)
    number = {"editable": True, "cellDataType": "number", "type": "numericColumn"}
    done = {"cellDataType": "number", "type": "numericColumn"}
    return [
        {"field": "week", "headerName": "week of", "pinned": "left", "minWidth": 130, "cellDataType": "text",
         "valueFormatter": {"function": DAY_FORMAT}},
        {"field": "kind", "headerName": "kind", "editable": True, "cellEditor": "agSelectCellEditor",
         "cellEditorParams": {"values": list(plans.WEEK_KINDS)}, "minWidth": 100},
        {"field": "hours", "headerName": "hours", **number},
        {"field": "done_hours", "headerName": "done h", **done, "cellClassRules": _colours("c_hours")},
        {"field": "ascent", "headerName": f"ascent {elev}", **number, "minWidth": 100},
        {"field": "done_ascent", "headerName": f"done {elev}", **done, "cellClassRules": _colours("c_ascent")},
        {"field": "descent", "headerName": f"descent {elev}", **number, "minWidth": 105},
        {"field": "long", "headerName": "long days", **number},
        {"field": "load", "headerName": "load", **number},
        {"field": "done_load", "headerName": "done load", **done, "cellClassRules": _colours("c_load")},
        {"field": "status", "headerName": "against the plan", "minWidth": 260, "cellDataType": "text"},
        {"field": "note", "headerName": "note", "editable": True, "minWidth": 220, "cellDataType": "text"},
    ]


def _grid(weeks: list[dict], units: str, today: dt.date) -> dag.AgGrid:
    return dag.AgGrid(
        id="plan-grid",
        rowData=rows(weeks, units, today),
        columnDefs=columns(units),
        getRowId="params.data.week",
        defaultColDef={"resizable": True, "sortable": False, "minWidth": 84, "flex": 1},
        dashGridOptions={"domLayout": "autoHeight", "singleClickEdit": True, "stopEditingWhenCellsLoseFocus": True,
                         "rowClassRules": {"plan-this-week": "params.data.this_week"}},
        className="ag-theme-quartz plan-grid",
        style={"width": "100%"},
    )


def _message(text: str | None = None, ok: bool = True) -> html.Div:
    return html.Div(text or "", id="plan-message", role="status",
                    className="message " + ("ok" if ok else "error") if text else "message")


def _race_card(rep: dict, model: ModelSettings, units: str, today: dt.date, query: dict) -> html.Section:
    """Race-morning form and fitness, today's advice, the last 4 weeks against the plan, the warnings."""
    race, projection = rep["race"], rep["projection"]
    morning = projection["race_morning"]
    if race is None or morning is None:
        past = None
        if race is not None:  # the race is over (the sample athletes' histories end with theirs): look back at it
            before = (dt.date.fromisoformat(race["date"]) - dt.timedelta(weeks=LOOK_BACK_WEEKS)).isoformat()
            past = [" Or see the plan to ", race["name"], " from ",
                    dcc.Link(f"{LOOK_BACK_WEEKS} weeks before it", href=shell.href(PATH, query, as_of=before),
                             id="plan-look-back"), "."]
        return html.Section([
            html.H2("Race day"),
            html.P(["No race ahead: set the goal's date (after ", u.fmt_day(today), ") in ",
                    dcc.Link("Settings", href=shell.href("/settings", query)), " to plan to race day.", *(past or [])],
                   id="plan-no-race"),
        ], className="card")
    days = (dt.date.fromisoformat(race["date"]) - today).days
    peak = projection["ctl_peak"]
    warnings = [html.Li(readings.plan_warning(w)) for w in projection["warnings"]]
    follows = None if projection["follows"] == "plan" else html.P(
        "No plan yet: the projection follows the last 28 days' pattern.", className="note", id="plan-follows")
    return html.Section([
        html.H2([f"{race['name']} ", html.Small(f"({readings.goal_when(race['date'], days)})")]),
        follows,
        html.Div([
            shell.stat("Race-morning form", readings.signed(morning["tsb"]), "plan-race-tsb",
                       f"target {model.taper_form_min:+g}..{model.taper_form_max:+g}",
                       tone=readings.race_morning_tone(morning["tsb"], model), explain=glossary.card("race_form")),
            shell.stat("Race-morning fitness", u.number(morning["ctl"]), "plan-race-ctl",
                       f"peaks {peak['days_before_race']} day{'' if peak['days_before_race'] == 1 else 's'} before the "
                       f"race ({u.fmt_day(peak['date'])})" if peak else None, explain=glossary.card("race_fitness")),
            shell.stat("Ascent fitness", f"{u.fmt_elevation(morning['ascent_ctl'], units)}/day", "plan-race-ascent",
                       f"descent {u.fmt_elevation(morning['descent_ctl'], units)}/day on race morning",
                       explain=glossary.card("ascent_fitness")),
            shell.stat("Fatigue (ATL)", u.number(morning["atl"]), "plan-race-atl", "on race morning",
                       explain=glossary.card("fatigue")),
        ], className="stats"),
        html.P(readings.advice_line(rep["today"], units), id="plan-advice"),
        html.P(["Last 4 weeks against the plan: ", readings.compliance_text(rep["compliance_last_4_weeks"])],
               id="plan-compliance", className="muted"),
        html.Div(html.Ul(warnings) if warnings else html.P("Nothing to flag: the plan keeps the taper targets."),
                 id="plan-warnings", className="plan-warnings"),
    ], className="card")


def _chart(athlete: str, rep: dict, model: ModelSettings, today: dt.date) -> html.Section:
    source = data.get()
    weeks = rep["weeks"]
    first = min([today - dt.timedelta(days=HISTORY_DAYS)]
                + ([dt.date.fromisoformat(weeks[0]["week_start"])] if weeks else []))
    history = source.daily(athlete, today).filter(pl.col("date").is_between(first, today - dt.timedelta(days=1)))
    projection = rep["projection"]
    race = dt.date.fromisoformat(rep["race"]["date"]) if rep["race"] and projection["race_morning"] else None
    taper = next((dt.date.fromisoformat(w["week_start"]) for w in weeks if w["kind"] == "taper"), None)
    pattern = _frame(projection["pattern_daily"], PROJECTION) if projection["follows"] == "plan" else None
    figure = plan_figures.projection(history.select(list(PROJECTION)), _frame(projection["daily"], PROJECTION),
                                     model, race, projection["race_morning"], taper, pattern)
    return html.Section(shell.graph(figure, "plan-pmc"), className="card")


def _editor(athlete: str, rep: dict, units: str, today: dt.date, query: dict) -> html.Section:
    """The weeks table with how to change it, or the button that generates a plan."""
    goal = data.get().settings(athlete).goal
    ahead = goal.date is not None and goal.date > today
    generate = html.Button("Generate a plan" if rep["revision"] is None else "Generate a new plan from the goal",
                           id="plan-generate", className="button primary") if ahead else None
    if rep["revision"] is None:
        why = (f"No plan yet. trainlog can build one from the goal ({goal.name}, {u.fmt_day(goal.date)}) and the "
               "last 4 weeks: ramping the weekly ascent at most the cap, with recovery weeks, a peak and a taper."
               if ahead else ["No plan yet: set a goal date ahead in ",
                              dcc.Link("Settings", href=shell.href("/settings", query)), " first."])
        return html.Section([html.H2("The plan"), html.P(why, id="plan-none"), generate], className="card")
    race = rep["race"]
    stale = (race["name"], race["date"], race["ascent_m"]) != (goal.name, goal.date and goal.date.isoformat(),
                                                              goal.ascent_m)
    saved = u.fmt_day(u.local_day(rep["saved_at"], data.get().settings(athlete).timezone)) if rep["saved_at"] else u.DASH
    how = SOURCE_WORDS.get(rep["source"], rep["source"])
    return html.Section([
        html.H2(["The plan, week by week ", html.Small(f"(revision {rep['revision']}, {how} on {saved})")]),
        html.P("Click a planned figure, type and press Enter: the plan is checked and saved at once as a new revision. "
               "Changing the hours changes the load in proportion, and the ascent the descent, unless you change "
               "them too. Done figures are coloured once a week is over: green within 80-120 % of the plan, "
               "yellow within 50-150 %, red further off.", className="note"),
        html.Div(_grid(rep["weeks"], units, today), className="table-wrap"),
        html.P("The plan was made for another race than the goal.", className="note") if stale and ahead else None,
        generate if stale else None,
    ], className="card")


def _ascent_card(rep: dict, units: str, today: dt.date) -> html.Section | None:
    if not rep["weeks"]:
        return None
    figure = plan_figures.weekly_ascent(weeks_frame(rep["weeks"], today), units)
    return html.Section(shell.graph(figure, "plan-ascent"), className="card")


def body(athlete: str, today: dt.date, units: str, query: dict, message: html.Div | None = None) -> list:
    """Everything under the title: the message of the last change, race day, the chart, the table, the bars."""
    source = data.get()
    rep = source.plan_report(athlete, today)
    model = source.settings(athlete).model
    return [
        message or _message(),
        _race_card(rep, model, units, today, query),
        _chart(athlete, rep, model, today),
        _editor(athlete, rep, units, today, query),
        _ascent_card(rep, units, today),
    ]


@shell.guarded(PATH)
def layout(**query: shell.QueryValue) -> html.Div:
    v = shell.view(query)
    if v is None:
        return shell.no_data(PATH)
    return shell.page(PATH, v, [
        html.H1(f"{v.athlete}: plan to race day", className="title"),
        shell.as_of_note(PATH, v),
        dcc.Store(id="plan-view", data={"athlete": v.athlete, "as_of": v.as_of.isoformat(), "units": v.units}),
        html.Div(body(v.athlete, v.as_of, v.units, v.query), id="plan-body"),
    ])


def view_of(stored: object) -> tuple[str, dt.date, str, dict]:
    """The athlete, day, units and link query a change applies to, from the page's ``plan-view`` store.

    The browser sends the store back: the athlete is taken as sent (the data layer refuses it with
    PermissionError unless the signed-in user may change it); the day is checked and clamped to the
    athlete's span as a URL's is; InvalidValue when the store is not the page's.
    """
    if not isinstance(stored, dict) or not isinstance(stored.get("athlete"), str):
        raise InvalidValue("the page is out of date: reload it")
    athlete = stored["athlete"]
    source = data.get()
    source.check_edit(athlete)
    day = parse_day(str(stored.get("as_of") or ""), "as_of")
    day = clamp_day(day, *source.span(athlete))
    units = u.system(stored.get("units") if isinstance(stored.get("units"), str) else None)
    return athlete, day, units, {"athlete": athlete, "as_of": day.isoformat(), "units": units if units != u.METRIC else None}


def week_changes(changed: object, units: str) -> dict[dt.date, dict[str, object]]:
    """The cells changed in the weeks table (AG Grid's ``cellValueChanged``) as changes per week:
    ``{week_start: {week field: value}}``, elevations in metres. InvalidValue for an empty cell or an unknown one."""
    events = changed if isinstance(changed, list) else [changed]
    out: dict[dt.date, dict[str, object]] = {}
    for event in events:
        if not isinstance(event, dict) or not isinstance(event.get("data"), dict):
            continue
        column = event.get("colId")
        if column not in EDITS:
            raise InvalidValue(f"the column {shell.shown(column)} cannot be changed")
        field, name = EDITS[column]
        week = parse_day(str(event["data"].get("week")), "week")
        value = event.get("value")
        if value is None and column != "note":
            raise InvalidValue(f"week of {week}: {name} is empty: type a number")  # as the library's checks say it
        if column in ELEVATIONS and units == u.IMPERIAL and isinstance(value, (int, float)) and not isinstance(value, bool):
            value = value * M_PER_FT
        out.setdefault(week, {})[field] = value
    return out


@callback(
    Output("plan-body", "children"),
    Input("plan-grid", "cellValueChanged"),
    State("plan-view", "data"),
    prevent_initial_call=True,
)
def edit(changed: object, stored: object) -> list | NoUpdate:
    """Save the week changed in the table as a new revision, or say in one line why not; then show the
    plan as stored (with the change, or without it: the table goes back to the saved values)."""
    if not changed:
        return no_update
    try:
        athlete, today, units, query = view_of(stored)
    except TrainlogError as exc:
        return [_message(f"Not saved: {first_line(exc)}", ok=False)]
    try:
        edits = week_changes(changed, units)
        if not edits:
            return no_update
        saved = data.get().edit_weeks(athlete, edits)
        said = ", ".join(u.fmt_day(w) for w in sorted(edits))
        message = _message(f"Saved the week of {said} (revision {saved.revision}).")
    except TrainlogError as exc:  # a bad value, a plan that breaks a rule, a disk that refuses: nothing saved
        message = _message(f"Not saved: {first_line(exc)}", ok=False)
    return body(athlete, today, units, query, message)


@callback(
    Output("plan-body", "children", allow_duplicate=True),
    Input("plan-generate", "n_clicks"),
    State("plan-view", "data"),
    prevent_initial_call=True,
)
def generate(n_clicks: int | None, stored: object) -> list | NoUpdate:
    """Generate a plan from the goal and the history and save it; its notes say where a cap limits it."""
    if not n_clicks:
        return no_update
    try:
        athlete, today, units, query = view_of(stored)
    except TrainlogError as exc:
        return [_message(f"Not generated: {first_line(exc)}", ok=False)]
    try:
        saved, notes = data.get().generate_plan(athlete, today)
        said = f"Generated a plan of {saved.weeks.height} weeks to {saved.race.name} (revision {saved.revision})."
        message = html.Div([said, html.Ul([html.Li(readings.plan_warning(n)) for n in notes]) if notes else None],
                           id="plan-message", role="status", className="message ok")
    except TrainlogError as exc:
        message = _message(f"Not generated: {first_line(exc)}", ok=False)
    return body(athlete, today, units, query, message)

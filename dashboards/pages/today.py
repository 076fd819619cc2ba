"""Today: form and ACWR with their readings, the morning check-in and the day's readiness
(:mod:`dashboards.pages._checkin`), this week against the last four and the plan,
goal progress, the last activity and warnings. With no data: load the sample athletes.

Every figure card says what it is (:mod:`dashboards.glossary`: a caption with its unit, "What is ...?");
the heading names the day shown, and empty states say what they mean inside their card."""

from __future__ import annotations

from collections.abc import Callable

import dash
import polars as pl
from dash import Input, NoUpdate, Output, State, callback, dcc, html, no_update

from dashboards import data, figures, glossary, readings, shell
from dashboards import units as u
from dashboards.pages import _checkin
from trainlog.errors import TrainlogError, first_line
from trainlog.settings import ModelSettings

dash.register_page(__name__, path="/", name="Today", title="Today · trainlog", order=0)

POLL_MS = 700


@shell.guarded("/")
def layout(**query: shell.QueryValue) -> html.Div:
    v = shell.view(query)
    if v is None:
        return shell.page("/", None, _sample_loader())
    source = data.get()
    s = source.summary(v.athlete, v.as_of)
    model = source.settings(v.athlete).model
    acts = source.activities(v.athlete, v.as_of)
    form = s["form"]
    history = readings.history_text(form["history_day"], form["history_days"]) if readings.building_history(s) else None
    return shell.page("/", v, [
        html.H1(f"{v.athlete}, {readings.day_words(v.as_of, v.day_role)}", id="today-title", className="title"),
        shell.as_of_note("/", v, named=True),
        _form_and_acwr(s, model, history),
        _checkin.section(v),
        _plan(v, model),
        _week(s, v.units),
        _goal(s, v),
        _last_activity(v, acts),
        _warnings(readings.warnings(s, model), readings.recent_suspects(acts, v.as_of), v),
    ])


def _form_and_acwr(s: dict, model: ModelSettings, history: str | None = None) -> html.Section:
    """Form, fitness, fatigue and ACWR with their bands (read and toned by their position in
    ``model``'s labels); while ``history`` (the cold start's "building history (day N of 42)")
    is given, that instead of a band and its reading."""
    form, acwr = s["form"], s["acwr"]

    def band(name: str, element_id: str, reading: str) -> list:
        if history is not None:
            return [html.Span(history, id=element_id, className="band"), " ", readings.HISTORY_READING]
        return [html.Span(name or u.DASH, id=element_id, className="band"), " ", reading]

    return html.Section([
        html.H2("Form and load"),
        html.Div([
            shell.stat("Form (TSB)", u.number(form["tsb"]), "today-tsb",
                       band(form["band"], "today-form-band", readings.form_reading(form["band"], model)),
                       tone=readings.Tone.NONE if history else readings.form_tone(form["band"], model),
                       explain=glossary.card("form")),
            shell.stat("Fitness (CTL)", u.number(form["ctl"]), "today-ctl",
                       f"ramp: {readings.ramp_words(form['ramp'])}",
                       explain=[*glossary.card("fitness"), glossary.details("ramp")]),
            shell.stat("Fatigue (ATL)", u.number(form["atl"]), "today-atl", explain=glossary.card("fatigue")),
            shell.stat("Acute:chronic ratio (ACWR)", u.number(acwr["value"], 2), "today-acwr",
                       band(acwr["band"], "today-acwr-band", readings.acwr_reading(acwr["band"], model)),
                       tone=readings.Tone.NONE if history else readings.acwr_tone(acwr["band"], model),
                       explain=glossary.card("acwr")),
        ], className="stats"),
    ], className="card")


def _plan(v: shell.View, model: ModelSettings) -> html.Section | None:
    """Today's advised load (or rest) and the target form, and race-morning form from the plan's projection
    (:meth:`dashboards.data.Data.plan_report`); nothing without a race ahead."""
    try:
        rep = data.get().plan_report(v.athlete, v.as_of)
    except TrainlogError as exc:  # a damaged plan table: Today still shows the rest
        return html.Section([html.H2("Plan to race day"),
                             html.P(first_line(exc), id="today-plan-error", className="message error")], className="card")
    morning = rep["projection"]["race_morning"]
    if rep["race"] is None or morning is None:
        return None
    pattern = "" if rep["projection"]["follows"] == "plan" else " No plan yet: this follows the last 28 days' pattern."
    return html.Section([
        html.H2("Plan to race day"),
        html.P(readings.advice_line(rep["today"], v.units), id="today-advice"),
        html.P(readings.race_morning_line(rep["race"], morning, model, v.units) + pattern, id="today-race-morning"),
        dcc.Link("The plan, week by week", href=shell.href("/plan", v.query)),
    ], className="card")


def _week(s: dict, units: str) -> html.Section:
    week, mean = s["this_week"], s["last_4_weeks_mean"]
    needed = s["goal"]["needed_weekly_ascent_m"]

    def versus(key: str, fmt: Callable[[float | None], str]) -> str:
        return f"last 4 weeks: {fmt(mean[key])}"

    return html.Section([
        html.H2(f"This week (from {u.fmt_day(week['week_start'])})"),
        html.Div([
            shell.stat("Distance", u.fmt_distance(week["distance_m"], units), "today-week-distance",
                       versus("distance_m", lambda m: u.fmt_distance(m, units)), explain=glossary.card("week_distance")),
            shell.stat("Moving time", u.fmt_duration(week["moving_s"]), "today-week-time",
                       versus("moving_s", u.fmt_duration), explain=glossary.card("week_time")),
            shell.stat("Ascent", u.fmt_elevation(week["ascent_m"], units), "today-week-ascent",
                       versus("ascent_m", lambda m: u.fmt_elevation(m, units)), explain=glossary.card("week_ascent")),
            shell.stat("Descent", u.fmt_elevation(week["descent_m"], units), "today-week-descent",
                       versus("descent_m", lambda m: u.fmt_elevation(m, units)), explain=glossary.card("week_descent")),
        ], className="stats"),
        shell.graph(figures.week_vs_plan(week["ascent_m"], mean["ascent_m"], needed, units), "today-week-graph", level=3),
    ], className="card")


def _goal(s: dict, v: shell.View) -> html.Section:
    g, units = s["goal"], v.units
    when = readings.goal_when(g["date"], g["days_to_goal"])
    return html.Section([
        html.H2([f"Goal: {g['name']} ", html.Small(f"({when})")]),
        html.Div([
            shell.stat("Goal ascent", u.fmt_elevation(g["ascent_m"], units), "today-goal-ascent",
                       explain=glossary.card("goal_ascent")),
            shell.stat("Best 7 days", u.fmt_elevation(g["best_7day_ascent_m"], units), "today-best-7day",
                       f"ending {u.fmt_day(g['best_7day_end'])}", explain=glossary.card("best_7day")),
            shell.stat(f"Best {g['time_limit_h']:g} h", u.fmt_elevation(g["best_window_ascent_m"], units),
                       "today-best-window", "any window, across activities", explain=glossary.card("best_window")),
            shell.needed_stat(g, v, "today-needed"),
        ], className="stats"),
        dcc.Link("Readiness in detail", href=shell.href("/goal", v.query)),
    ], className="card")


def _last_activity(v: shell.View, acts: pl.DataFrame) -> html.Section:
    if acts.is_empty():
        return html.Section([html.H2("Last activity"), html.P("None yet.")], className="card")
    a = acts.row(0, named=True)
    return html.Section([
        html.H2("Last activity"),
        dcc.Link(readings.run_name(a), id="today-last-activity",
                 href=shell.href(f"/activity/{a['activity_id']}", v.query)),
        html.P(" · ".join([
            u.fmt_distance(a["distance_m"], v.units), u.fmt_duration(a["elapsed_s"]),
            f"↑ {u.fmt_elevation(a['ascent_m'], v.units)}",
            f"load {u.number(a['load'])} {readings.load_from(a['load_source'])}",
        ]), id="today-last-figures", className="muted"),
    ], className="card")


def _warnings(items: list[str], suspects: list[dict], v: shell.View) -> html.Section:
    """The readings' warnings, the suspect runs of the last days first (each named, linking to its page)."""
    runs = [html.Li([dcc.Link(readings.run_name(run), href=shell.href(f"/activity/{run['activity_id']}", v.query)),
                     ": ", readings.suspect_warning(run, v.units)], className="suspect-run") for run in suspects]
    lines = runs + [html.Li(w) for w in items]
    body = html.Ul(lines) if lines else html.P("Nothing to flag.")
    return html.Section([html.H2("Warnings"), html.Div(body, id="today-warnings")], className="card")


def _sample_loader() -> html.Section:
    return html.Section([
        html.H1("Welcome to trainlog"),
        html.P("This data directory has no training yet. Import your FIT files on the Upload page, or load the "
               "two sample athletes: Mara, who finishes the Barkley Marathons, and Tom, who runs a 100-mile Alpine race."),
        html.Button("Load the sample athletes", id="load-samples", className="button primary"),
        dcc.Link("Upload FIT files instead", href="/upload", className="button-link"),
        html.Div(id="samples-progress", className="progress-text", role="status", **{"aria-live": "polite"}),
        dcc.Store(id="samples-job"),
        dcc.Interval(id="samples-poll", interval=POLL_MS, disabled=True),
    ], className="card")


@callback(
    Output("samples-job", "data"),
    Output("samples-poll", "disabled"),
    Output("load-samples", "disabled"),
    Input("load-samples", "n_clicks"),
    prevent_initial_call=True,
)
def load_samples(n_clicks: int | None) -> tuple[str, bool, bool]:
    """Start importing the sample athletes in the background."""
    return data.get().import_samples().id, False, True


@callback(
    Output("samples-progress", "children"),
    Output("samples-poll", "disabled", allow_duplicate=True),
    Output("url", "search", allow_duplicate=True),
    Input("samples-poll", "n_intervals"),
    State("samples-job", "data"),
    prevent_initial_call=True,
)
def sample_progress(n_intervals: int | None, job_id: object) -> tuple[str, bool, str | NoUpdate]:
    """Report the sample import's progress; when done, open the first athlete's Today page."""
    job = data.get().job(job_id)
    if job is None:
        return "", True, no_update
    if job.error:
        return f"The import failed: {job.error}", True, no_update
    total = f" of {job.total}" if job.total else ""
    if not job.done:
        return f"Importing… {len(job.results)}{total} files", False, no_update
    athletes = data.get().athletes()
    return f"Imported {len(job.results)} files.", True, shell.href("", {"athlete": athletes[0]} if athletes else {})

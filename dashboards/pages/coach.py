"""Coach: a roster of every athlete with key figures, the day's readiness and flags, and a side-by-side comparison."""

from __future__ import annotations

import datetime as dt

import dash
import polars as pl
from dash import dcc, html

from dashboards import data, figures, glossary, readings, shell, wellness_words
from dashboards import units as u
from dashboards.shell import Children
from trainlog.analysis.stored import local_today
from trainlog.errors import TrainlogError, first_line

dash.register_page(__name__, path="/coach", name="Coach", title="Coach · trainlog", order=5)

#: Daily columns the comparison plots: (column, title); ``ascent_7d`` is in the display unit.
COMPARED = (("ctl", "Fitness (CTL)"), ("tsb", "Form (TSB)"), ("ascent_7d", "Ascent, last 7 days ({unit})"))
#: The URL's ``compare`` value for "nobody chosen" (no ``compare`` at all means every athlete).
NOBODY = "none"


def chosen_athletes(compare: str | None, athletes: list[str]) -> list[str]:
    """The athletes the URL's ``compare=a,b`` names (those that exist), every athlete without it."""
    if compare is None:
        return list(athletes)
    named = compare.split(",")
    return [a for a in athletes if a in named]


def toggled(chosen: list[str], athlete: str) -> list[str]:
    """The comparison with ``athlete`` added, or taken out when it was in."""
    return [a for a in chosen if a != athlete] if athlete in chosen else [*chosen, athlete]


def compare_query(chosen: list[str] | None, athletes: list[str]) -> str | None:
    """The ``compare`` value for a choice (None: every athlete, the default)."""
    chosen = [a for a in athletes if a in (chosen or [])]
    if chosen == list(athletes):
        return None
    return ",".join(chosen) or NOBODY


def roster_rows(units: str) -> list[dict]:
    """One dict per athlete: the day shown and the summary's key figures, formatted, plus flags."""
    source = data.get()
    out = []
    for athlete in source.athletes():
        try:
            as_of, stale = source.default_as_of(athlete)
            s = source.summary(athlete, as_of)
            plan, race_form = _plan_figures(athlete, as_of)
            ready = source.readiness(athlete, as_of)
            if stale:  # training stopped (ill, injured?): a check-in this morning is what the coach must see
                this_morning = source.readiness(athlete, local_today(source.settings(athlete)))
                ready = this_morning if this_morning["checked_in"] else ready
        except TrainlogError as exc:  # one athlete's damaged data or settings: their row says so
            out.append({"athlete": athlete, "as_of": u.DASH, "ctl": u.DASH, "tsb": u.DASH, "acwr": u.DASH,
                        "week_ascent": u.DASH, "best_7day": u.DASH, "goal": u.DASH, "plan": None,
                        "race_form": u.DASH, "readiness": None, "flags": [f"{athlete}: {first_line(exc)}"]})
            continue
        flags = readings.warnings({**s, "defaults_in_use": []}, source.settings(athlete).model)
        # in the cold start no band (never "danger"): METRICS.md's "building history" instead
        cold = "building history" if readings.building_history(s) else None
        out.append({
            "athlete": athlete,
            "as_of": u.fmt_day(as_of),
            "ctl": u.number(s["form"]["ctl"]),
            "tsb": f"{u.number(s['form']['tsb'])} {cold or s['form']['band'] or ''}".strip(),
            "acwr": f"{u.number(s['acwr']['value'], 2)} {cold or s['acwr']['band'] or ''}".strip(),
            "week_ascent": u.fmt_elevation(s["this_week"]["ascent_m"], units),
            "best_7day": u.fmt_elevation(s["goal"]["best_7day_ascent_m"], units),
            "goal": u.fmt_day(s["goal"]["date"]) if s["goal"]["date"] else "no date set",
            "plan": plan,
            "race_form": race_form,
            "readiness": ready,
            "flags": flags,
        })
    return out


def _plan_figures(athlete: str, as_of: dt.date) -> tuple[list[tuple[str, str | None]] | None, str]:
    """The plan's compliance over the last 4 weeks (:func:`dashboards.readings.compliance_parts`; None without a
    plan) and race-morning projected form (``"+13.6 on Tue 30 Jun 2026"``; a dash without a race ahead)."""
    rep = data.get().plan_report(athlete, as_of)
    morning = rep["projection"]["race_morning"]
    race_form = f"{readings.signed(morning['tsb'])} on {u.fmt_day(morning['date'])}" if morning else u.DASH
    plan = readings.compliance_parts(rep["compliance_last_4_weeks"]) if rep["revision"] is not None else None
    return plan, race_form


def compliance_cell(plan: list[tuple[str, str | None]] | None) -> Children:
    """The roster's plan cell: each measure's share of the plan in words, coloured by its compliance."""
    if plan is None:
        return "no plan"
    if not plan:
        return "no planned week over yet"
    cells: list = []
    for text, colour in plan:
        word = readings.COMPLIANCE_WORDS.get(colour, "")
        cells += [", "] if cells else []
        cells.append(html.Span(f"{text} {word}".strip(), className=f"compliance {colour or ''}".strip()))
    return cells


def readiness_cell(ready: dict | None) -> Children:
    """The roster's readiness cell: the day's level in words, styled by it (the worst flag's), and its flags in a
    few words each ("flag: HRV low (48 ms), slept 5.5 h"); "no check-in" without an entry that day."""
    if ready is None:
        return u.DASH
    level = ready["level"]
    if level is None:
        return "no check-in"
    said = wellness_words.short_flags(ready)
    hrv = ready["baselines"]["hrv"]
    building = " (HRV baseline building)" if not said and hrv["baseline_values"] < hrv["values_needed"] else ""
    return [html.Span(wellness_words.LEVEL_WORDS[level], className=f"readiness-level {level}"),
            f": {said}" if said else building]


@shell.guarded("/coach")
def layout(**query: shell.QueryValue) -> html.Div:
    v = shell.view(query)
    if v is None:
        return shell.no_data("/coach")
    athletes = data.get().athletes()
    chosen = chosen_athletes(shell.plain_query(query).get("compare"), athletes)
    head = ["athlete", "day shown", "Fitness (CTL)", "Form (TSB)", "Acute:chronic ratio (ACWR)", "ascent this week",
            "best 7 days", "goal date", "plan, last 4 weeks", "race-morning form", "readiness", "flags"]
    body = [
        html.Tr([
            html.Td(dcc.Link(r["athlete"], href=shell.href("/", {"athlete": r["athlete"], "units": v.query.get("units")}))),
            html.Td(r["as_of"]), html.Td(r["ctl"]), html.Td(r["tsb"]), html.Td(r["acwr"]),
            html.Td(r["week_ascent"]), html.Td(r["best_7day"]), html.Td(r["goal"]),
            html.Td(compliance_cell(r["plan"]), className="plan-compliance"), html.Td(r["race_form"]),
            html.Td(readiness_cell(r["readiness"]), className="readiness"),
            html.Td(html.Ul([html.Li(f) for f in r["flags"]]) if r["flags"] else "–", className="flags"),
        ], id={"type": "roster-row", "athlete": r["athlete"]})
        for r in roster_rows(v.units)
    ]
    return shell.page("/coach", v, [
        html.H1("Coach: all athletes", className="title"),
        html.Section([
            html.H2("Roster"),
            html.Div(html.Table([html.Thead(html.Tr([html.Th(h) for h in head])), html.Tbody(body)],
                                className="plain roster", id="coach-roster"), className="table-wrap"),
        ], className="card"),
        glossary.section("What the roster's figures mean", ("fitness", "form", "acwr", "best_7day", "readiness"),
                         "coach-glossary"),
        html.Section([
            html.H2("Side by side"),
            _compare_choice(chosen, athletes, v.query),
            html.Div(compare(chosen, v.units), id="compare-graphs", className="grid"),
        ], className="card"),
    ])


def _compare_choice(chosen: list[str], athletes: list[str], query: dict) -> html.Div:
    """One link per athlete that adds them to the comparison or takes them out (the URL's ``compare=a,b``,
    so a link reopens the same comparison); the words say which, ``aria-current`` marks those shown."""
    def link(athlete: str) -> html.A:
        shown = athlete in chosen
        target = shell.href("/coach", query, compare=compare_query(toggled(chosen, athlete), athletes))
        return html.A([("✓ " if shown else "+ ") + athlete,
                       html.Span(" (shown: select to take out)" if shown else " (select to add)",
                                 className="visually-hidden")],
                      href=target, id=f"compare-{athlete}", className="toggle-link" + (" active" if shown else ""),
                      **{"data-spa": "", **({"aria-current": "true"} if shown else {})})
    return html.Div([html.Span("Compare", id="compare-label", className="control-label"), *map(link, athletes)],
                    id="compare-athletes", className="control-group compare-choice", role="group",
                    **{"aria-labelledby": "compare-label"})


def compare(athletes: object, units: str | None) -> list[html.Div]:
    """One graph per compared column, one line per chosen athlete (each up to their own day)."""
    units = u.system(units)
    source = data.get()
    dailies = {}
    for athlete in athletes if isinstance(athletes, list) else []:
        if athlete in source.athletes():
            try:
                as_of, _ = source.default_as_of(athlete)
                daily = source.daily(athlete, as_of)
            except TrainlogError:  # the roster says why
                continue
            ascent_7d = u.elevation(pl.col("ascent_m").rolling_sum(7, min_samples=1), units)
            dailies[athlete] = daily.with_columns(ascent_7d=ascent_7d)
    unit = u.elevation_unit(units)
    return [html.Div(shell.graph(figures.compare(dailies, column, title.format(unit=unit)), f"coach-{column}",
                                 level=3), className="card")
            for column, title in COMPARED]

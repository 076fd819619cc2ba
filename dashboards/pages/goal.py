"""Goal: readiness for the goal race, the projection, and the weekly ascent needed from today.

Each figure card says what it is (:mod:`dashboards.glossary`); dates are local days (the best window's end
too, never a UTC clock time); "reached", a missing or past goal date are said inside the card concerned."""

from __future__ import annotations

import dash
import polars as pl
from dash import dcc, html

from dashboards import data, figures, glossary, readings, shell
from dashboards import units as u

dash.register_page(__name__, path="/goal", name="Goal", title="Goal · trainlog", order=3)

#: Weeks of the plan listed in the table (the graph shows them all).
PLAN_ROWS = 104


@shell.guarded("/goal")
def layout(**query: shell.QueryValue) -> html.Div:
    v = shell.view(query)
    if v is None:
        return shell.no_data("/goal")
    source = data.get()
    g = source.summary(v.athlete, v.as_of)["goal"]
    settings = source.settings(v.athlete)
    plan = source.ascent_plan(v.athlete, v.as_of)
    units = v.units

    def elev(metres: float | None) -> str:
        return u.fmt_elevation(metres, units)

    when = readings.goal_when(g["date"], g["days_to_goal"])
    projected, projected_detail = readings.projection_words(g, v.as_of, settings.model.trend_weeks)
    settings_link = shell.href("/settings", v.query)
    return shell.page("/goal", v, [
        html.H1(f"{v.athlete}: {g['name']}", className="title"),
        shell.as_of_note("/goal", v),
        html.Section([
            html.H2("The race"),
            html.P([f"{when} · {elev(g['ascent_m'])} of ascent, {u.fmt_distance(g['distance_m'], units, 0)}, "
                    f"{g['time_limit_h']:g} h limit, {g['loops']} loops of {elev(g['loop_ascent_m'])}. ",
                    dcc.Link("Change the goal", href=settings_link)], className="muted"),
            html.Div([
                shell.stat("Goal ascent", elev(g["ascent_m"]), "goal-ascent", explain=glossary.card("goal_ascent")),
                shell.stat("Best 7 days", elev(g["best_7day_ascent_m"]), "goal-best-7day",
                           f"ending {u.fmt_day(g['best_7day_end'])}", explain=glossary.card("best_7day")),
                shell.stat(f"Best {g['time_limit_h']:g} h window", elev(g["best_window_ascent_m"]), "goal-best-window",
                           f"ending {u.fmt_day(g['best_window_end'])}", explain=glossary.card("best_window")),
                shell.stat("Biggest activity", elev(g["biggest_activity_ascent_m"]), "goal-biggest",
                           f"{u.number(g['biggest_activity_loops'], 1)} loops of {elev(g['loop_ascent_m'])}",
                           explain=glossary.card("biggest")),
            ], className="stats"),
        ], className="card"),
        html.Section([
            html.H2(f"Your climbing now, against the goal ({u.fmt_day(v.as_of)})"),
            html.Div([
                shell.stat("Last 7 days", elev(g["current_weekly_ascent_m"]), "goal-current",
                           f"ending {u.fmt_day(v.as_of)}", explain=glossary.card("last_7_days")),
                shell.needed_stat(g, v, "goal-needed"),
                shell.stat("Trend", f"{_plus(u.elevation(g['trend_m_per_week'], units))} {u.elevation_unit(units)}/wk",
                           "goal-trend", f"the change in weekly climbing each week, over the last "
                           f"{settings.model.trend_weeks} weeks",
                           explain=glossary.card("trend")),
                shell.stat("Trend reaches the goal", projected, "goal-projected", projected_detail,
                           tone=readings.Tone.GOOD if projected == "reached" else readings.Tone.NONE,
                           explain=glossary.card("projected")),
            ], className="stats"),
            shell.graph(figures.goal_progress(source.daily(v.athlete, v.as_of), plan, g["ascent_m"], units), "goal-graph",
                        level=3),
        ], className="card"),
        _plan_table(plan, g["days_to_goal"], settings.model.ramp_cap, units, settings_link),
    ])


def _plus(value: float) -> str:
    """A trend with its sign: ``"+2,693"``, ``"-120"``, ``"0"``."""
    return ("+" if round(value) > 0 else "") + u.number(value)


def _plan_table(plan: pl.DataFrame, days_to_goal: int | None, ramp_cap: float, units: str,
                settings_link: str) -> html.Section:
    settings = dcc.Link("Settings", href=settings_link)
    if days_to_goal is None:
        body = html.P(["The goal has no date: set it in ", settings, " to see the weekly ascent needed, week by week."],
                      id="goal-plan-none")
    elif plan.is_empty():
        body = html.P(["The goal date has passed: set the next goal in ", settings, "."], id="goal-plan-none")
    else:
        rest = plan.height - PLAN_ROWS
        body = html.Div([html.Table([
            html.Thead(html.Tr([html.Th("week from"), html.Th("ascent needed")])),
            html.Tbody([html.Tr([html.Td(u.fmt_day(r["week_start"])),
                                 html.Td(u.fmt_elevation(r["needed_ascent_m"], units))])
                        for r in plan.head(PLAN_ROWS).iter_rows(named=True)]),
        ], className="plain", id="goal-plan"),
            html.P(f"… and {rest} more weeks to the race.", className="note") if rest > 0 else None],
            className="table-wrap")
    return html.Section([html.H2(f"Weekly ascent needed, ramping {ramp_cap:.0%} a week at most"), body],
                        className="card")

"""Goal: readiness for the goal race, the projection, and the weekly ascent needed from today."""

from __future__ import annotations

import dash
import polars as pl
from dash import dcc, html

from dashboards import data, figures, readings, shell
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
    on_track, tone = readings.track(g["on_track"])
    projected = g["projected_date"] or "not at the current trend"
    return shell.page("/goal", v, [
        html.H1(f"{v.athlete}: {g['name']}", className="title"),
        shell.as_of_note("/goal", v),
        html.Section([
            html.H2("The race"),
            html.P([f"{when} · {elev(g['ascent_m'])} of ascent, {u.fmt_distance(g['distance_m'], units, 0)}, "
                    f"{g['time_limit_h']:g} h limit, {g['loops']} loops of {elev(g['loop_ascent_m'])}. ",
                    dcc.Link("Change the goal", href=shell.href("/settings", v.query))], className="muted"),
            html.Div([
                shell.stat("Goal ascent", elev(g["ascent_m"]), "goal-ascent"),
                shell.stat("Best 7 days", elev(g["best_7day_ascent_m"]), "goal-best-7day",
                           f"ending {g['best_7day_end'] or u.DASH}"),
                shell.stat(f"Best {g['time_limit_h']:g} h window", elev(g["best_window_ascent_m"]), "goal-best-window",
                           f"ending {(g['best_window_end_utc'] or u.DASH)[:16].replace('T', ' ')} UTC"),
                shell.stat("Biggest activity", elev(g["biggest_activity_ascent_m"]), "goal-biggest",
                           f"{u.number(g['biggest_activity_loops'], 1)} loops of {elev(g['loop_ascent_m'])}"),
            ], className="stats"),
        ], className="card"),
        html.Section([
            html.H2("From today"),
            html.Div([
                shell.stat("Last 7 days", elev(g["current_weekly_ascent_m"]), "goal-current"),
                shell.stat("Needed this week", elev(g["needed_weekly_ascent_m"]), "goal-needed", on_track, tone=tone),
                shell.stat("Trend", f"{u.number(u.elevation(g['trend_m_per_week'], units))} {u.elevation_unit(units)}/wk",
                           "goal-trend", f"over the last {settings.model.trend_weeks} weeks"),
                shell.stat("Trend reaches the goal ascent", projected, "goal-projected", "as weekly ascent"),
            ], className="stats"),
            shell.graph(figures.goal_progress(source.daily(v.athlete, v.as_of), plan, g["ascent_m"], units), "goal-graph"),
        ], className="card"),
        _plan_table(plan, g["days_to_goal"], settings.model.ramp_cap, units),
    ])


def _plan_table(plan: pl.DataFrame, days_to_goal: int | None, ramp_cap: float, units: str) -> html.Section:
    if days_to_goal is None:
        body = html.P("Set a goal date in Settings to see the weekly ascent needed from today.")
    elif plan.is_empty():
        body = html.P("The goal date has passed: set the next goal in Settings.")
    else:
        rest = plan.height - PLAN_ROWS
        body = html.Div([html.Table([
            html.Thead(html.Tr([html.Th("week from"), html.Th("ascent needed")])),
            html.Tbody([html.Tr([html.Td(str(r["week_start"])), html.Td(u.fmt_elevation(r["needed_ascent_m"], units))])
                        for r in plan.head(PLAN_ROWS).iter_rows(named=True)]),
        ], className="plain", id="goal-plan"),
            html.P(f"… and {rest} more weeks to the race.", className="note") if rest > 0 else None],
            className="table-wrap")
    return html.Section([html.H2(f"Weekly ascent needed, ramping {ramp_cap:.0%} a week at most"), body],
                        className="card")

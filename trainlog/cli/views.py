"""``trainlog activities`` and ``trainlog summary``: what the analysis says, as a table or as JSON."""

from __future__ import annotations

import json
from pathlib import Path

import click

from trainlog.cli.options import (
    athlete_option,
    data_dir_option,
    echo_rows,
    friendly_errors,
    json_option,
    require_data,
    today_of,
    today_option,
)


@click.command("activities")
@athlete_option
@data_dir_option
@json_option
@click.option("--limit", "-n", type=click.IntRange(0), default=0, help="Show only the last N activities (0 = all).")
@friendly_errors
def activities_cmd(athlete: str, data_dir: Path | None, as_json: bool, limit: int) -> None:
    """List the athlete's activities (local date, sport, distance, time, ascent, load).

    \b
    Example:
      trainlog activities --athlete mara -n 10
    """
    from trainlog.analysis.listing import activity_lines, activity_rows
    from trainlog.analysis.stored import activity_table
    from trainlog.store import Store

    store = Store(data_dir)
    require_data(store, athlete)
    acts = activity_table(store, athlete)
    rows = activity_rows(acts.tail(limit) if limit else acts)
    empty = f"No activities for athlete {athlete!r} in {store.data_dir}. Import some with: trainlog import PATH"
    echo_rows(rows, as_json, empty, lambda: activity_lines(rows))


@click.command("summary")
@athlete_option
@data_dir_option
@json_option
@click.option("--weeks", "-w", type=click.IntRange(1, 520), default=8, show_default=True, help="How many weeks.")
@today_option("Show the state as of this local date.")
@friendly_errors
def summary_cmd(athlete: str, data_dir: Path | None, as_json: bool, weeks: int, today: str | None) -> None:
    """This week against the last four, form, ACWR, monotony, readiness, goal progress, today's plan, weekly totals.

    Days and weeks are the athlete's local calendar days and ISO weeks.

    \b
    Examples:
      trainlog summary --athlete mara
      trainlog summary -a mara --today 2026-03-16 --json
    """
    from trainlog.analysis.pipeline import extended, summary_of_analysis
    from trainlog.analysis.plan import report, summary_part
    from trainlog.analysis.readiness import day_readiness
    from trainlog.analysis.stored import settings_of, stored_analysis
    from trainlog.analysis.summary import summary_text, week_rows
    from trainlog.store import Store, wellness
    from trainlog.store.plans import latest

    store = Store(data_dir)
    require_data(store, athlete)
    settings = settings_of(store, athlete)
    last = today_of(today, settings)
    analysis = extended(stored_analysis(store, athlete, settings), settings, last)  # once for the summary and the plan
    s = summary_of_analysis(analysis, settings, last)
    s["plan"] = summary_part(report(latest(store, athlete), analysis.daily, settings, last))
    s["readiness"] = day_readiness(wellness.daily(store, athlete), last, settings.model)
    rows = week_rows(analysis.weekly, last, weeks)
    if as_json:
        click.echo(json.dumps({"athlete": athlete, **s, "weeks": rows}, indent=2))
    else:
        click.echo(summary_text(athlete, s, rows))

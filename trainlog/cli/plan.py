"""``trainlog plan``: generate, show, set, import and export the plan to race day."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from trainlog.atomic import write_text_atomic
from trainlog.cli.options import (
    athlete_option,
    data_dir_option,
    friendly_errors,
    json_option,
    require_data,
    today_of,
    today_option,
)
from trainlog.days import parse_day
from trainlog.errors import InvalidValue
from trainlog.words import SESSION_TYPES, WEEK_KINDS

if TYPE_CHECKING:  # the commands import the store and the analysis when they run: `trainlog --help` loads no Polars
    from trainlog.settings import AthleteSettings
    from trainlog.store import Store
    from trainlog.store.plans import Plan

_today_option = today_option("Plan as of this local date (default: today), as trainlog summary --today.")


def _context(athlete: str, data_dir: Path | None, today: str | None) -> tuple[Store, AthleteSettings, dt.date]:
    from trainlog.analysis.stored import settings_of
    from trainlog.store import Store

    store = Store(data_dir)
    require_data(store, athlete)
    settings = settings_of(store, athlete)
    return store, settings, today_of(today, settings)


def _stored_plan(store: Store, athlete: str) -> Plan:
    from trainlog.store import plans as plans_

    plan = plans_.latest(store, athlete)
    if plan is None:
        raise InvalidValue(f"athlete {athlete} has no plan yet: make one with trainlog plan generate -a {athlete}")
    return plan


@click.group("plan")
def plan_group() -> None:
    """The plan to race day: weekly hours, ascent and load, the taper, and today's advice.

    \b
    Examples:
      trainlog athlete set -a mara --goal-date 2027-03-19
      trainlog plan generate -a mara
      trainlog plan show -a mara
      trainlog plan set 2027-01-04 -a mara --ascent 5200 --hours 13
      trainlog plan set 2027-01-09 -a mara --session long --hours 5 --ascent 2000
      trainlog plan export plan.csv -a mara    (edit it in a spreadsheet, then)
      trainlog plan import plan.csv -a mara
    """


@plan_group.command("generate")
@athlete_option
@data_dir_option
@_today_option
@json_option
@click.option("--dry-run", is_flag=True, help="Show the plan without saving it.")
@friendly_errors
def generate_cmd(athlete: str, data_dir: Path | None, today: str | None, as_json: bool, dry_run: bool) -> None:
    """Build a plan from the goal (trainlog athlete set --goal-date) and the last 4 weeks.

    Weekly ascent rises at most model.ramp_cap (10 %) a week from the last 4
    weeks' mean, with a recovery week every model.plan_recovery_every (4) weeks,
    up to model.plan_peak_share (50 %) of the race's ascent a week, a
    back-to-back block of long days at the peak, hours within
    available_hours_per_week, and a taper chosen so that race-morning form is
    +5..+25. A plan already saved stays readable as an earlier revision.

    \b
    Example:
      trainlog plan generate -a mara --today 2025-11-20
    """
    from trainlog.analysis.generate import generate
    from trainlog.analysis.plan import fitness_to, report
    from trainlog.store import plans as plans_

    store, settings, day = _context(athlete, data_dir, today)
    fitness = fitness_to(store, athlete, day, settings)
    plan, notes = generate(settings, fitness, day)
    before = plans_.latest(store, athlete)
    if not dry_run:
        plan = plans_.save(store, athlete, plan, "generate")
    rep = report(plan, fitness, settings, day)
    if as_json:
        click.echo(json.dumps({"athlete": athlete, "saved": not dry_run, "notes": notes, **rep}, indent=2))
        return
    for note in notes:
        click.echo(f"note: {note}")
    click.echo("\n".join(_plan_lines(rep)))
    if dry_run:
        click.echo("Not saved (--dry-run).")
    elif before is not None and before.revision != plan.revision:
        click.echo(f"Saved as revision {plan.revision}; the plan before it is revision {before.revision}.")
    else:
        click.echo(f"Saved as revision {plan.revision}.")


@plan_group.command("show")
@athlete_option
@data_dir_option
@_today_option
@json_option
@click.option("--revision", type=click.IntRange(1), default=None, help="Show an earlier revision of the plan.")
@friendly_errors
def show_cmd(athlete: str, data_dir: Path | None, today: str | None, as_json: bool, revision: int | None) -> None:
    """The plan's weeks against what was done, the projection to race morning, warnings, today's advice.

    Compliance (done / planned, TrainingPeaks' colours): green 80-120 %,
    yellow 50-80 % or 120-150 %, red otherwise; a week is coloured once it is over.

    \b
    Examples:
      trainlog plan show -a mara
      trainlog plan show -a mara --today 2026-01-15 --json
    """
    from trainlog.analysis.plan import fitness_to, report
    from trainlog.store import plans as plans_

    store, settings, day = _context(athlete, data_dir, today)
    plan = plans_.latest(store, athlete, revision)
    if plan is None and revision is not None:
        raise InvalidValue(f"athlete {athlete}'s plan has no revision {revision}")
    rep = report(plan, fitness_to(store, athlete, day, settings), settings, day)
    if as_json:
        click.echo(json.dumps({"athlete": athlete, **rep}, indent=2))
    else:
        click.echo("\n".join(_plan_lines(rep)))


@plan_group.command("set")
@click.argument("when", metavar="DATE")
@athlete_option
@data_dir_option
@click.option("--kind", type=click.Choice(WEEK_KINDS), help="The week's kind.")
@click.option("--hours", type=float, help="Hours (a week: 0..168; a session: 0..24).")
@click.option("--ascent", type=float, help="Ascent, m.")
@click.option("--descent", type=float, help="Descent, m (a week; default: follows the ascent).")
@click.option("--load", type=float, help="Load (a week: default follows the hours; a session: 100 x hours x IF^2).")
@click.option("--long-days", type=click.IntRange(0, 7), help="Long days in the week (2-3 in a row: back-to-back).")
@click.option("--note", help="A note (one line; \"\" clears it).")
@click.option("--session", type=click.Choice(SESSION_TYPES), help="Plan a session on DATE instead of a week.")
@click.option("--clear", is_flag=True, help="Remove the session planned on DATE.")
@friendly_errors
def set_cmd(when: str, athlete: str, data_dir: Path | None, kind: str | None, hours: float | None,
            ascent: float | None, descent: float | None, load: float | None, long_days: int | None,
            note: str | None, session: str | None, clear: bool) -> None:
    """Change the week holding DATE, or (with --session) plan a session on DATE.

    Saved as a new revision; a bad value is one line and nothing is saved.

    \b
    Examples:
      trainlog plan set 2027-01-04 -a mara --ascent 5200 --hours 13
      trainlog plan set 2027-01-04 -a mara --kind recovery --load 250
      trainlog plan set 2027-01-09 -a mara --session long --hours 5 --ascent 2000 --note "Loop 1 recce"
      trainlog plan set 2027-01-09 -a mara --clear
    """
    from trainlog.store import Store
    from trainlog.store import plans as plans_

    day = parse_day(when, "DATE")
    store = Store(data_dir)
    require_data(store, athlete)
    plan = _stored_plan(store, athlete)
    if clear:
        if session or any(v is not None for v in (kind, hours, ascent, descent, load, long_days, note)):
            raise InvalidValue("--clear removes the session of DATE: give it alone")
        changed = plans_.without_session(plan, day)
    elif session:
        if hours is None:
            raise InvalidValue("a session needs --hours")
        if kind is not None or descent is not None or long_days is not None:
            raise InvalidValue("--kind, --descent and --long-days are a week's: leave out --session to set the week")
        changed = plans_.with_session(plan, day, session, hours, ascent or 0.0, load, note)
    else:
        values = {"kind": kind, "planned_hours": hours, "planned_ascent_m": ascent, "planned_descent_m": descent,
                  "planned_load": load, "long_sessions": long_days, "note": note}
        if all(v is None for v in values.values()):
            raise InvalidValue("nothing to set: give --hours, --ascent, --load, --kind, --long-days or --note")
        changed = plans_.with_week(plan, day, values)
    saved = plans_.save(store, athlete, changed, "set", edits=plan.revision)
    if saved.revision == plan.revision:
        click.echo(f"Nothing changed (revision {plan.revision}).")
    else:
        click.echo(f"Saved as revision {saved.revision}. See it with: trainlog plan show -a {athlete}")


@plan_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@athlete_option
@data_dir_option
@_today_option
@friendly_errors
def import_cmd(file: Path, athlete: str, data_dir: Path | None, today: str | None) -> None:
    """Load a plan written in a spreadsheet (CSV) for the goal race; it replaces the plan as a new revision.

    \b
    Columns (a header row, then one row per week or session):
      row,date,type,hours,ascent_m,descent_m,load,long_sessions,note
      week,2027-01-04,build,12,5000,5000,,1,
      day,2027-01-09,long,4,1500,,,,hills above the lake
    Empty cells take defaults (a week's load from its hours at the athlete's
    load per hour; a session's by 100 x hours x IF^2). Every row is checked
    first: one bad row is one line naming it, and nothing is saved.

    \b
    Example:
      trainlog plan import plan.csv -a mara
    """
    from trainlog.analysis.generate import history_of, load_per_hour
    from trainlog.analysis.plan import fitness_to
    from trainlog.ingest.plan_csv import read_plan
    from trainlog.store import plans as plans_

    store, settings, day = _context(athlete, data_dir, today)
    race = plans_.race_of(settings.goal)
    per_hour = load_per_hour(history_of(fitness_to(store, athlete, day, settings), day), settings.model)
    plan = read_plan(file, race, per_hour)
    saved = plans_.save(store, athlete, plan, "import")
    click.echo(f"Imported {plan.weeks.height} weeks and {plan.days.height} sessions from {file} "
               f"as revision {saved.revision}. See it with: trainlog plan show -a {athlete}")


@plan_group.command("export")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path), default="-")
@athlete_option
@data_dir_option
@click.option("--force", is_flag=True, help="Overwrite FILE when it exists.")
@friendly_errors
def export_cmd(file: Path, athlete: str, data_dir: Path | None, force: bool) -> None:
    """Write the plan as CSV (to FILE, or to standard output with -), the format plan import reads.

    \b
    Examples:
      trainlog plan export plan.csv -a mara
      trainlog plan export -a mara > plan.csv
    """
    from trainlog.ingest.plan_csv import plan_text
    from trainlog.store import Store

    store = Store(data_dir)
    require_data(store, athlete)
    text = plan_text(_stored_plan(store, athlete))
    if str(file) == "-":
        sys.stdout.write(text)
        return
    if file.exists() and not force:
        raise InvalidValue(f"{file} exists; nothing was written (use --force to overwrite it)")
    try:
        write_text_atomic(file, text)
    except OSError as exc:
        raise InvalidValue(f"{file}: cannot write the plan ({exc.strerror or exc}); nothing was written") from None
    click.echo(f"Wrote the plan to {file}.")


def _colour(value: str | None) -> str:
    return {"green": "ok", "yellow": "off", "red": "miss"}.get(value or "", "-")


def _plan_lines(rep: dict) -> list[str]:
    """``plan show``'s text: the weeks, race morning, today, warnings."""
    race, proj, today = rep["race"], rep["projection"], rep["today"]
    lines = []
    if race is None:
        return ["No goal date and no plan: set the goal with trainlog athlete set --goal-date YYYY-MM-DD, "
                "then run trainlog plan generate."]
    if rep["revision"] is None:
        lines.append(f"No plan yet for {race['name']} on {race['date']}: trainlog plan generate makes one. "
                     f"The projection follows the last 28 days.")
    else:
        lines.append(f"Plan for {race['name']} on {race['date']} ({race['ascent_m']:,.0f} m of ascent), "
                     f"revision {rep['revision']} ({rep['source']})")
        lines.append(f"{'week of':<11} {'kind':<9} {'hours':>6} {'ascent m':>9} {'load':>6} {'long':>4}  |"
                     f" {'done h':>6} {'ascent m':>9} {'load':>6}  | hours/ascent/load")
        for w in rep["weeks"]:
            marks = "/".join(_colour(w["compliance"][m]) for m in ("hours", "ascent", "load")) if w["over"] else ""
            lines.append(f"{w['week_start']:<11} {w['kind']:<9} {w['planned_hours']:>6.1f} "
                         f"{w['planned_ascent_m']:>9,.0f} {w['planned_load']:>6.0f} {w['long_sessions']:>4}  |"
                         f" {w['done_hours']:>6.1f} {w['done_ascent_m']:>9,.0f} {w['done_load']:>6.0f}  | {marks}")
        for d in rep["days"]:
            lines.append(f"  session {d['date']}: {d['session']} {d['hours']:g} h, {d['ascent_m']:,.0f} m, "
                         f"load {d['load']:.0f}" + (f" ({d['note']})" if d["note"] else ""))
        lines.append("Compliance: ok = 80-120 % of planned, off = 50-80 % or 120-150 %, miss = otherwise.")
    morning = proj["race_morning"]
    if morning is not None:
        lines.append(f"Race morning ({morning['date']}), following the {proj['follows']}: fitness (CTL) "
                     f"{morning['ctl']:.1f}, fatigue (ATL) {morning['atl']:.1f}, form (TSB) {morning['tsb']:+.1f}, "
                     f"ascent fitness {morning['ascent_ctl']:,.0f} m/day")
        usual = proj["pattern_race_morning"]
        if proj["follows"] == "plan":
            lines.append(f"  following the last 28 days instead: CTL {usual['ctl']:.1f}, form {usual['tsb']:+.1f}")
    advice = (f"rest: the plan's form for tomorrow, {today['target_tsb']:+.1f}, needs no load today"
              if today["rest"] else
              f"load {today['advised_load']:.0f} (about {today['advised_ascent_m']:,.0f} m of ascent), "
              f"so that tomorrow starts at form {today['target_tsb']:+.1f}")
    lines.append(f"Today ({today['date']}): {advice}")
    if proj["warnings"]:
        lines.append("Warnings:")
        lines.extend(f"  - {w}" for w in proj["warnings"])
    return lines

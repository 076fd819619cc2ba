"""The ``trainlog`` command line: a thin click layer over the library."""

from __future__ import annotations

import datetime as dt
import json
import sys
from functools import wraps
from pathlib import Path

import click
import polars as pl

from trainlog import __version__
from trainlog.analysis.pipeline import STALE_DAYS
from trainlog.errors import TrainlogError
from trainlog.ingest.importer import OUTCOMES, FileResult, import_paths
from trainlog.settings import RANGES, parse_pace
from trainlog.store import Store, check_athlete, default_data_dir
from trainlog.text import printable

DEFAULT_ATHLETE = "default"


def data_dir_option(f):
    return click.option(
        "--data-dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help=f"Data directory [env TRAINLOG_DATA_DIR; default {default_data_dir()}].",
    )(f)


def _athlete_name(ctx, param, value):
    """The athlete name as stored (NFKC-normalised), or one line saying what is wrong with it."""
    try:
        return check_athlete(value)
    except TrainlogError as exc:
        raise click.ClickException(printable(exc)) from None


def athlete_option(f):
    return click.option(
        "--athlete",
        "-a",
        default=DEFAULT_ATHLETE,
        show_default=True,
        envvar="TRAINLOG_ATHLETE",
        callback=_athlete_name,
        help="Athlete name: letters of one script, digits, '-', '_', '.' (README: athlete names) [env TRAINLOG_ATHLETE].",
    )(f)


def json_option(f):
    return click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")(f)


def friendly_errors(f):
    """Turn TrainlogError into one clear line and exit code 1, never a traceback."""

    @wraps(f)
    def wrapper(*args, **kwargs):
        try:
            return f(*args, **kwargs)
        except TrainlogError as exc:  # paths and names in it may come from files: escaped, so one line
            raise click.ClickException(printable(exc)) from None

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="trainlog")
def cli():
    """trainlog: training load for mountain ultras, from your watch's FIT files.

    \b
    Start with:
      trainlog import ~/Downloads/garmin-export.zip --athlete mara
      trainlog activities --athlete mara
      trainlog summary --athlete mara
    """


@cli.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path, readable=False))  # each its own outcome
@athlete_option
@data_dir_option
@click.option("--quiet", "-q", is_flag=True, help="Only print failures and the final counts.")
@json_option
@click.option("--workers", type=click.IntRange(1, 64), default=None, help="Decoder processes [default: all cores].")
@friendly_errors
def import_cmd(paths, athlete, data_dir, quiet, as_json, workers):
    """Import FIT files, folders, .fit.gz files and Garmin/Strava export zips.

    Every file ends as imported, duplicate, skipped (not an activity) or
    failed (with the reason). Exits with status 1 when any file failed.

    \b
    Examples:
      trainlog import activity.fit
      trainlog import ~/garmin-export.zip --athlete mara
      trainlog import ~/watch-folder/ ~/strava-export.zip -a tom
    """
    store = Store(data_dir)
    show_progress = sys.stderr.isatty() and not as_json
    progress = None

    def print_result(result: FileResult) -> None:
        if as_json or (quiet and result.outcome != "failed"):
            return
        if progress is not None:  # above the bar
            progress.console.print(result.line(), markup=False, highlight=False, soft_wrap=True)
        else:
            click.echo(result.line(), err=result.outcome == "failed")

    if show_progress:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        progress = Progress(
            TextColumn("[bold]importing"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("files, {task.fields[records]:,} records"),
            TimeRemainingColumn(),
            transient=True,
        )
        task = progress.add_task("import", total=None, records=0)
        records = 0

        def on_plan(n):
            progress.update(task, total=n)

        def on_decoded(n_records):
            nonlocal records
            records += n_records
            progress.update(task, advance=1, records=records)

        with progress:
            report = import_paths(
                store, paths, athlete, workers=workers, on_plan=on_plan, on_decoded=on_decoded, on_result=print_result
            )
    else:
        report = import_paths(store, paths, athlete, workers=workers, on_result=print_result)

    counts = report.counts()
    from trainlog.analysis.stored import analyse_imported

    analyse_imported(store, report)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "athlete": athlete,
                    "data_dir": str(store.data_dir),
                    "counts": counts,
                    "files": [
                        {"file": r.name, "outcome": r.outcome, "detail": r.detail, "activity_ids": r.activity_ids}
                        for r in report.results
                    ],
                },
                indent=2,
            )
        )
    else:
        click.echo(", ".join(f"{counts[o]} {o}" for o in OUTCOMES) + f"  (athlete {athlete}, {store.data_dir})")
    sys.exit(0 if report.ok else 1)


def _fmt_duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    s = int(round(seconds))
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


def _fmt_km(metres: float | None) -> str:
    return f"{metres / 1000:.1f}" if metres is not None else "-"


def _fmt_num(value: float | None, fmt: str = ".0f") -> str:
    return format(value, fmt) if value is not None else "-"


def _iso_date(value: str | None, what: str = "date") -> dt.date | None:
    """A day typed on the command line (trainlog.days.parse_day's rule), or None."""
    from trainlog.days import parse_day

    return None if value is None else parse_day(value, what)


def _require_data(store: Store, athlete: str) -> None:
    """One line, and nothing created, when the athlete has no dataset (read-only commands)."""
    store.manifest(athlete)  # a lost or damaged manifest says so, and names trainlog repair, rather than "no data"
    if athlete not in store.athletes():
        raise click.ClickException(
            f"no data for athlete {athlete!r} in {printable(store.data_dir)}; import some with: trainlog import PATH -a {athlete}"
        )


@cli.command("activities")
@athlete_option
@data_dir_option
@json_option
@click.option("--limit", "-n", type=click.IntRange(0), default=0, help="Show only the last N activities (0 = all).")
@friendly_errors
def activities_cmd(athlete, data_dir, as_json, limit):
    """List the athlete's activities (local date, sport, distance, time, ascent, load).

    \b
    Example:
      trainlog activities --athlete mara -n 10
    """
    from trainlog.analysis.stored import activity_table

    store = Store(data_dir)
    _require_data(store, athlete)
    acts = activity_table(store, athlete)
    if limit:
        acts = acts.tail(limit)
    rows = [
        {
            "activity_id": r["activity_id"],
            "date_local": r["start_local"].date().isoformat() if r["start_local"] else None,
            "start_local": r["start_local"].isoformat(timespec="seconds") if r["start_local"] else None,
            "start_utc": r["start_utc"].isoformat() if r["start_utc"] else None,
            "sport": r["sport"],
            "sub_sport": r["sub_sport"],
            "distance_m": r["distance_m"],
            "elapsed_s": r["elapsed_s"],
            "timer_s": r["timer_s"],
            "moving_s": r["moving_s"],
            "ascent_m": r["ascent_m"],
            "ascent_source": r["ascent_source"],
            "ascent_device_m": r["ascent_device_m"],
            "ascent_computed_m": r["ascent_computed_m"],
            "descent_m": r["descent_m"],
            "altitude_spikes": r["altitude_spikes"],
            "ascent_flag": r["ascent_flag"],
            "ascent_confirmed": r["ascent_confirmed"],
            "excluded": r["excluded"],
            "goal_counted": r["goal_counted"],
            "load": r["load"],
            "load_source": r["load_source"],
            "rpe": r["rpe"],
            "partial": r["partial"],
            "import_note": r["import_note"],
            "source_file": r["source_file"],
        }
        for r in acts.iter_rows(named=True)
    ]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        click.echo(f"No activities for athlete {athlete!r} in {store.data_dir}. Import some with: trainlog import PATH")
        return
    click.echo(
        f"{'date':<10} {'time':<5} {'sport':<18} {'km':>7} {'duration':>9} {'ascent m':>8} {'load':>6}  "
        f"{'id':<18}  notes"
    )
    for r in rows:
        sport = printable(r["sport"] or "unknown")  # FIT strings: escape sequences shown, never run
        if r["sub_sport"] and r["sub_sport"] not in ("generic", "None"):
            sport = f"{sport}/{printable(r['sub_sport'])}"
        km = f"{r['distance_m'] / 1000:.2f}" if r["distance_m"] is not None else ""
        load = f"{r['load']:.0f}" + ("*" if r["load_source"] == "duration" else "") if r["load"] is not None else ""
        click.echo(
            f"{r['date_local'] or '':<10} {(r['start_local'] or '')[11:16]:<5} {sport[:18]:<18} {km:>7} "
            f"{_fmt_duration(r['elapsed_s']):>9} {_fmt_num(r['ascent_m']):>8} {load:>6}  "
            f"{printable(r['activity_id']):<18}  {_activity_notes(r)}".rstrip()
        )
    if any(r["load_source"] == "duration" for r in rows):
        click.echo("* load estimated from duration alone (no heart rate, power, usable pace or rating)")
    if any(r["ascent_flag"] and not r["ascent_confirmed"] for r in rows):
        click.echo("suspect ascents are left out of the goal; check them with: trainlog audit ascent, then "
                   "trainlog activity confirm|exclude ID")


#: ascent_flag -> what the activities list says
FLAG_TEXT = {"too_fast": "too fast to be true", "device_disagrees": "watch and track disagree"}


def _activity_notes(r: dict) -> str:
    """The notes column of ``trainlog activities``: suspect ascent, exclusion, damage."""
    notes = []
    if r["ascent_flag"]:
        what = FLAG_TEXT.get(r["ascent_flag"], printable(r["ascent_flag"]))
        totals = f"watch {_fmt_num(r['ascent_device_m'])} m, track {_fmt_num(r['ascent_computed_m'])} m"
        notes.append(f"{'confirmed' if r['ascent_confirmed'] else 'suspect'} ascent ({what}; {totals})")
    if r["excluded"]:
        notes.append("excluded from the goal")
    if r["partial"]:
        notes.append("partial")
    return "; ".join(notes)


def _summary_text(athlete: str, s: dict, weeks: list[dict]) -> str:
    lines = [f"{athlete}: summary for {s['today']}  ({s['n_activities']} activities)"]
    last = s.get("last_activity_date")
    if last and (dt.date.fromisoformat(s["today"]) - dt.date.fromisoformat(last)).days > STALE_DAYS:
        lines.append(f"(the last activity is from {last}: to see that time, add --today {last})")
    tw, mean = s["this_week"], s["last_4_weeks_mean"]
    lines.append("")
    lines.append(f"{'':<22} {'km':>7} {'hours':>6} {'ascent m':>9} {'descent m':>9} {'load':>6}")
    lines[0] += f"; this week began {tw['week_start']}"
    for label, w in (("this week so far", tw), ("last 4 weeks (mean)", mean)):
        lines.append(
            f"{label:<22.22} {_fmt_km(w['distance_m']):>7} {w['moving_s'] / 3600:>6.1f} "
            f"{w['ascent_m']:>9.0f} {w['descent_m']:>9.0f} {w['load']:>6.0f}"
        )
    f, a, m = s["form"], s["acwr"], s["monotony"]
    # the cold start (fewer than history_days since the first activity): no band, no warning
    history = None
    if f.get("building_history"):
        history = "building history" + (
            f" ({f['history_day']} of {f['history_days']} days)" if f.get("history_day") is not None else "")
    lines.append("")
    lines.append(
        f"form (TSB)  {_fmt_num(f['tsb'], '+.1f'):>7}  {history or f['band'] or '-'}   "
        f"fitness {_fmt_num(f['ctl'], '.1f')}, fatigue {_fmt_num(f['atl'], '.1f')}, ramp {_fmt_num(f['ramp'], '+.1f')}/week"
    )
    lines.append(f"ACWR        {_fmt_num(a['value'], '.2f'):>7}  "
                 f"{history or a['band'] or 'undefined (no chronic load yet)'}")
    lines.append(f"monotony    {_fmt_num(m['value'], '.2f'):>7}  {history or m['band'] or '-'}   "
                 f"strain {_fmt_num(m['strain'])}")
    if history:
        lines.append(f"            (bands and warnings start on day {f['history_days'] + 1}, or at once with a "
                     "starting fitness: trainlog athlete set --start-ctl N --start-atl N)")
    g = s["goal"]
    lines.append("")
    when = g["date"] or "date not set"
    lines.append(f"goal: {printable(g['name'])} ({when}), {g['ascent_m']:.0f} m of climbing in {g['time_limit_h']:g} h")
    lines.append(
        f"  best 7-day ascent {_fmt_num(g['best_7day_ascent_m'])} m, best {g['time_limit_h']:g} h window "
        f"{_fmt_num(g['best_window_ascent_m'])} m, biggest activity {_fmt_num(g['biggest_activity_ascent_m'])} m "
        f"({_fmt_num(g['biggest_activity_loops'], '.1f')} loops of {g['loop_ascent_m']:.0f} m)"
    )
    if g.get("needed_weekly_ascent_m") is not None:
        lines.append(
            f"  needed this week {g['needed_weekly_ascent_m']:.0f} m (ramp-capped), "
            f"{'on track' if g['on_track'] else 'behind'}; trend reaches it {g['projected_date'] or 'never'}"
        )
    if s["defaults_in_use"]:
        lines.append("")
        lines.append(
            "defaults in use: " + ", ".join(s["defaults_in_use"]) + "  (set them: trainlog athlete set --help)"
        )
    if weeks:
        lines.append("")
        lines.append(f"{'week of':<10} {'n':>3} {'km':>8} {'hours':>6} {'ascent m':>8} {'load':>6}")
        for w in weeks:
            lines.append(
                f"{w['week_start']:<10} {w['activities']:>3} {w['distance_km']:>8.1f} {w['time_h']:>6.1f} "
                f"{w['ascent_m']:>8.0f} {w['load']:>6.0f}"
            )
    return "\n".join(lines)


@cli.command("summary")
@athlete_option
@data_dir_option
@json_option
@click.option("--weeks", "-w", type=click.IntRange(1, 520), default=8, show_default=True, help="How many weeks.")
@click.option("--today", "today", default=None, metavar="YYYY-MM-DD", help="Show the state as of this local date.")
@friendly_errors
def summary_cmd(athlete, data_dir, as_json, weeks, today):
    """This week against the last four, form, ACWR, monotony, goal progress, and weekly totals.

    Days and weeks are the athlete's local calendar days and ISO weeks.

    \b
    Examples:
      trainlog summary --athlete mara
      trainlog summary -a mara --today 2026-03-16 --json
    """
    from trainlog.analysis.pipeline import summary_of_analysis
    from trainlog.analysis.stored import local_today, settings_of, stored_analysis

    store = Store(data_dir)
    _require_data(store, athlete)
    settings = settings_of(store, athlete)
    last = _iso_date(today, "--today") or local_today(settings)
    analysis = stored_analysis(store, athlete, settings)
    s = summary_of_analysis(analysis, settings, last)
    weekly = analysis.weekly
    rows = [
        {
            "week_start": w["week_start"].isoformat(),
            "activities": w["n_activities"],
            "distance_km": w["distance_m"] / 1000,
            "time_h": w["moving_s"] / 3600,
            "ascent_m": w["ascent_m"],
            "descent_m": w["descent_m"],
            "load": w["load"],
        }
        for w in weekly.filter((pl.col("sport") == "all") & (pl.col("week_start") <= last))
        .sort("week_start")
        .tail(weeks)
        .iter_rows(named=True)
    ]
    if as_json:
        click.echo(json.dumps({"athlete": athlete, **s, "weeks": rows}, indent=2))
    else:
        click.echo(_summary_text(athlete, s, rows))


@cli.group("athlete")
def athlete_group():
    """Show or set an athlete's values (HR, pace, power, starting fitness, time zone) and goal."""


@athlete_group.command("show")
@athlete_option
@data_dir_option
@json_option
@friendly_errors
def athlete_show(athlete, data_dir, as_json):
    """Show the athlete's settings, marking the defaults in use.

    \b
    Example:
      trainlog athlete show -a mara
    """
    from trainlog.analysis.stored import settings_of

    store = Store(data_dir)
    if athlete not in store.athletes() and not store.settings_path(athlete).exists():
        raise click.ClickException(
            f"no athlete {athlete!r} in {printable(store.data_dir)} (no data, no settings); "
            f"import some with: trainlog import PATH -a {athlete}, or: trainlog athlete set -a {athlete} ..."
        )
    settings = settings_of(store, athlete)
    resolved = settings.resolve()
    if as_json:
        click.echo(json.dumps({"athlete": athlete, **settings.to_dict(), "defaults_in_use": list(resolved.defaults)}, indent=2))
        return
    pace = resolved.threshold_pace_s_per_km
    values = {
        "sex": resolved.sex or "unknown",
        "hr_max_bpm": f"{resolved.hr_max_bpm:g}",
        "hr_rest_bpm": f"{resolved.hr_rest_bpm:g}",
        "lthr_bpm": f"{resolved.lthr_bpm:g}",
        "threshold_pace_s_per_km": f"{pace:g} ({int(pace) // 60}:{int(pace) % 60:02d} /km)",
        "timezone": printable(resolved.timezone) or "machine's local zone",
        "ftp_w": f"{settings.ftp_w:g}" if settings.ftp_w is not None else "not set (no power load)",
        "start_ctl": f"{settings.start_ctl:g}" if settings.start_ctl is not None else "not set (0)",
        "start_atl": f"{settings.start_atl:g}" if settings.start_atl is not None else "not set (0)",
    }
    click.echo(f"athlete {athlete}")
    for name, value in values.items():
        click.echo(f"  {name:<24} {value}" + ("   (default)" if name in resolved.defaults else ""))
    if settings.start_ctl is None and settings.start_atl is None:
        click.echo(f"  {'':<24} without a starting fitness, the first {settings.model.history_days} days build "
                   "history: no bands, no warnings")
    g = settings.goal
    click.echo(
        f"  goal                     {printable(g.name)}, {g.date or 'date not set'}, {g.ascent_m:g} m ascent, "
        f"{g.distance_m / 1000:g} km, {g.time_limit_h:g} h limit, {g.loops} loop(s)"
    )
    click.echo("  model (every constant of the metrics; * differs from the default; shared/METRICS.md):")
    for name, value, default in _model_rows(settings.model):
        changed = value != default
        click.echo(f"  {'*' if changed else ' '} {name:<32} {value}" + (f"   (default {default})" if changed else ""))


def _model_rows(model) -> list[tuple[str, str, str]]:
    """(name, value, default value) of every ModelSettings constant, as text."""
    import dataclasses

    from trainlog.settings import ModelSettings

    def text(value) -> str:
        if isinstance(value, (tuple, list)):
            return ", ".join(text(v) for v in value) or "none"
        if isinstance(value, dict):
            return ", ".join(f"{printable(k)} {text(v)}" for k, v in sorted(value.items())) or "none"
        if isinstance(value, float):
            return f"{value:g}"
        return printable(value)

    default = ModelSettings()
    return [(f.name, text(getattr(model, f.name)), text(getattr(default, f.name))) for f in dataclasses.fields(model)]


def _limits(name: str, text: str, default: str = "") -> str:
    """An option's help with its range from trainlog.settings.RANGES (the one table of allowed values)."""
    rule = RANGES[name]
    return f"{text} ({rule.shown or rule.text()})" + (f" [default {default}]" if default else "") + "."


@athlete_group.command("set")
@athlete_option
@data_dir_option
@click.option("--sex", type=click.Choice(["female", "male", "unknown"]), help="For the TRIMP weighting.")
@click.option("--hr-max", type=float, help=_limits("hr_max_bpm", "Maximum heart rate, bpm"))
@click.option("--hr-rest", type=float, help=_limits("hr_rest_bpm", "Resting heart rate, bpm"))
@click.option("--lthr", type=float, help=_limits("lthr_bpm", "Threshold (lactate) heart rate, bpm; rest < threshold <= max"))
@click.option("--threshold-pace", metavar="M:SS", help=_limits("threshold_pace_s_per_km", "Threshold pace per km on the flat, M:SS or seconds, e.g. 4:30"))
@click.option("--timezone", metavar="ZONE", help="IANA time zone for files without a UTC offset, e.g. Europe/Paris.")
@click.option("--ftp", type=float, help=_limits("ftp_w", "Functional threshold power, W (the load of cycling with power)"))
@click.option("--start-ctl", type=float, help=_limits(
    "start_ctl", "Fitness (CTL) on the day before the first activity; with it (or --start-atl) bands apply from "
    "day one instead of after 42 days of history"))
@click.option("--start-atl", type=float, help=_limits("start_atl", "Fatigue (ATL) on the day before the first activity"))
@click.option("--goal-name", help="The goal race's name.")
@click.option("--goal-date", metavar="YYYY-MM-DD", help="The goal race's (local) start date.")
@click.option("--goal-ascent", type=float, help=_limits("goal.ascent_m", "The goal's total ascent, m", "17698"))
@click.option("--goal-distance", type=float, help=_limits("goal.distance_m", "The goal's distance, km", "160"))
@click.option("--goal-time-limit", type=float, help=_limits("goal.time_limit_h", "The goal's time limit, hours", "60"))
@click.option("--goal-loops", type=int, help=_limits("goal.loops", "Loops in the goal race", "5"))
@click.option("--reset", "reset", multiple=True, metavar="NAME",
              help="Return a setting to its default (repeatable), e.g. --reset hr_max_bpm, --reset ftp_w, "
                   "--reset start_ctl, --reset goal.date.")
@friendly_errors
def athlete_set(athlete, data_dir, reset, **values):
    """Set the athlete's values and goal; unspecified values are kept.

    \b
    Examples:
      trainlog athlete set -a mara --sex female --hr-max 186 --hr-rest 46 --timezone America/New_York
      trainlog athlete set -a mara --ftp 250 --start-ctl 55 --start-atl 50
      trainlog athlete set -a mara --goal-name "Barkley Marathons" --goal-date 2027-03-12
    """
    from trainlog.analysis.stored import save_settings_of, settings_of
    from trainlog.days import parse_day
    from trainlog.settings import AthleteSettings

    store = Store(data_dir)
    current = settings_of(store, athlete).to_dict()
    top = {"sex": "sex", "hr_max": "hr_max_bpm", "hr_rest": "hr_rest_bpm", "lthr": "lthr_bpm", "timezone": "timezone",
           "ftp": "ftp_w", "start_ctl": "start_ctl", "start_atl": "start_atl"}
    for option, key in top.items():
        if values[option] is not None:
            current[key] = None if values[option] == "unknown" else values[option]
    if values["threshold_pace"] is not None:
        current["threshold_pace_s_per_km"] = parse_pace(values["threshold_pace"])
    goal = current["goal"]
    if values["goal_name"] is not None:
        goal["name"] = values["goal_name"]
    if values["goal_date"] is not None:
        goal["date"] = parse_day(values["goal_date"], "--goal-date").isoformat()
    for option, key, scale in (
        ("goal_ascent", "ascent_m", 1),
        ("goal_distance", "distance_m", 1000),
        ("goal_time_limit", "time_limit_h", 1),
        ("goal_loops", "loops", 1),
    ):
        if values[option] is not None:
            goal[key] = values[option] * scale
    defaults = AthleteSettings().to_dict()
    for name in reset:
        if name in defaults and name not in ("schema_version", "goal", "model"):
            current[name] = defaults[name]
        elif name.startswith("goal.") and name[5:] in defaults["goal"]:
            goal[name[5:]] = defaults["goal"][name[5:]]
        else:
            raise click.BadParameter(f"unknown setting {name!r}", param_hint="--reset")
    settings = AthleteSettings.from_dict(current)
    save_settings_of(store, athlete, settings)
    click.echo(f"saved settings for {athlete} in {store.settings_path(athlete)}")
    click.get_current_context().invoke(athlete_show, athlete=athlete, data_dir=data_dir, as_json=False)


@cli.group("activity")
def activity_group():
    """The athlete's choices for one activity: leave it out of the goal, or confirm its ascent.

    Excluding a run leaves it out of the goal's figures only (best 7 days,
    best 60 h window, biggest activity, weekly ascent): its load still counts
    in fitness, fatigue, ACWR and the weekly totals. A run whose ascent looks
    suspect (too fast, or the watch and the track disagree) is left out of the
    goal's figures until you confirm it. Choices are kept in the dataset: they
    survive re-imports and every new analysis. A run's id is in the id column
    of trainlog activities.

    \b
    Examples:
      trainlog activity exclude 3f2a9c0d1e2b4a5c-0 -a mara
      trainlog activity confirm 3f2a9c0d1e2b4a5c-0 -a mara
    """


#: action (trainlog.store.choices.ACTIONS) -> (help text, what is said once done, what is said when nothing changed)
_ACTIVITY_ACTIONS = {
    "exclude": ("Leave a run out of the goal's figures (its load still counts in fitness and fatigue).",
                "excluded: left out of the goal's figures (its load still counts)",
                "was already excluded"),
    "include": ("Count an excluded run in the goal's figures again.",
                "included again: the goal's figures count it (unless its ascent is suspect and not confirmed)",
                "is not excluded"),
    "confirm": ("Confirm a suspect ascent: the goal's figures count the run after all.",
                "ascent confirmed: the goal's figures count it even if its ascent looks suspect",
                "was already confirmed"),
    "unconfirm": ("Withdraw a confirmation: a suspect ascent is left out of the goal's figures again.",
                  "confirmation withdrawn: a suspect ascent is left out of the goal's figures",
                  "is not confirmed"),
}


def _activity_command(action: str, text: str, done: str, unchanged: str):
    """One ``trainlog activity <action> ID`` command over :func:`trainlog.store.choices.record`."""

    @activity_group.command(action, help=f"{text}\n\n\b\nExample:\n  trainlog activity {action} ID -a mara")
    @click.argument("activity_id", metavar="ID")
    @athlete_option
    @data_dir_option
    @friendly_errors
    def command(activity_id, athlete, data_dir):
        from trainlog.store import choices

        store = Store(data_dir)
        _require_data(store, athlete)
        field = "excluded" if action in ("exclude", "include") else "ascent_confirmed"

        def chosen() -> object:
            rows = choices.current(store, athlete).filter(pl.col("activity_id") == activity_id)
            return rows[field][0] if rows.height else False

        before = chosen()
        choices.record(store, athlete, activity_id, action)
        if chosen() == before:
            click.echo(f"{athlete}: activity {printable(activity_id)} {unchanged}; nothing changed")
        else:
            click.echo(f"{athlete}: activity {printable(activity_id)} {done}")

    return command


for _action, _texts in _ACTIVITY_ACTIONS.items():
    _activity_command(_action, *_texts)


@cli.group("audit")
def audit_group():
    """Put trainlog's figures beside what the devices themselves said."""


@audit_group.command("ascent")
@athlete_option
@data_dir_option
@json_option
@friendly_errors
def audit_ascent(athlete, data_dir, as_json):
    """For every run whose device stored a total ascent: that total, the one computed
    from the altitude track, the one used (and its source), the altitude samples
    dropped as spikes, and the flag of a suspect ascent (too_fast on foot, or
    device_disagrees). A flagged run is left out of the goal's figures until you
    confirm it (trainlog activity confirm ID).

    \b
    Examples:
      trainlog audit ascent -a mara
      trainlog audit ascent -a mara --json
    """
    from trainlog.analysis.audit import ascent_of

    store = Store(data_dir)
    _require_data(store, athlete)
    rows = [
        {**r, "start_local": r["start_local"].isoformat(timespec="seconds") if r["start_local"] else None}
        for r in ascent_of(store, athlete).iter_rows(named=True)
    ]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        click.echo(f"{athlete}: no run with a device total ascent in {printable(store.data_dir)}")
        return
    click.echo(f"{'date':<10} {'time':<5} {'sport':<14} {'device m':>8} {'computed m':>10} {'used m':>7} "
               f"{'source':<8} {'spikes':>6}  {'flag':<16} id")
    for r in rows:
        flag = (r["ascent_flag"] or "") + (" (confirmed)" if r["ascent_flag"] and r["ascent_confirmed"] else "")
        click.echo(
            f"{(r['start_local'] or '')[:10]:<10} {(r['start_local'] or '')[11:16]:<5} "
            f"{printable(r['sport'] or 'unknown')[:14]:<14} {_fmt_num(r['ascent_device_m']):>8} "
            f"{_fmt_num(r['ascent_computed_m'], '.1f'):>10} {_fmt_num(r['ascent_m']):>7} {r['ascent_source']:<8} "
            f"{_fmt_num(r['altitude_spikes'], 'd'):>6}  {flag:<16} {printable(r['activity_id'])}"
        )
    flagged = sum(r["ascent_flag"] is not None for r in rows)
    click.echo(f"{athlete}: {len(rows)} runs with a device total, {flagged} flagged")


@cli.command("check")
@athlete_option
@click.option("--all", "all_athletes", is_flag=True, help="Check every athlete in the data directory.")
@data_dir_option
@json_option
@friendly_errors
def check_cmd(athlete, all_athletes, data_dir, as_json):
    """Verify datasets like git fsck: manifest, every part, consistency, caches, settings.

    Prints one line per problem and a final "ok" or "N problems" line; exits
    with status 1 on any problem. Reads only: never creates or changes a file.

    \b
    Examples:
      trainlog check -a mara
      trainlog check --all --json
    """
    store = Store(data_dir)
    found = store.check_all() if all_athletes else {athlete: store.check(athlete)}
    total = sum(len(p) for p in found.values())
    if as_json:
        click.echo(json.dumps({
            "data_dir": str(store.data_dir),
            "problems": total,
            "athletes": {
                name: {"ok": not problems, "problems": [{"path": str(p.path), "problem": p.message} for p in problems]}
                for name, problems in found.items()
            },
        }, indent=2))
    else:
        for name, problems in found.items():
            for p in problems:
                click.echo(printable(p.line()))
            click.echo(f"{printable(name)}: " + (f"{len(problems)} problem{'s' if len(problems) != 1 else ''}" if problems else "ok"))
        if not found:
            click.echo(f"no datasets in {printable(store.data_dir)}")
    sys.exit(1 if total else 0)


@cli.command("repair")
@athlete_option
@data_dir_option
@click.option("--dry-run", is_flag=True, help="Say what would be kept and left out; change nothing.")
@friendly_errors
def repair_cmd(athlete, data_dir, dry_run):
    """Rebuild an athlete's dataset.json from the Parquet parts on disk.

    Parts are taken in generation order; a commit left incomplete by a crash,
    parts a compaction replaced and parts that do not read are left out and
    moved to repair-<time>/ in the athlete's folder, never deleted. The old
    manifest is kept as dataset.json.<time>.bak. Run trainlog check afterwards.

    \b
    Examples:
      trainlog repair -a mara --dry-run
      trainlog repair -a mara
    """
    store = Store(data_dir)
    report = store.repair(athlete, dry_run=dry_run)
    if not report.changed:
        click.echo(f"{athlete}: {len(report.kept)} parts, {report.activities} activities; dataset.json already lists "
                   "them: nothing to repair")
        return
    verb = "would keep" if dry_run else "kept"
    for name in report.kept:
        click.echo(f"{verb:<10} {printable(name)}")
    for name, why in report.left_out:
        click.echo(f"{'would leave out' if dry_run else 'left out':<10} {printable(name)}: {why}")
    if dry_run:
        click.echo(f"{athlete}: dry run: dataset.json would list {len(report.kept)} parts, {report.activities} "
                   f"activities (generation {report.generation}); nothing was changed")
        return
    if report.backup:
        click.echo(f"the replaced manifest is kept as {printable(report.backup)}")
    if report.moved_to:
        click.echo(f"parts left out were moved to {printable(report.moved_to)}")
    click.echo(f"{athlete}: rebuilt dataset.json: {len(report.kept)} parts, {report.activities} activities "
               f"(generation {report.generation})")


@cli.group("users")
def users_group():
    """Dashboard logins (needed to serve on any address but 127.0.0.1)."""


@users_group.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(["coach", "athlete"]), required=True, help="A coach sees every athlete; an athlete only their own.")
@click.option("--athlete", "athlete_name", default=None, help="For --role athlete: the athlete this user may see.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input instead of prompting.")
@data_dir_option
@friendly_errors
def users_add(name, role, athlete_name, password_stdin, data_dir):
    """Add (or replace) a dashboard user; the password is stored hashed.

    \b
    Examples:
      trainlog users add coach1 --role coach
      trainlog users add mara --role athlete --athlete mara
    """
    from trainlog.store.users import add_user

    store = Store(data_dir)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    add_user(store.data_dir, name, password, role, athlete_name)
    click.echo(f"user {name} ({role}{' of ' + athlete_name if role == 'athlete' else ''}) saved in {store.data_dir}")


@users_group.command("list")
@data_dir_option
@friendly_errors
def users_list(data_dir):
    """List the dashboard users and what they may see."""
    from trainlog.store.users import load_users

    data = Store(data_dir).data_dir
    users = load_users(data)
    if not users:
        click.echo(f"no users in {printable(data)}; add one with: trainlog users add NAME --role coach")
    for user in users.values():
        click.echo(f"{printable(user.name):<20} {printable(user.role):<8} {printable(user.athlete or 'all athletes')}")


@users_group.command("remove")
@click.argument("name")
@data_dir_option
@friendly_errors
def users_remove(name, data_dir):
    """Remove a dashboard user."""
    from trainlog.store.users import remove_user

    remove_user(Store(data_dir).data_dir, name)
    click.echo(f"user {name} removed")


def serve_options(f):
    """The server's options, shared by ``dashboard`` and ``demo``."""
    options = [
        click.option("--threads", type=click.IntRange(1, 256), default=8, show_default=True,
                     help="Requests served at once (waitress threads)."),
        click.option("--timeout", type=click.IntRange(1, 3600), default=60, show_default=True,
                     help="Seconds a connection may stay idle or take to send its request."),
        click.option("--require-login", is_flag=True, help="Ask for sign-in on loopback too (needs users)."),
        click.option("--allowed-host", "allowed_hosts", multiple=True, metavar="NAME",
                     help="Also accept this name in the Host header, e.g. coach.example.org (repeatable; "
                          "loopback names and the --host address are always accepted)."),
        click.option("--session-hours", type=click.FloatRange(0.1, 24 * 90), default=12, show_default=True,
                     help="How long a sign-in lasts."),
        click.option("--trusted-proxy", metavar="ADDR", default=None,
                     help="Address of a reverse proxy whose X-Forwarded-For/-Proto headers are trusted."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


@cli.command("dashboard")
@data_dir_option
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on. Any address but loopback requires users (trainlog users add) and asks them to sign in.",
)
@click.option("--port", "-p", type=click.IntRange(1, 65535), default=8050, show_default=True, help="Port to listen on.")
@serve_options
@friendly_errors
def dashboard_cmd(data_dir, host, port, threads, timeout, require_login, allowed_hosts, session_hours, trusted_proxy):
    """Serve the web dashboard on waitress (with an empty data directory it offers the sample athletes).

    \b
    Examples:
      trainlog dashboard
      trainlog dashboard --data-dir ~/coach-data --port 8060
      trainlog dashboard --host 0.0.0.0 --allowed-host coach.example.org --threads 16
    """
    from dashboards.server import serve

    serve(Store(data_dir).data_dir, host, port, threads=threads, timeout=timeout, require_login=require_login,
          extra_hosts=allowed_hosts, session_hours=session_hours, trusted_proxy=trusted_proxy)


@cli.command("demo")
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to put the demo dataset [default: a 'demo' folder in the user data directory].",
)
@click.option("--dashboard/--no-dashboard", default=True, show_default=True, help="Start the dashboard afterwards.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Dashboard address.")
@click.option("--port", "-p", type=click.IntRange(1, 65535), default=8050, show_default=True, help="Dashboard port.")
@serve_options
@friendly_errors
def demo_cmd(data_dir, dashboard, host, port, **serving):
    """Import the bundled sample athletes (sample_fit/), then open the dashboard on them.

    Without the dashboard, prints each athlete's summary as of the day after
    their last activity.

    \b
    Examples:
      trainlog demo
      trainlog demo --no-dashboard
    """
    from trainlog.analysis.stored import activity_table
    from trainlog.ingest.demo import import_samples

    store = Store(data_dir or default_data_dir() / "demo")
    click.echo(f"importing the sample athletes into {store.data_dir} (once; later runs are instant)...", err=True)
    from trainlog.analysis.stored import analyse_imported

    for report in import_samples(store):
        counts = report.counts()
        click.echo(f"  {report.athlete}: " + ", ".join(f"{counts[o]} {o}" for o in OUTCOMES), err=True)
        analyse_imported(store, report)
    if dashboard:
        click.get_current_context().invoke(dashboard_cmd, data_dir=store.data_dir, host=host, port=port,
                                         **serving)
        return
    for athlete in store.athletes():
        last = activity_table(store, athlete)["start_local"].max()
        today = (last.date() + dt.timedelta(days=1)).isoformat() if last else None
        click.echo("")
        click.get_current_context().invoke(
            summary_cmd, athlete=athlete, data_dir=store.data_dir, as_json=False, weeks=4, today=today
        )


@cli.command("sample-data")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("sample_fit"), show_default=True, help="Output folder.")
@click.option("--seed", type=int, default=None, help="Random seed [default: the one the committed files use].")
@click.option("--only", multiple=True, metavar="FILE", help="Write only this file (path as in index.csv); repeatable.")
def sample_data_cmd(out, seed, only):
    """Regenerate the synthetic sample athletes (byte-identical for the same seed).

    Needs the dev dependency garmin-fit-sdk (pip install -e '.[dev]').

    \b
    Example:
      trainlog sample-data --out sample_fit
    """
    from trainlog_dev.sampledata import main as generate_main

    argv = ["--out", str(out)] + (["--seed", str(seed)] if seed is not None else [])
    if only:
        argv += ["--only", *only]
    sys.exit(generate_main(argv))


def main() -> None:
    cli(prog_name="trainlog")


if __name__ == "__main__":
    main()

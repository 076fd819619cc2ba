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
from trainlog.errors import TrainlogError
from trainlog.importer import OUTCOMES, FileResult, import_paths
from trainlog.store import Store, default_data_dir
from trainlog.tzone import with_local_start

DEFAULT_ATHLETE = "default"


def data_dir_option(f):
    return click.option(
        "--data-dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help=f"Data directory [env TRAINLOG_DATA_DIR; default {default_data_dir()}].",
    )(f)


def athlete_option(f):
    return click.option(
        "--athlete",
        "-a",
        default=DEFAULT_ATHLETE,
        show_default=True,
        envvar="TRAINLOG_ATHLETE",
        help="Athlete name (letters, digits, '-', '_', '.') [env TRAINLOG_ATHLETE].",
    )(f)


def json_option(f):
    return click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")(f)


def friendly_errors(f):
    """Turn TrainlogError into one clear line and exit code 1, never a traceback."""

    @wraps(f)
    def wrapper(*args, **kwargs):
        try:
            return f(*args, **kwargs)
        except TrainlogError as exc:
            raise click.ClickException(str(exc)) from None

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
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
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
    echo_line = click.echo

    def print_result(result: FileResult) -> None:
        if as_json or (quiet and result.outcome != "failed"):
            return
        echo_line(result.line(), err=result.outcome == "failed")

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

        def echo_line(text, err=False):  # noqa: F811 - print above the bar
            progress.console.print(text, markup=False, highlight=False, soft_wrap=True)

        def on_plan(n):
            progress.update(task, total=n)

        def on_result(result):
            nonlocal records
            records += result.n_records
            progress.update(task, advance=1, records=records)
            print_result(result)

        with progress:
            report = import_paths(store, paths, athlete, workers=workers, on_plan=on_plan, on_result=on_result)
    else:
        report = import_paths(store, paths, athlete, workers=workers, on_result=print_result)

    counts = report.counts()
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


def _activity_rows(store: Store, athlete: str) -> pl.DataFrame:
    acts = store.read("activities", athlete)
    return with_local_start(acts, _athlete_timezone(store, athlete)).sort("start_utc")


def _athlete_timezone(store: Store, athlete: str) -> str | None:
    try:
        from trainlog.settings import load_settings
    except ImportError:
        return None
    return load_settings(store.settings_path(athlete)).timezone


@cli.command("activities")
@athlete_option
@data_dir_option
@json_option
@click.option("--limit", "-n", type=click.IntRange(0), default=0, help="Show only the last N activities (0 = all).")
@friendly_errors
def activities_cmd(athlete, data_dir, as_json, limit):
    """List the athlete's activities (local date, sport, distance, time, ascent).

    \b
    Example:
      trainlog activities --athlete mara -n 10
    """
    store = Store(data_dir)
    acts = _activity_rows(store, athlete)
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
            "ascent_m": r["ascent_device_m"],
            "partial": r["partial"],
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
    click.echo(f"{'date':<10} {'time':<5} {'sport':<18} {'km':>7} {'duration':>9} {'ascent m':>8}")
    for r in rows:
        sport = r["sport"] or "unknown"
        if r["sub_sport"] and r["sub_sport"] not in ("generic", "None"):
            sport = f"{sport}/{r['sub_sport']}"
        km = f"{r['distance_m'] / 1000:.2f}" if r["distance_m"] is not None else ""
        asc = f"{r['ascent_m']:.0f}" if r["ascent_m"] is not None else ""
        click.echo(
            f"{r['date_local'] or '':<10} {(r['start_local'] or '')[11:16]:<5} {sport[:18]:<18} {km:>7} "
            f"{_fmt_duration(r['elapsed_s']):>9} {asc:>8}" + ("  (partial)" if r["partial"] else "")
        )


@cli.command("summary")
@athlete_option
@data_dir_option
@json_option
@click.option("--weeks", "-w", type=click.IntRange(1, 520), default=8, show_default=True, help="How many weeks.")
@friendly_errors
def summary_cmd(athlete, data_dir, as_json, weeks):
    """Weekly totals for the last weeks (ISO weeks, the athlete's local time).

    \b
    Example:
      trainlog summary --athlete mara --weeks 12
    """
    store = Store(data_dir)
    acts = _activity_rows(store, athlete)
    weekly = (
        acts.with_columns(pl.col("start_local").dt.truncate("1w").dt.date().alias("week_start"))
        .group_by("week_start")
        .agg(
            pl.len().alias("activities"),
            (pl.col("distance_m").fill_null(0).sum() / 1000).alias("distance_km"),
            (pl.col("timer_s").fill_null(0).sum() / 3600).alias("time_h"),
            pl.col("ascent_device_m").fill_null(0).sum().alias("ascent_m"),
        )
        .sort("week_start")
        .tail(weeks)
    )
    rows = [{**r, "week_start": r["week_start"].isoformat()} for r in weekly.iter_rows(named=True)]
    if as_json:
        click.echo(json.dumps({"athlete": athlete, "weeks": rows}, indent=2))
        return
    if not rows:
        click.echo(f"No activities for athlete {athlete!r} in {store.data_dir}.")
        return
    click.echo(f"{'week of':<10} {'n':>3} {'km':>8} {'hours':>6} {'ascent m':>8}")
    for r in rows:
        click.echo(
            f"{r['week_start']:<10} {r['activities']:>3} {r['distance_km']:>8.1f} {r['time_h']:>6.1f} {r['ascent_m']:>8.0f}"
        )


@cli.command("demo")
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to put the demo dataset [default: a 'demo' folder in the user data directory].",
)
@friendly_errors
def demo_cmd(data_dir):
    """Import the bundled sample athletes (sample_fit/) and show their summaries.

    \b
    Example:
      trainlog demo
    """
    from trainlog.demo import import_samples

    store = Store(data_dir or default_data_dir() / "demo")
    for report in import_samples(store):
        counts = report.counts()
        click.echo(f"{report.athlete}: " + ", ".join(f"{counts[o]} {o}" for o in OUTCOMES), err=True)
    ctx = click.get_current_context()
    for athlete in store.athletes():
        click.echo(f"\n== {athlete} ==")
        ctx.invoke(summary_cmd, athlete=athlete, data_dir=store.data_dir, as_json=False, weeks=8)


def main() -> None:
    cli(prog_name="trainlog")


if __name__ == "__main__":
    main()

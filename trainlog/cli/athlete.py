"""``trainlog athlete show|set``: an athlete's values, goal and model constants."""

from __future__ import annotations

import json
from pathlib import Path

import click

from trainlog.cli.options import athlete_option, data_dir_option, friendly_errors, iso_date, json_option
from trainlog.errors import SettingsError
from trainlog.settings import RANGES, history
from trainlog.settings.edit import check_name, edited, read_value, to_stored
from trainlog.settings.history import DATED_FIELDS
from trainlog.settings.show import settings_lines
from trainlog.text import printable


@click.group("athlete")
def athlete_group() -> None:
    """Show or set an athlete's values (HR, pace, power, starting fitness, time zone) and goal."""


@athlete_group.command("show")
@athlete_option
@data_dir_option
@json_option
@friendly_errors
def athlete_show(athlete: str, data_dir: Path | None, as_json: bool) -> None:
    """Show the athlete's settings, marking the defaults in use.

    \b
    Example:
      trainlog athlete show -a mara
    """
    from trainlog.analysis.stored import settings_of
    from trainlog.store import Store

    store = Store(data_dir)
    if athlete not in store.athletes() and not store.settings_path(athlete).exists():
        raise click.ClickException(
            f"no athlete {athlete!r} in {printable(store.data_dir)} (no data, no settings); "
            f"import some with: trainlog import PATH -a {athlete}, or: trainlog athlete set -a {athlete} ..."
        )
    settings = settings_of(store, athlete)
    if as_json:
        defaults = list(settings.resolve().defaults)
        click.echo(json.dumps({"athlete": athlete, **settings.to_dict(), "defaults_in_use": defaults}, indent=2))
        return
    for line in settings_lines(athlete, settings):
        click.echo(line)


def _limits(name: str, text: str, default: str = "") -> str:
    """An option's help with its range from trainlog.settings.RANGES (the one table of allowed values)."""
    rule = RANGES[name]
    return f"{text} ({rule.shown or rule.text()})" + (f" [default {default}]" if default else "") + "."


#: option -> the athlete's setting it sets (in the setting's own unit)
_ATHLETE_OPTIONS = {"sex": "sex", "hr_max": "hr_max_bpm", "hr_rest": "hr_rest_bpm", "lthr": "lthr_bpm",
                    "timezone": "timezone", "ftp": "ftp_w", "weight": "weight_kg", "start_ctl": "start_ctl",
                    "start_atl": "start_atl",
                    "available_hours": "available_hours_per_week", "default_sport": "default_sport"}
#: option -> (the goal's setting it sets, the unit the option is given in; None: the setting's own)
_GOAL_OPTIONS = {"goal_ascent": ("goal.ascent_m", None), "goal_distance": ("goal.distance_m", "km"),
                 "goal_time_limit": ("goal.time_limit_h", None), "goal_loops": ("goal.loops", None)}


@athlete_group.command("set")
@athlete_option
@data_dir_option
@click.option("--sex", type=click.Choice(["female", "male", "unknown"]), help="For the TRIMP weighting.")
@click.option("--hr-max", type=float, help=_limits("hr_max_bpm", "Maximum heart rate, bpm"))
@click.option("--hr-rest", type=float, help=_limits("hr_rest_bpm", "Resting heart rate, bpm"))
@click.option("--lthr", type=float,
              help=_limits("lthr_bpm", "Threshold (lactate) heart rate, bpm; rest < threshold <= max"))
@click.option("--threshold-pace", metavar="M:SS", help=_limits(
    "threshold_pace_s_per_km", "Threshold pace per km on the flat, M:SS or seconds, e.g. 4:30"))
@click.option("--timezone", metavar="ZONE", help="IANA time zone for files without a UTC offset, e.g. Europe/Paris.")
@click.option("--ftp", type=float,
              help=_limits("ftp_w", "Functional threshold power, W (the load of cycling with power)"))
@click.option("--weight", type=float, help=_limits("weight_kg", "Body weight, kg"))
@click.option("--from", "from_", metavar="YYYY-MM-DD", help=(
    "The day from which the heart rates, threshold pace, FTP and weight given hold (a threshold test); "
    "runs before it keep the values they had. Without it, those values hold for every day."))
@click.option("--remove-change", metavar="YYYY-MM-DD", help="Remove the dated change of that day.")
@click.option("--start-ctl", type=float, help=_limits(
    "start_ctl", "Fitness (CTL) on the day before the first activity; with it (or --start-atl) bands apply from "
    "day one instead of after 42 days of history"))
@click.option("--start-atl", type=float, help=_limits("start_atl", "Fatigue (ATL) on the day before the first activity"))
@click.option("--available-hours", type=float, help=_limits(
    "available_hours_per_week", "Training hours available in a week: trainlog plan generate never plans more",
    "model.plan_available_hours_per_week, 20"))
@click.option("--default-sport", metavar="SPORT",
              help="Sport of a GPX or TCX file that names none (FIT names: running, hiking, cycling...) [default: running].")
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
def athlete_set(athlete: str, data_dir: Path | None, reset: tuple[str, ...], from_: str | None,
                remove_change: str | None, **values: object) -> None:
    """Set the athlete's values and goal; unspecified values are kept.

    Heart rates, threshold pace, FTP and weight may change over time: with
    --from DAY they hold from that day on and every activity is scored with
    the values in force on its day. Without --from they hold for every day
    (replacing their dated changes).

    \b
    Examples:
      trainlog athlete set -a mara --sex female --hr-max 186 --hr-rest 46 --timezone America/New_York
      trainlog athlete set -a mara --lthr 172 --threshold-pace 4:20 --from 2026-01-10
      trainlog athlete set -a mara --remove-change 2026-01-10
      trainlog athlete set -a mara --ftp 250 --start-ctl 55 --start-atl 50
      trainlog athlete set -a mara --available-hours 18
      trainlog athlete set -a mara --goal-name "Barkley Marathons" --goal-date 2027-03-12
    """
    from trainlog.analysis.stored import save_settings_of, settings_of
    from trainlog.store import Store

    store = Store(data_dir)
    current = settings_of(store, athlete)
    changes: dict[str, object] = {}
    for option, name in _ATHLETE_OPTIONS.items():
        if values[option] is not None:
            changes[name] = None if values[option] == "unknown" else values[option]
    if values["threshold_pace"] is not None:
        changes["threshold_pace_s_per_km"] = read_value("threshold_pace_s_per_km", values["threshold_pace"])
    if values["goal_name"] is not None:
        changes["goal.name"] = values["goal_name"]
    if values["goal_date"] is not None:
        changes["goal.date"] = iso_date(values["goal_date"], "--goal-date")
    for option, (name, unit) in _GOAL_OPTIONS.items():
        if values[option] is not None:
            changes[name] = to_stored(name, values[option], unit)
    for name in reset:
        try:
            check_name(name)
        except SettingsError as exc:
            raise click.BadParameter(str(exc), param_hint="--reset") from None
    dated = {name: changes.pop(name) for name in list(changes) if name in DATED_FIELDS}
    if from_ is not None:
        if not dated:
            raise click.UsageError("--from needs a value that may change over time: --hr-max, --hr-rest, --lthr, "
                                   "--threshold-pace, --ftp or --weight")
        current = current.with_change(iso_date(from_, "--from"), dated)
    elif dated:  # for every day: the dated changes of these values go
        current = edited(current, {**dated, "thresholds": history.cleared(current.thresholds, set(dated))})
    if remove_change is not None:
        current = edited(current, {"thresholds": history.without(current.thresholds,
                                                                  iso_date(remove_change, "--remove-change"))})
    reset_dated = {name for name in reset if name in DATED_FIELDS}
    if reset_dated:  # back to the default for every day: its dated changes go too
        current = edited(current, {"thresholds": history.cleared(current.thresholds, reset_dated)})
    new = edited(current, changes, reset)
    save_settings_of(store, athlete, new)
    click.echo(f"saved settings for {athlete} in {store.settings_path(athlete)}")
    for line in settings_lines(athlete, new):  # what athlete show prints, from the settings just saved
        click.echo(line)

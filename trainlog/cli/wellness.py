"""``trainlog wellness add|show|import``: the athlete's mornings (resting HR, HRV, sleep, how they feel) and the
readiness signals read from them."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from trainlog.cli.options import (
    athlete_option,
    data_dir_option,
    echo_rows,
    friendly_errors,
    iso_date,
    json_option,
    require_data,
)
from trainlog.errors import InvalidValue
from trainlog.store.wellness_fields import FIELDS, LAYOUTS
from trainlog.text import fmt_num, printable, quoted

#: ``wellness add``'s options: option name -> the field it sets (trainlog.store.wellness.FIELDS).
OPTIONS = {"resting_hr": "resting_hr_bpm", "hrv": "hrv_rmssd_ms", "sleep": "sleep_h", "sleep_quality": "sleep_quality",
           "weight": "weight_kg", "soreness": "soreness", "fatigue": "fatigue", "stress": "stress", "mood": "mood",
           "motivation": "motivation", "ill": "illness", "note": "note"}


@click.group("wellness")
def wellness_group() -> None:
    """The athlete's wellness per day, and the readiness signals read from it.

    Each morning: resting HR, HRV (rMSSD), last night's sleep, weight, how you
    feel on 1-5 scales, ill or not, a note. A value given again for a day
    replaces the one before; the other values of the day stay. Readiness: HRV's
    7-day average against your normal range (built from your last 60 days, after
    14 mornings), resting HR more than 5 bpm above its baseline, sleep under 6 h,
    soreness 4 or 5, ill or injured (the numbers are model settings).

    \b
    Examples:
      trainlog wellness add -a mara --resting-hr 48 --hrv 62 --sleep 7.5 --soreness 2
      trainlog wellness show -a mara --from 2026-03-01
      trainlog wellness import intervals-wellness.csv -a mara
    """


def _help(column: str, what: str) -> str:
    f = FIELDS[column]
    return f"{what} ({f.range_text()})."


def _field_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options of ``wellness add``, one per field of :data:`OPTIONS`."""
    options = [
        click.option("--resting-hr", type=float, metavar="BPM", help=_help("resting_hr_bpm", "Resting heart rate")),
        click.option("--hrv", type=float, metavar="MS", help=_help("hrv_rmssd_ms", "HRV as rMSSD, ms")),
        click.option("--sleep", metavar="HOURS", help=_help("sleep_h", "Last night's sleep, hours: 7.5 or 7:30")),
        click.option("--sleep-quality", type=float, metavar="1-5", help=_help("sleep_quality", "Sleep quality")),
        click.option("--weight", type=float, metavar="KG", help=_help("weight_kg", "Body weight")),
        *(click.option(f"--{name}", type=float, metavar="1-5", help=_help(name, name.capitalize()))
          for name in ("soreness", "fatigue", "stress", "mood", "motivation")),
        click.option("--ill/--not-ill", "ill", default=None, help="Ill or injured today (--not-ill: no longer)."),
        click.option("--note", metavar="TEXT", help="A note on the day (\"\" clears it)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _shown(column: str, value: object) -> str:
    f = FIELDS[column]
    if f.kind == "flag":
        return f.label if value else f"not {f.label}"
    if f.kind == "text":
        return f"note {quoted(value, 60)}" if value else "note cleared"
    if f.kind == "scale":
        return f"{f.label} {int(value)} ({f.words[int(value) - 1]})"
    return f"{f.label} {value:g} {f.unit}"


def _readiness_lines(r: dict) -> list[str]:
    hrv = r["baselines"]["hrv"]
    if hrv["status"] == "building baseline":
        state = f"building baseline ({hrv['baseline_values']} of {hrv['values_needed']} mornings)"
    elif hrv["status"] == "no data":
        state = f"too few values in the last 7 days ({hrv['values_7d']} of {hrv['values_7d_needed']})"
    else:
        state = (f"{hrv['mean_7d_ms']:.0f} ms over 7 days, normal {hrv['normal_low_ms']:.0f}-"
                 f"{hrv['normal_high_ms']:.0f} ms ({hrv['status']})")
    lines = [f"Readiness {r['date']}: {r['level'] or 'nothing to judge'}; HRV: {state}"]
    lines += [f"  {f['level']}: {f['text']}" for f in r["flags"]]
    return lines


@wellness_group.command("add")
@athlete_option
@data_dir_option
@click.option("--date", "day", metavar="YYYY-MM-DD", help="The day (default: today, in the athlete's time zone).")
@_field_options
@friendly_errors
def add_cmd(athlete: str, data_dir: Path | None, day: str | None, **given: Any) -> None:
    """Record a day's wellness: only the values given change; the others stay as they were.

    A value out of range is one line and nothing is recorded. Giving the
    values already recorded changes nothing.

    \b
    Examples:
      trainlog wellness add -a mara --resting-hr 48 --hrv 62 --sleep 7:30 --soreness 2 --mood 4
      trainlog wellness add -a mara --date 2026-03-14 --ill --note "sore throat"
    """
    from trainlog.analysis.readiness import day_readiness
    from trainlog.analysis.stored import local_today, settings_of
    from trainlog.store import Store
    from trainlog.store import wellness as wellness_

    store = Store(data_dir)
    settings = settings_of(store, athlete)
    when = iso_date(day, "--date") or local_today(settings)
    if given.get("sleep") is not None:
        try:
            given["sleep"] = wellness_.parse_hours(given["sleep"])
        except ValueError:
            raise InvalidValue(f"--sleep {quoted(given['sleep'])} is not hours (7.5 or 7:30)") from None
    values = {OPTIONS[name]: value for name, value in given.items() if value is not None}
    if not values:
        raise InvalidValue("nothing to record: give at least one of --resting-hr, --hrv, --sleep, --sleep-quality, "
                           "--weight, --soreness, --fatigue, --stress, --mood, --motivation, --ill, --note")
    new = athlete not in store.athletes()
    if wellness_.add(store, athlete, when, values, source="cli"):
        click.echo(f"{athlete} {when}: recorded " + ", ".join(_shown(c, v) for c, v in values.items()))
        if new:
            click.echo(f"(a new dataset for athlete {athlete} in {printable(store.data_dir)})")
    else:
        click.echo(f"{athlete} {when}: nothing changed (every value given is already recorded)")
    for line in _readiness_lines(day_readiness(wellness_.daily(store, athlete), when, settings.model)):
        click.echo(printable(line))


_TABLE = (("date", "date", 10), ("rest HR", "resting_hr_bpm", 7), ("HRV", "hrv_rmssd_ms", 5),
          ("HRV 7d", "hrv_7d_ms", 6), ("normal", None, 7), ("sleep", "sleep_h", 5), ("qual", "sleep_quality", 4),
          ("sore", "soreness", 4), ("fatig", "fatigue", 5), ("stress", "stress", 6), ("mood", "mood", 4),
          ("motiv", "motivation", 5), ("ill", "illness", 3))


def _cell(row: dict, column: str | None) -> str:
    if column is None:  # the HRV normal range
        low, high = row["hrv_normal_low_ms"], row["hrv_normal_high_ms"]
        return "-" if low is None else f"{low:.0f}-{high:.0f}"
    value = row[column]
    if value is None:
        return "-"
    if column == "illness":
        return "yes" if value else "no"
    if column == "date":
        return value
    return fmt_num(value, ".1f" if column == "sleep_h" else ".0f")


def _show_lines(rows: list[dict], explained: Callable[[dict], list[str]]) -> list[str]:
    lines = [" ".join(f"{head:>{width}}" for head, _, width in _TABLE) + "  readiness"]
    for row in rows:
        level = row["level"] or "-"
        lines.append(" ".join(f"{_cell(row, column):>{width}}" for _, column, width in _TABLE)
                     + f"  {level}" + (f": {', '.join(row['flags'])}" if row["flags"] else ""))
    lines += [f"{row['date']} note: {row['note']}" for row in rows if row["note"]]
    return lines + explained(rows[-1])


@wellness_group.command("show")
@athlete_option
@data_dir_option
@click.option("--from", "since", metavar="YYYY-MM-DD", help="First day shown (default: the first recorded).")
@click.option("--to", "until", metavar="YYYY-MM-DD", help="Last day shown (default: the last recorded).")
@json_option
@friendly_errors
def show_cmd(athlete: str, data_dir: Path | None, since: str | None, until: str | None, as_json: bool) -> None:
    """The days with a wellness entry, their values and the readiness flags of each.

    HRV 7d is the 7-day average of HRV (geometric mean of rMSSD), normal its
    normal range (your last 60 days, mean +- 0.5 SD of ln rMSSD); readiness is
    ok, warn or flag with the rules that fire, explained for the last day shown.
    --json prints a list of rows (ISO dates, null for what was not given).

    \b
    Examples:
      trainlog wellness show -a mara
      trainlog wellness show -a mara --from 2026-03-01 --to 2026-03-31 --json
    """
    from trainlog.analysis.readiness import as_rows, day_readiness, signals
    from trainlog.analysis.stored import settings_of
    from trainlog.store import Store
    from trainlog.store import wellness as wellness_

    store = Store(data_dir)
    require_data(store, athlete)
    first, last = iso_date(since, "--from"), iso_date(until, "--to")
    if first and last and first > last:
        raise InvalidValue(f"--from {first} is after --to {last}")
    model = settings_of(store, athlete).model
    daily = wellness_.daily(store, athlete)
    frame = signals(daily, model)
    if first:
        frame = frame.filter(frame["date"] >= first)
    if last:
        frame = frame.filter(frame["date"] <= last)
    rows = as_rows(frame)

    def explained(row: dict) -> list[str]:
        return _readiness_lines(day_readiness(daily, dt.date.fromisoformat(row["date"]), model))

    empty = f"No wellness for athlete {athlete} in that range. Record some with: trainlog wellness add -a {athlete}"
    echo_rows(rows, as_json, empty, lambda: [printable(line) for line in _show_lines(rows, explained)])


@wellness_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@athlete_option
@data_dir_option
@click.option("--layout", type=click.Choice(LAYOUTS), default="auto", show_default=True,
              help="How to read the 1-5 scales: intervals.icu's 1-4 menus or ours; auto: from the column names.")
@json_option
@friendly_errors
def import_cmd(file: Path, athlete: str, data_dir: Path | None, layout: str, as_json: bool) -> None:
    """Import a wellness CSV file: a header row, then a row per day, the date first.

    Reads intervals.icu's wellness export (date, restingHR, hrv, sleepSecs,
    sleepQuality, weight, soreness, fatigue, stress, mood, motivation, injury,
    comments; its 1-4 scales become ours: soreness 1 low .. 4 extreme is our
    2..5, mood 1 great .. 4 grumpy is our 5..2), and plain columns (date,
    resting_hr, hrv or rmssd, sleep_hours, sleep_quality, weight, soreness,
    fatigue, stress, mood, motivation, illness, note), comma or semicolon
    separated. Dates are YYYY-MM-DD, with or without a time. A line with a bad
    value is skipped (and said why); the rest is recorded in one commit.
    Importing the same file again changes nothing.

    \b
    Examples:
      trainlog wellness import wellness.csv -a mara
      trainlog wellness import hrv.csv -a mara --layout plain --json
    """
    from trainlog.store import Store
    from trainlog.store import wellness as wellness_

    store = Store(data_dir)
    report = wellness_.import_csv(store, athlete, file, layout)
    if as_json:
        click.echo(json.dumps({"athlete": athlete, **report.to_dict()}, indent=2))
        return
    click.echo(printable(f"{file}: {report.rows} rows read ({report.layout} layout); {report.days} days with values: "
                         f"{report.written} recorded, {report.days - report.written} already recorded"
                         + (f"; {report.empty} rows without a value" if report.empty else "")))
    if report.ignored:
        click.echo(printable("Columns not read: " + ", ".join(report.ignored)))
    if report.skipped:
        click.echo(f"Skipped {len(report.skipped)} lines:")
        for line, why in report.skipped:
            click.echo(printable(f"  line {line}: {why}"))


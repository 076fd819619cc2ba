"""``trainlog export``: an athlete's data out, as tables (CSV, Parquet) or one file per activity (FIT, GPX)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from trainlog.cli.options import athlete_option, data_dir_option, friendly_errors, iso_date, json_option, require_data
from trainlog.errors import InvalidValue
from trainlog.text import printable
from trainlog.words import FILE_FORMATS, TABLE_FORMATS


@click.command("export")
@athlete_option
@data_dir_option
@click.option("--format", "-f", "fmt", type=click.Choice([*TABLE_FORMATS, *FILE_FORMATS]), default="csv",
              show_default=True, help="csv or parquet: three tables (activities, daily, samples); "
                                      "fit or gpx: one file per activity.")
@click.option("--from", "first", default=None, metavar="YYYY-MM-DD",
              help="First local day to export (activities by the day they started). Default: the first.")
@click.option("--to", "last", default=None, metavar="YYYY-MM-DD",
              help="Last local day to export (included). Default: the last day with training.")
@json_option
@click.argument("out", type=click.Path(path_type=Path))
@friendly_errors
def export_cmd(athlete: str, data_dir: Path | None, fmt: str, first: str | None, last: str | None, as_json: bool,
               out: Path) -> None:
    """Write the athlete's data into the folder OUT (created if missing; files of the same names are replaced).

    csv and parquet write activities, daily (load, fitness, fatigue, form, ACWR, ascent,
    descent per day) and samples (every recorded point); the README lists their columns.
    fit and gpx write one file per activity, named DATE_TIME_SPORT_ID; imported again
    into trainlog, each is a duplicate of its activity. A GPX track point needs a
    position: samples without one are left out, and an activity with none gets no file.

    \b
    Examples:
      trainlog export -a mara ~/mara-export
      trainlog export -a mara --format parquet --from 2026-01-01 --to 2026-03-31 ~/mara-q1
      trainlog export -a tom --format fit --from 2026-06-26 --to 2026-06-28 ~/tom-race
      trainlog export -a tom --format gpx ~/tom-gpx --json
    """
    from trainlog.export.files import export_activities
    from trainlog.export.tables import export_tables
    from trainlog.store import Store

    first_day, last_day = iso_date(first, "--from"), iso_date(last, "--to")
    if first_day and last_day and first_day > last_day:
        raise InvalidValue(f"--from {first_day} is after --to {last_day}")
    store = Store(data_dir)
    require_data(store, athlete)
    notes: list[dict[str, str]] = []
    if fmt in TABLE_FORMATS:
        paths = export_tables(store, athlete, out, fmt, first_day, last_day)
    else:
        paths = export_activities(store, athlete, out, fmt, first_day, last_day,
                                  on_note=lambda name, text: notes.append({"file": name, "note": text}))
    if as_json:
        click.echo(json.dumps({"athlete": athlete, "format": fmt, "files": [str(p) for p in paths],
                               "count": len(paths), "notes": notes}, indent=2))
        return
    for path in paths:
        click.echo(printable(path))
    for note in notes:
        click.echo(f"note: {printable(note['file'])}: {printable(note['note'])}")
    click.echo(f"{len(paths)} {'file' if len(paths) == 1 else 'files'} written to {printable(out)}")

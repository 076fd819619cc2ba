"""``trainlog import``: files, folders and export archives into an athlete's dataset."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from trainlog.cli.options import athlete_option, data_dir_option, friendly_errors, json_option
from trainlog.words import OUTCOMES, Outcome

if TYPE_CHECKING:  # imported by the command when it runs: `trainlog --help` loads neither Polars nor the decoders
    from trainlog.ingest.importer import FileResult, ImportReport
    from trainlog.store import Store


@click.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path, readable=False))  # each its own outcome
@athlete_option
@data_dir_option
@click.option("--quiet", "-q", is_flag=True, help="Only print failures and the final counts.")
@json_option
@click.option("--workers", type=click.IntRange(1, 64), default=None, help="Decoder processes [default: all cores].")
@friendly_errors
def import_cmd(
    paths: tuple[Path, ...], athlete: str, data_dir: Path | None, quiet: bool, as_json: bool, workers: int | None
) -> None:
    """Import FIT, GPX and TCX files (also .gz), folders and Garmin/Strava export zips.

    Every file ends as imported, duplicate, skipped (not an activity) or
    failed (with the reason). Exits with status 1 when any file failed. An
    export's activities.csv (Strava) or *_summarizedActivities.json (Garmin)
    gives the activities their names, types, gear and RPE.

    \b
    Examples:
      trainlog import activity.fit
      trainlog import ~/garmin-export.zip --athlete mara
      trainlog import ~/watch-folder/ ~/strava-export.zip -a tom
      trainlog import morning-run.gpx old-race.tcx.gz -a tom
    """
    from trainlog.analysis.coach import after_import
    from trainlog.ingest.importer import import_paths
    from trainlog.store import Store

    store = Store(data_dir)
    if sys.stderr.isatty() and not as_json:
        report = _import_with_progress(store, paths, athlete, quiet, workers)
    else:
        report = import_paths(store, paths, athlete, workers=workers,
                              on_result=lambda result: _print_result(result, quiet, as_json))
    counts = report.counts()
    after_import(store, report)
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


def _print_result(result: FileResult, quiet: bool, as_json: bool) -> None:
    """One file's line (failures on stderr); none with ``--json``, only failures with ``--quiet``."""
    if as_json or (quiet and result.outcome != Outcome.FAILED):
        return
    click.echo(result.line(), err=result.outcome == Outcome.FAILED)


def _import_with_progress(
    store: Store, paths: tuple[Path, ...], athlete: str, quiet: bool, workers: int | None
) -> ImportReport:
    """:func:`~trainlog.ingest.importer.import_paths` under a progress bar on stderr, each file's line printed above it."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from trainlog.ingest.importer import import_paths

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

    def on_plan(n: int) -> None:
        progress.update(task, total=n)

    def on_decoded(n_records: int) -> None:
        nonlocal records
        records += n_records
        progress.update(task, advance=1, records=records)

    def on_result(result: FileResult) -> None:
        if quiet and result.outcome != Outcome.FAILED:
            return
        progress.console.print(result.line(), markup=False, highlight=False, soft_wrap=True)  # above the bar

    with progress:
        return import_paths(
            store, paths, athlete, workers=workers, on_plan=on_plan, on_decoded=on_decoded, on_result=on_result
        )

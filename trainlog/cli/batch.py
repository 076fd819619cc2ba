"""``trainlog batch import|analyse`` (many athletes on a Dask cluster) and ``trainlog roster`` (their figures)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from trainlog.cli.options import data_dir_option, friendly_errors, json_option
from trainlog.text import printable
from trainlog.words import OUTCOMES

if TYPE_CHECKING:  # imported when a command runs: `trainlog --help` loads neither Polars nor Dask
    from trainlog.cluster.batch import AthleteResult, BatchReport

SCHEDULER_HELP = ("Where the work runs: local (a cluster of one worker a core on this machine), local:N (N workers), "
                  "or a Dask scheduler's address (tcp://host:8786).")


def scheduler_option(f):  # noqa: ANN001, ANN201 - a click decorator
    return click.option("--scheduler", default="local", show_default=True, metavar="ADDRESS|local[:N]",
                        help=SCHEDULER_HELP)(f)


@click.group("batch")
def batch_group() -> None:
    """Import and analyse many athletes at once on a Dask cluster (pip install "trainlog[cluster]").

    The unit of work is one athlete: each athlete's files are imported and
    analysed on one worker, through the athlete's lock, as `trainlog import`
    does. Each athlete's row of the roster (`trainlog roster`, the Coach page)
    is written as the athlete finishes.

    \b
    Examples:
      trainlog batch import ~/club-inbox --scheduler local
      trainlog batch import /mnt/inbox --scheduler tcp://scheduler:8786 --data-dir /mnt/trainlog
      trainlog batch analyse --scheduler local:8
    """


@batch_group.command("import")
@click.argument("inbox", type=click.Path(file_okay=False, readable=False))
@scheduler_option
@data_dir_option
@json_option
@click.option("--quiet", "-q", is_flag=True, help="Only print athletes with failures and the final counts.")
@friendly_errors
def batch_import_cmd(inbox: str, scheduler: str, data_dir: Path | None, as_json: bool, quiet: bool) -> None:
    """Import every athlete's folder of INBOX (INBOX/<athlete>/...: files, folders, export zips).

    Every file ends as `trainlog import` says (imported, duplicate, skipped or
    failed); one line per athlete gives the counts. A failed athlete never
    stops the batch; exits with status 1 when any file or athlete failed.
    Re-running imports nothing twice.

    \b
    Examples:
      trainlog batch import ~/club-inbox
      trainlog batch import ~/club-inbox --scheduler local:2 --json
    """
    from trainlog.cluster.batch import count_files, import_tasks
    from trainlog.cluster.batch import inbox as inbox_folders
    from trainlog.errors import InvalidValue
    from trainlog.store import Store

    if not inbox.strip():
        raise InvalidValue("INBOX: empty (the folder that holds one folder per athlete: INBOX/<athlete>/...)")
    store = Store(data_dir)
    folders, refused = inbox_folders(Path(inbox))
    if not folders:
        raise InvalidValue(f"{printable(inbox)}: no athlete folder in it (an inbox holds INBOX/<athlete>/...)"
                           + (f"; {len(refused)} entries are not athlete folders" if refused else ""))
    # the files bar's totals walk the inbox before the first task: only for a terminal's progress bar
    totals = {athlete: count_files(folder) for athlete, folder in folders} if _bar(as_json) else {}
    report = _run(store, import_tasks(store, folders, every_file=as_json), scheduler, as_json, quiet, totals, refused)
    _finish(report, store, as_json)


def _bar(as_json: bool) -> bool:
    """Whether the batch shows a progress bar: on a terminal, without ``--json``."""
    return sys.stderr.isatty() and not as_json


@batch_group.command("analyse")
@click.option("--athletes", "-a", "athletes", default=None, metavar="NAME,NAME,...",
              help="Only these athletes (comma-separated) [default: every athlete of the data directory].")
@scheduler_option
@data_dir_option
@json_option
@click.option("--quiet", "-q", is_flag=True, help="Only print athletes with errors and the final line.")
@friendly_errors
def batch_analyse_cmd(athletes: str | None, scheduler: str, data_dir: Path | None, as_json: bool, quiet: bool
                      ) -> None:
    """Bring many athletes' analyses up to date (after their settings changed, or a new trainlog) and rewrite
    their roster rows.

    \b
    Examples:
      trainlog batch analyse
      trainlog batch analyse --athletes mara,tom --scheduler tcp://scheduler:8786
    """
    from trainlog.cluster.batch import analyse_tasks
    from trainlog.errors import InvalidValue
    from trainlog.store import Store, check_athlete

    store = Store(data_dir)
    known = store.athletes()
    if athletes is None:
        chosen, keep = known, store.athletes  # every athlete: the roster forgets those whose dataset is gone then
    else:
        chosen = [check_athlete(name.strip()) for name in athletes.split(",") if name.strip()]
        missing = [name for name in chosen if name not in known]
        if missing:
            raise InvalidValue(f"--athletes: no dataset for {', '.join(map(repr, missing))} in {store.data_dir}")
        keep = None
    if not chosen:
        raise InvalidValue(f"no athlete in {store.data_dir}: import some first (trainlog batch import INBOX)")
    report = _run(store, analyse_tasks(store, chosen), scheduler, as_json, quiet, {}, (), keep)
    _finish(report, store, as_json)


def _run(store, tasks, scheduler: str, as_json: bool, quiet: bool, totals: dict[str, int],  # noqa: ANN001
         refused, keep=None) -> BatchReport:  # noqa: ANN001
    """The tasks on the cluster, with a progress bar over athletes and files on a terminal."""
    from trainlog.cluster.batch import connect, run

    def line(result: AthleteResult) -> str | None:
        if as_json or (quiet and result.ok):
            return None
        return _athlete_line(result)

    with connect(scheduler) as client:
        if not as_json:
            click.echo(f"Dask dashboard: {client.dashboard_link}", err=True)
        if not _bar(as_json):
            def on_result(result: AthleteResult) -> None:
                text = line(result)
                if text:
                    click.echo(text)
            for result in refused:
                on_result(result)
            return run(client, tasks, store.data_dir, on_result, refused, keep)
        return _with_progress(client, tasks, store, line, totals, refused, keep)


def _with_progress(client, tasks, store, line, totals: dict[str, int], refused, keep) -> BatchReport:  # noqa: ANN001
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from trainlog.cluster.batch import run

    progress = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                        TimeElapsedColumn(), transient=True)
    athletes = progress.add_task("athletes", total=len(tasks))
    files = progress.add_task("files", total=sum(totals.values()) or None, visible=bool(totals))

    def on_result(result: AthleteResult) -> None:
        progress.update(athletes, advance=1)
        progress.update(files, advance=totals.get(result.athlete, 0))
        text = line(result)
        if text:
            progress.console.print(text, markup=False, highlight=False, soft_wrap=True)

    with progress:
        for result in refused:
            text = line(result)
            if text:
                progress.console.print(text, markup=False, highlight=False, soft_wrap=True)
        return run(client, tasks, store.data_dir, on_result, refused, keep)


def _athlete_line(result: AthleteResult) -> str:
    """``mara: 120 imported, 3 duplicate, 0 skipped, 1 failed (12.3 s)``, then each failed file's line; an
    athlete stopped by an error: ``tom: 0 imported, ... (0.4 s); failed: <why>``."""
    head = f"{printable(result.athlete)}: " + ", ".join(f"{result.counts[o]} {o}" for o in OUTCOMES)
    head += f" ({result.seconds:.1f} s)" + (f"; failed: {printable(result.error)}" if result.error else "")
    lines = [head]
    lines += [f"  failed    {printable(f['file'])}: {printable(f['detail'])}" for f in result.files
              if f["outcome"] == "failed"]
    return "\n".join(lines)


def _finish(report: BatchReport, store, as_json: bool) -> None:  # noqa: ANN001
    counts = report.counts()
    failed_athletes = [r.athlete for r in report.results if r.error]
    if as_json:
        click.echo(json.dumps({"data_dir": str(store.data_dir), "scheduler": report.scheduler,
                               "dashboard": report.dashboard, "counts": counts, "roster_error": report.roster_error,
                               "athletes": [r.to_dict() for r in report.results]}, indent=2))
    else:
        click.echo(f"{len(report.results)} athletes ({len(failed_athletes)} failed): "
                   + ", ".join(f"{counts[o]} {o}" for o in OUTCOMES) + f"  ({store.data_dir})")
    if report.roster_error:
        click.echo(f"The roster was not updated: {printable(report.roster_error)} "
                   "(the athletes' data is stored; `trainlog batch analyse` writes the roster again)", err=True)
    sys.exit(0 if report.ok else 1)


@click.command("roster")
@data_dir_option
@json_option
@click.option("--where", default=None, metavar="CONDITION",
              help="Only the rows where this SQL condition holds, e.g. \"acwr > 1.5\", \"readiness = 'flag'\", "
                   "\"n_flags > 0 and athlete like 'a%'\", \"as_of >= DATE '2026-11-01'\".")
@click.option("--sort", default=None, metavar="COLUMNS",
              help="Order by these comma-separated columns, '-' first for descending, e.g. \"-acwr,athlete\".")
@click.option("--limit", type=click.IntRange(1, 10**9), default=None, help="At most this many rows.")
@friendly_errors
def roster_cmd(data_dir: Path | None, as_json: bool, where: str | None, sort: str | None, limit: int | None) -> None:
    """The roster: one row per athlete with the Coach page's figures and flags.

    Written by `trainlog batch import` and `batch analyse`, and kept up to date
    by `trainlog import`. Columns: athlete, as_of, ctl, atl, tsb, form_band,
    ramp, acwr, acwr_band, monotony, week_ascent_m, best_7day_ascent_m,
    goal_date, race_morning_tsb, readiness, flags, n_flags, error, ...
    (`--json` prints them all).

    \b
    Examples:
      trainlog roster --where "acwr > 1.5" --sort -acwr
      trainlog roster --where "readiness = 'flag' or n_flags > 1" --json
    """
    from trainlog.analysis.listing import roster_lines
    from trainlog.errors import InvalidValue
    from trainlog.store import Store, roster

    store = Store(data_dir)
    frame = roster.read(store.data_dir)
    if frame is None:
        raise InvalidValue(f"no roster in {store.data_dir}: `trainlog batch import INBOX` or "
                           "`trainlog batch analyse` writes it")
    rows = roster.query(frame, where, sort, limit)
    if as_json:
        click.echo(json.dumps(rows.to_dicts(), indent=2, default=str))
        return
    if rows.is_empty():
        click.echo("No athlete matches." if where else "The roster is empty.")
        return
    for line in roster_lines(rows):
        click.echo(line)

"""``trainlog watch``: import new or changed files from folders as they appear (:mod:`trainlog.ingest.watch`)."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

import click

from trainlog.cli.options import athlete_option, data_dir_option, friendly_errors
from trainlog.ingest.sources import oserror_reason
from trainlog.text import printable
from trainlog.words import OUTCOMES, Outcome

if TYPE_CHECKING:  # imported by the command when it runs: `trainlog --help` loads neither Polars nor the decoders
    from trainlog.ingest.watch import Stop


class _BadFolder(click.ClickException):
    """A folder named on the command line that cannot be watched: one line, exit status 2 (a usage error)."""

    exit_code = 2


@click.command("watch")
@click.argument("folders", nargs=-1, required=True, metavar="DIR...", type=click.Path(path_type=Path))
@athlete_option
@data_dir_option
@click.option("--debounce", type=click.FloatRange(0, 3600), default=2.0, show_default=True, metavar="SECONDS",
              help="Import a file once it has not changed for this long (and its content is whole).")
@click.option("--interval", type=click.FloatRange(0.05, 3600), default=2.0, show_default=True, metavar="SECONDS",
              help="Scan the folders this often.")
@click.option("--once", is_flag=True, help="One pass, then exit (for cron): status 1 when a file failed.")
@click.option("--verbose", "-v", is_flag=True,
              help="Also list the files there at the start that are duplicates or skipped (else only counted).")
@friendly_errors
def watch_cmd(folders: tuple[Path, ...], athlete: str, data_dir: Path | None, debounce: float, interval: float,
              once: bool, verbose: bool) -> None:
    """Import new or changed files from folders as they appear.

    Each DIR and its subfolders are scanned every --interval seconds. A file
    that trainlog import takes (FIT, GPX, TCX, .gz, zip) is imported once it
    has not changed for --debounce seconds and its content is whole: a FIT
    file as long as its header says, a zip with its directory at the end, a
    gzip stream with its end, a GPX file with its closing tag. A file still
    being copied is never imported half, however long the copy pauses. Each
    file gets one line; the files already there are imported first, those
    imported before (duplicates) only counted. A file that changes is
    considered again; one that failed is tried again once it changes.
    A folder that disappears (a watch unplugged) is waited for. Ctrl+C stops,
    after the file being stored. The dashboard's Settings page shows each
    folder's last import.

    \b
    Examples:
      trainlog watch /media/GARMIN/Garmin/Activity -a mara
      trainlog watch ~/Dropbox/Apps/Garmin ~/Dropbox/Strava -a tom --interval 30
      trainlog watch ~/watch-folder -a mara --once     # one pass, from cron
    """
    from trainlog.analysis.coach import after_import
    from trainlog.ingest.watch import Stop, Watcher
    from trainlog.store import Store

    for folder in folders:
        _check_folder(folder)
    store = Store(data_dir)
    stop = Stop()
    watcher = Watcher(store, folders, athlete, echo=lambda line, error: click.echo(line, err=error),
                      debounce=debounce, after_import=lambda report: after_import(store, report),
                      verbose=verbose, stop=stop)
    with _stopped_by_signals(stop):
        try:
            counts = watcher.run(interval, once=once)
        except KeyboardInterrupt:  # a second Ctrl+C: the commit under way, if any, was abandoned whole
            counts = dict(watcher.counts)
    if once:
        sys.exit(1 if counts[Outcome.FAILED] else 0)
    others = ", ".join(f"{counts[o]} {o}" for o in OUTCOMES if o != Outcome.IMPORTED)
    n = counts[Outcome.IMPORTED]
    click.echo(f"stopped: {n} file{'' if n == 1 else 's'} imported ({others})")


def _check_folder(folder: Path) -> None:
    """One line and exit status 2 unless ``folder`` is a folder this user may list."""
    try:
        with os.scandir(folder):
            pass
    except FileNotFoundError:
        raise _BadFolder(f"{printable(folder)}: no such folder") from None
    except NotADirectoryError:
        raise _BadFolder(f"{printable(folder)}: not a folder") from None
    except OSError as exc:
        raise _BadFolder(f"{printable(folder)}: cannot watch it ({oserror_reason(exc)})") from None


@contextmanager
def _stopped_by_signals(stop: Stop) -> Iterator[None]:
    """Ctrl+C (SIGINT) and SIGTERM ask ``stop`` to stop the watch; a second one interrupts at once."""

    def handle(signum: int, frame: FrameType | None) -> None:
        if stop.requested:
            raise KeyboardInterrupt
        stop.set()

    previous = {sig: signal.signal(sig, handle) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)

"""Many athletes on a Dask cluster: ``trainlog batch import`` and ``trainlog batch analyse``.

The unit of work is one athlete: a task imports that athlete's new files (:func:`import_athlete`: the same
:func:`~trainlog.ingest.importer.import_paths` as ``trainlog import``, so the same tables), analyses them and
computes their roster row (:func:`trainlog.analysis.coach.row`). Two tasks never write the same athlete, and
each write goes through the athlete's lock and atomic manifest, so a task that dies (a worker killed, a
machine lost) and is run again by Dask finds what the first run committed (its files are then duplicates)
and adds only the rest: nothing lost, nothing doubled. The driver (:func:`run`) writes each finished athlete's
row to the roster (:mod:`trainlog.store.roster`) and reports every athlete; a failed athlete never stops it.

Dask is an optional dependency (``pip install "trainlog[cluster]"``): it is imported by :func:`connect` only.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trainlog.errors import InvalidValue, TrainlogError, first_line
from trainlog.store import Store, check_athlete, roster
from trainlog.words import OUTCOMES, Outcome

#: How often (s) the driver writes the roster while athletes finish (and once at the end).
ROSTER_EVERY_S = 1.0
#: How many times Dask may lose a worker while it runs one athlete before that athlete fails.
ALLOWED_FAILURES = 3
#: How long connecting to a scheduler may take (s).
CONNECT_TIMEOUT_S = 30
#: ``--scheduler`` values that start a cluster on this machine (``local`` or ``local:N`` workers).
LOCAL = "local"


@dataclass
class AthleteResult:
    """One athlete's end of a batch: the import's outcome counts and files (as ``trainlog import --json``),
    or the error that stopped them (then ``counts`` are those known: none)."""

    athlete: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))
    files: list[dict] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0
    row: dict | None = None  # the roster row (not in the report: the roster holds it)

    @property
    def ok(self) -> bool:
        return self.error is None and not self.counts.get(Outcome.FAILED)

    def to_dict(self) -> dict:
        return {"athlete": self.athlete, "counts": self.counts, "error": self.error, "seconds": round(self.seconds, 3),
                "files": self.files}


@dataclass
class BatchReport:
    """Every athlete's result, in name order."""

    results: list[AthleteResult]
    scheduler: str
    dashboard: str | None
    roster_error: str | None = None  # why the roster could not be written (the athletes' data is in their datasets)

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(OUTCOMES, 0)
        for r in self.results:
            for outcome, n in r.counts.items():
                out[outcome] += n
        return out

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.results) and self.roster_error is None


# ---- the tasks (run on the workers: module-level functions of plain arguments)

def import_athlete(data_dir: str, athlete: str, folder: str, every_file: bool = True) -> AthleteResult:
    """Import ``folder`` (anything ``trainlog import`` takes) into ``athlete``'s dataset, analyse it and compute
    the athlete's roster row; errors that stop the athlete (a full disk, a lock held) become the result's error.
    ``every_file``: the result lists every file's outcome, else only the failed ones (a batch of millions of files
    keeps its driver's memory small)."""
    from trainlog.ingest.importer import import_paths

    started = time.perf_counter()
    store = Store(data_dir)
    result = AthleteResult(athlete)
    try:
        report = import_paths(store, [folder], athlete, workers=1)  # the cluster's workers are the parallelism
        result.counts = report.counts()
        result.files = [{"file": r.name, "outcome": r.outcome, "detail": r.detail, "activity_ids": r.activity_ids}
                        for r in report.results if every_file or r.outcome == Outcome.FAILED]
    except TrainlogError as exc:
        result.error = first_line(exc)
    return _with_row(store, result, started)


def analyse_athlete(data_dir: str, athlete: str) -> AthleteResult:
    """Bring ``athlete``'s kept analysis up to date with their data and settings, and compute their roster row."""
    return _with_row(Store(data_dir), AthleteResult(athlete), time.perf_counter())


def _with_row(store: Store, result: AthleteResult, started: float) -> AthleteResult:
    """The result with the athlete's roster row, computed from their analysis, which :func:`coach.row` brings up to
    date and keeps on disk first (its error is the row's; an error that stopped the import is the row's too)."""
    from trainlog.analysis import coach

    row = coach.row(store, result.athlete)
    if result.error is not None and row["error"] is None:
        row = {**row, "error": result.error, "flags": [coach.ERROR, *row["flags"]], "n_flags": row["n_flags"] + 1}
    result.error = result.error or row["error"]
    result.row = row
    result.seconds = time.perf_counter() - started
    return result


# ---- what a batch works on

def inbox(path: Path) -> tuple[list[tuple[str, Path]], list[AthleteResult]]:
    """The athlete folders of an inbox (``INBOX/<athlete>/...``), by name, and a failed result for each entry that
    is not one (a folder whose name is not an athlete name, a file beside the folders). InvalidValue when ``path``
    is not a readable folder."""
    if not path.is_dir():
        raise InvalidValue(f"{path}: not a folder (an inbox holds one folder per athlete: INBOX/<athlete>/...)")
    try:
        entries = sorted(path.iterdir())
    except OSError as exc:
        raise InvalidValue(f"{path}: cannot list the inbox ({first_line(exc)})") from None
    folders: list[tuple[str, Path]] = []
    refused: list[AthleteResult] = []
    seen: dict[str, str] = {}
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if not entry.is_dir():
            refused.append(AthleteResult(entry.name, error="not an athlete folder: put files in INBOX/<athlete>/"))
            continue
        try:
            athlete = check_athlete(entry.name)  # NFKC: a folder "ｍａｒａ" is athlete "mara", as for trainlog import
        except TrainlogError as exc:
            refused.append(AthleteResult(entry.name, error=first_line(exc)))
            continue
        if athlete in seen:  # two folders of one athlete would be two tasks writing one dataset
            refused.append(AthleteResult(entry.name, error=f"the same athlete {athlete!r} as folder {seen[athlete]!r} "
                                                           "(names are compared after Unicode NFKC normalisation): "
                                                           "put the files in one folder"))
            continue
        seen[athlete] = entry.name
        folders.append((athlete, entry))
    return folders, refused


def count_files(folder: Path) -> int:
    """How many files a folder holds, at any depth (the progress bar's total; archives count as one)."""
    return sum(len(files) for _, _, files in os.walk(folder))


# ---- the cluster

def parse_scheduler(value: str) -> tuple[str, int | None]:
    """``local`` -> (local, None: one worker a core), ``local:N`` -> (local, N), else (the scheduler's address,
    None). InvalidValue for ``local:`` with something other than a worker count from 1 to 256."""
    text = value.strip()
    if text == LOCAL:
        return LOCAL, None
    if text.startswith(LOCAL + ":"):
        count = text[len(LOCAL) + 1:]
        if not count.isdigit() or not 1 <= int(count) <= 256:
            raise InvalidValue(f"--scheduler {value!r}: local:N takes a worker count from 1 to 256 (example: local:4)")
        return LOCAL, int(count)
    if not text:
        raise InvalidValue("--scheduler: empty (examples: local, local:4, tcp://scheduler:8786)")
    return text, None


@contextmanager
def connect(scheduler: str) -> Iterator[Any]:
    """A Dask client on ``scheduler`` (:func:`parse_scheduler`): a LocalCluster of worker processes started here
    and closed after, or an existing scheduler's address. TrainlogError (one line) without Dask or without an
    answer from the scheduler."""
    try:
        from dask import config
        from dask.system import CPU_COUNT
        from distributed import Client, LocalCluster
    except ImportError:
        raise TrainlogError('batch needs Dask: pip install "trainlog[cluster]"') from None
    address, workers = parse_scheduler(scheduler)
    with config.set({"distributed.scheduler.allowed-failures": ALLOWED_FAILURES}):  # a LocalCluster's scheduler
        if address == LOCAL:
            import logging

            n = workers or CPU_COUNT  # the cores this process may use (a container's limit too)
            cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=":0",
                                   silence_logs=logging.ERROR)
            with cluster, Client(cluster) as client:
                # Ctrl-C reaches the terminal's whole process group: the driver stops and closes the cluster, and
                # the workers, each in a process group of its own from here on, do not each print a traceback
                # (ignoring SIGINT is not enough: Polars handles it itself while a query runs)
                client.register_plugin(_own_process_group(), name="trainlog-own-process-group")
                yield client
            return
        try:
            client = Client(address, timeout=CONNECT_TIMEOUT_S)
        except Exception as exc:  # OSError, a timeout, a scheme Dask lacks a library for (tls://, ucx://)
            raise TrainlogError(f"--scheduler {scheduler!r}: no Dask scheduler answered "
                                f"({type(exc).__name__}: {first_line(exc)})") from None
        with client:
            yield client


def _own_process_group() -> Any:
    """A Dask worker plugin that moves a LocalCluster's worker process into a process group of its own (Unix), out
    of reach of the terminal's Ctrl-C (defined here: Dask is imported on use)."""
    from distributed import WorkerPlugin

    class OwnProcessGroup(WorkerPlugin):
        def setup(self, worker: Any) -> None:
            with suppress(OSError, AttributeError):  # Windows has no process groups
                os.setpgid(0, 0)

    return OwnProcessGroup()


def run(client: Any, tasks: Sequence[tuple[str, Callable[..., AthleteResult], tuple]], data_dir: Path,
        on_result: Callable[[AthleteResult], None] | None = None, refused: Sequence[AthleteResult] = (),
        keep: Callable[[], Sequence[str]] | None = None) -> BatchReport:
    """Run one task per athlete (``(athlete, function, args)``) on ``client``'s cluster, writing each finished
    athlete's row to the roster (at most every :data:`ROSTER_EVERY_S`, and at the end) and calling
    ``on_result`` as each finishes. A task that raises (a bug, a worker lost :data:`ALLOWED_FAILURES` times) is
    that athlete's error; the others go on. ``refused``: results known before (not athlete folders), reported
    too. ``keep()``: the athletes whose rows the roster keeps, asked at each write (the athletes with a dataset
    then; None: every row, and an unreadable roster is left as it is rather than rebuilt from this batch's rows)."""
    from distributed import as_completed

    address, dashboard = _address(client), _dashboard(client)  # asked now: a scheduler lost later cannot answer
    futures = {}
    for athlete, function, args in tasks:
        future = client.submit(function, *args, key=f"trainlog-{athlete}-{uuid.uuid4().hex[:12]}", pure=False)
        futures[future] = athlete
    results: list[AthleteResult] = [*refused]
    pending_rows: list[dict] = []
    written = time.monotonic()
    roster_error: str | None = None

    def write_roster() -> None:
        """The rows finished since the last write into the roster; a refusal (a full disk) keeps them for the next
        try and is reported at the end, and never stops the athletes' work."""
        nonlocal pending_rows, written, roster_error
        written = time.monotonic()
        if pending_rows or keep is not None:
            try:
                roster.update(data_dir, pending_rows, keep() if keep is not None else None, rebuild=keep is not None)
            except TrainlogError as exc:
                roster_error = first_line(exc)
                return
        pending_rows, roster_error = [], None

    try:
        for future in as_completed(futures):
            athlete = futures[future]
            try:
                result = future.result()
            except Exception as exc:  # the athlete's task failed on the cluster: the batch goes on
                result = AthleteResult(athlete, error=f"{type(exc).__name__}: {first_line(exc)}")
            finally:
                future.release()
            results.append(result)
            if result.row is not None:
                pending_rows.append(result.row)
            if on_result:
                on_result(result)
            if time.monotonic() - written >= ROSTER_EVERY_S:
                write_roster()
    finally:
        write_roster()  # what finished is in the roster, even when the driver is interrupted
    results.sort(key=lambda r: r.athlete)
    return BatchReport(results, address, dashboard, roster_error)


def _address(client: Any) -> str:
    try:
        return str(client.scheduler.address)
    except Exception:  # no scheduler (closed, lost): the report says so
        return "?"


def _dashboard(client: Any) -> str | None:
    try:
        return client.dashboard_link
    except Exception:
        return None


def import_tasks(store: Store, folders: Sequence[tuple[str, Path]], every_file: bool = True
                 ) -> list[tuple[str, Callable, tuple]]:
    """One :func:`import_athlete` task per inbox folder (absolute paths: the workers may run elsewhere)."""
    data_dir = str(Path(store.data_dir).absolute())
    return [(athlete, import_athlete, (data_dir, athlete, str(folder.absolute()), every_file))
            for athlete, folder in folders]


def analyse_tasks(store: Store, athletes: Sequence[str]) -> list[tuple[str, Callable, tuple]]:
    """One :func:`analyse_athlete` task per athlete."""
    data_dir = str(Path(store.data_dir).absolute())
    return [(athlete, analyse_athlete, (data_dir, athlete)) for athlete in athletes]

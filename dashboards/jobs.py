"""Imports started from the browser: background jobs, and the child process that imports uploads.

Used by :mod:`dashboards.data` (which checks who may start or read a job);
pages reach jobs only through :meth:`dashboards.data.Data.job`.
"""

from __future__ import annotations

import multiprocessing
import queue
import re
import shutil
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.queues import Queue
from pathlib import Path
from typing import Protocol

from trainlog.analysis.coach import after_import
from trainlog.errors import first_line
from trainlog.ingest.importer import FileResult, import_paths
from trainlog.store import Store

#: Seconds between checks that an import's child process is still alive.
CHILD_POLL_S = 1.0
#: An import job id: uuid4().hex.
JOB_ID = re.compile(r"[0-9a-f]{32}")

#: Told the number of files planned (called again as more are found).
OnPlan = Callable[[int], None]
#: Told each file's result as it is done.
OnResult = Callable[[FileResult], None]


class Work(Protocol):
    """An import to run in a job: reports its plan and each file's result as it goes."""

    def __call__(self, *, on_plan: OnPlan, on_result: OnResult) -> None: ...


@dataclass
class ImportJob:
    """An import running in a background thread; read by the page that polls it."""

    id: str
    athlete: str | None = None  # None: several (the sample athletes)
    total: int | None = None  # files planned (None until known)
    results: list[FileResult] = field(default_factory=list)
    display_names: dict[str, str] = field(default_factory=dict)  # stored path -> name the user gave
    done: bool = False
    error: str | None = None

    def rows(self) -> list[dict]:
        """One row per finished file: file (as the user named it), outcome, detail."""
        return [
            {"file": self.display_name(r.name), "outcome": r.outcome, "detail": r.detail} for r in list(self.results)
        ]

    def display_name(self, stored: str) -> str:
        """The name the user gave a stored file (a member of a zip keeps its path inside), else the file's name."""
        for path, name in self.display_names.items():
            if stored.startswith(path):
                return name + stored[len(path):]
        return Path(stored).name


class Jobs:
    """The import jobs of one dashboard, by id; each runs in its own daemon thread."""

    def __init__(self) -> None:
        self._jobs: dict[str, ImportJob] = {}

    def get(self, job_id: object) -> ImportJob | None:
        """The job ``job_id``; None if unknown or not a job id (:data:`JOB_ID`)."""
        return self._jobs.get(job_id) if isinstance(job_id, str) and JOB_ID.fullmatch(job_id) else None

    def start(self, work: Work, athlete: str | None = None, cleanup: Path | None = None,
              names: dict[str, str] | None = None) -> ImportJob:
        """Run ``work`` in a background thread as a new job (``athlete``: the one it imports into;
        ``cleanup``: a folder removed when it ends; ``names``: stored path -> name the user gave)."""
        job = ImportJob(uuid.uuid4().hex, athlete=athlete, display_names=names or {})
        self._jobs[job.id] = job

        def plan(n: int) -> None:
            job.total = (job.total or 0) + n

        def run() -> None:
            try:
                work(on_plan=plan, on_result=job.results.append)
            except Exception as exc:  # shown on the page; the thread must not die silently
                job.error = f"{type(exc).__name__}: {exc}"
            finally:
                if cleanup is not None:
                    shutil.rmtree(cleanup, ignore_errors=True)
                job.done = True

        threading.Thread(target=run, name=f"trainlog-import-{job.id[:8]}", daemon=True).start()
        return job


def import_in_child(data_dir: Path, paths: list[Path], athlete: str, on_plan: OnPlan, on_result: OnResult) -> None:
    """Import ``paths`` and keep the analysis (as ``trainlog import`` does) in a child process,
    reporting to ``on_plan`` / ``on_result`` here; raises RuntimeError with the child's one-line error.

    The import's memory (decoding, the per-sample analysis: ~450 MB for a 190 MB upload) is the
    child's, returned to the system when it ends; the server keeps its own small and steady.
    """
    context = multiprocessing.get_context("spawn")
    messages = context.Queue()
    child = context.Process(target=_import_child, args=(str(data_dir), [str(p) for p in paths], athlete, messages),
                            name=f"trainlog-import-{athlete}")
    child.start()
    try:
        while True:
            try:
                kind, value = messages.get(timeout=CHILD_POLL_S)
            except queue.Empty:
                if not child.is_alive():
                    raise RuntimeError(f"the import process ended unexpectedly (exit code {child.exitcode})") from None
                continue
            if kind == "plan":
                on_plan(value)
            elif kind == "result":
                on_result(value)
            elif kind == "error":
                raise RuntimeError(value)
            else:
                break
    finally:
        child.join(timeout=CHILD_POLL_S * 10)


def _import_child(data_dir: str, paths: list[str], athlete: str, messages: Queue) -> None:
    """The child process of :func:`import_in_child`."""
    store = Store(data_dir)
    try:
        imported = import_paths(store, paths, athlete, on_plan=lambda n: messages.put(("plan", n)),
                                on_result=lambda r: messages.put(("result", r)))
        after_import(store, imported)
    except Exception as exc:  # the parent shows it on the page
        messages.put(("error", f"{type(exc).__name__}: {first_line(exc)}"))
    messages.put(("done", None))

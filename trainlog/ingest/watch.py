"""Watch folders and import what appears in them (``trainlog watch``), and the state the dashboard shows.

A :class:`Watcher` scans its folders (recursively, hidden folders left out)
every few seconds. A file the importer takes (:func:`watched`: not hidden, not
a download's temporary name) is imported once its size and modification time
have not changed for the debounce **and** its content is whole
(:func:`trainlog.ingest.whole.incomplete`): a half-written file is never
imported, however long its writer pauses. Files are imported with
:func:`~trainlog.ingest.importer.import_paths` (its ledger and duplicate rules
apply), one line each; a file that changes later is considered again; one
that failed is tried again only when it changes.

Polling, not file events: inotify (and the ``watchdog`` package over it) sees
nothing on the mounts this is for (a watch over USB/MTP through FUSE, network
and sync folders), so a scan every ``interval`` seconds is needed anyway, and
then it is all that is needed: a scan of a watch's folder (hundreds of files)
is a few stat calls per file, and a new run does not need to appear within a
second. One mechanism, no new dependency, the same on every system.

Files present at start are imported in a first pass whose duplicates and
skipped files (seen before: a restarted watch) are counted in one line, not listed. A folder that disappears
(a watch unplugged) is waited for; a folder or file that cannot be read, or a
full disk, is one line and the watch goes on. After each import, and once a
minute, each folder's state (:func:`watch_status`) is kept in ``watch.json`` in
the athlete's folder, written atomically. Two watchers of one athlete each
write their own folders' entries (re-reading the file first).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from trainlog.atomic import write_text_atomic
from trainlog.errors import StoreError, TrainlogError, first_line
from trainlog.ingest.importer import FileResult, ImportReport, import_paths
from trainlog.ingest.sources import importable, oserror_reason
from trainlog.ingest.whole import incomplete
from trainlog.store import Store, check_athlete
from trainlog.text import printable
from trainlog.words import OUTCOMES, Outcome

__all__ = ["STATE_FILE", "Stop", "Watcher", "scan", "watch_status", "watched"]

#: Endings of names that downloads and copies use while a file is being written (never imported).
TEMPORARY_SUFFIXES = (".part", ".tmp", ".crdownload", "~")
#: The watch state kept in the athlete's folder, read by :func:`watch_status`.
STATE_FILE = "watch.json"
STATE_VERSION = 1
#: Subfolders deeper than this are not scanned (a watched folder is a watch's or a sync client's).
MAX_DEPTH = 16
#: The state file is written at least this often (s), so "last checked" stays true.
HEARTBEAT_S = 60.0
#: A file unchanged but still not whole after this long is mentioned once (s).
NOTE_AFTER_S = 60.0
#: After a full disk, ready files wait this long before the next try (s).
DISK_RETRY_S = 60.0
#: How a StoreError says the disk is full (:func:`trainlog.store.disk.disk_cause`'s words).
DISK_FULL = ("no space left on device", "disk quota exceeded")

Signature = tuple[int, int]  # (size in bytes, mtime in ns)
Echo = Callable[[str, bool], None]  # (line, is it an error)


def watched(name: str) -> bool:
    """True for a file name the watcher imports: one the importer takes (FIT, ``.fit.gz``, zip, and the
    formats it learns), neither hidden (``.name``) nor temporary (``.part``, ``.tmp``, ``.crdownload``, ``~``)."""
    return not name.startswith(".") and not name.lower().endswith(TEMPORARY_SUFFIXES) and importable(name)


def scan(folder: str) -> tuple[dict[str, Signature], dict[str, str]]:
    """The watched files under ``folder`` (path -> (size, mtime_ns)) and its subfolders that could not
    be listed (path -> why). OSError when ``folder`` itself cannot be listed.

    Hidden folders are left out; symlinks to files are followed, to folders not (no loops).
    """
    files: dict[str, Signature] = {}
    problems: dict[str, str] = {}
    stack = [(folder, 0)]
    while stack:
        top, depth = stack.pop()
        try:
            with os.scandir(top) as it:
                entries = list(it)
        except OSError as exc:
            if top == folder:
                raise
            problems[top] = oserror_reason(exc)
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    if depth < MAX_DEPTH:
                        stack.append((entry.path, depth + 1))
                elif watched(entry.name) and entry.is_file():
                    info = entry.stat()
                    files[entry.path] = (info.st_size, info.st_mtime_ns)
            except OSError:
                continue  # gone since it was listed, or a dangling link
    return files, problems


class Stop:
    """A stop request: :meth:`set` is a plain assignment (safe in a signal handler); :meth:`wait` sleeps until
    the request or the timeout, whichever comes first (in short slices, so a request is seen within 50 ms)."""

    SLICE_S = 0.05

    def __init__(self) -> None:
        self.requested = False

    def set(self) -> None:
        self.requested = True

    def wait(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while not self.requested and (left := end - time.monotonic()) > 0:
            time.sleep(min(left, self.SLICE_S))


class _Stopped(BaseException):
    """Raised as the next file is decoded once a stop is requested: the batch it would join is abandoned whole
    (no transaction is open then), the batches committed before it are reported."""


@dataclass
class _Pending:
    """A file seen with a new signature, not imported yet."""

    sig: Signature
    since: float  # when this signature was first seen (the clock's seconds)
    why: str | None = None  # why the content is not whole (checked once per signature)
    checked: bool = False
    noted: bool = False  # its "waiting" line was printed


@dataclass
class _Folder:
    """One watched folder: what the state file and the lines say about it."""

    path: str
    since: str
    problem: str | None = None  # why it cannot be scanned now
    unreadable: set[str] = field(default_factory=set)
    last_scan: str | None = None
    last_import: str | None = None
    last_file: str | None = None
    last_outcome: str | None = None
    last_detail: str = ""
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))

    def entry(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "unreadable"}


def _utc_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _stamp() -> str:
    """The local time a line starts with."""
    return f"{dt.datetime.now():%Y-%m-%d %H:%M:%S}"


def _counts_text(counts: dict[str, int]) -> str:
    return ", ".join(f"{counts[o]} {o}" for o in OUTCOMES)


class Watcher:
    """Watch ``folders`` and import their new or changed files into ``athlete``'s dataset.

    ``echo(line, error)`` prints a line (time-stamped here); ``after_import(report)``
    runs after each import (``trainlog watch`` keeps the analysis there); ``clock``
    gives seconds (monotonic) and ``stop`` ends :meth:`run`. :meth:`poll` is one scan.
    """

    def __init__(
        self,
        store: Store,
        folders: Iterable[str | os.PathLike[str]],
        athlete: str,
        *,
        echo: Echo,
        debounce: float = 2.0,
        after_import: Callable[[ImportReport], None] | None = None,
        verbose: bool = False,
        clock: Callable[[], float] = time.monotonic,
        stop: Stop | None = None,
        note_after_s: float = NOTE_AFTER_S,
    ) -> None:
        self.store = store
        self.athlete = check_athlete(athlete)
        started = _utc_now()
        self.folders = [_Folder(f, started) for f in dict.fromkeys(os.path.abspath(f) for f in folders)]
        self.echo, self.debounce, self.after_import, self.verbose = echo, debounce, after_import, verbose
        self.clock, self.stop, self.note_after_s = clock, stop or Stop(), note_after_s
        self.counts = dict.fromkeys(OUTCOMES, 0)  # every file's outcome since the start
        self.first_pass = dict.fromkeys(OUTCOMES, 0)  # the outcomes of the files there at the start
        self._pending: dict[str, _Pending] = {}
        self._handled: dict[str, Signature] = {}  # path -> the signature it was imported (or failed) with
        self._folder_of: dict[str, _Folder] = {}
        self._initial: set[str] | None = None  # the files the first scan found
        self._disk_retry_at: float | None = None
        self._saved_at: float | None = None
        self._save_error: str | None = None

    def say(self, text: str, error: bool = False) -> None:
        self.echo(f"{_stamp()} {text}", error)

    # ---- one scan
    def poll(self, first: bool = False) -> None:
        """Scan every folder once and import the files that are ready. ``first``: the first pass, in which the
        files there at the start that are duplicates or skipped (imported before) are counted, not listed."""
        now = self.clock()
        found: dict[str, Signature] = {}
        scanned: set[str] = set()
        for folder in self.folders:
            try:
                files, problems = scan(folder.path)
            except OSError as exc:
                self._set_problem(folder, oserror_reason(exc))
                continue
            self._set_problem(folder, None)
            for sub in sorted(problems.keys() - folder.unreadable):
                self.say(f"cannot read {printable(sub)}: {problems[sub]}", error=True)
            folder.unreadable = set(problems)
            folder.last_scan = _utc_now()
            scanned.add(folder.path)
            for path, sig in files.items():
                if path not in found:
                    found[path] = sig
                    self._folder_of[path] = folder
        if self._initial is None:
            self._initial = set(found)
        for path in [p for p in self._pending if p not in found and self._folder_of[p].path in scanned]:
            del self._pending[path]  # gone (renamed, deleted) before it was ready
        ready = [path for path, sig in found.items() if self._ready(path, sig, now)]
        if ready and (self._disk_retry_at is None or now >= self._disk_retry_at):
            self._import(ready, first, now)
        if self._saved_at is None or now - self._saved_at >= HEARTBEAT_S:
            self.save(now)

    def _ready(self, path: str, sig: Signature, now: float) -> bool:
        """Whether ``path`` (seen with ``sig``) is to be imported now."""
        if self._handled.get(path) == sig:
            return False
        pending = self._pending.get(path)
        if pending is None or pending.sig != sig:
            pending = self._pending[path] = _Pending(sig, now)
        if now - pending.since < self.debounce:
            return False
        if not pending.checked:
            pending.why, pending.checked = incomplete(path), True
        if pending.why is None:
            try:
                info = os.stat(path)
            except OSError:
                return False  # gone: the next scan forgets it
            if (info.st_size, info.st_mtime_ns) == sig:
                return True
            self._pending[path] = _Pending((info.st_size, info.st_mtime_ns), now)
            return False
        if not pending.noted and now - pending.since >= self.note_after_s:
            pending.noted = True
            self.say(f"waiting   {printable(path)}: not whole yet ({pending.why}); "
                     f"`trainlog import` takes what it holds now")
        return False

    def _set_problem(self, folder: _Folder, problem: str | None) -> None:
        if problem == folder.problem:
            return
        if problem is None:
            self.say(f"folder back: {printable(folder.path)}")
        else:
            self.say(f"folder {printable(folder.path)}: {problem}; waiting for it", error=True)
        folder.problem = problem
        self.save(self.clock())

    # ---- importing
    def _import(self, ready: list[str], first: bool, now: float) -> None:
        """Import ``ready`` (in this process: a Ctrl+C at a terminal reaches every process of its group, and
        would kill decoder workers mid-file). A stop abandons the files not committed yet; they stay pending."""
        results: list[FileResult] = []

        def on_result(result: FileResult) -> None:
            results.append(result)
            self._record(result, first)

        def on_decoded(n_records: int) -> None:  # before the file joins a batch: what is committed is reported whole
            if self.stop.requested:
                raise _Stopped

        try:
            import_paths(self.store, ready, self.athlete, workers=1, on_result=on_result, on_decoded=on_decoded)
        except _Stopped:
            pass
        except StoreError as exc:
            if not any(words in str(exc) for words in DISK_FULL):
                raise
            if self._disk_retry_at is None:
                self.say(f"cannot store: {printable(exc)}; trying again every {DISK_RETRY_S:g} s", error=True)
            self._disk_retry_at = now + DISK_RETRY_S
        else:
            self._disk_retry_at = None
        done = {str(Path(r.name.partition("!/")[0])) for r in results}
        for path in ready:
            if str(Path(path)) in done:
                self._handled[path] = self._pending.pop(path).sig
        if self.after_import is not None and any(r.outcome == Outcome.IMPORTED for r in results):
            try:
                self.after_import(ImportReport(self.athlete, results))
            except (TrainlogError, OSError) as exc:  # the data is stored; the analysis is redone when next needed
                self.say(f"analysis not kept: {printable(first_line(exc))}", error=True)
        self.save(now)

    def _record(self, result: FileResult, first: bool) -> None:
        """Count one file's outcome, keep it as its folder's last, and print its line."""
        self.counts[result.outcome] += 1
        top, sep, member = result.name.partition("!/")
        folder = self._folder_of.get(top) or self._folder_of.get(str(Path(top)))
        if folder is not None:
            folder.counts[result.outcome] += 1
            folder.last_import = _utc_now()
            folder.last_file = os.path.relpath(top, folder.path) + sep + member
            folder.last_outcome, folder.last_detail = str(result.outcome), result.detail
        first = first and self._initial is not None and top in self._initial
        if first:
            self.first_pass[result.outcome] += 1
        failed = result.outcome == Outcome.FAILED
        if not first or self.verbose or result.outcome in (Outcome.IMPORTED, Outcome.FAILED):
            self.say(result.line(), error=failed)

    # ---- the state file
    def save(self, now: float) -> None:
        """Write each folder's state into the athlete's ``watch.json`` (one line when that fails, once per reason)."""
        self._saved_at = now
        try:
            save_state(self.store, self.athlete, [f.entry() for f in self.folders])
        except (OSError, TrainlogError) as exc:
            reason = oserror_reason(exc) if isinstance(exc, OSError) else first_line(exc)
            if reason != self._save_error:
                self.say(f"cannot keep the watch state ({STATE_FILE}): {printable(reason)}", error=True)
            self._save_error = reason
        else:
            self._save_error = None

    # ---- the loop
    def run(self, interval: float, once: bool = False) -> dict[str, int]:
        """The first pass (the files there now, once stable), then a scan every ``interval`` seconds until
        :attr:`stop` (or after the first pass when ``once``). The outcome counts since the start."""
        where = ", ".join(printable(f.path) for f in self.folders)
        self.say(f"watching {where} for athlete {self.athlete}" + ("" if once else " (Ctrl+C stops)"))
        self.poll(first=True)
        self.stop.wait(self.debounce)
        if not self.stop.requested:
            self.poll(first=True)
        n = sum(self.first_pass.values())
        quiet = self.first_pass[Outcome.DUPLICATE] + self.first_pass[Outcome.SKIPPED]
        more = "" if self.verbose or not quiet else " (--verbose lists the duplicates and skipped files)"
        self.say(f"first pass: {n} file{'' if n == 1 else 's'}: {_counts_text(self.first_pass)}{more}")
        if once:
            for path, pending in sorted(self._pending.items()):
                why = pending.why or "still changing"
                self.say(f"waiting   {printable(path)}: not whole yet ({why}); left for the next run")
        while not once and not self.stop.requested:
            self.stop.wait(interval)
            if not self.stop.requested:
                self.poll()
        self.save(self.clock())
        return dict(self.counts)


def state_path(store: Store, athlete: str) -> Path:
    """The athlete's watch state file."""
    return store.athlete_dir(athlete) / STATE_FILE


def _read_state(path: Path) -> dict[str, dict]:
    """The folders' entries of a state file ({} when it is missing, unreadable or not one)."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    folders = raw.get("folders") if isinstance(raw, dict) else None
    if not isinstance(folders, dict):
        return {}
    return {k: v for k, v in folders.items() if isinstance(k, str) and isinstance(v, dict)}


def save_state(store: Store, athlete: str, entries: list[dict]) -> None:
    """Replace ``entries``' folders (by their ``path``) in the athlete's state file, keeping the others.
    OSError when the file cannot be written."""
    path = state_path(store, athlete)
    folders = _read_state(path)
    folders.update({e["path"]: e for e in entries})
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(path, json.dumps({"version": STATE_VERSION, "folders": folders}, indent=2, sort_keys=True))


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def watch_status(store: Store, athlete: str) -> list[dict]:
    """Each folder ever watched for ``athlete``, by path: ``path``, ``since``, ``last_scan``, ``last_import``
    (ISO UTC moments or None), ``last_file`` (relative to the folder), ``last_outcome``, ``last_detail``,
    ``problem`` (why the folder could not be scanned at the last check, or None) and ``counts`` (outcome ->
    files since ``since``). An empty list when nothing was watched, or the file is unreadable or damaged."""
    out = []
    for key, entry in sorted(_read_state(state_path(store, athlete)).items()):
        counts = entry.get("counts")
        counts = counts if isinstance(counts, dict) else {}
        out.append({
            "path": key,
            **{k: _text(entry.get(k)) for k in ("since", "last_scan", "last_import", "last_file", "last_outcome",
                                                 "problem")},
            "last_detail": _text(entry.get("last_detail")) or "",
            "counts": {o: n if isinstance(n := counts.get(o), int) and not isinstance(n, bool) else 0 for o in OUTCOMES},
        })
    return out

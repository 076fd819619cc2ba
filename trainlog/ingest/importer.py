"""Import: sources -> decoded files (in parallel) -> classified -> committed.

Every input file ends in exactly one outcome:

- ``imported``: its activities are in the dataset (``partial`` when the file
  was damaged and only what came before the damage was kept), or a watch's
  wellness file (sleep, HRV status, monitoring) is in the wellness table
  (:mod:`trainlog.ingest.wellness_fit`), and an activity's RR intervals give its rMSSD;
- ``duplicate``: already imported (same bytes), or the same activity under
  other bytes (same device start time within a minute, similar duration; a leg of a
  multisport file counts as an activity of its own too: a run exported as FIT by
  Garmin and as GPX by Strava, or one leg exported apart, is one activity);
- ``skipped``: not an activity (settings, course, workout... or not FIT), or a
  wellness file with nothing usable in it;
- ``failed``: unreadable, with a one-line reason naming the file.

Decoding runs in worker processes started with *spawn* (Polars is not
fork-safe); classification and the write happen in the parent under the
store's lock, in batches, so a crash keeps every batch already committed.
"""

from __future__ import annotations

import concurrent.futures as cf
import datetime as dt
import hashlib
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field

import polars as pl

from trainlog.errors import StoreError, TrainlogError, first_line
from trainlog.ingest import metajoin, wellness_fit, worker_started
from trainlog.ingest.decode import decode, track_format
from trainlog.ingest.decoded import DecodedFile, FileRows
from trainlog.ingest.duplicates import Spans, file_spans, find_duplicate
from trainlog.ingest.sources import Source, iter_sources, oserror_reason
from trainlog.ingest.tables import frames, rows_of
from trainlog.settings import AthleteSettings, ModelSettings, load_settings
from trainlog.store import Store, check_athlete, schema
from trainlog.text import printable
from trainlog.words import OUTCOMES, Outcome

__all__ = ["OUTCOMES", "FileResult", "ImportReport", "import_paths"]
#: Commit after this many files or records, so a crash loses at most one batch.
BATCH_FILES = 200
BATCH_RECORDS = 1_000_000  # the parent holds a batch's decoded records and tables until it commits
#: Below this many files, decode in this process (starting workers costs ~1 s).
PARALLEL_MIN_FILES = 4
#: Workers start only once this many bytes have been read: the compiled decoder
#: takes well under a second for this much, less than starting the spawn pool.
PARALLEL_MIN_BYTES = 16 << 20
#: From this many files on, the workers start at once (decoding the first 16 MB here first would only delay them).
PARALLEL_AT_ONCE_FILES = 256
#: Files being read or decoded at once hold at most this many FIT bytes (one file
#: always goes): decoding takes ~40 times a file's size, so two 6 MB races decoded
#: side by side in two workers would pass 600 MB together (benchmarks/bench_memory.py).
INFLIGHT_BYTES = 4 << 20


@dataclass
class FileResult:
    """The outcome of one input file."""

    name: str
    outcome: Outcome
    detail: str = ""
    sha256: str | None = None
    n_records: int = 0
    activity_ids: list[str] = field(default_factory=list)
    duplicate_of: str | None = None  # a duplicate of another file's activity: that file's sha256

    def line(self) -> str:
        """One line for a terminal: control characters in the name or detail are shown escaped."""
        return f"{self.outcome:<9} {printable(self.name)}" + (f": {printable(self.detail)}" if self.detail else "")


@dataclass
class ImportReport:
    """All file results of one import, in input order."""

    athlete: str
    results: list[FileResult] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(OUTCOMES, 0)
        for r in self.results:
            out[r.outcome] += 1
        return out

    @property
    def ok(self) -> bool:
        return not any(r.outcome == Outcome.FAILED for r in self.results)


@dataclass
class _Work:
    source: Source
    sha256: str | None = None
    decoded: DecodedFile | None = None
    result: FileResult | None = None  # known before classification (failed/skipped/dup)


def _load(source: Source) -> _Work:
    """Read the source's bytes and hash them; failures become results."""
    work = _Work(source)
    if source.fail:
        work.result = FileResult(source.name, Outcome.FAILED, source.fail)
        return work
    if source.skip:
        work.result = FileResult(source.name, Outcome.SKIPPED, source.skip)
        return work
    assert source.load is not None
    try:
        data = source.load()
    except TrainlogError as exc:
        work.result = FileResult(source.name, Outcome.FAILED, str(exc).removeprefix(f"{source.name}: "))
        return work
    except OSError as exc:
        work.result = FileResult(source.name, Outcome.FAILED, oserror_reason(exc))
        return work
    work.sha256 = hashlib.sha256(data).hexdigest()
    work.data = data  # type: ignore[attr-defined]
    return work


class _Pool:
    """A spawn process pool that is rebuilt if a worker dies."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.executor = self._new()

    def _new(self) -> cf.ProcessPoolExecutor:
        # each worker decodes one small file at a time, the workers filling the cores: Polars' threads within a
        # worker only add hand-offs (set before the worker's first Polars operation starts its thread pool)
        return cf.ProcessPoolExecutor(max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"),
                                      initializer=worker_started)

    def submit(self, data: bytes, name: str, job: _Job, sha: str | None) -> cf.Future:
        return self.executor.submit(_decoded_rows, data, name, job, sha)

    def rebuild(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.executor = self._new()

    def close(self) -> None:
        self.executor.shutdown(cancel_futures=True)


@dataclass(frozen=True)
class _Job:
    """What a decoding worker needs to make a file's rows as well: whose they are, and the analysis model."""

    athlete: str
    model: ModelSettings | None


def _decoded_rows(data: bytes, name: str, job: _Job, sha: str | None = None) -> DecodedFile:
    """:func:`decode`, and for a FIT activity file the rows it adds (``DecodedFile.tables``, made where it was
    decoded: a worker process, so the importer's own process only classifies and writes). ``imported_at`` is set
    again when the batch is committed."""
    decoded = decode(data, name)
    if (sha is not None and not track_format(name) and not wellness_fit.is_wellness_file(decoded)
            and decoded.is_activity):
        decoded.tables = rows_of(decoded, sha, job.athlete, dt.datetime.now(dt.UTC), job.model)
        decoded.records, decoded.laps, decoded.rr_intervals = None, [], []  # in its rows now
    return decoded


def _decoded(items: Iterator[_Work], workers: int, job: _Job, n_files: int = 0) -> Iterator[_Work]:
    """Decode items (those with data) in input order, in a spawn pool when workers > 1.

    A worker that dies (out of memory, a crash in a C extension) fails only the
    file it was decoding; the pool is rebuilt and the files queued behind it
    are decoded again.
    """
    # started once PARALLEL_MIN_BYTES have been read, or at once for PARALLEL_AT_ONCE_FILES files (``n_files``)
    pool: _Pool | None = _Pool(workers) if workers > 1 and n_files >= PARALLEL_AT_ONCE_FILES else None
    read_bytes = 0
    window: deque[list] = deque()  # [work, data, future]

    def start(entry: list) -> None:
        nonlocal pool, read_bytes
        if entry[1] is not None and entry[2] is None:
            read_bytes += len(entry[1])
            if pool is None and workers > 1 and read_bytes >= PARALLEL_MIN_BYTES:
                pool = _Pool(workers)
        entry[2] = pool.submit(entry[1], entry[0].source.name, job, entry[0].sha256) \
            if (pool and entry[1] is not None) else None

    def finish(work: _Work, data: bytes | None, future: cf.Future | None) -> _Work:
        if data is None:
            return work
        name = work.source.name
        try:
            work.decoded = future.result() if future is not None else _decoded_rows(data, name, job, work.sha256)
        except TrainlogError as exc:
            work.result = FileResult(name, Outcome.FAILED, str(exc).removeprefix(f"{name}: "))
        except BrokenProcessPool:
            work.result = FileResult(name, Outcome.FAILED, "the decoder process died on this file")
            pool.rebuild()
            for entry in window:
                start(entry)
        except Exception as exc:  # a decoder bug must not stop the batch (fitfast panics are caught in decode)
            work.result = FileResult(name, Outcome.FAILED, f"decoder error ({type(exc).__name__}: {first_line(exc)})")
        return work

    def inflight() -> int:
        return sum(len(e[1]) for e in window if e[1] is not None)

    try:
        for work in items:
            entry = [work, getattr(work, "data", None), None]
            if entry[1] is not None:
                del work.data  # type: ignore[attr-defined]
                while window and inflight() + len(entry[1]) > INFLIGHT_BYTES:  # big files one at a time
                    yield finish(*window.popleft())
            start(entry)
            window.append(entry)
            while len(window) > 2 * workers:
                yield finish(*window.popleft())
        while window:
            yield finish(*window.popleft())
    finally:
        if pool is not None:
            pool.close()


def import_paths(
    store: Store,
    paths: Iterable[str | os.PathLike[str]],
    athlete: str,
    *,
    workers: int | None = None,
    on_plan: Callable[[int], None] | None = None,
    on_result: Callable[[FileResult], None] | None = None,
    on_decoded: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import FIT files, folders and archives into ``athlete``'s dataset.

    ``on_plan(n_files)`` is called once the inputs are listed;
    ``on_decoded(n_records)`` as each file has been read and decoded (for
    progress bars); ``on_result`` after each file's outcome is final, that is
    once its batch is committed (for per-file reports).
    """
    athlete = check_athlete(athlete)
    settings = _settings_of(store, athlete)
    model = settings.model
    listed = list(iter_sources(paths))
    sources = [s for s in listed if not s.meta]
    if on_plan:
        on_plan(len(listed))
    exports = metajoin.Exports.read([s for s in listed if s.meta], settings.default_sport)
    if workers is None:
        workers = os.cpu_count() or 1
    if len(sources) < PARALLEL_MIN_FILES:
        workers = 1
    report = ImportReport(athlete)
    store.migrate(athlete)  # an older dataset's ledger is rebuilt before it is consulted
    known = _known_files(store, athlete)
    seen: dict[str, str] = {}

    def prepared() -> Iterator[_Work]:
        for source in sources:
            work = _load(source)
            if work.result is None and work.sha256 in known:
                outcome, detail, when = known[work.sha256]
                what = f"already imported {when:%Y-%m-%d %H:%M} UTC"
                work.result = (
                    FileResult(source.name, Outcome.SKIPPED, f"{detail} (already seen)", work.sha256)
                    if outcome == Outcome.SKIPPED
                    else FileResult(source.name, Outcome.DUPLICATE, what, work.sha256)
                )
                del work.data  # type: ignore[attr-defined]
            elif work.result is None and work.sha256 in seen:
                # no hash: the ledger records the first copy's own outcome (which may yet be failed), not this one
                work.result = FileResult(source.name, Outcome.DUPLICATE, f"same file as {seen[work.sha256]}")
                del work.data  # type: ignore[attr-defined]
            elif work.sha256:
                seen[work.sha256] = source.name
            yield work

    batch: list[_Work] = []
    batch_records = 0

    def flush() -> None:
        nonlocal batch, batch_records
        if batch:
            try:
                committed = _commit(store, athlete, batch, model, exports, settings.timezone)
            except StoreError as exc:  # a full disk, say: the earlier batches are in the dataset, and say so
                done = report.counts()[Outcome.IMPORTED]
                raise StoreError(f"{exc}; {done} files imported before it are kept" if done else str(exc)) from None
            for result in committed:
                report.results.append(result)
                if on_result:
                    on_result(result)
        batch, batch_records = [], 0

    for work in _decoded(prepared(), workers, _Job(athlete, model), len(sources)):
        if on_decoded:
            on_decoded(work.decoded.n_records if work.decoded else 0)
        if work.result is not None and work.result.outcome == Outcome.FAILED:
            report.results.append(work.result)
            if on_result:
                on_result(work.result)
            continue
        batch.append(work)
        batch_records += work.decoded.n_records if work.decoded else 0
        if len(batch) >= BATCH_FILES or batch_records >= BATCH_RECORDS:
            flush()
    flush()
    for meta_name, outcome, detail in exports.join(store, athlete, report.results):  # one commit after the activities
        result = FileResult(meta_name, outcome, detail)
        report.results.append(result)
        if on_result:
            on_result(result)
    order = {s.name: i for i, s in enumerate(listed)}
    report.results.sort(key=lambda r: order.get(r.name, 0))
    return report


def _settings_of(store: Store, athlete: str) -> AthleteSettings:
    """The athlete's settings (the clock-jump note, the default sport); the defaults when the
    settings file is missing or unreadable (the analysis reports that file itself)."""
    try:
        return load_settings(store.settings_path(athlete))
    except TrainlogError:
        return AthleteSettings()


def _known_files(store: Store, athlete: str) -> dict[str, tuple[str, str, dt.datetime]]:
    files = store.read("files", athlete)
    details = files["detail"].fill_null("").to_list()
    return dict(zip(files["file_sha256"].to_list(), zip(files["outcome"].to_list(), details,
                                                        files["imported_at"].to_list(), strict=True), strict=True))


def _commit(
    store: Store, athlete: str, batch: list[_Work], model: ModelSettings | None = None,
    exports: metajoin.Exports | None = None, timezone: str | None = None,
) -> list[FileResult]:
    """Classify a batch against the committed dataset and append it, under the lock (``timezone``:
    the athlete's, for the local day of a wellness file without an offset of its own)."""
    now = dt.datetime.now(dt.UTC)
    results: list[FileResult] = []
    with store.transaction(athlete) as tx:
        ledger = set(tx.read("files")["file_sha256"].to_list())
        spans = Spans(file_spans(tx))
        new: list[int] = []  # the results the ledger gets
        files: list[tuple[int, FileRows]] = []
        wellness: list[pl.DataFrame] = []
        for work in batch:
            mine: dict[str, pl.DataFrame | FileRows] = {}
            try:
                result = work.result or _classify(work, athlete, ledger, spans, mine, now, model, exports, timezone)
            except Exception as exc:  # one odd file must not stop the batch
                result = _unstorable(work.source.name, exc)
                mine = {}
            if "wellness" in mine:
                wellness.append(mine["wellness"])
            if "rows" in mine:
                files.append((len(results), mine["rows"]))
            if result.sha256 and result.sha256 not in ledger and result.outcome != Outcome.FAILED:
                ledger.add(result.sha256)
                new.append(len(results))
            results.append(result)
        tables = {**_frames(files, results),
                  "wellness": pl.concat(wellness, how="vertical_relaxed") if wellness else schema.empty("wellness")}
        for table, frame in tables.items():  # a batch's rows of a table in one frame, built at once
            tx.append(table, frame.with_columns(pl.lit(now, schema.UTC).alias("imported_at"))
                      if table == "activities" else frame)
        ledger_rows = [(r.sha256, r.name, r.outcome, r.detail, now) for r in (results[i] for i in new)
                       if r.outcome != Outcome.FAILED]
        tx.append("files", pl.DataFrame(ledger_rows, schema=schema.FILES, orient="row"))
    return results


def _unstorable(name: str, exc: Exception) -> FileResult:
    return FileResult(name, Outcome.FAILED, f"cannot store ({type(exc).__name__}: {exc})")


def _frames(files: list[tuple[int, FileRows]], results: list[FileResult]) -> dict[str, pl.DataFrame]:
    """The store's frames of the files' rows (:func:`frames`); a file with a value its table cannot hold fails
    (``results``, by index), the others are stored."""
    try:
        return frames([rows for _, rows in files])
    except Exception:  # a value its column cannot hold: found file by file
        kept = []
        for i, rows in files:
            try:
                frames([rows])
                kept.append(rows)
            except Exception as exc:
                results[i] = _unstorable(results[i].name, exc)
        return frames(kept)


def _classify(
    work: _Work,
    athlete: str,
    ledger: set[str],
    spans: Spans,
    rows: dict[str, pl.DataFrame | FileRows],
    now: dt.datetime,
    model: ModelSettings | None = None,
    exports: metajoin.Exports | None = None,
    timezone: str | None = None,
) -> FileResult:
    """The file's outcome; ``rows`` gets the rows it adds (``wellness``: a frame; ``rows``: an activity file's
    :class:`FileRows`), committed with the batch's."""
    name, sha = work.source.name, work.sha256
    decoded = work.decoded
    assert decoded is not None and sha is not None
    if sha in ledger:  # committed by a concurrent import since we listed the ledger
        return FileResult(name, Outcome.DUPLICATE, "already imported (by another import)", sha)
    if wellness_fit.is_wellness_file(decoded):
        wellness, detail = wellness_fit.wellness_rows(decoded, name, now, timezone)
        if wellness.is_empty():
            what = f"{wellness_fit.wellness_kind(decoded)} with no usable sleep stages, nightly HRV or resting HR"
            return FileResult(name, Outcome.SKIPPED, what, sha)
        rows["wellness"] = schema.conform("wellness", wellness.with_columns(file_sha256=pl.lit(sha)))  # the ledger's
        return FileResult(name, Outcome.IMPORTED, detail, sha)
    if decoded.file_type not in (None, "activity"):
        return FileResult(name, Outcome.SKIPPED, f"{_type_name(decoded.file_type)}, not an activity", sha)
    if not decoded.is_activity:
        return FileResult(name, Outcome.SKIPPED, "activity file with no session and no records", sha)
    if exports is not None and track_format(name):
        exports.fill_sports(decoded)
    mine = decoded.tables if decoded.tables is not None else rows_of(decoded, sha, athlete, now, model)
    # imported_at: set on the batch's rows as they are committed
    legs = {c: [row[c] for row in mine.activities] for c in ("start_utc", "elapsed_s", "distance_m", "sport", "activity_id")}
    start = min((t for t in legs["start_utc"] if t is not None), default=None)
    elapsed = float(sum(e for e in legs["elapsed_s"] if e is not None))
    if start is not None:
        other = find_duplicate(start, elapsed, spans)
        if other is not None:
            return FileResult(name, Outcome.DUPLICATE, f"same activity as {other[0]}", sha, duplicate_of=other[1])
        spans.append((start, elapsed, name, sha))
    ids = legs["activity_id"]
    if exports is not None:
        exports.note_file_names(decoded, ids)
    rows["rows"] = mine
    sports = ", ".join(dict.fromkeys(s or "unknown sport" for s in legs["sport"]))
    dist = sum(d for d in legs["distance_m"] if d is not None) / 1000
    detail = f"{sports}, {dist:.1f} km" + (f", {len(ids)} legs" if len(ids) > 1 else "")
    if decoded.partial:
        detail += f"; partial: {'; '.join(decoded.notes)}"
    return FileResult(name, Outcome.IMPORTED, detail, sha, decoded.n_records, ids)


def _type_name(file_type: str) -> str:
    if " " in file_type:  # the GPX and TCX decoders say what the file holds ("GPX file of 2 routes")
        return file_type
    return f"FIT file of type {file_type}" if file_type.isdigit() else file_type.replace("_", " ").capitalize() + " file"

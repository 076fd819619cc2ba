"""The roster: one row per athlete with the Coach page's figures and flags (``<data dir>/roster.parquet``).

A platform with thousands of athletes cannot compute every athlete's summary when a coach opens the Coach
page. ``trainlog batch import`` and ``batch analyse`` (:mod:`trainlog.cluster.batch`) write each athlete's
row as they finish them, and ``trainlog import`` keeps an existing roster's row of its athlete up to date;
the Coach page and ``trainlog roster`` read it. The rows are computed by :func:`trainlog.analysis.coach.row`.

The file is small (10,000 athletes: under 1 MB, with the page's words): each update reads it, replaces the
updated athletes' rows and writes it again atomically, under its own lock (``roster.lock``), so two writers
never lose each other's rows, and a row older than the one in the roster does not replace it. A roster that
cannot be read is left alone by single updates and rebuilt by the next ``trainlog batch analyse`` of every
athlete; it holds nothing that is not in the athletes' datasets.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import polars as pl

from trainlog.atomic import replace_atomic
from trainlog.errors import InvalidValue, StoreError, first_line
from trainlog.store.disk import disk_cause

#: The roster's file name in the data directory, and its writers' lock.
ROSTER_FILE, ROSTER_LOCK = "roster.parquet", "roster.lock"
#: How long a writer waits for another to finish its update (s): an update takes milliseconds.
LOCK_TIMEOUT_S = 60.0

#: The roster's columns (one row per athlete). Figures are those of the day shown (``as_of``), as the Coach
#: page shows them: today in the athlete's time zone, or the last day with training when that is long ago
#: (``stale``).
ROSTER = {
    "athlete": pl.String,
    "as_of": pl.Date,  # the day the figures are of
    "stale": pl.Boolean,  # as_of is the last day with training, long before the day the row was computed
    "activities": pl.Int64,  # activities up to as_of
    "last_activity": pl.Date,  # the local day of the last one
    "last_import_utc": pl.Datetime("us", "UTC"),  # the last file the athlete's ledger recorded
    "updated_utc": pl.Datetime("us", "UTC"),  # when this row was computed
    "ctl": pl.Float64,  # fitness
    "atl": pl.Float64,  # fatigue
    "tsb": pl.Float64,  # form
    "form_band": pl.String,  # the form band's label (null while building history)
    "ramp": pl.Float64,  # fitness change, CTL points a week
    "acwr": pl.Float64,  # acute:chronic workload ratio
    "acwr_band": pl.String,
    "monotony": pl.Float64,
    "monotony_band": pl.String,  # ok | warn | flag
    "building_history": pl.Boolean,  # the cold start: no band and no load warning
    "week_distance_m": pl.Float64,  # this week, Monday to as_of (m)
    "week_ascent_m": pl.Float64,  # this week's ascent (m)
    "best_7day_ascent_m": pl.Float64,  # the best 7 days' ascent (m)
    "goal_date": pl.Date,
    "plan_revision": pl.Int64,  # null without a plan
    "race_morning_date": pl.Date,
    "race_morning_tsb": pl.Float64,  # the plan's projected form on race morning
    "readiness": pl.String,  # the morning check-in's level: ok | warn | flag; null without a check-in
    "flags": pl.List(pl.String),  # what needs the coach's eye, short codes (trainlog.analysis.coach.FLAGS)
    "n_flags": pl.Int64,
    "error": pl.String,  # why the athlete's figures could not be computed (then the figures are null)
    "detail": pl.String,  # JSON: the summary, plan and readiness dicts the Coach page words the row from
}
#: Columns a query may not name (the page's wording, not a figure).
HIDDEN = ("detail",)
#: What a ``--where`` condition may not hold: Polars' SQL reads files in a subquery (``read_parquet('...')``).
READS_FILES = re.compile(r"\b(select|from|read_\w+|scan_\w+)\b", re.IGNORECASE)


def path_of(data_dir: Path) -> Path:
    return Path(data_dir) / ROSTER_FILE


def empty() -> pl.DataFrame:
    return pl.DataFrame(schema=ROSTER)


def conform(rows: Iterable[Mapping[str, object]]) -> pl.DataFrame:
    """Roster rows (dicts with any of :data:`ROSTER`'s columns; the others null) as a frame in the roster's schema."""
    rows = [{name: row.get(name) for name in ROSTER} for row in rows]
    return pl.DataFrame(rows, schema=ROSTER, orient="row") if rows else empty()


def read(data_dir: Path) -> pl.DataFrame | None:
    """The roster, sorted by athlete; None when there is none. StoreError when it cannot be read (one line)."""
    path = path_of(data_dir)
    try:
        frame = pl.read_parquet(path)
    except FileNotFoundError:
        return None
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise StoreError(f"{path}: cannot read the roster ({first_line(exc)}); "
                         "`trainlog batch analyse` writes it again") from None
    missing = [name for name in ROSTER if name not in frame.columns]
    if missing:
        raise StoreError(f"{path}: the roster has no column {missing[0]!r} (written by another trainlog?); "
                         "`trainlog batch analyse` writes it again")
    return frame.select(pl.col(name).cast(dtype) for name, dtype in ROSTER.items())


def stamp(data_dir: Path) -> tuple[int, int] | None:
    """The roster file's modification time and size (what a page's cache key needs), None without one."""
    try:
        st = path_of(data_dir).stat()
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


def update(data_dir: Path, rows: Iterable[Mapping[str, object]], keep: Iterable[str] | None = None,
           rebuild: bool = False) -> pl.DataFrame:
    """Put ``rows`` in the roster (replacing those athletes' rows, creating the file when there is none) and
    return it. A row computed before the one in the roster (``updated_utc``: a batch's row written a moment after
    ``trainlog import`` refreshed the same athlete) leaves that one. ``keep``: the athletes whose rows stay (the
    others are removed: the athletes with a dataset); None keeps every row. ``rebuild``: a roster that cannot be
    read is replaced by ``rows`` (a batch over every athlete); else StoreError, as when the disk refuses (one
    line, the roster as it was)."""
    path = path_of(data_dir)
    new = conform(rows)
    import filelock  # here: commands that only read do not load it

    lock = filelock.FileLock(str(Path(data_dir) / ROSTER_LOCK), timeout=LOCK_TIMEOUT_S)
    try:
        Path(data_dir).mkdir(parents=True, exist_ok=True)
        with lock:
            try:
                old = read(data_dir)
            except StoreError:
                if not rebuild:
                    raise
                old = None  # derived data: every athlete's row is in ``rows``
            frame = new if old is None else _merged(old, new)
            if keep is not None:
                frame = frame.filter(pl.col("athlete").is_in(list(keep)))
            frame = frame.sort("athlete")
            replace_atomic(path, lambda fh: frame.write_parquet(fh), mode=0o644)
    except filelock.Timeout:
        raise StoreError(f"{path}: another trainlog process holds the roster's lock") from None
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise StoreError(f"{path}: cannot write the roster: {disk_cause(exc)}; the roster is as it was") from None
    return frame


def _merged(old: pl.DataFrame, new: pl.DataFrame) -> pl.DataFrame:
    """``old`` with ``new``'s rows in place of its rows of the same athletes, unless the old row is the newer."""
    newer_kept = old.join(new.select("athlete", new_utc="updated_utc"), on="athlete", how="inner").filter(
        pl.col("updated_utc") > pl.col("new_utc"))["athlete"]
    return pl.concat([old.filter(~pl.col("athlete").is_in(new["athlete"].to_list()) | pl.col("athlete").is_in(
        newer_kept.to_list())), new.filter(~pl.col("athlete").is_in(newer_kept.to_list()))])


def query(frame: pl.DataFrame, where: str | None = None, sort: str | None = None, limit: int | None = None
          ) -> pl.DataFrame:
    """The roster's rows that match ``where`` (a SQL condition on its columns: ``"acwr > 1.5"``,
    ``"readiness = 'flag' and n_flags > 1"``, ``"athlete like 'mar%'"``), ordered by ``sort`` (comma-separated
    columns, ``-`` before a column for descending: ``"-acwr,athlete"``; nulls last), at most ``limit`` rows.
    InvalidValue with one line for a condition that is not SQL, names an unknown column or is not true/false."""
    frame = frame.drop(HIDDEN, strict=False)
    if where is not None and where.strip():
        if READS_FILES.search(re.sub(r"'(?:[^']|'')*'", "''", where)):  # outside the quoted strings
            raise InvalidValue(f"--where {where!r}: a condition on the roster's columns only (no subquery, no "
                               "table function)")
        try:
            condition = pl.sql_expr(where)
            frame = frame.filter(condition)
        except pl.exceptions.ColumnNotFoundError as exc:
            name = re.search(r'"([^"]*)"', str(exc))
            raise InvalidValue(f"--where {where!r}: no column {name.group(1) if name else ''!r}; "
                               f"the columns are {', '.join(frame.columns)}") from None
        except (pl.exceptions.PolarsError, OSError, ValueError, TypeError, OverflowError) as exc:
            raise InvalidValue(f"--where {where!r}: {first_line(exc)} (examples: \"acwr > 1.5\", "
                               "\"readiness = 'flag'\", \"as_of >= DATE '2026-11-01'\")") from None
    if sort is not None and sort.strip():
        keys = [key.strip() for key in sort.split(",") if key.strip()]
        names = [key.removeprefix("-") for key in keys]
        unknown = [name for name in names if name not in frame.columns]
        if unknown:
            raise InvalidValue(f"--sort {sort!r}: no column {unknown[0]!r}; the columns are {', '.join(frame.columns)}")
        frame = frame.sort(names, descending=[key.startswith("-") for key in keys], nulls_last=True)
    return frame.head(limit) if limit is not None else frame


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC)

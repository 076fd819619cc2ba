"""The importer's duplicate rule: the same activity under other bytes.

Two activities are the same run when their device start times are within
:data:`DUPLICATE_START_S` and their elapsed times close (a run exported as FIT
by Garmin and as GPX by Strava); a leg of a multisport file counts as an
activity of its own too (one leg exported apart). :class:`Spans` holds what the
dataset and the batch so far hold, looked up by start time;
:func:`find_duplicate` applies the rule (:mod:`trainlog.ingest.importer`).
"""

from __future__ import annotations

import bisect
import datetime as dt

import numpy as np
import polars as pl

from trainlog.store import Transaction, schema
from trainlog.words import MANUAL_SOURCE

#: Two activities are the same run when their device start times are this close...
DUPLICATE_START_S = 60
#: ...and their elapsed times differ by at most this fraction (or DUPLICATE_START_S).
DUPLICATE_ELAPSED_FRACTION = 0.05

Span = tuple[dt.datetime, float, str, str]
SPAN_COLUMNS = ("start_utc", "elapsed_s", "source_file", "file_sha256")
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_US = dt.timedelta(microseconds=1)


def file_spans(tx: Transaction) -> pl.DataFrame:
    """(start, elapsed_s, source_file, file_sha256) of every file already in the dataset, and of each leg of a
    multisport file (one leg exported on its own, or recorded apart by another device, is the same activity):
    the files in the order of their first row, then the legs in theirs."""
    acts = tx.read("activities").filter(pl.col("source_file").ne_missing(MANUAL_SOURCE))  # typed, not recorded
    per_file = acts.group_by("file_sha256", maintain_order=True).agg(
        pl.col("start_utc").min(),
        pl.col("elapsed_s").fill_null(0).sum(),
        pl.col("source_file").first(),
    )
    legs = acts.filter(pl.col("n_legs") > 1).with_columns(pl.col("elapsed_s").fill_null(0))
    return pl.concat([per_file.select(SPAN_COLUMNS), legs.select(SPAN_COLUMNS)]).drop_nulls("start_utc")


def _us(start: dt.datetime) -> int:
    """An aware datetime as whole microseconds since 1970 (the stored column's unit)."""
    return (start - _EPOCH) // _US


class Spans:
    """The spans of :func:`file_spans` (and those of the batch, as it is classified), looked up by start time: the
    first span, in the order they were added, whose start and elapsed time match. The stored spans stay a frame,
    their starts one sorted array searched in it (a daily import into thousands of files makes no Python object
    per stored file); the batch's own spans are kept sorted as they are added."""

    def __init__(self, stored: pl.DataFrame | None = None) -> None:
        self.stored = (stored if stored is not None else schema.empty("activities")).select(SPAN_COLUMNS)
        starts = self.stored["start_utc"].dt.epoch("us").to_numpy()
        self._order = np.argsort(starts, kind="stable")
        self._starts = starts[self._order]
        self.added: list[Span] = []
        self._added_starts: list[tuple[int, int]] = []  # (start in us, index in added), sorted

    def append(self, span: Span) -> None:
        bisect.insort(self._added_starts, (_us(span[0]), len(self.added)))
        self.added.append(span)

    def near(self, start: dt.datetime) -> list[Span]:
        """The spans starting within DUPLICATE_START_S of ``start``, in the order they were added."""
        at, reach = _us(start), DUPLICATE_START_S * 1_000_000
        lo = int(np.searchsorted(self._starts, at - reach, side="left"))
        hi = int(np.searchsorted(self._starts, at + reach, side="right"))
        stored = [self.stored.row(int(k)) for k in np.sort(self._order[lo:hi])]
        lo = bisect.bisect_left(self._added_starts, (at - reach, -1))
        hi = bisect.bisect_right(self._added_starts, (at + reach, len(self.added)))
        return stored + [self.added[k] for k in sorted(k for _, k in self._added_starts[lo:hi])]


def find_duplicate(start: dt.datetime, elapsed: float, spans: Spans) -> tuple[str, str] | None:
    """(source file, sha256) of a stored file with the same activity, None when there is none."""
    tolerance = max(DUPLICATE_START_S, DUPLICATE_ELAPSED_FRACTION * elapsed)
    for other_start, other_elapsed, other_name, other_sha in spans.near(start):
        if (
            abs((other_start - start).total_seconds()) <= DUPLICATE_START_S
            and abs(other_elapsed - elapsed) <= tolerance
        ):
            return other_name, other_sha
    return None

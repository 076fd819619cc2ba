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

import polars as pl

from trainlog.store import Transaction
from trainlog.words import MANUAL_SOURCE

#: Two activities are the same run when their device start times are this close...
DUPLICATE_START_S = 60
#: ...and their elapsed times differ by at most this fraction (or DUPLICATE_START_S).
DUPLICATE_ELAPSED_FRACTION = 0.05

Span = tuple[dt.datetime, float, str, str]


def file_spans(tx: Transaction) -> list[Span]:
    """(start, elapsed_s, source_file, file_sha256) of every file already in the dataset, and of each leg of a
    multisport file (one leg exported on its own, or recorded apart by another device, is the same activity)."""
    acts = tx.read("activities").filter(pl.col("source_file").ne_missing(MANUAL_SOURCE))  # typed, not recorded
    if acts.is_empty():
        return []
    cols = ("start_utc", "elapsed_s", "source_file", "file_sha256")
    per_file = acts.group_by("file_sha256").agg(
        pl.col("start_utc").min(),
        pl.col("elapsed_s").fill_null(0).sum(),
        pl.col("source_file").first(),
    )
    legs = acts.filter(pl.col("n_legs") > 1).with_columns(pl.col("elapsed_s").fill_null(0))
    return list(pl.concat([per_file.select(cols), legs.select(cols)]).drop_nulls("start_utc").iter_rows())


class Spans:
    """The spans of :func:`file_spans` (and those of the batch, as it is classified), looked up by start time: the
    first span, in the order they were added, whose start and elapsed time match (a bisect over the starts, not
    a walk over every stored file for each new one)."""

    def __init__(self, spans: list[Span]) -> None:
        self.spans: list[Span] = list(spans)
        # (start, Unix s; index in spans), sorted
        self.starts: list[tuple[float, int]] = sorted((span[0].timestamp(), k) for k, span in enumerate(spans))

    def append(self, span: Span) -> None:
        bisect.insort(self.starts, (span[0].timestamp(), len(self.spans)))
        self.spans.append(span)

    def near(self, start: dt.datetime) -> list[Span]:
        """The spans starting within DUPLICATE_START_S of ``start``, in the order they were added."""
        at = start.timestamp()
        lo = bisect.bisect_left(self.starts, (at - DUPLICATE_START_S, -1))
        hi = bisect.bisect_right(self.starts, (at + DUPLICATE_START_S, len(self.spans)))
        return [self.spans[k] for k in sorted(k for _, k in self.starts[lo:hi])]


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

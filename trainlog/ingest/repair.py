"""Samples that need repair before any metric (shared/METRICS.md, same heading).

Pure Polars, run at analysis time on the samples as the store keeps them (as
recorded, in record order; nothing is changed on disk):

- :func:`repair_clock_jumps`: when the timestamps of one activity go
  backwards, or jump forward by more than ``max_clock_jump_s`` while the
  session's elapsed time shows no pause of that length, the later samples are
  shifted so the activity stays contiguous (the gap becomes one typical sample
  interval). :func:`clock_jumps` finds them (the importer writes the same
  findings into ``import_note``).
- :func:`merge_repeated`: records sharing one timestamp (Suunto Ambit writes
  heart rate and position in separate record messages of the same second) are
  one sample: each field takes the last non-null value, in record order.

:func:`repaired` runs both, in that order (a jump is seen in record order;
merging sorts by time), and is what the analysis calls before
:func:`trainlog.analysis.activity.sample_metrics`. Samples frames have the columns of
``trainlog.store.schema.SAMPLES`` (``timestamp`` UTC ``Datetime("us")``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from trainlog.settings import ModelSettings

KEY = ("activity_id", "timestamp")
MICROS_PER_S = 1_000_000
#: The gap a repaired jump becomes when an activity has no ordinary step to take
#: the typical sample interval from (one record a second, the common rate).
FALLBACK_INTERVAL_S = 1.0


def merge_repeated(samples: pl.DataFrame) -> pl.DataFrame:
    """One row per (activity_id, timestamp), sorted by activity and time.

    Rows sharing an activity and a timestamp become one: every other column
    takes its last non-null value in the frame's row order (record order), null
    when all are null. Frames without repeated timestamps come back sorted and
    otherwise unchanged. Columns and dtypes are kept.
    """
    if in_time_order(samples, sorted_ids=True):  # the sort would change nothing
        return _merged(samples)
    return _merged(samples.sort(*KEY, maintain_order=True))  # stable: record order inside one timestamp


def in_time_order(samples: pl.DataFrame, sorted_ids: bool = False) -> bool:
    """Whether each activity's rows of ``samples`` are together and in time order (``timestamp`` never falls
    between two rows of one activity), no ``activity_id`` or ``timestamp`` null; with ``sorted_ids``, the
    activities in the order of their ids too (sorted by activity and time). The store keeps an activity's
    samples together in record order, so a sort is mostly work for nothing: this check is a pass over the runs
    of ids and the Int64 times."""
    ids, times = samples["activity_id"], samples["timestamp"]
    if ids.null_count() or times.null_count():
        return False
    runs = ids.rle()
    values, lengths = runs.struct.field("value"), runs.struct.field("len").to_numpy()
    if values.n_unique() < len(values) or (sorted_ids and not values.is_sorted()):
        return False
    falls = np.flatnonzero(np.diff(times.to_physical().to_numpy()) < 0) + 1
    return bool(np.isin(falls, np.cumsum(lengths)).all())  # time falls only where an activity starts


def _merged(ordered: pl.DataFrame) -> pl.DataFrame:
    """:func:`merge_repeated` of ``ordered``, whose rows of each (activity_id, timestamp) are together in record
    order: the rows in the order they come."""
    same_time = pl.col("timestamp") == pl.col("timestamp").shift(1)
    if not ordered.select(same_time.any()).item():  # no repeat: the ids need not be compared (most files)
        return ordered
    repeated = (pl.col("activity_id") == pl.col("activity_id").shift(1)) & same_time
    flags = ordered.select(first=repeated.fill_null(False).shift(-1, fill_value=False) & ~repeated.fill_null(False),
                           later=repeated.fill_null(False))
    if not flags["later"].any():
        return ordered
    # only the rows of repeated timestamps are grouped (a few among millions); each group's merged values go to
    # its first row, the others are dropped
    fields = [name for name in ordered.columns if name not in KEY]
    in_group = flags["first"] | flags["later"]
    merged = ordered.filter(in_group).group_by(*KEY, maintain_order=True).agg(
        pl.col(name).last(ignore_nulls=True) for name in fields)
    kept = ordered.filter(~flags["later"])
    at = flags["first"].filter(~flags["later"]).arg_true()
    return kept.with_columns(kept[name].scatter(at, merged[name]) for name in fields
                             if kept.schema[name] != pl.Null)  # a column of nulls only stays as it is


@dataclass(frozen=True)
class ClockJump:
    """One step of an activity's clock that is repaired."""

    activity_id: str
    row: int  # row (0-based, in the samples frame given) of the first sample after the jump
    before_utc: dt.datetime  # timestamp of the sample before the jump, as recorded
    step_s: float  # the recorded step: < 0 (backwards) or > max_clock_jump_s (forwards)
    interval_s: float  # the activity's typical sample interval: the step becomes this
    n_shifted: int  # samples of the activity moved (this one and every later one)

    @property
    def shift_s(self) -> float:
        """Seconds added to the timestamps from :attr:`row` on (negative: moved back)."""
        return self.interval_s - self.step_s

    def note(self) -> str:
        """One line for ``import_note``: what was repaired (no "; ": that separates notes)."""
        direction = "back" if self.step_s < 0 else "forward"
        why = "" if self.step_s < 0 else " with no pause of that length in the elapsed time"
        return (
            f"clock jump repaired: the clock went {direction} {span_text(abs(self.step_s))} after "
            f"{self.before_utc:%Y-%m-%d %H:%M:%S} UTC{why}, so the {self.n_shifted} samples from there on "
            f"are moved to make that step {self.interval_s:g} s"
        )


def span_text(seconds: float) -> str:
    """A duration as ``H:MM:SS``, with whole days as ``N d`` in front (``20 d 0:00:00``)."""
    whole = round(seconds)
    days, rest = divmod(whole, 86400)
    hours, rest = divmod(rest, 3600)
    text = f"{hours}:{rest // 60:02d}:{rest % 60:02d}"
    return f"{days} d {text}" if days else text


def clock_jumps(samples: pl.DataFrame, activities: pl.DataFrame, model: ModelSettings) -> list[ClockJump]:
    """The clock jumps to repair, in row order.

    Steps are taken between consecutive rows of one activity in the frame's row
    order (the store keeps record order). A step below 0 s (the clock went
    backwards) is always a jump. A step above ``model.max_clock_jump_s`` is a
    jump when the activity's ``elapsed_s`` (``activities``, the device's own
    session total) does not include it: the recorded time (the sum of the
    forward steps) exceeds the elapsed time by at least half the step. Several
    long steps are taken longest first, each jump using up its share of that
    excess, so a real overnight pause in a run that also had a clock reset
    stays a pause. Without an elapsed time, long forward steps are kept as
    recorded. The typical interval is the median of the activity's steps above
    0 s and up to ``max_clock_jump_s`` (``FALLBACK_INTERVAL_S`` without one).
    """
    limit_us = round(model.max_clock_jump_s * MICROS_PER_S)
    if not _any_odd_step(samples["activity_id"], samples["timestamp"], limit_us):
        return []
    steps = samples.select(
        "activity_id",
        "timestamp",
        step_us=pl.col("timestamp").diff().over("activity_id").dt.total_microseconds(),
    ).with_row_index("row")
    odd = steps.with_columns(backward=pl.col("step_us") < 0, forward=pl.col("step_us") > limit_us).filter(
        pl.col("backward") | pl.col("forward")
    )
    if odd.is_empty():
        return []
    ids = odd["activity_id"].unique()
    step = pl.col("step_us")
    odd_activity = steps["activity_id"].is_in(ids.implode()).fill_null(False)
    mine = steps if odd_activity.all() else steps.filter(odd_activity)  # one long run: no copy of its rows
    grouped = mine.group_by("activity_id").agg(
        interval_us=step.filter((step > 0) & (step <= limit_us)).median(),
        recorded_us=step.filter(step > 0).sum(),
        rows=pl.col("row"),
    )
    stats = {row["activity_id"]: row for row in grouped.drop("rows").iter_rows(named=True)}
    rows_of = dict(zip(grouped["activity_id"].to_list(), grouped["rows"], strict=True))  # Series, not Python ints
    elapsed = {
        aid: value
        for aid, value in activities.filter(pl.col("activity_id").is_in(ids.implode()))
        .select("activity_id", "elapsed_s")
        .iter_rows()
    }
    jumps: list[ClockJump] = []
    for (aid,), group in odd.group_by("activity_id"):
        info = stats[aid]
        interval_us = info["interval_us"] if info["interval_us"] is not None else FALLBACK_INTERVAL_S * MICROS_PER_S
        interval_us = round(interval_us)
        candidates = list(group.iter_rows(named=True))
        chosen = [c for c in candidates if c["backward"]]
        elapsed_s = elapsed.get(aid)
        if elapsed_s is not None:
            # recorded time once the backward jumps are repaired, minus what the device's timer ran
            excess_us = info["recorded_us"] + len(chosen) * interval_us - elapsed_s * MICROS_PER_S
            for c in sorted((c for c in candidates if c["forward"]), key=lambda c: -c["step_us"]):
                if excess_us >= c["step_us"] / 2:
                    chosen.append(c)
                    excess_us -= c["step_us"] - interval_us
        rows = rows_of[aid].to_numpy()
        for c in sorted(chosen, key=lambda c: c["row"]):
            jumps.append(
                ClockJump(
                    activity_id=aid,
                    row=c["row"],
                    before_utc=c["timestamp"] - dt.timedelta(microseconds=c["step_us"]),
                    step_s=c["step_us"] / MICROS_PER_S,
                    interval_s=interval_us / MICROS_PER_S,
                    n_shifted=int((rows >= c["row"]).sum()),
                )
            )
    return sorted(jumps, key=lambda j: j.row)


def _any_odd_step(activity_id: pl.Series, timestamps: pl.Series, limit_us: int) -> bool:
    """Whether any step between consecutive rows of one activity may be a jump (below 0 s or above ``limit_us``):
    False only when none is. One NumPy pass over the times, for the common clean file; the odd steps found there
    are looked up among the starts of the id runs (many activities' rows: each step from one to the next is odd,
    a day or a year apart, and is no step of an activity while each activity's rows are together)."""
    if timestamps.len() < 2:
        return False
    runs = activity_id.rle()  # each activity's rows together: no id in two runs
    values, lengths = runs.struct.field("value"), runs.struct.field("len").to_numpy()
    if timestamps.null_count() or values.n_unique() != len(values):
        return True  # the whole rule decides (an activity's rows apart: its steps are not among these)
    if timestamps.dtype.time_unit != "us":
        timestamps = timestamps.dt.cast_time_unit("us")
    steps = np.diff(timestamps.to_physical().to_numpy())
    odd = np.flatnonzero((steps < 0) | (steps > limit_us)) + 1  # the row after each odd step
    return not np.isin(odd, np.cumsum(lengths)).all()  # one inside a run


def jump_notes(jumps: list[ClockJump]) -> dict[str, str]:
    """``import_note`` text per activity id (several jumps joined with "; ")."""
    notes: dict[str, list[str]] = {}
    for jump in jumps:
        notes.setdefault(jump.activity_id, []).append(jump.note())
    return {aid: "; ".join(lines) for aid, lines in notes.items()}


def repair_clock_jumps(
    samples: pl.DataFrame, activities: pl.DataFrame, model: ModelSettings
) -> tuple[pl.DataFrame, dict[str, str]]:
    """(samples with the jumps of :func:`clock_jumps` repaired, a note per repaired activity).

    Each jump's sample and every later sample of its activity move by
    ``interval - step``; rows keep their order and every other column its value.
    """
    jumps = clock_jumps(samples, activities, model)
    if not jumps:
        return samples, {}
    shift_us = np.zeros(samples.height, dtype=np.int64)
    for jump in jumps:
        shift_us[jump.row] += round(jump.shift_s * MICROS_PER_S)
    moved = pl.duration(microseconds=pl.col("_shift_us").cum_sum().over("activity_id"))
    fixed = (
        samples.with_columns(pl.Series("_shift_us", shift_us))
        .with_columns(pl.col("timestamp") + moved)
        .drop("_shift_us")
    )
    return fixed, jump_notes(jumps)


def repaired(samples: pl.DataFrame, activities: pl.DataFrame, model: ModelSettings) -> pl.DataFrame:
    """The samples every metric reads: clock jumps repaired, then one row per
    (activity_id, timestamp) (:func:`merge_repeated`), each activity's rows together in time order: in the
    frame's order of activities when they come so (:func:`in_time_order`: the store's samples, once repaired),
    else sorted by activity and time. Each activity's rows are the same either way."""
    fixed, _ = repair_clock_jumps(samples, activities, model)
    # not in order: merge_repeated's own check would only say so again
    return _merged(fixed if in_time_order(fixed) else fixed.sort(*KEY, maintain_order=True))

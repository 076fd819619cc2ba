"""What a FIT file holds besides an activity -> the store's rows: wellness per day, a run's rMSSD.

Pure, like :mod:`trainlog.ingest.tables`: a :class:`~trainlog.ingest.decoded.DecodedFile`
in (its ``wellness`` readings and ``rr_intervals``, read by
:mod:`trainlog.ingest.fit.assemble` in both FIT decoders), frames in the store's
schemas (:mod:`trainlog.store.schema`) out; the importer commits them.

- :func:`is_wellness_file`, :func:`wellness_rows`: a watch's sleep, HRV-status or
  monitoring file -> ``wellness`` rows, one per local day. A night's sleep and HRV
  belong to the day it ends (the morning); the day is local by the file's own
  offset, else the athlete's time zone, else the machine's (as activities:
  ``trainlog.analysis.tzone``, shared/METRICS.md "Time and days").
- :func:`activity_hrv_rows`: an activity file's RR intervals -> each leg's rMSSD.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable

import polars as pl

from trainlog.days import zone_offset_s
from trainlog.ingest.decoded import SLEEP_STAGES, DecodedFile, WellnessReadings
from trainlog.store import schema
from trainlog.store.wellness import FIELDS

#: FIT file types of wellness files, as the decoders name them (FIT SDK profile type ``file``:
#: monitoring_a 15, monitoring_daily 28, monitoring_b 32). Garmin's sleep (49) and HRV-status (68)
#: files use numbers the profile does not define (Gadgetbridge's and GarminDB's readers of those
#: files name them so); the decoders give them as the number.
WELLNESS_FILE_TYPES = {
    "monitoring_a": "Monitoring",
    "monitoring_daily": "Monitoring",
    "monitoring_b": "Monitoring",
    "49": "Sleep",
    "68": "HRV status",
}
#: A sleep_level message closes the stretch since the one before it (Gadgetbridge's and GarminDB's
#: reading of Garmin's sleep files; the FIT profile does not say). A longer silence than this is the
#: day between two nights, not a stage: sleep cycles last about 90 minutes (Carskadon & Dement,
#: "Normal human sleep"), and no stage runs unbroken for four hours.
SLEEP_GAP_S = 4 * 3600
#: Stages that are sleep: ``sleep_h`` is their total (awake time in bed is ``sleep_awake_h``).
ASLEEP = ("light", "deep", "rem")
#: RR intervals outside this range (ms) are artefacts, not beats: 300-2000 ms is 200-30 bpm, the
#: plausible range of hrv-analysis' ``remove_outliers`` (Aura Healthcare; low_rri=300, high_rri=2000,
#: both kept).
RR_MIN_MS = 300
RR_MAX_MS = 2000
#: An interval that differs from the one before it by more than this fraction of it is a missed,
#: extra or ectopic beat, not a normal one (Malik et al. 1989, hrv-analysis' ``remove_ectopic_beats``
#: "malik" rule, 20 %): a chest strap's RR stream during a run holds a few per cent of them
#: (a missed beat reads as twice the interval), and a handful of 450 ms jumps would make the
#: rMSSD of a run 100-250 ms instead of the 2-10 ms it is.
RR_MAX_CHANGE = 0.2
SECONDS_PER_HOUR = 3600.0


def is_wellness_file(decoded: DecodedFile) -> bool:
    """A file that is not an activity but a watch's wellness file: by its FIT type, or because it
    holds sleep, HRV-status or resting heart rate messages."""
    return not decoded.is_activity and (decoded.file_type in WELLNESS_FILE_TYPES or decoded.wellness is not None)


def wellness_kind(decoded: DecodedFile) -> str:
    """What the file is, for a one-line reason: "Sleep file", "Monitoring file"..."""
    return WELLNESS_FILE_TYPES.get(decoded.file_type or "", "Wellness") + " file"


def _local_day(when: dt.datetime, readings: WellnessReadings, timezone: str | None) -> dt.date:
    offset = readings.utc_offset_s if readings.utc_offset_s is not None else zone_offset_s(when, timezone)
    return (when + dt.timedelta(seconds=offset)).date()


def sleep_nights(levels: list[tuple[dt.datetime, str | None]]) -> list[tuple[dt.datetime, dict[str, float]]]:
    """(end, seconds per stage) of each night in a file's sleep_level readings.

    Each reading's stage covers the time since the reading before it; the first reading of a night
    only opens it. Not measurable stretches count in no stage; a silence over SLEEP_GAP_S ends a
    night. Nights with no stage at all are left out.
    """
    nights: list[tuple[dt.datetime, dict[str, float]]] = []
    stages = dict.fromkeys(SLEEP_STAGES, 0.0)
    prev: dt.datetime | None = None
    for when, stage in sorted(levels, key=lambda r: r[0]):
        gap = (when - prev).total_seconds() if prev is not None else None
        if gap is not None and gap > SLEEP_GAP_S:
            nights.append((prev, stages))
            stages = dict.fromkeys(SLEEP_STAGES, 0.0)
        elif gap is not None and stage is not None:
            stages[stage] += gap
        prev = when
    if prev is not None:
        nights.append((prev, stages))
    return [(end, s) for end, s in nights if any(s.values())]


def wellness_rows(
    decoded: DecodedFile, source_file: str, now: dt.datetime, timezone: str | None = None
) -> tuple[pl.DataFrame, str]:
    """A wellness file's rows of the ``wellness`` table (one per local day), and what they hold in
    words ("wellness: 1 night of sleep (7.2 h), HRV 52.5 ms"; "" when nothing is usable; a damaged file's
    detail ends with "; partial: " and why).

    ``timezone`` (IANA name; None: the machine's zone) gives the local day when the file has no
    offset of its own; ``now`` is the import time (UTC), ``source_file`` the file's name.
    Several readings of one kind on one day: the last written wins (nights ending the same day add up).
    """
    readings = decoded.wellness or WellnessReadings()
    days: dict[dt.date, dict[str, float]] = {}
    nights = sleep_nights(readings.sleep_levels)
    for end, stages in nights:
        day = days.setdefault(_local_day(end, readings, timezone), {})
        for stage in SLEEP_STAGES:
            day[f"sleep_{stage}_h"] = day.get(f"sleep_{stage}_h", 0.0) + stages[stage] / SECONDS_PER_HOUR
        day["sleep_h"] = day.get("sleep_h", 0.0) + sum(stages[s] for s in ASLEEP) / SECONDS_PER_HOUR
    for column, series in (("hrv_rmssd_ms", readings.hrv_ms), ("resting_hr_bpm", readings.resting_hr_bpm)):
        for when, value in sorted(series, key=lambda r: r[0]):
            days.setdefault(_local_day(when, readings, timezone), {})[column] = value
    plausible = {day: {c: v for c, v in values.items() if FIELDS[c].low <= v <= FIELDS[c].high}  # the typed ranges
                 for day, values in days.items()}
    rows = [
        {**values, "date": day, "source": "fit", "source_file": source_file, "at": now}
        for day, values in sorted(plausible.items()) if values
    ]
    frame = pl.DataFrame(rows, schema=schema.WELLNESS) if rows else schema.empty("wellness")
    detail = _wellness_detail(frame, len(nights))
    if detail and decoded.partial:  # what came before the damage (the activities' wording)
        detail += f"; partial: {'; '.join(decoded.notes)}"
    return frame, detail


def _wellness_detail(frame: pl.DataFrame, n_nights: int) -> str:
    if frame.is_empty():
        return ""
    parts = []
    if n_nights == 1:
        parts.append(f"1 night of sleep ({frame['sleep_h'].drop_nulls()[0]:.1f} h)")
    elif n_nights:
        parts.append(f"{n_nights} nights of sleep")
    for column, label, unit in (("hrv_rmssd_ms", "HRV", "ms"), ("resting_hr_bpm", "resting HR", "bpm")):
        values = frame[column].drop_nulls()
        if values.len() == 1:
            parts.append(f"{label} {round(values[0], 1):g} {unit}")
        elif values.len():
            parts.append(f"{label} on {values.len()} days")
    return "wellness: " + ", ".join(parts)


def rr_summary(messages: Iterable[tuple[int | None, ...]]) -> tuple[int, int, float | None]:
    """(intervals kept, intervals dropped, rMSSD in ms or None) of a stream of HRV messages' RR
    intervals (ms; None is FIT's invalid marker).

    rMSSD = sqrt(mean of the squared differences of successive intervals), over pairs of kept
    intervals that follow one another: an interval outside RR_MIN_MS..RR_MAX_MS, one that differs
    from the kept interval just before it by more than RR_MAX_CHANGE of it, or an invalid marker
    followed by a valid interval in the same message, is dropped and breaks the succession.
    Invalid markers after a message's last valid interval fill its fixed-size array (the corpus's
    watches write five slots and one to three beats a second): they are not beats and not counted.
    """
    kept = dropped = n_diffs = 0
    squares = 0
    prev: int | None = None
    for values in messages:
        last = max((i for i, v in enumerate(values) if v is not None), default=-1)
        for v in values[: last + 1]:
            if v is None or not RR_MIN_MS <= v <= RR_MAX_MS or (prev is not None and abs(v - prev) > RR_MAX_CHANGE * prev):
                dropped += 1
                prev = None
                continue
            kept += 1
            if prev is not None:
                squares += (v - prev) ** 2
                n_diffs += 1
            prev = v
    return kept, dropped, math.sqrt(squares / n_diffs) if n_diffs else None


def activity_hrv_rows(decoded: DecodedFile, activities: pl.DataFrame) -> pl.DataFrame:
    """The ``activity_hrv`` rows of an activity file's RR intervals (:func:`leg_hrv_rows`) as a frame.

    ``activities`` are the file's rows (:func:`trainlog.ingest.tables.activity_tables`).
    """
    if not decoded.rr_intervals or activities.is_empty():
        return schema.empty("activity_hrv")
    rows = leg_hrv_rows(decoded, activities.sort("leg").select("activity_id", "start_utc").rows())
    return pl.DataFrame(rows, schema=schema.ACTIVITY_HRV) if rows else schema.empty("activity_hrv")


def leg_hrv_rows(decoded: DecodedFile, legs: list[tuple[str, dt.datetime | None]]) -> list[dict[str, object]]:
    """The ``activity_hrv`` rows of an activity file's RR intervals, as dicts: one per leg that has any.

    ``legs``: each leg's (activity id, start, UTC) in leg order. An HRV message has no time of its
    own: it takes the record before it, and belongs to the leg that record does (the last leg
    started at or before it; before the first record: the first leg).
    """
    if not decoded.rr_intervals or not legs:
        return []
    starts = [_micros(start) for _, start in legs[1:] if start is not None]
    per_leg: dict[int, list[tuple[int | None, ...]]] = {}
    for when, values in decoded.rr_intervals:
        leg = sum(when >= s for s in starts) if when is not None else 0
        per_leg.setdefault(leg, []).append(values)
    rows = []
    for leg, messages in sorted(per_leg.items()):
        kept, dropped, rmssd = rr_summary(messages)
        if kept or dropped:
            rows.append({"activity_id": legs[leg][0], "n_rr": kept, "n_rr_dropped": dropped, "rmssd_ms": rmssd})
    return rows


def _micros(when: dt.datetime) -> int:
    """µs since 1970 of an aware datetime (the rr_intervals' clock)."""
    delta = when - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds

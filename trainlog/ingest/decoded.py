"""The decoded-file shape every decoder returns: one file's sessions, laps and records.

A decoder (FIT today: :mod:`trainlog.ingest.fit`) takes a file's bytes and a
display name and returns a :class:`DecodedFile`, in trainlog's units (m, s,
bpm, UTC); the importer turns it into the store's rows
(:mod:`trainlog.ingest.tables`) without knowing the format.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import polars as pl

#: Record columns produced per sample (see trainlog.store.schema.SAMPLES): timestamp
#: (UTC, microseconds), position (degrees), distance and altitude (m), speed (m/s),
#: heart rate (bpm), cadence (rpm), power (W), temperature (degrees C).
RECORD_COLUMNS = (
    "timestamp",
    "lat_deg",
    "lon_deg",
    "distance_m",
    "altitude_m",
    "speed_mps",
    "hr_bpm",
    "cadence_rpm",
    "power_w",
    "temperature_c",
)


#: Sleep stages a watch tells apart (FIT profile type ``sleep_level`` without ``unmeasurable``).
SLEEP_STAGES = ("awake", "light", "deep", "rem")


@dataclass
class WellnessReadings:
    """What a watch's wellness file (sleep, HRV status, monitoring) holds, in trainlog's units (UTC).

    ``sleep_levels``: (UTC time, stage) in file order, each closing the stretch since the one
    before it (stage one of SLEEP_STAGES, or None: not measurable); ``hrv_ms``: nightly rMSSD (ms)
    and when the watch wrote it; ``resting_hr_bpm``: the day's resting heart rate (bpm) and when it
    was written; ``utc_offset_s``: the local time's offset the file gives (s), None when it gives none.
    """

    sleep_levels: list[tuple[dt.datetime, str | None]] = field(default_factory=list)
    hrv_ms: list[tuple[dt.datetime, float]] = field(default_factory=list)
    resting_hr_bpm: list[tuple[dt.datetime, float]] = field(default_factory=list)
    utc_offset_s: int | None = None


@dataclass
class FileRows:
    """One decoded activity file's rows in the store (:func:`trainlog.ingest.tables.rows_of`): plain values for the
    small tables, the records as a frame (what a decoding worker sends back: cheap to pickle).

    ``activities``, ``laps``, ``hrv``: rows (dicts of the columns of the ``activities``, ``laps`` and
    ``activity_hrv`` tables), activities in leg order; ``samples``: the records in the ``samples`` table's columns
    and types but ``activity_id``, in the order they are stored; ``runs``: (activity id, rows) of its consecutive
    runs of one leg, in that order (they add up to its height).
    """

    activities: list[dict[str, Any]]
    samples: pl.DataFrame
    runs: list[tuple[str, int]]
    laps: list[dict[str, Any]]
    hrv: list[dict[str, Any]]

    @property
    def n_records(self) -> int:
        return self.samples.height


@dataclass
class DecodedFile:
    """What one activity file holds, in trainlog's units (m, s, bpm, UTC).

    ``sessions`` and ``laps`` are dicts of the importer's names (``start_utc``,
    ``elapsed_s``, ``distance_m``, ...); ``records`` a frame of RECORD_COLUMNS;
    ``utc_offset_s`` the local time's offset at the end (s); ``partial`` says
    the file was damaged and only what came before the damage is here, and
    ``notes`` say why (one line each). ``rr_intervals``: the beat-to-beat intervals of the
    file's HRV messages, one entry per message in file order: (time of the record before it, µs
    since 1970 UTC, or None before the first record; its intervals in ms, None for the invalid
    marker). ``wellness``: a wellness file's readings, None when it has no wellness message.
    """

    name: str
    file_type: str | None
    sessions: list[dict[str, Any]] = field(default_factory=list)
    laps: list[dict[str, Any]] = field(default_factory=list)
    records: pl.DataFrame | None = None  # RECORD_COLUMNS, timestamps UTC
    device: dict[str, str | None] = field(default_factory=dict)
    utc_offset_s: int | None = None
    partial: bool = False
    notes: list[str] = field(default_factory=list)
    rr_intervals: list[tuple[int | None, tuple[int | None, ...]]] = field(default_factory=list)
    wellness: WellnessReadings | None = None
    #: the importer's rows of each table (:func:`trainlog.ingest.tables.rows_of`), when its decoding worker made
    #: them (the records are then in its samples, and ``records`` is None: they cross from the worker once; so are
    #: ``laps`` and ``rr_intervals``, which are in its rows)
    tables: FileRows | None = None

    @property
    def n_records(self) -> int:
        """Number of records (samples) decoded."""
        if self.records is None:
            return 0 if self.tables is None else self.tables.n_records
        return self.records.height

    @property
    def is_activity(self) -> bool:
        """An activity file (or one of no declared type) with a session or a record."""
        return self.file_type in (None, "activity") and bool(self.sessions or self.n_records)

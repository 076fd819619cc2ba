"""One decoded activity file -> the store's rows: activities, samples, laps and activity_hrv.

Pure: a :class:`~trainlog.ingest.decoded.DecodedFile` in, the rows it adds to
each table out. :func:`rows_of` gives them as plain values beside the records
frame (a :class:`~trainlog.ingest.decoded.FileRows`: what a decoding worker
sends back, cheap to pickle); :func:`frames` makes the store's frames
(:mod:`trainlog.store.schema`) of the rows of many files at once (a batch of
:mod:`trainlog.ingest.importer`); :func:`file_rows` does both for one file (the
fuzzer builds them to check every decodable file can be stored).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import polars as pl

from trainlog.ingest import repair, wellness_fit
from trainlog.ingest.decoded import DecodedFile, FileRows
from trainlog.settings import ModelSettings
from trainlog.store import schema

#: The tables :func:`file_rows` fills.
FILE_TABLES = ("activities", "samples", "laps", "activity_hrv")
#: The samples' columns but ``activity_id``, in the table's order and types (a file's records frame).
RECORD_SCHEMA = {c: t for c, t in schema.SAMPLES.items() if c != "activity_id"}
#: The fields of a decoded lap that ``laps`` keeps (the id and index are the importer's).
LAP_FIELDS = tuple(c for c in schema.LAPS if c not in ("activity_id", "lap_index"))


def file_rows(
    decoded: DecodedFile, sha: str, athlete: str, now: dt.datetime, model: ModelSettings | None = None
) -> dict[str, pl.DataFrame]:
    """The rows one decoded activity file adds to each of :data:`FILE_TABLES`, in the tables' schemas: those of
    :func:`rows_of` (the RR intervals' ``activity_hrv`` rows: :func:`trainlog.ingest.wellness_fit.leg_hrv_rows`)."""
    return frames([rows_of(decoded, sha, athlete, now, model)])


def activity_tables(
    decoded: DecodedFile, sha: str, athlete: str, now: dt.datetime, model: ModelSettings | None = None
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The activities, samples and laps frames of one decoded activity file (:func:`rows_of`)."""
    tables = file_rows(decoded, sha, athlete, now, model)
    return tables["activities"], tables["samples"], tables["laps"]


def frames(files: Sequence[FileRows]) -> dict[str, pl.DataFrame]:
    """The rows of ``files``, one after the other, as one frame per table of :data:`FILE_TABLES` in its schema
    (the frames of a batch are built at once: a Polars frame costs ~0.1 ms to make whatever its size).

    Raises what Polars raises for a value that does not fit its column (an ``Int16`` leg of a file with over
    32,767 sessions)."""
    runs = [run for f in files for run in f.runs]
    ids = pl.Series("activity_id", [aid for aid, _ in runs], pl.String)
    at = np.repeat(np.arange(len(runs), dtype=np.int64), [k for _, k in runs])
    records = pl.concat([f.samples for f in files]) if files else _records_frame(None)
    return {
        "activities": pl.DataFrame([r for f in files for r in f.activities], schema=schema.ACTIVITIES),
        "samples": pl.DataFrame([ids.gather(at), *records.get_columns()]),
        "laps": pl.DataFrame([r for f in files for r in f.laps], schema=schema.LAPS),
        "activity_hrv": pl.DataFrame([r for f in files for r in f.hrv], schema=schema.ACTIVITY_HRV),
    }


def rows_of(
    decoded: DecodedFile, sha: str, athlete: str, now: dt.datetime, model: ModelSettings | None = None
) -> FileRows:
    """The activities, samples, laps and activity_hrv rows of one decoded activity file.

    ``sha`` is the file's sha256 (hex; activity ids are its first 16 digits and
    the leg), ``now`` the import time (UTC).

    Samples are kept as recorded, in record order (a clock that jumped backwards
    is seen in it); a clock jump the analysis will repair
    (:func:`trainlog.ingest.repair.clock_jumps`, ``model.max_clock_jump_s``) is said in the
    run's ``import_note``.
    """
    records = decoded.records
    sessions = list(decoded.sessions)
    notes = list(decoded.notes)
    if not sessions:  # records only (truncated before the session message)
        ts = records["timestamp"]
        first, last = ts.min(), ts.max()
        sessions = [
            {
                "start_utc": first,
                "end_utc": last,
                "elapsed_s": (last - first).total_seconds(),
                "sport": None,
                "sub_sport": None,
            }
        ]
        notes.append("no session message: totals computed from records")
    sessions.sort(key=lambda s: s["start_utc"] or dt.datetime.max.replace(tzinfo=dt.UTC))
    n = len(sessions)
    ids = [f"{sha[:16]}-{i}" for i in range(n)]
    starts = [s["start_utc"] for s in sessions[1:] if s["start_utc"] is not None]

    if records is None:
        samples, runs = _records_frame(None), []
    elif not starts:  # one leg (most files): no per-row work
        samples = _records_frame(records)
        runs = [(ids[0], samples.height)] if samples.height else []
    else:  # legs in order, each in record order: the last session started at or before a record's time (none: the first)
        leg = pl.sum_horizontal([(pl.col("timestamp") >= pl.lit(s)).cast(pl.Int16) for s in starts]).cast(pl.Int16)
        legs = records.with_columns(
            leg.fill_null(0).replace_strict(list(range(n)), ids, return_dtype=pl.String).alias("activity_id")
        ).sort("activity_id", maintain_order=True)
        runs = [(r["value"], r["len"]) for r in legs.get_column("activity_id").rle().to_list()]
        samples = _records_frame(legs.drop("activity_id"))
    n_of = dict.fromkeys(ids, 0)
    for aid, k in runs:
        n_of[aid] += k

    def dmax(aid: str) -> float | None:
        """The leg's largest record distance (m; None without one); a leg's records are one run."""
        offset = 0
        for run_id, k in runs:
            if run_id == aid:
                return samples.get_column("distance_m").slice(offset, k).max()
            offset += k
        return None

    activities = []
    for i, s in enumerate(sessions):
        leg_notes = list(notes)
        distance = s.get("distance_m")
        if distance is None and (most := dmax(ids[i])) is not None:
            distance = most
            leg_notes.append("distance from records")
        elapsed = s.get("elapsed_s")
        if elapsed is None and s.get("start_utc") and s.get("end_utc"):
            elapsed = (s["end_utc"] - s["start_utc"]).total_seconds()
        activities.append(
            {
                "activity_id": ids[i],
                "file_sha256": sha,
                "leg": i,
                "n_legs": n,
                "athlete": athlete,
                "sport": s.get("sport"),
                "sub_sport": s.get("sub_sport"),
                "start_utc": s.get("start_utc"),
                "utc_offset_s": decoded.utc_offset_s,
                "elapsed_s": elapsed,
                "timer_s": s.get("timer_s") if s.get("timer_s") is not None else elapsed,
                "distance_m": distance,
                "ascent_device_m": s.get("ascent_device_m"),
                "descent_device_m": s.get("descent_device_m"),
                "calories_kcal": s.get("calories_kcal"),
                "avg_hr_bpm": s.get("avg_hr_bpm"),
                "max_hr_bpm": s.get("max_hr_bpm"),
                "device_manufacturer": decoded.device.get("manufacturer"),
                "device_product": decoded.device.get("product"),
                "device_serial": decoded.device.get("serial"),
                "n_records": n_of[ids[i]],
                "partial": decoded.partial,
                "import_note": "; ".join(leg_notes) or None,
                "source_file": decoded.name,
                "imported_at": now,
            }
        )
    model = model or ModelSettings()
    if starts or _clock_may_jump(samples.get_column("timestamp"), round(model.max_clock_jump_s * repair.MICROS_PER_S)):
        both = frames([FileRows(activities, samples, runs, [], [])])
        jumps = repair.jump_notes(repair.clock_jumps(both["samples"], both["activities"], model))
        for row in activities:  # appended to the leg's other notes
            row["import_note"] = "; ".join(n for n in (row["import_note"], jumps.get(row["activity_id"])) if n) or None

    laps = []
    index = dict.fromkeys(ids, 0)
    for lap in sorted(decoded.laps, key=lambda lap: lap["start_utc"] or now):
        start = lap.get("start_utc")  # the leg of its start, as a record's (none: the first)
        aid = ids[sum(start >= s for s in starts) if start is not None else 0]
        laps.append({"activity_id": aid, "lap_index": index[aid], **{k: lap.get(k) for k in LAP_FIELDS}})
        index[aid] += 1
    hrv = wellness_fit.leg_hrv_rows(decoded, [(row["activity_id"], row["start_utc"]) for row in activities])
    return FileRows(activities, samples, runs, laps, hrv)


def _records_frame(records: pl.DataFrame | None) -> pl.DataFrame:
    """``records``' columns of :data:`RECORD_SCHEMA`, in its order and types (``records`` itself when they are)."""
    if records is None:
        return pl.DataFrame(schema=RECORD_SCHEMA)
    if records.columns == list(RECORD_SCHEMA) and records.dtypes == list(RECORD_SCHEMA.values()):
        return records
    return records.select([pl.col(c).cast(t) for c, t in RECORD_SCHEMA.items()])


def _clock_may_jump(timestamps: pl.Series, limit_us: int) -> bool:
    """Whether one leg's samples may hold a clock jump (:func:`trainlog.ingest.repair.clock_jumps` decides): a
    step between consecutive samples below 0 s or above ``limit_us``, or a timestamp missing. False for the
    common clean file, in one NumPy pass (no frame of the samples and their activity to build)."""
    if timestamps.len() < 2:
        return False
    if timestamps.null_count():
        return True
    steps = np.diff(timestamps.to_numpy().view(np.int64))  # datetime64[us] (RECORD_SCHEMA), without a copy
    return bool((steps < 0).any() or (steps > limit_us).any())

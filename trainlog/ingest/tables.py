"""One decoded activity file -> the store's rows: activities, samples and laps.

Pure: a :class:`~trainlog.ingest.decoded.DecodedFile` in, three Polars frames
in the store's schemas (:mod:`trainlog.store.schema`) out; the importer
(:mod:`trainlog.ingest.importer`) classifies and commits them, the fuzzer
builds them to check every decodable file can be stored.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from trainlog.ingest import repair, wellness_fit
from trainlog.ingest.decoded import DecodedFile
from trainlog.settings import ModelSettings
from trainlog.store import schema

#: The tables :func:`file_rows` fills.
FILE_TABLES = ("activities", "samples", "laps", "activity_hrv")


def file_rows(
    decoded: DecodedFile, sha: str, athlete: str, now: dt.datetime, model: ModelSettings | None = None
) -> dict[str, pl.DataFrame]:
    """The rows one decoded activity file adds to each of :data:`FILE_TABLES`, in the tables' schemas: those of
    :func:`activity_tables` and the RR intervals' ``activity_hrv`` rows
    (:func:`trainlog.ingest.wellness_fit.activity_hrv_rows`)."""
    activities, samples, laps = activity_tables(decoded, sha, athlete, now, model)
    hrv = wellness_fit.activity_hrv_rows(decoded, activities)
    return {name: schema.conform(name, frame) for name, frame in zip(FILE_TABLES, (activities, samples, laps, hrv))}


def activity_tables(
    decoded: DecodedFile, sha: str, athlete: str, now: dt.datetime, model: ModelSettings | None = None
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The activities, samples and laps rows of one decoded activity file.

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

    def leg_of(col: str) -> pl.Expr:
        """Leg index of a timestamp column: the last session started at or before it."""
        return pl.sum_horizontal([(pl.col(col) >= pl.lit(s)).cast(pl.Int16) for s in starts]).cast(pl.Int16)

    def with_legs(frame: pl.DataFrame, col: str) -> pl.DataFrame:
        """``frame`` with the ``activity_id`` of each row's leg (by its time ``col``; none: the first leg)."""
        if not starts:  # one leg (most files): no per-row work
            return frame.with_columns(pl.lit(ids[0], pl.String).alias("activity_id"))
        return frame.with_columns(
            leg_of(col).fill_null(0).replace_strict(list(range(n)), ids, return_dtype=pl.String).alias("activity_id"))

    if records is None:
        samples = schema.empty("samples")
    elif not starts:
        samples = with_legs(records, "timestamp")
    else:  # legs in order, each in record order
        samples = with_legs(records, "timestamp").sort("activity_id", maintain_order=True)
    if not starts:
        per_leg = {ids[0]: {"n": samples.height, "dmax": samples["distance_m"].max()}} if samples.height else {}
    else:
        per_leg = samples.group_by("activity_id").agg(pl.len().alias("n"), pl.col("distance_m").max().alias("dmax"))
        per_leg = {r["activity_id"]: r for r in per_leg.iter_rows(named=True)}

    rows = []
    for i, s in enumerate(sessions):
        leg_notes = list(notes)
        stats = per_leg.get(ids[i], {"n": 0, "dmax": None})
        distance = s.get("distance_m")
        if distance is None and stats["dmax"] is not None:
            distance = stats["dmax"]
            leg_notes.append("distance from records")
        elapsed = s.get("elapsed_s")
        if elapsed is None and s.get("start_utc") and s.get("end_utc"):
            elapsed = (s["end_utc"] - s["start_utc"]).total_seconds()
        rows.append(
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
                "n_records": stats["n"],
                "partial": decoded.partial,
                "import_note": "; ".join(leg_notes) or None,
                "source_file": decoded.name,
                "imported_at": now,
            }
        )
    activities = pl.DataFrame(rows, schema=schema.ACTIVITIES)
    jumps = repair.jump_notes(repair.clock_jumps(samples, activities, model or ModelSettings()))
    if jumps:  # appended to the leg's other notes
        noted = [
            "; ".join(n for n in (note, jumps.get(aid)) if n) or None
            for aid, note in activities.select("activity_id", "import_note").iter_rows()
        ]
        activities = activities.with_columns(pl.Series("import_note", noted, pl.String))

    lap_rows = []
    for lap in sorted(decoded.laps, key=lambda lap: lap["start_utc"] or now):
        lap_rows.append({**lap, "_start": lap["start_utc"]})
    laps = pl.DataFrame(
        [{k: v for k, v in lap.items() if k in schema.LAPS or k == "_start"} for lap in lap_rows],
        schema={**{k: v for k, v in schema.LAPS.items() if k not in ("activity_id", "lap_index")}, "_start": schema.UTC},
    )
    index = pl.int_range(pl.len()).cast(pl.Int32)
    laps = with_legs(laps, "_start").with_columns((index.over("activity_id") if starts else index).alias("lap_index"))
    laps = laps.drop("_start")
    return activities, samples, laps

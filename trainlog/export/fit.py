"""One stored activity as a FIT activity file, encoded by Garmin's FIT SDK (``garmin-fit-sdk``).

The messages a watch writes, from what trainlog stored: ``file_id`` (the device that
recorded it), a timer start, one ``record`` per stored sample (as recorded, in record
order), the laps (one for the whole activity when none were stored), a timer stop, the
``session`` with the stored totals (start, elapsed and timer time, distance, the
watch's ascent and descent, sport) and the ``activity`` message, whose
``local_timestamp`` carries the UTC offset. The start and the elapsed time are the
stored ones, so trainlog's importer takes the file back as a duplicate of its activity.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import polars as pl

from trainlog.ingest.fit.framing import FIT_EPOCH_UNIX_S

#: Degrees per FIT semicircle (positions are 32-bit fractions of 180 degrees).
SEMICIRCLE_DEG = 180.0 / 2**31
#: The largest values FIT's unsigned types hold (their all-ones value means "invalid").
UINT8_MAX, UINT16_MAX, UINT32_MAX = 254, 65534, 4_294_967_294
SINT32_MAX = 2**31 - 1
#: FIT's enhanced_altitude: (altitude + 500 m) x 5 in an unsigned 32-bit field.
ALTITUDE_MIN_M = -500.0


def fit_time(when: dt.datetime) -> int:
    """Seconds since the FIT epoch (1989-12-31 00:00 UTC) of an aware instant, the fraction dropped."""
    return math.floor(when.timestamp()) - FIT_EPOCH_UNIX_S


def encode_activity(activity: dict[str, Any], samples: pl.DataFrame, laps: pl.DataFrame) -> bytes:
    """The FIT bytes of one activity.

    ``activity``: a row of :func:`trainlog.analysis.stored.activity_table` (``start_utc``,
    ``utc_offset_s``, ``elapsed_s``, ``timer_s``, ``distance_m``, ``ascent_device_m``, ``sport``,
    device columns...); ``samples``: its stored samples in record order
    (:data:`trainlog.store.schema.SAMPLES`); ``laps``: its stored laps (:data:`trainlog.store.schema.LAPS`).
    """
    from garmin_fit_sdk import Encoder, Profile

    mesg_num = Profile["mesg_num"]
    types = Profile["types"]
    start = fit_time(activity["start_utc"])
    elapsed = float(activity["elapsed_s"] or 0.0)
    end = start + round(elapsed)
    sport = {"sport": _enum(types, "sport", activity["sport"]), "sub_sport": _enum(types, "sub_sport", activity["sub_sport"])}
    encoder = Encoder()
    encoder.write_mesg({"mesg_num": mesg_num["FILE_ID"], "type": "activity", "time_created": start,
                        **_device(types, activity)})
    encoder.write_mesg(_event(mesg_num, start, "start"))
    for row in _records(samples).iter_rows(named=True):
        encoder.write_mesg({"mesg_num": mesg_num["RECORD"], **row})
    lap_rows = laps.sort("lap_index").to_dicts() if not laps.is_empty() else [
        {**activity, "lap_index": 0, "avg_speed_mps": None}]
    for row in lap_rows:
        encoder.write_mesg({"mesg_num": mesg_num["LAP"], "message_index": row["lap_index"], **_totals(row),
                            "event": "lap", "event_type": "stop", **sport})
    encoder.write_mesg(_event(mesg_num, end, "stop_all"))
    encoder.write_mesg({"mesg_num": mesg_num["SESSION"], "message_index": 0, **_totals(activity),
                        "event": "session", "event_type": "stop", **sport, "first_lap_index": 0,
                        "num_laps": len(lap_rows), "trigger": "activity_end"})
    offset = activity.get("utc_offset_s")
    encoder.write_mesg({"mesg_num": mesg_num["ACTIVITY"], "timestamp": end,
                        "total_timer_time": activity["timer_s"], "num_sessions": 1, "type": "manual",
                        "event": "activity", "event_type": "stop",
                        "local_timestamp": end + offset if offset is not None else None})
    return encoder.close()


def _records(samples: pl.DataFrame) -> pl.DataFrame:
    """The record messages' fields in FIT's units, one row per sample; a value FIT cannot hold is left out (null)."""
    def within(expr: pl.Expr, low: float, high: float) -> pl.Expr:
        return pl.when(expr.is_between(low, high)).then(expr)

    def position(column: str) -> pl.Expr:
        return within((pl.col(column) / SEMICIRCLE_DEG).round(), -SINT32_MAX, SINT32_MAX).cast(pl.Int64)

    cadence = pl.col("cadence_rpm")
    whole = cadence.floor()
    return samples.select(
        (pl.col("timestamp").dt.epoch("s") - FIT_EPOCH_UNIX_S).alias("timestamp"),
        position("lat_deg").alias("position_lat"),
        position("lon_deg").alias("position_long"),
        within(pl.col("distance_m"), 0, UINT32_MAX / 100).alias("distance"),
        within(pl.col("altitude_m"), ALTITUDE_MIN_M, UINT32_MAX / 5 + ALTITUDE_MIN_M).alias("enhanced_altitude"),
        within(pl.col("speed_mps"), 0, UINT32_MAX / 1000).alias("enhanced_speed"),
        within(pl.col("hr_bpm").round(), 0, UINT8_MAX).cast(pl.Int64).alias("heart_rate"),
        within(whole, 0, UINT8_MAX).cast(pl.Int64).alias("cadence"),
        # the fraction of a cadence (running dynamics), 1/128 steps; decoders add it to the cadence
        pl.when(whole.is_between(0, UINT8_MAX) & (cadence > whole)).then(((cadence - whole) * 128).floor() / 128)
        .alias("fractional_cadence"),
        within(pl.col("power_w").round(), 0, UINT16_MAX).cast(pl.Int64).alias("power"),
        within(pl.col("temperature_c").round(), -127, 127).cast(pl.Int64).alias("temperature"),
    )


def _totals(row: dict[str, Any]) -> dict[str, Any]:
    """Fields a lap and a session share, from a stored lap or activity row (the SDK leaves out a None)."""
    start = fit_time(row["start_utc"])
    elapsed = row["elapsed_s"]
    return {
        "timestamp": start + round(elapsed or 0.0),
        "start_time": start,
        "total_elapsed_time": elapsed,
        "total_timer_time": row["timer_s"],
        "total_distance": _within(row["distance_m"], 0, UINT32_MAX / 100),
        "total_ascent": _whole(row["ascent_device_m"], UINT16_MAX),
        "total_descent": _whole(row["descent_device_m"], UINT16_MAX),
        "total_calories": _whole(row["calories_kcal"], UINT16_MAX),
        "avg_heart_rate": _whole(row["avg_hr_bpm"], UINT8_MAX),
        "max_heart_rate": _whole(row["max_hr_bpm"], UINT8_MAX),
        "enhanced_avg_speed": _within(row.get("avg_speed_mps"), 0, UINT32_MAX / 1000),
    }


def _device(types: dict, activity: dict[str, Any]) -> dict[str, Any]:
    """``file_id``'s manufacturer, product and serial number from the stored device names (left out when unknown)."""
    manufacturer = _enum(types, "manufacturer", activity.get("device_manufacturer"))
    product = activity.get("device_product")
    fields: dict[str, Any] = {"manufacturer": manufacturer}
    if product is not None and product.isdigit():
        fields["product"] = int(product)
    elif product is not None and manufacturer in ("garmin", "dynastream", "dynastream_oem", "tacx"):
        code = _code(types, "garmin_product", product)
        fields["product"] = code
        fields["product_name"] = product if code is None else None
    elif product is not None:
        fields["product_name"] = product
    serial = activity.get("device_serial")
    if serial is not None and serial.isdigit() and 0 < int(serial) <= UINT32_MAX:
        fields["serial_number"] = int(serial)
    return fields


def _enum(types: dict, type_name: str, value: str | None) -> str | int | None:
    """A stored FIT enum (its profile name, or its number as text) as the SDK takes it; None when unknown."""
    if value is None:
        return None
    if value.isdigit():
        return int(value) if int(value) <= UINT16_MAX else None
    return value if value in types.get(type_name, {}).values() else None


def _code(types: dict, type_name: str, value: str) -> int | None:
    """The number of a profile name (``garmin_product`` "enduro" -> 3638), None when it has none."""
    return next((code for code, name in types.get(type_name, {}).items() if name == value), None)


def _within(value: float | None, low: float, high: float) -> float | None:
    return value if value is not None and low <= value <= high else None


def _whole(value: float | None, high: int) -> int | None:
    return round(value) if value is not None and 0 <= round(value) <= high else None


def _event(mesg_num: dict, when: int, event_type: str) -> dict[str, Any]:
    return {"mesg_num": mesg_num["EVENT"], "timestamp": when, "event": "timer", "event_type": event_type,
            "event_group": 0}

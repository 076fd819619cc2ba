"""fitparse data messages -> :class:`~trainlog.ingest.decoded.DecodedFile`.

The one assembly both FIT decoders share: the reference feeds it every message
of a file (:mod:`.reference`), the fast path the side messages only and puts
its own records frame in (:mod:`.fast`). Messages are fitparse ``DataMessage``
objects (``name``, ``fields``, ``get_values()``), read once, in file order.
Besides activities it reads a run's RR intervals (``hrv``) and what a watch's
wellness files hold (sleep stages, nightly HRV, resting heart rate), by message
and field number: fitparse's older profiles know those messages only by number.
"""

from __future__ import annotations

import datetime as dt
import math
from array import array
from collections.abc import Iterable
from typing import Any

import polars as pl

from trainlog.ingest.decoded import RECORD_COLUMNS, DecodedFile, WellnessReadings
from trainlog.ingest.fit.framing import FIT_EPOCH

#: FIT timestamps below this are seconds since the device was switched on, not
#: since the FIT epoch (FIT SDK profile: date_time "min" 0x10000000).
FIT_RELATIVE_TIME_LIMIT = 0x10000000
#: Degrees per FIT semicircle (positions are 32-bit fractions of 180 degrees).
SEMICIRCLE_DEG = 180.0 / 2**31
#: UTC offsets are rounded to this step (s); the activity message's two stamps can
#: differ by a second (time zones are whole quarter hours).
UTC_OFFSET_STEP_S = 900
MAX_UTC_OFFSET_S = 14 * 3600
#: The note of a file whose device clock was not set.
RELATIVE_TIME_NOTE = "device clock not set: times are relative to power-on"

#: FIT global message numbers (FIT SDK profile 21.x, mesg_num) read here by number, with their fields:
MESG_HRV = 78  # hrv: 0 time (uint16 array, s, scale 1000: the raw value is the RR interval in ms)
MESG_MONITORING_INFO = 103  # 253 timestamp, 0 local_timestamp (local_date_time)
MESG_TIMESTAMP_CORRELATION = 162  # 253 timestamp, 3 local_timestamp (local_date_time)
MESG_MONITORING_HR_DATA = 211  # 253 timestamp, 0 resting_heart_rate ("7-day rolling average", bpm),
#                                1 current_day_resting_heart_rate ("RHR for today only", bpm)
MESG_SLEEP_LEVEL = 275  # 253 timestamp, 0 sleep_level (enum sleep_level)
MESG_HRV_STATUS_SUMMARY = 370  # 253 timestamp, 1 last_night_average (uint16, ms, scale 128)
WELLNESS_MESSAGES = frozenset(
    {MESG_MONITORING_INFO, MESG_TIMESTAMP_CORRELATION, MESG_MONITORING_HR_DATA, MESG_SLEEP_LEVEL, MESG_HRV_STATUS_SUMMARY}
)
FIELD_TIMESTAMP = 253
HRV_TIME = 0
LOCAL_TIMESTAMP = {MESG_MONITORING_INFO: 0, MESG_TIMESTAMP_CORRELATION: 3}
RESTING_HR, CURRENT_DAY_RESTING_HR = 0, 1
SLEEP_LEVEL = 0
LAST_NIGHT_AVERAGE, HRV_STATUS_SCALE = 1, 128
#: FIT profile type sleep_level (0 is unmeasurable, kept as None).
SLEEP_LEVELS = {1: "awake", 2: "light", 3: "deep", 4: "rem"}

NAN = float("nan")
_EPOCH_UTC = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _num(value: Any) -> float | None:
    """A finite float or None (fitparse gives None, tuples, or strings for odd fields)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        f = float(value)
        return f if math.isfinite(f) else None
    return None


def _micros(ts: dt.datetime) -> int:
    """Microseconds since 1970 (UTC) of an aware datetime, exactly."""
    delta = ts - _EPOCH_UTC
    return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return str(value)


class _Clock:
    """Turns FIT date_time values (datetime or int) into aware UTC datetimes.

    Relative times (seconds since power-on, below 0x10000000) are kept on the
    FIT epoch and flagged, as fitparse and the FIT SDK leave them.
    """

    def __init__(self) -> None:
        self.saw_relative = False

    def __call__(self, value: Any) -> dt.datetime | None:
        if isinstance(value, dt.datetime):
            return value.replace(tzinfo=dt.UTC)
        if isinstance(value, int) and not isinstance(value, bool):
            if value >= FIT_RELATIVE_TIME_LIMIT:
                return FIT_EPOCH + dt.timedelta(seconds=value)
            self.saw_relative = True
            return FIT_EPOCH + dt.timedelta(seconds=value)
        return None


def _values(message: Any) -> dict[str, Any]:
    """A fitparse data message's fields by name (number when unnamed).

    fitparse's ``get_values()`` lets the last copy of a field win even when it is
    invalid (None): a record that holds ``distance`` twice, one copy invalid
    (some Garmin and Zwift files), would lose its distance. Here a copy that is
    None never hides a valid one (METRICS.md: the valid copy is kept); of several
    valid copies the last wins, as before.
    """
    values = message.get_values()
    fields = message.fields
    if len(values) == len(fields):  # no field twice (a component expands into a field of another name)
        return values
    out: dict[str, Any] = {}
    for f in fields:
        key = f.name if f.name else f.def_num
        if f.value is not None or key not in out:
            out[key] = f.value
    return out


def assemble(messages: Iterable[Any], damage: str | None, name: str) -> DecodedFile:
    """A DecodedFile from fitparse data messages, a list or a stream (records included if present).

    ``damage`` (None or a one-line reason) marks the file partial; ``name`` is the display name.
    """
    out = DecodedFile(name=name, file_type=None)
    if damage:
        out.partial = True
        out.notes.append(damage)
    clock = _Clock()
    # compact columns (8 bytes a value, not a Python float object each); NaN stands for a
    # missing value: _num never returns NaN, so NaN becomes null again in the frame
    cols = {c: array("q" if c == "timestamp" else "d") for c in RECORD_COLUMNS}
    activity_local: tuple[Any, Any] | None = None
    creator: dict[str, str | None] = {}
    last_ts: dt.datetime | None = None
    wellness_local: tuple[int, int] | None = None  # (timestamp, local_timestamp) of a wellness file

    for message in messages:
        mname = message.name
        if mname == "record":
            v = _values(message)
            raw_ts = v.get("timestamp")
            ts = clock(raw_ts) if raw_ts is not None else last_ts
            if ts is None:
                continue
            last_ts = ts
            lat, lon = _num(v.get("position_lat")), _num(v.get("position_long"))
            alt = _num(v.get("enhanced_altitude"))
            if alt is None:
                alt = _num(v.get("altitude"))
            speed = _num(v.get("enhanced_speed"))
            if speed is None:
                speed = _num(v.get("speed"))
            cadence = _num(v.get("cadence"))
            frac = _num(v.get("fractional_cadence"))
            if cadence is not None and frac is not None:
                cadence += frac
            cols["timestamp"].append(_micros(ts))
            cols["lat_deg"].append(lat * SEMICIRCLE_DEG if lat is not None else NAN)
            cols["lon_deg"].append(lon * SEMICIRCLE_DEG if lon is not None else NAN)
            for col, value in (
                ("distance_m", _num(v.get("distance"))),
                ("altitude_m", alt),
                ("speed_mps", speed),
                ("hr_bpm", _num(v.get("heart_rate"))),
                ("cadence_rpm", cadence),
                ("power_w", _num(v.get("power"))),
                ("temperature_c", _num(v.get("temperature"))),
            ):
                cols[col].append(NAN if value is None else value)
        elif mname == "session":
            out.sessions.append(_session(_values(message), clock))
        elif mname == "lap":
            out.laps.append(_lap(_values(message), clock))
        elif mname == "file_id":
            v = _values(message)
            if out.file_type is None:
                out.file_type = _text(v.get("type"))
                creator = _device(v)
        elif mname == "device_info":
            v = _values(message)
            if v.get("device_index") in (0, "creator") and not creator.get("serial"):
                dev = _device(v)
                creator = {k: creator.get(k) or dev.get(k) for k in dev}
        elif mname == "activity":
            v = _values(message)
            activity_local = (v.get("timestamp"), v.get("local_timestamp"))
        else:
            num = getattr(message, "mesg_num", None)
            if num == MESG_HRV:
                out.rr_intervals.append((_micros(last_ts) if last_ts else None, _intervals(message)))
            elif num in WELLNESS_MESSAGES:
                wellness_local = _wellness(num, _raw(message), out, wellness_local)

    out.device = creator
    out.utc_offset_s = _utc_offset(activity_local, clock)
    if out.wellness is not None:
        out.wellness.utc_offset_s = _utc_offset(wellness_local, _Clock())
    if clock.saw_relative:
        out.notes.append(RELATIVE_TIME_NOTE)
    if cols["timestamp"]:
        out.records = pl.DataFrame(
            [pl.Series("timestamp", cols["timestamp"], pl.Int64).cast(pl.Datetime("us", "UTC"))]
            + [pl.Series(c, cols[c], pl.Float64).fill_nan(None) for c in RECORD_COLUMNS if c != "timestamp"]
        )
    return out


def _raw(message: Any) -> dict[int, Any]:
    """A data message's valid raw values by field number (the last valid copy of a field wins)."""
    return {f.def_num: f.raw_value for f in message.fields if f.raw_value is not None}


def _intervals(message: Any) -> tuple[int | None, ...]:
    """An hrv message's RR intervals (ms), None for the invalid marker 0xFFFF; fitparse gives a
    one-value array as a plain number."""
    value = _raw(message).get(HRV_TIME)
    values = value if isinstance(value, tuple) else (value,) if value is not None else ()
    return tuple(v if isinstance(v, int) and not isinstance(v, bool) else None for v in values)


def _fit_time(raw: Any) -> dt.datetime | None:
    """A wellness reading's UTC time; None when absent or relative to power-on (it has no day)."""
    if isinstance(raw, int) and not isinstance(raw, bool) and raw >= FIT_RELATIVE_TIME_LIMIT:
        return FIT_EPOCH + dt.timedelta(seconds=raw)
    return None


def _wellness(num: int, raw: dict[int, Any], out: DecodedFile, local: tuple[int, int] | None) -> tuple[int, int] | None:
    """Keep one wellness message's reading in ``out.wellness``; returns the file's (timestamp,
    local_timestamp), the first one a monitoring_info or timestamp_correlation message gives."""
    if num in LOCAL_TIMESTAMP:
        pair = (raw.get(FIELD_TIMESTAMP), raw.get(LOCAL_TIMESTAMP[num]))
        return local or (pair if None not in pair else None)
    readings = out.wellness = out.wellness or WellnessReadings()
    when = _fit_time(raw.get(FIELD_TIMESTAMP))
    if when is None:
        return local
    if num == MESG_SLEEP_LEVEL:
        readings.sleep_levels.append((when, SLEEP_LEVELS.get(raw.get(SLEEP_LEVEL))))
    elif num == MESG_HRV_STATUS_SUMMARY:
        if (ms := _num(raw.get(LAST_NIGHT_AVERAGE))) is not None and ms > 0:
            readings.hrv_ms.append((when, ms / HRV_STATUS_SCALE))
    elif num == MESG_MONITORING_HR_DATA:
        bpm = _num(raw.get(CURRENT_DAY_RESTING_HR)) or _num(raw.get(RESTING_HR))  # 0: not measured
        if bpm is not None and bpm > 0:
            readings.resting_hr_bpm.append((when, bpm))
    return local


def _device(v: dict[str, Any]) -> dict[str, str | None]:
    product = v.get("garmin_product") or v.get("favero_product") or v.get("product_name") or v.get("product")
    serial = v.get("serial_number")
    return {
        "manufacturer": _text(v.get("manufacturer")),
        "product": _text(product),
        "serial": _text(serial),
    }


def _utc_offset(activity_local: tuple[Any, Any] | None, clock: _Clock) -> int | None:
    """UTC offset (s) at the end of the activity: local_timestamp - timestamp."""
    if not activity_local:
        return None
    ts, local = activity_local
    utc = clock(ts) if ts is not None else None
    if utc is None or not isinstance(local, (dt.datetime, int)) or isinstance(local, bool):
        return None
    local_dt = local if isinstance(local, dt.datetime) else FIT_EPOCH.replace(tzinfo=None) + dt.timedelta(seconds=local)
    offset = (local_dt.replace(tzinfo=dt.UTC) - utc).total_seconds()
    rounded = int(round(offset / UTC_OFFSET_STEP_S) * UTC_OFFSET_STEP_S)
    return rounded if abs(rounded) <= MAX_UTC_OFFSET_S else None


def _totals(v: dict[str, Any], clock: _Clock) -> dict[str, Any]:
    """Fields sessions and laps share, in trainlog's names and units."""
    return {
        "start_utc": clock(v.get("start_time")) or clock(v.get("timestamp")),
        "end_utc": clock(v.get("timestamp")),
        "elapsed_s": _num(v.get("total_elapsed_time")),
        "timer_s": _num(v.get("total_timer_time")),
        "distance_m": _num(v.get("total_distance")),
        "ascent_device_m": _num(v.get("total_ascent")),
        "descent_device_m": _num(v.get("total_descent")),
        "calories_kcal": _num(v.get("total_calories")),
        "avg_hr_bpm": _num(v.get("avg_heart_rate")),
        "max_hr_bpm": _num(v.get("max_heart_rate")),
    }


def _session(v: dict[str, Any], clock: _Clock) -> dict[str, Any]:
    return {**_totals(v, clock), "sport": _text(v.get("sport")), "sub_sport": _text(v.get("sub_sport"))}


def _lap(v: dict[str, Any], clock: _Clock) -> dict[str, Any]:
    speed = _num(v.get("enhanced_avg_speed"))
    if speed is None:
        speed = _num(v.get("avg_speed"))
    return {**_totals(v, clock), "avg_speed_mps": speed}

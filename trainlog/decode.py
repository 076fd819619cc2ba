"""FIT bytes -> decoded activity data (sessions, laps, records).

Pure: takes bytes and a display name, returns a :class:`DecodedFile`; never
opens a path. fitparse (the maintained ``python-fitparse`` distribution) is the
reference decoder (:func:`decode_reference`); :func:`decode` first tries the
compiled fast path in :mod:`trainlog.fastdecode`, which gives the same result or
refuses the file. A file damaged part-way keeps what was readable before the
damage and is marked ``partial``; a file with nothing usable raises
:class:`~trainlog.errors.InvalidFitFile` naming the file.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import struct
import warnings
from dataclasses import dataclass, field
from typing import Any

import fitparse
from fitparse.utils import FitCRCError, FitEOFError, FitHeaderError, FitParseError
import polars as pl

from trainlog.errors import InvalidFitFile

#: FIT timestamps below this are seconds since the device was switched on, not
#: since the FIT epoch (FIT SDK profile: date_time "min" 0x10000000).
FIT_RELATIVE_TIME_LIMIT = 0x10000000
FIT_EPOCH = dt.datetime(1989, 12, 31, tzinfo=dt.timezone.utc)
SEMICIRCLE_DEG = 180.0 / 2**31
#: UTC offsets are rounded to this step; the activity message's two stamps can
#: differ by a second (time zones are whole quarter hours).
UTC_OFFSET_STEP_S = 900
MAX_UTC_OFFSET_S = 14 * 3600

#: Record columns produced per sample (see trainlog.schema.SAMPLES).
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


@dataclass
class DecodedFile:
    """What one FIT file holds, in trainlog's units (m, s, bpm, UTC)."""

    name: str
    file_type: str | None
    sessions: list[dict[str, Any]] = field(default_factory=list)
    laps: list[dict[str, Any]] = field(default_factory=list)
    records: pl.DataFrame | None = None  # RECORD_COLUMNS, timestamps UTC
    device: dict[str, str | None] = field(default_factory=dict)
    utc_offset_s: int | None = None
    partial: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def n_records(self) -> int:
        return 0 if self.records is None else self.records.height

    @property
    def is_activity(self) -> bool:
        return self.file_type in (None, "activity") and bool(self.sessions or self.n_records)


def _num(value: Any) -> float | None:
    """A finite float or None (fitparse gives None, tuples, or strings for odd fields)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        f = float(value)
        return f if math.isfinite(f) else None
    return None


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
            return value.replace(tzinfo=dt.timezone.utc)
        if isinstance(value, int) and not isinstance(value, bool):
            if value >= FIT_RELATIVE_TIME_LIMIT:
                return FIT_EPOCH + dt.timedelta(seconds=value)
            self.saw_relative = True
            return FIT_EPOCH + dt.timedelta(seconds=value)
        return None


def _fitparse_messages(data: bytes, name: str, check_crc: bool = True):
    """Yield fitparse data messages; stop at the first damage and report it.

    Returns (messages, damage) where damage is None or a one-line reason.
    """
    messages = []
    reader = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            reader = fitparse.UncachedFitFile(io.BytesIO(data), check_crc=check_crc)
        except FitHeaderError as exc:
            raise InvalidFitFile(name, f"not a FIT file (corrupt header: {exc})") from None
        except FitEOFError:
            raise InvalidFitFile(name, f"empty or truncated FIT header ({len(data)} bytes)") from None
        except FitParseError as exc:
            raise InvalidFitFile(name, f"unreadable FIT header: {exc}") from None
        damage = None
        try:
            for message in reader.get_messages():
                messages.append(message)
        except FitCRCError as exc:
            damage = f"bad CRC ({exc})"
        except FitEOFError:
            damage = "truncated"
        except FitHeaderError as exc:
            damage = f"corrupt header in a chained FIT file ({exc})"
        # fitparse itself fails on some damage (AttributeError on a field of unknown
        # base type, ZeroDivisionError on a zero scale, OverflowError on huge values)
        except (FitParseError, ValueError, KeyError, IndexError, TypeError, AttributeError, ArithmeticError, struct.error) as exc:
            damage = f"corrupt data ({type(exc).__name__}: {exc})"
        offset = _reader_offset(reader)
        for w in caught:
            text = str(w.message)
            if "terminated unexpectedly" in text and damage is None:
                damage = "truncated"
    if damage:
        damage = f"{damage} at byte {offset}" if offset is not None else damage
    return messages, damage


def _reader_offset(reader) -> int | None:
    try:
        return reader._file.tell() if reader is not None and reader._file else None
    except (AttributeError, ValueError):
        return None


def decode(data: bytes, name: str) -> DecodedFile:
    """Decode one FIT file's bytes.

    ``name`` is only used in messages. Raises InvalidFitFile when the header is
    unreadable or no message could be decoded. The compiled decoder
    (:mod:`trainlog.fastdecode`) is tried first; any file it cannot vouch for
    (damaged, chained, compressed speed/distance, ...) is decoded by
    :func:`decode_reference`, with the same result for every field trainlog stores.
    """
    from trainlog import fastdecode  # decode -> fastdecode -> decode helpers

    try:
        return fastdecode.decode_fast(data, name)
    except fastdecode.Unsupported:  # the scan turns damaged framing into Unsupported too
        return decode_reference(data, name)


def decode_reference(data: bytes, name: str) -> DecodedFile:
    """Decode one FIT file's bytes with fitparse only (the reference and the fallback)."""
    messages, damage = _fitparse_messages(data, name)
    if not messages:
        raise InvalidFitFile(name, damage or "no FIT messages in file")
    return _assemble(messages, damage, name)


def _assemble(messages: list, damage: str | None, name: str) -> DecodedFile:
    """A DecodedFile from fitparse data messages (records included if present)."""
    out = DecodedFile(name=name, file_type=None)
    if damage:
        out.partial = True
        out.notes.append(damage)
    clock = _Clock()
    cols: dict[str, list] = {c: [] for c in RECORD_COLUMNS}
    activity_local: tuple[Any, Any] | None = None
    creator: dict[str, str | None] = {}
    last_ts: dt.datetime | None = None

    for message in messages:
        mname = message.name
        if mname == "record":
            v = message.get_values()
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
            cols["timestamp"].append(ts)
            cols["lat_deg"].append(lat * SEMICIRCLE_DEG if lat is not None else None)
            cols["lon_deg"].append(lon * SEMICIRCLE_DEG if lon is not None else None)
            cols["distance_m"].append(_num(v.get("distance")))
            cols["altitude_m"].append(alt)
            cols["speed_mps"].append(speed)
            cols["hr_bpm"].append(_num(v.get("heart_rate")))
            cols["cadence_rpm"].append(cadence)
            cols["power_w"].append(_num(v.get("power")))
            cols["temperature_c"].append(_num(v.get("temperature")))
        elif mname == "session":
            out.sessions.append(_session(message.get_values(), clock))
        elif mname == "lap":
            out.laps.append(_lap(message.get_values(), clock))
        elif mname == "file_id":
            v = message.get_values()
            if out.file_type is None:
                out.file_type = _text(v.get("type"))
                creator = _device(v)
        elif mname == "device_info":
            v = message.get_values()
            if v.get("device_index") in (0, "creator") and not creator.get("serial"):
                dev = _device(v)
                creator = {k: creator.get(k) or dev.get(k) for k in dev}
        elif mname == "activity":
            v = message.get_values()
            activity_local = (v.get("timestamp"), v.get("local_timestamp"))

    out.device = creator
    out.utc_offset_s = _utc_offset(activity_local, clock)
    if clock.saw_relative:
        out.notes.append("device clock not set: times are relative to power-on")
    if cols["timestamp"]:
        out.records = pl.DataFrame(
            cols,
            schema={
                "timestamp": pl.Datetime("us", "UTC"),
                **{c: pl.Float64 for c in RECORD_COLUMNS if c != "timestamp"},
            },
        )
    return out


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
    offset = (local_dt.replace(tzinfo=dt.timezone.utc) - utc).total_seconds()
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

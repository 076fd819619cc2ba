"""FIT bytes -> decoded activity data (sessions, laps, records).

Pure: takes bytes and a display name, returns a :class:`DecodedFile`; never
opens a path. fitparse (the maintained ``python-fitparse`` distribution) is the
reference decoder (:func:`decode_reference`); :func:`decode` first tries the
compiled fast path in :mod:`trainlog.ingest.fit_fast`, which gives the same result or
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
from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import fitparse
import polars as pl
from fitparse.utils import FitCRCError, FitEOFError, FitHeaderError, FitParseError

from trainlog.errors import InvalidFitFile

#: FIT timestamps below this are seconds since the device was switched on, not
#: since the FIT epoch (FIT SDK profile: date_time "min" 0x10000000).
FIT_RELATIVE_TIME_LIMIT = 0x10000000
FIT_EPOCH = dt.datetime(1989, 12, 31, tzinfo=dt.UTC)
SEMICIRCLE_DEG = 180.0 / 2**31
#: UTC offsets are rounded to this step; the activity message's two stamps can
#: differ by a second (time zones are whole quarter hours).
UTC_OFFSET_STEP_S = 900
MAX_UTC_OFFSET_S = 14 * 3600

#: Record columns produced per sample (see trainlog.store.schema.SAMPLES).
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


NAN = float("nan")
_EPOCH_UTC = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


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


class _Messages:
    """fitparse's data messages of one file, read one at a time (a long file is never held as
    message objects: about 50x its size in memory); iterate once.

    After iterating, ``damage`` is None or a one-line reason (reading stops at the first
    damage) and ``count`` the number of messages read. A header that is not FIT raises
    :class:`InvalidFitFile` at once.
    """

    def __init__(self, data: bytes, name: str, check_crc: bool = True):
        self.name = name
        self.damage: str | None = None
        self.count = 0
        try:
            self._reader = fitparse.UncachedFitFile(io.BytesIO(data), check_crc=check_crc)
        except FitHeaderError as exc:
            raise InvalidFitFile(name, f"not a FIT file (corrupt header: {exc})") from None
        except FitEOFError:
            raise InvalidFitFile(name, f"empty or truncated FIT header ({len(data)} bytes)") from None
        except FitParseError as exc:
            raise InvalidFitFile(name, f"unreadable FIT header: {exc}") from None

    def __iter__(self):
        reader = self._reader
        damage = None
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                for message in reader.get_messages():
                    self.count += 1
                    yield message
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
                if "terminated unexpectedly" in str(w.message) and damage is None:
                    damage = "truncated"
        if damage:
            damage = f"{damage} at byte {offset}" if offset is not None else damage
        self.damage = damage


def _fitparse_messages(data: bytes, name: str, check_crc: bool = True):
    """All fitparse data messages of a (small) file as a list, and the damage (None or a one-line reason)."""
    stream = _Messages(data, name, check_crc)
    messages = list(stream)
    return messages, stream.damage


def _reader_offset(reader) -> int | None:
    try:
        return reader._file.tell() if reader is not None and reader._file else None
    except (AttributeError, ValueError):
        return None


def decode(data: bytes, name: str) -> DecodedFile:
    """Decode one FIT file's bytes.

    ``name`` is only used in messages. Raises InvalidFitFile when the header is
    unreadable or no message could be decoded. The compiled decoder
    (:mod:`trainlog.ingest.fit_fast`) is tried first; any file it cannot vouch for
    (damaged, chained, compressed speed/distance, ...) is decoded by
    :func:`decode_reference`, with the same result for every field trainlog stores.
    """
    from trainlog.ingest import fit_fast as fastdecode  # decode -> fastdecode -> decode helpers

    try:
        return fastdecode.decode_fast(data, name)
    except fastdecode.Unsupported:  # the scan turns damaged framing into Unsupported too
        return decode_reference(data, name)


def decode_reference(data: bytes, name: str) -> DecodedFile:
    """Decode one FIT file's bytes with fitparse only (the reference and the fallback)."""
    stream = _Messages(data, name)
    out = _assemble(stream, None, name)  # one message at a time
    if not stream.count:
        raise InvalidFitFile(name, stream.damage or "no FIT messages in file")
    if stream.damage:
        out.partial = True
        out.notes.insert(0, stream.damage)
    return out


def _values(message) -> dict[str, Any]:
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


def _assemble(messages: Iterable, damage: str | None, name: str) -> DecodedFile:
    """A DecodedFile from fitparse data messages, a list or a stream (records included if present)."""
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

    out.device = creator
    out.utc_offset_s = _utc_offset(activity_local, clock)
    if clock.saw_relative:
        out.notes.append("device clock not set: times are relative to power-on")
    if cols["timestamp"]:
        out.records = pl.DataFrame(
            [pl.Series("timestamp", cols["timestamp"], pl.Int64).cast(pl.Datetime("us", "UTC"))]
            + [pl.Series(c, cols[c], pl.Float64).fill_nan(None) for c in RECORD_COLUMNS if c != "timestamp"]
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

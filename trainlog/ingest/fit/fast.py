"""FIT bytes -> DecodedFile through a compiled decoder, checked against fitparse's rules.

The fast path of :func:`trainlog.ingest.decode.decode`. ``fitfast`` (Rust, columnar)
decodes the record stream into NumPy columns; everything else trainlog keeps
(file_id, device_info, session, lap, activity, the wellness messages) comes
from a small FIT file made of the original's definition messages and those few
data messages: decoded by ``fitfast.parse`` and rebuilt as fitparse renders the
values the assembly reads (:mod:`.sidefast`, about 4 ms a file less), or, for
anything that adapter does not vouch for, by fitparse itself; so sessions, laps,
device, UTC offset and wellness readings are fitparse's (tests/test_fit_fast.py
compares both side paths on every corpus file). The RR
intervals of ``hrv`` messages (thousands in a run) are read by the scan itself,
as fitparse reads them, and take the time of the record before each from the
records fitfast decoded (the reference takes it from fitparse's).

Before trusting fitfast, one pass over the message headers in Python
(:func:`_scan`, on the framing walker :func:`~trainlog.ingest.fit.framing.walk`)
checks the file's framing and finds what fitfast 0.1.0 gets wrong or does not
do. :class:`Unsupported` is raised, and the caller decodes the file with
fitparse (:func:`trainlog.ingest.fit.reference.decode_reference`), when:

- (a 14-byte header whose CRC is 0, "not computed", is valid but fitfast
  rejects it: fitfast gets a copy with the header CRC filled in and the file
  CRC adjusted to match, see :func:`~trainlog.ingest.fit.framing.with_header_crc`; a wrong file CRC stays wrong);
- the file is damaged or truncated (the framing does not end exactly at the
  header's data size, or fitfast reports a CRC or structure error): fitparse
  keeps every message before the damage, fitfast nothing;
- records carry compressed speed/distance (fitfast returns no speed/distance);
- records define one field twice (a distance copy that is invalid: the reference
  keeps the valid copy);
- a chained file (several FIT files in one), a kept message with a compressed
  timestamp header, or a developer field named like a record field trainlog reads;
- fitfast's record count differs from the scan's.

Values: positions are converted from raw semicircles here (as :mod:`.assemble` does);
scaled values are re-derived from their raw integer (``round(x * scale) / scale``)
so they equal fitparse's ``raw / scale`` exactly; speed is taken from the
``speed`` / ``altitude`` field where present (fitfast's enhanced field expanded
from it can be one raw unit low: 0.001 m/s, 0.2 m). Records defining both a base and an enhanced field
(altitude, speed) go to fitparse, which keeps the last valid copy of the two.
"""

from __future__ import annotations

import struct
from typing import Any

import numpy as np
import polars as pl

from trainlog.ingest.decoded import RECORD_COLUMNS, DecodedFile
from trainlog.ingest.fit.assemble import (
    FIT_RELATIVE_TIME_LIMIT,
    HRV_TIME,
    MESG_HRV,
    RELATIVE_TIME_NOTE,
    SEMICIRCLE_DEG,
    WELLNESS_MESSAGES,
    assemble,
)
from trainlog.ingest.fit.framing import (
    COMPRESSED_TIMESTAMP,
    DEVELOPER_FIELDS,
    FIT_EPOCH_UNIX_S,
    Definition,
    FramingError,
    fit_crc,
    read_header,
    walk,
    with_header_crc,
)
from trainlog.ingest.fit.records import OFFSETS, SCALES, record_columns
from trainlog.ingest.fit.reference import fitparse_messages
from trainlog.ingest.fit.sidefast import side_messages, vouches_for

#: FIT global message numbers (FIT SDK profile, mesg_num).
MESG_FILE_ID = 0
MESG_SESSION = 18
MESG_LAP = 19
MESG_RECORD = 20
MESG_DEVICE_INFO = 23
MESG_ACTIVITY = 34
MESG_FIELD_DESCRIPTION = 206
MESG_DEVELOPER_DATA_ID = 207
#: Fields the assembly reads, per side message (fitparse profile names), or None
#: for every field. Laps are the numerous side messages (hundreds in a long race,
#: ~100 fields each), so the side file keeps only the lap fields assemble._totals
#: and assemble._lap read (and fields whose components expand into them), in their
#: original order; keep this in step with them (tests/test_fit_fast.py compares
#: both decoders on the whole corpus).
SIDE_FIELDS = {
    MESG_FILE_ID: None,
    MESG_DEVICE_INFO: None,
    MESG_SESSION: None,
    MESG_LAP: {
        "start_time", "timestamp", "total_elapsed_time", "total_timer_time", "total_distance", "total_ascent",
        "total_descent", "total_calories", "avg_heart_rate", "max_heart_rate", "sport", "sub_sport",
        "avg_speed", "enhanced_avg_speed",
    },
    MESG_ACTIVITY: None,
    MESG_FIELD_DESCRIPTION: None,  # developer field names are checked
    MESG_DEVELOPER_DATA_ID: None,
    **dict.fromkeys(WELLNESS_MESSAGES),
}
#: Data messages decoded by fitparse from the small side file.
SIDE_MESSAGES = frozenset(SIDE_FIELDS)


def _side_field_numbers() -> dict[int, frozenset[int] | None]:
    """SIDE_FIELDS as field numbers, from fitparse's own profile."""
    from fitparse.profile import MESSAGE_TYPES

    out: dict[int, frozenset[int] | None] = {}
    for mesg, names in SIDE_FIELDS.items():
        if names is None:
            out[mesg] = None
            continue
        fields = MESSAGE_TYPES[mesg].fields
        out[mesg] = frozenset(
            num
            for num, f in fields.items()
            if f.name in names or any(c.name in names for c in (getattr(f, "components", None) or []))
        )
    return out


SIDE_FIELD_NUMBERS = _side_field_numbers()
#: record field numbers (FIT SDK profile): compressed_speed_distance (fitfast
#: 0.1.0 does not expand it), and the base/enhanced pairs.
RECORD_COMPRESSED_SPEED_DISTANCE = 8
RECORD_ALTITUDE, RECORD_ENHANCED_ALTITUDE = 2, 78
RECORD_SPEED, RECORD_ENHANCED_SPEED = 6, 73
#: field_description field fit_base_type_id: the base type of a developer field.
FIELD_DESCRIPTION_BASE_TYPE = 2
#: device_info field device_index (0 = the creator, the only one the assembly reads).
DEVICE_INFO_DEVICE_INDEX = 0
CREATOR_DEVICE_INDEX = 0
#: Highest FIT base type number (uint64z, 0x90 & 0x1F).
MAX_BASE_TYPE = 16
#: The base type of hrv's time field (FIT SDK profile: uint16 array, s, scale 1000) and its invalid value.
UINT16 = 0x84
UINT16_INVALID = 0xFFFF
#: Record fields the assembly reads; a developer field with one of these names
#: would be merged differently by the two decoders.
RECORD_SOURCE_FIELDS = frozenset(
    {
        "timestamp", "position_lat", "position_long", "distance", "altitude", "enhanced_altitude",
        "speed", "enhanced_speed", "heart_rate", "cadence", "fractional_cadence", "power", "temperature",
    }
)


class Unsupported(Exception):
    """The fast path cannot vouch for this file; decode it with fitparse."""


def decode_fast(data: bytes, name: str) -> DecodedFile:
    """Decode one FIT file with fitfast + fitparse for the side messages.

    Same result as :func:`trainlog.ingest.fit.reference.decode_reference` for every field
    trainlog stores; raises :class:`Unsupported` (never a wrong answer) otherwise.
    """
    try:
        import fitfast
    except ImportError as exc:  # fitparse keeps working without the compiled decoder
        raise Unsupported(f"fitfast not installed ({exc})") from None
    side, n_records, rr, exact, runs = _scan(data)
    cols = _read_in_place(data, runs, n_records) if n_records else None
    read_in_place = cols is not None
    if not read_in_place:
        checked = with_header_crc(data) if data[0] == 14 and data[12:14] == b"\0\0" else data
        try:
            # fitfast checks the header and file CRCs and the structure while decoding;
            # without records, count() does the same check
            cols = fitfast.records(checked, degrees=False) if n_records else fitfast.count(checked)
        except Exception as exc:  # FitDecodeError is a ValueError
            raise Unsupported(f"fitfast: {type(exc).__name__}: {exc}") from None
        except BaseException as exc:  # a Rust panic is pyo3's PanicException, a BaseException
            if type(exc).__name__ != "PanicException":
                raise
            raise Unsupported(f"fitfast panicked: {exc}") from None
    try:
        messages = side_messages(side) if exact else None
        if messages is None:  # what fitfast.parse's adapter does not vouch for: fitparse's own messages
            messages, damage = fitparse_messages(side, name, check_crc=False)
            if damage or not messages:
                raise Unsupported(f"side messages not decodable ({damage})")
            if _dev_field_names(messages) & RECORD_SOURCE_FIELDS:
                raise Unsupported("a developer field is named like a record field")
        out = assemble(messages, None, name)
        if rr:
            times = _preceding_times(cols if n_records else {}, [after for after, _ in rr])
            out.rr_intervals = [(t, values) for t, (_, values) in zip(times, rr)]
        if n_records:
            records, relative = _records_frame(cols, n_records, exact=read_in_place)
            out.records = records
            if relative and RELATIVE_TIME_NOTE not in out.notes:
                out.notes.append(RELATIVE_TIME_NOTE)
    except Unsupported:
        raise
    except Exception as exc:  # anything odd in the side file or the columns: the reference decides
        raise Unsupported(f"{type(exc).__name__}: {exc}") from None
    return out


def _scan(data: bytes) -> tuple[bytes, int, list[tuple[int, tuple[int | None, ...]]], bool, list]:
    """Walk the message headers: (side FIT file, number of record messages, per hrv message
    the number of record messages before it and its RR intervals as the assembly reads them,
    whether :func:`~.sidefast.side_messages` may decode the side file: no side definition
    with developer fields or a field twice, no lap with both speeds, no creator's device_info
    before a file_id, and the runs of record messages :func:`.records.record_columns` reads).

    The side file holds the original header and the messages in SIDE_MESSAGES
    (definitions and data, in their order), stripped to SIDE_FIELDS. Raises Unsupported on any
    framing fitfast would not decode as fitparse does.
    """
    try:
        header = read_header(data)
    except FramingError as exc:
        raise Unsupported(str(exc)) from None
    if len(data) != header.file_size:
        raise Unsupported("truncated" if len(data) < header.file_size else "chained FIT file or trailing bytes")

    # side messages' definitions: (byte ranges kept or None for all, offset of the creator's
    # device_index (device_info) or of fit_base_type_id (field_description), or -1)
    side_layout: dict[Definition, tuple[list[tuple[int, int]] | None, int]] = {}
    side = bytearray()
    records: list[Definition] = []  # record definitions: they count their data messages
    runs: list[tuple[int, int, Definition]] = []  # and list their runs, in file order
    rr: list[tuple[int, tuple[int | None, ...]]] = []
    hrv_layout: dict[Definition, tuple[int, str] | None] = {}  # (offset, struct format) of the time field
    exact, creator_seen = True, False
    try:
        for pos, h, d in walk(data, header, SIDE_MESSAGES | {MESG_HRV}):
            kind = d.global_num
            if d.offset == pos:  # a definition message
                _check_definition(d)
                if kind == MESG_RECORD:
                    records.append(d)
                    d.runs = runs
                elif kind == MESG_HRV:
                    hrv_layout[d] = _hrv_layout(d)
                if kind in SIDE_MESSAGES:
                    exact = exact and vouches_for(d, bool(h & DEVELOPER_FIELDS))
                    wanted = SIDE_FIELD_NUMBERS[kind]
                    if wanted is None:
                        side += data[pos : pos + d.length]
                        ranges = None
                    else:
                        definition, ranges = _stripped_definition(h, data[pos + 1 : pos + 6], d.fields, wanted)
                        side += definition
                    if kind == MESG_DEVICE_INFO:
                        at = _one_byte_field(d, DEVICE_INFO_DEVICE_INDEX)
                    elif kind == MESG_FIELD_DESCRIPTION:
                        at = _one_byte_field(d, FIELD_DESCRIPTION_BASE_TYPE)
                    else:
                        at = -1
                    side_layout[d] = (ranges, at)
            elif kind == MESG_HRV:
                rr.append((sum(r.n_data for r in records), _hrv_intervals(data, pos, hrv_layout[d])))
            else:  # a side message
                if h & COMPRESSED_TIMESTAMP:
                    raise Unsupported("a side message with a compressed timestamp header")
                ranges, at = side_layout[d]
                # fitfast 0.1.0 panics on a developer field of an unknown (or no) base type too
                if kind == MESG_FIELD_DESCRIPTION and (at < 0 or data[pos + 1 + at] & 0x1F > MAX_BASE_TYPE):
                    raise Unsupported("a developer field of an unknown base type")
                # only the creator's device_info is read: skip the sensors' (decoding them costs)
                if kind != MESG_DEVICE_INFO or (at >= 0 and data[pos + 1 + at] == CREATOR_DEVICE_INDEX):
                    creator_seen = creator_seen or kind == MESG_DEVICE_INFO
                    exact = exact and not (creator_seen and kind == MESG_FILE_ID)
                    if ranges is None:
                        side += data[pos : pos + 1 + d.size]
                    else:
                        side.append(h)
                        for start, stop in ranges:
                            side += data[pos + 1 + start : pos + 1 + stop]
    except FramingError as exc:
        raise Unsupported(str(exc)) from None
    except (IndexError, struct.error):  # a message cut by the end of the data
        raise Unsupported("truncated message") from None
    n_records = sum(d.n_data for d in records)
    side_header = bytearray(data[: header.size])
    struct.pack_into("<I", side_header, 4, len(side))
    if header.size == 14:
        side_header[12:14] = b"\x00\x00"
    return bytes(side_header + side), n_records, rr, exact, runs  # no file CRC: read with check_crc=False


def _read_in_place(data: bytes, runs: list, n_records: int) -> dict[str, np.ndarray] | None:
    """The record columns read in place (:func:`.records.record_columns`) when the file's CRCs are right (what fitfast
    checks: the header's unless it is 0, "not computed", and the file's), else None: fitfast decodes the file
    and says what is wrong with it."""
    if data[0] == 14 and data[12:14] != b"\0\0" and fit_crc(data[:12]) != struct.unpack_from("<H", data, 12)[0]:
        return None
    if fit_crc(data[:-2]) != struct.unpack_from("<H", data, len(data) - 2)[0]:
        return None
    return record_columns(data, runs, n_records)


def _hrv_layout(d: Definition) -> tuple[int, str] | None:
    """(offset in the data message, struct format) of an hrv definition's time field, None without one;
    Unsupported when fitparse would read it otherwise than as uint16 values (another base type, an odd size)."""
    if d.fields[0::3].count(HRV_TIME) > 1:
        raise Unsupported("an hrv message defines its time field twice")
    offset = 0
    for number, size, base_type in d.field_list():
        if number == HRV_TIME:
            if base_type != UINT16 or size % 2:
                raise Unsupported("an hrv time field that is not uint16")
            return offset, (">" if d.big_endian else "<") + f"{size // 2}H"
        offset += size
    return None


def _hrv_intervals(data: bytes, pos: int, layout: tuple[int, str] | None) -> tuple[int | None, ...]:
    """An hrv data message's RR intervals (ms, None for the invalid value) as the assembly gets them from
    fitparse: a one-value array whose value is invalid is no value at all."""
    if layout is None:
        return ()
    values = tuple(None if v == UINT16_INVALID else v for v in struct.unpack_from(layout[1], data, pos + 1 + layout[0]))
    return () if values == (None,) else values


def _check_definition(d: Definition) -> None:
    """Raise Unsupported for definitions fitfast 0.1.0 cannot decode or decodes otherwise than fitparse."""
    fields = d.fields
    # fitfast 0.1.0 panics on a zero-size field or an unknown base type
    if 0 in fields[1::3] or any(b & 0x1F > MAX_BASE_TYPE for b in fields[2::3]):
        raise Unsupported("a field of size 0 or of an unknown base type")
    if d.global_num == MESG_RECORD:
        _check_record_fields(fields[0::3])


def _stripped_definition(
    h: int, fixed: bytes, field_bytes: bytes, wanted: frozenset[int]
) -> tuple[bytes, list[tuple[int, int]]]:
    """A definition keeping only ``wanted`` fields (no developer fields), and the
    byte ranges of its data messages to copy."""
    kept = bytearray()
    ranges: list[tuple[int, int]] = []
    offset = 0
    for i in range(0, len(field_bytes), 3):
        size = field_bytes[i + 1]
        if field_bytes[i] in wanted:
            kept += field_bytes[i : i + 3]
            if ranges and ranges[-1][1] == offset:
                ranges[-1] = (ranges[-1][0], offset + size)
            else:
                ranges.append((offset, offset + size))
        offset += size
    head = bytes([h & ~DEVELOPER_FIELDS]) + fixed[:4] + bytes([len(kept) // 3])
    return head + bytes(kept), ranges


def _one_byte_field(d: Definition, number: int) -> int:
    """Byte offset of a one-byte field in the data message, or -1 if not defined (or not one byte)."""
    fields = d.fields
    offset = 0
    for i in range(0, len(fields), 3):
        if fields[i] == number:
            return offset if fields[i + 1] == 1 else -1
        offset += fields[i + 1]
    return -1


def _check_record_fields(numbers: bytes) -> None:
    """Raise Unsupported for record definitions the two decoders read differently."""
    if RECORD_COMPRESSED_SPEED_DISTANCE in numbers:
        raise Unsupported("compressed speed/distance records")
    # a field listed twice (some Garmin and Zwift files write distance twice, one
    # copy invalid): the assembly keeps the valid copy; fitfast's choice is not checked
    if len(set(numbers)) != len(numbers):
        raise Unsupported("records define a field twice")
    # fitparse expands altitude/speed into the enhanced field; the assembly keeps the last
    # valid copy of the two, which the columns here cannot tell apart
    if RECORD_ALTITUDE in numbers and RECORD_ENHANCED_ALTITUDE in numbers:
        raise Unsupported("records define both altitude and enhanced_altitude")
    if RECORD_SPEED in numbers and RECORD_ENHANCED_SPEED in numbers:
        raise Unsupported("records define both speed and enhanced_speed")


def _dev_field_names(messages: list[Any]) -> set[str]:
    names = set()
    for m in messages:
        if m.name == "field_description":
            name = m.get_value("field_name")
            if isinstance(name, str):
                names.add(name)
    return names


def _raw_exact(values: np.ndarray, field: str) -> np.ndarray:
    """fitparse's ``raw / scale - offset`` for a column fitfast scaled its own way."""
    scale = SCALES[field]
    offset = OFFSETS.get(field, 0)
    raw = np.round((values + offset) * scale)
    return raw / scale - offset


def _preceding_times(cols: dict[str, np.ndarray], after: list[int]) -> list[int | None]:
    """The time (µs since 1970 UTC) of the last record with a time among the first ``n`` records,
    for each ``n`` of ``after``; None when there is none (the reference's ``last_ts``)."""
    ts = cols.get("timestamp")
    if ts is None or not len(ts):
        return [None] * len(after)
    valid = ~np.isnan(ts)
    last = np.where(valid, np.arange(len(ts)), -1)
    np.maximum.accumulate(last, out=last)
    counts = np.asarray(after, dtype=np.int64)
    j = np.where(counts > 0, last[np.clip(np.minimum(counts, len(ts)) - 1, 0, None)], -1)  # one pass, not a step a message
    micros = np.round(np.where(j >= 0, ts[np.maximum(j, 0)], 0.0) * 1_000_000).astype(np.int64)
    return [m if k >= 0 else None for m, k in zip(micros.tolist(), j.tolist(), strict=True)]


def _records_frame(cols: dict[str, np.ndarray], n_records: int, exact: bool = False) -> tuple[pl.DataFrame | None, bool]:
    """(records frame in RECORD_COLUMNS, whether any time is relative to power-on); ``exact``: the scaled columns
    are fitparse's values already (read in place), not fitfast's."""
    length = len(next(iter(cols.values()))) if cols else 0
    if length != n_records:
        raise Unsupported(f"fitfast decoded {length} records, the scan counted {n_records}")
    nan = np.full(length, np.nan)

    def col(field: str) -> np.ndarray:
        values = cols.get(field)
        if values is None:
            return nan
        return _raw_exact(values, field) if field in SCALES and not exact else values

    ts = cols.get("timestamp", nan)
    # a record without a timestamp takes the previous one; none before the first is kept
    valid = ~np.isnan(ts)
    if not valid.all():
        idx = np.where(valid, np.arange(length), 0)
        np.maximum.accumulate(idx, out=idx)
        keep = np.maximum.accumulate(valid)
        ts = ts[idx][keep]
    else:
        keep = None
    if ts.size == 0:
        return None, False
    relative = bool((ts - FIT_EPOCH_UNIX_S < FIT_RELATIVE_TIME_LIMIT).any())

    def either(first: str, second: str) -> np.ndarray:
        a, b = col(first), col(second)
        return np.where(np.isnan(a), b, a)

    cadence = col("cadence")
    frac = col("fractional_cadence")
    cadence = np.where(np.isnan(frac), cadence, cadence + frac)
    values = {
        "lat_deg": col("position_lat") * SEMICIRCLE_DEG,
        "lon_deg": col("position_long") * SEMICIRCLE_DEG,
        "distance_m": col("distance"),
        # fitparse reads the enhanced field, which holds the base field's raw value
        # when expanded from it; fitfast's expansion can be one raw unit low
        # (0.001 m/s, 0.2 m), so the base field is read first
        "altitude_m": either("altitude", "enhanced_altitude"),
        "speed_mps": either("speed", "enhanced_speed"),
        "hr_bpm": col("heart_rate"),
        "cadence_rpm": cadence,
        "power_w": col("power"),
        "temperature_c": col("temperature"),
    }
    if keep is not None:
        values = {k: v[keep] for k, v in values.items()}
    micros = np.round(ts * 1_000_000).astype(np.int64)
    # one Series a column: a DataFrame built from a dict of arrays with nan_to_null takes ~4 ms (a thread pool)
    frame = pl.DataFrame([
        pl.Series("timestamp", micros).cast(pl.Datetime("us", "UTC")),
        *(pl.Series(c, values[c], dtype=pl.Float64, nan_to_null=True) for c in RECORD_COLUMNS if c != "timestamp"),
    ])
    return frame, relative

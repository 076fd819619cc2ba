"""FIT bytes -> DecodedFile through a compiled decoder, checked against fitparse's rules.

The fast path of :func:`trainlog.ingest.decode.decode`. ``fitfast`` (Rust, columnar)
decodes the record stream into NumPy columns; everything else trainlog keeps
(file_id, device_info, session, lap, activity) is decoded by fitparse itself,
from a small FIT file made of the original's definition messages and those few
data messages, so sessions, laps, device and UTC offset are fitparse's by
construction.

Before trusting fitfast, one pass over the message headers in Python
(:func:`_scan`) checks the file's framing and finds what fitfast 0.1.0 gets
wrong or does not do. :class:`Unsupported` is raised, and the caller decodes
the file with fitparse (:func:`trainlog.ingest.decode.decode_reference`), when:

- (a 14-byte header whose CRC is 0, "not computed", is valid but fitfast
  rejects it: fitfast gets a copy with the header CRC filled in and the file
  CRC adjusted to match, see :func:`with_header_crc`; a wrong file CRC stays wrong);
- the file is damaged or truncated (the framing does not end exactly at the
  header's data size, or fitfast reports a CRC or structure error): fitparse
  keeps every message before the damage, fitfast nothing;
- records carry compressed speed/distance (fitfast returns no speed/distance);
- records define one field twice (a distance copy that is invalid: the reference
  keeps the valid copy);
- a chained file (several FIT files in one), a kept message with a compressed
  timestamp header, or a developer field named like a record field trainlog reads;
- fitfast's record count differs from the scan's.

Values: positions are converted from raw semicircles here (as decode.py does);
scaled values are re-derived from their raw integer (``round(x * scale) / scale``)
so they equal fitparse's ``raw / scale`` exactly; speed is taken from the
``speed`` / ``altitude`` field where present (fitfast's enhanced field expanded
from it can be one raw unit low: 0.001 m/s, 0.2 m). Records defining both a base and an enhanced field
(altitude, speed) go to fitparse, which keeps the last valid copy of the two.
"""

from __future__ import annotations

import struct

import numpy as np
import polars as pl

from trainlog.ingest.decode import (
    FIT_RELATIVE_TIME_LIMIT,
    RECORD_COLUMNS,
    SEMICIRCLE_DEG,
    DecodedFile,
    _assemble,
    _fitparse_messages,
)

#: FIT global message numbers (FIT SDK profile, mesg_num).
MESG_FILE_ID = 0
MESG_SESSION = 18
MESG_LAP = 19
MESG_RECORD = 20
MESG_DEVICE_INFO = 23
MESG_ACTIVITY = 34
MESG_FIELD_DESCRIPTION = 206
MESG_DEVELOPER_DATA_ID = 207
#: Fields decode.py reads, per side message (fitparse profile names), or None
#: for every field. Laps are the numerous side messages (hundreds in a long race,
#: ~100 fields each), so the side file keeps only the lap fields decode._totals
#: and decode._lap read (and fields whose components expand into them), in their
#: original order; keep this in step with them (tests/test_fastdecode.py compares
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
#: device_info field device_index (0 = the creator, the only one decode.py reads).
DEVICE_INFO_DEVICE_INDEX = 0
CREATOR_DEVICE_INDEX = 0
#: Highest FIT base type number (uint64z, 0x90 & 0x1F).
MAX_BASE_TYPE = 16
FIT_EPOCH_UNIX_S = 631_065_600  # 1989-12-31T00:00:00Z
#: Record fields decode.py reads; a developer field with one of these names
#: would be merged differently by the two decoders.
RECORD_SOURCE_FIELDS = frozenset(
    {
        "timestamp", "position_lat", "position_long", "distance", "altitude", "enhanced_altitude",
        "speed", "enhanced_speed", "heart_rate", "cadence", "fractional_cadence", "power", "temperature",
    }
)
#: FIT profile scales of the record fields read here (value = raw / scale - offset).
SCALES = {"distance": 100, "altitude": 5, "enhanced_altitude": 5, "speed": 1000, "enhanced_speed": 1000, "fractional_cadence": 128}
OFFSETS = {"altitude": 500, "enhanced_altitude": 500}


class Unsupported(Exception):
    """The fast path cannot vouch for this file; decode it with fitparse."""



def decode_fast(data: bytes, name: str) -> DecodedFile:
    """Decode one FIT file with fitfast + fitparse for the side messages.

    Same result as :func:`trainlog.ingest.decode.decode_reference` for every field
    trainlog stores; raises :class:`Unsupported` (never a wrong answer) otherwise.
    """
    try:
        import fitfast
    except ImportError as exc:  # fitparse keeps working without the compiled decoder
        raise Unsupported(f"fitfast not installed ({exc})") from None
    side, n_records = _scan(data)
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
        messages, damage = _fitparse_messages(side, name, check_crc=False)
        if damage or not messages:
            raise Unsupported(f"side messages not decodable ({damage})")
        if _dev_field_names(messages) & RECORD_SOURCE_FIELDS:
            raise Unsupported("a developer field is named like a record field")
        out = _assemble(messages, None, name)
        if n_records:
            records, relative = _records_frame(cols, n_records)
            out.records = records
            note = "device clock not set: times are relative to power-on"
            if relative and note not in out.notes:
                out.notes.append(note)
    except Unsupported:
        raise
    except Exception as exc:  # anything odd in the side file or the columns: the reference decides
        raise Unsupported(f"{type(exc).__name__}: {exc}") from None
    return out


# ---- FIT CRC (CRC-16/ARC: reflected polynomial 0xA001, initial value 0, no final xor)
#
# With an initial value of 0 the CRC is linear: crc(a ^ b) = crc(a) ^ crc(b) for
# messages of one length, and leading zero bytes do not change it. So filling in
# a header CRC changes the file CRC by the CRC of those two bytes followed by the
# data's length in zero bytes, computed in O(log n) as zlib's crc32_combine does.

CRC_POLY = 0xA001
CRC_ONE = 1 << 15  # the polynomial 1 (x^0), bit-reflected


def _crc_mul(a: int, b: int) -> int:
    """a * b modulo the CRC polynomial, both bit-reflected (zlib's multmodp); a != 0."""
    m, p = CRC_ONE, 0
    while True:
        if a & m:
            p ^= b
            if not a & (m - 1):
                return p
        m >>= 1
        b = (b >> 1) ^ CRC_POLY if b & 1 else b >> 1


_X_POW2 = [CRC_ONE >> 1]  # x^(2^k) modulo the polynomial, k = 0, 1, ...
for _ in range(63):
    _X_POW2.append(_crc_mul(_X_POW2[-1], _X_POW2[-1]))


def crc_append_zeros(crc: int, n: int) -> int:
    """The CRC of a message followed by ``n`` zero bytes, from the message's CRC."""
    if not crc:
        return 0
    power, k = CRC_ONE, 3  # x^(8n) = product of x^(2^(k)) over the bits of n, shifted by 3
    while n:
        if n & 1:
            power = _crc_mul(_X_POW2[k], power)
        n >>= 1
        k += 1
    return _crc_mul(power, crc)


_CRC_TABLE = [0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401,
              0xA001, 0x6C00, 0x7800, 0xB401, 0x5000, 0x9C01, 0x8801, 0x4400]  # FIT SDK, "FIT File CRC"


def _byte_table() -> list[int]:
    table = []
    for byte in range(256):
        crc = 0
        for nibble in (byte & 0xF, byte >> 4):
            tmp = _CRC_TABLE[crc & 0xF]
            crc = ((crc >> 4) & 0x0FFF) ^ tmp ^ _CRC_TABLE[nibble]
        table.append(crc)
    return table


_CRC_BYTE = _byte_table()


def fit_crc(data: bytes, crc: int = 0) -> int:
    """The FIT CRC-16 of ``data`` (byte-wise table form of the SDK's nibble algorithm)."""
    table = _CRC_BYTE
    for byte in data:
        crc = (crc >> 8) ^ table[(crc ^ byte) & 0xFF]
    return crc


def with_header_crc(data: bytes) -> bytes:
    """A copy of a FIT file with a 14-byte header whose CRC is 0 ("not computed"), with
    the header CRC filled in and the file CRC changed by exactly what that changes.

    A file whose own CRC was right is still right; a wrong one stays wrong (the
    decoder then refuses it as before).
    """
    header_crc = struct.pack("<H", fit_crc(data[:12]))
    (file_crc,) = struct.unpack_from("<H", data, len(data) - 2)
    change = crc_append_zeros(fit_crc(header_crc), len(data) - 16)  # the bytes after the header CRC
    return data[:12] + header_crc + data[14:-2] + struct.pack("<H", file_crc ^ change)


def _scan(data: bytes) -> tuple[bytes, int]:
    """Walk the message headers: (side FIT file, number of record messages).

    The side file holds the original header and the messages in SIDE_MESSAGES
    (definitions and data, in their order), stripped to SIDE_FIELDS. Raises Unsupported on any
    framing fitfast would not decode as fitparse does.
    """
    n = len(data)
    if n < 12 or data[8:12] != b".FIT":
        raise Unsupported("not a FIT header")
    header_size = data[0]
    if header_size not in (12, 14) or n < header_size:
        raise Unsupported(f"header size {header_size}")
    (data_size,) = struct.unpack_from("<I", data, 4)
    end = header_size + data_size
    if n != end + 2:
        raise Unsupported("truncated" if n < end + 2 else "chained FIT file or trailing bytes")

    sizes = [-1] * 16  # data message size per local message type
    kinds = [-1] * 16  # global message number per local message type
    creator_at = [-1] * 16  # device_info: offset of device_index in the data message
    base_type_at: list[int | None] = [None] * 16  # field_description: offset of fit_base_type_id in the data message
    keep: list[list[tuple[int, int]] | None] = [None] * 16  # side messages: byte ranges kept
    side = bytearray()
    n_records = 0
    pos = header_size
    try:
        while pos < end:
            h = data[pos]
            if h & 0x80:  # compressed timestamp header
                local = (h >> 5) & 0x3
                kind = kinds[local]
                if kind != MESG_RECORD and kind in SIDE_MESSAGES:
                    raise Unsupported("a side message with a compressed timestamp header")
            elif h & 0x40:  # definition message
                local = h & 0x0F
                big = data[pos + 2] == 1
                kind = struct.unpack_from(">H" if big else "<H", data, pos + 3)[0]
                n_fields = data[pos + 5]
                field_bytes = data[pos + 6 : pos + 6 + 3 * n_fields]
                if len(field_bytes) != 3 * n_fields:
                    raise Unsupported("truncated definition")
                # fitfast 0.1.0 panics on a zero-size field or an unknown base type
                if 0 in field_bytes[1::3] or any(b & 0x1F > MAX_BASE_TYPE for b in field_bytes[2::3]):
                    raise Unsupported("a field of size 0 or of an unknown base type")
                size = sum(field_bytes[1::3])
                length = 6 + 3 * n_fields
                if h & 0x20:  # developer fields follow
                    n_dev = data[pos + length]
                    dev_bytes = data[pos + length + 1 : pos + length + 1 + 3 * n_dev]
                    size += sum(dev_bytes[1::3])
                    length += 1 + 3 * n_dev
                if kind == MESG_RECORD:
                    _check_record_fields(field_bytes[0::3])
                creator_at[local] = _field_offset(field_bytes, DEVICE_INFO_DEVICE_INDEX) if kind == MESG_DEVICE_INFO else -1
                base_type_at[local] = (
                    _field_offset(field_bytes, FIELD_DESCRIPTION_BASE_TYPE) if kind == MESG_FIELD_DESCRIPTION else None
                )  # -1: a field_description without a one-byte base type
                sizes[local], kinds[local] = size, kind
                if kind in SIDE_MESSAGES:
                    wanted = SIDE_FIELD_NUMBERS[kind]
                    if wanted is None:
                        side += data[pos : pos + length]
                        keep[local] = None
                    else:
                        definition, keep[local] = _stripped_definition(h, data[pos + 1 : pos + 6], field_bytes, wanted)
                        side += definition
                pos += length
                continue
            else:
                local = h & 0x0F
                kind = kinds[local]
            size = sizes[local]
            if size < 0:
                raise Unsupported(f"data message before its definition at byte {pos}")
            if kind == MESG_RECORD:
                n_records += 1
            elif kind in SIDE_MESSAGES:
                # fitfast 0.1.0 panics on a developer field of an unknown (or no) base type too
                at = base_type_at[local]
                if at is not None and (at < 0 or data[pos + 1 + at] & 0x1F > MAX_BASE_TYPE):
                    raise Unsupported("a developer field of an unknown base type")
                # only the creator's device_info is read: skip the sensors' (decoding them costs)
                if kind != MESG_DEVICE_INFO or (
                    creator_at[local] >= 0 and data[pos + 1 + creator_at[local]] == CREATOR_DEVICE_INDEX
                ):
                    ranges = keep[local]
                    if ranges is None:
                        side += data[pos : pos + 1 + size]
                    else:
                        side.append(h)
                        for start, stop in ranges:
                            side += data[pos + 1 + start : pos + 1 + stop]
            pos += 1 + size
    except (IndexError, struct.error):  # a definition or message cut by the end of the data
        raise Unsupported("truncated message") from None
    if pos != end:
        raise Unsupported(f"messages overrun the data size ({pos} != {end})")
    header = bytearray(data[:header_size])
    struct.pack_into("<I", header, 4, len(side))
    if header_size == 14:
        header[12:14] = b"\x00\x00"
    return bytes(header + side), n_records  # no file CRC: read with check_crc=False


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
    head = bytes([h & ~0x20]) + fixed[:4] + bytes([len(kept) // 3])
    return head + bytes(kept), ranges


def _field_offset(field_bytes: bytes, number: int) -> int:
    """Byte offset of a one-byte field in the data message, or -1 if not defined."""
    offset = 0
    for i in range(0, len(field_bytes), 3):
        if field_bytes[i] == number:
            return offset if field_bytes[i + 1] == 1 else -1
        offset += field_bytes[i + 1]
    return -1


def _check_record_fields(numbers: bytes) -> None:
    """Raise Unsupported for record definitions the two decoders read differently."""
    if RECORD_COMPRESSED_SPEED_DISTANCE in numbers:
        raise Unsupported("compressed speed/distance records")
    # a field listed twice (some Garmin and Zwift files write distance twice, one
    # copy invalid): decode.py keeps the valid copy; fitfast's choice is not checked
    if len(set(numbers)) != len(numbers):
        raise Unsupported("records define a field twice")
    # fitparse expands altitude/speed into the enhanced field; decode.py keeps the last
    # valid copy of the two, which the columns here cannot tell apart
    if RECORD_ALTITUDE in numbers and RECORD_ENHANCED_ALTITUDE in numbers:
        raise Unsupported("records define both altitude and enhanced_altitude")
    if RECORD_SPEED in numbers and RECORD_ENHANCED_SPEED in numbers:
        raise Unsupported("records define both speed and enhanced_speed")


def _dev_field_names(messages) -> set[str]:
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


def _records_frame(cols: dict[str, np.ndarray], n_records: int) -> tuple[pl.DataFrame | None, bool]:
    """(records frame in RECORD_COLUMNS, whether any time is relative to power-on)."""
    length = len(next(iter(cols.values()))) if cols else 0
    if length != n_records:
        raise Unsupported(f"fitfast decoded {length} records, the scan counted {n_records}")
    nan = np.full(length, np.nan)

    def col(field: str) -> np.ndarray:
        values = cols.get(field)
        if values is None:
            return nan
        return _raw_exact(values, field) if field in SCALES else values

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
    frame = pl.DataFrame(
        {"timestamp": pl.Series(micros).cast(pl.Datetime("us", "UTC")), **values},
        schema={"timestamp": pl.Datetime("us", "UTC"), **{c: pl.Float64 for c in RECORD_COLUMNS if c != "timestamp"}},
        nan_to_null=True,
    )
    return frame, relative

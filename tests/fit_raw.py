"""A tiny raw FIT writer for files Garmin's SDK encoder refuses to write.

Some Garmin and Zwift files hold a record ``distance`` field twice in one
definition message, one copy invalid (0xFFFFFFFF). The SDK encoder writes each
field once, so these bytes are put together here: a 14-byte header, definition
and data messages, and the file CRC (the FIT SDK's CRC-16, written out below
independently of trainlog's own).
"""

from __future__ import annotations

import struct

from trainlog.ingest.fit.framing import FIT_EPOCH_UNIX_S

PROTOCOL_VERSION = 0x20  # 2.0
PROFILE_VERSION = 2132

# FIT base types (FIT SDK profile, fit_base_type)
ENUM, UINT8, UINT16, UINT32, UINT32Z = 0x00, 0x02, 0x84, 0x86, 0x8C
INVALID_UINT32 = 0xFFFFFFFF
SIZE = {ENUM: 1, UINT8: 1, UINT16: 2, UINT32: 4, UINT32Z: 4}
FORMAT = {ENUM: "B", UINT8: "B", UINT16: "H", UINT32: "I", UINT32Z: "I"}

# global message numbers and field numbers (FIT SDK profile)
FILE_ID, SESSION, RECORD = 0, 18, 20
TIMESTAMP = 253
RECORD_HEART_RATE, RECORD_DISTANCE, RECORD_SPEED = 3, 5, 6
# file_id: type, manufacturer, product, serial, time_created
FILE_ID_FIELDS = [(0, ENUM), (1, UINT16), (2, UINT16), (3, UINT32Z), (4, UINT32)]
SESSION_FIELDS = [(TIMESTAMP, UINT32), (2, UINT32), (7, UINT32), (8, UINT32), (9, UINT32), (5, ENUM), (6, ENUM)]
FILE_TYPE_ACTIVITY = 4
MANUFACTURER_DEVELOPMENT = 255
SPORT_RUNNING, SUB_SPORT_GENERIC = 1, 0

_CRC_TABLE = (0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401,
              0xA001, 0x6C00, 0x7800, 0xB401, 0x5000, 0x9C01, 0x8801, 0x4400)  # FIT SDK, "FIT File CRC"


def crc16(data: bytes, crc: int = 0) -> int:
    """The FIT SDK CRC-16, a nibble at a time, as the SDK's ``FitCRC_Get16`` computes it."""
    for byte in data:
        for nibble in (byte & 0xF, byte >> 4):
            tmp = _CRC_TABLE[crc & 0xF]
            crc = ((crc >> 4) & 0x0FFF) ^ tmp ^ _CRC_TABLE[nibble]
    return crc


def definition(local: int, mesg_num: int, fields: list[tuple[int, int]]) -> bytes:
    """A little-endian definition message: ``fields`` are (field number, base type), in order."""
    out = bytes([0x40 | local, 0, 0]) + struct.pack("<HB", mesg_num, len(fields))
    for number, base_type in fields:
        out += bytes([number, SIZE[base_type], base_type])
    return out


def data(local: int, fields: list[tuple[int, int]], values: list[int]) -> bytes:
    """A data message of the local type defined with ``fields``; raw integer values."""
    return bytes([local]) + b"".join(struct.pack("<" + FORMAT[t], v) for (_, t), v in zip(fields, values))


def fit_file(messages: list[bytes]) -> bytes:
    """Header (with its CRC), the messages, and the file CRC."""
    body = b"".join(messages)
    head = struct.pack("<BBHI4s", 14, PROTOCOL_VERSION, PROFILE_VERSION, len(body), b".FIT")
    head += struct.pack("<H", crc16(head))
    content = head + body
    return content + struct.pack("<H", crc16(content))


def distance_twice_run(
    start_unix_s: int, n: int, *, step_m: float = 3.0, hr_bpm: int = 150, duplicate: str | None = "invalid_last"
) -> bytes:
    """A run recorded every second for ``n`` records at ``step_m`` m/s with a constant heart rate.

    ``duplicate``: "invalid_last" (distance, then distance 0xFFFFFFFF: fitparse's
    get_values() keeps the invalid copy), "invalid_first" (the invalid copy first:
    fitparse's first-match get_value() misses), or None (distance once, as most
    devices write it). One session with the run's totals.
    """
    t0 = start_unix_s - FIT_EPOCH_UNIX_S
    if duplicate not in (None, "invalid_last", "invalid_first"):
        raise ValueError(f"duplicate: {duplicate!r}")
    distance = [(RECORD_DISTANCE, UINT32)] * (1 if duplicate is None else 2)
    record_fields = [(TIMESTAMP, UINT32), *distance, (RECORD_HEART_RATE, UINT8), (RECORD_SPEED, UINT16)]
    messages = [
        definition(0, FILE_ID, FILE_ID_FIELDS),
        data(0, FILE_ID_FIELDS, [FILE_TYPE_ACTIVITY, MANUFACTURER_DEVELOPMENT, 1, 12345, t0]),
        definition(1, RECORD, record_fields),
    ]
    speed_raw = round(step_m * 1000)
    for i in range(n):
        dist_raw = round(i * step_m * 100)
        copies = {
            None: [dist_raw],
            "invalid_last": [dist_raw, INVALID_UINT32],
            "invalid_first": [INVALID_UINT32, dist_raw],
        }[duplicate]
        messages.append(data(1, record_fields, [t0 + i, *copies, hr_bpm, speed_raw]))
    elapsed_ms = (n - 1) * 1000
    total_cm = round((n - 1) * step_m * 100)
    messages += [
        definition(2, SESSION, SESSION_FIELDS),
        data(2, SESSION_FIELDS, [t0 + n - 1, t0, elapsed_ms, elapsed_ms, total_cm, SPORT_RUNNING, SUB_SPORT_GENERIC]),
    ]
    return fit_file(messages)

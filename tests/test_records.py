"""Record messages read in place (trainlog.ingest.fit.records) against fitfast's decode of the same bytes.

Files are built here message by message, to reach the layouts a watch may write (big-endian, several record
layouts interleaved, invalid values, developer fields, arrays, other base types, compressed timestamps); the
corpus is decoded both ways in tests/test_fit_fast.py.
"""

from __future__ import annotations

import struct

import fitfast
import numpy as np
import pytest

from trainlog.ingest.fit import fast, framing
from trainlog.ingest.fit.records import OFFSETS, SCALES, record_columns

RECORD, EVENT = 20, 21
START = 1_100_000_000  # s since the FIT epoch (2024-11-09)
# (field number, size, base type) of a watch's usual record: timestamp, position, altitude, heart rate, distance, speed
USUAL = [(253, 4, 0x86), (0, 4, 0x85), (1, 4, 0x85), (2, 2, 0x84), (3, 1, 0x02), (5, 4, 0x86), (6, 2, 0x84)]
USUAL_FORMAT = "IiiHBIH"


def definition(local: int, global_num: int, fields: list[tuple[int, int, int]], big: bool = False,
               dev: list[tuple[int, int, int]] | None = None) -> bytes:
    head = bytes([0x40 | (0x20 if dev else 0) | local, 0, int(big)]) + struct.pack(">H" if big else "<H", global_num)
    out = head + bytes([len(fields)]) + b"".join(bytes(f) for f in fields)
    return out + (bytes([len(dev)]) + b"".join(bytes(f) for f in dev) if dev else b"")


def message(local: int, fmt: str, *values, big: bool = False) -> bytes:
    return bytes([local]) + struct.pack((">" if big else "<") + fmt, *values)


def fit_file(*messages: bytes) -> bytes:
    body = b"".join(messages)
    header = struct.pack("<BBHI4s", 14, 0x20, 2132, len(body), b".FIT")
    data = header + struct.pack("<H", framing.fit_crc(header)) + body
    return data + struct.pack("<H", framing.fit_crc(data))


def usual(i: int, big: bool = False, local: int = 0) -> bytes:
    return message(local, USUAL_FORMAT, START + i, 500_000_000 + 37 * i, 100_000_000 - 11 * i, 2600 + (i % 7),
                   120 + i % 50, 250 * i, 2999 + i, big=big)


def in_place(data: bytes) -> dict[str, np.ndarray] | None:
    _, n_records, _, _, runs = fast._scan(data)
    return record_columns(data, runs, n_records)


def assert_as_fitfast(data: bytes) -> dict[str, np.ndarray]:
    """The columns read in place equal fitfast's (its scaled values re-derived from the raw integer, as the fast
    path does), NaN where fitfast has NaN."""
    got = in_place(data)
    assert got is not None
    want = fitfast.records(data, degrees=False)
    for name, column in got.items():
        expected = fast._raw_exact(want[name], name) if name in SCALES else want[name]
        np.testing.assert_array_equal(column, expected, err_msg=name)
    assert set(got) == set(want) & set(got)
    return got


def test_a_usual_run_reads_as_fitfast_does():
    data = fit_file(definition(0, RECORD, USUAL), *(usual(i) for i in range(600)))
    got = assert_as_fitfast(data)
    assert got["timestamp"][0] == START + framing.FIT_EPOCH_UNIX_S
    assert got["altitude"][0] == 2600 / 5 - 500
    assert got["distance"][3] == 750 / 100
    assert got["speed"][1] == 3000 / 1000


def test_big_endian_records_read_as_little_endian_ones():
    little = fit_file(definition(0, RECORD, USUAL), *(usual(i) for i in range(300)))
    big = fit_file(definition(0, RECORD, USUAL, big=True), *(usual(i, big=True) for i in range(300)))
    a, b = in_place(little), in_place(big)
    for name in a:
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)
    assert_as_fitfast(big)


def test_invalid_values_are_nan():
    invalid = message(0, USUAL_FORMAT, START + 1, 0x7FFFFFFF, 0x7FFFFFFF, 0xFFFF, 0xFF, 0xFFFFFFFF, 0xFFFF)
    data = fit_file(definition(0, RECORD, USUAL), usual(0), invalid, usual(2))
    got = assert_as_fitfast(data)
    for name in ("position_lat", "position_long", "altitude", "heart_rate", "distance", "speed"):
        assert np.isnan(got[name][1]) and not np.isnan(got[name][0]), name


def test_layouts_interleaved_with_other_messages_keep_the_file_order():
    """Two record layouts (one with power and temperature, one without position), an event between runs, and a
    developer field: each record's values where the file has them, NaN where its layout has none."""
    other = [(253, 4, 0x86), (7, 2, 0x84), (13, 1, 0x01), (3, 1, 0x02)]
    messages = [definition(0, RECORD, USUAL), definition(1, RECORD, other, dev=[(0, 2, 0)]),
                definition(2, EVENT, [(253, 4, 0x86), (0, 1, 0x00)])]
    for i in range(700):
        if i % 97 == 5:
            messages.append(message(2, "IB", START + i, 0))
        if i % 3 == 2:
            messages.append(message(1, "IHbBH", START + i, 200 + i % 100, -5 + i % 20, 0xFF if i % 9 == 2 else 130, 7))
        else:
            messages.append(usual(i))
    got = assert_as_fitfast(fit_file(*messages))
    assert len(got["timestamp"]) == 700
    assert np.isnan(got["power"][0]) and got["power"][2] == 202 and got["temperature"][2] == -3
    assert np.isnan(got["position_lat"][2]) and np.isnan(got["heart_rate"][2])
    np.testing.assert_array_equal(got["timestamp"], START + framing.FIT_EPOCH_UNIX_S + np.arange(700))


def test_developer_fields_after_the_fields_are_stepped_over():
    """A developer field (3 bytes here) lengthens every message: runs of such records read at their stride."""
    dev_data_id = definition(1, 207, [(3, 1, 0x02)])
    data = fit_file(dev_data_id, message(1, "B", 0), definition(0, RECORD, USUAL, dev=[(0, 3, 0)]),
                    *(usual(i) + bytes([i % 256, 1, 2]) for i in range(500)))
    got = assert_as_fitfast(data)
    np.testing.assert_array_equal(got["heart_rate"], 120 + np.arange(500) % 50)


def test_fractional_cadence_and_the_enhanced_fields_are_scaled():
    fields = [(253, 4, 0x86), (4, 1, 0x02), (53, 1, 0x02), (73, 4, 0x86), (78, 4, 0x86)]
    data = fit_file(definition(0, RECORD, fields),
                    *(message(0, "IBBII", START + i, 80 + i % 5, 64 * (i % 2), 3123 + i, 12345 + i) for i in range(50)))
    got = assert_as_fitfast(data)
    assert got["fractional_cadence"][1] == 64 / 128
    assert got["enhanced_altitude"][0] == 12345 / 5 - 500 == 2469 - 500
    assert OFFSETS["enhanced_altitude"] == 500


@pytest.mark.parametrize(
    ("fields", "fmt", "why"),
    [
        ([(253, 4, 0x86), (3, 2, 0x84)], "IH", "a heart rate of another base type"),
        ([(253, 4, 0x86), (3, 2, 0x02)], "IBB", "a heart rate array"),
        ([(253, 4, 0x8C), (3, 1, 0x02)], "IB", "a timestamp of another base type"),
    ],
)
def test_layouts_not_as_the_profile_are_left_to_fitfast(fields, fmt, why):
    data = fit_file(definition(0, RECORD, fields), *(message(0, fmt, START + i, *([120] * (len(fmt) - 1)))
                                                     for i in range(20)))
    assert in_place(data) is None, why


def test_an_architecture_byte_other_than_0_or_1_is_big_endian_as_in_fitfast():
    """fitparse and fitfast take any architecture byte but 0 as big-endian, so this definition's global number is
    5120, not a record; the walk reads it the same way, and nothing is read in place that fitfast would not give."""
    fields = definition(0, RECORD, USUAL)
    odd = fields[:2] + bytes([2]) + fields[3:]
    d = framing.read_definition(odd, 0, len(odd))
    assert (d.big_endian, d.global_num) == (True, 5120)
    data = fit_file(odd, *(usual(i) for i in range(20)))
    assert in_place(data) == fitfast.records(data, degrees=False) == {}


def test_a_record_with_a_compressed_timestamp_is_left_to_fitfast():
    """A compressed timestamp header (0x80 | local type << 5 | offset) is counted by the walk but in no run."""
    fields = [(3, 1, 0x02)]
    data = fit_file(definition(0, RECORD, [(253, 4, 0x86), (3, 1, 0x02)]), message(0, "IB", START, 120),
                    definition(1, RECORD, fields), bytes([0x80 | 1 << 5 | 3, 121]), message(0, "IB", START + 5, 122))
    assert in_place(data) is None


def test_the_fast_path_reads_in_place_and_falls_back_to_fitfast(monkeypatch):
    """A whole decode reads the records in place when it can and gives what fitfast's columns give; a file whose
    CRC is wrong goes to fitfast, which refuses it as before."""
    from trainlog_dev.fitwrite import Device, Recording, encode

    t = 1_717_236_000 + np.arange(400)
    recording = Recording(time_unix_s=t, distance_m=np.arange(400) * 2.5, speed_mps=np.full(400, 2.5),
                          energy_kcal=np.linspace(0, 30, 400), sport="running", sub_sport="trail",
                          utc_offset_end_s=3600, altitude_m=np.linspace(800, 900, 400), hr_bpm=np.full(400, 150.0))
    data = encode(recording, Device())
    taken = []
    real = fast._read_in_place
    monkeypatch.setattr(fast, "_read_in_place", lambda *a: taken.append(real(*a)) or taken[-1])
    placed = fast.decode_fast(data, "run.fit")
    assert taken[-1] is not None
    monkeypatch.setattr(fast, "_read_in_place", lambda *a: None)
    from polars.testing import assert_frame_equal

    assert_frame_equal(placed.records, fast.decode_fast(data, "run.fit").records, check_exact=True)
    monkeypatch.setattr(fast, "_read_in_place", lambda *a: taken.append(real(*a)) or taken[-1])
    damaged = data[:-2] + bytes([data[-2] ^ 1, data[-1]])
    with pytest.raises(fast.Unsupported, match="fitfast"):
        fast.decode_fast(damaged, "damaged.fit")
    assert taken[-1] is None

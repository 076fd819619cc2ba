"""The FIT framing walker (trainlog.ingest.fit.framing) on files trainlog_dev.fitwrite writes
(Garmin's SDK encoder) and on damaged copies of them: sizes, offsets, the epoch, the CRC."""

from __future__ import annotations

import datetime as dt
import struct

import fit_raw
import numpy as np
import pytest
from builders import CORPUS, SAMPLE_FIT, corpus_available

from trainlog.ingest.fit import framing
from trainlog.ingest.fit.framing import FramingError, read_header, walk
from trainlog_dev.fitwrite import Device, Recording, encode

START_UNIX_S = 1_717_236_000  # 2024-06-01T10:00:00Z
N_RECORDS = 300
MESG_FILE_ID, MESG_RECORD = 0, 20
TIMESTAMP_FIELD = 253


@pytest.fixture(scope="module")
def run() -> bytes:
    """A 5-minute run, one record a second, written by the FIT SDK's encoder."""
    t = START_UNIX_S + np.arange(N_RECORDS)
    speed = np.full(N_RECORDS, 3.0)
    recording = Recording(
        time_unix_s=t, distance_m=np.cumsum(speed) - 3.0, speed_mps=speed, energy_kcal=np.linspace(0, 60, N_RECORDS),
        sport="running", sub_sport="trail", utc_offset_end_s=7200,
        altitude_m=np.linspace(500, 560, N_RECORDS), hr_bpm=np.full(N_RECORDS, 140.0),
    )
    return encode(recording, Device())


def test_header_gives_the_data_part_the_file_holds(run):
    header = read_header(run)
    assert header.size == 14
    assert header.data_size == len(run) - 16
    assert header.data_end == len(run) - 2
    assert header.file_size == len(run)


def test_messages_tile_the_data_part_in_order(run):
    header = read_header(run)
    pos = header.size
    kinds = []
    for offset, h, d in walk(run, header):
        assert offset == pos  # no gap, no overlap
        if d.offset == offset:  # a definition message
            assert framing.is_definition(h)
            assert d.length == 6 + 3 * len(d.field_list()) + (1 + 3 * len(d.dev_field_list()) if h & 0x20 else 0)
            assert d.size == sum(size for _, size, _ in d.field_list()) + sum(s for _, s, _ in d.dev_field_list())
            pos += d.length
        else:
            assert not framing.is_definition(h)
            assert d.offset < offset and d.local == framing.local_type(h)
            kinds.append(d.global_num)
            pos += 1 + d.size
    assert pos == header.data_end
    assert kinds[0] == MESG_FILE_ID
    assert kinds.count(MESG_RECORD) == N_RECORDS


def test_walk_can_yield_only_some_data_messages_and_counts_the_rest(run):
    header = read_header(run)
    seen = list(walk(run, header, data_of={MESG_FILE_ID}))
    data = [(pos, d) for pos, _, d in seen if d.offset != pos]
    assert [d.global_num for _, d in data] == [MESG_FILE_ID]
    records = [d for pos, _, d in seen if d.offset == pos and d.global_num == MESG_RECORD]
    assert sum(d.n_data for d in records) == N_RECORDS


def test_record_timestamps_count_from_the_fit_epoch(run):
    assert framing.FIT_EPOCH == dt.datetime(1989, 12, 31, tzinfo=dt.UTC)
    assert framing.FIT_EPOCH_UNIX_S == 631_065_600
    stamps = []
    for pos, _h, d in walk(run, read_header(run)):
        if d.offset != pos and d.global_num == MESG_RECORD:
            at = 0
            for number, size, _ in d.field_list():
                if number == TIMESTAMP_FIELD:
                    (raw,) = struct.unpack_from(">I" if d.big_endian else "<I", run, pos + 1 + at)
                    stamps.append(raw + framing.FIT_EPOCH_UNIX_S)
                at += size
    assert stamps == list(range(START_UNIX_S, START_UNIX_S + N_RECORDS))


def test_crcs_of_a_written_file(run):
    assert framing.fit_crc(run[:12]) == int.from_bytes(run[12:14], "little")  # the header's
    assert framing.fit_crc(run[:-2]) == int.from_bytes(run[-2:], "little")  # the file's
    assert framing.fit_crc(run) == 0  # a message followed by its CRC checks to 0
    # a header CRC left at 0 ("not computed"), the file CRC written for that: filling the header
    # CRC in again gives back the very bytes the encoder wrote
    body = run[:12] + b"\0\0" + run[14:-2]
    zeroed = body + framing.fit_crc(body).to_bytes(2, "little")
    assert zeroed != run
    assert framing.with_header_crc(zeroed) == run


def test_crc_of_appended_zeros_matches_the_byte_loop():
    for n in (0, 1, 2, 3, 255, 4096, 100_003):
        for message in (b"\x01", b".FIT", bytes(range(40))):
            assert framing.crc_append_zeros(framing.fit_crc(message), n) == framing.fit_crc(
                message + bytes(n)), (message, n)


@pytest.mark.parametrize(
    ("data", "reason"),
    [(b"", "not a FIT header"), (b"\x0e\x20" + bytes(6) + b".FIX" + bytes(6), "not a FIT header"),
     (b"\x0d\x20" + bytes(6) + b".FIT" + bytes(6), "header size 13")],
)
def test_a_header_that_is_not_fit_is_refused(data, reason):
    with pytest.raises(FramingError, match=reason):
        read_header(data)


def _walked(data: bytes, data_of=None):
    """(each yielded message's offset, header and definition offset; each definition's data count) or the error."""
    try:
        seen = [(pos, h, d.offset) for pos, h, d in walk(data, read_header(data), data_of)]
        defs = {d.offset: d for _, _, d in walk(data, read_header(data), data_of)}
    except FramingError as exc:
        return str(exc)
    return seen, sorted((offset, d.n_data) for offset, d in defs.items())


def _fit_files() -> list:
    files = sorted(SAMPLE_FIT.glob("*/*.fit"))[:12]
    return files + (sorted(CORPUS.glob("*.fit")) if corpus_available() else [])


def test_skipping_runs_of_data_messages_walks_like_one_message_at_a_time():
    """walk() counts a run of data messages it does not yield at once: the same messages, counts and errors as
    yielding every message (the shared corpus too, when present)."""
    for path in _fit_files():
        data = path.read_bytes()
        try:
            header = read_header(data)
        except FramingError:
            continue
        variants = [data]
        for cut in (1, 7, 2 * header.data_size // 3):  # the last messages overrun the data size the header declares
            short = bytearray(data)
            struct.pack_into("<I", short, 4, max(0, header.data_size - cut))
            variants.append(bytes(short))
        for variant in variants:
            every = _walked(variant)
            skipped = _walked(variant, {MESG_FILE_ID})
            if isinstance(every, str):
                assert skipped == every, path.name
                continue
            wanted = [(pos, h, offset) for pos, h, offset in every[0]
                      if pos == offset or _global(variant, offset) == MESG_FILE_ID]
            assert skipped == (wanted, every[1]), path.name


def _global(data: bytes, offset: int) -> int:
    """The global message number of the definition at ``offset``."""
    return framing.read_definition(data, offset, read_header(data).data_end).global_num


def test_damaged_framing_is_refused_where_it_is(run):
    header = read_header(run)
    with pytest.raises(FramingError, match="truncated"):
        list(walk(run[: len(run) // 2], header))
    short = bytearray(run)
    struct.pack_into("<I", short, 4, header.data_size - 1)  # the last message overruns the data size
    with pytest.raises(FramingError, match=r"messages overrun the data size \(\d+ != \d+\)"):
        list(walk(bytes(short), read_header(bytes(short))))
    first_definition = next(d for pos, h, d in walk(run, header) if d.offset == pos)
    assert first_definition.offset == header.size
    # the first definition removed: the data message after it has no definition
    cut = run[: header.size] + run[header.size + first_definition.length :]
    with pytest.raises(FramingError, match=f"data message before its definition at byte {header.size}"):
        list(walk(cut, framing.Header(header.size, header.data_size - first_definition.length)))
    # a definition declaring more fields than the data part holds
    bloated = bytearray(run)
    last_definition = [d for pos, h, d in walk(run, header) if d.offset == pos][-1]
    bloated[last_definition.offset + 5] = 255
    with pytest.raises(FramingError):
        list(walk(bytes(bloated), header))


def test_record_header_bits():
    assert framing.is_definition(0x40) and framing.is_definition(0x6F)
    assert not framing.is_definition(0x05) and not framing.is_definition(0xC0)
    assert framing.local_type(0x0B) == 11 and framing.local_type(0x4B) == 11
    assert framing.local_type(0x80 | 2 << 5 | 17) == 2  # compressed timestamp header: 2 bits of local type


@pytest.mark.parametrize("length", [0, 1, 2, 11, 12, 255, 256, 257, 4095, 70_001])
def test_fit_crc_is_the_fit_sdks_nibble_crc(length):
    """anycrc's CRC-16/ARC is the FIT SDK's CRC (FitCRC_Get16, a nibble at a time: tests/fit_raw.crc16)."""
    data = np.random.default_rng(length).integers(0, 256, length, dtype=np.uint8).tobytes()
    assert framing.fit_crc(data) == fit_raw.crc16(data)


def test_fit_crc_of_a_whole_file_with_its_crc_is_zero(run):
    assert framing.fit_crc(run[:-2]) == struct.unpack_from("<H", run, len(run) - 2)[0]
    assert framing.fit_crc(run) == 0


def test_walk_lists_the_runs_of_the_data_messages_it_skips(run):
    """Each run: count messages of one definition back to back from its offset; together they are every record."""
    header = read_header(run)
    runs = []
    for _, _, d in walk(run, header, data_of={MESG_FILE_ID}):
        if d.global_num == MESG_RECORD:
            d.runs = runs
    assert sum(count for _, count, _ in runs) == N_RECORDS
    for pos, count, d in runs:
        stride = 1 + d.size
        assert all(run[pos + k * stride] == d.local for k in range(count))

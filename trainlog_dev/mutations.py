"""Mutations of FIT files for the fuzzer (:mod:`trainlog_dev.fuzz`).

A file's messages are found with trainlog's own framing walker
(:func:`trainlog.ingest.fit.framing.walk`), so the mutations aimed at the
structure (field counts, sizes and base types in definitions, timestamps,
developer fields) hit definitions and data messages, not random bytes. Each
mutation takes the bytes and a :class:`random.Random` and returns new bytes;
:data:`MUTATIONS` names them and :data:`WEIGHTS` says how often each is drawn.
"""

from __future__ import annotations

import random
import struct
from dataclasses import dataclass, field

from trainlog.ingest.fit.framing import Definition, FramingError, fit_crc, local_type, read_header, walk

#: Mutated inputs never grow past this (a repeated chunk or a splice).
MAX_INPUT_BYTES = 256_000

# --------------------------------------------------------------------------- FIT structure


@dataclass
class Message:
    """One FIT message inside a file: where it is and, for definitions, its layout."""

    start: int
    end: int
    kind: str  # "def" or "data"
    local: int
    fields: list[tuple[int, int, int]] = field(default_factory=list)  # (num, size, base type) of the definition
    dev_fields: list[tuple[int, int, int]] = field(default_factory=list)
    big_endian: bool = False
    global_num: int | None = None
    definition: Message | None = None  # for data messages


@dataclass
class Layout:
    header_size: int
    data_end: int  # offset of the file CRC
    messages: list[Message]


def parse_layout(data: bytes) -> Layout | None:
    """The messages of the first FIT file in ``data``; None when its structure is broken."""
    try:
        header = read_header(data)
    except FramingError:
        return None
    if header.file_size > len(data):
        return None
    messages: list[Message] = []
    definitions: dict[Definition, Message] = {}
    try:
        for pos, h, d in walk(data, header):
            if d.offset == pos:
                m = Message(pos, pos + d.length, "def", d.local, d.field_list(), d.dev_field_list(), d.big_endian,
                            d.global_num)
                definitions[d] = m
            else:
                m = Message(pos, pos + 1 + d.size, "data", local_type(h), definition=definitions[d])
            messages.append(m)
    except FramingError:
        return None
    return Layout(header.size, header.data_end, messages)


def repair(data: bytes, header_size: int | None = None) -> bytes:
    """Make the header's data size and both CRCs agree with ``data`` (its last 2 bytes are the CRC slot)."""
    if len(data) < 14:
        return data
    hsize = header_size if header_size in (12, 14) else (data[0] if data[0] in (12, 14) else 14)
    body = bytearray(data[:-2])
    struct.pack_into("<I", body, 4, max(0, len(body) - hsize))
    if hsize == 14 and len(body) >= 14:
        struct.pack_into("<H", body, 12, fit_crc(body[:12]))
    return bytes(body) + struct.pack("<H", fit_crc(body))


def rebuild(data: bytes, layout: Layout, pieces: list[bytes]) -> bytes:
    """Header + message bytes ``pieces`` + CRC, with sizes and CRCs recomputed."""
    return repair(data[: layout.header_size] + b"".join(pieces) + b"\0\0", layout.header_size)


# --------------------------------------------------------------------------- mutations

INTERESTING_BYTES = (0x00, 0x01, 0x7F, 0x80, 0xFE, 0xFF, 0x40, 0x20, 0x0E, 0x0C)
ABSURD_TIMESTAMPS = (0, 1, 0x0FFFFFFF, 0x10000000, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFE, 0xFFFFFFFF, 1_000_000_000)
HUGE_SIZES = (0, 0xFFFFFFFF, 0x7FFFFFFF, 0x80000000, 0x10000000)
FIT_BASE_TYPES = (0x00, 0x01, 0x02, 0x83, 0x84, 0x85, 0x86, 0x07, 0x88, 0x89, 0x0A, 0x8B, 0x8C, 0x0D, 0x8E, 0x8F, 0x90)


def m_bitflip(data: bytes, rng: random.Random) -> bytes:
    if not data:
        return data
    b = bytearray(data)
    for _ in range(rng.choice((1, 1, 2, 4, 8, 16))):
        pos = rng.randrange(len(b))
        b[pos] ^= 1 << rng.randrange(8)
    return bytes(b)


def m_bytes(data: bytes, rng: random.Random) -> bytes:
    if not data:
        return data
    b = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        b[rng.randrange(len(b))] = rng.choice(INTERESTING_BYTES) if rng.random() < 0.6 else rng.randrange(256)
    return bytes(b)


def m_truncate(data: bytes, rng: random.Random) -> bytes:
    if not data:
        return data
    where = rng.random()
    if where < 0.2:
        cut = rng.randrange(min(len(data), 20))  # inside the header
    elif where < 0.5:
        cut = len(data) - rng.randint(1, min(len(data), 64))  # just before the end
    else:
        cut = rng.randrange(len(data))
    return data[:cut]


def m_header(data: bytes, rng: random.Random) -> bytes:
    if len(data) < 12:
        return data
    b = bytearray(data)
    what = rng.randrange(5)
    if what == 0:
        b[0] = rng.choice((0, 1, 11, 12, 13, 14, 15, 64, 255, rng.randrange(256)))
    elif what == 1:
        size = rng.choice(HUGE_SIZES + (len(data), len(data) - 16, len(data) + 1, rng.randrange(1 << 32)))
        struct.pack_into("<I", b, 4, size % (1 << 32))
    elif what == 2:
        b[1] = rng.randrange(256)  # protocol version
        struct.pack_into("<H", b, 2, rng.randrange(1 << 16))  # profile version
    elif what == 3:
        b[8:12] = rng.choice((b".FIX", b"\0\0\0\0", b"FIT.", bytes(rng.randrange(256) for _ in range(4))))
    else:
        if len(b) >= 14:
            struct.pack_into("<H", b, 12, rng.randrange(1 << 16))  # header CRC
    return bytes(b)


def _pick(layout: Layout, rng: random.Random, kind: str) -> Message | None:
    candidates = [m for m in layout.messages if m.kind == kind]
    return rng.choice(candidates) if candidates else None


def m_def_count(data: bytes, rng: random.Random) -> bytes:
    """Wrong field counts in a definition (the data messages no longer line up)."""
    layout = parse_layout(data)
    d = layout and _pick(layout, rng, "def")
    if d is None:
        return m_bytes(data, rng)
    b = bytearray(data)
    nf = b[d.start + 5]
    b[d.start + 5] = rng.choice((0, 1, 255, max(0, nf - 1), min(255, nf + 1), rng.randrange(256)))
    if d.dev_fields and rng.random() < 0.5:
        b[d.start + 6 + 3 * nf] = rng.choice((0, 255, rng.randrange(256)))
    return bytes(b)


def m_def_field(data: bytes, rng: random.Random) -> bytes:
    """Wrong sizes, base types or field numbers in a definition; sizes rewritten consistently or not."""
    layout = parse_layout(data)
    d = layout and _pick(layout, rng, "def")
    if d is None or not d.fields:
        return m_bytes(data, rng)
    b = bytearray(data)
    for _ in range(rng.randint(1, 3)):
        k = rng.randrange(len(d.fields))
        p = d.start + 6 + 3 * k
        what = rng.randrange(4)
        if what == 0:
            b[p + 1] = rng.choice((0, 1, 2, 3, 5, 7, 255, rng.randrange(256)))  # size
        elif what == 1:
            b[p + 2] = rng.choice(FIT_BASE_TYPES + (rng.randrange(256),))  # base type
        elif what == 2:
            b[p] = rng.choice((253, 254, 0, 255, rng.randrange(256)))  # field number (253 = timestamp)
        else:
            b[d.start + 2] ^= 1  # architecture
            b[d.start + 3 : d.start + 5] = rng.randrange(1 << 16).to_bytes(2, "little")  # global message number
    return bytes(b)


def m_timestamps(data: bytes, rng: random.Random) -> bytes:
    """Absurd timestamps: 0, power-on relative, 2^32-1, backwards, in some or all messages."""
    layout = parse_layout(data)
    if layout is None:
        return m_bytes(data, rng)
    b = bytearray(data)
    spots = []  # (offset, size, big-endian) of every date_time field in data messages
    for m in layout.messages:
        if m.kind != "data" or data[m.start] & 0x80:
            continue
        off = m.start + 1
        for num, size, _base in m.definition.fields:
            # timestamp; start_time, local_timestamp of session, lap, activity
            if num == 253 or (num in (2, 4) and m.definition.global_num in (18, 19, 34)):
                if size == 4:
                    spots.append((off, m.definition.big_endian))
            off += size
    if not spots:
        return m_bytes(data, rng)
    mode = rng.randrange(3)
    chosen = spots if mode == 0 else rng.sample(spots, min(len(spots), rng.randint(1, 8)))
    value = rng.choice(ABSURD_TIMESTAMPS)
    for k, (off, big) in enumerate(chosen):
        if mode == 2:  # running backwards
            value = (0xF0000000 - 7 * k) & 0xFFFFFFFF
        elif rng.random() < 0.3:
            value = rng.choice(ABSURD_TIMESTAMPS + (rng.randrange(1 << 32),))
        struct.pack_into(">I" if big else "<I", b, off, value)
    if rng.random() < 0.3:  # compressed timestamp headers on some data messages
        for m in rng.sample(layout.messages, min(len(layout.messages), 5)):
            if m.kind == "data" and m.local < 4:
                b[m.start] = 0x80 | (m.local << 5) | rng.randrange(32)
    return bytes(b)


def m_huge_lengths(data: bytes, rng: random.Random) -> bytes:
    """Huge declared lengths: data size 2^32-1, 255 fields of 255 bytes, 255-byte strings."""
    layout = parse_layout(data)
    what = rng.randrange(3)
    if what == 0 or layout is None:
        b = bytearray(data)
        if len(b) >= 8:
            struct.pack_into("<I", b, 4, rng.choice(HUGE_SIZES))
        return bytes(b)
    if what == 1:  # a definition declaring 255 fields of 255 bytes, then a short data message
        local = rng.randrange(16)
        gnum = rng.choice((20, 18, 19, 0, 206, rng.randrange(1 << 16)))
        fields = b"".join(bytes((rng.randrange(256), 255, rng.choice(FIT_BASE_TYPES))) for _ in range(255))
        defn = bytes((0x40 | local, 0, 0)) + gnum.to_bytes(2, "little") + bytes((255,)) + fields
        msg = bytes((local,)) + bytes(rng.randrange(256) for _ in range(rng.choice((10, 1000, 65025))))
        return _insert(data, layout, rng, defn + msg)
    # a string field (base type 7) of 255 bytes with no terminator, in a file_id / session / dev message
    local = rng.randrange(16)
    gnum = rng.choice((0, 18, 206, 207))
    defn = bytes((0x40 | local, 0, 0)) + gnum.to_bytes(2, "little") + bytes((2, 3, 255, 7, 253, 4, 0x86))
    msg = bytes((local,)) + bytes(rng.randrange(1, 256) for _ in range(255)) + rng.choice(ABSURD_TIMESTAMPS).to_bytes(4, "little")
    return _insert(data, layout, rng, defn + msg)


def _insert(data: bytes, layout: Layout, rng: random.Random, chunk: bytes) -> bytes:
    """``chunk`` inserted between two messages (sizes and CRCs repaired)."""
    at = rng.randrange(len(layout.messages) + 1)
    pieces = [data[m.start : m.end] for m in layout.messages]
    pieces.insert(at, chunk)
    return rebuild(data, layout, pieces)


def m_dev_fields(data: bytes, rng: random.Random) -> bytes:
    """Garbage developer fields: random developer_data_id / field_description messages,
    and developer fields of random sizes and data indexes added to a definition."""
    layout = parse_layout(data)
    if layout is None:
        return m_bytes(data, rng)
    pieces: list[bytes] = []
    local = rng.randrange(16)
    # developer_data_id (207): developer_data_index (3) and application_id (1, 16 bytes)
    pieces.append(bytes((0x40 | local, 0, 0)) + (207).to_bytes(2, "little") + bytes((2, 3, 1, 2, 1, 16, 13)))
    for _ in range(rng.randint(1, 3)):
        pieces.append(bytes((local, rng.choice((0, 1, 3, 255)))) + bytes(rng.randrange(256) for _ in range(16)))
    # field_description (206): dev index, field number, base type, name, scale, offset, units
    fd = [(0, 1, 2), (1, 1, 2), (2, 1, 2), (3, rng.choice((0, 4, 64, 255)), 7), (6, 1, 2), (7, 1, 1), (8, 16, 7)]
    pieces.append(bytes((0x40 | local, 0, 0)) + (206).to_bytes(2, "little") + bytes((len(fd),)) + b"".join(bytes(f) for f in fd))
    size = sum(f[1] for f in fd)
    dev_defs = []
    for _ in range(rng.randint(1, 4)):
        idx, num = rng.choice((0, 1, 3, 255)), rng.randrange(256)
        body = bytes((idx, num, rng.choice(FIT_BASE_TYPES + (rng.randrange(256),))))
        body += bytes(rng.randrange(256) for _ in range(size - 3))
        pieces.append(bytes((local,)) + body)
        dev_defs.append((num, rng.choice((1, 2, 4, 8, 255, rng.randrange(256))), idx))
    # a definition of an existing message with those developer fields, then data messages using it
    target = _pick(layout, rng, "def")
    tail: list[bytes] = []
    if target is not None:
        new_local = rng.randrange(16)
        head = bytes((0x40 | 0x20 | new_local,)) + data[target.start + 1 : target.end]
        if target.dev_fields:  # drop its own developer fields block
            nf = len(target.fields)
            head = head[: 6 + 3 * nf]
        defn = head + bytes((len(dev_defs),)) + b"".join(bytes(d) for d in dev_defs)
        tail.append(defn)
        width = sum(f[1] for f in target.fields) + sum(d[1] for d in dev_defs)
        for _ in range(rng.randint(1, 5)):
            tail.append(bytes((new_local,)) + bytes(rng.randrange(256) for _ in range(width)))
    extra = pieces + tail
    msgs = [data[m.start : m.end] for m in layout.messages]
    at = rng.randrange(len(msgs) + 1)
    return rebuild(data, layout, msgs[:at] + extra + msgs[at:])


def m_repeat(data: bytes, rng: random.Random) -> bytes:
    """A chunk repeated many times (long runs of the same messages, or garbage)."""
    if len(data) < 16:
        return data * rng.randint(1, 100)
    a = rng.randrange(len(data))
    b = min(len(data), a + rng.randint(1, 2048))
    times = rng.randint(2, max(2, (MAX_INPUT_BYTES - len(data)) // max(1, b - a)))
    return data[:b] + data[a:b] * min(times, 200) + data[b:]


#: Files m_splice takes its second half from (set by use_splice_bases).
SPLICE_BASES: list[tuple[str, bytes]] = []


def use_splice_bases(bases: list[tuple[str, bytes]]) -> None:
    """The files m_splice splices onto an input (make_input sets them to its bases)."""
    global SPLICE_BASES
    SPLICE_BASES = bases


def m_splice(data: bytes, rng: random.Random) -> bytes:
    """This file's start on another file's end, or two files chained."""
    if not SPLICE_BASES:
        return m_bitflip(data, rng)
    other = rng.choice(SPLICE_BASES)[1]
    if rng.random() < 0.5:
        return data + other  # chained FIT files
    return data[: rng.randrange(len(data) + 1)] + other[rng.randrange(len(other) + 1) :]


MUTATIONS = {
    "bitflip": m_bitflip,
    "bytes": m_bytes,
    "truncate": m_truncate,
    "header": m_header,
    "def_count": m_def_count,
    "def_field": m_def_field,
    "timestamps": m_timestamps,
    "huge_lengths": m_huge_lengths,
    "dev_fields": m_dev_fields,
    "repeat": m_repeat,
    "splice": m_splice,
}
#: How often each mutation is the first one applied (structure-aware ones are favoured).
WEIGHTS = {
    "bitflip": 3, "bytes": 2, "truncate": 2, "header": 1, "def_count": 2, "def_field": 3,
    "timestamps": 3, "huge_lengths": 2, "dev_fields": 3, "repeat": 1, "splice": 1,
}

"""FIT framing: the file header, the message headers, definition messages and the CRC.

The one walker of a FIT file's structure, shared by the fast path's scan
(:mod:`trainlog.ingest.fit.fast`), the fuzzer (``trainlog_dev.fuzz``) and the
tests. It reads no field values: it says where each message is, which
definition it uses and how long it is (FIT SDK, "FIT Protocol": a 12- or
14-byte header, then messages, then a 2-byte CRC).

- :func:`read_header`: the header's size and data size (bytes);
- :func:`walk`: every message of the data part, in order, with its definition;
- :func:`fit_crc`, :func:`crc_append_zeros`, :func:`with_header_crc`: the
  FIT CRC-16 and the header-CRC fix the fast path needs.

Damaged framing raises :class:`FramingError` with a one-line reason (and the
byte offset where it applies).
"""

from __future__ import annotations

import datetime as dt
import struct
from collections.abc import Container, Iterator
from dataclasses import dataclass

import anycrc

#: FIT timestamps are seconds since 1989-12-31T00:00:00Z (FIT SDK profile: date_time).
FIT_EPOCH = dt.datetime(1989, 12, 31, tzinfo=dt.UTC)
FIT_EPOCH_UNIX_S = int(FIT_EPOCH.timestamp())  # 631,065,600
#: The two header sizes the protocol defines (bytes); bytes 8..11 of either are ".FIT".
HEADER_SIZES = (12, 14)
FIT_MAGIC = b".FIT"
#: Bytes of the file CRC after the data part.
CRC_SIZE = 2
#: Record header bits (FIT Protocol, "Record Header").
COMPRESSED_TIMESTAMP = 0x80
DEFINITION = 0x40
DEVELOPER_FIELDS = 0x20
#: Bytes of a definition message before its field definitions (header, reserved,
#: architecture, global message number, number of fields), and of one field definition.
DEFINITION_FIXED_SIZE = 6
FIELD_DEFINITION_SIZE = 3


class FramingError(ValueError):
    """The bytes are not a well-framed FIT file; the message says why (and at which byte)."""


@dataclass(frozen=True)
class Header:
    """A FIT file header: its size and the declared size of the data part (bytes)."""

    size: int
    data_size: int

    @property
    def data_end(self) -> int:
        """Offset of the file CRC: where the data part ends (bytes)."""
        return self.size + self.data_size

    @property
    def file_size(self) -> int:
        """Bytes of the whole file: header, data and CRC."""
        return self.data_end + CRC_SIZE


def read_header(data: bytes) -> Header:
    """The header of the FIT file at the start of ``data``; FramingError if it is not one.

    Only the header is checked, not whether ``data`` holds the data size it declares.
    """
    if len(data) < HEADER_SIZES[0] or data[8:12] != FIT_MAGIC:
        raise FramingError("not a FIT header")
    size = data[0]
    if size not in HEADER_SIZES or len(data) < size:
        raise FramingError(f"header size {size}")
    (data_size,) = struct.unpack_from("<I", data, 4)
    return Header(size, data_size)


class Definition:
    """A definition message: where it is, the global message it defines and its layout.

    ``fields`` and ``dev_fields`` are the raw field definitions, 3 bytes each
    (field number, size in bytes, base type; developer fields: number, size,
    developer data index). ``size`` is the bytes of a data message's content
    (after its 1-byte header); ``length`` the bytes of the definition message.
    While :func:`walk` goes on, ``n_data`` counts the data messages that used it, and ``runs``, when the caller
    set it to a list, gets ``(offset, count, definition)`` for each run of its data messages :func:`walk` skips
    (``count`` messages one after the other from ``offset``; a message with a compressed timestamp header is
    counted but is in no run).
    """

    __slots__ = (
        "offset", "header", "global_num", "big_endian", "fields", "dev_fields", "size", "length", "n_data", "selected",
        "runs",
    )

    def __init__(
        self, offset: int, header: int, global_num: int, big_endian: bool, fields: bytes, dev_fields: bytes, length: int
    ) -> None:
        self.offset = offset
        self.header = header  # the record header byte (local message type in the low 4 bits)
        self.global_num = global_num
        self.big_endian = big_endian
        self.fields = fields
        self.dev_fields = dev_fields
        self.size = sum(fields[1::3]) + sum(dev_fields[1::3])
        self.length = length
        self.n_data = 0
        self.selected = True  # whether walk() yields its data messages
        self.runs: list[tuple[int, int, Definition]] | None = None

    @property
    def local(self) -> int:
        """The local message type this definition sets (0..15)."""
        return self.header & 0x0F

    def field_list(self) -> list[tuple[int, int, int]]:
        """(number, size in bytes, base type) of each field."""
        return _triples(self.fields)

    def dev_field_list(self) -> list[tuple[int, int, int]]:
        """(number, size in bytes, developer data index) of each developer field."""
        return _triples(self.dev_fields)


def _triples(raw: bytes) -> list[tuple[int, int, int]]:
    return [(raw[i], raw[i + 1], raw[i + 2]) for i in range(0, len(raw), FIELD_DEFINITION_SIZE)]


def is_definition(header: int) -> bool:
    """Whether a record header byte starts a definition message (not a data message)."""
    return header & (COMPRESSED_TIMESTAMP | DEFINITION) == DEFINITION


def local_type(header: int) -> int:
    """The local message type (0..15) of a record header byte; 0..3 for a compressed timestamp header."""
    return (header >> 5) & 0x3 if header & COMPRESSED_TIMESTAMP else header & 0x0F


def read_definition(data: bytes, pos: int, end: int) -> Definition:
    """The definition message at ``pos``; FramingError if it does not end by ``end``."""
    h = data[pos]
    p = pos + DEFINITION_FIXED_SIZE
    if p > end:
        raise FramingError(f"truncated definition at byte {pos}")
    big = data[pos + 2] != 0  # as fitparse and fitfast: any architecture byte but 0 is big-endian
    (global_num,) = struct.unpack_from(">H" if big else "<H", data, pos + 3)
    n_bytes = FIELD_DEFINITION_SIZE * data[pos + 5]
    fields = data[p : p + n_bytes]
    p += n_bytes
    dev = b""
    if h & DEVELOPER_FIELDS:
        if p >= end:
            raise FramingError(f"truncated definition at byte {pos}")
        n_bytes = FIELD_DEFINITION_SIZE * data[p]
        dev = data[p + 1 : p + 1 + n_bytes]
        p += 1 + n_bytes
    if p > end:
        raise FramingError(f"truncated definition at byte {pos}")
    return Definition(pos, h, global_num, big, fields, dev, p - pos)


#: :func:`walk` skips at most this many data messages of one local type at a time (its look-ahead).
_RUN = 256


def walk(data: bytes, header: Header, data_of: Container[int] | None = None) -> Iterator[tuple[int, int, Definition]]:
    """The messages of the data part, in order: (offset, record header byte, definition).

    A definition message yields the :class:`Definition` it reads (whose
    ``offset`` is the message's). A data message yields the definition its local
    type was last given (its content is the ``definition.size`` bytes after the
    header byte); with ``data_of``, only the data messages of those global
    message numbers are yielded, and the others are only counted in their
    definition's ``n_data``. Raises FramingError when ``data`` is shorter than
    the data part, and stops with it at a definition that does not fit in the
    data part, a data message of an undefined local type, or messages that do
    not end exactly at the data size.
    """
    end = header.data_end
    if len(data) < end:
        raise FramingError(f"truncated: {len(data)} bytes, the header declares {header.file_size}")
    defs: list[Definition | None] = [None] * 16
    pos = header.size
    while pos < end:
        h = data[pos]
        if h & COMPRESSED_TIMESTAMP:
            d = defs[(h >> 5) & 0x3]
        elif h & DEFINITION:
            d = read_definition(data, pos, end)
            d.selected = data_of is None or d.global_num in data_of
            defs[h & 0x0F] = d
            yield pos, h, d
            pos += d.length
            continue
        else:
            d = defs[h & 0x0F]
        if d is None:
            raise FramingError(f"data message before its definition at byte {pos}")
        if d.selected or h & COMPRESSED_TIMESTAMP:
            d.n_data += 1
            if d.selected:
                yield pos, h, d
            pos += 1 + d.size
        else:  # a run of data messages of one local type (most of a file: its records), counted at once: the header
            stride = 1 + d.size  # bytes where each next message would start, up to the first other header
            if pos + stride < end and data[pos + stride] == h:
                heads = data[pos : min(end, pos + _RUN * stride) : stride]
                run = len(heads) - len(heads.lstrip(heads[:1]))
            else:  # one alone (records between HRV messages, say): no look-ahead
                run = 1
            d.n_data += run
            if d.runs is not None:
                d.runs.append((pos, run, d))
            pos += run * stride
    if pos != end:
        raise FramingError(f"messages overrun the data size ({pos} != {end})")


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


#: FIT's CRC (FIT SDK, "FIT File CRC": a nibble table of the reflected polynomial 0xA001, from 0) is CRC-16/ARC of
#: the RevEng catalogue. anycrc (Cython over Mark Adler's crcany) computes it ~40x faster than a NumPy blocked
#: table (85 kB: 11 us against 460 us) and ~400x faster than a Python byte loop. ``calc`` only reads the model's
#: parameters (anycrc 2.x), so the one model is safe to share between threads.
_FIT_CRC = anycrc.Model("CRC16-ARC")


def fit_crc(data: bytes) -> int:
    """The FIT CRC-16 of ``data`` (from 0): of a header's first 12 bytes, of a file without its last 2. ``data``:
    bytes or a bytearray (anycrc reads a buffer's bytes from its first on: a strided view would be misread)."""
    return _FIT_CRC.calc(data)


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

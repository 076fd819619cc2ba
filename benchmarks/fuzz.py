"""Fuzz the FIT decoder and the importer with mutated FIT files.

Every input is a corpus or sample file (shrunk to at most ``MAX_BASE_BYTES``,
keeping its definitions, its first records and its closing laps/session)
changed by one to three mutations: bit flips, byte overwrites, truncations,
header damage (size, declared data length), wrong field counts, sizes and base
types in definition messages, absurd timestamps, huge declared lengths, garbage
developer fields, splices of two files and repeated chunks; half of them get
their CRCs repaired so the decoder reads past the damage.

Input ``i`` depends only on ``--seed`` and ``i``, so any input can be rebuilt.
Each one is decoded in a worker process (memory capped with RLIMIT_AS, a time
limit per input) and, when it decodes, turned into the importer's tables.
Outcomes:

- ``ok``       decoded, not damaged
- ``partial``  decoded what came before the damage (``DecodedFile.partial``)
- ``invalid``  ``InvalidFitFile`` with a one-line message naming the input
- ``BUG:...``  any other exception, a multi-line message, a time-out, a
  worker killed or out of memory. The input is written to benchmarks/out/.

A sample of the inputs (plain, .fit.gz, inside zips, with damaged containers)
then goes through ``python -m trainlog import`` end to end, twice, and the
dataset is checked (one outcome per file, one-line reasons, no traceback,
activities == files the ledger says were imported, samples complete).

Run it (exit status 1 when any input is a BUG)::

    .venv/bin/python benchmarks/fuzz.py               # 50,000 inputs
    .venv/bin/python benchmarks/fuzz.py --quick       # 2,000 inputs
    .venv/bin/python benchmarks/fuzz.py --replay 1234 # one input, in-process, with its traceback
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import gzip
import hashlib
import io
import json
import os
import random
import resource
import signal
import struct
import subprocess
import sys
import tempfile
import time
import traceback
import zipfile
from dataclasses import dataclass, field
from multiprocessing import connection, get_context
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from trainlog.ingest import fit_fast as fastdecode  # noqa: E402 (after the path is set)

CORPUS = Path(os.environ.get("TRAINLOG_CORPUS", ROOT.parent / "shared" / "fit_corpus"))
SAMPLE_FIT = ROOT / "sample_fit"
OUT = ROOT / "benchmarks" / "out"

DEFAULT_SEED = 20261125
#: Bases are shrunk to about this size (decoding speed: fitparse is pure Python).
MAX_BASE_BYTES = 24_000
#: Per-input limits in the workers.
TIME_LIMIT_S = 20
MEMORY_LIMIT_BYTES = 2 << 30
#: Mutated inputs never grow past this (a repeated chunk or a splice).
MAX_INPUT_BYTES = 256_000

OK_OUTCOMES = ("ok", "partial", "invalid")

# --------------------------------------------------------------------------- FIT structure

fit_crc = fastdecode.fit_crc  # the FIT CRC-16 (repairs of mutated files)


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
    if len(data) < 12:
        return None
    hsize = data[0]
    if hsize not in (12, 14) or data[8:12] != b".FIT":
        return None
    data_size = struct.unpack_from("<I", data, 4)[0]
    end = hsize + data_size
    if end + 2 > len(data):
        return None
    pos, defs, messages = hsize, {}, []
    while pos < end:
        head = data[pos]
        if head & 0x80 or not head & 0x40:  # data message (0x80: compressed timestamp header)
            local = (head >> 5) & 0x3 if head & 0x80 else head & 0x0F
            d = defs.get(local)
            if d is None:
                return None
            size = 1 + sum(f[1] for f in d.fields) + sum(f[1] for f in d.dev_fields)
            messages.append(Message(pos, pos + size, "data", local, definition=d))
            pos += size
        else:  # definition message
            local = head & 0x0F
            if pos + 6 > end:
                return None
            big = data[pos + 2] == 1
            gnum = struct.unpack_from(">H" if big else "<H", data, pos + 3)[0]
            nf = data[pos + 5]
            p = pos + 6
            fields = [tuple(data[p + 3 * k : p + 3 * k + 3]) for k in range(nf)]
            p += 3 * nf
            dev = []
            if head & 0x20:
                if p >= end:
                    return None
                nd = data[p]
                dev = [tuple(data[p + 1 + 3 * k : p + 4 + 3 * k]) for k in range(nd)]
                p += 1 + 3 * nd
            if p > end or any(len(f) != 3 for f in fields + dev):
                return None
            m = Message(pos, p, "def", local, fields, dev, big, gnum)
            defs[local] = m
            messages.append(m)
            pos = p
    if pos != end:
        return None
    return Layout(hsize, end, messages)


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


def shrink(data: bytes, limit: int = MAX_BASE_BYTES) -> bytes:
    """A smaller valid FIT file: every definition, the first data messages and the last ones.

    The closing lap/session/activity messages are at the end of a file, so a
    shrunk file still has a session. Files that do not parse are cut to ``limit``.
    """
    if len(data) <= limit:
        return data
    layout = parse_layout(data)
    if layout is None:
        return data[:limit]
    head_budget, tail_budget = int(limit * 0.6), int(limit * 0.35)
    keep = [False] * len(layout.messages)
    used = 0
    for i, m in enumerate(layout.messages):
        if m.kind == "def" or m.definition.global_num in (0, 206, 207):  # file_id, field_description, developer_data_id
            keep[i] = True
            used += m.end - m.start
    size = 0
    for i, m in enumerate(layout.messages):
        if size >= head_budget:
            break
        if not keep[i]:
            keep[i] = True
            size += m.end - m.start
    size = 0
    for i in range(len(layout.messages) - 1, -1, -1):
        m = layout.messages[i]
        if size >= tail_budget:
            break
        if not keep[i]:
            keep[i] = True
            size += m.end - m.start
    pieces = [data[m.start : m.end] for i, m in enumerate(layout.messages) if keep[i]]
    return rebuild(data, layout, pieces)


# --------------------------------------------------------------------------- bases

def base_paths() -> list[Path]:
    """Corpus and sample FIT files (sorted: the fuzz run depends only on the seed)."""
    out = []
    if CORPUS.is_dir():
        out += sorted(p for p in CORPUS.iterdir() if p.suffix.lower() in (".fit", ".gz") and p.is_file())
    if SAMPLE_FIT.is_dir():
        out += sorted(SAMPLE_FIT.rglob("*.fit"))
    return out


def load_bases(paths: list[Path] | None = None, limit: int = MAX_BASE_BYTES) -> list[tuple[str, bytes]]:
    """(name, shrunk bytes) of every readable base file; empty files are kept (they are inputs too)."""
    bases = []
    for p in paths if paths is not None else base_paths():
        data = p.read_bytes()
        if p.suffix.lower() == ".gz":
            try:
                data = gzip.decompress(data)
            except (OSError, EOFError):
                continue
        bases.append((p.name, shrink(data, limit)))
    return bases


# --------------------------------------------------------------------------- mutations

INTERESTING_BYTES = (0x00, 0x01, 0x7F, 0x80, 0xFE, 0xFF, 0x40, 0x20, 0x0E, 0x0C)
ABSURD_TIMESTAMPS = (0, 1, 0x0FFFFFFF, 0x10000000, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFE, 0xFFFFFFFF, 1_000_000_000)
HUGE_SIZES = (0, 0xFFFFFFFF, 0x7FFFFFFF, 0x80000000, 0x10000000)
FIT_BASE_TYPES = (0x00, 0x01, 0x02, 0x83, 0x84, 0x85, 0x86, 0x07, 0x88, 0x89, 0x0A, 0x8B, 0x8C, 0x0D, 0x8E, 0x8F, 0x90)


def _layout_or_none(data: bytes) -> Layout | None:
    try:
        return parse_layout(data)
    except (IndexError, struct.error):
        return None


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
    layout = _layout_or_none(data)
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
    layout = _layout_or_none(data)
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
    layout = _layout_or_none(data)
    if layout is None:
        return m_bytes(data, rng)
    b = bytearray(data)
    spots = []  # (offset, size, big-endian) of every date_time field in data messages
    for m in layout.messages:
        if m.kind != "data" or data[m.start] & 0x80:
            continue
        off = m.start + 1
        for num, size, _base in m.definition.fields:
            if num == 253 or (num in (2, 4) and m.definition.global_num in (18, 19, 34)):  # timestamp, start_time, local_timestamp
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
    layout = _layout_or_none(data)
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
    layout = _layout_or_none(data)
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


SPLICE_BASES: list[tuple[str, bytes]] = []


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


def make_input(i: int, seed: int, bases: list[tuple[str, bytes]]) -> tuple[str, bytes, str]:
    """Input number ``i``: (name, bytes, mutations applied). Depends only on seed, i and bases."""
    global SPLICE_BASES
    SPLICE_BASES = bases
    rng = random.Random(f"{seed}:{i}")
    base_name, data = bases[rng.randrange(len(bases))]
    names = list(WEIGHTS)
    ops = rng.choices(names, weights=[WEIGHTS[n] for n in names], k=rng.choice((1, 1, 1, 2, 2, 3)))
    for op in ops:
        data = MUTATIONS[op](data, rng)
        if len(data) > MAX_INPUT_BYTES:
            data = data[:MAX_INPUT_BYTES]
    fixed = bool(data) and rng.random() < 0.5 and "truncate" not in ops
    if fixed:
        data = repair(data)
    desc = "+".join(ops) + ("+crc" if fixed else "")
    return f"fuzz-{i:06d}-{Path(base_name).stem[:40]}.fit", data, desc


# --------------------------------------------------------------------------- checking one input

class _TimeLimit(Exception):
    pass


def _on_alarm(signum, frame):
    raise _TimeLimit()


def check_decode(data: bytes, name: str, time_limit_s: int = TIME_LIMIT_S) -> tuple[str, str]:
    """Decode ``data`` (and build the importer's tables) -> (outcome, detail).

    outcome is "ok", "partial", "invalid" (a one-line InvalidFitFile naming the
    input) or "BUG:<kind>" with a one-line description.
    """
    from trainlog.errors import InvalidFitFile
    from trainlog.ingest.decode import decode
    from trainlog.ingest.importer import _tables

    use_alarm = time_limit_s and hasattr(signal, "SIGALRM")
    if use_alarm:
        old = signal.signal(signal.SIGALRM, _on_alarm)
        signal.alarm(time_limit_s)
    try:
        try:
            decoded = decode(data, name)
        except InvalidFitFile as exc:
            text = str(exc)
            if "\n" in text or not text.startswith(f"{name}: ") or len(text) > 500:
                return "BUG:message", f"InvalidFitFile message not one short line naming the file: {text[:300]!r}"
            return "invalid", exc.reason
        if decoded.file_type in (None, "activity") and decoded.is_activity:
            sha = hashlib.sha256(data).hexdigest()
            _tables(decoded, sha, "fuzz", dt.datetime.now(dt.UTC))
        return ("partial" if decoded.partial else "ok"), "; ".join(decoded.notes)
    except _TimeLimit:
        return "BUG:timeout", f"no answer within {time_limit_s} s"
    except MemoryError:
        return "BUG:memory", f"MemoryError (limit {MEMORY_LIMIT_BYTES >> 20} MiB)"
    except RecursionError:
        return "BUG:exception", "RecursionError"
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 - this is what we are looking for (pyo3 panics are BaseExceptions)
        tb = traceback.extract_tb(exc.__traceback__)
        where = f"{Path(tb[-1].filename).name}:{tb[-1].lineno}" if tb else "?"
        kind = "BUG:exception" if isinstance(exc, Exception) else "BUG:panic"
        return kind, f"{type(exc).__name__} at {where}: {str(exc)[:200]}".replace("\n", " ")
    finally:
        if use_alarm:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, old)


# --------------------------------------------------------------------------- worker pool

_panics: list[int] = []  # fast-path panics caught (and decoded by fitparse instead), in this worker


def _count_fast_path_panics() -> None:
    """Wrap fastdecode.decode_fast to count fitfast panics: decode() falls back on them, so they are
    not bugs, but each one printed a Rust message on stderr and means a check in the scan is missing."""
    from trainlog.ingest import fit_fast as fastdecode

    real = fastdecode.decode_fast

    def counted(data, name):
        try:
            return real(data, name)
        except fastdecode.Unsupported as exc:
            if str(exc).startswith("fitfast panicked"):
                _panics.append(1)
            raise

    fastdecode.decode_fast = counted


def _worker(conn, seed: int, base_limit: int, time_limit_s: int, memory_limit: int) -> None:
    os.environ.setdefault("POLARS_MAX_THREADS", "1")
    devnull = os.open(os.devnull, os.O_WRONLY)  # a compiled decoder's panic message; the BUG line says it
    os.dup2(devnull, 2)
    try:
        resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
    except (ValueError, OSError):
        pass
    bases = load_bases(limit=base_limit)
    import trainlog.ingest.decode  # noqa: F401 - import before the first clock starts
    import trainlog.ingest.importer  # noqa: F401

    _count_fast_path_panics()
    conn.send(("ready", len(bases)))
    while True:
        try:
            i = conn.recv()
        except EOFError:
            return
        if i is None:
            return
        name, data, ops = make_input(i, seed, bases)
        t0 = time.perf_counter()
        panics = len(_panics)
        outcome, detail = check_decode(data, name, time_limit_s)
        conn.send((i, outcome, detail, time.perf_counter() - t0, ops, len(_panics) > panics))


class _Slot:
    def __init__(self, ctx, args):
        self.ctx, self.args = ctx, args
        self.start()

    def start(self):
        parent, child = self.ctx.Pipe()
        self.proc = self.ctx.Process(target=_worker, args=(child, *self.args), daemon=True)
        self.proc.start()
        child.close()
        self.conn = parent
        msg = self.conn.recv()
        assert msg[0] == "ready", msg
        self.task: int | None = None
        self.deadline = 0.0

    def restart(self):
        try:
            self.proc.kill()
        except OSError:
            pass
        self.proc.join(5)
        self.conn.close()
        self.start()


@dataclass
class Results:
    counts: collections.Counter = field(default_factory=collections.Counter)
    by_op: dict[str, collections.Counter] = field(default_factory=lambda: collections.defaultdict(collections.Counter))
    bugs: list[tuple[int, str, str, str]] = field(default_factory=list)
    slowest: tuple[float, int, str] = (0.0, -1, "")
    total_s: float = 0.0
    invalid_reasons: collections.Counter = field(default_factory=collections.Counter)
    fast_path_panics: list[int] = field(default_factory=list)  # inputs

    def add(self, i, outcome, detail, seconds, ops, panicked=False):
        self.counts[outcome] += 1
        if panicked:
            self.fast_path_panics.append(i)
        for op in ops.split("+"):
            self.by_op[op][outcome if not outcome.startswith("BUG") else "BUG"] += 1
        if outcome.startswith("BUG"):
            self.bugs.append((i, outcome, detail, ops))
        elif outcome == "invalid":
            self.invalid_reasons[detail.split(" (")[0].split(":")[0][:40]] += 1
        self.total_s += seconds
        if seconds > self.slowest[0]:
            self.slowest = (seconds, i, ops)


def run_decode_fuzz(n: int, seed: int, workers: int, base_limit: int, time_limit_s: int, memory_limit: int,
                    progress: bool = True) -> Results:
    ctx = get_context("spawn")
    slots = [_Slot(ctx, (seed, base_limit, time_limit_s, memory_limit)) for _ in range(workers)]
    res = Results()
    todo = iter(range(n))
    done = 0
    hard = time_limit_s + 30  # the alarm fires first; this catches a worker stuck in C code
    t0 = time.monotonic()
    next_report = t0 + 30

    def feed(slot):
        i = next(todo, None)
        slot.task = i
        if i is not None:
            slot.conn.send(i)
            slot.deadline = time.monotonic() + hard

    for s in slots:
        feed(s)
    while any(s.task is not None for s in slots):
        busy = [s for s in slots if s.task is not None]
        timeout = max(0.0, min(s.deadline for s in busy) - time.monotonic())
        ready = connection.wait([s.conn for s in busy], timeout=timeout)
        now = time.monotonic()
        for s in busy:
            if s.conn in ready:
                try:
                    i, outcome, detail, seconds, ops, panicked = s.conn.recv()
                except (EOFError, OSError):
                    code = s.proc.exitcode if s.proc.join(1) is None else None
                    kind = "BUG:memory" if code in (-signal.SIGKILL, -signal.SIGSEGV, -signal.SIGABRT) else "BUG:crash"
                    res.add(s.task, kind, f"worker died (exit code {s.proc.exitcode})", 0.0, "?")
                    s.restart()
                else:
                    res.add(i, outcome, detail, seconds, ops, panicked)
                done += 1
                feed(s)
            elif now >= s.deadline:
                res.add(s.task, "BUG:hang", f"no answer within {hard} s (worker killed)", 0.0, "?")
                s.restart()
                done += 1
                feed(s)
        if progress and now >= next_report:
            rate = done / (now - t0)
            print(f"  ... {done:,}/{n:,} inputs, {rate:.0f}/s, bugs so far {len(res.bugs)}", flush=True)
            next_report = now + 60
    for s in slots:
        try:
            s.conn.send(None)
        except OSError:
            pass
        s.proc.join(5)
        if s.proc.is_alive():
            s.proc.kill()
    return res


# --------------------------------------------------------------------------- end-to-end import sample

def _containers(items: list[tuple[str, bytes]], rng: random.Random, folder: Path) -> None:
    """Write inputs as .fit, .fit.gz (some damaged) and inside zips (some damaged or nested)."""
    k = 0
    while k < len(items):
        name, data = items[k]
        stem = name.removesuffix(".fit")
        how = rng.random()
        if how < 0.55:
            (folder / name).write_bytes(data)
            k += 1
        elif how < 0.75:
            gz = gzip.compress(data, mtime=0)
            if rng.random() < 0.25:
                gz = m_bitflip(gz, rng) if rng.random() < 0.5 else gz[: rng.randrange(len(gz) + 1)]
            (folder / f"{stem}.fit.gz").write_bytes(gz)
            k += 1
        else:
            group = items[k : k + rng.randint(1, 6)]
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
                for j, (n2, d2) in enumerate(group):
                    zf.writestr(f"activities/{n2}" if j % 2 else n2, d2)
                zf.writestr("notes.txt", "not a FIT file")
            blob = buf.getvalue()
            if rng.random() < 0.3:  # nested once
                outer = io.BytesIO()
                with zipfile.ZipFile(outer, "w") as zf:
                    zf.writestr(f"{stem}.zip", blob)
                blob = outer.getvalue()
            if rng.random() < 0.2:
                blob = m_bytes(blob, rng) if rng.random() < 0.5 else blob[: rng.randrange(len(blob) + 1)]
            (folder / f"{stem}-export.zip").write_bytes(blob)
            k += len(group)


def _limit_memory():
    try:
        resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))
    except (ValueError, OSError):
        pass


def run_import_sample(n: int, seed: int, base_limit: int, workdir: Path, batches: int = 4) -> dict:
    """``n`` mutated inputs through ``python -m trainlog import`` (``batches`` runs, then a re-run of all)."""
    import polars as pl

    from trainlog.ingest.importer import OUTCOMES
    from trainlog.store import Store

    bases = load_bases(limit=base_limit)
    rng = random.Random(f"{seed}:import")
    # a separate index range from the decode run, so these are other inputs
    items = [make_input(10_000_000 + i, seed, bases)[:2] for i in range(n)]
    items += [(f"clean-{j}-{nm}", d) for j, (nm, d) in enumerate(rng.sample(bases, min(20, len(bases))))]
    rng.shuffle(items)
    folders = []
    per = -(-len(items) // batches)
    for b in range(batches):
        f = workdir / f"in{b}"
        f.mkdir(parents=True)
        _containers(items[b * per : (b + 1) * per], rng, f)
        folders.append(f)
    data_dir = workdir / "data"
    summary = {"files": 0, "runs": 0, "problems": [], "counts": collections.Counter(), "seconds": 0.0}

    def run(paths):
        t0 = time.perf_counter()
        cmd = [sys.executable, "-m", "trainlog", "import", *map(str, paths), "--json", "--data-dir", str(data_dir),
               "-a", "fuzz", "--workers", "2"]
        try:
            proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=3600,
                                  preexec_fn=_limit_memory, env={**os.environ, "POLARS_MAX_THREADS": "2"})
        except subprocess.TimeoutExpired:
            summary["problems"].append(f"import of {paths} did not finish within an hour")
            return None
        summary["seconds"] += time.perf_counter() - t0
        summary["runs"] += 1
        if "Traceback" in proc.stderr or proc.returncode not in (0, 1):
            summary["problems"].append(f"exit {proc.returncode}: {proc.stderr.strip()[-500:]}")
            return None
        doc = json.loads(proc.stdout)
        for f in doc["files"]:
            if f["outcome"] not in OUTCOMES:
                summary["problems"].append(f"unknown outcome {f}")
            if "\n" in (f.get("detail") or ""):
                summary["problems"].append(f"multi-line detail for {f['file']}")
            if f["outcome"] == "failed" and not f.get("detail"):
                summary["problems"].append(f"failed without a reason: {f['file']}")
            for word in ("decoder error", "cannot store"):  # the importer's catch-alls: a bug underneath
                if word in (f.get("detail") or ""):
                    summary["problems"].append(f"{f['file']}: {f['detail']}")
        return doc

    for f in folders:
        doc = run([f])
        if doc:
            summary["files"] += len(doc["files"])
            summary["counts"].update(x["outcome"] for x in doc["files"])
    store = Store(data_dir)
    tables = {t: store.read(t, "fuzz") for t in ("activities", "samples", "laps", "files")}
    gen = store.generation("fuzz")
    again = run(folders)  # everything a second time: nothing new may be stored
    if again:
        new = [x for x in again["files"] if x["outcome"] == "imported"]
        if new:
            summary["problems"].append(f"re-run imported {len(new)} files again, e.g. {new[0]['file']}")
        if store.generation("fuzz") != gen:
            summary["problems"].append("re-run changed the dataset")
    acts, samples, files = tables["activities"], tables["samples"], tables["files"]
    imported = set(files.filter(pl.col("outcome") == "imported")["file_sha256"])
    if set(acts["file_sha256"]) != imported:
        summary["problems"].append("activities do not match the files the ledger says were imported")
    if acts["activity_id"].n_unique() != acts.height:
        summary["problems"].append("an activity is stored twice")
    per = samples.group_by("activity_id").len()
    joined = acts.select("activity_id", "n_records").join(per, on="activity_id", how="left").fill_null(0)
    if joined.filter(pl.col("n_records") != pl.col("len")).height:
        summary["problems"].append("an activity's samples are incomplete")
    summary["activities"] = acts.height
    summary["samples"] = samples.height
    return summary


# --------------------------------------------------------------------------- command line

def _git_head() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    except OSError:
        return "?"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=50_000, help="decoder inputs [50,000]")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--quick", action="store_true", help="2,000 decoder inputs and 100 import inputs")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--import-n", type=int, default=None, help="inputs through the importer [1,000; --quick 100]")
    ap.add_argument("--time-limit", type=int, default=TIME_LIMIT_S, help="seconds per input [%(default)s]")
    ap.add_argument("--memory-limit-mb", type=int, default=MEMORY_LIMIT_BYTES >> 20)
    ap.add_argument("--base-limit", type=int, default=MAX_BASE_BYTES, help="bases are shrunk to this many bytes")
    ap.add_argument("--replay", type=int, default=None, help="rebuild input I, write it to benchmarks/out/ and decode it here")
    args = ap.parse_args(argv)
    if args.quick:
        args.n = min(args.n, 2_000)
    import_n = args.import_n if args.import_n is not None else (100 if args.quick else 1_000)

    if args.replay is not None:
        bases = load_bases(limit=args.base_limit)
        name, data, ops = make_input(args.replay, args.seed, bases)
        OUT.mkdir(parents=True, exist_ok=True)
        (OUT / name).write_bytes(data)
        print(f"input {args.replay}: {ops}, {len(data)} bytes -> {OUT / name}")
        from trainlog.ingest.decode import decode

        decode(data, name)  # let the traceback show
        print(check_decode(data, name, args.time_limit))
        return 0

    bases = load_bases(limit=args.base_limit)
    if not bases:
        print(f"no base files: neither {CORPUS} nor {SAMPLE_FIT} holds FIT files", file=sys.stderr)
        return 2
    print(f"trainlog fuzz @ {_git_head()}: seed {args.seed}, {args.n:,} decoder inputs from {len(bases)} base files "
          f"(shrunk to <= {args.base_limit:,} bytes), {args.workers} workers, "
          f"limits {args.time_limit} s and {args.memory_limit_mb} MiB per input", flush=True)
    t0 = time.perf_counter()
    res = run_decode_fuzz(args.n, args.seed, args.workers, args.base_limit, args.time_limit,
                          args.memory_limit_mb << 20)
    wall = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"\ndecoder: {args.n:,} inputs in {wall:.0f} s ({args.n / wall:.0f}/s)")
    for outcome in OK_OUTCOMES:
        print(f"  {outcome:<9} {res.counts[outcome]:>7,}")
    bug_total = sum(v for k, v in res.counts.items() if k.startswith("BUG"))
    print(f"  {'BUG':<9} {bug_total:>7,}" + "".join(f"  {k}={v}" for k, v in sorted(res.counts.items()) if k.startswith("BUG")))
    print(f"  slowest input: {res.slowest[0]:.2f} s (input {res.slowest[1]}, {res.slowest[2]}); "
          f"mean {res.total_s / max(1, args.n) * 1000:.1f} ms; peak worker memory {peak_mb:.0f} MiB")
    print("  by mutation (inputs where it was applied):")
    for op in MUTATIONS:
        c = res.by_op.get(op, {})
        print(f"    {op:<13} " + "  ".join(f"{k} {c.get(k, 0):>6,}" for k in (*OK_OUTCOMES, "BUG")))
    print(f"  fitfast panics caught by the fast path (decoded by fitparse instead, not bugs): "
          f"{len(res.fast_path_panics)}" + (f" (inputs {', '.join(map(str, res.fast_path_panics[:10]))})"
                                            if res.fast_path_panics else ""))
    print("  most common InvalidFitFile reasons: " + "; ".join(f"{r} ({c:,})" for r, c in res.invalid_reasons.most_common(5)))
    if res.bugs:
        OUT.mkdir(parents=True, exist_ok=True)
        for i, outcome, detail, ops in res.bugs[:200]:
            name, data, ops2 = make_input(i, args.seed, bases)
            (OUT / name).write_bytes(data)
            (OUT / f"{name}.txt").write_text(f"{outcome}: {detail}\nmutations: {ops2}\nreplay: benchmarks/fuzz.py --seed {args.seed} --replay {i}\n")
        kinds = collections.Counter(d.split(":")[0] for _, _, d, _ in res.bugs)
        print(f"  BUG inputs written to {OUT}/ ; kinds: {dict(kinds.most_common(10))}")
        for i, outcome, detail, ops in res.bugs[:10]:
            print(f"    input {i} ({ops}): {outcome} {detail}")

    problems: list[str] = []
    if import_n:
        with tempfile.TemporaryDirectory(prefix="trainlog-fuzz-") as tmp:
            s = run_import_sample(import_n, args.seed, args.base_limit, Path(tmp))
        print(f"\nimporter: {import_n:,} mutated inputs (+ clean ones) as .fit, .fit.gz and zips -> "
              f"{s['files']:,} files in {s['runs']} runs of 'trainlog import' ({s['seconds']:.0f} s)")
        print("  " + ", ".join(f"{k} {s['counts'].get(k, 0):,}" for k in ("imported", "duplicate", "skipped", "failed")))
        print(f"  dataset: {s.get('activities', 0):,} activities, {s.get('samples', 0):,} samples; "
              f"re-run imported nothing new: {not any('re-run' in p for p in s['problems'])}")
        problems = list(dict.fromkeys(s["problems"]))  # the re-run meets the same files again
        for p in problems[:20]:
            print(f"  PROBLEM {p}")
    ok = not res.bugs and not problems
    print(f"\n{'PASS' if ok else 'FAIL'}: {bug_total} decoder bugs, {len(problems)} importer problems")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

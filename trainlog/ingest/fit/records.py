"""The record messages of a FIT file as NumPy columns, read in place.

Most of a FIT file is its records: thousands of data messages of one or a few
layouts, one after the other at a fixed stride. The framing walk
(:func:`~trainlog.ingest.fit.framing.walk`) already finds those runs without
reading them; :func:`record_columns` reads each field of a run as a strided NumPy view
of the file's bytes, so the record stream costs a few array operations instead
of a message-by-message decode. It gives the columns ``fitfast.records(data,
degrees=False)`` gives for the fields the assembly reads (FIT SDK profile
scale and offset applied, ``raw / scale - offset`` as fitparse computes it;
the invalid value of the base type is NaN; timestamps in s since 1970, UTC),
and is used by the fast path (:mod:`trainlog.ingest.fit.fast`) when the file's
CRC is right and every record layout is as the profile defines it; otherwise
fitfast decodes the records as before. Measured on the 10-year library of
benchmarks/bench_import.py (1-hour runs, 75 kB): ~0.3 ms a file, the file's CRC included
(:func:`~trainlog.ingest.fit.framing.fit_crc`, ~0.01 ms), against fitfast's ~2.9 ms (it decodes every message
of the file).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from trainlog.ingest.fit.framing import FIT_EPOCH_UNIX_S

if TYPE_CHECKING:
    from trainlog.ingest.fit.framing import Definition

#: FIT base types of the record fields read (FIT SDK, "Base Types"): NumPy type and invalid value.
BASE_TYPES = {
    0x01: ("i1", 0x7F),  # sint8
    0x02: ("u1", 0xFF),  # uint8
    0x84: ("u2", 0xFFFF),  # uint16
    0x85: ("i4", 0x7FFFFFFF),  # sint32
    0x86: ("u4", 0xFFFFFFFF),  # uint32
}
#: The record fields the assembly reads (FIT SDK profile, message ``record``): field number -> (name, base type,
#: scale, offset); a value is ``raw / scale - offset``.
RECORD_FIELDS = {
    253: ("timestamp", 0x86, 1, 0),
    0: ("position_lat", 0x85, 1, 0),
    1: ("position_long", 0x85, 1, 0),
    2: ("altitude", 0x84, 5, 500),
    3: ("heart_rate", 0x02, 1, 0),
    4: ("cadence", 0x02, 1, 0),
    5: ("distance", 0x86, 100, 0),
    6: ("speed", 0x84, 1000, 0),
    7: ("power", 0x84, 1, 0),
    13: ("temperature", 0x01, 1, 0),
    53: ("fractional_cadence", 0x02, 128, 0),
    73: ("enhanced_speed", 0x86, 1000, 0),
    78: ("enhanced_altitude", 0x86, 5, 500),
}
#: Scale and offset by field name.
SCALES = {name: scale for name, _, scale, _ in RECORD_FIELDS.values() if scale != 1}
OFFSETS = {name: offset for name, _, _, offset in RECORD_FIELDS.values() if offset}

def layout(d: Definition) -> tuple[np.dtype, dict[str, int]] | None:
    """A record data message of definition ``d`` (its header byte included) as a NumPy structured type of the
    fields read, with each one's invalid value; None when one is not as the profile defines it (another base
    type, an array), which fitfast decodes."""
    names, formats, offsets, invalid = [], [], [], {}
    offset = 1  # the message's header byte
    for number, size, base_type in d.field_list():
        spec = RECORD_FIELDS.get(number)
        if spec is not None:
            name, profile_type = spec[:2]
            code, invalid[name] = BASE_TYPES[profile_type]
            dtype = np.dtype((">" if d.big_endian else "<") + code)
            if base_type != profile_type or size != dtype.itemsize:
                return None
            names.append(name)
            formats.append(dtype)
            offsets.append(offset)
        offset += size
    # a message's whole length: developer fields follow the fields
    return np.dtype({"names": names, "formats": formats, "offsets": offsets, "itemsize": 1 + d.size}), invalid


def record_columns(data: bytes, runs: list[tuple[int, int, Definition]], n_records: int) -> dict[str, np.ndarray] | None:
    """The read fields of the ``n_records`` record messages as float64 columns (NaN: invalid or not in a
    message's layout), from the walk's ``runs`` (offset, count, definition) in file order; None when the runs
    do not hold every record (a compressed timestamp header) or a layout is not one :func:`layout` reads.

    Each definition's runs are one structured array (views of the bytes, joined); with several record
    definitions, each one's rows go to their places in file order."""
    groups: dict[int, tuple[Definition, list[tuple[int, int]], list[int]]] = {}
    at = 0
    for pos, count, d in runs:
        group = groups.setdefault(id(d), (d, [], []))
        group[1].append((pos, count))
        group[2].append(at)
        at += count
    if at != n_records:
        return None
    cols: dict[str, np.ndarray] = {}
    for d, spans, starts in groups.values():
        read = layout(d)
        if read is None:
            return None
        dtype, invalid = read
        whole = np.dtype((np.void, dtype.itemsize))  # joined as plain bytes (joining structured arrays is slow)
        table = np.concatenate([np.frombuffer(data, whole, count, pos) for pos, count in spans]).view(dtype)
        rows = None if len(groups) == 1 else np.concatenate(
            [np.arange(start, start + count) for (_, count), start in zip(spans, starts, strict=True)])
        for name in dtype.names:
            raw = table[name]
            values = raw.astype(np.float64)
            values[raw == invalid[name]] = np.nan
            if rows is None:
                cols[name] = values
            else:
                cols.setdefault(name, np.full(n_records, np.nan))[rows] = values
    for name, column in cols.items():
        if name in SCALES:
            np.divide(column, SCALES[name], out=column)
        if name in OFFSETS:
            np.subtract(column, OFFSETS[name], out=column)
    if "timestamp" in cols:
        np.add(cols["timestamp"], FIT_EPOCH_UNIX_S, out=cols["timestamp"])
    return cols

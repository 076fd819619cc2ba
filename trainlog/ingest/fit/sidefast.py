"""The fast path's side messages through ``fitfast.parse``, as fitparse would give them to the assembly.

:func:`~trainlog.ingest.fit.fast.decode_fast` cuts a small FIT file of side messages
(file_id, the creator's device_info, session, lap, activity, ...) out of the original.
:func:`side_messages` decodes it with ``fitfast.parse`` (raw enums, FIT times as Unix
seconds) and rebuilds, for each message, the values :mod:`.assemble` reads, as
fitparse renders them, from fitparse's own profile:

- times are given as raw FIT seconds (the assembly reads them as fitparse's datetimes,
  and flags the same relative times);
- enums (sport, manufacturer, device_index, file type...) take fitparse's profile names,
  an unknown value stays a number; ``product`` resolves to fitparse's subfield
  (``garmin_product``, ``favero_product``) from the manufacturer, as fitparse does;
- scaled values are re-derived from their raw integer (``float(raw) / scale - offset``);
- a lap's ``enhanced_avg_speed`` expanded from ``avg_speed`` is ``avg_speed``'s value.

It returns None, and the caller decodes the side file with fitparse as before, for
anything it does not vouch for: a message kind other than those five (developer
field descriptions, wellness messages), a ``product_name`` string, a value that is an
array or a string, or a file fitfast refuses. What the scan must tell it (a field defined
twice, developer fields, a lap with both speeds, the creator's device_info before the
file_id) is its ``exact`` flag.
"""

from __future__ import annotations

import struct
from typing import Any

from trainlog.ingest.fit.framing import FIT_EPOCH_UNIX_S, fit_crc

#: fitfast.parse's message kinds the assembly reads, with FIT global message numbers.
KINDS = {"file_id": 0, "device_info": 23, "session": 18, "lap": 19, "activity": 34}
_TOTALS = (
    "start_time", "timestamp", "total_elapsed_time", "total_timer_time", "total_distance", "total_ascent",
    "total_descent", "total_calories", "avg_heart_rate", "max_heart_rate",
)
#: The fields the assembly reads, per kind (fitparse profile names).
READ = {
    "file_id": ("type", "manufacturer", "product", "serial_number"),
    "device_info": ("device_index", "manufacturer", "product", "serial_number"),
    "session": (*_TOTALS, "sport", "sub_sport"),
    "lap": (*_TOTALS, "avg_speed", "enhanced_avg_speed"),
    "activity": ("timestamp", "local_timestamp"),
}
#: Fields whose presence sends the side file to fitparse (strings are not compared).
REFUSED = frozenset({"product_name"})
DATE_TYPES = frozenset({"date_time", "local_date_time"})


class _Message:
    """The part of a fitparse DataMessage the assembly reads: name, mesg_num, fields, get_values()."""

    __slots__ = ("name", "mesg_num", "values", "fields")

    def __init__(self, name: str, mesg_num: int, values: dict[str, Any]) -> None:
        self.name = name
        self.mesg_num = mesg_num
        self.values = values
        self.fields = values  # as many as the values: no field twice

    def get_values(self) -> dict[str, Any]:
        return self.values


def _converters() -> dict[str, dict[str, Any]]:
    """Per kind and field: fitparse's profile Field."""
    from fitparse.profile import MESSAGE_TYPES

    out: dict[str, dict[str, Any]] = {}
    for kind, names in READ.items():
        fields = {f.name: f for f in MESSAGE_TYPES[KINDS[kind]].fields.values()}
        out[kind] = {n: fields[n] for n in names}
    return out


_FIELDS = _converters()
#: The field numbers read, per FIT global message number.
READ_NUMBERS = {KINDS[kind]: frozenset(f.def_num for f in fields.values()) for kind, fields in _FIELDS.items()}
#: Bytes of one value of each FIT base type (base type number & 0x1F), and the base type byte
#: (fitparse knows a base type by its whole byte: 0x0C for 0x8C is an array of bytes to it).
BASE_SIZES = (1, 1, 1, 2, 2, 4, 4, 1, 4, 8, 1, 2, 4, 1, 8, 8, 8)
BASE_BYTES = (0x00, 0x01, 0x02, 0x83, 0x84, 0x85, 0x86, 0x07, 0x88, 0x89, 0x0A, 0x8B, 0x8C, 0x0D, 0x8E, 0x8F, 0x90)
LAP_AVG_SPEED, LAP_ENHANCED_AVG_SPEED = 13, 110


def vouches_for(d: Any, developer_fields: bool) -> bool:
    """Whether a side message definition can go through :func:`side_messages`: no developer fields, no
    field twice, no lap with both speeds, and every field read of its base type's size (fitparse reads a
    longer one as an array, fitfast not at all)."""
    numbers = d.fields[0::3]
    if developer_fields or len(set(numbers)) != len(numbers):
        return False
    if d.global_num == KINDS["lap"] and LAP_AVG_SPEED in numbers and LAP_ENHANCED_AVG_SPEED in numbers:
        return False
    read = READ_NUMBERS.get(d.global_num, frozenset())
    return not any(
        n in read and (b not in BASE_BYTES or size != BASE_SIZES[b & 0x1F]) for n, size, b in d.field_list()
    )


class _NotExact(Exception):
    pass


def _render(field: Any, value: Any) -> Any:
    """fitparse's value of a field from fitfast's (raw enums, Unix times, scaled numbers)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _NotExact
    type_name = field.type.name
    if type_name in DATE_TYPES:
        if not isinstance(value, int):
            raise _NotExact
        return value - FIT_EPOCH_UNIX_S  # raw FIT seconds: the assembly reads them as fitparse's datetimes
    values = getattr(field.type, "values", None)
    if values:
        if not isinstance(value, int):
            raise _NotExact
        return values.get(value, value)
    scale, offset = field.scale, field.offset
    if scale or offset:
        raw = round((value + (offset or 0)) * (scale or 1))
        out: Any = raw
        if scale:
            out = float(out) / scale
        if offset:
            out = out - offset
        return out
    if not isinstance(value, int):
        raise _NotExact
    return value


def _product(field: Any, value: Any, manufacturer: Any) -> tuple[str, Any]:
    """fitparse's name and value of the product field: a subfield chosen by the manufacturer."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise _NotExact
    for sub in field.subfields or ():
        for ref in sub.ref_fields:
            if ref.name == "manufacturer" and manufacturer == ref.raw_value:
                values = getattr(sub.type, "values", None) or {}
                if sub.scale or sub.offset:
                    raise _NotExact
                return sub.name, values.get(value, value)
    return "product", value


def _adapt(kind: str, raw: dict[Any, Any]) -> dict[str, Any]:
    fields = _FIELDS[kind]
    out: dict[str, Any] = {}
    if REFUSED.intersection(raw):
        raise _NotExact
    for name, field in fields.items():
        value = raw.get(name)
        if value is None:
            continue
        if name == "product":
            key, rendered = _product(field, value, raw.get("manufacturer"))
            out[key] = rendered
        else:
            out[name] = _render(field, value)
    if kind == "lap" and "avg_speed" in raw:
        # fitparse expands avg_speed into enhanced_avg_speed with the component's scale (1000, as
        # avg_speed's): fitfast's expansion can be one raw unit low; the scan refuses laps defining both
        out["enhanced_avg_speed"] = out["avg_speed"]
    return out


def side_messages(side: bytes) -> list[_Message] | None:
    """The side file's messages the assembly reads, as fitparse gives them; None when not vouched for.

    ``side`` is the side file made by the scan (original header, no file CRC).
    """
    try:
        import fitfast
    except ImportError:
        return None
    header_size = side[0]
    # a 12-byte header (fitfast refuses a 14-byte one whose CRC is 0) and the file CRC
    body = bytes([12]) + side[1:12] + side[header_size:]
    body += struct.pack("<H", fit_crc(body))
    try:
        parsed = fitfast.parse(body, enum_names=False, datetimes=False)
    except Exception:  # FitDecodeError: fitparse decides
        return None
    except BaseException as exc:  # a Rust panic
        if type(exc).__name__ != "PanicException":
            raise
        return None
    if not parsed or any(kind not in KINDS for kind in parsed):
        return None
    out: list[_Message] = []
    try:
        for kind, num in KINDS.items():  # the scan vouched that the file_ids come before the creator's device_info
            out.extend(_Message(kind, num, _adapt(kind, raw)) for raw in parsed.get(kind, ()))
    except _NotExact:
        return None
    return out or None

"""Calendar days that come from people (CLI options, URL parameters, form fields).

One rule for all of them: ``YYYY-MM-DD``, between :data:`MIN_DAY` and
:data:`MAX_DAY`. Anything else is an :class:`~trainlog.errors.InvalidValue`
with a one-line message, never a traceback or an absurd computation (a daily
series from year 1 to year 9999 is millions of rows).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from trainlog.errors import InvalidValue
from trainlog.text import quoted

#: The earliest and latest day trainlog accepts from a person (GPS watches: 1989 on; plans: this century).
MIN_DAY = dt.date(1970, 1, 1)
MAX_DAY = dt.date(2100, 12, 31)


def parse_day(text: object, what: str = "date") -> dt.date:
    """``text`` (``YYYY-MM-DD``, or a date) as a date within the supported range.

    Raises :class:`InvalidValue` naming ``what`` and the value.

    >>> parse_day("2026-03-15")
    datetime.date(2026, 3, 15)
    """
    if isinstance(text, dt.datetime):
        day = text.date()
    elif isinstance(text, dt.date):
        day = text
    else:
        raw = str(text).strip()
        try:  # a day, or the day of a timestamp (date pickers send "2026-03-15T00:00:00")
            if len(raw) < 10 or (len(raw) > 10 and raw[10] not in "T "):
                raise ValueError
            day = dt.date.fromisoformat(raw[:10])
        except ValueError:
            raise InvalidValue(f"{what} {quoted(raw)} is not a date (YYYY-MM-DD)") from None
    if not MIN_DAY <= day <= MAX_DAY:
        raise InvalidValue(f"{what} {day.isoformat()} is outside the supported range {MIN_DAY} to {MAX_DAY}")
    return day


def clamp_day(day: dt.date, low: dt.date, high: dt.date) -> dt.date:
    """``day`` moved into ``[low, high]`` (``low`` wins when the range is empty)."""
    return max(low, min(day, high))



def parse_local_time(text: object, what: str = "start") -> dt.datetime:
    """A local date and time people type, ``YYYY-MM-DD HH:MM`` (or ``T`` between, seconds allowed), as a naive
    datetime within the supported days; InvalidValue (one line) otherwise.

    >>> parse_local_time("2026-03-02 18:30")
    datetime.datetime(2026, 3, 2, 18, 30)
    """
    raw = str(text).strip()
    try:
        if len(raw) < 16 or raw[10] not in "T ":
            raise ValueError
        when = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise InvalidValue(f"{what} {quoted(raw)} is not a local date and time (YYYY-MM-DD HH:MM)") from None
    if when.tzinfo is not None:
        raise InvalidValue(f"{what} {quoted(raw)}: give the local time without a UTC offset")
    parse_day(when.date(), what)
    return when


def parse_duration(text: object, what: str = "duration") -> float:
    """A duration people type, ``H:MM`` or ``H:MM:SS`` (``1:05:30``), in seconds; InvalidValue (one line) for
    anything else, minutes or seconds of 60 or more, or no time at all.

    >>> parse_duration("1:30"), parse_duration("0:45:10")
    (5400.0, 2710.0)
    """
    raw = str(text).strip()
    parts = raw.split(":")
    if len(parts) not in (2, 3) or not all(p.isdigit() and p.isascii() for p in parts) \
            or any(len(p) != 2 for p in parts[1:]) or len(parts[0]) > 4:
        raise InvalidValue(f"{what} {quoted(raw)} is not a duration: give H:MM or H:MM:SS (e.g. 1:30 or 0:45:10)")
    hours, minutes, seconds = (int(p) for p in (*parts, "0")[:3])
    if minutes >= 60 or seconds >= 60:
        raise InvalidValue(f"{what} {quoted(raw)}: minutes and seconds run from 00 to 59")
    total = hours * 3600.0 + minutes * 60.0 + seconds
    if total <= 0:
        raise InvalidValue(f"{what} {quoted(raw)} is no time at all")
    return total


def machine_offset_s(when: dt.datetime) -> int:
    """The machine's UTC offset (s) at the aware instant ``when``."""
    offset = when.astimezone().utcoffset()
    return int(offset.total_seconds()) if offset is not None else 0


def zone_offset_s(when: dt.datetime, timezone: str | None) -> int:
    """UTC offset (s) at the aware instant ``when`` in ``timezone`` (IANA name), else the machine's zone."""
    if timezone:
        offset = when.astimezone(zoneinfo.ZoneInfo(timezone)).utcoffset()
        return int(offset.total_seconds()) if offset is not None else 0
    return machine_offset_s(when)


def local_offset_s(local: dt.datetime, timezone: str | None) -> int:
    """The UTC offset (s east) of a naive local time in ``timezone`` (IANA name), else the machine's zone."""
    aware = local.replace(tzinfo=zoneinfo.ZoneInfo(timezone)) if timezone else local.astimezone()
    offset = aware.utcoffset()
    return int(offset.total_seconds()) if offset is not None else 0

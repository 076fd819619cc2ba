"""Calendar days that come from people (CLI options, URL parameters, form fields).

One rule for all of them: ``YYYY-MM-DD``, between :data:`MIN_DAY` and
:data:`MAX_DAY`. Anything else is an :class:`~trainlog.errors.InvalidValue`
with a one-line message, never a traceback or an absurd computation (a daily
series from year 1 to year 9999 is millions of rows).
"""

from __future__ import annotations

import datetime as dt

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


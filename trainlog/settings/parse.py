"""What people type, read: a pace (``M:SS`` or seconds) and a number (a form field).

One parser of each for every shell: ``trainlog athlete set`` and the dashboard's
Settings page both read through these. They only read; the ranges are the
settings' business (:data:`trainlog.settings.ranges.RANGES`).
"""

from __future__ import annotations

import re

from trainlog.errors import SettingsError
from trainlog.settings.ranges import RANGES
from trainlog.text import quoted

_PACE = re.compile(r"(\d{1,3}):([0-5]\d(?:\.\d+)?)|(\d{1,5}(?:\.\d+)?)")


def parse_pace(text: object, name: str = "threshold_pace_s_per_km") -> float | None:
    """A pace people type, ``"M:SS"`` (``"4:30"``) or seconds (``"270"``), in seconds per unit; empty: None.

    The CLI reads it per km, the dashboard per km or per mile (it converts). Refuses
    garbage, negatives, seconds of 60 or more and 0 with a :class:`SettingsError`
    naming ``name``; the range of a stored pace is checked by the settings
    (:data:`RANGES`).

    >>> parse_pace("4:30"), parse_pace("270")
    (270.0, 270.0)
    """
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    raw = str(text).strip()
    match = _PACE.fullmatch(raw)
    if match is None:
        raise SettingsError(f"{name} {quoted(raw)} is not a pace: give M:SS (e.g. 4:30) or seconds (e.g. 270)")
    minutes, seconds, plain = match.groups()
    value = float(plain) if plain is not None else int(minutes) * 60 + float(seconds)
    if value <= 0:
        rule = RANGES.get(name)
        raise SettingsError(f"{name} 0 is out of range {rule.text()}" if rule else f"{name} must be above 0")
    return value


def parse_number(text: object, name: str) -> float | None:
    """A number people type (a form field): ``None`` when empty; SettingsError naming ``name`` when unreadable.

    Ranges are the settings' business (:data:`RANGES`); this only reads.
    """
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    if isinstance(text, bool):
        raise SettingsError(f"{name} {quoted(text)} is not a number")
    if isinstance(text, (int, float)):
        try:
            return float(text)
        except OverflowError:  # an int of hundreds of digits (a forged form value)
            raise SettingsError(f"{name} {quoted(text)} is not a number of a sensible size") from None
    try:
        return float(str(text).strip())  # no thousands separators: "1,5" is not 15
    except ValueError:
        raise SettingsError(f"{name} {quoted(text)} is not a number") from None

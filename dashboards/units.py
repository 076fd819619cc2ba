"""Display units and number formatting: metric by default, imperial (mi, ft) on request.

Values arrive in the library's units (m, s, s/km) and leave as numbers or text
in the chosen system; durations read ``"58 h 01 min"`` and dates ``"Sun 15 Mar 2026"``
(:func:`fmt_duration`, :func:`fmt_day`: the one format of every date on screen).
"""

from __future__ import annotations

import datetime as dt
import math
import zoneinfo
from typing import TYPE_CHECKING, TypeVar

from trainlog.units import M_PER_FT, M_PER_KM, M_PER_MI

if TYPE_CHECKING:
    import polars as pl

METRIC, IMPERIAL = "metric", "imperial"
SYSTEMS = (METRIC, IMPERIAL)
DASH = "–"
#: Day and month names on screen (English, whatever the machine's locale).
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
#: A quantity the conversions take and give back in kind: a number, a Polars series or expression.
Quantity = TypeVar("Quantity", float, "pl.Series", "pl.Expr")


def system(value: str | None) -> str:
    """A valid unit system name (metric unless ``value`` is ``"imperial"``)."""
    return IMPERIAL if value == IMPERIAL else METRIC


def distance_unit(units: str) -> str:
    """``"mi"`` or ``"km"``."""
    return "mi" if units == IMPERIAL else "km"


def elevation_unit(units: str) -> str:
    """``"ft"`` or ``"m"``."""
    return "ft" if units == IMPERIAL else "m"


def distance(metres: Quantity, units: str) -> Quantity:
    """Metres -> km or mi (scalars, Polars series or expressions)."""
    return metres / (M_PER_MI if units == IMPERIAL else M_PER_KM)


def elevation(metres: Quantity, units: str) -> Quantity:
    """Metres -> m or ft (scalars, Polars series or expressions)."""
    return metres / M_PER_FT if units == IMPERIAL else metres


def distance_m(value: float, units: str) -> float:
    """A distance typed in km or mi -> metres (the inverse of :func:`distance`)."""
    return value * (M_PER_MI if units == IMPERIAL else M_PER_KM)


def elevation_m(value: float, units: str) -> float:
    """A height typed in m or ft -> metres (the inverse of :func:`elevation`)."""
    return value * M_PER_FT if units == IMPERIAL else value


def missing(value: object) -> bool:
    """None or NaN: shown as a dash."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def number(value: float | None, digits: int = 0) -> str:
    """``1234.6`` -> ``"1,235"`` (exact halves round to even: ``1234.5`` -> ``"1,234"``); None or NaN -> an en dash."""
    return DASH if missing(value) else f"{value:,.{digits}f}"


def fmt_distance(metres: float | None, units: str, digits: int = 1) -> str:
    """Metres -> ``"12.3 km"`` or ``"7.6 mi"``."""
    return DASH if missing(metres) else f"{number(distance(metres, units), digits)} {distance_unit(units)}"


def fmt_elevation(metres: float | None, units: str) -> str:
    """Metres -> ``"1,234 m"`` or ``"4,049 ft"``."""
    return DASH if missing(metres) else f"{number(elevation(metres, units))} {elevation_unit(units)}"


def fmt_duration(seconds: float | None) -> str:
    """Seconds -> ``"58 h 01 min"`` (hours and minutes, never read as minutes:seconds); ``"45 min"`` under an hour."""
    if missing(seconds):
        return DASH
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def fmt_day(day: dt.date | str | None) -> str:
    """A local date as every page shows it: ``"Sun 15 Mar 2026"`` (an ISO string is read first; None: a dash).

    The names are English whatever the machine's locale; URLs and inputs keep ISO dates.
    """
    if day is None or day == "":
        return DASH
    if isinstance(day, str):
        day = dt.date.fromisoformat(day[:10])
    if isinstance(day, dt.datetime):
        day = day.date()
    return f"{WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]} {day.year}"


def local_day(moment: dt.datetime | str, timezone: str | None = None) -> dt.date:
    """The local date of a UTC moment (an aware datetime or its ISO string) in ``timezone``
    (an IANA name; the machine's zone when None): what a page shows instead of a UTC clock time."""
    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(zoneinfo.ZoneInfo(timezone) if timezone else None).date()


def fmt_moment(moment: dt.datetime, timezone: str | None = None) -> str:
    """A UTC moment (aware; naive is read as UTC) as local date and clock time in ``timezone`` (IANA; the
    machine's zone when None): ``"Sun 15 Mar 2026 18:05"``."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    local = moment.astimezone(zoneinfo.ZoneInfo(timezone) if timezone else None)
    return f"{fmt_day(local.date())} {local:%H:%M}"


def fmt_pace(s_per_km: float | None, units: str) -> str:
    """Seconds per km -> ``"5:30 /km"`` or ``"8:51 /mi"``."""
    if missing(s_per_km) or s_per_km <= 0:
        return DASH
    seconds = round(s_per_km * (M_PER_MI / M_PER_KM if units == IMPERIAL else 1.0))
    return f"{seconds // 60}:{seconds % 60:02d} /{distance_unit(units)}"

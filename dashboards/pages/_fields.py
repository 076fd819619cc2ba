"""The Settings page's numeric fields: their labels (unit and range in the page's units) and what was typed, read.

Shared by the page's two forms (the athlete's values and goal in :mod:`dashboards.pages.settings`, the dated
changes in :mod:`dashboards.pages._thresholds`). Every value is read by the library's parsers
(:func:`trainlog.settings.edit.read_value`: ``M:SS`` per km or per mile for a pace, a number otherwise, the unit
of the page converted to the stored one) and checked against :data:`trainlog.settings.RANGES`, shown in the
units of the page. Dash skips modules whose name starts with ``_``: this one registers no page.
"""

from __future__ import annotations

from dashboards import units as u
from trainlog.errors import SettingsError
from trainlog.settings import RANGES
from trainlog.settings.edit import factor, read_value

#: Numeric fields: their label on the page and the setting of :data:`trainlog.settings.RANGES` they hold.
NUMBERS = {
    "hr_max": ("Max heart rate", "hr_max_bpm"),
    "hr_rest": ("Resting heart rate", "hr_rest_bpm"),
    "lthr": ("Threshold heart rate", "lthr_bpm"),
    "pace": ("Threshold pace on the flat", "threshold_pace_s_per_km"),
    "ftp": ("FTP", "ftp_w"),
    "weight": ("Body weight", "weight_kg"),
    "goal_ascent": ("Ascent", "goal.ascent_m"),
    "goal_distance": ("Distance", "goal.distance_m"),
    "goal_hours": ("Time limit", "goal.time_limit_h"),
    "goal_loops": ("Loops", "goal.loops"),
}


def typed_unit(key: str, units: str) -> str | None:
    """The unit a numeric field is typed in (:data:`trainlog.settings.edit.UNITS`); None: the stored one."""
    imperial = units == u.IMPERIAL
    return {
        "pace": "s/mi" if imperial else None,
        "goal_ascent": "ft" if imperial else None,
        "goal_distance": "mi" if imperial else "km",
    }.get(key)


def scale(key: str, units: str) -> tuple[str, float]:
    """A numeric field's unit in ``units`` as the label shows it, and the factor from it to the stored unit
    (body weight is kg in both systems: the library takes no other unit for it)."""
    shown = {
        "hr_max": "bpm", "hr_rest": "bpm", "lthr": "bpm", "pace": f"min:s per {u.distance_unit(units)}",
        "ftp": "W", "weight": "kg",
        "goal_ascent": u.elevation_unit(units), "goal_distance": u.distance_unit(units), "goal_hours": "h",
        "goal_loops": "",
    }[key]
    return shown, factor(NUMBERS[key][1], typed_unit(key, units))


def _limit(value: float) -> str:
    """A range's end as a label shows it: ``0.5``, ``250``, ``328,084``."""
    value = round(value, 1) if abs(value) < 10 else round(value)
    return format(int(value) if value == int(value) else value, ",")


def limits(key: str, units: str) -> str:
    """The allowed range of a numeric field in ``units``: ``"100–250"``, ``"3:13–24:08"``."""
    rule = RANGES[NUMBERS[key][1]]
    if key == "pace":
        return f"{pace_text(rule.low, units)}–{pace_text(rule.high, units)}"
    factor = scale(key, units)[1]
    return f"{_limit(rule.low / factor)}–{_limit(rule.high / factor)}"


def label(key: str, units: str) -> str:
    """A numeric field's label with its unit and range: ``"Max heart rate (bpm, 100–250)"``."""
    unit = scale(key, units)[0]
    return f"{NUMBERS[key][0]} ({unit + ', ' if unit else ''}{limits(key, units)})"


def pace_text(s_per_km: float | None, units: str) -> str | None:
    """Seconds per km -> ``"4:30"`` per km (per mile in imperial), as the form shows it."""
    if s_per_km is None:
        return None
    return u.fmt_pace(s_per_km, units).split(" ")[0]


def _typed(value: object) -> str:
    """What someone typed, as a message shows it (cut, control characters escaped)."""
    text = str(value).strip()
    text = text if len(text) <= 20 else text[:20] + "..."
    return text if text.isprintable() and text else repr(text)


def read_number(key: str, raw: object, units: str) -> float | int | None:
    """A numeric field's value in the stored unit, checked against RANGES; None when empty.

    SettingsError naming the field, what was typed and the range in ``units``.
    """
    name, setting = NUMBERS[key][0], NUMBERS[key][1]
    unit = scale(key, units)[0]
    rule = RANGES[setting]
    try:
        value = read_value(setting, raw, typed_unit(key, units))
    except SettingsError:
        what = "a pace (M:SS, e.g. 4:30)" if key == "pace" else "a number"
        raise SettingsError(f"{name} {_typed(raw)} is not {what}; allowed: {limits(key, units)} {unit}".rstrip()) from None
    if value is None:
        return None
    try:
        return rule.check(setting, value)
    except SettingsError:
        whole = ", whole numbers" if rule.integer else ""
        raise SettingsError(f"{name} {_typed(raw)} is out of range {limits(key, units)} {unit}".rstrip() + whole) from None

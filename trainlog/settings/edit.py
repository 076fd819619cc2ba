"""One edit of an athlete's settings, as ``trainlog athlete set`` and the dashboard's Settings page make it.

Both shells read what people type with :func:`read_value` (the one pace parser
and the one number parser of :mod:`trainlog.settings.parse`, then the unit
typed converted to the stored one by :func:`to_stored`) and apply the result
with :func:`edited`, which builds the new settings (and so checks them whole)
or raises :class:`~trainlog.errors.SettingsError`; nothing is saved here.

Settings are named as in ``settings.json`` and :data:`~trainlog.settings.ranges.RANGES`:
``hr_max_bpm``, ``threshold_pace_s_per_km``, ``goal.distance_m``, ...
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping

from trainlog.errors import SettingsError
from trainlog.settings.model import AthleteSettings, Goal
from trainlog.settings.parse import parse_number, parse_pace
from trainlog.text import quoted
from trainlog.units import M_PER_FT, M_PER_KM, M_PER_MI

#: The units a setting may be typed in, other than its stored one, and the factor from each to the stored unit
#: (a pace is typed per km or per mile and stored in s/km; a distance in km or mi and stored in m).
UNITS: dict[str, dict[str, float]] = {
    "threshold_pace_s_per_km": {"s/km": 1.0, "s/mi": M_PER_KM / M_PER_MI},
    "goal.ascent_m": {"m": 1.0, "ft": M_PER_FT},
    "goal.distance_m": {"m": 1.0, "km": M_PER_KM, "mi": M_PER_MI},
}

#: The athlete's own values, by name (``None``: unknown, the default is used).
ATHLETE_FIELDS: tuple[str, ...] = tuple(
    f.name for f in dataclasses.fields(AthleteSettings) if f.name not in ("goal", "model")
)
#: Every setting an edit may change or reset: the athlete's values and the goal's as ``goal.<name>``
#: (the model's constants are edited in ``settings.json`` only).
EDITABLE: tuple[str, ...] = ATHLETE_FIELDS + tuple(f"goal.{f.name}" for f in dataclasses.fields(Goal))


def factor(name: str, unit: str | None) -> float:
    """The factor from ``unit`` to setting ``name``'s stored unit (1 for ``None``); SettingsError for a unit it has not."""
    if unit is None:
        return 1.0
    try:
        return UNITS[name][unit]
    except KeyError:
        raise SettingsError(f"{name} cannot be given in {quoted(unit)}") from None


def to_stored(name: str, value: float, unit: str | None = None) -> float:
    """``value`` of setting ``name`` given in ``unit`` (km, mi, ft, s/mi), in its stored unit (m, s/km);
    ``unit=None``: already stored-unit, returned as it is."""
    return value if unit is None else value * factor(name, unit)


def read_value(name: str, text: object, unit: str | None = None) -> float | None:
    """What a person typed for setting ``name`` (in ``unit``), in the stored unit; ``None`` when empty.

    A pace (``threshold_pace_s_per_km``) is read by :func:`~trainlog.settings.parse.parse_pace`
    (``M:SS`` or seconds), any other number by :func:`~trainlog.settings.parse.parse_number`.
    Raises SettingsError naming ``name`` when it does not read; the range is not
    checked here (the settings check it when built, see :func:`edited`).
    """
    value = parse_pace(text, name) if name == "threshold_pace_s_per_km" else parse_number(text, name)
    return None if value is None else to_stored(name, value, unit)


def check_name(name: str) -> str:
    """``name`` if an edit may change or reset it (:data:`EDITABLE`), else SettingsError."""
    if name not in EDITABLE:
        raise SettingsError(f"unknown setting {name!r}")
    return name


def edited(current: AthleteSettings, changes: Mapping[str, object], reset: Iterable[str] = ()) -> AthleteSettings:
    """``current`` with ``changes`` (setting name -> new value, in the stored unit) applied, then every
    setting named in ``reset`` back to its default; everything else, the model's constants included, kept.

    Values are what the settings hold: ``None`` for an unknown athlete value, a
    :class:`datetime.date` for ``goal.date``. Raises SettingsError for a name not
    in :data:`EDITABLE` and for settings that do not pass their checks
    (:data:`~trainlog.settings.ranges.RANGES`, rest < threshold <= max, ...).
    """
    values = {check_name(name): value for name, value in changes.items()}
    defaults_athlete, defaults_goal = AthleteSettings(), Goal()
    for name in reset:
        check_name(name)
        if name.startswith("goal."):
            values[name] = getattr(defaults_goal, name[len("goal."):])
        else:
            values[name] = getattr(defaults_athlete, name)
    goal = {name[len("goal."):]: value for name, value in values.items() if name.startswith("goal.")}
    athlete = {name: value for name, value in values.items() if not name.startswith("goal.")}
    return dataclasses.replace(current, **athlete, goal=dataclasses.replace(current.goal, **goal))

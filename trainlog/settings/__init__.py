"""An athlete's settings: the sports model's constants, the goal, and the file that keeps them.

Every sports constant is a named field of :class:`ModelSettings` with its range in
:data:`RANGES`; :class:`AthleteSettings` adds the athlete (thresholds, time zone)
and the :class:`Goal`.
"""

from trainlog.settings.model import (
    RANGES,
    AthleteSettings,
    Goal,
    ModelSettings,
    Range,
    Resolved,
    load_settings,
    parse_number,
    parse_pace,
    save_settings,
)

__all__ = [
    "RANGES",
    "AthleteSettings",
    "Goal",
    "ModelSettings",
    "Range",
    "Resolved",
    "load_settings",
    "parse_number",
    "parse_pace",
    "save_settings",
]

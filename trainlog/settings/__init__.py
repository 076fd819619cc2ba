"""An athlete's settings: the sports model's constants, the goal, and the file that keeps them.

Every sports constant is a named field of :class:`ModelSettings` with its range in
:data:`RANGES`; :class:`AthleteSettings` adds the athlete (thresholds, time zone)
and the :class:`Goal`.

- :mod:`~trainlog.settings.model`: the dataclasses (``Goal``, ``ModelSettings``, ``AthleteSettings``).
- :mod:`~trainlog.settings.ranges`: :data:`RANGES` and the checks every dataclass runs.
- :mod:`~trainlog.settings.parse`: what people type (a pace, a number).
- :mod:`~trainlog.settings.edit`: one edit of an athlete's settings, as the CLI and the dashboard make it.
- :mod:`~trainlog.settings.file`: ``settings.json``, loaded and saved.
"""

from trainlog.settings.file import load_settings, save_settings
from trainlog.settings.model import AthleteSettings, Goal, ModelSettings, Resolved
from trainlog.settings.parse import parse_number, parse_pace
from trainlog.settings.ranges import RANGES, Range

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

"""An athlete's settings as ``trainlog athlete show`` prints them: the values in use, the goal, every model constant.

:func:`settings_lines` marks the athlete's values that fell back to a default and
the model's constants that differ from theirs (shared/METRICS.md names each).
"""

from __future__ import annotations

import dataclasses

from trainlog.settings.model import AthleteSettings, ModelSettings
from trainlog.text import printable


def settings_lines(athlete: str, settings: AthleteSettings) -> list[str]:
    """The lines of ``trainlog athlete show`` (heart rates in bpm, pace in s/km and M:SS /km, distance in km)."""
    resolved = settings.resolve()
    pace = resolved.threshold_pace_s_per_km
    values = {
        "sex": resolved.sex or "unknown",
        "hr_max_bpm": f"{resolved.hr_max_bpm:g}",
        "hr_rest_bpm": f"{resolved.hr_rest_bpm:g}",
        "lthr_bpm": f"{resolved.lthr_bpm:g}",
        "threshold_pace_s_per_km": f"{pace:g} ({int(pace) // 60}:{int(pace) % 60:02d} /km)",
        "timezone": printable(resolved.timezone) or "machine's local zone",
        "ftp_w": f"{settings.ftp_w:g}" if settings.ftp_w is not None else "not set (no power load)",
        "start_ctl": f"{settings.start_ctl:g}" if settings.start_ctl is not None else "not set (0)",
        "start_atl": f"{settings.start_atl:g}" if settings.start_atl is not None else "not set (0)",
        "available_hours_per_week": f"{settings.available_hours_per_week:g}"
        if settings.available_hours_per_week is not None
        else f"not set ({settings.model.plan_available_hours_per_week:g}, the plan's default cap)",
        "default_sport": f"{settings.default_sport} (GPX or TCX files that name no sport)",
        "weight_kg": f"{settings.weight_kg:g}" if settings.weight_kg is not None else "not set",
    }
    lines = [f"athlete {athlete}"]
    for name, value in values.items():
        lines.append(f"  {name:<24} {value}" + ("   (default)" if name in resolved.defaults else ""))
    if settings.start_ctl is None and settings.start_atl is None:
        lines.append(f"  {'':<24} without a starting fitness, the first {settings.model.history_days} days build "
                     "history: no bands, no warnings")
    if settings.thresholds:
        lines.append("  dated changes (each run is scored with the values in force on its day; those above hold "
                     "before the first):")
        for change in settings.thresholds:
            said = ", ".join(f"{name} {_text(value)}" for name, value in change.values().items())
            lines.append(f"    from {change.from_date}: {said}")
    g = settings.goal
    lines.append(
        f"  goal                     {printable(g.name)}, {g.date or 'date not set'}, {g.ascent_m:g} m ascent, "
        f"{g.distance_m / 1000:g} km, {g.time_limit_h:g} h limit, {g.loops} loop(s)"
    )
    lines.append("  model (every constant of the metrics; * differs from the default; shared/METRICS.md):")
    for name, value, default in model_rows(settings.model):
        changed = value != default
        lines.append(f"  {'*' if changed else ' '} {name:<32} {value}" + (f"   (default {default})" if changed else ""))
    return lines


def model_rows(model: ModelSettings) -> list[tuple[str, str, str]]:
    """(name, value, default value) of every :class:`ModelSettings` constant, as text."""
    default = ModelSettings()
    return [(f.name, _text(getattr(model, f.name)), _text(getattr(default, f.name))) for f in dataclasses.fields(model)]


def _text(value: object) -> str:
    """A constant as text: numbers as ``%g``, lists and tables comma-separated (empty: ``none``)."""
    if isinstance(value, (tuple, list)):
        return ", ".join(_text(v) for v in value) or "none"
    if isinstance(value, dict):
        return ", ".join(f"{printable(k)} {_text(v)}" for k, v in sorted(value.items())) or "none"
    if isinstance(value, float):
        return f"{value:g}"
    return printable(value)

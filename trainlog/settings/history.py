"""Thresholds that change over time: an athlete's dated changes of heart rates, pace, power and weight.

A threshold test in January should not rewrite the load of every run of the
years before it. Each :class:`ThresholdChange` says "from this local day on,
these values" (the others as they were); the athlete's plain values
(:class:`~trainlog.settings.AthleteSettings` ``hr_max_bpm``...) hold before the
first change. Each activity's metrics use the values in force on its local start
day (:func:`trainlog.analysis.thresholds.by_activity`), so a change recomputes
the runs from its day on and leaves the earlier ones as they were.

    settings.with_change(dt.date(2026, 1, 1), {"lthr_bpm": 172})   # trainlog athlete set --lthr 172 --from 2026-01-01
    settings.in_force(dt.date(2026, 3, 1)).resolve().lthr_bpm        # 172
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from trainlog.days import MAX_DAY, MIN_DAY, parse_day
from trainlog.errors import InvalidValue, SettingsError
from trainlog.settings.ranges import check_fields
from trainlog.text import quoted

#: The athlete values that may change over time (each with its range in RANGES).
DATED_FIELDS: tuple[str, ...] = ("hr_max_bpm", "hr_rest_bpm", "lthr_bpm", "threshold_pace_s_per_km", "ftp_w",
                                 "weight_kg")
#: The most dated changes kept (one a week for ten years).
MAX_CHANGES = 520


@dataclass(frozen=True)
class ThresholdChange:
    """From ``from_date`` (the athlete's local day) on, the values given (``None``: as before)."""

    from_date: dt.date
    hr_max_bpm: float | None = None
    hr_rest_bpm: float | None = None
    lthr_bpm: float | None = None
    threshold_pace_s_per_km: float | None = None
    ftp_w: float | None = None
    weight_kg: float | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.from_date, dt.date) or isinstance(self.from_date, dt.datetime):
            raise SettingsError(f"invalid settings: a threshold change's date {quoted(self.from_date)} is not a date")
        if not MIN_DAY <= self.from_date <= MAX_DAY:
            raise SettingsError(f"threshold change date {self.from_date} is outside {MIN_DAY} to {MAX_DAY}")
        check_fields(self, "")
        if not self.values():
            raise SettingsError(f"the threshold change of {self.from_date} changes nothing")

    def values(self) -> dict[str, float]:
        """The values this change sets, by setting name."""
        return {name: getattr(self, name) for name in DATED_FIELDS if getattr(self, name) is not None}

    def to_dict(self) -> dict[str, Any]:
        return {"from": self.from_date.isoformat(), **self.values()}

    @classmethod
    def from_dict(cls, data: object) -> ThresholdChange:
        if not isinstance(data, dict):
            raise SettingsError(f"invalid settings: a threshold change {quoted(data)} is not a JSON object")
        data = dict(data)
        try:
            day = parse_day(data.pop("from", None), "threshold change date")
        except InvalidValue as error:
            raise SettingsError(f"invalid settings: {error}") from None
        unknown = sorted(set(data) - set(DATED_FIELDS))
        if unknown:
            raise SettingsError(f"invalid settings: a threshold change cannot set {', '.join(map(quoted, unknown))} "
                                f"(only {', '.join(DATED_FIELDS)})")
        return cls(day, **data)


def changes_of(value: object) -> tuple[ThresholdChange, ...]:
    """The dated changes as settings keep them: a tuple of changes (dicts from JSON accepted) sorted by date,
    one per date; SettingsError otherwise."""
    if isinstance(value, list):
        value = tuple(value)
    if not isinstance(value, tuple) or len(value) > MAX_CHANGES:
        raise SettingsError(f"invalid settings: thresholds {quoted(value)} is not a list of up to {MAX_CHANGES} "
                            f"dated changes")
    changes = tuple(sorted((c if isinstance(c, ThresholdChange) else ThresholdChange.from_dict(c) for c in value),
                           key=lambda c: c.from_date))
    dates = [c.from_date for c in changes]
    if len(set(dates)) != len(dates):
        raise SettingsError("invalid settings: two threshold changes on one date; merge them")
    return changes


def merged(changes: tuple[ThresholdChange, ...], day: dt.date, values: dict[str, float | None]) -> \
        tuple[ThresholdChange, ...]:
    """``changes`` with ``values`` set from ``day`` on (merged into a change of that day; a value of None
    removes that field from it, and a change left empty is dropped)."""
    unknown = sorted(set(values) - set(DATED_FIELDS))
    if unknown:
        raise SettingsError(f"{', '.join(unknown)} cannot change over time (only {', '.join(DATED_FIELDS)})")
    kept = [c for c in changes if c.from_date != day]
    old = next((c.values() for c in changes if c.from_date == day), {})
    new = {k: v for k, v in (old | values).items() if v is not None}
    if new:
        kept.append(ThresholdChange(day, **new))
    return changes_of(tuple(kept))


def without(changes: tuple[ThresholdChange, ...], day: dt.date) -> tuple[ThresholdChange, ...]:
    """``changes`` without the change of ``day``; SettingsError when there is none."""
    if all(c.from_date != day for c in changes):
        dates = ", ".join(c.from_date.isoformat() for c in changes) or "none"
        raise SettingsError(f"no threshold change on {day} (changes: {dates})")
    return tuple(c for c in changes if c.from_date != day)


def cleared(changes: tuple[ThresholdChange, ...], names: set[str]) -> tuple[ThresholdChange, ...]:
    """``changes`` with the fields ``names`` removed from every change (a value set for all time replaces its
    history); changes left empty are dropped."""
    out = []
    for c in changes:
        rest = {k: v for k, v in c.values().items() if k not in names}
        if rest:
            out.append(ThresholdChange(c.from_date, **rest))
    return tuple(out)


def in_force(base: dict[str, float | None], changes: tuple[ThresholdChange, ...], day: dt.date) -> \
        dict[str, float | None]:
    """The values in force on ``day``: ``base`` with every change up to and including ``day`` applied in order."""
    values = dict(base)
    for change in changes:
        if change.from_date > day:
            break
        values |= change.values()
    return values

"""The wellness fields (:data:`FIELDS`) and the CSV layouts (:data:`LAYOUTS`), re-exported by :mod:`trainlog.store.wellness`.

Apart from it (which imports Polars) so that the command line's ``wellness`` options and their help are built
without loading the store.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Field:
    """One wellness field: its column in :data:`~trainlog.store.schema.WELLNESS`, its label, unit and valid values.

    ``kind``: ``"number"`` (a float ``low..high`` in ``unit``), ``"scale"`` (a
    whole number ``low..high``, ``words[i]`` naming ``low + i``), ``"flag"``
    (True/False) or ``"text"`` (at most ``high`` characters).
    """

    column: str
    label: str
    unit: str
    kind: str
    low: float = 0.0
    high: float = 0.0
    words: tuple[str, ...] = ()

    def range_text(self) -> str:
        """The valid values as messages and help texts say them: ``"25..120 bpm"``, ``"1 (none) .. 5 (extreme)"``."""
        if self.kind == "scale":
            return f"{self.low:g} ({self.words[0]}) .. {self.high:g} ({self.words[-1]})"
        if self.kind == "flag":
            return "true or false"
        if self.kind == "text":
            return f"at most {self.high:g} characters"
        return f"{self.low:g}..{self.high:g} {self.unit}"


_LOW_TO_HIGH = ("none", "mild", "moderate", "high", "extreme")
#: The longest note kept, in characters.
MAX_NOTE_CHARS = 1000

#: Every wellness field, by column name, in the order tables and forms show them.
FIELDS: dict[str, Field] = {f.column: f for f in (
    Field("resting_hr_bpm", "resting HR", "bpm", "number", 25, 120),
    Field("hrv_rmssd_ms", "HRV (rMSSD)", "ms", "number", 5, 300),
    Field("sleep_h", "sleep", "h", "number", 0, 24),
    Field("sleep_quality", "sleep quality", "", "scale", 1, 5, ("very poor", "poor", "average", "good", "excellent")),
    Field("sleep_deep_h", "deep sleep", "h", "number", 0, 24),
    Field("sleep_light_h", "light sleep", "h", "number", 0, 24),
    Field("sleep_rem_h", "REM sleep", "h", "number", 0, 24),
    Field("sleep_awake_h", "awake in the night", "h", "number", 0, 24),
    Field("weight_kg", "weight", "kg", "number", 25, 250),
    Field("soreness", "soreness", "", "scale", 1, 5, _LOW_TO_HIGH),
    Field("fatigue", "fatigue", "", "scale", 1, 5, _LOW_TO_HIGH),
    Field("stress", "stress", "", "scale", 1, 5, _LOW_TO_HIGH),
    Field("mood", "mood", "", "scale", 1, 5, ("very poor", "poor", "ok", "good", "great")),
    Field("motivation", "motivation", "", "scale", 1, 5, ("none", "low", "average", "high", "very high")),
    Field("illness", "ill or injured", "", "flag"),
    Field("note", "note", "", "text", 0, MAX_NOTE_CHARS),
)}

#: How :func:`trainlog.store.wellness.parse_csv` reads the scales: from the header (``auto``), as intervals.icu's, or as ours.
LAYOUTS = ("auto", "intervals.icu", "plain")

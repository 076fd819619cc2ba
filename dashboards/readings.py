"""Plain-words readings of the summary's bands, and the warnings the Today and Coach pages show.

Input is the dict of :func:`trainlog.report.summary`; nothing here computes a metric.
"""

from __future__ import annotations

from trainlog.settings import ModelSettings

FORM = {
    "high risk": "Deep fatigue: load is far above fitness. Plan easy days soon.",
    "optimal": "Productive training: fatigue is building fitness.",
    "grey zone": "Maintaining: neither building much fitness nor freshening up.",
    "fresh": "Fresh: ready for a hard session or a race.",
    "transition": "Very fresh: fitness is fading for lack of load.",
}
ACWR = {
    "undertraining": "The last week is light compared with the last month.",
    "sweet spot": "The last week matches what the last month prepared you for.",
    "caution": "The last week is heavier than the last month prepared you for.",
    "danger": "A spike: the last week is far above the last month. Injury risk is higher.",
}
NO_READING = "Not enough history for a reading yet."
DEFAULT_NAMES = {
    "sex": "sex",
    "hr_max_bpm": "max heart rate",
    "hr_rest_bpm": "resting heart rate",
    "lthr_bpm": "threshold heart rate",
    "threshold_pace_s_per_km": "threshold pace",
    "timezone": "time zone",
    "goal.date": "goal date",
}


def form_reading(band: str | None) -> str:
    return FORM.get(band, NO_READING)


def acwr_reading(band: str | None) -> str:
    return ACWR.get(band, NO_READING)


def goal_when(date: str | None, days_to_goal: int | None) -> str:
    """``"2026-03-13, in 12 days"``, ``"2026-03-13, today"``, ``"2026-03-13, 2 days ago"`` or ``"no date set"``."""
    if date is None or days_to_goal is None:
        return "no date set"
    if days_to_goal == 0:
        return f"{date}, today"
    count = f"{abs(days_to_goal)} day{'s' if abs(days_to_goal) != 1 else ''}"
    return f"{date}, in {count}" if days_to_goal > 0 else f"{date}, {count} ago"


def warnings(summary: dict, model: ModelSettings) -> list[str]:
    """Warnings for the summary's day, most serious first (empty when all is well)."""
    out = []
    monotony = summary["monotony"]
    if monotony["band"] == "flag":
        out.append(f"Monotony {monotony['value']:.1f} (above {model.monotony_flag:g}): every day looks the same; "
                   "add easy days and rest days.")
    elif monotony["band"] == "warn":
        out.append(f"Monotony {monotony['value']:.1f} (above {model.monotony_warn:g}): vary hard and easy days.")
    ramp = summary["form"]["ramp"]
    if ramp is not None and ramp > model.ramp_warn_per_week:
        out.append(f"Fitness is ramping at {ramp:.1f} a week (more than {model.ramp_warn_per_week:g}): too fast to last.")
    if summary["acwr"]["band"] == "danger":
        out.append(f"Acute:chronic ratio {summary['acwr']['value']:.2f}: a load spike.")
    estimated = {k: v for k, v in summary["load_sources"].items() if k != "hr" and v}
    if estimated:
        out.append("Load estimated without heart rate for "
                   + ", ".join(f"{n} activit{'y' if n == 1 else 'ies'} ({source})" for source, n in estimated.items())
                   + ".")
    if summary["defaults_in_use"]:
        out.append("Defaults in use for " + ", ".join(DEFAULT_NAMES.get(d, d) for d in summary["defaults_in_use"])
                   + ": set them in Settings for truer numbers.")
    return out

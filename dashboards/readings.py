"""Plain-words readings of the summary's bands, and the warnings the Today and Coach pages show;
why a run's ascent is suspect and whether the goal counts it (Activity and Activities pages); the words
of empty and contradictory states (no goal date, a goal reached, the cold start), which day a page shows,
the fitness ramp and where a load comes from.

Input is the dict of :func:`trainlog.analysis.pipeline.summary` or a row of the per-activity
metrics (:data:`trainlog.analysis.metrics.ACTIVITY`); nothing here computes a metric.

A band is known by its position in the settings' labels (``form_band_labels``,
``acwr_band_labels``, lowest first), never by its label's words, so a relabelled
band keeps its reading and its tone (:func:`band_position`).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

import polars as pl

from dashboards import units as u
from trainlog.analysis.coach import ACWR_SPIKE as SPIKE_FLAG
from trainlog.analysis.coach import MONOTONY_FLAG, MONOTONY_WARN, RAMP, band_position, estimated_sources, load_flags
from trainlog.settings import ModelSettings
from trainlog.words import AscentFlag


class Tone(StrEnum):
    """How a figure card is coloured (a CSS class of ``.stat``); the words say it too, never colour alone."""

    GOOD = "good"
    WARN = "warn"
    BAD = "bad"
    NONE = ""


#: The model's default bands, whose positions the readings below follow.
_DEFAULT_MODEL = ModelSettings()

#: Readings and tones of the form (TSB) bands, lowest first: high risk, optimal, grey zone, fresh, transition.
FORM_READINGS = (
    "Deep fatigue: load is far above fitness. Plan easy days soon.",
    "Productive training: fatigue is building fitness.",
    "Maintaining: neither building much fitness nor freshening up.",
    "Fresh: ready for a hard session or a race.",
    "Very fresh: fitness is fading for lack of load.",
)
FORM_TONES = (Tone.BAD, Tone.GOOD, Tone.NONE, Tone.GOOD, Tone.WARN)
#: Readings and tones of the ACWR bands, lowest first: undertraining, sweet spot, caution, danger.
ACWR_READINGS = (
    "The last week is light compared with the last month.",
    "The last week matches what the last month prepared you for.",
    "The last week is heavier than the last month prepared you for.",
    "A spike: the last week is far above the last month. Injury risk is higher.",
)
ACWR_TONES = (Tone.NONE, Tone.GOOD, Tone.WARN, Tone.BAD)
#: The ACWR band that warns of a load spike (the highest, "danger").
ACWR_SPIKE = len(ACWR_READINGS) - 1
NO_READING = "Not enough history for a reading yet."
#: The cold start's reading (METRICS.md: fewer than ``history_days`` days of history are "building history").
HISTORY_READING = "No band and no warning until there is enough history."
#: What a page heading adds to the day it shows (:func:`day_role`).
TODAY, LAST_DAY = "today", "last day with training"
#: Where a run's load comes from (``load_source``, :data:`trainlog.analysis.load.LOAD_SOURCES`), in words.
LOAD_SOURCE_WORDS = {
    "hr": "from heart rate",
    "power": "from power",
    "gap": "from grade-adjusted pace",
    "rpe": "from your effort rating (RPE)",
    "duration": "estimated from the duration",
}
#: A ramp closer to zero than this reads "steady" (it would show as "0.0", or "-0.0").
STEADY_RAMP = 0.05
#: Today warns about suspect runs that started in this many days up to its day (the day included).
SUSPECT_WINDOW_DAYS = 7
DEFAULT_NAMES = {
    "sex": "sex",
    "hr_max_bpm": "max heart rate",
    "hr_rest_bpm": "resting heart rate",
    "lthr_bpm": "threshold heart rate",
    "threshold_pace_s_per_km": "threshold pace",
    "timezone": "time zone",
    "goal.date": "goal date",
}


def form_position(band: str | None, model: ModelSettings = _DEFAULT_MODEL) -> int | None:
    """:func:`band_position` of a form band under ``model``'s ``form_band_labels``."""
    return band_position(band, model.form_band_labels, _DEFAULT_MODEL.form_band_labels)


def acwr_position(band: str | None, model: ModelSettings = _DEFAULT_MODEL) -> int | None:
    """:func:`band_position` of an ACWR band under ``model``'s ``acwr_band_labels``."""
    return band_position(band, model.acwr_band_labels, _DEFAULT_MODEL.acwr_band_labels)


def form_reading(band: str | None, model: ModelSettings = _DEFAULT_MODEL) -> str:
    """The form band's reading in plain words (:data:`NO_READING` without a band)."""
    position = form_position(band, model)
    return NO_READING if position is None else FORM_READINGS[position]


def acwr_reading(band: str | None, model: ModelSettings = _DEFAULT_MODEL) -> str:
    """The ACWR band's reading in plain words (:data:`NO_READING` without a band)."""
    position = acwr_position(band, model)
    return NO_READING if position is None else ACWR_READINGS[position]


def form_tone(band: str | None, model: ModelSettings = _DEFAULT_MODEL) -> Tone:
    """The form band's tone (:attr:`Tone.NONE` without a band)."""
    position = form_position(band, model)
    return Tone.NONE if position is None else FORM_TONES[position]


def acwr_tone(band: str | None, model: ModelSettings = _DEFAULT_MODEL) -> Tone:
    """The ACWR band's tone (:attr:`Tone.NONE` without a band)."""
    position = acwr_position(band, model)
    return Tone.NONE if position is None else ACWR_TONES[position]


def goal_when(date: str | None, days_to_goal: int | None) -> str:
    """``"Fri 13 Mar 2026, in 12 days"``, ``"Fri 13 Mar 2026, today"``, ``"Fri 13 Mar 2026, 2 days ago"``
    or ``"no date set"``."""
    if date is None or days_to_goal is None:
        return "no date set"
    day = u.fmt_day(date)
    if days_to_goal == 0:
        return f"{day}, today"
    count = f"{abs(days_to_goal)} day{'s' if abs(days_to_goal) != 1 else ''}"
    return f"{day}, in {count}" if days_to_goal > 0 else f"{day}, {count} ago"


def day_role(day: dt.date, today: dt.date, last_day: dt.date | None) -> str | None:
    """What the day shown is besides a date: :data:`TODAY`, :data:`LAST_DAY` (the last day with training), or None."""
    if day == today:
        return TODAY
    return LAST_DAY if day == last_day else None


def day_words(day: dt.date, role: str | None) -> str:
    """``"Sun 15 Mar 2026 (last day with training)"``, ``"Tue 1 Dec 2026 (today)"`` or ``"Sun 15 Mar 2026"``."""
    return f"{u.fmt_day(day)} ({role})" if role else u.fmt_day(day)


def ramp_words(ramp: float | None) -> str:
    """The fitness ramp (CTL points a week): ``"rising 13.8 points a week"``, ``"falling 2.1 points a week"``,
    ``"steady"`` within :data:`STEADY_RAMP` of zero (never ``"-0.0"``); a dash without one."""
    if u.missing(ramp):
        return u.DASH
    if abs(ramp) < STEADY_RAMP:
        return "steady"
    return f"{'rising' if ramp > 0 else 'falling'} {u.number(abs(ramp), 1)} points a week"


def load_from(source: str | None) -> str:
    """Where a run's load comes from, in words: ``"from heart rate"`` (:data:`LOAD_SOURCE_WORDS`)."""
    return LOAD_SOURCE_WORDS.get(source or "", f"from {source}" if source else "source unknown")


# ---- the goal's empty and contradictory states (the summary's ``goal``)

#: The states of "Needed this week": the goal reached, no date, the date passed, on track, behind.
REACHED, NO_DATE, PASSED, ON_TRACK, BEHIND = "reached", "no date", "passed", "on track", "behind"


def goal_reached(goal: dict) -> bool:
    """The last 7 days climbed the goal's whole ascent (the weekly target): nothing more is needed."""
    current, target = goal.get("current_weekly_ascent_m"), goal.get("ascent_m")
    return current is not None and bool(target) and current >= target


def need_state(goal: dict) -> str:
    """Which of :data:`REACHED`, :data:`NO_DATE`, :data:`PASSED`, :data:`ON_TRACK`, :data:`BEHIND` the goal is in."""
    if goal_reached(goal):
        return REACHED
    if goal.get("days_to_goal") is None:
        return NO_DATE
    if goal.get("needed_weekly_ascent_m") is None:
        return PASSED
    return ON_TRACK if goal.get("on_track") else BEHIND


def needed_words(goal: dict, units: str) -> tuple[str, str, Tone]:
    """The "Needed this week" card as (value, detail, tone), its empty states said in words, never a lone dash.

    The detail of :data:`NO_DATE` and :data:`PASSED` asks for a date; the page adds "in Settings" as a link.
    """
    state = need_state(goal)
    last_7 = u.fmt_elevation(goal.get("current_weekly_ascent_m"), units)
    if state == REACHED:
        return "reached", f"the last 7 days climbed {last_7}, the goal's whole ascent", Tone.GOOD
    if state == NO_DATE:
        return "no goal date", "Set the goal's date", Tone.NONE
    if state == PASSED:
        return "goal date passed", "Set the next goal's date", Tone.NONE
    needed = u.fmt_elevation(goal["needed_weekly_ascent_m"], units)
    if state == ON_TRACK:
        return needed, f"on track: the last 7 days climbed {last_7}", Tone.GOOD
    return needed, f"behind the plan: the last 7 days climbed {last_7}", Tone.WARN


def projection_words(goal: dict, today: dt.date, trend_weeks: int) -> tuple[str, str]:
    """When the weekly-ascent trend reaches the goal's ascent, as (value, detail), agreeing with "Last 7 days":
    ``"reached"`` once the last 7 days climbed it (the trend line's later date said as such), else the date,
    or why there is none."""
    projected = dt.date.fromisoformat(goal["projected_date"]) if goal.get("projected_date") else None
    line = f"a straight line through the last {trend_weeks} weeks"
    if goal_reached(goal):
        later = f"; {line} alone would reach it on {u.fmt_day(projected)}" if projected and projected > today else ""
        return "reached", f"the last 7 days climbed the goal's ascent{later}"
    if projected == today:
        return u.fmt_day(today), f"{line} is at the goal's ascent now, though the last 7 days climbed less"
    if projected is None:
        why = "it is flat or falling" if (goal.get("trend_m_per_week") or 0) <= 0 else "it grows too slowly"
        return "not at this trend", f"{line} never gets there: {why}"
    late = "after the goal date: " if goal.get("date") and projected > dt.date.fromisoformat(goal["date"]) else ""
    return u.fmt_day(projected), f"{late}as a weekly total, following {line}"


def building_history(summary: dict) -> bool:
    """The summary's day is in the cold start (METRICS.md: fewer than ``history_days`` days
    since the first activity and no start_ctl/start_atl): no band and no warning."""
    return bool(summary["form"].get("building_history"))


def history_text(day: int | None, history_days: int) -> str:
    """``"building history (day 12 of 42)"``: what form and ACWR show instead of a band
    (``day``: the summary's ``form.history_day``, the first activity's day being 1)."""
    if day is None:
        return "building history"
    return f"building history (day {day} of {history_days})"


def history_day(first_day: dt.date | None, day: dt.date) -> int | None:
    """Day ``day`` of the athlete's history, the day of the first activity being day 1 (None: no history)."""
    if first_day is None or day < first_day:
        return None
    return (day - first_day).days + 1


def warnings(summary: dict, model: ModelSettings) -> list[str]:
    """Warnings for the summary's day, most serious first (empty when all is well).

    While the history is being built (:func:`building_history`) there is no warning on
    monotony, the fitness ramp, or the acute:chronic ratio: from a cold start every
    one of them is high by construction.
    """
    out = []
    flags = load_flags(summary, model)
    out.extend(_load_warnings(summary, flags, model))
    # heart rate and power measure the effort; pace, a rating and duration estimate it
    estimated = estimated_sources(summary)
    if estimated:
        out.append("Load estimated without heart rate or power for "
                   + ", ".join(f"{n} activit{'y' if n == 1 else 'ies'} ({load_from(source)})"
                               for source, n in estimated.items())
                   + ".")
    if summary["defaults_in_use"]:
        out.append("Defaults in use for " + ", ".join(DEFAULT_NAMES.get(d, d) for d in summary["defaults_in_use"])
                   + ": set them in Settings for truer numbers.")
    return out


def _load_warnings(summary: dict, flags: list[str], model: ModelSettings) -> list[str]:
    """The words of :func:`trainlog.analysis.coach.load_flags`' monotony, ramp and ACWR flags."""
    out: list[str] = []
    monotony = summary["monotony"]
    if MONOTONY_FLAG in flags:
        out.append(f"Monotony {monotony['value']:.1f} (above {model.monotony_flag:g}): every day looks the same; "
                   "add easy days and rest days.")
    elif MONOTONY_WARN in flags:
        out.append(f"Monotony {monotony['value']:.1f} (above {model.monotony_warn:g}): vary hard and easy days.")
    if RAMP in flags:
        out.append(f"Fitness is {ramp_words(summary['form']['ramp'])} (more than {model.ramp_warn_per_week:g}): "
                   "too fast to last.")
    if SPIKE_FLAG in flags:
        out.append(f"Acute:chronic ratio (ACWR) {summary['acwr']['value']:.2f}: a load spike, the last week far above "
                   "the last four.")
    return out


# ---- suspect ascents and the athlete's choices (a row of the per-activity metrics)

def is_suspect(run: dict) -> bool:
    """The run's ascent is flagged and the athlete has not confirmed it."""
    return run.get("ascent_flag") is not None and not run.get("ascent_confirmed")


def run_name(run: dict) -> str:
    """``"Wed 11 Mar 2026 running"``: how a page names a run; ``"Barkley recce, Wed 11 Mar 2026 running"``
    when its export or file gave it a name."""
    plain = f"{u.fmt_day(run['start_date'])} {run.get('sport') or 'activity'}"
    return f"{run['name']}, {plain}" if run.get("name") else plain


def _rate(metres_per_h: float, units: str) -> str:
    return f"{u.number(u.elevation(metres_per_h, units))} {u.elevation_unit(units)}/h"


def ascent_flag_reason(run: dict, model: ModelSettings, units: str = u.METRIC) -> str | None:
    """Why the run's ascent is suspect, in one sentence (None when it is not flagged).

    ``too_fast``: "3,000 m of ascent in 1.0 moving hours = 3,000 m/h, above 2,500 m/h on foot."
    ``device_disagrees``: the watch's total beside the one from the altitude track, and which one is used.
    """
    flag = run.get("ascent_flag")
    if flag is None:
        return None
    if flag == AscentFlag.TOO_FAST:
        hours = (run.get("moving_s") or 0.0) / 3600
        ascent = run.get("ascent_m")
        rate = _rate(ascent / hours, units) if hours > 0 and ascent is not None else u.DASH
        return (f"{u.fmt_elevation(ascent, units)} of ascent in {u.number(hours, 1)} moving hours = {rate}, "
                f"above {_rate(model.max_ascent_rate_m_per_h, units)} on foot.")
    if flag == AscentFlag.DEVICE_DISAGREES:
        used = {"device": "the watch's", "computed": "the altitude track's"}.get(run.get("ascent_source"), "neither")
        return (f"The watch says {u.fmt_elevation(run.get('ascent_device_m'), units)} of ascent, the altitude track "
                f"gives {u.fmt_elevation(run.get('ascent_computed_m'), units)}: they disagree beyond the plausible "
                f"band; {used} total is used.")
    return f"The ascent is marked suspect ({flag})."


def goal_status(run: dict, model: ModelSettings) -> str:
    """Whether the goal's figures count the run, and why, in one sentence (said in text, not colour alone)."""
    if run.get("excluded"):
        return "Excluded: left out of the goal's figures."
    if is_suspect(run):
        return "Left out of the goal's figures until its ascent is confirmed: it looks suspect."
    if run.get("goal_counted"):
        if run.get("ascent_flag") is not None:
            return "Counted in the goal's figures: its ascent was confirmed."
        return "Counted in the goal's figures."
    sport = run.get("sport") or "unknown"
    if sport not in model.goal_sports:
        return f"Not counted in the goal's figures: {sport} is not one of the goal's sports."
    return "Not counted in the goal's figures."


def run_marker(run: dict, units: str = u.METRIC) -> str:
    """The Activities table's check column: ``"suspect: watch 3,000 m, track 1,210 m"``,
    ``"excluded"``, ``"confirmed"`` (several joined by "; "), or ``""`` for a plain run."""
    marks = []
    if run.get("excluded"):
        marks.append("excluded")
    if is_suspect(run):
        marks.append(f"suspect: watch {u.fmt_elevation(run.get('ascent_device_m'), units)}, "
                     f"track {u.fmt_elevation(run.get('ascent_computed_m'), units)}")
    elif run.get("ascent_flag") is not None:
        marks.append("ascent confirmed")
    return "; ".join(marks)


def recent_suspects(runs: pl.DataFrame, day: dt.date, days: int = SUSPECT_WINDOW_DAYS) -> list[dict]:
    """The suspect runs (:func:`is_suspect`) started in the ``days`` days up to ``day``, newest first."""
    start = day - dt.timedelta(days=days - 1)
    recent = runs.filter(pl.col("start_date").is_between(start, day), pl.col("ascent_flag").is_not_null(),
                         ~pl.col("ascent_confirmed").fill_null(False))
    return recent.sort("start_utc", descending=True).to_dicts()


def suspect_warning(run: dict, units: str = u.METRIC) -> str:
    """The Today warning for one suspect run (the page links the run's name to its page)."""
    return (f"Suspect ascent ({u.fmt_elevation(run.get('ascent_m'), units)}): left out of the goal's figures; "
            "confirm it on its page if it is right.")


# ---- the plan to race day (a report of trainlog.analysis.plan.report)

#: Compliance colours in words (TrainingPeaks' bands: within 80-120 % of the plan, 50-150 %, further off).
COMPLIANCE_WORDS = {"green": "on plan", "yellow": "off plan", "red": "far off plan"}
#: The compliance measures of a week, as the pages name them.
MEASURE_NAMES = {"hours": "time", "ascent": "ascent", "load": "load"}


def signed(value: float | None, digits: int = 1) -> str:
    """A form value with its sign: ``"+13.6"``, ``"−4.0"`` (a true minus), a dash for None."""
    if u.missing(value):
        return u.DASH
    text = f"{value:+.{digits}f}"
    return text.replace("-", "−")


def advice_line(today: dict, units: str) -> str:
    """Today's advice in one line: the load and ascent that bring tomorrow's form to the plan's target, or rest.

    ``today``: the report's ``today`` (``advised_load``, ``advised_ascent_m``, ``target_tsb``, ``rest``), e.g.
    ``"Today: load 85 with about 600 m of ascent; target form tomorrow −12.0."``
    """
    target = f"target form tomorrow {signed(today['target_tsb'])}"
    if today["rest"]:
        return f"Today: rest; {target}."
    ascent = today["advised_ascent_m"] or 0.0
    climb = f" with about {u.fmt_elevation(ascent, units)} of ascent" if ascent >= 1 else ""
    return f"Today: load {u.number(today['advised_load'])}{climb}; {target}."


def race_morning_line(race: dict, morning: dict, model: ModelSettings, units: str) -> str:
    """Race morning in one line: form against the taper target, fitness and ascent fitness.

    ``race``: the report's ``race``; ``morning``: its ``projection.race_morning``.
    """
    low, high = model.taper_form_min, model.taper_form_max
    tsb = morning["tsb"]
    where = "inside" if low <= tsb <= high else "below" if tsb < low else "above"
    ascent = f"{u.fmt_elevation(morning['ascent_ctl'], units)}/day"
    return (f"Race morning ({race['name']}, {u.fmt_day(race['date'])}): form {signed(tsb)}, {where} the "
            f"{low:+g}..{high:+g} target; fitness {u.number(morning['ctl'])}, ascent fitness {ascent}.")


def race_morning_tone(tsb: float | None, model: ModelSettings) -> Tone:
    """Good inside the taper's form target, a warning outside it."""
    if tsb is None:
        return Tone.NONE
    return Tone.GOOD if model.taper_form_min <= tsb <= model.taper_form_max else Tone.WARN


def plan_warning(line: str) -> str:
    """A projection warning (one lower-case line from the library) as a sentence."""
    line = line.strip()
    return (line[:1].upper() + line[1:]).rstrip(".") + "." if line else line


def compliance_parts(measures: dict) -> list[tuple[str, str | None]]:
    """Compliance of several weeks (``compliance_last_4_weeks``: per measure ``planned``, ``done``, ``colour``)
    as ``("time 95 %", "green")`` pairs; empty when no planned week is over."""
    if not measures.get("weeks"):
        return []
    out = []
    for key, name in MEASURE_NAMES.items():
        m = measures[key]
        share = f"{m['done'] / m['planned']:.0%}" if m["planned"] else u.DASH
        out.append((f"{name} {share}", m["colour"]))
    return out


def compliance_text(measures: dict) -> str:
    """:func:`compliance_parts` in words: ``"time 95 % on plan, ascent 70 % off plan, load 110 % on plan"``."""
    parts = compliance_parts(measures)
    if not parts:
        return "no planned week over yet"
    return ", ".join(f"{text} {COMPLIANCE_WORDS.get(colour, '')}".strip() for text, colour in parts)

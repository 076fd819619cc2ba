"""One athlete's row of the roster (:mod:`trainlog.store.roster`): the figures and flags the Coach page shows.

:func:`row` computes it from the athlete's stored analysis, plan and wellness, on the day the dashboard
shows by default (:func:`default_day`). :func:`load_flags` is the one rule of which load figures need a
coach's eye; the dashboard words them (``dashboards.readings.warnings``).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING

from trainlog.analysis.pipeline import STALE_DAYS, extended, summary_of_analysis
from trainlog.analysis.plan import report
from trainlog.analysis.readiness import day_readiness
from trainlog.analysis.stored import analyse_imported, local_today, settings_of, stored_analysis
from trainlog.errors import TrainlogError, first_line
from trainlog.settings import ModelSettings
from trainlog.store import Store, roster, wellness
from trainlog.store.plans import latest
from trainlog.store.roster import now_utc
from trainlog.words import Level

if TYPE_CHECKING:
    from trainlog.ingest.importer import ImportReport

#: The flags' codes: load (:func:`load_flags`), the morning check-in, an athlete whose figures failed.
MONOTONY_FLAG, MONOTONY_WARN, RAMP, ACWR_SPIKE, ESTIMATED = (
    "monotony flag", "monotony warn", "fitness ramp", "acwr spike", "estimated load")
READINESS_FLAG, READINESS_WARN, ERROR = "readiness flag", "readiness warn", "error"
FLAGS = (ERROR, ACWR_SPIKE, MONOTONY_FLAG, MONOTONY_WARN, RAMP, READINESS_FLAG, READINESS_WARN, ESTIMATED)
#: Load sources that measure the effort; the others estimate it.
MEASURED_LOAD = ("hr", "power")
#: The default model, whose band positions the flags follow.
_DEFAULT = ModelSettings()


def band_position(band: str | None, labels: tuple[str, ...], default_labels: tuple[str, ...]) -> int | None:
    """Which of the default bands ``band`` (a summary's label) stands for, by position, lowest first; None if none.

    With as many bands as the default, its position in ``labels`` (the athlete's settings: a relabelled
    band is the same band); with another number of bands the positions no longer match, and only a band
    that kept a default label is known (by that label's default position).
    """
    if band is None:
        return None
    names = labels if len(labels) == len(default_labels) else default_labels
    return names.index(band) if band in names else None


def acwr_spike(band: str | None, model: ModelSettings) -> bool:
    """The ACWR band is the highest of the default's (a load spike: "danger")."""
    return band_position(band, model.acwr_band_labels, _DEFAULT.acwr_band_labels) == len(_DEFAULT.acwr_band_labels) - 1


def estimated_sources(summary: dict) -> dict[str, int]:
    """The summary's activities whose load was estimated (pace, a rating, the duration): source -> count."""
    return {k: v for k, v in summary["load_sources"].items() if k not in MEASURED_LOAD and v}


def load_flags(summary: dict, model: ModelSettings) -> list[str]:
    """The summary's load flags, most serious first (codes of :data:`FLAGS`). While the history is being built
    there is none on monotony, the ramp or ACWR: from a cold start each is high by construction."""
    out = []
    if not summary["form"].get("building_history"):
        if acwr_spike(summary["acwr"]["band"], model):
            out.append(ACWR_SPIKE)
        monotony = summary["monotony"]["band"]
        if monotony in (Level.FLAG, Level.WARN):
            out.append(MONOTONY_FLAG if monotony == Level.FLAG else MONOTONY_WARN)
        ramp = summary["form"]["ramp"]
        if ramp is not None and ramp > model.ramp_warn_per_week:
            out.append(RAMP)
    if estimated_sources(summary):
        out.append(ESTIMATED)
    return out


def all_flags(summary: dict, readiness: dict | None, model: ModelSettings) -> list[str]:
    """A roster row's flags, most serious first (:data:`FLAGS`): :func:`load_flags` and the day's readiness
    (:func:`trainlog.analysis.readiness.day_readiness`; None: none)."""
    flags = load_flags(summary, model)
    level = readiness["level"] if readiness else None
    if level in (Level.FLAG, Level.WARN):
        flags.append(READINESS_FLAG if level == Level.FLAG else READINESS_WARN)
    return sorted(flags, key=FLAGS.index)


def default_day(last: dt.date | None, today: dt.date) -> tuple[dt.date, bool]:
    """The day a page shows without a date, and whether it is not ``today``: today, unless the last day with
    training (``last``) is more than :data:`~trainlog.analysis.pipeline.STALE_DAYS` before it."""
    if last is not None and (today - last).days > STALE_DAYS:
        return last, True
    return today, False


def row(store: Store, athlete: str, today: dt.date | None = None) -> dict:
    """The athlete's roster row (columns of :data:`trainlog.store.roster.ROSTER`) on their default day, ``today``
    being the athlete's local date unless given. Damaged data or settings give a row with ``error`` (one line)
    and the ``error`` flag instead of figures: one athlete never stops a roster."""
    try:
        return _row(store, athlete, today)
    except TrainlogError as exc:
        return {**dict.fromkeys(roster.ROSTER), "athlete": athlete, "updated_utc": now_utc(), "error": first_line(exc),
                "flags": [ERROR], "n_flags": 1}


def _row(store: Store, athlete: str, today: dt.date | None) -> dict:
    settings = settings_of(store, athlete)
    today = today or local_today(settings)
    base = stored_analysis(store, athlete, settings)
    last = base.daily["date"].max() if not base.daily.is_empty() else None
    as_of, stale = default_day(last, today)
    analysis = extended(base, settings, as_of)
    s = summary_of_analysis(analysis, settings, as_of)
    plan = report(latest(store, athlete), analysis.daily, settings, as_of)
    days = wellness.daily(store, athlete)
    ready = day_readiness(days, as_of, settings.model)
    if stale:  # training stopped (ill, injured?): a check-in this morning is what the coach must see
        this_morning = day_readiness(days, today, settings.model)
        ready = this_morning if this_morning["checked_in"] else ready
    flags = all_flags(s, ready, settings.model)
    morning = plan["projection"]["race_morning"]
    imported = store.read("files", athlete)["imported_at"].max()
    form, acwr, monotony, goal = s["form"], s["acwr"], s["monotony"], s["goal"]
    detail = {"summary": s, "readiness": ready,
              "plan": {"revision": plan["revision"], "compliance_last_4_weeks": plan["compliance_last_4_weeks"],
                       "race_morning": morning}}
    return {
        "athlete": athlete, "as_of": as_of, "stale": stale, "activities": s["n_activities"],
        "last_activity": _day(s["last_activity_date"]), "last_import_utc": imported, "updated_utc": now_utc(),
        "ctl": form["ctl"], "atl": form["atl"], "tsb": form["tsb"], "form_band": form["band"], "ramp": form["ramp"],
        "acwr": acwr["value"], "acwr_band": acwr["band"], "monotony": monotony["value"],
        "monotony_band": monotony["band"], "building_history": form["building_history"],
        "week_distance_m": s["this_week"]["distance_m"], "week_ascent_m": s["this_week"]["ascent_m"],
        "best_7day_ascent_m": goal["best_7day_ascent_m"], "goal_date": _day(goal["date"]),
        "plan_revision": plan["revision"], "race_morning_date": _day(morning["date"]) if morning else None,
        "race_morning_tsb": morning["tsb"] if morning else None, "readiness": ready["level"],
        "flags": flags, "n_flags": len(flags), "error": None, "detail": json.dumps(detail, default=str),
    }


def _day(value: str | dt.date | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def refresh(store: Store, athlete: str) -> bool:
    """Bring ``athlete``'s roster row up to date when the data directory has a roster (after ``trainlog import``
    or an upload: the Coach page reads the roster); whether it did. A roster that cannot be written is left as
    it was (it is derived data: ``trainlog batch analyse`` writes it again): no error stops an import."""
    if roster.stamp(store.data_dir) is None:
        return False
    try:
        roster.update(store.data_dir, [row(store, athlete)])
    except TrainlogError:
        return False
    return True


def after_import(store: Store, report: ImportReport) -> None:
    """What follows an import that stored something (``trainlog import``, ``watch``, the dashboard's uploads):
    the athlete's analysis kept on disk (:func:`~trainlog.analysis.stored.analyse_imported`), then their roster
    row when there is a roster."""
    analyse_imported(store, report)
    if report.counts()["imported"]:
        refresh(store, report.athlete)

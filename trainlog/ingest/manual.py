"""Activities without a file: a strength session, a hike without a watch, a race from years ago.

The athlete gives the sport, the local start, the duration and, when known, the
distance, the ascent, a session RPE and a note. The session becomes one row of
the ``activities`` table like any imported leg (no samples, ``source_file``
:data:`trainlog.words.MANUAL_SOURCE`), with its line in the import ledger, in
one commit with its rating (:mod:`trainlog.store.entries`). It counts in every
daily and weekly series on its local start day; its load is the ``rpe`` load
when it is rated, else the ``duration`` load (shared/METRICS.md, "Load when
there is no heart rate"): with no samples there is no heart rate, power or pace.

Its id is the hash of what was entered, so the same session entered twice is
refused as already there, and it never makes a recorded file a duplicate.

    add_activity(store, "mara", ManualActivity("strength_training", dt.datetime(2026, 3, 2, 18, 0), 3600.0))
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from dataclasses import dataclass

import polars as pl

from trainlog.days import MIN_DAY, local_offset_s
from trainlog.errors import InvalidValue, SettingsError
from trainlog.settings import AthleteSettings, load_settings
from trainlog.settings.ranges import check_sport
from trainlog.store import Store, check_athlete, entries, schema
from trainlog.text import quoted
from trainlog.words import MANUAL_SOURCE, Outcome

#: The longest session accepted, s: a week (a multi-day race is entered as one session).
MAX_DURATION_S = 7 * 24 * 3600.0
MAX_DISTANCE_M = 2_000_000.0  # 2,000 km
MAX_ASCENT_M = 50_000.0  # almost three Barkleys
#: Names people give a session that FIT calls a sub-sport: (FIT sport, FIT sub-sport), so a strength session
#: entered by hand and one recorded by a watch are one sport in the series by sport.
SUB_SPORTS = {
    "strength_training": ("training", "strength_training"), "strength": ("training", "strength_training"),
    "yoga": ("training", "yoga"), "cardio_training": ("training", "cardio_training"),
    "trail_running": ("running", "trail"), "trail": ("running", "trail"), "treadmill": ("running", "treadmill"),
    "indoor_cycling": ("cycling", "indoor_cycling"), "mountain_biking": ("cycling", "mountain"),
    "ski_touring": ("alpine_skiing", "backcountry"),
}
#: How far past "now" a start may be (a clock or a time zone a little ahead), s.
FUTURE_SLACK_S = 24 * 3600.0


@dataclass(frozen=True)
class ManualActivity:
    """A session entered by hand. ``start`` is the local start (naive), the others in s and m."""

    sport: str
    start: dt.datetime
    duration_s: float
    distance_m: float | None = None
    ascent_m: float | None = None
    rpe: float | None = None
    note: str | None = None

    def checked(self) -> ManualActivity:
        """This entry, or InvalidValue (one line) naming the first bad value."""
        try:
            check_sport("sport", self.sport)
        except SettingsError as error:
            raise InvalidValue(str(error)) from None
        if not isinstance(self.start, dt.datetime) or self.start.tzinfo is not None:
            raise InvalidValue(f"start {quoted(self.start)} is not a local date and time")
        if self.start.date() < MIN_DAY:
            raise InvalidValue(f"start {self.start:%Y-%m-%d} is before {MIN_DAY}")
        _check_number("duration", self.duration_s, 1.0, MAX_DURATION_S, "s")
        if self.distance_m is not None:
            _check_number("distance", self.distance_m, 0.0, MAX_DISTANCE_M, "m")
        if self.ascent_m is not None:
            _check_number("ascent", self.ascent_m, 0.0, MAX_ASCENT_M, "m")
        if self.rpe is not None:
            entries.check_rpe(self.rpe)
        if self.note is not None:
            entries.check_text("note", self.note)
        return self


def _check_number(what: str, value: object, low: float, high: float, unit: str) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InvalidValue(f"{what} {quoted(value)} is not a number")
    if not low <= value <= high:
        raise InvalidValue(f"{what} {value:g} {unit} is out of range {low:g}..{high:g} {unit}")


def add_activity(store: Store, athlete: str, entry: ManualActivity, settings: AthleteSettings | None = None,
                 now: dt.datetime | None = None) -> str:
    """Store a session entered by hand (creating the athlete's dataset if needed); returns its activity id.

    A sport FIT names as a sub-sport (``strength_training``) is stored as FIT does (:data:`SUB_SPORTS`). The
    local start is placed in the athlete's time zone (``settings.timezone``, the machine's when unset).
    InvalidValue (one line, nothing written) for a bad value, a start in the future, or the same session
    entered before; :class:`~trainlog.errors.StoreError` for a damaged dataset.
    """
    athlete = check_athlete(athlete)
    entry = entry.checked()
    sport, sub_sport = SUB_SPORTS.get(entry.sport, (entry.sport, None))
    settings = settings or load_settings(store.settings_path(athlete))
    now = now or dt.datetime.now(dt.UTC)
    offset = local_offset_s(entry.start, settings.timezone)
    start_utc = (entry.start - dt.timedelta(seconds=offset)).replace(tzinfo=dt.UTC)
    if (start_utc - now).total_seconds() > FUTURE_SLACK_S:
        raise InvalidValue(f"start {entry.start:%Y-%m-%d %H:%M} is in the future: a planned session goes in the "
                           f"plan (trainlog plan), a done one is entered once it is done")
    numbers = {name: None if getattr(entry, name) is None else float(getattr(entry, name))  # 2700 == 2700.0
               for name in ("duration_s", "distance_m", "ascent_m")}
    key = json.dumps({"athlete": athlete, "sport": sport, "sub_sport": sub_sport, "start": entry.start.isoformat(),
                      **numbers},
                     sort_keys=True)
    sha = hashlib.sha256(key.encode()).hexdigest()
    activity_id = f"{sha[:16]}-0"
    row = {
        "activity_id": activity_id, "file_sha256": sha, "leg": 0, "n_legs": 1, "athlete": athlete,
        "sport": sport, "sub_sport": sub_sport, "start_utc": start_utc, "utc_offset_s": offset,
        "elapsed_s": float(entry.duration_s), "timer_s": float(entry.duration_s),
        "distance_m": None if entry.distance_m is None else float(entry.distance_m),
        "ascent_device_m": None if entry.ascent_m is None else float(entry.ascent_m),
        "n_records": 0, "partial": False, "import_note": "entered by hand", "source_file": MANUAL_SOURCE,
        "imported_at": now,
    }
    with store.transaction(athlete) as tx:
        if activity_id in set(tx.read("activities")["activity_id"].to_list()):
            raise InvalidValue(f"this session ({entry.sport}, {entry.start:%Y-%m-%d %H:%M}) was entered before: "
                               f"activity {activity_id}")
        tx.append("activities", pl.DataFrame([row], schema=schema.ACTIVITIES))
        tx.append("files", pl.DataFrame([{"file_sha256": sha, "source_file": MANUAL_SOURCE,
                                           "outcome": Outcome.IMPORTED.value, "detail": "entered by hand",
                                           "imported_at": now}], schema=schema.FILES))
        if entry.rpe is not None or entry.note is not None:
            rating = {"activity_id": activity_id, "rpe": entry.rpe, "feel": None, "note": entry.note, "at": now}
            tx.append("ratings", pl.DataFrame([rating], schema=schema.RATINGS))
    return activity_id


def remove_activity(store: Store, athlete: str, activity_id: str) -> str:
    """Remove a session entered by hand (a typo in its duration, say: enter it again after); returns what it was,
    in words. Its row and its line in the import ledger go in one commit; its rating and comments stay in their
    tables, tied to an id no activity has. InvalidValue (one line, nothing changed) for an unknown id or a recorded
    activity (those are excluded from the goal, not removed: their file would come back at the next import)."""
    athlete = check_athlete(athlete)
    with store.transaction(athlete) as tx:
        acts = tx.read("activities")
        found = acts.filter(pl.col("activity_id") == activity_id)
        if found.is_empty():
            raise InvalidValue(f"no activity {quoted(activity_id)} for athlete {athlete}; "
                               f"the ids are in: trainlog activities -a {athlete} (column id)")
        row = found.row(0, named=True)
        if row["source_file"] != MANUAL_SOURCE:
            raise InvalidValue(f"activity {activity_id} was recorded ({quoted(row['source_file'], 60)}), not entered "
                               f"by hand: only those are removed; leave a run out of the goal with: trainlog activity "
                               f"exclude {activity_id} -a {athlete}")
        tx.replace("activities", acts.filter(pl.col("activity_id") != activity_id))
        files = tx.read("files")
        tx.replace("files", files.filter(pl.col("file_sha256") != row["file_sha256"]))
    offset = dt.timedelta(seconds=row["utc_offset_s"] or 0)
    return f"{row['sport']} of {(row['start_utc'] + offset):%Y-%m-%d %H:%M}, {row['elapsed_s'] / 3600:.2f} h"

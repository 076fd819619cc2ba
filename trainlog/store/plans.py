"""The plan to race day, stored in the athlete's dataset: weeks (and optional planned sessions per day).

A :class:`Plan` is the race it aims at, one row per week (:data:`WEEK_COLUMNS`)
and, for the coach who plans in detail, sessions per day (:data:`DAY_COLUMNS`).
It is kept in the ``plan_weeks`` and ``plan_days`` tables
(:data:`trainlog.store.schema.PLAN_WEEKS`), versioned: :func:`save` appends the
whole plan under the next ``revision`` in one commit, so a change is never
saved half and every earlier plan stays readable (:func:`revisions`).

    plan = latest(store, "mara")           # None when the athlete has no plan
    save(store, "mara", plan, "set")       # a new revision; returns its number

:func:`checked` is the one validation of a plan, whether it was generated,
typed on the command line, imported from a spreadsheet or edited on the Plan
page: every refusal is one :class:`~trainlog.errors.InvalidValue` line naming
the week or day, the field and the allowed range.
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from dataclasses import dataclass

import polars as pl

from trainlog.errors import InvalidValue, StoreError
from trainlog.settings import Goal
from trainlog.store import Store, check_athlete, schema
from trainlog.text import quoted
from trainlog.words import SESSION_TYPES, WEEK_KINDS

#: What saved a revision.
SOURCES = ("generate", "set", "import", "page")

#: A week's planned figures (the plan's own columns of :data:`trainlog.store.schema.PLAN_WEEKS`).
WEEK_COLUMNS: dict[str, pl.DataType] = {
    name: schema.PLAN_WEEKS[name]
    for name in ("week_start", "kind", "planned_hours", "planned_ascent_m", "planned_descent_m",
                 "long_sessions", "planned_load", "note")
}
#: A planned session (the plan's own columns of :data:`trainlog.store.schema.PLAN_DAYS`).
DAY_COLUMNS: dict[str, pl.DataType] = {
    name: schema.PLAN_DAYS[name] for name in ("date", "session", "hours", "ascent_m", "load", "note")
}

#: Allowed values: (low, high, unit) per number; a week has 168 hours, a day 24.
WEEK_LIMITS = {"planned_hours": (0.0, 168.0, "h"), "planned_ascent_m": (0.0, 100_000.0, "m"),
               "planned_descent_m": (0.0, 100_000.0, "m"), "planned_load": (0.0, 20_000.0, ""),
               "long_sessions": (0, 7, "days")}
DAY_LIMITS = {"hours": (0.0, 24.0, "h"), "ascent_m": (0.0, 30_000.0, "m"), "load": (0.0, 3_000.0, "")}
#: The longest note kept (one line).
MAX_NOTE_CHARS = 200
#: The most weeks a plan may hold (two years).
MAX_WEEKS = 104


@dataclass(frozen=True)
class Race:
    """The goal race a plan was made for."""

    name: str
    date: dt.date
    ascent_m: float


def race_of(goal: Goal) -> Race:
    """The athlete's goal race as a plan's race; InvalidValue (saying how to set one) when the goal has no date."""
    if goal.date is None:
        raise InvalidValue("the goal has no date: set one with trainlog athlete set --goal-date YYYY-MM-DD")
    return Race(goal.name, goal.date, goal.ascent_m)


@dataclass(frozen=True)
class Plan:
    """One plan: the race, its weeks (oldest first) and its planned sessions (by date); ``revision`` 0 when unsaved."""

    race: Race
    weeks: pl.DataFrame  # WEEK_COLUMNS
    days: pl.DataFrame  # DAY_COLUMNS
    revision: int = 0
    source: str = "generate"
    saved_at: dt.datetime | None = None


def monday(day: dt.date) -> dt.date:
    """The Monday of ``day``'s week (plans, like the weekly figures, run Monday to Sunday)."""
    return day - dt.timedelta(days=day.weekday())


def empty_weeks() -> pl.DataFrame:
    """No weeks, with :data:`WEEK_COLUMNS`."""
    return pl.DataFrame(schema=WEEK_COLUMNS)


def empty_days() -> pl.DataFrame:
    """No sessions, with :data:`DAY_COLUMNS`."""
    return pl.DataFrame(schema=DAY_COLUMNS)


def _number(where: str, name: str, value: object, limits: tuple[float, float, str]) -> float:
    low, high, unit = limits
    shown = f"{low:g}..{high:g}{' ' + unit if unit else ''}"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidValue(f"{where}: {name} {quoted(value)} is not a number (range {shown})")
    if not math.isfinite(value) or not low <= value <= high:
        raise InvalidValue(f"{where}: {name} {quoted(value)} is out of range {shown}")
    return float(value)


def check_note(where: str, note: object) -> str | None:
    """A note: None, or one line of at most :data:`MAX_NOTE_CHARS` characters without control characters."""
    if note is None or note == "":
        return None
    if not isinstance(note, str):
        raise InvalidValue(f"{where}: note {quoted(note)} is not text")
    if len(note) > MAX_NOTE_CHARS:
        raise InvalidValue(f"{where}: note is longer than {MAX_NOTE_CHARS} characters")
    if any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in note):
        raise InvalidValue(f"{where}: note {quoted(note)} contains control characters")
    return note.strip() or None


def _check_row(where: str, row: dict, field: str, word: str, allowed: tuple[str, ...],
               limits: dict[str, tuple[float, float, str]], optional: tuple[str, ...] = ()) -> None:
    """Check (and normalise, in place) what weeks and sessions share: the kind or type, the numbers, the note."""
    if row[field] not in allowed:
        raise InvalidValue(f"{where}: {word} {quoted(row[field])} is not one of {', '.join(allowed)}")
    for name, limit in limits.items():
        if row[name] is not None or name not in optional:  # an optional number may be null (computed later)
            row[name] = _number(where, name, row[name], limit)
    row["note"] = check_note(where, row["note"])


def checked(plan: Plan) -> Plan:
    """``plan`` with its frames in the stored columns and order, or one-line InvalidValue.

    Weeks start on Mondays, are unique and at most :data:`MAX_WEEKS`; kinds are
    :data:`WEEK_KINDS`, numbers within :data:`WEEK_LIMITS` (long sessions whole);
    sessions are :data:`SESSION_TYPES` on distinct days, numbers within :data:`DAY_LIMITS`
    (a null load is computed from the hours and the session's intensity).
    """
    weeks, days = plan.weeks, plan.days
    missing = [c for c in WEEK_COLUMNS if c not in weeks.columns] + [c for c in DAY_COLUMNS if c not in days.columns]
    if missing:
        raise InvalidValue(f"a plan needs the columns {', '.join(missing)}")
    if weeks.height > MAX_WEEKS:
        raise InvalidValue(f"a plan holds at most {MAX_WEEKS} weeks, not {weeks.height}")
    seen: set[dt.date] = set()
    week_rows = []
    for row in weeks.to_dicts():
        start = row["week_start"]
        if not isinstance(start, dt.date) or start.weekday() != 0:
            shown = start.isoformat() if isinstance(start, dt.date) else quoted(start)
            raise InvalidValue(f"week {shown}: a week starts on a Monday (YYYY-MM-DD)")
        where = f"week of {start.isoformat()}"
        if start in seen:
            raise InvalidValue(f"{where} is planned twice")
        seen.add(start)
        _check_row(where, row, "kind", "kind", WEEK_KINDS, WEEK_LIMITS)
        if row["long_sessions"] != int(row["long_sessions"]):
            raise InvalidValue(f"{where}: long_sessions {row['long_sessions']:g} is not a whole number")
        row["long_sessions"] = int(row["long_sessions"])
        week_rows.append({c: row[c] for c in WEEK_COLUMNS})
    day_rows, days_seen = [], set()
    for row in days.to_dicts():
        day = row["date"]
        if not isinstance(day, dt.date):
            raise InvalidValue(f"session day {quoted(day)} is not a date (YYYY-MM-DD)")
        where = f"session of {day.isoformat()}"
        if day in days_seen:
            raise InvalidValue(f"{where} is planned twice (one session a day)")
        days_seen.add(day)
        _check_row(where, row, "session", "type", SESSION_TYPES, DAY_LIMITS, optional=("load",))
        day_rows.append({c: row[c] for c in DAY_COLUMNS})
    return Plan(
        plan.race,
        pl.DataFrame(week_rows, schema=WEEK_COLUMNS).sort("week_start"),
        pl.DataFrame(day_rows, schema=DAY_COLUMNS).sort("date"),
        plan.revision, plan.source, plan.saved_at,
    )


def revisions(store: Store, athlete: str) -> list[tuple[int, str, dt.datetime]]:
    """Every saved revision of the athlete's plan: (revision, source, saved at), oldest first."""
    weeks = store.read_all(check_athlete(athlete), ("plan_weeks",))["plan_weeks"]
    done = weeks.group_by("revision").agg(pl.col("source").first(), pl.col("at").first()).sort("revision")
    return [(r, s, a) for r, s, a in done.iter_rows()]


def latest(store: Store, athlete: str, revision: int | None = None) -> Plan | None:
    """The athlete's plan (its highest revision, or ``revision``); None when there is none."""
    athlete = check_athlete(athlete)
    if athlete not in store.athletes():
        return None
    tables = store.read_all(athlete, ("plan_weeks", "plan_days"))
    return from_tables(tables["plan_weeks"], tables["plan_days"], revision)


def from_tables(weeks: pl.DataFrame, days: pl.DataFrame, revision: int | None = None) -> Plan | None:
    """The plan of one revision (the highest when None) from the stored tables; None when there is none."""
    if weeks.is_empty():
        return None
    revision = int(weeks["revision"].max()) if revision is None else revision
    mine = weeks.filter(pl.col("revision") == revision).sort("week_start")
    if mine.is_empty():
        return None
    first = mine.row(0, named=True)
    race = Race(first["race_name"], first["race_date"], first["race_ascent_m"])
    plan_days = days.filter(pl.col("revision") == revision).select(list(DAY_COLUMNS)).sort("date")
    return Plan(race, mine.select(list(WEEK_COLUMNS)), plan_days, revision, first["source"], first["at"])


def save(store: Store, athlete: str, plan: Plan, source: str, edits: int | None = None) -> Plan:
    """Check ``plan`` and append it as the next revision in one commit; returns it as saved.

    ``source``: one of :data:`SOURCES`. Nothing is written when the check fails,
    when the plan has no weeks, or when it equals the latest one (the latest is returned).
    ``edits``: the revision the change was made to (an edit of a plan read earlier): when
    another revision was saved since (a coach and an athlete editing at once), nothing is
    written and InvalidValue says so, rather than the later change being silently undone.
    """
    if source not in SOURCES:
        raise InvalidValue(f"unknown plan source {quoted(source)}: use one of {', '.join(SOURCES)}")
    athlete = check_athlete(athlete)
    good = checked(plan)
    if good.weeks.is_empty():  # nothing would be written: no revision without weeks
        raise InvalidValue("a plan needs at least one week")
    if athlete not in store.athletes():
        store.manifest(athlete)  # a lost or damaged manifest says so
        raise StoreError(f"no dataset for athlete {athlete!r} in {store.data_dir}; import some activities first")
    with store.transaction(athlete) as tx:
        before = from_tables(tx.read("plan_weeks"), tx.read("plan_days"))
        latest_revision = before.revision if before is not None else 0
        if edits is not None and latest_revision != edits:
            raise InvalidValue(f"the plan changed while you edited it (revision {latest_revision} was saved after "
                               f"{edits}); nothing was saved: look at the plan again and redo the change")
        if before is not None and _same(before, good):
            return before
        revision = 1 if before is None else before.revision + 1
        now = dt.datetime.now(dt.UTC)
        race = good.race
        tx.append("plan_weeks", good.weeks.with_columns(
            revision=pl.lit(revision), race_name=pl.lit(race.name), race_date=pl.lit(race.date),
            race_ascent_m=pl.lit(float(race.ascent_m)), source=pl.lit(source), at=pl.lit(now),
        ))
        tx.append("plan_days", good.days.with_columns(revision=pl.lit(revision)))
    return Plan(race, good.weeks, good.days, revision, source, now)


def _same(a: Plan, b: Plan) -> bool:
    return a.race == b.race and a.weeks.equals(b.weeks) and a.days.equals(b.days)


#: The week figures an edit may change, and the option words people type for them.
WEEK_EDITS = ("kind", "planned_hours", "planned_ascent_m", "planned_descent_m", "planned_load", "long_sessions", "note")


def with_week(plan: Plan, day: dt.date, changes: dict[str, object]) -> Plan:
    """``plan`` with the week holding ``day`` changed (keys of :data:`WEEK_EDITS`; None: unchanged), checked.

    When the hours change and the load is not given, the load follows the
    hours (the week's load per hour is kept); when the ascent changes and the
    descent is not given, the descent follows the ascent likewise.
    Raises InvalidValue when no week of the plan holds ``day`` or a value breaks a rule.
    """
    unknown = [k for k in changes if k not in WEEK_EDITS]
    if unknown:
        raise InvalidValue(f"unknown week field {quoted(unknown[0])}: use {', '.join(WEEK_EDITS)}")
    start = monday(day)
    rows = plan.weeks.to_dicts()
    match = [r for r in rows if r["week_start"] == start]
    if not match:
        first, last = plan.weeks["week_start"].min(), plan.weeks["week_start"].max()
        raise InvalidValue(f"no planned week holds {day}: the plan's weeks start {first} to {last}")
    row = match[0]
    given = {k: v for k, v in changes.items() if v is not None}
    for driver, follower in (("planned_hours", "planned_load"), ("planned_ascent_m", "planned_descent_m")):
        if driver in given and follower not in given and isinstance(given[driver], (int, float)):
            old = row[driver]
            given[follower] = row[follower] * given[driver] / old if old else row[follower]
    if "note" in changes and changes["note"] == "":
        given["note"] = None
    long_days = given.get("long_sessions")
    if _is_number(long_days) and (not math.isfinite(long_days) or long_days != int(long_days)):
        raise InvalidValue(f"week of {start}: long_sessions {quoted(long_days)} is not a whole number (0..7 days)")
    row.update(given)
    weeks = pl.DataFrame(rows, schema=WEEK_COLUMNS, strict=False) if _numbers_ok(rows) else None
    if weeks is None:  # a value of the wrong kind: let the check name it
        bad = next((k, v) for k, v in given.items() if k != "kind" and k != "note" and not _is_number(v))
        raise InvalidValue(f"week of {start}: {bad[0]} {quoted(bad[1])} is not a number")
    return checked(Plan(plan.race, weeks, plan.days, plan.revision, plan.source, plan.saved_at))


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _numbers_ok(rows: list[dict]) -> bool:
    return all(_is_number(r[k]) for r in rows for k in WEEK_LIMITS)


def with_session(plan: Plan, day: dt.date, session: str, hours: float, ascent_m: float = 0.0,
                 load: float | None = None, note: str | None = None) -> Plan:
    """``plan`` with the planned session of ``day`` set (replacing one already there), checked.

    ``load`` None: ``100 * hours * IF^2`` by the session's type. The day must lie in a planned week.
    """
    start = monday(day)
    if start not in set(plan.weeks["week_start"].to_list()):
        raise InvalidValue(f"no planned week holds {day}: plan the week first")
    for name, value in (("hours", hours), ("ascent_m", ascent_m), ("load", load)):
        if value is not None and not _is_number(value):
            raise InvalidValue(f"session of {day}: {name} {quoted(value)} is not a number")
    rows = [r for r in plan.days.to_dicts() if r["date"] != day]
    rows.append({"date": day, "session": session, "hours": hours, "ascent_m": ascent_m, "load": load, "note": note})
    days = pl.DataFrame(rows, schema=DAY_COLUMNS, strict=False)
    return checked(Plan(plan.race, plan.weeks, days, plan.revision, plan.source, plan.saved_at))


def without_session(plan: Plan, day: dt.date) -> Plan:
    """``plan`` without the planned session of ``day`` (InvalidValue when there is none)."""
    if day not in set(plan.days["date"].to_list()):
        raise InvalidValue(f"no session is planned on {day}")
    return Plan(plan.race, plan.weeks, plan.days.filter(pl.col("date") != day), plan.revision, plan.source,
                plan.saved_at)

"""A plan as a spreadsheet: ``trainlog plan import FILE.csv`` and ``trainlog plan export``.

One CSV file, a header and one row per planned week or session::

    row,date,type,hours,ascent_m,descent_m,load,long_sessions,note
    week,2027-01-04,build,12,5000,5000,,1,
    day,2027-01-09,long,4,1500,,,,hills above the lake

- ``row``: ``week`` or ``day``;
- ``date``: ``YYYY-MM-DD``; for a week any day of it (the plan keeps its Monday);
- ``type``: a week's kind (base, build, recovery, peak, taper, race) or a
  session's type (recovery, easy, long, steady, tempo, threshold);
- ``hours``, ``ascent_m`` (metres), ``descent_m``, ``load``, ``long_sessions``, ``note``:
  numbers with a decimal point (a decimal comma too when the columns are
  separated by ``;``, as spreadsheets in many countries write them). Empty
  cells take defaults: a week's descent = its ascent, its load = hours x
  ``load_per_hour``, its long sessions 1 (0 in the race week); a session's
  ascent 0 and its load ``100 x hours x IF^2`` by type.

Every row is checked before anything is saved; the first bad one is a
one-line :class:`~trainlog.errors.InvalidValue` naming the file, the line and
the column.
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import polars as pl

from trainlog.days import parse_day
from trainlog.errors import InvalidValue
from trainlog.store.plans import DAY_COLUMNS, WEEK_COLUMNS, Plan, Race, checked, monday
from trainlog.text import quoted, read_text_file

#: The columns of a plan CSV, in the order export writes them.
COLUMNS = ("row", "date", "type", "hours", "ascent_m", "descent_m", "load", "long_sessions", "note")
#: First characters that make a spreadsheet read a cell as a formula: export writes such a note after a "'".
_FORMULA = ("=", "+", "-", "@")
#: The largest plan file read (a two-year plan with a session every day is about 60 kB).
MAX_BYTES = 1_000_000


def _number(text: str, what: str, decimal_comma: bool) -> float | None:
    text = text.strip()
    if not text:
        return None
    if decimal_comma:
        text = text.replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        raise InvalidValue(f"{what} {quoted(text)} is not a number") from None
    if not math.isfinite(value):
        raise InvalidValue(f"{what} {quoted(text)} is not a finite number")
    return value


def read_plan(path: Path, race: Race, load_per_hour: float) -> Plan:
    """The plan in the CSV file ``path`` for ``race``, checked (InvalidValue naming the file and line when not)."""
    return parse_plan(read_text_file(path, "plan file", MAX_BYTES), race, load_per_hour, str(path))


def parse_plan(text: str, race: Race, load_per_hour: float, name: str = "plan") -> Plan:
    """The plan in CSV ``text`` (see the module's doc); ``name`` is the file named in errors."""
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise InvalidValue(f"{name}: the plan file is empty (header: {','.join(COLUMNS)})") from None
    except csv.Error as exc:
        raise InvalidValue(f"{name} line 1: {exc}") from None
    unknown = [h for h in header if h not in COLUMNS]
    missing = [c for c in ("row", "date", "type", "hours") if c not in header]
    if unknown or missing:
        raise InvalidValue(f"{name} line 1: " + (f"unknown column {quoted(unknown[0])}" if unknown
                                                   else f"missing column {missing[0]}")
                           + f"; the columns are {','.join(COLUMNS)}")
    weeks, days = [], []
    comma = delimiter == ";"
    try:
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if len(cells) > len(header):
                raise InvalidValue(f"{name} line {line}: {len(cells)} cells for {len(header)} columns")
            row = dict(zip(header, (c.strip() for c in cells)))
            row.update({c: "" for c in COLUMNS if c not in row})
            try:
                _add_row(row, weeks, days, load_per_hour, comma)
                one = (weeks[-1:], []) if row["row"].lower() == "week" else ([], days[-1:])
                checked(Plan(race, pl.DataFrame(one[0], schema=WEEK_COLUMNS), pl.DataFrame(one[1], schema=DAY_COLUMNS)))
                seen = [w["week_start"] for w in weeks] if one[0] else [d["date"] for d in days]
                if seen.count(seen[-1]) > 1:
                    what = "week of" if one[0] else "a session on"
                    raise InvalidValue(f"{what} {seen[-1]} is in the file twice")
            except InvalidValue as exc:
                raise InvalidValue(f"{name} line {line}: {exc}") from None
    except csv.Error as exc:
        raise InvalidValue(f"{name} line {reader.line_num}: {exc}") from None
    if not weeks:
        raise InvalidValue(f"{name}: no week rows (row,date,type,hours,...: week,2027-01-04,build,12)")
    plan = Plan(race, pl.DataFrame(weeks, schema=WEEK_COLUMNS), pl.DataFrame(days, schema=DAY_COLUMNS), source="import")
    try:
        return checked(plan)
    except InvalidValue as exc:
        raise InvalidValue(f"{name}: {exc}") from None


def _add_row(row: dict[str, str], weeks: list, days: list, load_per_hour: float, comma: bool) -> None:
    kind = row["row"].lower()
    day = parse_day(row["date"], "date")
    hours = _number(row["hours"], "hours", comma)
    if hours is None:
        raise InvalidValue("hours is empty")
    ascent = _number(row["ascent_m"], "ascent_m", comma)
    load = _number(row["load"], "load", comma)
    note = row["note"] or None
    if note and note[0] == "'" and note[1:2] in _FORMULA:  # export's guard against spreadsheet formulas
        note = note[1:]
    if kind == "week":
        long_days = _number(row["long_sessions"], "long_sessions", comma)
        if long_days is not None and long_days != int(long_days):
            raise InvalidValue(f"long_sessions {row['long_sessions']} is not a whole number")
        descent = _number(row["descent_m"], "descent_m", comma)
        ascent = ascent or 0.0
        weeks.append({
            "week_start": monday(day), "kind": row["type"].lower(), "planned_hours": hours, "planned_ascent_m": ascent,
            "planned_descent_m": ascent if descent is None else descent,
            "long_sessions": (0 if row["type"].lower() == "race" else 1) if long_days is None else int(long_days),
            "planned_load": hours * load_per_hour if load is None else load, "note": note,
        })
    elif kind == "day":
        days.append({"date": day, "session": row["type"].lower(), "hours": hours, "ascent_m": ascent or 0.0,
                     "load": load, "note": note})
    else:
        raise InvalidValue(f"row {quoted(row['row'])} is not week or day")


def plan_text(plan: Plan) -> str:
    """The plan as CSV (the format :func:`parse_plan` reads): weeks, then sessions."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for w in plan.weeks.iter_rows(named=True):
        writer.writerow(["week", w["week_start"].isoformat(), w["kind"], f"{w['planned_hours']:g}",
                         f"{w['planned_ascent_m']:g}", f"{w['planned_descent_m']:g}", f"{w['planned_load']:g}",
                         w["long_sessions"], _cell(w["note"])])
    for d in plan.days.iter_rows(named=True):
        writer.writerow(["day", d["date"].isoformat(), d["session"], f"{d['hours']:g}", f"{d['ascent_m']:g}", "",
                         "" if d["load"] is None else f"{d['load']:g}", "", _cell(d["note"])])
    return out.getvalue()


def _cell(note: str | None) -> str:
    """A note as a cell a spreadsheet shows as text, never runs as a formula."""
    if not note:
        return ""
    return "'" + note if note.startswith(_FORMULA) else note

"""Wellness per local day: resting HR, HRV, sleep, weight, how the athlete feels, illness, a note (issue 16).

The ``wellness`` table (:data:`trainlog.store.schema.WELLNESS`) is append-only,
written through :meth:`trainlog.store.Store.transaction` like every other table:
each row gives some fields of one local day (null: not given), and per day and
field the latest value given wins (rows are read in commit order, as
:mod:`trainlog.store.choices` folds its log). A value cannot be taken back,
only replaced; a note of ``""`` clears the note. Rows come from the command line
(``source="cli"``), the dashboard (``"page"``), a CSV file (``"csv"``) and a
watch's wellness FIT files (``"fit"``, written by :mod:`trainlog.ingest`).

    add(store, "mara", "2026-03-15", {"resting_hr_bpm": 48, "hrv_rmssd_ms": 62, "sleep_h": 7.5})
    daily(store, "mara")                  # one row per day, every field
    import_csv(store, "mara", "wellness.csv")
    append(tx, {day: values}, "fit", name)  # inside a transaction the caller holds

:data:`FIELDS` declares every field once (unit, valid range, label, a scale's
words): the CLI's options, the CSV import, the checks and the dashboard's form
read it. :func:`fold` is the pure part.

CSV files (:func:`parse_csv`, :func:`import_csv`): a header row and a column
per field, the date first, comma, semicolon (then a decimal comma is read too)
or tab separated. Header names are matched without case, spaces or
punctuation (``Resting HR``, ``resting_hr``, ``restingHR``; :data:`HEADERS`).
A file that has intervals.icu's own column names (``restingHR``,
``sleepSecs``...) is read as intervals.icu writes it: its 1-4 scales (1 the
first word of its menus: soreness, fatigue and stress 1 low .. 4 extreme; mood
1 great .. 4 grumpy; motivation 1 extreme .. 4 low; sleep quality 1 great .. 4
poor) become the 2-5 of ours with the same word (:data:`ICU_SCALES`; our 1,
"none" or "very poor", has no intervals.icu word), and ``injury`` (1 none, 2
niggle, 3 poor, 4 injured) sets ``illness`` from 3 up.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from trainlog.days import parse_day
from trainlog.errors import InvalidValue
from trainlog.store import Manifest, Store, Transaction, check_athlete, entries, schema
from trainlog.store.wellness_fields import FIELDS, LAYOUTS, MAX_NOTE_CHARS
from trainlog.text import quoted, read_text_file

#: What wrote a row (the ``source`` column).
SOURCES = ("cli", "page", "csv", "fit")

#: The columns of :func:`fold` and :func:`daily`: the date, then every field.
DAILY_SCHEMA: dict[str, pl.DataType] = {"date": pl.Date, **{c: schema.WELLNESS[c] for c in FIELDS}}


def _shown(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else quoted(value)


def check_note(text: object) -> str:
    """A note stripped (``""`` clears the note); line breaks and tabs kept, other control characters refused
    (:func:`trainlog.store.entries.check_text`, the rule of every note and comment)."""
    if isinstance(text, str) and not text.strip():
        return ""
    return entries.check_text("note", text, MAX_NOTE_CHARS)


def check_value(column: str, value: object) -> object:
    """``value`` of the field ``column`` as stored (a float, a whole number, a bool, text), else InvalidValue (one line)."""
    f = FIELDS.get(column) if isinstance(column, str) else None
    if f is None:
        raise InvalidValue(f"unknown wellness field {quoted(column)}: the fields are {', '.join(FIELDS)}")
    if f.kind == "text":
        return check_note(value)
    if f.kind == "flag":
        if not isinstance(value, bool):
            raise InvalidValue(f"{f.label} {quoted(value)} is not true or false")
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidValue(f"{f.label} {quoted(value)} is not a number ({f.range_text()})")
    try:
        number = float(value)
    except OverflowError:  # an int of hundreds of digits
        raise InvalidValue(f"{f.label} {quoted(value)} is out of range {f.range_text()}") from None
    if not math.isfinite(number) or not f.low <= number <= f.high:
        raise InvalidValue(f"{f.label} {_shown(number)} is out of range {f.range_text()}")
    if f.kind == "scale":
        if not number.is_integer():
            raise InvalidValue(f"{f.label} {_shown(number)} is not a whole number from {f.range_text()}")
        return int(number)
    return number


def checked(values: Mapping[str, object]) -> dict[str, object]:
    """``values`` (column -> value; ``None``: not given) checked by :func:`check_value`, the ``None`` ones left out."""
    if not isinstance(values, Mapping):
        raise InvalidValue(f"wellness values {quoted(values)} are not a table of fields and values")
    return {c: check_value(c, v) for c, v in values.items() if v is not None}


def add(store: Store, athlete: str, day: object, values: Mapping[str, object], source: str = "cli",
        source_file: str | None = None) -> bool:
    """Record the wellness ``values`` (column of :data:`FIELDS` -> value; ``None``: not given) of the local ``day``.

    Every value is checked first (InvalidValue, one line: an unknown field, a
    value out of range, a day outside :data:`trainlog.days.MIN_DAY` ..
    :data:`~trainlog.days.MAX_DAY`); then one row is written, holding every
    value given. Returns False, and writes nothing, when every value given is
    already the one in force for that day. A new athlete gets a dataset.
    """
    athlete = check_athlete(athlete)
    day = parse_day(day, "date")
    given = checked(values)
    if not given:
        raise InvalidValue(f"nothing to record for {day}: give at least one of {', '.join(FIELDS)}")
    _check_source(source)
    with store.transaction(athlete) as tx:
        return append(tx, {day: given}, source, source_file) > 0


def append(tx: Transaction, days: Mapping[dt.date, Mapping[str, object]], source: str,
           source_file: str | None = None) -> int:
    """Queue in ``tx`` one row per day of ``days`` (local day -> values, as :func:`add` takes them) whose values
    are not all the ones in force; returns how many days that is. For a writer that holds the athlete's
    transaction already (a FIT import: ``source="fit"``); every value is checked (InvalidValue)."""
    _check_source(source)
    given = {parse_day(d, "date"): checked(v) for d, v in days.items()}
    changed = _changed({d: v for d, v in given.items() if v}, tx)
    if changed:
        tx.append("wellness", _rows(changed, source, source_file))
    return len(changed)


def _check_source(source: str) -> None:
    if source not in SOURCES:
        raise InvalidValue(f"unknown wellness source {quoted(source)}: use one of {', '.join(SOURCES)}")


def fold(log: pl.DataFrame) -> pl.DataFrame:
    """The wellness table (rows in commit order) folded into one row per date (columns :data:`DAILY_SCHEMA`,
    sorted by date): per field the latest value given, null when none was; a cleared note is null.

    A frame that already has those columns and no ``source`` (an earlier :func:`fold`) is returned as it is.
    """
    if "source" not in log.columns and set(DAILY_SCHEMA) <= set(log.columns):
        return log.select(pl.col(c).cast(t) for c, t in DAILY_SCHEMA.items())
    log = log.filter(pl.col("date").is_not_null()).with_row_index("_seq")
    if log.is_empty():
        return pl.DataFrame(schema=DAILY_SCHEMA)
    out = log.group_by("date").agg(pl.col(c).sort_by("_seq").drop_nulls().last() for c in FIELDS)
    return (
        out.with_columns(pl.when(pl.col("note").str.strip_chars() != "").then(pl.col("note")).alias("note"))
        .select(pl.col(c).cast(t) for c, t in DAILY_SCHEMA.items())
        .sort("date")
    )


def daily(store: Store, athlete: str, manifest: Manifest | None = None) -> pl.DataFrame:
    """The athlete's wellness, one row per day that has any (:func:`fold`); empty for an athlete without any.

    ``manifest``: the wellness of that commit (a snapshot the caller read), not of the latest.
    """
    return fold(store.read_all(check_athlete(athlete), ("wellness",), manifest)["wellness"])


def _changed(days: dict[dt.date, dict[str, object]], tx: Transaction) -> dict[dt.date, dict[str, object]]:
    """The days of ``days`` whose values are not all the ones in force (read under the writers' lock)."""
    now = fold(tx.read("wellness")).filter(pl.col("date").is_in(list(days)))
    in_force = {row["date"]: row for row in now.iter_rows(named=True)}
    out = {}
    for day, given in days.items():
        before = in_force.get(day, {})
        if any((v if v != "" else None) != before.get(c) for c, v in given.items()):
            out[day] = given
    return out


def _rows(days: dict[dt.date, dict[str, object]], source: str, source_file: str | None) -> pl.DataFrame:
    at = dt.datetime.now(dt.UTC)
    rows = [{"date": d, **given, "source": source, "source_file": source_file, "at": at} for d, given in days.items()]
    return pl.DataFrame(rows, schema=schema.WELLNESS)


# --------------------------------------------------------------------------- CSV files

#: Per column (and the date): the header names that fill it, lower case, letters and digits only, preferred first
#: (HRV4Training's ``HRV`` is its own 20 x ln(rMSSD) score: a file with an ``rMSSD`` column is read from that).
#: An hours field named in seconds (``...secs``, ``...seconds``) or minutes (``...min``, ``...minutes``) is converted.
HEADERS: dict[str, tuple[str, ...]] = {
    "date": ("date", "day", "calendardate", "id", "datetime", "timestamp"),
    "resting_hr_bpm": ("restinghrbpm", "restinghr", "restingheartrate", "rhr", "hr"),
    "hrv_rmssd_ms": ("hrvrmssdms", "hrvrmssd", "rmssdms", "rmssd", "hrvms", "hrv"),
    "sleep_h": ("sleeph", "sleephours", "sleephrs", "hoursslept", "sleep", "sleeptime", "sleepduration",
                "sleepsecs", "sleepseconds", "sleepmin", "sleepminutes"),
    "sleep_quality": ("sleepquality",),
    "sleep_deep_h": ("sleepdeeph", "deepsleeph", "deepsleep", "deepsleepsecs", "deepsleepmin"),
    "sleep_light_h": ("sleeplighth", "lightsleeph", "lightsleep", "lightsleepsecs", "lightsleepmin"),
    "sleep_rem_h": ("sleepremh", "remsleeph", "remsleep", "remsleepsecs", "remsleepmin"),
    "sleep_awake_h": ("sleepawakeh", "awakeh", "awake", "awakesecs", "awakemin"),
    "weight_kg": ("weightkg", "weight", "bodyweightkg", "bodyweight", "bodymasskg"),
    "soreness": ("soreness", "musclesoreness"),
    "fatigue": ("fatigue",),
    "stress": ("stress",),
    "mood": ("mood",),
    "motivation": ("motivation",),
    "illness": ("illness", "ill", "sick", "injured", "injury"),
    "note": ("note", "notes", "comment", "comments"),
}
#: Names only intervals.icu's wellness export uses (as written, case and all): a file with one is read as intervals.icu's.
ICU_COLUMNS = frozenset({"restingHR", "sleepSecs", "sleepQuality", "sleepScore", "hrvSDNN", "avgSleepingHR",
                         "kcalConsumed", "spO2", "bodyFat", "bloodGlucose", "baevskySI", "rampRate", "ctlLoad",
                         "atlLoad", "menstrualPhase"})
#: intervals.icu's 1-4 scales (1 = the first word of its menu) as ours, word for word.
ICU_SCALES: dict[str, dict[int, int]] = {
    "soreness": {1: 2, 2: 3, 3: 4, 4: 5},  # low, avg, high, extreme
    "fatigue": {1: 2, 2: 3, 3: 4, 4: 5},
    "stress": {1: 2, 2: 3, 3: 4, 4: 5},
    "mood": {1: 5, 2: 4, 3: 3, 4: 2},  # great, good, ok, grumpy
    "motivation": {1: 5, 2: 4, 3: 3, 4: 2},  # extreme, high, avg, low
    "sleep_quality": {1: 5, 2: 4, 3: 3, 4: 2},  # great, good, avg, poor
}
ICU_INJURY = {1: False, 2: False, 3: True, 4: True}  # none, niggle, poor, injured
#: The largest wellness file read (ten years of days with every column is about 2 MB).
MAX_BYTES = 20_000_000
_TRUE = {"1", "true", "yes", "y", "x", "ill", "injured", "sick"}
_FALSE = {"0", "false", "no", "n", "none", "well"}
_KNOWN = ("date, resting_hr, hrv (rMSSD), sleep_hours (or sleepSecs), sleep_quality, weight, soreness, fatigue, "
          "stress, mood, motivation, illness, note; and intervals.icu's restingHR, sleepQuality, injury, comments")


@dataclass(frozen=True)
class ParsedCsv:
    """What :func:`parse_csv` read: the values per day (later lines win per field) and every line it skipped."""

    layout: str  # "intervals.icu" or "plain"
    columns: dict[str, str]  # the file's column -> the field it fills
    ignored: tuple[str, ...]  # the file's columns not read
    rows: int  # data lines read (blank lines not counted)
    empty: int  # lines with a date and no value
    days: dict[dt.date, dict[str, object]]
    skipped: tuple[tuple[int, str], ...]  # (line number, why)


@dataclass(frozen=True)
class CsvReport:
    """What :func:`import_csv` did with one file."""

    path: str
    layout: str
    columns: dict[str, str]
    ignored: tuple[str, ...]
    rows: int  # data lines read
    empty: int  # lines with a date and no value
    days: int  # days with values in the file
    written: int  # days whose values changed: one row each; the others were already in force
    skipped: tuple[tuple[int, str], ...]  # (line number, why): nothing of these lines was kept

    def to_dict(self) -> dict[str, object]:
        """The report as JSON-ready data (``trainlog wellness import --json``)."""
        return {"path": self.path, "layout": self.layout, "columns": self.columns, "ignored": list(self.ignored),
                "rows": self.rows, "empty": self.empty, "days": self.days, "written": self.written,
                "unchanged": self.days - self.written,
                "skipped": [{"line": line, "reason": why} for line, why in self.skipped]}


def import_csv(store: Store, athlete: str, path: str | Path, layout: str = "auto") -> CsvReport:
    """Read a wellness CSV file (:func:`parse_csv`) and write the days whose values changed, in one transaction.

    A line with a bad value is skipped whole, with its reason in the report;
    a file that cannot be read, is not UTF-8, or has no known column is one
    InvalidValue and nothing is written; a disk that refuses the commit is a
    StoreError and nothing is written either.
    """
    athlete = check_athlete(athlete)
    path = Path(path)
    parsed = parse_csv(read_text_file(path, "wellness file", MAX_BYTES), str(path), layout)
    written = 0
    if parsed.days:
        with store.transaction(athlete) as tx:
            written = append(tx, parsed.days, "csv", str(path))
    return CsvReport(str(path), parsed.layout, parsed.columns, parsed.ignored, parsed.rows, parsed.empty,
                     len(parsed.days), written, parsed.skipped)


def _key(name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", name.lower())


def _header(header: list[str], name: str, layout: str) -> tuple[str, int, dict[int, tuple[str, str]], list[str]]:
    """(layout, date column, {column index: (field, header key)}, ignored names) of a header row."""
    if layout == "auto":
        layout = "intervals.icu" if ICU_COLUMNS & {h.strip() for h in header} else "plain"
    keys = [_key(h) for h in header]
    mapping: dict[int, tuple[str, str]] = {}
    for column, names in HEADERS.items():
        found = [(names.index(k), i) for i, k in enumerate(keys) if k in names and i not in mapping]
        if found:
            rank, index = min(found)
            mapping[index] = (column, names[rank])
    date = next((i for i, (c, _) in mapping.items() if c == "date"), None)
    if date is None and 0 not in mapping:
        date = 0  # a column per field, the date first
    fields = {i: m for i, m in mapping.items() if i != date}
    if date is None or not fields:
        shown = ", ".join(quoted(h, 20) for h in header[:8]) + (", ..." if len(header) > 8 else "")
        what = "no date column" if date is None else "no wellness column"
        raise InvalidValue(f"{name} line 1: {what} in the header ({shown}); the columns read are {_KNOWN}")
    ignored = [h for i, h in enumerate(header) if i not in fields and i != date and h.strip()]
    return layout, date, fields, ignored


def parse_hours(text: str) -> float:
    """Hours typed as ``7.5``, ``7,5`` or ``7:30`` (h:mm), else ValueError."""
    text = text.strip()
    hours, colon, minutes = text.partition(":")
    if not colon:
        return _number(text, True)
    if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2 and int(minutes) < 60):
        raise ValueError(f"{text!r} is not hours (7.5 or 7:30)")
    return int(hours) + int(minutes) / 60


def _number(text: str, comma: bool) -> float:
    value = float(text.replace(",", ".") if comma else text)
    if not math.isfinite(value):
        raise ValueError
    return value


def _cell(column: str, key: str, text: str, layout: str, comma: bool) -> object:
    """One cell as the field's value (checked later by :func:`check_value`); InvalidValue when it cannot be read."""
    f = FIELDS[column]
    try:
        if f.kind == "text":
            return text[1:] if text[:1] == "'" and text[1:2] in ("=", "+", "-", "@") else text  # a spreadsheet's guard
        if column == "illness" and layout == "intervals.icu" and key == "injury":
            value = _number(text, comma)
            if value not in ICU_INJURY:
                raise InvalidValue(f"injury {quoted(text)} is not on intervals.icu's 1-4 scale (1 none .. 4 injured)")
            return ICU_INJURY[int(value)]
        if f.kind == "flag":
            if text.lower() not in _TRUE | _FALSE:
                raise ValueError
            return text.lower() in _TRUE
        if f.unit == "h" and ":" in text:
            return parse_hours(text)
        value = _number(text, comma)
    except (ValueError, OverflowError):
        what = "true or false (yes/no, 1/0)" if f.kind == "flag" else f"a number ({f.range_text()})"
        raise InvalidValue(f"{f.label} {quoted(text)} is not {what}") from None
    if f.unit == "h":
        return value / (3600 if key.endswith(("secs", "seconds")) else 60 if key.endswith(("min", "minutes")) else 1)
    if f.kind == "scale" and layout == "intervals.icu":
        if value not in ICU_SCALES[column]:
            raise InvalidValue(f"{f.label} {quoted(text)} is not on intervals.icu's 1-4 scale (--layout plain reads "
                               f"ours, {f.range_text()})")
        return ICU_SCALES[column][int(value)]
    return value


def parse_csv(text: str, name: str = "wellness.csv", layout: str = "auto") -> ParsedCsv:
    """The wellness in CSV ``text`` (see the module's doc); ``name`` is the file named in errors.

    ``layout``: one of :data:`LAYOUTS`. A header without a date or a wellness
    column, or a line the CSV reader cannot split, is an InvalidValue (one
    line, naming ``name``); a line with a value that is not valid is skipped
    whole, with its line number and reason.
    """
    if layout not in LAYOUTS:
        raise InvalidValue(f"unknown layout {quoted(layout)}: use one of {', '.join(LAYOUTS)}")
    first = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text.lstrip("\r\n")), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise InvalidValue(f"{name}: the wellness file is empty; it needs a header row (date,resting_hr,hrv,...)") from None
    except csv.Error as exc:
        raise InvalidValue(f"{name} line 1: {exc}") from None
    layout, date_index, mapping, ignored = _header(header, name, layout)
    comma = delimiter == ";"
    days: dict[dt.date, dict[str, object]] = {}
    skipped: list[tuple[int, str]] = []
    rows = empty = 0
    try:
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            rows += 1
            line = reader.line_num
            try:
                if len(cells) > len(header):
                    raise InvalidValue(f"{len(cells)} cells for {len(header)} columns")
                day = parse_day(cells[date_index].strip() if date_index < len(cells) else "", "date")
                values = {}
                for index, (column, key) in mapping.items():
                    cell = cells[index].strip() if index < len(cells) else ""
                    if cell:
                        values[column] = _cell(column, key, cell, layout, comma)
                values = checked(values)
            except InvalidValue as exc:
                skipped.append((line, str(exc)))
                continue
            if values:
                days.setdefault(day, {}).update(values)
            else:
                empty += 1
    except csv.Error as exc:
        raise InvalidValue(f"{name} line {reader.line_num}: {exc}; nothing was imported") from None
    columns = {header[i]: column for i, (column, _) in sorted(mapping.items())}
    return ParsedCsv(layout, columns, tuple(ignored), rows, empty, days, tuple(skipped))

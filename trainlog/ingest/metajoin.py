"""Export metadata joined to the activities it describes, inside one import.

:class:`Exports` is made by the importer from the import's metadata sources
(read first: they are small), fills the sport of a GPX or TCX that names none
(:meth:`~Exports.fill_sports`: the export's type, else the athlete's
``default_sport``), remembers a GPX track's own name, and after the
activities are committed joins every row (:meth:`~Exports.join`) in one
transaction:

- by file name: the row's ``Filename`` against this import's files (an
  imported file's activities; a duplicate's stored activity) and the stored
  activities' source files;
- else by start time: the stored activity starting within
  :data:`~trainlog.ingest.exports.JOIN_START_S` of the row's.

It appends one ``activity_meta`` row per activity whose metadata changed
(the export's values over the file's own name), so importing the same export
twice writes nothing the second time, and one ``rpe`` choice for an
activity with an RPE and no rating of the athlete's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import polars as pl

from trainlog.errors import TrainlogError
from trainlog.ingest.decoded import DecodedFile
from trainlog.ingest.exports import JOIN_START_S, MetaRow, file_key, read_metadata
from trainlog.ingest.sources import Source, oserror_reason
from trainlog.store import Store, schema
from trainlog.store.meta import latest
from trainlog.words import Outcome

#: The activity_meta fields an export row sets.
FIELDS = ("name", "description", "sport_type", "gear", "rpe", "commute", "private")
_LABELS = {"strava_csv": "Strava activities.csv", "garmin_json": "Garmin Connect activity summaries"}


class Exports:
    """The metadata rows of one import, and the GPX track names met while decoding."""

    def __init__(self, default_sport: str) -> None:
        self.default_sport = default_sport
        self.files: list[tuple[Source, list[MetaRow], str | None]] = []  # source, rows, failure
        self.by_key: dict[str, MetaRow] = {}
        self.by_time: list[MetaRow] = []
        self.file_names: dict[str, str] = {}  # activity_id -> the track's own name

    @classmethod
    def read(cls, sources: Iterable[Source], default_sport: str) -> Exports:
        """Read every metadata source (a failure is kept for its result line)."""
        out = cls(default_sport)
        for source in sources:
            rows: list[MetaRow] = []
            failure = source.fail
            if failure is None and source.load is not None:
                try:
                    rows = read_metadata(source.load(), source.meta or "", source.name)
                except TrainlogError as exc:
                    failure = str(exc).removeprefix(f"{source.name}: ")
                except OSError as exc:
                    failure = oserror_reason(exc)
            out.files.append((source, rows, failure))
            for row in rows:
                if row.file_key:
                    out.by_key[row.file_key] = row
                if row.start_utc is not None:
                    out.by_time.append(row)
        return out

    def find(self, name: str, start: dt.datetime | None) -> MetaRow | None:
        """The row describing a file (by its name) or an activity starting at ``start``."""
        row = self.by_key.get(file_key(name))
        if row is None and start is not None:
            near = [r for r in self.by_time if abs((r.start_utc - start).total_seconds()) <= JOIN_START_S]
            row = min(near, key=lambda r: abs((r.start_utc - start).total_seconds()), default=None)
        return row

    def fill_sports(self, decoded: DecodedFile) -> None:
        """Give each session of a GPX or TCX without a sport the export's, else the default sport (noted)."""
        for session in decoded.sessions:
            if session.get("sport") is not None:
                continue
            row = self.find(decoded.name, session.get("start_utc"))
            if row is not None and row.sport:
                session["sport"] = row.sport
                decoded.notes.append(f"sport from the export's metadata ({row.sport_type})")
            else:
                session["sport"] = self.default_sport
                decoded.notes.append(f"the file names no sport: {self.default_sport} (the athlete's default_sport)")

    def note_file_names(self, decoded: DecodedFile, activity_ids: list[str]) -> None:
        """Remember a GPX track's own ``<name>`` for the activities just stored."""
        for session, activity_id in zip(sorted(decoded.sessions, key=_start), activity_ids):
            if session.get("name"):
                self.file_names[activity_id] = str(session["name"])[:2000]

    def join(self, store: Store, athlete: str, results: list[Any]) -> list[tuple[str, Outcome, str]]:
        """Join every row to its activities and commit; (name, outcome, detail) of each metadata file."""
        if not self.files and not self.file_names:
            return []
        now = dt.datetime.now(dt.UTC)
        matched: list[int] = []
        if athlete in store.athletes() or self.file_names:
            with store.transaction(athlete) as tx:
                acts = tx.read("activities")
                wanted = self._wanted(acts, results, matched)
                current = {row["activity_id"]: row for row in latest(tx.read("activity_meta")).iter_rows(named=True)}
                rows = [row | {"activity_id": aid, "at": now} for aid, row in wanted.items()
                        if _differs(current.get(aid), row)]
                tx.append("activity_meta", pl.DataFrame(rows, schema=schema.ACTIVITY_META))
                tx.append("choices", _rpe_choices(tx.read("choices"), wanted, now))
        out = []
        for (source, rows, failure), n in zip(self.files, matched or [0] * len(self.files)):
            if failure:
                out.append((source.name, Outcome.FAILED, failure))
            else:
                label = _LABELS.get(source.meta or "", "export metadata")
                out.append((source.name, Outcome.SKIPPED,
                            f"{label}, not an activity: {n} of {len(rows)} activities found and described"))
        return out

    def _wanted(self, acts: pl.DataFrame, results: list[Any], matched: list[int]) -> dict[str, dict[str, Any]]:
        """activity_id -> the activity_meta fields it should have (the file's name, then the export's values)."""
        ids_of_sha: dict[str, list[str]] = {}
        ids_of_key: dict[str, tuple[list[str], int]] = {}  # file key -> (activities, rank: 2 the file's own, 1 a copy)
        starts: list[tuple[dt.datetime, str]] = []
        for aid, sha, source_file, start in acts.select("activity_id", "file_sha256", "source_file", "start_utc").iter_rows():
            ids_of_sha.setdefault(sha, []).append(aid)
            ids_of_key.setdefault(file_key(source_file or ""), ([], 2))[0].append(aid)
            if start is not None:
                starts.append((start, aid))
        for r in results:  # this import's files: an imported one's activities, a duplicate's stored activity
            ids = r.activity_ids or ids_of_sha.get(r.duplicate_of or r.sha256 or "", [])
            if ids and file_key(r.name) not in ids_of_key:
                ids_of_key[file_key(r.name)] = (ids, 2 if r.activity_ids else 1)
        wanted: dict[str, dict[str, Any]] = {
            aid: {"name": name, "source": "file", "source_file": None} for aid, name in self.file_names.items()
        }
        rank: dict[str, int] = {}  # activity -> rank of the export row its values came from
        for source, rows, _failure in self.files:
            found = 0
            for row in rows:
                ids, level = ids_of_key.get(row.file_key or "\0", ([], 0))
                if not ids and row.start_utc is not None:
                    near = [(abs((s - row.start_utc).total_seconds()), aid) for s, aid in starts]
                    near = [x for x in near if x[0] <= JOIN_START_S]
                    ids, level = ([min(near)[1]] if near else []), 0
                for aid in ids:
                    base = wanted.get(aid, {})
                    values = {f: getattr(row, f) for f in FIELDS if getattr(row, f) is not None}
                    if rank.get(aid, -1) > level:  # a row about this very file said it first: a copy's only fills gaps
                        values = {f: v for f, v in values.items() if base.get(f) is None}
                    else:
                        rank[aid] = level
                        base = {**base, "source": source.meta, "source_file": source.name}
                    wanted[aid] = {**{f: base.get(f) for f in FIELDS}, **values,
                                   "source": base.get("source"), "source_file": base.get("source_file")}
                found += bool(ids)
            matched.append(found)
        return wanted


def _start(session: dict[str, Any]) -> dt.datetime:
    return session.get("start_utc") or dt.datetime.max.replace(tzinfo=dt.UTC)


def _differs(before: dict[str, Any] | None, row: dict[str, Any]) -> bool:
    if before is None:
        return True
    return any(before.get(f) != row.get(f) for f in (*FIELDS, "source"))


def _rpe_choices(choices: pl.DataFrame, wanted: dict[str, dict[str, Any]], now: dt.datetime) -> pl.DataFrame:
    """An ``rpe`` choice per activity the export rates and the athlete has not rated."""
    rated = set(choices.filter(pl.col("action") == "rpe")["activity_id"].to_list())
    rows = [{"activity_id": aid, "action": "rpe", "rpe": float(row["rpe"]), "at": now}
            for aid, row in wanted.items() if row.get("rpe") is not None and aid not in rated]
    return pl.DataFrame(rows, schema=schema.CHOICES)

"""An export's metadata: what a Strava or Garmin Connect bulk export says of each activity beyond its recording.

- Strava (``activities.csv`` beside ``activities/``): ``Activity Name``,
  ``Activity Description``, ``Activity Type``, ``Activity Gear``,
  ``Perceived Exertion`` (1-10), ``Commute``, ``Activity Private Note`` /
  ``Activity Visibility``, joined by ``Filename`` (``activities/123.gpx.gz``)
  or, without one, by ``Activity Date`` (UTC).
- Garmin Connect (``DI_CONNECT/DI-Connect-Fitness/*_summarizedActivities.json``):
  ``name``, ``description``, ``activityType`` / ``sportType``,
  ``workoutRpe`` (Garmin stores 10-100; read as CR-10), joined by
  ``startTimeGmt`` (ms since 1970).

:func:`read_metadata` turns one file into :class:`MetaRow`\\ s; the importer
(:mod:`trainlog.ingest.importer`) joins them to the activities of the same
import (by file name) or to stored ones (by start time, within
:data:`JOIN_START_S`) and appends ``activity_meta`` rows; an RPE also becomes
the athlete's session rating (``choices``) unless they gave one, so it feeds
the ``rpe`` load source of shared/METRICS.md.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
from dataclasses import dataclass
from typing import Any

from trainlog.errors import TrainlogError

#: A metadata row describes a stored activity whose start is this close (s).
JOIN_START_S = 60.0
#: Longest text kept of a name, description or gear (the rest is cut).
MAX_TEXT = 2000

#: Strava's and Garmin's activity types -> FIT sport names (lower case, spaces and dashes as "_").
SPORTS = {
    "run": "running", "running": "running", "trail_run": "running", "trail_running": "running",
    "virtual_run": "running", "treadmill_running": "running", "street_running": "running",
    "ride": "cycling", "cycling": "cycling", "road_biking": "cycling", "mountain_bike_ride": "cycling",
    "mountain_biking": "cycling", "gravel_ride": "cycling", "virtual_ride": "cycling", "indoor_cycling": "cycling",
    "e_bike_ride": "e_biking", "hike": "hiking", "hiking": "hiking", "walk": "walking", "walking": "walking",
    "swim": "swimming", "swimming": "swimming", "lap_swimming": "swimming", "open_water_swimming": "swimming",
    "nordic_ski": "cross_country_skiing", "cross_country_skiing": "cross_country_skiing",
    "backcountry_ski": "alpine_skiing", "alpine_ski": "alpine_skiing", "mountaineering": "mountaineering",
    "snowshoe": "snowshoeing", "rowing": "rowing", "weight_training": "training", "workout": "training",
    "strength_training": "training", "yoga": "training",
}


class MetadataError(TrainlogError):
    """An export metadata file that cannot be read (one line: the reason)."""


@dataclass
class MetaRow:
    """What an export says of one activity, and how to find it (file name or start time)."""

    file_key: str | None  # the activity file's name without folders and extensions ("123"), lower case
    start_utc: dt.datetime | None
    name: str | None = None
    description: str | None = None
    sport_type: str | None = None
    gear: str | None = None
    rpe: float | None = None
    commute: bool | None = None
    private: bool | None = None

    @property
    def sport(self) -> str | None:
        """The FIT sport name of :attr:`sport_type`, None when unknown."""
        if not self.sport_type:
            return None
        return SPORTS.get(self.sport_type.strip().lower().replace(" ", "_").replace("-", "_"))


def file_key(name: str) -> str:
    """A file's join key: its base name without ``.gz`` and the format's extension, lower case."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].lower().removesuffix(".gz")
    for ext in (".fit", ".gpx", ".tcx"):
        base = base.removesuffix(ext)
    return base


def read_metadata(data: bytes, kind: str, name: str) -> list[MetaRow]:
    """The rows of one metadata file (``kind`` from :func:`trainlog.ingest.sources.metadata_kind`)."""
    if kind == "strava_csv":
        return _strava(data, name)
    if kind == "garmin_json":
        return _garmin(data, name)
    raise MetadataError(f"{name}: not an export metadata file")


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text[:MAX_TEXT] or None


def _flag(value: Any) -> bool | None:
    text = (_text(value) or "").lower()
    if text in ("true", "1", "1.0", "yes", "only_me", "private"):
        return True
    if text in ("false", "0", "0.0", "no", "everyone", "followers_only", "public"):
        return False
    return None


def _rpe(value: Any, scale: float = 1.0) -> float | None:
    try:
        number = float(str(value).strip()) / scale
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) and 0.0 <= number <= 10.0 else None


#: Strava writes dates as "Mar 19, 2017, 4:49:30 PM" (UTC); ISO 8601 is accepted too.
_STRAVA_DATES = ("%b %d, %Y, %I:%M:%S %p", "%b %d, %Y %I:%M:%S %p", "%Y-%m-%d %H:%M:%S")


def _strava_date(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    for fmt in _STRAVA_DATES:
        try:
            return dt.datetime.strptime(text.strip(), fmt).replace(tzinfo=dt.UTC)
        except ValueError:
            continue
    try:
        when = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return when.replace(tzinfo=dt.UTC) if when.tzinfo is None else when.astimezone(dt.UTC)


def _strava(data: bytes, name: str) -> list[MetaRow]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows:
        return []
    header = [h.strip() for h in rows[0]]
    col = {}
    for i, h in enumerate(header):  # Strava repeats some headers ("Elapsed Time", "Distance"): the first wins
        col.setdefault(h.lower(), i)
    if "filename" not in col and "activity date" not in col:
        raise MetadataError(f"{name}: not a Strava activities.csv (no Filename or Activity Date column)")

    def get(row: list[str], *keys: str) -> str | None:
        for key in keys:
            i = col.get(key)
            if i is not None and i < len(row) and row[i].strip():
                return row[i]
        return None

    out = []
    for row in rows[1:]:
        if not any(cell.strip() for cell in row):
            continue
        filename = get(row, "filename")
        visibility = get(row, "activity visibility")
        out.append(MetaRow(
            file_key=file_key(filename) if filename else None,
            start_utc=_strava_date(get(row, "activity date")),
            name=_text(get(row, "activity name")),
            description=_text(get(row, "activity description")),
            sport_type=_text(get(row, "activity type")),
            gear=_text(get(row, "activity gear")),
            rpe=_rpe(get(row, "perceived exertion")),
            commute=_flag(get(row, "commute")),
            private=_flag(visibility) if visibility else None,
        ))
    return out


def _garmin(data: bytes, name: str) -> list[MetaRow]:
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise MetadataError(f"{name}: not JSON ({exc})") from None
    items: list[Any] = []
    for block in doc if isinstance(doc, list) else [doc]:
        if isinstance(block, dict):
            found = block.get("summarizedActivitiesExport")
            items.extend(found if isinstance(found, list) else [block] if "activityId" in block else [])
    out = []
    for item in items:
        if not isinstance(item, dict):
            continue
        start = item.get("startTimeGmt")
        when = None
        if isinstance(start, (int, float)) and math.isfinite(start):
            try:
                when = dt.datetime.fromtimestamp(start / 1000, dt.UTC)
            except (OverflowError, OSError, ValueError):
                when = None
        sport = item.get("activityType") or item.get("sportType")
        if isinstance(sport, dict):
            sport = sport.get("typeKey")
        rpe = item.get("workoutRpe", item.get("rpe"))
        out.append(MetaRow(
            file_key=None,
            start_utc=when,
            name=_text(item.get("name")),
            description=_text(item.get("description")),
            sport_type=_text(sport),
            rpe=_rpe(rpe, 10.0) if isinstance(rpe, (int, float)) and rpe > 10 else _rpe(rpe),
            commute=_flag(item.get("commute")) if "commute" in item else None,
            private=_flag(item.get("privacy")) if isinstance(item.get("privacy"), str) else None,
        ))
    return out

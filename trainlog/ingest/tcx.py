"""TCX (Garmin Training Center v1/v2) bytes -> :class:`~trainlog.ingest.decoded.DecodedFile`.

Each ``<Activity>`` (also inside a ``<MultiSportSession>``) is one session (a
leg, as a FIT multisport file's sessions are); its ``<Lap>``s are laps with
their own totals; its ``<Trackpoint>``s are samples: time, position,
altitude, distance, heart rate, cadence, and the ActivityExtension's speed,
run cadence and watts.

Totals, the file's own first: a session's distance is the sum of its laps'
``DistanceMeters`` (else the last trackpoint's distance, else the haversine
over its positions); its elapsed time is the span of its trackpoints (the
laps' ``TotalTimeSeconds`` when it has none), and the laps' time is its timer
time when not longer than that span. Where the laps disagree with the track
(a file cut short, laps that stop early) the import note says so. A file of
``<Course>``s only is a planned route, not an activity.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from trainlog.ingest.decoded import DecodedFile
from trainlog.ingest.xmltrack import (
    InvalidTrackFile,
    Points,
    Truncated,
    events,
    first_last,
    local,
    number,
    parse_time,
    path_length_m,
)

#: TCX ``Activity@Sport`` -> FIT sport ("Other": the export's metadata or the athlete's default_sport decide).
SPORTS = {"running": "running", "biking": "cycling"}
#: Laps and track disagreeing by more than this is said in the import note.
DISAGREE_S = 60.0

_POINT_FIELDS = {
    "AltitudeMeters": "altitude_m", "DistanceMeters": "distance_m", "Cadence": "cadence_rpm",
    "RunCadence": "cadence_rpm", "Speed": "speed_mps", "Watts": "power_w",
}


def _point(elem: Any) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for child in elem.iter():
        name = local(child.tag)
        if name == "Time":
            values["timestamp"] = parse_time(child.text)
        elif name == "LatitudeDegrees":
            values["lat_deg"] = number(child.text)
        elif name == "LongitudeDegrees":
            values["lon_deg"] = number(child.text)
        elif name == "Value":  # HeartRateBpm/Value
            values["hr_bpm"] = number(child.text)
        elif (column := _POINT_FIELDS.get(name)) and values.get(column) is None:
            values[column] = number(child.text)
    lat, lon = values.get("lat_deg"), values.get("lon_deg")
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        values["lat_deg"] = values["lon_deg"] = None
    return values


def _lap(elem: Any) -> dict[str, Any]:
    """A lap's own totals, from its direct children (trackpoints are read and dropped before it ends)."""
    lap: dict[str, Any] = {"start_utc": parse_time(elem.get("StartTime"))}
    for child in elem:
        name = local(child.tag)
        if name == "TotalTimeSeconds":
            lap["elapsed_s"] = lap["timer_s"] = number(child.text)
        elif name == "DistanceMeters":
            lap["distance_m"] = number(child.text)
        elif name == "Calories":
            lap["calories_kcal"] = number(child.text)
        elif name in ("AverageHeartRateBpm", "MaximumHeartRateBpm"):
            value = next((number(v.text) for v in child.iter() if local(v.tag) == "Value"), None)
            lap["avg_hr_bpm" if name.startswith("Average") else "max_hr_bpm"] = value
        elif name == "Extensions":
            for ext in child.iter():
                if local(ext.tag) == "AvgSpeed":
                    lap["avg_speed_mps"] = number(ext.text)
    return lap


class _Activity:
    def __init__(self, sport: str | None, first_point: int) -> None:
        self.sport_text = sport
        self.first_point = first_point
        self.last_point = first_point
        self.start: dt.datetime | None = None
        self.laps: list[dict[str, Any]] = []


def decode_tcx(data: bytes, name: str) -> DecodedFile:
    """Decode one TCX file's bytes (see the module docstring); raises InvalidTrackFile when unreadable."""
    points = Points()
    notes: list[str] = []
    partial = False
    root_seen = False
    activities: list[_Activity] = []
    current: _Activity | None = None
    courses = 0
    in_point = False
    device: str | None = None
    try:
        for event, elem in events(data, name, "TCX"):
            tag = local(elem.tag)
            if not root_seen:
                if tag != "TrainingCenterDatabase":
                    raise InvalidTrackFile(name, f"not a TCX file (its root element is <{tag}>)")
                root_seen = True
                continue
            if event == "start":
                if tag == "Activity":
                    current = _Activity(elem.get("Sport"), len(points))
                    activities.append(current)
                elif tag == "Track" and current is not None:
                    points.new_segment()
                elif tag == "Trackpoint":
                    in_point = True
                continue
            if tag == "Trackpoint":
                in_point = False
                if current is not None:  # a Course's points are a plan, not a recording
                    points.add(_point(elem))
                elem.clear()
            elif in_point:
                continue
            elif tag == "Lap" and current is not None:
                current.laps.append(_lap(elem))
                elem.clear()
            elif tag == "Id" and current is not None and current.start is None:
                current.start = parse_time(elem.text)
            elif tag == "Activity" and current is not None:
                current.last_point = len(points)
                current = None
                elem.clear()
            elif tag == "Name" and current is not None and device is None:
                device = (elem.text or "").strip() or None  # Creator/Name: the device
            elif tag == "Course":
                courses += 1
                elem.clear()
    except Truncated as exc:
        partial = True
        notes.append(str(exc))
        if current is not None:
            current.last_point = len(points)
    if not activities:
        what = f"{courses} course{'s' if courses != 1 else ''} (planned routes)" if courses else "no activities"
        return DecodedFile(name, f"TCX file of {what}", notes=notes, partial=partial)
    sessions, laps = [], []
    for act in activities:
        session = _session(act, points, notes)
        if session is not None:
            sessions.append(session)
            laps.extend(lap for lap in act.laps if lap.get("start_utc") is not None)
    if not sessions:
        return DecodedFile(name, "TCX activity without times", notes=notes, partial=partial)
    samples = points.samples(notes, cumulative_distance=False)
    if samples is not None and samples["distance_m"].is_null().all():
        samples = points.samples([], cumulative_distance=True)  # no DistanceMeters: the haversine along the track
    dev = {"manufacturer": None, "product": (device or "")[:80] or None, "serial": None}
    return DecodedFile(name, None, sessions=sessions, laps=laps, records=samples, device=dev, partial=partial, notes=notes)


def _session(act: _Activity, points: Points, notes: list[str]) -> dict[str, Any] | None:
    """One activity's totals (the module docstring's rules); None when it has no time at all."""
    span = range(act.first_point, act.last_point)
    times = [points.cols["timestamp"][i] for i in span]
    first, last = first_last(times)
    lap_time = [lap["elapsed_s"] for lap in act.laps if lap.get("elapsed_s") is not None]
    lap_dist = [lap["distance_m"] for lap in act.laps if lap.get("distance_m") is not None]
    start = act.start or next((lap["start_utc"] for lap in act.laps if lap.get("start_utc")), None) or first
    if start is None:
        return None
    elapsed = (last - first).total_seconds() if first is not None else (sum(lap_time) if lap_time else None)
    timer = sum(lap_time) if lap_time else elapsed
    if elapsed is not None and timer is not None and timer > elapsed + DISAGREE_S:
        notes.append(f"the laps' time ({timer:.0f} s) is more than the track's ({elapsed:.0f} s): the track is kept")
        timer = elapsed
    if lap_dist:
        distance = sum(lap_dist)
    else:
        recorded = [points.cols["distance_m"][i] for i in span if points.cols["distance_m"][i] is not None]
        distance = max(recorded) if recorded else path_length_m(
            [points.cols["lat_deg"][i] for i in span], [points.cols["lon_deg"][i] for i in span],
            [points.segment[i] for i in span])
    hr_laps = [(lap["avg_hr_bpm"], lap.get("elapsed_s") or 0.0) for lap in act.laps if lap.get("avg_hr_bpm")]
    weight = sum(w for _, w in hr_laps)
    max_hr = [lap["max_hr_bpm"] for lap in act.laps if lap.get("max_hr_bpm")]
    calories = [lap["calories_kcal"] for lap in act.laps if lap.get("calories_kcal") is not None]
    sport_text = (act.sport_text or "").strip()
    return {
        "start_utc": min(start, first) if first is not None else start,
        "elapsed_s": elapsed,
        "timer_s": timer,
        "distance_m": distance,
        "sport": SPORTS.get(sport_text.lower()),
        "sub_sport": None,
        "avg_hr_bpm": sum(h * w for h, w in hr_laps) / weight if weight else None,
        "max_hr_bpm": max(max_hr) if max_hr else None,
        "calories_kcal": sum(calories) if calories else None,
    }

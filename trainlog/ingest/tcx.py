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
from trainlog.ingest.xmltrack import Points, first_last, number, parse, parse_time, path_length_m

#: TCX ``Activity@Sport`` -> FIT sport ("Other": the export's metadata or the athlete's default_sport decide).
SPORTS = {"running": "running", "biking": "cycling"}
#: Laps and track disagreeing by more than this is said in the import note.
DISAGREE_S = 60.0

_POINT_FIELDS = {
    "AltitudeMeters": "altitude_m", "DistanceMeters": "distance_m", "Cadence": "cadence_rpm",
    "RunCadence": "cadence_rpm", "Speed": "speed_mps", "Watts": "power_w",
}


class _Activity:
    def __init__(self, sport: str | None, first_point: int) -> None:
        self.sport_text = sport
        self.first_point = first_point
        self.last_point = first_point
        self.start: dt.datetime | None = None
        self.laps: list[dict[str, Any]] = []


#: A lap's own totals: element -> lap key (TotalTimeSeconds also gives the timer).
_LAP_FIELDS = {"DistanceMeters": "distance_m", "Calories": "calories_kcal", "AvgSpeed": "avg_speed_mps"}


class _Reader:
    """The expat handler of one TCX document (:func:`trainlog.ingest.xmltrack.parse`): points into columns,
    laps and activities into dicts."""

    def __init__(self) -> None:
        self.points = Points()
        self.activities: list[_Activity] = []
        self.current: _Activity | None = None
        self.point: dict[str, Any] | None = None
        self.lap: dict[str, Any] | None = None
        self.heart: str | None = None  # inside a lap's AverageHeartRateBpm / MaximumHeartRateBpm
        self.courses = 0
        self.device: str | None = None

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if name == "Trackpoint":
            self.point = {} if self.current is not None else None  # a Course's points are a plan, not a recording
        elif name == "Lap" and self.current is not None:
            self.lap = {"start_utc": parse_time(attrs.get("StartTime"))}
        elif name == "Track" and self.current is not None:
            self.points.new_segment()
        elif name == "Activity":
            self.current = _Activity(attrs.get("Sport"), len(self.points))
            self.activities.append(self.current)
        elif name in ("AverageHeartRateBpm", "MaximumHeartRateBpm"):
            self.heart = "avg_hr_bpm" if name.startswith("Average") else "max_hr_bpm"
        elif name == "Course":
            self.courses += 1

    def end(self, name: str, text: str | None) -> None:
        point = self.point
        if point is not None:
            if name == "Trackpoint":
                lat, lon = point.get("lat_deg"), point.get("lon_deg")
                if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
                    point["lat_deg"] = point["lon_deg"] = None
                self.points.add(point)
                self.point = None
            elif name == "Time":
                point["timestamp"] = parse_time(text)
            elif name == "LatitudeDegrees":
                point["lat_deg"] = number(text)
            elif name == "LongitudeDegrees":
                point["lon_deg"] = number(text)
            elif name == "Value":  # HeartRateBpm/Value
                point["hr_bpm"] = number(text)
            elif (column := _POINT_FIELDS.get(name)) and point.get(column) is None:
                point[column] = number(text)
            return
        lap, current = self.lap, self.current
        if lap is not None:
            if name == "Lap":
                current.laps.append(lap)
                self.lap = None
            elif name == "TotalTimeSeconds":
                lap["elapsed_s"] = lap["timer_s"] = number(text)
            elif name == "Value" and self.heart:
                lap[self.heart] = number(text)
            elif name in ("AverageHeartRateBpm", "MaximumHeartRateBpm"):
                self.heart = None
            elif name in _LAP_FIELDS:
                lap[_LAP_FIELDS[name]] = number(text)
        elif current is not None:
            if name == "Activity":
                current.last_point = len(self.points)
                self.current = None
            elif name == "Id" and current.start is None:
                current.start = parse_time(text)
            elif name == "Name" and self.device is None:
                self.device = (text or "").strip() or None  # Creator/Name: the device


def decode_tcx(data: bytes, name: str) -> DecodedFile:
    """Decode one TCX file's bytes (see the module docstring); raises InvalidTrackFile when unreadable."""
    reader = _Reader()
    damage = parse(data, name, "TCX", reader, "TrainingCenterDatabase")
    notes = [damage] if damage else []
    partial = damage is not None
    if reader.current is not None:  # cut inside an activity: it ends where the file does
        reader.current.last_point = len(reader.points)
    points, activities, courses = reader.points, reader.activities, reader.courses
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
    # no DistanceMeters in any trackpoint: the haversine along the track
    samples = points.samples(notes, cumulative_distance=all(d is None for d in points.cols["distance_m"]))
    dev = {"manufacturer": None, "product": (reader.device or "")[:80] or None, "serial": None}
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

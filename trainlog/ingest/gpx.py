"""GPX 1.0 / 1.1 bytes -> :class:`~trainlog.ingest.decoded.DecodedFile`.

Reads every ``<trk>``'s ``<trkseg>``s of ``<trkpt lat lon>`` with ``<ele>``,
``<time>`` and the common extensions: Garmin's TrackPointExtension (v1, v2:
``hr``, ``cad``, ``atemp``, ``wtemp``, ``speed``), Cluetrust's gpxdata
(``hr``, ``cadence``, ``temp``), bare ``<heartrate>``/``<hr>``/``<power>``/
``<speed>`` (Amazfit, Strava, GPX 1.0) and ``PowerInWatts``. The tracks of a
file are one activity (several tracks are pauses of one outing, as GPSBabel
and phone apps write them); the distance between segments and tracks is not
counted.

Sport: the first track's ``<type>`` (Garmin Connect's names, Strava's numeric
codes) mapped to FIT sport names; unknown types leave the sport to the
export's metadata or the athlete's ``default_sport``. A file without track
points (routes, waypoints, metadata only) or whose points have no usable time
(a planned route saved as a track) is not an activity.
"""

from __future__ import annotations

from typing import Any

from trainlog.ingest.decoded import DecodedFile
from trainlog.ingest.xmltrack import Points, first_last, number, parse, parse_time

#: GPX ``<type>`` texts (lower case) -> (FIT sport, sub sport). Garmin Connect writes its activity type keys,
#: Strava (StravaGPX) a number: 1 Ride, 4 Hike, 9 Run, 10 Walk, 16 Swim, 17 VirtualRide.
SPORTS: dict[str, tuple[str, str | None]] = {
    "running": ("running", None), "run": ("running", None), "trail_running": ("running", "trail"),
    "street_running": ("running", "street"), "treadmill_running": ("running", "treadmill"),
    "track_running": ("running", "track"), "ultra_run": ("running", None), "9": ("running", None),
    "cycling": ("cycling", None), "biking": ("cycling", None), "ride": ("cycling", None),
    "road_biking": ("cycling", "road"), "mountain_biking": ("cycling", "mountain"),
    "gravel_cycling": ("cycling", "gravel_cycling"),
    "indoor_cycling": ("cycling", "indoor_cycling"), "virtual_ride": ("cycling", "virtual_activity"),
    "1": ("cycling", None), "17": ("cycling", "virtual_activity"),
    "hiking": ("hiking", None), "hike": ("hiking", None), "4": ("hiking", None),
    "walking": ("walking", None), "walk": ("walking", None), "10": ("walking", None),
    "mountaineering": ("mountaineering", None),
    "swimming": ("swimming", None), "lap_swimming": ("swimming", "lap_swimming"),
    "open_water_swimming": ("swimming", "open_water"), "16": ("swimming", None),
    "cross_country_skiing": ("cross_country_skiing", None), "backcountry_skiing": ("alpine_skiing", "backcountry"),
    "resort_skiing_snowboarding": ("alpine_skiing", None),
}

#: Extension element names (local, lower case) -> record column.
_EXTENSION_FIELDS = {
    "hr": "hr_bpm", "heartrate": "hr_bpm",
    "cad": "cadence_rpm", "cadence": "cadence_rpm",
    "atemp": "temperature_c", "temp": "temperature_c", "wtemp": "temperature_c",
    "power": "power_w", "powerinwatts": "power_w", "watts": "power_w",
    "speed": "speed_mps",
}


def sport_of(text: str | None) -> tuple[str | None, str | None]:
    """(FIT sport, sub sport) of a GPX ``<type>``; (None, None) when unknown."""
    if not text:
        return None, None
    return SPORTS.get(text.strip().lower().replace(" ", "_"), (None, None))


class _Reader:
    """The expat handler of one GPX document (:func:`trainlog.ingest.xmltrack.parse`): points into columns."""

    def __init__(self) -> None:
        self.points = Points()
        self.point: dict[str, Any] | None = None  # the track point being read
        self.in_track = 0
        self.type_text: str | None = None
        self.track_name: str | None = None
        self.tracks = self.routes = self.waypoints = 0
        self.creator: str | None = None
        self.bad_time: str | None = None  # a time that is there but unreadable or outside 1970-2100

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if name == "trkpt":
            lat, lon = number(attrs.get("lat")), number(attrs.get("lon"))
            if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
                lat = lon = None
            self.point = {"lat_deg": lat, "lon_deg": lon}
        elif name == "trkseg":
            self.points.new_segment()
        elif name == "trk":
            self.in_track += 1
            self.tracks += 1
        elif name == "rte":
            self.routes += 1
        elif name == "wpt":
            self.waypoints += 1
        elif name == "gpx" and self.creator is None:
            self.creator = attrs.get("creator")

    def end(self, name: str, text: str | None) -> None:
        point = self.point
        if point is not None:
            if name == "trkpt":
                self.points.add(point)
                self.point = None
            elif name == "time":
                point["timestamp"] = when = parse_time(text)
                if when is None and text and text.strip():
                    self.bad_time = self.bad_time or text.strip()[:40]
            elif name == "ele":
                point["altitude_m"] = number(text)
            elif (column := _EXTENSION_FIELDS.get(name.lower())) and point.get(column) is None:
                point[column] = number(text)  # the first of two copies (Amazfit writes HR twice)
        elif self.in_track:
            if name == "trk":
                self.in_track -= 1
            elif name == "type" and self.type_text is None:
                self.type_text = (text or "").strip() or None
            elif name == "name" and self.track_name is None:
                self.track_name = (text or "").strip() or None


def decode_gpx(data: bytes, name: str) -> DecodedFile:
    """Decode one GPX file's bytes (see the module docstring); raises InvalidTrackFile when unreadable."""
    reader = _Reader()
    damage = parse(data, name, "GPX", reader, "gpx")
    notes = [damage] if damage else []
    partial = damage is not None
    points, bad_time, creator = reader.points, reader.bad_time, reader.creator
    n_tracks, n_route, n_waypoints = reader.tracks, reader.routes, reader.waypoints
    type_text, track_name = reader.type_text, reader.track_name
    if not len(points):
        what = _contents(n_tracks, n_route, n_waypoints)
        return DecodedFile(name, f"GPX file of {what}", notes=notes, partial=partial)
    start, end = first_last(points.times())
    if start is None:
        what = (f"GPX track whose times are unreadable or outside 1970-2100 ({bad_time!r}: placeholders)" if bad_time
                else "GPX track without times (a planned route)")
        return DecodedFile(name, what, notes=notes, partial=partial)
    samples = points.samples(notes, cumulative_distance=True)
    assert samples is not None
    if samples["timestamp"].n_unique() == 1 and samples.height > 1:
        return DecodedFile(
            name, f"GPX track whose {samples.height} points all have one time ({start:%Y-%m-%d %H:%M:%S} UTC, "
            "a placeholder)", notes=notes, partial=partial)
    elapsed = (end - start).total_seconds()
    if elapsed <= 0:
        elapsed = (samples["timestamp"].max() - samples["timestamp"].min()).total_seconds()
    sport, sub_sport = sport_of(type_text)
    if type_text and sport is None:
        notes.append(f"track type {type_text[:40]!r} is not a sport trainlog knows")
    session = {
        "start_utc": min(start, samples["timestamp"].min()),
        "elapsed_s": elapsed,
        "timer_s": elapsed,
        "distance_m": points.length_m(),
        "sport": sport,
        "sub_sport": sub_sport,
        "name": track_name,
    }
    if points.n_segments > 1 or n_tracks > 1:
        notes.append(f"{n_tracks} tracks, {points.n_segments} segments: one activity, no distance across the breaks")
    device = {"manufacturer": None, "product": (creator or "")[:80] or None, "serial": None}
    return DecodedFile(name, None, sessions=[session], records=samples, device=device, partial=partial, notes=notes)


def _contents(tracks: int, routes: int, waypoints: int) -> str:
    parts = [f"{n} {what}{'s' if n != 1 else ''}" for n, what in ((tracks, "empty track"), (routes, "route"),
                                                                    (waypoints, "waypoint")) if n]
    return ", ".join(parts) if parts else "no tracks, routes or waypoints"

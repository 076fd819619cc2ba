"""GPX and TCX decoding speed (issue 15): trainlog's streaming parse against gpxpy and tcxreader, in one run.

    .venv/bin/python benchmarks/bench_tracks.py            # the full run (about 2 minutes on 2 cores)
    .venv/bin/python benchmarks/bench_tracks.py --quick    # fewer repeats (about a minute)
    .venv/bin/python benchmarks/bench_tracks.py --profile  # also cProfile's top 10 of trainlog's decoder on the 10 MB GPX

What it measures, on this machine, in this run, the median of several repeats:

1. file -> columns (time, position, elevation, distance, heart rate, ...) with
   a. trainlog's decoder (``decode_gpx`` / ``decode_tcx``: bytes -> DecodedFile
      whose records are a Polars frame),
   b. gpxpy (``gpxpy.parse``) then the same columns into a Polars frame: time,
      lat, lon, ele, hr and cad from the extensions, the haversine distance
      along each segment (trainlog's GPX records carry it),
   c. tcxreader (``TCXReader().read(path)``) then the same columns into a
      Polars frame (time, lat, lon, altitude, distance, hr, TPX speed),
   on the GPX and on the TCX files of ../shared/track_corpus (grouped; a file
   either side cannot read is left out of that comparison and named) and on a
   generated ~10 MB GPX and ~10 MB TCX of a long mountain run recorded every
   second (written to a temporary directory by the generator below);
   MB/s, points/s and the ratio trainlog / library;
2. that the parsers agree on the generated files: point count, total distance
   (within 0.1 %), first and last time ("MISMATCH" lines when not);
3. the whole ``python -m trainlog import FILE`` of each generated file in a
   fresh process (start-up, hashing, decoding, the Parquet store and the
   analysis it keeps on disk), and the bare start-up of ``python -m trainlog --help``;
4. the peak memory (``VmHWM``, the peak resident set) of a fresh process
   decoding one generated file with each parser, and of the same process before
   it parsed (interpreter, Polars and the parser imported).

MB/s and the ratio are on the same bytes for both parsers; points/s counts the
points each parser returned. On the corpus the counts differ on a few files
(listed in the output): trainlog keeps the timed points of activities only,
tcxreader drops the points without a position (its default ``only_gps``: indoor
rides, pool swims) and reads no ``<MultiSportSession>``.

A benchmark, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CORPUS = Path(os.environ.get("TRAINLOG_TRACK_CORPUS", ROOT.parent / "shared" / "track_corpus"))
TARGET_BYTES = 10_000_000
EARTH_RADIUS_M = 6_371_008.8  # the haversine's R of trainlog and of the corpus manifest
START = np.datetime64("2025-08-29T04:00:00", "s")
UTC = pl.Datetime("us", "UTC")


# ---- the generated mountain run ---------------------------------------------------------------

def mountain_run(seconds: int, seed: int = 15) -> dict[str, np.ndarray]:
    """A long mountain run sampled every second: climbs and descents of several hundred metres.

    Speed follows the grade (Tobler's hiking function scaled to a runner), heart
    rate follows effort, the heading wanders; positions around Chamonix.
    """
    rng = np.random.default_rng(seed)
    n = seconds + 1

    def ele_at(d: float) -> float:
        return 1050 + 650 * math.sin(d / 5200) + 220 * math.sin(d / 1300 + 1.0) + 40 * math.sin(d / 310)

    base = np.clip(3.0 + np.cumsum(rng.normal(0, 0.01, n)), 2.2, 3.8)
    dist = np.zeros(n)
    speed = np.zeros(n)
    grade = np.zeros(n)
    d = 0.0
    for i in range(n):
        g = (ele_at(d + 5) - ele_at(d)) / 5
        v = base[i] * math.exp(-3.5 * abs(g + 0.05)) / math.exp(-0.175)
        v = min(max(v, 0.5), 5.5)
        speed[i], grade[i], dist[i] = v, g, d
        d += v
    ele = np.array([ele_at(x) for x in dist]) + rng.normal(0, 0.3, n)
    heading = np.cumsum(rng.normal(0, 0.04, n))
    step = np.diff(dist, prepend=0.0)
    lat = 45.92 + np.cumsum(np.cos(heading) * step) / 111_195
    lon = 6.87 + np.cumsum(np.sin(heading) * step) / (111_195 * np.cos(np.radians(45.92)))
    hr = np.clip(100 + 12 * speed + 150 * np.clip(grade, 0, None) + np.cumsum(rng.normal(0, 0.05, n)), 85, 186)
    cad = np.clip(78 + 4 * speed + rng.normal(0, 1.5, n), 55, 98)
    return {"time": START + np.arange(n), "lat": lat, "lon": lon, "ele": ele, "dist": dist, "speed": speed,
            "hr": np.round(hr).astype(int), "cad": np.round(cad).astype(int)}


def _times(run: dict[str, np.ndarray]) -> list[str]:
    return [s + "Z" for s in np.datetime_as_string(run["time"].astype("datetime64[ms]"), unit="ms")]


def _cut(points: list[str], head: str, tail_bytes: int) -> int:
    """How many points fit in TARGET_BYTES with the document's head and tail."""
    sizes = np.cumsum([len(p) for p in points]) + len(head) + tail_bytes
    return max(2, int(np.searchsorted(sizes, TARGET_BYTES)))


GPX_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<gpx creator="bench_tracks (Garmin Connect layout)" version="1.1" xmlns="http://www.topografix.com/GPX/1/1" \
xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" \
xsi:schemaLocation="http://www.topografix.com/GPX/1/1 http://www.topografix.com/GPX/1/1/gpx.xsd">
  <metadata>
    <time>{start}</time>
  </metadata>
  <trk>
    <name>Long mountain run</name>
    <type>trail_running</type>
    <trkseg>
"""
GPX_TAIL = """    </trkseg>
  </trk>
</gpx>
"""


def write_gpx(path: Path) -> dict:
    """A ~10 MB GPX of the mountain run; returns what it holds (points, first/last time, haversine length)."""
    run = mountain_run(60_000)
    times = _times(run)
    points = [
        f'      <trkpt lat="{la:.7f}" lon="{lo:.7f}">\n        <ele>{e:.1f}</ele>\n        <time>{t}</time>\n'
        f"        <extensions>\n          <gpxtpx:TrackPointExtension>\n            <gpxtpx:hr>{h}</gpxtpx:hr>\n"
        f"            <gpxtpx:cad>{c}</gpxtpx:cad>\n          </gpxtpx:TrackPointExtension>\n        </extensions>\n"
        "      </trkpt>\n"
        for la, lo, e, t, h, c in zip(run["lat"], run["lon"], run["ele"], times, run["hr"], run["cad"])
    ]
    head = GPX_HEAD.format(start=times[0])
    n = _cut(points, head, len(GPX_TAIL))
    path.write_text(head + "".join(points[:n]) + GPX_TAIL, encoding="utf-8")
    lat = np.round(run["lat"][:n], 7)
    lon = np.round(run["lon"][:n], 7)
    return {"points": n, "first": _utc(times[0]), "last": _utc(times[n - 1]),
            "distance_m": float(haversine(lat, lon).sum())}


TCX_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<TrainingCenterDatabase xsi:schemaLocation="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2 \
http://www.garmin.com/xmlschemas/TrainingCenterDatabasev2.xsd" xmlns:ns5="http://www.garmin.com/xmlschemas/ActivityGoals/v1" \
xmlns:ns3="http://www.garmin.com/xmlschemas/ActivityExtension/v2" xmlns:ns2="http://www.garmin.com/xmlschemas/UserProfile/v2" \
xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <Activities>
    <Activity Sport="Running">
      <Id>{start}</Id>
"""
TCX_TAIL = """      <Creator xsi:type="Device_t">
        <Name>bench_tracks (Garmin Connect layout)</Name>
        <UnitId>3999999999</UnitId>
        <ProductID>3113</ProductID>
      </Creator>
    </Activity>
  </Activities>
</TrainingCenterDatabase>
"""
LAP_BYTES = 900  # room for one lap's totals, per lap of 1 km


def write_tcx(path: Path) -> dict:
    """A ~10 MB TCX of the mountain run, a lap every km; returns what it holds (points, times, distance)."""
    run = mountain_run(40_000)
    times = _times(run)
    dist = np.round(run["dist"], 2)
    points = [
        f"          <Trackpoint>\n            <Time>{t}</Time>\n            <Position>\n"
        f"              <LatitudeDegrees>{la:.7f}</LatitudeDegrees>\n"
        f"              <LongitudeDegrees>{lo:.7f}</LongitudeDegrees>\n"
        f"            </Position>\n            <AltitudeMeters>{e:.1f}</AltitudeMeters>\n"
        f"            <DistanceMeters>{d:.2f}</DistanceMeters>\n            <HeartRateBpm>\n              <Value>{h}</Value>\n"
        f"            </HeartRateBpm>\n            <Extensions>\n              <ns3:TPX>\n"
        f"                <ns3:Speed>{v:.3f}</ns3:Speed>\n                <ns3:RunCadence>{c}</ns3:RunCadence>\n"
        "              </ns3:TPX>\n            </Extensions>\n          </Trackpoint>\n"
        for t, la, lo, e, d, h, v, c in zip(times, run["lat"], run["lon"], run["ele"], dist, run["hr"], run["speed"],
                                             run["cad"])
    ]
    head = TCX_HEAD.format(start=times[0])
    n = _cut(points, head, len(TCX_TAIL) + LAP_BYTES * int(dist[-1] / 1000 + 1))
    starts = sorted({0, *np.searchsorted(dist[:n], np.arange(1000.0, dist[n - 1], 1000.0)).tolist()})
    ends = starts[1:] + [n - 1]
    parts = [head]
    for k, (s, e) in enumerate(zip(starts, ends)):
        last = k == len(starts) - 1
        stop = e if last else e - 1  # the lap's last point; a lap runs until the next one starts
        hr = run["hr"][s:stop + 1]
        seconds = float((run["time"][e] - run["time"][s]) / np.timedelta64(1, "s"))
        lap_m = float(dist[e] - dist[s])
        parts.append(
            f'      <Lap StartTime="{times[s]}">\n        <TotalTimeSeconds>{seconds:.1f}</TotalTimeSeconds>\n'
            f"        <DistanceMeters>{lap_m:.2f}</DistanceMeters>\n"
            f"        <MaximumSpeed>{run['speed'][s:stop + 1].max():.3f}</MaximumSpeed>\n"
            f"        <Calories>{round(lap_m * 0.07)}</Calories>\n"
            f"        <AverageHeartRateBpm>\n          <Value>{round(hr.mean())}</Value>\n        </AverageHeartRateBpm>\n"
            f"        <MaximumHeartRateBpm>\n          <Value>{hr.max()}</Value>\n        </MaximumHeartRateBpm>\n"
            "        <Intensity>Active</Intensity>\n        <TriggerMethod>Distance</TriggerMethod>\n        <Track>\n"
        )
        parts.extend(points[s:stop + 1])
        parts.append(
            f"        </Track>\n        <Extensions>\n          <ns3:LX>\n"
            f"            <ns3:AvgSpeed>{lap_m / max(seconds, 1.0):.3f}</ns3:AvgSpeed>\n"
            f"            <ns3:AvgRunCadence>{round(run['cad'][s:stop + 1].mean())}</ns3:AvgRunCadence>\n"
            f"          </ns3:LX>\n        </Extensions>\n      </Lap>\n"
        )
    parts.append(TCX_TAIL)
    path.write_text("".join(parts), encoding="utf-8")
    return {"points": n, "first": _utc(times[0]), "last": _utc(times[n - 1]), "distance_m": float(dist[n - 1])}


def _utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).astimezone(dt.UTC)


def haversine(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Metres between consecutive positions (degrees), R = 6371008.8 m."""
    phi, lam = np.radians(lat), np.radians(lon)
    a = np.sin(np.diff(phi) / 2) ** 2 + np.cos(phi[:-1]) * np.cos(phi[1:]) * np.sin(np.diff(lam) / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


# ---- the parsers, each file -> the columns trainlog needs --------------------------------------

@dataclass
class Facts:
    points: int
    first: dt.datetime | None
    last: dt.datetime | None
    distance_m: float | None  # the file's total: trainlog's session(s), the library's own or computed as trainlog does


def trainlog_decode(path: Path):
    from trainlog.ingest.decode import decode

    return decode(path.read_bytes(), path.name)


def trainlog_facts(decoded) -> Facts:
    rec = decoded.records
    if rec is None or rec.is_empty():
        return Facts(0, None, None, None)
    return Facts(rec.height, rec["timestamp"][0], rec["timestamp"][-1],
                 sum(s.get("distance_m") or 0.0 for s in decoded.sessions))


def gpxpy_columns(path: Path) -> pl.DataFrame:
    """gpxpy.parse, then time, position, elevation, hr, cad and the along-track distance as a Polars frame."""
    import gpxpy

    gpx = gpxpy.parse(path.read_bytes())
    time_, lat, lon, ele, hr, cad, seg = [], [], [], [], [], [], []
    k = 0
    for track in gpx.tracks:
        for segment in track.segments:
            k += 1
            for p in segment.points:
                h = c = None
                for ext in p.extensions:  # Garmin TrackPointExtension (its children), Cluetrust, bare <hr>
                    for child in ext.iter():
                        name = child.tag.rpartition("}")[2].lower()
                        if name in ("hr", "heartrate") and h is None:
                            h = _float(child.text)
                        elif name in ("cad", "cadence") and c is None:
                            c = _float(child.text)
                time_.append(p.time)
                lat.append(p.latitude)
                lon.append(p.longitude)
                ele.append(p.elevation)
                hr.append(h)
                cad.append(c)
                seg.append(k)
    la = np.asarray(lat, dtype=float)
    lo = np.asarray(lon, dtype=float)
    dist = np.zeros(la.size)
    if la.size > 1:
        step = haversine(la, lo)
        step[np.diff(np.asarray(seg)) != 0] = 0.0
        dist[1:] = np.cumsum(step)
    return pl.DataFrame({
        "timestamp": pl.Series(time_, dtype=UTC, strict=False), "lat_deg": la, "lon_deg": lo,
        "altitude_m": pl.Series(ele, dtype=pl.Float64, strict=False), "distance_m": dist,
        "hr_bpm": pl.Series(hr, dtype=pl.Float64), "cadence_rpm": pl.Series(cad, dtype=pl.Float64),
    })


def gpxpy_facts(frame: pl.DataFrame) -> Facts:
    if frame.is_empty():
        return Facts(0, None, None, None)
    return Facts(frame.height, frame["timestamp"][0], frame["timestamp"][-1], float(frame["distance_m"][-1]))


def tcxreader_columns(path: Path):
    """tcxreader's read, then time, position, altitude, distance, hr, cadence and TPX speed as a Polars frame."""
    from tcxreader.tcxreader import TCXReader

    exercise = TCXReader().read(str(path))
    tps = exercise.trackpoints
    times = pl.Series([tp.time for tp in tps], strict=False)
    if times.dtype == pl.Datetime and times.dtype.time_zone is None:  # "...Z" is parsed to naive UTC
        times = times.dt.replace_time_zone("UTC")
    frame = pl.DataFrame({
        "timestamp": times,
        "lat_deg": pl.Series([tp.latitude for tp in tps], dtype=pl.Float64),
        "lon_deg": pl.Series([tp.longitude for tp in tps], dtype=pl.Float64),
        "altitude_m": pl.Series([tp.elevation for tp in tps], dtype=pl.Float64),
        "distance_m": pl.Series([tp.distance for tp in tps], dtype=pl.Float64),
        "hr_bpm": pl.Series([tp.hr_value for tp in tps], dtype=pl.Float64, strict=False),
        "cadence_rpm": pl.Series([tp.cadence or tp.tpx_ext.get("RunCadence") for tp in tps], dtype=pl.Float64,
                                 strict=False),
        "speed_mps": pl.Series([tp.tpx_ext.get("Speed") for tp in tps], dtype=pl.Float64, strict=False),
    })
    return exercise, frame


def tcxreader_facts(result) -> Facts:
    exercise, frame = result
    if frame.is_empty():
        return Facts(0, None, None, None)
    return Facts(frame.height, frame["timestamp"][0], frame["timestamp"][-1], float(exercise.distance))


def _float(text: str | None) -> float | None:
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


@dataclass
class Parser:
    name: str
    run: Callable
    facts: Callable


PARSERS = {
    "trainlog": Parser("trainlog", trainlog_decode, trainlog_facts),
    "gpxpy": Parser("gpxpy", gpxpy_columns, gpxpy_facts),
    "tcxreader": Parser("tcxreader", tcxreader_columns, tcxreader_facts),
}
LIBRARY = {"gpx": "gpxpy", "tcx": "tcxreader"}


# ---- measurements ---------------------------------------------------------------------------

def readable(files: list[Path], names: list[str]) -> tuple[list[Path], list[str], list[str]]:
    """The files every parser named reads without raising (an untimed first pass), why the others were
    left out, and the files on which the parsers' point counts differ."""
    keep, left, differ = [], [], []
    for path in files:
        errors, counts = [], {}
        for name in names:
            try:
                counts[name] = PARSERS[name].facts(PARSERS[name].run(path)).points
            except Exception as exc:  # a library that cannot read a file: left out of the comparison
                errors.append(f"{name} {type(exc).__name__}: {str(exc).removeprefix(path.name + ': ')[:90]}")
        if errors:
            left.append(f"{path.name}: {'; '.join(errors)}")
            continue
        keep.append(path)
        if len(set(counts.values())) > 1:
            differ.append(f"{path.name}: " + ", ".join(f"{n} {c:,}" for n, c in counts.items()))
    return keep, left, differ


def timed(files: list[Path], names: list[str], repeats: int) -> dict[str, tuple[float, float, int]]:
    """Per parser: median wall and CPU seconds of one pass over the files, and the points it read.

    The parsers take turns in each repeat. The CPU time (this process, all threads) shows
    whether other work on the machine stretched the wall time.
    """
    seconds: dict[str, list[float]] = {n: [] for n in names}
    cpu: dict[str, list[float]] = {n: [] for n in names}
    points: dict[str, int] = {}
    for _ in range(repeats):
        for name in names:
            parser = PARSERS[name]
            gc.collect()
            total = 0
            t, c = time.perf_counter(), time.process_time()
            for path in files:
                out = parser.run(path)
                total += parser.facts(out).points if name not in points else 0
                del out
            seconds[name].append(time.perf_counter() - t)
            cpu[name].append(time.process_time() - c)
            points.setdefault(name, total)
    return {n: (statistics.median(seconds[n]), statistics.median(cpu[n]), points[n]) for n in names}


def compare(label: str, files: list[Path], fmt: str, repeats: int) -> None:
    """MB/s and points/s of trainlog and the format's library on the same files, and their ratio."""
    names = ["trainlog", LIBRARY[fmt]]
    size = sum(p.stat().st_size for p in files)
    print(f"{label}: {len(files)} file{'s' if len(files) != 1 else ''}, {size / 1e6:.1f} MB, median of {repeats}")
    result = timed(files, names, repeats)
    print(f"  {'parser':<12}{'MB/s':>8}{'points/s':>12}{'points':>10}{'seconds':>10}{'cpu s':>8}")
    for name in names:
        s, c, n = result[name]
        print(f"  {name:<12}{size / 1e6 / s:>8.2f}{n / s:>12,.0f}{n:>10,}{s:>10.3f}{c:>8.3f}")
    lib = LIBRARY[fmt]
    ratio = result[lib][0] / result["trainlog"][0]
    print(f"  trainlog / {lib}: {ratio:.2f} x {'(trainlog faster)' if ratio >= 1 else '(trainlog SLOWER)'}")


def agreement(label: str, path: Path, fmt: str, truth: dict) -> None:
    """Point count, total distance (0.1 %) and first/last time of each parser against the generator's."""
    print(f"{label} ({path.name}):")
    rows = {"generated": Facts(truth["points"], truth["first"], truth["last"], truth["distance_m"])}
    for name in ("trainlog", LIBRARY[fmt]):
        rows[name] = PARSERS[name].facts(PARSERS[name].run(path))
    ok = True
    ref = rows["generated"]
    for name, f in rows.items():
        print(f"  {name:<12}{f.points:>8,} points, {f.distance_m / 1000 if f.distance_m is not None else float('nan'):9.3f} km,"
              f" {f.first:%Y-%m-%d %H:%M:%S} .. {f.last:%Y-%m-%d %H:%M:%S} UTC")
        if name == "generated":
            continue
        problems = []
        if f.points != ref.points:
            problems.append(f"points {f.points} != {ref.points}")
        if f.distance_m is None or abs(f.distance_m - ref.distance_m) > 0.001 * ref.distance_m:
            problems.append(f"distance {f.distance_m} m != {ref.distance_m:.1f} m (0.1 %)")
        if f.first != ref.first or f.last != ref.last:
            problems.append(f"times {f.first} .. {f.last} != {ref.first} .. {ref.last}")
        for p in problems:
            ok = False
            print(f"  MISMATCH {name}: {p}")
    if fmt == "gpx":
        import gpxpy

        own = gpxpy.parse(path.read_bytes()).length_2d()
        print(f"  (gpxpy's own length_2d(): {own / 1000:.3f} km, {100 * (own / ref.distance_m - 1):+.2f} %: "
              "R = 6378.137 km and a flat-earth step below 0.2 degrees; the frame above uses trainlog's haversine)")
    print(f"  {'agree' if ok else 'DO NOT AGREE'}")


def fresh_import(path: Path, repeats: int) -> tuple[float, str]:
    """Median wall time of ``python -m trainlog import FILE`` in a fresh process, and its last output line."""
    times, last = [], ""
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as td:
            command = [sys.executable, "-m", "trainlog", "import", str(path), "-a", "bench", "--data-dir", td, "-q"]
            t = time.perf_counter()
            out = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
            times.append(time.perf_counter() - t)
            lines = (out.stdout + out.stderr).strip().splitlines()
            last = (lines[-1] if lines else "").split("  (athlete")[0]
            last += "" if out.returncode == 0 else f" (exit {out.returncode})"
    return statistics.median(times), last


def startup(repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "trainlog", "--help"], cwd=ROOT, capture_output=True, check=True)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


# VmHWM, the peak resident set of this process's memory since exec: getrusage's ru_maxrss would not do,
# Linux carries the parent's peak over into a child it starts (fork, exec).
MEMORY_CHILD = """
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import bench_tracks as b
def hwm():
    return next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
name, path = sys.argv[2], Path(sys.argv[3])
b.PARSERS[name].run(Path(sys.argv[4]))  # a tiny file: imports the parser's modules
before = hwm()
out = b.PARSERS[name].run(path)
print(before, hwm(), b.PARSERS[name].facts(out).points)
"""


def peak_memory(name: str, path: Path, tiny: Path) -> tuple[float, float, int]:
    """(peak RSS MB before parsing, peak RSS MB after, points) of a fresh process decoding ``path`` with ``name``."""
    out = subprocess.run([sys.executable, "-c", MEMORY_CHILD, str(ROOT / "benchmarks"), name, str(path), str(tiny)],
                         cwd=ROOT, capture_output=True, text=True, check=True)
    before, after, points = (int(x) for x in out.stdout.split()[-3:])
    return before / 1024, after / 1024, points


def tiny_copy(folder: Path, fmt: str, truth_path: Path) -> Path:
    """The first few points of a generated file, a valid document (warms the parser's imports)."""
    text = truth_path.read_text(encoding="utf-8")
    if fmt == "gpx":
        cut = text.index("</trkpt>", text.index("<trkpt")) + len("</trkpt>\n")
        small = text[:cut] + GPX_TAIL
    else:
        end = text.index("</Trackpoint>") + len("</Trackpoint>\n")
        small = text[:end] + "        </Track>\n      </Lap>\n" + TCX_TAIL
    path = folder / f"tiny.{fmt}"
    path.write_text(small, encoding="utf-8")
    return path


def profile(path: Path) -> None:
    import cProfile
    import pstats

    from trainlog.ingest.gpx import decode_gpx

    data = path.read_bytes()
    prof = cProfile.Profile()
    prof.enable()
    decode_gpx(data, path.name)
    prof.disable()
    pstats.Stats(prof, stream=sys.stdout).sort_stats("tottime").print_stats(10)


# ---- the run ---------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats (about a minute)")
    parser.add_argument("--profile", action="store_true",
                        help="also print cProfile's top 10 of trainlog's decoder on the generated 10 MB GPX")
    args = parser.parse_args(argv)
    repeats = 2 if args.quick else 5
    versions = ", ".join(f"{p} {metadata.version(p)}" for p in ("gpxpy", "tcxreader", "polars"))
    print(f"trainlog GPX/TCX benchmark: {os.cpu_count()} cores, Python {sys.version.split()[0]}, {versions}, "
          f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC")

    with tempfile.TemporaryDirectory(prefix="bench_tracks-") as td:
        folder = Path(td)
        t = time.perf_counter()
        gen = {"gpx": folder / "mountain_run.gpx", "tcx": folder / "mountain_run.tcx"}
        truth = {"gpx": write_gpx(gen["gpx"]), "tcx": write_tcx(gen["tcx"])}
        print(f"\n== 0. inputs (generated in {time.perf_counter() - t:.1f} s into a temporary directory)")
        for fmt, path in gen.items():
            hours = (truth[fmt]["last"] - truth[fmt]["first"]).total_seconds() / 3600
            print(f"  {path.name}: {path.stat().st_size / 1e6:.1f} MB, {truth[fmt]['points']:,} points (1 s, {hours:.1f} h), "
                  f"{truth[fmt]['distance_m'] / 1000:.1f} km")
        corpus: dict[str, list[Path]] = {}
        if CORPUS.is_dir():
            for fmt in ("gpx", "tcx"):
                files = sorted(p for p in CORPUS.iterdir() if p.suffix.lower() == f".{fmt}")
                keep, left, differ = readable(files, ["trainlog", LIBRARY[fmt]])
                corpus[fmt] = keep
                print(f"  {CORPUS} {fmt.upper()}: {len(files)} files, {len(keep)} read by trainlog and "
                      f"{LIBRARY[fmt]} (left out: {len(left)})")
                for line in left:
                    print(f"    left out {line}")
                for line in differ:
                    print(f"    points differ {line}")
        else:
            print(f"  skipped the corpus: no folder {CORPUS} (set TRAINLOG_TRACK_CORPUS)")

        print("\n== 1. file -> columns (trainlog: DecodedFile with a Polars records frame; the library: "
              "its objects, then a Polars frame of the same columns)")
        for fmt in ("gpx", "tcx"):
            if corpus.get(fmt):
                compare(f"{fmt.upper()}, corpus", corpus[fmt], fmt, repeats)
            compare(f"{fmt.upper()}, generated ~10 MB", [gen[fmt]], fmt, repeats)

        print("\n== 2. do the parsers agree on the generated files?")
        for fmt in ("gpx", "tcx"):
            agreement(fmt.upper(), gen[fmt], fmt, truth[fmt])

        print("\n== 3. `python -m trainlog import FILE -a bench --data-dir TMP -q`, a fresh process "
              f"(median of {max(1, repeats // 2)})")
        base = startup(max(1, repeats // 2))
        print(f"  start-up alone (`python -m trainlog --help`): {base:.2f} s")
        for fmt in ("gpx", "tcx"):
            seconds, last = fresh_import(gen[fmt], max(1, repeats // 2))
            size, n = gen[fmt].stat().st_size, truth[fmt]["points"]
            print(f"  {gen[fmt].name}: {seconds:.2f} s, {size / 1e6 / seconds:.2f} MB/s, {n / seconds:,.0f} points/s "
                  f"({last})")

        print("\n== 4. peak memory of a fresh process decoding one generated file (peak RSS, VmHWM; before: "
              "Python, Polars and the parser imported)")
        for fmt in ("gpx", "tcx"):
            tiny = tiny_copy(folder, fmt, gen[fmt])
            for name in ("trainlog", LIBRARY[fmt]):
                before, after, n = peak_memory(name, gen[fmt], tiny)
                print(f"  {fmt.upper()} {name:<10} {after:6.0f} MB peak RSS ({before:.0f} MB before parsing, "
                      f"+{after - before:.0f} MB; {n:,} points)")

        if args.profile:
            print("\n== cProfile of trainlog's decode_gpx on the generated GPX (top 10 by own time)")
            profile(gen["gpx"])

    print(f"\nReproduce: .venv/bin/python benchmarks/bench_tracks.py{' --quick' if args.quick else ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

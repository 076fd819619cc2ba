"""Plain helpers shared by the tests: where the sample files and the corpus are, frames and files built
in memory, a stored dataset checked, the dashboard's data subset, and a real dashboard server.

Fixtures (what a test takes as an argument) live in ``conftest.py``; import what you need from here
(``from builders import activities, samples, utc``). Nothing here needs Playwright or Chromium.
"""

from __future__ import annotations

import contextlib
import csv
import ctypes
import datetime as dt
import hashlib
import http.cookiejar
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Collection
from pathlib import Path

import polars as pl
import pytest
from hypothesis import strategies as st

from trainlog import Store, import_paths
from trainlog.analysis import fitness, metrics
from trainlog.ingest import demo
from trainlog.settings import ModelSettings
from trainlog.store import schema, wellness
from trainlog.store.wellness import DAILY_SCHEMA

# --------------------------------------------------------------------------- where the files are

ROOT = Path(__file__).resolve().parent.parent
#: The team's shared FIT corpus (its MANIFEST.tsv lists each file); tests that need it are skipped without it.
CORPUS = Path(os.environ.get("TRAINLOG_CORPUS", ROOT.parent / "shared" / "fit_corpus"))
#: The committed sample files (two athletes' seasons), always present.
SAMPLE_FIT = ROOT / "sample_fit"
#: Third-party test tools kept in the repository, pinned (tests/vendor/*/README.md says which and why).
VENDOR = Path(__file__).resolve().parent / "vendor"


#: Four of Tom's sample files on four days (a treadmill run without positions, a bike ride): the export tests' store.
EXPORT_FILES = [SAMPLE_FIT / "tom" / name for name in (
    "2026-01-13_1837_running_treadmill.fit", "2026-03-01_0851_running.fit", "2026-03-03_1219_running.fit",
    "2026-03-06_1316_cycling_bike.fit")]


def corpus_available() -> bool:
    return (CORPUS / "MANIFEST.tsv").is_file()


requires_corpus = pytest.mark.skipif(
    not corpus_available(),
    reason=f"shared FIT corpus not found at {CORPUS} (it lives beside the checkout in ../shared/fit_corpus)",
)


def corpus_file(name: str) -> Path:
    """The corpus file ``name``; skips the calling test when the corpus is missing."""
    if not corpus_available():
        pytest.skip(f"shared FIT corpus not found at {CORPUS}")
    return CORPUS / name


def manifest() -> list[dict[str, str]]:
    """The corpus's MANIFEST.tsv, one dict per file."""
    with open(CORPUS / "MANIFEST.tsv", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


# --------------------------------------------------------------------------- frames with the dataset schema


def utc(*args: int) -> dt.datetime:
    """A UTC datetime: ``utc(2024, 3, 1, 8)``."""
    return dt.datetime(*args, tzinfo=dt.UTC)


def activities(*rows: dict) -> pl.DataFrame:
    """Activities frame; each row gives at least ``activity_id`` and ``start_utc``.

    Defaults: sport running, utc_offset_s 0, other columns null.
    """
    defaults = {"sport": "running", "utc_offset_s": 0, "athlete": "me"}
    full = [{**defaults, **row} for row in rows]
    return pl.DataFrame(full, schema=schema.ACTIVITIES) if full else schema.empty("activities")


def samples(
    activity_id: str,
    start: dt.datetime,
    *,
    step_s: float = 1.0,
    n: int | None = None,
    times_s: list[float] | None = None,
    distance_m: list[float | None] | None = None,
    altitude_m: list[float | None] | None = None,
    speed_mps: list[float | None] | None = None,
    hr_bpm: list[float | None] | None = None,
) -> pl.DataFrame:
    """Samples of one activity. Times are ``start + times_s`` (default every ``step_s``);
    streams not given are null."""
    lengths = [len(x) for x in (times_s, distance_m, altitude_m, speed_mps, hr_bpm) if x is not None]
    count = n if n is not None else lengths[0]
    offsets = times_s if times_s is not None else [i * step_s for i in range(count)]
    data = {
        "activity_id": [activity_id] * count,
        "timestamp": [start + dt.timedelta(seconds=t) for t in offsets],
        "distance_m": distance_m or [None] * count,
        "altitude_m": altitude_m or [None] * count,
        "speed_mps": speed_mps or [None] * count,
        "hr_bpm": hr_bpm or [None] * count,
    }
    return pl.DataFrame(data).with_columns(
        pl.lit(None).alias(name) for name in schema.SAMPLES if name not in data
    ).select(pl.col(name).cast(dtype) for name, dtype in schema.SAMPLES.items())


def concat(*frames: pl.DataFrame) -> pl.DataFrame:
    """Samples of several activities (an empty samples frame when none)."""
    return pl.concat(frames) if frames else schema.empty("samples")


def fitness_frame(first: dt.date, loads: list[float], ascents: list[float] | None = None,
                  hours: list[float] | None = None, model: ModelSettings | None = None,
                  start_ctl: float | None = None, start_atl: float | None = None) -> pl.DataFrame:
    """The daily series with fitness (as :func:`trainlog.analysis.pipeline.fitness_of` gives it) of
    consecutive days from ``first``: each day's load, ascent (m; descent the same) and moving hours."""
    n = len(loads)
    ascents = ascents if ascents is not None else [0.0] * n
    hours = hours if hours is not None else [0.0] * n
    series = pl.DataFrame(
        {"date": [first + dt.timedelta(days=i) for i in range(n)], "load": loads, "distance_m": [0.0] * n,
         "moving_s": [h * 3600.0 for h in hours], "ascent_m": ascents, "descent_m": ascents,
         "goal_ascent_m": ascents, "n_activities": [1] * n},
    ).select(pl.col(c).cast(t) for c, t in metrics.schema("daily").items())
    return fitness.fitness(series, model or ModelSettings(), start_ctl, start_atl)


def wellness_days(first: dt.date, **columns: list) -> pl.DataFrame:
    """Folded daily wellness (as :func:`trainlog.store.wellness.daily` gives it) of consecutive days from ``first``:
    each keyword a field's values, one per day (None: not given); a day with no value has no row."""
    n = max(len(v) for v in columns.values())
    rows = [{"date": first + dt.timedelta(days=i), **{c: v[i] for c, v in columns.items() if i < len(v)}}
            for i in range(n)]
    rows = [r for r in rows if any(v is not None for k, v in r.items() if k != "date")]
    return pl.DataFrame(rows, schema=DAILY_SCHEMA)


def sample_wellness(last: dt.date, days: int) -> dict[dt.date, dict]:
    """``days`` made-up mornings up to ``last`` (every field of the check-in, a short night every fifth day), as
    :func:`trainlog.store.wellness.append` takes them: enough for the HRV and resting-HR baselines after 14."""
    return {last - dt.timedelta(days=days - 1 - i): {
        "hrv_rmssd_ms": 50.0 + (i * 7) % 17, "resting_hr_bpm": 44.0 + (i * 3) % 6,
        "sleep_h": 5.5 if i % 5 == 4 else 7.0 + (i % 3) * 0.5, "sleep_quality": 2 + i % 4, "soreness": 1 + (i * 2) % 5,
        "fatigue": 1 + i % 5, "mood": 5 - i % 4} for i in range(days)}


def write_wellness(store: Store, athlete: str, days: dict[dt.date, dict]) -> None:
    """Write ``days`` (day -> values) into ``athlete``'s wellness, in one commit."""
    with store.transaction(athlete) as tx:
        wellness.append(tx, days, "cli")


@st.composite
def histories(draw):
    """Hypothesis strategy: (activities, samples) of 1-4 random activities: some without samples,
    with gaps, duplicated timestamps, dropouts (null or 0) in distance, altitude and HR."""
    acts, frames = [], []
    for k in range(draw(st.integers(1, 4))):
        aid = f"a{k}"
        start = utc(2024, 3, 1) + dt.timedelta(hours=draw(st.integers(0, 24 * 10)))
        n = draw(st.integers(0, 40))
        steps = draw(st.lists(st.sampled_from([0, 1, 10, 60, 3600]), min_size=n, max_size=n))
        times = [float(sum(steps[:i])) for i in range(n)]
        climb = draw(st.lists(st.floats(-20, 20), min_size=n, max_size=n))
        dropout = draw(st.lists(st.booleans(), min_size=n, max_size=n))
        with_hr = draw(st.booleans())
        acts.append(
            {
                "activity_id": aid,
                "start_utc": start,
                "timer_s": float(draw(st.integers(0, 20000))),
                "distance_m": draw(st.none() | st.floats(0, 50000)),
                "ascent_device_m": draw(st.none() | st.floats(0, 3000)),
                "utc_offset_s": draw(st.sampled_from([None, -18000, 0, 7200, 46800])),
            }
        )
        if n:
            frames.append(
                samples(
                    aid,
                    start,
                    times_s=times,
                    distance_m=[None if d else 3.0 * t for d, t in zip(dropout, times)],
                    altitude_m=[0.0 if d else 1000.0 + sum(climb[: i + 1]) for i, d in enumerate(dropout)],
                    hr_bpm=[(0.0 if d else 140.0 + i % 30) for i, d in enumerate(dropout)] if with_hr else None,
                )
            )
    return activities(*acts), concat(*frames)


# --------------------------------------------------------------------------- files on disk and a stored dataset


def zip_bytes(entries: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A zip archive, in memory, holding ``entries`` (name -> bytes)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


TRACK_CORPUS = Path(os.environ.get("TRAINLOG_TRACK_CORPUS", ROOT.parent / "shared" / "track_corpus"))
requires_track_corpus = pytest.mark.skipif(
    not (TRACK_CORPUS / "MANIFEST.tsv").is_file(),
    reason=f"the shared GPX/TCX corpus is not at {TRACK_CORPUS} (set TRAINLOG_TRACK_CORPUS to its folder)")


def track_manifest() -> list[dict[str, str]]:
    """The rows of ../shared/track_corpus/MANIFEST.tsv."""
    with open(TRACK_CORPUS / "MANIFEST.tsv", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def _iso(ts: dt.datetime) -> str:
    return ts.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def gpx_of(records: pl.DataFrame, sport: str | None = "running", name: str = "Export") -> bytes:
    """A GPX 1.1 track of a decoded file's records (as Strava exports a run: position, ele, time, gpxtpx:hr)."""
    pts = []
    for r in records.drop_nulls(["lat_deg", "lon_deg", "timestamp"]).iter_rows(named=True):
        ele = f"<ele>{r['altitude_m']}</ele>" if r["altitude_m"] is not None else ""
        hr = (f"<extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>{int(r['hr_bpm'])}</gpxtpx:hr>"
              "</gpxtpx:TrackPointExtension></extensions>") if r["hr_bpm"] is not None else ""
        pts.append(f'<trkpt lat="{r["lat_deg"]}" lon="{r["lon_deg"]}">{ele}<time>{_iso(r["timestamp"])}</time>{hr}</trkpt>')
    kind = f"<type>{sport}</type>" if sport else ""
    return ('<?xml version="1.0" encoding="UTF-8"?><gpx version="1.1" creator="StravaGPX" '
            'xmlns="http://www.topografix.com/GPX/1/1" '
            'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">'
            f"<trk><name>{name}</name>{kind}<trkseg>{''.join(pts)}</trkseg></trk></gpx>").encode()


def tcx_of(records: pl.DataFrame, sport: str = "Running") -> bytes:
    """A TCX (one lap) of a decoded file's records, as older Garmin and Strava uploads are."""
    rec = records.drop_nulls("timestamp")
    first, last = rec["timestamp"].min(), rec["timestamp"].max()
    pts = []
    for r in rec.iter_rows(named=True):
        pos = (f"<Position><LatitudeDegrees>{r['lat_deg']}</LatitudeDegrees><LongitudeDegrees>{r['lon_deg']}"
               "</LongitudeDegrees></Position>") if r["lat_deg"] is not None else ""
        alt = f"<AltitudeMeters>{r['altitude_m']}</AltitudeMeters>" if r["altitude_m"] is not None else ""
        dist = f"<DistanceMeters>{r['distance_m']}</DistanceMeters>" if r["distance_m"] is not None else ""
        hr = f"<HeartRateBpm><Value>{int(r['hr_bpm'])}</Value></HeartRateBpm>" if r["hr_bpm"] is not None else ""
        pts.append(f"<Trackpoint><Time>{_iso(r['timestamp'])}</Time>{pos}{alt}{dist}{hr}</Trackpoint>")
    total = rec["distance_m"].max() or 0.0
    return ('<?xml version="1.0" encoding="UTF-8"?><TrainingCenterDatabase '
            'xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"><Activities>'
            f'<Activity Sport="{sport}"><Id>{_iso(first)}</Id><Lap StartTime="{_iso(first)}">'
            f"<TotalTimeSeconds>{(last - first).total_seconds()}</TotalTimeSeconds><DistanceMeters>{total}</DistanceMeters>"
            f"<Track>{''.join(pts)}</Track></Lap></Activity></Activities></TrainingCenterDatabase>").encode()


def tree(path: Path, *, skip: Collection[str] = ()) -> dict[str, str]:
    """What is on disk under ``path``, to compare before and after ("nothing changed on disk").

    Each file's relative POSIX path maps to the sha256 of its bytes; each folder's, with a trailing
    ``/``, to "" (so an added empty folder is a change too). Entries named in ``skip`` (the store's
    ``.lock``: taking the writers' lock is not a change) are left out. Empty when ``path`` does not exist.
    """
    out = {}
    for p in sorted(path.rglob("*")):
        if p.name in skip:
            continue
        rel = p.relative_to(path).as_posix()
        if p.is_dir():
            out[rel + "/"] = ""
        else:
            out[rel] = hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "not a regular file"
    return out


def check_dataset(store: Store, athlete: str) -> pl.DataFrame:
    """The dataset reads, each activity is stored once with all its samples, and the
    activities are exactly those of the files the ledger says were imported."""
    t = store.read_all(athlete)
    acts, samples, files = t["activities"], t["samples"], t["files"]
    assert acts["activity_id"].n_unique() == acts.height
    assert files["file_sha256"].n_unique() == files.height
    imported = set(files.filter(pl.col("outcome") == "imported")["file_sha256"])
    assert set(acts["file_sha256"]) == imported
    per = samples.group_by("activity_id").len()
    joined = acts.select("activity_id", "n_records").join(per, on="activity_id", how="left").fill_null(0)
    assert joined.filter(pl.col("n_records") != pl.col("len")).is_empty()
    assert set(t["laps"]["activity_id"]) <= set(acts["activity_id"])
    return acts


# --------------------------------------------------------------------------- the dashboard's data and layouts

#: The subset imported for the dashboard tests: Mara's last four weeks with her 59 h Barkley
#: file, and Tom's last three weeks with his race. Small enough to import in seconds.
SUBSET = {"mara": "2026-02-16", "tom": "2026-06-06"}
#: A sample file outside the subset, for upload tests.
UPLOAD_FILE = SAMPLE_FIT / "mara" / "2025-09-16_0551_running.fit"


def subset_files(athlete: str) -> list[Path]:
    return sorted(p for p in (SAMPLE_FIT / athlete).glob("*.fit") if p.name >= SUBSET[athlete])


def build_data_dir(path: Path) -> Store:
    """Import :data:`SUBSET` into ``path``, with the sample athletes' settings."""
    store = Store(path)
    for athlete in SUBSET:
        report = import_paths(store, subset_files(athlete), athlete)
        assert report.ok, report.results
    demo.apply_sample_settings(store)
    return store


def find(component, element_id):
    """The component with ``id`` in a Dash layout tree, or None."""
    if getattr(component, "id", None) == element_id:
        return component
    children = getattr(component, "children", None)
    if children is None:
        return None
    for child in children if isinstance(children, (list, tuple)) else [children]:
        found = find(child, element_id)
        if found is not None:
            return found
    return None


def nodes(component):
    """Every node of a Dash layout tree, depth first: the components and the strings among their children."""
    yield component
    if isinstance(component, str):
        return
    children = getattr(component, "children", None)
    for child in children if isinstance(children, (list, tuple)) else [children] if children is not None else []:
        yield from nodes(child)


def open_page(browser, viewport: dict):
    """A new browser page and the list that collects its console errors and uncaught exceptions."""
    page = browser.new_page(viewport=viewport)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return page, errors


def text(component, element_id) -> str:
    """The children of the element ``element_id`` in a layout tree (fails when it is missing)."""
    found = find(component, element_id)
    assert found is not None, f"no element #{element_id}"
    return found.children


# --------------------------------------------------------------------------- a real dashboard server

SERVER_START_S = 60


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_server(proc: subprocess.Popen, port: int, log) -> str:
    """The server's base URL once it answers HTTP (any status); fails with its log if it dies or takes too long."""
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + SERVER_START_S
    while True:
        try:
            urllib.request.urlopen(base + "/_dash-layout", timeout=2).close()
            return base
        except urllib.error.HTTPError:
            return base  # 401 and friends: it is up
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                log.seek(0)
                pytest.fail(f"the dashboard server did not start:\n{log.read()}")
            time.sleep(0.2)


@contextlib.contextmanager
def running_server(data_dir: Path, *args: str, log_path: Path | None = None):
    """``trainlog dashboard --data-dir data_dir *args`` on a free loopback port: yields (base URL, log file)."""
    port = free_port()
    command = [sys.executable, "-m", "trainlog", "dashboard", "--data-dir", str(data_dir), "--port", str(port), *args]
    log_path = log_path or Path(data_dir).parent / f"server-{port}.log"
    with open(log_path, "w+") as log:
        proc = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        try:
            yield wait_for_server(proc, port, log), log
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


@contextlib.contextmanager
def served_copy(data_dir: Path, copy: Path):
    """A dashboard server over a copy of ``data_dir`` made at ``copy`` (tests may write to it): (base URL, copy)."""
    shutil.copytree(data_dir, copy)
    with running_server(copy) as (base, _):
        yield base, copy


def log_text(log) -> str:
    log.flush()
    log.seek(0)
    return log.read()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Client:
    """An HTTP client with its own cookie jar; redirects are returned, not followed."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect)

    def request(self, path: str, data: bytes | None = None, headers: dict | None = None, method: str | None = None):
        """(status, headers, body text)."""
        req = urllib.request.Request(self.base + path, data=data, headers=headers or {}, method=method)
        try:
            with self.opener.open(req, timeout=30) as response:
                return response.status, response.headers, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            with error:
                return error.code, error.headers, error.read().decode("utf-8", "replace")

    def get(self, path: str, **headers):
        return self.request(path, headers=headers)

    def post_form(self, path: str, fields: dict, **headers):
        body = urllib.parse.urlencode(fields).encode()
        return self.request(path, body, {"Content-Type": "application/x-www-form-urlencoded", **headers})

    def post_json(self, path: str, doc, **headers):
        return self.request(path, json.dumps(doc).encode(), {"Content-Type": "application/json", **headers})

    def sign_in(self, user: str, password: str, next_path: str = "/"):
        return self.post_form("/login", {"username": user, "password": password, "next": next_path})


def page_callback(path: str, search: str = "") -> dict:
    """The body of the POST /_dash-update-component that Dash's router sends to render ``path?search``."""
    return {
        "output": ".._pages_content.children..._pages_store.data..",
        "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
        "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                   {"id": "_pages_location", "property": "search", "value": search}],
        "changedPropIds": ["_pages_location.pathname", "_pages_location.search"],
        "state": [],
    }


# --------------------------------------------------------------------------- the browser (conftest's fixture)

#: Debian's Chromium, or None: the ``browser`` fixture then skips (so does it without the playwright package).
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]
#: Mara's last day with training in the sample data.
MARA_DAY = "2026-03-15"
#: Every page of the dashboard as the browser tests open it (the Plan page three weeks before Mara's race:
#: its projection and weeks; the plan itself: test_dashboard_plan.py).
PAGES = {
    "today": f"/?athlete=mara&as_of={MARA_DAY}",
    "training": "/training?athlete=mara",
    "fatigue": "/fatigue?athlete=mara",
    "goal": f"/goal?athlete=mara&as_of={MARA_DAY}",
    "plan": "/plan?athlete=mara&as_of=2026-02-20",
    "activities": "/activities?athlete=tom",
    "coach": "/coach",
    "wellness": f"/wellness?athlete=mara&as_of={MARA_DAY}",
    "upload": "/upload?athlete=mara",
    "settings": "/settings?athlete=mara",
}
#: Where the browser tests write their screenshots ($TRAINLOG_ARTIFACTS/screenshots).
SCREENSHOTS = Path(os.environ.get("TRAINLOG_ARTIFACTS", ROOT / "artifacts")) / "screenshots"


# --------------------------------------------------------------------------- file modes as root

PR_CAPBSET_DROP = 24
CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH = 1, 2


def drop_file_capabilities() -> None:
    """In the child, before exec: root without the capabilities that let it ignore file modes."""
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
        if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


# --------------------------------------------------------------------------- a worker killed mid-athlete (test_batch)

#: How long the paused import waits to be killed before it goes on (s): far longer than the test needs.
PAUSE_S = 300


def import_pausing(data_dir: str, athlete: str, folder: str, gate: str | None) -> object:
    """:func:`trainlog.cluster.batch.import_athlete`, run on a Dask worker. With a ``gate`` folder, the first attempt
    commits five files, writes its process id to ``gate/pid`` and waits there for the test to kill the process
    (a real SIGKILL mid-athlete); each attempt leaves ``gate/attempt-<pid>``, so the test sees Dask's retry."""
    from trainlog.cluster import batch
    from trainlog.ingest import importer

    if gate is not None:
        gate_dir = Path(gate)
        first = not any(gate_dir.glob("attempt-*"))
        (gate_dir / f"attempt-{os.getpid()}").touch()
        if first:
            importer.BATCH_FILES = 5
            commit = importer._commit

            def commit_then_wait(*args: object, **kwargs: object) -> object:
                out = commit(*args, **kwargs)
                (gate_dir / "pid.tmp").write_text(str(os.getpid()))
                (gate_dir / "pid.tmp").rename(gate_dir / "pid")
                time.sleep(PAUSE_S)
                return out

            importer._commit = commit_then_wait
    return batch.import_athlete(data_dir, athlete, folder)

"""Import and dashboard speed (issue #6): one run prints every figure.

    .venv/bin/python benchmarks/bench_import.py            # the full run (~15 min the first time)
    .venv/bin/python benchmarks/bench_import.py --quick    # a smaller library, fewer repeats

What it measures, on this machine, in this run:

1. records/s of the plain fitparse loop (``FitFile(...).get_messages('record')``
   with ``get_values()``) and of trainlog's import (``import_paths``, what
   ``trainlog import`` runs: read, hash, decode in spawn workers, write the
   Parquet store), side by side with their ratio, on
   a. the four largest files in ../shared/fit_corpus,
   b. a generated 60 h file recorded every second,
   c. a generated 10-year library of about 3,000 activities (the fitparse loop
      on a random sample of it, records/s extrapolated);
2. the peak memory (max RSS, parent and workers) of importing the 60 h file,
   in a fresh process;
3. the time to re-import the unchanged 10-year library; then (3b) the time of
   the analysis ``trainlog import`` computes and keeps on disk once the files
   are in (every metric over every sample; the dashboard reads it back);
4. on that library imported for three athletes: the median and 95th percentile
   time of every page's callbacks (page layouts, as Dash's router calls them,
   and the pages' own callbacks), called directly;
5. the time to first render of Today in headless Chromium against
   ``python -m trainlog dashboard``.

Generated files go to benchmarks/out/ (git-ignored) and are reused by later runs.
A benchmark, not a test: nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from trainlog import Store, import_paths  # noqa: E402
from trainlog_dev.fitwrite import Device, Recording, encode  # noqa: E402

CORPUS = Path(os.environ.get("TRAINLOG_CORPUS", ROOT.parent / "shared" / "fit_corpus"))
OUT = ROOT / "benchmarks" / "out"
LIBRARY_YEARS = 10
LIBRARY_ACTIVITIES = 3000
ATHLETES = ("ada", "ben", "cleo")
LONG_FILE_H = 60
LIBRARY_FIRST_DAY = dt.date(2016, 1, 4)
FITPARSE_SAMPLE = 100  # library files timed with the fitparse loop
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


# ---- generated files ---------------------------------------------------------------------

def recording(rng: np.random.Generator, start_unix: int, duration_s: int, smart: bool) -> Recording:
    """A trail run: speed, altitude, heart rate and GPS as random walks; every 1 s or smart (1-5 s)."""
    steps = rng.integers(1, 6, size=duration_s) if smart else np.ones(duration_s, dtype=np.int64)
    t = start_unix + np.concatenate([[0], np.cumsum(steps)])
    t = t[t <= start_unix + duration_s]
    n = len(t)
    dt_s = np.diff(t, prepend=t[0]).astype(float)
    speed = np.clip(2.8 + np.cumsum(rng.normal(0, 0.03, n)) * 0.3, 0.6, 5.5)
    distance = np.cumsum(speed * dt_s)
    altitude = 600 + 150 * np.sin(distance / 2500) + np.cumsum(rng.normal(0, 0.05, n))
    heading = np.cumsum(rng.normal(0, 0.05, n))
    deg_per_m = 1 / 111_320
    lat = 45.9 + np.cumsum(np.cos(heading) * speed * dt_s) * deg_per_m
    lon = 6.87 + np.cumsum(np.sin(heading) * speed * dt_s) * deg_per_m / np.cos(np.radians(45.9))
    hr = np.clip(120 + 25 * (speed - 2.8) + np.cumsum(rng.normal(0, 0.2, n)) * 0.2, 80, 190)
    lap_m = 1000.0
    lap_starts = [0] + [int(i) for i in np.searchsorted(distance, np.arange(lap_m, distance[-1], lap_m))]
    return Recording(
        time_unix_s=t,
        distance_m=distance,
        speed_mps=speed,
        energy_kcal=distance * 0.065,
        sport="running",
        sub_sport="trail",
        utc_offset_end_s=3600,
        lat_semicircles=np.round(lat * 2**31 / 180).astype(np.int64),
        lon_semicircles=np.round(lon * 2**31 / 180).astype(np.int64),
        altitude_m=altitude,
        hr_bpm=np.round(hr),
        cadence_rpm=np.full(n, 86.0),
        temperature_c=np.full(n, 18.0),
        lap_starts=sorted(set(lap_starts)),
    )


def long_file() -> Path:
    """A 60 h run recorded every second (216,000 records)."""
    path = OUT / f"long_{LONG_FILE_H}h_1hz.fit"
    if not path.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        rng = np.random.default_rng(60)
        start = int(dt.datetime(2025, 8, 29, 18, 0, tzinfo=dt.UTC).timestamp())
        path.write_bytes(encode(recording(rng, start, LONG_FILE_H * 3600, smart=False), Device()))
    return path


def _library_file(folder: Path, k: int, day_i: int) -> None:
    """Write the library's k-th run (its own random stream, so workers agree)."""
    rng = np.random.default_rng([10, k])
    day = LIBRARY_FIRST_DAY + dt.timedelta(days=int(day_i))
    long_run = day.weekday() >= 5 and rng.random() < 0.5
    minutes = rng.uniform(150, 330) if long_run else rng.uniform(35, 95)
    start = dt.datetime.combine(day, dt.time(6, 30), dt.UTC) + dt.timedelta(minutes=int(rng.integers(0, 600)))
    rec = recording(rng, int(start.timestamp()), int(minutes * 60), smart=bool(rng.random() < 0.7))
    path = folder / str(day.year) / f"{start:%Y-%m-%d-%H%M}.fit"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(encode(rec, Device()))


def library(n_activities: int) -> list[Path]:
    """About ``n_activities`` runs over LIBRARY_YEARS years (long runs on some weekend days)."""
    import concurrent.futures as cf
    import multiprocessing

    folder = OUT / f"library_{n_activities}"
    done = folder / "COMPLETE"
    if not done.exists():
        shutil.rmtree(folder, ignore_errors=True)
        days = LIBRARY_YEARS * 365
        chosen = sorted(np.random.default_rng(10).choice(days, size=min(n_activities, days), replace=False))
        t0 = time.perf_counter()
        with cf.ProcessPoolExecutor(os.cpu_count(), mp_context=multiprocessing.get_context("spawn")) as pool:
            futures = [pool.submit(_library_file, folder, k, int(d)) for k, d in enumerate(chosen)]
            for k, future in enumerate(futures):
                future.result()
                if k % 500 == 0:
                    print(f"  generating the library: {k}/{len(chosen)} files, {time.perf_counter() - t0:.0f} s", flush=True)
        done.write_text("ok\n")
    return sorted(folder.rglob("*.fit"))


# ---- measurements -----------------------------------------------------------------------

def fitparse_loop(paths: list[Path]) -> tuple[int, float]:
    """(records, seconds) of the loop most code writes."""
    import fitparse

    t = time.perf_counter()
    n = 0
    for path in paths:
        for message in fitparse.FitFile(str(path)).get_messages("record"):
            message.get_values()
            n += 1
    return n, time.perf_counter() - t


def trainlog_import(paths: list[Path], data_dir: Path, athlete: str = ATHLETES[0]) -> tuple[int, float, dict]:
    """(records imported, seconds, outcome counts) of import_paths into a data directory."""
    t = time.perf_counter()
    report = import_paths(Store(data_dir), paths, athlete)
    seconds = time.perf_counter() - t
    return sum(r.n_records for r in report.results), seconds, report.counts()


def pair(label: str, paths: list[Path], fitparse_paths: list[Path] | None = None) -> dict:
    """The fitparse loop and trainlog's import on the same files, printed side by side."""
    fp_n, fp_s = fitparse_loop(fitparse_paths or paths)
    with tempfile.TemporaryDirectory() as td:
        tl_n, tl_s, counts = trainlog_import(paths, Path(td))
    fp_rate, tl_rate = fp_n / fp_s, tl_n / tl_s
    sample = f" (fitparse on {len(fitparse_paths)} sampled files)" if fitparse_paths else ""
    print(f"{label}: {len(paths)} files, {tl_n:,} records{sample}")
    print(f"  fitparse loop   {fp_rate:>12,.0f} records/s  ({fp_n:,} records in {fp_s:.2f} s)")
    print(f"  trainlog import {tl_rate:>12,.0f} records/s  ({tl_n:,} records in {tl_s:.2f} s; {counts})")
    print(f"  ratio           {tl_rate / fp_rate:>12.1f} x")
    return {"fitparse": fp_rate, "import": tl_rate, "ratio": tl_rate / fp_rate}


def peak_memory_mb(path: Path) -> float:
    """Max RSS (MB) of a fresh process importing ``path``, its workers included."""
    code = (
        "import sys, tempfile, resource\n"
        "from trainlog import Store, import_paths\n"
        "if __name__ == '__main__':\n"
        "    with tempfile.TemporaryDirectory() as td:\n"
        "        import_paths(Store(td), [sys.argv[1]], 'ada')\n"
        "    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
        "    print(own, kids)\n"
    )
    out = subprocess.run([sys.executable, "-c", code, str(path)], cwd=ROOT, capture_output=True, text=True, check=True)
    own_kb, kids_kb = (int(x) for x in out.stdout.split()[-2:])
    # ru_maxrss is per process: the parent's peak plus the largest child's (they may overlap)
    return (own_kb + kids_kb) / 1024


def quantiles(times: list[float]) -> tuple[float, float]:
    times = sorted(times)
    p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
    return statistics.median(times), p95


def dashboard_callbacks(data_dir: Path, repeats: int) -> dict[str, tuple[float, float]]:
    """Median and 95th percentile (ms) of every page's callbacks, called directly."""
    from dashboards.app import create_app

    create_app(data_dir)
    from dashboards import data
    from dashboards.pages import activities, activity, coach, fatigue, goal, settings, today, training, upload

    source = data.get()
    last = {a: source.last_day(a) for a in ATHLETES}
    # as-of days a user visits: the last day, then earlier days (each one computed once, then cached)
    days = {a: [last[a] - dt.timedelta(days=7 * k) for k in range(repeats)] for a in ATHLETES}
    some_activity = {a: source.activities(a)["activity_id"].to_list()[-1] for a in ATHLETES}
    calls = {
        "today.layout": lambda a, d: today.layout(athlete=a, as_of=d.isoformat()),
        "training.layout": lambda a, d: training.layout(athlete=a, as_of=d.isoformat()),
        "fatigue.layout": lambda a, d: fatigue.layout(athlete=a, as_of=d.isoformat()),
        "goal.layout": lambda a, d: goal.layout(athlete=a, as_of=d.isoformat()),
        "activities.layout": lambda a, d: activities.layout(athlete=a, as_of=d.isoformat()),
        "activity.layout": lambda a, d: activity.layout(activity_id=some_activity[a], athlete=a, as_of=d.isoformat()),
        "activity.toggle_map": lambda a, d: activity.toggle_map(1, {"athlete": a, "activity_id": some_activity[a]}),
        "coach.layout": lambda a, d: coach.layout(athlete=a, as_of=d.isoformat()),
        "coach.compare": lambda a, d: coach.compare(list(ATHLETES), "metric"),
        "settings.layout": lambda a, d: settings.layout(athlete=a, as_of=d.isoformat()),
        "upload.layout": lambda a, d: upload.layout(athlete=a, as_of=d.isoformat()),
    }
    out = {}
    print("  first visit of each view (a new athlete or as-of day: caches cold) | the same view again")
    for name, call in calls.items():
        first, again = [], []
        error = None
        for k in range(repeats):
            for a in ATHLETES:
                for times in (first, again):
                    t = time.perf_counter()
                    try:
                        call(a, days[a][k])
                    except Exception as exc:  # report, keep measuring the others
                        error = f"{type(exc).__name__}: {exc}"
                        break
                    times.append((time.perf_counter() - t) * 1000)
                if error:
                    break
            if error:
                break
        if error:
            print(f"  {name:<24} not measured ({error})")
            continue
        out[name] = quantiles(first + again)
        (m1, p1), (m2, p2) = quantiles(first), quantiles(again)
        print(f"  {name:<22} first: median {m1:7.1f} ms, p95 {p1:7.1f} ms | again: median {m2:7.1f} ms, p95 {p2:7.1f} ms")
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def today_first_render(data_dir: Path, visits: int) -> list[float] | None:
    """Seconds from navigation to Today's content in headless Chromium, first visit first."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    try:
        from playwright import sync_api
    except ImportError:
        chromium = None
    if chromium is None:
        print("  not measured: Chromium or Playwright is not installed")
        return None
    port = free_port()
    command = [sys.executable, "-m", "trainlog", "dashboard", "--data-dir", str(data_dir), "--port", str(port)]
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile("w+") as log:
        proc = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    urllib.request.urlopen(base + "/_dash-layout", timeout=2).close()
                    break
                except OSError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        log.seek(0)
                        print(f"  the dashboard server did not start:\n{log.read()}")
                        return None
                    time.sleep(0.2)
            times = []
            with sync_api.sync_playwright() as p:
                browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
                for k in range(visits):
                    page = browser.new_page()  # a new page: nothing cached in the browser tab
                    athlete = ATHLETES[k % len(ATHLETES)]
                    t = time.perf_counter()
                    page.goto(f"{base}/?athlete={athlete}")
                    page.wait_for_selector("#today-week-distance", timeout=60_000)
                    times.append(time.perf_counter() - t)
                    page.close()
                browser.close()
            return times
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def coverage() -> None:
    """Corpus files decoded by fitfast, and why the others fall back to fitparse."""
    from collections import Counter

    from trainlog.errors import InvalidFitFile
    from trainlog.ingest.fit import fast as fastdecode

    files = sorted(p for p in CORPUS.iterdir() if p.is_file() and p.name != "MANIFEST.tsv")
    reasons: Counter[str] = Counter()
    for p in files:
        try:
            fastdecode.decode_fast(p.read_bytes(), p.name)
            reasons["fast path"] += 1
        except fastdecode.Unsupported as exc:
            reasons[str(exc).split(" at byte")[0].split(" (")[0][:60]] += 1
        except InvalidFitFile:
            reasons["unreadable"] += 1
    print(f"  {len(files)} files:")
    for reason, n in reasons.most_common():
        print(f"  {n:5d}  {reason}")


# ---- the run ---------------------------------------------------------------------------

def dashboard_sections(data_dir: Path, repeats: int, no_browser: bool) -> None:
    """Sections 4 and 5: callbacks called directly, then Today in the browser."""
    print(f"\n== 4. dashboard callbacks, {len(ATHLETES)} athletes on the library")
    dashboard_callbacks(data_dir, repeats)
    print("\n== 5. time to first render of Today in headless Chromium")
    if no_browser:
        print("  skipped (--no-browser)")
        return
    times = today_first_render(data_dir, visits=2 * len(ATHLETES))
    if times:
        print(f"  visits: {', '.join(f'{t:.2f}' for t in times)} s (first visit: server cold; "
              f"athletes in turn: {', '.join(ATHLETES)}, twice)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="300 activities, fewer repeats (a few minutes)")
    parser.add_argument("--no-browser", action="store_true", help="skip the browser measurement")
    parser.add_argument("--dashboard-only", action="store_true",
                        help="only sections 4-5, on the library a previous run imported for the three athletes")
    args = parser.parse_args(argv)
    n_library = 300 if args.quick else LIBRARY_ACTIVITIES
    repeats = 3  # as-of days per athlete: each first visit recomputes the analysis
    print(f"trainlog import benchmark: {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
          f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC")

    if args.dashboard_only:
        data_dir = OUT / f"data_{n_library}"
        dashboard_sections(data_dir, repeats, args.no_browser)
        return 0

    print("\n== 0. which corpus files the fast path takes (the others are decoded by fitparse)")
    if (CORPUS / "MANIFEST.tsv").is_file():
        coverage()

    print("\n== 1a. the four largest corpus files")
    if (CORPUS / "MANIFEST.tsv").is_file():
        largest = sorted((p for p in CORPUS.iterdir() if p.suffix.lower() == ".fit"), key=lambda p: -p.stat().st_size)[:4]
        from trainlog.ingest.fit import fast as fastdecode

        for p in largest:
            try:
                fastdecode.decode_fast(p.read_bytes(), p.name)
                path = "fitfast"
            except fastdecode.Unsupported as exc:
                path = f"fitparse fallback ({exc})"
            print(f"  {p.name} ({p.stat().st_size / 1e6:.1f} MB): {path}")
        pair("corpus, 4 largest", largest)
    else:
        print(f"  skipped: no corpus at {CORPUS}")

    print(f"\n== 1b. a generated {LONG_FILE_H} h file, 1 record per second")
    t = time.perf_counter()
    long_path = long_file()
    print(f"  {long_path.relative_to(ROOT)} ({long_path.stat().st_size / 1e6:.1f} MB, ready in {time.perf_counter() - t:.1f} s)")
    pair(f"{LONG_FILE_H} h file", [long_path])

    print(f"\n== 1c. a generated {LIBRARY_YEARS}-year library")
    t = time.perf_counter()
    lib = library(n_library)
    size = sum(p.stat().st_size for p in lib)
    print(f"  {len(lib)} files, {size / 1e6:.0f} MB (ready in {time.perf_counter() - t:.1f} s)")
    sample = sorted(random.Random(6).sample(lib, min(FITPARSE_SAMPLE if not args.quick else 30, len(lib))))
    fp_n, fp_s = fitparse_loop(sample)
    fp_rate = fp_n / fp_s
    data_dir = OUT / f"data_{n_library}"
    shutil.rmtree(data_dir, ignore_errors=True)
    tl_n, tl_s, counts = trainlog_import(lib, data_dir, ATHLETES[0])
    tl_rate = tl_n / tl_s
    print(f"library: {len(lib)} files, {tl_n:,} records (fitparse loop on {len(sample)} sampled files)")
    mins = tl_n / fp_rate / 60
    print(f"  fitparse loop   {fp_rate:>12,.0f} records/s  ({fp_n:,} records in {fp_s:.2f} s; whole library ~{mins:.0f} min)")
    print(f"  trainlog import {tl_rate:>12,.0f} records/s  ({tl_n:,} records in {tl_s:.2f} s; {counts})")
    print(f"  ratio           {tl_rate / fp_rate:>12.1f} x")

    print(f"\n== 2. peak memory importing the {LONG_FILE_H} h file (fresh process, workers included)")
    print(f"  {peak_memory_mb(long_path):.0f} MB max RSS")

    print(f"\n== 3. re-import of the unchanged {LIBRARY_YEARS}-year library")
    _, again_s, again = trainlog_import(lib, data_dir, ATHLETES[0])
    print(f"  {again_s:.2f} s for {len(lib)} files ({again})")

    for athlete in ATHLETES[1:]:
        trainlog_import(lib, data_dir, athlete)

    print("\n== 3b. the analysis `trainlog import` keeps on disk after importing (all metrics, every sample)")
    from trainlog.analysis.stored import stored_analysis

    for athlete in ATHLETES:
        t = time.perf_counter()
        stored_analysis(Store(data_dir), athlete)
        print(f"  {athlete}: {time.perf_counter() - t:.1f} s for {tl_n:,} records")
    dashboard_sections(data_dir, repeats, args.no_browser)
    print(f"\nReproduce: .venv/bin/python benchmarks/bench_import.py{' --quick' if args.quick else ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

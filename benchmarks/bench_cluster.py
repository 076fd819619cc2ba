"""Many athletes on a Dask cluster (issue 18): import and analysis rates, and the roster at 10,000 rows.

    .venv/bin/python benchmarks/bench_cluster.py                 # 200 athletes (the first run generates them)
    .venv/bin/python benchmarks/bench_cluster.py --quick         # 12 athletes, 3 repeats (a few minutes)
    .venv/bin/python benchmarks/bench_cluster.py --athletes 50

Inputs: N athletes' short histories (4-8 weeks of 2-4 runs a week, some long weekend runs, 85% smart
recording, some without heart rate, some with a heavy last week; ``bench_import.recording`` and the FIT
encoder ``trainlog_dev.fitwrite``, seeded per athlete) in benchmarks/out/cluster/inbox_N/<athlete>/*.fit
(git-ignored, reused by later runs). Each import goes into a fresh data directory (benchmarks/out/cluster/runs/,
removed at the end):

1. serial: one process importing the athletes one after another (the cluster's task, ``import_athlete``, in a
   loop; roster written at the end), the speed-up's baseline; then ``trainlog import INBOX/<a> -a <a>
   --workers 1``, one process an athlete (the first 20 athletes);
2. a LocalCluster of 1, then 2 worker processes, driven from a Python process through
   ``trainlog.cluster.batch.connect``/``run`` (what ``trainlog batch import`` runs, without its printing): start-up,
   run, shut-down, each worker's max RSS (``client.run``); then ``trainlog batch import --scheduler local:2`` itself;
3. ``trainlog batch analyse --scheduler local:2`` on that data: nothing to do, then after every athlete's
   hr_max changed (saved through the library: ``settings_of``/``edited``/``save_settings_of``);
4. a roster of 10,000 rows (the real rows and synthetic ones with flags and errors, ``detail`` copied from real
   rows): ``trainlog roster --where "acwr > 1.5" --sort -acwr`` (whole process), ``roster.read``/``query``/one
   row's ``update`` in-process, and the Coach page's layout called as Dash's router calls it;
5. an extrapolation to 10,000 athletes of 10 years (~3,000 activities) each on K workers.

Whole processes: ``time.perf_counter`` around ``subprocess.run``. A benchmark, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import datetime as dt
import json
import multiprocessing
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_daily  # noqa: E402
import bench_import  # noqa: E402

from trainlog_dev.fitwrite import Device, encode  # noqa: E402

WORK = bench_import.OUT / "cluster"
RUNS = WORK / "runs"
ROSTER_ROWS = 10_000
TARGET_MS = 150.0
LAST_DAY = dt.date(2026, 11, 20)  # histories end on one of the 10 days from here
BIG_ATHLETES, BIG_ACTIVITIES, WORKERS_K = 10_000, 3_000, (8, 64, 512)  # the extrapolation: 10 years each
cli, describe_machine = bench_daily.cli, bench_daily.describe_machine


# ---- inputs ----------------------------------------------------------------------------

def athlete_name(k: int) -> str:
    return f"a{k + 1:05d}"


def _athlete_history(inbox: str, k: int) -> tuple[str, int, int]:
    """Write athlete k's history (its own random stream): (name, files, records)."""
    rng = np.random.default_rng([18, k])
    name, folder = athlete_name(k), Path(inbox) / athlete_name(k)
    folder.mkdir(parents=True, exist_ok=True)
    weeks, per_week = int(rng.integers(4, 9)), int(rng.integers(2, 5))
    last = LAST_DAY + dt.timedelta(days=int(rng.integers(0, 10)))
    first = last - dt.timedelta(weeks=weeks)
    level, hr_shift, no_hr = rng.uniform(0.8, 1.3), rng.normal(0, 8), rng.random() < 0.1
    heavy_end = rng.random() < 0.15  # a load spike in the last week
    files = records = 0
    for w in range(weeks):
        runs = per_week + (3 if heavy_end and w == weeks - 1 else 0)
        for d in sorted(rng.choice(7, size=min(runs, 7), replace=False)):
            day = first + dt.timedelta(weeks=w, days=int(d) + 1)  # up to ``last``
            long_run = day.weekday() >= 5 and rng.random() < 0.3
            minutes = rng.uniform(75, 130) if long_run else rng.uniform(25, 60) * level
            start = dt.datetime.combine(day, dt.time(6, 0), dt.UTC) + dt.timedelta(minutes=int(rng.integers(0, 720)))
            rec = bench_import.recording(rng, int(start.timestamp()), int(minutes * 60), smart=bool(rng.random() < 0.85))
            rec.hr_bpm = None if no_hr else np.clip(rec.hr_bpm + round(hr_shift), 70, 200)
            (folder / f"{start:%Y-%m-%d-%H%M}.fit").write_bytes(encode(rec, Device()))
            files, records = files + 1, records + len(rec.time_unix_s)
    return name, files, records


def histories(n: int) -> tuple[Path, dict]:
    """The inbox of n athletes (generated when missing) and what it holds: {athlete: [files, records]}."""
    inbox, done = WORK / f"inbox_{n}", WORK / f"inbox_{n}" / ".complete"  # the inbox skips dot files
    if not done.is_file():
        shutil.rmtree(inbox, ignore_errors=True)
        inbox.mkdir(parents=True)
        t0 = time.perf_counter()
        print(f"  generating {n} athletes' histories into {inbox.relative_to(ROOT)}...", flush=True)
        with cf.ProcessPoolExecutor(os.cpu_count(), mp_context=multiprocessing.get_context("spawn")) as pool:
            out = list(pool.map(_athlete_history, [str(inbox)] * n, range(n), chunksize=4))
        done.write_text(json.dumps({name: [f, r] for name, f, r in out}))
        print(f"  generated in {time.perf_counter() - t0:.0f} s", flush=True)
    return inbox, json.loads(done.read_text())


# ---- 1-3. imports and analyses, whole processes ----------------------------------------

def run_process(command: list, label: str) -> tuple[float, float, subprocess.CompletedProcess]:
    """(wall s, CPU s of the process and its children, what it printed); a failure is printed, not raised."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall, done = bench_daily.timed([str(c) for c in command])
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    problem = bench_daily.check(done)
    if problem:
        print(f"  PROBLEM {label}: {problem}", flush=True)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), done


def fresh(name: str) -> Path:
    shutil.rmtree(RUNS / name, ignore_errors=True)
    (RUNS / name).mkdir(parents=True)
    return RUNS / name


def files_held(athletes_dir: Path) -> list[int]:
    """How many files each athlete's folder of a data directory holds."""
    return [sum(len(f) for _, _, f in os.walk(p)) for p in athletes_dir.iterdir()] if athletes_dir.is_dir() else []


DRIVER_CODE = """
import json, resource, sys, time
from pathlib import Path

def peak_kb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

if __name__ == '__main__':
    t0 = time.perf_counter()
    from trainlog.cluster import batch
    from trainlog.store import Store, roster
    scheduler, data_dir, box = sys.argv[1:4]
    store, (folders, refused) = Store(data_dir), batch.inbox(Path(box))
    t = [time.perf_counter()]
    if scheduler == 'serial':  # one athlete after another in this process, the roster written at the end
        results = [batch.import_athlete(data_dir, a, str(f.absolute())) for a, f in folders]
        roster.update(Path(data_dir), [r.row for r in results if r.row is not None])
        t += [t[0], time.perf_counter()]
        rss = [peak_kb()]
    else:
        with batch.connect(scheduler) as client:
            t.append(time.perf_counter())
            results = batch.run(client, batch.import_tasks(store, folders), store.data_dir, refused=refused).results
            t.append(time.perf_counter())
            rss = sorted(client.run(peak_kb).values())
    t.append(time.perf_counter())
    print(json.dumps({'ready': t[0] - t0, 'start': t[1] - t[0], 'run': t[2] - t[1], 'close': t[3] - t[2],
                      'rss_kb': rss, 'results': [{'athlete': r.athlete, 'seconds': r.seconds, 'counts': r.counts,
                                                  'error': r.error} for r in results]}))
"""


def problems_of(results: list[dict]) -> str:
    bad = [r for r in results if r["error"] or r["counts"].get("failed")]
    imported = sum(r["counts"].get("imported", 0) for r in results)
    return f"{imported} files imported" + (f"; {len(bad)} athletes with errors, e.g. {bad[0]}" if bad else "")


def show_rate(label: str, wall: float, n: int, files: int, base: float | None, extra: str = "") -> None:
    speed = f", speed-up {base / wall:4.2f} x" if base else ""
    print(f"  {label:<44} {wall:6.1f} s  {n / wall * 60:6.1f} athletes/min  {files / wall:5.1f} files/s{speed}{extra}",
          flush=True)


def imports(inbox: Path, facts: dict, loop_n: int, cli_batch: bool) -> dict:
    n, files = len(facts), sum(f for f, _ in facts.values())
    out: dict = {}
    for mode in ("serial", "local:1", "local:2"):
        data_dir = fresh(mode.replace(":", ""))
        wall, cpu, done = run_process([sys.executable, "-c", DRIVER_CODE, mode, data_dir, inbox], mode)
        r = out[mode] = {"wall": wall, **json.loads(done.stdout.splitlines()[-1])}
        k, busy = (1 if mode == "serial" else int(mode[-1])), sum(x["seconds"] for x in r["results"])
        show_rate("serial: one process, a loop" if mode == "serial" else f"LocalCluster, {k} worker{'s' * (k > 1)}",
                  wall, n, files, out["serial"]["wall"] if mode != "serial" else None,
                  f"  (CPU {cpu:.0f} s = {cpu / wall:.2f} cores)")
        if mode != "serial":
            print(f"    cluster start-up {r['start']:.1f} s, run {r['run']:.1f} s ({n / r['run'] * 60:.1f} athletes/min "
                  f"in the run alone), shut-down {r['close']:.1f} s")
        print(f"    Python + trainlog imports {r['ready']:.1f} s; tasks busy {busy:.0f} worker-s ({busy / n:.2f} s an "
              f"athlete, {busy / r['run'] / k:.0%} of the run's {k} worker{'s' * (k > 1)}); peak memory per "
              f"{'process' if mode == 'serial' else 'worker'} (max RSS): "
              f"{', '.join(f'{kb / 1024:.0f} MB' for kb in r['rss_kb'])}; {problems_of(r['results'])}", flush=True)
        if mode == "local:2":
            out["data_dir"] = data_dir
        else:
            shutil.rmtree(data_dir, ignore_errors=True)
    if loop_n:
        data_dir, names = fresh("loop"), sorted(facts)[:loop_n]
        t0 = time.perf_counter()
        for name in names:
            run_process(cli("import", inbox / name, "-a", name, "--workers", 1, "--data-dir", data_dir, "--json"),
                        f"trainlog import {name}")
        wall = time.perf_counter() - t0
        in_loop = sum(r["seconds"] for r in out["serial"]["results"] if r["athlete"] in names)
        show_rate(f"`trainlog import -a A`, {loop_n} processes", wall, loop_n, sum(facts[a][0] for a in names), None,
                  f"  ({wall / loop_n:.2f} s an athlete; {in_loop / loop_n:.2f} s in the serial loop)")
        shutil.rmtree(data_dir, ignore_errors=True)
    if cli_batch:
        data_dir = fresh("cli")
        wall, cpu, done = run_process(cli("batch", "import", inbox, "--scheduler", "local:2", "--data-dir", data_dir,
                                          "--json"), "trainlog batch import")
        show_rate("`trainlog batch import --scheduler local:2`", wall, n, files, out["serial"]["wall"],
                  f"  (CPU {cpu:.0f} s = {cpu / wall:.2f} cores)")
        print(f"    {problems_of(json.loads(done.stdout)['athletes']) if done.returncode == 0 else 'failed'}")
        shutil.rmtree(data_dir, ignore_errors=True)
    return out


def analyse(data_dir: Path) -> None:
    from trainlog.analysis.stored import save_settings_of, settings_of
    from trainlog.settings.edit import edited
    from trainlog.store import Store

    for label in ("nothing to do (everything analysed)", "after every athlete's hr_max changed (185 bpm)"):
        if label.startswith("after"):
            store, t0 = Store(data_dir), time.perf_counter()
            for athlete in store.athletes():
                save_settings_of(store, athlete, edited(settings_of(store, athlete), {"hr_max_bpm": 185.0}))
            print(f"  (settings of {len(store.athletes())} athletes saved in {time.perf_counter() - t0:.1f} s)")
        wall, cpu, done = run_process(cli("batch", "analyse", "--scheduler", "local:2", "--data-dir", data_dir, "--json"),
                                      "batch analyse")
        results = json.loads(done.stdout)["athletes"] if done.returncode == 0 else []
        busy, errors = sum(r["seconds"] for r in results), sum(1 for r in results if r["error"])
        print(f"  {label:<48} {wall:6.1f} s whole process ({len(results)} athletes, {errors} errors; tasks busy "
              f"{busy:.1f} worker-s, {busy / max(len(results), 1):.2f} s an athlete; CPU {cpu:.0f} s)", flush=True)


# ---- 4. the roster at 10,000 rows ------------------------------------------------------

def synthetic_rows(real: list[dict], n: int, first: int) -> list[dict]:
    """n rows named in the real athletes' numbering, figures drawn plausibly, ``detail`` copied from a real row."""
    from trainlog.analysis import coach
    from trainlog.settings import ModelSettings

    m, rng, now, rows = ModelSettings(), np.random.default_rng(1018), dt.datetime.now(dt.UTC), []
    for k in range(first, first + n):
        base, name = real[int(rng.integers(len(real)))], athlete_name(k)
        row = {**base, "athlete": name, "updated_utc": now,
               "detail": (base["detail"] or "").replace(json.dumps(base["athlete"]), json.dumps(name))}
        if rng.random() < 0.01:
            rows.append({**dict.fromkeys(row), "athlete": name, "updated_utc": now, "flags": [coach.ERROR],
                         "n_flags": 1, "error": f"{name}: the dataset's manifest cannot be read (synthetic)"})
            continue
        ctl, atl_ratio, acwr = float(rng.uniform(10, 90)), float(rng.lognormal(0, 0.25)), float(rng.lognormal(0, 0.2))
        monotony, ramp, cold = float(rng.uniform(0.8, 2.6)), float(rng.normal(2, 3)), bool(rng.random() < 0.05)
        readiness = rng.choice(np.array([None, "ok", "warn", "flag"], dtype=object), p=[0.6, 0.28, 0.08, 0.04])
        mono_band = "flag" if monotony > m.monotony_flag else "warn" if monotony > m.monotony_warn else "ok"
        flags = [] if cold else [f for f, on in ((coach.ACWR_SPIKE, acwr > m.acwr_band_edges[-1]),
                                                 (coach.MONOTONY_FLAG, mono_band == "flag"),
                                                 (coach.MONOTONY_WARN, mono_band == "warn"),
                                                 (coach.RAMP, ramp > m.ramp_warn_per_week)) if on]
        flags += {"flag": [coach.READINESS_FLAG], "warn": [coach.READINESS_WARN]}.get(readiness, [])
        flags = sorted(flags + ([coach.ESTIMATED] if rng.random() < 0.05 else []), key=coach.FLAGS.index)
        tsb = ctl - ctl * atl_ratio
        row.update(ctl=ctl, atl=ctl * atl_ratio, tsb=tsb, ramp=ramp, acwr=acwr, monotony=monotony, building_history=cold,
                   form_band=None if cold else m.form_band_labels[int(np.searchsorted(m.form_band_edges, tsb, "right"))],
                   acwr_band=None if cold else m.acwr_band_labels[int(np.searchsorted(m.acwr_band_edges, acwr, "right"))],
                   monotony_band=mono_band, week_distance_m=float(rng.uniform(0, 120_000)),
                   week_ascent_m=float(rng.uniform(0, 6000)), best_7day_ascent_m=float(rng.uniform(500, 12_000)),
                   activities=int(rng.integers(5, 3000)), readiness=readiness, flags=flags, n_flags=len(flags),
                   error=None)
        rows.append(row)
    return rows


def median_ms(call, repeats: int) -> tuple[float, float, object]:
    """(first call ms, median ms of the repeats after it, the last result)."""
    times = []
    for _ in range(repeats + 1):
        t = time.perf_counter()
        result = call()
        times.append((time.perf_counter() - t) * 1000)
    return times[0], statistics.median(times[1:] or times), result


def roster_section(data_dir: Path, repeats: int) -> None:
    from trainlog.store import roster

    real = roster.read(data_dir).to_dicts()
    n_syn, t0 = max(0, ROSTER_ROWS - len(real)), time.perf_counter()
    frame = roster.update(data_dir, synthetic_rows([r for r in real if not r["error"]] or real, n_syn, len(real)))
    print(f"  {frame.height:,} rows ({len(real)} real, {n_syn:,} synthetic) written in {time.perf_counter() - t0:.1f} s, "
          f"{roster.path_of(data_dir).stat().st_size / 1e6:.1f} MB; {frame.filter(frame['n_flags'] > 0).height:,} with "
          f"flags, {frame.filter(frame['error'].is_not_null()).height} with errors, "
          f"{frame.filter(frame['acwr'] > 1.5).height} with acwr > 1.5", flush=True)
    where, sort, cli_ms, query_ms = "acwr > 1.5", "-acwr", {}, float("nan")
    for extra in ("", " --json"):
        runs = [run_process(cli("roster", "--data-dir", data_dir, "--where", where, "--sort", sort, *extra.split()),
                            "trainlog roster") for _ in range(repeats)]
        cli_ms[extra] = statistics.median(wall * 1000 for wall, _, _ in runs)
        print(f"  median {cli_ms[extra]:6.0f} ms (min {min(w for w, _, _ in runs) * 1000:4.0f})  `trainlog roster --where "
              f"{where!r} --sort {sort}{extra}` ({repeats} runs; {len(runs[-1][2].stdout.splitlines())} lines)")
    for code in ("pass", "import polars", "import trainlog.cli.batch, trainlog.analysis.listing"):
        ms = statistics.median(run_process([sys.executable, "-c", code], code)[0] * 1000 for _ in range(repeats))
        print(f"  median {ms:6.0f} ms              `python -c {code!r}` (what a process costs before its work)")
    first, med, _ = median_ms(lambda: roster.read(data_dir), 10)
    print(f"  median {med:6.1f} ms (first {first:5.1f})  roster.read, in-process")
    for w, s in ((where, sort), ("readiness = 'flag' or n_flags > 1", "-n_flags,athlete"), ("athlete like 'a01%'", None)):
        first, med, rows = median_ms(lambda w=w, s=s: roster.query(frame, w, s), 10)
        query_ms = med if (w, s) == (where, sort) else query_ms
        print(f"  median {med:6.1f} ms (first {first:5.1f})  roster.query({w!r}, {s!r}): {rows.height} rows")
    one = frame.filter(frame["athlete"] == real[0]["athlete"]).to_dicts()
    first, med, _ = median_ms(lambda: roster.update(data_dir, one), 3)
    print(f"  median {med:6.1f} ms (first {first:5.1f})  roster.update of one row (`batch.run` writes the roster at most "
          "once a second)", flush=True)
    print(f"\n  `trainlog roster --where {where!r} --sort {sort}` on {ROSTER_ROWS:,} rows: median {cli_ms['']:.0f} ms as a "
          f"whole process, its query {query_ms:.1f} ms in-process (target < {TARGET_MS:.0f} ms)")
    coach_page(data_dir, repeats)


COACH_VIEWS = ({"page": "1"}, {"page": "2", "show": "flagged"}, {"q": "a1", "sort": "-acwr"}, {"show": "spike"},
               {"show": "readiness", "sort": "athlete"}, {"show": "errors"}, {"page": "40", "sort": "-ctl"},
               {"q": "a001"}, {"show": "all", "sort": "-n_flags", "page": "3"})


def coach_page(data_dir: Path, repeats: int, budget_s: float = 10.0) -> None:
    """Coach's layout called as Dash's router calls it: each view's first call, renders with the page cache
    emptied before each (the figure compared with the target), and once more as it is (page cache kept)."""
    import plotly.io.json

    from dashboards.app import create_app

    create_app(data_dir)  # dashboards.data.use(data_dir), as the dashboard does
    from dashboards import data
    from dashboards.pages import coach

    source = data.get()
    print(f"\n  Coach page ({len(source.athletes())} athletes with a dataset, {ROSTER_ROWS:,} roster rows):")
    renders, firsts, seen = [], [], {}
    for k, view in enumerate(COACH_VIEWS):
        label = "layout(" + ", ".join(f"{a}={b!r}" for a, b in view.items()) + ")"
        try:
            first, _, result = median_ms(lambda view=view: coach.layout(**view), 0)
            times = []
            while len(times) < repeats and (first + sum(times)) / 1000 < budget_s:
                source.cache.discard(lambda key: isinstance(key, tuple) and bool(key) and key[0] == "page")
                times.append(median_ms(lambda view=view: coach.layout(**view), 0)[0])
            again = median_ms(lambda view=view: coach.layout(**view), 0)[0]
        except Exception as exc:  # noqa: BLE001 (the page is being changed: report and go on)
            print(f"  {label:<48} NOT MEASURED: {type(exc).__name__}: {exc}")
            continue
        text = plotly.io.json.to_json_plotly(result)
        same = next((v for v, t in seen.items() if t == text), None)
        seen[label], renders, firsts = text, renders + times, [*firsts, first]
        print(f"  {label:<48} first {first:7.1f} ms{' (process cold)' if k == 0 else '':<15} renders: median "
              f"{statistics.median(times):7.1f} ms ({len(times)}) | again {again:6.1f} ms"
              f"{f'  NOTE: the same page as {same} (a cache key missing a query key?)' if same else ''}", flush=True)
    if renders:
        print(f"\n  Coach page on {ROSTER_ROWS:,} rows: median {statistics.median(renders):.0f} ms (target < "
              f"{TARGET_MS:.0f} ms)  [{len(renders)} renders over {len(firsts)} views, the page cache emptied before "
              f"each; first calls: median {statistics.median(firsts):.0f} ms, the process's first {firsts[0]:.0f} ms]")


# ---- 5. extrapolation ------------------------------------------------------------------

def extrapolate(facts: dict, runs: dict, files_short: float | None) -> None:
    serial = {r["athlete"]: r["seconds"] for r in runs["serial"]["results"]}
    names = sorted(serial)
    x, y = np.array([facts[a][0] for a in names], float), np.array([serial[a] for a in names])
    b, a = np.polyfit(x, y, 1) if len(set(x)) > 1 else (y.sum() / x.sum(), 0.0)
    print(f"  one worker, one athlete (the serial loop's {len(names)} athletes of {x.min():.0f}-{x.max():.0f} files, "
          f"least squares): {a:.2f} s + {b * 1000:.1f} ms a file (mean {y.mean():.2f} s an athlete; "
          f"{sum(facts[n][1] for n in names) / y.sum():,.0f} records/s)")
    per = a + b * BIG_ACTIVITIES
    print(f"  {BIG_ATHLETES:,} athletes x {BIG_ACTIVITIES:,} activities: {per:.0f} worker-s an athlete, "
          f"{BIG_ATHLETES * per / 3600:,.0f} worker-hours (each file costing what a short history's file costs here)")
    lib = bench_import.OUT / "data_3000" / "athletes"  # bench_import's 10-year library, imported and analysed
    held = files_held(lib)
    created = statistics.median(held) if held else files_short
    print(f"  files a data directory holds per athlete: {files_short or float('nan'):.0f} after a short history here"
          + (f", {created:.0f} for a 10-year library ({lib.relative_to(ROOT)})" if held else "")
          + " (a lower bound on creates: temporaries and superseded parts come and go too)")
    print("  ideal walls (every worker its own core, nothing shared limiting):")
    for k in WORKERS_K:
        print(f"    K = {k:>3} workers: {BIG_ATHLETES * per / k / 3600:6.1f} h; the shared filesystem sees "
              f"{k * BIG_ACTIVITIES / per:7,.0f} input files opened/s, {k * (created or 0) / per:5,.0f} files "
              f"created/s; the scheduler {k / per:5.1f} tasks/s")
    print("  what limits first: the shared filesystem's metadata rate (opens, stats, creates, renames: a few thousand\n"
          "  to tens of thousands a second on NFS or one Lustre MDS), which the input files reach first (the imports\n"
          "  read every file and stat the inbox). The Dask scheduler (a few thousand tasks a second; one task an\n"
          "  athlete) is not a limit; nor is the roster (one row an athlete, rewritten by the driver every second).")


# ---- the run ---------------------------------------------------------------------------

section = bench_daily.section  # one section: on an error it is printed and the others go on


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="12 athletes, 3 repeats")
    parser.add_argument("--athletes", type=int, default=None, help="how many athletes [default 200; 12 with --quick]")
    parser.add_argument("--loop-athletes", type=int, default=None,
                        help="athletes imported by one `trainlog import` process each [default 20; all with --quick]")
    parser.add_argument("--no-cli-batch", action="store_true", help="skip `trainlog batch import` as a whole process")
    parser.add_argument("--keep", action="store_true", help="keep the data directories (benchmarks/out/cluster/runs)")
    args = parser.parse_args(argv)
    n = args.athletes or (12 if args.quick else 200)
    repeats = 3 if args.quick else 7
    loop_n = min(n, args.loop_athletes if args.loop_athletes is not None else (n if args.quick else 20))
    started, load_at_start = time.perf_counter(), os.getloadavg()[0]
    print(f"trainlog cluster benchmark (issue 18): Python {sys.version.split()[0]}, "
          f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC")
    print(f"  {describe_machine()}")
    inbox, facts = histories(n)
    files, records = sum(f for f, _ in facts.values()), sum(r for _, r in facts.values())
    print(f"  {n} athletes, {files:,} files ({files / n:.1f} an athlete, {min(f for f, _ in facts.values())}-"
          f"{max(f for f, _ in facts.values())}), {records:,} records, "
          f"{sum(p.stat().st_size for p in inbox.rglob('*.fit')) / 1e6:.0f} MB in {inbox.relative_to(ROOT)}")
    shutil.rmtree(RUNS, ignore_errors=True)
    try:
        runs = section("1-2. import and analysis of every athlete (each run into a fresh data directory)",
                       imports, inbox, facts, loop_n, not args.no_cli_batch)
        files_per_athlete = None
        if runs and runs.get("data_dir"):
            data_dir = runs["data_dir"]
            print(f"  the LocalCluster's data directory holds {statistics.mean(files_held(data_dir / 'athletes')):.0f} "
                  "files an athlete")
            section("3. `trainlog batch analyse --scheduler local:2` on the LocalCluster's data", analyse, data_dir)
            files_per_athlete = statistics.mean(files_held(data_dir / "athletes"))
            section(f"4. the roster at {ROSTER_ROWS:,} rows", roster_section, data_dir, repeats)
        if runs and runs.get("serial"):
            section(f"5. extrapolation: {BIG_ATHLETES:,} athletes with 10 years each", extrapolate, facts, runs,
                    files_per_athlete)
        print(f"\nAt the end: {describe_machine()}")
        if max(load_at_start, os.getloadavg()[0]) >= 1.0:
            print("NOTE: measured while the machine was busy (other work shared the cores): "
                  "compare figures only within one run, or rerun on an idle machine")
    finally:
        if not args.keep:
            shutil.rmtree(RUNS, ignore_errors=True)
    print(f"\n(the whole benchmark took {time.perf_counter() - started:.0f} s)")
    print(f"\nReproduce: .venv/bin/python benchmarks/bench_cluster.py{' --quick' if args.quick else ''}"
          f"{f' --athletes {n}' if args.athletes else ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

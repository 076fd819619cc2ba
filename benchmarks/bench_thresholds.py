"""A dated threshold change recomputes only the runs it affects (issue 16): its cost against a whole analysis.

    .venv/bin/python benchmarks/bench_thresholds.py            # mara's sample history (125 files), 3 repeats
    .venv/bin/python benchmarks/bench_thresholds.py --repeats 5

What it measures, on this machine, in this run (the median of the repeats, each on a fresh copy of the data):

1. ``whole``: the stored analysis computed from nothing (``stored_analysis`` with no analysis kept), the
   baseline: what any change of settings cost before issue 16;
2. ``change from DAY``: after the whole analysis is kept, an LTHR change from DAY is saved and the stored
   analysis asked for again: only the runs from DAY on are walked again (``incremental.update``), for a change a week,
   a month and three months before the last run;
3. the runs walked each time, and that the figures equal a whole analysis under the new settings (the largest
   relative difference of the daily load; "MISMATCH" when above 1e-9).

A benchmark, not a test: it asserts nothing and prints its figures and the ratio to the baseline.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from trainlog import Store, import_paths  # noqa: E402
from trainlog.analysis import activity, pipeline, stored  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="bench-thresholds-"))
    try:
        base = Store(work / "base")
        report = import_paths(base, [ROOT / "sample_fit" / "mara"], "mara", workers=1)
        print(f"mara: {report.counts()['imported']} files imported")
        last = stored.activity_table(base, "mara")["start_local"].max().date()
        walked: list[int] = []
        walk = activity.sample_metrics

        def spied(samples, *a, **k):
            walked.append(samples["activity_id"].n_unique())
            return walk(samples, *a, **k)

        activity.sample_metrics = spied

        def fresh(i: int) -> Store:
            for old in (base.athlete_dir("mara") / "derived").glob("*.parquet"):
                old.unlink()
            return Store(shutil.copytree(base.data_dir, work / f"run{i}-{time.monotonic_ns()}"))

        whole = []
        for i in range(args.repeats):
            store = fresh(i)
            t = time.perf_counter()
            stored.stored_analysis(store, "mara")
            whole.append(time.perf_counter() - t)
        baseline = statistics.median(whole)
        print(f"{'whole analysis':<28} {baseline:7.3f} s   1.00 x   (walks {walked[-1]} runs)")
        for days in (7, 30, 90):
            day = last - dt.timedelta(days=days)
            times, worst = [], 0.0
            for i in range(args.repeats):
                store = fresh(i)
                stored.stored_analysis(store, "mara")  # kept on disk
                settings = stored.settings_of(store, "mara").with_change(day, {"lthr_bpm": 150.0})
                stored.save_settings_of(store, "mara", settings)
                walked.clear()
                t = time.perf_counter()
                kept = stored.stored_analysis(store, "mara")
                times.append(time.perf_counter() - t)
                runs = walked[-1] if walked else 0
                tables = store.read_all("mara", stored.ANALYSED_TABLES)
                full = pipeline.analyse(tables["activities"], tables["samples"], settings, choices=tables["choices"],
                                        ratings=tables["ratings"]).daily
                diff = kept.daily.join(full, on="date", suffix="_full").select(
                    ((pl.col("load") - pl.col("load_full")).abs() / pl.col("load_full").abs().clip(1e-9)).max())
                worst = max(worst, diff.item() or 0.0)
            took = statistics.median(times)
            said = "MISMATCH " if worst > 1e-9 else ""
            print(f"{'change from ' + day.isoformat():<28} {took:7.3f} s   {took / baseline:4.2f} x   "
                  f"(walks {runs} runs; {said}largest daily-load difference {worst:.1e})")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

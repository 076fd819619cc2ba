"""The elevation loops, compiled or vectorised (issue 17), against the pure-Python ones they replace.

    .venv/bin/python benchmarks/bench_elevation.py             # 3,000 activities, 8.6 M samples, 3 repeats
    .venv/bin/python benchmarks/bench_elevation.py --quick     # 600 activities, 1.7 M samples, 2 repeats

What it measures, on this machine, in this run (the minimum of the repeats: the machine is shared):

1. a synthetic history as the first analysis of a long one sees it: runs of 35-330 min, 60 % recorded every
   second and 40 % by smart recording (1-7 s), a random walk of climbs and descents with 0.3 m of barometer
   noise, nulls (0.2 %), and in half of the runs 1-3 spikes or false plateaus of 50-800 m; the cleaned stream
   (``clean_altitude``) goes to ``spikes`` and the smoothed clean one to ``hysteresis_steps``, as
   ``trainlog.analysis.activity.sample_metrics`` calls them. ``spikes`` is also timed with a spike in every run
   (the compiled path's worst realistic case: no run skipped);
2. the same on one 20,000-sample run (the daily import), in this process;
3. the daily case as users see it: a fresh ``python -c`` that imports ``trainlog.analysis.elevation`` and runs
   ``spikes`` and ``hysteresis_steps`` on that run (wall time of the whole process, old code against new), and
   whether it imported Numba;
4. the compiled path's one-off costs in a fresh process: ``import numba``, the kernels loaded from Numba's
   cache, and compiled without one (an empty ``NUMBA_CACHE_DIR``).

"old" is the implementation before issue 17, copied below (``old_spikes``, ``old_hysteresis_steps``); "equal" is
bit-for-bit equality of the outputs (floats compared by their bits). A benchmark, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from trainlog.analysis import elevation  # noqa: E402
from trainlog.settings import ModelSettings  # noqa: E402

MODEL = ModelSettings()
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable


# ---- the implementation before issue 17 (trainlog/analysis/elevation.py), verbatim but for the names

def old_spikes(activity_id, timestamp, altitude_m, max_vertical_speed_mps):
    frame = pl.DataFrame({"id": activity_id, "t": timestamp.dt.epoch("us"), "alt": altitude_m}).with_row_index("row")
    out = np.zeros(len(frame), dtype=bool)
    for _, group in frame.filter(pl.col("alt").is_not_null()).group_by("id"):
        keep = old_longest_chain(group["t"].to_numpy() / 1e6, group["alt"].to_numpy(), max_vertical_speed_mps)
        out[group["row"].to_numpy()[~keep]] = True
    return pl.Series("altitude_spike", out)


def old_longest_chain(t_s, alt, max_vertical_speed_mps):
    p_m = alt - max_vertical_speed_mps * t_s
    q_m = alt + max_vertical_speed_mps * t_s
    order = np.lexsort((-np.arange(len(alt)), -q_m, p_m)).tolist()
    p, q = p_m.tolist(), q_m.tolist()
    after = [None] * len(p)
    neg_q_tails = []
    for k in order:
        length = bisect.bisect_right(neg_q_tails, -q[k])
        after[k] = length
        if length == len(neg_q_tails):
            neg_q_tails.append(-q[k])
        else:
            neg_q_tails[length] = -q[k]
    kept = []
    need, last = max(after), None
    for k in range(len(p)):
        if after[k] == need and (last is None or (p[k] <= p[last] and q[k] >= q[last])):
            kept.append(k)
            need, last = need - 1, k
    keep = np.zeros(len(p), dtype=bool)
    keep[kept] = True
    return keep


def old_hysteresis_steps(activity_id, altitude_m, hysteresis_m):
    starts = (activity_id != activity_id.shift(1)).fill_null(True).to_list()
    gains = []
    losses = []
    for start, alt in zip(starts, altitude_m.to_list()):
        if start:
            mode, low, high = None, None, None
        gain = loss = 0.0
        if alt is None:
            pass
        elif low is None:
            low = high = alt
        elif mode is None:
            low, high = min(low, alt), max(high, alt)
            if alt - low > hysteresis_m:
                mode, gain, extreme = "climbing", alt - low, alt
            elif high - alt > hysteresis_m:
                mode, loss, extreme = "descending", high - alt, alt
        elif mode == "climbing":
            if alt < extreme - hysteresis_m:
                mode, loss, extreme = "descending", extreme - alt, alt
            else:
                gain, extreme = max(alt - extreme, 0.0), max(extreme, alt)
        elif alt > extreme + hysteresis_m:
            mode, gain, extreme = "climbing", alt - extreme, alt
        else:
            loss, extreme = max(extreme - alt, 0.0), min(extreme, alt)
        gains.append(gain)
        losses.append(loss)
    return pl.Series("gain_m", gains, pl.Float64), pl.Series("loss_m", losses, pl.Float64)


# ---- inputs

def library(n_activities: int, total: int, spiky: float, seed: int = 17) -> pl.DataFrame:
    """Samples (activity_id, timestamp, altitude_m) of ``n_activities`` runs, ``total`` samples in all."""
    rng = np.random.default_rng(seed)
    minutes = rng.uniform(35, 330, n_activities)
    smart = rng.random(n_activities) < 0.4
    counts = minutes * 60 / np.where(smart, 4.0, 1.0)
    counts = np.maximum((counts * total / counts.sum()).astype(int), 2)
    start = int(dt.datetime(2016, 1, 1, 7, tzinfo=dt.UTC).timestamp())
    ids, times, alts = [], [], []
    for a, n in enumerate(counts):
        steps = rng.integers(1, 8, n) if smart[a] else np.ones(n, dtype=np.int64)
        steps[0] = 0
        t = start + a * 103_680 + np.cumsum(steps)  # 1.2 days apart
        slope = np.repeat(rng.normal(0, 0.25, n // 300 + 1), 300)[:n]  # m/s, changing every 300 samples
        alt = (300 + rng.uniform(0, 1500) + np.cumsum(slope * steps) + rng.normal(0, 0.3, n)).round(1)
        if rng.random() < spiky:
            for _ in range(rng.integers(1, 4)):
                i, width = rng.integers(0, n), rng.integers(1, 6)
                alt[i:i + width] += rng.choice([-1, 1]) * rng.uniform(50, 800)
        alts.append(np.where(rng.random(n) < 0.002, np.nan, alt))
        ids.append(np.full(n, f"2016-{a:05d}"))
        times.append(t * 1_000_000)
    return pl.DataFrame({
        "activity_id": np.concatenate(ids),
        "timestamp": pl.Series(np.concatenate(times)).cast(pl.Datetime("us", "UTC")),
        "altitude_m": pl.Series(np.concatenate(alts)).fill_nan(None),
    })


def prepared(samples: pl.DataFrame) -> pl.DataFrame:
    """The streams sample_metrics passes: ``altitude_clean_m`` to spikes, ``altitude_smooth_m`` to hysteresis."""
    cleaned = samples.with_columns(altitude_clean_m=elevation.clean_altitude(MODEL))
    smooth = elevation.with_clean_altitude(samples, MODEL).select(
        altitude_smooth_m=elevation.smooth_altitude("altitude_clean_m", MODEL))
    return cleaned.with_columns(smooth)


# ---- measuring

def best_of(repeats: int, run):
    best, out = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        out = run()
        best = min(best, time.perf_counter() - start)
    return best, out


def same_bits(a: pl.Series, b: pl.Series) -> bool:
    if a.dtype == pl.Boolean:
        return a.equals(b)
    return a.null_count() == b.null_count() == 0 and np.array_equal(a.to_numpy().view(np.uint64), b.to_numpy().view(np.uint64))


def compare(label: str, frame: pl.DataFrame, repeats: int) -> None:
    spike_args = (frame["activity_id"], frame["timestamp"], frame["altitude_clean_m"], MODEL.max_vertical_speed_mps)
    hyst_args = (frame["activity_id"], frame["altitude_smooth_m"], MODEL.hysteresis_m)
    elevation.spikes(*spike_args)  # loads the compiled kernels once a process (a one-off, measured by main)
    elevation.hysteresis_steps(*hyst_args)
    rows = []
    for name, old, new, args in (("spikes", old_spikes, elevation.spikes, spike_args),
                                 ("hysteresis_steps", old_hysteresis_steps, elevation.hysteresis_steps, hyst_args)):
        old_s, old_out = best_of(repeats, lambda old=old, args=args: old(*args))
        new_s, new_out = best_of(repeats, lambda new=new, args=args: new(*args))
        outs = zip(old_out, new_out) if isinstance(old_out, tuple) else [(old_out, new_out)]
        rows.append((name, old_s, new_s, all(same_bits(a, b) for a, b in outs)))
    for name, old_s, new_s, equal in rows:
        print(f"  {label:34s} {name:17s} old {old_s:8.3f} s   new {new_s:7.3f} s   x{old_s / new_s:6.1f}   "
              f"equal: {'yes' if equal else 'NO'}")


def fresh_process(code: str, repeats: int, env: dict | None = None) -> tuple[float, str]:
    best, out = float("inf"), ""
    for _ in range(repeats):
        start = time.perf_counter()
        done = subprocess.run([PYTHON, "-c", code], cwd=ROOT, capture_output=True, text=True, env=env)
        best = min(best, time.perf_counter() - start)
        out = done.stdout.strip() or done.stderr.strip()[-300:]
    return best, out


DAILY = """
import sys, polars as pl
from trainlog.analysis import elevation
from trainlog.settings import ModelSettings
m = ModelSettings(); f = pl.read_parquet({path!r})
{prefix}spikes(f["activity_id"], f["timestamp"], f["altitude_clean_m"], m.max_vertical_speed_mps)
{prefix}hysteresis_steps(f["activity_id"], f["altitude_smooth_m"], m.hysteresis_m)
print("numba imported" if "numba" in sys.modules else "numba not imported")
"""

KERNELS = """
import time, datetime as dt, polars as pl
from trainlog.analysis import elevation
start = time.perf_counter()
import numba
imported = time.perf_counter()
elevation.COMPILED_FROM_SAMPLES = 0  # three samples, one a spike: both kernels run
ids, alt = pl.Series(["a"] * 3), pl.Series([100.0, 900.0, 100.0])
times = pl.Series([dt.datetime(2026, 3, 13, 7, 0, s, tzinfo=dt.UTC) for s in range(3)])
elevation.spikes(ids, times, alt, 5.0)
elevation.hysteresis_steps(ids, alt, 3.0)
print(f"{imported - start:.3f} {time.perf_counter() - imported:.3f}")
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="600 activities, 1.7 M samples (still compiled)")
    parser.add_argument("--repeats", type=int, default=None)
    args = parser.parse_args(argv)
    n_activities, total = (600, 1_720_000) if args.quick else (3000, 8_600_000)
    repeats = args.repeats or (2 if args.quick else 3)
    print(f"compiled from {elevation.COMPILED_FROM_SAMPLES:,} samples; minimum of {repeats} repeats")

    frame = prepared(library(n_activities, total, spiky=0.5))
    print(f"history: {frame['activity_id'].n_unique():,} activities, {frame.height:,} samples")
    compare("history", frame, repeats)
    every = prepared(library(n_activities, total, spiky=1.0, seed=18))
    compare("history, spikes in every run", every.select("activity_id", "timestamp", "altitude_clean_m",
                                                         "altitude_smooth_m"), repeats)

    run = prepared(library(1, 20_000, spiky=1.0, seed=19).with_columns(
        timestamp=pl.datetime(2026, 3, 13, 7, time_zone="UTC") + pl.duration(seconds=pl.int_range(pl.len()))))
    compare(f"one run, {run.height:,} samples", run, max(repeats, 5))

    with tempfile.TemporaryDirectory(prefix="bench-elevation-") as tmp:
        path = str(Path(tmp) / "run.parquet")
        run.write_parquet(path)
        base, _ = fresh_process("import polars; from trainlog.analysis import elevation", 5)
        old_s, _ = fresh_process(DAILY.format(path=path, prefix="from benchmarks.bench_elevation import old_spikes, "
                                              "old_hysteresis_steps\nold_"), 5)
        new_s, said = fresh_process(DAILY.format(path=path, prefix="elevation."), 5)
        print(f"  fresh process, the {run.height:,}-sample run: old {old_s:.3f} s   new {new_s:.3f} s   "
              f"(of which starting Python and importing: {base:.3f} s); new: {said}")
        fresh_process(KERNELS, 1)  # fills Numba's cache, if it was empty
        imported, cached = fresh_process(KERNELS, 3)[1].split()
        cold = fresh_process(KERNELS, 1, env={**os.environ, "NUMBA_CACHE_DIR": str(Path(tmp) / "numba")})[1].split()
        print(f"  compiled path, fresh process: import numba {imported} s; then the kernels from Numba's cache "
              f"{cached} s, or compiled (an empty cache) {cold[-1]} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Fuzz the FIT decoder and the importer with mutated FIT files.

Every input is a corpus or sample file (shrunk to at most ``MAX_BASE_BYTES``,
keeping its definitions, its first records and its closing laps/session)
changed by one to three mutations: bit flips, byte overwrites, truncations,
header damage (size, declared data length), wrong field counts, sizes and base
types in definition messages, absurd timestamps, huge declared lengths, garbage
developer fields, splices of two files and repeated chunks; half of them get
their CRCs repaired so the decoder reads past the damage.

Input ``i`` depends only on ``--seed`` and ``i``, so any input can be rebuilt.
Each one is decoded in a worker process (memory capped with RLIMIT_AS, a time
limit per input) and, when it decodes, turned into the importer's tables.
Outcomes:

- ``ok``       decoded, not damaged
- ``partial``  decoded what came before the damage (``DecodedFile.partial``)
- ``invalid``  ``InvalidFitFile`` with a one-line message naming the input
- ``BUG:...``  any other exception, a multi-line message, a time-out, a
  worker killed or out of memory. The input is written to benchmarks/out/.

A sample of the inputs (plain, .fit.gz, inside zips, with damaged containers)
then goes through ``python -m trainlog import`` end to end, twice, and the
dataset is checked (one outcome per file, one-line reasons, no traceback,
activities == files the ledger says were imported, samples complete).

The inputs, the mutations and the check of one input are trainlog_dev.fuzz and
trainlog_dev.mutations (the tests use them too); this script runs them at
scale.

Run it (exit status 1 when any input is a BUG)::

    .venv/bin/python benchmarks/fuzz.py               # 50,000 inputs
    .venv/bin/python benchmarks/fuzz.py --quick       # 2,000 inputs
    .venv/bin/python benchmarks/fuzz.py --replay 1234 # one input, in-process, with its traceback
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import random
import resource
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from multiprocessing import connection, get_context
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from trainlog_dev.fuzz import (  # noqa: E402 (after the path is set)
    CORPUS,
    DEFAULT_SEED,
    MAX_BASE_BYTES,
    MEMORY_LIMIT_BYTES,
    OK_OUTCOMES,
    SAMPLE_FIT,
    TIME_LIMIT_S,
    check_decode,
    load_bases,
    make_input,
    write_containers,
)
from trainlog_dev.mutations import MUTATIONS  # noqa: E402

OUT = ROOT / "benchmarks" / "out"

# --------------------------------------------------------------------------- worker pool

_panics: list[int] = []  # fast-path panics caught (and decoded by fitparse instead), in this worker


def _count_fast_path_panics() -> None:
    """Wrap fit.fast.decode_fast to count fitfast panics: decode() falls back on them, so they are
    not bugs, but each one printed a Rust message on stderr and means a check in the scan is missing."""
    from trainlog.ingest.fit import fast

    real = fast.decode_fast

    def counted(data, name):
        try:
            return real(data, name)
        except fast.Unsupported as exc:
            if str(exc).startswith("fitfast panicked"):
                _panics.append(1)
            raise

    fast.decode_fast = counted


def _worker(conn, seed: int, base_limit: int, time_limit_s: int, memory_limit: int) -> None:
    os.environ.setdefault("POLARS_MAX_THREADS", "1")
    devnull = os.open(os.devnull, os.O_WRONLY)  # a compiled decoder's panic message; the BUG line says it
    os.dup2(devnull, 2)
    try:
        resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
    except (ValueError, OSError):
        pass
    bases = load_bases(limit=base_limit)
    import trainlog.ingest.decode  # noqa: F401 - import before the first clock starts
    import trainlog.ingest.importer  # noqa: F401

    _count_fast_path_panics()
    conn.send(("ready", len(bases)))
    while True:
        try:
            i = conn.recv()
        except EOFError:
            return
        if i is None:
            return
        name, data, ops = make_input(i, seed, bases)
        t0 = time.perf_counter()
        panics = len(_panics)
        outcome, detail = check_decode(data, name, time_limit_s)
        conn.send((i, outcome, detail, time.perf_counter() - t0, ops, len(_panics) > panics))


class _Slot:
    def __init__(self, ctx, args):
        self.ctx, self.args = ctx, args
        self.start()

    def start(self):
        parent, child = self.ctx.Pipe()
        self.proc = self.ctx.Process(target=_worker, args=(child, *self.args), daemon=True)
        self.proc.start()
        child.close()
        self.conn = parent
        msg = self.conn.recv()
        assert msg[0] == "ready", msg
        self.task: int | None = None
        self.deadline = 0.0

    def restart(self):
        try:
            self.proc.kill()
        except OSError:
            pass
        self.proc.join(5)
        self.conn.close()
        self.start()


@dataclass
class Results:
    counts: collections.Counter = field(default_factory=collections.Counter)
    by_op: dict[str, collections.Counter] = field(default_factory=lambda: collections.defaultdict(collections.Counter))
    bugs: list[tuple[int, str, str, str]] = field(default_factory=list)
    slowest: tuple[float, int, str] = (0.0, -1, "")
    total_s: float = 0.0
    invalid_reasons: collections.Counter = field(default_factory=collections.Counter)
    fast_path_panics: list[int] = field(default_factory=list)  # inputs

    def add(self, i, outcome, detail, seconds, ops, panicked=False):
        self.counts[outcome] += 1
        if panicked:
            self.fast_path_panics.append(i)
        for op in ops.split("+"):
            self.by_op[op][outcome if not outcome.startswith("BUG") else "BUG"] += 1
        if outcome.startswith("BUG"):
            self.bugs.append((i, outcome, detail, ops))
        elif outcome == "invalid":
            self.invalid_reasons[detail.split(" (")[0].split(":")[0][:40]] += 1
        self.total_s += seconds
        if seconds > self.slowest[0]:
            self.slowest = (seconds, i, ops)


def run_decode_fuzz(n: int, seed: int, workers: int, base_limit: int, time_limit_s: int, memory_limit: int,
                    progress: bool = True) -> Results:
    ctx = get_context("spawn")
    slots = [_Slot(ctx, (seed, base_limit, time_limit_s, memory_limit)) for _ in range(workers)]
    res = Results()
    todo = iter(range(n))
    done = 0
    hard = time_limit_s + 30  # the alarm fires first; this catches a worker stuck in C code
    t0 = time.monotonic()
    next_report = t0 + 30

    def feed(slot):
        i = next(todo, None)
        slot.task = i
        if i is not None:
            slot.conn.send(i)
            slot.deadline = time.monotonic() + hard

    for s in slots:
        feed(s)
    while any(s.task is not None for s in slots):
        busy = [s for s in slots if s.task is not None]
        timeout = max(0.0, min(s.deadline for s in busy) - time.monotonic())
        ready = connection.wait([s.conn for s in busy], timeout=timeout)
        now = time.monotonic()
        for s in busy:
            if s.conn in ready:
                try:
                    i, outcome, detail, seconds, ops, panicked = s.conn.recv()
                except (EOFError, OSError):
                    code = s.proc.exitcode if s.proc.join(1) is None else None
                    kind = "BUG:memory" if code in (-signal.SIGKILL, -signal.SIGSEGV, -signal.SIGABRT) else "BUG:crash"
                    res.add(s.task, kind, f"worker died (exit code {s.proc.exitcode})", 0.0, "?")
                    s.restart()
                else:
                    res.add(i, outcome, detail, seconds, ops, panicked)
                done += 1
                feed(s)
            elif now >= s.deadline:
                res.add(s.task, "BUG:hang", f"no answer within {hard} s (worker killed)", 0.0, "?")
                s.restart()
                done += 1
                feed(s)
        if progress and now >= next_report:
            rate = done / (now - t0)
            print(f"  ... {done:,}/{n:,} inputs, {rate:.0f}/s, bugs so far {len(res.bugs)}", flush=True)
            next_report = now + 60
    for s in slots:
        try:
            s.conn.send(None)
        except OSError:
            pass
        s.proc.join(5)
        if s.proc.is_alive():
            s.proc.kill()
    return res


# --------------------------------------------------------------------------- end-to-end import sample

def _limit_memory():
    try:
        resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))
    except (ValueError, OSError):
        pass


def run_import_sample(n: int, seed: int, base_limit: int, workdir: Path, batches: int = 4) -> dict:
    """``n`` mutated inputs through ``python -m trainlog import`` (``batches`` runs, then a re-run of all)."""
    import polars as pl

    from trainlog.store import Store
    from trainlog.words import OUTCOMES

    bases = load_bases(limit=base_limit)
    rng = random.Random(f"{seed}:import")
    # a separate index range from the decode run, so these are other inputs
    items = [make_input(10_000_000 + i, seed, bases)[:2] for i in range(n)]
    items += [(f"clean-{j}-{nm}", d) for j, (nm, d) in enumerate(rng.sample(bases, min(20, len(bases))))]
    rng.shuffle(items)
    folders = []
    per = -(-len(items) // batches)
    for b in range(batches):
        f = workdir / f"in{b}"
        f.mkdir(parents=True)
        write_containers(items[b * per : (b + 1) * per], rng, f)
        folders.append(f)
    data_dir = workdir / "data"
    summary = {"files": 0, "runs": 0, "problems": [], "counts": collections.Counter(), "seconds": 0.0}

    def run(paths):
        t0 = time.perf_counter()
        cmd = [sys.executable, "-m", "trainlog", "import", *map(str, paths), "--json", "--data-dir", str(data_dir),
               "-a", "fuzz", "--workers", "2"]
        try:
            proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=3600,
                                  preexec_fn=_limit_memory, env={**os.environ, "POLARS_MAX_THREADS": "2"})
        except subprocess.TimeoutExpired:
            summary["problems"].append(f"import of {paths} did not finish within an hour")
            return None
        summary["seconds"] += time.perf_counter() - t0
        summary["runs"] += 1
        if "Traceback" in proc.stderr or proc.returncode not in (0, 1):
            summary["problems"].append(f"exit {proc.returncode}: {proc.stderr.strip()[-500:]}")
            return None
        doc = json.loads(proc.stdout)
        for f in doc["files"]:
            if f["outcome"] not in OUTCOMES:
                summary["problems"].append(f"unknown outcome {f}")
            if "\n" in (f.get("detail") or ""):
                summary["problems"].append(f"multi-line detail for {f['file']}")
            if f["outcome"] == "failed" and not f.get("detail"):
                summary["problems"].append(f"failed without a reason: {f['file']}")
            for word in ("decoder error", "cannot store"):  # the importer's catch-alls: a bug underneath
                if word in (f.get("detail") or ""):
                    summary["problems"].append(f"{f['file']}: {f['detail']}")
        return doc

    for f in folders:
        doc = run([f])
        if doc:
            summary["files"] += len(doc["files"])
            summary["counts"].update(x["outcome"] for x in doc["files"])
    store = Store(data_dir)
    tables = {t: store.read(t, "fuzz") for t in ("activities", "samples", "laps", "files")}
    gen = store.generation("fuzz")
    again = run(folders)  # everything a second time: nothing new may be stored
    if again:
        new = [x for x in again["files"] if x["outcome"] == "imported"]
        if new:
            summary["problems"].append(f"re-run imported {len(new)} files again, e.g. {new[0]['file']}")
        if store.generation("fuzz") != gen:
            summary["problems"].append("re-run changed the dataset")
    acts, samples, files = tables["activities"], tables["samples"], tables["files"]
    imported = set(files.filter(pl.col("outcome") == "imported")["file_sha256"])
    if set(acts["file_sha256"]) != imported:
        summary["problems"].append("activities do not match the files the ledger says were imported")
    if acts["activity_id"].n_unique() != acts.height:
        summary["problems"].append("an activity is stored twice")
    per = samples.group_by("activity_id").len()
    joined = acts.select("activity_id", "n_records").join(per, on="activity_id", how="left").fill_null(0)
    if joined.filter(pl.col("n_records") != pl.col("len")).height:
        summary["problems"].append("an activity's samples are incomplete")
    summary["activities"] = acts.height
    summary["samples"] = samples.height
    return summary


# --------------------------------------------------------------------------- command line

def _git_head() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    except OSError:
        return "?"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=50_000, help="decoder inputs [50,000]")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--quick", action="store_true", help="2,000 decoder inputs and 100 import inputs")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--import-n", type=int, default=None, help="inputs through the importer [1,000; --quick 100]")
    ap.add_argument("--time-limit", type=int, default=TIME_LIMIT_S, help="seconds per input [%(default)s]")
    ap.add_argument("--memory-limit-mb", type=int, default=MEMORY_LIMIT_BYTES >> 20)
    ap.add_argument("--base-limit", type=int, default=MAX_BASE_BYTES, help="bases are shrunk to this many bytes")
    ap.add_argument("--replay", type=int, default=None, help="rebuild input I, write it to benchmarks/out/ and decode it here")
    args = ap.parse_args(argv)
    if args.quick:
        args.n = min(args.n, 2_000)
    import_n = args.import_n if args.import_n is not None else (100 if args.quick else 1_000)

    if args.replay is not None:
        bases = load_bases(limit=args.base_limit)
        name, data, ops = make_input(args.replay, args.seed, bases)
        OUT.mkdir(parents=True, exist_ok=True)
        (OUT / name).write_bytes(data)
        print(f"input {args.replay}: {ops}, {len(data)} bytes -> {OUT / name}")
        from trainlog.ingest.decode import decode

        decode(data, name)  # let the traceback show
        print(check_decode(data, name, args.time_limit))
        return 0

    bases = load_bases(limit=args.base_limit)
    if not bases:
        print(f"no base files: neither {CORPUS} nor {SAMPLE_FIT} holds FIT files", file=sys.stderr)
        return 2
    print(f"trainlog fuzz @ {_git_head()}: seed {args.seed}, {args.n:,} decoder inputs from {len(bases)} base files "
          f"(shrunk to <= {args.base_limit:,} bytes), {args.workers} workers, "
          f"limits {args.time_limit} s and {args.memory_limit_mb} MiB per input", flush=True)
    t0 = time.perf_counter()
    res = run_decode_fuzz(args.n, args.seed, args.workers, args.base_limit, args.time_limit,
                          args.memory_limit_mb << 20)
    wall = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"\ndecoder: {args.n:,} inputs in {wall:.0f} s ({args.n / wall:.0f}/s)")
    for outcome in OK_OUTCOMES:
        print(f"  {outcome:<9} {res.counts[outcome]:>7,}")
    bug_total = sum(v for k, v in res.counts.items() if k.startswith("BUG"))
    print(f"  {'BUG':<9} {bug_total:>7,}" + "".join(f"  {k}={v}" for k, v in sorted(res.counts.items()) if k.startswith("BUG")))
    print(f"  slowest input: {res.slowest[0]:.2f} s (input {res.slowest[1]}, {res.slowest[2]}); "
          f"mean {res.total_s / max(1, args.n) * 1000:.1f} ms; peak worker memory {peak_mb:.0f} MiB")
    print("  by mutation (inputs where it was applied):")
    for op in MUTATIONS:
        c = res.by_op.get(op, {})
        print(f"    {op:<13} " + "  ".join(f"{k} {c.get(k, 0):>6,}" for k in (*OK_OUTCOMES, "BUG")))
    print(f"  fitfast panics caught by the fast path (decoded by fitparse instead, not bugs): "
          f"{len(res.fast_path_panics)}" + (f" (inputs {', '.join(map(str, res.fast_path_panics[:10]))})"
                                            if res.fast_path_panics else ""))
    print("  most common InvalidFitFile reasons: " + "; ".join(f"{r} ({c:,})" for r, c in res.invalid_reasons.most_common(5)))
    if res.bugs:
        OUT.mkdir(parents=True, exist_ok=True)
        for i, outcome, detail, _ops in res.bugs[:200]:
            name, data, ops = make_input(i, args.seed, bases)
            (OUT / name).write_bytes(data)
            replay = f"benchmarks/fuzz.py --seed {args.seed} --replay {i}"
            (OUT / f"{name}.txt").write_text(f"{outcome}: {detail}\nmutations: {ops}\nreplay: {replay}\n")
        kinds = collections.Counter(d.split(":")[0] for _, _, d, _ in res.bugs)
        print(f"  BUG inputs written to {OUT}/ ; kinds: {dict(kinds.most_common(10))}")
        for i, outcome, detail, ops in res.bugs[:10]:
            print(f"    input {i} ({ops}): {outcome} {detail}")

    problems: list[str] = []
    if import_n:
        with tempfile.TemporaryDirectory(prefix="trainlog-fuzz-") as tmp:
            s = run_import_sample(import_n, args.seed, args.base_limit, Path(tmp))
        print(f"\nimporter: {import_n:,} mutated inputs (+ clean ones) as .fit, .fit.gz and zips -> "
              f"{s['files']:,} files in {s['runs']} runs of 'trainlog import' ({s['seconds']:.0f} s)")
        print("  " + ", ".join(f"{k} {s['counts'].get(k, 0):,}" for k in ("imported", "duplicate", "skipped", "failed")))
        print(f"  dataset: {s.get('activities', 0):,} activities, {s.get('samples', 0):,} samples; "
              f"re-run imported nothing new: {not any('re-run' in p for p in s['problems'])}")
        problems = list(dict.fromkeys(s["problems"]))  # the re-run meets the same files again
        for p in problems[:20]:
            print(f"  PROBLEM {p}")
    ok = not res.bugs and not problems
    print(f"\n{'PASS' if ok else 'FAIL'}: {bug_total} decoder bugs, {len(problems)} importer problems")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

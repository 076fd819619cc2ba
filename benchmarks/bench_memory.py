"""Peak memory of ``trainlog import`` on the worst inputs the documented limits allow.

    .venv/bin/python benchmarks/bench_memory.py            # every case (~3 min, ~1.2 GB of disk under benchmarks/out/)
    .venv/bin/python benchmarks/bench_memory.py --quick    # the small cases only

Each case builds its input under benchmarks/out/memory/ (git-ignored, reused by
later runs), then runs ``python -m trainlog import`` on it in a fresh process
and prints the peak resident memory of that process and of its decoder
workers (``ru_maxrss`` of the children, the largest single process), the peak
of their sum (sampled from /proc every 20 ms), and the import's last line.
Exits 1 if any peak is 600 MB or more.

The cases (trainlog.ingest.sources holds the limits):

- ``fit-60h``: the 60 h race of bench_import.py, recorded every second (6 MB,
  the largest file a watch writes; decoded on the compiled fast path);
- ``fit-max-damaged``: a file as large as MAX_FIT_BYTES allows, copies of that
  race chained and cut at the limit: chained and damaged files are decoded by
  fitparse, the decoder that needs the most memory per byte;
- ``zip-of-races``: a zip of four 60 h races (the importer decodes them in
  two workers and holds them in one batch);
- ``nested-990MiB``: a 6 MB zip holding a 990 MiB inner zip (the issue's case:
  2 GiB before inner zips were copied to a temporary file);
- ``many-entries``: a zip with MAX_ZIP_ENTRIES entries (the sample FIT files
  and notes), the most sources one archive may list.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from trainlog.ingest import sources  # noqa: E402

OUT = ROOT / "benchmarks" / "out" / "memory"
LIMIT_MB = 600
SAMPLE_FIT = ROOT / "sample_fit"


def long_fit() -> Path:
    """The 60 h, 1 Hz race of bench_import.py (generated once, ~70 s, reused)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import bench_import

    return bench_import.long_file()


def fit_60h() -> Path:
    """The 60 h race recorded every second (6 MB): the largest file a watch writes, on the fast path."""
    return long_fit()


def fit_max_damaged() -> Path:
    """As big as MAX_FIT_BYTES allows: copies of the 60 h race chained and cut at the limit.

    Chained and cut (damaged) files go to fitparse, the decoder that needs the most memory per byte.
    """
    path = OUT / f"fit-max-damaged-{sources.MAX_FIT_BYTES >> 20}MiB.fit"
    if not path.exists():
        one = long_fit().read_bytes()
        copies = sources.MAX_FIT_BYTES // len(one) + 1
        path.write_bytes((one * copies)[: sources.MAX_FIT_BYTES])
    return path


def zip_of_races() -> Path:
    """A zip of four 60 h races (distinct bytes, valid CRCs): decoded two at a time, committed in one batch."""
    from trainlog.ingest.fit.framing import fit_crc

    path = OUT / "zip-of-races.zip"
    if not path.exists():
        data = long_fit().read_bytes()[:-2]
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
            for i in range(4):  # the activity message's last byte differs, so none is the same file
                body = data[:-1] + bytes([i])
                zf.writestr(f"activities/run{i}.fit", body + fit_crc(body).to_bytes(2, "little"))
    return path


def nested_990() -> Path:
    """An outer zip (deflated, ~7 MB) holding a 990 MiB stored inner zip: real FIT files and padding."""
    path = OUT / "nested-990MiB.zip"
    if not path.exists():
        rng = random.Random(990)
        inner = OUT / "inner-990MiB.zip"
        fits = sorted((SAMPLE_FIT / "mara").glob("*.fit"))[:20]
        with zipfile.ZipFile(inner, "w", zipfile.ZIP_STORED) as zf:
            for p in fits:
                zf.write(p, f"activities/{p.name}")
            with zf.open("padding.bin", "w", force_zip64=True) as fh:  # skipped (not FIT), never read
                block = bytes(199 << 10)
                for _ in range(990 * 1024 // 200):
                    fh.write(rng.randbytes(1 << 10))  # 0.5% noise keeps the ratio under MAX_RATIO
                    fh.write(block)
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
            zf.write(inner, "DI_CONNECT/UploadedFiles_0-_Part1.zip")
        inner.unlink()
    return path


def many_entries() -> Path:
    path = OUT / f"many-entries-{sources.MAX_ZIP_ENTRIES}.zip"
    if not path.exists():
        fits = sorted(SAMPLE_FIT.rglob("*.fit"))
        with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
            for p in fits:
                zf.write(p, f"activities/{p.parent.name}-{p.name}")
            for i in range(sources.MAX_ZIP_ENTRIES - len(fits)):
                zf.writestr(f"notes/{i:06d}.txt", b"x")
    return path


CASES = {
    "fit-60h": fit_60h,
    "fit-max-damaged": fit_max_damaged,
    "zip-of-races": zip_of_races,
    "nested-990MiB": nested_990,
    "many-entries": many_entries,
}
QUICK = ("fit-60h", "fit-max-damaged")


def _tree_rss_mb(pid: int, include_root: bool = True) -> float:
    """Resident memory (MB) of ``pid`` (unless not ``include_root``) and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry))
            rss[int(entry)] = int(fields[21])
        except (OSError, IndexError, ValueError):
            continue
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0) if (include_root or p != pid) else 0
        todo += children.get(p, [])
    return total * os.sysconf("SC_PAGE_SIZE") / 1e6


#: Runs the import as its own child and reports that child's peak RSS (and its workers': the
#: largest single process), so every case is measured from a fresh process.
WRAPPER = (
    "import resource, subprocess, sys\n"
    "code = subprocess.run(sys.argv[1:]).returncode\n"
    "print('MAXRSS_KB', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
    "sys.exit(code)\n"
)


def measure(path: Path) -> tuple[float, float, str, float]:
    """(peak RSS of the largest process MB, peak summed RSS MB, last output line, seconds) of one import."""
    with tempfile.TemporaryDirectory() as td:
        t = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-c", WRAPPER,
             sys.executable, "-m", "trainlog", "import", str(path), "-a", "bench", "--data-dir", td, "-q"],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        peak_sum = [0.0]
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                peak_sum[0] = max(peak_sum[0], _tree_rss_mb(proc.pid, include_root=False))
                done.wait(0.02)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        out, err = proc.communicate()
        done.set()
        sampler.join()
        seconds = time.perf_counter() - t
    maxrss = next((int(line.split()[1]) for line in err.splitlines() if line.startswith("MAXRSS_KB")), 0)
    lines = [line for line in (out + err).strip().splitlines() if not line.startswith("MAXRSS_KB")] or [""]
    return maxrss / 1024, peak_sum[0], lines[-1], seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="only " + ", ".join(QUICK))
    parser.add_argument("cases", nargs="*", choices=[[], *CASES], help="cases to run [all]")
    args = parser.parse_args(argv)
    names = args.cases or (QUICK if args.quick else list(CASES))
    OUT.mkdir(parents=True, exist_ok=True)
    print(f"limits: MAX_FIT_BYTES {sources.MAX_FIT_BYTES >> 20} MiB, MAX_MEMBER_BYTES {sources.MAX_MEMBER_BYTES >> 20} MiB, "
          f"MAX_ZIP_ENTRIES {sources.MAX_ZIP_ENTRIES:,}, ZIP_IN_MEMORY_BYTES {sources.ZIP_IN_MEMORY_BYTES >> 20} MiB")
    print(f"{'case':<18} {'input MB':>9} {'max RSS MB':>10} {'sum RSS MB':>10} {'s':>6}  outcome")
    worst = 0.0
    for name in names:
        path = CASES[name]()
        own, total, last, seconds = measure(path)
        worst = max(worst, own, total)
        print(f"{name:<18} {path.stat().st_size / 1e6:>9.1f} {own:>10.0f} {total:>10.0f} {seconds:>6.1f}  {last}", flush=True)
    print(f"worst peak {worst:.0f} MB: " + ("under" if worst < LIMIT_MB else "NOT under") + f" {LIMIT_MB} MB")
    return 0 if worst < LIMIT_MB else 1


if __name__ == "__main__":
    sys.exit(main())

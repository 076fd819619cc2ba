"""Peak memory of the dashboard server receiving a ~190 MB upload (issue #10, item 8b).

Starts a real server (``python -m trainlog dashboard``) on a free loopback port
over an empty data directory, POSTs one multipart/form-data request to
``/upload/files`` the way the Upload page's script does (streamed from disk by
this client too), and prints the server process's peak resident memory
(``VmHWM`` of ``/proc/<pid>/status``) after it started, after it answered the
upload, and after the background import ended.

The upload: every sample_fit/ file (unique activities) plus copies of the 60 h
1 Hz file of ``bench_import.py`` (generated into benchmarks/out/ when missing)
up to about 190 MB; the copies are imported as duplicates. The import (and the
analysis kept after it) runs in a child process of the server
(:func:`dashboards.jobs.import_in_child`), whose peak is printed apart
(``VmHWM`` of the largest child seen while polling); both should stay under 600 MB.

    .venv/bin/python benchmarks/bench_upload.py [--mb 190]

A benchmark, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import http.client
import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from dashboards import data, uploads  # noqa: E402

SAMPLE_FIT = ROOT / "sample_fit"
TIMEOUT_S = 900


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def status_kb(pid: int, key: str) -> int:
    """A ``VmHWM`` / ``VmRSS`` line of /proc/<pid>/status, in kB (0 if the process is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


def children(pid: int) -> list[int]:
    try:
        out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    except FileNotFoundError:
        return []
    return [int(p) for p in out.split()]


def upload_files(target_mb: float) -> list[Path]:
    """Sample files, then copies of the 60 h file up to ``target_mb`` MB and the file limit."""
    files = sorted(SAMPLE_FIT.rglob("*.fit"))
    from bench_import import long_file  # generates benchmarks/out/long_60h_1hz.fit once

    long = long_file()
    total = sum(p.stat().st_size for p in files)
    while total + long.stat().st_size <= target_mb * 2**20 and len(files) < data.MAX_UPLOAD_FILES:
        files.append(long)
        total += long.stat().st_size
    return files


def post(port: int, athlete: str, files: list[Path]) -> tuple[int, dict, float]:
    """Stream one multipart POST of ``files``; (status, JSON answer, seconds)."""
    boundary = uuid.uuid4().hex
    heads = [(f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{k:03d}-{p.name}"\r\n'
              f"Content-Type: application/octet-stream\r\n\r\n").encode() for k, p in enumerate(files)]
    tail = f"--{boundary}--\r\n".encode()
    length = sum(len(h) + p.stat().st_size + 2 for h, p in zip(heads, files)) + len(tail)
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT_S)
    connection.putrequest("POST", f"{uploads.ROUTE}?athlete={athlete}")
    connection.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
    connection.putheader("Content-Length", str(length))
    connection.putheader(uploads.HEADER, "1")
    connection.endheaders()
    for head, path in zip(heads, files):
        connection.send(head)
        with open(path, "rb") as f:
            while chunk := f.read(1 << 20):
                connection.send(chunk)
        connection.send(b"\r\n")
    connection.send(tail)
    response = connection.getresponse()
    answer = json.loads(response.read())
    connection.close()
    return response.status, answer, time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=190.0, help="size of the upload in MB (default 190)")
    args = parser.parse_args(argv)
    files = upload_files(args.mb)
    size_mb = sum(p.stat().st_size for p in files) / 2**20
    work = Path(tempfile.mkdtemp(prefix="trainlog-bench-upload-"))
    port = free_port()
    log = open(work / "server.log", "w+")
    command = [sys.executable, "-m", "trainlog", "dashboard", "--data-dir", str(work / "data"), "--port", str(port)]
    proc = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    print(log.read(), file=sys.stderr)
                    return 1
                time.sleep(0.2)
        started_kb = status_kb(proc.pid, "VmHWM")
        print(f"upload: {len(files)} files, {size_mb:.0f} MB, one multipart/form-data POST")
        print(f"server peak RSS after start:          {started_kb / 1024:7.0f} MB")
        status, answer, seconds = post(port, "bench", files)
        after_post_kb = status_kb(proc.pid, "VmHWM")
        print(f"answer: HTTP {status} {answer} in {seconds:.1f} s")
        print(f"server peak RSS after the upload:     {after_post_kb / 1024:7.0f} MB")
        worker_kb = 0
        deadline = time.monotonic() + TIMEOUT_S
        uploads_dir = work / "data" / "uploads"
        while uploads_dir.exists() and any(uploads_dir.iterdir()) and time.monotonic() < deadline:
            worker_kb = max([worker_kb] + [status_kb(c, "VmHWM") for c in children(proc.pid)])
            time.sleep(0.2)
        imported_kb = status_kb(proc.pid, "VmHWM")
        print(f"server peak RSS after the import:     {imported_kb / 1024:7.0f} MB"
              f"  (its import child process: {worker_kb / 1024:.0f} MB)")
        met = max(imported_kb, worker_kb) < 600 * 1024
        print(f"target: each under 600 MB -> {'met' if met else 'NOT met'}")
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

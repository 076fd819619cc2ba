"""Load on the real dashboard server: concurrent clients rendering pages, signed in and not.

Starts ``python -m trainlog dashboard`` (waitress) on a free loopback port over
the sample athletes (imported once into benchmarks/out/load-data by ``trainlog
demo --no-dashboard``), then drives ``--clients`` threads, each with its own
keep-alive connection and cookie, for ``--seconds``. Each client loops over the
pages' page callbacks: the ``POST /_dash-update-component`` that Dash's router
sends to render a page from its URL (``_pages_location`` pathname and search), for
both athletes. Two runs: loopback without sign-in, then ``--require-login`` with
every client signed in through ``/login``. Prints per page callback: requests,
errors, p50, p95; and what sign-in adds to a request (p50 of a cheap request,
one client, signed in vs not).

Targets (issue 10): 0 errors, p95 under 1 s on 2 cores, sign-in under 10 ms.

    .venv/bin/python benchmarks/load.py                 # 20 clients, 30 s per run
    .venv/bin/python benchmarks/load.py --clients 5 --seconds 10
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "benchmarks" / "out"
DATA = OUT / "load-data"
USER, PASSWORD = "bench-coach", "load benchmark password"
ATHLETES = ("mara", "tom")
PAGES = ("/", "/training", "/fatigue", "/goal", "/activities", "/activity", "/coach", "/settings", "/upload")
CHEAP = "/_dash-layout"
SERVER_START_S = 120
REQUEST_TIMEOUT_S = 60


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_data() -> Path:
    """The sample athletes imported once (about a minute), plus a coach user for the signed-in run."""
    from trainlog import Store

    if not set(ATHLETES) <= set(Store(DATA).athletes()):
        print(f"importing the sample athletes into {DATA} (once)...", flush=True)
        subprocess.run([sys.executable, "-m", "trainlog", "demo", "--no-dashboard", "--data-dir", str(DATA)],
                       cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    subprocess.run([sys.executable, "-m", "trainlog", "users", "add", USER, "--role", "coach", "--password-stdin",
                    "--data-dir", str(DATA)], input=PASSWORD + "\n", text=True, cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    return DATA


def page_urls(data_dir: Path) -> list[tuple[str, str, str]]:
    """(label, pathname, search) of every page for both athletes."""
    from trainlog import Store

    store = Store(data_dir)
    urls = []
    for athlete in ATHLETES:
        for page in PAGES:
            path = page
            if page == "/activity":
                acts = store.read("activities", athlete)
                path = f"/activity/{acts['activity_id'][acts.height // 2]}"
            urls.append((f"{page} {athlete}", path, f"?athlete={athlete}"))
    return urls


def payload(path: str, search: str) -> bytes:
    return json.dumps({
        "output": ".._pages_content.children..._pages_store.data..",
        "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
        "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                   {"id": "_pages_location", "property": "search", "value": search}],
        "changedPropIds": ["_pages_location.pathname", "_pages_location.search"],
        "state": [],
    }).encode()


class Client:
    """One keep-alive connection and its session cookie."""

    def __init__(self, port: int):
        self.port = port
        self.cookie = None
        self.conn = None

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        headers = dict(headers or {})
        if self.cookie:
            headers["Cookie"] = self.cookie
        for attempt in (1, 2):  # a keep-alive connection the server closed: reconnect once
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT_S)
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
        cookie = response.getheader("Set-Cookie")
        if cookie:
            self.cookie = cookie.split(";", 1)[0]
        return response.status, data

    def sign_in(self) -> None:
        form = urllib.parse.urlencode({"username": USER, "password": PASSWORD, "next": "/"}).encode()
        status, _ = self.request("POST", "/login", form, {"Content-Type": "application/x-www-form-urlencoded"})
        if status != 303 or not self.cookie:
            raise RuntimeError(f"sign-in failed: HTTP {status}")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()


def start_server(data_dir: Path, port: int, args: list[str], log) -> subprocess.Popen:
    command = [sys.executable, "-m", "trainlog", "dashboard", "--data-dir", str(data_dir), "--port", str(port), *args]
    proc = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + SERVER_START_S
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc
        except OSError as exc:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                log.seek(0)
                raise SystemExit(f"the dashboard server did not start:\n{log.read()}") from exc
            time.sleep(0.2)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def drive(port: int, urls, clients: int, seconds: float, signed_in: bool):
    """Run the clients; returns ({label: [seconds]}, {label: errors}, [error texts])."""
    times: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    messages: list[str] = []
    lock = threading.Lock()
    ready = threading.Barrier(clients + 1)
    stop_at = [0.0]

    def client(k: int):
        c = Client(port)
        try:
            if signed_in:
                c.sign_in()
            c.request("GET", CHEAP)  # warm the connection
        except Exception as exc:  # noqa: BLE001 (a benchmark reports every failure)
            with lock:
                messages.append(f"client {k} setup: {exc!r}")
        ready.wait()
        i = k
        while time.monotonic() < stop_at[0]:
            label, path, search = urls[i % len(urls)]
            i += 1
            t = time.perf_counter()
            try:
                status, data = c.request("POST", "/_dash-update-component", payload(path, search),
                                         {"Content-Type": "application/json"})
                ok = status == 200 and b'"_pages_content"' in data
                why = f"HTTP {status}: {data[:200]!r}"
            except Exception as exc:  # noqa: BLE001
                ok, why = False, repr(exc)
            elapsed = time.perf_counter() - t
            with lock:
                times[label].append(elapsed)
                if not ok:
                    errors[label] += 1
                    if len(messages) < 20:
                        messages.append(f"{label}: {why}")
        c.close()

    threads = [threading.Thread(target=client, args=(k,), daemon=True) for k in range(clients)]
    for t in threads:
        t.start()
    ready.wait()
    stop_at[0] = time.monotonic() + seconds
    for t in threads:
        t.join(seconds + 2 * REQUEST_TIMEOUT_S)
    return times, errors, messages


def cheap_p50(port: int, signed_in: bool, n: int = 200) -> float:
    """p50 seconds of GET /_dash-layout, one client, nothing else running."""
    c = Client(port)
    if signed_in:
        c.sign_in()
    for _ in range(10):
        c.request("GET", CHEAP)
    times = []
    for _ in range(n):
        t = time.perf_counter()
        status, _ = c.request("GET", CHEAP)
        times.append(time.perf_counter() - t)
        assert status == 200, status
    c.close()
    return statistics.median(times)


def report(title: str, times, errors, messages, seconds: float) -> tuple[int, float]:
    print(f"\n{title}")
    print(f"  {'page callback':<18} {'requests':>8} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8}")
    for label in sorted(times):
        ts = times[label]
        print(f"  {label:<18} {len(ts):>8} {errors[label]:>6} {percentile(ts, .5) * 1000:>8.0f} "
              f"{percentile(ts, .95) * 1000:>8.0f}")
    every = [t for ts in times.values() for t in ts]
    total_errors = sum(errors.values()) + sum(1 for m in messages if "setup" in m)
    p95 = percentile(every, .95)
    print(f"  {'all':<18} {len(every):>8} {total_errors:>6} {percentile(every, .5) * 1000:>8.0f} {p95 * 1000:>8.0f}"
          f"   ({len(every) / seconds:.1f} requests/s)")
    for m in messages[:10]:
        print(f"  error: {m}")
    return total_errors, p95


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--threads", type=int, default=None, help="the server's --threads [default: its own]")
    args = parser.parse_args(argv)

    data_dir = ensure_data()
    urls = page_urls(data_dir)
    extra = ["--threads", str(args.threads)] if args.threads else []
    print(f"load: {args.clients} clients, {args.seconds:.0f} s per run, {len(urls)} page callbacks, "
          f"{os.cpu_count()} cores, data {data_dir}")
    results = {}
    for name, signed_in, server_args in (("not signed in (loopback)", False, []),
                                         ("signed in (--require-login)", True, ["--require-login"])):
        with tempfile.TemporaryFile("w+") as log:
            port = free_port()
            proc = start_server(data_dir, port, server_args + extra, log)
            try:
                warm = Client(port)  # one render of each page first: first-visit costs are not the load
                if signed_in:
                    warm.sign_in()
                for _label, path, search in urls:
                    warm.request("POST", "/_dash-update-component", payload(path, search),
                                 {"Content-Type": "application/json"})
                warm.close()
                times, errors, messages = drive(port, urls, args.clients, args.seconds, signed_in)
                n_errors, p95 = report(name, times, errors, messages, args.seconds)
                cheap = cheap_p50(port, signed_in)
                results[name] = (n_errors, p95, cheap)
            finally:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                if proc.returncode not in (0, -15, None):
                    log.seek(0)
                    print(log.read()[-2000:])
    (_, _, plain), (_, _, signed) = results.values()
    print(f"\nsign-in cost per request: GET {CHEAP} p50 {plain * 1000:.1f} ms without sign-in, "
          f"{signed * 1000:.1f} ms signed in: {max(0.0, signed - plain) * 1000:.1f} ms added")
    ok = all(e == 0 and p95 < 1.0 for e, p95, _ in results.values()) and signed - plain < 0.010
    print("targets (0 errors, p95 < 1 s, sign-in < 10 ms):", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""Helpers for tests that drive a real dashboard server: a free port, start and wait, and an HTTP client.

Import what you need (``from server_helpers import running_server, Client``); no fixtures here.
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from corpus import ROOT

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

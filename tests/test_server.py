"""``trainlog dashboard`` on waitress: the start line, the Host allow-list, cross-site POSTs, errors as one line.

Against a real server process on a free loopback port (builders.running_server), except the
error handlers, which are checked on the Flask app directly.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys

import pytest
from builders import ROOT, Client, free_port, log_text, page_callback, running_server

from dashboards import auth
from dashboards.app import create_app
from trainlog.errors import InvalidValue
from trainlog.store.users import add_user


@pytest.fixture(scope="module")
def loopback(subset_dir, tmp_path_factory):
    """A loopback server (no sign-in) that also accepts the name coach.example: (base URL, log)."""
    data_dir = tmp_path_factory.mktemp("server") / "data"
    shutil.copytree(subset_dir, data_dir)
    with running_server(data_dir, "--allowed-host", "coach.example", "--threads", "4", "--timeout", "30") as running:
        yield running


def test_waitress_serves_and_says_so_in_one_line(loopback):
    base, log = loopback
    status, headers, _ = Client(base).get("/")
    assert status == 200 and headers["Server"] == "trainlog"  # waitress' ident, not Werkzeug's dev server
    first = log_text(log).splitlines()[0]
    assert first.startswith(f"trainlog dashboard on {base}/")
    assert "no sign-in (loopback)" in first and "4 threads" in first and "data: " in first


def test_pages_render_over_the_real_server(loopback):
    base, _ = loopback
    status, _, body = Client(base).post_json("/_dash-update-component", page_callback("/training", "?athlete=mara"))
    assert status == 200 and '"_pages_content"' in body and "mara" in body


@pytest.mark.parametrize("host, status", [
    ("127.0.0.1:{port}", 200), ("localhost:{port}", 200), ("localhost", 200), ("[::1]:{port}", 200),
    ("coach.example:{port}", 200), ("COACH.example", 200),
    ("evil.example", 400), ("evil.example:{port}", 400), ("127.0.0.1.evil.example", 400), ("", 400),
])
def test_host_allow_list(loopback, host, status):
    base, _ = loopback
    port = base.rsplit(":", 1)[1]
    got, _, body = Client(base).get("/_dash-layout", Host=host.format(port=port))
    assert got == status
    if status == 400:
        assert body.count("\n") == 1 and "is not allowed here" in body and "--allowed-host" in body


@pytest.mark.parametrize("origin, status", [
    (None, 200), ("http://127.0.0.1:{port}", 200), ("http://localhost:{port}", 200),
    ("http://evil.example", 403), ("https://127.0.0.1.evil.example", 403), ("null", 403),
])
def test_cross_site_posts_are_refused(loopback, origin, status):
    base, log = loopback
    port = base.rsplit(":", 1)[1]
    headers = {"Origin": origin.format(port=port)} if origin else {}
    got, _, body = Client(base).post_json("/_dash-update-component", page_callback("/", "?athlete=mara"), **headers)
    assert got == status
    if status == 403:
        assert body.startswith("trainlog: cross-site request from") and body.count("\n") == 1
        assert "refused cross-site POST /_dash-update-component" in log_text(log)


def test_cross_site_get_still_cannot_read_through_dns_rebinding(loopback):
    """A rebinding page sends its own name as Host: refused even for GET."""
    base, _ = loopback
    assert Client(base).get("/", Host="attacker.example:8050")[0] == 400


def test_no_sign_in_pages_on_loopback_without_require_login(loopback):
    base, _ = loopback
    status, headers, _ = Client(base).get("/login")
    assert status == 303 and headers["Location"] == "/"


def test_a_port_in_use_is_one_line(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        res = subprocess.run(
            [sys.executable, "-m", "trainlog", "dashboard", "--data-dir", str(tmp_path), "--port", str(port)],
            cwd=ROOT, capture_output=True, text=True, timeout=60,
        )
    assert res.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in res.stderr and "Traceback" not in res.stderr


def test_the_demo_imports_once_then_says_the_athletes_are_there(tmp_path):
    """The README's first command without the dashboard: the first run imports the sample athletes and prints
    their summaries; a later run says where they are, imports nothing and prints the same summaries."""
    def demo() -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "trainlog", "demo", "--no-dashboard", "--data-dir", str(tmp_path)],
                              cwd=ROOT, capture_output=True, text=True, timeout=600)

    first, later = demo(), demo()
    assert first.returncode == 0 and later.returncode == 0, (first.stderr, later.stderr)
    assert "importing the sample athletes" in first.stderr and "mara: 123 imported" in first.stderr
    assert later.stderr.strip() == f"the sample athletes are in {tmp_path}"
    assert later.stdout == first.stdout and "mara: summary" in first.stdout and "tom: summary" in first.stdout


@pytest.mark.parametrize("args, message", [(["--threads", "0"], "--threads"), (["--timeout", "0"], "--timeout")])
def test_server_options_are_checked(tmp_path, args, message):
    res = subprocess.run([sys.executable, "-m", "trainlog", "dashboard", "--data-dir", str(tmp_path),
                          "--port", str(free_port()), *args], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert res.returncode == 2 and message in res.stderr and "Traceback" not in res.stderr


def test_refusals_are_403_and_trainlog_errors_400_as_one_line(subset_dir, caplog):
    app = create_app(subset_dir)
    server = app.server

    @server.route("/_test/forbidden")
    def forbidden():
        raise PermissionError("user 'mara' may not see athlete 'tom'")

    @server.route("/_test/invalid")
    def invalid():
        raise InvalidValue("as_of: '20x6' is not a date (YYYY-MM-DD)")

    client = server.test_client()
    with caplog.at_level("WARNING", logger="trainlog.auth"):
        res = client.get("/_test/forbidden")
        assert res.status_code == 403 and res.text == "trainlog: user 'mara' may not see athlete 'tom'\n"
        res = client.get("/_test/invalid")
        assert res.status_code == 400 and res.text == "trainlog: as_of: '20x6' is not a date (YYYY-MM-DD)\n"
    assert [r.getMessage() for r in caplog.records] == [
        "403 GET /_test/forbidden: user 'mara' may not see athlete 'tom'",
        "400 GET /_test/invalid: as_of: '20x6' is not a date (YYYY-MM-DD)",
    ]
    assert all(r.exc_info is None for r in caplog.records)


@pytest.mark.parametrize("target, expected", [
    ("/goal?athlete=tom", "/goal?athlete=tom"), (None, "/"), ("", "/"), ("//evil.example", "/"),
    ("/\\evil.example", "/"), ("https://evil.example/x", "/"), ("/a\nb", "/"), ("goal", "/"),
])
def test_safe_next(target, expected):
    assert auth.safe_next(target) == expected


def test_secret_key_is_made_once_and_private(tmp_path):
    key = auth.secret_key(tmp_path)
    assert len(key) >= 32 and auth.secret_key(tmp_path) == key
    assert (tmp_path / auth.SECRET_KEY_FILE).stat().st_mode & 0o777 == 0o600


def test_behind_a_trusted_proxy_the_cookie_is_secure_and_the_client_address_is_logged(subset_dir, tmp_path):
    data_dir = tmp_path / "data"
    shutil.copytree(subset_dir, data_dir)
    add_user(data_dir, "coach1", "correct horse battery", "coach")
    with running_server(data_dir, "--require-login", "--trusted-proxy", "127.0.0.1") as (base, log):
        client = Client(base)
        proxied = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
        status, headers, _ = client.post_form("/login", {"username": "coach1", "password": "correct horse battery"},
                                              **proxied)
        assert status == 303 and "; Secure" in headers["Set-Cookie"]
        status, _, _ = client.post_form("/login", {"username": "coach1", "password": "wrong password"}, **proxied)
        assert status == 401
        assert "failed sign-in for user 'coach1' from 203.0.113.9" in log_text(log)

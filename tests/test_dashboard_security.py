"""The dashboard shared on a network: logins, roles, and text from FIT files shown as text."""

from __future__ import annotations

import base64
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request

import flask
import pytest

from corpus import ROOT, SAMPLE_FIT
from dashboards import data as dash_data
from dashboards.app import create_app, is_loopback
from conftest import CHROMIUM
from test_dashboard_e2e import free_port, sync_api, wait_for_server
from trainlog import Store, import_paths
from trainlog.errors import SettingsError
from trainlog.users import add_user, authenticate, load_users, users_path

HOSTILE = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=1</script>'
PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def two_athletes(tmp_path_factory):
    """mara and tom with two runs each, a coach and an athlete user."""
    data_dir = tmp_path_factory.mktemp("secure") / "data"
    store = Store(data_dir)
    for athlete in ("mara", "tom"):
        files = sorted((SAMPLE_FIT / athlete).glob("*.fit"))[:2]
        assert import_paths(store, files, athlete).ok
    add_user(data_dir, "coach1", PASSWORD, "coach")
    add_user(data_dir, "mara", PASSWORD, "athlete", athlete="mara")
    return data_dir


def test_passwords_are_stored_hashed(two_athletes):
    text = users_path(two_athletes).read_text()
    assert PASSWORD not in text and ("scrypt:" in text or "pbkdf2:" in text)
    users = load_users(two_athletes)
    assert authenticate(users, "coach1", PASSWORD).role == "coach"
    assert authenticate(users, "coach1", "wrong password") is None
    assert authenticate(users, "nobody", PASSWORD) is None


@pytest.mark.parametrize(
    "args, message",
    [
        (("x", "short", "coach"), "at least 8"),
        (("x", PASSWORD, "admin"), "role must be"),
        (("x", PASSWORD, "athlete"), "needs --athlete"),
        (("../x", PASSWORD, "coach"), "invalid athlete name"),
    ],
)
def test_bad_users_are_refused(tmp_path, args, message):
    with pytest.raises(Exception, match=message):
        add_user(tmp_path, *args)
    assert not users_path(tmp_path).exists()


def test_unreadable_users_file_is_an_error_and_left_alone(tmp_path):
    users_path(tmp_path).write_text("{broken")
    with pytest.raises(SettingsError, match="cannot read users"):
        load_users(tmp_path)
    assert users_path(tmp_path).read_text() == "{broken"


@pytest.mark.parametrize("host, loopback", [("127.0.0.1", True), ("127.0.0.2", True), ("::1", True),
                                            ("localhost", True), ("0.0.0.0", False), ("192.168.1.5", False),
                                            ("myhost.example", False)])
def test_loopback_detection(host, loopback):
    assert is_loopback(host) is loopback


def test_roles_decide_which_athletes_a_user_sees(two_athletes):
    app = create_app(two_athletes, users=load_users(two_athletes))
    users = load_users(two_athletes)
    data = dash_data.get()
    with app.server.test_request_context("/"):
        flask.g.user = users["coach1"]
        assert data.athletes() == ["mara", "tom"]
        data.check_access("tom")
        flask.g.user = users["mara"]
        assert data.athletes() == ["mara"]
        data.settings("mara")
        with pytest.raises(PermissionError):
            data.settings("tom")
        with pytest.raises(PermissionError):
            data.import_uploads("tom", [("a.fit", b"x")])
        with pytest.raises(PermissionError):
            data.import_samples()


def test_refuses_a_network_address_without_users(tmp_path):
    res = subprocess.run(
        [sys.executable, "-m", "trainlog", "dashboard", "--data-dir", str(tmp_path), "--host", "0.0.0.0",
         "--port", str(free_port())],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert res.returncode == 1
    assert "refusing to serve on 0.0.0.0" in res.stderr and "trainlog users add" in res.stderr
    assert "Traceback" not in res.stderr


def _get(url: str, user: str | None = None, password: str | None = None) -> int:
    request = urllib.request.Request(url)
    if user:
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except urllib.error.URLError:
        return 0  # not listening yet


def test_network_address_asks_every_request_to_sign_in(two_athletes, tmp_path):
    data_dir = tmp_path / "data"
    shutil.copytree(two_athletes, data_dir)
    port = free_port()
    command = [sys.executable, "-m", "trainlog", "dashboard", "--data-dir", str(data_dir), "--host", "0.0.0.0",
               "--port", str(port)]
    with open(tmp_path / "server.log", "w+") as log:
        proc = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(300):  # wait until it answers (401 counts as up)
                if _get(base + "/") in (200, 401):
                    break
                if proc.poll() is not None:
                    log.seek(0)
                    pytest.fail(log.read())
                time.sleep(0.2)
            assert _get(base + "/") == 401
            assert _get(base + "/_dash-layout") == 401
            assert _get(base + "/assets/style.css") == 401
            assert _get(base + "/", "coach1", "wrong password") == 401
            assert _get(base + "/", "coach1", PASSWORD) == 200
            assert _get(base + "/?athlete=mara", "mara", PASSWORD) == 200
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def _hostile_fit(path):
    """A real FIT activity (the project's encoder) whose device name holds HTML and script."""
    pytest.importorskip("garmin_fit_sdk", reason="the dev dependency garmin-fit-sdk writes the test file")
    import numpy as np

    from trainlog._fitwrite import Device, Recording, encode

    n = 120
    t = 1_760_000_000 + np.arange(n) * 5
    rec = Recording(
        time_unix_s=t, distance_m=np.arange(n) * 15.0, speed_mps=np.full(n, 3.0), energy_kcal=np.arange(n) * 0.5,
        sport="running", sub_sport="trail", utc_offset_end_s=-14400, hr_bpm=np.full(n, 140),
    )
    path.write_bytes(encode(rec, Device(manufacturer="development", product=1, product_name=HOSTILE)))


@pytest.mark.skipif(sync_api is None or CHROMIUM is None, reason="playwright or Debian's chromium is missing")
def test_strings_from_fit_files_are_shown_as_text(tmp_path, browser):
    data_dir = tmp_path / "data"
    hostile = tmp_path / f"{HOSTILE}.fit"
    try:
        _hostile_fit(hostile)
    except OSError:  # a file system that refuses such names: keep the content test
        hostile = tmp_path / "hostile.fit"
        _hostile_fit(hostile)
    store = Store(data_dir)
    report = import_paths(store, [hostile], "mara")
    assert report.counts()["imported"] == 1, report.results
    act = store.read("activities", "mara").row(0, named=True)
    assert act["device_product"] == HOSTILE
    port = free_port()
    command = [sys.executable, "-m", "trainlog", "dashboard", "--data-dir", str(data_dir), "--port", str(port)]
    with open(tmp_path / "server.log", "w+") as log:
        proc = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        try:
            base = wait_for_server(proc, port, log)
            page = browser.new_page()
            activity_url = f"{base}/activity/{act['activity_id']}?athlete=mara"
            for url in (f"{base}/activities?athlete=mara", activity_url):
                page.goto(url)
                page.wait_for_selector("main.main")
                page.wait_for_load_state("networkidle")
                assert page.evaluate("window.__pwned") is None
                assert page.locator("main img[src=x]").count() == 0
            page.goto(activity_url)
            page.wait_for_selector("#activity-source")
            assert HOSTILE in page.inner_text("#activity-source")
            page.close()
        finally:
            proc.terminate()
            proc.wait(timeout=10)

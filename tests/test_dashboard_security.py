"""The dashboard shared on a network: users, sign-in, roles, and text from FIT files shown as text.

Sign-in is tested over HTTP against a real server process (``trainlog dashboard``
on a free loopback port) with a cookie jar, and once in a real browser.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

import flask
import pytest
from builders import ROOT, SAMPLE_FIT, Client, free_port, log_text, page_callback, running_server

from dashboards import data as dash_data
from dashboards.app import create_app, is_loopback
from trainlog import Store, import_paths
from trainlog.errors import SettingsError
from trainlog.store.users import SignInThrottle, UserBook, add_user, authenticate, load_users, users_path

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


def test_users_file_on_a_full_disk_is_one_error_and_the_old_file_stays(tmp_path, monkeypatch):
    from trainlog import atomic

    add_user(tmp_path, "coach1", PASSWORD, "coach")
    before = users_path(tmp_path).read_bytes()

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.os, "open", full)
    with pytest.raises(SettingsError, match="cannot save users: No space left on device"):
        add_user(tmp_path, "coach2", PASSWORD, "coach")
    monkeypatch.undo()
    assert users_path(tmp_path).read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["users.json"]
    assert oct(users_path(tmp_path).stat().st_mode & 0o777) == "0o600"


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
    app = create_app(two_athletes, users=UserBook(two_athletes))
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


def test_unknown_names_verify_a_dummy_hash(two_athletes):
    """Unknown and known names cost one hash check each (the same time): names do not leak by timing."""
    users = load_users(two_athletes)
    checked = []

    def check(hash_, password):
        checked.append(hash_)
        return False

    assert authenticate(users, "coach1", "wrong password", check=check) is None
    assert authenticate(users, "nobody", "wrong password", check=check) is None
    assert authenticate(users, None, None, check=check) is None
    assert len(checked) == 3
    assert checked[0] == users["coach1"].password_hash
    assert checked[1] == checked[2] and checked[1] not in {u.password_hash for u in users.values()}
    assert checked[1].split("$")[0] == checked[0].split("$")[0]  # same method and cost as real hashes


def test_sign_in_throttle_backs_off_then_locks_out():
    now = [1000.0]
    throttle = SignInThrottle(free=5, lockout_after=20, lockout_s=900, first_wait_s=1, clock=lambda: now[0])
    for _ in range(5):
        assert throttle.retry_after("coach1", "10.0.0.1") == 0
        throttle.failed("coach1", "10.0.0.1")
    assert throttle.retry_after("coach1", "10.0.0.1") == 1  # then exponential: 1, 2, 4, ... s
    assert throttle.retry_after("coach1", "10.0.0.2") == 1  # per user, whatever the address
    assert throttle.retry_after("other", "10.0.0.1") == 1  # per address, whatever the name
    assert throttle.retry_after("other", "10.0.0.2") == 0
    count = 5
    while not throttle.locked(count):
        now[0] += throttle.retry_after("coach1", "10.0.0.1")
        count = throttle.failed("coach1", "10.0.0.1")
    assert count == 20
    assert throttle.retry_after("coach1", "10.0.0.9") == 900  # locked for 15 min
    now[0] += 899
    assert throttle.retry_after("coach1", "10.0.0.9") > 0
    now[0] += 1
    assert throttle.retry_after("coach1", "10.0.0.9") == 0  # forgotten after the lockout
    for _ in range(5):
        throttle.failed("tom", "10.0.0.3")
    assert throttle.retry_after("tom", "10.0.0.3") > 0
    throttle.succeeded("tom", "10.0.0.3")  # a success clears both counts
    throttle.failed("tom", "10.0.0.3")
    assert throttle.retry_after("tom", "10.0.0.3") == 0


def test_a_patient_guesser_is_locked_out():
    """Waiting out every back-off (up to 15 min) never resets the count: the 20th failure locks."""
    now = [1000.0]
    throttle = SignInThrottle(free=5, lockout_after=20, lockout_s=900, clock=lambda: now[0])
    count = 0
    for _ in range(20):
        now[0] += throttle.retry_after("coach1", "10.0.0.1")  # wait exactly as long as asked, as the server asks
        assert throttle.retry_after("coach1", "10.0.0.1") == 0
        count = throttle.failed("coach1", "10.0.0.1")
    assert throttle.locked(count) and throttle.retry_after("coach1", "10.0.0.1") == 900


def test_the_throttle_keeps_a_bounded_number_of_keys():
    throttle = SignInThrottle(max_keys=100)
    for i in range(1000):
        throttle.failed(f"name{i}", "10.0.0.1")
    assert len(throttle._failures) <= 100


def test_refuses_a_network_address_without_users(tmp_path):
    res = subprocess.run(
        [sys.executable, "-m", "trainlog", "dashboard", "--data-dir", str(tmp_path), "--host", "0.0.0.0",
         "--port", str(free_port())],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert res.returncode == 1
    assert "refusing to serve on 0.0.0.0" in res.stderr and "trainlog users add" in res.stderr
    assert "Traceback" not in res.stderr


def test_require_login_on_loopback_needs_users(tmp_path):
    res = subprocess.run(
        [sys.executable, "-m", "trainlog", "dashboard", "--data-dir", str(tmp_path), "--require-login",
         "--port", str(free_port())],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert res.returncode == 1
    assert "--require-login needs users" in res.stderr and "Traceback" not in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1


@pytest.fixture(scope="module")
def shared(two_athletes, tmp_path_factory):
    """A server on 0.0.0.0 (so sign-in is on) over a copy of two_athletes: (base URL, log, data dir)."""
    data_dir = tmp_path_factory.mktemp("shared") / "data"
    shutil.copytree(two_athletes, data_dir)
    with running_server(data_dir, "--host", "0.0.0.0") as (base, log):
        yield base, log, data_dir


def _signed_in(base: str, user: str) -> Client:
    client = Client(base)
    status, headers, _ = client.sign_in(user, PASSWORD)
    assert status == 303, (status, headers)
    return client


def test_pages_ask_to_sign_in_and_json_endpoints_answer_401(shared):
    base, _, _ = shared
    client = Client(base)
    status, headers, _ = client.get("/training?athlete=mara")
    assert status == 303 and headers["Location"] == "/login?next=%2Ftraining%3Fathlete%3Dmara"
    assert client.get("/assets/style.css")[0] == 303
    assert client.get("/_dash-layout")[0] == 401
    assert client.get("/_dash-dependencies")[0] == 401
    assert client.post_json("/_dash-update-component", page_callback("/", "?athlete=mara"))[0] == 401
    status, _, body = client.get("/login?next=/training%3Fathlete%3Dmara")
    assert status == 200 and '<form method="post" action="/login">' in body
    assert 'name="next" value="/training?athlete=mara"' in body
    assert "<script" not in body.lower()  # a plain form, works without JavaScript


def test_sign_in_sets_a_session_cookie_and_redirects_back(shared):
    base, _, _ = shared
    client = Client(base)
    status, headers, _ = client.sign_in("coach1", PASSWORD, "/goal?athlete=tom")
    assert status == 303 and headers["Location"] == "/goal?athlete=tom"
    cookie = headers["Set-Cookie"]
    assert cookie.startswith("trainlog_session=") and PASSWORD not in cookie
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain http on loopback: a Secure cookie would never come back
    assert client.get("/_dash-layout")[0] == 200
    status, _, body = client.post_json("/_dash-update-component", page_callback("/goal", "?athlete=tom"))
    assert status == 200 and "tom" in body
    assert "Sign out" in client.get("/_dash-layout")[2]


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:x"])
def test_sign_in_redirects_only_to_a_local_path(shared, target):
    base, _, _ = shared
    status, headers, _ = Client(base).sign_in("coach1", PASSWORD, target)
    assert status == 303 and headers["Location"] == "/"


def test_wrong_password_shows_the_form_again_with_an_error(shared):
    base, log, _ = shared
    client = Client(base)
    status, headers, body = client.sign_in("mara", "not the password", '/"><script>x</script>')
    assert status == 401 and "Set-Cookie" not in headers
    assert "Wrong user name or password." in body and 'value="mara"' in body
    assert "<script>x" not in body  # the next path is escaped (and refused: not a clean local path)
    assert client.get("/_dash-layout")[0] == 401
    assert re.search(r"failed sign-in for user 'mara' from 127\.0\.0\.1", log_text(log))


def test_an_athlete_user_gets_403_for_another_athlete(shared):
    base, log, _ = shared
    client = _signed_in(base, "mara")
    save_tom = {
        "output": "..settings-message.children...settings-message.className..",
        "outputs": [{"id": "settings-message", "property": "children"},
                    {"id": "settings-message", "property": "className"}],
        "inputs": [{"id": "settings-save", "property": "n_clicks", "value": 1}],
        "changedPropIds": ["settings-save.n_clicks"],
        "state": [{"id": "settings-athlete", "property": "data", "value": "tom"},
                  {"id": "settings-units", "property": "data", "value": "metric"}]
                 + [{"id": f"set-{k}", "property": "value", "value": None}
                    for k in ("sex", "hr_max", "hr_rest", "lthr", "pace", "weight", "timezone", "default_sport", "goal_name",
                              "goal_ascent", "goal_distance", "goal_hours", "goal_loops")]
                 + [{"id": "set-goal_date", "property": "value", "value": None}],
    }
    status, _, body = client.post_json("/_dash-update-component", save_tom)
    assert status == 403
    assert body.strip() == "trainlog: user 'mara' may not see athlete 'tom'"
    status, _, body = client.post_json("/_dash-update-component", page_callback("/activities", "?athlete=tom"))
    assert status == 200
    tom_files = [f.stem for f in sorted((SAMPLE_FIT / "tom").glob("*.fit"))[:2]]
    mara_files = [f.stem for f in sorted((SAMPLE_FIT / "mara").glob("*.fit"))[:2]]
    assert not any(name in body for name in tom_files)  # her own activities instead, never tom's
    assert all(name in body for name in mara_files)
    text = log_text(log)
    assert "403 POST /_dash-update-component: user 'mara' may not see athlete 'tom'" in text
    assert "Traceback" not in text and "PermissionError" not in text


def thresholds_call(athlete: str, pressed: str | None = None, **typed: str) -> dict:
    """The POST /_dash-update-component of the Settings page's thresholds form: its button pressed with
    ``typed`` (``from_`` is the day), or the Remove button of the change of day ``pressed``."""
    fields = ("from", "hr_max", "hr_rest", "lthr", "pace", "ftp", "weight")
    outputs = [("thr-table", "children"), ("thr-message", "children"), ("thr-message", "className"),
               *((f"thr-{k}", "value") for k in fields)]
    remove = [] if pressed is None else [{"id": {"day": pressed, "type": "thr-remove"}, "property": "n_clicks",
                                          "value": 1}]
    return {
        "output": "..{}..".format("...".join(f"{i}.{p}" for i, p in outputs)),
        "outputs": [{"id": i, "property": p} for i, p in outputs],
        "inputs": [{"id": "thr-add", "property": "n_clicks", "value": None if pressed else 1}, remove],
        "changedPropIds": [f'{{"day":"{pressed}","type":"thr-remove"}}.n_clicks' if pressed else "thr-add.n_clicks"],
        "state": [{"id": "settings-athlete", "property": "data", "value": athlete},
                  {"id": "settings-units", "property": "data", "value": "metric"}]
                 + [{"id": f"thr-{k}", "property": "value", "value": typed.get(k + ("_" if k == "from" else ""), "")}
                    for k in fields],
    }


def test_an_athlete_user_changes_only_her_own_thresholds(shared):
    """The thresholds form saves through data.save_settings: mara, signed in, adds and removes a dated change of
    her own; the same request for tom is answered 403 and his settings file stays as it was."""
    base, log, data_dir = shared
    client = _signed_in(base, "mara")
    tom = Store(data_dir).settings_path("tom")
    tom_before = tom.read_bytes() if tom.exists() else None
    for call in (thresholds_call("tom", from_="2026-01-10", lthr="150"), thresholds_call("tom", "2026-01-10")):
        status, _, body = client.post_json("/_dash-update-component", call)
        assert status == 403 and body.strip() == "trainlog: user 'mara' may not see athlete 'tom'"
    assert (tom.read_bytes() if tom.exists() else None) == tom_before
    status, _, body = client.post_json("/_dash-update-component", thresholds_call("mara", from_="2026-01-10",
                                                                                   lthr="150"))
    assert status == 200 and "Saved from Sat 10 Jan 2026: threshold heart rate 150 bpm" in body, body
    mara = Store(data_dir).settings_path("mara")
    assert json.loads(mara.read_text())["thresholds"] == [{"from": "2026-01-10", "lthr_bpm": 150.0}]
    status, _, body = client.post_json("/_dash-update-component", thresholds_call("mara", "2026-01-10"))
    assert status == 200 and "Removed the change from Sat 10 Jan 2026" in body, body
    assert json.loads(mara.read_text())["thresholds"] == []
    assert "Traceback" not in log_text(log)


def test_sign_out_ends_the_session_even_for_a_copied_cookie(shared):
    base, _, _ = shared
    client = _signed_in(base, "coach1")
    copy = Client(base)
    for cookie in client.jar:
        copy.jar.set_cookie(cookie)
    assert copy.get("/_dash-layout")[0] == 200
    status, headers, _ = client.get("/logout")
    assert status == 303 and headers["Location"] == "/login"
    assert client.get("/_dash-layout")[0] == 401
    assert copy.get("/_dash-layout")[0] == 401  # the old cookie is refused too


def test_a_removed_user_or_a_new_password_signs_out(shared):
    base, _, data_dir = shared
    cli = [sys.executable, "-m", "trainlog"]
    for name in ("leaver", "changer"):
        subprocess.run([*cli, "users", "add", name, "--role", "coach", "--password-stdin", "--data-dir", str(data_dir)],
                       input=PASSWORD + "\n", cwd=ROOT, check=True, capture_output=True, text=True, timeout=60)
    leaver, changer = _signed_in(base, "leaver"), _signed_in(base, "changer")
    assert leaver.get("/_dash-layout")[0] == 200 and changer.get("/_dash-layout")[0] == 200
    subprocess.run([*cli, "users", "remove", "leaver", "--data-dir", str(data_dir)], cwd=ROOT, check=True,
                   capture_output=True, timeout=60)
    subprocess.run([*cli, "users", "add", "changer", "--role", "coach", "--password-stdin", "--data-dir", str(data_dir)],
                   input="another password\n", cwd=ROOT, check=True, capture_output=True, text=True, timeout=60)
    assert leaver.get("/_dash-layout")[0] == 401
    assert changer.get("/_dash-layout")[0] == 401
    assert Client(base).sign_in("leaver", PASSWORD)[0] == 401


def test_repeated_failures_are_refused_with_429_without_checking_the_password(two_athletes, tmp_path):
    data_dir = tmp_path / "data"
    shutil.copytree(two_athletes, data_dir)
    with running_server(data_dir, "--require-login") as (base, log):
        client = Client(base)
        assert [client.sign_in("coach1", f"wrong {i}")[0] for i in range(5)] == [401] * 5
        status, headers, body = client.sign_in("coach1", PASSWORD)  # right, but too soon
        assert status == 429 and "Too many attempts, try again in" in body and int(headers["Retry-After"]) >= 1
        status, _, _ = client.sign_in("someone-else", "wrong again")  # the same address: also refused
        assert status == 429
        text = log_text(log)
        assert len(re.findall(r"failed sign-in for user '[^']+' from 127\.0\.0\.1", text)) == 5  # no 6th check
        assert len(re.findall(r"sign-in refused \(too many attempts\)", text)) == 2
        assert client.get("/_dash-layout")[0] == 401


def test_sign_in_and_out_in_a_browser(two_athletes, tmp_path, browser):
    data_dir = tmp_path / "data"
    shutil.copytree(two_athletes, data_dir)
    with running_server(data_dir, "--require-login") as (base, _):
        page = browser.new_page()
        page.goto(f"{base}/?athlete=mara")
        assert "/login" in page.url
        page.fill("#username", "mara")
        page.fill("#password", "wrong password")
        page.click("#sign-in")
        assert "Wrong user name or password" in page.inner_text("#login-error")
        page.fill("#password", PASSWORD)
        page.click("#sign-in")
        page.wait_for_selector("#today-ctl")
        assert page.url == f"{base}/?athlete=mara"
        assert "Signed in as mara" in page.inner_text("#sign-out >> xpath=..")
        page.click("#sign-out")
        page.wait_for_selector("#login-form, form[action='/login']")
        page.goto(f"{base}/?athlete=mara")
        assert "/login" in page.url
        page.close()


def _hostile_fit(path):
    """A real FIT activity (the project's encoder) whose device name holds HTML and script."""
    pytest.importorskip("garmin_fit_sdk", reason="the dev dependency garmin-fit-sdk writes the test file")
    import numpy as np

    from trainlog_dev.fitwrite import Device, Recording, encode

    n = 120
    t = 1_760_000_000 + np.arange(n) * 5
    rec = Recording(
        time_unix_s=t, distance_m=np.arange(n) * 15.0, speed_mps=np.full(n, 3.0), energy_kcal=np.arange(n) * 0.5,
        sport="running", sub_sport="trail", utc_offset_end_s=-14400, hr_bpm=np.full(n, 140),
    )
    path.write_bytes(encode(rec, Device(manufacturer="development", product=1, product_name=HOSTILE)))


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
    with running_server(data_dir) as (base, _):
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

"""Hostile and unlucky URLs against a real dashboard server (a subprocess on a free loopback port).

Every page is rendered the way a browser asks for it, through Dash's page
callback (``POST /_dash-update-component`` with the URL's path and query): a
date far in the future or past, a range of thousands of years, garbage, an
unknown athlete or activity, a damaged settings file: each answers HTTP 200 with
a message on the page, a bounded response, and no traceback in the server's log.
The cache's memory budget is checked on the cache itself.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import urllib.error
import urllib.request

import polars as pl
import pytest
from builders import SCREENSHOTS, page_callback, running_server

from dashboards import data, shell
from trainlog import Store

#: Largest response a page may send (the 59 h Barkley activity page is about 0.25 MB).
MAX_RESPONSE_BYTES = 2 * 2**20
@pytest.fixture(scope="module")
def server(subset_dir, tmp_path_factory):
    """A dashboard over a copy of the subset plus "zz-broken", an athlete whose settings.json is garbage:
    the base URL, the data directory and the server's log file."""
    data_dir = tmp_path_factory.mktemp("urls") / "data"
    shutil.copytree(subset_dir, data_dir)
    broken = Store(data_dir).settings_path("zz-broken")
    shutil.copytree(Store(data_dir).settings_path("tom").parent, broken.parent)
    broken.write_text("{not json")
    log_path = data_dir.parent / "server.log"
    with running_server(data_dir, log_path=log_path) as (base, _log):
        yield base, data_dir, log_path


def render(base: str, path: str, search: str = "") -> tuple[int, bytes]:
    """The status and body of the page callback for ``path`` + ``search``."""
    request = urllib.request.Request(base + "/_dash-update-component", json.dumps(page_callback(path, search)).encode(),
                                     {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def texts(body: bytes) -> str:
    """Every string in a page-callback answer, joined (what the page says)."""
    found = []

    def walk(node):
        if isinstance(node, str):
            found.append(node)
        elif isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(body))
    return "\n".join(found)


HOSTILE = [
    ("/", "?athlete=mara&as_of=9999-12-31", "outside the supported range"),
    ("/", "?athlete=mara&as_of=0001-01-01", "outside the supported range"),
    ("/", "?athlete=mara&as_of=garbage", "is not a date"),
    ("/goal", "?athlete=mara&as_of=99999-01-01", "is not a date"),
    ("/goal", "?athlete=tom&as_of=2100-12-31", "instead of 2100-12-31"),
    ("/training", "?athlete=mara&from=1970-01-01&to=2100-12-31", "instead of 1970-01-01"),
    ("/fatigue", "?athlete=mara&from=1970-01-01&to=2100-12-31", "instead of 2100-12-31"),
    ("/fatigue", "?athlete=mara&from=2026-03-10&to=2026-02-20", "ends before it starts"),
    ("/activities", "?athlete=tom&from=1970-01-01&to=2100-12-31&units=furlongs", "Unknown units"),
    ("/", "?athlete=%3Cscript%3Ealert(1)%3C/script%3E", "There is no athlete '<script>alert(1)</script>'"),
    ("/coach", "?compare=a&compare=b&as_of=-1", "is not a date"),
    ("/coach", "", "zz-broken: "),  # one athlete's damaged settings: their row says so, the others show
    ("/activity/%3Cimg%20src=x%3E", "?athlete=mara", "has no activity '%3Cimg%20src=x%3E'"),
    ("/activity/x", "?athlete=mara&as_of=1970-01-01", "Activity not found"),
    ("/upload", "?athlete=mara&job=../../etc", "not known to this server"),
]


@pytest.mark.parametrize("path, search, message", HOSTILE, ids=[p + s for p, s, _ in HOSTILE])
def test_a_hostile_url_gives_a_message_and_a_bounded_page(server, path, search, message):
    base, _, _ = server
    status, body = render(base, path, search)
    assert status == 200, body[:500]
    assert len(body) < MAX_RESPONSE_BYTES
    assert message in texts(body)


def test_a_damaged_settings_file_shows_one_line_on_the_page(server):
    base, data_dir, _ = server
    for path in ("/", "/training", "/fatigue", "/goal", "/activities"):
        status, body = render(base, path, "?athlete=zz-broken")
        assert status == 200, body[:500]
        shown = texts(body)
        assert "This page cannot be shown" in shown and "settings" in shown.lower(), shown
        assert "Traceback" not in shown


def test_the_longest_activity_page_is_bounded(server):
    """Mara's 59 h Barkley file: every per-sample trace downsampled, the page well under the bound."""
    base, data_dir, _ = server
    activities = Store(data_dir).read("activities", "mara")
    longest = activities.sort("elapsed_s")["activity_id"][-1]
    status, body = render(base, f"/activity/{longest}", "?athlete=mara")
    assert status == 200 and len(body) < MAX_RESPONSE_BYTES
    assert "Activity not found" not in texts(body)


# ---- the view, the span and the cache, in process

def test_dates_are_clamped_to_the_athletes_span(subset_dir):
    source = data.use(subset_dir)
    today = dt.date(2026, 7, 1)
    first, last = source.span("tom", today)
    assert first < dt.date(2026, 6, 6) and last >= today
    v = shell.view({"athlete": "tom", "as_of": "2100-12-31", "from": "1970-01-01", "to": "2099-01-01"}, today=today)
    assert v.as_of == last and v.start == first and v.end == last and len(v.notes) == 3
    assert v.query == {"athlete": "tom", "as_of": last.isoformat(), "from": first.isoformat(), "to": last.isoformat()}
    garbage = shell.view({"athlete": ["tom", "mara"], "as_of": "2026-13-01", "units": "x"}, today=today)
    assert garbage.athlete == "mara" and garbage.as_of_default and "as_of" not in garbage.query
    assert any("is not a date" in n for n in garbage.notes) and any("Unknown units" in n for n in garbage.notes)


def test_many_distinct_days_keep_the_cache_within_its_budget(subset_dir):
    """Days after the data extend the daily series (a frame per day asked for): the budget holds them."""
    probe = data.Data(subset_dir)
    probe.summary("mara", dt.date(2026, 3, 15))
    entry = probe.cache.nbytes  # the athlete's frames and base analysis
    budget = entry + 2 * 2**20
    source = data.Data(subset_dir, cache_bytes=budget)
    days = [dt.date(2026, 3, 15) + dt.timedelta(days=30 * k) for k in range(1, 60)]  # to 2031
    sizes = []
    for day in days:
        source.summary("mara", day)
        source.daily("mara", day)
        sizes.append(source.cache.nbytes)
    assert max(sizes) <= budget
    assert sizes[-1] > entry  # it does cache
    assert len(source.cache) < 2 * len(days)  # least recently used entries went
    assert source.cache.get(("summary", "mara", source._athlete("mara").key, days[-1])) is not None


def test_byte_cache_evicts_least_recently_used():
    cache = data.ByteCache(budget=3000)
    frame = pl.DataFrame({"x": list(range(100))})  # 800 bytes
    for key in "abc":
        cache.put(key, frame)
    cache.get("a")  # now b is the least recently used
    cache.put("d", frame)
    assert cache.get("b") is None and cache.get("a") is not None and cache.nbytes <= 3000
    cache.put("huge", pl.DataFrame({"x": list(range(10_000))}))  # larger than the budget: not kept
    assert cache.get("huge") is None and cache.nbytes <= 3000


# ---- in a real browser: the note shows, the page works, no console error

def test_a_far_date_shows_its_note_in_the_browser(server, browser):
    """(The range picker then writes the clamped from/to into the URL; the as_of note stays.)"""
    base, _, _ = server
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(base + "/fatigue?athlete=mara&from=1970-01-01&to=2100-12-31&as_of=9999-12-31")
    page.wait_for_selector("#url-notes")
    page.wait_for_selector("#fatigue-pmc .main-svg")
    page.wait_for_load_state("networkidle")
    assert "outside the supported range" in page.inner_text("#url-notes")
    page.screenshot(path=SCREENSHOTS / "url-notes.png", full_page=True)
    assert not errors, errors
    page.close()


def test_the_server_logged_no_traceback(server):
    """Run last in this module: nothing above made the server fail."""
    base, _, log_path = server
    for path, search, _ in HOSTILE:
        render(base, path, search)
    assert "Traceback" not in log_path.read_text()

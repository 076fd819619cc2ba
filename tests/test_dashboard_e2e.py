"""End to end: a real dashboard server (a subprocess on a free port) driven by a real headless Chromium.

Every page loads without browser console errors, at desktop and phone width (no
horizontal scrolling at 390 px); Today and Goal show what trainlog.analysis.pipeline.summary
computes; a FIT file uploaded through the page appears in Activities. Screenshots
of every page go to ``$TRAINLOG_ARTIFACTS/screenshots`` (default
``artifacts/screenshots``); the folder is printed at the end of the run.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from builders import MARA_DAY, PAGES, SCREENSHOTS, UPLOAD_FILE, open_page, running_server, served_copy

from dashboards import readings
from dashboards import units as u
from trainlog import Store
from trainlog.analysis import pipeline as report
from trainlog.analysis.stored import metrics_of
from trainlog.settings import load_settings

#: conftest's browser fixture first, before a server starts: it skips these tests without Chromium or Playwright.
pytestmark = pytest.mark.usefixtures("browser")

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
#: Importing all of sample_fit/ takes about 30 s on two cores.
SAMPLE_IMPORT_S = 300


@pytest.fixture(scope="session")
def server(subset_dir, tmp_path_factory):
    """A dashboard server over a copy of the sample subset: its base URL and data directory."""
    with served_copy(subset_dir, tmp_path_factory.mktemp("e2e") / "data") as served:
        yield served



def visit(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("main.main")
    page.wait_for_load_state("networkidle")


def library_summary(data_dir: Path, athlete: str, day: str) -> dict:
    store = Store(data_dir)
    settings = load_settings(store.settings_path(athlete))
    return report.summary(store.read("activities", athlete), store.read("samples", athlete), settings,
                          dt.date.fromisoformat(day))


def history_band(data_dir: Path, athlete: str, day: str, s: dict) -> str | None:
    """What Today shows instead of a band in the cold start ("building history (day N of 42)"), else None."""
    if not s["form"]["building_history"]:
        return None
    first = metrics_of(Store(data_dir), athlete)["start_date"].min()  # day 1
    assert s["form"]["history_day"] == (dt.date.fromisoformat(day) - first).days + 1
    return f"building history (day {s['form']['history_day']} of {s['form']['history_days']})"


def shown(page, element_id: str) -> str:
    return page.inner_text(f"#{element_id}").strip()


def as_number(text: str) -> float:
    return float(re.sub(r"[^0-9.\-]", "", text.replace("−", "-")))


@pytest.fixture(scope="session")
def desktop(browser):
    page, errors = open_page(browser, DESKTOP)
    yield page, errors
    page.close()


@pytest.mark.parametrize("name", PAGES)
def test_page_loads_without_console_errors(server, desktop, name):
    base, _ = server
    page, errors = desktop
    errors.clear()
    visit(page, base + PAGES[name])
    page.wait_for_timeout(300)  # let the graphs draw for the screenshot
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
    assert page.locator(".nav-link.active").count() == 1
    assert not errors, errors


@pytest.mark.parametrize("name", PAGES)
def test_phone_width_has_no_horizontal_scrolling(server, browser, name):
    base, _ = server
    page, errors = open_page(browser, PHONE)
    visit(page, base + PAGES[name])
    page.screenshot(path=SCREENSHOTS / f"{name}-phone.png", full_page=True)
    scroll_width, width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    # every page's link is on screen (not hidden in a sideways-scrolling bar)
    nav_right = page.evaluate("Math.max(...[...document.querySelectorAll('.nav-link')]"
                              ".map(a => a.getBoundingClientRect().right))")
    # every graph stays inside its card
    overflowing = page.evaluate("""[...document.querySelectorAll('.main-svg')].filter(svg => {
        const card = svg.closest('.card'); if (!card) return false;
        return svg.getBoundingClientRect().right > card.getBoundingClientRect().right + 1;
    }).length""")
    page.close()
    assert scroll_width <= width
    assert nav_right <= width
    assert overflowing == 0
    assert not errors, errors


def test_activity_page_loads_without_console_errors(server, desktop):
    base, _ = server
    page, errors = desktop
    errors.clear()
    visit(page, base + "/activities?athlete=mara")
    page.locator("#activities-table a").first.click()
    page.wait_for_selector("#activity-track .main-svg")
    page.wait_for_load_state("networkidle")
    page.screenshot(path=SCREENSHOTS / "activity.png", full_page=True)
    assert shown(page, "activity-ascent").endswith(" m")
    assert not errors, errors


def test_activities_table_filters_and_sorts(server, desktop):
    base, data_dir = server
    page, errors = desktop
    errors.clear()
    visit(page, base + "/activities?athlete=mara")
    rows = page.locator("#activities-table .ag-center-cols-container .ag-row")
    per = metrics_of(Store(data_dir), "mara")  # the ascents the table shows, rounded to the metre
    at_least = per.filter(per["ascent_m"].round(0) >= 1000).height
    assert 0 < at_least < per.height
    ascent_filter = page.locator('.ag-floating-filter[col-id="ascent"] input[type=number]')
    ascent_filter.fill("1000")  # numbers filter "at least"
    row_count = "document.querySelectorAll('#activities-table .ag-center-cols-container .ag-row').length"
    page.wait_for_function(f"{row_count} == {at_least}")
    shown_ascents = [float(t) for t in rows.locator('[col-id="ascent"]').all_inner_texts()]
    assert len(shown_ascents) == at_least and min(shown_ascents) >= 1000
    page.locator('.ag-header-cell[col-id="ascent"] .ag-header-cell-label').click()  # sort ascending
    page.wait_for_selector('.ag-header-cell[col-id="ascent"][aria-sort="ascending"]')
    # the grid keeps its DOM order and places rows by row-index
    in_order = """[...document.querySelectorAll('#activities-table .ag-center-cols-container .ag-row')]
        .sort((a, b) => a.getAttribute('row-index') - b.getAttribute('row-index'))
        .map(r => +r.querySelector('[col-id="ascent"]').innerText)"""
    page.wait_for_function(f"(() => {{ const v = {in_order}; return v.every((x, i) => !i || v[i - 1] <= x); }})()")
    shown_ascents = page.evaluate(in_order)
    assert len(shown_ascents) == at_least and shown_ascents == sorted(shown_ascents)
    assert not errors, errors


def test_today_shows_what_the_library_computes(server, desktop):
    base, data_dir = server
    page, errors = desktop
    visit(page, base + PAGES["today"])
    s = library_summary(data_dir, "mara", MARA_DAY)
    expected = {
        "today-ctl": u.number(s["form"]["ctl"]),
        "today-atl": u.number(s["form"]["atl"]),
        "today-tsb": u.number(s["form"]["tsb"]),
        "today-form-band": history_band(data_dir, "mara", MARA_DAY, s) or s["form"]["band"],
        "today-acwr": u.number(s["acwr"]["value"], 2),
        "today-acwr-band": history_band(data_dir, "mara", MARA_DAY, s) or s["acwr"]["band"],
        "today-week-distance": u.fmt_distance(s["this_week"]["distance_m"], u.METRIC),
        "today-week-time": u.fmt_duration(s["this_week"]["moving_s"]),
        "today-week-ascent": u.fmt_elevation(s["this_week"]["ascent_m"], u.METRIC),
        "today-week-descent": u.fmt_elevation(s["this_week"]["descent_m"], u.METRIC),
        "today-best-7day": u.fmt_elevation(s["goal"]["best_7day_ascent_m"], u.METRIC),
        "today-best-window": u.fmt_elevation(s["goal"]["best_window_ascent_m"], u.METRIC),
    }
    assert {key: shown(page, key) for key in expected} == expected
    assert as_number(shown(page, "today-ctl")) == pytest.approx(s["form"]["ctl"], abs=0.5)
    assert as_number(shown(page, "today-best-window")) == pytest.approx(s["goal"]["best_window_ascent_m"], abs=0.5)
    assert shown(page, "today-title") == "mara, Sun 15 Mar 2026 (last day with training)"
    assert shown(page, "as-of-note").startswith("Show today, ")  # the one link to the other day, naming it
    # every figure says what it is: a caption with its unit, and a disclosure that opens on a click
    assert "Your 6-week average daily load, in load points a day." in page.inner_text("main")
    about = page.locator("details.explain", has=page.locator("summary", has_text="What is fitness?"))
    assert not about.locator(".explain-source").is_visible()
    about.locator("summary").click()
    assert about.locator(".explain-source").is_visible()
    assert "Banister" in about.locator(".explain-source").inner_text()


def test_today_without_a_date_says_which_day_it_shows(server, desktop):
    base, data_dir = server
    page, errors = desktop
    visit(page, base + "/?athlete=tom")
    title = shown(page, "today-title")  # "tom, Sat 27 Jun 2026 (last day with training)"
    last_day = Store(data_dir).read("activities", "tom")["start_utc"].max().date()
    assert ("(last day with training)" in title) == ((dt.date.today() - last_day).days > 14)
    day = dt.datetime.strptime(re.search(r"\w{3} \d{1,2} \w{3} \d{4}", title).group(), "%a %d %b %Y").date()
    s = library_summary(data_dir, "tom", day.isoformat())
    assert shown(page, "today-ctl") == u.number(s["form"]["ctl"])


def test_goal_shows_what_the_library_computes(server, desktop):
    base, data_dir = server
    page, errors = desktop
    visit(page, base + PAGES["goal"])
    g = library_summary(data_dir, "mara", MARA_DAY)["goal"]
    trend_weeks = load_settings(Store(data_dir).settings_path("mara")).model.trend_weeks
    expected = {
        "goal-ascent": u.fmt_elevation(g["ascent_m"], u.METRIC),
        "goal-best-7day": u.fmt_elevation(g["best_7day_ascent_m"], u.METRIC),
        "goal-best-window": u.fmt_elevation(g["best_window_ascent_m"], u.METRIC),
        "goal-biggest": u.fmt_elevation(g["biggest_activity_ascent_m"], u.METRIC),
        "goal-current": u.fmt_elevation(g["current_weekly_ascent_m"], u.METRIC),
        # the race week climbed the goal's ascent: both say "reached" (issue 14: no contradiction)
        "goal-needed": readings.needed_words(g, u.METRIC)[0],
        "goal-projected": readings.projection_words(g, dt.date.fromisoformat(MARA_DAY), trend_weeks)[0],
    }
    assert {key: shown(page, key) for key in expected} == expected


def test_units_switch_goes_into_the_url(server, desktop):
    base, data_dir = server
    page, errors = desktop
    visit(page, base + PAGES["today"])
    page.click("#units-imperial")
    page.wait_for_url(re.compile(r"units=imperial"))
    page.wait_for_function("document.querySelector('#today-week-distance').innerText.endsWith(' mi')")
    s = library_summary(data_dir, "mara", MARA_DAY)
    assert shown(page, "today-week-distance") == u.fmt_distance(s["this_week"]["distance_m"], u.IMPERIAL)
    assert f"as_of={MARA_DAY}" in page.url


def test_uploaded_fit_file_appears_in_activities(server, browser):
    base, data_dir = server
    page, errors = open_page(browser, DESKTOP)
    visit(page, base + "/upload")
    page.fill("#upload-athlete", "e2e-upload")
    page.press("#upload-athlete", "Enter")
    page.set_input_files("#upload-input", str(UPLOAD_FILE))  # upload.js posts it to /upload/files
    page.wait_for_selector("#upload-done", timeout=60_000)
    assert "1 imported" in shown(page, "upload-done")
    assert UPLOAD_FILE.name in shown(page, "upload-table")
    page.screenshot(path=SCREENSHOTS / "upload-done.png", full_page=True)
    page.get_by_text("See the activities").click()
    page.wait_for_selector("#activities-table")
    page.wait_for_load_state("networkidle")
    assert UPLOAD_FILE.stem in page.inner_text("#activities-table")
    assert "e2e-upload" in page.url
    assert not errors, errors
    page.close()


def test_empty_data_directory_offers_and_loads_the_sample_athletes(browser, tmp_path):
    """The first-run path: a button imports the bundled sample athletes in the background."""
    with running_server(tmp_path / "data") as (base, _):
        page, errors = open_page(browser, PHONE)
        visit(page, base + "/")
        page.screenshot(path=SCREENSHOTS / "empty-phone.png", full_page=True)
        page.click("#load-samples")
        page.wait_for_selector("#today-ctl", timeout=SAMPLE_IMPORT_S * 1000)
        assert "athlete=" in page.url
        assert not errors, errors
        page.close()

"""The dashboard for everyone: axe-core on every page, the keyboard alone, and graphs a screen reader can read.

A real dashboard server (a subprocess on a free port) and Debian's headless Chromium:

- axe-core (vendored, pinned: ``tests/vendor/axe-core``) checks every page at desktop (1280 px) and phone
  (390 px) width against WCAG 2.1 A and AA; a serious or critical violation fails. Each page's report
  (every violation, whatever its impact) is saved as JSON beside the screenshots, in
  ``$TRAINLOG_ARTIFACTS/accessibility`` (default ``artifacts/accessibility``).
- A keyboard-only walk: open an activity from the Activities table, change athlete, day and units,
  upload a file, with Tab, the arrow keys, Enter and Space alone; focus is visible at every step and
  never dropped to the page body.
- Every graph on every page has an accessible name (a one-sentence summary) and its data as a table.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re

import pytest
from builders import (
    MARA_DAY,
    PAGES,
    SCREENSHOTS,
    UPLOAD_FILE,
    VENDOR,
    open_page,
    sample_wellness,
    served_copy,
    write_wellness,
)

from trainlog.analysis.stored import save_settings_of, settings_of
from trainlog.ingest.watch import save_state
from trainlog.store import Store

#: conftest's browser fixture first, before a server starts: it skips these tests without Chromium or Playwright.
pytestmark = pytest.mark.usefixtures("browser")

AXE = VENDOR / "axe-core" / "axe.min.js"
AXE_SHA256 = "7dbfabdfc6062936d79c873ddbb5f811a1219fca3928bd8cc9dd81f1e65f4720"  # axe-core 4.11.1
#: The rules run: WCAG 2.0 and 2.1, levels A and AA.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING = ("serious", "critical")
REPORTS = SCREENSHOTS.parent / "accessibility"
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
#: Keys pressed at most to reach one control (a guard against a focus trap, not a timing).
MAX_PRESSES = 80


@pytest.fixture(scope="module")
def server(subset_dir, tmp_path_factory):
    """A dashboard server over a copy of the sample subset (the keyboard walk uploads a file to it), with two
    folders watched for mara (the Settings page's table: one with its last import, one unplugged) and 30 mornings
    of her wellness (the Wellness page's graphs, Today's readiness), and a threshold change from 1 March (the
    Settings page's thresholds over time)."""
    with served_copy(subset_dir, tmp_path_factory.mktemp("a11y") / "data") as (base, copy):
        save_state(Store(copy), "mara", [
            {"path": "/media/GARMIN/Garmin/Activity", "last_scan": "2026-03-15T10:05:00+00:00",
             "last_import": "2026-03-15T10:04:00+00:00", "last_file": "2026-03-15_0600_running.fit",
             "last_outcome": "imported", "last_detail": "running, 12.3 km", "problem": None},
            {"path": "/home/mara/Dropbox/Garmin", "last_scan": "2026-03-15T10:05:00+00:00",
             "problem": "no such file or directory"},
        ])
        write_wellness(Store(copy), "mara", sample_wellness(dt.date.fromisoformat(MARA_DAY), 30))
        settings = settings_of(Store(copy), "mara")  # a dated change: the Settings page's table and Remove button
        save_settings_of(Store(copy), "mara", settings.with_change(dt.date(2026, 3, 1), {"lthr_bpm": 170.0}))
        yield base


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: see tests/vendor/axe-core/README.md")
    source = AXE.read_bytes()
    assert hashlib.sha256(source).hexdigest() == AXE_SHA256, f"{AXE} is not axe-core 4.11.1 as vendored"
    return source.decode()


#: Every chart's data table drawn by the browser from its rows (assets/tables.js: it has its caption then).
TABLES = "[...document.querySelectorAll('.chart-data table')].every(t => t.querySelector('caption'))"


def visit(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("main.main h1")
    page.wait_for_load_state("networkidle")
    page.wait_for_function(TABLES)


def axe_violations(page, axe_source: str) -> list[dict]:
    """Every violation axe-core finds on the page as it is now, with its impact, rule and elements."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe_source)
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"], "helpUrl": v["helpUrl"],
             "nodes": [{"target": n["target"], "summary": n["failureSummary"]} for n in v["nodes"]]}
            for v in result["violations"]]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_no_serious_violation(server, browser, axe_source, name, width):
    page, errors = open_page(browser, WIDTHS[width])
    visit(page, server + PAGES[name])
    violations = axe_violations(page, axe_source)
    REPORTS.mkdir(parents=True, exist_ok=True)
    (REPORTS / f"{name}-{width}.json").write_text(json.dumps(
        {"url": PAGES[name], "viewport": WIDTHS[width], "axe": "4.11.1", "tags": AXE_TAGS, "violations": violations},
        indent=2))
    page.screenshot(path=SCREENSHOTS / f"{name}-{width}.png", full_page=True)
    page.close()
    failing = [f"{v['impact']} {v['id']}: {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
               for v in violations if v["impact"] in FAILING]
    assert not failing, "\n".join(failing)
    assert not errors, errors


def test_activity_page_passes_axe(server, browser, axe_source):
    page, _ = open_page(browser, WIDTHS["desktop"])
    visit(page, server + "/activities?athlete=mara")
    page.locator("#activities-table a").first.click()
    page.wait_for_selector("#activity-track .main-svg")
    page.wait_for_load_state("networkidle")
    violations = axe_violations(page, axe_source)
    (REPORTS / "activity-desktop.json").write_text(json.dumps({"violations": violations}, indent=2))
    page.close()
    assert not [v["id"] for v in violations if v["impact"] in FAILING], violations


# ---- graphs

GRAPHS = """[...document.querySelectorAll('.dash-graph')].map(graph => {
    const figure = graph.closest('figure');
    const named = figure && document.getElementById(figure.getAttribute('aria-labelledby') || '');
    const plot = graph.querySelector('.js-plotly-plot') || graph;
    const points = (plot.data || []).reduce((n, trace) => n + ((trace.y || trace.lat || []).length), 0);
    return {id: graph.id,
            name: named ? named.textContent.trim() : (figure ? (figure.getAttribute('aria-label') || '') : ''),
            heading: figure && figure.querySelector('figcaption h2, figcaption h3') ?
                     figure.querySelector('figcaption h2, figcaption h3').textContent.trim() : '',
            table: figure ? figure.querySelectorAll('details table tbody tr').length : 0,
            rowHeaders: figure ? figure.querySelectorAll('details table tbody tr > th:first-child[scope="row"]').length : 0,
            colHeaders: figure ? figure.querySelectorAll('details table thead th[scope="col"]').length : 0,
            caption: figure && figure.querySelector('details table caption') ?
                     figure.querySelector('details table caption').textContent : '',
            disclosure: figure ? (figure.querySelector('details summary') || {}).textContent || '' : '',
            points: points};
})"""
#: Every graph drawn by Plotly (its data is on the element then).
DRAWN = """[...document.querySelectorAll('.dash-graph')]
    .every(g => { const p = g.querySelector('.js-plotly-plot'); return p && p.data; })"""


@pytest.mark.parametrize("name", PAGES)
def test_every_graph_has_a_name_and_a_table(server, browser, name):
    page, _ = open_page(browser, WIDTHS["desktop"])
    visit(page, server + PAGES[name])
    page.wait_for_function(DRAWN)
    graphs = page.evaluate(GRAPHS)
    page.close()
    for graph in graphs:
        assert len(graph["name"]) > 20 and graph["name"].endswith("."), graph  # a sentence, not a label
        assert graph["heading"], graph  # the chart's title is a heading
        if graph["points"]:  # "data as a table", with the data in it (a graph with no data says so instead)
            assert graph["disclosure"].startswith("Data as a table") and graph["table"] > 0, graph
            # drawn by the browser from its rows (assets/tables.js): a caption, headed columns, headed rows
            assert graph["caption"] and graph["colHeaders"] >= 2 and graph["rowHeaders"] == graph["table"], graph
        else:
            assert not graph["table"], graph
    if name in ("training", "fatigue", "goal", "today", "plan", "wellness"):
        assert [g for g in graphs if g["points"]], f"{name} shows no graph with data"


#: Whether every chart table shows exactly the text it was sent (its data-rows): caption, headers and each cell.
AS_SENT = """[...document.querySelectorAll('table[data-rows]')].every(t => {
    const sent = JSON.parse(t.getAttribute('data-rows'));
    const text = el => [...el.children].map(c => c.textContent);
    return t.querySelector('caption') && t.querySelector('caption').textContent === sent.caption
        && JSON.stringify(text(t.querySelector('thead tr'))) === JSON.stringify(sent.header)
        && JSON.stringify([...t.querySelectorAll('tbody tr')].map(text)) === JSON.stringify(sent.rows);
})"""
FIRST_ROWS = "document.querySelector('table[data-rows]').getAttribute('data-rows')"


def test_tables_are_drawn_anew_when_the_page_changes_in_place(server, browser):
    """A new date range redraws the Fatigue page without a reload: each table then shows the new range's rows,
    as sent (tables.js draws a table again when its data-rows change, should Dash keep the element)."""
    page, errors = open_page(browser, WIDTHS["desktop"])
    visit(page, server + "/fatigue?athlete=mara")
    assert page.evaluate(AS_SENT)
    before = page.evaluate(FIRST_ROWS)
    start = dt.date.fromisoformat(MARA_DAY) - dt.timedelta(days=20)
    page.fill("#ctl-from", start.isoformat())
    page.click("#ctl-show-dates")
    page.wait_for_url(re.compile(f"from={start.isoformat()}"))
    page.wait_for_function(f"{FIRST_ROWS} !== {json.dumps(before)}")
    page.wait_for_function(AS_SENT)
    after = page.evaluate("document.querySelectorAll('table[data-rows] tbody tr').length")
    page.close()
    assert not errors, errors
    assert 0 < after <= 4 * 21  # four charts, at most one row a day of the 21 shown


def test_a_table_whose_text_cannot_be_read_is_left_empty(server, browser):
    """Text that is not a table's (not JSON, or JSON of another shape) gives an empty table, never an earlier one's
    rows, and does not stop the tables after it from being drawn; HTML in the text stays text."""
    page, _ = open_page(browser, WIDTHS["desktop"])
    visit(page, server + "/fatigue?athlete=mara")
    page.evaluate("""() => {
        const table = text => { const t = document.createElement('table'); t.className = 'probe';
                                t.setAttribute('data-rows', text); return t; };
        const box = document.createElement('div');
        box.append(table('{not json'), table('null'),
                   table(JSON.stringify({caption: '<b>x</b>', header: ['a', 'b'], rows: [['<i>1</i>', '2']]})));
        document.body.appendChild(box);
    }""")
    page.wait_for_function("document.querySelectorAll('table.probe')[2].querySelector('caption')")
    probes = page.evaluate("""[...document.querySelectorAll('table.probe')].map(t => t.innerHTML)""")
    shown = page.evaluate("""[...document.querySelectorAll('table.probe')[2].querySelectorAll('caption, th, td')]
                             .map(c => [c.textContent, c.children.length])""")
    page.close()
    assert probes[:2] == ["", ""]
    assert shown == [["<b>x</b>", 0], ["a", 0], ["b", 0], ["<i>1</i>", 0], ["2", 0]]


# ---- the keyboard alone

FOCUS = """(() => {
    const el = document.activeElement;
    if (!el || el === document.body || el === document.documentElement) return {lost: true};
    const shows = node => {  // an outline or a ring, on the element or on the box Dash wraps an input in
        const style = getComputedStyle(node);
        return (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) ||
               (style.boxShadow && style.boxShadow !== 'none');
    };
    const wrapper = el.parentElement && el.parentElement.classList.contains('dash-input-container');
    const outline = shows(el) || (wrapper && shows(el.parentElement));
    const ring = false;
    const heading = /^H[1-6]$/.test(el.tagName) && el.getAttribute('tabindex') === '-1';  // moved there, not a control
    const hidden = el.classList.contains('visually-hidden');
    const zone = hidden && el.closest('.upload') && getComputedStyle(el.closest('.upload')).outlineStyle !== 'none';
    return {lost: false, id: el.id, tag: el.tagName, text: (el.innerText || el.value || '').slice(0, 40),
            visible: outline || ring || heading || !!zone};
})()"""


def focus(page) -> dict:
    state = page.evaluate(FOCUS)
    assert not state["lost"], "focus was dropped to the page body"
    assert state["visible"], f"focus is not visible on {state}"
    return state


def press_until(page, key: str, reached: str) -> dict:
    """Press ``key`` until ``reached`` (a JS expression on ``el``, the focused element) holds; focus must
    stay visible and on the page at every step."""
    for _ in range(MAX_PRESSES):
        page.keyboard.press(key)
        state = focus(page)
        if page.evaluate(f"(el => !!({reached}))(document.activeElement)"):
            return state
    raise AssertionError(f"{reached} not reached with {MAX_PRESSES} presses of {key}")


def settled(page, url_part: str) -> None:
    """Wait until the URL holds ``url_part`` and Dash has drawn the page for it (the header's units
    links are drawn with the view's query, so they hold it too)."""
    part = json.dumps(url_part)
    page.wait_for_function(f"window.location.href.includes({part})")
    page.wait_for_function(f"""[...document.querySelectorAll('#view-form a.unit-link')]
        .every(a => (a.pathname + a.search).includes({part}.replace('units=imperial', '')))""")
    page.wait_for_load_state("networkidle")


def test_keyboard_alone(server, browser):
    page, errors = open_page(browser, WIDTHS["desktop"])
    # Playwright asks the browser to intercept file choosers when the first listener is added, without waiting
    # for it: added here, before the pages' round trips, not at the Space press (a chooser that opened before
    # the interception took effect was never seen: two CI runs failed so)
    page.on("filechooser", lambda chooser: None)
    visit(page, server + "/activities?athlete=tom")
    page.evaluate("document.activeElement && document.activeElement.blur()")

    # the skip link comes first and moves focus to the page's heading
    page.keyboard.press("Tab")
    assert focus(page)["text"].startswith("Skip to")
    page.keyboard.press("Enter")
    assert focus(page)["tag"] == "H1"

    # into the table, down to a row, Enter: that activity's page
    press_until(page, "Tab", "el.closest('#activities-table')")
    state = press_until(page, "ArrowDown", "el.closest('#activities-table .ag-center-cols-container .ag-row')")
    page.screenshot(path=SCREENSHOTS / "keyboard-activities.png")
    row_link = page.evaluate("document.activeElement.closest('.ag-row').querySelector('a').getAttribute('href')")
    page.keyboard.press("Enter")
    settled(page, row_link.split("?")[0])
    page.wait_for_selector("#activity-ascent")
    assert focus(page)["tag"] == "H1", state  # the new page's heading

    # another athlete: the select, by keyboard
    press_until(page, "Shift+Tab", "el.id === 'ctl-athlete'")
    options, current = page.evaluate("[[...document.activeElement.options].map(o => o.value), document.activeElement.value]")
    down = options.index(current) + 1 < len(options)
    athlete = options[options.index(current) + (1 if down else -1)]
    page.keyboard.press("ArrowDown" if down else "ArrowUp")  # a closed select changes at once
    settled(page, f"athlete={athlete}")
    after = focus(page)
    assert after["id"] == "ctl-athlete", after  # kept on the control used
    assert page.evaluate("document.getElementById('ctl-athlete').value") == athlete
    assert "/activities?" in page.url  # from an activity's page to the other athlete's activities

    # another day: type it and press Enter
    press_until(page, "Tab", "el.id === 'ctl-as-of'")
    day = page.evaluate("document.getElementById('ctl-as-of').min")  # the athlete's first day
    year, month, dom = day.split("-")
    page.keyboard.type(f"{month}{dom}{year}")  # the date field's segments: mm dd yyyy (en-US)
    page.keyboard.press("Enter")
    settled(page, f"as_of={day}")
    assert focus(page)["id"] == "ctl-as-of"
    assert page.evaluate("document.getElementById('ctl-as-of').value") == day

    # units: the link, Enter
    press_until(page, "Tab", "el.id === 'units-imperial'")
    page.keyboard.press("Enter")
    settled(page, "units=imperial")
    # the header is drawn again for the new units after the URL changed: wait for that drawing, not a moment
    page.wait_for_function("document.getElementById('units-imperial')?.getAttribute('aria-current') === 'true'")
    assert focus(page)["id"] == "units-imperial"

    # to the Upload page through the navigation, then choose a file with Space
    press_until(page, "Shift+Tab", "el.classList.contains('nav-link') && el.textContent === 'Upload'")
    page.keyboard.press("Enter")
    settled(page, "/upload")
    assert focus(page)["tag"] == "H1"
    page.wait_for_selector("#upload-input", state="attached")  # added by upload.js once Dash drew the drop zone
    page.wait_for_load_state("networkidle")
    press_until(page, "Tab", "el.id === 'upload-input' && el.isConnected")
    page.screenshot(path=SCREENSHOTS / "keyboard-upload.png")
    with page.expect_file_chooser() as opened:  # Playwright intercepts file choosers since the page opened
        page.keyboard.press("Space")
    chooser = opened.value
    chooser.set_files(str(UPLOAD_FILE))
    page.wait_for_selector("#upload-done", timeout=60_000)
    focus(page)
    status = page.locator("#upload-status")
    assert status.get_attribute("role") == "status" and status.get_attribute("aria-live") == "polite"
    assert re.search(r"\d+ (imported|duplicate)", status.inner_text())
    page.close()
    assert not errors, errors


def test_a_redraw_under_the_focus_gives_it_back(server, browser):
    """Dash drawing the page anew under the focus (a callback that changes the URL late, after the user moved
    on) does not drop focus to the page body: the same control drawn anew takes it back; a control that is gone
    leaves it on the page's heading."""
    page, errors = open_page(browser, WIDTHS["desktop"])
    visit(page, server + "/upload?athlete=mara")
    page.evaluate("document.activeElement && document.activeElement.blur()")
    press_until(page, "Tab", "el.id === 'upload-athlete'")
    page.evaluate("document.getElementById('upload-athlete').dataset.old = 'yes'")
    # what Dash's dcc.Location does for a callback's URL, without view.js's pushState (nothing pending)
    page.evaluate("""history.replaceState({}, '', location.pathname + location.search + '&units=imperial');
                     window.dispatchEvent(new CustomEvent('_dashprivate_pushstate'))""")
    page.wait_for_function("document.getElementById('upload-athlete') && "
                           "!document.getElementById('upload-athlete').dataset.old")
    page.wait_for_function("document.getElementById('units-imperial')?.getAttribute('aria-current') === 'true'")
    assert focus(page)["id"] == "upload-athlete"

    page.keyboard.press("Tab")  # the user moves on: what was pending is done
    page.evaluate("""() => { const b = document.createElement('button'); b.textContent = 'gone soon';
                             document.querySelector('main').appendChild(b); b.focus(); b.remove(); }""")
    assert focus(page)["tag"] == "H1"

    # a click on a button that takes itself away (a form's Save, a Remove): the page stays where it is
    page.evaluate("""() => { const b = document.createElement('button'); b.id = 'probe-remove'; b.textContent = 'x';
                             b.onclick = () => b.remove();
                             const room = () => { const d = document.createElement('div'); d.style.height = '2000px';
                                                  return d; };
                             document.querySelector('main').append(room(), b, room()); b.scrollIntoView(); }""")
    assert page.evaluate("window.scrollY") > 1500
    page.click("#probe-remove")
    tag, scrolled = page.evaluate("[document.activeElement.tagName, window.scrollY]")
    assert tag == "BODY" and scrolled > 1500  # not moved to the heading at the top
    page.close()
    assert not errors, errors


def test_the_forms_of_ratings_comments_and_sessions_by_hand_pass_axe(server, browser, axe_source):
    """The Activities page with its "Add a session without a file" form open, a session added by keyboard-free
    clicks, and that session's page (no recording: no graphs) with its rating and comment forms (issue 16)."""
    page, errors = open_page(browser, WIDTHS["phone"])
    visit(page, server + "/activities?athlete=mara")
    page.get_by_text("Add a session without a file").click()
    page.get_by_label("Start date").fill("2026-03-14")
    page.get_by_label("Start time (local)").fill("18:00")
    page.get_by_label("Duration (H:MM)").fill("0:45")
    page.get_by_label("Sport", exact=True).select_option("training")
    page.get_by_role("button", name="Add session").click()
    page.wait_for_selector("#manual-link")
    found = {"activities-form": axe_violations(page, axe_source)}
    page.click("#manual-link")
    page.wait_for_selector("#activity-by-hand")
    page.wait_for_load_state("networkidle")
    assert page.locator(".dash-graph").count() == 0
    found["activity-by-hand"] = axe_violations(page, axe_source)
    page.screenshot(path=SCREENSHOTS / "activity-by-hand-phone.png", full_page=True)
    page.close()
    for name, violations in found.items():
        (REPORTS / f"{name}-phone.json").write_text(json.dumps({"violations": violations}, indent=2))
    assert not [(name, v["id"]) for name, vs in found.items() for v in vs if v["impact"] in FAILING], found
    assert not errors, errors

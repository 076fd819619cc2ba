"""Wellness and readiness in the dashboard (issue 16): the morning check-in on Today, the readiness beside it, the
Wellness page and the Coach roster's readiness column.

Three levels: the callbacks and layouts called directly, through dashboards.data's rules (an athlete user checks in
only for themself, whatever the browser sends); HTTP against a real server with sign-in (403, nothing written); a
real browser at phone width doing the check-in and finding it on Today and on the Wellness page.
"""

from __future__ import annotations

import datetime as dt
import shutil

import flask
import pytest
from builders import (
    MARA_DAY,
    SAMPLE_FIT,
    SCREENSHOTS,
    Client,
    find,
    nodes,
    open_page,
    running_server,
    sample_wellness,
    served_copy,
    text,
    write_wellness,
)
from dash import html, no_update

from dashboards import glossary
from trainlog import Store, import_paths
from trainlog.analysis.stored import local_today
from trainlog.errors import InvalidValue
from trainlog.store.users import User, add_user

DAY = dt.date.fromisoformat(MARA_DAY)
WHICH = {"athlete": "mara", "day": MARA_DAY}
PASSWORD = "correct horse battery"
COACH = User("coach1", "coach", None, "x")
MARA = User("mara", "athlete", "mara", "x")
TOM = User("tom", "athlete", "tom", "x")


@pytest.fixture
def pages(dash_app):
    from dashboards.pages import _checkin, coach, today, wellness

    return {"checkin": _checkin, "today": today, "wellness": wellness, "coach": coach}


def as_user(dash_app, user: User | None):
    """A request context in which ``user`` is signed in (None: a dashboard without sign-in)."""
    context = dash_app.server.test_request_context("/")
    context.push()
    flask.g.user = user
    return context


def form(**changes: object) -> dict:
    """What the browser's reader sends for the check-in: text per field, the checkbox a bool."""
    return {"sleep_h": "7:30", "sleep_quality": "4", "soreness": "2", "fatigue": "", "mood": "5", "resting_hr_bpm": "48",
            "hrv_rmssd_ms": "62", "illness": False, "note": "", "pressed": 1, **changes}


def words(component) -> str:
    return " ".join(t for t in nodes(component) if isinstance(t, str))


def selected(select: html.Select) -> str:
    return next(o.value for o in select.children if getattr(o, "selected", False))


# ---- the check-in, called directly

def test_the_check_in_saves_through_the_library_and_shows_the_readiness(writable_source, pages):
    status, tone, panel = pages["checkin"].apply_check_in(form(note="heavy legs"), WHICH)
    assert tone == "message ok"
    assert status == ("Saved for Sun 15 Mar 2026: resting HR 48 bpm, HRV (rMSSD) 62 ms, sleep 7.5 h, sleep quality 4 "
                      "(good), soreness 2 (mild), mood 5 (great), a note.")
    day = writable_source.wellness("mara").row(0, named=True)
    assert (day["date"], day["sleep_h"], day["sleep_quality"], day["soreness"], day["fatigue"], day["mood"],
            day["resting_hr_bpm"], day["hrv_rmssd_ms"], day["illness"], day["note"]) == (
        DAY, 7.5, 4, 2, None, 5, 48.0, 62.0, None, "heavy legs")
    assert writable_source.store.read("wellness", "mara")["source"].to_list() == ["page"]
    assert "Entered for Sun 15 Mar 2026: resting HR 48 bpm" in text(html.Div(panel), "today-wellness-values")
    assert text(html.Div(panel), "today-readiness-level") == "ok"
    # the page drawn again: the form holds the day's values, the readiness says the baselines are being built
    layout = pages["today"].layout(athlete="mara", as_of=MARA_DAY)
    assert find(layout, "checkin-sleep").value == "7.5" and find(layout, "checkin-resting-hr").value == "48"
    assert selected(find(layout, "checkin-sleep-quality")) == "4" and selected(find(layout, "checkin-fatigue")) == ""
    assert find(layout, "checkin-note").value == "heavy legs" and find(layout, "checkin-day").data["ill"] is False
    assert text(layout, "checkin-status") == ""
    assert "today 62 ms; building baseline: 14 more mornings needed (0 of 14)" in words(layout)
    # the same values again: nothing written
    generation = writable_source.store.manifest("mara").generation
    status, tone, _ = pages["checkin"].apply_check_in(form(note="heavy legs"), WHICH)
    assert status == "Nothing changed: Sun 15 Mar 2026 already holds these values." and tone == "message ok"
    assert writable_source.store.manifest("mara").generation == generation


def test_unticking_ill_and_emptying_the_note_clear_them(writable_source, pages):
    pages["checkin"].apply_check_in(form(illness=True, note="sore throat"), WHICH)
    r = writable_source.readiness("mara", DAY)
    assert r["level"] == "flag" and r["values"]["illness"] is True and r["values"]["note"] == "sore throat"
    status, _, panel = pages["checkin"].apply_check_in(form(illness=False, note=""), WHICH)
    assert status.endswith("not ill or injured, the note cleared.")
    r = writable_source.readiness("mara", DAY)
    assert r["values"]["illness"] is False and r["values"]["note"] is None and r["level"] == "ok"


@pytest.mark.parametrize("changes, said", [
    ({"soreness": "7"}, "soreness 7 is out of range 1 (none) .. 5 (extreme)"),
    ({"sleep_h": "seven"}, "sleep 'seven' is not hours (7.5 or 7:30)"),
    ({"resting_hr_bpm": "fast"}, "resting HR 'fast' is not a number"),
    ({"hrv_rmssd_ms": "900"}, "HRV (rMSSD) 900 is out of range 5..300 ms"),
    ({"sleep_h": "", "sleep_quality": "", "soreness": "", "mood": "", "resting_hr_bpm": "", "hrv_rmssd_ms": ""},
     "fill in at least one field first"),
])
def test_a_bad_value_is_one_line_and_saves_nothing(writable_source, pages, changes, said):
    generation = writable_source.store.manifest("mara").generation
    status, tone, panel = pages["checkin"].apply_check_in(form(**changes), WHICH)
    assert status == f"Not saved: {said}" and "\n" not in status
    assert tone == "message error" and panel is no_update
    assert writable_source.store.manifest("mara").generation == generation and writable_source.wellness("mara").is_empty()


def test_a_garbled_day_or_athlete_saves_nothing(writable_source, pages):
    for which in (None, {"athlete": "mara", "day": "yesterday"}, {"athlete": ["mara"], "day": MARA_DAY}):
        status, tone, _ = pages["checkin"].apply_check_in(form(), which)
        assert status == pages["checkin"].UNKNOWN and tone == "message error"
    status, _, _ = pages["checkin"].apply_check_in(form(), {"athlete": "nobody", "day": MARA_DAY})
    assert status == "Not saved: there is no athlete 'nobody' in this data directory"
    assert writable_source.store.athletes() == ["mara", "tom"]  # a check-in never creates an athlete


# ---- who may check in: dashboards.data's rule

def test_an_athlete_user_checks_in_only_for_themself(writable_source, pages, dash_app):
    context = as_user(dash_app, MARA)
    try:
        with pytest.raises(PermissionError):
            writable_source.check_in("tom", DAY, {"sleep_h": 8.0})
        with pytest.raises(PermissionError):  # the callback, whatever athlete the browser names
            pages["checkin"].apply_check_in(form(), {"athlete": "tom", "day": MARA_DAY})
        assert writable_source.check_in("mara", DAY, {"sleep_h": 8.0}) is True
    finally:
        context.pop()
    assert Store(writable_source.store.data_dir).read("wellness", "tom").is_empty()
    context = as_user(dash_app, COACH)  # a coach may change every athlete's data (the rule of settings and plans)
    try:
        assert writable_source.check_in("tom", DAY, {"sleep_h": 6.5}) is True
    finally:
        context.pop()
    with pytest.raises(InvalidValue):
        writable_source.check_in("mara", DAY, {"sleep_h": 30.0})


# ---- the readiness on Today, the Wellness page, the Coach roster

def test_today_shows_each_flag_styled_by_its_level(writable_source, pages):
    write_wellness(writable_source.store, "mara", {DAY: {"sleep_h": 5.0, "illness": True}})
    layout = pages["today"].layout(athlete="mara", as_of=MARA_DAY)
    flags = find(layout, "today-readiness-flags").children
    assert [li.className for li in flags] == ["readiness-flag flag", "readiness-flag warn"]
    assert [li.children[0].children for li in flags] == ["Flag: ", "Warning: "]
    assert flags[1].children[1].startswith("You slept 5.0 h, under 6 h")
    level = [c for c in nodes(layout) if getattr(c, "className", None) == "stat bad"]
    assert level and find(level[0], "today-readiness-level").children == "1 flag, 1 warning"
    questions = [c.children[0].children for c in nodes(layout) if getattr(c, "className", None) == "explain"]
    assert {"What is readiness?", "What is HRV?", "What is resting heart rate?"} <= set(questions)


def test_the_wellness_page_without_wellness_says_how_to_add_it(source, pages):
    layout = pages["wellness"].layout(athlete="mara", as_of=MARA_DAY)
    said = words(find(layout, "wellness-none"))
    for way in ("morning check-in on", "trainlog wellness add -a mara", "trainlog wellness import FILE.csv -a mara",
                "sleep and HRV files with trainlog import"):
        assert way in said
    assert not [c for c in nodes(layout) if type(c).__name__ == "Graph"]
    nav = [c for c in nodes(layout) if getattr(c, "className", "") == "nav-link active"]
    assert [a.children for a in nav] == ["Wellness"] and nav[0].href == f"/wellness?as_of={MARA_DAY}&athlete=mara"


def test_the_wellness_page_draws_the_series_with_their_baselines_and_the_load(writable_source, pages):
    write_wellness(writable_source.store, "mara", sample_wellness(DAY, 30))
    layout = pages["wellness"].layout(athlete="mara", as_of=MARA_DAY)
    graphs = {c.id: c.figure for c in nodes(layout) if type(c).__name__ == "Graph"}
    assert list(graphs) == ["wellness-hrv", "wellness-resting-hr", "wellness-sleep", "wellness-scales", "wellness-load"]
    assert [t.name for t in graphs["wellness-hrv"].data] == ["normal range, low", "normal range, high", "each morning",
                                                             "7-day average"]
    assert len({tuple(f.layout.xaxis.range) for f in graphs.values()}) == 1  # one date axis
    for graph_id in graphs:
        assert find(layout, f"{graph_id}-data") is not None and text(layout, f"{graph_id}-summary").endswith(".")
        assert text(layout, f"{graph_id}-reading").endswith(".")
    assert "normal range" in text(layout, "wellness-hrv-summary")
    assert text(layout, "wellness-resting-hr-reading").startswith("On Sun 15 Mar 2026 resting HR was ")
    questions = [c.children[0].children for c in nodes(layout) if getattr(c, "className", None) == "explain"]
    assert [glossary.entry(k).question for k in ("hrv", "resting_hr", "sleep", "wellness_scales", "daily_load")] == (
        questions[:5])
    assert len(questions) == len(set(questions))


def test_the_coach_roster_shows_each_athletes_readiness(writable_source, pages):
    write_wellness(writable_source.store, "mara", {DAY: {"sleep_h": 5.0, "soreness": 4}})
    layout = pages["coach"].layout()
    head = [th.children for th in find(layout, "coach-roster").children[0].children.children]
    cells = {r.id["athlete"]: r.children[head.index("readiness")].children for r in find(layout, "coach-roster")
             .children[1].children}
    level, flags = cells["mara"]
    assert (level.children, level.className, flags) == ("warning", "readiness-level warn", ": slept 5.0 h, soreness 4/5")
    assert cells["tom"] == "no check-in"


# ---- HTTP with sign-in, against a real server

@pytest.fixture(scope="module")
def signed_in_dir(tmp_path_factory):
    """mara and tom with a run each, a user for each athlete."""
    data_dir = tmp_path_factory.mktemp("checkin") / "data"
    store = Store(data_dir)
    for athlete in ("mara", "tom"):
        assert import_paths(store, sorted((SAMPLE_FIT / athlete).glob("*.fit"))[:1], athlete).ok
    add_user(data_dir, "mara", PASSWORD, "athlete", athlete="mara")
    add_user(data_dir, "tom", PASSWORD, "athlete", athlete="tom")
    return data_dir


OUTPUTS = [("checkin-status", "children"), ("checkin-status", "className"), ("today-readiness", "children")]


def check_in_body(values: dict, athlete: str) -> dict:
    """The POST /_dash-update-component Dash sends when the check-in's store (filled in the browser) changes."""
    return {
        "output": ".." + "...".join(f"{i}.{p}" for i, p in OUTPUTS) + "..",
        "outputs": [{"id": i, "property": p} for i, p in OUTPUTS],
        "inputs": [{"id": "checkin-form", "property": "data", "value": values}],
        "changedPropIds": ["checkin-form.data"],
        "state": [{"id": "checkin-day", "property": "data", "value": {"athlete": athlete, "day": MARA_DAY}}],
    }


def test_an_athlete_user_gets_403_checking_in_for_another_and_nothing_is_written(signed_in_dir, tmp_path):
    shutil.copytree(signed_in_dir, tmp_path / "data")
    store = Store(tmp_path / "data")
    with running_server(tmp_path / "data", "--require-login") as (base, _):
        client = Client(base)
        assert client.sign_in("mara", PASSWORD)[0] == 303
        status, _, body = client.post_json("/_dash-update-component", check_in_body(form(), "tom"))
        assert status == 403 and body.strip() == "trainlog: user 'mara' may not see athlete 'tom'"
        assert store.read("wellness", "tom").is_empty()
        status, _, body = client.post_json("/_dash-update-component", check_in_body(form(), "mara"))
        assert status == 200 and "Saved for Sun 15 Mar 2026: resting HR 48 bpm" in body
    assert store.read("wellness", "mara")["sleep_h"].to_list() == [7.5]


# ---- a real browser at phone width

def test_the_morning_check_in_on_a_phone_shows_on_today_and_on_the_wellness_page(subset_dir, tmp_path, browser):
    with served_copy(subset_dir, tmp_path / "data") as (base, copy):
        page, errors = open_page(browser, {"width": 390, "height": 844})
        page.goto(f"{base}/?athlete=mara&as_of={MARA_DAY}")
        page.wait_for_selector("#checkin-save")
        page.wait_for_load_state("networkidle")
        assert page.inner_text("#today-wellness-values") == "No check-in for Sun 15 Mar 2026 yet."
        page.get_by_label("Sleep (hours)").fill("7.5")
        page.get_by_label("Sleep quality").select_option("4")
        page.get_by_label("Soreness").select_option("2")
        page.get_by_label("Fatigue").select_option("3")
        page.get_by_label("Mood").select_option("5")
        page.get_by_label("Resting HR (bpm)").fill("48")
        page.get_by_label("Ill or injured").check()
        page.get_by_role("button", name="Save check-in").click()
        page.wait_for_function("document.querySelector('#checkin-status').innerText.startsWith('Saved')")
        status = page.locator("#checkin-status")
        assert status.get_attribute("role") == "status"
        assert status.inner_text() == ("Saved for Sun 15 Mar 2026: resting HR 48 bpm, sleep 7.5 h, sleep quality 4 "
                                       "(good), soreness 2 (mild), fatigue 3 (moderate), mood 5 (great), ill or injured.")
        # the readiness beside the form, drawn again by the save
        page.wait_for_function("document.querySelector('#today-wellness-values').innerText.startsWith('Entered')")
        assert "sleep 7.5 h" in page.inner_text("#today-wellness-values")
        assert page.inner_text("#today-readiness-level") == "1 flag"
        assert page.locator("#today-readiness-flags li.readiness-flag.flag").count() == 1
        page.screenshot(path=SCREENSHOTS / "today-check-in-phone.png", full_page=True)
        # a new visit of Today: the form holds what was entered (the checkbox ticked again by the page)
        page.goto(f"{base}/?athlete=mara&as_of={MARA_DAY}")
        page.wait_for_selector("#checkin-save")
        page.wait_for_function("document.getElementById('checkin-ill').checked === true")
        assert page.get_by_label("Sleep quality").input_value() == "4"
        assert page.get_by_label("Sleep (hours)").input_value() == "7.5"
        assert "sleep 7.5 h" in page.inner_text("#today-wellness-values")
        # the Wellness page, through the navigation: the sleep graph's data table holds the night
        page.get_by_role("link", name="Wellness", exact=True).first.click()
        page.wait_for_selector("#wellness-sleep-data")
        page.wait_for_load_state("networkidle")
        table = page.locator("#wellness-sleep-data table").text_content()
        assert "Sun 15 Mar 2026" in table and "7.5" in table
        assert "7.5 h" in page.inner_text("#wellness-sleep-summary")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.screenshot(path=SCREENSHOTS / "wellness-phone.png", full_page=True)
        page.close()
    assert Store(copy).read("wellness", "mara")["source"].to_list() == ["page"]
    assert not errors, errors


def test_a_check_in_this_morning_shows_on_the_roster_and_today_when_training_stopped(writable_source, pages):
    # mara's last run is months old (the sample subset): pages show that day, but she checked in ill this morning
    today = local_today(writable_source.settings("mara"))
    write_wellness(writable_source.store, "mara", {today: {"illness": True}, DAY: {"sleep_h": 5.0}})
    layout = pages["coach"].layout()
    head = [th.children for th in find(layout, "coach-roster").children[0].children.children]
    cells = {r.id["athlete"]: r.children[head.index("readiness")].children for r in find(layout, "coach-roster")
             .children[1].children}
    assert "ill" in str(cells["mara"]) and "slept" not in str(cells["mara"])
    today_page = pages["today"].layout(athlete="mara")  # no day in the URL: the last day with training is shown
    assert find(today_page, "checkin-day").data["day"] == today.isoformat()  # ... and the check-in is this morning's


def test_a_watch_value_shown_rounded_is_kept_exactly_when_the_form_is_saved(writable_source, pages):
    write_wellness(writable_source.store, "mara", {DAY: {"sleep_h": 7.283333, "hrv_rmssd_ms": 52.5078}})
    layout = pages["today"].layout(athlete="mara", as_of=MARA_DAY)
    shown = {"sleep_h": find(layout, "checkin-sleep").value, "hrv_rmssd_ms": find(layout, "checkin-hrv").value}
    assert shown == {"sleep_h": "7.28", "hrv_rmssd_ms": "52.51"}
    form = {"pressed": 1, "sleep_h": shown["sleep_h"], "hrv_rmssd_ms": shown["hrv_rmssd_ms"], "soreness": "3"}
    status, _, _ = pages["checkin"].apply_check_in(form, WHICH)
    assert status.startswith("Saved for Sun 15 Mar 2026")
    day = writable_source.wellness("mara").row(0, named=True)
    assert (day["sleep_h"], day["hrv_rmssd_ms"], day["soreness"]) == (7.283333, 52.5078, 3)  # not 7.28, 52.51

"""Suspect ascents and the athlete's choices in the dashboard (issue 11): the Activity page says why a
run is suspect and records Exclude / Include again / Confirm / Unconfirm through trainlog.store.choices;
Activities marks suspect and excluded runs; Today warns about a suspect run of the last 7 days.

Callbacks are called directly; one test drives a real server in a real headless browser.
The data: the dashboard subset plus two runs of Mara's written with the project's FIT encoder,
one climbing 3,000 m in a moving hour (too fast on foot, with one altitude spike) and one whose
watch total is five times what its altitude track climbs (the watch disagrees).
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import flask
import numpy as np
import pytest
from builders import CHROMIUM, SCREENSHOTS, find, running_server, text
from dash import html, no_update

from dashboards import data, readings
from dashboards import units as u
from trainlog import Store, import_paths
from trainlog.settings import ModelSettings
from trainlog.store.users import User

MODEL = ModelSettings()
MARA_LAST_DAY = dt.date(2026, 3, 15)
TOO_FAST = "2026-03-11_0800_running_too_fast.fit"
DISAGREES = "2026-03-10_0800_running_watch_disagrees.fit"
TOO_FAST_CLIMB_M = 3000.0  # in one moving hour: 3,000 m/h, above 2,500 m/h on foot
DISAGREES_WATCH_M = 1500.0  # the watch's total; the altitude track climbs about 300 m


def _run_bytes(start: dt.datetime, seconds: int, altitude, watch_ascent_m: float) -> bytes:
    """A trail run recorded at 1 Hz at 1 m/s (always moving) along a straight line, with ``altitude`` (m)."""
    pytest.importorskip("garmin_fit_sdk", reason="the dev dependency garmin-fit-sdk writes the test files")
    from trainlog_dev.fitwrite import Device, Recording, encode

    t = int(start.timestamp()) + np.arange(seconds)
    semicircles = 2**31 / 180
    rec = Recording(
        time_unix_s=t, distance_m=np.arange(seconds) * 1.0, speed_mps=np.full(seconds, 1.0),
        energy_kcal=np.arange(seconds) * 0.2, sport="running", sub_sport="trail", utc_offset_end_s=0,
        lat_semicircles=((36.1 + np.arange(seconds) * 9e-6) * semicircles).astype(np.int64),
        lon_semicircles=np.full(seconds, int(-84.3 * semicircles), dtype=np.int64),
        altitude_m=np.asarray(altitude, dtype=float), device_ascent_m=watch_ascent_m,
    )
    return encode(rec, Device())


def suspect_files(folder: Path) -> list[Path]:
    """The two suspect runs as FIT files in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    hour = 3600
    climb = 500 + np.arange(hour) * (TOO_FAST_CLIMB_M / hour)
    climb[hour // 2] += 600  # one spike: 600 m up and back in two seconds
    # two hours, 300 m up and down twice at a walk (150 m/h: plausible); the watch says 1,500 m
    wave = 800 + 75 * (1 - np.cos(np.arange(2 * hour) * 2 * np.pi / hour))
    paths = {TOO_FAST: _run_bytes(dt.datetime(2026, 3, 11, 8, tzinfo=dt.UTC), hour, climb, TOO_FAST_CLIMB_M),
             DISAGREES: _run_bytes(dt.datetime(2026, 3, 10, 8, tzinfo=dt.UTC), 2 * hour, wave,
                                   DISAGREES_WATCH_M)}
    for name, content in paths.items():
        (folder / name).write_bytes(content)
    return [folder / name for name in paths]


@pytest.fixture(scope="module")
def suspect_dir(subset_dir, tmp_path_factory):
    """The dashboard subset with Mara's two suspect runs imported (read-only: copy it to write)."""
    root = tmp_path_factory.mktemp("suspect")
    shutil.copytree(subset_dir, root / "data")
    report = import_paths(Store(root / "data"), suspect_files(root / "fit"), "mara")
    assert report.ok, report.results
    return root / "data"


@pytest.fixture
def source(dash_app, suspect_dir, tmp_path):
    """``dashboards.data`` over a private copy of :func:`suspect_dir` (choices write to it)."""
    shutil.copytree(suspect_dir, tmp_path / "data")
    return data.use(tmp_path / "data")


@pytest.fixture
def pages(dash_app):
    from dashboards.pages import activities, activity, today

    return {"activities": activities, "activity": activity, "today": today}


def run_of(source, file_name: str) -> dict:
    acts = source.activities("mara")
    rows = acts.filter(acts["source_file"].str.ends_with(file_name))
    assert rows.height == 1, file_name
    return rows.row(0, named=True)


def components(component, wanted) -> list:
    """Every component of a layout (depth first) for which ``wanted(node)`` is true."""
    found = []

    def walk(node):
        if wanted(node):
            found.append(node)
        children = getattr(node, "children", None)
        for child in children if isinstance(children, (list, tuple)) else [children]:
            if child is not None and not isinstance(child, str):
                walk(child)

    walk(component)
    return found


def buttons(component) -> dict[str, html.Button]:
    """The choice buttons of a layout: action -> button."""
    def choice(node) -> bool:
        return isinstance(node, html.Button) and isinstance(node.id, dict) and node.id.get("type") == "activity-choice"

    return {node.id["action"]: node for node in components(component, choice)}


def words(component) -> str:
    """The text of a component and its children, as a screen reader reads it."""
    if component is None:
        return ""
    if isinstance(component, (str, int, float)):
        return str(component)
    children = getattr(component, "children", None)
    if isinstance(children, (list, tuple)):
        return "".join(words(c) for c in children)
    return words(children)


# ---- the library's flags, as the pages show them

def test_the_library_flags_the_two_runs(source):
    fast, disagrees = run_of(source, TOO_FAST), run_of(source, DISAGREES)
    assert fast["ascent_flag"] == "too_fast"
    assert fast["altitude_spikes"] >= 1
    assert disagrees["ascent_flag"] == "device_disagrees"
    assert disagrees["ascent_device_m"] == pytest.approx(DISAGREES_WATCH_M)
    assert disagrees["ascent_source"] == "computed"
    assert not fast["goal_counted"] and not disagrees["goal_counted"]


def test_a_too_fast_run_says_why_with_its_spikes(source, pages):
    run = run_of(source, TOO_FAST)
    layout = pages["activity"].layout(activity_id=run["activity_id"], athlete="mara")
    reason = words(find(layout, "activity-flag"))
    hours = run["moving_s"] / 3600
    assert reason == (f"Suspect ascent: {u.fmt_elevation(run['ascent_m'], u.METRIC)} of ascent in "
                      f"{u.number(hours, 1)} moving hours = {u.number(run['ascent_m'] / hours)} m/h, "
                      "above 2,500 m/h on foot.")
    assert "dropped as spikes" in words(find(layout, "activity-spikes"))
    assert words(find(layout, "activity-goal-status")).startswith("Left out of the goal's figures")
    shown = buttons(layout)
    assert sorted(shown) == ["confirm", "exclude"]
    assert shown["exclude"].children == "Exclude from goal" and shown["confirm"].children == "Confirm ascent"
    assert all(b.type == "button" for b in shown.values())


def test_a_run_whose_watch_disagrees_shows_both_totals(source, pages):
    run = run_of(source, DISAGREES)
    layout = pages["activity"].layout(activity_id=run["activity_id"], athlete="mara")
    reason = words(find(layout, "activity-flag"))
    assert f"The watch says {u.fmt_elevation(DISAGREES_WATCH_M, u.METRIC)}" in reason
    assert f"the altitude track gives {u.fmt_elevation(run['ascent_computed_m'], u.METRIC)}" in reason
    assert reason.endswith("the altitude track's total is used.")
    assert find(layout, "activity-spikes") is None  # none dropped: nothing said
    imperial = pages["activity"].layout(activity_id=run["activity_id"], athlete="mara", units="imperial")
    assert f"The watch says {u.fmt_elevation(DISAGREES_WATCH_M, u.IMPERIAL)}" in words(find(imperial, "activity-flag"))


def test_a_plain_run_has_no_flag_and_only_the_exclude_button(source, pages):
    acts = source.activities("mara")
    plain = acts.filter(acts["ascent_flag"].is_null(), acts["sport"] == "running").row(0, named=True)
    layout = pages["activity"].layout(activity_id=plain["activity_id"], athlete="mara")
    assert find(layout, "activity-flag") is None
    assert text(layout, "activity-goal-status") == "Counted in the goal's figures."
    assert sorted(buttons(layout)) == ["exclude"]


# ---- the buttons (the callback, called directly)

def test_exclude_and_include_again(source, pages):
    activity = pages["activity"]
    run = run_of(source, TOO_FAST)
    which = {"athlete": "mara", "activity_id": run["activity_id"], "units": "metric"}
    box = activity.apply_choice("exclude", which)
    assert text(box[-1], "activity-choice-message").startswith("Excluded")
    assert "error" not in box[-1].className
    assert text(html.Div(box), "activity-goal-status") == "Excluded: left out of the goal's figures."
    assert sorted(buttons(html.Div(box))) == ["confirm", "include"]
    assert run_of(source, TOO_FAST)["excluded"] is True  # the cached analysis was computed again
    # the page drawn afresh (not the cached one of before the click) shows it too
    page = activity.layout(activity_id=run["activity_id"], athlete="mara")
    assert buttons(page)["include"].children == "Include again"
    box = activity.apply_choice("include", which)
    assert text(box[-1], "activity-choice-message").startswith("Included again")
    assert run_of(source, TOO_FAST)["excluded"] is False
    assert sorted(buttons(html.Div(box))) == ["confirm", "exclude"]


def test_confirm_counts_the_run_in_the_goal_and_unconfirm_undoes_it(source, pages):
    activity = pages["activity"]
    run = run_of(source, DISAGREES)
    which = {"athlete": "mara", "activity_id": run["activity_id"]}
    before = source.summary("mara", MARA_LAST_DAY)["goal"]["best_7day_ascent_m"]
    box = html.Div(activity.apply_choice("confirm", which))
    assert text(box, "activity-choice-message").startswith("Ascent confirmed")
    assert text(box, "activity-goal-status") == "Counted in the goal's figures: its ascent was confirmed."
    assert words(find(box, "activity-flag")).startswith("Ascent confirmed, though it looked suspect: ")
    assert sorted(buttons(box)) == ["exclude", "unconfirm"]
    confirmed = run_of(source, DISAGREES)
    assert confirmed["ascent_confirmed"] is True and confirmed["goal_counted"] is True
    after = source.summary("mara", MARA_LAST_DAY)["goal"]["best_7day_ascent_m"]
    assert after == pytest.approx(before + confirmed["ascent_m"], abs=1.0)  # the run is in the best week now
    box = html.Div(activity.apply_choice("unconfirm", which))
    assert text(box, "activity-choice-message").startswith("Confirmation withdrawn")
    assert sorted(buttons(box)) == ["confirm", "exclude"]
    assert run_of(source, DISAGREES)["goal_counted"] is False


def test_a_refused_choice_says_why_in_one_line_and_changes_nothing(source, pages):
    activity = pages["activity"]
    run = run_of(source, TOO_FAST)
    which = {"athlete": "mara", "activity_id": run["activity_id"]}
    box = html.Div(activity.apply_choice("explode", which))
    message = find(box, "activity-choice-message")
    assert message.children.startswith("Not changed: ") and "\n" not in message.children
    assert "error" in message.className
    assert run_of(source, TOO_FAST)["excluded"] is False
    unknown = html.Div(activity.apply_choice("exclude", {"athlete": "mara", "activity_id": "0123456789abcdef-0"}))
    assert text(unknown, "activity-choice-message").startswith("Not changed: ")
    garbled = html.Div(activity.apply_choice("exclude", {"athlete": "mara", "activity_id": "../x"}))
    assert "not known" in text(garbled, "activity-choice-message")


def test_only_a_user_who_may_change_the_athlete_records_a_choice(source, pages, dash_app):
    activity = pages["activity"]
    run = run_of(source, TOO_FAST)
    which = {"athlete": "mara", "activity_id": run["activity_id"]}
    tom = User("tom", "athlete", "tom", "x")
    coach = User("coach", "coach", None, "x")
    with dash_app.server.test_request_context("/"):
        flask.g.user = tom
        box = html.Div(activity.apply_choice("exclude", which))
        assert "not known" in text(box, "activity-choice-message")
        with pytest.raises(PermissionError):
            source.record_choice("mara", run["activity_id"], "exclude")
    assert run_of(source, TOO_FAST)["excluded"] is False
    with dash_app.server.test_request_context("/"):
        flask.g.user = coach  # a coach may change every athlete's data, as on the Upload and Settings pages
        box = html.Div(activity.apply_choice("exclude", which))
        assert text(box, "activity-choice-message").startswith("Excluded")
    assert run_of(source, TOO_FAST)["excluded"] is True


def test_the_callback_acts_only_on_a_press(source, pages, monkeypatch):
    activity = pages["activity"]
    run = run_of(source, TOO_FAST)
    which = {"athlete": "mara", "activity_id": run["activity_id"]}

    def pressed(action, clicks):
        trigger = {"type": "activity-choice", "action": action}
        monkeypatch.setattr(activity, "ctx", type("Ctx", (), {"triggered_id": trigger,
                                                              "triggered": [{"value": clicks}]})())
        return activity.choose([clicks], which)

    assert pressed("exclude", 0) is no_update  # buttons drawn again, none pressed
    assert run_of(source, TOO_FAST)["excluded"] is False
    box = html.Div(pressed("exclude", 1))
    assert text(box, "activity-choice-message").startswith("Excluded")


# ---- Activities and Today

def test_activities_mark_suspect_and_excluded_runs(source, pages):
    activities, activity = pages["activities"], pages["activity"]
    table = find(activities.layout(athlete="mara"), "activities-table")
    checks = {r["file"]: r["check"] for r in table.rowData}
    fast, disagrees = run_of(source, TOO_FAST), run_of(source, DISAGREES)
    assert checks[DISAGREES] == (f"suspect: watch {u.fmt_elevation(disagrees['ascent_device_m'], u.METRIC)}, "
                                 f"track {u.fmt_elevation(disagrees['ascent_computed_m'], u.METRIC)}")
    assert checks[TOO_FAST].startswith("suspect: watch 3,000 m, track ")
    assert sum(bool(c) for c in checks.values()) == 2  # the sample runs are clean
    fields = [c["field"] for c in table.columnDefs]
    assert fields.index("check") == fields.index("ascent") + 1  # beside the ascent
    activity.apply_choice("exclude", {"athlete": "mara", "activity_id": fast["activity_id"]})
    table = find(activities.layout(athlete="mara"), "activities-table")
    assert {r["file"]: r["check"] for r in table.rowData}[TOO_FAST].startswith("excluded; suspect: watch 3,000 m")


def test_today_warns_about_a_suspect_run_of_the_last_7_days(source, pages):
    today, activity = pages["today"], pages["activity"]
    fast, disagrees = run_of(source, TOO_FAST), run_of(source, DISAGREES)
    layout = today.layout(athlete="mara", as_of="2026-03-15")
    warnings = find(layout, "today-warnings")
    links = {link.children: link.href for link in _links(warnings)}
    assert links == {"Wed 11 Mar 2026 running": f"/activity/{fast['activity_id']}?as_of=2026-03-15&athlete=mara",
                     "Tue 10 Mar 2026 running": f"/activity/{disagrees['activity_id']}?as_of=2026-03-15&athlete=mara"}
    assert "Suspect ascent" in words(warnings)
    # seven days after the 10th (11th to 17th), only the 11th is in the last 7 days
    later = today.layout(athlete="mara", as_of="2026-03-17")
    assert [link.children for link in _links(find(later, "today-warnings"))] == ["Wed 11 Mar 2026 running"]
    # a confirmed run is no longer suspect
    activity.apply_choice("confirm", {"athlete": "mara", "activity_id": fast["activity_id"]})
    after = today.layout(athlete="mara", as_of="2026-03-17")
    assert _links(find(after, "today-warnings")) == []


def _links(component) -> list:
    from dash import dcc

    return components(component, lambda node: isinstance(node, dcc.Link))


def test_suspect_readings_in_words():
    fast = {"ascent_flag": "too_fast", "ascent_m": 3000.0, "moving_s": 3600.0, "ascent_confirmed": False,
            "excluded": False, "goal_counted": False, "sport": "running", "ascent_device_m": 3000.0,
            "ascent_computed_m": 2990.0, "ascent_source": "device"}
    assert readings.ascent_flag_reason(fast, MODEL) == (
        "3,000 m of ascent in 1.0 moving hours = 3,000 m/h, above 2,500 m/h on foot.")
    assert readings.ascent_flag_reason(fast, MODEL, u.IMPERIAL) == (
        "9,843 ft of ascent in 1.0 moving hours = 9,843 ft/h, above 8,202 ft/h on foot.")
    assert readings.run_marker(fast) == "suspect: watch 3,000 m, track 2,990 m"
    assert readings.goal_status(fast, MODEL) == ("Left out of the goal's figures until its ascent is confirmed: "
                                                 "it looks suspect.")
    confirmed = {**fast, "ascent_confirmed": True, "goal_counted": True}
    assert readings.run_marker(confirmed) == "ascent confirmed" and not readings.is_suspect(confirmed)
    bike = {**fast, "ascent_flag": None, "sport": "cycling", "goal_counted": False}
    assert readings.ascent_flag_reason(bike, MODEL) is None and readings.run_marker(bike) == ""
    assert readings.goal_status(bike, MODEL) == "Not counted in the goal's figures: cycling is not one of the goal's sports."


# ---- end to end: a real server, a real browser

@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)")
def test_excluding_a_suspect_run_in_the_browser(suspect_dir, browser, tmp_path):
    pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed")
    shutil.copytree(suspect_dir, tmp_path / "data")
    store = Store(tmp_path / "data")
    source = data.Data(tmp_path / "data")
    run = run_of(source, TOO_FAST)
    with running_server(tmp_path / "data") as (base, log):
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors = []
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        # from Today's warning to the run's page
        page.goto(f"{base}/?athlete=mara&as_of=2026-03-15")
        page.get_by_role("link", name="Wed 11 Mar 2026 running").click()
        page.wait_for_selector("#activity-flag")
        assert "above 2,500 m/h on foot" in page.inner_text("#activity-flag")
        status = page.locator("#activity-goal-status")
        assert status.inner_text().startswith("Left out of the goal's figures")
        assert page.get_attribute("#activity-choice-message", "role") == "status"  # announced when it changes
        page.get_by_role("button", name="Exclude from goal").click()  # a real <button> with its text as its name
        page.wait_for_function("document.querySelector('#activity-choice-message').innerText.startsWith('Excluded')")
        assert status.inner_text() == "Excluded: left out of the goal's figures."
        assert page.get_by_role("button", name="Include again").is_visible()
        assert page.get_by_role("button", name="Exclude from goal").count() == 0
        page.screenshot(path=SCREENSHOTS / "activity-excluded.png", full_page=True)
        page.reload()  # the state is the dataset's, not the page's
        page.wait_for_selector("#activity-goal-status")
        assert page.inner_text("#activity-goal-status") == "Excluded: left out of the goal's figures."
        page.close()
        assert not errors, errors
    from trainlog.store import choices

    chosen = choices.current(store, "mara")
    assert chosen.filter(chosen["activity_id"] == run["activity_id"])["excluded"].to_list() == [True]

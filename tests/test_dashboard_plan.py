"""The plan to race day in the dashboard (issue 13): the Plan page (generate, edit a week, a bad value),
Today's advice and race-morning line, the Coach roster's compliance and race-morning form, the words
(dashboards/readings.py) they use, and who may change a plan.

Callbacks are called directly; the refusal is also checked over HTTP against a real server with sign-in,
and one test drives that server in a real headless browser: it generates a plan, edits one week and sees
the projection and Today change. The data: the dashboard subset with a goal race 16 weeks after
:data:`TODAY`, a Tuesday inside Mara's subset history (2026-02-17 to 2026-03-15).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import shutil

import flask
import pytest
from builders import SCREENSHOTS, Client, find, log_text, running_server, text
from dash import html, no_update

from dashboards import data, readings
from dashboards import units as u
from trainlog import Store
from trainlog.analysis.generate import generate
from trainlog.analysis.plan import fitness_to, stored_report
from trainlog.settings import ModelSettings, load_settings, save_settings
from trainlog.store import plans
from trainlog.store.users import User, add_user

MODEL = ModelSettings()
TODAY = dt.date(2026, 3, 10)  # a Tuesday: the plan's first week (from Monday 03-09) plans a load for today
RACE = TODAY + dt.timedelta(weeks=16)
WEEK = "2026-03-09"
QUERY = {"athlete": "mara", "as_of": TODAY.isoformat()}
VIEW = {"athlete": "mara", "as_of": TODAY.isoformat(), "units": "metric"}
TOM_TODAY = dt.date(2026, 6, 16)  # inside Tom's subset history (2026-06-06 to 06-28)
PASSWORD = "correct horse battery"


def set_race(store: Store, athlete: str, day: dt.date) -> None:
    path = store.settings_path(athlete)
    settings = load_settings(path)
    save_settings(path, dataclasses.replace(settings, goal=dataclasses.replace(settings.goal, date=day)))


def generated(store: Store, athlete: str, today: dt.date) -> plans.Plan:
    """A plan generated and saved through the library (as ``trainlog plan generate`` does)."""
    settings = load_settings(store.settings_path(athlete))
    plan, _ = generate(settings, fitness_to(store, athlete, today, settings), today)
    return plans.save(store, athlete, plan, "generate")


@pytest.fixture
def source(dash_app, subset_dir, tmp_path):
    """``dashboards.data`` over a private copy of the subset, Mara's goal race 16 weeks after TODAY, no plan."""
    shutil.copytree(subset_dir, tmp_path / "data")
    set_race(Store(tmp_path / "data"), "mara", RACE)
    return data.use(tmp_path / "data")


@pytest.fixture
def pages(dash_app):
    from dashboards.pages import coach, plan, today

    return {"plan": plan, "today": today, "coach": coach}


def report(source, athlete: str = "mara", today: dt.date = TODAY) -> dict:
    """What ``trainlog plan show --json`` prints, computed by the library on the same data."""
    return stored_report(source.store, athlete, today)


def edited(column: str, value, week: str = WEEK) -> list[dict]:
    """AG Grid's ``cellValueChanged`` for one cell of the weeks table."""
    return [{"rowIndex": 0, "rowId": week, "data": {"week": week}, "oldValue": None, "value": value,
             "colId": column, "timestamp": 1}]


def shown_week(layout, week: str = WEEK) -> dict:
    return next(r for r in find(layout, "plan-grid").rowData if r["week"] == week)


# ---- the words

def test_advice_and_race_morning_in_words():
    today = {"advised_load": 84.6, "advised_ascent_m": 612.0, "target_tsb": -12.04, "rest": False}
    assert readings.advice_line(today, u.METRIC) == "Today: load 85 with about 612 m of ascent; target form tomorrow −12.0."
    assert readings.advice_line(today, u.IMPERIAL) == (
        "Today: load 85 with about 2,008 ft of ascent; target form tomorrow −12.0.")
    flat = {**today, "advised_ascent_m": 0.0}
    assert readings.advice_line(flat, u.METRIC) == "Today: load 85; target form tomorrow −12.0."
    rest = {"advised_load": 0.0, "advised_ascent_m": 0.0, "target_tsb": 3.0, "rest": True}
    assert readings.advice_line(rest, u.METRIC) == "Today: rest; target form tomorrow +3.0."
    race = {"name": "Barkley", "date": "2026-06-30", "ascent_m": 17698.0}
    morning = {"date": "2026-06-30", "ctl": 72.4, "atl": 58.9, "tsb": 13.5, "ascent_ctl": 896.9, "descent_ctl": 896.7}
    assert readings.race_morning_line(race, morning, MODEL, u.METRIC) == (
        "Race morning (Barkley, Tue 30 Jun 2026): form +13.5, inside the +5..+25 target; fitness 72, "
        "ascent fitness 897 m/day.")
    assert "below the +5..+25 target" in readings.race_morning_line(race, {**morning, "tsb": 4.9}, MODEL, u.METRIC)
    assert "above" in readings.race_morning_line(race, {**morning, "tsb": 25.1}, MODEL, u.METRIC)
    assert readings.race_morning_tone(13.5, MODEL) == readings.Tone.GOOD
    assert readings.race_morning_tone(-2.0, MODEL) == readings.Tone.WARN
    assert readings.signed(None) == u.DASH and readings.signed(0.04) == "+0.0"


def test_compliance_and_warnings_in_words():
    measures = {"weeks": 4, "hours": {"planned": 40.0, "done": 38.0, "colour": "green"},
                "ascent": {"planned": 20_000.0, "done": 14_000.0, "colour": "yellow"},
                "load": {"planned": 0.0, "done": 100.0, "colour": None}}
    assert readings.compliance_parts(measures) == [("time 95%", "green"), ("ascent 70%", "yellow"), ("load –", None)]
    assert readings.compliance_text(measures) == "time 95% on plan, ascent 70% off plan, load –"
    assert readings.compliance_text({**measures, "weeks": 0}) == "no planned week over yet"
    assert readings.compliance_parts({**measures, "weeks": 0}) == []
    assert readings.plan_warning("form is below -30 on 2 days (at most 1)") == "Form is below -30 on 2 days (at most 1)."


# ---- the Plan page, its callbacks called directly

def test_without_a_plan_the_page_offers_to_generate_one(source, pages):
    layout = pages["plan"].layout(**QUERY)
    assert find(layout, "plan-generate").children == "Generate a plan"
    assert find(layout, "plan-grid") is None and find(layout, "plan-ascent") is None
    assert "follows the last 28 days' pattern" in text(layout, "plan-follows")
    rep = report(source)
    assert rep["projection"]["follows"] == "pattern"
    assert text(layout, "plan-race-tsb") == readings.signed(rep["projection"]["race_morning"]["tsb"])
    assert find(layout, "plan-view").data == VIEW
    assert find(layout, "plan-pmc").figure.layout.title.text.startswith("Fitness, fatigue and form")


def test_generate_saves_a_plan_and_shows_its_projection(source, pages):
    body = html.Div(pages["plan"].generate(1, VIEW))
    saved = plans.latest(source.store, "mara")
    assert (saved.revision, saved.source, saved.race.date) == (1, "generate", RACE)
    said, notes = text(body, "plan-message")
    assert said == f"Generated a plan of {saved.weeks.height} weeks to {saved.race.name} (revision 1)."
    assert notes is None  # the caps do not limit this plan: no note
    rep = report(source)
    morning = rep["projection"]["race_morning"]
    assert rep["projection"]["follows"] == "plan"
    assert text(body, "plan-race-tsb") == readings.signed(morning["tsb"])
    assert text(body, "plan-race-ctl") == u.number(morning["ctl"])
    assert text(body, "plan-race-ascent") == f"{u.fmt_elevation(morning['ascent_ctl'], u.METRIC)}/day"
    assert text(body, "plan-advice") == readings.advice_line(rep["today"], u.METRIC)
    warnings = find(body, "plan-warnings")
    assert [li.children for li in warnings.children.children] == [readings.plan_warning(w)
                                                                  for w in rep["projection"]["warnings"]]
    grid = find(body, "plan-grid")
    assert [r["week"] for r in grid.rowData] == [w.isoformat() for w in saved.weeks["week_start"]]
    first = shown_week(body)
    assert (first["load"], first["hours"], first["status"], first["this_week"]) == (
        round(saved.weeks["planned_load"][0]), saved.weeks["planned_hours"][0], "this week, so far", True)
    assert find(body, "plan-generate") is None  # a plan for the goal: nothing to generate
    assert pages["plan"].generate(None, VIEW) is no_update


def test_editing_a_week_saves_a_revision_and_changes_the_projection_and_today(source, pages):
    pages["plan"].generate(1, VIEW)
    before, today_before = report(source), pages["today"].layout(**QUERY)
    body = html.Div(pages["plan"].edit(edited("load", 1500), VIEW))
    assert text(body, "plan-message") == f"Saved the week of {u.fmt_day(WEEK)} (revision 2)."
    saved = plans.latest(source.store, "mara")
    assert (saved.revision, saved.source, saved.weeks["planned_load"][0]) == (2, "page", 1500.0)
    assert shown_week(body)["load"] == 1500
    after = report(source)
    tsb = after["projection"]["race_morning"]["tsb"]
    assert tsb != pytest.approx(before["projection"]["race_morning"]["tsb"], abs=0.05)
    assert text(body, "plan-race-tsb") == readings.signed(tsb)
    # Today shows the new advice and race morning (the page cache sees the new revision)
    today = pages["today"].layout(**QUERY)
    assert text(today, "today-advice") == readings.advice_line(after["today"], u.METRIC)
    assert text(today, "today-advice") != text(today_before, "today-advice")
    line = readings.race_morning_line(after["race"], after["projection"]["race_morning"], MODEL, u.METRIC)
    assert text(today, "today-race-morning") == line != text(today_before, "today-race-morning")


@pytest.mark.parametrize(("column", "value", "said"), [
    ("hours", 500, "week of 2026-03-09: planned_hours 500.0 is out of range 0..168 h"),
    ("ascent", -10, "week of 2026-03-09: planned_ascent_m -10.0 is out of range 0..100000 m"),
    ("long", 2.5, "long_sessions 2.5 is not a whole number"),
    ("kind", "fast", "kind 'fast' is not one of base, build, recovery, peak, taper, race"),
    ("load", None, "week of 2026-03-09: load is empty: type a number"),
    ("load", "lots", "week of 2026-03-09: planned_load 'lots' is not a number"),
    ("week", "2026-01-05", "the column 'week' cannot be changed"),
])
def test_a_bad_value_saves_nothing_and_the_table_shows_the_stored_plan(source, pages, column, value, said):
    pages["plan"].generate(1, VIEW)
    stored = plans.latest(source.store, "mara")
    body = html.Div(pages["plan"].edit(edited(column, value), VIEW))
    message = find(body, "plan-message")
    assert message.className == "message error" and said in message.children
    assert message.children.startswith("Not saved: ") and "\n" not in message.children
    assert plans.latest(source.store, "mara").revision == stored.revision == 1
    first = shown_week(body)  # the table as stored, not as typed
    assert (first["hours"], first["kind"], first["long"]) == (
        stored.weeks["planned_hours"][0], stored.weeks["kind"][0], stored.weeks["long_sessions"][0])


def test_imperial_edits_are_typed_in_feet(source, pages):
    pages["plan"].generate(1, VIEW)
    layout = pages["plan"].layout(**QUERY, units="imperial")
    feet = {**VIEW, "units": "imperial"}
    assert find(layout, "plan-view").data == feet
    stored = plans.latest(source.store, "mara")
    assert shown_week(layout)["ascent"] == round(stored.weeks["planned_ascent_m"][0] / 0.3048)
    assert [c["headerName"] for c in find(layout, "plan-grid").columnDefs if c["field"] == "ascent"] == ["ascent ft"]
    body = html.Div(pages["plan"].edit(edited("ascent", 10_000), feet))
    saved = plans.latest(source.store, "mara")
    assert saved.weeks["planned_ascent_m"][0] == pytest.approx(3048.0)
    assert saved.weeks["planned_descent_m"][0] == pytest.approx(3048.0)  # the descent follows the ascent
    assert shown_week(body)["ascent"] == 10_000
    assert text(body, "plan-race-ascent").endswith(" ft/day")


def test_the_note_and_the_kind_are_saved_and_an_empty_note_clears(source, pages):
    pages["plan"].generate(1, VIEW)
    pages["plan"].edit(edited("note", "hill repeats"), VIEW)
    body = html.Div(pages["plan"].edit(edited("kind", "recovery"), VIEW))
    saved = plans.latest(source.store, "mara")
    assert (saved.weeks["note"][0], saved.weeks["kind"][0], saved.revision) == ("hill repeats", "recovery", 3)
    assert shown_week(body)["kind"] == "recovery"
    pages["plan"].edit(edited("note", ""), VIEW)
    assert plans.latest(source.store, "mara").weeks["note"][0] is None


def test_a_garbled_page_state_changes_nothing(source, pages):
    pages["plan"].generate(1, VIEW)
    for stored in ("junk", None, {"athlete": 3}, {"athlete": "mara", "as_of": "not a day"}):
        body = html.Div(pages["plan"].edit(edited("load", 900), stored))
        assert text(body, "plan-message").startswith("Not saved: ")
    assert plans.latest(source.store, "mara").revision == 1
    assert pages["plan"].edit([], VIEW) is no_update


def test_only_a_user_who_may_see_the_athlete_changes_the_plan(source, pages, dash_app):
    pages["plan"].generate(1, VIEW)
    tom, coach = User("tom", "athlete", "tom", "x"), User("coach", "coach", None, "x")
    with dash_app.server.test_request_context("/"):
        flask.g.user = tom
        with pytest.raises(PermissionError):
            pages["plan"].edit(edited("load", 900), VIEW)
        with pytest.raises(PermissionError):
            pages["plan"].generate(1, VIEW)
    assert plans.latest(source.store, "mara").revision == 1
    with dash_app.server.test_request_context("/"):
        flask.g.user = coach  # a coach may change every athlete's plan, as their settings
        pages["plan"].edit(edited("load", 900), VIEW)
    assert plans.latest(source.store, "mara").revision == 2


def test_a_goal_in_the_past_leaves_nothing_to_plan(source, pages):
    set_race(source.store, "mara", dt.date(2026, 3, 1))
    layout = pages["plan"].layout(**QUERY)
    assert "No race ahead" in str(find(layout, "plan-no-race").children)
    # the race is over: the page links to the plan as it stood 16 weeks before it
    assert "as_of=2025-11-09" in find(layout, "plan-look-back").href
    after = pages["plan"].layout(**{**QUERY, "as_of": "2025-11-09"})
    assert find(after, "plan-generate") is not None and find(after, "plan-no-race") is None
    assert find(layout, "plan-generate") is None and "set a goal date ahead" in str(text(layout, "plan-none"))
    assert find(layout, "plan-none").children[1].href.startswith("/settings?")  # the way there, in the card
    assert find(pages["today"].layout(**QUERY), "today-advice") is None  # Today stays as it was
    body = html.Div(pages["plan"].generate(1, VIEW))  # a stale button: the library's one line
    assert "is not after 2026-03-10" in text(body, "plan-message")
    assert text(body, "plan-message").startswith("Not generated: the goal race")


def test_a_plan_for_another_race_offers_a_new_one(source, pages):
    pages["plan"].generate(1, VIEW)
    set_race(source.store, "mara", RACE + dt.timedelta(weeks=2))
    layout = pages["plan"].layout(**QUERY)
    assert find(layout, "plan-generate").children == "Generate a new plan from the goal"
    assert "the plan was made for" in str(find(layout, "plan-warnings")).lower()
    html.Div(pages["plan"].generate(1, VIEW))
    saved = plans.latest(source.store, "mara")
    assert (saved.revision, saved.race.date) == (2, RACE + dt.timedelta(weeks=2))


def test_the_plan_page_in_plain_words(source, pages):
    """Its figure cards say what they are; dates are local days (the revision's too, no UTC clock time)."""
    body = html.Div(pages["plan"].generate(1, VIEW))
    shown = str(body)
    for question in ("What is race-morning form?", "What is race-morning fitness?", "What is ascent fitness?",
                     "What is fatigue?"):
        assert question in shown
    saved = plans.latest(source.store, "mara").saved_at
    day = u.fmt_day(u.local_day(saved, source.settings("mara").timezone))
    assert f"(revision 1, generated on {day})" in shown and "UTC" not in shown
    peak = report(source)["projection"]["ctl_peak"]
    assert f"before the race ({u.fmt_day(peak['date'])})" in shown
    week = next(c for c in find(body, "plan-grid").columnDefs if c["field"] == "week")
    assert "d3.utcFormat('%a %-d %b %Y')" in week["valueFormatter"]["function"]  # shown as "Mon 9 Mar 2026"


# ---- the Coach roster

def test_coach_roster_shows_compliance_and_race_morning_form(source, pages):
    # a plan from 2026-02-23: by Mara's last day (2026-03-15, the day the roster shows) two weeks are over
    generated(source.store, "mara", dt.date(2026, 2, 23))
    rows = {r["athlete"]: r for r in pages["coach"].roster_rows(u.METRIC)}
    rep = report(source, "mara", dt.date(2026, 3, 15))
    assert rep["compliance_last_4_weeks"]["weeks"] == 2
    assert rows["mara"]["plan"] == readings.compliance_parts(rep["compliance_last_4_weeks"])
    assert all(colour in ("green", "yellow", "red") for _, colour in rows["mara"]["plan"])
    morning = rep["projection"]["race_morning"]
    assert rows["mara"]["race_form"] == f"{readings.signed(morning['tsb'])} on {u.fmt_day(RACE)}"
    assert (rows["tom"]["plan"], rows["tom"]["race_form"]) == (None, u.DASH)  # no plan, no race ahead
    layout = pages["coach"].layout(athlete="mara")
    cell = str(find(layout, {"type": "roster-row", "athlete": "mara"}))
    assert "on plan" in cell or "off plan" in cell
    assert pages["coach"].compliance_cell(None) == "no plan"
    assert pages["coach"].compliance_cell([]) == "no planned week over yet"


# ---- a real server: who may change a plan, over HTTP, and the page in a real browser

@pytest.fixture(scope="module")
def plan_server(subset_dir, tmp_path_factory):
    """A server with sign-in over a copy of the subset: Mara's race 16 weeks after TODAY and no plan; Tom's race
    16 weeks after TOM_TODAY with a generated plan; a coach, and an athlete user for Tom."""
    data_dir = tmp_path_factory.mktemp("plan") / "data"
    shutil.copytree(subset_dir, data_dir)
    store = Store(data_dir)
    set_race(store, "mara", RACE)
    set_race(store, "tom", TOM_TODAY + dt.timedelta(weeks=16))
    generated(store, "tom", TOM_TODAY)
    add_user(data_dir, "coach1", PASSWORD, "coach")
    add_user(data_dir, "tom", PASSWORD, "athlete", athlete="tom")
    with running_server(data_dir, "--require-login") as (base, log):
        yield base, log, data_dir


def callback_body(client: Client, trigger: str, value, view: dict) -> dict:
    """The POST /_dash-update-component of the Plan page's callback fired by ``trigger`` (``id.property``)."""
    status, _, deps = client.get("/_dash-dependencies")
    assert status == 200
    dep = next(d for d in json.loads(deps) if [f"{i['id']}.{i['property']}" for i in d["inputs"]] == [trigger])
    output = dep["output"]
    component, prop = output.split("@")[0].split(".")
    return {"output": output, "outputs": {"id": component, "property": prop},
            "inputs": [{"id": trigger.split(".")[0], "property": trigger.split(".")[1], "value": value}],
            "changedPropIds": [trigger], "state": [{"id": "plan-view", "property": "data", "value": view}]}


def test_the_server_refuses_a_plan_change_for_an_athlete_the_user_may_not_see(plan_server):
    base, log, data_dir = plan_server
    client = Client(base)
    assert client.sign_in("tom", PASSWORD)[0] == 303
    store = Store(data_dir)
    for trigger, value in (("plan-grid.cellValueChanged", edited("load", 900)), ("plan-generate.n_clicks", 1)):
        status, _, body = client.post_json("/_dash-update-component", callback_body(client, trigger, value, VIEW))
        assert status == 403
        assert body.strip() == "trainlog: user 'tom' may not see athlete 'mara'"
    assert plans.latest(store, "mara") is None  # nothing saved, nothing generated
    assert "403 POST /_dash-update-component: user 'tom' may not see athlete 'mara'" in log_text(log)
    # his own plan he may change
    tom_view = {"athlete": "tom", "as_of": TOM_TODAY.isoformat(), "units": "metric"}
    week = plans.monday(TOM_TODAY).isoformat()
    body = callback_body(client, "plan-grid.cellValueChanged", edited("load", 900, week), tom_view)
    status, _, answer = client.post_json("/_dash-update-component", body)
    assert status == 200 and f"Saved the week of {u.fmt_day(week)} (revision 2)." in answer
    assert plans.latest(store, "tom").revision == 2


def shown(page, element_id: str) -> str:
    return page.inner_text(f"#{element_id}").strip()


def open_page(browser, viewport: dict, base: str):
    """A signed-in page (the coach) and the list of its console errors."""
    page = browser.new_page(viewport=viewport)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{base}/login")
    page.fill("#username", "coach1")
    page.fill("#password", PASSWORD)
    page.click("#sign-in")
    page.wait_for_selector("main.main")
    return page, errors


def visit(page, url: str, selector: str) -> None:
    page.goto(url)
    page.wait_for_selector(selector)
    page.wait_for_load_state("networkidle")


def type_into(page, week: str, column: str, value: str) -> None:
    """Click a cell of the weeks table (one click opens its editor), type ``value`` and press Enter."""
    page.locator(f'#plan-grid .ag-row[row-id="{week}"] [col-id="{column}"]').first.click()
    editor = page.locator("#plan-grid .ag-cell-inline-editing input")
    editor.wait_for()
    editor.fill(value)
    editor.press("Enter")


def message_says(page, words: str) -> None:
    page.wait_for_function("w => document.querySelector('#plan-message').innerText.includes(w)", arg=words)


def test_edit_one_week_in_a_browser_and_see_the_projection_and_today_change(browser, plan_server):
    base, _, data_dir = plan_server
    store = Store(data_dir)
    plan_url, today_url = f"{base}/plan?athlete=mara&as_of={TODAY}", f"{base}/?athlete=mara&as_of={TODAY}"
    page, errors = open_page(browser, {"width": 1280, "height": 900}, base)
    visit(page, plan_url, "#plan-generate")
    page.click("#plan-generate")
    page.wait_for_selector(f'#plan-grid .ag-row[row-id="{WEEK}"]')
    message_says(page, "Generated a plan")
    generated_report = stored_report(store, "mara", TODAY)
    assert shown(page, "plan-race-tsb") == readings.signed(generated_report["projection"]["race_morning"]["tsb"])
    visit(page, today_url, "#today-race-morning")
    advice_before, morning_before = shown(page, "today-advice"), shown(page, "today-race-morning")
    assert advice_before == readings.advice_line(generated_report["today"], u.METRIC)

    visit(page, plan_url, f'#plan-grid .ag-row[row-id="{WEEK}"]')
    tsb_before = shown(page, "plan-race-tsb")
    type_into(page, WEEK, "load", "1500")
    message_says(page, f"Saved the week of {u.fmt_day(WEEK)} (revision 2).")
    page.wait_for_function("t => document.querySelector('#plan-race-tsb').innerText.trim() !== t", arg=tsb_before)
    saved = plans.latest(store, "mara")
    assert (saved.revision, saved.source, saved.weeks["planned_load"][0]) == (2, "page", 1500.0)
    after = stored_report(store, "mara", TODAY)
    assert shown(page, "plan-race-tsb") == readings.signed(after["projection"]["race_morning"]["tsb"])
    load_cell = f'#plan-grid .ag-row[row-id="{WEEK}"] [col-id="load"]'
    assert page.inner_text(load_cell).strip() == "1500"

    # a bad value: one line, nothing saved, the cell shows the stored hours again
    hours_cell = page.locator(f'#plan-grid .ag-row[row-id="{WEEK}"] [col-id="hours"]').first
    hours = hours_cell.inner_text().strip()
    type_into(page, WEEK, "hours", "500")
    message_says(page, "Not saved: week of 2026-03-09: planned_hours 500.0 is out of range 0..168 h")
    page.wait_for_function("([s, h]) => document.querySelector(s).innerText.trim() === h",
                           arg=[f'#plan-grid .ag-row[row-id="{WEEK}"] [col-id="hours"]', hours])
    assert plans.latest(store, "mara").revision == 2
    page.wait_for_selector("#plan-pmc .main-svg")
    page.screenshot(path=SCREENSHOTS / "plan-edited.png", full_page=True)

    visit(page, today_url, "#today-race-morning")
    assert shown(page, "today-advice") == readings.advice_line(after["today"], u.METRIC) != advice_before
    morning = readings.race_morning_line(after["race"], after["projection"]["race_morning"], MODEL, u.METRIC)
    assert shown(page, "today-race-morning") == morning != morning_before
    assert not errors, errors
    page.close()


def test_the_plan_page_at_phone_width(browser, plan_server):
    base, _, _ = plan_server
    page, errors = open_page(browser, {"width": 390, "height": 844}, base)
    visit(page, f"{base}/plan?athlete=tom&as_of={TOM_TODAY}&units=imperial", "#plan-grid .ag-row")
    page.wait_for_selector("#plan-pmc .main-svg")
    page.screenshot(path=SCREENSHOTS / "plan-edited-phone.png", full_page=True)
    scroll_width, width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    overflowing = page.evaluate("""[...document.querySelectorAll('.main-svg')].filter(svg => {
        const card = svg.closest('.card'); return card && svg.getBoundingClientRect().right >
            card.getBoundingClientRect().right + 1; }).length""")
    assert scroll_width <= width and overflowing == 0
    assert re.fullmatch(r"[\d,]+ ft/day", shown(page, "plan-race-ascent"))
    assert not errors, errors
    page.close()


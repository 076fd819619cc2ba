"""Page layouts and callbacks (dashboards/pages/*, shell, data), called directly without a server."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import re
import time

import dash
import polars as pl
import pytest
from builders import SUBSET, UPLOAD_FILE, find, nodes, subset_files, text

from dashboards import data, glossary, readings, shell
from dashboards import units as u
from trainlog.analysis.stored import local_today
from trainlog.export import tables
from trainlog.ingest import demo
from trainlog.settings import ModelSettings, load_settings

MARA_LAST_DAY = dt.date(2026, 3, 15)  # the Barkley file ends on the Sunday


def wait_done(job, timeout_s: float = 120.0):
    deadline = time.monotonic() + timeout_s
    while not job.done:
        assert time.monotonic() < deadline, "import did not finish"
        time.sleep(0.1)
    return job


@pytest.fixture
def pages(dash_app):
    from dashboards.pages import activities, activity, coach, fatigue, goal, plan, settings, today, training, upload

    return {"today": today, "training": training, "fatigue": fatigue, "goal": goal, "activities": activities,
            "activity": activity, "coach": coach, "upload": upload, "settings": settings, "plan": plan}


# ---- the view in the URL

def test_stale_data_shows_the_last_day_with_training(source):
    v = shell.view({"athlete": "mara"}, today=dt.date(2026, 11, 25))
    assert (v.athlete, v.as_of, v.stale) == ("mara", MARA_LAST_DAY, True)
    fresh = shell.view({"athlete": "mara"}, today=dt.date(2026, 3, 20))
    assert (fresh.as_of, fresh.stale) == (dt.date(2026, 3, 20), False)


def test_view_reads_the_url_and_falls_back_on_bad_values(source):
    v = shell.view({"athlete": "tom", "as_of": "2026-06-20", "units": "imperial", "from": "2026-06-01", "to": "x"})
    assert (v.athlete, v.as_of, v.units, v.start, v.end) == ("tom", dt.date(2026, 6, 20), u.IMPERIAL,
                                                             dt.date(2026, 6, 1), None)
    unknown = shell.view({"athlete": "nobody"})
    assert unknown.athlete == "mara"  # the first athlete
    late = shell.view({"athlete": "mara", "as_of": "2100-12-31"}, today=dt.date(2026, 12, 1))
    first, last = late.span
    assert late.notes == (f"Showing {u.fmt_day(last)} (as_of) instead of 2100-12-31: there is nothing to show "
                          f"outside {u.fmt_day(first)} to {u.fmt_day(last)}.",)  # dates in words, the URL's as typed


def selected_athlete(layout) -> str | None:
    """The athlete the header's native select shows (its one option marked selected)."""
    chosen = [o.value for o in find(layout, "ctl-athlete").children if getattr(o, "selected", False)]
    assert len(chosen) == 1
    return chosen[0]


def test_controls_are_native_and_named(source):
    """The header's controls: a labelled select, a date input bounded by the data, units as two links
    (the one shown marked), each keeping the view; view.js applies them without a reload."""
    layout = shell.page("/training", shell.view({"athlete": "tom", "as_of": "2026-06-01", "units": "imperial"}), [])
    assert selected_athlete(layout) == "tom"
    day = find(layout, "ctl-as-of")
    span = source.span("tom")
    assert (day.type, day.value, day.min, day.max) == ("date", "2026-06-01", span[0].isoformat(), span[1].isoformat())
    metric, imperial = find(layout, "units-metric"), find(layout, "units-imperial")
    assert metric.href == "/training?as_of=2026-06-01&athlete=tom"  # metric is the default: no units key
    assert imperial.href == "/training?as_of=2026-06-01&units=imperial&athlete=tom"
    assert getattr(imperial, "aria-current") == "true" and not hasattr(metric, "aria-current")
    current = [c.children for c in nodes(layout) if getattr(c, "aria-current", None) == "page"]
    assert current == ["Training"]  # the page shown, in the navigation
    assert find(layout, "main").tabIndex == "-1"  # the skip link's and a new page's focus target


def test_range_control_shows_the_range(source):
    v = shell.view({"athlete": "mara", "from": "2026-02-20", "to": "2026-03-01"})
    form = shell.range_control(v)
    assert (find(form, "ctl-from").value, find(form, "ctl-to").value) == ("2026-02-20", "2026-03-01")


# ---- pages show the library's numbers

def test_today_shows_the_summary(source, pages):
    layout = pages["today"].layout(athlete="mara", as_of="2026-03-15")
    s = source.summary("mara", MARA_LAST_DAY)
    assert text(layout, "today-ctl") == u.number(s["form"]["ctl"])
    assert text(layout, "today-tsb") == u.number(s["form"]["tsb"])
    # the subset's 27 days of Mara are a cold start (test_today_while_building_history); bands otherwise
    assert text(layout, "today-form-band") == ("building history (day 27 of 42)" if s["form"]["building_history"]
                                               else s["form"]["band"])
    assert text(layout, "today-acwr") == u.number(s["acwr"]["value"], 2)
    assert text(layout, "today-week-ascent") == u.fmt_elevation(s["this_week"]["ascent_m"], u.METRIC)
    assert text(layout, "today-best-window") == u.fmt_elevation(s["goal"]["best_window_ascent_m"], u.METRIC)
    # the heading names the day; the note links the other day, naming it
    assert text(layout, "today-title") == "mara, Sun 15 Mar 2026 (last day with training)"
    link = find(layout, "as-of-note").children[-1]
    today = local_today(source.settings("mara"))
    assert link.children == f"Show today, {u.fmt_day(today)}" and f"as_of={today.isoformat()}" in link.href
    warnings = str(find(layout, "today-warnings").children)
    assert "threshold heart rate" in warnings  # defaults in use are said


def test_today_in_imperial_units(source, pages):
    layout = pages["today"].layout(athlete="mara", as_of="2026-03-15", units="imperial")
    s = source.summary("mara", MARA_LAST_DAY)
    assert text(layout, "today-week-distance") == u.fmt_distance(s["this_week"]["distance_m"], u.IMPERIAL)
    assert text(layout, "today-week-distance").endswith(" mi")


def test_goal_page_shows_readiness(source, pages):
    layout = pages["goal"].layout(athlete="mara", as_of="2026-03-15")
    g = source.summary("mara", MARA_LAST_DAY)["goal"]
    assert text(layout, "goal-best-7day") == u.fmt_elevation(g["best_7day_ascent_m"], u.METRIC)
    assert text(layout, "goal-biggest") == u.fmt_elevation(g["biggest_activity_ascent_m"], u.METRIC)
    assert g["date"] == "2026-03-13"  # the sample settings
    assert find(layout, "goal-plan") is None  # the race is over: no plan


@pytest.mark.parametrize("page", ["training", "fatigue", "activities", "coach", "upload", "settings", "plan"])
def test_every_page_renders_for_each_athlete(source, pages, page):
    for athlete in SUBSET:
        layout = pages[page].layout(athlete=athlete)
        assert selected_athlete(layout) == athlete


def test_activities_table_lists_every_activity_with_links(source, pages):
    layout = pages["activities"].layout(athlete="tom")
    table = find(layout, "activities-table")
    assert len(table.rowData) == len(subset_files("tom"))
    assert table.rowData[0]["file"] == "2026-06-26_1800_running_race.fit"  # newest first
    assert table.rowData[0]["date"].startswith("[Fri 26 Jun 2026](/activity/")  # the one date format
    assert table.rowData[0]["day"] == "2026-06-26"  # what the date column sorts by
    assert table.rowData[0]["load_source"] == "heart rate" and table.rowData[0]["time"] == "30 h 33 min"
    fields = [c["field"] for c in table.columnDefs]
    assert set(fields) == set(table.rowData[0])  # every value has its column
    # only the date (a link trainlog builds) is rendered as Markdown; FIT text stays text
    assert [c["field"] for c in table.columnDefs if c.get("cellRenderer")] == ["date"]
    assert not getattr(table, "dangerously_allow_code", False)  # the default: no raw HTML


def test_activity_page_and_its_map_toggle(source, pages):
    acts = source.activities("mara")
    race = acts.filter(acts["ascent_m"] > 10_000).row(0, named=True)
    layout = pages["activity"].layout(activity_id=race["activity_id"], athlete="mara")
    assert text(layout, "activity-ascent") == u.fmt_elevation(race["ascent_m"], u.METRIC)
    assert find(layout, "activity-laps") is not None
    which = {"athlete": "mara", "activity_id": race["activity_id"]}
    figure, pressed, label = pages["activity"].toggle_map(1, which)
    assert (figure.data[0].type, pressed, label) == ("scattermap", "true", "Show the plain track")
    figure, pressed, _ = pages["activity"].toggle_map(2, which)  # pressed again: the plain track
    assert (figure.data[0].type, pressed) == ("scatter", "false")
    missing = pages["activity"].layout(activity_id="nope", athlete="mara")
    assert "not found" in str(missing).lower()


def test_coach_roster_and_comparison(source, pages):
    rows = pages["coach"].roster_rows(u.METRIC)
    assert [r["athlete"] for r in rows] == sorted(SUBSET)
    mara = rows[0]
    s = source.summary("mara", MARA_LAST_DAY)
    assert mara["ctl"] == u.number(s["form"]["ctl"]) and mara["as_of"] == "Sun 15 Mar 2026"
    # the subset's Mara is in the cold start: no band, never "danger", METRICS.md's words instead
    assert mara["acwr"] == f"{u.number(s['acwr']['value'], 2)} building history"
    assert mara["tsb"].endswith(" building history") and mara["goal"] == "Fri 13 Mar 2026"
    assert mara["flags"] == readings.warnings({**s, "defaults_in_use": []}, source.settings("mara").model)
    graphs = pages["coach"].compare(["mara", "tom", "ghost"], "imperial")
    assert [t.name for t in find(graphs[0], "coach-ctl").figure.data] == ["mara", "tom"]
    ascent = find(graphs[2], "coach-ascent_7d").figure
    assert ascent.layout.title.text.endswith("(ft)")
    daily = source.daily("mara", MARA_LAST_DAY)
    assert ascent.data[0].y[-1] == pytest.approx(daily["ascent_m"].tail(7).sum() / 0.3048, abs=0.1)


def test_coach_comparison_lives_in_the_url(source, pages):
    coach = pages["coach"]
    everyone = sorted(SUBSET)
    assert coach.compare_query(["tom"], everyone) == "tom"
    assert coach.compare_query([], everyone) == "none"
    assert coach.compare_query(everyone, everyone) is None  # the default: no compare in the URL
    assert coach.toggled(["mara", "tom"], "tom") == ["mara"] and coach.toggled(["mara"], "tom") == ["mara", "tom"]

    def chosen(query):
        """The athletes whose link is marked as shown, and where each athlete's link leads."""
        layout = coach.layout(**query)
        links = {a: find(layout, f"compare-{a}") for a in everyone}
        return ([a for a, link in links.items() if getattr(link, "aria-current", None) == "true"],
                {a: link.href for a, link in links.items()})

    shown, targets = chosen({"athlete": "mara"})
    assert shown == everyone and targets["tom"] == "/coach?athlete=mara&compare=mara"  # taking tom out
    shown, targets = chosen({"athlete": "mara", "compare": "tom,ghost"})
    assert shown == ["tom"]  # unknown names are dropped
    assert targets == {"mara": "/coach?athlete=mara",  # adding mara: everyone, the default
                       "tom": "/coach?athlete=mara&compare=none"}
    assert chosen({"athlete": "mara", "compare": "none"})[0] == []


# ---- settings

def test_settings_save_through_the_library(writable_source, pages):
    values = dict.fromkeys(pages["settings"].FIELDS)
    values.update(sex="female", hr_max=185, pace="4:50", timezone="America/New_York", goal_name="Barkley 2027",
                  goal_date="2027-03-12", goal_ascent=17698, goal_distance=160, goal_hours=60, goal_loops=5,
                  default_sport=" Hiking ")
    message, css = pages["settings"].save(1, "mara", "metric", *values.values())
    assert css == "message ok", message
    saved = load_settings(writable_source.store.settings_path("mara"))
    assert (saved.sex, saved.hr_max_bpm, saved.threshold_pace_s_per_km) == ("female", 185.0, 290.0)
    assert saved.default_sport == "hiking"  # what a GPX or TCX that names no sport is
    assert saved.goal.date == dt.date(2027, 3, 12) and saved.goal.name == "Barkley 2027"
    assert writable_source.settings("mara") == saved  # the cache sees the new file


def test_settings_in_imperial_units(writable_source, pages):
    settings = pages["settings"]
    before = writable_source.settings("mara")
    shown = settings.form_values(before, u.IMPERIAL)
    assert shown["goal_ascent"] == pytest.approx(17698 / 0.3048, abs=0.05)  # 58,064.3 ft
    layout = settings.layout(athlete="mara", units="imperial")
    assert find(layout, "set-goal_ascent").value == shown["goal_ascent"]
    # an untouched form keeps the stored metres exactly (no rounding through feet and miles)
    message, css = settings.save(1, "mara", "imperial", *shown.values())
    assert css == "message ok", message
    assert load_settings(writable_source.store.settings_path("mara")).goal == before.goal
    # edited fields are read in feet, miles and minutes per mile
    values = {**shown, "goal_ascent": 30000, "goal_distance": 100, "pace": "8:00"}
    message, css = settings.save(1, "mara", "imperial", *values.values())
    assert css == "message ok", message
    saved = load_settings(writable_source.store.settings_path("mara"))
    assert saved.goal.ascent_m == pytest.approx(30000 * 0.3048)  # 9,144 m
    assert saved.goal.distance_m == pytest.approx(100 * 1609.344)
    assert saved.threshold_pace_s_per_km == pytest.approx(480 / 1.609344)  # 298.3 s/km
    assert saved.goal.date == before.goal.date and saved.hr_max_bpm == before.hr_max_bpm


def test_settings_page_keeps_what_it_does_not_show(writable_source, pages):
    """ftp_w, start_ctl, start_atl and the model are set elsewhere (trainlog athlete set, settings.json): saving
    the page must not reset them to their defaults."""
    settings = pages["settings"]
    before = dataclasses.replace(writable_source.settings("mara"), ftp_w=250.0, start_ctl=40.0, start_atl=35.0,
                                 model=ModelSettings(history_days=28))
    writable_source.save_settings("mara", before)
    shown = settings.form_values(before, u.METRIC)
    message, css = settings.save(1, "mara", "metric", *{**shown, "hr_max": 187}.values())
    assert css == "message ok", message
    saved = load_settings(writable_source.store.settings_path("mara"))
    assert saved.hr_max_bpm == 187.0
    assert (saved.ftp_w, saved.start_ctl, saved.start_atl, saved.model) == (250.0, 40.0, 35.0, before.model)


def test_settings_refuse_invalid_values(writable_source, pages):
    before = writable_source.settings("mara")
    values = dict.fromkeys(pages["settings"].FIELDS)
    values.update(hr_max=150, lthr=170)  # threshold above max
    message, css = pages["settings"].save(1, "mara", "metric", *values.values())
    assert css == "message error" and "threshold" in message
    assert load_settings(writable_source.store.settings_path("mara")) == before
    values = {**dict.fromkeys(pages["settings"].FIELDS), "default_sport": "trail <script>"}
    message, css = pages["settings"].save(1, "mara", "metric", *values.values())
    assert css == "message error" and "is not a sport name" in message
    assert load_settings(writable_source.store.settings_path("mara")) == before


def test_settings_weight_is_a_plain_athlete_value(writable_source, pages):
    settings = pages["settings"]
    layout = settings.layout(athlete="mara")
    field = find(layout, "set-weight")
    assert field.type == "text" and field.value is None  # not set in the sample data
    shown = settings.form_values(writable_source.settings("mara"), u.METRIC)
    message, css = settings.save(1, "mara", "metric", *{**shown, "weight": " 61.5 "}.values())
    assert css == "message ok", message
    assert load_settings(writable_source.store.settings_path("mara")).weight_kg == 61.5
    message, css = settings.save(1, "mara", "metric", *{**shown, "weight": "700"}.values())
    assert css == "message error" and "Body weight 700 is out of range 25–250 kg" in message
    message, css = settings.save(1, "mara", "metric", *{**shown, "weight": ""}.values())  # emptied: unknown
    assert css == "message ok" and load_settings(writable_source.store.settings_path("mara")).weight_kg is None


# ---- thresholds over time (issue 16): the Settings page's dated changes

@pytest.fixture
def thresholds(dash_app):
    from dashboards.pages import _thresholds

    return _thresholds


def change_form(thresholds, **values) -> dict:
    """The thresholds form with ``values`` typed (``from`` is the day), the other fields empty."""
    return {**dict.fromkeys(thresholds.FORM, ""), **{k.rstrip("_"): v for k, v in values.items()}}


def history_rows(table) -> list[list[str]]:
    """The table of changes as text, a list per row (a Remove button as its word)."""
    body = next(n for n in nodes(find(table, "thr-history")) if isinstance(n, dash.html.Tbody))
    return [[c.children if isinstance(c.children, str) else c.children.children for c in row.children]
            for row in body.children]


def test_thresholds_section_shows_the_plain_values_for_every_day(source, pages):
    layout = pages["settings"].layout(athlete="mara")
    section = find(layout, "thresholds")
    assert section.children[0].children == "Thresholds over time"
    assert history_rows(layout) == [["For every day", "186 bpm", "46 bpm", "164 bpm (default)", "4:30 /km (default)",
                                     "not set", "not set", u.DASH]]
    assert find(layout, "thr-from").type == "date"  # the browser's own date input
    labels = [n for n in nodes(section) if isinstance(n, dash.html.Label)]
    assert [lab.children[1].id for lab in labels] == ["thr-from", "thr-hr_max", "thr-hr_rest", "thr-lthr", "thr-pace",
                                                     "thr-ftp", "thr-weight"]  # each field inside its label
    assert labels[4].children[0] == "Threshold pace on the flat (min:s per km, 2:00–15:00)"
    status = find(layout, "thr-message")
    assert status.role == "status" and status.children == ""


def test_thresholds_add_merge_and_remove_a_change(writable_source, thresholds):
    path = writable_source.store.settings_path("mara")
    before = load_settings(path)
    table, message, css, *fields = thresholds.add_change(
        "mara", "metric", change_form(thresholds, from_="2026-03-01", lthr="170", pace="4:20"))
    assert css == "message ok", message
    assert message.startswith("Saved from Sun 1 Mar 2026: threshold heart rate 170 bpm, threshold pace on the flat "
                              "4:20 /km.")
    assert fields == [""] * 7  # the form emptied for the next change
    saved = load_settings(path)
    assert [c.to_dict() for c in saved.thresholds] == [{"from": "2026-03-01", "lthr_bpm": 170.0,
                                                        "threshold_pace_s_per_km": 260.0}]
    assert dataclasses.replace(saved, thresholds=()) == before  # the plain values and the rest as they were
    assert history_rows(table) == [
        ["Before Sun 1 Mar 2026", "186 bpm", "46 bpm", "164 bpm (default)", "4:30 /km (default)", "not set", "not set",
         u.DASH],
        ["From Sun 1 Mar 2026", u.DASH, u.DASH, "170 bpm", "4:20 /km", u.DASH, u.DASH, "Remove"],
    ]
    # a second change on the same day is merged into it (the values typed replace theirs, the others stay)
    _, message, css, *_ = thresholds.add_change("mara", "metric",
                                                change_form(thresholds, from_="2026-03-01", lthr="168", ftp="250"))
    assert css == "message ok", message
    _, message, css, *_ = thresholds.add_change("mara", "metric",
                                                change_form(thresholds, from_="2026-03-08", weight="61.5"))
    assert css == "message ok", message
    saved = load_settings(path)
    assert [c.to_dict() for c in saved.thresholds] == [
        {"from": "2026-03-01", "lthr_bpm": 168.0, "threshold_pace_s_per_km": 260.0, "ftp_w": 250.0},
        {"from": "2026-03-08", "weight_kg": 61.5}]
    table, message, css, *fields = thresholds.remove_change("mara", "metric", "2026-03-01")
    assert css == "message ok" and message.startswith("Removed the change from Sun 1 Mar 2026"), message
    assert fields == [dash.no_update] * 7  # what was typed stays
    assert [c.to_dict() for c in load_settings(path).thresholds] == [{"from": "2026-03-08", "weight_kg": 61.5}]
    assert [row[0] for row in history_rows(table)] == ["Before Sun 8 Mar 2026", "From Sun 8 Mar 2026"]
    # a change already gone (removed in another tab): one line, nothing written, the table as saved
    kept = path.read_bytes()
    table, message, css, *_ = thresholds.remove_change("mara", "metric", "2026-03-01")
    assert (message, css) == ("Not removed: no threshold change on 2026-03-01 (changes: 2026-03-08)", "message error")
    assert path.read_bytes() == kept and len(history_rows(table)) == 2
    thresholds.remove_change("mara", "metric", "2026-03-08")
    assert load_settings(path) == before


def test_a_threshold_change_that_breaks_the_heart_rates_names_its_date(writable_source, thresholds):
    """rest < threshold <= max must hold in every period: a max heart rate from 1 March below the threshold
    heart rate of a later change is refused, naming the day it fails from; nothing is saved."""
    path = writable_source.store.settings_path("mara")
    _, message, css, *_ = thresholds.add_change("mara", "metric",
                                                change_form(thresholds, from_="2026-03-08", lthr="180"))
    assert css == "message ok", message
    kept = path.read_bytes()
    _, message, css, *fields = thresholds.add_change("mara", "metric",
                                                     change_form(thresholds, from_="2026-03-01", hr_max="178"))
    assert css == "message error"
    assert message == ("Not saved: heart rates must satisfy rest < threshold <= max, got rest 46, threshold 180, "
                       "max 178 bpm from 2026-03-08")
    assert fields == [dash.no_update] * 7 and path.read_bytes() == kept


def test_a_threshold_pace_typed_per_mile_is_stored_per_km(writable_source, pages, thresholds):
    path = writable_source.store.settings_path("mara")
    layout = pages["settings"].layout(athlete="mara", units="imperial")
    pace = next(n for n in nodes(find(layout, "thresholds")) if isinstance(n, dash.html.Label)
                and n.children[1].id == "thr-pace")
    assert pace.children[0] == "Threshold pace on the flat (min:s per mi, 3:13–24:08)"
    table, message, css, *_ = thresholds.add_change("mara", "imperial",
                                                    change_form(thresholds, from_="2026-03-01", pace="8:00"))
    assert css == "message ok" and "threshold pace on the flat 8:00 /mi" in message, message
    (change,) = load_settings(path).thresholds
    assert change.threshold_pace_s_per_km == pytest.approx(480 / 1.609344)  # 298.3 s/km
    assert history_rows(table)[1][4] == "8:00 /mi"
    assert history_rows(thresholds.history_table(load_settings(path), u.METRIC))[1][4] == "4:58 /km"


def test_a_threshold_change_rescores_the_runs_from_its_day_only(writable_source, thresholds):
    """Through dashboards.data (the stored analysis, keyed by the settings): a threshold heart rate from 1 March
    changes the load of Mara's runs from that day on and leaves the earlier ones as they were."""
    day = dt.date(2026, 3, 1)

    def loads() -> dict[str, tuple[dt.date, float]]:
        runs = writable_source.activities("mara").select("activity_id", "start_date", "load", "load_source")
        assert set(runs["load_source"]) == {"hr"}
        return {r["activity_id"]: (r["start_date"], r["load"]) for r in runs.iter_rows(named=True)}

    before = loads()
    assert {d < day for d, _ in before.values()} == {True, False}  # runs on both sides of the change
    _, message, css, *_ = thresholds.add_change("mara", "metric", change_form(thresholds, from_="2026-03-01",
                                                                              lthr="150"))
    assert css == "message ok", message
    after = loads()
    for run, (start, load) in before.items():
        if start < day:
            assert after[run][1] == load, run  # scored with the plain values, as before
        else:
            assert after[run][1] > load, run  # a lower threshold heart rate: a harder run
    total = writable_source.summary("mara", MARA_LAST_DAY)["form"]["ctl"]
    thresholds.remove_change("mara", "metric", "2026-03-01")
    assert loads() == before  # removed: scored as before again
    assert writable_source.summary("mara", MARA_LAST_DAY)["form"]["ctl"] < total


def test_the_thresholds_callback_acts_only_on_a_press(writable_source, thresholds, monkeypatch):
    def pressed(trigger, clicks, **typed):
        monkeypatch.setattr(thresholds, "ctx", type("Ctx", (), {"triggered_id": trigger,
                                                                "triggered": [{"value": clicks}]})())
        form = change_form(thresholds, **typed)
        return thresholds.change(clicks, [clicks], "mara", "metric", *(form[k] for k in thresholds.FORM))

    with pytest.raises(dash.exceptions.PreventUpdate):  # the Remove buttons drawn again, none pressed
        pressed({"type": "thr-remove", "day": "2026-03-01"}, None)
    _, message, css, *_ = pressed("thr-add", 1, from_="2026-03-01", hr_rest="44")
    assert css == "message ok", message
    assert [c.to_dict() for c in writable_source.settings("mara").thresholds] == [{"from": "2026-03-01",
                                                                                   "hr_rest_bpm": 44.0}]
    _, message, css, *_ = pressed({"type": "thr-remove", "day": "2026-03-01"}, 1)
    assert css == "message ok", message
    assert writable_source.settings("mara").thresholds == ()


def test_a_goal_date_gives_a_plan_and_a_needed_line(writable_source, pages):
    values = dict.fromkeys(pages["settings"].FIELDS)
    values.update(goal_date="2026-04-15")
    pages["settings"].save(1, "mara", "metric", *values.values())
    layout = pages["goal"].layout(athlete="mara", as_of="2026-03-15")
    g = writable_source.summary("mara", MARA_LAST_DAY)["goal"]
    assert g["days_to_goal"] == 31
    # the race week climbed the goal's ascent: "reached", not a number still to do
    assert g["current_weekly_ascent_m"] >= g["ascent_m"] and text(layout, "goal-needed") == "reached"
    plan = writable_source.ascent_plan("mara", MARA_LAST_DAY)
    assert plan["needed_ascent_m"][0] == pytest.approx(g["needed_weekly_ascent_m"])
    assert find(layout, "goal-plan") is not None
    week_before = pages["goal"].layout(athlete="mara", as_of="2026-03-08")
    g = writable_source.summary("mara", dt.date(2026, 3, 8))["goal"]
    assert text(week_before, "goal-needed") == u.fmt_elevation(g["needed_weekly_ascent_m"], u.METRIC)
    assert text(pages["today"].layout(athlete="mara", as_of="2026-03-08"), "today-needed") == text(
        week_before, "goal-needed")


def test_a_rendered_page_is_kept_until_the_settings_or_data_change(writable_source, pages, monkeypatch):
    """Pages are cached (shell.guarded): the same view twice is the same layout, and saving
    settings gives a new one that shows them."""
    monkeypatch.setattr(data, "PAGE_TTL_S", 10**9)  # no quarter-hour boundary between the renders
    first = pages["goal"].layout(athlete="mara", as_of="2026-03-15")
    assert pages["goal"].layout(athlete="mara", as_of="2026-03-15") is first
    assert pages["goal"].layout(athlete="mara", as_of="2026-03-15", made_up="1") is first  # not a new entry
    assert find(first, "goal-plan") is None  # no goal date yet
    values = dict.fromkeys(pages["settings"].FIELDS)
    values.update(goal_date="2026-04-15")
    pages["settings"].save(1, "mara", "metric", *values.values())
    after = pages["goal"].layout(athlete="mara", as_of="2026-03-15")
    assert after is not first and find(after, "goal-plan") is not None
    assert pages["goal"].layout(athlete="mara", as_of="2026-03-16") is not after  # another view


def test_the_comparison_is_kept_until_a_compared_athletes_data_change(writable_source, pages, monkeypatch):
    """The Coach page's comparison does not depend on the page's day: another day reuses it; a change of a compared
    athlete's settings makes it anew, one of an athlete not compared does not."""
    monkeypatch.setattr(data, "PAGE_TTL_S", 10**9)  # no quarter-hour boundary between the renders
    coach = pages["coach"]
    first = coach.compare(["mara"], "metric")
    assert coach.compare(["mara"], "metric") is first
    assert find(coach.layout(athlete="mara", as_of="2026-03-01", compare="mara"), "compare-graphs").children is first
    assert coach.compare(["mara"], "imperial") is not first and coach.compare(["mara", "tom"], "metric") is not first
    values = dict.fromkeys(pages["settings"].FIELDS)
    values.update(goal_date="2026-04-15")
    pages["settings"].save(1, "tom", "metric", *values.values())
    assert coach.compare(["mara"], "metric") is first  # tom is not compared
    pages["settings"].save(1, "mara", "metric", *values.values())
    assert coach.compare(["mara"], "metric") is not first


def test_today_while_building_history(source, pages):
    """Mara's first activity in the subset is on 2026-02-17: on 2026-03-15 she is on day 27 of the 42 of the cold start."""
    s = source.summary("mara", MARA_LAST_DAY)
    assert s["form"]["building_history"] is True
    assert s["form"]["band"] is None and s["acwr"]["band"] is None and s["monotony"]["band"] is None
    layout = pages["today"].layout(athlete="mara", as_of="2026-03-15")
    assert text(layout, "today-form-band") == "building history (day 27 of 42)"
    assert text(layout, "today-acwr-band") == "building history (day 27 of 42)"
    assert str(layout).count(readings.HISTORY_READING) == 2  # no band reading either
    warnings = str(find(layout, "today-warnings").children)
    assert "Monotony" not in warnings and "Fitness is" not in warnings and "Acute:chronic" not in warnings
    assert "danger" not in str(layout)  # a cold start's ratio is high by construction: no band
    day_one = pages["today"].layout(athlete="mara", as_of="2026-02-17")
    assert text(day_one, "today-form-band") == "building history (day 1 of 42)"


def test_today_with_a_starting_fitness_shows_bands_from_day_one(writable_source, pages):
    import dataclasses

    settings = writable_source.settings("mara")
    writable_source.save_settings("mara", dataclasses.replace(settings, start_ctl=60.0, start_atl=55.0))
    s = writable_source.summary("mara", MARA_LAST_DAY)
    assert s["form"]["building_history"] is False and s["form"]["band"] is not None
    layout = pages["today"].layout(athlete="mara", as_of="2026-03-15")
    assert text(layout, "today-form-band") == s["form"]["band"]
    assert readings.form_reading(s["form"]["band"]) in str(layout)
    assert readings.HISTORY_READING not in str(layout)


def stat_of(component, element_id):
    """The figure card (shell.stat) that holds the element ``element_id``, or None."""
    children = getattr(component, "children", None)
    for child in children if isinstance(children, (list, tuple)) else [children] if children is not None else []:
        if getattr(child, "id", None) == element_id and "stat" in (getattr(component, "className", "") or "").split():
            return component
        found = stat_of(child, element_id)
        if found is not None:
            return found
    return None


def test_today_reads_and_tones_relabelled_bands(writable_source, pages):
    """Band labels are settings: relabelled, Today's form and ACWR bands keep their reading and tone."""
    settings = dataclasses.replace(writable_source.settings("mara"), start_ctl=60.0, start_atl=55.0)
    writable_source.save_settings("mara", settings)
    before = writable_source.summary("mara", MARA_LAST_DAY)
    shown = pages["today"].layout(athlete="mara", as_of="2026-03-15")
    model = dataclasses.replace(settings.model, form_band_labels=("f1", "f2", "f3", "f4", "f5"),
                                acwr_band_labels=("a1", "a2", "a3", "a4"))
    writable_source.save_settings("mara", dataclasses.replace(settings, model=model))
    after = writable_source.summary("mara", MARA_LAST_DAY)
    layout = pages["today"].layout(athlete="mara", as_of="2026-03-15")
    for key, band_id, value_id, labels in (("form", "today-form-band", "today-tsb", model.form_band_labels),
                                           ("acwr", "today-acwr-band", "today-acwr", model.acwr_band_labels)):
        old, new = before[key]["band"], after[key]["band"]
        assert old is not None and new == labels[getattr(settings.model, f"{key}_band_labels").index(old)]
        assert text(layout, band_id) == new
        reading = getattr(readings, f"{key}_reading")(old)
        assert reading != readings.NO_READING and reading in str(layout)
        assert stat_of(layout, value_id).className == stat_of(shown, value_id).className  # the same tone
    assert stat_of(layout, "today-tsb").className == f"stat {readings.form_tone(before['form']['band'])}".strip()


def test_fatigue_page_while_building_history(source, pages):
    layout = pages["fatigue"].layout(athlete="mara", to="2026-03-15")
    note = text(layout, "fatigue-history")
    assert "building history (day 27 of 42)" in note
    pmc = find(layout, "fatigue-pmc").figure
    assert [a.text for a in pmc.layout.annotations if a.text.startswith("building history")] == [
        "building history: no bands"]


def test_warnings_are_quiet_on_load_while_building_history():
    model = ModelSettings()
    summary = {
        "form": {"ramp": 20.0, "band": None, "building_history": True},
        "acwr": {"value": 2.1, "band": "danger"},
        "monotony": {"value": 2.5, "band": "flag"},
        "load_sources": {"hr": 3, "power": 2, "gap": 1},
        "defaults_in_use": [],
    }
    # power measures the effort as heart rate does: only the pace load is an estimate
    assert readings.warnings(summary, model) == [
        "Load estimated without heart rate or power for 1 activity (from grade-adjusted pace)."]
    built = {**summary, "form": {**summary["form"], "building_history": False}}
    said = readings.warnings(built, model)
    assert [w.split(" ")[0] for w in said] == ["Monotony", "Fitness", "Acute:chronic", "Load"]
    assert readings.history_text(readings.history_day(dt.date(2026, 2, 17), dt.date(2026, 3, 15)), 42) == (
        "building history (day 27 of 42)")
    assert readings.history_day(dt.date(2026, 2, 16), dt.date(2026, 2, 15)) is None


def test_goal_when_in_words():
    assert readings.goal_when("2026-03-13", 12) == "Fri 13 Mar 2026, in 12 days"
    assert readings.goal_when("2026-03-13", 0) == "Fri 13 Mar 2026, today"
    assert readings.goal_when("2026-03-13", -1) == "Fri 13 Mar 2026, 1 day ago"
    assert readings.goal_when(None, None) == "no date set"


# ---- the words on the pages (issue 14)

def stats_of(component):
    """Every figure card (shell.stat) under ``component``."""
    return [c for c in nodes(component) if "stat" in (getattr(c, "className", "") or "").split()]


def shown_text(component):
    """Every string a page shows (children, not properties such as links or stored data)."""
    return [t for t in nodes(component) if isinstance(t, str)]


def disclosures(component):
    """The (summary, source) of every "What is ...?" disclosure under ``component`` (glossary.details)."""
    if type(component).__name__ == "Details" and getattr(component, "className", None) == "explain":
        summary, _, source = component.children
        yield summary.children, source.children
        return
    children = getattr(component, "children", None)
    for child in children if isinstance(children, (list, tuple)) else [children] if children is not None else []:
        yield from disclosures(child)


def test_every_figure_card_says_what_it_is(source, pages):
    """Each card: a caption with its unit and a "What is ...?" disclosure with a paragraph and its source."""
    acts = source.activities("mara")
    race = acts.filter(acts["ascent_m"] > 10_000).row(0, named=True)
    for layout in (pages["today"].layout(athlete="mara", as_of="2026-03-15"),
                   pages["goal"].layout(athlete="mara", as_of="2026-03-15"),
                   pages["activity"].layout(activity_id=race["activity_id"], athlete="mara")):
        cards = list(stats_of(layout))
        assert cards
        for card in cards:
            said = list(disclosures(card))
            assert said, card.children[0].children
            assert all(q.startswith(("What is ", "When does ")) and src.startswith("Source: ") for q, src in said)
        questions = [q for q, _ in disclosures(layout)]
        assert len(questions) == len(set(questions))  # each names its figure
    today = pages["today"].layout(athlete="mara", as_of="2026-03-15")
    assert glossary.entry("fitness").line in str(today) and "What is the acute:chronic ratio?" in str(today)
    assert "Acute:chronic ratio (ACWR)" in str(today)  # one name, as on Coach
    assert "Acute:chronic ratio (ACWR)" in str(pages["coach"].layout(athlete="mara"))


def test_today_says_which_day_it_shows(source, pages):
    today = local_today(source.settings("mara"))
    shown = pages["today"].layout(athlete="mara", as_of=today.isoformat())
    assert text(shown, "today-title") == f"mara, {u.fmt_day(today)} (today)"
    back = find(shown, "as-of-note").children[-1]  # the default for Mara's old data is her last day with training
    assert back.children == "Back to the last day with training, Sun 15 Mar 2026" and "as_of" not in back.href
    other = pages["today"].layout(athlete="mara", as_of="2026-03-01")
    assert text(other, "today-title") == "mara, Sun 1 Mar 2026"
    assert find(other, "as-of-note").children[-1].children == "Back to the last day with training, Sun 15 Mar 2026"
    stale = pages["today"].layout(athlete="mara")
    assert text(stale, "today-title") == "mara, Sun 15 Mar 2026 (last day with training)"
    note = find(stale, "as-of-note").children
    assert note[0] == f"Nothing was recorded in the {data.STALE_DAYS} days before today."
    assert note[-1].children == f"Show today, {u.fmt_day(today)}"
    goal = pages["goal"].layout(athlete="mara")  # a page whose heading is the goal's: the note names the day
    assert find(goal, "as-of-note").children[0].startswith("Showing Sun 15 Mar 2026 (last day with training).")


def test_today_figures_in_plain_words(source, pages):
    layout = pages["today"].layout(athlete="mara", as_of="2026-03-15")
    s = source.summary("mara", MARA_LAST_DAY)
    assert stat_of(layout, "today-ctl").children[2].children == f"ramp: {readings.ramp_words(s['form']['ramp'])}"
    assert text(layout, "today-week-time") == u.fmt_duration(s["this_week"]["moving_s"])
    assert " h " in text(layout, "today-week-time") and text(layout, "today-week-time").endswith(" min")
    figures = text(layout, "today-last-figures")
    assert "load 1,360 from heart rate" in figures and "(hr)" not in figures and "59 h 09 min" in figures
    assert text(layout, "today-last-activity") == "Fri 13 Mar 2026 running"
    assert "This week (from Mon 9 Mar 2026)" in str(layout)
    assert not [t for t in shown_text(layout) if re.search(r"\d{4}-\d\d-\d\d", t)]  # no ISO date (links keep them)
    assert not [t for t in shown_text(layout) if "UTC" in t]


def test_a_goal_without_a_date_says_so_in_its_card(writable_source, pages):
    settings = writable_source.settings("mara")
    writable_source.save_settings("mara", dataclasses.replace(settings, goal=dataclasses.replace(settings.goal,
                                                                                                 date=None)))
    for page, element in (("today", "today-needed"), ("goal", "goal-needed")):
        layout = pages[page].layout(athlete="mara", as_of="2026-03-08")  # a week short of the goal's ascent
        assert text(layout, element) == "no goal date"
        link = find(layout, f"{element}-settings")
        assert link.children == "Settings" and link.href.startswith("/settings?")
        assert stat_of(layout, element).children[2].children[:2] == ["Set the goal's date", " in "]
    goal = pages["goal"].layout(athlete="mara", as_of="2026-03-08")
    assert "The goal has no date: set it in" in str(find(goal, "goal-plan-none"))


def test_the_goal_page_agrees_with_itself_and_shows_local_days(source, pages):
    layout = pages["goal"].layout(athlete="mara", as_of="2026-03-15")
    g = source.summary("mara", MARA_LAST_DAY)["goal"]
    assert g["current_weekly_ascent_m"] >= g["ascent_m"] and g["projected_date"] > "2026-03-15"
    # the last 7 days climbed the goal's ascent: the trend card says "reached" too, the later date explained
    assert text(layout, "goal-projected") == "reached" and text(layout, "goal-needed") == "reached"
    assert "would reach it on" in str(stat_of(layout, "goal-projected").children[2].children)
    window = stat_of(layout, "goal-best-window").children[2].children
    assert window == "ending Sun 15 Mar 2026"  # the local day, no UTC clock time
    assert "UTC" not in str(layout) and "–" not in text(layout, "goal-needed")


def test_activity_page_in_plain_words(source, pages):
    acts = source.activities("mara")
    race = acts.filter(acts["ascent_m"] > 10_000).row(0, named=True)
    layout = pages["activity"].layout(activity_id=race["activity_id"], athlete="mara")
    assert text(layout, "activity-elapsed") == u.fmt_duration(race["elapsed_s"]) == "59 h 09 min"
    assert stat_of(layout, "activity-load").children[2].children == "from heart rate"
    assert stat_of(layout, "activity-gap").children[0].children == "Grade-adjusted pace"
    assert "Fri 13 Mar 2026 running" in str(layout)


def test_fatigue_and_training_pages_explain_their_charts(source, pages):
    fatigue = pages["fatigue"].layout(athlete="mara", to="2026-03-15")
    said = dict(disclosures(find(fatigue, "fatigue-glossary")))
    assert {"What is fitness?", "What is form?", "What is the acute:chronic ratio?", "What is monotony?"} <= set(said)
    assert "Foster 1998" in said["What is monotony?"]
    training = pages["training"].layout(athlete="mara")
    assert "What is cumulative ascent?" in dict(disclosures(find(training, "training-glossary")))


# ---- uploads

def test_safe_upload_names():
    assert data.safe_upload_name(3, "../../etc/passwd.fit") == "003-passwd.fit"
    assert data.safe_upload_name(0, "C:\\Users\\me\\run <1>.FIT.gz") == "000-run__1_.fit.gz"
    assert data.safe_upload_name(1, ".hidden.zip") == "001-.hidden.zip"
    assert data.safe_upload_name(2, "notes.txt") is None
    assert data.safe_upload_name(4, "Morning Run.GPX") == "004-Morning_Run.gpx"
    assert data.safe_upload_name(5, "old.tcx.gz") == "005-old.tcx.gz"


def test_upload_imports_in_the_background_and_reports_each_file(writable_source, pages):
    upload = pages["upload"]
    files = [(UPLOAD_FILE.name, UPLOAD_FILE.read_bytes()), ("notes.txt", b"hello"), ("broken.fit", b"\0\0\0")]
    job = writable_source.import_uploads("mara", files)
    layout = upload.layout(athlete="mara", job=job.id)
    assert find(layout, "upload-job").data == job.id and find(layout, "upload-poll").disabled is False
    wait_done(job)
    status, table, stop = upload.upload_progress(1, job.id)
    assert stop is True and "1 imported" in str(status) and "1 skipped" in str(status) and "1 failed" in str(status)
    outcomes = {r["file"]: r["outcome"] for r in job.rows()}
    assert outcomes == {UPLOAD_FILE.name: "imported", "notes.txt": "skipped", "broken.fit": "failed"}
    assert not any((writable_source.store.data_dir / "uploads").iterdir())  # temporary files removed
    files = [row["file"] for row in pages["activities"].rows(writable_source.activities("mara"), {}, u.METRIC)]
    assert any(UPLOAD_FILE.stem in f for f in files)


def test_upload_page_with_an_unknown_or_garbled_job(source, pages):
    for job in ("0" * 32, "<script>", ["a", "b"]):
        layout = pages["upload"].layout(athlete="mara", job=job)
        assert find(layout, "upload-job").data is None and find(layout, "upload-poll").disabled is True
        assert "not known" in str(find(layout, "url-notes"))


def test_upload_refuses_a_bad_athlete_name(writable_source):
    with pytest.raises(ValueError, match="invalid athlete name"):
        writable_source.import_uploads("../etc", [("a.fit", b"")])


def test_upload_limits(writable_source, monkeypatch):
    monkeypatch.setattr(data, "MAX_UPLOAD_FILES", 1)
    with pytest.raises(ValueError, match="at most 1 files"):
        writable_source.import_uploads("mara", [("a.fit", b""), ("b.fit", b"")])


# ---- an empty data directory offers the sample athletes

def test_empty_directory_loads_the_sample_athletes(dash_app, pages, tmp_path, monkeypatch):
    sample_dir = tmp_path / "samples"
    for athlete in SUBSET:
        (sample_dir / athlete).mkdir(parents=True)
        for path in subset_files(athlete)[:2]:
            (sample_dir / athlete / path.name).write_bytes(path.read_bytes())
    real = demo.import_samples
    monkeypatch.setattr(demo, "import_samples", lambda store, **kw: real(store, sample_dir, **kw))
    source = data.use(tmp_path / "empty")
    layout = pages["today"].layout()
    assert find(layout, "load-samples") is not None and find(layout, "ctl-athlete") is None
    job_id, poll_disabled, button_disabled = pages["today"].load_samples(1)
    assert (poll_disabled, button_disabled) == (False, True)
    wait_done(source.job(job_id))
    message, stop, search = pages["today"].sample_progress(1, job_id)
    assert stop is True and message == "Imported 4 files." and search == "?athlete=mara"
    assert find(pages["today"].layout(athlete="mara"), "today-ctl") is not None


# ---- the CSV downloads: the columns of `trainlog export`, the rows the page shows

def sent_rows(sent: dict) -> list[dict[str, str]]:
    assert sent["type"] == "text/csv" and not sent["base64"]
    return list(csv.DictReader(io.StringIO(sent["content"])))


def test_activities_page_downloads_the_activities_it_lists(source, pages):
    layout = pages["activities"].layout(athlete="tom", **{"from": "2026-06-10", "to": "2026-06-20"})
    button = find(layout, "activities-download-button")
    assert (button.children, button.type) == ("Download these activities as CSV", "button")  # native, named by its words
    sent, status = pages["activities"].download_csv(1, find(layout, "activities-download-view").data)
    rows = sent_rows(sent)
    listed = source.activities("tom").filter(pl.col("start_date").is_between(dt.date(2026, 6, 10), dt.date(2026, 6, 20)))
    assert [r["activity_id"] for r in rows] == listed.sort("start_utc")["activity_id"].to_list() and rows
    assert list(rows[0]) == tables.activities_frame(source.store, "tom").columns  # trainlog export's activities.csv
    assert sent["filename"] == "tom-activities-2026-06-10-to-2026-06-20.csv"
    assert status == "Downloaded tom-activities-2026-06-10-to-2026-06-20.csv."
    every = find(pages["activities"].layout(athlete="tom"), "activities-download-view").data
    sent, _ = pages["activities"].download_csv(1, every)
    assert sent["filename"] == "tom-activities.csv" and len(sent_rows(sent)) == source.activities("tom").height


def test_fatigue_page_downloads_the_days_it_shows(source, pages):
    layout = pages["fatigue"].layout(athlete="mara", **{"from": "2026-03-01", "to": "2026-03-20"})
    assert find(layout, "fatigue-download-button").children == "Download the daily figures as CSV"
    sent, status = pages["fatigue"].download_csv(1, find(layout, "fatigue-download-view").data)
    rows = sent_rows(sent)
    shown = source.daily("mara", dt.date(2026, 3, 20)).filter(pl.col("date") >= dt.date(2026, 3, 1))
    assert [r["date"] for r in rows] == [d.isoformat() for d in shown["date"]]  # rest days after the race included
    assert list(rows[0]) == [c.name for c in tables.DAILY_COLUMNS]
    assert [float(r["ctl"]) for r in rows] == shown["ctl"].to_list()
    assert [float(r["load"]) for r in rows] == shown["load"].to_list()
    assert sent["filename"] == "mara-daily-2026-03-01-to-2026-03-20.csv" and status.startswith("Downloaded")


def test_a_download_of_what_no_page_shows_sends_nothing(source, pages):
    for which in (None, "mara", {"athlete": "nobody"}, {"athlete": ["mara"]}):
        assert pages["activities"].download_csv(1, which) == (dash.no_update, "Nothing to download here; reload the page.")
    sent, status = pages["fatigue"].download_csv(1, {"athlete": "mara", "from": "junk", "to": None})
    assert sent is dash.no_update and status == "No CSV: from 'junk' is not a date (YYYY-MM-DD)"
    first, last = source.span("mara")
    sent, _ = pages["fatigue"].download_csv(1, {"athlete": "mara", "from": "1970-01-01", "to": "2100-12-31"})
    assert sent["filename"] == f"mara-daily-{first}-to-{last}.csv"  # kept within the days the pages can show
    assert sent_rows(sent)[-1]["date"] == last.isoformat()

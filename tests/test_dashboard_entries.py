"""What the athlete and the coach say of an activity, and sessions without a file, in the dashboard (issue 16).

The Activity page's "How it went" card (session RPE, feel, note: the athlete's) and "Comments" card, and the
Activities page's form for a session entered by hand, through dashboards.data's rules: an athlete user rates,
notes and comments only their own activities, a coach comments (as themself) on any athlete's but does not
rate, and without sign-in the athlete is the author.

Three levels: the callbacks called directly; HTTP against a real server with sign-in (the rules hold whatever
the browser sends: 403 and nothing written); a real browser (a coach comments, the athlete reads it).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil

import flask
import pytest
from builders import SAMPLE_FIT, SCREENSHOTS, Client, find, log_text, nodes, page_callback, running_server, text
from dash import dcc, html, no_update

from dashboards import forms
from dashboards import units as u
from trainlog import Store, import_paths
from trainlog.errors import InvalidValue
from trainlog.ingest.manual import ManualActivity
from trainlog.settings import ModelSettings
from trainlog.store import entries
from trainlog.store.users import User, add_user
from trainlog.units import M_PER_FT, M_PER_MI
from trainlog.words import MANUAL_SOURCE

PASSWORD = "correct horse battery"
COACH = User("coach1", "coach", None, "x")
MARA = User("mara", "athlete", "mara", "x")
TOM = User("tom", "athlete", "tom", "x")
HOSTILE = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=1</script>'


@pytest.fixture
def pages(dash_app):
    from dashboards.pages import activities, activity

    return {"activities": activities, "activity": activity}


def as_user(dash_app, user: User | None):
    """A request context in which ``user`` is signed in (None: a dashboard without sign-in)."""
    context = dash_app.server.test_request_context("/")
    context.push()
    flask.g.user = user
    return context


def a_run(source, athlete: str = "mara", by: str = "hr") -> dict:
    acts = source.activities(athlete)
    return acts.filter(acts["load_source"] == by).row(0, named=True)


def which(run: dict, athlete: str = "mara", units: str = u.METRIC) -> dict:
    return {"athlete": athlete, "activity_id": run["activity_id"], "units": units}


def words(component) -> str:
    """The text of a component and its children, as a screen reader reads it."""
    return "".join(n if isinstance(n, str) else "" for n in nodes(component))


def unlabelled(component) -> list[str]:
    """The ids of the form controls under ``component`` that no label names (``<label for=id>``)."""
    controls = [n.id for n in nodes(component) if isinstance(n, (html.Select, dcc.Input, dcc.Textarea))]
    named = {n.htmlFor for n in nodes(component) if isinstance(n, html.Label)}
    assert controls
    return [c for c in controls if c not in named]


def selected(select: html.Select) -> str:
    chosen = [o.value for o in select.children if getattr(o, "selected", False)]
    assert len(chosen) == 1, chosen
    return chosen[0]


# ---- the native controls

def test_the_rpe_select_is_the_cr10_scale_in_words():
    select = forms.rpe_select("x", 7.0)
    labels = {o.value: o.children for o in select.children}
    assert labels[""] == "not rated" and labels["0"] == "0 – rest" and labels["3"] == "3 – moderate"
    assert labels["4"] == "4 – somewhat hard" and labels["7"] == "7 – very hard" and labels["10"] == "10 – maximal"
    assert labels["6"] == "6" and labels["8"] == "8"  # the scale has no words there
    assert list(labels) == ["", *map(str, range(11))] and selected(select) == "7"
    assert selected(forms.rpe_select("x")) == ""
    between = forms.rpe_select("x", 6.5)  # the command line rates 6.5: the page keeps it when saving
    assert [o.value for o in between.children][7:9] == ["6", "6.5"] and selected(between) == "6.5"
    feel = forms.feel_select("y", 4)
    assert [o.children for o in feel.children] == ["not given", "1 – very weak", "2 – weak", "3 – normal",
                                                   "4 – strong", "5 – very strong"]
    assert selected(feel) == "4"
    assert forms.rpe_text(9.0) == "9 (extremely hard)" and forms.rpe_text(None) == "not rated"


def test_form_values_are_parsed_in_one_line_errors():
    assert forms.parse_rpe("") is None and forms.parse_rpe("6.5") == 6.5
    assert forms.parse_feel("") is None and forms.parse_feel("5") == 5
    for bad, parse in (("x", forms.parse_rpe), ("10.5", forms.parse_rpe), ("6", forms.parse_feel),
                       ("2.5", forms.parse_feel)):
        with pytest.raises(Exception) as error:
            parse(bad)
        assert "\n" not in str(error.value)


def test_typed_units_and_comment_times():
    assert u.distance_m(10, u.IMPERIAL) == pytest.approx(16_093.44) and u.distance_m(12.5, u.METRIC) == 12_500
    assert u.elevation_m(1000, u.IMPERIAL) == pytest.approx(304.8) and u.elevation_m(300, u.METRIC) == 300
    at = dt.datetime(2026, 3, 15, 23, 30, tzinfo=dt.UTC)
    assert u.fmt_moment(at, "UTC") == "Sun 15 Mar 2026 23:30"
    assert u.fmt_moment(at, "Europe/Paris") == "Mon 16 Mar 2026 00:30"  # the athlete's day, not UTC's
    assert u.fmt_moment(at.replace(tzinfo=None), "America/New_York") == "Sun 15 Mar 2026 19:30"  # naive: UTC


# ---- how it went: the athlete rates (callbacks called directly)

def test_the_athlete_rates_a_run_and_sees_its_session_rpe_load(writable_source, pages, dash_app):
    activity = pages["activity"]
    run = a_run(writable_source)
    model = ModelSettings()
    assert (model.rpe_load_reference, model.rpe_at_threshold, model.rpe_load_reference_min) == (100.0, 7.0, 60.0)
    context = as_user(dash_app, MARA)
    try:
        page = activity.layout(activity_id=run["activity_id"], athlete="mara")
        assert selected(find(page, "rate-rpe")) == "" and find(page, "activity-load-rpe") is None
        assert find(page, "rate-save").children == "Save rating" and find(page, "rating-whose") is None
        assert unlabelled(find(page, "activity-rating")) == [] and unlabelled(find(page, "activity-comments")) == []
        assert not [n for n in nodes(page) if type(n).__name__ in ("Dropdown", "DatePickerSingle", "RadioItems",
                                                                     "Checklist")]  # native controls only
        message, tone, cards = activity.apply_rating({"rpe": "7", "feel": "4", "note": "heavy legs\nlast climb"},
                                                     which(run))
    finally:
        context.pop()
    expected = 7 * (run["moving_s"] / 60) * 100 / (7 * 60)  # Foster: RPE x minutes, an hour at RPE 7 = 100
    assert message == (f"Saved: RPE 7 (very hard), feel 4 (strong), a note. Session-RPE load {u.number(expected)}.")
    assert tone == "message ok"
    assert text(cards, "activity-load-rpe") == u.number(expected)  # beside the heart-rate load, which stays
    assert text(cards, "activity-load") == u.number(run["load"])
    rated = a_run(writable_source)  # the cached analysis was computed again
    assert rated["rpe"] == 7.0 and rated["feel"] == 4 and rated["load_rpe"] == pytest.approx(expected)
    assert rated["load"] == pytest.approx(run["load"]) and rated["load_source"] == "hr"
    kept = entries.ratings(writable_source.store, "mara").row(0, named=True)
    assert (kept["activity_id"], kept["note"]) == (run["activity_id"], "heavy legs\nlast climb")
    # the page drawn afresh shows the rating in its controls
    page = activity.layout(activity_id=run["activity_id"], athlete="mara")
    assert selected(find(page, "rate-rpe")) == "7" and selected(find(page, "rate-feel")) == "4"
    assert find(page, "rate-note").value == "heavy legs\nlast climb"
    assert text(page, "activity-load-rpe") == u.number(expected)
    # the same again changes nothing; blanks clear the rating
    assert activity.apply_rating({"rpe": "7", "feel": "4", "note": "heavy legs\nlast climb"},
                                 which(run))[0] == "Nothing changed: the rating was already so."
    message, _, cards = activity.apply_rating({"rpe": "", "feel": "", "note": ""}, which(run))
    assert message == "Saved: no RPE, no feel, no note." and find(cards, "activity-load-rpe") is None
    assert entries.ratings(writable_source.store, "mara").is_empty()
    # a value the form does not send is kept; a form that sends none says so
    activity.apply_rating({"rpe": "4", "feel": "3", "note": "ok"}, which(run))
    kept = activity.apply_rating({"feel": "5"}, which(run))[0]
    assert kept.startswith("Saved: RPE 4 (somewhat hard), feel 5 (very strong), a note. Session-RPE load ")
    nothing = activity.apply_rating({"pressed": 3}, which(run))
    assert nothing[0] == "Not saved: nothing to rate: give an RPE, a feel or a note" and nothing[2] is no_update


@pytest.mark.parametrize("form, said", [
    ({"rpe": "11", "feel": "", "note": ""}, "out of range"),
    ({"rpe": "hard", "feel": "", "note": ""}, "is not a number"),
    ({"rpe": "", "feel": "9", "note": ""}, "feel"),
    ({"rpe": "5", "feel": "", "note": "x" * 4001}, "at most 4000"),
    ({"rpe": "5", "feel": "", "note": "bell\x07"}, "control characters"),
])
def test_a_bad_rating_is_one_line_and_writes_nothing(writable_source, pages, form, said):
    run = a_run(writable_source)
    before = writable_source.store.manifest("mara").generation
    message, tone, cards = pages["activity"].apply_rating(form, which(run))
    assert message.startswith("Not saved: ") and said in message and "\n" not in message
    assert tone == "message error" and cards is no_update
    assert writable_source.store.manifest("mara").generation == before


def test_a_coach_reads_the_rating_and_may_not_rate(writable_source, pages, dash_app):
    activity = pages["activity"]
    run = a_run(writable_source)
    entries.rate(writable_source.store, "mara", run["activity_id"], rpe=5, feel=2, note="cold coming")
    context = as_user(dash_app, COACH)
    try:
        page = activity.layout(activity_id=run["activity_id"], athlete="mara")
        assert find(page, "rate-save") is None and find(page, "rate-rpe") is None  # no form: the rating is hers
        assert text(page, "rating-summary") == "RPE 5 (hard), feel 2 (weak)."
        assert words(find(page, "rating-note")) == "mara's note: cold coming"
        assert text(page, "rating-whose").startswith("The rating is mara's: only mara, signed in, rates")
        with pytest.raises(PermissionError, match="the rating is the athlete's"):
            activity.apply_rating({"rpe": "9", "feel": "", "note": ""}, which(run))
    finally:
        context.pop()
    kept = entries.ratings(writable_source.store, "mara").row(0, named=True)
    assert (kept["rpe"], kept["feel"], kept["note"]) == (5.0, 2, "cold coming")


# ---- comments

def test_a_coach_comments_as_themself_whatever_the_form_says(writable_source, pages, dash_app):
    activity = pages["activity"]
    run = a_run(writable_source)
    context = as_user(dash_app, COACH)
    try:
        page = activity.layout(activity_id=run["activity_id"], athlete="mara")
        assert text(page, "comments-none") == "No comments yet."
        label, box = find(page, "activity-comments").children[2].children.children  # the label names the text box
        assert (label.children, label.htmlFor, box.id) == ("Your comment (as coach1)", "comment-text", "comment-text")
        listing, message, tone, box = activity.apply_comment({"text": f"Well paced {HOSTILE}", "author": "mara"},
                                                             which(run))
    finally:
        context.pop()
    assert (message, tone, box) == ("Comment added as coach1.", "message ok", "")
    said = entries.comments(writable_source.store, "mara", run["activity_id"])
    assert said["author"].to_list() == ["coach1"] and said["text"].to_list() == [f"Well paced {HOSTILE}"]
    item = listing.children[0]
    head, body = item.children
    at = said["at"][0]
    timezone = writable_source.settings("mara").timezone
    assert head.children[0].children == "coach1" and head.children[2].children == u.fmt_moment(at, timezone)
    assert head.children[2].dateTime == at.isoformat()
    assert body.children == f"Well paced {HOSTILE}"  # a string child: Dash renders it as text, never as HTML
    assert not any(isinstance(n, (html.Img, html.Script)) for n in nodes(listing))
    page = activity.layout(activity_id=run["activity_id"], athlete="mara")  # drawn afresh: the comment is there
    assert "Well paced" in words(find(page, "comments-list"))


def test_without_sign_in_the_athlete_is_the_author(writable_source, pages):
    run = a_run(writable_source)
    listing, message, _, _ = pages["activity"].apply_comment({"text": "  felt strong  ", "author": "coach9"},
                                                             which(run))
    assert message == "Comment added as mara."
    assert entries.comments(writable_source.store, "mara")["author"].to_list() == ["mara"]
    assert entries.comments(writable_source.store, "mara")["text"].to_list() == ["felt strong"]
    empty = pages["activity"].apply_comment({"text": "   "}, which(run))
    assert empty[1] == "Not added: comment is empty" and empty[0] is no_update
    garbled = pages["activity"].apply_comment({"text": "hi"}, {"athlete": "mara", "activity_id": "../x"})
    assert garbled[1] == "This activity is not known here; reload the page."
    assert entries.comments(writable_source.store, "mara").height == 1


def test_an_athlete_user_may_not_rate_or_comment_on_another_athlete(writable_source, pages, dash_app):
    activity = pages["activity"]
    toms = a_run(writable_source, "tom")
    before = writable_source.store.manifest("tom").generation
    context = as_user(dash_app, MARA)
    try:
        with pytest.raises(PermissionError):
            activity.apply_rating({"rpe": "5"}, which(toms, "tom"))
        with pytest.raises(PermissionError):
            activity.apply_comment({"text": "nice"}, which(toms, "tom"))
        with pytest.raises(PermissionError):
            writable_source.rate("tom", toms["activity_id"], rpe=5)
    finally:
        context.pop()
    assert writable_source.store.manifest("tom").generation == before


# ---- a session without a file

def manual_form(**changes: str) -> dict:
    return {"sport": "training", "date": "2026-03-14", "time": "18:00", "duration": "0:45", "distance": "",
            "ascent": "", "rpe": "6", "note": "gym: squats", **changes}


def test_a_session_without_a_file_is_added_listed_and_linked(writable_source, pages):
    activities, activity = pages["activities"], pages["activity"]
    page = activities.layout(athlete="mara")
    form = find(page, "manual-add")
    assert isinstance(form, html.Details) and form.children[0].children == "Add a session without a file"
    sport = find(page, "manual-sport")
    assert selected(sport) == writable_source.settings("mara").default_sport and "training" in \
        [o.value for o in sport.children]
    assert find(page, "manual-date").type == "date" and find(page, "manual-time").type == "time"
    assert unlabelled(form) == [] and isinstance(find(page, "manual-rpe"), html.Select)
    labels = {n.children for n in nodes(form) if isinstance(n, html.Label)}
    assert {"Distance (km, optional)", "Ascent (m, optional)", "Start time (local)"} <= labels  # the page's units
    count = writable_source.activities("mara").height
    view = find(page, "manual-view").data
    status, tone, rows, title = activities.add_manual(manual_form(), view)
    said, link = status
    assert said == "Added: training (strength, gym) on Sat 14 Mar 2026 18:00, 45 min. " and tone == "message ok"
    activity_id = link.href.split("/activity/")[1].split("?")[0]
    assert isinstance(link, dcc.Link) and link.href == f"/activity/{activity_id}?athlete=mara"
    assert len(rows) == count + 1 and title == f"mara: {count + 1} activities"
    assert [r["file"] for r in rows if r["date"].startswith("[Sat 14 Mar 2026]")].count(MANUAL_SOURCE) == 1
    added = writable_source.activities("mara").filter(writable_source.activities("mara")["activity_id"] == activity_id)
    row = added.row(0, named=True)
    assert (row["sport"], row["elapsed_s"], row["rpe"], row["load_source"]) == ("training", 2700.0, 6.0, "rpe")
    assert row["load"] == pytest.approx(6 * 45 * 100 / (7 * 60))
    assert writable_source.activity_entries("mara", activity_id)[0]["note"] == "gym: squats"
    # its page: no graphs and no empty ones, and it says it was entered by hand
    shown = activity.layout(activity_id=activity_id, athlete="mara")
    assert "entered by hand" in words(find(shown, "activity-by-hand"))
    assert not [n for n in nodes(shown) if isinstance(n, dcc.Graph)]
    assert find(shown, "activity-hr") is None and find(shown, "activity-gap") is None
    assert text(shown, "activity-distance") == u.DASH and text(shown, "activity-ascent") == u.DASH
    assert find(shown, "activity-load-rpe") is None  # its load is the session-RPE load already
    assert find(shown, "rate-rpe") is not None and selected(find(shown, "rate-rpe")) == "6"
    # the same session twice is refused
    again = activities.add_manual(manual_form(), view)
    assert again[0].startswith("Not added: this session") and again[2] is no_update


def test_a_session_in_imperial_units_is_stored_in_metres(writable_source, pages):
    activities = pages["activities"]
    page = activities.layout(athlete="mara", units="imperial")
    labels = {n.children for n in nodes(find(page, "manual-add")) if isinstance(n, html.Label)}
    assert {"Distance (mi, optional)", "Ascent (ft, optional)"} <= labels
    view = find(page, "manual-view").data
    status, *_ = activities.add_manual(manual_form(sport="hiking", distance="10", ascent="3280", rpe=""), view)
    activity_id = status[1].href.split("/activity/")[1].split("?")[0]
    assert "units=imperial" in status[1].href
    stored = writable_source.store.read("activities", "mara").filter(
        writable_source.store.read("activities", "mara")["activity_id"] == activity_id).row(0, named=True)
    assert stored["distance_m"] == pytest.approx(10 * M_PER_MI)
    assert stored["ascent_device_m"] == pytest.approx(3280 * M_PER_FT)
    assert stored["source_file"] == MANUAL_SOURCE and stored["n_records"] == 0
    assert writable_source.activities("mara").filter(
        writable_source.activities("mara")["activity_id"] == activity_id)["load_source"].to_list() == ["duration"]


@pytest.mark.parametrize("changes, said", [
    ({"time": ""}, "give the start date and the start time"),
    ({"duration": "90"}, "is not a duration"),
    ({"duration": "1:75"}, "minutes and seconds"),
    ({"distance": "ten"}, "distance (km) 'ten' is not a number"),
    ({"date": "2027-06-01"}, "in the future"),
    ({"rpe": "12"}, "out of range"),
    ({"sport": "Ski Touring!"}, "is not a sport name"),
])
def test_a_bad_session_is_one_line_and_writes_nothing(writable_source, pages, changes, said):
    activities = pages["activities"]
    view = find(activities.layout(athlete="mara"), "manual-view").data
    before = writable_source.store.manifest("mara").generation
    status, tone, rows, title = activities.add_manual(manual_form(**changes), view)
    assert status.startswith("Not added: ") and said in status and "\n" not in status, status
    assert tone == "message error" and rows is no_update and title is no_update
    assert writable_source.store.manifest("mara").generation == before


def test_an_athlete_user_may_not_add_a_session_for_another(writable_source, pages, dash_app):
    activities = pages["activities"]
    before = writable_source.store.manifest("tom").generation
    context = as_user(dash_app, MARA)
    try:
        with pytest.raises(PermissionError):
            activities.add_manual(manual_form(), {"athlete": "tom", "units": "metric"})
    finally:
        context.pop()
    assert writable_source.store.manifest("tom").generation == before


# ---- HTTP with sign-in, against a real server

@pytest.fixture(scope="module")
def signed_in_dir(tmp_path_factory):
    """mara and tom with two runs each, a coach (coach1) and a user for each athlete."""
    data_dir = tmp_path_factory.mktemp("entries") / "data"
    store = Store(data_dir)
    for athlete in ("mara", "tom"):
        assert import_paths(store, sorted((SAMPLE_FIT / athlete).glob("*.fit"))[:2], athlete).ok
    add_user(data_dir, "coach1", PASSWORD, "coach")
    add_user(data_dir, "mara", PASSWORD, "athlete", athlete="mara")
    add_user(data_dir, "tom", PASSWORD, "athlete", athlete="tom")
    return data_dir


@pytest.fixture
def served(signed_in_dir, tmp_path):
    """A server asking for sign-in over a copy of :func:`signed_in_dir`: (base URL, log, store)."""
    shutil.copytree(signed_in_dir, tmp_path / "data")
    with running_server(tmp_path / "data", "--require-login") as (base, log):
        yield base, log, Store(tmp_path / "data")


def signed_in(base: str, user: str) -> Client:
    client = Client(base)
    assert client.sign_in(user, PASSWORD)[0] == 303
    return client


def first_run(store: Store, athlete: str) -> str:
    return store.read("activities", athlete)["activity_id"].sort()[0]


def callback_body(outputs: list[tuple[str, str]], store_id: str, form: dict, athlete: str, activity_id: str) -> dict:
    """The POST /_dash-update-component Dash sends when the form's store (filled in the browser) changes."""
    return {
        "output": ".." + "...".join(f"{i}.{p}" for i, p in outputs) + "..",
        "outputs": [{"id": i, "property": p} for i, p in outputs],
        "inputs": [{"id": store_id, "property": "data", "value": form}],
        "changedPropIds": [f"{store_id}.data"],
        "state": [{"id": "track-activity", "property": "data",
                   "value": {"athlete": athlete, "activity_id": activity_id, "units": "metric"}}],
    }


RATE = [("rate-status", "children"), ("rate-status", "className"), ("activity-stats", "children")]
COMMENT = [("comment-list", "children"), ("comment-status", "children"), ("comment-status", "className"),
           ("comment-text", "value")]


def test_an_athlete_user_gets_403_for_another_athletes_activity_and_nothing_is_written(served):
    base, log, store = served
    client = signed_in(base, "mara")
    toms = first_run(store, "tom")
    before = store.manifest("tom").generation
    rate = callback_body(RATE, "rate-form", {"rpe": "9", "feel": "1", "note": "mine now", "pressed": 1}, "tom", toms)
    status, _, body = client.post_json("/_dash-update-component", rate)
    assert status == 403 and body.strip() == "trainlog: user 'mara' may not see athlete 'tom'"
    comment = callback_body(COMMENT, "comment-form", {"text": "not yours", "pressed": 1}, "tom", toms)
    assert client.post_json("/_dash-update-component", comment)[0] == 403
    assert store.manifest("tom").generation == before
    assert entries.ratings(store, "tom").is_empty() and entries.comments(store, "tom").is_empty()
    # her own: saved, and the page's status line says so
    own = first_run(store, "mara")
    mine = callback_body(RATE, "rate-form", {"rpe": "6", "feel": "4", "note": "easy day", "pressed": 1}, "mara", own)
    status, _, body = client.post_json("/_dash-update-component", mine)
    assert status == 200 and "Saved: RPE 6, feel 4 (strong), a note." in body
    kept = entries.ratings(store, "mara").row(0, named=True)
    assert (kept["activity_id"], kept["rpe"], kept["feel"], kept["note"]) == (own, 6.0, 4, "easy day")
    said = log_text(log)
    assert "403 POST /_dash-update-component: user 'mara' may not see athlete 'tom'" in said
    assert "Traceback" not in said


def test_a_coach_comments_under_their_own_name_and_may_not_rate(served):
    base, _, store = served
    client = signed_in(base, "coach1")
    maras = first_run(store, "mara")
    claim = callback_body(COMMENT, "comment-form", {"text": "Keep the climbs this easy", "author": "mara",
                                                    "pressed": 1}, "mara", maras)
    status, _, body = client.post_json("/_dash-update-component", claim)
    assert status == 200 and "Comment added as coach1." in body
    said = entries.comments(store, "mara", maras)
    assert said["author"].to_list() == ["coach1"] and said["text"].to_list() == ["Keep the climbs this easy"]
    before = store.manifest("mara").generation
    rate = callback_body(RATE, "rate-form", {"rpe": "3", "feel": "", "note": "", "pressed": 1}, "mara", maras)
    status, _, body = client.post_json("/_dash-update-component", rate)
    assert status == 403 and "the rating is the athlete's" in body
    assert store.manifest("mara").generation == before and entries.ratings(store, "mara").is_empty()
    # the page the coach is sent says whose the rating is, and offers no rating form
    status, _, body = client.post_json("/_dash-update-component",
                                       page_callback(f"/activity/{maras}", "?athlete=mara"))
    assert status == 200 and "The rating is mara's" in body and "rate-save" not in body and "comment-add" in body


# ---- a real browser: the coach comments, the athlete reads it

def sign_in(page, base: str, user: str, path: str) -> None:
    page.goto(base + path)
    page.fill("#username", user)
    page.fill("#password", PASSWORD)
    page.click("#sign-in")
    page.wait_for_selector("#activity-comments")
    page.wait_for_load_state("networkidle")


def test_a_coach_comment_appears_on_the_athletes_activity_page(signed_in_dir, tmp_path, browser):
    shutil.copytree(signed_in_dir, tmp_path / "data")
    store = Store(tmp_path / "data")
    maras = first_run(store, "mara")
    path = f"/activity/{maras}?athlete=mara"
    with running_server(tmp_path / "data", "--require-login") as (base, _):
        coach = browser.new_page(viewport={"width": 1280, "height": 900})
        errors: list[str] = []
        coach.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        coach.on("pageerror", lambda exc: errors.append(str(exc)))
        sign_in(coach, base, "coach1", path)
        assert coach.locator("#rate-save").count() == 0
        assert coach.inner_text("#rating-whose").startswith("The rating is mara's")
        assert coach.inner_text("#rating-summary") == "mara has not rated this session yet."
        box = coach.get_by_label("Your comment (as coach1)")  # the label names the text box
        box.fill(f"Well paced.\nKeep the climbs this easy. {HOSTILE}")
        coach.get_by_role("button", name="Add comment").click()
        coach.wait_for_function("document.querySelector('#comment-status').innerText.startsWith('Comment added')")
        assert coach.inner_text("#comment-status") == "Comment added as coach1."
        assert box.input_value() == ""
        assert "Keep the climbs this easy." in coach.inner_text("#comments-list")
        coach.screenshot(path=SCREENSHOTS / "activity-coach-comment.png", full_page=True)
        coach.close()

        athlete = browser.new_page(viewport={"width": 390, "height": 844})  # another context: her own session
        athlete.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        athlete.on("pageerror", lambda exc: errors.append(str(exc)))
        sign_in(athlete, base, "mara", path)
        item = athlete.locator("#comments-list li").first
        assert item.locator(".comment-head strong").inner_text() == "coach1"
        assert item.locator(".comment-text").inner_text() == f"Well paced.\nKeep the climbs this easy. {HOSTILE}"
        assert athlete.locator("main img[src=x]").count() == 0 and athlete.evaluate("window.__pwned") is None
        # she rates the run with the native selects; the status line says what was saved
        athlete.get_by_label("Session RPE (0–10)").select_option("7")
        athlete.get_by_label("Feel", exact=True).select_option("4")
        athlete.get_by_label("Note", exact=True).fill("heavy legs")
        athlete.get_by_role("button", name="Save rating").click()
        athlete.wait_for_function("document.querySelector('#rate-status').innerText.startsWith('Saved')")
        assert athlete.inner_text("#rate-status").startswith("Saved: RPE 7 (very hard), feel 4 (strong), a note.")
        assert athlete.get_attribute("#rate-status", "role") == "status"
        athlete.screenshot(path=SCREENSHOTS / "activity-athlete-rating-phone.png", full_page=True)
        athlete.close()
    assert not errors, errors
    kept = entries.ratings(store, "mara").row(0, named=True)
    assert (kept["activity_id"], kept["rpe"], kept["feel"], kept["note"]) == (maras, 7.0, 4, "heavy legs")
    assert entries.comments(store, "mara", maras)["author"].to_list() == ["coach1"]
    assert dt.datetime.now(dt.UTC) - entries.comments(store, "mara")["at"][0] < dt.timedelta(minutes=10)


def test_a_coach_adds_a_session_but_not_the_athletes_rpe_or_note(writable_source, dash_app):
    entry = ManualActivity("hiking", dt.datetime(2026, 3, 2, 18, 0), 3600.0, rpe=9.0)
    before = writable_source.store.generation("mara")
    context = as_user(dash_app, COACH)
    try:
        with pytest.raises(InvalidValue, match="the RPE and the note are mara's to give"):
            writable_source.add_activity("mara", entry)
        assert writable_source.store.generation("mara") == before  # nothing written
        assert writable_source.add_activity("mara", dataclasses.replace(entry, rpe=None))  # the session is the coach's
    finally:
        context.pop()

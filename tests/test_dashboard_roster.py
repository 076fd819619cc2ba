"""The Coach page on a roster (issue 18): the roster's rows in the page's words, search, filters, order and pages in
the URL, hostile values, who sees which rows; the athletes' list kept between requests; one real browser.

Layouts are called directly (``coach.layout(**query)``, through ``shell.guarded`` as the dashboard calls them) over a
private copy of the sample subset whose roster is written as ``trainlog batch`` writes it
(:func:`trainlog.analysis.coach.row`), with synthetic rows beside it for the search, filters and pages.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil

import flask
import pytest
from builders import MARA_DAY, SCREENSHOTS, VENDOR, find, nodes, open_page, running_server, write_wellness

from dashboards import data, shell
from dashboards import units as u
from trainlog.analysis import coach as figures
from trainlog.store import MANIFEST, Manifest, Store, roster
from trainlog.store.users import User

#: Synthetic athletes beside mara and tom: p000 ... p119 (names sort after mara, before tom).
SYNTHETIC = [f"p{i:03d}" for i in range(120)]
HOSTILE_NAME = '<img src=x onerror="window.__pwned=1">'


@pytest.fixture
def pages(dash_app):
    from dashboards.pages import _roster, coach

    return coach, _roster


def with_roster(source: data.Data) -> list[dict]:
    """Write the roster of every athlete of ``source`` as ``trainlog batch`` does; its rows."""
    rows = [figures.row(source.store, a) for a in source.store.athletes()]
    roster.update(source.store.data_dir, rows)
    return rows


def empty_dataset(store: Store, athlete: str) -> None:
    """A dataset without a table (its manifest alone): an athlete who exists but has imported nothing."""
    folder = store.athlete_dir(athlete)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MANIFEST).write_text(Manifest().to_json())


def synthetic(i: int, name: str, template: dict) -> dict:
    """A made-up roster row: ACWR rising with i (none for every tenth), form falling, a spike every fifth, a readiness
    flag every seventh, a warning every ninth, an error every eleventh; the words' detail is ``template``'s."""
    flags = [figures.ACWR_SPIKE] if i % 5 == 0 else []
    readiness = "flag" if i % 7 == 0 else "warn" if i % 9 == 0 else "ok" if i % 2 else None
    if readiness in ("flag", "warn"):
        flags.insert(0, figures.READINESS_FLAG if readiness == "flag" else figures.READINESS_WARN)
    row = {**template, "athlete": name, "acwr": None if i % 10 == 3 else 0.5 + i / 100, "tsb": 20 - i / 2,
           "readiness": readiness, "flags": flags, "n_flags": len(flags)}
    if i % 11 == 0:
        row.update({k: None for k in template if k not in ("athlete", "updated_utc")})
        row.update(athlete=name, error=f"{name}: cannot read settings", flags=[figures.ERROR], n_flags=1)
    return row


@pytest.fixture
def many(writable_source) -> tuple[data.Data, list[dict]]:
    """The subset with its roster rows and 120 synthetic athletes (each with an empty dataset): every row."""
    rows = with_roster(writable_source)
    template = next(r for r in rows if r["athlete"] == "mara")
    made = [synthetic(i, name, template) for i, name in enumerate(SYNTHETIC)]
    for name in SYNTHETIC:
        empty_dataset(writable_source.store, name)
    roster.update(writable_source.store.data_dir, made)
    return writable_source, rows + made


def table(layout) -> list[tuple[str, list[str]]]:
    """The roster table as shown: (athlete, each cell's content as Dash writes it) per row, in order."""
    body = find(layout, "coach-roster").children[1].children
    return [(tr.id["athlete"], [repr(td.children) for td in tr.children]) for tr in body]


def shown(layout) -> list[str]:
    return [athlete for athlete, _ in table(layout)]


def notes(layout) -> list[str]:
    found = find(layout, "url-notes")
    return [p.children for p in found.children] if found is not None else []


def words(layout, element_id: str) -> str:
    return " ".join(t for t in nodes(find(layout, element_id)) if isinstance(t, str))


def compared(layout) -> list[str]:
    """The athletes whose comparison link is marked as shown."""
    group = find(layout, "compare-athletes")
    return [a.id.removeprefix("compare-") for a in group.children[1:] if getattr(a, "aria-current", None) == "true"]


# ---- the roster's rows, in the words of the per-athlete page

def test_the_roster_rows_read_as_the_figures_computed_for_each_athlete(writable_source, pages):
    coach, _ = pages
    write_wellness(writable_source.store, "mara", {dt.date.fromisoformat(MARA_DAY): {"sleep_h": 5.0, "soreness": 4}})
    writable_source.generate_plan("mara", dt.date(2026, 2, 23))  # the plan cell: compliance in words
    with_roster(writable_source)
    from_roster = coach.layout()
    assert "Figures from the roster, last updated" in words(from_roster, "roster-source")
    roster.path_of(writable_source.store.data_dir).unlink()  # no roster: every athlete computed, as before
    computed = coach.layout()
    assert find(computed, "roster-source") is None
    assert table(from_roster) == table(computed)
    cells = dict(table(from_roster))
    assert "slept 5.0 h" in cells["mara"][10] and " plan'" in cells["mara"][8]  # "time 95 % on plan": not "no plan"
    assert "no plan" not in cells["mara"][8]
    assert [r["athlete"] for r in coach.roster_rows(u.METRIC)] == ["mara", "tom"]


def test_the_page_shows_the_roster_not_a_computation(writable_source, pages):
    coach, _ = pages
    rows = with_roster(writable_source)
    mara = next(r for r in rows if r["athlete"] == "mara")
    detail = json.loads(mara["detail"])
    detail["summary"]["form"]["ctl"] = 321.0  # figures no computation of the sample data gives
    updated = mara["updated_utc"].replace(microsecond=0) + dt.timedelta(minutes=1)  # newer: it replaces the row
    roster.update(writable_source.store.data_dir, [{**mara, "as_of": dt.date(2026, 1, 2), "detail": json.dumps(detail),
                                                    "updated_utc": updated}])
    layout = coach.layout()
    cells = dict(table(layout))
    assert cells["mara"][1] == repr("Fri 2 Jan 2026") and cells["mara"][2] == repr("321")
    tom = next(r for r in rows if r["athlete"] == "tom")
    newest = max(updated, tom["updated_utc"])
    assert f"last updated {u.fmt_moment(newest, 'UTC')} UTC" in words(layout, "roster-source")
    assert words(layout, "roster-count") == "Athletes 1–2 of 2 in the roster."


def test_a_row_with_an_error_says_it_and_rows_without_a_dataset_are_left_out(writable_source, pages):
    coach, _ = pages
    with_roster(writable_source)
    roster.update(writable_source.store.data_dir, [
        {"athlete": "tom", "error": "settings.json: cannot read settings", "flags": ["error"], "n_flags": 1},
        {"athlete": "ghost", "ctl": 50.0},  # the roster keeps a row of an athlete whose dataset was removed
    ])
    layout = coach.layout()
    assert shown(layout) == ["mara", "tom"]
    assert "tom: settings.json: cannot read settings" in dict(table(layout))["tom"][11]
    assert shown(coach.layout(show="errors")) == ["tom"]


def test_athletes_without_a_roster_row_are_named(writable_source, pages):
    coach, _ = pages
    rows = with_roster(writable_source)
    roster.update(writable_source.store.data_dir, [r for r in rows if r["athlete"] == "mara"], keep=["mara"])
    layout = coach.layout()
    assert shown(layout) == ["mara"]
    assert words(layout, "roster-source").endswith(
        " 1 athlete has no row in it yet (trainlog batch analyse adds them): tom.")


def test_a_damaged_roster_gives_a_note_and_the_figures_computed(writable_source, pages):
    coach, _ = pages
    roster.path_of(writable_source.store.data_dir).write_bytes(b"not parquet")
    layout = coach.layout()
    assert "cannot read the roster" in words(layout, "roster-source")
    assert "computed for each athlete instead" in words(layout, "roster-source")
    assert shown(layout) == ["mara", "tom"]


# ---- search, filters, order and pages

def test_pages_of_twenty_five_with_previous_and_next(many, pages):
    coach, _roster = pages
    _, rows = many
    everyone = sorted(r["athlete"] for r in rows)
    first = coach.layout()
    assert shown(first) == everyone[:25] and words(first, "roster-count") == "Athletes 1–25 of 122 in the roster."
    assert find(first, "roster-previous") is None and find(first, "roster-next").href == "/coach?athlete=mara&page=2"
    last = coach.layout(page="5")
    assert shown(last) == everyone[100:] and words(last, "roster-count") == "Athletes 101–122 of 122 in the roster."
    assert find(last, "roster-next") is None and find(last, "roster-previous").href == "/coach?athlete=mara&page=4"
    assert words(last, "roster-pages") == "Previous 25 Page 5 of 5"
    assert compared(first) == []  # a long page compares nobody until the coach chooses
    group = find(first, "compare-athletes")
    assert [a.id for a in group.children[1:]] == [f"compare-{a}" for a in everyone[:25]]  # the page's athletes only


def test_search_is_a_part_of_the_name_in_any_case(many, pages):
    coach, _ = pages
    layout = coach.layout(q="P01", units="imperial")
    assert shown(layout) == [f"p{i:03d}" for i in range(10, 20)]
    assert words(layout, "roster-count") == "Athletes 1–10 of 10 matching (122 in the roster)."
    assert find(layout, "roster-q").value == "P01"
    kept = {c.name: c.value for c in nodes(find(layout, "roster-form")) if getattr(c, "type", None) == "hidden"}
    assert kept == {"athlete": "mara", "units": "imperial"}  # the view travels with the form
    assert shown(coach.layout(q="nobody")) == [] and words(coach.layout(q="nobody"), "roster-count") == (
        "No athlete matches (122 in the roster).")
    few = coach.layout(q="p119")  # at most a few athletes: all compared, as on a small roster
    assert shown(few) == compared(few) == ["p119"]


@pytest.mark.parametrize("show", ["flagged", "spike", "readiness", "errors"])
def test_filters(many, pages, show):
    coach, _ = pages
    _, rows = many
    keep = {
        "flagged": lambda r: (r["n_flags"] or 0) > 0,
        "spike": lambda r: figures.ACWR_SPIKE in (r["flags"] or []),
        "readiness": lambda r: r["readiness"] in ("flag", "warn"),
        "errors": lambda r: r["error"] is not None,
    }[show]
    expected = sorted(r["athlete"] for r in rows if keep(r))
    layout = coach.layout(show=show, sort="athlete")
    assert shown(layout) == expected[:25]
    assert words(layout, "roster-count").endswith(f"of {len(expected)} matching (122 in the roster).")
    assert find(layout, "roster-show").children[list(_shows()).index(show)].selected


def _shows() -> list[str]:
    from dashboards.pages import _roster

    return list(_roster.SHOWS)


def test_orders(many, pages):
    coach, _ = pages
    _, rows = many
    by_acwr = sorted((r for r in rows if r["acwr"] is not None), key=lambda r: (-r["acwr"], r["athlete"]))
    assert shown(coach.layout(sort="-acwr")) == [r["athlete"] for r in by_acwr][:25]
    nulls_last = shown(coach.layout(sort="-acwr", page="5"))
    assert set(nulls_last[-len([r for r in rows if r["acwr"] is None]):]) == {r["athlete"] for r in rows
                                                                                   if r["acwr"] is None}
    by_ctl = sorted((r for r in rows if r["ctl"] is not None), key=lambda r: (-r["ctl"], r["athlete"]))
    assert shown(coach.layout(sort="-ctl")) == [r["athlete"] for r in by_ctl][:25]
    by_tsb = sorted((r for r in rows if r["tsb"] is not None), key=lambda r: (r["tsb"], r["athlete"]))
    assert shown(coach.layout(sort="tsb"))[:10] == [r["athlete"] for r in by_tsb][:10]
    loud = shown(coach.layout(sort="readiness"))
    ranks = {"flag": 0, "warn": 1, "ok": 2}
    expected = sorted(rows, key=lambda r: (ranks.get(r["readiness"], 3), r["athlete"]))
    assert loud == [r["athlete"] for r in expected][:25]
    most = shown(coach.layout(sort="-n_flags", show="flagged"))
    flagged = sorted((r for r in rows if (r["n_flags"] or 0) > 0), key=lambda r: (-r["n_flags"], r["athlete"]))
    assert most == [r["athlete"] for r in flagged][:25]
    link = find(coach.layout(sort="tsb", show="flagged"), "roster-next")
    assert link is None or link.href == "/coach?athlete=mara&show=flagged&sort=tsb&page=2"


HOSTILE = [
    ({"page": "-1"}, "There is no page '-1'; showing page 1."),
    ({"page": "abc"}, "There is no page 'abc'; showing page 1."),
    ({"page": str(10**9)}, "There is no page 1,000,000,000: 5 pages of athletes match; showing page 5."),
    ({"page": "9" * 5000}, "There is no page"),
    ({"q": "x" * 10_000}, "is longer than 100 characters; showing every athlete."),
    ({"show": "<script>alert(1)</script>"}, "Unknown filter '<script>alert(1)</script>'; showing every athlete."),
    ({"sort": "athlete; drop table"}, "Unknown order 'athlete; drop table'; showing athletes by name."),
    ({"compare": ",".join(SYNTHETIC[:20])}, "At most 8 athletes are compared at once"),
    ({"compare": "x," * 5000}, None),
    ({"show": ["flagged", "<b>"]}, "Unknown filter '<b>'"),  # a key given twice: its last value
]


@pytest.mark.parametrize("query, note", HOSTILE, ids=[str(q)[:40] for q, _ in HOSTILE])
def test_a_hostile_query_gives_the_default_and_a_note(many, pages, query, note):
    coach, _ = pages
    layout = coach.layout(athlete="mara", **query)
    said = notes(layout)
    if note is None:
        assert said == [] and compared(layout) == []
    else:
        assert any(note in n for n in said), said
    assert shown(layout) and len(compared(layout)) <= 8


def test_the_last_page_asked_beyond_is_shown(many, pages):
    coach, _ = pages
    _, rows = many
    layout = coach.layout(page=str(10**9))
    assert shown(layout) == sorted(r["athlete"] for r in rows)[100:]


# ---- who sees which rows

def as_user(dash_app, user: User | None):
    context = dash_app.server.test_request_context("/")
    context.push()
    flask.g.user = user
    return context


def test_an_athlete_signed_in_sees_their_row_alone(many, pages, dash_app):
    coach, _ = pages
    context = as_user(dash_app, User("mara", "athlete", "mara", "x"))
    try:
        layout = coach.layout()
        assert shown(layout) == ["mara"] and words(layout, "roster-count") == "Athlete 1 of 1 in the roster."
        assert shown(coach.layout(q="tom")) == [] and shown(coach.layout(show="errors")) == []
        assert compared(coach.layout(compare="mara,tom,p001")) == ["mara"]  # names not seen are dropped
        with pytest.raises(PermissionError):
            data.get().roster_details(["tom"])
    finally:
        context.pop()
    context = as_user(dash_app, User("coach1", "coach", None, "x"))
    try:
        assert len(shown(coach.layout())) == 25
    finally:
        context.pop()


# ---- without a roster: the same controls over figures computed per athlete

def test_without_a_roster_search_filters_and_the_page_cache(source, pages):
    coach, _ = pages
    assert shown(coach.layout(q="TO")) == ["tom"] and shown(coach.layout(q="mar")) == ["mara"]  # not one cached page
    assert find(coach.layout(), "roster-source") is None
    assert words(coach.layout(), "roster-count") == "Athletes 1–2 of 2 athletes."
    assert shown(coach.layout(show="errors")) == [] and shown(coach.layout(sort="-n_flags")) != []
    assert compared(coach.layout()) == ["mara", "tom"]  # every athlete, as before


# ---- the list of athletes, kept between requests

def test_the_athletes_list_is_kept_until_the_folder_changes(tmp_path, monkeypatch):
    store = Store(tmp_path / "data")
    empty_dataset(store, "ann")
    (store.data_dir / "athletes" / "bea").mkdir()  # a folder whose import has not committed yet
    root = store.data_dir / "athletes"
    old = 1_700_000_000
    os.utime(root, (old, old))  # long ago: the list may be kept
    source = data.Data(store.data_dir)
    calls = []
    listing = source.store.athletes
    monkeypatch.setattr(source.store, "athletes", lambda: calls.append(1) or listing())
    assert source.athletes() == ["ann"] and source.athletes() == ["ann"] and len(calls) == 1
    empty_dataset(store, "bea")  # the pending folder commits: seen without a change of the athletes folder
    os.utime(root, (old, old))
    assert source.athletes() == ["ann", "bea"] and len(calls) == 2
    assert source.athletes() == ["ann", "bea"] and len(calls) == 2
    empty_dataset(store, "cid")  # a new folder: the athletes folder changed
    assert source.athletes() == ["ann", "bea", "cid"]
    shutil.rmtree(root / "ann")
    assert source.athletes() == ["bea", "cid"]


def test_many_athletes_make_the_header_control_a_text_box(source, pages, monkeypatch):
    coach, _ = pages
    monkeypatch.setattr(shell, "ATHLETE_OPTIONS", 1)
    control = find(coach.layout(athlete="tom"), "ctl-athlete")
    assert (type(control).__name__, control.type, control.name, control.value) == ("Input", "text", "athlete", "tom")
    monkeypatch.undo()
    assert type(find(coach.layout(athlete="tom", units="metric"), "ctl-athlete")).__name__ == "Select"


# ---- a real browser: search, the next page, axe-core

@pytest.fixture(scope="module")
def roster_server(subset_dir, tmp_path_factory):
    copy = tmp_path_factory.mktemp("roster") / "data"
    shutil.copytree(subset_dir, copy)
    source = data.Data(copy)
    rows = with_roster(source)
    template = next(r for r in rows if r["athlete"] == "mara")
    for name in SYNTHETIC[:60]:
        empty_dataset(source.store, name)
    roster.update(copy, [synthetic(i, name, template) for i, name in enumerate(SYNTHETIC[:60])]
                  + [{**template, "athlete": HOSTILE_NAME}])  # a name that is not an athlete's: never shown
    with running_server(copy) as (base, _):
        yield base


def test_a_coach_searches_and_pages_the_roster_in_a_browser(roster_server, browser):
    page, errors = open_page(browser, {"width": 1280, "height": 900})
    page.goto(roster_server + "/coach")
    page.wait_for_selector("#roster-count")
    assert page.inner_text("#roster-count") == "Athletes 1–25 of 62 in the roster."
    assert page.locator("#coach-roster tbody tr").count() == 25
    page.get_by_label("Name contains", exact=True).fill("P05")
    page.get_by_label("Show", exact=True).select_option("spike")
    with page.expect_navigation():
        page.get_by_role("button", name="Find", exact=True).click()  # a plain GET form: the URL holds the search
    page.wait_for_selector("#roster-count")
    assert "q=P05" in page.url and "show=spike" in page.url
    assert page.inner_text("#roster-count") == "Athlete 1 of 1 matching (62 in the roster)."  # p050 (p055: an error)
    assert page.input_value("#roster-q") == "P05"
    page.goto(roster_server + "/coach")
    page.wait_for_selector("#roster-next")
    page.click("#roster-next")
    page.wait_for_function("document.querySelector('#roster-count').innerText.startsWith('Athletes 26')")
    assert page.locator("#coach-roster tbody tr").count() == 25 and "page=2" in page.url
    page.screenshot(path=SCREENSHOTS / "coach-roster-page-2.png", full_page=True)
    page.add_script_tag(content=(VENDOR / "axe-core" / "axe.min.js").read_text())
    result = page.evaluate("axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', "
                           "'wcag21aa']}})")
    failing = [v["id"] for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert not failing, failing
    assert not page.evaluate("window.__pwned === 1") and not errors, errors
    page.close()

"""The stored plan (trainlog.store.plans): revisions saved whole, the one validation, and edits.

Every refusal is one InvalidValue line naming the week or day, the field and the allowed range;
nothing is written when a check fails.
"""

from __future__ import annotations

import datetime as dt
import math

import polars as pl
import pytest
from builders import UPLOAD_FILE, tree

from trainlog import Store, import_paths
from trainlog.errors import InvalidValue, StoreError
from trainlog.store import plans
from trainlog.store.plans import DAY_COLUMNS, WEEK_COLUMNS, Plan, Race

MONDAY = dt.date(2027, 1, 4)
RACE = Race("Barkley Marathons", dt.date(2027, 3, 19), 17698.0)
LOCK = {".lock"}


def week(start: dt.date = MONDAY, **changes) -> dict:
    row = {"week_start": start, "kind": "build", "planned_hours": 10.0, "planned_ascent_m": 3000.0,
           "planned_descent_m": 2400.0, "long_sessions": 1, "planned_load": 500.0, "note": None}
    return {**row, **changes}


def session(day: dt.date = MONDAY + dt.timedelta(days=5), **changes) -> dict:
    row = {"date": day, "session": "long", "hours": 4.0, "ascent_m": 1500.0, "load": None, "note": "hills"}
    return {**row, **changes}


def plan_of(weeks: list[dict], days: list[dict] = (), strict: bool = True) -> Plan:
    """A plan from rows; ``strict=False`` lets a column hold values of another type (as a spreadsheet may)."""
    w = pl.DataFrame(weeks, schema=WEEK_COLUMNS) if strict else pl.DataFrame(weeks)
    d = pl.DataFrame(list(days), schema=DAY_COLUMNS) if strict or not days else pl.DataFrame(list(days))
    return Plan(RACE, w, d)


PLAN = plan_of([week(), week(MONDAY + dt.timedelta(weeks=1), kind="recovery", planned_hours=7.0)], [session()])


def with_data(store: Store) -> Store:
    """``store`` with one imported activity for "mara" (a dataset to hold the plan)."""
    assert import_paths(store, [UPLOAD_FILE], "mara").ok
    return store


def refusal(plan: Plan) -> str:
    with pytest.raises(InvalidValue) as info:
        plans.checked(plan)
    message = str(info.value)
    assert "\n" not in message
    return message


# --------------------------------------------------------------------------- saved and read back


def test_a_saved_plan_reads_back_as_it_was(store):
    with_data(store)
    assert plans.latest(store, "mara") is None
    saved = plans.save(store, "mara", PLAN, "generate")
    assert (saved.revision, saved.source) == (1, "generate") and saved.saved_at is not None
    got = plans.latest(store, "mara")
    assert got.race == RACE and got.revision == 1 and got.source == "generate"
    assert got.weeks.equals(plans.checked(PLAN).weeks) and got.days.equals(plans.checked(PLAN).days)
    assert got.weeks.schema == pl.Schema(WEEK_COLUMNS) and got.days.schema == pl.Schema(DAY_COLUMNS)
    assert got.saved_at == saved.saved_at
    assert store.check("mara") == []
    parts = store.manifest("mara").tables
    assert parts["plan_weeks"] and parts["plan_days"]


def test_each_change_is_a_new_revision_and_the_old_ones_stay(store):
    with_data(store)
    plans.save(store, "mara", PLAN, "generate")
    changed = plans.with_week(PLAN, MONDAY, {"planned_ascent_m": 3300.0})
    second = plans.save(store, "mara", changed, "set")
    assert second.revision == 2
    assert plans.latest(store, "mara").weeks["planned_ascent_m"].to_list() == [3300.0, 3000.0]
    first = plans.latest(store, "mara", revision=1)
    assert first.revision == 1 and first.weeks["planned_ascent_m"].to_list() == [3000.0, 3000.0]
    assert plans.latest(store, "mara", revision=3) is None
    assert [(r, s) for r, s, _ in plans.revisions(store, "mara")] == [(1, "generate"), (2, "set")]
    # a revision without sessions has none, though the one before had
    third = plans.save(store, "mara", plans.without_session(changed, session()["date"]), "page")
    assert third.revision == 3 and plans.latest(store, "mara").days.is_empty()
    assert plans.latest(store, "mara", revision=2).days.height == 1
    assert store.check("mara") == []
    assert len(store.manifest("mara").tables["plan_weeks"]) >= 1


def test_an_edit_of_a_revision_another_save_overtook_is_refused_and_saves_nothing(store, tmp_path):
    """A coach and an athlete edit at once: the second edit was made to revision 1, but revision 2 is saved."""
    with_data(store)
    first = plans.save(store, "mara", PLAN, "generate")
    coach = plans.with_week(first, MONDAY, {"planned_ascent_m": 3300.0})
    athlete = plans.with_week(first, MONDAY + dt.timedelta(weeks=1), {"planned_hours": 5.0})
    assert plans.save(store, "mara", coach, "page", edits=first.revision).revision == 2
    before, generation = tree(tmp_path / "data", skip=LOCK), store.generation("mara")
    with pytest.raises(InvalidValue) as err:
        plans.save(store, "mara", athlete, "set", edits=first.revision)
    assert str(err.value) == ("the plan changed while you edited it (revision 2 was saved after 1); nothing was "
                              "saved: look at the plan again and redo the change")
    assert tree(tmp_path / "data", skip=LOCK) == before and store.generation("mara") == generation
    assert plans.latest(store, "mara").weeks["planned_ascent_m"].to_list() == [3300.0, 3000.0]  # the coach's stays
    # an edit made to the latest revision is saved
    redone = plans.with_week(plans.latest(store, "mara"), MONDAY + dt.timedelta(weeks=1), {"planned_hours": 5.0})
    assert plans.save(store, "mara", redone, "set", edits=2).revision == 3


def test_saving_the_same_plan_again_writes_nothing(store, tmp_path):
    with_data(store)
    plans.save(store, "mara", PLAN, "generate")
    before, generation = tree(tmp_path / "data", skip=LOCK), store.generation("mara")
    again = plans.save(store, "mara", plans.latest(store, "mara"), "set")
    assert again.revision == 1 and again.source == "generate"
    assert plans.save(store, "mara", PLAN, "import").revision == 1
    assert tree(tmp_path / "data", skip=LOCK) == before and store.generation("mara") == generation


def test_nothing_is_saved_when_the_check_fails(store, tmp_path):
    with_data(store)
    plans.save(store, "mara", PLAN, "generate")
    before, generation = tree(tmp_path / "data", skip=LOCK), store.generation("mara")
    bad = plan_of([week(), week(MONDAY + dt.timedelta(weeks=1), planned_hours=200.0)])
    with pytest.raises(InvalidValue, match="planned_hours"):
        plans.save(store, "mara", bad, "set")
    with pytest.raises(InvalidValue, match="unknown plan source"):
        plans.save(store, "mara", PLAN, "typed")
    assert tree(tmp_path / "data", skip=LOCK) == before and store.generation("mara") == generation
    assert plans.latest(store, "mara").revision == 1


def test_a_plan_without_weeks_is_not_saved(store, tmp_path):
    with_data(store)
    before = tree(tmp_path / "data", skip=LOCK)
    with pytest.raises(InvalidValue, match="at least one week"):
        plans.save(store, "mara", Plan(RACE, plans.empty_weeks(), plans.empty_days()), "import")
    assert tree(tmp_path / "data", skip=LOCK) == before and plans.latest(store, "mara") is None


def test_no_plan_is_saved_for_an_athlete_without_data(store, tmp_path):
    with pytest.raises(StoreError, match="no dataset for athlete 'mara'"):
        plans.save(store, "mara", PLAN, "generate")
    assert plans.latest(store, "mara") is None
    assert not (tmp_path / "data" / "athletes" / "mara").exists()


# --------------------------------------------------------------------------- the one validation


def test_a_good_plan_is_put_in_the_stored_order():
    shuffled = plan_of([week(MONDAY + dt.timedelta(weeks=1)), week()],
                       [session(MONDAY + dt.timedelta(days=6)), session()])
    got = plans.checked(shuffled)
    assert got.weeks["week_start"].to_list() == [MONDAY, MONDAY + dt.timedelta(weeks=1)]
    assert got.days["date"].to_list() == [MONDAY + dt.timedelta(days=5), MONDAY + dt.timedelta(days=6)]
    assert got.days["load"].to_list() == [None, None]  # computed from the hours when read


def test_a_week_starts_on_a_monday():
    assert refusal(plan_of([week(MONDAY + dt.timedelta(days=1))])) == (
        "week 2027-01-05: a week starts on a Monday (YYYY-MM-DD)")


def test_a_week_is_planned_once():
    assert refusal(plan_of([week(), week()])) == "week of 2027-01-04 is planned twice"


def test_a_week_has_a_known_kind():
    assert refusal(plan_of([week(kind="sprint")])) == (
        "week of 2027-01-04: kind 'sprint' is not one of base, build, recovery, peak, taper, race")


@pytest.mark.parametrize(("field", "value", "message"), [
    ("planned_hours", 168.5, "planned_hours 168.5 is out of range 0..168 h"),
    ("planned_hours", -1.0, "planned_hours -1.0 is out of range 0..168 h"),
    ("planned_hours", math.nan, "planned_hours nan is out of range 0..168 h"),
    ("planned_ascent_m", math.inf, "planned_ascent_m inf is out of range 0..100000 m"),
    ("planned_descent_m", 100_001.0, "planned_descent_m 100001.0 is out of range 0..100000 m"),
    ("planned_load", 20_001.0, "planned_load 20001.0 is out of range 0..20000"),
    ("planned_load", -math.inf, "planned_load -inf is out of range 0..20000"),
])
def test_week_numbers_out_of_range(field, value, message):
    assert refusal(plan_of([week(**{field: value})])) == f"week of 2027-01-04: {message}"


@pytest.mark.parametrize(("field", "value", "message"), [
    ("planned_hours", "12", "planned_hours '12' is not a number (range 0..168 h)"),
    ("planned_load", None, "planned_load None is not a number (range 0..20000)"),
    ("planned_ascent_m", True, "planned_ascent_m True is not a number (range 0..100000 m)"),
])
def test_week_numbers_that_are_not_numbers(field, value, message):
    got = refusal(plan_of([week(**{field: value})], strict=False))
    assert got == f"week of 2027-01-04: {message}"


@pytest.mark.parametrize(("value", "message"), [
    (2.5, "long_sessions 2.5 is not a whole number"),
    (8, "long_sessions 8 is out of range 0..7 days"),
    (-1, "long_sessions -1 is out of range 0..7 days"),
])
def test_long_sessions_are_whole_days_of_a_week(value, message):
    assert refusal(plan_of([week(long_sessions=value)], strict=False)) == f"week of 2027-01-04: {message}"
    assert plans.checked(plan_of([week(long_sessions=3.0)], strict=False)).weeks["long_sessions"].to_list() == [3]


@pytest.mark.parametrize(("note", "message"), [
    ("two\nlines", "week of 2027-01-04: note 'two\\nlines' contains control characters"),
    ("x" * 201, "week of 2027-01-04: note is longer than 200 characters"),
    (5, "week of 2027-01-04: note 5 is not text"),
    ("bidi\u202eflip", "week of 2027-01-04: note 'bidi\\u202eflip' contains control characters"),
])
def test_a_bad_note(note, message):
    assert refusal(plan_of([week(note=note)], strict=False)) == message


def test_a_note_is_trimmed_and_an_empty_one_is_none():
    got = plans.checked(plan_of([week(note="  back-to-back  "), week(MONDAY + dt.timedelta(weeks=1), note="")]))
    assert got.weeks["note"].to_list() == ["back-to-back", None]


def test_a_day_has_one_session():
    assert refusal(plan_of([week()], [session(), session()])) == (
        "session of 2027-01-09 is planned twice (one session a day)")


def test_a_session_has_a_known_type():
    assert refusal(plan_of([week()], [session(session="intervals")])) == (
        "session of 2027-01-09: type 'intervals' is not one of recovery, easy, long, steady, tempo, threshold")


@pytest.mark.parametrize(("field", "value", "message"), [
    ("hours", 25.0, "hours 25.0 is out of range 0..24 h"),
    ("hours", None, "hours None is not a number (range 0..24 h)"),
    ("ascent_m", math.nan, "ascent_m nan is out of range 0..30000 m"),
    ("load", 3001.0, "load 3001.0 is out of range 0..3000"),
    ("load", "hard", "load 'hard' is not a number (range 0..3000)"),
])
def test_session_numbers(field, value, message):
    got = refusal(plan_of([week()], [session(**{field: value}), session(MONDAY, load=20.0)], strict=False))
    assert got == f"session of 2027-01-09: {message}"


def test_a_session_day_is_a_date():
    assert refusal(plan_of([week()], [session("2027-01-09")], strict=False)) == (
        "session day '2027-01-09' is not a date (YYYY-MM-DD)")


def test_a_plan_has_every_column_and_at_most_two_years():
    no_note = Plan(RACE, pl.DataFrame([week()], schema=WEEK_COLUMNS).drop("note"), plans.empty_days())
    assert refusal(no_note) == "a plan needs the columns note"
    many = plan_of([week(MONDAY + dt.timedelta(weeks=i)) for i in range(105)])
    assert refusal(many) == "a plan holds at most 104 weeks, not 105"
    assert plans.checked(plan_of([week(MONDAY + dt.timedelta(weeks=i)) for i in range(104)])).weeks.height == 104


# --------------------------------------------------------------------------- edits


def test_the_load_follows_the_hours_and_the_descent_the_ascent():
    got = plans.with_week(PLAN, MONDAY + dt.timedelta(days=3), {"planned_hours": 12.0, "planned_ascent_m": 3600.0})
    first = got.weeks.row(0, named=True)
    # 500 load for 10 h: 50 an hour; 2,400 m down for 3,000 m up: 0.8 per metre
    assert (first["planned_hours"], first["planned_load"]) == (12.0, 600.0)
    assert (first["planned_ascent_m"], first["planned_descent_m"]) == (3600.0, 2880.0)
    assert got.weeks.row(1, named=True) == PLAN.weeks.row(1, named=True)  # the other week unchanged
    assert PLAN.weeks.row(0, named=True)["planned_hours"] == 10.0  # the plan itself is not changed


def test_given_figures_win_over_the_followers():
    got = plans.with_week(PLAN, MONDAY, {"planned_hours": 12.0, "planned_load": 420.0, "planned_ascent_m": 3600.0,
                                         "planned_descent_m": 1000.0, "kind": "peak", "long_sessions": 2,
                                         "note": "b2b"})
    assert got.weeks.row(0, named=True) == {**week(), "planned_hours": 12.0, "planned_load": 420.0,
                                             "planned_ascent_m": 3600.0, "planned_descent_m": 1000.0, "kind": "peak",
                                             "long_sessions": 2, "note": "b2b"}


def test_from_nothing_the_followers_stay():
    plan = plan_of([week(planned_hours=0.0, planned_load=0.0, planned_ascent_m=0.0, planned_descent_m=0.0)])
    got = plans.with_week(plan, MONDAY, {"planned_hours": 5.0, "planned_ascent_m": 1000.0})
    first = got.weeks.row(0, named=True)
    assert (first["planned_load"], first["planned_descent_m"]) == (0.0, 0.0)


def test_none_leaves_a_figure_and_an_empty_note_clears_it():
    plan = plan_of([week(note="old")])
    got = plans.with_week(plan, MONDAY, {"planned_hours": None, "note": ""})
    assert got.weeks.row(0, named=True) == {**week(), "note": None}


@pytest.mark.parametrize(("changes", "message"), [
    ({"planned_hours": 200.0}, "week of 2027-01-04: planned_hours 200.0 is out of range 0..168 h"),
    ({"planned_hours": "lots"}, "week of 2027-01-04: planned_hours 'lots' is not a number"),
    ({"long_sessions": 2.5}, "week of 2027-01-04: long_sessions 2.5 is not a whole number (0..7 days)"),
    ({"long_sessions": math.nan}, "week of 2027-01-04: long_sessions nan is not a whole number (0..7 days)"),
    ({"kind": "sprint"}, "week of 2027-01-04: kind 'sprint' is not one of base, build, recovery, peak, taper, race"),
    ({"pace": 5}, "unknown week field 'pace': use kind, planned_hours, planned_ascent_m, planned_descent_m, "
                  "planned_load, long_sessions, note"),
])
def test_a_bad_edit_is_one_line(changes, message):
    with pytest.raises(InvalidValue) as info:
        plans.with_week(PLAN, MONDAY, changes)
    assert str(info.value) == message


def test_an_edit_of_a_week_the_plan_does_not_hold():
    with pytest.raises(InvalidValue) as info:
        plans.with_week(PLAN, MONDAY + dt.timedelta(weeks=5), {"planned_hours": 5.0})
    assert str(info.value) == "no planned week holds 2027-02-08: the plan's weeks start 2027-01-04 to 2027-01-11"


def test_sessions_are_set_replaced_and_removed():
    tuesday = MONDAY + dt.timedelta(days=8)
    got = plans.with_session(PLAN, tuesday, "tempo", 1.5, ascent_m=200.0, note="track")
    assert got.days["date"].to_list() == [session()["date"], tuesday]
    assert got.days.row(1, named=True) == {"date": tuesday, "session": "tempo", "hours": 1.5, "ascent_m": 200.0,
                                           "load": None, "note": "track"}
    replaced = plans.with_session(got, tuesday, "easy", 1.0, load=40.0)
    assert replaced.days.height == 2
    assert replaced.days.row(1, named=True) == {"date": tuesday, "session": "easy", "hours": 1.0, "ascent_m": 0.0,
                                                "load": 40.0, "note": None}
    removed = plans.without_session(replaced, tuesday)
    assert removed.days.equals(PLAN.days) and removed.weeks.equals(PLAN.weeks)


@pytest.mark.parametrize(("args", "message"), [
    ((MONDAY + dt.timedelta(weeks=3), "long", 3.0), "no planned week holds 2027-01-25: plan the week first"),
    ((MONDAY, "intervals", 1.0),
     "session of 2027-01-04: type 'intervals' is not one of recovery, easy, long, steady, tempo, threshold"),
    ((MONDAY, "easy", "1h"), "session of 2027-01-04: hours '1h' is not a number"),
    ((MONDAY, "easy", 30.0), "session of 2027-01-04: hours 30.0 is out of range 0..24 h"),
    ((MONDAY, "easy", 1.0, -5.0), "session of 2027-01-04: ascent_m -5.0 is out of range 0..30000 m"),
])
def test_a_bad_session_is_one_line(args, message):
    with pytest.raises(InvalidValue) as info:
        plans.with_session(PLAN, *args)
    assert str(info.value) == message


def test_removing_a_session_that_is_not_there():
    with pytest.raises(InvalidValue) as info:
        plans.without_session(PLAN, MONDAY)
    assert str(info.value) == "no session is planned on 2027-01-04"


def test_monday_of_any_day():
    assert [plans.monday(MONDAY + dt.timedelta(days=i)) for i in range(7)] == [MONDAY] * 7
    assert plans.monday(MONDAY - dt.timedelta(days=1)) == MONDAY - dt.timedelta(weeks=1)

"""What the athlete and the coach say of an activity (trainlog.store.entries): ratings (session RPE, feel, a note)
with their KEEP/None semantics, comments oldest first, one-line refusals, survival across re-imports, the athlete's
RPE over an export's; and ``trainlog activity rate|comment|comments`` with ``activities --json``."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest
from builders import SAMPLE_FIT, activities, concat, utc
from click.testing import CliRunner

from trainlog import Store, import_paths
from trainlog.analysis import pipeline
from trainlog.analysis.stored import metrics_of, settings_of
from trainlog.cli import cli
from trainlog.errors import InvalidValue, StoreError, TrainlogError
from trainlog.settings import AthleteSettings
from trainlog.store import choices, entries, schema

FILES = [SAMPLE_FIT / "mara" / name for name in (
    "2026-03-03_0546_running.fit", "2026-03-05_0542_running.fit", "2026-03-09_0544_running.fit")]


@pytest.fixture
def mara(tmp_path) -> Store:
    """Three of Mara's easy runs (heart rate throughout) in a fresh store."""
    store = Store(tmp_path / "data")
    report = import_paths(store, FILES, "mara", workers=1)
    assert report.ok and report.counts()["imported"] == 3
    return store


def ids(store: Store) -> list[str]:
    return store.read("activities", "mara").sort("start_utc")["activity_id"].to_list()


def rating_of(store: Store, activity_id: str) -> dict | None:
    """The latest rating of one activity (rpe, feel, note), None when it has none."""
    rows = entries.ratings(store, "mara").filter(pl.col("activity_id") == activity_id)
    return rows.select("rpe", "feel", "note").row(0, named=True) if rows.height else None


def per_activity(store: Store, activity_id: str) -> dict:
    return metrics_of(store, "mara").filter(pl.col("activity_id") == activity_id).row(0, named=True)


def test_the_tables_and_the_scales():
    assert schema.TABLES["ratings"] == {"activity_id": pl.String, "rpe": pl.Float64, "feel": pl.Int8,
                                        "note": pl.String, "at": pl.Datetime("us", "UTC")}
    assert schema.TABLES["comments"] == {"activity_id": pl.String, "author": pl.String, "text": pl.String,
                                         "at": pl.Datetime("us", "UTC")}
    assert (entries.RPE_MIN, entries.RPE_MAX, entries.FEEL_MIN, entries.FEEL_MAX) == (0.0, 10.0, 1, 5)
    assert entries.FEEL_WORDS[1] == "very weak" and entries.FEEL_WORDS[5] == "very strong"


# ---- rating: rpe, feel, note; KEEP leaves a value, None clears it


def test_rate_keep_and_clear(mara):
    a, b, _ = ids(mara)
    assert entries.ratings(mara, "mara").is_empty()
    assert entries.ratings(mara, "mara").schema == pl.Schema(entries.RATING_SCHEMA)
    assert entries.rate(mara, "mara", a, rpe=7, feel=4, note="  heavy legs on the last climb\n") is True
    assert rating_of(mara, a) == {"rpe": 7.0, "feel": 4, "note": "heavy legs on the last climb"}  # stripped
    # only feel given: rpe and note are kept
    assert entries.rate(mara, "mara", a, feel=2) is True
    assert rating_of(mara, a) == {"rpe": 7.0, "feel": 2, "note": "heavy legs on the last climb"}
    # None clears one value, the others stay
    assert entries.rate(mara, "mara", a, note=None) is True
    assert rating_of(mara, a) == {"rpe": 7.0, "feel": 2, "note": None}
    assert entries.rate(mara, "mara", a, rpe=6.5) is True
    assert rating_of(mara, a) == {"rpe": 6.5, "feel": 2, "note": None}
    # a note of blanks clears the note too (the command line's --note "")
    entries.rate(mara, "mara", b, rpe=3, note="easy")
    entries.rate(mara, "mara", b, note="   ")
    assert rating_of(mara, b) == {"rpe": 3.0, "feel": None, "note": None}
    # every value cleared: the activity is no longer rated
    assert entries.rate(mara, "mara", a, rpe=None, feel=None) is True
    assert rating_of(mara, a) is None
    assert entries.ratings(mara, "mara")["activity_id"].to_list() == [b]
    # append-only: every rating is a row holding the whole rating after the change, in commit order
    log = mara.read("ratings", "mara")
    assert log.filter(pl.col("activity_id") == a).select("rpe", "feel", "note").rows() == [
        (7.0, 4, "heavy legs on the last climb"), (7.0, 2, "heavy legs on the last climb"), (7.0, 2, None),
        (6.5, 2, None), (None, None, None)]
    assert log["at"].is_sorted() and log["at"].dtype == pl.Datetime("us", "UTC")


def test_ratings_are_sorted_by_id_and_carry_their_time(mara):
    for k, aid in enumerate(reversed(ids(mara))):
        entries.rate(mara, "mara", aid, feel=k + 1)
    got = entries.ratings(mara, "mara")
    assert got["activity_id"].to_list() == sorted(ids(mara))
    assert got["rated_at"].null_count() == 0 and got["rpe"].null_count() == 3


def test_an_unchanged_rating_writes_nothing(mara):
    a, b, _ = ids(mara)
    entries.rate(mara, "mara", a, rpe=7, feel=4, note="ok")
    generation = mara.generation("mara")
    assert entries.rate(mara, "mara", a, rpe=7) is False
    assert entries.rate(mara, "mara", a, rpe=7.0, feel=4.0, note="ok  ") is False  # the same once checked
    assert entries.rate(mara, "mara", b, rpe=None, feel=None, note="") is False  # clearing what was never given
    assert mara.generation("mara") == generation and mara.read("ratings", "mara").height == 1
    # cleared, then cleared again: the second writes nothing
    entries.rate(mara, "mara", a, rpe=None, feel=None, note=None)
    generation = mara.generation("mara")
    assert entries.rate(mara, "mara", a, rpe=None) is False
    assert mara.generation("mara") == generation


def test_nothing_to_rate_is_refused(mara):
    with pytest.raises(InvalidValue, match="nothing to rate: give an RPE, a feel or a note"):
        entries.rate(mara, "mara", ids(mara)[0])


NOTE_5000 = "x" * 5000


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda s, a: entries.rate(s, "mara", a, rpe=11), "rpe 11 is out of range 0..10 (CR-10 scale)"),
        (lambda s, a: entries.rate(s, "mara", a, rpe=-1), "rpe -1 is out of range 0..10"),
        (lambda s, a: entries.rate(s, "mara", a, rpe=10.01), "is out of range 0..10"),
        (lambda s, a: entries.rate(s, "mara", a, rpe=float("nan")), "is out of range 0..10"),
        (lambda s, a: entries.rate(s, "mara", a, rpe=float("inf")), "is out of range 0..10"),
        (lambda s, a: entries.rate(s, "mara", a, rpe=True), "rpe True is not a number"),
        (lambda s, a: entries.rate(s, "mara", a, rpe="7"), "rpe '7' is not a number"),
        (lambda s, a: entries.rate(s, "mara", a, feel=0), "feel 0 is not a whole number from 1 (very weak) to 5"),
        (lambda s, a: entries.rate(s, "mara", a, feel=6), "feel 6 is not a whole number from 1"),
        (lambda s, a: entries.rate(s, "mara", a, feel=2.5), "feel 2.5 is not a whole number"),
        (lambda s, a: entries.rate(s, "mara", a, feel=True), "is not a whole number"),
        (lambda s, a: entries.rate(s, "mara", a, feel="4"), "is not a whole number"),
        (lambda s, a: entries.rate(s, "mara", a, rpe=5, note="red \x1b[31malert"), "contains control characters"),
        (lambda s, a: entries.rate(s, "mara", a, note="right-to-left \u202e"), "contains control characters"),
        (lambda s, a: entries.rate(s, "mara", a, note="nul \x00"), "contains control characters"),
        (lambda s, a: entries.rate(s, "mara", a, note=NOTE_5000), "note is 5000 characters long; at most 4000"),
        (lambda s, a: entries.rate(s, "mara", a, note=7), "note 7 is not text"),
        (lambda s, a: entries.rate(s, "mara", "0123456789abcdef-0", rpe=5),
         "no activity '0123456789abcdef-0' for athlete mara; the ids are in: trainlog activities -a mara"),
        (lambda s, a: entries.rate(s, "mara", a[:-1], rpe=5), "no activity"),
        (lambda s, a: entries.rate(s, "mara", "", rpe=5), "is not an activity id"),
        (lambda s, a: entries.rate(s, "mara", None, rpe=5), "is not an activity id"),
        (lambda s, a: entries.comment(s, "mara", a, "coach1", ""), "comment is empty"),
        (lambda s, a: entries.comment(s, "mara", a, "coach1", " \n\t "), "comment is empty"),
        (lambda s, a: entries.comment(s, "mara", a, "coach1", NOTE_5000), "comment is 5000 characters long"),
        (lambda s, a: entries.comment(s, "mara", a, "coach1", "bell \x07"), "comment 'bell \\x07' contains control"),
        (lambda s, a: entries.comment(s, "mara", a, "", "well paced"), "author is empty"),
        (lambda s, a: entries.comment(s, "mara", a, "co\nach", "well paced"), "must be one line"),
        (lambda s, a: entries.comment(s, "mara", a, "c" * 65, "well paced"), "author is 65 characters long"),
        (lambda s, a: entries.comment(s, "mara", "nope", "coach1", "well paced"), "no activity 'nope'"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(mara, call, message):
    a = ids(mara)[0]
    generation = mara.generation("mara")
    with pytest.raises(InvalidValue) as err:
        call(mara, a)
    assert message in str(err.value) and "\n" not in str(err.value)
    assert mara.generation("mara") == generation
    assert mara.read("ratings", "mara").is_empty() and mara.read("comments", "mara").is_empty()


def test_the_edges_of_the_scales_and_of_the_text_are_accepted(mara):
    a, b, c = ids(mara)
    entries.rate(mara, "mara", a, rpe=0, feel=1, note="line one\nline two\tand a tab")
    entries.rate(mara, "mara", b, rpe=10, feel=5.0, note="y" * 4000)  # 5.0 is the whole number 5
    entries.rate(mara, "mara", c, rpe=6.5, note="déjà vu, 山")
    assert rating_of(mara, a) == {"rpe": 0.0, "feel": 1, "note": "line one\nline two\tand a tab"}
    assert rating_of(mara, b) == {"rpe": 10.0, "feel": 5, "note": "y" * 4000}
    assert rating_of(mara, c)["note"] == "déjà vu, 山"


def test_an_athlete_without_a_dataset_is_a_store_error_and_nothing_is_created(tmp_path):
    store = Store(tmp_path / "data")
    with pytest.raises(StoreError, match="no dataset for athlete 'nobody'"):
        entries.rate(store, "nobody", "0123456789abcdef-0", rpe=5)
    with pytest.raises(StoreError, match="no dataset for athlete 'nobody'"):
        entries.comment(store, "nobody", "0123456789abcdef-0", "coach1", "hello")
    with pytest.raises(TrainlogError, match="invalid athlete name"):
        entries.rate(store, "../x", "0123456789abcdef-0", rpe=5)
    assert not (tmp_path / "data").exists()


# ---- comments


def test_comments_oldest_first(mara):
    a, b, _ = ids(mara)
    assert entries.comments(mara, "mara", a).is_empty()
    t1 = entries.comment(mara, "mara", a, "coach1", "Good pacing: keep the climbs this easy")
    entries.comment(mara, "mara", b, "coach1", "On another run")
    t2 = entries.comment(mara, "mara", a, "mara", "  Thanks!\r\nWill do.  ")
    t3 = entries.comment(mara, "mara", a, "coach2", "Agreed")
    assert t1 <= t2 <= t3 and t1.tzinfo is not None
    got = entries.comments(mara, "mara", a)
    assert got.schema == pl.Schema(schema.COMMENTS)
    assert got.select("author", "text").rows() == [
        ("coach1", "Good pacing: keep the climbs this easy"), ("mara", "Thanks!\nWill do."), ("coach2", "Agreed")]
    assert got["at"].to_list() == [t1, t2, t3]
    assert entries.comments(mara, "mara").height == 4  # every activity's
    assert entries.comments(mara, "mara", b)["text"].to_list() == ["On another run"]


def test_two_comments_with_the_same_text_are_both_kept(mara):
    a = ids(mara)[0]
    entries.comment(mara, "mara", a, "coach1", "Again")
    entries.comment(mara, "mara", a, "coach1", "Again")
    assert entries.comments(mara, "mara", a).height == 2


def test_check_and_repair_accept_the_ratings_and_comments(mara):
    a, b, _ = ids(mara)
    for k in range(18):  # more commits than COMPACT_PARTS (16): the ratings table is compacted once
        entries.rate(mara, "mara", a, rpe=k % 10)
    listed = json.loads((mara.athlete_dir("mara") / "dataset.json").read_text())["tables"]["ratings"]
    assert any(p.endswith("-c.parquet") for p in listed)
    entries.comment(mara, "mara", b, "coach1", "Nice")
    ratings, comments = entries.ratings(mara, "mara"), entries.comments(mara, "mara")
    assert mara.check("mara") == []
    assert not mara.repair("mara", dry_run=True).changed
    (mara.athlete_dir("mara") / "dataset.json").unlink()  # a lost manifest: repair rebuilds it with every entry
    assert mara.repair("mara").changed and mara.check("mara") == []
    assert entries.ratings(mara, "mara").equals(ratings) and entries.comments(mara, "mara").equals(comments)
    assert rating_of(mara, a)["rpe"] == 7.0  # 17 % 10


# ---- what survives, and what the analysis sees


def test_entries_survive_a_reimport_and_the_analysis_still_uses_the_rating(mara):
    a, b, _ = ids(mara)
    entries.rate(mara, "mara", a, rpe=6, feel=3, note="windy")
    entries.comment(mara, "mara", b, "coach1", "Nice")
    again = import_paths(mara, FILES, "mara", workers=1)
    assert [r.outcome for r in again.results] == ["duplicate"] * 3
    assert rating_of(mara, a) == {"rpe": 6.0, "feel": 3, "note": "windy"}
    assert entries.comments(mara, "mara", b)["text"].to_list() == ["Nice"]
    assert mara.check("mara") == []
    row = per_activity(mara, a)
    # heart rate throughout: the load stays the HR load; the session-RPE load is kept beside it
    # load_rpe = rpe x moving minutes x 100 / (7 x 60) = 6 x moving_s / 60 x 100 / 420
    assert row["load_source"] == "hr" and row["load"] == pytest.approx(row["hr_load"])
    assert row["rpe"] == 6.0 and row["feel"] == 3
    assert row["load_rpe"] == pytest.approx(6 * row["moving_s"] / 60 * 100 / 420, rel=1e-12)
    assert per_activity(mara, b)["load_rpe"] is None and per_activity(mara, b)["rpe"] is None


def test_a_reimport_into_a_fresh_dataset_of_the_same_files_keeps_the_ids_the_entries_use(mara, tmp_path):
    # ids are stable across re-imports of a file: the rating is keyed by what a new import gives the file
    other = Store(tmp_path / "other")
    import_paths(other, FILES, "mara", workers=1)
    assert ids(other) == ids(mara)


def test_the_athletes_rpe_beats_an_rpe_choice(mara):
    a, b, c = ids(mara)
    choices.set_rpe(mara, "mara", a, 3.0)  # as an export's metadata gave it
    choices.set_rpe(mara, "mara", b, 4.0)
    assert per_activity(mara, a)["rpe"] == 3.0
    entries.rate(mara, "mara", a, rpe=8)
    entries.rate(mara, "mara", b, feel=5)  # a rating without RPE leaves the choice's
    entries.rate(mara, "mara", c, rpe=2)
    row = per_activity(mara, a)
    assert row["rpe"] == 8.0
    assert row["load_rpe"] == pytest.approx(8 * row["moving_s"] / 60 * 100 / 420, rel=1e-12)
    assert (per_activity(mara, b)["rpe"], per_activity(mara, b)["feel"]) == (4.0, 5)
    assert per_activity(mara, c)["rpe"] == 2.0
    # the same through analyse with the tables read by hand
    t = mara.read_all("mara")
    per = pipeline.analyse(t["activities"], t["samples"], settings_of(mara, "mara"), choices=t["choices"],
                           ratings=t["ratings"]).per_activity.sort("start_utc")
    assert per["rpe"].to_list() == [8.0, 4.0, 2.0] and per["feel"].to_list() == [None, 5, None]


def test_overlay():
    state = pl.DataFrame({"activity_id": ["a", "b", "c"], "excluded": [True, False, False],
                          "ascent_confirmed": [False, True, False], "rpe": [3.0, 4.0, None]},
                         schema=choices.STATE_SCHEMA)
    log = pl.DataFrame({"activity_id": ["a", "b", "d", "a"], "rpe": [9.0, None, 5.0, 8.0], "feel": [1, 5, None, 2],
                        "note": [None, None, "x", None], "at": [utc(2026, 3, 1)] * 4}, schema=schema.RATINGS)
    got = entries.overlay(state, log)
    assert got.columns == ["activity_id", "excluded", "ascent_confirmed", "rpe", "feel"]
    # a: the latest rating (8, feel 2) beats the choice's 3; b: the athlete's rating has no RPE (they cleared it;
    # a first rating starts from the export's, see rate), so the choice's 4 does not come back;
    # c: no rating; d: rated only (not excluded, not confirmed)
    assert got.rows() == [("a", True, False, 8.0, 2), ("b", False, True, None, 5), ("c", False, False, None, None),
                          ("d", False, False, 5.0, None)]
    # the folded ratings do as well as the log, and no ratings add an empty feel
    assert entries.overlay(state, entries.latest_ratings(log)).equals(got)
    none = entries.overlay(state, None)
    assert none["rpe"].to_list() == [3.0, 4.0, None] and none["feel"].null_count() == 3
    assert none["feel"].dtype == pl.Int8


def test_latest_ratings_are_in_commit_order_not_clock_order():
    at = utc(2026, 3, 1)
    log = pl.DataFrame({"activity_id": ["x", "x", "y", "y"], "rpe": [5.0, 6.0, 4.0, None], "feel": [None] * 4,
                        "note": [None] * 4, "at": [at, at - dt.timedelta(hours=1), at, at]}, schema=schema.RATINGS)
    got = entries.latest_ratings(log)
    assert got.select("activity_id", "rpe").rows() == [("x", 6.0)]  # y's latest rating is empty: not rated
    assert entries.latest_ratings(got).equals(got)  # a folded frame is its own fold


def test_the_rating_reaches_analyse_without_a_store():
    acts = activities({"activity_id": "a", "start_utc": utc(2026, 3, 1, 8), "sport": "strength_training",
                       "timer_s": 2700.0},
                      {"activity_id": "b", "start_utc": utc(2026, 3, 2, 8), "sport": "strength_training",
                       "timer_s": 2700.0})
    log = pl.DataFrame({"activity_id": ["a"], "rpe": [6.0], "feel": [4], "note": ["ok"], "at": [utc(2026, 3, 3)]},
                       schema=schema.RATINGS)
    per = pipeline.analyse(acts, concat(), AthleteSettings(), ratings=log).per_activity.sort("activity_id")
    # a: 45 min at RPE 6, no samples: load source rpe, 6 x 45 x 100 / 420 = 64.2857...
    # b: unrated, no samples: duration load 0.75 h x 50 = 37.5
    assert per["load_source"].to_list() == ["rpe", "duration"]
    assert per["load"].to_list() == pytest.approx([6 * 45 * 100 / 420, 37.5], rel=1e-12)
    assert per["load_rpe"].to_list()[0] == pytest.approx(64.28571428571429, rel=1e-12)
    assert per["load_rpe"].to_list()[1] is None and per["feel"].to_list() == [4, None]


# ---- the command line: trainlog activity rate|comment|comments, and activities --json


def cli_run(store: Store, *args):
    return CliRunner().invoke(cli, [*map(str, args), "--data-dir", str(store.data_dir)])


def test_rate_then_activities_json(mara):
    a, b, c = ids(mara)
    res = cli_run(mara, "activity", "rate", a, "-a", "mara", "--rpe", "7", "--feel", "4", "--note", "heavy legs")
    assert res.exit_code == 0, res.output
    assert res.output.strip() == f"mara: activity {a} rated: rpe 7, feel 4, note saved"
    res = cli_run(mara, "activity", "rate", a, "-a", "mara", "--rpe", "7")
    assert res.exit_code == 0 and res.output.strip() == f"mara: activity {a} already rated so; nothing changed"
    res = cli_run(mara, "activity", "rate", b, "-a", "mara", "--feel", "2")
    assert res.exit_code == 0, res.output
    rows = {r["activity_id"]: r for r in json.loads(cli_run(mara, "activities", "-a", "mara", "--json").output)}
    assert (rows[a]["rpe"], rows[a]["feel"], rows[a]["note"]) == (7.0, 4, "heavy legs")
    # 7 x moving minutes x 100 / 420 = moving_s / 36: one hour at RPE 7 is 100
    assert rows[a]["load_rpe"] == pytest.approx(rows[a]["moving_s"] / 36, rel=1e-12)
    assert rows[a]["load_source"] == "hr"
    assert (rows[b]["rpe"], rows[b]["feel"], rows[b]["note"], rows[b]["load_rpe"]) == (None, 2, None, None)
    assert (rows[c]["rpe"], rows[c]["feel"], rows[c]["note"], rows[c]["load_rpe"]) == (None, None, None, None)
    text = cli_run(mara, "activities", "-a", "mara").output
    assert "RPE 7, feel 4/5" in text
    # --note "" clears the note and says so
    res = cli_run(mara, "activity", "rate", a, "-a", "mara", "--note", "")
    assert res.exit_code == 0 and "note cleared" in res.output, res.output
    assert rating_of(mara, a) == {"rpe": 7.0, "feel": 4, "note": None}


def test_comment_then_comments_json(mara):
    a = ids(mara)[0]
    res = cli_run(mara, "activity", "comment", a, "-a", "mara", "--author", "coach1", "Well paced")
    assert res.exit_code == 0, res.output
    assert res.output.startswith(f"mara: comment by coach1 on activity {a} kept (") and "UTC)" in res.output
    cli_run(mara, "activity", "comment", a, "-a", "mara", "--author", "mara", "Thanks, coach")
    res = cli_run(mara, "activity", "comments", a, "-a", "mara", "--json")
    assert res.exit_code == 0, res.output
    got = json.loads(res.output)
    assert [(r["author"], r["text"]) for r in got] == [("coach1", "Well paced"), ("mara", "Thanks, coach")]
    assert all(dt.datetime.fromisoformat(r["at"]).tzinfo is not None for r in got)
    text = cli_run(mara, "activity", "comments", a, "-a", "mara").output.splitlines()
    assert len(text) == 2 and text[0].endswith("UTC  coach1: Well paced")
    assert json.loads(cli_run(mara, "activities", "-a", "mara", "--json").output)[0]["n_comments"] == 2
    empty = cli_run(mara, "activity", "comments", ids(mara)[1], "-a", "mara")
    assert empty.exit_code == 0 and "no comments on activity" in empty.output
    assert json.loads(cli_run(mara, "activity", "comments", ids(mara)[1], "-a", "mara", "--json").output) == []
    unknown = cli_run(mara, "activity", "comments", "0000000000000000-0", "-a", "mara")
    assert unknown.exit_code == 1 and unknown.output.startswith("Error: no activity 0000000000000000-0 for athlete mara")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["rate", "{a}", "--rpe", "12"], "Error: rpe 12.0 is out of range 0..10 (CR-10 scale)"),
        (["rate", "{a}", "--rpe", "-1"], "out of range 0..10"),
        (["rate", "{a}", "--feel", "6"], "Error: feel 6 is not a whole number from 1"),
        (["rate", "{a}", "--note", "bad \x1b[2J"], "contains control characters"),
        (["rate", "0123456789abcdef-0", "--rpe", "7"], "Error: no activity '0123456789abcdef-0' for athlete mara"),
        (["comment", "0123456789abcdef-0", "--author", "coach1", "hi"], "no activity '0123456789abcdef-0'"),
        (["comment", "{a}", "--author", "coach1", ""], "Error: comment is empty"),
    ],
)
def test_the_command_line_says_what_is_wrong_in_one_line(mara, args, message):
    a = ids(mara)[0]
    generation = mara.generation("mara")
    res = cli_run(mara, "activity", *[x.format(a=a) for x in args], "-a", "mara")
    assert res.exit_code == 1 and message in res.output, res.output
    assert len(res.output.strip().splitlines()) == 1 and "Traceback" not in res.output
    assert mara.generation("mara") == generation


@pytest.mark.parametrize(
    ("args", "message"),
    [(["rate", "{a}"], "give --rpe, --feel or --note"), (["rate", "{a}", "--rpe", "seven"], "is not a valid float"),
     (["rate", "{a}", "--feel", "2.5"], "is not a valid integer"), (["comment", "{a}", "hi"], "--author")],
)
def test_usage_errors_exit_2(mara, args, message):
    a = ids(mara)[0]
    res = cli_run(mara, "activity", *[x.format(a=a) for x in args], "-a", "mara")
    assert res.exit_code == 2 and message in res.output and "Traceback" not in res.output, res.output


def test_an_unknown_athlete_on_the_command_line(mara):
    res = cli_run(mara, "activity", "rate", "abc", "-a", "nobody", "--rpe", "5")
    assert res.exit_code == 1 and "no data for athlete 'nobody'" in res.output
    assert not (mara.data_dir / "athletes" / "nobody").exists()


def test_a_cleared_rpe_stays_cleared_and_a_first_rating_keeps_the_exports(mara):
    a, b, _ = ids(mara)
    choices.set_rpe(mara, "mara", a, 3.0)  # what an export's metadata gave (trainlog.ingest.metajoin)
    choices.set_rpe(mara, "mara", b, 3.0)
    entries.rate(mara, "mara", a, feel=4)  # a first rating without an RPE starts from the export's
    assert entries.ratings(mara, "mara").filter(pl.col("activity_id") == a)["rpe"].to_list() == [3.0]
    entries.rate(mara, "mara", b, rpe=8.0)
    entries.rate(mara, "mara", b, rpe=None)  # the athlete takes their RPE back: the export's 3 must not return
    assert per_activity(mara, b)["rpe"] is None and per_activity(mara, b)["load_source"] != "rpe"
    assert per_activity(mara, a)["rpe"] == 3.0

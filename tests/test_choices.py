"""The athlete's choices per activity (trainlog.store.choices): stored as an event log in the dataset,
surviving re-imports and re-analyses, through the library and ``trainlog activity``."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

import polars as pl
import pytest
from builders import ROOT, SAMPLE_FIT, activities, concat, utc
from click.testing import CliRunner

from trainlog import Store, import_paths
from trainlog.analysis import pipeline as report
from trainlog.analysis.stored import metrics_of, save_settings_of, settings_of, stored_analysis
from trainlog.cli import activity_group, cli
from trainlog.errors import InvalidValue, StoreError, TrainlogError
from trainlog.settings import AthleteSettings
from trainlog.store import choices, schema

FILES = [SAMPLE_FIT / "mara" / name for name in (
    "2026-03-03_0546_running.fit", "2026-03-05_0542_running.fit", "2026-03-09_0544_running.fit")]


@pytest.fixture
def mara(tmp_path) -> Store:
    """Three of Mara's easy runs in a fresh store."""
    store = Store(tmp_path / "data")
    report_ = import_paths(store, FILES, "mara", workers=1)
    assert report_.ok and report_.counts()["imported"] == 3
    return store


def ids(store: Store) -> list[str]:
    return store.read("activities", "mara").sort("start_utc")["activity_id"].to_list()


def state_of(store: Store, activity_id: str) -> dict | None:
    rows = choices.current(store, "mara").filter(pl.col("activity_id") == activity_id)
    return rows.row(0, named=True) if rows.height else None


def test_the_api():
    assert choices.ACTIONS == ("exclude", "include", "confirm", "unconfirm")
    # one command per action, and the entries of trainlog.store.entries and trainlog.ingest.manual
    assert set(activity_group.commands) == set(choices.ACTIONS) | {"rate", "comment", "comments", "add", "remove"}
    assert schema.TABLES["choices"] == {"activity_id": pl.String, "action": pl.String, "rpe": pl.Float64,
                                        "at": pl.Datetime("us", "UTC")}


def test_record_and_current(mara):
    a, b, _ = ids(mara)
    empty = choices.current(mara, "mara")
    assert empty.is_empty() and empty.schema == pl.Schema(choices.STATE_SCHEMA)
    choices.record(mara, "mara", a, "exclude")
    assert state_of(mara, a) == {"activity_id": a, "excluded": True, "ascent_confirmed": False, "rpe": None}
    choices.record(mara, "mara", a, "confirm")
    choices.record(mara, "mara", a, "include")
    assert state_of(mara, a) == {"activity_id": a, "excluded": False, "ascent_confirmed": True, "rpe": None}
    choices.set_rpe(mara, "mara", b, 6.5)
    assert state_of(mara, b)["rpe"] == 6.5 and state_of(mara, b)["excluded"] is False
    choices.set_rpe(mara, "mara", b, 7)
    choices.record(mara, "mara", a, "unconfirm")
    choices.set_rpe(mara, "mara", b, None)  # cleared
    assert state_of(mara, b) == {"activity_id": b, "excluded": False, "ascent_confirmed": False, "rpe": None}
    assert state_of(mara, a)["ascent_confirmed"] is False
    # an event log: every choice is kept, in the order made, each with its UTC time
    log = mara.read("choices", "mara")
    assert log["action"].to_list() == ["exclude", "confirm", "include", "rpe", "rpe", "unconfirm", "rpe"]
    assert log["rpe"].to_list() == [None, None, None, 6.5, 7.0, None, None]
    assert log["at"].is_sorted() and log["at"].dtype == pl.Datetime("us", "UTC")


def test_the_latest_choice_wins_in_commit_order_not_clock_order():
    at = utc(2026, 3, 1)
    log = pl.DataFrame({
        "activity_id": ["x", "x", "y"],
        "action": ["exclude", "include", "exclude"],
        "rpe": [None, None, None],
        "at": [at, at - dt.timedelta(hours=1), at],  # the clock went back between the two choices
    }, schema=schema.CHOICES)
    got = choices.state(log)
    assert got["activity_id"].to_list() == ["x", "y"] and got["excluded"].to_list() == [False, True]
    assert choices.state(got).equals(got)  # a state is its own state


def test_a_choice_that_changes_nothing_writes_nothing(mara):
    a = ids(mara)[0]
    generation = mara.generation("mara")
    choices.record(mara, "mara", a, "include")  # not excluded
    choices.record(mara, "mara", a, "unconfirm")
    choices.set_rpe(mara, "mara", a, None)
    assert mara.generation("mara") == generation
    choices.record(mara, "mara", a, "exclude")
    choices.record(mara, "mara", a, "exclude")
    assert mara.generation("mara") == generation + 1 and mara.read("choices", "mara").height == 1


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda s, a: choices.record(s, "mara", a, "delete"), "unknown action 'delete': use one of exclude, "),
        (lambda s, a: choices.record(s, "mara", a, "Exclude"), "unknown action 'Exclude'"),
        (lambda s, a: choices.record(s, "mara", "0123456789abcdef-0", "exclude"), "no activity '0123456789abcdef-0' "
                                                                                 "for athlete mara"),
        (lambda s, a: choices.record(s, "mara", a[:-1], "exclude"), "no activity"),
        (lambda s, a: choices.record(s, "mara", "", "exclude"), "is not an activity id"),
        (lambda s, a: choices.record(s, "mara", None, "exclude"), "is not an activity id"),
        (lambda s, a: choices.set_rpe(s, "mara", a, 11), "rpe 11 is out of range 0..10"),
        (lambda s, a: choices.set_rpe(s, "mara", a, -0.5), "out of range"),
        (lambda s, a: choices.set_rpe(s, "mara", a, float("nan")), "out of range"),
        (lambda s, a: choices.set_rpe(s, "mara", a, "7"), "is not a number"),
        (lambda s, a: choices.set_rpe(s, "mara", a, True), "is not a number"),
        (lambda s, a: choices.set_rpe(s, "mara", "nope", 5), "no activity 'nope'"),
    ],
)
def test_bad_input_is_one_line_and_changes_nothing(mara, call, message):
    a = ids(mara)[0]
    generation = mara.generation("mara")
    with pytest.raises(InvalidValue) as err:
        call(mara, a)
    assert message in str(err.value) and "\n" not in str(err.value)
    assert mara.generation("mara") == generation and mara.read("choices", "mara").is_empty()


def test_an_athlete_without_data_is_a_clear_error_and_nothing_is_created(tmp_path):
    store = Store(tmp_path / "data")
    with pytest.raises(StoreError, match="no dataset for athlete 'nobody'"):
        choices.record(store, "nobody", "0123456789abcdef-0", "exclude")
    with pytest.raises(TrainlogError, match="invalid athlete name"):
        choices.record(store, "../x", "0123456789abcdef-0", "exclude")
    assert not (tmp_path / "data").exists()
    assert choices.current(store, "nobody").is_empty()


def test_choices_survive_a_reimport_and_every_reanalysis(mara):
    a, b, c = ids(mara)
    before = metrics_of(mara, "mara")
    assert not before["excluded"].any() and before["goal_counted"].all()
    choices.record(mara, "mara", a, "exclude")
    choices.record(mara, "mara", b, "confirm")
    # the cached analysis is keyed by the generation: a choice re-analyses
    per = metrics_of(mara, "mara").sort("start_utc")
    assert per["excluded"].to_list() == [True, False, False]
    assert per["ascent_confirmed"].to_list() == [False, True, False]
    assert per["goal_counted"].to_list() == [False, True, True]
    assert per["load"].to_list() == before.sort("start_utc")["load"].to_list()  # load still counts
    # the same files again: duplicates, and the choices stand
    again = import_paths(mara, FILES, "mara", workers=1)
    assert [r.outcome for r in again.results] == ["duplicate"] * 3
    assert state_of(mara, a)["excluded"] is True
    # new settings: a new analysis from scratch, still with the choices
    save_settings_of(mara, "mara", AthleteSettings(hr_max_bpm=185.0))
    fresh = stored_analysis(mara, "mara", settings_of(mara, "mara")).per_activity.sort("start_utc")
    assert fresh["excluded"].to_list() == [True, False, False]
    # and the same as analysing the tables by hand
    tables = mara.read_all("mara")
    direct = report.analyse(tables["activities"], tables["samples"], settings_of(mara, "mara"),
                            choices=tables["choices"]).per_activity.sort("start_utc")
    assert direct["excluded"].equals(fresh["excluded"]) and direct["goal_counted"].equals(fresh["goal_counted"])


def test_the_rating_reaches_the_per_activity_frame():
    acts = activities({"activity_id": "a", "start_utc": utc(2026, 3, 1, 8), "timer_s": 3600.0},
                      {"activity_id": "b", "start_utc": utc(2026, 3, 2, 8), "timer_s": 3600.0})
    log = pl.DataFrame({"activity_id": ["a", "b"], "action": ["rpe", "exclude"], "rpe": [7.0, None],
                        "at": [utc(2026, 3, 3)] * 2}, schema=schema.CHOICES)
    per = report.analyse(acts, concat(), AthleteSettings(), choices=log).per_activity.sort("activity_id")
    assert per["rpe"].to_list() == [7.0, None]
    assert per["excluded"].to_list() == [False, True] and per["ascent_confirmed"].to_list() == [False, False]
    no_choices = report.analyse(acts, concat(), AthleteSettings()).per_activity
    assert no_choices["rpe"].null_count() == 2 and not no_choices["excluded"].any()
    # the state (choices.current's frame) does as well as the log
    same = report.analyse(acts, concat(), AthleteSettings(), choices=choices.state(log)).per_activity
    assert same.sort("activity_id")["rpe"].to_list() == [7.0, None]


def test_check_and_repair_accept_the_choices_table(mara):
    a, b, _ = ids(mara)
    for k in range(18):  # more commits than COMPACT_PARTS: the choices table is compacted once
        choices.record(mara, "mara", a, "exclude" if k % 2 == 0 else "include")
    choices.set_rpe(mara, "mara", b, 5.0)
    expected = choices.current(mara, "mara")
    log = mara.read("choices", "mara")
    assert log.height == 19
    listed = json.loads((mara.athlete_dir("mara") / "dataset.json").read_text())["tables"]["choices"]
    assert any(p.endswith("-c.parquet") for p in listed)
    assert mara.check("mara") == []
    assert not mara.repair("mara", dry_run=True).changed
    # a lost manifest: repair rebuilds it with every choice
    (mara.athlete_dir("mara") / "dataset.json").unlink()
    repaired = mara.repair("mara")
    assert repaired.changed
    assert mara.check("mara") == []
    assert mara.read("choices", "mara").equals(log)
    assert choices.current(mara, "mara").equals(expected)
    assert state_of(mara, a)["excluded"] is False and state_of(mara, b)["rpe"] == 5.0


def test_a_dataset_from_before_the_choices_table_keeps_working(mara):
    adir = mara.athlete_dir("mara")
    doc = json.loads((adir / "dataset.json").read_text())
    del doc["tables"]["choices"]  # as an older trainlog wrote it
    (adir / "dataset.json").write_text(json.dumps(doc))
    assert mara.check("mara") == []
    assert choices.current(mara, "mara").is_empty()
    assert not metrics_of(mara, "mara")["excluded"].any()
    a = ids(mara)[0]
    choices.record(mara, "mara", a, "exclude")
    assert state_of(mara, a)["excluded"] is True and mara.check("mara") == []
    assert metrics_of(mara, "mara").filter(pl.col("activity_id") == a)["excluded"].to_list() == [True]


def _trainlog(*args, data) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("TRAINLOG_DATA_DIR", None)
    env.pop("TRAINLOG_ATHLETE", None)
    return subprocess.run([sys.executable, "-m", "trainlog", *map(str, args), "--data-dir", str(data)],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)


def test_the_command_line(mara):
    a = ids(mara)[0]
    done = _trainlog("activity", "exclude", a, "-a", "mara", data=mara.data_dir)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == (f"mara: activity {a} excluded: left out of the goal's figures "
                                   "(its load still counts)")
    assert state_of(mara, a)["excluded"] is True
    again = _trainlog("activity", "exclude", a, "-a", "mara", data=mara.data_dir)
    assert again.returncode == 0 and "was already excluded; nothing changed" in again.stdout
    assert _trainlog("check", "-a", "mara", data=mara.data_dir).returncode == 0
    back = _trainlog("activity", "include", a, "-a", "mara", data=mara.data_dir)
    assert back.returncode == 0 and "included again" in back.stdout
    assert state_of(mara, a)["excluded"] is False
    assert mara.read("choices", "mara")["action"].to_list() == ["exclude", "include"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["activity", "exclude", "0123456789abcdef-0", "-a", "mara"], "no activity '0123456789abcdef-0' for athlete "
                                                                      "mara; the ids are in: trainlog activities"),
        (["activity", "confirm", "x" * 5000, "-a", "mara"], "no activity 'xxxx"),
        (["activity", "exclude", "abc", "-a", "nobody"], "no data for athlete 'nobody'"),
        (["activity", "exclude", "abc", "-a", "../x"], "invalid athlete name"),
    ],
)
def test_the_command_line_says_what_is_wrong_in_one_line(mara, args, message):
    generation = mara.generation("mara")
    res = CliRunner().invoke(cli, [*args, "--data-dir", str(mara.data_dir)])
    assert res.exit_code == 1 and message in res.output, res.output
    assert len(res.output.strip().splitlines()) == 1 and "Traceback" not in res.output
    assert mara.generation("mara") == generation and not (mara.data_dir / "athletes" / "nobody").exists()


def test_an_unknown_action_is_a_usage_error(mara):
    res = _trainlog("activity", "delete", ids(mara)[0], "-a", "mara", data=mara.data_dir)
    assert res.returncode == 2 and "No such command 'delete'" in res.stderr and "Traceback" not in res.stderr


def test_the_help_says_exclusion_leaves_the_load_in():
    text = CliRunner().invoke(cli, ["activity", "--help"]).output
    assert "its load still counts" in text and "trainlog activity exclude" in text
    assert "its load still counts" in CliRunner().invoke(cli, ["activity", "exclude", "--help"]).output

"""``trainlog wellness add|show|import`` (trainlog.cli.wellness): what the athlete types, what the commands print, one
line and nothing written for a bad value."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from trainlog.analysis.stored import local_today, save_settings_of
from trainlog.cli import cli
from trainlog.settings import AthleteSettings, ModelSettings
from trainlog.store import Store
from trainlog.store import wellness as w


def run(store: Store, *args: str):
    return CliRunner().invoke(cli, ["wellness", *args, "--data-dir", str(store.data_dir)])


def ok(store: Store, *args: str) -> str:
    res = run(store, *args)
    assert res.exit_code == 0, res.output
    return res.output


def one_line_error(store: Store, *args: str) -> str:
    res = run(store, *args)
    assert res.exit_code != 0 and "Traceback" not in res.output, res.output
    lines = res.output.strip().splitlines()
    assert len(lines) == 1, res.output
    return lines[0]


def test_add_records_what_is_given_then_says_the_days_readiness(store):
    out = ok(store, "add", "-a", "mara", "--date", "2026-03-15", "--resting-hr", "48", "--hrv", "62",
             "--sleep", "5:30", "--sleep-quality", "2", "--weight", "71.5", "--soreness", "4", "--fatigue", "3",
             "--stress", "2", "--mood", "4", "--motivation", "5", "--ill", "--note", "sore throat")
    assert out.splitlines()[0] == ("mara 2026-03-15: recorded resting HR 48 bpm, HRV (rMSSD) 62 ms, sleep 5.5 h, "
                                   "sleep quality 2 (poor), weight 71.5 kg, soreness 4 (high), fatigue 3 (moderate), "
                                   "stress 2 (mild), mood 4 (good), motivation 5 (very high), ill or injured, "
                                   "note 'sore throat'")
    assert "(a new dataset for athlete mara" in out
    assert "Readiness 2026-03-15: flag; HRV: too few values in the last 7 days (1 of 3)" in out
    assert "  flag: You marked yourself ill or injured" in out and "  warn: You slept 5.5 h, under 6 h" in out
    day = w.daily(store, "mara").row(0, named=True)
    assert (day["sleep_h"], day["soreness"], day["illness"], day["note"]) == (5.5, 4, True, "sore throat")
    assert store.read("wellness", "mara")["source"].to_list() == ["cli"]

    out = ok(store, "add", "-a", "mara", "--date", "2026-03-15", "--resting-hr", "48", "--not-ill")
    assert out.startswith("mara 2026-03-15: recorded resting HR 48 bpm, not ill or injured")
    out = ok(store, "add", "-a", "mara", "--date", "2026-03-15", "--resting-hr", "48", "--soreness", "4")
    assert out.startswith("mara 2026-03-15: nothing changed (every value given is already recorded)")
    assert store.read("wellness", "mara").height == 2


def test_add_defaults_to_the_athletes_local_today(store):
    save_settings_of(store, "mara", AthleteSettings(timezone="Pacific/Kiritimati"))  # UTC+14
    ok(store, "add", "-a", "mara", "--soreness", "2")
    today = local_today(AthleteSettings(timezone="Pacific/Kiritimati"))
    assert w.daily(store, "mara")["date"].to_list() == [today]


@pytest.mark.parametrize(("args", "message"), [
    (("--resting-hr", "300"), "resting HR 300 is out of range 25..120 bpm"),
    (("--soreness", "4.5"), "soreness 4.5 is not a whole number from 1 (none) .. 5 (extreme)"),
    (("--mood", "0"), "mood 0 is out of range 1 (very poor) .. 5 (great)"),
    (("--sleep", "abc"), "--sleep 'abc' is not hours (7.5 or 7:30)"),
    (("--sleep", "25"), "sleep 25 is out of range 0..24 h"),
    (("--hrv", "nan"), "HRV (rMSSD) nan is out of range 5..300 ms"),
    (("--note", "a\x1b[2Jb"), "contains control characters"),
    (("--date", "2026-13-01", "--soreness", "2"), "--date '2026-13-01' is not a date (YYYY-MM-DD)"),
    (("--date", "1900-01-01", "--soreness", "2"), "--date 1900-01-01 is outside the supported range"),
    ((), "nothing to record: give at least one of --resting-hr, --hrv, --sleep"),
])
def test_a_bad_value_is_one_line_and_records_nothing(store, args, message):
    ok(store, "add", "-a", "mara", "--date", "2026-03-14", "--soreness", "1")
    generation = store.generation("mara")
    valid = ("--weight", "70") if args else ()  # a valid value beside the bad one is not recorded either
    line = one_line_error(store, "add", "-a", "mara", "--date", "2026-03-15", *valid, *args)
    assert message in line and "\x1b" not in line
    assert store.generation("mara") == generation


def test_show_lists_the_days_with_values_and_flags_and_json_rows(store):
    for date, extra in (("2026-03-01", ["--sleep", "8", "--soreness", "2"]),
                        ("2026-03-02", ["--sleep", "5.5", "--soreness", "4", "--note", "line one\nline two"])):
        ok(store, "add", "-a", "mara", "--date", date, "--resting-hr", "50", *extra)
    out = ok(store, "show", "-a", "mara")
    lines = out.splitlines()
    assert lines[0].split() == ["date", "rest", "HR", "HRV", "HRV", "7d", "normal", "sleep", "qual", "sore", "fatig",
                                "stress", "mood", "motiv", "ill", "readiness"]
    assert lines[1].split() == ["2026-03-01", "50", "-", "-", "-", "8.0", "-", "2", "-", "-", "-", "-", "-", "ok"]
    assert lines[2].split()[-3:] == ["warn:", "short_sleep,", "soreness_high"]
    assert "2026-03-02 note: line one\\x0aline two" in lines  # one line on the terminal
    assert "Readiness 2026-03-02: warn; HRV: too few values in the last 7 days (0 of 3)" in lines
    rows = json.loads(ok(store, "show", "-a", "mara", "--json", "--from", "2026-03-02", "--to", "2026-03-02"))
    assert len(rows) == 1 and rows[0]["date"] == "2026-03-02" and rows[0]["hrv_rmssd_ms"] is None
    assert rows[0]["flags"] == ["short_sleep", "soreness_high"] and rows[0]["level"] == "warn"
    assert rows[0]["note"] == "line one\nline two" and rows[0]["resting_hr_baseline_bpm"] is None
    assert json.loads(ok(store, "show", "-a", "mara", "--json", "--from", "2027-01-01")) == []
    assert "No wellness for athlete mara in that range" in ok(store, "show", "-a", "mara", "--to", "2025-01-01")
    line = one_line_error(store, "show", "-a", "mara", "--from", "2026-03-02", "--to", "2026-03-01")
    assert "--from 2026-03-02 is after --to 2026-03-01" in line
    assert "no data for athlete 'nobody'" in one_line_error(store, "show", "-a", "nobody")


def test_show_reads_the_athletes_model_settings(store):
    ok(store, "add", "-a", "mara", "--date", "2026-03-01", "--sleep", "6.5")
    assert json.loads(ok(store, "show", "-a", "mara", "--json"))[0]["short_sleep"] is False
    save_settings_of(store, "mara", AthleteSettings(model=ModelSettings(short_sleep_h=7.0)))
    assert json.loads(ok(store, "show", "-a", "mara", "--json"))[0]["short_sleep"] is True


ICU = ("date,restingHR,hrv,sleepSecs,soreness,mood,ctl\n"
       "2026-03-01,48,60,27000,3,1,50\n"
       "2026-03-02,47,61,,5,,51\n"
       "2026-03-03,,,,,,52\n")


def test_import_prints_what_it_did_and_again_changes_nothing(store, tmp_path):
    path = tmp_path / "icu.csv"
    path.write_text(ICU, encoding="utf-8")
    out = ok(store, "import", str(path), "-a", "mara")
    assert out.splitlines() == [
        f"{path}: 3 rows read (intervals.icu layout); 1 days with values: 1 recorded, 0 already recorded; "
        "1 rows without a value",
        "Columns not read: ctl",
        "Skipped 1 lines:",
        "  line 3: soreness '5' is not on intervals.icu's 1-4 scale (--layout plain reads ours, 1 (none) .. 5 (extreme))",
    ]
    day = w.daily(store, "mara").row(0, named=True)
    assert (day["sleep_h"], day["soreness"], day["mood"]) == (7.5, 4, 5)  # 27000 s; high -> 4; great -> 5
    report = json.loads(ok(store, "import", str(path), "-a", "mara", "--json", "--layout", "plain"))
    assert report["layout"] == "plain" and report["days"] == 2 and report["written"] == 2  # read as ours: new values
    assert report["skipped"] == [] and report["athlete"] == "mara"
    again = json.loads(ok(store, "import", str(path), "-a", "mara", "--json", "--layout", "plain"))
    assert (again["written"], again["unchanged"]) == (0, 2)


def test_import_of_a_file_that_is_not_a_wellness_csv_is_one_line(store, tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("name,price\napple,3\n", encoding="utf-8")
    assert "no wellness column in the header ('name', 'price')" in one_line_error(store, "import", str(path), "-a", "x")
    assert "cannot read the wellness file" in one_line_error(store, "import", str(tmp_path / "nope.csv"), "-a", "x")
    assert store.athletes() == []


def test_the_help_texts_have_examples():
    for args in ((), ("add",), ("show",), ("import",)):
        text = CliRunner().invoke(cli, ["wellness", *args, "--help"]).output
        assert "trainlog wellness" in text and "Example" in text, args
    assert "--resting-hr BPM" in CliRunner().invoke(cli, ["wellness", "add", "--help"]).output

"""The command line: athlete settings, summary and activities from the metrics library."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner

from corpus import SAMPLE_FIT
from trainlog import Store, import_paths
from trainlog.athlete import settings_of, summary_of
from trainlog.cli import cli

RACE_WEEK = sorted((SAMPLE_FIT / "mara").glob("2026-03-0*.fit")) + sorted((SAMPLE_FIT / "mara").glob("2026-03-1*.fit"))


@pytest.fixture(scope="module")
def mara(tmp_path_factory):
    """Mara's last two weeks, race included, in a fresh store."""
    store = Store(tmp_path_factory.mktemp("cli") / "data")
    report = import_paths(store, RACE_WEEK, "mara")
    assert report.ok and report.counts()["imported"] == len(RACE_WEEK)
    return store


def run(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    return result


def test_athlete_set_show_and_reset(tmp_path):
    data = tmp_path / "data"
    res = run("athlete", "set", "-a", "mara", "--data-dir", data, "--sex", "female", "--hr-max", "186",
              "--threshold-pace", "5:10", "--timezone", "America/New_York", "--goal-date", "2027-03-12")
    assert res.exit_code == 0, res.output
    settings = settings_of(Store(data), "mara")
    assert settings.sex == "female" and settings.hr_max_bpm == 186 and settings.threshold_pace_s_per_km == 310
    assert settings.goal.date == dt.date(2027, 3, 12) and settings.goal.ascent_m == 17698
    shown = json.loads(run("athlete", "show", "-a", "mara", "--data-dir", data, "--json").output)
    assert "hr_max_bpm" not in shown["defaults_in_use"] and "hr_rest_bpm" in shown["defaults_in_use"]
    run("athlete", "set", "-a", "mara", "--data-dir", data, "--reset", "hr_max_bpm", "--goal-ascent", "10000")
    settings = settings_of(Store(data), "mara")
    assert settings.hr_max_bpm is None and settings.sex == "female" and settings.goal.ascent_m == 10000


@pytest.mark.parametrize(
    "args, message",
    [
        (["--timezone", "Mars/Olympus"], "unknown time zone"),
        (["--hr-rest", "100", "--hr-max", "110", "--lthr", "90"], "rest < threshold"),
        (["--goal-date", "next spring"], "is not a date"),
        (["--threshold-pace", "fast"], "M:SS"),
        (["--reset", "wingspan"], "unknown setting"),
    ],
)
def test_athlete_set_rejects_bad_values_and_keeps_the_file(tmp_path, args, message):
    data = tmp_path / "data"
    run("athlete", "set", "-a", "mara", "--data-dir", data, "--hr-max", "186")
    before = Store(data).settings_path("mara").read_bytes()
    res = CliRunner().invoke(cli, ["athlete", "set", "-a", "mara", "--data-dir", str(data), *args])
    assert res.exit_code != 0 and message in res.output
    assert "Traceback" not in res.output
    assert Store(data).settings_path("mara").read_bytes() == before


def test_unreadable_settings_file_is_a_clear_error_and_left_alone(tmp_path):
    data = tmp_path / "data"
    path = Store(data).settings_path("mara")
    path.parent.mkdir(parents=True)
    path.write_text("{not json")
    res = CliRunner().invoke(cli, ["athlete", "set", "-a", "mara", "--data-dir", str(data), "--hr-max", "180"])
    assert res.exit_code == 1 and str(path) in res.output and "cannot read settings" in res.output
    assert path.read_text() == "{not json"


def test_summary_json_is_the_library_summary(mara):
    res = run("summary", "-a", "mara", "--data-dir", mara.data_dir, "--today", "2026-03-16", "--json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    expected = json.loads(json.dumps(summary_of(mara, "mara", dt.date(2026, 3, 16))))
    assert {k: doc[k] for k in expected} == expected
    assert doc["weeks"][-1]["week_start"] == "2026-03-09"
    assert doc["goal"]["biggest_activity_ascent_m"] > 15000  # the race file
    text = run("summary", "-a", "mara", "--data-dir", mara.data_dir, "--today", "2026-03-16").output
    assert "form (TSB)" in text and "ACWR" in text and "defaults in use" in text


def test_summary_long_after_the_last_activity_says_how_to_see_it(mara):
    later = run("summary", "-a", "mara", "--data-dir", mara.data_dir, "--today", "2026-04-01").output
    assert "the last activity is from 2026-03-13: to see that time, add --today 2026-03-13" in later
    soon = run("summary", "-a", "mara", "--data-dir", mara.data_dir, "--today", "2026-03-20").output
    assert "the last activity is from" not in soon  # 7 days: this week's figures still mean something
    doc = json.loads(run("summary", "-a", "mara", "--data-dir", mara.data_dir, "--today", "2026-04-01", "--json").output)
    assert doc["last_activity_date"] == "2026-03-13"


def test_summary_of_unknown_athlete_says_so(mara):
    res = CliRunner().invoke(cli, ["summary", "-a", "nobody", "--data-dir", str(mara.data_dir)])
    assert res.exit_code == 1 and "no data for athlete 'nobody'" in res.output


def test_activities_json_has_metrics(mara):
    rows = json.loads(run("activities", "-a", "mara", "--data-dir", mara.data_dir, "--json").output)
    assert len(rows) == len(RACE_WEEK)
    race = max(rows, key=lambda r: r["elapsed_s"])
    assert race["date_local"] == "2026-03-13" and race["sport"] == "running"
    assert race["elapsed_s"] > 55 * 3600 and race["ascent_m"] > 15000
    assert race["load_source"] == "hr" and race["load"] > 500
    assert {r["ascent_source"] for r in rows} <= {"device", "computed", "none"}


def test_sample_data_command_regenerates_identical_bytes(tmp_path):
    name = "mara/2025-09-16_0551_running.fit"
    res = CliRunner().invoke(cli, ["sample-data", "--out", str(tmp_path), "--only", name])
    assert res.exit_code == 0, res.output
    assert (tmp_path / name).read_bytes() == (SAMPLE_FIT / name).read_bytes()

"""One validation of athlete settings (issue #10, item 6): the rules of trainlog.settings.RANGES
and the consistency checks, met the way people meet them: the library, ``trainlog athlete set``
and ``summary`` in a subprocess, a hand-edited settings.json, and the dashboard's Settings page
callback called directly.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
import os
import re
import resource
import subprocess
import sys
from pathlib import Path

import dash
import pytest
from builders import ROOT, SAMPLE_FIT

from dashboards import units as u
from trainlog import Store, import_paths
from trainlog.errors import SettingsError
from trainlog.settings import (
    RANGES,
    AthleteSettings,
    Goal,
    ModelSettings,
    load_settings,
    parse_number,
    parse_pace,
    save_settings,
)

ONE_FILE = SAMPLE_FIT / "mara" / "2025-09-16_0551_running.fit"


def run_cli(*args, data: Path, limit_file_bytes: int | None = None) -> subprocess.CompletedProcess:
    """``python -m trainlog ARGS --data-dir DATA`` in a subprocess (optionally with a file-size limit:
    writes beyond it fail with EFBIG, as on a full disk)."""

    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_file_bytes, limit_file_bytes))

    return subprocess.run(
        [sys.executable, "-m", "trainlog", *map(str, args), "--data-dir", str(data)],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        preexec_fn=limit if limit_file_bytes is not None else None,
    )


def assert_one_line(res: subprocess.CompletedProcess, *needles: str) -> str:
    """The command failed with one line on stderr holding every needle, and no traceback."""
    assert res.returncode != 0, res.stdout
    assert "Traceback" not in res.stderr, res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def settings_with(name: str, value) -> dict:
    """A settings document (as in settings.json) with the setting ``name`` of RANGES set to ``value``."""
    if name.startswith("goal."):
        return {"goal": {name[5:]: value}}
    if name.startswith("model."):
        return {"model": {name[6:]: value}}
    return {name: value}


# --------------------------------------------------------------------------- the table


def numeric_fields(cls, prefix: str) -> set[str]:
    return {prefix + f.name for f in dataclasses.fields(cls)
            if f.name != "thresholds"  # dated changes, each field checked against its own range (settings.history)
            and ((f.type.split("[")[0].split(" ")[0] in ("float", "int", "tuple") and "str" not in f.type)
                 or f.type == "dict[str, float]")}


def test_every_numeric_setting_has_exactly_one_range():
    fields = (numeric_fields(AthleteSettings, "") | numeric_fields(Goal, "goal.")
              | numeric_fields(ModelSettings, "model."))
    assert set(RANGES) == fields
    for name, rule in RANGES.items():
        assert rule.low < rule.high and rule.help, name
        assert math.isfinite(rule.low) and math.isfinite(rule.high), name


def test_the_readme_quotes_the_table():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name, rule in RANGES.items():
        whole = ", whole numbers" if rule.integer else ""
        assert f"| `{name}` | {rule.text()}{whole} | {rule.help} |" in readme, name


def test_the_defaults_are_within_the_ranges():
    defaults = AthleteSettings().to_dict()
    for name, rule in RANGES.items():
        section, _, key = name.rpartition(".")
        value = (defaults[section] if section else defaults)[key]
        for v in value if isinstance(value, list) else value.values() if isinstance(value, dict) else [value]:
            assert v is None or rule.low <= v <= rule.high, (name, v)


@pytest.mark.parametrize("name", sorted(RANGES))
def test_every_setting_refuses_values_outside_its_range(name):
    rule = RANGES[name]
    default = AthleteSettings().to_dict()
    section, _, key = name.rpartition(".")
    current = (default[section] if section else default)[key]
    below = rule.low - max(1.0, abs(rule.low))
    above = rule.high + max(1.0, abs(rule.high))
    for bad, message in ((below, "out of range"), (above, "out of range"), (math.inf, "not a finite number"),
                         (-math.inf, "not a finite number"), (math.nan, "not a finite number"),
                         ("12", "not a number"), (True, "not a number"), (10**400, "out of range")):
        value = [bad, *current[1:]] if isinstance(current, list) else {"running": bad} if isinstance(current, dict) else bad
        with pytest.raises(SettingsError) as err:
            AthleteSettings.from_dict(settings_with(name, value))
        text = str(err.value)
        assert name in text and message in text and rule.text() in text, text
        assert "\n" not in text


def test_the_error_names_the_setting_the_value_and_the_range():
    with pytest.raises(SettingsError) as err:
        AthleteSettings(threshold_pace_s_per_km=60.0)
    assert str(err.value) == "threshold_pace_s_per_km 60 is out of range 120..900 s/km (2:00-15:00 /km)"
    with pytest.raises(SettingsError, match=r"^goal\.distance_m 20,000,000 is out of range 0\.\.10,000,000 m"):
        Goal(distance_m=2e7)


# --------------------------------------------------------------------------- rules by hand


@pytest.mark.parametrize(
    ("make", "message"),
    [
        # the examples
        (lambda: AthleteSettings(hr_rest_bpm=-5.0), "hr_rest_bpm -5 is out of range 25..120 bpm"),
        (lambda: AthleteSettings(hr_max_bpm=math.inf), "hr_max_bpm inf is not a finite number"),
        (lambda: AthleteSettings(threshold_pace_s_per_km=0.0), "threshold_pace_s_per_km 0 is out of range"),
        (lambda: AthleteSettings(threshold_pace_s_per_km=-270.0), "threshold_pace_s_per_km -270 is out of range"),
        (lambda: Goal(time_limit_h=0.0), "goal.time_limit_h 0 is out of range 0.5..1,000 h"),
        (lambda: Goal(time_limit_h=-5.0), "goal.time_limit_h -5 is out of range"),
        (lambda: ModelSettings(ctl_days=0.0), "model.ctl_days 0 is out of range 1..365 days"),
        # heart rates: rest < threshold <= max, with the defaults filled in
        (lambda: AthleteSettings(hr_rest_bpm=100.0, hr_max_bpm=110.0, lthr_bpm=90.0), "rest < threshold <= max"),
        (lambda: AthleteSettings(hr_max_bpm=150.0, lthr_bpm=170.0), "rest < threshold <= max"),
        (lambda: AthleteSettings(hr_rest_bpm=110.0, hr_max_bpm=120.0), "rest < threshold <= max"),  # 0.88 x 120
        # the goal
        (lambda: Goal(loops=0), "goal.loops 0 is out of range 1..100"),
        (lambda: Goal(loops=2.5), "goal.loops 2.5 is not a whole number"),
        (lambda: Goal(ascent_m=-1.0), "goal.ascent_m -1 is out of range"),
        (lambda: Goal(name=""), "goal.name must not be empty"),
        (lambda: Goal(name="Barkley\nMarathons"), "goal.name 'Barkley\\nMarathons' contains control characters"),
        (lambda: Goal(name="\x1b]0;pwned\x07"), "contains control characters"),
        (lambda: Goal(name="x" * 101), "longer than 100 characters"),
        (lambda: Goal(name=42), "goal.name 42 is not text"),
        (lambda: Goal(date=dt.date(1, 1, 1)), "goal.date 0001-01-01 is outside the supported range"),
        (lambda: Goal(date="2027-03-12"), "goal.date '2027-03-12' is not a date"),
        # the model: time constants, windows, fractions, consistency, bands
        (lambda: ModelSettings(atl_days=0.5), "model.atl_days 0.5 is out of range"),
        (lambda: ModelSettings(atl_days=42.0), "model.atl_days 42 must be below model.ctl_days 42"),
        (lambda: ModelSettings(acwr_acute_days=28.0), "must be below model.acwr_chronic_days"),
        (lambda: ModelSettings(ramp_days=0), "model.ramp_days 0 is out of range 1..365 days"),
        (lambda: ModelSettings(ramp_days=7.5), "model.ramp_days 7.5 is not a whole number"),
        (lambda: ModelSettings(monotony_days=1), "model.monotony_days 1 is out of range 2..365"),
        (lambda: ModelSettings(best_window_days=0), "model.best_window_days 0 is out of range"),
        (lambda: ModelSettings(trend_weeks=1), "model.trend_weeks 1 is out of range"),
        (lambda: ModelSettings(ramp_cap=0.0), "model.ramp_cap 0 is out of range 0.01..1"),
        (lambda: ModelSettings(hr_coverage_min=1.5), "model.hr_coverage_min 1.5 is out of range 0.01..1"),
        (lambda: ModelSettings(lthr_factor=1.2), "model.lthr_factor 1.2 is out of range"),
        (lambda: ModelSettings(km_effort_ascent_m_per_km=0.0), "model.km_effort_ascent_m_per_km 0 is out of range"),
        (lambda: ModelSettings(hr_load_reference_min=0.0), "model.hr_load_reference_min 0 is out of range"),
        (lambda: ModelSettings(monotony_warn=2.5), "warn <= flag <= cap"),
        (lambda: ModelSettings(monotony_cap=1.5), "warn <= flag <= cap"),
        (lambda: ModelSettings(form_band_edges=(5.0, -5.0, 10.0, 20.0)), "edges must ascend"),
        (lambda: ModelSettings(form_band_edges=(-30.0, -10.0, -10.0, 25.0)), "edges must ascend"),
        (lambda: ModelSettings(form_band_edges=(-30.0, -10.0, 5.0)), "one more label than edges"),
        (lambda: ModelSettings(acwr_band_edges=()), "is not a list of 1 to 20 numbers"),
        (lambda: ModelSettings(acwr_band_edges=(0.8, 1.3, math.nan)), "model.acwr_band_edges[2] nan is not a finite"),
        (lambda: ModelSettings(form_band_labels=("a", "b", "c", "d", "e\nf")), "form_band_labels[4]"),
        (lambda: ModelSettings(minetti_coefficients=(155.4, -30.4, -43.3, 46.3, 19.5, 0.0)), "flat cost"),
        # the athlete
        (lambda: AthleteSettings(sex="robot"), "sex must be one of"),
        (lambda: AthleteSettings(timezone="Europe"), "unknown time zone 'Europe'"),  # a folder of tzdata
        (lambda: AthleteSettings(timezone="../../etc/passwd"), "unknown time zone"),
        (lambda: AthleteSettings(timezone="Europe/Paris\x00"), "unknown time zone"),
        (lambda: AthleteSettings(timezone=""), "unknown time zone"),
        (lambda: AthleteSettings(timezone=5), "unknown time zone"),
    ],
)
def test_each_rule(make, message):
    with pytest.raises(SettingsError) as err:
        make()
    assert message in str(err.value) and "\n" not in str(err.value), str(err.value)


def test_values_on_the_edges_are_accepted_and_whole_numbers_become_int():
    s = AthleteSettings(hr_max_bpm=250.0, hr_rest_bpm=25.0, lthr_bpm=240.0, threshold_pace_s_per_km=900.0,
                        goal=Goal(ascent_m=0.0, distance_m=0.0, time_limit_h=0.5, loops=100.0))
    assert s.goal.loops == 100 and isinstance(s.goal.loops, int)
    assert AthleteSettings(hr_rest_bpm=99.0, hr_max_bpm=120.0, lthr_bpm=100.0).resolve().lthr_bpm == 100.0
    assert ModelSettings(ramp_days=14.0, atl_days=1.0).ramp_days == 14
    assert dataclasses.replace(Goal(), loops=3).loop_ascent_m == pytest.approx(17698 / 3)
    with pytest.raises(SettingsError, match="goal.loops 0"):
        dataclasses.replace(Goal(), loops=0)  # replace builds anew, so it is checked too


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("4:30", 270.0), ("270", 270.0), (" 4:30 ", 270.0), ("4:30.5", 270.5), ("15:00", 900.0), ("0:59", 59.0),
     ("", None), ("   ", None), (None, None)],
)
def test_parse_pace_reads_m_ss_and_seconds(text, seconds):
    assert parse_pace(text) == seconds


@pytest.mark.parametrize(
    ("text", "message"),
    [("0:00", "threshold_pace_s_per_km 0 is out of range 120..900 s/km (2:00-15:00 /km)"), ("0", "0 is out of range"),
     ("-4:30", "is not a pace"), ("-270", "is not a pace"), ("4:60", "is not a pace"), ("4:5", "is not a pace"),
     ("fast", "M:SS"), ("inf", "is not a pace"), ("nan", "is not a pace"), ("1e3", "is not a pace"),
     ("4:30:00", "is not a pace"), ("4:30\x1b[2J", "is not a pace")],
)
def test_parse_pace_refuses(text, message):
    with pytest.raises(SettingsError) as err:
        parse_pace(text)
    assert message in str(err.value) and "\x1b" not in str(err.value)


def test_parse_number():
    assert parse_number("186", "hr_max_bpm") == 186.0 and parse_number(" 1.5 ", "x") == 1.5
    assert parse_number(186, "hr_max_bpm") == 186.0 and parse_number("", "x") is None
    for bad in ("abc", "1,5", "1 5", [1], True):
        with pytest.raises(SettingsError, match="is not a number"):
            parse_number(bad, "hr_max_bpm")


# --------------------------------------------------------------------------- the settings file


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"model": {"ctl_days": 0}}', "model.ctl_days 0 is out of range 1..365 days"),
        ('{"model": {"ctl_days": "42"}}', "model.ctl_days '42' is not a number"),
        ('{"model": {"form_band_edges": 5}}', "is not a list of 1 to 20 numbers"),
        ('{"model": {"form_band_labels": "abcde"}}', "is not a list of labels"),
        ('{"model": 7}', "goal and model must be JSON objects"),
        ('{"threshold_pace_s_per_km": 0}', "threshold_pace_s_per_km 0 is out of range"),
        ('{"goal": {"time_limit_h": 0}}', "goal.time_limit_h 0 is out of range"),
        ('{"hr_max_bpm": Infinity}', "hr_max_bpm inf is not a finite number"),
        ('{"hr_max_bpm": NaN}', "hr_max_bpm nan is not a finite number"),
        ('{"hr_max_bpm": 1e999}', "hr_max_bpm inf is not a finite number"),
        ('{"hr_max_bpm": 1' + "0" * 500 + "}", "is out of range"),
        ('{"hr_max_bpm": 1' + "0" * 5000 + "}", "cannot read settings"),  # past Python's digit limit
        ('{"goal": {"date": "0001-01-01"}}', "goal.date 0001-01-01 is outside the supported range"),
        ('{"goal": {"date": 20270312}}', "goal.date 20270312 is not a date"),
        ('{"goal": {"loops": 2.5}}', "goal.loops 2.5 is not a whole number"),
        ('{"timezone": "Europe"}', "unknown time zone"),
        ("[" * 100_000, "cannot read settings"),
    ],
)
def test_a_hand_edited_file_fails_at_load_naming_the_file(tmp_path, text, message):
    path = tmp_path / "settings.json"
    path.write_text(text)
    with pytest.raises(SettingsError) as err:
        load_settings(path)
    assert str(err.value).startswith(f"{path}: ") and message in str(err.value), str(err.value)
    assert "\n" not in str(err.value)


def test_a_settings_file_that_is_a_folder_is_a_clear_error(tmp_path):
    (tmp_path / "settings.json").mkdir()
    with pytest.raises(SettingsError, match="cannot read settings"):
        load_settings(tmp_path / "settings.json")


def test_a_failed_save_names_the_path_and_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "mara" / "settings.json"
    save_settings(path, AthleteSettings(hr_max_bpm=186.0))
    before = path.read_bytes()

    def refuse(*args):
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(SettingsError, match=re.escape(f"{path}: cannot save settings: Read-only file system")):
        save_settings(path, AthleteSettings(hr_max_bpm=180.0))
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["settings.json"]  # no temporary file left


def test_saving_where_a_folder_cannot_be_made_is_a_clear_error(tmp_path):
    (tmp_path / "athletes").write_text("a file where the folder should be")
    path = tmp_path / "athletes" / "mara" / "settings.json"
    with pytest.raises(SettingsError, match=re.escape(f"{path}: cannot ") + "(read|save) settings: Not a directory$"):
        save_settings(path, AthleteSettings())


def test_a_full_disk_when_creating_the_temporary_file_is_a_clear_error(tmp_path, monkeypatch):
    from trainlog import atomic

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.os, "open", full)  # the temporary file is made with os.open
    path = tmp_path / "settings.json"
    with pytest.raises(SettingsError, match=re.escape(f"{path}: cannot save settings: No space left on device")):
        save_settings(path, AthleteSettings())
    assert not path.exists()


# --------------------------------------------------------------------------- the CLI, in a subprocess


@pytest.fixture(scope="module")
def with_data(tmp_path_factory) -> Path:
    """A data directory with one of Mara's activities and her settings file."""
    data = tmp_path_factory.mktemp("rules") / "data"
    store = Store(data)
    assert import_paths(store, [ONE_FILE], "mara", workers=1).counts()["imported"] == 1
    save_settings(store.settings_path("mara"), AthleteSettings(hr_max_bpm=186.0, hr_rest_bpm=46.0))
    return data


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--hr-rest", "-5"], "hr_rest_bpm -5 is out of range 25..120 bpm"),
        (["--hr-max", "inf"], "hr_max_bpm inf is not a finite number"),
        (["--hr-max", "nan"], "hr_max_bpm nan is not a finite number"),
        (["--lthr", "300"], "lthr_bpm 300 is out of range 80..240 bpm"),
        (["--lthr", "190"], "rest < threshold <= max"),
        (["--threshold-pace", "0:00"], "threshold_pace_s_per_km 0 is out of range 120..900 s/km (2:00-15:00 /km)"),
        (["--threshold-pace", "-4:30"], "is not a pace"),
        (["--threshold-pace", "4:75"], "is not a pace"),
        (["--goal-time-limit", "0"], "goal.time_limit_h 0 is out of range 0.5..1,000 h"),
        (["--goal-loops", "0"], "goal.loops 0 is out of range 1..100"),
        (["--goal-distance", "-1"], "goal.distance_m -1,000 is out of range"),
        (["--goal-date", "garbage"], "--goal-date 'garbage' is not a date"),
        (["--goal-date", "0001-01-01"], "outside the supported range"),
        (["--goal-name", "Barkley\x1b]0;pwned\x07"], "contains control characters"),
        (["--timezone", "Europe"], "unknown time zone 'Europe'"),
    ],
)
def test_athlete_set_refuses_in_one_line_and_keeps_the_file(with_data, args, message):
    path = Store(with_data).settings_path("mara")
    before = path.read_bytes()
    res = run_cli("athlete", "set", "-a", "mara", *args, data=with_data)
    assert_one_line(res, message)
    assert "\x1b" not in res.stderr and "\x07" not in res.stderr
    assert path.read_bytes() == before


def test_athlete_set_help_quotes_the_ranges(with_data):
    res = run_cli("athlete", "set", "--help", data=with_data)
    text = " ".join(res.stdout.split())
    assert "(100..250 bpm)" in text and "(2:00-15:00 /km)" in text and "(0.5..1,000 h)" in text


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"model": {"ctl_days": 0}}, "model.ctl_days 0 is out of range 1..365 days"),
        ({"threshold_pace_s_per_km": 0}, "threshold_pace_s_per_km 0 is out of range"),
        ({"goal": {"time_limit_h": 0}}, "goal.time_limit_h 0 is out of range"),
    ],
)
def test_commands_on_a_hand_edited_bad_file_print_one_line_naming_it(with_data, tmp_path, doc, message):
    import shutil

    data = tmp_path / "data"
    shutil.copytree(with_data, data)
    path = Store(data).settings_path("mara")
    path.write_text(json.dumps(doc))
    for command in (["summary", "-a", "mara"], ["activities", "-a", "mara"], ["athlete", "show", "-a", "mara"],
                    ["athlete", "set", "-a", "mara", "--hr-max", "180"]):
        res = run_cli(*command, data=data)
        assert_one_line(res, str(path), message)
    assert json.loads(path.read_text()) == doc  # never overwritten


def test_a_full_disk_while_saving_is_one_line_and_the_old_file_stays(with_data, tmp_path):
    import shutil

    data = tmp_path / "data"
    shutil.copytree(with_data, data)
    path = Store(data).settings_path("mara")
    before = path.read_bytes()
    res = run_cli("athlete", "set", "-a", "mara", "--hr-max", "180", data=data, limit_file_bytes=256)
    assert_one_line(res, f"{path}: cannot save settings: File too large")
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir() if p.name.startswith(".settings")) == []
    ok = run_cli("athlete", "set", "-a", "mara", "--hr-max", "180", data=data)  # and the next run works
    assert ok.returncode == 0, ok.stderr
    assert load_settings(path).hr_max_bpm == 180.0


# --------------------------------------------------------------------------- the Settings page callback


@pytest.fixture
def settings_page(dash_app):
    from dashboards.pages import settings

    return settings


def submit(page, values: dict, units: str = "metric"):
    form = dict.fromkeys(page.FIELDS)
    form.update(values)
    return page.save(1, "mara", units, *form.values())


@pytest.mark.parametrize(
    ("values", "units", "message"),
    [
        ({"hr_rest": -5}, "metric", "Resting heart rate -5 is out of range 25–120 bpm"),
        ({"hr_max": "inf"}, "metric", "Max heart rate inf is out of range 100–250 bpm"),
        ({"hr_max": "1e999"}, "metric", "Max heart rate 1e999 is out of range 100–250 bpm"),
        ({"hr_max": "abc"}, "metric", "Max heart rate abc is not a number; allowed: 100–250 bpm"),
        ({"lthr": 300}, "metric", "Threshold heart rate 300 is out of range 80–240 bpm"),
        ({"pace": "0:00"}, "metric", "Threshold pace on the flat 0:00 is not a pace"),
        ({"pace": "1:30"}, "metric", "Threshold pace on the flat 1:30 is out of range 2:00–15:00 min:s per km"),
        ({"pace": "2:30"}, "imperial", "Threshold pace on the flat 2:30 is out of range 3:13–24:08 min:s per mi"),
        ({"goal_hours": -3}, "metric", "Time limit -3 is out of range 0.5–1,000 h"),
        ({"goal_hours": 0}, "metric", "Time limit 0 is out of range 0.5–1,000 h"),
        ({"goal_loops": "2.5"}, "metric", "Loops 2.5 is out of range 1–100, whole numbers"),
        ({"goal_ascent": 400000}, "imperial", "Ascent 400000 is out of range 0–328,084 ft"),
        ({"goal_distance": -1}, "metric", "Distance -1 is out of range 0–10,000 km"),
        ({"goal_date": "garbage"}, "metric", "Goal date 'garbage' is not a date"),
        ({"goal_date": "0001-01-01"}, "metric", "Goal date 0001-01-01 is outside the supported range"),
        ({"goal_name": "Barkley\nMarathons"}, "metric", "contains control characters"),
        ({"timezone": "Europe"}, "metric", "unknown time zone 'Europe'"),
        ({"sex": "robot"}, "metric", "sex must be one of"),
        ({"hr_max": 150, "lthr": 170}, "metric", "rest < threshold <= max"),
    ],
)
def test_the_settings_page_refuses_with_a_message_and_saves_nothing(writable_source, settings_page, values,
                                                                     units, message):
    path = writable_source.store.settings_path("mara")
    before = path.read_bytes()
    text, css = submit(settings_page, values, units)
    assert css == "message error" and text.startswith("Not saved: ") and message in text, text
    assert path.read_bytes() == before


def test_the_settings_page_keeps_a_date_and_clears_it_only_when_emptied(writable_source, settings_page):
    path = writable_source.store.settings_path("mara")
    date = load_settings(path).goal.date
    assert date is not None
    shown = settings_page.form_values(load_settings(path), u.METRIC)
    text, css = submit(settings_page, {**shown, "goal_date": "2027-03-12T00:00:00"})
    assert css == "message ok", text
    assert load_settings(path).goal.date == dt.date(2027, 3, 12)
    text, css = submit(settings_page, {**shown, "goal_date": None})  # the picker's clear button
    assert css == "message ok", text
    assert load_settings(path).goal.date is None


def test_the_settings_page_reads_numbers_typed_as_text(writable_source, settings_page):
    text, css = submit(settings_page, {"hr_max": "185", "hr_rest": " 45 ", "lthr": "168", "pace": "270",
                                       "goal_hours": "46.5", "goal_loops": "3"})
    assert css == "message ok", text
    saved = load_settings(writable_source.store.settings_path("mara"))
    assert (saved.hr_max_bpm, saved.hr_rest_bpm, saved.lthr_bpm, saved.threshold_pace_s_per_km) == (
        185.0, 45.0, 168.0, 270.0)
    assert (saved.goal.time_limit_h, saved.goal.loops) == (46.5, 3)


def labels(component) -> list[str]:
    """The text of every label in a layout tree."""
    found = []
    children = getattr(component, "children", None)
    if type(component).__name__ == "Label" and isinstance(children, list) and isinstance(children[0], str):
        found.append(children[0])
    for child in children if isinstance(children, (list, tuple)) else [children] if children is not None else []:
        found.extend(labels(child))
    return found


def test_the_settings_page_shows_the_ranges_in_its_units(writable_source, settings_page):
    metric = labels(settings_page.layout(athlete="mara"))
    assert {"Max heart rate (bpm, 100–250)", "Threshold pace on the flat (min:s per km, 2:00–15:00)",
            "Ascent (m, 0–100,000)", "Distance (km, 0–10,000)", "Time limit (h, 0.5–1,000)",
            "Loops (1–100)"} <= set(metric), metric
    imperial = labels(settings_page.layout(athlete="mara", units="imperial"))
    assert {"Threshold pace on the flat (min:s per mi, 3:13–24:08)", "Ascent (ft, 0–328,084)",
            "Distance (mi, 0–6,214)"} <= set(imperial), imperial


def test_the_settings_page_on_a_bad_file_says_so_and_leaves_it(writable_source, settings_page):
    path = writable_source.store.settings_path("mara")
    path.write_text('{"model": {"ctl_days": 0}}')
    with pytest.raises(SettingsError, match="model.ctl_days 0 is out of range"):
        writable_source.settings("mara")  # what the pages meet (they show it as a message)
    text, css = submit(settings_page, {"hr_max": 180})
    assert css == "message error" and str(path) in text and "model.ctl_days 0 is out of range" in text
    assert path.read_text() == '{"model": {"ctl_days": 0}}'


# --------------------------------------------------------------------------- the Settings page's thresholds over time


@pytest.fixture
def thresholds_form(dash_app):
    from dashboards.pages import _thresholds

    return _thresholds


def add_change(module, values: dict, units: str = "metric"):
    form = dict.fromkeys(module.FORM, "")
    form.update(values)
    return module.add_change("mara", units, form)


@pytest.mark.parametrize(
    ("values", "units", "message"),
    [
        ({"lthr": "170"}, "metric", "give the first day the change holds from"),
        ({"from": "garbage", "lthr": "170"}, "metric", "From date 'garbage' is not a date (YYYY-MM-DD)"),
        ({"from": "0001-01-01", "lthr": "170"}, "metric", "From date 0001-01-01 is outside the supported range"),
        ({"from": "2026-03-01"}, "metric", "type at least one value to change from 2026-03-01"),
        ({"from": "2026-03-01", "lthr": "abc"}, "metric", "Threshold heart rate abc is not a number; allowed: 80–240 bpm"),
        ({"from": "2026-03-01", "hr_max": "inf"}, "metric", "Max heart rate inf is out of range 100–250 bpm"),
        ({"from": "2026-03-01", "ftp": "5000"}, "metric", "FTP 5000 is out of range 30–700 W"),
        ({"from": "2026-03-01", "weight": "-3"}, "metric", "Body weight -3 is out of range 25–250 kg"),
        ({"from": "2026-03-01", "pace": "1:30"}, "metric",
         "Threshold pace on the flat 1:30 is out of range 2:00–15:00 min:s per km"),
        ({"from": "2026-03-01", "pace": "2:30"}, "imperial",
         "Threshold pace on the flat 2:30 is out of range 3:13–24:08 min:s per mi"),
        ({"from": "2026-03-01", "lthr": "190"}, "metric",
         "rest < threshold <= max, got rest 46, threshold 190, max 186 bpm from 2026-03-01"),
        ({"from": "2026-03-01", "hr_rest": "100", "lthr": "95"}, "metric",
         "rest < threshold <= max, got rest 100, threshold 95, max 186 bpm from 2026-03-01"),
    ],
)
def test_a_threshold_change_is_refused_with_one_line_and_nothing_saved(writable_source, thresholds_form, values,
                                                                        units, message):
    path = writable_source.store.settings_path("mara")
    before = path.read_bytes()
    _, text, css, *fields = add_change(thresholds_form, values, units)
    assert css == "message error" and text.startswith("Not saved: ") and message in text, text
    assert "\n" not in text and "Traceback" not in text
    assert path.read_bytes() == before
    assert all(f is dash.no_update for f in fields)  # what was typed stays, to be mended


def test_a_threshold_change_on_a_bad_settings_file_says_so_and_leaves_it(writable_source, thresholds_form):
    path = writable_source.store.settings_path("mara")
    path.write_text('{"model": {"ctl_days": 0}}')
    table, text, css, *_ = add_change(thresholds_form, {"from": "2026-03-01", "lthr": "170"})
    assert css == "message error" and "model.ctl_days 0 is out of range" in text and table is dash.no_update
    _, text, css, *_ = thresholds_form.remove_change("mara", "metric", "2026-03-01")
    assert css == "message error" and text.startswith("Not removed: ") and "model.ctl_days 0" in text
    assert path.read_text() == '{"model": {"ctl_days": 0}}'

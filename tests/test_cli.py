"""The command line: athlete settings, summary and activities from the metrics library."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

import pytest
from builders import ROOT, SAMPLE_FIT
from click.testing import CliRunner

from trainlog import Store, import_paths
from trainlog.analysis.pipeline import summary_of_analysis
from trainlog.analysis.stored import save_settings_of, settings_of, stored_analysis
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
    library = summary_of_analysis(stored_analysis(mara, "mara"), settings_of(mara, "mara"), dt.date(2026, 3, 16))
    expected = json.loads(json.dumps(library))
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


def test_summary_text_while_building_history_and_after(mara, tmp_path):
    text = run("summary", "-a", "mara", "--data-dir", mara.data_dir, "--today", "2026-03-16").output
    # Mara's first activity here is on 2026-03-01: 2026-03-16 is day 16 of the cold start
    form, acwr, monotony = (next(line for line in text.splitlines() if line.startswith(p))
                            for p in ("form (TSB)", "ACWR", "monotony"))
    for line in (form, acwr, monotony):
        assert "building history (16 of 42 days)" in line, line
    assert "--start-ctl" in text
    doc = json.loads(run("summary", "-a", "mara", "--data-dir", mara.data_dir, "--today", "2026-03-16", "--json").output)
    assert doc["form"]["building_history"] is True and doc["form"]["history_day"] == 16
    assert doc["form"]["band"] is None and doc["acwr"]["band"] is None and doc["monotony"]["band"] is None
    later = run("summary", "-a", "mara", "--data-dir", mara.data_dir, "--today", "2026-04-12").output  # day 43
    assert "building history" not in later
    doc = json.loads(run("summary", "-a", "mara", "--data-dir", mara.data_dir, "--today", "2026-04-12", "--json").output)
    assert doc["form"]["building_history"] is False and doc["form"]["band"] is not None


def test_a_starting_fitness_set_on_the_command_line_gives_bands_at_once(mara, tmp_path):
    import shutil

    data = tmp_path / "data"
    shutil.copytree(mara.data_dir, data)
    res = run("athlete", "set", "-a", "mara", "--data-dir", data, "--start-ctl", "60", "--start-atl", "55")
    assert res.exit_code == 0, res.output
    doc = json.loads(run("summary", "-a", "mara", "--data-dir", data, "--today", "2026-03-16", "--json").output)
    assert doc["form"]["building_history"] is False and doc["form"]["band"] is not None
    assert "building history" not in run("summary", "-a", "mara", "--data-dir", data, "--today", "2026-03-16").output


def test_athlete_show_has_every_model_constant_and_the_new_values(tmp_path):
    import dataclasses

    from trainlog.settings import ModelSettings

    data = tmp_path / "data"
    res = run("athlete", "set", "-a", "mara", "--data-dir", data, "--ftp", "250", "--start-ctl", "55.5",
              "--start-atl", "50")
    assert res.exit_code == 0, res.output
    settings = settings_of(Store(data), "mara")
    assert (settings.ftp_w, settings.start_ctl, settings.start_atl) == (250, 55.5, 50)
    # a model constant changed in settings.json (the dashboard's or a hand edit) is marked
    save_settings_of(Store(data), "mara", dataclasses.replace(
        settings, model=dataclasses.replace(settings.model, history_days=28, form_band_edges=(-40.0, -10.0, 5.0, 25.0))))
    lines = run("athlete", "show", "-a", "mara", "--data-dir", data).output.splitlines()
    header = next(i for i, x in enumerate(lines) if x.strip().startswith("model (every constant"))

    def line(name: str, model: bool = True) -> str:
        found = [x for x in (lines[header:] if model else lines[:header])
                 if x.split()[:1] == [name] or x.split()[:2] == ["*", name]]
        assert len(found) == 1, name
        return found[0]

    assert line("ftp_w", False).split()[1] == "250" and line("start_ctl", False).split()[1] == "55.5"
    assert line("start_atl", False).split()[1] == "50"
    for field in dataclasses.fields(ModelSettings):  # every constant, marked when it is not the default
        shown = line(field.name)
        assert shown.lstrip().startswith("*") == (field.name in ("history_days", "form_band_edges")), shown
    assert line("history_days").split() == ["*", "history_days", "28", "(default", "42)"]
    assert "-40, -10, 5, 25   (default -30, -10, 5, 25)" in line("form_band_edges")
    assert line("ctl_days").split()[1] == "42" and line("foot_sports").split()[1:] == [
        "running,", "walking,", "hiking,", "mountaineering"]
    shown = json.loads(run("athlete", "show", "-a", "mara", "--data-dir", data, "--json").output)
    assert shown["ftp_w"] == 250 and shown["model"]["history_days"] == 28
    # --reset takes the new values back to "not set"
    run("athlete", "set", "-a", "mara", "--data-dir", data, "--reset", "ftp_w", "--reset", "start_ctl",
        "--reset", "start_atl")
    settings = settings_of(Store(data), "mara")
    assert (settings.ftp_w, settings.start_ctl, settings.start_atl) == (None, None, None)
    text = run("athlete", "show", "-a", "mara", "--data-dir", data).output
    assert "not set (no power load)" in text and "the first 28 days build history" in text


@pytest.mark.parametrize(
    "args, message",
    [
        (["--ftp", "20"], "ftp_w 20 is out of range 30..700 W"),
        (["--start-ctl", "-1"], "start_ctl -1 is out of range 0..300"),
        (["--start-atl", "301"], "start_atl 301 is out of range 0..300"),
        (["--start-atl", "lots"], "'lots' is not a valid float"),
    ],
)
def test_athlete_set_refuses_out_of_range_power_and_starting_values(tmp_path, args, message):
    data = tmp_path / "data"
    res = CliRunner().invoke(cli, ["athlete", "set", "-a", "mara", "--data-dir", str(data), *args])
    assert res.exit_code != 0 and message in res.output and "Traceback" not in res.output
    assert not Store(data).settings_path("mara").exists()


def test_athlete_set_help_quotes_the_ranges():
    text = CliRunner().invoke(cli, ["athlete", "set", "--help"]).output
    assert "--ftp" in text and "(30..700 W)" in text and "--start-ctl" in text and "(0..300 load/day)" in text


# --------------------------------------------------------------------------- fast start (issue 17): what a command loads

#: Heavy packages: Polars and numpy (~0.3 s to import), the FIT decoders, the web app and what it brings.
HEAVY = ("polars", "numpy", "pandas", "pyarrow", "fitparse", "fitfast", "dash", "plotly", "werkzeug", "dask", "distributed")
#: What reading the stored tables never needs: the decoders and the importer, the web app.
DECODING = ("fitparse", "fitfast", "trainlog.ingest.decode", "trainlog.ingest.fit", "trainlog.ingest.importer",
            "dash", "plotly", "werkzeug")


#: ``python -m trainlog ARGS`` as runpy runs it, then the name of every module the process loaded, written to OUT.
#: (sys.modules, not ``-X importtime``: a module imported by importlib.import_module, as the lazy names of
#: ``trainlog`` and ``trainlog.store`` are, is not in importtime's list.)
RUN_AND_LIST = """
import json, runpy, sys
out, sys.argv = sys.argv[1], ["trainlog", *sys.argv[2:]]
try:
    runpy.run_module("trainlog", run_name="__main__", alter_sys=True)
finally:
    with open(out, "w") as f:
        json.dump(sorted(sys.modules), f)
"""


def loaded_by(tmp_path, *args, data=None):
    """(the process, every module it loaded) for ``trainlog ARGS`` run in a fresh interpreter."""
    out = tmp_path / "modules.json"
    env = {**os.environ, "TRAINLOG_DATA_DIR": str(data)} if data is not None else None
    proc = subprocess.run([sys.executable, "-c", RUN_AND_LIST, out, *map(str, args)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    return proc, set(json.loads(out.read_text()))


def among(modules, packages):
    """The modules that are one of ``packages`` or inside one."""
    return sorted(m for m in modules if any(m == p or m.startswith(p + ".") for p in packages))


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["summary", "--help"], ["import", "--help"],
                                  ["wellness", "add", "--help"], ["plan", "set", "--help"], ["export", "--help"],
                                  ["batch", "import", "--help"], ["roster", "--help"]])
def test_help_and_version_load_neither_polars_nor_the_decoders(tmp_path, args):
    proc, modules = loaded_by(tmp_path, *args)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "trainlog.cli" in modules and "click" in modules  # the process did run the command line
    assert among(modules, HEAVY) == []
    assert among(modules, ("trainlog.store.dataset", "trainlog.analysis", "trainlog.ingest.importer")) == []


def test_a_command_freezes_its_objects_out_of_the_collector_before_the_interpreter_exits(tmp_path):
    """gc.freeze() when the command is done: the exit skips collecting every object (~0.2 s of a daily import)."""
    code = ("import gc, runpy, sys\nsys.argv = ['trainlog', '--version']\n"
            "try:\n    runpy.run_module('trainlog', run_name='__main__', alter_sys=True)\n"
            "finally:\n    print('frozen', gc.get_freeze_count())\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert int(proc.stdout.split("frozen")[-1]) > 1000  # every module's objects


@pytest.fixture(scope="module")
def one_run(tmp_path_factory):
    """A data directory holding one imported run (athlete ``a``), its analysis not yet stored."""
    store = Store(tmp_path_factory.mktemp("one-run") / "data")
    report = import_paths(store, sorted((SAMPLE_FIT / "mara").glob("*.fit"))[:1], "a", workers=1)
    assert report.ok and report.counts()["imported"] == 1
    return store


def test_summary_and_activities_read_the_tables_without_the_decoders(one_run, tmp_path):
    # the first summary computes the analysis and stores it; the second reads it back
    for args in (["summary", "-a", "a", "--json"], ["summary", "-a", "a", "--json"], ["activities", "-a", "a", "--json"]):
        proc, modules = loaded_by(tmp_path, *args, data=one_run.data_dir)
        assert proc.returncode == 0, proc.stderr[-2000:]
        json.loads(proc.stdout)
        assert "polars" in modules and "trainlog.store.dataset" in modules  # it did read the tables
        assert among(modules, DECODING) == [], args


def test_a_summary_of_a_kept_analysis_takes_no_lock_and_looks_for_no_default_directory(one_run, tmp_path):
    """Reading a kept analysis writes nothing (no lock, no filelock) and, the data directory being named, asks
    platformdirs for none (~40 ms of a summary's 0.6 s)."""
    for _ in range(2):  # the first summary may store the analysis; the second only reads
        proc, modules = loaded_by(tmp_path, "summary", "-a", "a", "--json", "--data-dir", one_run.data_dir)
        assert proc.returncode == 0, proc.stderr[-2000:]
    assert among(modules, ("filelock", "platformdirs")) == []
